"""Shared pydantic base and the period type used across the scenario schema."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


class Strict(BaseModel):
    """Frozen model that rejects unknown keys (typos never pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def period_to_year(period: str) -> float:
    """Convert ``"2025Q2"`` to 2025.25 and ``"2025"`` to 2025.0 (start of the period)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(f"{period!r} is not a period; write it as 'YYYYQn' (e.g. '2025Q1') or 'YYYY'")
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
