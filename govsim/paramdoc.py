"""The parameter table of ``docs/parameters.md``, generated from the scenario schema.

Every row comes from a pydantic field of :class:`govsim.config.Scenario` (walked with its
nested models): the *meaning*, *unit* and *source* are parsed from the field's description,
written as ``"<meaning> Unit: <unit>. Range: <range>. Source: <source>."``, the *default* from
the schema's defaults (``Scenario()``; for the models kept in dictionaries, ``ForumSpec`` and
each shock kind, from their field defaults) and the *range* from the pydantic constraints
(``ge``/``gt``/``le``/``lt``). A ``Range:`` in a description that disagrees with the
constraints is a bug in the schema: :func:`parameter_rows` raises :class:`ParamDocError`.

Regenerate the page with ``python -m govsim.paramdoc --write`` (or
``python -m govsim.paramdoc > docs/parameters.md``); ``--check`` exits 1 when the page is out
of date. This module reads the schema only: no Hydra, no model run.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import types
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from govsim.config import Scenario
from govsim.config.forums import default_forums
from govsim.config.loading import models_of

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
COMMAND = "python -m govsim.paramdoc --write"
MISSING = "—"

_MARKER = re.compile(r"\b(Unit|Range|Source):\s*")
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,\s]+)\s*,\s*([^\])\s]+)\s*([\])])")


class ParamDocError(ValueError):
    """The schema's documentation contradicts itself (e.g. a description's Range vs its constraints)."""


@dataclass(frozen=True)
class Row:
    """One documented parameter."""

    key: str
    meaning: str
    unit: str | None
    default: str
    range: str | None
    source: str | None
    numeric: bool = False
    described_range: str | None = None
    """The ``Range:`` text of the description (``range`` may come from the constraints instead)."""
    builtin: bool = False
    """A row of the built-in forums' settings (a value of ``default_forums()``, not a schema field)."""


@dataclass
class _Section:
    """One heading of the page with its rows."""

    title: str
    """The heading: the key path as code, e.g. "`shocks.<name>` with `kind: open_models`"."""
    doc: str
    rows: list[Row] = field(default_factory=list)
    builtin: bool = False


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


def _row(key: str, info: FieldInfo, default: Any) -> Row:
    """The row of one field; raises :class:`ParamDocError` if its Range contradicts its constraints."""
    parts = parse_description(info.description)
    return Row(
        key=key,
        meaning=parts["meaning"] or MISSING,
        unit=parts["unit"],
        default="(required)" if default is _REQUIRED else _fmt_value(default),
        range=_field_range(key, info, parts["range"]),
        source=parts["source"],
        numeric=is_numeric(info.annotation),
        described_range=parts["range"],
    )


# --------------------------------------------------------------------------- walking the schema


def _doc(model: type[BaseModel]) -> str:
    """The first paragraph of a model's docstring, on one line."""
    return " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())


_SCENARIO_ERROR = "the scenario schema contradicts its own documentation (fix govsim/config)"


def _sections(model: type[BaseModel], instance: BaseModel | None = None, prefix: str = "",
              error: str = "the schema contradicts its own documentation") -> list[_Section]:
    """``model`` as ordered sections of rows, keys prefixed with ``prefix``.

    Defaults come from ``instance`` if given, else from the field defaults. Every
    description/constraint mismatch is collected, then raised as one :class:`ParamDocError`.
    """
    sections: list[_Section] = []
    errors: list[str] = []
    title = f"`{prefix.rstrip('.')}`" if prefix else "Top level"
    _walk(model.model_fields, instance, prefix, title, _doc(model), sections, errors)
    if errors:
        raise ParamDocError(f"{error}:\n  - " + "\n  - ".join(errors))
    return sections


def _walk(fields: dict[str, FieldInfo], instance: BaseModel | None, prefix: str, title: str, doc: str,
          sections: list[_Section], errors: list[str]) -> _Section:
    """Rows for the plain fields of one model, then a section per nested model (depth first).

    Defaults come from ``instance`` when there is one (the defaults of ``Scenario()``), else
    from the field defaults (models kept in dictionaries: forums and shocks). Returns the
    section of the plain fields (added to ``sections`` only if it has rows).
    """
    section = _Section(title, doc)
    nested: list[tuple[str, list[type[BaseModel]], bool]] = []
    for fname, info in fields.items():
        in_dict = typing.get_origin(info.annotation) is dict
        models = models_of(typing.get_args(info.annotation)[-1] if in_dict else info.annotation)
        if models and (in_dict or len(models) == 1):
            nested.append((fname, models, in_dict))
            continue
        default = getattr(instance, fname) if instance is not None else _field_default(info)
        try:
            section.rows.append(_row(prefix + fname, info, default))
        except ParamDocError as exc:
            errors.append(str(exc))
    if section.rows:
        sections.append(section)
    for fname, models, in_dict in nested:
        if in_dict:
            _walk_entries(fname, models, prefix, sections, errors)
        else:  # a nested model: world.synthetic, behaviour.decision, ...
            value = getattr(instance, fname) if instance is not None else None
            _walk(models[0].model_fields, value, f"{prefix}{fname}.", f"`{prefix}{fname}`", _doc(models[0]), sections, errors)
    return section


def _walk_entries(fname: str, models: list[type[BaseModel]], prefix: str, sections: list[_Section], errors: list[str]) -> None:
    """Sections for a dictionary of named entries: one model (forums) or a union of kinds (shocks)."""
    key, path = f"{prefix}{fname}.<name>.", f"`{prefix}{fname}.<name>`"
    if len(models) == 1:  # dict[str, Model]: forums
        generic = _walk(models[0].model_fields, None, key, path, _doc(models[0]), sections, errors)
        if prefix == "" and fname == "forums":
            sections.append(_builtin_forums(generic))
        return
    # dict[str, discriminated union]: shocks. The shared fields once, then each kind's own.
    shared = [f for f in models[0].model_fields if f != "kind" and all(f in m.model_fields for m in models)]
    _walk({f: models[0].model_fields[f] for f in shared}, None, key, f"{path} (every kind)",
          f"Fields every kind of `{fname}` entry has. {_doc(models[0].__mro__[1])}".strip(), sections, errors)
    for member in models:
        kind = typing.get_args(member.model_fields["kind"].annotation)[0]
        own = {f: i for f, i in member.model_fields.items() if f not in shared and f != "kind"}
        _walk(own, None, key, f"{path} with `kind: {kind}`", _doc(member), sections, errors)


def _builtin_forums(generic: _Section) -> _Section:
    """The built-in forums' settings: the ``forums.<name>`` rows with each forum's values as defaults."""
    section = _Section("`forums` (built-in values)", "The settings of the built-in forums (`govsim.config.forums.default_forums()`), the default of `forums`; keys are `forums.<forum>.<setting>`.", builtin=True)
    for forum, spec in default_forums().items():
        for row in generic.rows:
            fname = row.key.rsplit(".", 1)[-1]
            section.rows.append(replace(row, key=f"forums.{forum}.{fname}", default=_fmt_value(getattr(spec, fname)), builtin=True))
    return section


def parameter_rows() -> list[Row]:
    """Every documented parameter of the scenario schema, in page order.

    Raises :class:`ParamDocError` if a description's ``Range:`` disagrees with the field's
    pydantic constraints.
    """
    return [row for section in _sections(Scenario, Scenario(), error=_SCENARIO_ERROR) for row in section.rows]


def model_rows(model: type[BaseModel], prefix: str = "") -> list[Row]:
    """The rows of any pydantic model (and its nested models), keys prefixed with ``prefix``.

    Defaults come from the field defaults. Raises :class:`ParamDocError` on a
    description/constraint mismatch, like :func:`parameter_rows`.
    """
    return [row for section in _sections(model, prefix=prefix) for row in section.rows]


def undocumented(rows: list[Row] | None = None) -> list[str]:
    """Numeric schema fields whose description lacks a Unit, a Range or a Source."""
    found = []
    for row in rows if rows is not None else parameter_rows():
        if not row.numeric or row.builtin:
            continue
        missing = [part for part, value in (("Unit", row.unit), ("Range", row.described_range), ("Source", row.source)) if not value]
        if missing:
            found.append(f"{row.key}: no {', '.join(missing)}")
    return found


# --------------------------------------------------------------------------- markdown


def _cell(text: str | None) -> str:
    """A table cell: one line, pipes and asterisks escaped, ``—`` when empty."""
    if text is None or text == "":
        return MISSING
    return " ".join(str(text).split()).replace("|", "\\|").replace("*", "\\*")


def markdown() -> str:
    """The content of ``docs/parameters.md``."""
    lines = [
        "# Scenario parameters",
        "",
        "<!-- Generated from the scenario schema (govsim/config). Do not edit by hand. -->",
        "",
        f"This page is generated from the pydantic scenario schema in `govsim/config/` by `{COMMAND}`",
        "(or `python -m govsim.paramdoc > docs/parameters.md`). **Do not edit it by hand**: change the",
        "field's description or default in `govsim/config/` and regenerate; `tests/test_paramdoc.py` fails",
        "while this page is out of date.",
        "",
        "Keys are the dotted paths used in scenario YAML files and command-line overrides",
        "(e.g. `behaviour.decision.temperature=2`); `<name>` stands for any forum or shock name.",
        "Ranges are the values validation accepts ([ ] closed, ( ) open); \"assumption\" marks a value",
        f"chosen by the authors, to be calibrated. {MISSING} means the description gives no such part.",
        "",
    ]
    sections = _sections(Scenario, Scenario(), error=_SCENARIO_ERROR)
    lines += ["## Contents", ""]
    lines += [f"- [{s.title}](#{_anchor(s.title)})" for s in sections]
    lines.append("")
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.doc:
            lines += [section.doc, ""]
        lines += _builtin_table(section.rows) if section.builtin else _table(section.rows)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _table(rows: list[Row]) -> list[str]:
    """A section's table: one row per key."""
    out = ["| Key | Meaning | Unit | Default | Range | Source |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| `{r.key}` | {_cell(r.meaning)} | {_cell(r.unit)} | {_cell(r.default)} | {_cell(r.range)} | {_cell(r.source)} |")
    return out


def _builtin_table(rows: list[Row]) -> list[str]:
    """The built-in forums' table: one row per setting, one column per forum."""
    forums = list(dict.fromkeys(r.key.split(".")[1] for r in rows))
    values: dict[str, dict[str, str]] = {}
    units: dict[str, str | None] = {}
    for r in rows:
        _, forum, fname = r.key.split(".", 2)
        values.setdefault(fname, {})[forum] = r.default
        units[fname] = r.unit
    out = ["| Setting | Unit | " + " | ".join(f"`{f}`" for f in forums) + " |", "|---|---|" + "---|" * len(forums)]
    for fname, by_forum in values.items():
        out.append(f"| `{fname}` | {_cell(units[fname])} | " + " | ".join(_cell(by_forum.get(f)) for f in forums) + " |")
    return out


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """Print, ``--write`` or ``--check`` the page; 2 if the schema contradicts itself."""
    parser = argparse.ArgumentParser(prog="python -m govsim.paramdoc", description="Print (or --write/--check) docs/parameters.md, generated from the scenario schema.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write the page to --path")
    mode.add_argument("--check", action="store_true", help="exit 1 if the page at --path differs from the schema")
    parser.add_argument("--path", type=Path, default=DOC_PATH, help=f"the page (default: {DOC_PATH})")
    args = parser.parse_args(argv)
    try:
        text = markdown()
    except ParamDocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.write:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {args.path}", file=sys.stderr)
        return 0
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else None
        if current != text:
            print(f"{args.path} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{args.path} is up to date", file=sys.stderr)
        return 0
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
