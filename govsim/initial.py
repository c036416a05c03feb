"""Initial state of a run: the world's countries placed in the scenario's forums."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from govsim.config import ScenarioError
from govsim.config.scenario import Scenario
from govsim.decision import allocate, utilities
from govsim import frontier
from govsim.dynamics import diplomatic_budget, investment_shares
from govsim.forums import ForumSet
from govsim.codes import MEMBER, NONE, PARTNER
from govsim.state import State
from govsim.world import World

# Weight of the data-based compute shares against the model's own investment shares at t = 0.
DATA_COMPUTE_WEIGHT = 0.9


def club_status(world: World, scenario: Scenario) -> np.ndarray:
    """(N, K) founding status: universal forums everyone; clubs from the scenario or the world table."""
    index = {code: i for i, code in enumerate(world.iso3)}
    columns = []
    for name, spec in scenario.forums.items():
        if spec.rule == "universal":
            columns.append(np.full(world.n, MEMBER, np.int8))
        elif spec.members is not None or name not in world.clubs:
            if spec.members is None:
                raise ScenarioError(f"forums.{name}.members: a user-defined club needs its founding members as ISO3 codes (e.g. members: [USA, GBR])")
            status = np.full(world.n, NONE, np.int8)
            status[_lookup(index, spec.partners or [], f"forums.{name}.partners")] = PARTNER
            status[_lookup(index, spec.members, f"forums.{name}.members")] = MEMBER
            columns.append(status)
        else:
            status = world.clubs[name].copy()
            if spec.partners is not None:
                status[status == PARTNER] = NONE
                status[_lookup(index, spec.partners, f"forums.{name}.partners")] = PARTNER
            columns.append(status)
    return np.stack(columns, axis=1)


def _lookup(index: dict[str, int], codes: list[str], field: str) -> np.ndarray:
    missing = [c for c in codes if c not in index]
    if missing:
        raise ScenarioError(f"{field}: {missing} not in this world's iso3 codes; use codes from the world table")
    return np.array([index[c] for c in codes], dtype=np.intp)


def initial_state(world: World, forums: ForumSet, scenario: Scenario, start_year: float, rng: np.random.Generator,
                  shocks: Sequence = ()) -> State:
    """State at the start: data-based compute, steady-state diffusion gaps, a first forum choice."""
    state = settled_state(world, forums, scenario, start_year, shocks)
    first_choice(state, forums, scenario, rng)
    return state


def settled_state(world: World, forums: ForumSet, scenario: Scenario, start_year: float, shocks: Sequence = ()) -> State:
    """The start state before its first choice (no tastes yet): what every seed of a scenario shares.
    It draws no random number (:func:`first_choice` draws the tastes), so replicates of one scenario
    can share it (``govsim.phases.setup_many``)."""
    b = scenario.behaviour
    status = club_status(world, scenario)
    budget = diplomatic_budget(world.readiness, b.budget)
    eligible = forums.universal[None, :] | (status >= PARTNER)
    engagement = budget[:, None] * eligible / (eligible.sum(axis=1) + 1)[:, None]
    n, k = status.shape
    state = State(
        iso3=world.iso3, population=world.population, internet=world.internet, gdp_pc=world.gdp_pc.copy(),
        income_group=world.income_group.copy(), readiness=world.readiness.copy(), compute=world.compute_share.copy(),
        knowhow=np.zeros(n), capability=np.zeros(n), adoption=np.zeros(n), skills=np.zeros(n),
        internet_slope=world.internet_slope, alignment=world.alignment.copy(), budget=budget,
        tier=world.tier.copy(), engagement=engagement, status=status,
        partner_since=np.where(status == PARTNER, start_year, np.nan), taste=np.zeros((n, k)),
        dissatisfaction=np.zeros(n), year=start_year, start_year=start_year, region=world.region,
    )
    state.producers, state.producer_delays = frontier.producer_index(world.iso3, world.compute_share, b.dynamics)
    _settle(state, forums, scenario, shocks)
    return state


def _settle(state: State, forums: ForumSet, scenario: Scenario, shocks: Sequence) -> None:
    """Mix data and investment compute shares, set know-how lags (steady plus the start gap), early
    adoption and the capability reached."""
    dyn = scenario.behaviour.dynamics
    state.compute = DATA_COMPUTE_WEIGHT * state.compute + (1 - DATA_COMPUTE_WEIGHT) * investment_shares(state, dyn)
    state.world_investment = (np.log(dyn.compute_growth) + dyn.depreciation) * state.compute.sum()
    state.world_capacity = float(state.compute.sum())
    forums.update(state, dyn)
    for shock in shocks:  # routes closed at the start (e.g. APIs for Tier 3) count from step 0
        shock.preview(state, 0)
    _start_capability(state, forums, dyn)
    state.policy.reset()
    forums.update(state, dyn)


def first_choice(state: State, forums: ForumSet, scenario: Scenario, rng: np.random.Generator) -> None:
    """Draw the tastes (the run's first random numbers after its world's) and make the first choice."""
    dyn, dec = scenario.behaviour.dynamics, scenario.behaviour.decision
    state.taste = rng.normal(0.0, dec.taste_sd, state.engagement.shape)
    u = utilities(state, forums.view(), dec, state.status)
    state.engagement = allocate(u, state.eligible(forums.universal), state.budget, dec.outside_utility, dec.temperature)
    forums.update(state, dyn)


def _start_capability(state: State, forums: ForumSet, dyn) -> None:
    """Know-how lags at their steady level plus ``knowhow_lag_start`` (all but the compute leader),
    adoption at ``adoption_start`` of its ceiling, and the capability this gives."""
    state.capability = frontier.adoption_ceiling(state, dyn) * 0.5  # provisional, for the forums' levels
    forums.update(state, dyn)
    lam = frontier.knowhow_speed(state, forums.access(state), np.zeros(state.n), dyn)
    leader = int(np.argmax(state.compute))
    start_gap = np.where(np.arange(state.n) == leader, 0.0, dyn.knowhow_lag_start)
    state.knowhow = np.minimum(frontier.steady_knowhow(lam, dyn, leader) + start_gap, dyn.max_lag_years)
    state.adoption = dyn.adoption_start * frontier.adoption_ceiling(state, dyn)
    frontier.access(state, dyn)
    frontier.use_intensity(state, dyn)
    state.capability = frontier.used_capability(state)
