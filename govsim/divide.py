"""AI-divide indices: pure numpy functions of used capability and its layers (docs/indices.md §1, §4).

Array conventions as in :mod:`govsim.indices`; ``access``, ``adoption`` and ``intensity`` are the
three layers of used capability c_i = a_i u_i iota_i (govsim/frontier.py), each (N,) in [0, 1].
"""

from __future__ import annotations

import numpy as np

from govsim.codes import HIGH_INCOME, LOW_INCOME
from govsim.inequality import _gini_sorted, _nonneg, _unit, theil_between_share

__all__ = ["ai_divide"]


def _gap_high_low(capability, income_group) -> float:
    """1 - mean_c(low income) / mean_c(high income), clipped to [0, 1]."""
    inc = np.asarray(income_group)
    low, high = capability[inc == LOW_INCOME], capability[inc == HIGH_INCOME]
    if low.size == 0 or high.size == 0 or high.mean() <= 0:
        return 0.0
    return _unit(1.0 - low.mean() / high.mean())


def _compute_concentration(compute) -> tuple[float, float]:
    """(HHI, top-2 share) of compute shares; (0, 0) if total compute is 0."""
    x = _nonneg(compute, "compute").ravel()
    if x.sum() <= 0:
        return 0.0, 0.0
    s = x / x.sum()
    top2 = s.sum() if s.size <= 2 else np.partition(s, s.size - 2)[-2:].sum()
    return float(np.sum(s**2)), _unit(top2)


def _weighted_gap(values, population, north) -> float:
    """1 - (population-weighted mean of the South) / (that of the North), clipped to [0, 1]."""
    pop = np.asarray(population, float)
    south = ~north
    if not north.any() or not south.any() or pop[north].sum() <= 0 or pop[south].sum() <= 0:
        return 0.0
    top = np.average(values[north], weights=pop[north])
    return _unit(1.0 - np.average(values[south], weights=pop[south]) / top) if top > 0 else 0.0


def ai_divide(capability, population, income_group, compute, *, access, adoption, intensity) -> dict[str, float]:
    """AI-divide components and headline (model-literature.md 8a (3); docs/indices.md).

    ``capability`` is used AI capability c_i = a_i u_i iota_i, ``access`` the capability a_i of the
    best model a country can reach, ``adoption`` its share of people using AI u_i, ``intensity`` the
    intensity of their use iota_i (compute per user; govsim/frontier.py).

    gini_capability_pop   Gini_pop(c_i), population-weighted   [headline, relative]
    gini_capability       Gini(c_i), unweighted
    theil_between_income  T_between / T over income groups (Theil 1967)
    gap_high_low          1 - mean_c(low) / mean_c(high): relative gap of income-group means
                          (Jeon et al. 2024 RAID complement), LIC = code 0, HIC = code 3; clipped
                          to [0, 1]; 0.0 if either group is empty or mean_c(high) == 0
    gap_abs_high_low      mean_c(high) - mean_c(low), clipped to [0, 1]: the absolute divide
                          (Jeon et al. 2024 AAID); it can widen while relative measures narrow
    gap_north_south       1 - pop-mean c(South) / pop-mean c(North), North = high income
                          (World Bank), South = the rest
    access_gap            1 - pop-mean a_i / max_i a_i: shortfall of reachable model capability
                          (routes of access: own compute, closed APIs, open weights)
    adoption_gap          1 - pop-mean u(South) / pop-mean u(North): the extensive margin of use
                          (absorption), where the North-South divide lives (Comin & Mestieri 2018)
    intensity_gap         1 - pop-mean iota(South) / pop-mean iota(North): the intensive margin
                          (compute per user), where export caps and cloud restrictions act
    compute_hhi           sum_i s_i^2, s_i = compute_i / sum compute, in
                          [1/N, 1]; 0.0 if total compute is 0
    compute_top2          s_(1) + s_(2), share of the two largest (= 1 if N<=2)
    ai_divide             = gini_capability_pop

    Sources: Gini (1912); Theil (1967); Jeon et al. (2024) for RAID/AAID; Herfindahl (1950) /
    Hirschman (1945); Comin & Mestieri (2018) for the extensive/intensive split.
    """
    c = _nonneg(capability, "capability").ravel()
    pop = _nonneg(population, "population").ravel()
    a = _nonneg(access, "access").ravel()
    u = _nonneg(adoption, "adoption").ravel()
    iota = _nonneg(intensity, "intensity").ravel()
    inc = np.asarray(income_group).ravel()
    north = inc == HIGH_INCOME
    hhi, top2 = _compute_concentration(compute)
    order = np.argsort(c, kind="stable")  # one sort serves both Ginis
    g_pop = _gini_sorted(c[order], pop[order])
    low, high = c[inc == LOW_INCOME], c[north]
    top_a = a.max() if a.size else 0.0
    return {
        "gini_capability_pop": g_pop,
        "gini_capability": _gini_sorted(c[order], np.ones_like(c)),
        "theil_between_income": theil_between_share(c, inc),
        "gap_high_low": _gap_high_low(c, inc),
        "gap_abs_high_low": _unit(high.mean() - low.mean()) if low.size and high.size else 0.0,
        "gap_north_south": _weighted_gap(c, pop, north),
        "access_gap": _unit(1.0 - np.average(a, weights=pop) / top_a) if top_a > 0 and pop.sum() > 0 else 0.0,
        "adoption_gap": _weighted_gap(u, pop, north),
        "intensity_gap": _weighted_gap(iota, pop, north),
        "compute_hhi": hhi,
        "compute_top2": top2,
        "ai_divide": g_pop,
    }
