"""frontier.access's one compiled loop (own route, the frontier's own lag taken off, the open route over the
producers, the quickest route and the largest open route) and dynamics.keep_finite's compiled test equal
the numpy/Python code they replace bit for bit, including the edges that code decides by its own rules:
a zero minimum own route of both signs (numpy's min picks one), no producers, NaN limits and cuts
(Python's min/max for one run, numpy's for a batch), NaN and huge stocks; likewise frontier.diffuse (know-how
speed and relaxation from the compute leader, found inside its loop) and the remembered exp of skill decay."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest

from govsim import dynamics, frontier, rows
from test_fused_evolve import P, same, states

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def ref_open_lag(own, producers, delays, cut, p):
    """frontier.open_lag before the loop (main, issue 14 fourth round)."""
    if own.ndim > 1:
        best = ((np.take_along_axis(own, producers, -1) + delays).min(axis=-1, keepdims=True) if producers.size
                else np.full((len(own), 1), p.max_lag_years))
        return np.minimum(np.maximum(best - cut, 0.0), p.max_lag_years)
    best = float((own[producers] + delays).min()) if producers.size else p.max_lag_years
    return min(max(best - cut, 0.0), p.max_lag_years)


def ref_access(s, p):
    """frontier.access and route_lags before the loop: numpy calls and Python's min/max."""
    deficit = np.log10(rows.top(s.compute) + 1e-300) - np.log10(np.maximum(s.compute, 1e-300))
    own = np.minimum(p.compute_lag_elasticity * deficit / frontier.frontier_growth(p) + s.knowhow, p.max_lag_years)
    own = own - rows.bottom(own)
    api = p.api_lag_years + s.policy.api_delay
    opened = np.maximum(ref_open_lag(own, s.producers, s.producer_delays, s.policy.open_cut, p) - s.policy.open_cut_country, 0.0)
    s.lag = np.minimum(np.minimum(np.minimum(own, api), opened), p.max_lag_years)
    s.open_lag = rows.top(opened) if opened.ndim > 1 else float(opened.max())
    z = frontier.frontier_orders(s.year, s.start_year, p) - frontier.frontier_growth(p) * s.lag
    s.frontier_access = 1.0 - np.exp2(-np.maximum(z, 0.0) / p.capability_half_orders)
    return np.stack([own, api, opened], axis=-1)


def edged(shape, seed, case):
    """A state and parameters with one of the edges ``case`` names."""
    s, p = states(shape, seed)
    p = SimpleNamespace(**{name: getattr(p, name) for name in type(P).model_fields}) if shape == "one" else p
    if case == "signed zeros":  # own routes of 0.0 and -0.0 at the minimum: numpy's min chooses
        s.compute[...] = 5.0
        p.compute_lag_elasticity = -1.0
        s.knowhow[..., ::2] = -0.0
        s.knowhow[..., 1::2] = 0.0
    elif case == "one signed zero":
        s.compute[...] = 5.0
        p.compute_lag_elasticity = -1.0
        s.knowhow[...] = -0.0
    elif case == "no producers":
        s.producers, s.producer_delays = s.producers[..., :0], s.producer_delays[..., :0]
    elif case == "NaN limit":
        p.max_lag_years = np.nan
    elif case == "NaN cut":
        s.policy.open_cut = np.nan
    elif case == "NaN compute":
        s.compute[..., 3] = np.nan
    elif case == "NaN knowhow at a producer":
        s.knowhow[..., 20] = np.nan
    elif case == "negative cut":
        s.policy.open_cut = -40.0
    return s, p


CASES = ["plain", "signed zeros", "one signed zero", "no producers", "NaN limit", "NaN cut", "NaN compute",
         "NaN knowhow at a producer", "negative cut"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("shape", ["one", "batch"])
def test_access_loop_is_the_numpy_formula(shape, case):
    new, p = edged(shape, 1, case)
    ref = copy.deepcopy(new)
    routes = ref_access(ref, p)
    frontier.access(new, p)
    for name in ("lag", "frontier_access", "open_lag"):
        same(getattr(new, name), getattr(ref, name))
    assert type(new.open_lag) is type(ref.open_lag)
    same(frontier.route_lags(new, p), routes)


def test_signed_zeros_case_reaches_numpys_min():
    """The edge case above does make the loop ask numpy for the minimum (it is not vacuous)."""
    s, p = edged("one", 1, "signed zeros")
    calls = []
    bottom = rows.bottom
    rows.bottom = lambda x: calls.append(1) or bottom(x)
    try:
        frontier.access(s, p)
    finally:
        rows.bottom = bottom
    assert calls


def ref_keep_finite(s):
    """dynamics.keep_finite of one run before the loop."""
    if max(s.world_investment, s.world_capacity, s.compute.max(initial=0.0)) > dynamics.COMPUTE_RESCALE_AT:
        s.compute = s.compute / dynamics.COMPUTE_RESCALE_AT
        s.world_investment /= dynamics.COMPUTE_RESCALE_AT
        s.world_capacity /= dynamics.COMPUTE_RESCALE_AT
    if s.gdp_pc.max(initial=0.0) > dynamics.GDP_PC_CEILING:
        s.gdp_pc = np.minimum(s.gdp_pc, dynamics.GDP_PC_CEILING)


BIG = dynamics.COMPUTE_RESCALE_AT


@pytest.mark.parametrize("investment,capacity,top,gdp", [
    (1.0, 2.0, 3.0, 1e4), (BIG * 2, 1.0, 1.0, 1e4), (1.0, BIG * 2, 1.0, 1e4), (1.0, 1.0, BIG * 2, 1e4),
    (np.nan, BIG * 2, 1.0, 1e4), (BIG * 2, np.nan, 1.0, 1e4), (1.0, 1.0, np.nan, 1e4), (BIG * 2, 1.0, np.nan, 1e4),
    (np.nan, 1.0, BIG * 2, 1e4), (1.0, 1.0, BIG, 1e101), (1.0, 1.0, 1.0, np.nan), (1.0, 1.0, 1.0, 1e100),
    (1.0, 1.0, -0.0, np.inf)])
def test_keep_finite_of_one_run(investment, capacity, top, gdp):
    new, _ = states("one", 2)
    new.world_investment, new.world_capacity = investment, capacity
    new.compute[7], new.gdp_pc[5] = top, gdp
    ref = copy.deepcopy(new)
    ref_keep_finite(ref)
    dynamics.keep_finite(new)
    for name in ("compute", "gdp_pc", "world_investment", "world_capacity"):
        same(getattr(new, name), getattr(ref, name))


@pytest.mark.parametrize("values", [[1.0, 3.0, 3.0, 2.0], [-0.0, 0.0], [0.0, -0.0], [1.0, np.nan, 5.0, np.nan], [np.nan, 1.0],
                                    [2.0, np.inf, np.inf], [-np.inf], [-1.0, -2.0, -1.0]])
def test_leader_is_numpys_argmax(values):
    assert frontier._leader(np.array(values)) == np.argmax(values)


@pytest.mark.parametrize("shape,seed,nan", [(shape, seed, nan) for shape in ("one", "batch") for seed in range(3)
                                            for nan in (False, True)])
def test_diffusion_is_speed_then_relaxation_from_the_leader(shape, seed, nan):
    """frontier.diffuse (two loops, the leader found inside) equals knowhow_speed then relax_knowhow from
    rows.leader (numpy's argmax), with ties for the leader and, once, a NaN stock."""
    from test_fused_evolve import ref_knowhow
    new, p = states(shape, seed)
    if nan:
        new.compute[..., 4] = np.nan
    ref = copy.deepcopy(new)
    rng = np.random.default_rng(seed)
    forum_access, received = rng.uniform(0, 1, new.internet.shape), rng.choice([0.0, 0.2], new.internet.shape)
    frontier.diffuse(new, forum_access, received, p, 0.25)
    _, knowhow = ref_knowhow(ref, forum_access, received, p, 0.25, rows.leader(ref.compute))
    same(new.knowhow, knowhow)


@pytest.mark.parametrize("decay,dt", [(0.1, 0.25), (0.0, 0.25), (1, 1), (np.float64(0.3), 0.5)])
def test_skills_kept_is_numpys_exp(decay, dt):
    same(frontier._skills_kept(decay, dt), np.exp(-decay * dt))
    column = np.array([[decay], [2 * decay]])
    same(frontier._skills_kept(column, dt), np.exp(-column * dt))


def test_drift_with_discipline_held_but_zero_keeps_a_negative_zero():
    """One run whose discipline is held but all zero: the loop finds that itself (no numpy ``any``) and
    adds nothing, so a push of -0.0 stays -0.0 (adding 0.0 would turn -0.0 + -0.0 into 0.0)."""
    from test_fused_evolve import ref_drift
    new, p = states("one", 0)
    p = SimpleNamespace(**{name: getattr(p, name) for name in type(P).model_fields})
    p.alignment_drift = -1.0
    new.engagement[19] = 0.0
    new.alignment[19] = -0.0
    new.policy.sanction_forum, new.policy.sanction[19], new.policy.blocked[19] = 0, 0.0, 0.3
    positions = np.array([0.5, -0.2, 0.1])
    ref = copy.deepcopy(new)
    ref_drift(ref, positions, p, 0.25)
    dynamics.drift_alignment(new, positions, p, 0.25)
    assert np.signbit(ref.alignment[19]) and new.policy.holds("discipline")
    same(new.alignment, ref.alignment)


@pytest.mark.parametrize("shape", ["one", "batch"])
def test_received_without_capacity_building_is_policys_answer(shape):
    """phases._received skips the engagement comparison only where Policy.cb_received answers zeros anyway."""
    from govsim.phases import _received
    s, _ = states(shape, 0)
    s.policy.reset(fields=())  # no shock writes cb_offer: not held
    same(_received(s, 0.1), s.policy.cb_received(s.engagement >= 0.1))
    s.policy.reset()  # held: the policy's own answer
    s.policy.cb_offer[..., 3, 1] = 2.0
    same(_received(s, 0.1), s.policy.cb_received(s.engagement >= 0.1))
