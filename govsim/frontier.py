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
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from govsim import rows
from govsim.config.behaviour import Dynamics
from govsim.state import State
from govsim.world import along_logit_trend

_TINY = 1e-300


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


def capability_of(orders: np.ndarray | float, p: Dynamics) -> np.ndarray:
    """a(z) = 1 - 2^(-z/h) for z > 0, else 0: the capability of a model z orders above the minimum."""
    return 1.0 - np.exp2(-np.maximum(orders, 0.0) / p.capability_half_orders)


def own_lag(compute: np.ndarray, knowhow: np.ndarray, p: Dynamics) -> np.ndarray:
    """(N,) years the country's own best model trails the frontier: compute deficit plus know-how lag."""
    deficit = np.log10(rows.top(compute) + _TINY) - np.log10(np.maximum(compute, _TINY))
    return np.minimum(p.compute_lag_elasticity * deficit / frontier_growth(p) + knowhow, p.max_lag_years)


def open_lag(own: np.ndarray, producers: np.ndarray, delays: np.ndarray, cut: float, p: Dynamics) -> float:
    """Years the open-weight frontier trails the closed one: the best producer's own lag plus its release
    delay, less what an open release in force takes off (never below zero)."""
    if own.ndim > 1:  # a batch of replicates: an (R, 1) column (producers and delays (R, P); ``cut`` a number or a column)
        best = ((np.take_along_axis(own, producers, -1) + delays).min(axis=-1, keepdims=True) if producers.size
                else np.full((len(own), 1), p.max_lag_years))
        return np.minimum(np.maximum(best - cut, 0.0), p.max_lag_years)
    best = float(np.min(own[producers] + delays)) if producers.size else p.max_lag_years
    return min(max(best - cut, 0.0), p.max_lag_years)


def route_lags(s: State, p: Dynamics) -> np.ndarray:
    """(N, 3) lag of each route (own, api, open) for every country, in years (inf: blocked)."""
    return np.stack(_routes(s, p), axis=1)


def _routes(s: State, p: Dynamics) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (N,) lags of the own, api and open routes."""
    own = own_lag(s.compute, s.knowhow, p)
    own = own - rows.bottom(own)  # the frontier is the best model anyone trains
    api = p.api_lag_years + s.policy.api_delay
    shared = open_lag(own, s.producers, s.producer_delays, s.policy.open_cut, p)
    opened = np.maximum(shared - s.policy.open_cut_country, 0.0)  # less where a public good brings open models closer
    return own, api, opened


def access(s: State, p: Dynamics) -> None:
    """Set each country's lag (quickest route, capped) and the capability of the model it reaches."""
    own, api, opened = _routes(s, p)
    s.lag = np.minimum(np.minimum(np.minimum(own, api), opened), p.max_lag_years)  # the quickest route (min is exact)
    s.open_lag = rows.top(opened) if opened.ndim > 1 else float(opened.max())  # the open route of the countries no public good reaches
    z = frontier_orders(s.year, s.start_year, p) - frontier_growth(p) * s.lag
    s.frontier_access = capability_of(z, p)


def knowhow_speed(s: State, forum_access: np.ndarray, received: np.ndarray, p: Dynamics) -> np.ndarray:
    """lambda_i: how fast frontier know-how reaches country i (per year)."""
    boost = 1.0 + p.access_boost * forum_access + p.capacity_boost * received
    return p.diffusion_speed * s.policy.diffusion_mult * boost * s.internet * s.readiness


def relax_knowhow(knowhow: np.ndarray, lam: np.ndarray, dt: float, p: Dynamics, leader: int) -> np.ndarray:
    """Exact solution of dk/dt = 1 - lambda k over dt (the frontier keeps moving; steady lag 1/lambda),
    measured from the frontier's know-how, the ``leader``'s (the compute leader: its labs set the
    frontier), in [0, max_lag_years]."""
    decay = np.exp(-lam * dt)
    relaxed = knowhow * decay + _expm1_ratio(lam, dt)
    return np.minimum(np.maximum(relaxed - rows.at(relaxed, leader), 0.0), p.max_lag_years)


def steady_knowhow(lam: np.ndarray, p: Dynamics, leader: int) -> np.ndarray:
    """Steady know-how lag 1/lambda_i measured from the ``leader``'s, in [0, max_lag_years]."""
    lag = 1.0 / np.maximum(lam, 1.0 / (10 * p.max_lag_years))
    return np.clip(lag - lag[leader], 0.0, p.max_lag_years)


def _expm1_ratio(lam: np.ndarray, dt: float) -> np.ndarray:
    """(1 - exp(-lam dt)) / lam, equal to dt in the limit lam -> 0."""
    safe = np.where(lam > 1e-12, lam, 1.0)
    return np.where(lam > 1e-12, -np.expm1(-safe * dt) / safe, dt)


def skill(s: State) -> np.ndarray:
    """skill_i = r_i + (1 - r_i) H_i: readiness, plus what capacity building has added."""
    return s.readiness + (1.0 - s.readiness) * s.skills


def adoption_ceiling(s: State, p: Dynamics) -> np.ndarray:
    """The share of a country that can use AI: internet use times skill^theta."""
    return s.internet * skill(s) ** p.adoption_skill_elasticity


def available_compute(s: State, p: Dynamics) -> np.ndarray:
    """(N,) AI compute a country's users can draw on: the part of its own stock it uses at home,
    plus rented cloud capacity from the world's stock in proportion to its GDP, cut where closed-API
    and cloud access is delayed (1 / (1 + delay)) or blocked (0)."""
    gdp = s.gdp_pc * s.population
    gdp_share = gdp / np.maximum(rows.total(gdp), _TINY)
    reach = 1.0 / (1.0 + s.policy.api_delay)
    return (1 - p.cloud_share) * s.compute + p.cloud_share * rows.total(s.compute) * gdp_share * reach


def use_intensity(s: State, p: Dynamics) -> None:
    """iota_i = q^eta / (1 + q^eta), q_i = compute per user against the world's uncapped capacity per
    user: 1/2 for a country with the world's average compute per user; caps lower q where they bind
    without raising anyone else's (the reference ignores the caps)."""
    users = np.maximum(s.adoption * s.population, 1.0)  # at least one person (no users: capability is 0 anyway)
    reference = np.maximum(s.world_capacity, _TINY) / rows.total(users)
    q = np.maximum(available_compute(s, p) / users / reference, _TINY) ** p.intensity_elasticity
    s.intensity = q / (1.0 + q)


def adopt(s: State, received: np.ndarray, p: Dynamics, dt: float) -> None:
    """Skills accumulate from capacity building; use moves towards its ceiling (exact over dt)."""
    s.skills = np.minimum(np.maximum(s.skills * np.exp(-p.skill_decay * dt) + dt * received, 0.0), 1.0)
    speed = p.adoption_speed * s.readiness * s.policy.diffusion_mult * (1.0 + p.capacity_boost * received)
    speed = speed * s.policy.adoption_mult if s.policy.holds("adoption_mult") else speed  # else all 1
    ceiling = adoption_ceiling(s, p)
    s.adoption = ceiling + (s.adoption - ceiling) * np.exp(-speed * dt)


def grow_internet(s: State, p: Dynamics, dt: float) -> None:
    """Internet use moves along its ITU trend: logit(share) rises by slope * dt."""
    s.internet = along_logit_trend(s.internet, p.internet_trend * s.internet_slope * dt)


def used_capability(s: State) -> np.ndarray:
    """c_i = a_i u_i iota_i: the capability a country reaches and uses, in [0, 1]."""
    return s.frontier_access * s.adoption * s.intensity


def producer_index(iso3: np.ndarray, compute: np.ndarray, p: Dynamics) -> tuple[np.ndarray, np.ndarray]:
    """(indices, delays) of the open-weight producers present in the world; if none is, the most
    compute-rich country with the largest configured delay (or 0.75 years if none is configured)."""
    where = {code: i for i, code in enumerate(iso3)}
    found = [(where[code], delay) for code, delay in p.open_producers.items() if code in where]
    if not found:
        found = [(int(np.argmax(compute)), max(p.open_producers.values(), default=0.75))]
    return np.array([i for i, _ in found], dtype=np.intp), np.array([d for _, d in found], dtype=float)
