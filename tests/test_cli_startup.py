"""CLI start-up: help and bad input answer without importing the model (runner, Mesa, pandas, the store),
which took ~1.5 s before any run; a run still imports what it needs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("govsim.runner", "govsim.model", "govsim.store", "govsim.batch", "govsim.batchstore", "govsim.folders",
         "mesa", "pandas", "pyarrow", "matplotlib", "scipy")

PROBE = """
import contextlib, io, json, sys
from govsim.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                  "heavy": [m for m in json.loads(%r) if m in sys.modules]}))
"""


def probe(tmp_path, *args: str) -> dict:
    """Run the CLI with ``args`` in a fresh process; its exit code, output and which heavy modules it loaded."""
    proc = subprocess.run([sys.executable, "-c", PROBE % json.dumps(HEAVY), *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["run", "-m", "--help"]])
def test_help_loads_no_heavy_module(tmp_path, args):
    found = probe(tmp_path, *args)
    assert found["code"] == 0 and "govsim" in found["out"]
    assert found["heavy"] == []
    assert list(tmp_path.iterdir()) == []  # help writes nothing


@pytest.mark.parametrize(("args", "named"), [
    (["run", "store.countries=maybe"], "store.countries"),
    (["run", "store.piles=1"], "store.piles"),
    (["run", "behaviour.decision.temperature=-3"], "behaviour.decision.temperature"),
    (["run", "scenario=nonesuch"], "nonesuch"),
])
def test_bad_override_is_one_line_without_loading_the_model(tmp_path, args, named):
    found = probe(tmp_path, *args)
    assert found["code"] == 2 and named in found["err"] and len(found["err"].strip().splitlines()) == 1
    assert found["heavy"] == []


def test_unwritable_output_folder_is_still_one_line(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    found = probe(tmp_path, "run", "seed=[1,2]", "out=taken/sub")
    assert found["code"] == 2 and "out=" in found["err"] and "Fix" in found["err"]
    assert len(found["err"].strip().splitlines()) == 1


def test_a_run_still_imports_what_it_needs(tmp_path):
    found = probe(tmp_path, "run", "time.steps=2", "store.figure=false", "out=one")
    assert found["code"] == 0, found["err"]
    assert {"govsim.runner", "govsim.store", "govsim.batch", "pandas"} <= set(found["heavy"])
    assert (tmp_path / "one" / "manifest.json").is_file()
