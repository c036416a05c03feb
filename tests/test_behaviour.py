"""Direction of the policy effects over an ensemble of seeds (common seeds in both arms)."""

from __future__ import annotations

import numpy as np
import pytest

import govsim
from govsim import load_scenario
from govsim.codes import MEMBER, NONE, PARTNER
from govsim.membership import _entry_change, review
from govsim.phases import setup

SEEDS = range(8)
TO_2030 = ["time.steps=28"]  # the last row (step 28) is the state at year 2030.0
RECIPIENTS = ["low", "lower_middle"]


@pytest.fixture(scope="module")
def baseline_2030(cached_run):
    return [cached_run("baseline", TO_2030, seed) for seed in SEEDS]


def _at_year(indices, year: float):
    rows = indices[np.isclose(indices.time + 0.25, year)]  # the state at calendar time `year` (end of its quarter)
    assert len(rows) == 1
    return rows.iloc[0]


def test_un_engagement_stays_near_universal(cached_run):
    for seed in SEEDS:
        c = cached_run("baseline", (), seed).countries
        share = (c.engagement_un >= 0.05).groupby(c.step).mean()
        assert len(share) == 53
        assert share.min() >= 0.95, f"seed {seed}: UN engagement share fell to {share.min():.3f} at step {share.idxmin()}"


def test_export_controls_pull_norms_apart_while_in_force(cached_run, row_at):
    """The Jan 2025 AI Diffusion caps (in force in 2025Q1 only): capped BRICS members and partners
    shift engagement towards BRICS, so the forums' norms diverge (normative distance up on every
    seed), while capped G7 outreach partners resent the G7 (modularity down). Since capability is
    used capability (issue 10), the capped Tier-2 states weigh less in the capability-weighted
    indices and the two effects nearly cancel in the headline (scenario header)."""
    short = ["time.steps=9"]  # step 9 is the 2025Q1 row
    diffs = []
    for seed in SEEDS:
        base = row_at(cached_run("baseline", short, seed).indices, "2025Q1")
        controls = row_at(cached_run("export_controls_2025", short, seed).indices, "2025Q1")
        diffs.append([controls[c] - base[c] for c in ("normative_distance", "modularity")])
    distance, modularity = np.array(diffs).T
    assert (distance > 0).all(), f"normative distance, controls - baseline at 2025Q1 per seed: {distance.round(4)}"
    assert (modularity < 0).sum() >= 6, f"modularity, controls - baseline at 2025Q1 per seed: {modularity.round(4)}"


def test_export_controls_only_bite_while_in_force(cached_run, row_at):
    """Before 2025Q1 both arms are identical (same seeds, same draws)."""
    for seed in SEEDS[:3]:
        base = cached_run("baseline", ["time.steps=9"], seed)
        controls = cached_run("export_controls_2025", ["time.steps=9"], seed)
        before = base.indices.period < "2025Q1"
        assert before.sum() == 9
        np.testing.assert_array_equal(base.indices[before].fragmentation, controls.indices[before].fragmentation)
        assert row_at(base.indices, "2025Q1").fragmentation != row_at(controls.indices, "2025Q1").fragmentation


def _recipient_gap(results) -> float:
    """Mean capability of initially high-income countries minus that of the initial recipients, at the end."""
    c = results.countries
    group = c[c.step == 0].set_index("iso3").income_group.astype(str)
    last = c[c.step == c.step.max()].set_index("iso3").capability
    high = last[group[group == "high"].index].mean()
    recipients = last[group[group.isin(RECIPIENTS)].index]
    assert len(recipients) > 50
    return float(high - recipients.mean())


def test_capacity_building_narrows_recipients_gap(baseline_2030, with_changes):
    shock = {"kind": "capacity_building", "label": "UN capacity building", "provider": "un",
             "recipients": RECIPIENTS, "budget": 10, "start": "2024Q1", "end": "2030Q1"}
    scenario = with_changes(load_scenario("baseline", TO_2030), shocks=[shock])
    assert scenario.shocks["extra0"].kind == "capacity_building"
    base_gap, cb_gap = [], []
    for seed, base in zip(SEEDS, baseline_2030):
        cb = govsim.run(scenario, seed=seed)
        assert _at_year(cb.indices, 2030.0).step == cb.indices.step.max()
        base_gap.append(_recipient_gap(base))
        cb_gap.append(_recipient_gap(cb))
    base_gap, cb_gap = np.array(base_gap), np.array(cb_gap)
    assert (base_gap > 0).all()
    assert cb_gap.mean() < base_gap.mean()
    assert (cb_gap < base_gap).all(), f"baseline {base_gap.round(3)} vs capacity building {cb_gap.round(3)}"


def test_open_models_lower_the_ai_divide(baseline_2030, with_changes):
    scenario = with_changes(load_scenario("baseline", TO_2030),
                            shocks=[{"kind": "open_models", "diffusion_multiplier": 3, "start": "2025Q1"}])
    base = np.array([_at_year(r.indices, 2030.0).ai_divide for r in baseline_2030])
    opened = np.array([_at_year(govsim.run(scenario, seed=s).indices, 2030.0).ai_divide for s in SEEDS])
    assert opened.mean() < base.mean()
    assert (opened < base).all(), f"baseline {base.round(4)} vs open models {opened.round(4)}"


@pytest.fixture(scope="module")
def russia_leaves(with_changes):
    shock = {"kind": "forum_change", "forum": "brics", "action": "withdraw", "countries": ["RUS"], "start": "2024Q1"}
    scenario = with_changes(load_scenario("baseline"), shocks=[shock])
    return [govsim.run(scenario, seed=seed) for seed in SEEDS]


def _russia(results):
    c = results.countries
    rus = c[c.iso3 == "RUS"]  # the countries table carries the period
    assert len(rus) == 53
    return rus


def test_forum_change_withdraws_russia_at_2024q1(russia_leaves):
    for results in russia_leaves:
        rus = _russia(results).set_index("period")
        assert (rus.loc[:"2023Q4", "status_brics"] == "member").all()
        assert rus.loc["2024Q1", "status_brics"] == "none"
        assert rus.loc["2024Q1", "engagement_brics"] == 0.0


def test_forum_change_withdrawal_lasts(russia_leaves):
    """With no ``end``, the withdrawal is in force until the run ends: RUS stays out of BRICS."""
    for seed, results in zip(SEEDS, russia_leaves):
        rus = _russia(results)
        after = rus[rus.period >= "2024Q1"]
        back = after[after.status_brics != "none"]
        assert back.empty, (f"seed {seed}: RUS back in BRICS from {back.period.iloc[0]} "
                            f"as {back.status_brics.iloc[0]}; statuses after 2024Q1: "
                            f"{after.status_brics.astype(str).value_counts().to_dict()}")


def _application_distances(results, forum: str = "brics") -> np.ndarray:
    """For every new BRICS application after the record (from the 2026 review on; before it the
    recorded applicants are the pool): the applicant's alignment distance to ``forum``'s position
    used at that review (alignment at the end of the previous step, position of this step)."""
    c = results.countries.sort_values(["iso3", "step"])
    prev_status = c.groupby("iso3").status_brics.shift()
    prev_alignment = c.groupby("iso3").alignment.shift()
    new = c[(c.status_brics == "applicant") & (prev_status == "none") & (c.step > 12)]
    f = results.forums
    position = f[f.forum == forum].set_index("step").position
    return np.abs(prev_alignment[new.index].to_numpy() - position[new.step].to_numpy())


def test_only_countries_aligned_near_brics_apply_to_it(cached_run):
    """The application gate (enlargement.alignment_gate): every application after the record comes
    from within forums.brics.apply_radius (0.95) of BRICS and from no nearer to the G7; a tighter
    radius binds."""
    for seed in (0, 1):
        results = cached_run("baseline", (), seed)
        distances = _application_distances(results)
        assert len(distances) > 5 and distances.max() <= 0.95 + 1e-9
        assert (distances <= _application_distances(results, "g7") + 1e-9).all()
    tight = _application_distances(cached_run("baseline", ("forums.brics.apply_radius=0.3",), 0))
    assert len(tight) > 0 and tight.max() <= 0.3 + 1e-9
    assert distances.max() > 0.3, "the default radius admits farther countries: the test would not catch a broken gate"


def test_a_membership_review_leaves_locked_cells_alone():
    """A partner held by a ``forum_change`` in force keeps its status and admission date at a review
    that would otherwise expel every partner (p_exit 1, outside option far above every club)."""
    scenario = load_scenario("baseline", ["behaviour.decision.outside_utility=15", "behaviour.membership.p_exit=1",
                                          "behaviour.membership.exit_threshold=0"])
    _, forums, s, _ = setup(scenario, np.random.default_rng(0))
    k, iso = forums.index("brics"), list(s.iso3)
    held, free = iso.index("KEN"), iso.index("GHA")
    s.status[[held, free], k] = PARTNER
    s.partner_since[[held, free], k] = s.year
    s.policy.locked[held, k] = True
    forums.update(s, scenario.behaviour.dynamics)
    review(s, forums, scenario.behaviour, np.random.default_rng(1))
    assert s.status[free, k] == NONE and np.isnan(s.partner_since[free, k])  # the review does expel
    assert s.status[held, k] == PARTNER and s.partner_since[held, k] == s.year


def test_an_entrant_dilutes_or_raises_what_members_can_learn():
    """Consensus admission (membership._entry_change): an entrant at the forum's level (of standing) and
    position changes nothing for members; a weaker one dilutes the level members below it learn from
    (a loss), a stronger one raises it (a gain)."""
    scenario = load_scenario("baseline")
    _, forums, s, _ = setup(scenario, np.random.default_rng(0))
    forums.update(s, scenario.behaviour.dynamics)
    k = forums.index("brics")
    members = np.flatnonzero(s.status[:, k] == MEMBER)
    below = members[s.standing[members] < forums.level[k]]
    assert below.size >= 3
    entrant = np.array([list(s.iso3).index("KEN")])
    top = s.capability.max()  # levels are in standing, capability relative to the most capable country

    def change(standing: float) -> np.ndarray:
        s.capability[entrant], s.alignment[entrant] = standing * top, forums.position[k]
        return _entry_change(s, forums, k, entrant, below, scenario.behaviour)[0]

    np.testing.assert_allclose(change(forums.level[k]), 0.0, atol=1e-12)
    assert (change(0.1 * forums.level[k]) < 0).all() and (change(1.0) > 0).all()
