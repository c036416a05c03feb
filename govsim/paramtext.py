"""Reading the schema's field documentation for the parameter table (govsim.paramdoc): the
``Unit:/Range:/Source:`` parts of a description, the range from pydantic constraints, defaults."""

from __future__ import annotations

import math
import re
import types
import typing
from typing import Any, Literal

import annotated_types
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

MISSING = "—"

_MARKER = re.compile(r"\b(Unit|Range|Source):\s*")
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^\])\s]+)\s*([\])])")


class ParamDocError(ValueError):
    """The schema's documentation contradicts itself (e.g. a description's Range vs its constraints)."""


# --------------------------------------------------------------------------- parsing


def parse_description(text: str | None) -> dict[str, str | None]:
    """Split a field description into ``meaning``, ``unit``, ``range`` and ``source``.

    ``Unit:`` and ``Range:`` run to the next marker or the end of their sentence; ``Source:``
    runs to the next marker or the end (sources quote "et al." and dates). Sentences after a
    Unit or Range that belong to no marker are appended to the meaning.
    """
    parts: dict[str, str | None] = {"meaning": None, "unit": None, "range": None, "source": None}
    if not text:
        return parts
    matches = list(_MARKER.finditer(text))
    meaning = [text[: matches[0].start()] if matches else text]
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        chunk = text[match.end():end].strip()
        name = match.group(1).lower()
        if name != "source":
            stop = _sentence_end(chunk, interval=name == "range")
            chunk, rest = chunk[:stop], chunk[stop:]
            meaning.append(rest)
        value = chunk.strip().rstrip(".").strip()
        if parts[name] is not None:
            raise ParamDocError(f"description has two {match.group(1)}: parts: {text!r}")
        parts[name] = value or None
    parts["meaning"] = " ".join(" ".join(m.split()) for m in meaning if m.strip()) or None
    return parts


def _sentence_end(chunk: str, interval: bool) -> int:
    """Index just past the end of the first sentence of ``chunk`` (the period included)."""
    start = 0
    if interval:  # an interval such as [0.25, 1.5] may contain periods
        found = _INTERVAL.match(chunk)
        start = found.end() if found else 0
    found = re.compile(r"\.(\s|$)").search(chunk, start)
    return found.end() if found else len(chunk)


def parse_interval(text: str) -> tuple[bool, float, float, bool] | None:
    """``"[0, 10)"`` -> (closed_lo, lo, hi, closed_hi); None if ``text`` is not an interval."""
    found = _INTERVAL.match(text)
    if found is None or text[found.end():].strip(" ."):
        return None
    try:
        lo, hi = _number(found.group(2)), _number(found.group(3))
    except ValueError:
        return None
    return found.group(1) == "[", lo, hi, found.group(4) == "]"


def _number(text: str) -> float:
    """A number as written in a Range (``1_000``, ``∞``, a Unicode minus)."""
    text = text.replace("_", "").replace("∞", "inf").replace("−", "-")
    return float(text)


# --------------------------------------------------------------------------- types and constraints


def _strip_optional(tp: Any) -> Any:
    """``X | None`` -> ``X`` (keeps other unions as they are)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _is_number_type(tp: Any) -> bool:
    tp = _strip_optional(tp)
    if tp in (int, float):
        return True
    if typing.get_origin(tp) is Literal:
        return all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in typing.get_args(tp))
    return False


def is_numeric(annotation: Any) -> bool:
    """A quantity: an int/float (optionally None), a numeric Literal, or a container of floats.

    Containers of ints (``penalised_tiers``, ``tier_overrides``) hold tier codes, which are
    identifiers rather than quantities, and are not counted.
    """
    if _is_number_type(annotation):
        return True
    tp = _strip_optional(annotation)
    if typing.get_origin(tp) in (list, dict, tuple, set):
        args = typing.get_args(tp)
        return bool(args) and _strip_optional(args[-1]) is float
    return False


def _bounds(info: FieldInfo) -> dict[str, float]:
    """The ge/gt/le/lt constraints of a field (``annotated_types.Ge``/``Gt``/``Le``/``Lt`` or ``Interval``)."""
    return {k: getattr(m, k) for m in info.metadata for k in ("ge", "gt", "le", "lt") if getattr(m, k, None) is not None}


def constraint_interval(info: FieldInfo) -> tuple[bool, float, float, bool] | None:
    """The interval the pydantic constraints allow, or None if the field has no bounds."""
    b = _bounds(info)
    if not b:
        return None
    lo_closed, lo = ("ge" in b, b["ge"]) if "ge" in b else (False, b.get("gt", -math.inf))
    hi_closed, hi = ("le" in b, b["le"]) if "le" in b else (False, b.get("lt", math.inf))
    return lo_closed, float(lo), float(hi), hi_closed


def format_interval(interval: tuple[bool, float, float, bool]) -> str:
    """(True, 0, 10, False) -> ``"[0, 10)"``; infinite ends print as ∞ and are always open."""
    lo_closed, lo, hi, hi_closed = interval
    left = "[" if lo_closed and math.isfinite(lo) else "("
    right = "]" if hi_closed and math.isfinite(hi) else ")"
    return f"{left}{_fmt_number(lo)}, {_fmt_number(hi)}{right}"


def _fmt_number(x: float) -> str:
    """A bound or integer default: ``3``, ``0.25``, ``∞``."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _field_range(key: str, info: FieldInfo, described: str | None) -> str | None:
    """The range column; raises if the description's Range contradicts the constraints."""
    allowed = constraint_interval(info)
    if allowed is not None:
        if described is not None:
            said = parse_interval(described)
            if said is None:
                raise ParamDocError(f"{key}: the description's 'Range: {described}' is not an interval like [0, 1] or (0, 10]; the constraints give {format_interval(allowed)}")
            if format_interval(said) != format_interval(allowed):
                raise ParamDocError(f"{key}: the description says 'Range: {described}' but the pydantic constraints ({_constraint_text(info)}) give {format_interval(allowed)}")
        return format_interval(allowed)
    literal = _strip_optional(info.annotation)
    if typing.get_origin(literal) is Literal:
        return "{" + ", ".join(_fmt_value(a) for a in typing.get_args(literal)) + "}"
    if described is None and typing.get_origin(literal) is list and typing.get_origin(typing.get_args(literal)[0]) is Literal:
        return "items in {" + ", ".join(_fmt_value(a) for a in typing.get_args(typing.get_args(literal)[0])) + "}"
    lengths = [m for m in info.metadata if isinstance(m, annotated_types.MinLen)]
    if described is None and lengths:
        return f"at least {lengths[0].min_length} item" + ("s" if lengths[0].min_length != 1 else "")
    return described


def _constraint_text(info: FieldInfo) -> str:
    """The constraints as written in the schema, e.g. ``gt=0, le=10``."""
    return ", ".join(f"{k}={_fmt_number(v)}" for k, v in _bounds(info).items())


# --------------------------------------------------------------------------- values


def _fmt_value(value: Any) -> str:
    """A default as it would be written in a scenario YAML / Hydra override."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _fmt_number(value) if isinstance(value, int) else repr(value)
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_fmt_value(k)}: {_fmt_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, set)):
        return "[" + ", ".join(_fmt_value(v) for v in value) + "]"
    return str(value)


def _field_default(info: FieldInfo) -> Any:
    """The default of a field (calling its default factory), or ``_REQUIRED``."""
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        return info.default_factory()
    return _REQUIRED


_REQUIRED = object()
"""The default of a field that has none."""
