"""``phases.setup_many`` (a batch's set-up, sharing the settled start state between seeds) equals
``phases.setup`` run by run, bit for bit."""

import dataclasses

import numpy as np
import pytest

import govsim
from govsim.phases import setup, setup_many
from govsim.state import Policy, State


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _assert_equal(one, other) -> None:
    (_, forums_a, state_a, shocks_a), (_, forums_b, state_b, shocks_b) = one, other
    for cls, a, b in ((State, state_a, state_b), (Policy, state_a.policy, state_b.policy)):
        for f in dataclasses.fields(cls):
            if f.name not in ("policy", "region_codes"):
                assert _same(getattr(a, f.name), getattr(b, f.name)), f.name
    for name in ("position", "authority", "pool", "level", "reach", "depth", "active", "spec"):
        assert _same(getattr(forums_a, name), getattr(forums_b, name)), name
    assert [type(s) for s in shocks_a] == [type(s) for s in shocks_b]
    assert all(s.forums is forums_b for s in shocks_b), "each replicate's shocks act on its own forums"


@pytest.mark.parametrize("name", list(govsim.list_scenarios()["name"]))
def test_setup_many_equals_setup_for_every_seed(name):
    scenario = govsim.load_scenario(name)
    seeds = [3, 11, 12]
    scenarios = [scenario.model_copy(update={"seed": s}) for s in seeds]
    many = setup_many(scenarios, [np.random.default_rng(s) for s in seeds])
    for s, sc, built in zip(seeds, scenarios, many):
        _assert_equal(setup(sc, np.random.default_rng(s)), built)
    assert many[0][2] is not many[1][2] and many[0][1] is not many[1][1]
    assert not np.shares_memory(many[0][2].engagement, many[1][2].engagement)


def test_replicates_draw_their_own_tastes_after_sharing():
    scenario = govsim.load_scenario("baseline")
    many = setup_many([scenario, scenario], [np.random.default_rng(1), np.random.default_rng(2)])
    assert not np.array_equal(many[0][2].taste, many[1][2].taste)
    assert not np.array_equal(many[0][2].engagement, many[1][2].engagement)
