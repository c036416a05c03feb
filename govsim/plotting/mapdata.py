"""What a world map shows: one value per country at one period, picked from a countries table.

A countries table (``Results.countries``, ``run_many(...).countries``) has one row per country,
period and run: ``iso3``, ``period`` ("2035Q4"; each row is the state at the END of its period,
step 0 is the start, "2022Q4"), optionally ``scenario``, ``seed`` and ``run_id``, then per-country
columns. A map shows one scenario; with several seeds it shows the mean (numbers) or the most
frequent value (statuses) across seeds. Bad input gets one line naming the value and the choices.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from govsim.codes import STATUS_NAMES
from govsim.config.errors import shorten, shown

STRONGEST_FIRST = tuple(reversed(STATUS_NAMES))  # member, partner, applicant, none: ties go to the first


class MapData(NamedTuple):
    """One value per country (indexed by iso3), the period shown, and what the title should say
    about it (scenario name, number of seeds, whether the period is the start: step 0)."""

    values: pd.Series
    period: str
    scenario: str | None
    seeds: int
    start: bool = False

    @property
    def when(self) -> str:
        """'end of 2035Q4', or 'end of 2022Q4 (the start)' for step 0: each row is the state at the end of its period."""
        return f"end of {self.period}" + (" (the start)" if self.start else "")


def _choices(items) -> str:
    return shorten(", ".join(map(str, items)), 300)


def check_table(countries: pd.DataFrame) -> str | None:
    """Check the table can be mapped; returns its one scenario's name (None without a column)."""
    if not isinstance(countries, pd.DataFrame):
        raise ValueError(f"expected a countries table (a pandas DataFrame), got {type(countries).__name__}")
    for needed in ("iso3", "period"):
        if needed not in countries.columns:
            raise ValueError(f"the countries table has no {needed!r} column (its columns: {_choices(countries.columns)}); "
                             "pass Results.countries or run_many(..., countries=True).countries")
    if countries.empty:
        raise ValueError("the countries table is empty; run with countries=True (or keep country snapshots)")
    if "scenario" not in countries.columns:
        return None
    scenarios = list(dict.fromkeys(countries["scenario"].astype(str)))
    if len(scenarios) > 1:
        raise ValueError(f"the table holds {len(scenarios)} scenarios ({_choices(scenarios)}); a map shows one: "
                         f"filter first, e.g. countries[countries['scenario'] == {scenarios[0]!r}]")
    return scenarios[0]


def periods(countries: pd.DataFrame) -> list[str]:
    """The table's period labels in time order ("YYYYQn" and "YYYY" labels sort as text)."""
    return sorted(countries["period"].astype(str).unique())


def resolve_period(countries: pd.DataFrame, at) -> str:
    """The period label that ``at`` means: None -> the last period; a label such as "2035Q4" -> that
    period; an int year such as 2035 -> the last period of that year in the table."""
    labels = periods(countries)
    if at is None:
        return labels[-1]
    years = sorted({int(p[:4]) for p in labels})
    if isinstance(at, (int, np.integer)) and not isinstance(at, (bool, np.bool_)):
        in_year = [p for p in labels if int(p[:4]) == at]
        if in_year:
            return in_year[-1]
    elif isinstance(at, str) and at in labels:
        return at
    raise ValueError(f"at={shown(at)} is not in the table; use a period from {labels[0]!r} to {labels[-1]!r} "
                     f"(e.g. {labels[-1]!r}) or a year as an int from {years[0]} to {years[-1]} (its last period)")


def check_column(countries: pd.DataFrame, column: str, numeric: bool) -> None:
    """``column`` must be a column of the table, numeric or not as the map needs."""
    wanted = [c for c in countries.columns if _is_numeric(countries[c]) == numeric and c not in ("step", "seed", "run_id", "year", "time")]
    if column not in countries.columns or column not in wanted:
        what = "a numeric per-country column" if numeric else "a status column"
        hint = "; statuses are drawn by plot_forum_map" if numeric and str(column).startswith("status_") else ""
        raise ValueError(f"column {shown(column)} is not {what} of the table{hint}; use one of {_choices(wanted)}")


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype, pd.CategoricalDtype)


def _rows_at(countries: pd.DataFrame, period: str) -> tuple[pd.DataFrame, int, bool]:
    """The rows of ``period``, the number of runs (seeds) they come from and whether it is the
    start (step 0); one row per country and seed, else one clear error."""
    rows = countries[countries["period"].astype(str) == period]
    keys = ["iso3", "seed"] if "seed" in rows.columns else ["iso3"]
    if rows.duplicated(keys).any():
        dup = rows.loc[rows.duplicated(keys), keys].iloc[0].tolist()
        raise ValueError(f"the table has several rows for {_choices(dup)} at {period}; a map needs one row per "
                         "country and seed: filter to one run (or one scenario) first")
    seeds = rows["seed"].nunique() if "seed" in rows.columns else 1
    return rows, seeds, "step" in rows.columns and bool((rows["step"] == 0).all())


def numeric_values(countries: pd.DataFrame, column: str, at) -> MapData:
    """Per-country values of a numeric ``column`` at ``at``: the mean across seeds; non-finite
    values count as missing (drawn grey)."""
    scenario = check_table(countries)
    check_column(countries, column, numeric=True)
    period = resolve_period(countries, at)
    rows, seeds, start = _rows_at(countries, period)
    values = rows.assign(_v=rows[column].astype(float).replace([np.inf, -np.inf], np.nan)).groupby("iso3")["_v"].mean()
    if values.notna().sum() == 0:
        raise ValueError(f"column {shown(column)} has no finite value at {period}; pick another period or column")
    return MapData(values.rename(column), period, scenario, seeds, start)


def forum_column(countries: pd.DataFrame, forum: str) -> str:
    """The ``status_<forum>`` column of ``forum``, or one clear error listing the forums."""
    forums = [c.removeprefix("status_") for c in countries.columns if str(c).startswith("status_")]
    if not isinstance(forum, str) or f"status_{forum}" not in countries.columns:
        raise ValueError(f"forum {shown(forum)} has no status column in the table; use one of {_choices(forums) or '(none)'}")
    return f"status_{forum}"


def status_values(countries: pd.DataFrame, forum: str, at) -> MapData:
    """Per-country status in ``forum`` at ``at``: the most frequent status across seeds (a tie goes
    to the stronger status: member, then partner, then applicant, then none)."""
    scenario = check_table(countries)
    column = forum_column(countries, forum)
    period = resolve_period(countries, at)
    rows, seeds, start = _rows_at(countries, period)
    status = rows[column].astype(str)
    unknown = sorted(set(status) - set(STATUS_NAMES))
    if unknown:
        raise ValueError(f"column {column!r} holds {shown(unknown[0])}; statuses are {_choices(STATUS_NAMES)}")
    counts = pd.crosstab(rows["iso3"].to_numpy(), status.to_numpy())
    counts = counts.reindex(columns=[s for s in STRONGEST_FIRST if s in counts.columns])
    return MapData(counts.idxmax(axis=1).rename(column), period, scenario, seeds, start)
