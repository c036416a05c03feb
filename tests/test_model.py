"""Structure of the result tables and invariants of the model state."""

from __future__ import annotations

import re

import mesa
import numpy as np
import pandas as pd
import pytest

import govsim
from govsim import GovernanceModel, load_scenario
from govsim.agents import Country
from govsim.dynamics import diplomatic_budget
from govsim.record import FRONTIER_STATE
from govsim.runner import LEAD, collect_results

STEPS = 12
FORUMS = ("un", "g7", "brics")
STATUSES = {"member", "partner", "applicant", "none"}
INCLUSIVENESS = ["none_share", "all_share", "representation_low", "voice_equality"]
FRAGMENTATION = ["effective_forums", "modularity", "core_deficit", "normative_distance", "bridging_deficit"]
DIVIDE = ["gini_capability_pop", "gini_capability", "theil_between_income", "gap_high_low", "gap_abs_high_low",
          "gap_north_south", "access_gap", "adoption_gap", "intensity_gap", "compute_hhi", "compute_top2"]
FOUNDERS = {"BRA", "CHN", "IND", "RUS", "ZAF"}


@pytest.fixture(scope="module")
def short(cached_run):
    return cached_run("baseline", [f"time.steps={STEPS}"])


# ------------------------------------------------------------------ table structure
def test_indices_table_structure(short):
    ind = short.indices
    assert list(ind.columns[:6]) == ["scenario", "seed", "step", "period", "year", "time"]
    expected = {"inclusiveness", "fragmentation", "ai_divide", "regime_class", *INCLUSIVENESS, *FRAGMENTATION, *DIVIDE}
    assert expected <= set(ind.columns)
    assert len(ind) == STEPS + 1
    assert ind.step.tolist() == list(range(STEPS + 1))
    assert ind.time.tolist() == pytest.approx([2022.75 + 0.25 * s for s in range(STEPS + 1)])
    assert ind.year.tolist() == [int(2022.75 + 0.25 * s) for s in range(STEPS + 1)]  # 2023Q4 is year 2023
    assert all(re.fullmatch(r"\d{4}Q[1-4]", p) for p in ind.period)
    # step 0 is the initial state at the end of the period before the start; step 1 is 2023Q1
    assert ind.period.tolist()[:6] == ["2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1"]
    assert ind.period.iloc[-1] == "2025Q4"
    assert ind.period.is_unique
    assert set(ind.regime_class) <= {"synergistic", "cooperative", "conflictive"}


def test_headlines_are_the_documented_combinations_of_components(short):
    ind = short.indices
    np.testing.assert_allclose(ind.inclusiveness, ((1 - ind.none_share) + ind.representation_low + ind.voice_equality) / 3)
    np.testing.assert_allclose(ind.fragmentation, (ind.core_deficit + ind.normative_distance + (ind.modularity + ind.bridging_deficit) / 2) / 3)
    np.testing.assert_allclose(ind.ai_divide, ind.gini_capability_pop)


def test_countries_table_structure(short):
    c = short.countries
    expected = ["step", "iso3", "income_group", "capability", "access", "adoption", "intensity", "lag_years",
                "internet", "skills", "population", "readiness", "gdp_pc", "alignment", "tier"]
    expected += [f"{kind}_{f}" for f in FORUMS for kind in ("engagement", "status")]
    assert set(expected) <= set(c.columns)
    assert list(c.columns[:9]) == [*LEAD, "iso3", "name", "region"]
    usa = c[(c.step == 0) & (c.iso3 == "USA")].iloc[0]
    assert (usa["name"], usa.region, usa.scenario, usa.seed, usa.period) == ("United States", "North America", "baseline",
                                                                             short.seed, "2022Q4")
    assert list(short.forums.columns[:7]) == [*LEAD, "forum"]
    assert len(c) == (STEPS + 1) * 193
    per_step = c.groupby("step").iso3
    assert (per_step.nunique() == 193).all() and (per_step.size() == 193).all()
    assert sorted(c.step.unique()) == list(range(STEPS + 1))
    # same countries, same order, every step
    first = c[c.step == 0].iso3.tolist()
    assert all(g.tolist() == first for _, g in per_step)
    assert set(c.income_group.astype(str)) <= {"low", "lower_middle", "upper_middle", "high"}
    assert set(c.tier.unique()) <= {1, 2, 3}
    for f in FORUMS:
        assert set(c[f"status_{f}"].astype(str)) <= STATUSES


def test_forums_table_structure_and_consistency_with_countries(short):
    f, c = short.forums, short.countries
    assert {"step", "forum", "n_members", "n_partners", "position", "authority"} <= set(f.columns)
    assert len(f) == (STEPS + 1) * 3
    assert (f.groupby("step").forum.apply(list) == [list(FORUMS)] * (STEPS + 1)).all()
    for forum in FORUMS:
        counts = c.groupby("step")[f"status_{forum}"].value_counts().unstack()
        rows = f[f.forum == forum].set_index("step")
        np.testing.assert_array_equal(rows.n_members, counts["member"])
        np.testing.assert_array_equal(rows.n_partners, counts["partner"])
    assert (f[f.forum == "un"].n_members == 193).all()
    assert f.position.between(-1, 1).all()
    np.testing.assert_allclose(f.groupby("step").authority.sum(), 1.0)
    assert (f.authority >= 0).all()


# ------------------------------------------------------------------ invariants
def _numeric_indices(ind: pd.DataFrame) -> pd.DataFrame:
    """The indices, without the time columns and the frontier's state (not indices: FRONTIER_STATE)."""
    return ind.drop(columns=[*LEAD, *FRONTIER_STATE]).select_dtypes("number")


def test_frontier_state_columns(short):
    """The frontier's capability rises every step from 0.5; the open-weight lag stays within the cap."""
    ind = short.indices
    assert ind.frontier_capability.iloc[0] == pytest.approx(0.5)
    assert (np.diff(ind.frontier_capability) > 0).all() and (ind.frontier_capability < 1).all()
    assert ((ind.open_lag_years >= 0) & (ind.open_lag_years <= 10)).all()


BOUNDED_RUNS = [
    ("baseline", (), 0), ("baseline", (), 1), ("baseline", (), 2), ("baseline", (), 3),
    ("export_controls_2025", (), 0),
    ("baseline", ("world.kind=synthetic", "world.n=1000"), 0),
]


@pytest.mark.parametrize("name, overrides, seed", BOUNDED_RUNS,
                         ids=["base-s0", "base-s1", "base-s2", "base-s3", "export-controls", "synthetic-1000"])
def test_indices_stay_in_unit_interval(cached_run, name, overrides, seed):
    ind = cached_run(name, overrides, seed).indices
    numeric = _numeric_indices(ind)
    assert len(numeric.columns) >= 17
    assert numeric.notna().all().all()
    low, high = numeric.min(), numeric.max()
    assert (low >= 0).all(), low[low < 0]
    assert (high <= 1).all(), high[high > 1]


@pytest.mark.parametrize("name, overrides, seed", BOUNDED_RUNS,
                         ids=["base-s0", "base-s1", "base-s2", "base-s3", "export-controls", "synthetic-1000"])
def test_engagement_within_budget_and_un_universal(cached_run, name, overrides, seed):
    results = cached_run(name, overrides, seed)
    c = results.countries
    forums = list(results.scenario.forums)
    engagement = c[[f"engagement_{f}" for f in forums]].to_numpy()
    assert np.isfinite(engagement).all()
    assert engagement.min() >= 0 and engagement.max() <= 1
    total = engagement.sum(axis=1)
    assert total.max() <= 1 + 1e-9
    # The budget a country decides with is B = floor + (1 - floor) * readiness^elasticity, from
    # the readiness at the end of the previous step (the initial readiness for step 0).
    n = c.iso3.nunique()
    readiness = c.readiness.to_numpy().reshape(-1, n)
    before = np.vstack([readiness[:1], readiness[:-1]])
    budget = diplomatic_budget(before, results.scenario.behaviour.budget).ravel()
    assert (total <= budget + 1e-9).all()
    assert (budget <= 1 + 1e-12).all()
    # engagement only where allowed: clubs need partner or member status when the country decides
    # (start of the step = end of the previous row); a country that exits at the review after
    # deciding still shows that step's engagement next to its new status.
    for f in forums:
        if results.scenario.forums[f].rule != "universal":
            party = c[f"status_{f}"].isin(["member", "partner"]).to_numpy().reshape(-1, n)
            party_then = party | np.vstack([party[:1], party[:-1]])
            engaged = c[f"engagement_{f}"].to_numpy().reshape(-1, n) > 0
            assert not (engaged & ~party_then).any(), f
    assert (c.status_un == "member").all()


def test_real_world_2023_starts_with_brics_founders(short):
    first = short.countries[short.countries.step == 0]
    assert set(first.iso3[first.status_brics == "member"]) == FOUNDERS
    assert (first.status_brics == "partner").sum() == 0
    assert (first.status_brics == "applicant").sum() == 0
    assert set(first.iso3[first.status_g7 == "member"]) == {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"}


def test_start_2025q2_includes_the_enlargement(cached_run):
    results = cached_run("baseline", ["time.start=2025Q2", "time.steps=2"])
    assert results.indices.period.tolist() == ["2025Q1", "2025Q2", "2025Q3"]
    first = results.countries[results.countries.step == 0]
    members = set(first.iso3[first.status_brics == "member"])
    assert members == FOUNDERS | {"EGY", "ETH", "IRN", "ARE", "IDN"}
    assert "SAU" not in members  # invitation never confirmed
    # partners from January 2025 are in; Vietnam (June 2025) is not yet
    partners = set(first.iso3[first.status_brics == "partner"])
    assert partners == {"BLR", "BOL", "KAZ", "CUB", "MYS", "THA", "UGA", "UZB", "NGA"}


def test_user_defined_forum_appears_everywhere(with_changes, short):
    members = ["USA", "GBR", "FRA", "DEU", "JPN", "CAN", "ITA", "KOR", "AUS"]
    scenario = with_changes(load_scenario("baseline", [f"time.steps={STEPS}"]),
                            forums={"oecd_track": {"rule": "closed_club", "members": members, "partners": ["MEX"],
                                                   "depth": 0.7}})
    results = govsim.run(scenario)
    c, f, ind = results.countries, results.forums, results.indices
    assert {"engagement_oecd_track", "status_oecd_track"} <= set(c.columns)
    first = c[c.step == 0]
    assert set(first.iso3[first.status_oecd_track == "member"]) == set(members)
    assert set(first.iso3[first.status_oecd_track == "partner"]) == {"MEX"}
    assert (c.groupby("step").engagement_oecd_track.max() > 0).all()
    rows = f[f.forum == "oecd_track"]
    assert len(rows) == STEPS + 1 and rows.n_members.iloc[0] == len(members)
    assert list(f[f.step == 0].forum) == [*FORUMS, "oecd_track"]
    np.testing.assert_allclose(f.groupby("step").authority.sum(), 1.0)
    # the indices table has no per-forum columns: the fourth forum shows up through the indices
    assert len(ind) == STEPS + 1
    assert not np.allclose(ind.effective_forums, short.indices.effective_forums)
    assert (_numeric_indices(ind).min() >= 0).all() and (_numeric_indices(ind).max() <= 1).all()


# ------------------------------------------------------------------ Mesa
def test_mesa_model_and_country_agents():
    scenario = load_scenario("baseline", ["time.steps=4"])
    model = GovernanceModel(scenario, seed=3)
    assert isinstance(model, mesa.Model)
    model.run()
    assert model.steps == 4
    agents = list(model.agents_by_type[Country])
    assert len(agents) == len(model.agents) == 193
    assert len({a.unique_id for a in agents}) == 193
    agents.sort(key=lambda a: a.index)
    assert [a.index for a in agents] == list(range(193))
    state = model.state
    assert [a.iso3 for a in agents] == list(state.iso3)
    np.testing.assert_array_equal([a.capability for a in agents], state.capability)
    np.testing.assert_array_equal([a.alignment for a in agents], state.alignment)
    for a in agents:
        assert list(a.engagement) == list(FORUMS)
        np.testing.assert_array_equal(list(a.engagement.values()), state.engagement[a.index])
        assert set(a.status.values()) <= STATUSES
    # the agents' view matches the last snapshot in the tables
    results = collect_results(model)
    last = results.countries[results.countries.step == 4].set_index("iso3")
    for a in agents[::17]:
        assert a.capability == last.loc[a.iso3, "capability"]
        assert a.income_group == last.loc[a.iso3, "income_group"]
        assert a.engagement["brics"] == last.loc[a.iso3, "engagement_brics"]
        assert a.status["g7"] == last.loc[a.iso3, "status_g7"]
    # running through the model equals govsim.run for the same scenario and seed
    pd.testing.assert_frame_equal(results.indices, govsim.run(scenario, seed=3).indices)


# ------------------------------------------------------------------ annual steps
@pytest.mark.parametrize("start", ["2023Q1", "2023"])
def test_annual_steps(start):
    results = govsim.run(load_scenario("baseline", ["time.step_years=1.0", f"time.start={start}", "time.steps=5"]))
    ind = results.indices
    assert ind.period.tolist() == ["2022", "2023", "2024", "2025", "2026", "2027"]
    assert ind.year.tolist() == [2022, 2023, 2024, 2025, 2026, 2027]
    assert ind.time.tolist() == pytest.approx([2022.0, 2023.0, 2024.0, 2025.0, 2026.0, 2027.0])
    assert len(results.countries) == 6 * 193
    numeric = _numeric_indices(ind)
    assert (numeric.min() >= 0).all() and (numeric.max() <= 1).all()
    # annual membership reviews run every step: BRICS can change after the first year
    assert results.forums.step.max() == 5


def test_capacity_building_budget_goes_in_full_to_the_recipients_who_engage():
    """A programme's budget is shared by the eligible countries that engage, none of it lost."""
    from govsim.state import Policy

    policy = Policy.neutral(4, 2)
    policy.cb_offer[:3, 1] = 0.6 / 3  # three eligible countries, budget 0.6 through forum 1
    engaged = np.array([[True, True], [True, False], [True, True], [True, True]])
    received = policy.cb_received(engaged)
    np.testing.assert_allclose(received, [0.3, 0.0, 0.3, 0.0])
    assert received.sum() == pytest.approx(0.6)


def test_country_agents_are_made_once_when_first_asked_for():
    model = GovernanceModel(load_scenario("baseline", ["time.steps=2"]), seed=1)
    model.run()
    assert model._agents == {}, "a run never reads the agents, so it does not make them"
    assert model.agent_types == [Country]
    assert len(model.agents) == len(model.agents_by_type[Country]) == 193
    assert len(model.agents) == 193  # asked again: not made twice
    assert sorted(a.index for a in model.agents) == list(range(193))
