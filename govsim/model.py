"""The Mesa model: wiring and the step order of DESIGN §2, nothing else."""

from __future__ import annotations

import mesa
import numpy as np

from govsim.agents import Country
from govsim.config.scenario import Scenario
from govsim.membership import review
from govsim.phases import commit, decide, evolve, review_due, setup
from govsim.record import Recorder, measure
from govsim.shocks import apply_shocks


class GovernanceModel(mesa.Model):
    """Countries choosing how much to engage in each governance forum, quarter by quarter."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.scenario, self.behaviour = scenario, scenario.behaviour
        self.dt = scenario.time.step_years
        world, self.forums, self.state, self.shocks = setup(scenario, self.rng)
        Country.create_agents(self, world.n, index=np.arange(world.n))
        self.recorder = Recorder(self.forums.names)
        self.indices = measure(self.state, self.forums, self.behaviour.dynamics)
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in self.indices})
        self.record()

    def step(self) -> None:
        """One period: shocks, forums, decide-then-commit, membership review, dynamics, data."""
        period, b = self.steps - 1, self.behaviour
        apply_shocks(self.shocks, self.state, period, b.dynamics)
        self.forums.update(self.state, b.dynamics)
        engagement, best = decide(self.state, self.forums, b.decision, self.dt, self.rng)
        commit(self.state, engagement, best, b.decision, self.dt)
        if review_due(period, b, self.dt):
            review(self.state, self.forums, b, self.rng)
        evolve(self.state, self.forums, b, self.dt)
        self.collect()

    def run(self) -> None:
        """Simulate every step of the scenario."""
        for _ in range(self.scenario.time.steps):
            self.step()

    def collect(self) -> None:
        """Measure the indices, then record them and the country/forum snapshots."""
        self.indices = measure(self.state, self.forums, self.behaviour.dynamics)
        self.record()

    def record(self) -> None:
        """Record the current indices (DataCollector) and country/forum snapshots."""
        self.datacollector.collect(self)
        self.recorder.record(self.steps, self.state, self.forums, self.behaviour.dynamics.engaged_threshold)


def _reporter(name: str):
    return lambda model: model.indices[name]
