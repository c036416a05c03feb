"""Inequality measures shared by the indices: Gini and the Theil between-group share (pure numpy)."""

from __future__ import annotations

import numpy as np

#: Total Theil index at or below which values count as equal (round-off).
_THEIL_EPS = 1e-12


def _nonneg(x, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must be non-negative; got min {arr.min()!r}.")
    return arr


def _unit(x) -> float:
    """``x`` as a float clipped to [0, 1] (only ever to remove floating round-off)."""
    return min(max(float(x), 0.0), 1.0)


def _xlogx(r: np.ndarray) -> np.ndarray:
    """r ln r elementwise with the limit 0 ln 0 = 0."""
    safe = np.where(r > 0, r, 1.0)
    return np.where(r > 0, r * np.log(safe), 0.0)


# ---------------------------------------------------------------- inequality
def gini(values, weights=None) -> float:
    """(Weighted) Gini coefficient from the Lorenz curve.

    Sort values ascending; with population shares p_j = w_j / sum(w), the
    cumulative population share P_j = sum_{l<=j} p_l and the cumulative value
    share L_j = sum_{l<=j} w_l v_l / sum_l w_l v_l (P_0 = L_0 = 0),

        G = 1 - sum_j p_j (L_j + L_{j-1})      (trapezoid rule, exact here)
          = sum_j p_j [(P_j - L_j) + (P_{j-1} - L_{j-1})]

    (twice the area between the equality line and the Lorenz curve; the
    second form is the one computed, as it gives exactly 0 for equal values).

    For unit weights this equals sum_ij |v_i - v_j| / (2 N^2 mean(v)); for
    integer weights it equals the Gini of the sample with v_j repeated w_j
    times (population convention, no N/(N-1) correction).

    Range: [0, 1) for non-negative values ([0, 1 - 1/N] unweighted).
    Edge cases: 0.0 when N <= 1, when total weight is 0 or when the
    weighted total sum(w v) is 0. The
    result is clipped to [0, 1] only to remove floating round-off.
    Source: Gini (1912); Lorenz (1905). Raises ValueError on negative input.
    """
    v = _nonneg(values, "values").ravel()
    w = np.ones_like(v) if weights is None else _nonneg(weights, "weights").ravel()
    order = np.argsort(v, kind="stable")
    return _gini_sorted(v[order], w[order])


def _gini_sorted(v: np.ndarray, w: np.ndarray) -> float:
    """:func:`gini` for values already sorted ascending (with their weights)."""
    if v.size <= 1:
        return 0.0
    cum_w, cum_wv = np.cumsum(w), np.cumsum(w * v)
    total_w, total_wv = cum_w[-1], cum_wv[-1]
    if total_w <= 0 or total_wv <= 0:
        return 0.0
    gap = cum_w / total_w - cum_wv / total_wv        # P_j - L_j, j = 1..N
    trapezoid = gap.copy()
    trapezoid[1:] += gap[:-1]                        # (P_j - L_j) + (P_{j-1} - L_{j-1}), P_0 = L_0 = 0
    return _unit((w @ trapezoid) / total_w)


def gini_contributions(values, weights=None) -> np.ndarray:
    """Each unit's share of the (weighted) Gini coefficient: the contributions sum to :func:`gini`.

    With population shares p_i and mean mu = sum_j p_j v_j, the Gini is the mean absolute
    difference over all pairs divided by twice the mean, G = sum_i sum_j p_i p_j |v_i - v_j| / (2 mu),
    and unit i's contribution is its row of that double sum, p_i sum_j p_j |v_i - v_j| / (2 mu):
    large for populous countries far from the others, above or below (Yitzhaki & Schechtman 2013,
    The Gini Methodology, ch. 2). All zeros where :func:`gini` is 0 by convention.
    """
    v = _nonneg(values, "values").ravel()
    w = np.ones_like(v) if weights is None else _nonneg(weights, "weights").ravel()
    total = w.sum()
    if v.size <= 1 or total <= 0 or (w * v).sum() <= 0:
        return np.zeros_like(v)
    p = w / total
    mean = float(p @ v)
    return p * (np.abs(v[:, None] - v[None, :]) @ p) / (2.0 * mean)


def theil_between_share(values, groups) -> float:
    """Between-group share of the Theil T index.

    With mean mu, group sizes N_g and group means mu_g:

        T         = (1/N) sum_i (v_i/mu) ln(v_i/mu)
        T_between = sum_g (N_g/N) (mu_g/mu) ln(mu_g/mu)
        share     = T_between / T           (T = T_between + T_within)

    with 0 ln 0 = 0. Range: [0, 1] because T_between, T_within >= 0.
    Edge cases: 0.0 if N == 0, the total is zero, or T <= 1e-12 (values
    numerically equal). Clipped to [0, 1] only against round-off.
    Source: Theil (1967); Shorrocks (1980) for the decomposition.
    """
    v = _nonneg(values, "values").ravel()
    if v.size == 0 or v.sum() <= 0:
        return 0.0
    mu = v.mean()
    t_total = np.mean(_xlogx(v / mu))
    if t_total <= _THEIL_EPS:
        return 0.0
    n_g, sums = _group_counts_sums(np.asarray(groups).ravel(), v)
    mu_g = sums / n_g
    t_between = np.sum(n_g / v.size * _xlogx(mu_g / mu))
    return _unit(t_between / t_total)


def _group_counts_sums(groups: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Size and sum of ``v`` of every group present (small non-negative int codes take a fast path)."""
    if groups.dtype.kind in "iu" and groups.size and groups.min() >= 0:
        counts, sums = np.bincount(groups), np.bincount(groups, weights=v)
        present = counts > 0
        return counts[present], sums[present]
    _, inverse = np.unique(groups, return_inverse=True)
    return np.bincount(inverse), np.bincount(inverse, weights=v)
