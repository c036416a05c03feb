"""State dynamics for one step of length dt years (literature §5 and §8d).

compute:    K_i <- K_i (1-delta)^dt + dt * D_i (1 - b_i), D_i = W [(1-kappa) Y_i r_i^rho / sum_j Y_j r_j^rho + kappa K_i / K*],
            K* the world's uncapped capacity (K* <- K* (1-delta)^dt + dt W),
            b_i = (1 - leak_i) max(0, D_i - cap_i W) / D_i the blocked share; W grows by compute_growth;
            demand that a cap blocks is lost, not handed to others (capped countries' shares fall,
            nobody else's compute rises);
capability: the frontier, routes of access, adoption and intensity of use of govsim/frontier.py; c_i = a_i u_i iota_i;
income:     log y_i <- log y_i + dt (g_0 + premium * c_i);
alignment:  x_i <- x_i + dt [drift * mean_k,e (x_k - x_i) + repulsion * sanction_i b_i * sign(x_i - x_S)]
            (alienation only where a cap actually blocks demand).
Readiness (GAIRI) is a fixed input: capacity building acts on skills and adoption instead.

The elementwise arithmetic runs in loops compiled with numba (govsim/compiled.py: arithmetic only, in the
order of the numpy formula, so bit-identical to numpy); exp and powers stay numpy's, and the sums over
countries are numpy's own or, in :func:`measured_demand`'s loop, numpy's pairwise summation repeated.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from govsim import frontier, rows
from govsim.compiled import function, loop
from govsim.config.behaviour import Budget, Dynamics
from govsim.codes import INCOME_THRESHOLDS
from govsim.state import State


def advance(s: State, forum_access: np.ndarray, received: np.ndarray, positions: np.ndarray, p: Dynamics, dt: float) -> None:
    """Move every country's state forward by ``dt`` years, in place."""
    grow_compute(s, p, dt)
    frontier.diffuse(s, forum_access, received, p, dt)
    frontier.grow_internet(s, p, dt)
    frontier.adopt(s, received, p, dt)
    s.year += dt
    frontier.access(s, p)
    frontier.use_intensity(s, p)
    s.capability = frontier.used_capability(s)
    grow_income(s, p, dt)
    drift_alignment(s, positions, p, dt)


@njit(inline="always")
def _maximum(a: float, b: float) -> float:  # pragma: no cover
    """np.maximum of two numbers: NaN if either is; ``b`` on a tie (as govsim/frontier.py's: numba renews
    a loop's cache only when its own file changes, so each module keeps the helpers its loops call)."""
    return a if a > b or a != a else b


@njit(inline="always")
def _minimum(a: float, b: float) -> float:  # pragma: no cover
    """np.minimum of two numbers: NaN if either is; ``b`` on a tie."""
    return a if a < b or a != a else b


def investment_shares(s: State, p: Dynamics) -> np.ndarray:
    """Each country's share of world compute demand: (1-kappa) Y_i r_i^rho / sum + kappa K_i / K*, K* the
    world's uncapped capacity (equal to sum K until a cap binds; then the shares sum to less than 1).

    The first part follows the economy and its readiness; the incumbency part kappa follows the
    compute already installed (hyperscaler capacity, data-centre agglomeration).
    """
    return measured_demand(s, p)[0]


def blocked_share(s: State, p: Dynamics) -> np.ndarray:
    """(N,) share of each country's compute demand that caps keep out, net of leakage:
    (1 - leak_i) max(0, D_i - cap_i) / D_i (0 where D_i is 0), D_i the :func:`investment_shares`."""
    return measured_demand(s, p)[1]


def measured_demand(s: State, p: Dynamics) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`investment_shares`, :func:`blocked_share`) of ``s``, in one compiled loop (:func:`_demand`);
    the power r^rho stays numpy's. In a batch of replicates each row is a replicate's (its world
    capacity an (R, 1) column): where the capacity is not positive (or NaN) the shares are the
    economic part only, as the batch's numpy formula had them."""
    weight = s.readiness**p.invest_readiness_elasticity
    incumbency = rows.per_country(p.invest_incumbency)
    plain = np.ndim(incumbency) == 0 and incumbency == 0
    return _demand(s.gdp_pc, s.population, weight, s.compute, rows.per_country(s.world_capacity), incumbency, plain,
                   s.compute.ndim > 1, s.policy.cap, s.policy.leakage)


@function("float64(float64[:], int64, int64)")
def _pairwise(a, lo, n):  # pragma: no cover
    """numpy's pairwise sum of a[lo:lo + n] (numpy/_core/src/umath/loops_utils.h.src): up to 8 values
    left to right, up to 128 in 8 interleaved partial sums, more split in two halves (multiples of 8).
    (govsim/forums.py has the same: numba renews a loop's cache only when its own file changes.)"""
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


@loop("void(float64[:], float64[:], float64[:], float64[:], float64, float64, boolean, boolean, float64[:], float64[:],"
      " float64[:], float64[:])", "(n),(n),(n),(n),(),(),(),(),(n),(n)->(n),(n)")
def _demand(gdp_pc, population, powered, compute, world_capacity, incumbency, plain, rows_rule, cap, leakage,
            shares, blocked):  # pragma: no cover
    """One run's demand shares D (:func:`investment_shares`; ``powered`` = r^rho) and blocked shares
    (:func:`blocked_share`). The sums over the countries are numpy's (0.0 plus its pairwise sum);
    ``plain``: no incumbency part (kappa a number, 0); ``rows_rule``: a batch's rule, the economic part
    alone where the capacity is NaN too (one run's: only where it is not above 0)."""
    n = shares.shape[0]
    for i in range(n):
        shares[i] = gdp_pc[i] * population[i] * powered[i]
    total = 0.0 + _pairwise(shares, 0, n)
    for i in range(n):
        shares[i] = shares[i] / total if total > 0 else 1.0 / n
    capacity = world_capacity if world_capacity > 0 else 0.0 + _pairwise(compute, 0, n)
    if not plain and (capacity > 0 if rows_rule else not capacity <= 0):
        for i in range(n):
            shares[i] = (1 - incumbency) * shares[i] + incumbency * compute[i] / capacity
    for i in range(n):
        demand = shares[i]
        allowed = _minimum(demand, cap[i])
        blocked[i] = ((demand - allowed) / demand if demand > 0 else 0.0) * (1 - leakage[i])


def remember_shares(s: State, p: Dynamics, shares: np.ndarray) -> None:
    """Keep the :func:`investment_shares` of ``s`` measured when the shocks apply, for :func:`grow_compute`
    later in the step (their inputs do not change in between: measured once a step, not twice)."""
    s.__dict__["_shares"] = (_share_inputs(s, p), shares)


def _share_inputs(s: State, p: Dynamics) -> tuple:
    return s.compute, s.gdp_pc, s.population, s.readiness, s.world_capacity, p


def _step_shares(s: State, p: Dynamics) -> np.ndarray:
    """The remembered shares if none of their inputs has been replaced since (the kernel replaces
    these arrays, never writes into them), else measured now."""
    kept = s.__dict__.pop("_shares", None)
    if kept is not None and all(a is b for a, b in zip(kept[0], _share_inputs(s, p))):
        return kept[1]
    return investment_shares(s, p)


@loop("void(float64, float64, float64, float64, float64, float64, float64[:])", "(),(),(),(),(),()->()")
def _invested(compute, kept, dt, investment, shares, blocked, out):  # pragma: no cover
    """K (1 - delta)^dt + dt W share (1 - blocked)."""
    out[0] = compute * kept + dt * (investment * shares * (1 - blocked))


def grow_compute(s: State, p: Dynamics, dt: float) -> None:
    """Invest the demand that caps let through (``policy.blocked``), depreciate, grow world investment."""
    kept = (1 - p.depreciation) ** dt
    s.compute = _invested(s.compute, kept, dt, s.world_investment, _step_shares(s, p), s.policy.blocked)
    s.world_capacity = s.world_capacity * kept + dt * s.world_investment
    s.world_investment *= p.compute_growth**dt


@loop("void(float64, float64, float64, float64, float64[:])", "(),(),(),()->()")
def _income_exponent(capability, dt, growth, premium, out):  # pragma: no cover
    """dt (g_0 + premium c)."""
    out[0] = dt * (growth + premium * capability)


@function()
def _gdp_group(gdp_pc: float, thresholds: np.ndarray) -> int:  # pragma: no cover
    """np.searchsorted(thresholds, gdp_pc): how many (sorted) thresholds lie below it (NaN: all)."""
    if gdp_pc != gdp_pc:
        return len(thresholds)
    below = 0
    for threshold in thresholds:
        below += threshold < gdp_pc
    return below


@loop("void(float64, float64, int64, int8, float64[:], float64[:], int8[:])", "(),(),(),(),(t)->(),()")
def _income_loop(gdp_pc, growth, start, group0, thresholds, gdp_now, group):  # pragma: no cover
    """GDP per capita times its growth factor, and the income group: the start's until the GDP group
    leaves its start, then moved that way only (up to the max, down to the min of both)."""
    gdp_now[0] = gdp_pc * growth
    now = _gdp_group(gdp_now[0], thresholds)
    group[0] = max(group0, now) if now > start else (min(group0, now) if now < start else group0)


def grow_income(s: State, p: Dynamics, dt: float) -> None:
    """GDP per capita grows with the adoption dividend; income groups move by threshold crossings.

    The start group is the World Bank's (GNI per capita, Atlas method), which can differ from the
    group the GDP per capita falls in (11 of 193 countries, e.g. Iran: GDP $4,431 < $4,515, yet upper
    middle income). A country moves only when its GDP group leaves its starting GDP group, and then
    never against that direction: up to max(World Bank group, GDP group), down to the min. So Iran
    crossing $4,515 stays upper middle (counting that crossing from its World Bank group made it
    high income in 2023Q4).
    """
    growth = np.exp(_income_exponent(s.capability, dt, p.income_growth, p.ai_income_premium))
    start = getattr(s, "gdp_group0", None)  # a State keeps it
    start = np.searchsorted(INCOME_THRESHOLDS, s.gdp_pc0) if start is None else start
    s.gdp_pc, s.income_group = _income_loop(s.gdp_pc, growth, start, s.income_group0, INCOME_THRESHOLDS)


@function()
def _sign(x: float) -> float:  # pragma: no cover
    """np.sign: 1, -1, 0.0 for either zero, NaN for NaN."""
    return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else x))


@loop("void(float64[:, :], float64[:], float64[:], float64[:, :], float64[:], float64[:], float64[:, :], int64, int64,"
          " float64, float64, float64, float64[:])", "(n,k),(k),(n),(n,k),(n),(n),(m,n),(),(),(),(),()->(n)")
def _drift_loop(engagement, positions, alignment, discipline, sanction, blocked, sums, sanctioner, disciplined, dt,
                drift, repulsion, moved):  # pragma: no cover
    """x_i + dt (drift * pull_i + repulsion * push_i) in [-1, 1] for every country of one run: pull_i the
    engagement-weighted mean of (position - x_i) over the forums (0 where nothing is engaged); push_i
    sanction_i * blocked_i * sign(x_i - x_S) where a forum S sanctions (``sanctioner`` >= 0), plus where
    ``disciplined`` (1: any ``discipline`` is in force) the mean of sign(x_i - position) over the forums
    its bloc penalises (0 where none). The sums over fewer than 8 forums are added here left to right (as numpy adds them); for more,
    ``sums`` holds numpy's own (:func:`_forum_sums`; (0, n) otherwise)."""
    k = positions.shape[0]
    for i in range(alignment.shape[0]):
        x = alignment[i]
        if sums.shape[0]:
            weight, pull, count, away = sums[0, i], sums[1, i], sums[2, i], sums[3, i]
        else:
            weight = pull = count = away = 0.0  # numpy's sum starts from 0.0
            for j in range(k):
                weight += engagement[i, j]
                pull += engagement[i, j] * (positions[j] - x)
                count += discipline[i, j]
                away += discipline[i, j] * _sign(x - positions[j])
        pull = pull / weight if weight > 0 else 0.0
        push = sanction[i] * blocked[i] * _sign(x - positions[sanctioner]) if sanctioner >= 0 else 0.0
        if disciplined:
            push = push + (away / count if count > 0 else 0.0)
        moved[i] = _minimum(_maximum(x + dt * (drift * pull + repulsion * push), -1.0), 1.0)


def _forum_sums(s: State, positions: np.ndarray) -> np.ndarray:
    """([R,] 4, N) the sums of :func:`_drift_loop` over 8 or more forums, as numpy adds them (pairwise),
    the loop's core axes last; with fewer forums none (([R,] 0, N)): the loop adds them."""
    e, d, x = s.engagement, s.policy.discipline, s.alignment[..., None]
    if e.shape[-1] < 8:
        return np.zeros((*e.shape[:-2], 0, e.shape[-2]))
    towards = rows.forum_row(positions)
    sums = [e.sum(axis=-1), (e * (towards - x)).sum(axis=-1), d.sum(axis=-1), (d * np.sign(x - towards)).sum(axis=-1)]
    return np.stack(sums, axis=-2)


def drift_alignment(s: State, positions: np.ndarray, p: Dynamics, dt: float) -> None:
    """Pull towards the positions of engaged forums; push away from a sanctioning club (in proportion
    to the demand its caps block) and, for a bloc's disciplined parties, from the rival club whose
    engagement their bloc penalises (the mean direction over the forums concerned; Axelrod & Bennett
    1993: bloc pressure sorts states into camps)."""
    pol = s.policy  # sanction_forum -1: none; an (R, 1) column in a batch where a shock set it
    disciplined = pol.holds("discipline") and bool(pol.discipline.any())  # a batch's: over all its replicates
    s.alignment = _drift_loop(s.engagement, positions, s.alignment, pol.discipline, pol.sanction, pol.blocked,
                              _forum_sums(s, positions),
                              rows.per_country(pol.sanction_forum), int(disciplined), dt, rows.per_country(p.alignment_drift),
                              rows.per_country(p.sanction_repulsion))


@loop("void(float64, float64, float64[:])", "(),()->()")
def _budget(power, floor, out):  # pragma: no cover
    """floor + (1 - floor) * power."""
    out[0] = floor + (1 - floor) * power


def diplomatic_budget(readiness: np.ndarray, p: Budget) -> np.ndarray:
    """B_i = floor + (1 - floor) * readiness^elasticity."""
    return _budget(readiness**p.readiness_elasticity, p.floor)


# Bounds that keep the state finite over any allowed run (2 000 steps at the top of every growth range).
# Compute only matters relative to itself (investment shares, log distance to the frontier, concentration),
# so when world investment or a stock passes 2^332 (~8.7e99) both are divided by 2^332: exact in binary,
# so shares and capability are unchanged. GDP per capita matters in US$ (income thresholds), so it stops
# growing at 1e100 US$: never reached at the calibrated growth (2 000 years at 3.5 %/yr give ~1e36).
COMPUTE_RESCALE_AT = 2.0**332
GDP_PC_CEILING = 1e100


def keep_finite(s: State) -> None:
    """Rescale the compute unit and bound GDP per capita (see the constants above); no-op in ordinary runs."""
    if s.compute.ndim > 1:  # a batch of replicates: rescale the rows that need it (dividing by 1 is exact)
        over = np.maximum(np.maximum(s.world_investment, s.world_capacity), rows.top(s.compute)) > COMPUTE_RESCALE_AT
        if over.any():
            unit = np.where(over, COMPUTE_RESCALE_AT, 1.0)
            s.compute, s.world_investment, s.world_capacity = s.compute / unit, s.world_investment / unit, s.world_capacity / unit
        if s.gdp_pc.max(initial=0.0) > GDP_PC_CEILING:
            s.gdp_pc = np.minimum(s.gdp_pc, GDP_PC_CEILING)
        return
    over, rich = _unbounded(s.compute, s.world_investment, s.world_capacity, s.gdp_pc)
    if over:
        s.compute = s.compute / COMPUTE_RESCALE_AT
        s.world_investment /= COMPUTE_RESCALE_AT
        s.world_capacity /= COMPUTE_RESCALE_AT
    if rich:
        s.gdp_pc = np.minimum(s.gdp_pc, GDP_PC_CEILING)


@njit(inline="always")
def _larger(a: float, b: float) -> float:  # pragma: no cover
    """Python's max(a, b): ``b`` only where b > a."""
    return b if b > a else a


@loop("void(float64[:], float64, float64, float64[:], boolean[:], boolean[:])", "(n),(),(),(m)->(),()")
def _unbounded(compute, investment, capacity, gdp_pc, over, rich):  # pragma: no cover
    """One run's two tests of :func:`keep_finite` in one call: Python's max(W, K*, K.max(initial=0)) above
    COMPUTE_RESCALE_AT, and gdp_pc.max(initial=0) above GDP_PC_CEILING (numpy's max: NaN if any is)."""
    top = 0.0
    for x in compute:
        top = _maximum(top, x)
    over[0] = _larger(_larger(investment, capacity), top) > COMPUTE_RESCALE_AT
    top = 0.0
    for x in gdp_pc:
        top = _maximum(top, x)
    rich[0] = top > GDP_PC_CEILING
