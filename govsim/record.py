"""Observation: indices each step and snapshots of country and forum state as tidy tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from govsim import indices
from govsim.divide import ai_divide
from govsim.config.behaviour import Dynamics
from govsim.forums import ForumSet
from govsim.codes import APPLICANT, MEMBER, PARTNER
from govsim.country_rows import COUNTRY_COLUMNS, CountryRows  # noqa: F401 -- COUNTRY_COLUMNS: re-exported
from govsim.state import State


#: Columns of the indices table that record the frontier's state, not indices (not confined to [0, 1]).
FRONTIER_STATE = ("frontier_capability", "open_lag_years")


def measure(s: State, forums: ForumSet, p: Dynamics) -> dict[str, float | str]:
    """All index components and headlines for the current state (each in [0, 1]); a forum not yet
    launched is left out, as if it did not exist."""
    engagement, status, authority, position, universal = _launched(s, forums)
    inclusion = indices.inclusiveness(engagement, status, authority, universal, s.population, s.income_group)
    fragmentation = indices.fragmentation(engagement, status, authority, s.capability, position,
                                          universal, p.engaged_threshold)
    divide = ai_divide(s.capability, s.population, s.income_group, s.compute,
                       access=s.frontier_access, adoption=s.adoption, intensity=s.intensity)
    frontier_state = {"frontier_capability": float(s.frontier_access.max()), "open_lag_years": s.open_lag}
    return {**inclusion, **fragmentation, **divide, **frontier_state}


def _launched(s: State, forums: ForumSet) -> tuple[np.ndarray, ...]:
    """Engagement, status, authority, position and universality of the forums that exist (launched)."""
    arrays = (s.engagement, s.status, forums.authority, forums.position, forums.universal)
    if forums.active.all():
        return arrays
    live = forums.active
    return s.engagement[:, live], s.status[:, live], forums.authority[live], forums.position[live], forums.universal[live]


# State arrays checked each step: the float arrays that are measured or recorded (a cheap isfinite each).
FINITE_STATE = ("gdp_pc", "compute", "readiness", "capability", "alignment", "engagement")
BUG = "this is a govsim bug: please report it with the scenario and seed"


def check_state(step: int, s: State) -> None:
    """Fail loudly, naming the step, the variable and a country, if the state holds NaN or inf.

    Inputs are checked and the dynamics are bounded (``dynamics.keep_finite``), so this never fires
    unless the model has a bug; it stops a run before a non-finite value reaches any table.
    """
    for name in FINITE_STATE:
        array = getattr(s, name)
        if not np.isfinite(array).all():
            row = np.flatnonzero(~np.isfinite(array).reshape(s.n, -1).all(axis=1))[0]
            bad = array[row] if array.ndim == 1 else array[row][~np.isfinite(array[row])][0]
            raise FloatingPointError(f"step {step}: state variable {name} is not finite ({bad} for country {s.iso3[row]!r}); {BUG}")
    if not np.isfinite(s.world_investment):
        raise FloatingPointError(f"step {step}: state variable world_investment is not finite ({s.world_investment}); {BUG}")


def check_indices(step: int, values: dict[str, float | str]) -> None:
    """Fail loudly, naming the step and the index, if a measured index is NaN or inf."""
    for name, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise FloatingPointError(f"step {step}: index {name} is not finite ({value}); {BUG}")


class Recorder:
    """Keeps per-step copies of country and forum arrays; builds DataFrames at the end."""

    def __init__(self, forum_names: list[str], countries: bool = True):
        self.forum_names, self.keep_countries = forum_names, countries
        self.country = CountryRows(forum_names)  # the country snapshots (govsim.country_rows)
        self.forum_rows: list[dict[str, np.ndarray]] = []

    def record(self, step: int, s: State, forums: ForumSet, threshold: float) -> None:
        """Snapshot the state at ``step``."""
        if self.keep_countries:
            self._record_countries(step, s)
        self.forum_rows.append({
            "step": np.full(len(self.forum_names), step), "n_members": (s.status == MEMBER).sum(axis=0),
            "n_partners": (s.status == PARTNER).sum(axis=0), "n_applicants": (s.status == APPLICANT).sum(axis=0),
            "n_engaged": (s.engagement >= threshold).sum(axis=0), "position": forums.position.copy(),
            "authority": forums.authority.copy(), "pool": forums.pool.copy(),
        })

    def _record_countries(self, step: int, s: State) -> None:
        self.country.record(step, s)

    @property
    def country_rows(self) -> list[dict[str, np.ndarray]]:
        """The country snapshots held in memory (see :class:`govsim.country_rows.CountryRows`)."""
        return self.country.rows

    def countries(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                  steps: slice = slice(None)) -> pd.DataFrame:
        """One row per country per step (an empty table if country snapshots were not kept); ``steps``
        picks recorded steps (e.g. ``slice(5, 6)``: step 5 only). See :meth:`CountryRows.table`."""
        return self.country.table(iso3, names, regions, steps)

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step, without building the whole table (:meth:`CountryRows.history`)."""
        return self.country.history(i)

    def forums(self, steps: slice = slice(None)) -> pd.DataFrame:
        """One row per forum per step (``steps``: as for :meth:`countries`)."""
        rows = self.forum_rows[steps]
        table = {"step": np.concatenate([r["step"] for r in rows]),
                 "forum": np.tile(np.array(self.forum_names, dtype=object), len(rows))}
        for column in ("n_members", "n_partners", "n_applicants", "n_engaged", "position", "authority", "pool"):
            table[column] = np.concatenate([r[column] for r in rows])
        return pd.DataFrame(table)
