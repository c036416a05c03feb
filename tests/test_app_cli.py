"""``govsim app`` without a browser: one-line errors (exit 2) and the app package's place in the code.

The server itself is exercised by tests/test_app_browser.py.
"""

from __future__ import annotations

import ast
import importlib.util
import socket
from pathlib import Path

import pytest

from govsim.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "govsim"
PUBLIC = ("govsim", "govsim.plotting", "govsim.labels", "govsim.model")  # what the app may import from govsim
PAGE_MODULES = ("page.py", "views.py", "server.py", "__init__.py", "session.py", "levers.py", "lessons.py")  # every module


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("args, says", [
    (["--port", "99999"], "--port '99999' is not a port number"),
    (["--port", "eighty"], "--port 'eighty' is not a port number"),
    (["--port", "x" * 500], "..."),
    (["--host", "no-such-host.invalid"], "--host 'no-such-host.invalid' is not a known address"),
    (["--colour", "red"], "unrecognized arguments: --colour red"),
])
def test_bad_host_or_port_is_one_line_and_exit_2(capsys, args, says):
    assert main(["app", *args]) == 2
    err = _one_line(capsys)
    assert says in err and ("Fix:" in err or "govsim app --help" in err)
    assert len(err) < 250


def test_a_port_in_use_is_one_line_naming_another_port(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    err = _one_line(capsys)
    assert f"cannot listen on '127.0.0.1':{port}" in err and "Fix: choose another --port" in err


def test_a_missing_app_extra_says_how_to_install_it(capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a))
    assert main(["app"]) == 2
    assert "Fix: pip install -e '.[app]' (or run: make app)" in _one_line(capsys)


def _imports(path: Path) -> list[str]:
    """The modules a file imports (absolute names; relative imports are not used in govsim)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_nothing_in_the_engine_imports_the_app():
    importers = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "app" not in path.relative_to(PACKAGE).parts[:1]
                 and any(name == "govsim.app" or name.startswith("govsim.app.") for name in _imports(path))]
    assert not importers, f"the engine imports the app: {importers}"


def test_the_app_page_uses_only_the_public_api():
    private = {f"{path.name}: {name}" for path in map(PACKAGE.joinpath("app").joinpath, PAGE_MODULES)
               for name in _imports(path)
               if name.startswith("govsim") and not name.startswith("govsim.app")
               and not any(name == public or name.startswith(public + ".") and public != "govsim" for public in PUBLIC)}
    assert not private, f"the app imports govsim internals: {sorted(private)}"


def test_importing_the_app_package_needs_no_solara():
    spec = importlib.util.find_spec("govsim.app")
    source = Path(spec.origin).read_text(encoding="utf-8")
    assert not _imports(Path(spec.origin)), source
