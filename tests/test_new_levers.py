"""The levers of issue 11 point 3 (govsim/levers.py): a forum founded mid-run by a coalition (the
World AI Cooperation Organization), interoperability between frameworks, and AI as a public good
offered through the UN. Their library scenarios, direction tests on common seeds (the style of
tests/test_scenarios.py: 8 seeds, paired differences, >= 6 agree, > 2 s.e.), and bad input.
"""

from __future__ import annotations

import numpy as np
import pytest

import govsim
from govsim import load_scenario
from govsim.codes import MEMBER, NONE, PARTNER
from test_scenarios import (AFTER_2026, SCENARIO_FILES, TO_2030, _assert_direction, _assert_each_year,
                            _group_mean_2030, _paired)

NEW_LIBRARY = {"waico", "interoperability", "ai_public_good"}
WINDOW = (2028.0, 2029.0, 2030.0)  # after the levers have started (2026) and settled


def test_the_new_scenarios_are_in_the_library():
    assert {p.stem for p in SCENARIO_FILES} >= NEW_LIBRARY


def _window_mean(cached_run, name: str, column: str) -> np.ndarray:
    """(seeds,) paired difference name - baseline of ``column``, averaged over 2028-2030."""
    return _paired(cached_run, name, column, WINDOW).mean(axis=1)


# ------------------------------------------------------------------ a forum founded mid-run
def _with_club(with_changes, steps: int, launch: str | None, members: list[str], **rules):
    forum = {"rule": "expanding_club", "members": members, **rules}
    if launch is not None:
        forum["launch"] = launch
    return with_changes(load_scenario("baseline", [f"time.steps={steps}"]), forums={"newclub": forum})


def test_a_forum_before_its_launch_has_no_status_engagement_authority_or_index_weight(with_changes):
    model = govsim.GovernanceModel(_with_club(with_changes, 8, "2024Q2", ["CHN", "ZMB"]), seed=0)
    k = model.forums.index("newclub")
    for period in range(6):  # the initial state, then after each period 2023Q1-2024Q1
        assert not model.forums.active[k]
        assert (model.state.status[:, k] == NONE).all() and not model.state.engagement[:, k].any()
        assert model.forums.authority[k] == 0 and model.forums.authority.sum() == pytest.approx(1.0)
        model.step()  # the last one is 2024Q2, the launch
    assert model.forums.active[k]
    founders = [list(model.state.iso3).index(c) for c in ("CHN", "ZMB")]
    assert (model.state.status[founders, k] == MEMBER).all()
    assert (model.state.engagement[founders, k] > 0).all()


def test_the_indices_leave_out_a_forum_not_yet_launched(with_changes):
    """Measured with the dormant forum, the indices equal those measured with its column removed."""
    from govsim.record import measure

    model = govsim.GovernanceModel(_with_club(with_changes, 10, "2025Q1", ["CHN", "ZMB"]), seed=1)
    model.step()
    s, f = model.state, model.forums
    live = f.active.copy()
    assert not live.all()
    values = measure(s, f, model.behaviour.dynamics)
    s.engagement, s.status = s.engagement[:, live], s.status[:, live]
    for name in ("authority", "position", "rule", "active"):
        setattr(f, name, getattr(f, name)[live])
    assert measure(s, f, model.behaviour.dynamics) == values


def test_founders_keep_their_club_status_until_the_launch(with_changes):
    """South Africa and Saudi Arabia start as G7 outreach partners and leave at the first review in
    most seeds (their G7 utility falls below the exit floor: membership.leave). As founders of a
    forum launched in 2027 they are committed until the launch."""
    founders = ["CHN", "ZAF", "SAU"]
    scenario = _with_club(with_changes, 17, "2027Q1", founders)
    g7 = list(scenario.forums).index("g7")
    for seed in range(4):
        model = govsim.GovernanceModel(scenario, seed=seed)
        rows = [list(model.state.iso3).index(c) for c in founders]
        start = model.state.status[rows].copy()
        assert (start[1:, g7] == PARTNER).all()
        for _ in range(15):  # up to the period before the launch
            model.step()
            kept = (model.state.status[rows] >= np.minimum(start, PARTNER)).all()
            assert kept, f"seed {seed}: a founder left a club before the launch: {model.state.status[rows]} from {start}"


def test_a_launch_at_the_start_is_the_same_forum_without_a_launch(with_changes):
    a = govsim.run(_with_club(with_changes, 8, "2023Q1", ["CHN", "ZMB"]), seed=2).indices
    b = govsim.run(_with_club(with_changes, 8, None, ["CHN", "ZMB"]), seed=2).indices
    numeric = a.select_dtypes("number").columns
    np.testing.assert_array_equal(a[numeric].to_numpy(float), b[numeric].to_numpy(float))


def test_waico_is_joined_after_its_launch(cached_run):
    for seed in range(8):
        c = cached_run("waico", TO_2030, seed).countries
        parties = c[c.status_waico.astype(str).isin(["member", "partner"])]
        assert parties.step.min() == 15  # the record after 2026Q3, the launch period
        founders = set(parties[parties.step == 15].iso3)
        assert founders == {"CHN", "ZMB"}
        assert parties[parties.step == parties.step.max()].iso3.nunique() > 20


def test_waico_raises_inclusiveness(cached_run):
    _assert_direction(_window_mean(cached_run, "waico", "inclusiveness"), +1, "inclusiveness(waico) - baseline, 2028-30")
    _assert_direction(_window_mean(cached_run, "waico", "none_share"), -1, "none_share(waico) - baseline, 2028-30")


def test_waico_adds_a_club_few_bridge(cached_run):
    """Finding: a third club that few countries bridge raises the bridging deficit and the normative distance."""
    _assert_direction(_window_mean(cached_run, "waico", "bridging_deficit"), +1, "bridging_deficit(waico) - baseline, 2028-30")
    _assert_direction(_paired(cached_run, "waico", "normative_distance", (2030.0,))[:, 0], +1,
                      "normative_distance(waico) - baseline at 2030")


def test_waico_leaves_the_ai_divide_alone(cached_run):
    diffs = _paired(cached_run, "waico", "ai_divide", WINDOW)
    assert np.abs(diffs).max() < 1e-3, diffs


# ------------------------------------------------------------------ interoperability
def test_interoperability_discounts_only_further_listed_forums(with_changes):
    shock = {"kind": "interoperability", "start": "2023Q1", "cost_cut": 0.4, "forums": ["un", "brics"]}
    model = govsim.GovernanceModel(with_changes(load_scenario("baseline", ["time.steps=2"]), shocks=[shock]), seed=0)
    model.step()
    s, names = model.state, model.forums.names
    un, g7, brics = (names.index(n) for n in ("un", "g7", "brics"))
    engaged = s.engagement >= 0.05
    np.testing.assert_array_equal(s.policy.cost_mult[:, g7], 1.0)
    np.testing.assert_array_equal(s.policy.cost_mult[:, brics], np.where(engaged[:, un], 0.6, 1.0))
    np.testing.assert_array_equal(s.policy.cost_mult[:, un], np.where(engaged[:, brics], 0.6, 1.0))


def test_interoperability_adds_bridges(cached_run):
    _assert_direction(_window_mean(cached_run, "interoperability", "bridging_deficit"), -1,
                      "bridging_deficit(interoperability) - baseline, 2028-30")


def test_interoperability_lowers_fragmentation(cached_run):
    """Recognised frameworks' norms converge and more countries bridge them; the cheaper clubs still draw
    engagement from the UN, so modularity rises (a finding stated in the scenario's header)."""
    _assert_each_year(_paired(cached_run, "interoperability", "fragmentation", AFTER_2026), AFTER_2026, -1,
                      "fragmentation(interoperability) - baseline")
    _assert_direction(_window_mean(cached_run, "interoperability", "normative_distance"), -1,
                      "normative_distance(interoperability) - baseline, 2028-30")
    _assert_direction(_window_mean(cached_run, "interoperability", "modularity"), +1, "modularity(interoperability) - baseline")


def test_interoperability_draws_the_listed_forums_norms_together(with_changes):
    base = load_scenario("baseline", ["time.steps=3"])
    shock = {"kind": "interoperability", "start": "2023Q1", "cost_cut": 0.0, "convergence": 0.5, "forums": ["g7", "brics"]}
    plain, linked = (govsim.GovernanceModel(with_changes(base, shocks=extra), seed=0) for extra in ([], [shock]))
    for model in (plain, linked):
        model.step()
    names = plain.forums.names
    g7, brics, un = (names.index(n) for n in ("g7", "brics", "un"))
    gap = lambda m: abs(m.forums.position[g7] - m.forums.position[brics])  # noqa: E731
    assert gap(linked) == pytest.approx(0.5 * gap(plain))  # same state before the first update: half the gap
    assert linked.forums.position[un] == plain.forums.position[un]


# ------------------------------------------------------------------ AI as a public good
def test_public_good_acts_in_proportion_to_engagement(with_changes):
    shock = {"kind": "public_good", "start": "2023Q1", "lag_cut": 0.4, "adoption_boost": 2.0, "appeal": 0.5}
    model = govsim.GovernanceModel(with_changes(load_scenario("baseline", ["time.steps=2"]), shocks=[shock]), seed=0)
    before, budget = model.state.engagement[:, 0].copy(), model.state.budget.copy()
    model.step()
    share = np.clip(before / budget, 0, 1)
    policy = model.state.policy
    np.testing.assert_allclose(policy.open_cut_country, 0.4 * share)
    np.testing.assert_allclose(policy.adoption_mult, 1 + 2.0 * share)
    assert policy.appeal[:, 0].max() <= 0.5 and policy.appeal[:, 1:].max() == 0


def test_public_good_narrows_the_ai_divide(cached_run):
    _assert_each_year(_paired(cached_run, "ai_public_good", "ai_divide", WINDOW), WINDOW, -1, "ai_divide(ai_public_good) - baseline")


def test_public_good_draws_low_income_countries_to_the_un(cached_run):
    diffs = np.array([_group_mean_2030(cached_run("ai_public_good", TO_2030, s), "engagement_un")
                      - _group_mean_2030(cached_run("baseline", TO_2030, s), "engagement_un") for s in range(8)])
    _assert_direction(diffs, +1, "UN engagement of low and lower-middle income countries at 2030, ai_public_good - baseline")
    _assert_direction(_window_mean(cached_run, "ai_public_good", "representation_low"), +1, "representation_low(ai_public_good) - baseline")


# ------------------------------------------------------------------ neutral levers and bad input
@pytest.mark.parametrize("shock", [
    {"kind": "interoperability", "start": "2023Q2", "cost_cut": 0.0, "convergence": 0.0},
    {"kind": "public_good", "start": "2023Q2", "lag_cut": 0.0, "adoption_boost": 0.0, "appeal": 0.0},
], ids=["interoperability", "public_good"])
def test_neutral_levers_change_nothing(with_changes, shock):
    base = load_scenario("baseline", ["time.steps=10"])
    a = govsim.run(base, seed=3).indices
    b = govsim.run(with_changes(base, shocks=[shock]), seed=3).indices
    numeric = a.select_dtypes("number").columns
    np.testing.assert_array_equal(a[numeric].to_numpy(float), b[numeric].to_numpy(float))


@pytest.mark.parametrize("shock, match", [
    ({"kind": "interoperability", "start": "2024Q1", "forums": ["un", "wto"]}, r"shocks\.extra0\.forums = 'wto' is not a forum"),
    ({"kind": "interoperability", "start": "2024Q1", "forums": ["un"]}, "at least two forums"),
    ({"kind": "public_good", "start": "2024Q1", "provider": "unesco"}, r"shocks\.extra0\.provider = 'unesco' is not a forum"),
], ids=["interop-unknown-forum", "interop-one-forum", "public-good-unknown-provider"])
def test_bad_lever_input_is_one_clear_error(with_changes, shock, match):
    with pytest.raises(govsim.ScenarioError, match=match) as error:
        with_changes(load_scenario("baseline", ["time.steps=4"]), shocks=[shock])
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("forum, match", [
    ({"rule": "expanding_club", "members": ["CHN"], "launch": "2020"}, r"forums\.newclub\.launch = '2020' comes before the run's start"),
    ({"rule": "expanding_club", "launch": "2024Q1"}, "only a club with its founders listed"),
    ({"rule": "universal", "launch": "2024Q1"}, "only a club with its founders listed"),
], ids=["before-the-start", "no-founders", "universal"])
def test_bad_launch_is_one_clear_error(with_changes, forum, match):
    with pytest.raises(govsim.ScenarioError, match=match) as error:
        with_changes(load_scenario("baseline", ["time.steps=8"]), forums={"newclub": forum})
    assert "\n" not in str(error.value)


def test_a_launch_after_the_run_is_a_note_and_leaves_the_forum_dormant(with_changes):
    """A shortened run of a scenario with a launch (e.g. waico with time.steps=1) is fine."""
    from govsim.config import rules

    scenario = _with_club(with_changes, 4, "2030Q1", ["CHN", "ZMB"])
    assert any("'newclub' is launched in 2030Q1, after the run" in note for note in rules.notes(scenario))
    results = govsim.run(scenario, seed=0)
    assert (results.forums[results.forums.forum == "newclub"].authority == 0).all()
    assert (results.countries.status_newclub.astype(str) == "none").all()


def test_founders_not_in_the_world_are_one_clear_error(with_changes):
    scenario = _with_club(with_changes, 8, "2024Q1", ["CHN", "XXX"])
    with pytest.raises(govsim.ScenarioError, match=r"forums\.newclub\.members: \['XXX'\] not in this world") as error:
        govsim.run(scenario)
    assert "\n" not in str(error.value)


def test_a_membership_change_before_the_launch_is_one_clear_error(with_changes):
    change = {"kind": "forum_change", "forum": "newclub", "action": "admit", "countries": ["BRA"], "start": "2023Q3"}
    scenario = load_scenario("baseline", ["time.steps=8"])
    forum = {"rule": "expanding_club", "members": ["CHN"], "launch": "2024Q1"}
    with pytest.raises(govsim.ScenarioError, match=r"before its launch \(2024Q1\)\. Fix: start it at or after the launch"):
        with_changes(scenario, shocks=[change], forums={"newclub": forum})
