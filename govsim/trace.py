"""A run's trace: what the indices read, copied each step into preallocated arrays, measured at once.

Recording a step is a handful of array copies and one finiteness check; the indices of every
recorded step are then measured in vectorised passes over all rows (:mod:`govsim.stacked`), when
first asked for (the indices table, the DataCollector, a live view) and only for the rows not
measured before.
"""

from __future__ import annotations

import math

import numpy as np

from govsim import stacked
from govsim.state import State

#: Per-country float arrays of the state kept each step (State attribute names). The first five and
#: ``engagement`` are checked finite each step (in this order: the first bad one is named).
FLOATS = ("gdp_pc", "compute", "readiness", "capability", "alignment", "frontier_access", "adoption", "intensity",
          "population")
FINITE = ("gdp_pc", "compute", "readiness", "capability", "alignment", "engagement")
BUG = "this is a govsim bug: please report it with the scenario and seed"


class Trace:
    """Preallocated (rows, ...) copies of the state and forum arrays the indices read, one row per step."""

    def __init__(self, n: int, k: int, universal: np.ndarray, rows: int = 64):
        self.n_rows, self.universal = 0, np.asarray(universal, bool).copy()
        self.floats = np.empty((len(FLOATS), rows, n))  # (variable, row, country): each variable contiguous
        self.engagement, self.status = np.empty((rows, n, k)), np.empty((rows, n, k), np.int8)
        self.income_group = np.empty((rows, n), np.int8)
        self.authority, self.position = np.empty((rows, k)), np.empty((rows, k))
        self.active, self.open_lag = np.empty((rows, k), bool), np.empty(rows)
        self._measured: dict[str, np.ndarray] = {}

    def append(self, s: State, authority: np.ndarray, position: np.ndarray, active: np.ndarray) -> None:
        """Record the state as the next row; FloatingPointError naming the row, the variable and a
        country if a checked array holds NaN or inf (see :func:`fail_on_non_finite`)."""
        t = self.n_rows
        if t == self.floats.shape[1]:
            self._grow()
        for v, name in enumerate(FLOATS):
            self.floats[v, t] = getattr(s, name)
        self.engagement[t], self.status[t], self.income_group[t] = s.engagement, s.status, s.income_group
        self.authority[t], self.position[t], self.active[t], self.open_lag[t] = authority, position, active, s.open_lag
        self.n_rows = t + 1
        if not (np.isfinite(self.floats[:5, t]).all() and np.isfinite(self.engagement[t]).all()
                and math.isfinite(s.world_investment)):
            fail_on_non_finite(t, s)

    def _grow(self) -> None:
        """Double the capacity (runs longer than the first guess, e.g. stepped by hand)."""
        rows = 2 * self.floats.shape[1]
        self.floats = _resized(self.floats, rows, axis=1)
        for name in ("engagement", "status", "income_group", "authority", "position", "active", "open_lag"):
            setattr(self, name, _resized(getattr(self, name), rows, axis=0))

    def column(self, name: str) -> np.ndarray:
        """(rows, N) recorded values of per-country float ``name`` (a view)."""
        return self.floats[FLOATS.index(name), : self.n_rows]

    def indices(self, threshold: float, rows: int | None = None) -> dict[str, np.ndarray]:
        """The index columns of the first ``rows`` recorded rows (all by default), measured once."""
        rows = self.n_rows if rows is None else rows
        done = len(next(iter(self._measured.values()))) if self._measured else 0
        if rows > done:
            new = self.measure(slice(done, rows), threshold)
            check_indices(done, new)
            self._measured = new if not done else {k: np.concatenate([self._measured[k], new[k]]) for k in new}
        return {name: values[:rows] for name, values in self._measured.items()}

    def measure(self, rows: slice, threshold: float) -> dict[str, np.ndarray]:
        """Every index of ``rows``; a forum not launched in a row is left out of it, as if it did not exist
        (the rows are measured in groups of the same launched forums)."""
        active = self.active[rows]
        if (active == active[0]).all():
            return self._measure(rows, active[0], threshold)
        patterns, which = np.unique(active, axis=0, return_inverse=True)
        which, out = which.ravel(), {}
        for p, live in enumerate(patterns):
            at = np.flatnonzero(which == p)
            for name, values in self._measure(at + rows.start, live, threshold).items():
                out.setdefault(name, np.empty(len(which), values.dtype))[at] = values
        return out

    def _measure(self, rows, live: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
        """The indices of ``rows`` (a slice or indices) with the forums of mask ``live``."""
        floats = {name: self.floats[v, rows] for v, name in enumerate(FLOATS)}
        engagement, status, universal = self.engagement[rows], self.status[rows], self.universal
        authority, position = self.authority[rows], self.position[rows]
        if not live.all():  # C order, as recorded: the order of the sums must not depend on the slicing
            engagement, status = np.ascontiguousarray(engagement[..., live]), np.ascontiguousarray(status[..., live])
            authority, position = np.ascontiguousarray(authority[:, live]), np.ascontiguousarray(position[:, live])
            universal = universal[live]
        capability, population, income = floats["capability"], floats["population"], self.income_group[rows]
        return {
            **stacked.inclusiveness_rows(engagement, status, authority, universal, population, income),
            **stacked.fragmentation_rows(engagement, status, authority, capability, position, universal, threshold),
            **stacked.ai_divide_rows(capability, population, income, floats["compute"], floats["frontier_access"],
                                     floats["adoption"], floats["intensity"]),
            "frontier_capability": floats["frontier_access"].max(axis=-1), "open_lag_years": self.open_lag[rows].copy(),
        }


def _resized(array: np.ndarray, rows: int, axis: int) -> np.ndarray:
    shape = list(array.shape)
    shape[axis] = rows
    out = np.empty(shape, array.dtype)
    index = [slice(None)] * array.ndim
    index[axis] = slice(0, array.shape[axis])
    out[tuple(index)] = array
    return out


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
