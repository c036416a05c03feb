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
