"""Levers switched on and off while a run is going (GovernanceModel.add_shock / end_shock): recorded
in the run's scenario, so the updated scenario run from the start reproduces the interrupted run."""

from __future__ import annotations

import pandas as pd
import pytest

import govsim
from govsim.model import GovernanceModel
from govsim.runner import collect_results

ESCALATION = {"kind": "export_controls", "caps": {1: None, 2: 0.00015, 3: 0.0}, "api_delay": {2: 0.5, 3: None},
              "leakage": {2: 0.3, 3: 0.9}, "penalty": 0.25, "penalised_tiers": [2], "penalised_forums": ["brics"],
              "sanctioning_forum": "g7"}
STEPS = 32  # to the end of 2030


def _model(seed=5):
    return GovernanceModel(govsim.load_scenario("baseline", {"time.steps": STEPS}), seed)


def _steps(model, n):
    for _ in range(n):
        model.step()


def test_a_lever_switched_on_mid_run_is_recorded_and_reproducible():
    model = _model()
    _steps(model, 12)
    assert model.next_period == "2026Q1"
    scenario = model.add_shock("controls", ESCALATION)
    assert scenario.shocks["controls"].start == "2026Q1" and model.scenario is scenario
    _steps(model, 8)
    model.end_shock("controls")
    assert model.scenario.shocks["controls"].end == "2028Q1"
    _steps(model, STEPS - 20)
    live = collect_results(model)
    again = govsim.run(model.scenario, seed=5)
    for name in ("indices", "countries", "forums"):
        pd.testing.assert_frame_equal(getattr(live, name), getattr(again, name), obj=name)
    base = govsim.run(govsim.load_scenario("baseline", {"time.steps": STEPS}), seed=5).indices
    before = live.indices.step <= 12
    assert live.indices[before].equals(base[before])  # nothing changes before the lever
    assert (live.indices.fragmentation - base.fragmentation)[~before].abs().max() > 1e-3  # and it acts after


def test_a_lever_with_a_later_start_waits_for_it():
    model = _model()
    _steps(model, 4)
    model.add_shock("later", {**ESCALATION, "start": "2026Q1"})
    assert model.scenario.shocks["later"].start == "2026Q1"


@pytest.mark.parametrize("name, spec, message", [
    ("controls", {**ESCALATION, "start": "2023Q2"}, "has already been simulated. Fix: start at 2024Q1 or later"),
    ("", ESCALATION, "is empty or already used"),
    ("x", "export controls", "is not a shock"),
    ("x", {**ESCALATION, "sanctioning_forum": "nato"}, "nato"),
    ("x", {"kind": "capacity_building", "budget": 0.01}, "provider"),
])
def test_bad_levers_are_one_clear_error(name, spec, message):
    model = _model()
    _steps(model, 4)
    with pytest.raises(govsim.ScenarioError, match=message) as info:
        model.add_shock(name, spec)
    assert "\n" not in str(info.value)
    assert model.scenario.shocks == govsim.load_scenario("baseline", {"time.steps": STEPS}).shocks  # unchanged


def test_switching_off_needs_a_lever_that_has_begun():
    model = _model()
    _steps(model, 4)
    with pytest.raises(govsim.ScenarioError, match="no shock 'nope' to switch off"):
        model.end_shock("nope")
    model.add_shock("c", ESCALATION)
    with pytest.raises(govsim.ScenarioError, match="has not begun"):
        model.end_shock("c")
