"""Observation: indices each step and snapshots of country and forum state as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.config.behaviour import Dynamics
from govsim.forums import ForumSet
from govsim.codes import APPLICANT, INCOME_GROUPS, MEMBER, PARTNER, STATUS_NAMES
from govsim.state import State
from govsim.trace import Trace


#: Columns of the indices table that record the frontier's state, not indices (not confined to [0, 1]).
FRONTIER_STATE = ("frontier_capability", "open_lag_years")


def measure(s: State, forums: ForumSet, p: Dynamics) -> dict[str, float | str]:
    """All index components and headlines for the current state (each in [0, 1]); a forum not yet
    launched is left out, as if it did not exist. The state is measured as a one-row
    :class:`~govsim.trace.Trace`, by the same code that measures a run's recorded steps at once."""
    trace = Trace(s.n, s.engagement.shape[1], forums.universal, p.engaged_threshold, rows=1)
    trace.append(s, forums.authority, forums.position, forums.active)
    return {name: values[0] if values.dtype == object else float(values[0]) for name, values in trace.measure(slice(0, 1)).items()}


#: The per-country columns of the countries table, after step, iso3, name, region and income_group.
COUNTRY_COLUMNS = ("capability", "access", "adoption", "intensity", "lag_years", "internet", "skills", "population", "readiness",
                   "gdp_pc", "alignment", "tier", "compute")


class Recorder:
    """Keeps per-step copies of country and forum arrays; builds DataFrames at the end."""

    def __init__(self, forum_names: list[str], countries: bool = True):
        self.forum_names, self.keep_countries = forum_names, countries
        self.country_rows: list[dict[str, np.ndarray]] = []
        self.forum_rows: list[tuple] = []  # per step: (step, status, n_engaged, position, authority, pool)

    def record(self, step: int, s: State, forums: ForumSet, threshold: float) -> None:
        """Snapshot the state at ``step``."""
        if self.keep_countries:
            self._record_countries(step, s)
        self.forum_rows.append((step, s.status.copy(), (s.engagement >= threshold).sum(axis=-2), forums.position.copy(),
                                forums.authority.copy(), forums.pool.copy()))  # counted by status in forums()

    def _record_countries(self, step: int, s: State) -> None:
        self.country_rows.append({
            "step": np.full(s.n, step), "capability": s.capability.copy(), "readiness": s.readiness.copy(),
            "access": s.frontier_access.copy(), "adoption": s.adoption.copy(), "intensity": s.intensity.copy(),
            "lag_years": s.lag.copy(),
            "internet": s.internet.copy(), "skills": s.skills.copy(), "population": s.population,
            "gdp_pc": s.gdp_pc.copy(), "alignment": s.alignment.copy(), "tier": s.tier.copy(),
            "income_group": s.income_group.copy(), "compute": s.compute.copy(),
            "engagement": s.engagement.copy(), "status": s.status.copy(),
        })

    def countries(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                  steps: slice = slice(None)) -> pd.DataFrame:
        """One row per country per step (an empty table if country snapshots were not kept), with the
        country's name and World Bank region (categories: cheap to repeat every step); ``steps``
        picks recorded steps (e.g. ``slice(5, 6)``: step 5 only)."""
        rows = self.country_rows[steps]
        if not rows:
            return pd.DataFrame()
        names = iso3 if names is None else names
        regions = np.full(len(iso3), "", dtype=object) if regions is None else regions
        table = {
            "step": np.concatenate([r["step"] for r in rows]),
            "iso3": np.tile(iso3, len(rows)),
            "name": pd.Categorical(np.tile(names, len(rows)), categories=list(dict.fromkeys(names))),
            "region": pd.Categorical(np.tile(regions, len(rows)), categories=list(dict.fromkeys(regions))),
            "income_group": pd.Categorical.from_codes(np.concatenate([r["income_group"] for r in rows]), categories=list(INCOME_GROUPS)),
        }
        for column in COUNTRY_COLUMNS:
            table[column] = np.concatenate([r[column] for r in rows])
        engagement = np.concatenate([r["engagement"] for r in rows])
        status = np.concatenate([r["status"] for r in rows])
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = engagement[:, k]
            table[f"status_{name}"] = pd.Categorical.from_codes(status[:, k], categories=list(STATUS_NAMES))
        return pd.DataFrame(table)

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step (one row per step; the countries table's columns but
        iso3, name and region), without building the whole table: for a live inspector."""
        rows = self.country_rows
        if not rows:
            return pd.DataFrame()
        table: dict[str, object] = {"step": [r["step"][i] for r in rows]}
        for column in COUNTRY_COLUMNS:
            table[column] = [r[column][i] if np.ndim(r[column]) else r[column] for r in rows]
        table["income_group"] = pd.Categorical.from_codes([r["income_group"][i] for r in rows], categories=list(INCOME_GROUPS))
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = [r["engagement"][i, k] for r in rows]
            table[f"status_{name}"] = pd.Categorical.from_codes([r["status"][i, k] for r in rows], categories=list(STATUS_NAMES))
        return pd.DataFrame(table)

    def forums(self, steps: slice = slice(None)) -> pd.DataFrame:
        """One row per forum per step (``steps``: as for :meth:`countries`)."""
        rows = self.forum_rows[steps]
        step, status, engaged, position, authority, pool = zip(*rows)
        status = np.stack(status)  # (steps, N, K): the members, partners and applicants counted at once
        table = {"step": np.repeat(np.array(step, dtype=np.int64), len(self.forum_names)),
                 "forum": np.tile(np.array(self.forum_names, dtype=object), len(rows))}
        for column, code in (("n_members", MEMBER), ("n_partners", PARTNER), ("n_applicants", APPLICANT)):
            table[column] = (status == code).sum(axis=1).ravel()
        for column, values in (("n_engaged", engaged), ("position", position), ("authority", authority), ("pool", pool)):
            table[column] = np.concatenate(values)
        return pd.DataFrame(table)
