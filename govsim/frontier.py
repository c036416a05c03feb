"""The capability submodel: a moving frontier, routes of access to it, and the use of what is reached.

Three layers (model-audit-2026-12.md §4; literature §5 and §8d; docs/ODD.md §7):

frontier:  Z(t) = h + G (t - t_0) orders of magnitude of effective compute above the useful minimum,
           G = log10(g_C g_A) (hardware ~4.7x and algorithms ~3x a year: Epoch AI; Ho et al. 2024);
           the capability of a model z orders above the minimum is a(z) = 1 - 2^(-z/h), so the
           2023 frontier has a = 0.5 and the leader's capability grows.
access:    a country uses the frontier of t - l_i, l_i the quickest of three routes (years):
           own  = epsilon log10(K_lead / K_i) / G + k_i   (its compute, where export caps bite, and its
                  know-how lag k_i, which relaxes as dk/dt = 1 - lambda_i k: steady lag 1/lambda_i);
           api  = api_lag + delay_i                       (closed models; delayed or blocked by tier);
           open = min_j in producers (own_j + delay_j) - cut - cut_i (open weights; outside anyone's controls;
                  cut_i from a public good offered through a forum, govsim/levers.py).
use:       adoption (extensive margin) u_i -> ceiling internet_i * skill_i^theta at speed
           s_0 r_i m_open (1 + boost cb_i) m_i (m_i from a public good; Cohen & Levinthal 1990 absorptive capacity);
           intensity (intensive margin) iota_i from the compute its users can draw on, own or rented
           through the cloud, per user (Comin & Mestieri 2018: adoption lags converge while intensity
           of use diverges; Lehdonvirta et al. 2024 'compute deserts'; export caps and cloud/API
           restrictions act here);
           skill_i = r_i + (1 - r_i) H_i, H_i the skills built by capacity building;
           internet follows its ITU trend in logit space.
capability c_i = a(Z - G l_i) * u_i * iota_i: accessible and used AI capability, in [0, 1].

The elementwise arithmetic runs in loops compiled with numba (govsim/compiled.py): one call instead of a
chain of numpy calls, arithmetic only (+ - * /, comparisons, numpy's min/max), in the order of the numpy
formula, so the results are numpy's bit for bit. The transcendental functions (exp, expm1, exp2, log,
log10, powers) stay numpy calls between the loops (numba's libm differs from numpy's SIMD in the last
bit); the reductions over countries stay numpy's. Every loop broadcasts like a ufunc: one run's (N,)
arrays and numbers, or a batch's (R, N) arrays and (R, 1) columns (as (R,) for a loop over the countries:
``rows.per_country``). The loops call only helpers of their own module (numba renews a loop's cache only
when its own file changes); the two that take many arrays at once, the routes of access and the compute
per user with the world's sums, are in govsim/frontier_loops.py.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from govsim import frontier_loops as loops, rows
from govsim.compiled import function, loop
from govsim.config.behaviour import Dynamics
from govsim.state import State

_TINY = 1e-300


@njit(inline="always")
def _maximum(a: float, b: float) -> float:  # pragma: no cover
    """np.maximum of two numbers: NaN if either is; ``b`` on a tie (so max(-0.0, 0.0) is 0.0). Kept in
    each module whose loops use it: numba renews a loop's cache only when its own file changes."""
    return a if a > b or a != a else b


@njit(inline="always")
def _minimum(a: float, b: float) -> float:  # pragma: no cover
    """np.minimum of two numbers: NaN if either is; ``b`` on a tie."""
    return a if a < b or a != a else b


def frontier_growth(p: Dynamics) -> float:
    """G: orders of magnitude of effective compute the frontier gains per year (a batch's (R, 1)
    column where its replicates' growth rates differ)."""
    if isinstance(p.compute_growth, np.ndarray) or isinstance(p.algo_growth, np.ndarray):
        return np.log10(p.compute_growth * p.algo_growth)
    return _orders_per_year(p.compute_growth, p.algo_growth)


@lru_cache(maxsize=64)
def _orders_per_year(compute_growth: float, algo_growth: float) -> float:
    return float(np.log10(compute_growth * algo_growth))


def frontier_orders(year: float, start_year: float, p: Dynamics) -> float:
    """Z(t): the frontier's effective compute in orders of magnitude above the useful minimum."""
    return p.capability_half_orders + frontier_growth(p) * (year - start_year)


@function()
def _halvings(orders: float, half_orders: float) -> float:  # pragma: no cover
    return -_maximum(orders, 0.0) / half_orders


@loop("void(float64, float64, float64[:])", "(),()->()")
def _halvings_loop(orders, half_orders, out):  # pragma: no cover
    """-max(z, 0) / h: the exponent of 2 in a(z)."""
    out[0] = _halvings(orders, half_orders)


def capability_of(orders: np.ndarray | float, p: Dynamics) -> np.ndarray:
    """a(z) = 1 - 2^(-z/h) for z > 0, else 0: the capability of a model z orders above the minimum."""
    return 1.0 - np.exp2(_halvings_loop(orders, p.capability_half_orders))


@loop("void(float64, float64, float64, float64, float64, float64, float64[:])", "(),(),(),(),(),()->()")
def _own_lag(top_orders, orders, knowhow, elasticity, growth, max_lag, out):  # pragma: no cover
    """min(epsilon (log10 K_lead - log10 K_i) / G + k_i, max_lag)."""
    out[0] = _minimum(elasticity * (top_orders - orders) / growth + knowhow, max_lag)


def own_lag(compute: np.ndarray, knowhow: np.ndarray, p: Dynamics) -> np.ndarray:
    """(N,) years the country's own best model trails the frontier: compute deficit plus know-how lag."""
    top = np.log10(rows.top(compute) + _TINY)
    return _own_lag(top, np.log10(np.maximum(compute, _TINY)), knowhow, p.compute_lag_elasticity, frontier_growth(p),
                    p.max_lag_years)


def open_lag(own: np.ndarray, producers: np.ndarray, delays: np.ndarray, cut: float, p: Dynamics) -> float:
    """Years the open-weight frontier trails the closed one: the best producer's own lag plus its release
    delay, less what an open release in force takes off (never below zero)."""
    if own.ndim > 1:  # a batch of replicates: an (R, 1) column (producers and delays (R, P); ``cut`` a number or a column)
        best = ((np.take_along_axis(own, producers, -1) + delays).min(axis=-1, keepdims=True) if producers.size
                else np.full((len(own), 1), p.max_lag_years))
        return np.minimum(np.maximum(best - cut, 0.0), p.max_lag_years)
    best = float((own[producers] + delays).min()) if producers.size else p.max_lag_years
    return min(max(best - cut, 0.0), p.max_lag_years)


def route_lags(s: State, p: Dynamics) -> np.ndarray:
    """(N, 3) lag of each route (own, api, open) for every country, in years (inf: blocked)."""
    own, opened = _reached(s, p)[:2]
    own = own - rows.bottom(own)  # the frontier is the best model anyone trains
    return np.stack((own, p.api_lag_years + s.policy.api_delay, opened), axis=-1)


def _reached(s: State, p: Dynamics) -> list:
    """(own route before the frontier's lag is taken off, open route, quickest route, its exponent of 2,
    the largest open route) of :func:`govsim.frontier_loops.access_loop`; log10 stays numpy's."""
    clamped, top = loops.clamped_top(s.compute)
    batch = s.compute.ndim > 1
    values = (p.compute_lag_elasticity, frontier_growth(p), p.max_lag_years, p.api_lag_years, s.policy.open_cut,
              frontier_orders(s.year, s.start_year, p), p.capability_half_orders, np.log10(top + _TINY))
    numbers = _columns(values + (0.0, 0.0, 1.0)) if batch else np.array(values + (0.0, 0.0, 0.0), dtype=np.float64)
    arrays = (np.log10(clamped, out=clamped), s.knowhow)
    policy = (s.producers, s.producer_delays, s.policy.api_delay, s.policy.open_cut_country)
    *out, ambiguous = loops.access_loop(*arrays, numbers, *policy)
    if ambiguous.any() if batch else ambiguous:  # a zero minimum of both signs: numpy's own min decides
        numbers[..., 8], numbers[..., 9] = rows.per_country(rows.bottom(out[0])), 1.0
        out = loops.access_loop(*arrays, numbers, *policy)[:-1]
    return out


def _columns(values: tuple) -> np.ndarray:
    """A batch's numbers (each a number or a per-replicate column) as one (R, k) array."""
    flat = [np.reshape(np.asarray(v, dtype=np.float64), -1) for v in values]
    return np.stack(np.broadcast_arrays(*flat), axis=-1)


def access(s: State, p: Dynamics) -> None:
    """Set each country's lag (quickest route, capped) and the capability of the model it reaches."""
    _, _, s.lag, halvings, open_max = _reached(s, p)
    s.open_lag = open_max[:, None] if s.compute.ndim > 1 else float(open_max)  # the open route of the countries no public good reaches
    s.frontier_access = np.subtract(1.0, np.exp2(halvings, out=halvings), out=halvings)


def knowhow_speed(s: State, forum_access: np.ndarray, received: np.ndarray, p: Dynamics) -> np.ndarray:
    """lambda_i: how fast frontier know-how reaches country i (per year); :func:`_speed_exponents`' first output."""
    return _speed_exponents(forum_access, received, s.internet, s.readiness, p.diffusion_speed, s.policy.diffusion_mult,
                            p.access_boost, p.capacity_boost, 0.0)[0]


@njit(inline="always")
def _exponents(lam: float, dt: float) -> tuple[float, float]:  # pragma: no cover
    """-lambda dt and -lambda dt with lambda 1 where it is ~0 (the exponents of exp and of expm1)."""
    return -lam * dt, -(lam if lam > 1e-12 else 1.0) * dt


@loop("void(float64, float64, float64[:], float64[:])", "(),()->(),()")
def _relax_exponents(lam, dt, decay, growth):  # pragma: no cover
    """The exponents of exp(-lambda dt) and of expm1(-lambda dt) (:func:`_exponents`)."""
    decay[0], growth[0] = _exponents(lam, dt)



@function()
def _relaxed(knowhow: float, decay: float, expm1: float, lam: float, dt: float) -> float:  # pragma: no cover
    """k exp(-lambda dt) + (1 - exp(-lambda dt)) / lambda, the second term dt in the limit lambda -> 0."""
    return knowhow * decay + (-expm1 / lam if lam > 1e-12 else dt)


def relax_knowhow(knowhow: np.ndarray, lam: np.ndarray, dt: float, p: Dynamics, leader: int) -> np.ndarray:
    """Exact solution of dk/dt = 1 - lambda k over dt (the frontier keeps moving; steady lag 1/lambda),
    measured from the frontier's know-how, the ``leader``'s (the compute leader: its labs set the
    frontier), in [0, max_lag_years]."""
    decay, growth = _relax_exponents(lam, dt)
    return _relax_behind_leader(knowhow, np.exp(decay), np.expm1(growth), lam, knowhow, rows.per_country(leader), dt,
                                rows.per_country(p.max_lag_years))


@loop("void(float64, float64, float64, float64, float64, float64, float64, float64, float64,"
      " float64[:], float64[:], float64[:])", "(),(),(),(),(),(),(),(),()->(),(),()")
def _speed_exponents(forum_access, received, internet, readiness, speed, mult, access_boost, capacity_boost, dt,
                     lam, decay, growth):  # pragma: no cover
    """lambda = speed * mult * (1 + access_boost forum_access + capacity_boost received) * internet * readiness,
    and the exponents of exp(-lambda dt) and expm1(-lambda dt) (:func:`_exponents`)."""
    boost = 1.0 + access_boost * forum_access + capacity_boost * received
    lam[0] = speed * mult * boost * internet * readiness
    decay[0], growth[0] = _exponents(lam[0], dt)


@function()
def _leader(compute) -> int:  # pragma: no cover
    """The compute leader: the first largest value, or the first NaN (numba's np.argmax, as numpy's)."""
    return np.argmax(compute)


@loop("void(float64[:], float64[:], float64[:], float64[:], float64[:], int64, float64, float64, float64[:])",
      "(n),(n),(n),(n),(n),(),(),()->(n)")
def _relax_behind_leader(knowhow, decay, expm1, lam, compute, leader, dt, max_lag, behind):  # pragma: no cover
    """Every country's relaxed know-how lag less the ``leader``'s, in [0, max_lag], for one run; ``leader``
    -1: the compute leader (:func:`_leader` of ``compute``), found here."""
    leader = _leader(compute) if leader < 0 else leader
    lead = _relaxed(knowhow[leader], decay[leader], expm1[leader], lam[leader], dt)
    for i in range(knowhow.shape[0]):
        behind[i] = _minimum(_maximum(_relaxed(knowhow[i], decay[i], expm1[i], lam[i], dt) - lead, 0.0), max_lag)


def diffuse(s: State, forum_access: np.ndarray, received: np.ndarray, p: Dynamics, dt: float) -> None:
    """Know-how moves over ``dt``: :func:`relax_knowhow` at the speed :func:`knowhow_speed`, measured from
    the compute leader's (:func:`rows.leader`), in two compiled loops around numpy's exp and expm1."""
    lam, decay, growth = _speed_exponents(forum_access, received, s.internet, s.readiness, p.diffusion_speed,
                                          s.policy.diffusion_mult, p.access_boost, p.capacity_boost, dt)
    s.knowhow = _relax_behind_leader(s.knowhow, np.exp(decay, out=decay), np.expm1(growth, out=growth), lam, s.compute,
                                     -1, dt, rows.per_country(p.max_lag_years))


def steady_knowhow(lam: np.ndarray, p: Dynamics, leader: int) -> np.ndarray:
    """Steady know-how lag 1/lambda_i measured from the ``leader``'s, in [0, max_lag_years]."""
    lag = 1.0 / np.maximum(lam, 1.0 / (10 * p.max_lag_years))
    return np.clip(lag - lag[leader], 0.0, p.max_lag_years)


@function()
def _skill(readiness: float, skills: float) -> float:  # pragma: no cover
    return readiness + (1.0 - readiness) * skills


@loop("void(float64, float64, float64[:])", "(),()->()")
def _skill_loop(readiness, skills, out):  # pragma: no cover
    """r + (1 - r) H."""
    out[0] = _skill(readiness, skills)


def skill(s: State) -> np.ndarray:
    """skill_i = r_i + (1 - r_i) H_i: readiness, plus what capacity building has added."""
    return _skill_loop(s.readiness, s.skills)


def adoption_ceiling(s: State, p: Dynamics) -> np.ndarray:
    """The share of a country that can use AI: internet use times skill^theta."""
    return s.internet * skill(s) ** p.adoption_skill_elasticity


@function()
def _available(compute: float, gdp: float, world_gdp: float, world_compute: float, api_delay: float, cloud: float) -> float:  # pragma: no cover
    gdp_share = gdp / _maximum(world_gdp, _TINY)
    reach = 1.0 / (1.0 + api_delay)
    return (1 - cloud) * compute + cloud * world_compute * gdp_share * reach


@loop("void(float64, float64, float64, float64, float64, float64, float64[:])", "(),(),(),(),(),()->()")
def _available_loop(compute, gdp, world_gdp, world_compute, api_delay, cloud, out):  # pragma: no cover
    """(1 - cloud) K + cloud sum(K) gdp share / (1 + api delay)."""
    out[0] = _available(compute, gdp, world_gdp, world_compute, api_delay, cloud)


def available_compute(s: State, p: Dynamics) -> np.ndarray:
    """(N,) AI compute a country's users can draw on: the part of its own stock it uses at home,
    plus rented cloud capacity from the world's stock in proportion to its GDP, cut where closed-API
    and cloud access is delayed (1 / (1 + delay)) or blocked (0)."""
    gdp = s.gdp_pc * s.population
    return _available_loop(s.compute, gdp, rows.total(gdp), rows.total(s.compute), s.policy.api_delay, p.cloud_share)


@loop("void(float64, float64[:])", "()->()")
def _odds_share(q, out):  # pragma: no cover
    """q / (1 + q)."""
    out[0] = q / (1.0 + q)


def use_intensity(s: State, p: Dynamics) -> None:
    """iota_i = q^eta / (1 + q^eta), q_i = compute per user against the world's uncapped capacity per
    user: 1/2 for a country with the world's average compute per user; caps lower q where they bind
    without raising anyone else's (the reference ignores the caps)."""
    base = loops.use_base(s.compute, s.gdp_pc, s.population, s.adoption, s.policy.api_delay, rows.per_country(s.world_capacity),
                     rows.per_country(p.cloud_share))
    s.intensity = _odds_share(np.power(base, p.intensity_elasticity, out=base))


@loop("void(float64, float64, float64, float64, float64, float64, float64, float64, float64,"
          " float64[:], float64[:], float64[:])", "(),(),(),(),(),(),(),(),()->(),(),()")
def _adopt_loop(skills, kept, dt, received, readiness, speed, mult, boost, adoption_mult, skills_now, skill_now, exponent):  # pragma: no cover
    """Skills kept and received, in [0, 1]; skill r + (1 - r) H; the exponent -speed dt of adoption's approach."""
    skills_now[0] = _minimum(_maximum(skills * kept + dt * received, 0.0), 1.0)
    skill_now[0] = _skill(readiness, skills_now[0])
    exponent[0] = -(speed * readiness * mult * (1.0 + boost * received) * adoption_mult) * dt


@loop("void(float64, float64, float64, float64, float64[:])", "(),(),(),()->()")
def _approach(internet, skill_power, adoption, decay, out):  # pragma: no cover
    """Adoption moved towards its ceiling internet * skill^theta by the factor ``decay``."""
    ceiling = internet * skill_power
    out[0] = ceiling + (adoption - ceiling) * decay


def _skills_kept(decay, dt) -> float:
    """exp(-decay dt) (numpy's), remembered for numbers (a batch's column is computed each time)."""
    if isinstance(decay, np.ndarray) or isinstance(dt, np.ndarray):
        return np.exp(-decay * dt)
    return _exp_of_product(decay, dt)


@lru_cache(maxsize=64)
def _exp_of_product(decay: float, dt: float) -> float:
    return np.exp(-decay * dt)


def adopt(s: State, received: np.ndarray, p: Dynamics, dt: float) -> None:
    """Skills accumulate from capacity building; use moves towards its ceiling (exact over dt). The
    adoption multiplier is applied always (all 1 unless a public good holds it: multiplying by 1 is exact)."""
    s.skills, skill_now, exponent = _adopt_loop(s.skills, _skills_kept(p.skill_decay, dt), dt, received, s.readiness,
                                                p.adoption_speed, s.policy.diffusion_mult, p.capacity_boost,
                                                s.policy.adoption_mult)
    s.adoption = _approach(s.internet, skill_now ** p.adoption_skill_elasticity, s.adoption, np.exp(exponent))


@loop("void(float64, float64[:])", "()->()")
def _odds(share, out):  # pragma: no cover
    """s / (1 - s), s clipped to [1e-6, 1 - 1e-6] (NaN stays NaN)."""
    safe = share if share != share else _minimum(_maximum(share, 1e-6), 1 - 1e-6)
    out[0] = safe / (1 - safe)


@loop("void(float64, float64, float64, float64, float64[:])", "(),(),(),()->()")
def _logit_exponent(log_odds, trend, slope, dt, out):  # pragma: no cover
    """-(logit + trend * slope * dt)."""
    out[0] = -(log_odds + trend * slope * dt)


@loop("void(float64, float64, float64[:])", "(),()->()")
def _logistic(exp_minus, share, out):  # pragma: no cover
    """1 / (1 + exp(-x)) where 0 < share < 1; else the share as it is."""
    out[0] = 1.0 / (1.0 + exp_minus) if share > 0 and share < 1 else share


def along_trend(share: np.ndarray, trend, slope: np.ndarray, dt) -> np.ndarray:
    """``share`` moved by trend * slope * dt in logit space (an ITU-style S-curve); 0 and 1 stay where they are."""
    return _logistic(np.exp(_logit_exponent(np.log(_odds(share)), trend, slope, dt)), share)


def grow_internet(s: State, p: Dynamics, dt: float) -> None:
    """Internet use moves along its ITU trend: logit(share) rises by slope * dt."""
    s.internet = along_trend(s.internet, p.internet_trend, s.internet_slope, dt)


@loop("void(float64, float64, float64, float64[:])", "(),(),()->()")
def _used(frontier_access, adoption, intensity, out):  # pragma: no cover
    """a u iota."""
    out[0] = frontier_access * adoption * intensity


def used_capability(s: State) -> np.ndarray:
    """c_i = a_i u_i iota_i: the capability a country reaches and uses, in [0, 1]."""
    return _used(s.frontier_access, s.adoption, s.intensity)


def producer_index(iso3: np.ndarray, compute: np.ndarray, p: Dynamics) -> tuple[np.ndarray, np.ndarray]:
    """(indices, delays) of the open-weight producers present in the world; if none is, the most
    compute-rich country with the largest configured delay (or 0.75 years if none is configured)."""
    where = {code: i for i, code in enumerate(iso3)}
    found = [(where[code], delay) for code, delay in p.open_producers.items() if code in where]
    if not found:
        found = [(int(np.argmax(compute)), max(p.open_producers.values(), default=0.75))]
    return np.array([i for i, _ in found], dtype=np.intp), np.array([d for _, d in found], dtype=float)
