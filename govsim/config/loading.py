"""Validate scenarios: standalone files, ``key=value`` overrides and composed configs, once.

Every problem is reported in one :class:`ScenarioError` naming the field, the bad value and
the fix, instead of a traceback from deep inside the model.
"""

from __future__ import annotations

import types
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, TypeAdapter, ValidationError

from govsim.config.base import BOOL_NUMBER, holds_bool, numeric
from govsim.config.errors import ScenarioError, shorten, shown
from govsim.config.scenario import Scenario
from govsim.config.shocks import Shock
from govsim.config.yamlio import NotYaml, check_data, load_yaml, read_text

__all__ = ["ScenarioError", "apply_override", "check_override", "load_file", "read_yaml", "validate"]


def load_file(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Return the validated standalone scenario file ``path`` with ``key=value`` overrides applied.

    A standalone file holds a whole scenario (no Hydra defaults list); unset fields take the
    schema defaults. ``overrides`` are strings such as ``"seed=3"`` or ``"world.n=1000"``.
    """
    path = Path(path)
    raw = read_yaml(path)
    raw.setdefault("name", path.stem)
    scenario = validate(raw, source=str(path))
    overrides = list(overrides)
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="python")
    for text in overrides:
        apply_override(data, text)
    return validate(data, source=f"{path} with overrides {shorten(str(overrides), 150)}")


def check_override(key: str, values: Iterable[Any]) -> None:
    """Check that dotted ``key`` is a scenario field and that each of ``values`` fits it.

    Sections (a whole model) are checked later, when the composed scenario is validated.
    """
    annotation, field, adapter = _checker(key)
    values = list(values)
    for value in values:
        check_data(value, f"override {shorten(key, 100)}")
    if adapter is None:
        return
    for value in values:
        if numeric(annotation) and holds_bool(value):
            raise ScenarioError(f"{shorten(key, 100)} = {shown(value)}: true/false is not a number. Fix: write a number")
        try:
            adapter.validate_python(value)
        except ValidationError as exc:
            msg = shorten(exc.errors()[0]["msg"].removeprefix("Value error, "), 250)
            hint = f" Fix: {brief(field.description)}" if field is not None and field.description and "Fix:" not in msg else ""
            raise ScenarioError(f"{shorten(key, 100)} = {shown(value)}: {msg}.{hint}") from None


@lru_cache(maxsize=1024)
def _checker(key: str) -> tuple[Any, Any, TypeAdapter | None]:
    """The annotation and FieldInfo of dotted ``key`` (:func:`_walk`) and a validator of its values
    (None for a section, checked with the composed scenario), made once per key: building a pydantic
    validator costs about a millisecond, and every run checks its seed."""
    annotation, field = _walk(key)
    if models_of(annotation) and field is not None and not _is_union(annotation):
        return annotation, field, None
    metadata = field.metadata if field is not None else []
    return annotation, field, TypeAdapter(typing.Annotated[annotation, *metadata]) if metadata else TypeAdapter(annotation)


def _walk(key: str) -> tuple[Any, Any]:
    """The annotation and FieldInfo (None inside dicts/lists) that dotted ``key`` names."""
    annotation, field, done = Scenario, None, []
    for part in key.split("."):
        annotation, field = _descend(annotation, part, ".".join(done) or "the scenario", key)
        done.append(part)
    return annotation, field


def _descend(tp: Any, part: str, where: str, key: str) -> tuple[Any, Any]:
    models = models_of(tp)
    if models:
        owners = [m for m in models if part in m.model_fields]
        if not owners:
            allowed = sorted({f for m in models for f in m.model_fields})
            raise ScenarioError(f"unknown key {shown(key)}: {shown(part)} is not a field of {shorten(where, 100)}. "
                                f"Fix: use one of {allowed}")
        field = owners[0].model_fields[part]
        return field.annotation, field
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is dict:
        return args[1], None
    if origin is list:
        if not part.isdigit():
            raise ScenarioError(f"key {shown(key)}: {shown(part)} is not a list index of {shorten(where, 100)}. "
                                "Fix: use 0, 1, ...")
        return args[0], None
    if _is_union(tp):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _descend(inner[0], part, where, key)
    where = shorten(where, 100)
    raise ScenarioError(f"key {shown(key)}: {where} is a plain value, it has no {shown(part)}. Fix: set {where}=<value>")


def models_of(tp: Any) -> list[type[BaseModel]]:
    """Model classes that ``tp`` is, or that a (discriminated) union of models holds."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    if typing.get_origin(tp) is typing.Annotated:
        return models_of(typing.get_args(tp)[0])
    if _is_union(tp):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if args and all(isinstance(a, type) and issubclass(a, BaseModel) for a in args):
            return list(args)
    return []


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def validate(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate a plain dict as a :class:`Scenario`, turning pydantic errors into one clear line.

    The line holds every problem, separated by '; ' (cut at MAX_MESSAGE characters); the
    error's ``problems`` lists them one by one.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        raise ScenarioError(f"invalid scenario ({shorten(source, 200)}): " + "; ".join(problems), problems) from None
    except RecursionError:
        raise ScenarioError(f"invalid scenario ({shorten(source, 200)}): nested too deeply") from None


def apply_override(data: dict[str, Any], text: str) -> None:
    """Set ``a.b.c=value`` in a nested dict/list (value parsed as YAML: ``3`` is an int)."""
    key, sep, value = text.partition("=")
    key = key.strip().lstrip("+")
    if not sep or not key:
        raise ScenarioError(f"override {shown(text)} is not of the form key=value (e.g. seed=3 or world.n=1000)")
    *parents, last = key.split(".")
    node: Any = data
    for i, part in enumerate(parents):
        node = _child(node, part, ".".join(parents[: i + 1]))
    if isinstance(node, list):
        node[_index(node, last, key)] = _parse(value)
    elif isinstance(node, dict):
        node[last] = _parse(value)
    else:
        raise ScenarioError(f"override {shown(text)}: {shorten('.'.join(parents), 100)} is a value, not a section")


def _child(node: Any, part: str, path: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, path)]
    if isinstance(node, dict):
        if part not in node or not isinstance(node[part], (dict, list)):
            keys = sorted(k for k, v in node.items() if isinstance(v, (dict, list)))
            raise ScenarioError(f"override key {shown(path)} is not a section of the scenario; "
                                f"sections here: {shorten(str(keys), 200)}")
        return node[part]
    raise ScenarioError(f"override key {shown(path)} goes below a plain value")


def _index(node: list, part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise ScenarioError(f"override key {shown(path)}: {shown(part)} is not an index of a list of {len(node)} items")
    return int(part)


def _parse(value: str) -> Any:
    """An override's value as YAML (``3`` is an int); text that is not YAML stays text."""
    if not value.strip():
        return None
    try:
        parsed = load_yaml(value, "override value")
    except NotYaml:
        return value
    check_data(parsed, "override value")
    return parsed


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in YAML file ``path``: UTF-8, no repeated keys, bounded aliases, data only."""
    data = load_yaml(read_text(path), str(path))
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold a mapping of scenario fields, got {type(data).__name__}")
    check_data(data, str(path))
    return data


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "scenario"
    loc = shorten(loc, 120)
    if err["type"] == BOOL_NUMBER:
        field = (f"{loc}." if err["loc"] else "") + str(err["ctx"]["field"])
        return f"{field} = {shown(err['ctx']['value'])}: {err['msg']}"
    if err["type"] == "extra_forbidden":
        parent = _model_at(err["loc"][:-1])
        allowed = sorted(parent.model_fields) if parent else []
        return f"{loc}: unknown key. Fix: remove it or use one of {shorten(str(allowed), 250)}"
    if err["type"] == "union_tag_not_found":
        kinds = [typing.get_args(m.model_fields["kind"].annotation)[0] for m in models_of(Shock)]
        return (f"{loc}: no shock of this name, and no 'kind' to make a new one. "
                f"Fix: use an existing shock's name, or give {loc}.kind, one of {kinds}")
    got = err.get("input")
    hint = "" if err["type"] == "value_error" else brief(_field_hint(err["loc"]))
    msg = shorten(err["msg"].removeprefix("Value error, "), 250)
    value = f" = {shown(got)}" if not isinstance(got, dict) else ""
    return f"{loc}{value}: {msg}." + (f" Fix: {hint}" if hint else "")


def brief(description: str) -> str:
    """A field description cut for an error message: its first sentence and its 'Range:' sentence."""
    sentences = description.split(". ")
    kept = [sentences[0]] + [s for s in sentences[1:] if s.startswith("Range:")]
    return shorten(". ".join(s.rstrip(".") for s in kept) + "." if description else "", 220)


def _field_hint(loc: tuple) -> str:
    model = _model_at(loc[:-1])
    field = model.model_fields.get(loc[-1]) if model is not None and loc else None
    return (field.description or "") if field is not None else ""


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """Walk the schema along a pydantic error location to the model class that holds it."""
    current: Any = Scenario
    for part in loc:
        current = _step(current, part)
        if current is None:
            return None
    models = models_of(current)
    return models[0] if models else None


def _step(tp: Any, part: Any) -> Any:
    """The type one level below ``tp`` along an error-location part: a field, a union tag, a key or an index."""
    for model in models_of(tp):
        if isinstance(part, str) and part in model.model_fields:
            return model.model_fields[part].annotation
        kind = model.model_fields.get("kind")
        if kind is not None and part in typing.get_args(kind.annotation):
            return model
    origin = typing.get_origin(tp)
    if origin in (list, dict):
        return typing.get_args(tp)[-1]
    if origin is typing.Annotated or _is_union(tp):
        for arg in typing.get_args(tp):
            found = _step(arg, part)
            if found is not None:
                return found
    return None
