"""The Mesa model: wiring and the step order of DESIGN §2, nothing else."""

from __future__ import annotations

import mesa
import numpy as np

from govsim.agents import Country
from govsim.config import period_to_year
from govsim.config.scenario import Scenario
from govsim.decision import allocate, best_utility, utilities
from govsim.dynamics import advance, diplomatic_budget
from govsim.forums import ForumSet
from govsim.initial import initial_state
from govsim.membership import review
from govsim.record import Recorder, measure
from govsim.shocks import build_shocks
from govsim.world import build_world


class GovernanceModel(mesa.Model):
    """Countries choosing how much to engage in each governance forum, quarter by quarter."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.scenario, self.behaviour = scenario, scenario.behaviour
        self.dt = scenario.time.step_years
        start = period_to_year(scenario.time.start)
        world = build_world(scenario.world, start, self.rng)
        self.forums = ForumSet.from_specs(scenario.forums)
        self.state = initial_state(world, self.forums, scenario, start, self.rng)
        self.shocks = build_shocks(scenario.shocks, scenario.time, self.forums, world.iso3)
        Country.create_agents(self, world.n, index=np.arange(world.n))
        self.recorder = Recorder(self.forums.names)
        self.indices: dict[str, float | str] = {}
        self.datacollector = mesa.DataCollector(model_reporters={name: _reporter(name) for name in self._measure()})
        self.collect()

    def step(self) -> None:
        """One period: shocks, forums, decide-then-commit, membership review, dynamics, data."""
        period = self.steps - 1
        self.apply_shocks(period)
        self.forums.update(self.state, self.behaviour.dynamics)
        self.commit(*self.decide())
        if self.review_due(period):
            review(self.state, self.forums, self.behaviour, self.rng)
        self.evolve()
        self.collect()

    def run(self) -> None:
        """Simulate every step of the scenario."""
        for _ in range(self.scenario.time.steps):
            self.step()

    def apply_shocks(self, period: int) -> None:
        """Reset policy fields, then let each shock in force write its effect."""
        self.state.policy.reset()
        for shock in self.shocks:
            shock.step(self.state, period)

    def decide(self) -> tuple[np.ndarray, np.ndarray]:
        """Every country scores the forums from the same snapshot and allocates its budget."""
        s, d = self.state, self.behaviour.decision
        persistence = d.taste_persistence**self.dt
        s.taste = persistence * s.taste + np.sqrt(1 - persistence**2) * d.taste_sd * self.rng.standard_normal(s.taste.shape)
        u = utilities(s, self.forums.view(), d, s.status)
        eligible = s.eligible(self.forums.universal)
        return allocate(u, eligible, s.budget, d.outside_utility, d.temperature), best_utility(u, eligible)

    def commit(self, engagement: np.ndarray, best: np.ndarray) -> None:
        """Apply the decisions at once; count dissatisfaction where even the best forum disappoints."""
        s = self.state
        s.engagement = engagement
        s.dissatisfaction = np.where(best < self.behaviour.decision.aspiration, s.dissatisfaction + self.dt, 0.0)

    def review_due(self, period: int) -> bool:
        """Membership reviews run at the end of every review interval."""
        every = max(1, round(self.behaviour.membership.review_years / self.dt))
        return (period + 1) % every == 0

    def evolve(self) -> None:
        """Compute, capability, income, alignment and budgets move forward by one step."""
        s, p, engaged = self.state, self.behaviour.dynamics, self.state.engagement >= self.behaviour.dynamics.engaged_threshold
        received = s.policy.cb_received(engaged)
        advance(s, self.forums.access(s), received, self.forums.position, p, self.dt)
        s.budget = diplomatic_budget(s.readiness, self.behaviour.budget)

    def collect(self) -> None:
        """Record indices (DataCollector) and country/forum snapshots."""
        self._measure()
        self.datacollector.collect(self)
        self.recorder.record(self.steps, self.state, self.forums, self.behaviour.dynamics.engaged_threshold)

    def _measure(self) -> dict[str, float | str]:
        self.indices = measure(self.state, self.forums, self.behaviour.dynamics)
        return self.indices


def _reporter(name: str):
    return lambda model: model.indices[name]
