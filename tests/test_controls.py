"""Export controls act where they act (issue 10, item 4): caps cut the capped country's own compute
without handing the blocked demand to anyone else, alienation falls only where a cap binds, the
strictest enforcement holds, and closed-API routes are delayed or blocked by tier."""

from __future__ import annotations

import numpy as np
import pytest

import govsim
from govsim.config.behaviour import Dynamics
from govsim.dynamics import blocked_share, drift_alignment, grow_compute, investment_shares
from govsim.state import State
from test_frontier import small_state


def _world(n: int = 3) -> State:
    s = small_state(n, compute=np.array([3.0, 1.0, 1.0]), gdp_pc=np.array([3.0, 1.0, 1.0]),
                    readiness=np.full(n, 0.5))
    s.world_capacity, s.world_investment = 5.0, 1.0
    return s


def test_blocked_demand_is_lost_not_handed_to_uncapped_countries():
    p = Dynamics(invest_incumbency=0.5)
    free, capped = _world(), _world()
    capped.policy.cap[2] = 0.0
    capped.policy.leakage[2] = 0.0
    capped.policy.blocked = blocked_share(capped, p)
    assert capped.policy.blocked[2] == pytest.approx(1.0)
    grow_compute(free, p, 1.0)
    grow_compute(capped, p, 1.0)
    np.testing.assert_allclose(capped.compute[:2], free.compute[:2])  # nobody else gains
    assert capped.compute[2] < free.compute[2]
    # the next period: the uncapped capacity, not the depleted stock, divides the incumbency share
    np.testing.assert_allclose(investment_shares(capped, p)[:2] <= investment_shares(free, p)[:2] + 1e-15, True)
    assert capped.world_capacity == pytest.approx(free.world_capacity)


def test_alienation_falls_only_where_a_cap_blocks_demand():
    p = Dynamics(alignment_drift=0.0, sanction_repulsion=0.2)
    s = small_state(alignment=np.array([0.2, 0.2, 0.2]), engagement=np.zeros((3, 1)))
    s.policy.sanction[:] = [1.0, 1.0, 0.0]
    s.policy.blocked[:] = [0.0, 0.5, 0.5]
    s.policy.sanction_forum = 0
    drift_alignment(s, np.array([0.8]), p, 1.0)
    # in a capped tier but the cap does not bind: no push; binding at half: 0.2 * 0.5 away from 0.8
    np.testing.assert_allclose(s.alignment, [0.2, 0.1, 0.2])


def test_the_strictest_enforcement_holds_and_api_routes_are_closed_by_tier():
    scenario = govsim.load_scenario("export_controls_escalation", overrides=["time.steps=9"])
    model = govsim.GovernanceModel(scenario, seed=0, record_countries=False)
    model.run()  # 2025Q1 and Q2 in force: the 2022 rules (leakage 0.99) and the escalation (0.9 on Tier 3)
    s = model.state
    china, india, usa = (list(s.iso3).index(c) for c in ("CHN", "IND", "USA"))
    assert s.policy.leakage[china] == 0.9 and s.policy.leakage[india] == 0.3
    assert s.policy.api_delay[china] == np.inf and s.policy.api_delay[india] == 0.5 and s.policy.api_delay[usa] == 0.0
    # China's route is its own (APIs blocked), India's the open weights (quicker than its delayed API)
    assert s.lag[india] == pytest.approx(min(s.open_lag, 0.1 + 0.5))


def test_a_tier_2_cap_does_not_raise_china_s_compute():
    """The 2025 rule caps Tier 2 only: China's compute is not raised by the demand blocked elsewhere."""
    def china_compute(name: str) -> float:
        model = govsim.GovernanceModel(name, seed=0, record_countries=False, **{"time.steps": 8})
        model.run()
        return float(model.state.compute[list(model.state.iso3).index("CHN")])
    assert china_compute("export_controls_2025") <= china_compute("baseline") * (1 + 1e-12)
