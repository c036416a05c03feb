"""The compiled admissions of govsim/admission.py (``admit`` → ``_admit_rows``) admit whom the numpy
formulation of the review admits: promotions of seasoned partners by a stable sort of the members'
scores, then the applicants every member accepts (``membership._entry_change`` against the
tolerance), ranked as members and as partners by numpy's stable sort, the first of each taken for
the slots, and the declines. Random statuses, seniorities, locked cells, slots and tolerances on the
real-world state."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from govsim import admission, enlargement, load_scenario
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.enlargement import Slots
from govsim.membership import _entry_change
from govsim.model import GovernanceModel


def reference_admit(s, forums, k, b, quota, gain) -> None:
    """One run's admissions in numpy, as the review was written before they were compiled."""
    status, since, free, e, d = s.status[:, k], s.partner_since[:, k], ~s.policy.locked[:, k], b.enlargement, b.decision
    as_member, as_partner = (-score for score in admission.scores(s, forums.position[k], e))
    tolerance, left = b.membership.admission_tolerance, quota.members
    if quota.tier:
        seasoned = np.flatnonzero(free & (status == PARTNER) & (s.year - since >= forums.spec["partner_years"][k] - 1e-9))
        n = int((status == MEMBER).sum())
        if seasoned.size and n:
            loss = d.w_voice * forums.authority[k] * ((1 / n) ** d.voice_exponent - (1 / (n + 1)) ** d.voice_exponent)
            if -loss >= -tolerance:
                promoted = seasoned[np.argsort(as_member[seasoned], kind="stable")][: max(left, 0)]
                status[promoted] = MEMBER
                left -= promoted.size
    applicants, members = np.flatnonzero((status == APPLICANT) & free), np.flatnonzero(status == MEMBER)
    if applicants.size == 0 or members.size == 0:
        return
    accepted = applicants[_entry_change(s, forums, k, applicants, members, b).min(axis=1) >= -tolerance]
    to_members = accepted[np.argsort(as_member[accepted], kind="stable")][: max(left, 0) if quota.direct else 0]
    rest = accepted[~np.isin(accepted, to_members)]
    to_partners = rest[np.argsort(as_partner[rest], kind="stable")][: quota.partners]
    status[to_members] = np.where(gain[to_members] < e.decline_below, NONE, MEMBER)
    status[to_partners] = np.where(gain[to_partners] < e.decline_below, NONE, PARTNER)
    since[to_partners[gain[to_partners] >= e.decline_below]] = s.year


@pytest.fixture(scope="module")
def world():
    model = GovernanceModel(load_scenario("baseline", ["time.steps=6"]), seed=2)
    for _ in range(6):
        model.step()
    return model.state, model.forums, model.behaviour


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), members=st.integers(-1, 12), partners=st.integers(0, 12), tier=st.booleans(),
       direct=st.booleans(), tolerance=st.sampled_from([None, 0.0, 1e-4, 1e-2, 5.0]),
       shares=st.tuples(*[st.floats(0.0, 1.0)] * 4))
def test_compiled_admissions_equal_the_numpy_formulation(world, seed, members, partners, tier, direct, tolerance, shares):
    s, forums, b = (copy.deepcopy(x) for x in world)
    if tolerance is not None:
        b = b.model_copy(update={"membership": b.membership.model_copy(update={"admission_tolerance": tolerance})})
    rng, k = np.random.default_rng(seed), forums.index("brics")
    p = np.array(shares) + 1e-3
    s.status[:, k] = rng.choice([NONE, APPLICANT, PARTNER, MEMBER], size=s.n, p=p / p.sum())
    s.partner_since[:, k] = np.where(s.status[:, k] >= PARTNER, s.year - rng.integers(0, 4, size=s.n), np.nan)
    s.policy.locked[:, k] = rng.random(s.n) < 0.1
    gain = rng.normal(0.1, 0.1, size=s.n)
    gain[rng.random(s.n) < 0.1] = np.nan  # a country whose gain was not worked out neither declines nor enters since
    quota = Slots(members, partners, False, tier, direct)
    want = copy.deepcopy(s)
    reference_admit(want, forums, k, b, quota, gain)
    admission.admit(s, forums, k, b, quota, gain)
    np.testing.assert_array_equal(s.status, want.status)
    np.testing.assert_array_equal(s.partner_since, want.partner_since)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), weights=st.tuples(*[st.floats(0, 5)] * 4))
def test_compiled_scores_equal_the_numpy_political_score(world, seed, weights):
    """The ranking keys worked out in the compiled call (``_keys`` with ``_regional_weight``) are minus
    ``enlargement.political_score`` bit for bit, on a state with some GDP, populations and blocked
    shares changed at random (zeros, negative and over-one blocked shares included)."""
    s = copy.deepcopy(world[0])
    rng = np.random.default_rng(seed)
    s.gdp_pc = s.gdp_pc * rng.choice([0.0, 0.5, 1.0, 3.0], size=s.n)
    s.population = s.population * rng.choice([0.0, 1.0, 2.0], size=s.n)
    s.policy.blocked = rng.choice([-0.5, -0.0, 0.0, 0.3, 1.0, 2.0], size=s.n)
    e = SimpleNamespace(regional_weight=weights[0], sanctions_weight=weights[1], alignment_weight=weights[2])
    position, region = 0.3, enlargement.regions(s)
    regional = admission._regional_weight(s.gdp_pc, s.population, region, region.max() + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_array_equal(regional, enlargement.regional_weight(s))
        want = -enlargement.political_score(s, position, weights[3], e)
    candidates = np.flatnonzero(rng.random(s.n) < 0.5)
    score = (regional, s.tier, s.policy.blocked, s.alignment, e.regional_weight, e.sanctions_weight, position)
    got = admission._keys(candidates, weights[3], score)[candidates]
    np.testing.assert_array_equal(got, want[candidates])
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want[candidates]))
