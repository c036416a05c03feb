"""The phases of one step as plain functions on arrays.

``GovernanceModel.step`` calls them in the order of DESIGN §2; the benchmark calls the same
functions without Mesa to measure the framework's overhead.
"""

from __future__ import annotations

import numpy as np

from govsim.config.behaviour import Behaviour, Decision
from govsim.decision import allocate, best_utility, utilities
from govsim.dynamics import advance, diplomatic_budget
from govsim.forums import ForumSet
from govsim.state import State


def decide(s: State, forums: ForumSet, d: Decision, dt: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tastes evolve (AR(1)); every country scores the forums from the same snapshot and allocates."""
    persistence = d.taste_persistence**dt
    s.taste = persistence * s.taste + np.sqrt(1 - persistence**2) * d.taste_sd * rng.standard_normal(s.taste.shape)
    u = utilities(s, forums.view(), d, s.status)
    eligible = s.eligible(forums.universal)
    return allocate(u, eligible, s.budget, d.outside_utility, d.temperature), best_utility(u, eligible)


def commit(s: State, engagement: np.ndarray, best: np.ndarray, d: Decision, dt: float) -> None:
    """Apply all decisions at once; count dissatisfaction where even the best forum disappoints."""
    s.engagement = engagement
    s.dissatisfaction = np.where(best < d.aspiration, s.dissatisfaction + dt, 0.0)


def review_due(period: int, b: Behaviour, dt: float) -> bool:
    """Membership reviews run at the end of every review interval."""
    every = max(1, round(b.membership.review_years / dt))
    return (period + 1) % every == 0


def evolve(s: State, forums: ForumSet, b: Behaviour, dt: float) -> None:
    """Compute, capability, income, alignment and budgets move forward by ``dt`` years."""
    engaged = s.engagement >= b.dynamics.engaged_threshold
    advance(s, forums.access(s), s.policy.cb_received(engaged), forums.position, b.dynamics, dt)
    s.budget = diplomatic_budget(s.readiness, b.budget)
