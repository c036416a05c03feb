"""The classroom app's session core (no browser): lockstep A/B, levers mid-run, scrubbing, exports."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

import govsim
from govsim.app.levers import LEVERS, lever
from govsim.app.session import Session
from govsim.runner import collect_results


def test_every_lever_has_help_and_builds_a_valid_shock():
    for key, item in LEVERS.items():
        assert item.what and item.source and item.watch and "Source:" in item.help
        session = Session("baseline", 0)
        session.advance(4)
        name = session.switch_on(key)
        assert session.a.model.scenario.shocks[name].start == "2024Q1"
        assert session.active() == [name]


def test_a_lever_mid_run_changes_the_headlines_against_the_baseline_and_the_yaml_reproduces_it(tmp_path):
    session = Session("baseline", 2)
    session.advance(8)
    session.switch_on("export_controls", {"strictness": 1.0, "api_delay": 0.5})
    session.advance(20)
    now = session.view().indices
    base = session.baseline().iloc[:len(now)]
    assert now.iloc[:9][["inclusiveness", "fragmentation", "ai_divide"]].equals(base.iloc[:9][["inclusiveness", "fragmentation", "ai_divide"]])
    assert (now.ai_divide - base.ai_divide).iloc[-1] > 0.002  # the squeeze widens the divide
    path = tmp_path / "classroom.yaml"
    path.write_text(session.scenario_yaml())
    again = govsim.run(govsim.load_scenario(path))
    pd.testing.assert_frame_equal(again.indices.iloc[:len(now)], now)


def test_side_by_side_runs_in_lockstep_with_a_difference_and_divergent_countries():
    session = Session("baseline", 1, compare="export_controls_escalation")
    session.advance(16)
    assert session.a.step == session.b.step == 16
    diff = session.difference()
    assert diff.step.tolist() == list(range(17)) and diff.fragmentation.iloc[-1] != 0
    top = session.divergent(n=5)
    assert len(top) == 5 and top.difference.abs().is_monotonic_decreasing and top.difference.abs().iloc[0] > 0


def test_scrubbing_back_shows_the_past_state():
    session = Session("baseline", 0)
    session.advance(12)
    past = session.view(4)
    full = collect_results(session.a.model)
    assert past.indices.period.iloc[-1] == "2023Q4" and len(past.indices) == 5
    pd.testing.assert_frame_equal(past.countries, full.countries[full.countries.step == 4].reset_index(drop=True))
    with pytest.raises(ValueError, match="has not been simulated"):
        session.view(13)


def test_the_run_stops_at_the_scenario_end_and_reset_starts_again():
    session = Session("baseline", 0)
    session.advance(60)
    assert session.finished and session.step == 52 and session.period == "2035Q4"
    session.reset(seed=4)
    assert session.step == 0 and session.seed == 4 and session.period == "2022Q4"


def test_tables_export_as_csv_in_a_zip():
    session = Session("baseline", 0)
    session.advance(3)
    with zipfile.ZipFile(io.BytesIO(session.tables_zip())) as archive:
        assert sorted(archive.namelist()) == ["countries.csv", "forums.csv", "indices.csv"]
        indices = pd.read_csv(archive.open("indices.csv"))
    assert indices.period.tolist() == ["2022Q4", "2023Q1", "2023Q2", "2023Q3"]


@pytest.mark.parametrize("key, settings, message", [
    ("nope", None, "no lever 'nope'"),
    ("export_controls", {"strictness": 2}, "outside 0-1"),
    ("export_controls", {"speed": 1}, "no setting 'speed'"),
    ("capacity_building", {"channel": "IMF"}, "is not one of UN"),
])
def test_bad_lever_settings_are_one_clear_error(key, settings, message):
    with pytest.raises(govsim.ScenarioError, match=message):
        lever(key).spec(settings)


def test_map_values_divide_contributions_sum_to_the_divide():
    session = Session("baseline", 0)
    session.advance(8)
    contributions = session.map_values("divide_contribution")
    assert len(contributions) == 193 and contributions.sum() == pytest.approx(session.view().indices.ai_divide.iloc[-1])
    assert contributions.idxmax() in {"IND", "CHN", "USA"}  # populous and far from the rest
    assert session.map_values("status_brics")["CHN"] == "member"
    with pytest.raises(ValueError, match="no map quantity 'gdp'"):
        session.map_values("gdp")


def test_forum_panel_and_country_inspector():
    session = Session("baseline", 0)
    session.advance(8)
    panel = session.forum_panel().set_index("forum")
    assert panel.loc["g7", "members"] == 7 and "Japan" in panel.loc["g7", "member_names"]
    assert panel.authority.sum() == pytest.approx(1.0)
    india = session.country("IND")
    assert india.step.tolist() == list(range(9)) and {"capability", "alignment", "engagement_brics", "status_brics"} <= set(india.columns)
    with pytest.raises(ValueError, match="no country 'XXX'"):
        session.country("XXX")
