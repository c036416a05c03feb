"""The scenario library (scenarios/scenario/): provenance headers, and the direction of each
scenario's effect against the baseline.

Direction tests run a scenario and its reference (the baseline, or another scenario) on the same
seeds (common random numbers) to 2030 and compare them year by year: the mean paired difference
must have the expected sign, stand clear of the seed-to-seed noise (more than two standard
errors from zero) and agree with a clear majority of the seeds. They test signs, not sizes, so
that recalibrating the behaviour parameters does not break them unless it reverses an effect.
Directions the model does not produce (bloc decoupling does not raise modularity; a UN-centred
architecture does not lower the core deficit) are findings, stated in the scenario files.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import govsim
from govsim import load_scenario
from govsim.dynamics import investment_shares

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_FILES = sorted((SCENARIO_DIR / "scenario").glob("*.yaml"))
SHOCK_FILES = sorted((SCENARIO_DIR / "shocks").glob("*.yaml"))
LIBRARY = {"baseline", "export_controls_2025", "export_controls_escalation", "capacity_building", "open_models",
           "bloc_decoupling", "un_centred", "un_binding", "waico", "interoperability", "ai_public_good"}

SEEDS = range(8)
MIN_AGREE = 6  # seeds out of 8 whose paired difference has the expected sign
TO_2030 = ("time.steps=28",)  # the last row (step 28) is the state at 2030.0; shared with test_behaviour
FROM_2026 = (2026.0, 2027.0, 2028.0, 2029.0, 2030.0)
AFTER_2026 = (2027.0, 2028.0, 2029.0, 2030.0)
RECIPIENTS = ["low", "lower_middle"]

YEAR = re.compile(r"\b(19|20)\d{2}\b")
SOURCE = re.compile(r"\bsources?\b|A/RES/|\bFR\b|\bBIS\b|arXiv|et al\.|literature|DESIGN|Epoch|HLAB|UNGA", re.IGNORECASE)


# ------------------------------------------------------------------ provenance
def _header(path: Path) -> str:
    """The comment block at the top of a config file, without the '# @package' line."""
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# @package"):
            lines.append(line.lstrip("# "))
    return " ".join(lines)


def test_the_library_is_complete():
    assert {p.stem for p in SCENARIO_FILES} >= LIBRARY


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_scenario_has_a_provenance_header_and_loads(path):
    header = _header(path)
    assert YEAR.search(header), f"{path.name}: the header comment gives no date (a year): {header!r}"
    assert SOURCE.search(header), f"{path.name}: the header comment names no source: {header!r}"
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description


@pytest.mark.parametrize("path", SHOCK_FILES, ids=lambda p: p.stem)
def test_every_shock_file_has_a_provenance_header(path):
    header = _header(path)
    assert YEAR.search(header), f"{path.name}: the header comment gives no date (a year): {header!r}"
    assert SOURCE.search(header), f"{path.name}: the header comment names no source: {header!r}"
    assert path.read_text().startswith(f"# @package shocks.{path.stem}\n")


# ------------------------------------------------------------------ helpers
def _row(results, year: float):
    rows = results.indices[np.isclose(results.indices.time + 0.25, year)]  # the state at calendar time `year`
    assert len(rows) == 1, f"expected one row at year {year}, got {len(rows)}"
    return rows.iloc[0]


def _paired(cached_run, name: str, column: str, years, reference: str = "baseline") -> np.ndarray:
    """(seeds, years) differences name - reference of index ``column``, on common seeds."""
    return np.array([[_row(cached_run(name, TO_2030, seed), y)[column] - _row(cached_run(reference, TO_2030, seed), y)[column]
                      for y in years] for seed in SEEDS])


def _assert_direction(diffs: np.ndarray, sign: int, what: str) -> None:
    """Mean of the per-seed differences has sign ``sign``, beyond 2 standard errors, and at least
    MIN_AGREE seeds agree."""
    mean, n = diffs.mean(), diffs.size
    se = diffs.std(ddof=1) / np.sqrt(n)
    agree = int((np.sign(diffs) == sign).sum())
    detail = f"{what}: mean difference {mean:+.5f} (s.e. {se:.5f}), {agree}/{n} seeds {'>' if sign > 0 else '<'} 0; per seed {diffs.round(5)}"
    assert sign * mean > 0 and sign * mean > 2 * se and agree >= MIN_AGREE, detail


def _assert_each_year(diffs: np.ndarray, years, sign: int, what: str) -> None:
    for j, year in enumerate(years):
        _assert_direction(diffs[:, j], sign, f"{what} at {year:g}")


def _group_mean_2030(results, column: str, groups=RECIPIENTS) -> float:
    """Mean of ``column`` at the end over the countries whose income group at the start is in ``groups``."""
    c = results.countries
    start = c[c.step == 0].set_index("iso3").income_group.astype(str)
    end = c[c.step == c.step.max()].set_index("iso3")[column]
    members = start[start.isin(groups)].index
    assert len(members) > 50
    return float(end[members].mean())


# ------------------------------------------------------------------ export controls escalation
def _assert_from_2026(diffs: np.ndarray, sign: int, what: str) -> None:
    """Over 2026-2030 on average, and at 2030 (the effect builds up; single years in between are
    noisy since the headline counts the bridges between the clubs, which a few countries make)."""
    _assert_direction(diffs.mean(axis=1), sign, f"{what}, mean over {FROM_2026[0]:g}-{FROM_2026[-1]:g}")
    _assert_direction(diffs[:, -1], sign, f"{what} at {FROM_2026[-1]:g}")


def test_the_tier2_cap_leaves_the_large_importers_a_tenth_of_their_demand():
    """The 2025 rule's Tier-2 cap is set by its bite (literature §8c: ~0.1 of demand for large
    importers): a tenth of the model's 2025Q1 demand of the five largest Tier-2 buyers, within a
    factor of two. Recalibrating the investment parameters can move that demand; this catches it."""
    scenario = load_scenario("export_controls_2025")
    cap = scenario.shocks["ai_diffusion_2025"].caps[2]
    model = govsim.GovernanceModel("baseline", seed=0, record_countries=False, **{"time.steps": 8})
    model.run()  # the state at the start of 2025Q1, when the rule begins
    demand = investment_shares(model.state, model.behaviour.dynamics)[model.state.tier == 2]
    largest = np.sort(demand)[-5:]
    assert 0.05 <= cap / largest.mean() <= 0.2, f"Tier-2 cap {cap} against the five largest Tier-2 demands {largest.round(5)}"


def test_escalation_raises_fragmentation_from_2026(cached_run):
    """Caps kept to the end and the Tier-2 cap halved: more fragmented than the baseline."""
    _assert_from_2026(_paired(cached_run, "export_controls_escalation", "fragmentation", FROM_2026), +1,
                      "fragmentation(escalation) - fragmentation(baseline)")


def test_escalation_fragments_more_than_the_rescinded_rule(cached_run):
    diffs = _paired(cached_run, "export_controls_escalation", "fragmentation", FROM_2026, reference="export_controls_2025")
    _assert_from_2026(diffs, +1, "fragmentation(escalation) - fragmentation(export_controls_2025)")


def _relative(cached_run, name: str, column: str, year: float, reference: str = "baseline") -> np.ndarray:
    """(seeds,) paired differences name - reference of ``column`` at ``year``, relative to the reference."""
    return np.array([_row(cached_run(name, TO_2030, s), year)[column] / _row(cached_run(reference, TO_2030, s), year)[column] - 1
                     for s in SEEDS])


def _assert_at_least(relative: np.ndarray, sign: int, size: float, what: str) -> None:
    """The direction holds (as in _assert_direction) and the mean relative effect is at least ``size``."""
    _assert_direction(relative, sign, what)
    assert sign * relative.mean() >= size, f"{what}: mean relative effect {relative.mean():+.4f}, expected at least {sign * size:+.2f}"


def test_escalation_widens_the_ai_divide_by_2030(cached_run):
    _assert_at_least(_relative(cached_run, "export_controls_escalation", "ai_divide", 2030.0), +1, 0.02,
                     "ai_divide(escalation) / ai_divide(baseline) - 1 at 2030")


def _country(results, iso3: str, column: str, year: float) -> float:
    c = results.countries
    step = int(results.indices.step[np.isclose(results.indices.time + 0.25, year)].iloc[0])
    return float(c[(c.step == step) & (c.iso3 == iso3)][column].iloc[0])


def test_escalation_slows_china_but_china_stays_close_to_the_us(cached_run):
    """Tighter controls on Tier 3 lengthen China's own route (its compute deficit): its reachable
    capability falls against the baseline, but it stays within a year of the US frontier
    (AI Index 2025: near parity despite the 75/15 compute split)."""
    esc = [cached_run("export_controls_escalation", TO_2030, s) for s in SEEDS]
    base = [cached_run("baseline", TO_2030, s) for s in SEEDS]
    diffs = np.array([_country(e, "CHN", "access", 2030.0) - _country(b, "CHN", "access", 2030.0) for e, b in zip(esc, base)])
    _assert_direction(diffs, -1, "China's reachable capability at 2030, escalation - baseline")
    lags = [_country(e, "CHN", "lag_years", 2030.0) - _country(e, "USA", "lag_years", 2030.0) for e in esc]
    assert max(lags) < 1.0, f"China's lag behind the US at 2030 under escalation: {np.round(lags, 3)} years"


def test_the_us_capability_grows_over_the_run(cached_run):
    """The frontier moves (effective compute ~14x a year): the leader's capability rises every year."""
    c = cached_run("baseline", TO_2030, 0).countries
    us = c[c.iso3 == "USA"].sort_values("step")
    assert (np.diff(us.access.to_numpy()) > 0).all()
    assert us.capability.iloc[-1] > 2 * us.capability.iloc[0]


# ------------------------------------------------------------------ capacity building
def test_capacity_building_narrows_the_ai_divide_by_2030(cached_run):
    _assert_at_least(_relative(cached_run, "capacity_building", "ai_divide", 2030.0), -1, 0.02,
                     "ai_divide(capacity_building) / ai_divide(baseline) - 1 at 2030")


@pytest.mark.parametrize("column", ["skills", "adoption", "capability"])
def test_capacity_building_lifts_low_and_lower_middle_income_countries(cached_run, column):
    diffs = np.array([_group_mean_2030(cached_run("capacity_building", TO_2030, seed), column)
                      - _group_mean_2030(cached_run("baseline", TO_2030, seed), column) for seed in SEEDS])
    _assert_direction(diffs, +1, f"mean {column} of initially low/lower-middle income countries at 2030, capacity_building - baseline")


# ------------------------------------------------------------------ open models
def test_open_models_narrow_the_ai_divide(cached_run):
    years = (2027.0, 2030.0)
    _assert_each_year(_paired(cached_run, "open_models", "ai_divide", years), years, -1,
                      "ai_divide(open_models) - ai_divide(baseline)")
    _assert_at_least(_relative(cached_run, "open_models", "ai_divide", 2030.0), -1, 0.02,
                     "ai_divide(open_models) / ai_divide(baseline) - 1 at 2030")


# ------------------------------------------------------------------ bloc decoupling
def test_bloc_decoupling_leaves_fewer_countries_in_both_clubs(cached_run):
    # few states are parties to both clubs (one or two a seed), so the test is on the mean over 2027-2030
    _assert_direction(_paired(cached_run, "bloc_decoupling", "all_share", AFTER_2026).mean(axis=1), -1,
                      "all_share(bloc_decoupling) - all_share(baseline), mean over 2027-2030")


def test_bloc_decoupling_removes_bridges(cached_run):
    _assert_each_year(_paired(cached_run, "bloc_decoupling", "bridging_deficit", AFTER_2026), AFTER_2026, +1,
                      "bridging_deficit(bloc_decoupling) - bridging_deficit(baseline)")


def test_bloc_decoupling_raises_fragmentation(cached_run):
    """Seed claim 3: bloc politics fragments governance. Each bloc disciplines its parties, who drift
    away from the rival club's norms (dynamics.drift_alignment), so the clubs polarise."""
    _assert_each_year(_paired(cached_run, "bloc_decoupling", "fragmentation", FROM_2026), FROM_2026, +1,
                      "fragmentation(bloc_decoupling) - fragmentation(baseline)")
    _assert_direction(_paired(cached_run, "bloc_decoupling", "normative_distance", (2030.0,))[:, 0], +1,
                      "normative_distance(bloc_decoupling) - baseline at 2030")


# ------------------------------------------------------------------ binding UN rules
def _un_engagement_change(cached_run, groups) -> np.ndarray:
    return np.array([_group_mean_2030(cached_run("un_binding", TO_2030, seed), "engagement_un", groups)
                     - _group_mean_2030(cached_run("baseline", TO_2030, seed), "engagement_un", groups) for seed in SEEDS])


def test_binding_un_rules_draw_low_and_lower_middle_income_countries_in(cached_run):
    """Seed claim 11: weaker states want binding universal rules (Abbott & Snidal 2000)."""
    _assert_direction(_un_engagement_change(cached_run, RECIPIENTS), +1,
                      "mean UN engagement of low/lower-middle income countries at 2030, un_binding - baseline")


def test_binding_un_rules_draw_weak_states_in_more_than_rich_ones(cached_run):
    """... and strong states prefer soft club norms: the rich move engagement out of a binding UN."""
    gap = _un_engagement_change(cached_run, RECIPIENTS) - _un_engagement_change(cached_run, ["high"])
    _assert_direction(gap, +1, "UN engagement change at 2030, low/lower-middle minus high income")


# ------------------------------------------------------------------ UN-centred architecture
def test_un_centred_raises_inclusiveness_after_2026(cached_run):
    _assert_each_year(_paired(cached_run, "un_centred", "inclusiveness", AFTER_2026), AFTER_2026, +1,
                      "inclusiveness(un_centred) - inclusiveness(baseline)")


def test_un_centred_raises_un_authority(cached_run):
    """The mechanism behind it: a deeper UN has more of the (normalised) forum authority."""
    def un_authority(results):
        f = results.forums
        return float(f[(f.forum == "un") & (f.step == f.step.max())].authority.iloc[0])
    diffs = np.array([un_authority(cached_run("un_centred", TO_2030, s)) - un_authority(cached_run("baseline", TO_2030, s))
                      for s in SEEDS])
    _assert_direction(diffs, +1, "UN authority at 2030, un_centred - baseline")


# ------------------------------------------------------------------ the mechanisms the library added
def test_forum_reform_changes_the_rules_only_while_in_force(with_changes):
    reform = {"kind": "forum_reform", "forum": "un", "depth_multiplier": 1.5, "tech_access_increment": 0.05,
              "cost_multiplier": 0.5, "start": "2023Q3", "end": "2024Q1"}
    model = govsim.GovernanceModel(with_changes(load_scenario("baseline", ["time.steps=6"]), shocks=[reform]), seed=0)
    k, rules = model.forums.index("un"), ("depth", "tech_access", "cost")
    before = tuple(float(model.forums.spec[r][k]) for r in rules)
    seen = []
    for _ in range(6):
        model.step()
        seen.append(tuple(float(model.forums.spec[r][k]) for r in rules))
    reformed = (before[0] * 1.5, before[1] + 0.05, before[2] * 0.5)
    assert seen[:2] == [before] * 2
    assert seen[2:4] == [pytest.approx(reformed)] * 2
    assert seen[4:] == [before] * 2  # restored exactly from 2024Q1 on


def test_neutral_forum_reform_changes_nothing(with_changes):
    neutral = {"kind": "forum_reform", "forum": "g7", "start": "2024Q1"}
    base = load_scenario("baseline", ["time.steps=12"])
    a = govsim.run(base, seed=3).indices
    b = govsim.run(with_changes(base, shocks=[neutral]), seed=3).indices
    numeric = a.select_dtypes("number").columns
    assert len(numeric) > 15
    np.testing.assert_array_equal(a[numeric].to_numpy(float), b[numeric].to_numpy(float))


def test_forum_reform_of_an_unknown_forum_is_a_clear_error(with_changes):
    bad = {"kind": "forum_reform", "forum": "wto", "depth_multiplier": 2, "start": "2024Q1"}
    with pytest.raises(govsim.ScenarioError, match="forum.*'wto'.*known forums"):
        govsim.run(with_changes(load_scenario("baseline", ["time.steps=2"]), shocks=[bad]))


def test_penalised_parties_penalise_a_bloc_s_members_and_partners(with_changes):
    """BRICS parties pay the penalty on the G7 whatever their tier; nobody else does."""
    shock = {"kind": "export_controls", "start": "2023Q1", "caps": {}, "penalty": 1.5, "penalised_tiers": [],
             "penalised_parties": ["brics"], "penalised_forums": ["g7"]}
    model = govsim.GovernanceModel(with_changes(load_scenario("baseline", ["time.steps=2"]), shocks=[shock]), seed=0)
    model.step()
    state, g7, brics = model.state, model.forums.index("g7"), model.forums.index("brics")
    parties = state.status[:, brics] >= govsim.codes.PARTNER
    assert parties.sum() >= 5
    np.testing.assert_array_equal(state.policy.penalty[:, g7], np.where(parties, 1.5, 0.0))
    assert not state.policy.penalty[:, [k for k in range(len(model.forums.names)) if k != g7]].any()
