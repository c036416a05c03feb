"""The compiled loops of govsim/frontier.py that take many arrays at once (numba; govsim/compiled.py):
the routes of access (:func:`access_loop`, with the frontier's own lag and the open-weight lag over
the producers inside) and the compute available per user (:func:`use_base`, with the world's sums).

Like frontier.py's other loops they do arithmetic only, in the order of the numpy formulas they
replace, so their numbers are numpy's bit for bit; log10 and powers stay numpy calls around them,
and a sum over the countries is numpy's pairwise summation repeated (:func:`_pairwise`). They sit
in their own module to keep frontier.py short; numba renews a loop's cache only when its own file
changes, so the small helpers they call (``_maximum``, ``_minimum``, ``_halvings``, ``_available``)
are repeated here from frontier.py.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from govsim.compiled import function, loop

_TINY = 1e-300


@njit(inline="always")
def _maximum(a: float, b: float) -> float:  # pragma: no cover
    """np.maximum of two numbers: NaN if either is; ``b`` on a tie (so max(-0.0, 0.0) is 0.0)."""
    return a if a > b or a != a else b


@njit(inline="always")
def _minimum(a: float, b: float) -> float:  # pragma: no cover
    """np.minimum of two numbers: NaN if either is; ``b`` on a tie."""
    return a if a < b or a != a else b


@function()
def _halvings(orders: float, half_orders: float) -> float:  # pragma: no cover
    """-max(z, 0) / h: the exponent of 2 in a(z) (frontier.capability_of)."""
    return -_maximum(orders, 0.0) / half_orders


@function()
def _available(compute: float, gdp: float, world_gdp: float, world_compute: float, api_delay: float, cloud: float) -> float:  # pragma: no cover
    """frontier.available_compute of one country."""
    gdp_share = gdp / _maximum(world_gdp, _TINY)
    reach = 1.0 / (1.0 + api_delay)
    return (1 - cloud) * compute + cloud * world_compute * gdp_share * reach


@loop("void(float64[:], float64[:], float64[:])", "(n)->(n),()")
def clamped_top(compute, clamped, top):  # pragma: no cover
    """max(K_i, tiny) for every country, and np.max(K) (NaN if any is; the sign of a zero top does not
    matter: tiny is added to it)."""
    best = compute[0]
    for i in range(compute.shape[0]):
        clamped[i] = _maximum(compute[i], _TINY)
        best = _maximum(best, compute[i])
    top[0] = best


@njit(inline="always")
def _larger(a: float, b: float) -> float:  # pragma: no cover
    """Python's max(a, b): ``b`` only where b > a (so NaN in ``a`` stays, NaN in ``b`` is passed over)."""
    return b if b > a else a


@njit(inline="always")
def _smaller(a: float, b: float) -> float:  # pragma: no cover
    """Python's min(a, b): ``b`` only where b < a."""
    return b if b < a else a


@function()
def _shared(own, low, producers, delays, cut, max_lag, rows_rule):  # pragma: no cover
    """:func:`govsim.frontier.open_lag` of ``own - low``: the best producer's lag plus its delay (numpy's min: NaN if any
    is; ``max_lag`` without producers), less ``cut``, in [0, max_lag] with numpy's max/min for a batch (``rows_rule``), Python's for one
    run. (The sign of a zero result does not matter: the open route is max(shared - cut_i, 0).)"""
    best = max_lag if producers.shape[0] == 0 else own[producers[0]] - low + delays[0]
    for j in range(1, producers.shape[0]):
        best = _minimum(best, own[producers[j]] - low + delays[j])
    if rows_rule:
        return _minimum(_maximum(best - cut, 0.0), max_lag)
    return _smaller(_larger(best - cut, 0.0), max_lag)


@function()
def _ambiguous_zero(own, low) -> bool:  # pragma: no cover
    """Whether the minimum ``low`` is a zero and ``own`` holds zeros of both signs: numpy's min then picks
    one by its own order, which the caller asks numpy for."""
    if low != 0.0:
        return False
    for x in own:
        if x == 0.0 and math.copysign(1.0, x) != math.copysign(1.0, low):
            return True
    return False


@loop("void(float64[:], float64[:], float64[:], intp[:], float64[:], float64[:], float64[:],"
      " float64[:], float64[:], float64[:], float64[:], float64[:], boolean[:])",
      "(n),(n),(k),(p),(p),(n),(n)->(n),(n),(n),(n),(),()")
def access_loop(log_compute, knowhow, numbers, producers, delays, api_delay, cut_country,
                 own, opened, lag, halvings, open_max, ambiguous):  # pragma: no cover
    """One run's routes: ``own`` = min(epsilon (log10 K_lead - log10 K_i) / G + k_i, max_lag) (before the
    frontier's own lag, its minimum, is taken off: numpy's min, or the ``bottom`` given); the open
    route max(shared - cut_i, 0) (:func:`_shared`); the quickest route min(own, api, open, max_lag); the
    exponent of 2 in the capability it reaches, -max(Z - G lag, 0) / h; and the largest open route.
    ``numbers``: (epsilon, G, max_lag, api_lag, cut, Z, h, log10 K_lead, bottom, bottom given (1), a batch's
    min/max rule (1)), one array rather than eleven arguments (each costs a gufunc call a conversion).
    ``ambiguous``: the minimum's zero sign is numpy's choice (:func:`_ambiguous_zero`); nothing else
    is written then."""
    elasticity, growth, max_lag, api_lag, cut, orders = numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5]
    half, log_top, given, rows_rule = numbers[6], numbers[7], numbers[9] != 0.0, numbers[10] != 0.0
    low = 0.0
    for i in range(own.shape[0]):
        own[i] = _minimum(elasticity * (log_top - log_compute[i]) / growth + knowhow[i], max_lag)
        low = own[i] if i == 0 else _minimum(low, own[i])
    if given:
        low = numbers[8]
    ambiguous[0] = not given and _ambiguous_zero(own, low)
    if ambiguous[0]:
        return
    shared = _shared(own, low, producers, delays, cut, max_lag, rows_rule)
    top = 0.0
    for i in range(own.shape[0]):
        opened[i] = _maximum(shared - cut_country[i], 0.0)  # less where a public good brings open models closer
        lag[i] = _minimum(_minimum(_minimum(own[i] - low, api_lag + api_delay[i]), opened[i]), max_lag)
        halvings[i] = _halvings(orders - growth * lag[i], half)
        top = opened[i] if i == 0 else _maximum(top, opened[i])
    open_max[0] = top


@function("float64(float64[:], int64, int64)")
def _pairwise(a, lo, n):  # pragma: no cover
    """numpy's pairwise sum of a[lo:lo + n] (numpy/_core/src/umath/loops_utils.h.src): up to 8 values
    left to right, up to 128 in 8 interleaved partial sums, more split in two halves (multiples of 8).
    (govsim/dynamics.py and govsim/forums.py have the same: numba renews a loop's cache only when its
    own file changes.)"""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i, end = lo + 8, lo + n - n % 8
        while i < end:
            r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
            r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for j in range(i, lo + n):
            res += a[j]
        return res
    half = n // 2
    half -= half % 8
    return _pairwise(a, lo, half) + _pairwise(a, lo + half, n - half)


@loop("void(float64[:], float64[:], float64[:], float64[:], float64[:], float64, float64, float64[:])",
      "(n),(n),(n),(n),(n),(),()->(n)")
def use_base(compute, gdp_pc, population, adoption, api_delay, capacity, cloud, out):  # pragma: no cover
    """One run's q before its power: max(available compute per user / (uncapped capacity per user), tiny),
    users max(adoption population, 1) (no users make capability 0 anyway); the world's GDP, compute
    and users are numpy's sums (0.0 plus its pairwise sum)."""
    n = out.shape[0]
    users = np.empty(n)
    for i in range(n):
        out[i] = gdp_pc[i] * population[i]  # GDP, until the last loop
        users[i] = _maximum(adoption[i] * population[i], 1.0)
    world_gdp, world_compute = 0.0 + _pairwise(out, 0, n), 0.0 + _pairwise(compute, 0, n)
    reference = _maximum(capacity, _TINY) / (0.0 + _pairwise(users, 0, n))
    for i in range(n):
        available = _available(compute[i], out[i], world_gdp, world_compute, api_delay[i], cloud)
        out[i] = _maximum(available / users[i] / reference, _TINY)
