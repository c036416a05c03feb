"""The evolve phase's compiled loops (govsim/dynamics.py, govsim/frontier.py, numba) equal the numpy
formulas they replace bit for bit (values, NaN, signed zeros, dtypes), for one run ((N,) arrays, numbers)
and a batch of replicates ((R, N) arrays, (R, 1) columns), on random states with edge values (zeros,
-0.0, inf, NaN, ties, shares at 0 and 1, GDP at the income thresholds). The references below are the
numpy code of the functions before the loops (main, issue 14 third round)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim import dynamics, frontier, rows
from govsim.codes import INCOME_THRESHOLDS
from govsim.config.behaviour import Budget, Dynamics
from govsim.replicates import stack_states
from govsim.state import State

R = 3
P = Dynamics()
COLUMNS = ("compute_growth", "depreciation", "max_lag_years", "diffusion_speed", "cloud_share", "intensity_elasticity",
           "adoption_skill_elasticity", "skill_decay", "alignment_drift", "sanction_repulsion", "income_growth",
           "capacity_boost", "capability_half_orders")  # per replicate in a batch


# ---- the numpy references --------------------------------------------------------------------------------
def ref_logit_trend(share, shift):
    safe = np.clip(share, 1e-6, 1 - 1e-6)
    moved = 1.0 / (1.0 + np.exp(-(np.log(safe / (1 - safe)) + shift)))
    return np.where((share > 0) & (share < 1), moved, share)


def ref_knowhow(s, forum_access, received, p, dt, leader):
    boost = 1.0 + p.access_boost * forum_access + p.capacity_boost * received
    lam = p.diffusion_speed * s.policy.diffusion_mult * boost * s.internet * s.readiness
    return lam, ref_relax(s.knowhow, lam, dt, p, leader)


def ref_relax(knowhow, lam, dt, p, leader):
    safe = np.where(lam > 1e-12, lam, 1.0)
    relaxed = knowhow * np.exp(-lam * dt) + np.where(lam > 1e-12, -np.expm1(-safe * dt) / safe, dt)
    return np.minimum(np.maximum(relaxed - rows.at(relaxed, leader), 0.0), p.max_lag_years)


def ref_adopt(s, received, p, dt):
    s.skills = np.minimum(np.maximum(s.skills * np.exp(-p.skill_decay * dt) + dt * received, 0.0), 1.0)
    speed = p.adoption_speed * s.readiness * s.policy.diffusion_mult * (1.0 + p.capacity_boost * received)
    speed = speed * s.policy.adoption_mult
    ceiling = s.internet * (s.readiness + (1.0 - s.readiness) * s.skills) ** p.adoption_skill_elasticity
    s.adoption = ceiling + (s.adoption - ceiling) * np.exp(-speed * dt)


def ref_access(s, p):
    deficit = np.log10(rows.top(s.compute) + 1e-300) - np.log10(np.maximum(s.compute, 1e-300))
    own = np.minimum(p.compute_lag_elasticity * deficit / frontier.frontier_growth(p) + s.knowhow, p.max_lag_years)
    own = own - rows.bottom(own)
    api = p.api_lag_years + s.policy.api_delay
    shared = frontier.open_lag(own, s.producers, s.producer_delays, s.policy.open_cut, p)  # unchanged reduction
    opened = np.maximum(shared - s.policy.open_cut_country, 0.0)
    s.lag = np.minimum(np.minimum(np.minimum(own, api), opened), p.max_lag_years)
    s.open_lag = rows.top(opened) if opened.ndim > 1 else float(opened.max())
    z = frontier.frontier_orders(s.year, s.start_year, p) - frontier.frontier_growth(p) * s.lag
    s.frontier_access = 1.0 - np.exp2(-np.maximum(z, 0.0) / p.capability_half_orders)
    return np.stack([own, api, opened], axis=-1)


def ref_available(s, p):
    gdp = s.gdp_pc * s.population
    gdp_share = gdp / np.maximum(rows.total(gdp), 1e-300)
    reach = 1.0 / (1.0 + s.policy.api_delay)
    return (1 - p.cloud_share) * s.compute + p.cloud_share * rows.total(s.compute) * gdp_share * reach


def ref_use_intensity(s, p):
    users = np.maximum(s.adoption * s.population, 1.0)
    reference = np.maximum(s.world_capacity, 1e-300) / rows.total(users)
    q = np.maximum(ref_available(s, p) / users / reference, 1e-300) ** p.intensity_elasticity
    s.intensity = q / (1.0 + q)
    s.capability = s.frontier_access * s.adoption * s.intensity


def ref_grow_compute(s, p, dt):
    inflow = s.world_investment * dynamics.investment_shares(s, p) * (1 - s.policy.blocked)
    s.compute = s.compute * (1 - p.depreciation) ** dt + dt * inflow
    s.world_capacity = s.world_capacity * (1 - p.depreciation) ** dt + dt * s.world_investment
    s.world_investment *= p.compute_growth**dt


def ref_grow_income(s, p, dt):
    s.gdp_pc = s.gdp_pc * np.exp(dt * (p.income_growth + p.ai_income_premium * s.capability))
    now, start = np.searchsorted(INCOME_THRESHOLDS, s.gdp_pc), s.gdp_group0
    group = np.where(now > start, np.maximum(s.income_group0, now), np.where(now < start, np.minimum(s.income_group0, now),
                                                                           s.income_group0))
    s.income_group = group.astype(np.int8)


def ref_drift(s, positions, p, dt):
    weight = rows.forum_sum(s.engagement)
    pull = rows.forum_sum(s.engagement * (rows.forum_row(positions) - s.alignment[..., None]))
    pull = np.divide(pull, weight, out=np.zeros_like(pull), where=weight > 0)
    sanctioner = s.policy.sanction_forum
    if (sanctioner >= 0) if isinstance(sanctioner, int) else np.any(sanctioner >= 0):
        away = np.sign(s.alignment - rows.at(positions, sanctioner if isinstance(sanctioner, int) else np.maximum(sanctioner, 0)))
        push = s.policy.sanction * s.policy.blocked * away
        push = push if np.ndim(sanctioner) == 0 else np.where(sanctioner >= 0, push, 0.0)
    else:
        push = np.zeros_like(pull)
    discipline = s.policy.discipline
    if s.policy.holds("discipline") and discipline.any():
        count = discipline.sum(axis=-1)
        away = (discipline * np.sign(s.alignment[..., None] - rows.forum_row(positions))).sum(axis=-1)
        push = push + np.divide(away, count, out=np.zeros_like(away), where=count > 0)
    s.alignment = np.minimum(np.maximum(s.alignment + dt * (p.alignment_drift * pull + p.sanction_repulsion * push), -1.0), 1.0)


# ---- states with edge values -----------------------------------------------------------------------------
def one_state(rng: np.random.Generator, n: int = 41, k: int = 3) -> State:
    """A random state of ``n`` countries and ``k`` forums, its first rows edge cases."""
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    engagement = rng.uniform(0, 1, (n, k)) * (rng.random((n, k)) < 0.7)
    engagement[0], engagement[1] = 0.0, -0.0  # nothing engaged: no pull
    gdp = 10 ** u(2.5, 5)
    gdp[:4] = [INCOME_THRESHOLDS[0], INCOME_THRESHOLDS[1], np.nextafter(INCOME_THRESHOLDS[2], 0), 0.0]
    s = State(iso3=np.array([f"C{i}" for i in range(n)], dtype=object), population=10 ** u(3, 9), internet=u(0, 1),
              gdp_pc=gdp, income_group=rng.integers(0, 4, n).astype(np.int8), readiness=u(0, 1),
              compute=10 ** u(-8, 3), knowhow=u(0, 5), capability=u(0, 1), adoption=u(0, 1), skills=u(0, 1),
              internet_slope=u(0, 0.5), alignment=u(-1, 1), budget=u(0.5, 1), tier=np.ones(n, np.int8),
              engagement=engagement, status=np.zeros((n, k), np.int8), partner_since=np.full((n, k), np.nan),
              taste=np.zeros((n, k)), dissatisfaction=np.zeros(n), year=2031.25, start_year=2023.0,
              world_investment=float(rng.uniform(1, 100)), world_capacity=float(rng.uniform(100, 1000)))
    s.gdp_pc = s.gdp_pc * rng.choice([0.5, 0.999, 1.0, 1.001, 2.0], n)  # crossings up and down
    s.internet[:6] = [0.0, 1.0, -0.0, 1e-7, 1 - 1e-9, 0.5]
    s.internet_slope[5] = np.inf
    s.readiness[6:9] = [0.0, 1.0, -0.0]  # no diffusion (lambda 0): the limit dt
    s.skills[9:11], s.adoption[9:11], s.knowhow[11:13] = [0.0, 1.0], [0.0, -0.0], [0.0, -0.0]
    s.compute[13:16] = [0.0, s.compute.max(), s.compute.max()]  # a tie for the leader
    s.alignment[16:20] = [1.0, -1.0, 0.0, -0.0]
    s.policy.api_delay[:] = rng.choice([0.0, 0.5, np.inf], n)
    s.policy.blocked[:] = rng.choice([0.0, 0.3, 1.0], n)
    s.policy.open_cut_country[:] = rng.choice([0.0, 0.25, 20.0], n)
    s.policy.adoption_mult[:] = rng.choice([1.0, 1.5], n)
    s.producers, s.producer_delays = np.array([14, 20]), np.array([0.0, 0.75])
    return s


def states(shape: str, seed: int, k: int = 3):
    """(state, params) for one run, or for a batch of R replicates with per-replicate columns."""
    rng = np.random.default_rng(seed)
    if shape == "one":
        s = one_state(rng, k=k)
        s.policy.diffusion_mult, s.policy.open_cut = 1.25, 0.5
        return s, P
    s = stack_states([one_state(rng, k=k) for _ in range(R)])
    s.policy.diffusion_mult, s.policy.open_cut = np.array([[1.0], [1.5], [0.75]]), np.array([[0.0], [0.5], [3.0]])
    p = SimpleNamespace(**{name: getattr(P, name) for name in type(P).model_fields})
    for name in COLUMNS:
        setattr(p, name, getattr(P, name) * np.array([[1.0], [0.5], [1.5]]))
    return s, p


def same(new, ref) -> None:
    """Equal bit for bit: shape, dtype, values, NaN where NaN, the sign of every zero."""
    new, ref = np.asarray(new), np.asarray(ref)
    assert new.shape == ref.shape and new.dtype == ref.dtype
    assert np.array_equal(new, ref, equal_nan=ref.dtype.kind == "f")
    if ref.dtype.kind == "f":
        assert np.array_equal(np.signbit(new), np.signbit(ref))


def pair(shape, seed, k=3):
    s, p = states(shape, seed, k)
    return s, copy.deepcopy(s), p


SHAPES = pytest.mark.parametrize("shape,seed", [(shape, seed) for shape in ("one", "batch") for seed in range(4)])
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and NaN on purpose: numpy warns for both


# ---- the tests -------------------------------------------------------------------------------------------
@SHAPES
def test_knowhow_speed_and_relaxation(shape, seed):
    s, _, p = pair(shape, seed)
    rng = np.random.default_rng(seed)
    forum_access, received = rng.uniform(0, 1, s.internet.shape), rng.choice([0.0, 0.2], s.internet.shape)
    leader = rows.leader(s.compute)
    lam, knowhow = ref_knowhow(s, forum_access, received, p, 0.25, leader)
    same(frontier.knowhow_speed(s, forum_access, received, p), lam)
    same(frontier.relax_knowhow(s.knowhow, lam, 0.25, p, leader), knowhow)
    lam[..., :3] = [1e-12, 1e-13, np.inf]  # at and below the limit; infinitely fast
    same(frontier.relax_knowhow(s.knowhow, lam, 0.25, p, leader), ref_relax(s.knowhow, lam, 0.25, p, leader))


@SHAPES
def test_internet_along_its_trend(shape, seed):
    new, ref, p = pair(shape, seed)
    frontier.grow_internet(new, p, 0.25)
    same(new.internet, ref_logit_trend(ref.internet, p.internet_trend * ref.internet_slope * 0.25))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True, width=64),
                          st.floats(allow_nan=True, allow_infinity=True, width=64)), min_size=1, max_size=20))
def test_logit_trend_on_any_floats(pairs):
    share, shift = np.array(pairs).T
    with np.errstate(all="ignore"):
        same(frontier.along_trend(share, 1.0, shift, 1.0), ref_logit_trend(share, shift))


@SHAPES
def test_adoption_and_skills(shape, seed):
    new, ref, p = pair(shape, seed)
    received = np.random.default_rng(seed).choice([0.0, 0.3, 5.0], new.skills.shape)
    frontier.adopt(new, received, p, 0.25)
    ref_adopt(ref, received, p, 0.25)
    same(new.skills, ref.skills)
    same(new.adoption, ref.adoption)
    same(frontier.skill(new), ref.readiness + (1.0 - ref.readiness) * ref.skills)


@SHAPES
def test_access_routes_and_capability(shape, seed):
    new, ref, p = pair(shape, seed)
    routes = ref_access(ref, p)
    frontier.access(new, p)
    same(new.lag, ref.lag)
    same(new.frontier_access, ref.frontier_access)
    same(new.open_lag, ref.open_lag)
    if shape == "one":
        same(frontier.route_lags(new, p), routes)
    z = np.array([-1.0, -0.0, 0.0, 3.0, np.inf, np.nan])
    same(frontier.capability_of(z, P), 1.0 - np.exp2(-np.maximum(z, 0.0) / P.capability_half_orders))


@SHAPES
def test_intensity_of_use_and_capability(shape, seed):
    new, ref, p = pair(shape, seed)
    same(frontier.available_compute(new, p), ref_available(ref, p))
    frontier.use_intensity(new, p)
    new.capability = frontier.used_capability(new)
    ref_use_intensity(ref, p)
    same(new.intensity, ref.intensity)
    same(new.capability, ref.capability)


@SHAPES
def test_compute_grows(shape, seed):
    new, ref, p = pair(shape, seed)
    dynamics.grow_compute(new, p, 0.25)
    ref_grow_compute(ref, p, 0.25)
    for name in ("compute", "world_capacity", "world_investment"):
        same(getattr(new, name), getattr(ref, name))


@pytest.mark.parametrize("dt", [0.0, 0.25])  # dt 0: GDP stays exactly at the thresholds
@SHAPES
def test_income_and_its_groups(shape, seed, dt):
    new, ref, p = pair(shape, seed)
    for s in (new, ref):
        s.gdp_pc[..., :5] = [INCOME_THRESHOLDS[0], INCOME_THRESHOLDS[1], INCOME_THRESHOLDS[2], 0.0, np.nan]  # NaN: above all
    dynamics.grow_income(new, p, dt)
    ref_grow_income(ref, p, dt)
    same(new.gdp_pc, ref.gdp_pc)
    same(new.income_group, ref.income_group)


@pytest.mark.parametrize("module", [frontier, dynamics])
def test_min_and_max_of_the_loops_are_numpys(module):
    """Ties (-0.0 against 0.0: the second), NaN on either side, infinities."""
    values = [-0.0, 0.0, 1.0, -1.0, np.inf, -np.inf, np.nan]
    for a in values:
        for b in values:
            same(np.float64(module._maximum(a, b)), np.maximum(np.array([a] * 20), b)[0])
            same(np.float64(module._minimum(a, b)), np.minimum(np.array([a] * 20), np.array([b] * 20))[0])
            same(np.float64(module._maximum(a, b)), np.maximum(a, np.array([b]))[0])


@pytest.mark.parametrize("k", [0, 1, 3, 7, 8, 9, 16, 131, 300])
@pytest.mark.parametrize("shape", ["one", "batch"])
def test_alignment_drift_over_any_number_of_forums(shape, k):
    new, ref, p = pair(shape, k, k)
    positions = np.random.default_rng(k).uniform(-1, 1, new.engagement.shape[:-2] + (k,))
    dynamics.drift_alignment(new, positions, p, 0.25)
    ref_drift(ref, positions, p, 0.25)
    same(new.alignment, ref.alignment)


@pytest.mark.parametrize("k", [4, 9])
@pytest.mark.parametrize("sanctioner", [-1, 1, "column"])
@pytest.mark.parametrize("shape", ["one", "batch"])
def test_alignment_drift_with_sanctions_and_discipline(shape, sanctioner, k):
    new, ref, p = pair(shape, 7, k)
    for s in (new, ref):
        s.policy.sanction_forum = np.array([[1], [-1], [2]]) if sanctioner == "column" and shape == "batch" else (
            1 if sanctioner == "column" else sanctioner)
        s.policy.sanction[..., ::3] = 1.0
        s.policy.discipline[..., ::5, 2] = 1.0
        s.policy.discipline[..., 19, :] = 1.0  # alignment -0.0 against a position 0.0: sign -0.0
    positions = np.random.default_rng(7).uniform(-1, 1, new.engagement.shape[:-2] + (k,))
    positions[..., 0] = 0.0
    dynamics.drift_alignment(new, positions, p, 0.25)
    ref_drift(ref, positions, p, 0.25)
    same(new.alignment, ref.alignment)


def test_sign_is_numpys():
    values = np.array([-2.0, -0.0, 0.0, 3.0, np.inf, -np.inf, np.nan])
    same(np.array([dynamics._sign(v) for v in values]), np.sign(values))


@pytest.mark.parametrize("shape", ["one", "batch"])
def test_diplomatic_budget(shape):
    s, _ = states(shape, 0)
    b = Budget(floor=0.3, readiness_elasticity=0.7) if shape == "one" else SimpleNamespace(
        floor=np.array([[0.25], [0.0], [1.0]]), readiness_elasticity=np.array([[1.0], [0.5], [2.0]]))
    same(dynamics.diplomatic_budget(s.readiness, b), b.floor + (1 - b.floor) * s.readiness**b.readiness_elasticity)


@SHAPES
def test_a_whole_advance(shape, seed):
    """dynamics.advance (every function above in its order) against the references in the same order."""
    new, ref, p = pair(shape, seed)
    rng = np.random.default_rng(seed)
    forum_access, received = rng.uniform(0, 1, new.internet.shape), rng.choice([0.0, 0.2], new.internet.shape)
    positions = rng.uniform(-1, 1, new.engagement.shape[:-2] + (3,))
    dynamics.advance(new, forum_access, received, positions, p, 0.25)
    ref_grow_compute(ref, p, 0.25)
    _, ref.knowhow = ref_knowhow(ref, forum_access, received, p, 0.25, rows.leader(ref.compute))
    ref.internet = ref_logit_trend(ref.internet, p.internet_trend * ref.internet_slope * 0.25)
    ref_adopt(ref, received, p, 0.25)
    ref.year += 0.25
    ref_access(ref, p)
    ref_use_intensity(ref, p)
    ref_grow_income(ref, p, 0.25)
    ref_drift(ref, positions, p, 0.25)
    for name in ("compute", "knowhow", "internet", "skills", "adoption", "lag", "frontier_access", "open_lag", "intensity",
                 "capability", "gdp_pc", "income_group", "alignment", "world_capacity", "world_investment"):
        same(getattr(new, name), getattr(ref, name))
