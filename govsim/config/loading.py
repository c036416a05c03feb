"""Load a scenario from ``scenarios/`` or a path, apply ``key=value`` overrides, validate once.

Every problem is reported in one :class:`ScenarioError` naming the field, the bad value and
the fix, instead of a traceback from deep inside the model.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from govsim.config.scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(ValueError):
    """A scenario, override or world table is invalid; the message says what to change."""


def load_scenario(name_or_path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Return the validated scenario ``name_or_path`` with Hydra-style ``overrides`` applied.

    ``name_or_path`` is a file in ``scenarios/`` (``"baseline"``) or a path to a YAML file.
    ``overrides`` are strings such as ``"seed=3"``, ``"world.kind=synthetic"``, ``"world.n=1000"``.
    """
    path = find_scenario(name_or_path)
    raw = _read_yaml(path)
    raw.setdefault("name", path.stem)
    scenario = validate(raw, source=str(path))
    overrides = list(overrides)
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="python")
    for text in overrides:
        apply_override(data, text)
    return validate(data, source=f"{path} with overrides {overrides}")


def find_scenario(name_or_path: str | Path) -> Path:
    """Resolve a scenario name or path to an existing YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} and candidate.is_file():
        return candidate
    for folder in (Path.cwd() / "scenarios", SCENARIO_DIR):
        path = folder / f"{name_or_path}.yaml"
        if path.is_file():
            return path
    known = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    raise ScenarioError(f"unknown scenario {str(name_or_path)!r}: not a YAML file and not in {SCENARIO_DIR}; known scenarios: {known}")


def validate(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a plain dict as a :class:`Scenario`, turning pydantic errors into one clear message."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(err) for err in exc.errors()]
        raise ScenarioError(f"invalid scenario ({source}):\n" + "\n".join(lines)) from None


def apply_override(data: dict[str, Any], text: str) -> None:
    """Set ``a.b.c=value`` in a nested dict/list (value parsed as YAML: ``3`` is an int)."""
    key, sep, value = text.partition("=")
    key = key.strip().lstrip("+")
    if not sep or not key:
        raise ScenarioError(f"override {text!r} is not of the form key=value (e.g. seed=3 or world.n=1000)")
    *parents, last = key.split(".")
    node: Any = data
    for i, part in enumerate(parents):
        node = _child(node, part, ".".join(parents[: i + 1]))
    if isinstance(node, list):
        node[_index(node, last, key)] = _parse(value)
    elif isinstance(node, dict):
        node[last] = _parse(value)
    else:
        raise ScenarioError(f"override {text!r}: {'.'.join(parents)} is a value, not a section")


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path)]
    if isinstance(node, dict):
        if part not in node or not isinstance(node[part], (dict, list)):
            keys = sorted(k for k, v in node.items() if isinstance(v, (dict, list)))
            raise ScenarioError(f"override key {path!r} is not a section of the scenario; sections here: {keys}")
        return node[part]
    raise ScenarioError(f"override key {path!r} goes below a plain value")


def _index(node: list, part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ScenarioError(f"override key {path!r}: {part!r} is not an index of a list of {len(node)} items")
    return int(part)


def _parse(value: str) -> Any:
    try:
        return yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        return value


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold a mapping of scenario fields, got {type(data).__name__}")
    return data


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "scenario"
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        allowed = sorted(parent.model_fields) if parent else []
        return f"  - {loc}: unknown key. Fix: remove it or use one of {allowed}"
    got = err.get("input")
    hint = "" if err["type"] == "value_error" else _field_hint(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    shown = f" = {got!r}" if not isinstance(got, dict) else ""
    return f"  - {loc}{shown}: {msg}." + (f" Fix: {hint}" if hint else "")


def _field_hint(loc: tuple) -> str:
    model = _model_at(loc[:-1])
    if model is None or not loc or loc[-1] not in model.model_fields:
        return ""
    desc = model.model_fields[loc[-1]].description or ""
    return desc


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """Walk the schema along a pydantic error location to the model class that holds it."""
    current: Any = Scenario
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    return _as_model(current)


def _step(tp: Any, part: Any) -> Any:
    model = _as_model(tp)
    if model is not None and isinstance(part, str) and part in model.model_fields:
        return model.model_fields[part].annotation
    for arg in typing.get_args(tp) or ():
        candidate = _as_model(arg)
        if candidate is not None and candidate.model_fields.get("kind") is not None:
            if part in typing.get_args(candidate.model_fields["kind"].annotation):
                return candidate
    origin = typing.get_origin(tp)
    if origin in (list, dict):
        return typing.get_args(tp)[-1]
    if origin is typing.Annotated or origin is typing.Union:
        for arg in typing.get_args(tp):
            found = _step(arg, part)
            if found is not None:
                return found
    return None


def _as_model(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if typing.get_origin(tp) in (typing.Union, typing.Annotated) or str(typing.get_origin(tp)) == "types.UnionType":
        for arg in typing.get_args(tp):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return None
