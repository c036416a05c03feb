"""Compiled loops of the index pass (numba): inclusiveness and the AI divide of every row of a stack.

A row is one recorded step of one run (or of one replicate of a batch); each loop goes row by row
and, within a row, over the countries and forums in plain loops, with O(N + K^2) scratch per call
and no (rows, N, K) temporaries. The formulas, their sources and their edge cases are those of the
per-state reference functions (:mod:`govsim.indices`, :mod:`govsim.divide`, :mod:`govsim.inequality`);
each function names its reference. :mod:`govsim.stacked` calls them and names the columns; the
fragmentation indices are :mod:`govsim.fragmentation_loops`.

Sums run in the order of the loops (sequentially, country after country), not in numpy's pairwise
or BLAS order, and the Gini coefficients take their shares as products with 1 / total: a value can
differ from the reference's in the last bits (within rtol 1e-12, ``tests/test_hot_path.py``). The
Theil index's logs are numpy's (taken between :func:`divide_loop` and :func:`theil_loop`). Running
sums, sorts (stable: ties keep the country order), maxima, counts and comparisons are as numpy's.
A row's values depend on that row only (the sort's start, the previous row's order, changes its
time only), so they do not depend on the rows measured with it.

numba's cache is renewed when this file changes, not when another module does: the loops call only
helpers of this file, and the status and income codes are repeated here (checked against
:mod:`govsim.codes` at import).
"""

from __future__ import annotations

import numpy as np

from govsim import codes
from govsim.compiled import function

_PARTNER, _MEMBER = 2, 3
_LOW_INCOME, _LOWER_MIDDLE_INCOME, _HIGH_INCOME = 0, 1, 3
assert (_PARTNER, _MEMBER, _LOW_INCOME, _LOWER_MIDDLE_INCOME, _HIGH_INCOME) == (
    codes.PARTNER, codes.MEMBER, codes.LOW_INCOME, codes.LOWER_MIDDLE_INCOME, codes.HIGH_INCOME)

#: Columns of :func:`inclusiveness_loop` and :func:`divide_loop`, in order.
INCLUSIVENESS = ("none_share", "all_share", "representation_low", "voice_equality", "inclusiveness")
DIVIDE = ("gini_capability_pop", "gini_capability", "theil_between_income", "gap_high_low", "gap_abs_high_low",
          "gap_north_south", "access_gap", "adoption_gap", "intensity_gap", "compute_hhi", "compute_top2", "ai_divide")


# ---------------------------------------------------------------- shared helpers
@function()
def _unit(x):  # pragma: no cover
    """Clip to [0, 1] (only ever to remove floating round-off), as ``inequality._unit``."""
    return min(max(x, 0.0), 1.0)


@function()
def _normalised_authority(authority, out):  # pragma: no cover
    """``out`` = A_k / sum(A); uniform 1/K where the total is zero (``indices._normalise_authority``)."""
    k = len(authority)
    total = 0.0
    for j in range(k):
        total += authority[j]
    for j in range(k):
        out[j] = authority[j] / total if total > 0 else 1.0 / k


# ---------------------------------------------------------------- sorting
#: Moves (per country, plus a few) an insertion sort from the previous row's order may make before
#: the row is merge sorted instead: consecutive steps change the order of few countries.
_MOVES_PER_COUNTRY, _MOVES_EXTRA = 4, 64
#: Length of the runs a merge sort first sorts by insertion.
_RUN = 32


@function()
def _before(a, i, b, j):  # pragma: no cover
    """(value a, country i) sorts before (b, j): by value, NaN last, ties by country (numpy's stable order)."""
    if a < b:
        return True
    if a == b:
        return i < j
    return b != b and (a == a or i < j)


@function()
def _insertion(keys, order, lo, hi, budget):  # pragma: no cover
    """Sort ``keys[lo:hi]`` and ``order`` alongside by insertion; False (a permutation, partly sorted)
    once more than ``budget`` moves were made."""
    moves = 0
    for j in range(lo + 1, hi):
        key, at, m = keys[j], order[j], j
        while m > lo and _before(key, at, keys[m - 1], order[m - 1]):
            keys[m], order[m] = keys[m - 1], order[m - 1]
            m -= 1
        keys[m], order[m] = key, at
        moves += j - m
        if moves > budget:
            return False
    return True


@function()
def _merge_sort(keys, order, keys2, order2):  # pragma: no cover
    """Sort ``keys`` and ``order`` alongside: runs by insertion, then merged pairwise (bottom up)."""
    n = len(keys)
    for lo in range(0, n, _RUN):
        _insertion(keys, order, lo, min(lo + _RUN, n), n * _RUN)
    width, source_k, source_o, target_k, target_o, flipped = _RUN, keys, order, keys2, order2, False
    while width < n:
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            i, j = lo, mid
            for m in range(lo, hi):
                if j < hi and (i >= mid or _before(source_k[j], source_o[j], source_k[i], source_o[i])):
                    target_k[m], target_o[m] = source_k[j], source_o[j]
                    j += 1
                else:
                    target_k[m], target_o[m] = source_k[i], source_o[i]
                    i += 1
        source_k, source_o, target_k, target_o, flipped = target_k, target_o, source_k, source_o, not flipped
        width *= 2
    if flipped:
        keys[:], order[:] = keys2, order2


@function()
def _sort(values, order, keys, keys2, order2):  # pragma: no cover
    """``order`` = np.argsort(values, kind="stable") and ``keys`` = the values in that order, starting
    from ``order`` as it is (the previous row's: nearly sorted, so sorted by insertion in O(N));
    the order is unique (ties by country), so the start changes nothing but the time."""
    n = len(values)
    for j in range(n):
        keys[j] = values[order[j]]
    if not _insertion(keys, order, 0, n, _MOVES_PER_COUNTRY * n + _MOVES_EXTRA):
        _merge_sort(keys, order, keys2, order2)


@function()
def _ginis(ordered, weights, order, unweighted):  # pragma: no cover
    """(Gini weighted by ``weights``, and if ``unweighted`` the Gini with unit weights, else 0.0) of the
    values ``ordered`` ascending with their ``order`` (by :func:`_sort`): ``inequality._gini_sorted``,
    G = sum_j w_j [(P_j - L_j) + (P_{j-1} - L_{j-1})] / W, with P_j, L_j the running shares of weight
    and of weighted value. The running sums are numpy's cumulative sums exactly (the last is the
    total); the shares are taken as products with 1 / total (a division per country would double
    the loop's time; it moves the last bit)."""
    n = len(ordered)
    if n <= 1:
        return 0.0, 0.0
    total_w, total_wv, total_v = 0.0, 0.0, 0.0
    for j in range(n):
        w = weights[order[j]]
        total_w += w
        total_wv += w * ordered[j]
        total_v += ordered[j]
    weighted, plain = total_w > 0 and total_wv > 0, unweighted and total_v > 0
    if not (weighted or plain):
        return 0.0, 0.0
    per_w, per_wv = (1.0 / total_w, 1.0 / total_wv) if weighted else (0.0, 0.0)
    per_n, per_v = 1.0 / n, 1.0 / total_v if plain else 0.0
    cum_w, cum_wv, cum_v, previous, previous_v, area, area_v = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for j in range(n):
        w = weights[order[j]]
        cum_w += w
        cum_wv += w * ordered[j]
        cum_v += ordered[j]
        gap = cum_w * per_w - cum_wv * per_wv  # P_j - L_j
        area += w * (gap + previous)
        previous = gap
        gap = (j + 1) * per_n - cum_v * per_v  # unit weights: P_j = j / N
        area_v += gap + previous_v
        previous_v = gap
    return _unit(area / total_w) if weighted else 0.0, _unit(area_v / n) if plain else 0.0


# ---------------------------------------------------------------- inclusiveness
@function()
def _counts(status, universal, members):  # pragma: no cover
    """One row's ``members`` n_k of each forum, and (countries party to no club, to every club)."""
    n, k = status.shape
    clubs = (~universal).sum()
    members[:] = 0
    none, every = 0, 0
    for i in range(n):
        parties = 0
        for j in range(k):
            members[j] += status[i, j] == _MEMBER
            parties += (status[i, j] == _MEMBER or status[i, j] == _PARTNER) and not universal[j]
        none += parties == 0
        every += parties == clubs
    return none, every


@function()
def _voice(engagement, status, a, beta, population, income, per_capita):  # pragma: no cover
    """One row's voice (:func:`govsim.indices.voice`): V_i = sum_k A_k beta_ik e_ik, ``beta`` = 1/n_k for
    the n_k members of forum k (``a``: normalised authority); ``per_capita`` = V_i / pop_i (0 where
    pop_i = 0). Returns (sum V, sum pop, V and pop of the low and lower-middle income countries)."""
    n, k = engagement.shape
    v_total, v_low, pop_total, pop_low = 0.0, 0.0, 0.0, 0.0
    for i in range(n):
        v = 0.0
        for j in range(k):  # (beta_ik = 0 for a non-member adds 0: a select, not a branch)
            v += (beta[j] if status[i, j] == _MEMBER else 0.0) * engagement[i, j] * a[j]
        low = income[i] <= _LOWER_MIDDLE_INCOME
        v_total += v
        pop_total += population[i]
        v_low += v if low else 0.0
        pop_low += population[i] if low else 0.0
        per_capita[i] = v / population[i] if population[i] > 0 else 0.0
    return v_total, pop_total, v_low, pop_low


@function()
def inclusiveness_loop(engagement, status, authority, universal, population, income, out):  # pragma: no cover
    """``out[:, t]`` = :func:`govsim.indices.inclusiveness` of row t (columns :data:`INCLUSIVENESS`):
    the shares party to no club and to every club, min(1, voice share / population share) of the low
    and lower-middle income countries, 1 - Gini_pop(voice per capita) and the headline."""
    rows, n, k = engagement.shape
    a, members, beta, per_capita = np.empty(k), np.empty(k, np.int64), np.empty(k), np.empty(n)
    order, keys, keys2, order2 = np.arange(n), np.empty(n), np.empty(n), np.empty(n, np.int64)
    for t in range(rows):
        none, every = _counts(status[t], universal, members)
        none_share, all_share = none / n, every / n if (~universal).any() else 0.0
        _normalised_authority(authority[t], a)
        for j in range(k):
            beta[j] = 1.0 / max(members[j], 1)
        v_total, pop_total, v_low, pop_low = _voice(engagement[t], status[t], a, beta, population[t], income[t],
                                                    per_capita)
        representation = 0.0
        if v_total > 0 and pop_low > 0:
            representation = min(1.0, (v_low / v_total) / (pop_low / pop_total))
        _sort(per_capita, order, keys, keys2, order2)
        equality = 1.0 - _ginis(keys, population[t], order, False)[0]
        out[0, t], out[1, t], out[2, t], out[3, t] = none_share, all_share, representation, equality
        out[4, t] = ((1.0 - none_share) + representation + equality) / 3.0


# ---------------------------------------------------------------- AI divide
@function()
def _theil_ratios(values, n_g, sums, total, ratios):  # pragma: no cover
    """The ratios r of one row's Theil index (``inequality.theil_between_share``), whose r ln r
    :func:`theil_loop` sums: v_i / mu for each country, then mu_g / mu for each group g (``n_g``
    countries, their values' ``sums``; mu = ``total`` / N), 1.0 where r <= 0 (1 ln 1 = 0, as 0 ln 0 = 0
    by convention). Without a positive mean the index is 0: ``n_g`` is then set to 0 and every r to 1."""
    n = len(values)
    mu = total / n if n > 0 and total > 0 else 0.0
    if not mu > 0:  # (zero, or a total of subnormal values)
        n_g[:], ratios[:] = 0, 1.0
        return
    for i in range(n):
        r = values[i] / mu
        ratios[i] = r if r > 0 else 1.0
    for g in range(len(n_g)):
        r = sums[g] / n_g[g] / mu if n_g[g] > 0 else 0.0
        ratios[n + g] = r if r > 0 else 1.0


@function()
def theil_loop(ratios, logs, counts, out):  # pragma: no cover
    """``out[t]`` = :func:`govsim.inequality.theil_between_share` of row t from :func:`_theil_ratios`'s
    ``ratios`` and their ``logs`` (numpy's, taken between the two loops: vectorised, 4x faster):
    T = (1/N) sum_i r_i ln r_i, T_between = sum_g (N_g / N) r_g ln r_g, share T_between / T;
    0.0 if T <= 1e-12 (``inequality._THEIL_EPS``: values numerically equal) or the values sum to 0."""
    rows, groups = counts.shape
    n = ratios.shape[1] - groups
    for t in range(rows):
        t_total = 0.0
        for i in range(n):
            t_total += ratios[t, i] * logs[t, i]
        t_total /= n
        out[t] = 0.0
        if t_total > 1e-12:
            between = 0.0
            for g in range(groups):
                if counts[t, g] > 0:
                    between += counts[t, g] / n * (ratios[t, n + g] * logs[t, n + g])
            out[t] = _unit(between / t_total)


@function()
def _gap(top, pop_n, bottom, pop_s, ok):  # pragma: no cover
    """``divide._weighted_gap``: 1 - pop-mean of the South / that of the North, in [0, 1], from the
    population-weighted sums and the populations of both (``ok``: both have countries and people)."""
    if not ok:
        return 0.0
    top, bottom = top / pop_n, bottom / pop_s
    return _unit(1.0 - bottom / top) if top > 0 else 0.0


@function()
def _concentration(compute, total):  # pragma: no cover
    """``divide._compute_concentration``: (HHI, top-2 share) of the compute shares s_i = x_i / ``total``
    (the sum; taken as products with 1 / total), (0, 0) without compute."""
    n = len(compute)
    if not total > 0:
        return 0.0, 0.0
    per, hhi, first, second = 1.0 / total, 0.0, -np.inf, -np.inf
    for x in compute:
        s = x * per
        hhi += s * s
        if s > first:
            first, second = s, first
        elif s > second:
            second = s
    return hhi, _unit(first if n == 1 else first + second)


@function()
def _north_south(c, pop, income, u, iota, n_g, sums):  # pragma: no cover
    """One pass over a row's countries: ``n_g`` and ``sums`` of c of each income group, and the
    population and population-weighted sums of c, adoption u and intensity iota in the North (high
    income) and the South (the rest): (pop_N, c_N, u_N, iota_N, pop_S, c_S, u_S, iota_S). Each sum adds
    0.0 for a country of the other half (a select, not a branch; x + 0.0 = x)."""
    n_g[:], sums[:] = 0, 0.0
    pop_n, c_n, u_n, iota_n, pop_s, c_s, u_s, iota_s = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for i in range(len(c)):
        n_g[income[i]] += 1
        sums[income[i]] += c[i]
        north = income[i] == _HIGH_INCOME
        p, cp, up, iotap = pop[i], c[i] * pop[i], u[i] * pop[i], iota[i] * pop[i]
        pop_n, c_n, u_n, iota_n = (pop_n + (p if north else 0.0), c_n + (cp if north else 0.0),
                                   u_n + (up if north else 0.0), iota_n + (iotap if north else 0.0))
        pop_s, c_s, u_s, iota_s = (pop_s + (0.0 if north else p), c_s + (0.0 if north else cp),
                                   u_s + (0.0 if north else up), iota_s + (0.0 if north else iotap))
    return pop_n, c_n, u_n, iota_n, pop_s, c_s, u_s, iota_s


@function()
def _totals(c, pop, access, compute):  # pragma: no cover
    """One pass over a row's countries: (sum c, sum pop, sum a pop, max a, sum compute)."""
    total, pop_total, reached, top_a, total_compute = 0.0, 0.0, 0.0, -np.inf, 0.0
    for i in range(len(c)):
        total += c[i]
        pop_total += pop[i]
        reached += access[i] * pop[i]
        top_a = max(top_a, access[i])
        total_compute += compute[i]
    return total, pop_total, reached, top_a, total_compute


@function()
def divide_loop(capability, population, income, compute, access, adoption, intensity, out, ratios,
                n_g):  # pragma: no cover
    """``out[:, t]`` = :func:`govsim.divide.ai_divide` of row t (columns :data:`DIVIDE`) but the Theil
    index (column 2), whose ``ratios`` and group sizes ``n_g`` it leaves for :func:`theil_loop`."""
    rows, n = capability.shape
    sums = np.empty(n_g.shape[1])
    order, keys, keys2, order2 = np.arange(n), np.empty(n), np.empty(n), np.empty(n, np.int64)
    for t in range(rows):
        c, pop = capability[t], population[t]
        _sort(c, order, keys, keys2, order2)  # one sort serves both Ginis
        out[0, t], out[1, t] = _ginis(keys, pop, order, True)
        pop_n, c_n, u_n, iota_n, pop_s, c_s, u_s, iota_s = _north_south(c, pop, income[t], adoption[t], intensity[t],
                                                                        n_g[t], sums)
        total, pop_total, reached, top_a, total_compute = _totals(c, pop, access[t], compute[t])
        n_low, n_high = n_g[t, _LOW_INCOME] if n_g.shape[1] > _LOW_INCOME else 0, n_g[t, _HIGH_INCOME] if n_g.shape[1] > _HIGH_INCOME else 0
        mean_low = sums[_LOW_INCOME] / n_low if n_low > 0 else 0.0
        mean_high = sums[_HIGH_INCOME] / n_high if n_high > 0 else 0.0
        both, halves = n_low > 0 and n_high > 0, 0 < n_high < n and pop_n > 0 and pop_s > 0
        out[3, t] = _unit(1.0 - mean_low / mean_high) if both and mean_high > 0 else 0.0
        out[4, t] = _unit(mean_high - mean_low) if both else 0.0
        out[5, t], out[7, t], out[8, t] = (_gap(c_n, pop_n, c_s, pop_s, halves), _gap(u_n, pop_n, u_s, pop_s, halves),
                                           _gap(iota_n, pop_n, iota_s, pop_s, halves))
        out[6, t] = _unit(1.0 - reached / pop_total / top_a) if top_a > 0 and pop_total > 0 else 0.0
        out[9, t], out[10, t] = _concentration(compute[t], total_compute)
        out[11, t] = out[0, t]
        _theil_ratios(c, n_g[t], sums, total, ratios[t])
