"""The compiled steps of a membership review (govsim/membership.py: ``leave``, ``outreach``,
``apply_to_join``; govsim/enlargement.py: ``alignment_gate``, ``application_motive``) give what their
numpy formulas give, bit for bit, NaN and the sign of zero included (the references are the numpy
versions they replaced)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from govsim import enlargement, membership
from govsim.decision import option_value
from govsim.codes import HIGH_INCOME, NONE, PARTNER

N, K = 12, 4
odd = st.sampled_from([0.0, -0.0, 0.5, 1.0, 1.5, -0.25, np.nan, np.inf, -np.inf])
values = st.one_of(st.floats(-2, 2), odd)
statuses = arrays(np.int8, (N, K), elements=st.integers(0, 3))
flags = arrays(bool, (N, K))


def test_the_compiled_minimum_is_numpys_nan_included():
    a = np.array([np.nan, 0.0, 1.0, -np.inf, np.nan, 2.0, -0.0, 0.0])
    b = np.array([0.0, np.nan, 2.0, -np.inf, np.nan, -1.0, 0.0, -0.0])
    got = np.array([enlargement._minimum.py_func(x, y) for x, y in zip(a, b)])
    np.testing.assert_array_equal(got, np.minimum(a, b))


@settings(max_examples=80, deadline=None)
@given(alignment=arrays(float, (3, N), elements=values), positions=arrays(float, (3, K), elements=values),
       clubs=arrays(bool, K), k=st.integers(0, K - 1), radius=st.one_of(st.floats(0, 2), st.sampled_from([0.0, 0.5, 1.0])),
       batch=st.booleans())
def test_alignment_gate_equals_the_numpy_formula(alignment, positions, clubs, k, radius, batch):
    clubs[k] = True
    if not batch:
        alignment, positions = alignment[0], positions[0]
    with np.errstate(invalid="ignore"):
        distance = np.abs(alignment[..., :, None] - positions[..., None, :])
        nearest = np.where(clubs, distance, np.inf).min(axis=-1)
        want = (distance[..., k] <= radius) & (distance[..., k] <= nearest + 1e-12)
        got = enlargement.alignment_gate(alignment, positions, clubs, k, radius)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=80, deadline=None)
@given(gain=arrays(float, N, elements=values), tier=arrays(np.int8, N, elements=st.integers(1, 3)),
       blocked=arrays(float, N, elements=values), income=arrays(np.int8, N, elements=st.integers(0, 3)),
       weights=st.tuples(st.floats(0, 20), st.floats(0, 20)))
def test_application_motive_equals_the_numpy_formula(gain, tier, blocked, income, weights):
    s = SimpleNamespace(tier=tier, policy=SimpleNamespace(blocked=blocked), income_group=income)
    e = SimpleNamespace(apply_sanctions=weights[0], apply_finance=weights[1])
    with np.errstate(invalid="ignore"):
        exposure = np.maximum((tier == 3).astype(float), np.minimum(np.maximum(blocked, 0.0), 1.0))
        need = (HIGH_INCOME - income.astype(float)) / HIGH_INCOME
        want = gain + e.apply_sanctions * exposure + e.apply_finance * need
        got = enlargement.application_motive(gain, s, e)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def _state(status, locked, **more):
    return SimpleNamespace(status=status.copy(), partner_since=np.where(status >= PARTNER, 2024.0, np.nan),
                           policy=SimpleNamespace(locked=locked), year=2030.0, **more)


def _behaviour(**numbers):
    return SimpleNamespace(decision=SimpleNamespace(outside_utility=numbers.pop("outside")),
                           membership=SimpleNamespace(**numbers))


@settings(max_examples=80, deadline=None)
@given(status=statuses, locked=flags, clubs=arrays(bool, K), u_now=arrays(float, (N, K), elements=values),
       draw=arrays(float, (N, K), elements=st.floats(0, 1)), numbers=st.tuples(values, st.floats(0, 1), st.floats(0, 1)))
def test_leave_equals_the_numpy_formula(status, locked, clubs, u_now, draw, numbers):
    b = _behaviour(outside=numbers[0], exit_threshold=numbers[1], p_exit=numbers[2])
    s = _state(status, locked)
    with np.errstate(invalid="ignore"):
        unhappy = (((status >= PARTNER) & clubs) & (u_now < numbers[0] - numbers[1]) & (draw < numbers[2]) & ~locked)
        membership.leave(s, clubs, u_now, b, draw)
    np.testing.assert_array_equal(s.status, np.where(unhappy, NONE, status))
    np.testing.assert_array_equal(np.isnan(s.partner_since), unhappy | (status < PARTNER))


@settings(max_examples=80, deadline=None)
@given(status=statuses, locked=flags, alignment=arrays(float, N, elements=values), standing=arrays(float, N, elements=values),
       u_join=arrays(float, N, elements=values), club=st.tuples(values, st.floats(0, 2), st.floats(0, 1)),
       outside=values, k=st.integers(0, K - 1))
def test_outreach_equals_the_numpy_formula(status, locked, alignment, standing, u_join, club, outside, k):
    position, radius, least = (np.full(K, x) for x in club)
    forums = SimpleNamespace(position=position, spec={"outreach_radius": radius, "outreach_min_capability": least})
    b = SimpleNamespace(decision=SimpleNamespace(outside_utility=outside))
    s = _state(status, locked, alignment=alignment, standing=standing)
    with np.errstate(invalid="ignore"):
        offer = ((status[:, k] == NONE) & (np.abs(alignment - club[0]) <= club[1]) & (standing >= club[2])
                 & (u_join > outside) & ~locked[:, k])
        membership.outreach(s, forums, k, u_join, b)
    np.testing.assert_array_equal(s.status[:, k], np.where(offer, PARTNER, status[:, k]))
    np.testing.assert_array_equal(s.partner_since[:, k] == 2030.0, offer)


@settings(max_examples=80, deadline=None)
@given(status=statuses, locked=flags, close=arrays(bool, N), motive=arrays(float, N, elements=values),
       draw=arrays(float, N, elements=st.floats(0, 1)), numbers=st.tuples(st.floats(0, 20), st.floats(0, 1)),
       k=st.integers(0, K - 1))
def test_apply_to_join_equals_the_numpy_formula(status, locked, close, motive, draw, numbers, k):
    b = _behaviour(outside=0.0, apply_threshold=numbers[0], p_apply=numbers[1])
    s = _state(status, locked)
    free = (status[:, k] == NONE) & ~locked[:, k]
    with np.errstate(invalid="ignore"):
        keen = free & (np.where(close, motive, -np.inf) > numbers[0]) & (draw < numbers[1])
        membership.apply_to_join(s, k, close, motive, b, draw)
    np.testing.assert_array_equal(s.status[:, k], np.where(keen, 1, status[:, k]))


def reference_gain(u_now, u_join, eligible, k, outside, temperature):
    """The joining gains as two numpy option values on the gathered rows (the formulation replaced)."""
    without = eligible.copy()
    without[:, k] = False
    with_k = without.copy()
    with_k[:, k] = True
    u = u_now.copy()
    u[:, k] = u_join[:, k]
    return option_value(u, with_k, outside, temperature) - option_value(u, without, outside, temperature)


@settings(max_examples=80, deadline=None)
@given(u_now=arrays(float, (3, N, K), elements=st.floats(-3, 3)), u_join=arrays(float, (3, N, K), elements=st.floats(-3, 3)),
       eligible=arrays(bool, (3, N, K)), needed=arrays(bool, (3, N)), k=st.integers(0, K - 1),
       outside=st.floats(-1, 1), temperature=st.floats(0.05, 2), batch=st.booleans())
def test_joining_gain_equals_the_two_numpy_option_values(u_now, u_join, eligible, needed, k, outside, temperature, batch):
    """membership._joining_gain (the needed rows stacked twice by a compiled loop, one option value)
    equals the option value with club k less the one without, each row on its own, bit for bit."""
    b = SimpleNamespace(decision=SimpleNamespace(outside_utility=outside, temperature=temperature))
    if not batch:
        u_now, u_join, eligible, needed = u_now[0], u_join[0], eligible[0], needed[0]
    got = membership._joining_gain(u_now, u_join, eligible, k, b, needed)
    want = np.full(needed.shape, np.nan)
    want[needed] = reference_gain(u_now[needed], u_join[needed], eligible[needed], k, outside, temperature)
    np.testing.assert_array_equal(got, want)
