"""The compiled loops of govsim/forums.py give the numpy formulas' numbers bit for bit.

The references below are the formulas as numpy expressions (the kernel's code before issue 14's
third round), so a change of the loops' arithmetic, or of the order in which they add, fails here,
for one run's (N, K) arrays and a batch's (R, N, K) arrays with per-replicate parameters. The
loops' sums rely on numpy's order of summation, checked first: rows one after another for a sum
over the countries of an (N, K) array with K >= 2, numpy's pairwise sum along a contiguous axis.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsim import rows
from govsim.codes import PARTNER
from govsim.forums import ForumSet, _numpy_sum, capability_mass
from govsim.replicates import stack_behaviour, stack_forums, stack_states
from numpy_reference import access_weight, stepped_runs


def reference_mass(state):
    mass = state.capability * state.gdp_pc * state.population
    if mass.ndim > 1:
        total = rows.total(mass)
        return np.where(total > 0, mass / np.where(total > 0, total, 1.0), 1.0 / state.n)
    total = mass.sum()
    return mass / total if total > 0 else np.full(state.n, 1.0 / state.n)


def reference_update(f, state, p):
    """ForumSet.update as numpy expressions, on ``f`` (a copy)."""
    universal = f.universal
    inside = universal | (state.status >= PARTNER)
    mass = reference_mass(state)
    engaged_inside = state.engagement * inside
    weight = mass[..., None] * engaged_inside
    total = weight.sum(axis=-2)
    has = total > 0
    safe = np.where(has, total, 1.0)
    x = state.alignment[..., None]
    votes = np.where(universal, engaged_inside, weight)
    total_votes = votes.sum(axis=-2)
    voted = total_votes > 0
    safe_votes = np.where(voted, total_votes, 1.0)
    f.position = np.where(voted, (votes * x).sum(axis=-2) / safe_votes, f.position)
    variance = np.where(voted, (votes * (x - rows.forum_row(f.position)) ** 2).sum(axis=-2) / safe_votes, 0.0)
    f.depth = f.spec["depth"] / (1.0 + p.heterogeneity_penalty * variance)
    for ks, rho in f.harmonise:
        pool = total[ks]
        if pool.sum() > 0:
            f.position[ks] += rho * (pool @ f.position[ks] / pool.sum() - f.position[ks])
    f.level = np.where(has, (weight * state.standing[..., None]).sum(axis=-2) / safe, 0.0)
    f.pool = total
    f.reach = np.where(universal, 1.0, (mass[..., None] * inside).sum(axis=-2))
    raw = f.pool**p.authority_exponent * f.depth * f.active
    if raw.ndim > 1:
        raw_total, active_total = raw.sum(axis=-1, keepdims=True), f.active.sum(axis=-1, keepdims=True)
        f.authority = np.where(raw_total > 0, raw / np.where(raw_total > 0, raw_total, 1.0), f.active / active_total)
    else:
        raw_total = raw.sum()
        f.authority = raw / raw_total if raw_total > 0 else f.active / f.active.sum()
    return f


def reference_access(f, state):
    view = f.view()
    gain = np.maximum(view.level - state.standing[..., None], 0.0)
    return rows.forum_sum(view.tech_access * access_weight(state.status, view) * gain * state.engagement)


FIELDS = ("position", "depth", "level", "pool", "reach", "authority")


def assert_same(forums, state, p):
    """update, access and capability_mass of ``forums`` equal the references exactly (``forums`` unchanged)."""
    np.testing.assert_array_equal(forums.access(state), reference_access(forums, state), strict=True)
    want = reference_update(copy.deepcopy(forums), state, p)
    got = copy.deepcopy(forums)
    got.update(state, p)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name, strict=True)
    np.testing.assert_array_equal(got.access(state), reference_access(want, state), strict=True)
    np.testing.assert_array_equal(capability_mass(state), reference_mass(state), strict=True)


# --- numpy's order of summation, which the loops reproduce ---

@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 193, 1000, 8193, 100_000, 1_000_003])
def test_numpys_sums_are_the_loops_sums(n):
    """numpy's ``sum(axis=-2)`` of an (N, K) array, K >= 2, adds the rows one after another (the loops'
    running sums; ``np.add.accumulate`` adds so); along a contiguous axis (one column (N, 1), a batch's rows,
    a 1-D array) it is the pairwise sum of :func:`_numpy_sum`."""
    rng = np.random.default_rng(n)
    for x in (rng.random((n, 3)), rng.lognormal(0, 5, (n, 2)), rng.standard_normal((n, 5)) * 10.0 ** rng.integers(-9, 9, (n, 5))):
        np.testing.assert_array_equal(x.sum(axis=-2), np.add.accumulate(x, axis=0)[-1])
        np.testing.assert_array_equal(np.stack([x, x[::-1]]).sum(axis=-2), np.add.accumulate(np.stack([x, x[::-1]]), axis=1)[:, -1])
        for k in range(x.shape[1]):
            column = np.ascontiguousarray(x[:, k])
            assert column.sum() == _numpy_sum(column) == column.reshape(n, 1).sum(axis=-2)[0]
            assert column.reshape(1, n, 1).sum(axis=-2)[0, 0] == column.reshape(1, n).sum(axis=-1, keepdims=True)[0, 0] == _numpy_sum(column)
    minus_zero = np.array([[-0.0, -0.0], [-0.0, -0.0]])  # numpy starts from its identity +0.0, as the loops do
    assert np.signbit(minus_zero.sum(axis=-2)).sum() == 0 and not np.signbit(_numpy_sum(minus_zero[0]))


# --- the states of real runs ---

@pytest.mark.parametrize("name", ["baseline", "interoperability", "export_controls_escalation", "ai_public_good"])
def test_update_and_access_equal_the_numpy_formulas_in_real_runs(name):
    checked = 0
    for scenario, runs in stepped_runs(name, 10):
        p = scenario.behaviour.dynamics
        for _, forums, state, _ in runs:
            assert_same(forums, state, p)
            forums.harmonise.append((np.arange(len(forums.names)), 0.3))
            assert_same(forums, state, p)
            forums.harmonise.clear()
            checked += 1
        # a batch of the seeds whose replicates differ in eta and phi ((R, 1) columns)
        variants = [p, p.model_copy(update={"heterogeneity_penalty": 5.0, "authority_exponent": 1.7})]
        state, forums = stack_states([r[2] for r in runs]), stack_forums([r[1] for r in runs])
        for dyn in (p, stack_behaviour([scenario.behaviour.model_copy(update={"dynamics": v}) for v in variants]).dynamics):
            assert_same(forums, state, dyn)
        forums.harmonise.append(((1, np.array([0, 2])), 0.5))
        assert_same(forums, state, dyn)
    assert checked > 0


# --- random states with edge cases: empty forums, no mass, ties, infinities, K = 1 and K >= 8 ---

def _random(seed, n, k, r=None):
    rng = np.random.default_rng(seed)
    lead = () if r is None else (r,)
    status = rng.integers(0, 4, lead + (n, k)).astype(np.int8)
    status[..., 0] = np.where(rng.random(lead + (n,)) < 0.5, 0, status[..., 0])
    if k > 1:
        status[..., 1] = 0  # a club with no-one inside (unless universal)
    engagement = rng.random(lead + (n, k)) * (rng.random(lead + (n, k)) < 0.7)
    state = SimpleNamespace(
        n=n, status=status, engagement=engagement, alignment=rng.uniform(-1, 1, lead + (n,)),
        standing=rng.random(lead + (n,)), capability=rng.random(lead + (n,)), gdp_pc=rng.lognormal(8, 1, lead + (n,)),
        population=rng.lognormal(15, 2, lead + (n,)) * (rng.random(lead + (n,)) < 0.9))
    rule = np.where(rng.random(k) < 0.3, "universal", "club")
    spec = {key: rng.random(lead + (k,)) for key in ("depth", "tech_access", "partner_access", "cost")}
    forums = ForumSet([f"f{j}" for j in range(k)], rule, spec, rng.uniform(-1, 1, lead + (k,)), np.full(lead + (k,), 1.0 / k),
                      np.zeros(lead + (k,)), rng.random(lead + (k,)), np.zeros(lead + (k,)), spec["depth"].copy(), {},
                      active=np.ones(lead + (k,), bool))
    return state, forums, rng


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 60), k=st.sampled_from([1, 2, 3, 7, 8, 9, 20]),
       r=st.sampled_from([None, 1, 3]), case=st.sampled_from(["plain", "no mass", "ties", "inactive", "nobody", "inf"]))
def test_update_and_access_equal_the_numpy_formulas_on_random_states(seed, n, k, r, case):
    state, forums, rng = _random(seed, n, k, r)
    p = SimpleNamespace(heterogeneity_penalty=2.0, authority_exponent=0.8)
    if r is not None and seed % 2:
        p = SimpleNamespace(heterogeneity_penalty=rng.random((r, 1)) * 5, authority_exponent=rng.random((r, 1)) * 2)
    if case == "no mass":
        state.capability = state.capability * 0.0
    elif case == "ties":  # countries at a forum's level (no gain), alignments equal to positions
        state.standing[..., : min(n, k)] = forums.level[..., : min(n, k)]
        state.alignment[..., : min(n, k)] = forums.position[..., : min(n, k)]
    elif case == "inactive":
        forums.active = rng.random(forums.active.shape) < 0.5
        forums.active[..., 0] = True
    elif case == "nobody":  # no engagement at all: no pool, no authority anywhere
        state.engagement = state.engagement * 0.0
        forums.active[..., -1] = False
    elif case == "inf":
        state.engagement[..., 0, 0] = np.inf
        state.standing[..., -1] = -np.inf
    with np.errstate(all="ignore"):
        assert_same(forums, state, p)
    if r is None:
        forums.harmonise.append((np.arange(k), 0.4))
        with np.errstate(all="ignore"):
            assert_same(forums, state, p)


@pytest.mark.parametrize("k", [1, 3])
def test_many_countries(k):
    """100 000 countries: numpy's sums over them (pairwise for one forum, row by row for more) reproduced."""
    for r in (None, 2):
        state, forums, _ = _random(7, 100_000, k, r)
        assert_same(forums, state, SimpleNamespace(heterogeneity_penalty=2.0, authority_exponent=0.8))
