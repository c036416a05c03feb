"""Observation: indices each step and snapshots of country and forum state as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim.config.behaviour import Dynamics
from govsim.forums import ForumSet
from govsim.codes import APPLICANT, MEMBER, PARTNER
from govsim.country_rows import COUNTRY_COLUMNS, CountryRows, runs_first  # noqa: F401 -- COUNTRY_COLUMNS: re-exported
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


class Recorder:
    """Keeps per-step copies of country and forum arrays; builds DataFrames at the end."""

    def __init__(self, forum_names: list[str], countries: bool = True):
        self.forum_names, self.keep_countries = forum_names, countries
        self.country = CountryRows(forum_names)  # the country snapshots (govsim.country_rows)
        self.forum_rows: list[tuple] = []  # per step: (step, status, n_engaged, position, authority, pool)

    def record(self, step: int, s: State, forums: ForumSet, threshold: float) -> None:
        """Snapshot the state at ``step``."""
        if self.keep_countries:
            self._record_countries(step, s)
        engaged = np.ascontiguousarray(np.swapaxes(s.engagement >= threshold, -1, -2))  # ([R,] K, N): counted fast
        self.forum_rows.append((step, s.status.copy(), engaged.sum(axis=-1), forums.position.copy(),
                                forums.authority.copy(), forums.pool.copy()))  # counted by status in forums()

    def _record_countries(self, step: int, s: State) -> None:
        self.country.record(step, s)

    @property
    def country_rows(self) -> list[dict[str, np.ndarray]]:
        """The country snapshots held in memory (see :class:`govsim.country_rows.CountryRows`)."""
        return self.country.rows

    def countries(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                  steps: slice = slice(None), replicates: int = 1) -> pd.DataFrame:
        """One row per country per step (an empty table if country snapshots were not kept); ``steps``
        picks recorded steps (e.g. ``slice(5, 6)``: step 5 only); ``replicates`` > 1: a batch's
        records, replicate by replicate. See :meth:`CountryRows.table`."""
        return self.country.table(iso3, names, regions, steps, replicates=replicates)

    def country_columns(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                        steps: slice = slice(None), replicates: int = 1) -> dict[str, object]:
        """The columns of :meth:`countries` (an empty dict if snapshots were not kept), for the run's tables."""
        return self.country.columns(iso3, names, regions, steps, replicates=replicates)

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step, without building the whole table (:meth:`CountryRows.history`)."""
        return self.country.history(i)

    def forums(self, steps: slice = slice(None), replicates: int = 1) -> pd.DataFrame:
        """One row per forum per step (``steps``, ``replicates``: as for :meth:`countries`)."""
        return pd.DataFrame(self.forum_columns(steps, replicates))

    def forum_columns(self, steps: slice = slice(None), replicates: int = 1) -> dict[str, np.ndarray]:
        """The columns of :meth:`forums`, for the run's tables (tagged and built once, not built twice)."""
        rows = self.forum_rows[steps]
        step, status, engaged, position, authority, pool = zip(*rows)
        # ([R,] steps, K, N): each forum's countries contiguous, so they are counted in one fast pass
        status = np.ascontiguousarray(np.swapaxes(np.stack(status, axis=1 if replicates > 1 else 0), -1, -2))
        k = len(self.forum_names)
        table = {"step": np.tile(np.repeat(np.array(step, dtype=np.int64), k), replicates),
                 "forum": np.tile(np.array(self.forum_names, dtype=object), len(rows) * replicates)}
        for column, code in (("n_members", MEMBER), ("n_partners", PARTNER), ("n_applicants", APPLICANT)):
            table[column] = (status == code).sum(axis=-1).ravel()
        for column, values in (("n_engaged", engaged), ("position", position), ("authority", authority), ("pool", pool)):
            table[column] = runs_first(values, replicates)
        return table
