"""Overrides in the Python API (issue 12): a list, one string or a dict, for load_scenario and run."""

from __future__ import annotations

import pytest

import govsim
from govsim import ScenarioError, load_scenario


@pytest.mark.parametrize("overrides", [["seed=3", "behaviour.decision.temperature=0.7"],
                                       ("seed=3", "behaviour.decision.temperature=0.7"),
                                       {"seed": 3, "behaviour.decision.temperature": 0.7}],
                         ids=["list", "tuple", "dict"])
def test_overrides_as_a_list_a_tuple_or_a_dict(overrides):
    scenario = load_scenario("baseline", overrides)
    assert scenario.seed == 3 and scenario.behaviour.decision.temperature == 0.7


def test_one_override_as_a_string():
    """A single string was split into characters ("cannot read override 's'")."""
    assert load_scenario("baseline", overrides="seed=3").seed == 3


def test_dict_values_are_written_as_the_command_line_writes_them():
    scenario = load_scenario("baseline", {"forums.brics.partner_tier_from": None,
                                          "forums.brics.recorded_applicants": {2023: ["EGY", "ETH"], 2024: []}})
    assert scenario.forums["brics"].partner_tier_from is None
    assert scenario.forums["brics"].recorded_applicants == {2023: ["EGY", "ETH"], 2024: []}


@pytest.mark.parametrize("overrides", [5, ["seed=3", 4]], ids=["number", "not-a-string"])
def test_overrides_of_another_type_are_one_clear_error(overrides):
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", overrides)
    message = str(error.value)
    assert "overrides" in message and "Fix" in message and "\n" not in message


def test_run_takes_overrides_with_a_name():
    results = govsim.run("baseline", overrides={"time.steps": 2}, seed=1)
    assert results.indices.step.max() == 2
    assert govsim.run("baseline", overrides="time.steps=2", seed=1).indices.equals(results.indices)


def test_run_refuses_overrides_with_a_scenario_object():
    with pytest.raises(ScenarioError, match="scenario name or path"):
        govsim.run(load_scenario("baseline"), overrides=["seed=1"])
