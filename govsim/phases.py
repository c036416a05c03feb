"""The phases of one step as plain functions on arrays.

:func:`run_period` runs them in the order of DESIGN §2; ``GovernanceModel.step`` calls it, and
so does the benchmark, without Mesa, to measure the framework's overhead.
"""

from __future__ import annotations

import copy

import numpy as np

from govsim import rows
from govsim.config import period_to_year
from govsim.config.behaviour import Behaviour, Decision
from govsim.config.scenario import Scenario
from govsim.decision import evolve_and_choose
from govsim.dynamics import advance, diplomatic_budget, keep_finite
from govsim.forums import ForumSet
from govsim.initial import first_choice, initial_state, settled_state
from govsim.levers import forum_launches
from govsim.membership import review
from govsim.shocks import Shock, apply_shocks, build_shocks
from govsim.state import Policy, State
from govsim.world import World, build_world


def setup(scenario: Scenario, rng: np.random.Generator) -> tuple[World, ForumSet, State, list[Shock]]:
    """Everything a run starts from: the world, its forums, the initial state and the shocks."""
    start = period_to_year(scenario.time.start)
    world = build_world(scenario.world, start, rng)
    forums = ForumSet.from_specs(scenario.forums)
    shocks = _shocks(scenario, forums, world)
    state = initial_state(world, forums, scenario, start, rng, shocks)
    return world, forums, state, shocks


def setup_many(scenarios: list[Scenario], rngs: list[np.random.Generator]) -> list[tuple[World, ForumSet, State, list[Shock]]]:
    """:func:`setup` of each scenario with its Generator, equal to it run by run, sharing the work that
    does not depend on the random stream: replicates of one scenario (seeds of a sweep) whose world
    draws no random number (not synthetic) settle their start state once
    (:func:`govsim.initial.settled_state`); each then gets its own copy, forums and shocks, and draws
    its own tastes for its first choice."""
    first = scenarios[0]
    same = all(s.model_copy(update={"seed": first.seed}) == first for s in scenarios[1:])
    if len(scenarios) == 1 or not same or first.world.kind == "synthetic":
        return [setup(scenario, rng) for scenario, rng in zip(scenarios, rngs)]
    start = period_to_year(first.time.start)
    world = build_world(first.world, start, rngs[0])  # draws nothing: not synthetic
    forums = ForumSet.from_specs(first.forums)
    template = settled_state(world, forums, first, start, _shocks(first, forums, world))
    fixed = [a for a in vars(world).values() if isinstance(a, np.ndarray)]  # read-only world arrays
    fixed += [forums.specs, forums.base_rules, forums.names]  # the scenario's forum rules: never written
    shared = {id(a): a for a in fixed}
    built = []
    for scenario, rng in zip(scenarios, rngs):
        own_forums, state = _copied((forums, template), dict(shared))
        first_choice(state, own_forums, scenario, rng)
        built.append((world, own_forums, state, _shocks(scenario, own_forums, world)))
    return built


def _copied(value, memo: dict):
    """``copy.deepcopy(value, memo)``, the same copies made faster for a batch's set-up: the kernel's
    objects (State, Policy, ForumSet), tuples, lists and dicts field by field and item by item, a
    number array by ``ndarray.copy`` (as ``ndarray.__deepcopy__`` does), anything else by ``deepcopy``;
    ``memo`` (id -> copy) keeps what is shared and makes an object met twice one copy, as deepcopy's."""
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, _ATOMS):
        return value
    kind = type(value)
    if kind is np.ndarray and value.dtype != object:
        new = memo[key] = value.copy(order="K")
    elif kind in _FIELDWISE:
        new = memo[key] = kind.__new__(kind)
        vars(new).update({name: _copied(field, memo) for name, field in vars(value).items()})
    elif kind is dict:
        new = memo[key] = {}
        new.update({name: _copied(item, memo) for name, item in value.items()})
    elif kind is list:
        new = memo[key] = []
        new.extend(_copied(item, memo) for item in value)
    elif kind is tuple:
        new = memo[key] = tuple(_copied(item, memo) for item in value)  # (deepcopy: a tuple of copies)
    else:
        return copy.deepcopy(value, memo)
    return new


_ATOMS = (int, float, bool, str, type(None), np.generic)
_FIELDWISE = (State, Policy, ForumSet)


def _shocks(scenario: Scenario, forums: ForumSet, world: World) -> list[Shock]:
    launches = forum_launches(scenario.forums, scenario.time, forums, world.iso3)  # before the shocks: they act on the launched forum
    return launches + build_shocks(scenario.shocks, scenario.time, forums, world.iso3)


def decide(s: State, forums: ForumSet, d: Decision, dt: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tastes evolve (AR(1): taste' = rho^dt taste + sqrt(1 - rho^2dt) sd z, z standard normal); every
    country scores the forums from the same snapshot and allocates (:func:`govsim.decision.utilities`
    and :func:`~govsim.decision.choose`, in one compiled loop with the tastes' step:
    :func:`~govsim.decision.evolve_and_choose`)."""
    persistence = d.taste_persistence**dt
    scale = np.sqrt(1 - persistence**2) * d.taste_sd
    s.taste, engagement, best = evolve_and_choose(s, forums.view(), d, persistence, scale, rng.standard_normal(s.taste.shape))
    return engagement, best


def commit(s: State, engagement: np.ndarray, best: np.ndarray, d: Decision, dt: float) -> None:
    """Apply all decisions at once; count dissatisfaction where even the best forum disappoints."""
    s.engagement = engagement
    s.dissatisfaction = np.where(best < rows.per_country(d.aspiration), s.dissatisfaction + dt, 0.0)


def review_due(period: int, b: Behaviour, dt: float) -> bool:
    """Membership reviews run at the end of every review interval."""
    every = max(1, round(b.membership.review_years / dt))
    return (period + 1) % every == 0


def evolve(s: State, forums: ForumSet, b: Behaviour, dt: float) -> None:
    """Compute, capability, income, alignment and budgets move forward by ``dt`` years (kept finite)."""
    advance(s, forums.access(s), _received(s, b.dynamics.engaged_threshold), forums.position, b.dynamics, dt)
    keep_finite(s)
    s.budget = diplomatic_budget(s.readiness, b.budget)


def _received(s: State, threshold: float) -> np.ndarray:
    """Policy.cb_received of the engaged countries; where no shock of the run writes ``cb_offer`` its
    answer (zeros) without comparing the engagement first."""
    if not s.policy.holds("cb_offer"):
        return np.zeros(s.policy.cb_offer.shape[:-1])
    return s.policy.cb_received(s.engagement >= threshold)


def run_period(s: State, forums: ForumSet, shocks: list[Shock], b: Behaviour, dt: float,
               rng: np.random.Generator, period: int, review=review) -> None:
    """One period (index ``period``, 0 = the start period) of DESIGN §2, in place:

    1. shocks: policy fields and forum rules reset, then every shock in force writes its effect;
    2. forums: position, depth, level, pool, reach and authority from the current state;
    3. decide: tastes evolve, every country scores the forums from the same snapshot and allocates;
    4. commit: all allocations at once, dissatisfaction counted;
    5. membership review, at the end of every review interval;
    6. evolve: compute, capability, income, alignment and budgets move forward by ``dt`` years.

    A batch of replicates (govsim/replicates.py) runs the same phases on stacked arrays, with its
    ``shocks``, ``rng`` and ``review`` acting on each replicate in turn.
    """
    s.keep_standing(True)  # read by the forums, decisions, reviews and evolve before evolve replaces the capability
    try:
        apply_shocks(shocks, s, forums, period, b.dynamics)
        forums.update(s, b.dynamics)
        engagement, best = decide(s, forums, b.decision, dt, rng)
        commit(s, engagement, best, b.decision, dt)
        if review_due(period, b, dt):
            review(s, forums, b, rng)
        evolve(s, forums, b, dt)
    finally:
        s.keep_standing(False)
