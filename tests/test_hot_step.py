"""The per-step shortcuts of the kernel (issue 14, item 2, second pass) keep the model's meaning.

* ``apply_shocks`` resets only the policy arrays the run's shocks may write (``Shock.writes``): every
  shock of every shipped scenario writes no other policy array, so the others stay neutral.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import govsim
from govsim import phases
from govsim.state import Policy

SCENARIOS = sorted(p.stem for p in (Path(govsim.__file__).parent / "scenarios" / "scenario").glob("*.yaml"))
ARRAYS = [name for name, value in vars(Policy.neutral(2, 2)).items() if isinstance(value, np.ndarray)]


@pytest.mark.parametrize("name", SCENARIOS)
def test_shocks_write_only_the_policy_arrays_they_declare(name):
    scenario = govsim.load_scenario(name, overrides=["time.steps=24"])
    world, forums, state, shocks = phases.setup(scenario, np.random.default_rng(1))
    neutral = Policy.neutral(*state.engagement.shape)
    for period in range(scenario.time.steps):
        for shock in shocks:
            state.policy = Policy.neutral(*state.engagement.shape)
            shock.step(state, period)
            written = {f for f in ARRAYS if not np.array_equal(getattr(state.policy, f), getattr(neutral, f))}
            declared = set(shock.writes)
            assert written <= declared, (name, type(shock).__name__, written - declared)


def test_grow_compute_invests_the_shares_of_the_state_it_grows():
    """The investment shares measured when the shocks apply are reused later in the step only while
    their inputs are the same arrays; a replaced input is measured afresh."""
    import copy

    from govsim.dynamics import grow_compute
    from govsim.shocks import apply_shocks

    scenario = govsim.load_scenario("baseline", overrides=["time.steps=4"])
    _, forums, state, shocks = phases.setup(scenario, np.random.default_rng(1))
    p = scenario.behaviour.dynamics
    apply_shocks(shocks, state, forums, 0, p)
    fresh = copy.deepcopy(state)
    fresh.__dict__.pop("_shares", None)
    state.compute = state.compute * 2.0  # replaced after the shocks applied: its shares change
    fresh.compute = fresh.compute * 2.0
    grow_compute(state, p, 0.25)
    grow_compute(fresh, p, 0.25)
    np.testing.assert_array_equal(state.compute, fresh.compute)


def test_a_periods_standing_is_worked_out_once_and_never_outlives_it(monkeypatch):
    """run_period reads the standing (capability / max) in the forums, decisions, reviews and evolve:
    it is worked out once a period, while the capability array is the same; after the period, or once
    the capability is replaced, every read sees the capability as it is (a write into it included)."""
    from govsim.state import State

    scenario = govsim.load_scenario("baseline", overrides=["time.steps=8"])
    rng = np.random.default_rng(2)
    _, forums, state, shocks = phases.setup(scenario, rng)
    made, now = [], State._standing_now
    monkeypatch.setattr(State, "_standing_now", lambda self: made.append(1) or now(self))
    b, dt = scenario.behaviour, scenario.time.step_years
    for period in range(4):  # the fourth is a review period
        made.clear()
        phases.run_period(state, forums, shocks, b, dt, rng, period)
        assert len(made) == 1, period
    def failing_review(*args):
        raise RuntimeError("a review that fails")

    with pytest.raises(RuntimeError):  # a period that stops before evolve replaces the capability
        phases.run_period(state, forums, shocks, b, dt, rng, 7, review=failing_review)
    state.capability[0] = 2 * state.capability.max()  # a caller's write: seen at once
    np.testing.assert_array_equal(state.standing, state.capability / state.capability.max())
    state.keep_standing(True)
    kept = state.standing
    assert state.standing is kept
    state.capability = state.capability / 2  # replaced: worked out again
    assert state.standing is not kept
    np.testing.assert_array_equal(state.standing, state.capability / state.capability.max())
