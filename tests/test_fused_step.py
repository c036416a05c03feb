"""The shock phase's compiled loops equal the numpy formulas they replace bit for bit (values, NaN, the
sign of zeros), for one run ((N,) arrays) and a batch of replicates ((R, N) arrays, (R, 1) columns):
the demand and blocked shares (govsim/dynamics.py ``measured_demand``) and the export controls' caps,
leakage, sanction, pull and API delays (govsim/shocks.py ``_controls``). The references are the numpy
code of those functions before the loops (main, issue 14, the shocks round)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest

import govsim
from govsim import rows
from govsim.codes import PARTNER
from govsim.config import ExportControls
from govsim.config.behaviour import Dynamics
from govsim.dynamics import blocked_share, investment_shares, measured_demand
from govsim.replicates import stack_states
from govsim.shocks import ExportControlShock, _delay_api
from numpy_reference import stepped_runs
from test_fused_evolve import R, one_state, same

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf and NaN on purpose


# ---- the numpy references --------------------------------------------------------------------------------
def ref_investment_shares(s, p):
    weight = s.gdp_pc * s.population * s.readiness**p.invest_readiness_elasticity
    if weight.ndim > 1:
        total = rows.total(weight)
        economic = np.where(total > 0, weight / np.where(total > 0, total, 1.0), 1.0 / s.n)
        capacity = np.where(s.world_capacity > 0, s.world_capacity, rows.total(s.compute))
        if np.ndim(p.invest_incumbency) == 0 and p.invest_incumbency == 0:
            return economic
        mixed = (1 - p.invest_incumbency) * economic + p.invest_incumbency * s.compute / np.where(capacity > 0, capacity, 1.0)
        return np.where(capacity > 0, mixed, economic)
    total = weight.sum()
    economic = weight / total if total > 0 else np.full(s.n, 1.0 / s.n)
    capacity = s.world_capacity if s.world_capacity > 0 else float(s.compute.sum())
    if p.invest_incumbency == 0 or capacity <= 0:
        return economic
    return (1 - p.invest_incumbency) * economic + p.invest_incumbency * s.compute / capacity


def ref_blocked_share(s, demand):
    allowed = np.minimum(demand, s.policy.cap)
    blocked = np.divide(demand - allowed, demand, out=np.zeros_like(demand), where=demand > 0)
    return blocked * (1 - s.policy.leakage)


def ref_controls(shock, state):
    """ExportControlShock.apply's caps, leakage, sanction, pull and API delays as numpy wrote them."""
    policy = state.policy
    for cap, leak, hit in shock.hits:
        np.minimum(policy.cap, cap, out=policy.cap, where=hit)
        np.minimum(policy.leakage, leak, out=policy.leakage, where=hit)
        policy.sanction[hit] = 1.0
        np.add(policy.pull, shock.spec.substitution, out=policy.pull, where=hit[..., None] & shock.rival_forums)
        resented = policy.pull[..., shock.sanctioner]
        np.subtract(resented, shock.spec.resentment, out=resented, where=hit)
    _delay_api(policy.api_delay, shock.api_hits)


# ---- the demand and blocked shares -------------------------------------------------------------------
CASES = ("plain", "no capacity", "NaN capacity", "no weight", "no incumbency", "incumbency per replicate")


def demand_state(shape: str, seed: int, n: int, case: str):
    """(state, params): random states with caps and leakage, in the edge ``case``."""
    rng = np.random.default_rng(seed)
    make = lambda: one_state(rng, n=n)  # noqa: E731
    s = make() if shape == "one" else stack_states([make() for _ in range(R)])
    s.policy.cap[...] = rng.choice([np.inf, 0.0, -0.0, 1e-4, 0.01, 0.5], s.policy.cap.shape)
    s.policy.leakage[...] = rng.choice([1.0, 0.9754, 0.3, 0.0], s.policy.leakage.shape)
    s.compute[..., :2] = 0.0  # with no weight either: demand 0
    s.gdp_pc[..., 1:3] = 0.0
    column = lambda *values: np.array(values, dtype=float).reshape(R, 1)  # noqa: E731
    if case == "no capacity":
        s.world_capacity = 0.0 if shape == "one" else column(0.0, 5.0, -0.0)
    if case == "NaN capacity":
        s.world_capacity = np.nan if shape == "one" else column(np.nan, 1.0, 0.0)
    if case == "no weight":
        s.readiness[...] = 0.0
    p = SimpleNamespace(**dict(Dynamics(invest_incumbency=0.3)))
    if case == "no incumbency":
        p.invest_incumbency = 0.0
    if case == "incumbency per replicate" and shape == "batch":
        p.invest_incumbency = column(0.0, 0.3, 1.0)
    return s, p


@pytest.mark.parametrize("n", [24, 131, 300])  # 300: numpy's pairwise sum splits the countries
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("shape", ["one", "batch"])
def test_demand_and_blocked_shares_equal_the_numpy_formulas(shape, case, n):
    for seed in range(3):
        s, p = demand_state(shape, seed, n, case)
        shares, blocked = measured_demand(s, p)
        want = ref_investment_shares(s, p)
        same(shares, want)
        same(blocked, ref_blocked_share(s, want))
        same(investment_shares(s, p), want)
        same(blocked_share(s, p), blocked)


def test_demand_in_real_runs_one_and_stacked():
    for scenario, runs in stepped_runs("export_controls_escalation", 6):
        p = scenario.behaviour.dynamics
        for _, _, state, _ in runs:
            same(measured_demand(state, p)[0], ref_investment_shares(state, p))
            same(measured_demand(state, p)[1], ref_blocked_share(state, ref_investment_shares(state, p)))
        stacked = stack_states([r[2] for r in runs])
        for got, one in zip(measured_demand(stacked, p), zip(*(measured_demand(r[2], p) for r in runs))):
            for r, row in enumerate(one):
                same(got[r], row)


# ---- the export controls -----------------------------------------------------------------------------
def controls(shape: str, seed: int):
    """(shock, state): an export control with several capped tiers, a per-tier leakage and API delays,
    whose rival forums include the sanctioning one, begun on a run of the baseline world (or a batch
    of three) whose policy fields hold random values (as other shocks may have written)."""
    scenario = govsim.load_scenario("baseline", overrides=["time.steps=2"])
    spec = ExportControls(kind="export_controls", start=scenario.time.start, caps={1: None, 2: 0.001, 3: 0.0},
                          leakage={2: 0.5, 3: 0.9754}, rival_forums=["brics", "g7"], api_delay={2: 1.5, 3: None})
    runs = [govsim.phases.setup(scenario, np.random.default_rng(seed + r)) for r in range(1 if shape == "one" else R)]
    state = runs[0][2] if shape == "one" else stack_states([run[2] for run in runs])
    rng = np.random.default_rng(seed)
    state.tier = rng.integers(1, 4, state.tier.shape).astype(state.tier.dtype)
    policy = state.policy
    policy.cap[...] = rng.choice([np.inf, 0.01, 0.0005, 0.0, -0.0], policy.cap.shape)
    policy.leakage[...] = rng.choice([1.0, 0.6, 0.5, 0.2], policy.leakage.shape)
    policy.sanction[...] = rng.choice([0.0, 1.0], policy.sanction.shape)
    policy.pull[...] = rng.choice([0.0, -0.0, 0.25, -2.0, 0.1, 1 / 3, 1e-17], policy.pull.shape)
    policy.api_delay[...] = rng.choice([0.0, 1.5, 3.0, np.inf], policy.api_delay.shape)
    shock = ExportControlShock(spec, scenario.time, runs[0][1], {code: i for i, code in enumerate(state.iso3)})
    shock.begin(state)
    return shock, state


@pytest.mark.parametrize("shape", ["one", "batch"])
@pytest.mark.parametrize("seed", range(4))
def test_export_controls_equal_the_numpy_updates(shape, seed):
    shock, state = controls(shape, seed)
    want = copy.deepcopy(state)
    ref_controls(shock, want)
    shock.apply(state)
    for name in ("cap", "leakage", "sanction", "pull", "api_delay"):
        same(getattr(state.policy, name), getattr(want.policy, name))
    assert (state.status >= PARTNER).any()  # (a real world: clubs have members)


def test_export_controls_write_into_a_batchs_row_views():
    shock, state = controls("batch", 9)
    rows_view = copy.deepcopy(state)
    want = copy.deepcopy(state)
    ref_controls(shock, want)
    part = copy.copy(rows_view.policy)
    for name in ("cap", "leakage", "sanction", "pull", "api_delay"):
        setattr(part, name, getattr(rows_view.policy, name)[0:R])  # views of the rows, as batch_shocks.RowsView binds them
    view_state = copy.copy(rows_view)
    view_state.policy = part
    shock.apply(view_state)
    for name in ("cap", "leakage", "sanction", "pull", "api_delay"):
        same(getattr(rows_view.policy, name), getattr(want.policy, name))

