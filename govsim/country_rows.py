"""The per-step country snapshots of a run, and the countries table built from them.

:class:`CountryRows` keeps a copy of each recorded state's country arrays (one dict of arrays per
step). ``table`` builds the tidy countries table (one row per country per step) and ``history``
one country's rows, cheaply, for live views. A streamed run (:mod:`govsim.stream`) hands the rows
over to a Parquet file every few steps with :meth:`CountryRows.drain`, so memory holds a few steps
at a time, not the whole run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from govsim.codes import INCOME_GROUPS, STATUS_NAMES
from govsim.state import State

#: The per-country columns of the countries table, after step, iso3, name, region and income_group.
COUNTRY_COLUMNS = ("capability", "access", "adoption", "intensity", "lag_years", "internet", "skills", "population", "readiness",
                   "gdp_pc", "alignment", "tier", "compute")
#: The categories of the coded columns, made once (pandas checks a category list each time it is given one).
INCOME_DTYPE, STATUS_DTYPE = pd.CategoricalDtype(list(INCOME_GROUPS)), pd.CategoricalDtype(list(STATUS_NAMES))


class CountryRows:
    """Copies of the country arrays at each recorded step (``rows``: one dict per step held in memory).

    ``sink``, if set, is called after each recorded step with this object: a stream uses it to
    write and :meth:`drain` the rows it holds every few steps."""

    def __init__(self, forum_names: list[str]):
        self.forum_names = forum_names
        self.rows: list[dict[str, np.ndarray]] = []
        self.sink: Callable[[CountryRows], None] | None = None

    def record(self, step: int, s: State) -> None:
        """Copy the country arrays of the state at ``step``."""
        self.rows.append({
            "step": np.full(s.n, step), "capability": s.capability.copy(), "readiness": s.readiness.copy(),
            "access": s.frontier_access.copy(), "adoption": s.adoption.copy(), "intensity": s.intensity.copy(),
            "lag_years": s.lag.copy(),
            "internet": s.internet.copy(), "skills": s.skills.copy(), "population": s.population,
            "gdp_pc": s.gdp_pc.copy(), "alignment": s.alignment.copy(), "tier": s.tier.copy(),
            "income_group": s.income_group.copy(), "compute": s.compute.copy(),
            "engagement": s.engagement.copy(), "status": s.status.copy(),
        })
        if self.sink is not None:
            self.sink(self)

    def drain(self) -> list[dict[str, np.ndarray]]:
        """Hand over the rows held so far and forget them (a streamed run has written them)."""
        rows, self.rows = self.rows, []
        return rows

    def table(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
              steps: slice = slice(None), rows: list[dict[str, np.ndarray]] | None = None,
              replicates: int = 1) -> pd.DataFrame:
        """One row per country per step of ``rows`` (default: the rows held, picked by ``steps``),
        with the country's name and World Bank region as categories (cheap to repeat every step).
        ``replicates`` > 1: the rows of a batch (govsim/replicates.py, arrays with a leading replicate
        axis), in one table, replicate by replicate (each replicate's rows as its single run's table)."""
        columns = self.columns(iso3, names, regions, steps, rows, replicates)
        return pd.DataFrame(columns) if columns else pd.DataFrame()

    def columns(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                steps: slice = slice(None), rows: list[dict[str, np.ndarray]] | None = None,
                replicates: int = 1) -> dict[str, object]:
        """The columns of :meth:`table` (empty if no rows), for a caller that adds its own in front
        (the run's tags: one table built, not two)."""
        rows = self.rows[steps] if rows is None else rows
        if not rows:
            return {}
        names = iso3 if names is None else names
        regions = np.full(len(iso3), "", dtype=object) if regions is None else regions
        blocks = len(rows) * replicates
        table = {
            "step": np.tile(np.concatenate([r["step"] for r in rows]), replicates),
            "iso3": pd.array(iso3, dtype="str").take(np.tile(np.arange(len(iso3)), blocks)),  # each code converted once
            "name": _repeated(names, blocks),
            "region": _repeated(regions, blocks),
            "income_group": pd.Categorical.from_codes(runs_first([r["income_group"] for r in rows], replicates),
                                                      dtype=INCOME_DTYPE),
        }
        for column in COUNTRY_COLUMNS:
            table[column] = runs_first([r[column] for r in rows], replicates)
        engagement = runs_first([r["engagement"] for r in rows], replicates)
        status = runs_first([r["status"] for r in rows], replicates)
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = engagement[:, k]
            table[f"status_{name}"] = pd.Categorical.from_codes(status[:, k], dtype=STATUS_DTYPE)
        return table

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step (one row per step; the countries table's columns but
        iso3, name and region), without building the whole table: for a live inspector."""
        rows = self.rows
        if not rows:
            return pd.DataFrame()
        table: dict[str, object] = {"step": [r["step"][i] for r in rows]}
        for column in COUNTRY_COLUMNS:
            table[column] = [r[column][i] if np.ndim(r[column]) else r[column] for r in rows]
        table["income_group"] = pd.Categorical.from_codes([r["income_group"][i] for r in rows], dtype=INCOME_DTYPE)
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = [r["engagement"][i, k] for r in rows]
            table[f"status_{name}"] = pd.Categorical.from_codes([r["status"][i, k] for r in rows], dtype=STATUS_DTYPE)
        return pd.DataFrame(table)


def runs_first(arrays: list[np.ndarray], replicates: int = 1) -> np.ndarray:
    """The steps' arrays (one per step) joined along the first axis; a batch's (``replicates`` > 1,
    each array with a leading replicate axis) replicate by replicate, each replicate's steps in order."""
    if replicates == 1:
        return np.concatenate(arrays)
    return np.stack(arrays, axis=1).reshape(-1, *arrays[0].shape[2:])


def _repeated(labels: np.ndarray, times: int) -> pd.Categorical:
    """``labels`` repeated ``times`` as a categorical whose categories are the labels in first-seen order:
    built from codes, so the strings are hashed once, not once per row and step."""
    dtype, codes = _coded(tuple(labels))
    return pd.Categorical.from_codes(np.tile(codes, times), dtype=dtype)


@lru_cache(maxsize=8)
def _coded(labels: tuple) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """The categories of ``labels`` (in first-seen order) and each label's code, worked out once per
    world (a run's countries table is built with the same names and regions every time)."""
    categories = list(dict.fromkeys(labels))
    return pd.CategoricalDtype(categories), pd.Index(categories).get_indexer(list(labels))
