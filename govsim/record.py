"""Observation: indices each step and snapshots of country and forum state as tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from govsim import record_loops
from govsim.config.behaviour import Dynamics
from govsim.forums import ForumSet
from govsim.codes import APPLICANT, MEMBER, PARTNER
from govsim.country_rows import COUNTRY_COLUMNS, CountryRows, doubled  # noqa: F401 -- COUNTRY_COLUMNS: re-exported
from govsim.state import State
from govsim.trace import Trace


#: Columns of the indices table that record the frontier's state, not indices (not confined to [0, 1]).
FRONTIER_STATE = ("frontier_capability", "open_lag_years")
#: Steps of forum rows the recorder has room for at first (doubled when full): a real-world run's 53 fit.
FORUM_CAPACITY = 64


def measure(s: State, forums: ForumSet, p: Dynamics) -> dict[str, float | str]:
    """All index components and headlines for the current state (each in [0, 1]); a forum not yet
    launched is left out, as if it did not exist. The state is measured as a one-row
    :class:`~govsim.trace.Trace`, by the same code that measures a run's recorded steps at once."""
    trace = Trace(s.n, s.engagement.shape[1], forums.universal, p.engaged_threshold, rows=1)
    trace.append(s, forums.authority, forums.position, forums.active)
    return {name: values[0] if values.dtype == object else float(values[0]) for name, values in trace.measure(slice(0, 1)).items()}


class Recorder:
    """Keeps per-step copies of country and forum arrays; builds DataFrames at the end.

    The forum rows are preallocated buffers, replicate-major like the country snapshots' blocks
    (:mod:`govsim.country_rows`): ``counts`` (members, partners, applicants, engaged countries) and
    ``values`` (position, authority, pool), each (column, replicate, step, forum), filled by one
    compiled call a step (:func:`govsim.record_loops.forum_row`) and doubled when full."""

    def __init__(self, forum_names: list[str], countries: bool | str = True, steps: int | None = None):
        """``steps``: the steps the run records, if known (the buffers then have room for them all)."""
        self.forum_names, self.keep_countries = forum_names, countries
        self.country = CountryRows(forum_names, stream=countries == "stream", steps=steps)  # the country snapshots
        self.counts = self.values = None  # made at the first step, when the replicates are known
        self.steps = np.empty(steps or FORUM_CAPACITY, np.int64)
        self.held = 0

    def record(self, step: int, s: State, forums: ForumSet, threshold: float) -> None:
        """Snapshot the state at ``step``."""
        if self.keep_countries:
            self._record_countries(step, s)
        if self.counts is None:
            shape = (s.capability.shape[0] if s.capability.ndim > 1 else 1, len(self.steps), len(self.forum_names))
            self.counts, self.values = np.empty((4, *shape), np.int64), np.empty((3, *shape))
        elif self.held == len(self.steps):
            self._grow()
        record_loops.forum_row(self.counts, self.values, self.held, self.counts.shape[1], threshold, MEMBER, PARTNER,
                               APPLICANT, s.status, s.engagement, forums.position, forums.authority, forums.pool)
        self.steps[self.held] = step
        self.held += 1

    def _grow(self) -> None:
        """Twice the room for forum rows, the rows held copied over."""
        held = self.held
        self.counts, self.values = doubled(self.counts, 2, held), doubled(self.values, 2, held)
        self.steps = doubled(self.steps, 0, held)

    def _record_countries(self, step: int, s: State) -> None:
        self.country.record(step, s)

    @property
    def forum_rows(self) -> np.ndarray:
        """The steps recorded, one per forum row held (``len``: how many steps have been recorded)."""
        return self.steps[:self.held]

    def countries(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                  steps: slice = slice(None)) -> pd.DataFrame:
        """One row per country per step (an empty table if country snapshots were not kept); ``steps``
        picks recorded steps (e.g. ``slice(5, 6)``: step 5 only); a batch's records replicate by
        replicate. See :meth:`CountryRows.table`."""
        return self.country.table(iso3, names, regions, steps)

    def country_columns(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                        steps: slice = slice(None), final: bool = False) -> dict[str, object]:
        """The columns of :meth:`countries` (an empty dict if snapshots were not kept), for the run's tables.
        ``final``: the run is over and these are the last columns asked of this recorder: its snapshots
        are handed over (:meth:`CountryRows.drain`; it keeps none) and the columns are views of their
        buffers, not copies (a finished run's tables: nothing writes the buffers again)."""
        if final:
            return self.country.columns(iso3, names, regions, rows=self.country.drain())
        return self.country.columns(iso3, names, regions, steps)

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step, without building the whole table (:meth:`CountryRows.history`)."""
        return self.country.history(i)

    def forums(self, steps: slice = slice(None)) -> pd.DataFrame:
        """One row per forum per step (``steps``: as for :meth:`countries`)."""
        return pd.DataFrame(self.forum_columns(steps))

    def forum_columns(self, steps: slice = slice(None)) -> dict[str, np.ndarray]:
        """The columns of :meth:`forums`, for the run's tables (tagged and built once, not built twice):
        the buffers' rows of ``steps``, replicate by replicate, copied (later steps write the buffers)."""
        rows = slice(*steps.indices(self.held))
        step, counts, values = self.steps[rows], self.counts[:, :, rows].copy(), self.values[:, :, rows].copy()
        k, runs = len(self.forum_names), counts.shape[1]
        table = {"step": np.tile(np.repeat(step, k), runs),
                 "forum": np.tile(np.array(self.forum_names, dtype=object), len(step) * runs)}
        for column, values_of in zip(("n_members", "n_partners", "n_applicants", "n_engaged"), counts):
            table[column] = values_of.reshape(-1)
        for column, values_of in zip(("position", "authority", "pool"), values):
            table[column] = values_of.reshape(-1)
        return table
