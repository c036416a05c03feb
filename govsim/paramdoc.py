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
import re
import sys
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from govsim.config import Scenario
from govsim.config.forums import default_forums
from govsim.config.loading import models_of
from govsim.paramtext import (  # noqa: F401 -- ParamDocError and parse_description are re-exported
    MISSING, ParamDocError, _field_default, _field_range, _fmt_value, _REQUIRED, constraint_interval, format_interval,
    is_numeric, parse_description, parse_interval,
)

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
COMMAND = "python -m govsim.paramdoc --write"



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
