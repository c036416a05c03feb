"""The compiled loops of govsim/decision.py give the numpy formulas' numbers bit for bit.

The references below are the formulas as numpy expressions (the kernel's code before issue 14's
third round), so a change of the loops' arithmetic or of its order fails here, for one run's
(N, K) arrays and a batch's (R, N, K) arrays with per-replicate parameters.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from govsim import rows
from govsim.codes import MEMBER, PARTNER
from govsim.decision import choose, network_share, option_value, utilities, utilities_under
from govsim.replicates import stack_behaviour, stack_forums, stack_states
from numpy_reference import access_weight, stepped_runs


def reference_utilities(s, view, p, status):
    c = s.standing[..., None]
    weak = 1 - c
    budget = s.budget[..., None]
    scope = view.reach * weak + view.depth * np.where(view.universal, weak, c)
    distance = view.depth * np.abs(s.alignment[..., None] - view.position)
    stickiness = 1.0 / (1.0 + s.dissatisfaction / rows.per_country(p.dissatisfaction_years))
    inertia = s.engagement / budget * stickiness[..., None]
    cost = p.w_cost * view.cost * s.policy.cost_mult
    member = (status == MEMBER) | view.universal
    access = view.tech_access * access_weight(status, view, member) * np.maximum(view.level - c, 0.0)
    access = access + s.policy.cb_offer * p.horizon_years
    n_members = np.maximum(member.sum(axis=-2, keepdims=True), 1)
    voice = np.where(member, view.authority * (1.0 / n_members) ** p.voice_exponent, 0.0)
    network = network_share(s.alignment, s.engagement, p.network_bandwidth)
    u = (p.w_access * access + p.w_voice * voice + p.w_scope * scope + p.w_network * network - p.w_distance * distance
         - cost / budget - p.w_penalty * s.policy.penalty + s.policy.pull * s.policy.blocked[..., None])
    return u + s.policy.appeal + p.inertia * inertia + s.taste


def reference_choose(u, eligible, budget, outside, temperature):
    masked = np.where(eligible, u, -np.inf)
    best = masked.max(axis=-1)
    z = masked / temperature
    base = rows.per_country(outside / temperature)
    top = np.maximum(best / rows.per_country(temperature), base)
    weights = np.exp(z - top[..., None])
    denominator = np.exp(base - top) + weights.sum(axis=-1)
    return budget[..., None] * weights / denominator[..., None], best


def reference_option_value(u, eligible, outside, temperature):
    z = np.where(eligible, u / temperature, -np.inf)
    top = np.maximum(z.max(axis=-1), outside / temperature)
    return temperature * (top + np.log(np.exp(outside / temperature - top) + np.exp(z - top[..., None]).sum(axis=-1)))


@pytest.mark.parametrize("name", ["baseline", "export_controls_escalation", "interoperability", "ai_public_good",
                                  "capacity_building"])
def test_utilities_equal_the_numpy_formula_in_one_run_and_a_batch(name):
    checked = 0
    for scenario, runs in stepped_runs(name, 12):
        p = scenario.behaviour.decision
        for _, forums, state, _ in runs:
            for status in (state.status, np.where(~forums.universal, np.maximum(state.status, PARTNER), state.status)):
                np.testing.assert_array_equal(utilities(state, forums.view(), p, status),
                                              reference_utilities(state, forums.view(), p, status))
                checked += 1
        # a batch of the seeds, whose replicates differ in two weights (per-replicate (R, 1, 1) columns)
        variants = [p, p.model_copy(update={"w_access": p.w_access * 1.5, "dissatisfaction_years": 3.0})]
        stacked, forums = stack_states([r[2] for r in runs]), stack_forums([r[1] for r in runs])
        behaviour = stack_behaviour([scenario.behaviour.model_copy(update={"decision": v}) for v in variants]).decision
        np.testing.assert_array_equal(utilities(stacked, forums.view(), behaviour, stacked.status),
                                      reference_utilities(stacked, forums.view(), behaviour, stacked.status))
        single = utilities(runs[1][2], runs[1][1].view(), variants[1], runs[1][2].status)
        np.testing.assert_array_equal(utilities(stacked, forums.view(), behaviour, stacked.status)[1], single)
    assert checked > 0


@pytest.mark.parametrize("name", ["baseline", "export_controls_escalation"])
def test_a_reviews_two_statuses_in_one_call_equal_one_call_each(name):
    """membership.review_utilities scores "as a partner of every club" and the current status in one call
    (decision.utilities_under): the numpy formula's numbers for each, in one run and in a batch."""
    for scenario, runs in stepped_runs(name, 8):
        p = scenario.behaviour.decision
        states = [(state, forums) for _, forums, state, _ in runs]
        states.append((stack_states([r[2] for r in runs]), stack_forums([r[1] for r in runs])))
        for state, forums in states:
            statuses = [np.where(~forums.universal, np.maximum(state.status, PARTNER), state.status), state.status]
            network = network_share(state.alignment, state.engagement, p.network_bandwidth)
            both = utilities_under(state, forums.view(), p, statuses, network)
            for u, status in zip(both, statuses):
                np.testing.assert_array_equal(u, reference_utilities(state, forums.view(), p, status))


utility = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(u=arrays(float, (2, 7, 3), elements=utility), eligible=arrays(bool, (2, 7, 3)),
       budget=arrays(float, (2, 7), elements=st.floats(0, 2)), outside=utility,
       temperature=st.lists(st.floats(0.05, 10), min_size=2, max_size=2))
def test_choice_and_option_value_equal_the_numpy_formulas(u, eligible, budget, outside, temperature):
    eligible[0, 0] = False  # a country with no forum open to it
    for t in (temperature[0], np.array(temperature).reshape(2, 1, 1)):  # one number, or per replicate
        for got, want in zip(choose(u, eligible, budget, outside, t), reference_choose(u, eligible, budget, outside, t)):
            np.testing.assert_array_equal(got, want)
    for r in range(2):  # option values are taken per replicate (membership reviews): (N, K) rows
        np.testing.assert_array_equal(option_value(u[r], eligible[r], outside, temperature[r]),
                                      reference_option_value(u[r], eligible[r], outside, temperature[r]))


def reference_network_share(alignment, engagement, bandwidth):
    """The network term with numpy's bincount, one run ((N,), (N, K))."""
    bins = 41
    which = np.minimum(np.maximum(np.rint((alignment + 1.0) / 2.0 * (bins - 1)).astype(np.intp), 0), bins - 1)
    counts = np.bincount(which, minlength=bins).astype(float)
    k = engagement.shape[-1]
    sums = np.bincount((which[:, None] * k + np.arange(k)).ravel(), weights=engagement.ravel(), minlength=bins * k)
    edges = np.linspace(-1.0, 1.0, bins)
    kernel = 2.0 ** (-((edges[:, None] - edges[None, :]) / bandwidth) ** 2)
    return ((kernel @ sums.reshape(bins, k)) / np.maximum(kernel @ counts, 1e-12)[:, None])[which]


@settings(max_examples=40, deadline=None)
@given(alignment=arrays(float, (2, 50), elements=st.floats(-1, 1)), engagement=arrays(float, (2, 50, 3), elements=st.floats(0, 1)),
       bandwidth=st.lists(st.floats(0.05, 2), min_size=2, max_size=2))
def test_the_network_term_equals_numpys_bincount_in_one_run_and_a_batch(alignment, engagement, bandwidth):
    for r in range(2):
        np.testing.assert_array_equal(network_share(alignment[r], engagement[r], bandwidth[r]),
                                      reference_network_share(alignment[r], engagement[r], bandwidth[r]))
    per_replicate = network_share(alignment, engagement, np.array(bandwidth).reshape(2, 1, 1))
    shared = network_share(alignment, engagement, bandwidth[0])
    for r in range(2):
        np.testing.assert_array_equal(per_replicate[r], reference_network_share(alignment[r], engagement[r], bandwidth[r]))
        np.testing.assert_array_equal(shared[r], reference_network_share(alignment[r], engagement[r], bandwidth[0]))


def reference_decide(s, forums, p, dt, draw):
    """The decide phase as numpy wrote it (govsim/phases.py before issue 14's shocks round): the tastes'
    AR(1) step, then :func:`reference_utilities` and :func:`reference_choose` over the eligible forums."""
    persistence = p.taste_persistence**dt
    taste = persistence * s.taste + np.sqrt(1 - persistence**2) * p.taste_sd * draw
    moved = copy.copy(s)
    moved.taste = taste
    eligible = forums.universal[None, :] | (s.status >= PARTNER)
    return (taste, *reference_choose(reference_utilities(moved, forums.view(), p, s.status), eligible, s.budget,
                                     p.outside_utility, p.temperature))


@pytest.mark.parametrize("name", ["baseline", "export_controls_escalation", "ai_public_good"])
def test_the_decide_phase_equals_the_numpy_formulas_in_one_run_and_a_batch(name):
    from govsim.phases import decide

    def check(state, forums, p, dt, seed):
        draw = np.random.default_rng(seed).standard_normal(state.taste.shape)
        want = reference_decide(state, forums, p, dt, draw)
        moved = copy.copy(state)
        got = decide(moved, forums, p, dt, SimpleNamespace(standard_normal=lambda shape: draw.reshape(shape)))
        for a, b in zip((moved.taste, *got), want):
            np.testing.assert_array_equal(a, b)
            assert a.shape == b.shape
        return got

    for scenario, runs in stepped_runs(name, 8):
        p, dt = scenario.behaviour.decision, scenario.time.step_years
        for r, (_, forums, state, _) in enumerate(runs):
            check(state, forums, p, dt, r)
        variants = [p, p.model_copy(update={"taste_persistence": 0.5, "temperature": p.temperature * 2.0,
                                            "outside_utility": 0.1, "taste_sd": p.taste_sd * 0.5, "w_access": 2.0})]
        stacked, forums = stack_states([r[2] for r in runs]), stack_forums([r[1] for r in runs])
        behaviour = stack_behaviour([scenario.behaviour.model_copy(update={"decision": v}) for v in variants]).decision
        engagement, best = check(stacked, forums, behaviour, dt, 7)
        one = copy.copy(runs[1][2])  # the second replicate's own run, with its parameters and draws
        draw = np.random.default_rng(7).standard_normal(stacked.taste.shape)[1]
        single = decide(one, runs[1][1], variants[1], dt, SimpleNamespace(standard_normal=lambda shape: draw))
        np.testing.assert_array_equal(engagement[1], single[0])
        np.testing.assert_array_equal(best[1], single[1])
