"""Shared pydantic base and the period and name types used across the scenario schema."""

from __future__ import annotations

import re
import typing
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

_PERIOD = re.compile(r"^([1-9]\d{3})(?:Q([1-4]))?$")
_SLUG = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")


class Strict(BaseModel):
    """Frozen model that rejects unknown keys (typos never pass silently) and true/false where a
    number is expected (YAML reads ``steps: true`` as a bool, which pydantic would take as 1)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name) if isinstance(name, str) else None
                if field is not None and numeric(field.annotation) and holds_bool(value):
                    raise PydanticCustomError(BOOL_NUMBER, "true/false is not a number. Fix: write a number",
                                              {"field": name, "value": value})
        return data


BOOL_NUMBER = "bool_number"  # pydantic error type of a bool given for a number (loc: the model; ctx: field, value)


def numeric(tp: Any) -> bool:
    """Whether annotation ``tp`` is or holds numbers (int, float, numeric literals) and no models."""
    if tp in (int, float):
        return True
    if isinstance(tp, type):
        return False
    args = typing.get_args(tp)
    if typing.get_origin(tp) is typing.Literal:
        return any(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args)
    return any(numeric(a) for a in args)


def holds_bool(value: Any) -> bool:
    """Whether ``value`` is a bool, or a list or dict with a bool as an item, key or value."""
    if isinstance(value, bool):
        return True
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else []
    return any(isinstance(item, bool) for item in items)


def period_to_year(period: str) -> float:
    """Convert ``"2025Q2"`` to 2025.25 and ``"2025"`` to 2025.0 (start of the period)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(f"{period[:40]!r} is not a period; write it as 'YYYYQn' (e.g. '2025Q1') or 'YYYY', "
                         "a year from 1000 to 9999")
    year, quarter = match.groups()
    return int(year) + (int(quarter) - 1) / 4 if quarter else float(year)


def _check_period(value: str) -> str:
    period_to_year(value)
    return value


def _year_as_text(value: object) -> object:
    """YAML reads ``start: 2023`` as an int; accept it as the year '2023'."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Period = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(_check_period)]
"""A calendar period: ``'YYYYQn'`` for a quarter or ``'YYYY'`` for a year."""


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("a name becomes part of folder and file names: use 1 to 64 letters, digits, '-', '_' or "
                         "'.', not starting with '.' (no '/', spaces or ${...}). Fix: e.g. name=my-run_2")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
"""A name safe in file paths: 1-64 of ``[A-Za-z0-9._-]``, not starting with '.'."""
