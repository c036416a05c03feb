"""Numpy formulas the kernel's compiled loops must equal bit for bit (shared by tests/test_fused_*.py)."""

from __future__ import annotations

import numpy as np

from govsim.codes import MEMBER, PARTNER


def access_weight(status, view, member=None):
    """(N, K) share of a forum's goods a country receives: 1 member (or any country in a universal
    forum), the forum's partner_access as a partner, else 0."""
    member = (status == MEMBER) | view.universal if member is None else member
    return np.where(member, 1.0, np.where(status == PARTNER, view.partner_access, 0.0))


def stepped_runs(name, steps, seeds=(1, 2)):
    """Runs of scenario ``name`` (one per seed) stepped together: after each step, the scenario and
    the runs' (world, forums, state, shocks), for comparing compiled loops with their references."""
    import govsim
    from govsim import phases

    scenario = govsim.load_scenario(name, overrides=[f"time.steps={steps}"])
    runs = [phases.setup(scenario, np.random.default_rng(seed)) for seed in seeds]
    rngs = [np.random.default_rng(seed) for seed in seeds]
    for period in range(steps):
        for (_, forums, state, shocks), rng in zip(runs, rngs):
            phases.run_period(state, forums, shocks, scenario.behaviour, scenario.time.step_years, rng, period)
        yield scenario, runs
