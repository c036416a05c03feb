"""Per-run reductions over countries, for one run or a batch of R replicates (govsim/replicates.py).

The kernel's arrays are (N,) / (N, K) / (K,) for one run and (R, N) / (R, N, K) / (R, K) for a
batch; a quantity of the whole run (the world's total compute, the compute leader) is a number for
one run and an (R, 1) column for a batch, so it broadcasts against (R, N) as a number does against
(N,). These helpers reduce over the countries (the last axis) accordingly, with the same numpy
reduction along each row, so a replicate's values equal the single run's bit for bit.
"""

from __future__ import annotations

import numpy as np


def total(x: np.ndarray):
    """Sum over the countries: a numpy float for (N,), an (R, 1) column for (R, N)."""
    return x.sum(axis=-1, keepdims=True) if x.ndim > 1 else x.sum()


def top(x: np.ndarray):
    """Maximum over the countries (as :func:`total`)."""
    return x.max(axis=-1, keepdims=True) if x.ndim > 1 else x.max()


def bottom(x: np.ndarray):
    """Minimum over the countries (as :func:`total`)."""
    return x.min(axis=-1, keepdims=True) if x.ndim > 1 else x.min()


def leader(x: np.ndarray):
    """Index of the largest value (first of ties): an int for (N,), an (R, 1) column for (R, N)."""
    return np.argmax(x, axis=-1)[:, None] if x.ndim > 1 else int(np.argmax(x))


def at(x: np.ndarray, i):
    """``x[i]`` of each run, ``i`` from :func:`leader`: a number for one run, an (R, 1) column for a batch."""
    if x.ndim == 1:
        return x[i]
    rows, n = x.shape
    return np.take(x.reshape(rows * n), np.arange(rows)[:, None] * n + i)  # take_along_axis, without its overhead


def per_country(x):
    """A per-run value one axis down, for per-country arrays: a number as it is; a batch's per-replicate
    values without their last (length-1) axis: an (R, 1, 1) behaviour parameter (shaped for
    (R, N, K) arrays) as an (R, 1) column, an (R, 1) column as (R,) (one per run, for a compiled loop
    over the countries)."""
    return x[..., 0] if isinstance(x, np.ndarray) else x


def column(x):
    """A behaviour number against (N,) / (R, N) arrays: as it is, or per replicate an (R, 1) column."""
    return x.reshape(-1, 1) if isinstance(x, np.ndarray) else x


def forum_row(a: np.ndarray) -> np.ndarray:
    """A per-forum array, (K,) or (R, K), shaped to broadcast against (N, K) / (R, N, K)."""
    return a[:, None, :] if a.ndim > 1 else a


def country_col(a: np.ndarray) -> np.ndarray:
    """A per-country array, (N,) or (R, N), as a column against (N, K) / (R, N, K)."""
    return a[..., None]


#: Up to this many forums, :func:`forum_sum` adds the columns one by one: numpy's own reduction
#: adds fewer than 8 values left to right as well (its pairwise summation starts at 8), so the
#: result is the same bit for bit, without a reduction whose inner loop is only K values long
#: (slow over (R, N, K) batches: one short loop per country).
_SEQUENTIAL_SUM_MAX = 7


def forum_sum(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=-1)`` over the forums (last axis) of ``x`` in C order, equal bit for bit (``x`` may
    be a view in another memory order), faster for a batch."""
    k = x.shape[-1]
    if k == 0 or k > _SEQUENTIAL_SUM_MAX:
        return np.ascontiguousarray(x).sum(axis=-1)
    out = x[..., 0] + 0.0  # a copy (and -0.0 + 0.0 = 0.0, as numpy's sum gives)
    for j in range(1, k):
        out += x[..., j]
    return out


def forum_reduce(ufunc: np.ufunc, x: np.ndarray, forums: np.ndarray | None = None) -> np.ndarray:
    """``ufunc.reduce(x[..., forums], axis=-1)`` (all forums by default; at least one) for an order-free
    ``ufunc`` (maximum, minimum: exact in any order), column by column: faster than a reduction along
    a short last axis."""
    columns = np.arange(x.shape[-1]) if forums is None else np.flatnonzero(forums)
    out = x[..., columns[0]].copy()
    for k in columns[1:]:
        ufunc(out, x[..., k], out=out)
    return out


def forum_max(x: np.ndarray) -> np.ndarray:
    """``x.max(axis=-1)`` over the forums (last axis; K >= 1), equal exactly (a maximum has no rounding)."""
    return forum_reduce(np.maximum, x)
