"""The indices of :mod:`govsim.indices` and :mod:`govsim.divide` over a stack of states at once.

Every function takes arrays with one leading axis of rows (the T recorded steps of a run, or of the
R replicates of a batch): ``engagement``/``status`` (T, N, K), per-country arrays (T, N), per-forum
arrays (T, K), and returns one value per row, shape (T,). The formulas, their sources and their
edge cases are those of the per-state functions, which stay the reference (docs and hand-computed
tests): ``tests/test_hot_path.py`` checks every index here against them on random states.

Each index group is one compiled call (:mod:`govsim.index_loops`) that goes row by row, so a row's
values depend on that row only: not on how many rows are measured together, on the batch or on the
machine's threads (the loops are sequential: no BLAS, no numba ``parallel``). The loops sum in their
own (sequential) order and take the C library's ``log``, so the values can differ from the reference's
in the last bits (within rtol 1e-12; before, this module mimicked numpy's pairwise sums and BLAS dot
products to be equal bit for bit, at three times the cost). The indices are outputs of a run: nothing
in the dynamics reads them (docs/performance.md, "Fourth round"), so every other table is unchanged.
"""

from __future__ import annotations

import numpy as np

from govsim import fragmentation_loops, index_loops
from govsim.codes import HIGH_INCOME
from govsim.indices import (CONFLICTIVE_MIN_NORM_DISTANCE, CORE_ENGAGEMENT_THRESHOLD,
                            SYNERGISTIC_MAX_CORE_DEFICIT, SYNERGISTIC_MAX_NORM_DISTANCE)


def _c(x: np.ndarray) -> np.ndarray:
    """``x`` C-contiguous (a copy only if it is not): the loops are compiled for one memory layout."""
    return np.ascontiguousarray(x)


def _columns(names: tuple[str, ...], out: np.ndarray) -> dict[str, np.ndarray]:
    return {name: out[j] for j, name in enumerate(names)}


def inclusiveness_rows(engagement, status, authority, universal, population, income_group) -> dict[str, np.ndarray]:
    """:func:`govsim.indices.inclusiveness` of each row (``universal``: (K,), the same in every row)."""
    out = np.empty((len(index_loops.INCLUSIVENESS), len(engagement)))
    index_loops.inclusiveness_loop(_c(engagement), _c(status), _c(authority), _c(universal), _c(population),
                                   _c(income_group), out)
    return _columns(index_loops.INCLUSIVENESS, out)


def regime_class_rows(core, distance, split) -> np.ndarray:
    """(T,) Biermann et al. (2009) class of each row, as ``indices._regime_class``."""
    synergistic = (core < SYNERGISTIC_MAX_CORE_DEFICIT) & (distance < SYNERGISTIC_MAX_NORM_DISTANCE)
    conflictive = (distance > CONFLICTIVE_MIN_NORM_DISTANCE) & split
    return np.where(synergistic, "synergistic", np.where(conflictive, "conflictive", "cooperative")).astype(object)


def fragmentation_rows(engagement, status, authority, capability, positions, universal,
                       threshold=CORE_ENGAGEMENT_THRESHOLD) -> dict[str, np.ndarray]:
    """:func:`govsim.indices.fragmentation` of each row: F1-F5, the headline and the regime class."""
    out, split = np.empty((len(fragmentation_loops.FRAGMENTATION), len(engagement))), np.empty(len(engagement), bool)
    fragmentation_loops.fragmentation_loop(_c(engagement), _c(status), _c(authority), _c(capability), _c(positions),
                                   _c(universal), float(threshold), out, split)
    columns = _columns(fragmentation_loops.FRAGMENTATION, out)
    return {**columns, "regime_class": regime_class_rows(columns["core_deficit"], columns["normative_distance"], split)}


def ai_divide_rows(capability, population, income_group, compute, access, adoption, intensity) -> dict[str, np.ndarray]:
    """:func:`govsim.divide.ai_divide` of each row (all arguments (T, N); income codes >= 0)."""
    (rows, n), groups = capability.shape, max(int(income_group.max()) + 1 if income_group.size else 0, HIGH_INCOME + 1)
    out, ratios, counts = np.empty((len(index_loops.DIVIDE), rows)), np.empty((rows, n + groups)), np.empty((rows, groups), np.int64)
    index_loops.divide_loop(_c(capability), _c(population), _c(income_group), _c(compute), _c(access), _c(adoption),
                            _c(intensity), out, ratios, counts)
    index_loops.theil_loop(ratios, np.log(ratios), counts, out[2])
    return _columns(index_loops.DIVIDE, out)
