"""Config-group files are data: each one Hydra could read is checked before Hydra reads it.

Hydra would otherwise act on a scenario file's ``hydra:`` section (callbacks are instantiated,
so any callable runs), on a ``# @package hydra...`` header or a defaults-list entry into a
``hydra/`` group, and OmegaConf would resolve ``${oc.env:...}`` from the environment. Every
YAML file of the scenario groups in every config root is read with govsim's safe YAML reader
(UTF-8, no repeated keys, bounded aliases) and refused, naming the file, if it does any of
that, or if its ``name`` is not a valid name (it becomes a folder name before any run starts).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from govsim.config import ScenarioError
from govsim.config.base import Slug
from govsim.config.yamlio import check_data, load_yaml, read_text

_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)", re.MULTILINE)


def check_roots(roots: list[Path], groups: tuple[str, ...]) -> None:
    """Check every YAML file of ``groups`` under each of ``roots``; raise ScenarioError on the first bad one."""
    for root in dict.fromkeys(Path(r) for r in roots):
        for group in groups:
            folder = root / group
            files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []
            for path in files:
                stat = path.stat()
                _check_file(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _check_file(path: Path, mtime_ns: int, size: int) -> None:
    """Check one file (cached while its time stamp and size stay the same)."""
    text = read_text(path)
    for package in _PACKAGE.findall(text[:2000]):  # Hydra reads the header comments at the top
        if package.removeprefix("_global_.").split(".")[0] == "hydra":
            raise ScenarioError(f"{path}: '# @package {package}' puts the file into Hydra's own settings, which "
                                "can run code. Fix: scenario and config-group files hold scenario data only")
    data = load_yaml(text, str(path))
    if data is None:
        return
    check_data(data, str(path))
    if isinstance(data, dict):
        _check_defaults(data.get("defaults"), path)
        _check_name(data.get("name"), path)


def _check_defaults(defaults: Any, path: Path) -> None:
    for entry in defaults if isinstance(defaults, list) else []:
        keys = [entry] if isinstance(entry, str) else list(entry) if isinstance(entry, dict) else []
        for key in keys:
            group = str(key).removeprefix("override ").removeprefix("optional ").strip().lstrip("/")
            if group.split("/")[0].split("@")[0] == "hydra" or "@hydra" in group:
                raise ScenarioError(f"{path}: the defaults entry {group!r} selects Hydra settings, which can run "
                                    "code. Fix: choose hydra/... options on the command line instead")


def _check_name(name: Any, path: Path) -> None:
    from pydantic import TypeAdapter, ValidationError

    if isinstance(name, str):
        try:
            TypeAdapter(Slug).validate_python(name)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ScenarioError(f"{path}: name = {name[:80]!r}: {message}") from None
