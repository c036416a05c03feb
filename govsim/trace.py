"""A run's trace: what the indices read, copied each step into preallocated arrays, measured at once.

Recording a step is one compiled call that copies the arrays and checks them finite; the indices of the
recorded steps are then measured by compiled loops over the rows (:mod:`govsim.stacked`), when
first asked for (the indices table, the DataCollector, a live view) and only for the rows not
measured before. A large world's trace measures its rows every few steps and keeps only the
indices (:data:`CHUNK_BYTES`).
"""

from __future__ import annotations

import math

import numpy as np

from govsim import record_loops, stacked
from govsim.state import State

#: Per-country float arrays of the state kept each step (State attribute names; copied in this order by
#: :func:`govsim.record_loops.trace_rows`). The first five and
#: ``engagement`` are checked finite each step (in this order: the first bad one is named).
FLOATS = ("gdp_pc", "compute", "readiness", "capability", "alignment", "frontier_access", "adoption", "intensity",
          "population")
FINITE = ("gdp_pc", "compute", "readiness", "capability", "alignment", "engagement")
BUG = "this is a govsim bug: please report it with the scenario and seed"


#: Bytes of recorded rows a trace holds at most: when its buffer is full it measures the rows and
#: starts over, so a large world's trace stays small (193 countries: every step of a run fits).
CHUNK_BYTES = 64e6
#: Bytes of a (row, country, forum) float array measured in one pass at most: the pass's per-row
#: arrays (the Theil ratios and their logs) stay small, and its per-call cost is shared (the real
#: world: ~270 rows).
MEASURE_BYTES = 1.25e6


class Trace:
    """Preallocated copies of the state and forum arrays the indices read, one row per recorded step,
    and the indices measured from them (``threshold``: the engagement that counts as engaged)."""

    def __init__(self, n: int, k: int, universal: np.ndarray, threshold: float, rows: int = 64, replicates: int = 1):
        """``replicates`` > 1: room for ``rows`` steps of each of a batch's replicates (govsim/replicates.py
        records them, replicate r's step t in row r * rows + t, and sizes its batches to fit)."""
        self.universal, self.threshold = np.asarray(universal, bool).copy(), threshold
        rows = replicates * rows if replicates > 1 else max(1, min(rows, int(CHUNK_BYTES // row_bytes(n, k))))
        self.first, self.n_rows = 0, 0  # the step in the buffer's first row; the steps recorded
        self.floats = np.empty((len(FLOATS), rows, n))  # (variable, row, country): each variable contiguous
        self.engagement, self.status = np.empty((rows, n, k)), np.empty((rows, n, k), np.int8)
        self.income_group = np.empty((rows, n), np.int8)
        self.authority, self.position = np.empty((rows, k)), np.empty((rows, k))
        self.active, self.open_lag = np.empty((rows, k), bool), np.empty(rows)
        self._measured: dict[str, np.ndarray] = {}  # the index columns of steps 0 .. n_measured - 1
        self.n_measured = 0

    def append(self, s: State, authority: np.ndarray, position: np.ndarray, active: np.ndarray) -> None:
        """Record the state as the next step; FloatingPointError naming the step, the variable and a
        country if a checked array holds NaN or inf (see :func:`fail_on_non_finite`)."""
        if self.n_rows - self.first == len(self.open_lag):  # buffer full: measure its rows, start over
            self.indices()
            self.first = self.n_rows
        finite = self.write(self.n_rows - self.first, s, authority, position, active, s.open_lag)
        self.n_rows += 1
        if not finite:
            fail_on_non_finite(self.n_rows - 1, s)

    def write(self, rows, s: State, authority: np.ndarray, position: np.ndarray, active: np.ndarray, open_lag) -> bool:
        """Copy the state into buffer ``rows`` (one row, or a strided slice: a row per replicate of a
        batch, govsim/replicates.py) in one compiled call (:func:`govsim.record_loops.trace_rows`);
        whether the checked arrays are all finite."""
        if isinstance(rows, slice):  # a batch: replicate r's row is first + r * stride
            first, stop, stride = rows.indices(len(self.open_lag))
            count = len(range(first, stop, stride))
        else:
            first, stride, count = rows, 1, 1
        self.open_lag[rows] = open_lag
        finite = record_loops.trace_rows(
            self.floats, self.engagement, self.status, self.income_group, self.authority, self.position, self.active,
            first, stride, count, s.gdp_pc, s.compute, s.readiness, s.capability, s.alignment, s.frontier_access,
            s.adoption, s.intensity, s.population, s.engagement, s.status, s.income_group, authority, position, active)
        investment = s.world_investment
        return finite and (math.isfinite(investment) if isinstance(investment, float) else bool(np.isfinite(investment).all()))

    def indices(self, rows: int | None = None) -> dict[str, np.ndarray]:
        """The index columns of the first ``rows`` recorded steps (all by default), each step measured once."""
        rows = self.n_rows if rows is None else rows
        if rows > self.n_measured:
            new = self.measure(slice(self.n_measured - self.first, rows - self.first))
            check_indices(self.n_measured, new)
            old = self._measured
            self._measured = {name: np.concatenate([old[name], values]) if old else values for name, values in new.items()}
            self.n_measured = rows
        return {name: values[:rows] for name, values in self._measured.items()}

    def measure(self, rows: slice) -> dict[str, np.ndarray]:
        """Every index of the buffer's ``rows``; a forum not launched in a row is left out of it, as if it
        did not exist (the rows are measured in groups of the same launched forums). Many rows (a
        batch's) are measured a few hundred at a time (:data:`MEASURE_BYTES`), so the passes' temporaries stay in cache."""
        step = max(16, int(MEASURE_BYTES // self.engagement[0].nbytes)) if self.engagement[0].nbytes else len(self.open_lag)
        if rows.stop - rows.start > step:
            parts = [self.measure(slice(a, min(a + step, rows.stop))) for a in range(rows.start, rows.stop, step)]
            return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        active = self.active[rows]
        if (active == active[0]).all():
            return self._measure(rows, active[0])
        patterns, which = np.unique(active, axis=0, return_inverse=True)
        which, out = which.ravel(), {}
        for p, live in enumerate(patterns):
            at = np.flatnonzero(which == p)
            for name, values in self._measure(at + rows.start, live).items():
                out.setdefault(name, np.empty(len(which), values.dtype))[at] = values
        return out

    def _measure(self, rows, live: np.ndarray) -> dict[str, np.ndarray]:
        """The indices of ``rows`` (a slice or indices) with the forums of mask ``live``: a few compiled
        loops that go row by row (:mod:`govsim.stacked`), sequential (no BLAS, no threads), so a row's
        values depend on nothing but the row, the same on any machine's cores."""
        floats = {name: self.floats[v, rows] for v, name in enumerate(FLOATS)}
        engagement, status, universal = self.engagement[rows], self.status[rows], self.universal
        authority, position = self.authority[rows], self.position[rows]
        if not live.all():  # the forums launched in these rows only, as if the others did not exist
            engagement, status = np.ascontiguousarray(engagement[..., live]), np.ascontiguousarray(status[..., live])
            authority, position = np.ascontiguousarray(authority[:, live]), np.ascontiguousarray(position[:, live])
            universal = universal[live]
        capability, population, income = floats["capability"], floats["population"], self.income_group[rows]
        return {
            **stacked.inclusiveness_rows(engagement, status, authority, universal, population, income),
            **stacked.fragmentation_rows(engagement, status, authority, capability, position, universal,
                                         self.threshold),
            **stacked.ai_divide_rows(capability, population, income, floats["compute"], floats["frontier_access"],
                                     floats["adoption"], floats["intensity"]),
            "frontier_capability": floats["frontier_access"].max(axis=-1), "open_lag_years": self.open_lag[rows].copy(),
        }


def row_bytes(n: int, k: int) -> int:
    """Bytes of one recorded row of a world of ``n`` countries and ``k`` forums."""
    return (len(FLOATS) * 8 + 9 * k + 1) * n + 17 * k + 8


def fail_on_non_finite(step: int, s: State) -> None:
    """Fail loudly, naming the step, the variable and a country, if the state holds NaN or inf.

    Inputs are checked and the dynamics are bounded (``dynamics.keep_finite``), so this never fires
    unless the model has a bug; it stops a run before a non-finite value reaches any table.
    """
    for name in FINITE + FLOATS[5:]:
        array = getattr(s, name)
        if not np.isfinite(array).all():
            row = np.flatnonzero(~np.isfinite(array).reshape(s.n, -1).all(axis=1))[0]
            bad = array[row] if array.ndim == 1 else array[row][~np.isfinite(array[row])][0]
            raise FloatingPointError(f"step {step}: state variable {name} is not finite ({bad} for country {s.iso3[row]!r}); {BUG}")
    if not math.isfinite(s.world_investment):
        raise FloatingPointError(f"step {step}: state variable world_investment is not finite ({s.world_investment}); {BUG}")


def check_indices(first_step: int, columns: dict[str, np.ndarray]) -> None:
    """Fail loudly, naming the step and the index, if a measured index is NaN or inf (rows from ``first_step``)."""
    bad = [(int(np.flatnonzero(~np.isfinite(v))[0]), i, name) for i, (name, v) in enumerate(columns.items())
           if v.dtype.kind == "f" and not np.isfinite(v).all()]
    if bad:
        row, _, name = min(bad)
        raise FloatingPointError(f"step {first_step + row}: index {name} is not finite ({columns[name][row]}); {BUG}")
