"""A batch's membership reviews (``Batch.review_each``: govsim.membership.review on the stacked
(R, N, K) arrays) equal each replicate's single review: the same statuses, the same partner_since
and the same draws taken from each replicate's Generator, for states with applicants, partners,
promotions and locked cells (issue 14: reviews done for all replicates at once)."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import govsim
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.membership import review
from govsim.replicates import Batch

SEEDS = [0, 3, 5, 11]


def singles(batch: Batch) -> list:
    """Each replicate's state and forums as a single run's (independent copies) and a copy of its Generator."""
    out = []
    for replica in batch.replicas:
        replica.bind(batch.state, batch.forums)
        out.append((copy.deepcopy(replica.state), copy.deepcopy(replica.forums), copy.deepcopy(replica.rng)))
        replica.unbind()
    return out


def assert_batched_review_is_each_single_review(batch: Batch, b) -> dict:
    """Run the batch's review on its stacked state and each replicate's single review on a copy;
    assert they agree cell for cell (and leave the Generators in the same state). Returns counts
    of what the reviews saw and did, so a test can tell that they had something to do."""
    before = singles(batch)
    status0 = batch.state.status.copy()
    batch.review_each(batch.state, batch.forums, b, batch.streams)
    seen = {"applicants": 0, "partners": 0, "locked": 0, "changed": 0}
    for replica, (state, forums, rng) in zip(batch.replicas, before):
        review(state, forums, replica.behaviour, rng)
        r = replica.r
        np.testing.assert_array_equal(batch.state.status[r], state.status)
        np.testing.assert_array_equal(batch.state.partner_since[r], state.partner_since)  # nan where nan
        assert rng.random() == replica.rng.random()  # the same number of draws from the same stream
        seen["applicants"] += int((status0[r] == APPLICANT).sum())
        seen["partners"] += int((status0[r] == PARTNER).sum())
        seen["locked"] += int(state.policy.locked.sum())
        seen["changed"] += int((status0[r] != state.status).sum())
    return seen


class Checked(Batch):
    """A batch that checks every one of its reviews against the replicates' single reviews."""

    def review_each(self, state, forums, b, rng):
        if getattr(self, "checking", False):
            return super().review_each(state, forums, b, rng)
        self.checking = True
        try:
            self.seen.append(assert_batched_review_is_each_single_review(self, b))
        finally:
            self.checking = False


def checked_run(name: str, overrides: list[str] | None = None, varied: list[str] | None = None) -> list[dict]:
    """Run a batch of ``name`` (seeds SEEDS; ``varied``: per-replicate overrides, so behaviour
    numbers differ between replicates) checking every review; the counts of each review."""
    base = overrides or []
    jobs = [(govsim.load_scenario(name, base + ([varied[i % len(varied)]] if varied else [])), seed)
            for i, seed in enumerate(SEEDS)]
    batch = Checked(jobs)
    batch.seen = []
    batch.run()
    return batch.seen


def test_baseline_reviews_batched_equal_single_reviews():
    """The real world: the record's applicants, BRICS partners promoted, G7 outreach and exits."""
    seen = checked_run("baseline", ["time.steps=32"])
    assert len(seen) == 8
    assert sum(s["applicants"] for s in seen) > 0 and sum(s["partners"] for s in seen) > 0
    assert sum(s["changed"] for s in seen) > 0


def test_locked_cells_batched_equal_single_reviews():
    """A forum change (WAICO) locks cells: the batched review leaves them alone as the single one does."""
    seen = checked_run("waico", ["time.steps=28"])
    assert sum(s["locked"] for s in seen) > 0 and sum(s["changed"] for s in seen) > 0


def test_behaviour_numbers_differing_between_replicates():
    """Replicates with their own membership, enlargement and decision numbers (stack_behaviour's
    columns): each is reviewed with its own numbers."""
    varied = ["behaviour.membership.p_apply=0.9", "behaviour.enlargement.decline_below=-1.0",
              "behaviour.decision.temperature=0.3", "behaviour.membership.exit_threshold=0.0"]
    seen = checked_run("baseline", ["time.steps=36"], varied)
    assert sum(s["changed"] for s in seen) > 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), locked=st.floats(0.0, 0.3), year=st.sampled_from([2024.75, 2027.75]))
def test_random_memberships_batched_equal_single_reviews(seed, locked, year):
    """Random statuses (members, partners of every seniority, applicants, outsiders) and locked
    cells in every club, before the record's end and after it: batched equals single."""
    scenario = govsim.load_scenario("baseline", ["time.steps=4"])
    batch = Batch([(scenario, s) for s in SEEDS])
    batch.run()
    rng = np.random.default_rng(seed)
    s, clubs = batch.state, ~batch.forums.universal
    shape = s.status[..., clubs].shape
    s.status[..., clubs] = rng.choice([NONE, APPLICANT, PARTNER, MEMBER], size=shape, p=[0.5, 0.15, 0.2, 0.15])
    s.partner_since[..., clubs] = np.where(s.status[..., clubs] >= PARTNER, year - rng.integers(0, 4, size=shape), np.nan)
    s.policy.locked[...] = rng.random(s.policy.locked.shape) < locked
    s.year = year
    seen = assert_batched_review_is_each_single_review(batch, batch.behaviour)
    assert seen["changed"] > 0


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), applying=st.floats(0.05, 0.9), slots=st.integers(0, 12),
       tolerance=st.sampled_from([None, 0.0, 1e-4, 1e-3]))
def test_consensus_down_the_ranking_equals_the_full_consensus(seed, applying, slots, tolerance):
    """admission._accepted works out the consensus only down a replicate's ranking as far as its
    slots need: what it picks equals ranking every applicant every member accepts (the single run's
    definition: membership._entry_change, a stable sort of the accepted by score) and taking the first."""
    from govsim.admission import _accepted, per_row, scores
    from govsim.forums import capability_mass
    from govsim.membership import _entry_change

    scenario = govsim.load_scenario("baseline", ["time.steps=6"])
    batch = Batch([(scenario, s) for s in SEEDS])
    batch.run()
    rng = np.random.default_rng(seed)
    s, f, b, k = batch.state, batch.forums, batch.behaviour, batch.forums.index("brics")
    if tolerance is not None:  # stricter members: more applicants refused, rankings searched further down
        b = b.model_copy(update={"membership": b.membership.model_copy(update={"admission_tolerance": tolerance})})
    outside = s.status[..., k] != MEMBER
    s.status[..., k] = np.where(outside & (rng.random(outside.shape) < applying), APPLICANT, s.status[..., k])
    applicants = s.status[..., k] == APPLICANT
    counts = rng.integers(0, slots + 1, size=len(SEEDS))
    as_member, _ = scores(s, f.position[:, k, None], b.enlargement)
    weight, rows = capability_mass(s) * s.budget, len(SEEDS)
    club = np.array([a[:, k] for a in (f.pool, f.level, f.position, f.spec["tech_access"], f.depth)])
    w_access, w_distance = per_row(b.decision.w_access, rows), per_row(b.decision.w_distance, rows)
    floor = -per_row(b.membership.admission_tolerance, rows)
    for r, (state, forums, _) in enumerate(singles(batch)):
        candidates, members = np.flatnonzero(applicants[r]), np.flatnonzero(state.status[:, k] == MEMBER)
        terms = (weight[r], s.standing[r], s.alignment[r], club[:, r], w_access[r], w_distance[r], floor[r])
        asked = np.zeros(s.n, np.int8)
        chosen = _accepted(candidates, -as_member[r], counts[r], members, asked, terms)
        worst = _entry_change(state, forums, k, candidates, members, b).min(axis=1)
        accepted = candidates[worst >= -b.membership.admission_tolerance]
        ranked = accepted[np.argsort(-as_member[r][accepted], kind="stable")][: counts[r]]
        np.testing.assert_array_equal(np.sort(chosen), np.sort(ranked))
        assert set(np.flatnonzero(asked == 1)) <= set(accepted)  # asked only about some, and answered right
        assert set(np.flatnonzero(asked == 2)).isdisjoint(accepted)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 80), count=st.integers(-1, 90), levels=st.integers(1, 8),
       odd=st.sampled_from([None, np.nan, np.inf, -np.inf]))
def test_ranked_is_the_stable_order(seed, n, count, levels, odd):
    """admission._ranked (a compiled merge sort) orders candidates as numpy's stable sort does: ties
    (few key levels) in the candidates' order, NaN keys last, infinite keys in their place."""
    from govsim.admission import _ranked

    rng = np.random.default_rng(seed)
    key = rng.integers(0, levels, size=100).astype(float)
    if odd is not None:
        key[rng.random(100) < 0.1] = odd
    key[rng.random(100) < 0.05] = -0.0  # equal to 0.0: a tie
    candidates = np.flatnonzero(rng.random(100) < n / 100)
    want = candidates[np.argsort(key[candidates], kind="stable")][: max(count, 0)]
    np.testing.assert_array_equal(_ranked(candidates, key, count), want)
