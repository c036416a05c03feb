"""BRICS enlargement follows the 2023-2025 record and political motives, not capability rank
(govsim/enlargement.py, govsim/membership.py; docs/ODD.md §7.7; issue 11 point 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govsim import enlargement, load_scenario
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.config import ScenarioError, validate
from govsim.config.forums import ForumSpec
from govsim.membership import admit
from govsim.model import GovernanceModel
from govsim.patterns import INVITED_2023, KAZAN_2024, WEST_SIDE
from govsim.phases import setup

SEEDS = range(8)
FOUNDERS = {"BRA", "RUS", "IND", "CHN", "ZAF"}
TO_2025Q1 = ("time.steps=9",)  # step 4 is 1 January 2024, step 8 is 1 January 2025


def _inside(results, step: int, *statuses: str) -> set[str]:
    c = results.countries
    return set(c.iso3[(c.step == step) & c.status_brics.astype(str).isin(statuses)])


def test_no_partner_tier_before_kazan(cached_run):
    """BRICS had no partner tier until the Kazan summit (October 2024): no partner before the 2025 state;
    the first partners arrive on 1 January 2025, and the 2024 entrants came straight in as members."""
    for seed in SEEDS[:3]:
        results = cached_run("baseline", TO_2025Q1, seed)
        early = {step: _inside(results, step, "partner") for step in range(8)}
        assert not any(early.values()), f"seed {seed}: partners before Kazan: {early}"
        assert _inside(results, 8, "partner"), f"seed {seed}: no partner in January 2025"
        assert len(_inside(results, 4, "member") - FOUNDERS) >= 4, f"seed {seed}: no membership wave in 2024"


def test_2024_entrants_resemble_the_johannesburg_invitees(cached_run):
    """At least half of the model's new members of 1 January 2024 are among ARG, EGY, ETH, IRN, SAU, ARE."""
    for seed in SEEDS[:3]:
        new = _inside(cached_run("baseline", TO_2025Q1, seed), 4, "member") - FOUNDERS
        assert new and len(new & INVITED_2023) / len(new) >= 0.5, f"seed {seed}: 2024 entrants {sorted(new)}"


def test_2025_partners_resemble_the_kazan_list(cached_run):
    """At least half of the partners of 1 January 2025 are among Kazan's 13 invitees or Indonesia;
    no rich Western-aligned state (Chile, Qatar, Singapore in the old model) is among them."""
    for seed in SEEDS[:3]:
        partners = _inside(cached_run("baseline", TO_2025Q1, seed), 8, "partner")
        assert partners and len(partners & (KAZAN_2024 | {"IDN"})) / len(partners) >= 0.5, f"seed {seed}: {sorted(partners)}"
        assert not partners & {"CHL", "QAT", "SGP", "PHL"}, f"seed {seed}: {sorted(partners)}"


def test_no_west_side_state_in_brics_by_2035(cached_run):
    """On 8 seeds, no country with a positive 2022 UNGA ideal point but the founders (Brazil) is a member
    or partner at the end of 2035 (the old model had Ireland, Greece, New Zealand, Monaco)."""
    for seed in SEEDS:
        results = cached_run("baseline", (), seed)
        first = results.countries[results.countries.step == 0]
        west = set(first.iso3[first.alignment > WEST_SIDE]) - FOUNDERS
        last = int(results.indices.step.iloc[-1])
        assert results.indices.period.iloc[-1] == "2035Q4"
        joined = _inside(results, last, "member", "partner") & west
        assert not joined, f"seed {seed}: West-side states in BRICS at the end of 2035: {sorted(joined)}"


@pytest.fixture
def small_club():
    """A hand-made state: a synthetic world with every country outside the club but its founders,
    every consensus accepted (tolerance far above any loss) and one region."""
    scenario = load_scenario("baseline", ["world=synthetic", "world.n=30",
                                          "behaviour.membership.admission_tolerance=5"])
    _, forums, s, _ = setup(scenario, np.random.default_rng(0))
    forums.update(s, scenario.behaviour.dynamics)
    k = forums.index("brics")
    outside = np.flatnonzero(s.status[:, k] == NONE)
    capable, weighty = outside[:2]
    s.alignment[[capable, weighty]] = forums.position[k]
    s.tier[[capable, weighty]] = 2
    s.capability[capable] = 2 * s.capability.max()  # the most capable country of the world
    s.population[capable], s.gdp_pc[capable] = 1e5, 500.0  # ... with no regional weight
    s.capability[weighty] = 0.0  # no capability at all, but the region's heavyweight
    s.population[weighty], s.gdp_pc[weighty] = 5e9, 5e4
    s.status[[capable, weighty], k] = APPLICANT
    return scenario.behaviour, forums, s, k, capable, weighty


def test_admission_ranks_by_political_score_not_capability(small_club):
    """One partner slot, two accepted applicants: the members take the regional heavyweight with no
    capability, not the world's most capable country (the old model took the most capable first)."""
    b, forums, s, k, capable, weighty = small_club
    score = enlargement.political_score(s, forums.position[k], b.enlargement.partner_alignment_weight, b.enlargement)
    assert score[weighty] > score[capable] and s.standing[capable] > s.standing[weighty]
    admit(s, forums, k, b, enlargement.Slots(members=0, partners=1, recorded=False, tier=True, direct=False),
          np.ones(s.n))
    assert s.status[weighty, k] == PARTNER and s.partner_since[weighty, k] == s.year
    assert s.status[capable, k] == APPLICANT


def test_an_invited_applicant_whose_gain_turned_negative_declines(small_club):
    """The best-ranked applicant is invited as a member, but joining no longer pays it (Argentina,
    December 2023): it declines and leaves the pool, and its slot stays empty."""
    b, forums, s, k, capable, weighty = small_club
    gain = np.ones(s.n)
    gain[weighty] = -0.1
    admit(s, forums, k, b, enlargement.Slots(members=1, partners=0, recorded=True, tier=False, direct=True), gain)
    assert s.status[weighty, k] == NONE and np.isnan(s.partner_since[weighty, k])
    assert s.status[capable, k] == APPLICANT  # the slot is not handed on
    assert (s.status[:, k] == MEMBER).sum() == len(FOUNDERS)


def test_calendar_slots_then_projection_quotas():
    """The record's slots in its years (one review a year, or two: the second gets none), then the
    projection's cumulative quotas; a club without a calendar keeps max_admissions partners (or,
    before its partner tier, max_admissions members) a review."""
    spec = ForumSpec(rule="expanding_club", partner_tier_from="2024Q4", enlargement_calendar={2023: (5, 0), 2024: (1, 9)},
                     projected_partners=1.0, projected_promotions=0.5)
    assert enlargement.slots(spec, 2023.75, 1.0) == enlargement.Slots(5, 0, True, False, True)
    assert enlargement.slots(spec, 2024.75, 1.0) == enlargement.Slots(1, 9, True, True, True)
    assert enlargement.slots(spec, 2023.25, 0.5).members == 5 and enlargement.slots(spec, 2023.75, 0.5).members == 0
    projected = [enlargement.slots(spec, year + 0.75, 1.0) for year in range(2025, 2029)]
    assert [(q.members, q.partners, q.recorded, q.direct) for q in projected] == [
        (0, 1, False, False), (1, 1, False, False), (0, 1, False, False), (1, 1, False, False)]
    plain = ForumSpec(rule="expanding_club", max_admissions=4)
    assert enlargement.slots(plain, 2023.75, 1.0).partners == 4
    later = ForumSpec(rule="expanding_club", max_admissions=4, partner_tier_from="2030")
    assert enlargement.slots(later, 2023.75, 1.0) == enlargement.Slots(4, 0, False, False, True)


def test_recorded_pool_and_the_record_file_agree():
    """The built-in recorded applicants are the record's applications (govsim/data/brics_record.csv):
    those up to the Johannesburg summit (August 2023) for the 2023 review, the later ones for 2024."""
    from importlib import resources

    record = pd.read_csv(resources.files("govsim") / "data" / "brics_record.csv")
    applied = record[record.event == "applied"]
    expected = {2023: sorted(applied.iso3[applied.date <= "2023-08"]), 2024: sorted(applied.iso3[applied.date > "2023-08"])}
    spec = load_scenario("baseline").forums["brics"]
    assert {year: sorted(codes) for year, codes in spec.recorded_applicants.items()} == expected
    assert spec.recorded_applicants == ForumSpec.model_validate(spec.model_dump()).recorded_applicants
    assert record.source.str.startswith("https://").all() and record.date.str.fullmatch(r"\d{4}-\d{2}").all()


@pytest.mark.parametrize(("field", "value", "words"), [
    ("enlargement_calendar", {2024: [1, -2]}, ["enlargement_calendar", "[members, partners]", "Fix"]),
    ("recorded_applicants", {24: ["EGY"]}, ["recorded_applicants", "24", "Fix"]),
    ("partner_tier_from", "Kazan", ["partner_tier_from", "'Kazan'", "YYYYQn"]),
])
def test_bad_enlargement_rules_get_one_clear_line(field, value, words):
    with pytest.raises(ScenarioError) as info:
        validate({"forums": {"un": {"rule": "universal"}, "brics": {"rule": "expanding_club", "members": ["BRA"], field: value}}})
    message = str(info.value)
    assert "\n" not in message and all(word in message for word in words), message
