"""The enlargement_pace lever: an expanding club's admissions a year after its record, changed while in force."""

from __future__ import annotations

import pytest

import govsim
from govsim.config import validate


def _with_pace(steps: int, pace: dict | None):
    """The baseline to ``steps`` with an enlargement_pace shock ``pace`` (default start 2026Q1) added."""
    data = govsim.load_scenario("baseline", {"time.steps": steps}).model_dump(mode="json")
    if pace:
        data["shocks"]["pace"] = {"kind": "enlargement_pace", "start": "2026Q1", **pace}
    return validate(data)


def _brics_at_end(seed: int, pace: dict | None) -> tuple[int, int]:
    forums = govsim.run(_with_pace(40, pace), seed=seed, countries=False).forums  # to the end of 2032
    row = forums[(forums.forum == "brics") & (forums.period == "2032Q4")].iloc[0]
    return int(row.n_members), int(row.n_partners)


@pytest.mark.parametrize("seed", [0, 1])
def test_more_admissions_a_year_give_a_larger_club_and_none_freeze_it(seed):
    base = _brics_at_end(seed, None)
    fast = _brics_at_end(seed, {"partners_per_year": 4, "promotions_per_year": 1})
    frozen = _brics_at_end(seed, {"partners_per_year": 0, "promotions_per_year": 0})
    assert fast[0] > base[0] > frozen[0] and fast[1] > base[1] >= frozen[1]


def test_the_pace_only_acts_after_the_record_and_needs_an_expanding_club():
    with pytest.raises(govsim.ScenarioError, match="forum 'g7' is not an expanding club"):
        govsim.run(_with_pace(4, {"start": "2023Q2", "forum": "g7"}))
    with pytest.raises(govsim.ScenarioError, match="nato"):
        _with_pace(4, {"start": "2023Q2", "forum": "nato"})
    record = govsim.run(_with_pace(12, None), seed=0, countries=False).forums
    paced = govsim.run(_with_pace(12, {"start": "2023Q1", "partners_per_year": 9}), seed=0, countries=False).forums
    assert record.equals(paced)  # within the record (2023-2025) the calendar decides, not the pace
