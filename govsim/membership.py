"""Club membership reviews: outreach, applications, consensus admission, promotion, exits.

Run at every review (annual by default). Countries compare utilities computed from the same
snapshot; all random draws are made in full arrays so that their number never depends on
outcomes (common random numbers across scenarios).
"""

from __future__ import annotations

import numpy as np

from govsim.config.behaviour import Behaviour
from govsim import enlargement
from govsim.decision import option_value, status_free_terms, utilities
from govsim.forums import ForumSet, capability_mass
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.state import State


def review(s: State, forums: ForumSet, b: Behaviour, rng: np.random.Generator,
           scored: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """One membership review of every club forum, in place.

    Cells locked by a ``forum_change`` in force (``policy.locked``) take no part: no exit, offer,
    application, admission or promotion changes them. ``scored``: :func:`review_utilities` of this
    state, if the caller has them (a batch of replicates scores them all at once).
    """
    clubs = ~forums.universal
    u_join, u_now = review_utilities(s, forums, b) if scored is None else scored
    # draws[2] is not used, but stays drawn: dropping it would shift every later draw from the
    # generator and so change every run's results.
    draws = rng.random((3, s.n, len(forums.names)))
    leave(s, clubs, u_now, b, draws[0])
    for k in np.flatnonzero(clubs):
        if forums.rule[k] == "closed_club":
            outreach(s, forums, k, u_join[:, k], b)
        else:
            enlarge(s, forums, k, _joining_gain(u_now, u_join, s.eligible(forums.universal), k, b), b, draws[1][:, k])


def review_utilities(s: State, forums: ForumSet, b: Behaviour) -> tuple[np.ndarray, np.ndarray]:
    """(U as a partner of every club, U with the current status): what a review compares, (N, K)
    (or (R, N, K) for a batch of replicates)."""
    view = forums.view()
    hypothetical = np.where(~forums.universal, np.maximum(s.status, PARTNER), s.status)
    terms = status_free_terms(s, view, b.decision)  # the same for both statuses
    return utilities(s, view, b.decision, hypothetical, terms), utilities(s, view, b.decision, s.status, terms)


def leave(s: State, clubs: np.ndarray, u_now: np.ndarray, b: Behaviour, draw: np.ndarray) -> None:
    """Internal stability: members/partners whose club utility falls exit_threshold below the outside option leave with probability p_exit."""
    inside = (s.status >= PARTNER) & clubs[None, :]
    floor = b.decision.outside_utility - b.membership.exit_threshold
    unhappy = inside & (u_now < floor) & (draw < b.membership.p_exit) & ~s.policy.locked
    s.status[unhappy] = NONE
    s.partner_since[unhappy] = np.nan


def outreach(s: State, forums: ForumSet, k: int, u_join: np.ndarray, b: Behaviour) -> None:
    """A closed club offers partnership to close, capable states that gain from accepting."""
    close = np.abs(s.alignment - forums.position[k]) <= forums.spec["outreach_radius"][k]
    capable = s.standing >= forums.spec["outreach_min_capability"][k]
    offer = (s.status[:, k] == NONE) & close & capable & (u_join > b.decision.outside_utility) & ~s.policy.locked[:, k]
    s.status[offer, k] = PARTNER
    s.partner_since[offer, k] = s.year


def enlarge(s: State, forums: ForumSet, k: int, gain: np.ndarray, b: Behaviour, draw: np.ndarray) -> None:
    """An expanding club's review (govsim/enlargement.py): applications, then admissions.

    Within the record the recorded applicants still outside are the pool; after it, countries that
    pass the alignment gate (``enlargement.alignment_gate``) apply for the motives of
    ``enlargement.application_motive``.
    """
    spec = forums.specs[k]
    pace = (forums.spec["projected_partners"][k], forums.spec["projected_promotions"][k])  # enlargement_pace may change them
    quota = enlargement.slots(spec, s.year, b.membership.review_years, pace)
    if quota.recorded:
        pool = enlargement.recorded_pool(s, spec) & (s.status[:, k] == NONE) & ~s.policy.locked[:, k]
        s.status[pool, k] = APPLICANT
    else:
        poles = (forums.rule == "closed_club") | (np.arange(len(forums.names)) == k)  # the other pole: closed clubs
        close = enlargement.alignment_gate(s.alignment, forums.position, poles, k, forums.spec["apply_radius"][k])
        motive = enlargement.application_motive(gain, s, b.enlargement)
        apply_to_join(s, k, np.where(close, motive, -np.inf), b, draw)
    admit(s, forums, k, b, quota, gain)


def apply_to_join(s: State, k: int, motive: np.ndarray, b: Behaviour, draw: np.ndarray) -> None:
    """Outsiders whose motive to join exceeds kappa apply (with probability p_apply)."""
    free = (s.status[:, k] == NONE) & ~s.policy.locked[:, k]
    keen = free & (motive > b.membership.apply_threshold) & (draw < b.membership.p_apply)
    s.status[keen, k] = APPLICANT


def admit(s: State, forums: ForumSet, k: int, b: Behaviour, quota: enlargement.Slots, gain: np.ndarray) -> None:
    """Promotion of seasoned partners, then consensus admission of applicants, each ranked by the
    members' political score (``enlargement.political_score``) and limited by the review's slots.

    Member slots go first to seasoned partners (once there is a partner tier), then, where
    ``quota.direct``, to the best-ranked applicants; the best-ranked of the rest (ranked as
    partners) fill ``quota.partners``. An invited applicant whose joining gain is below
    ``decline_below`` declines (Argentina 2023) and leaves the pool; its slot stays empty.
    """
    free, e, x_k = ~s.policy.locked[:, k], b.enlargement, forums.position[k]
    as_member = enlargement.political_score(s, x_k, e.alignment_weight, e)
    members = quota.members
    if quota.tier:
        seasoned = free & (s.status[:, k] == PARTNER) & (s.year - s.partner_since[:, k] >= forums.spec["partner_years"][k] - 1e-9)
        promoted = _consensus(s, forums, k, np.flatnonzero(seasoned), b, True, as_member)[:members]
        s.status[promoted, k] = MEMBER
        members -= promoted.size
    accepted = _consensus(s, forums, k, np.flatnonzero((s.status[:, k] == APPLICANT) & free), b, False, as_member)
    to_members = accepted[: members if quota.direct else 0]
    rest = np.sort(accepted[to_members.size:])  # the accepted not made members, by index (as np.setdiff1d gives them)
    as_partner = enlargement.political_score(s, x_k, e.partner_alignment_weight, e)
    to_partners = rest[np.argsort(-as_partner[rest], kind="stable")][: quota.partners]
    for invited, status in ((to_members, MEMBER), (to_partners, PARTNER)):
        declines = gain[invited] < e.decline_below
        s.status[invited, k] = np.where(declines, NONE, status)
    joined = to_partners[gain[to_partners] >= e.decline_below]
    s.partner_since[joined, k] = s.year


def _consensus(s: State, forums: ForumSet, k: int, candidates: np.ndarray, b: Behaviour, dilutes_voice: bool,
               score: np.ndarray) -> np.ndarray:
    """Candidates every member accepts (expected utility loss <= tolerance), best political ``score`` first.

    A member j's expected change in utility from admitting candidate a as a partner
    (Gray & Lindstaedt 2017; Buchanan 1965 congestion), with w_a = m_a B_a / 2 the entrant's
    expected weight (half its budget) in the forum's pool P_k:
    + w_access * tech_k * (max(0, L' - c_j) - max(0, L_k - c_j)),  L' = (P_k L_k + w_a c_a) / (P_k + w_a)
      (the capability one can learn from rises with a stronger entrant and is diluted by a weaker one)
    - w_distance * D_k * (|x_j - x'| - |x_j - x_k|),                 x' = (P_k x_k + w_a x_a) / (P_k + w_a)
    Promoting a partner (``dilutes_voice``) leaves the pool as it is and costs every member voice:
    - w_voice * A_k * ((1/n)^nu - (1/(n+1))^nu).
    """
    members = np.flatnonzero(s.status[:, k] == MEMBER)
    if candidates.size == 0 or members.size == 0:
        return candidates[:0]
    if dilutes_voice:  # every member loses the same voice, whoever the candidate
        d, n = b.decision, members.size
        loss = d.w_voice * forums.authority[k] * ((1 / n) ** d.voice_exponent - (1 / (n + 1)) ** d.voice_exponent)
        worst = np.full(candidates.size, -loss)
    else:
        worst = _entry_change(s, forums, k, candidates, members, b).min(axis=1)
    accepted = candidates[worst >= -b.membership.admission_tolerance]
    return accepted[np.argsort(-score[accepted], kind="stable")]


def _entry_change(s: State, forums: ForumSet, k: int, candidates: np.ndarray, members: np.ndarray, b: Behaviour) -> np.ndarray:
    """(candidates, members) change in each member's access and distance terms from a new partner."""
    d = b.decision
    pool, level, x_k = forums.pool[k], forums.level[k], forums.position[k]
    w_a = (capability_mass(s) * s.budget)[candidates][:, None] / 2
    share = w_a / np.maximum(pool + w_a, 1e-12)
    c_j, x_j = s.standing[members][None, :], s.alignment[members][None, :]
    new_level = level + share * (s.standing[candidates][:, None] - level)
    new_x = x_k + share * (s.alignment[candidates][:, None] - x_k)
    access = forums.spec["tech_access"][k] * (np.maximum(new_level - c_j, 0.0) - np.maximum(level - c_j, 0.0))
    distance = forums.depth[k] * (np.abs(x_j - new_x) - np.abs(x_j - x_k))
    return d.w_access * access - d.w_distance * distance


def _joining_gain(u_now: np.ndarray, u_join: np.ndarray, eligible: np.ndarray, k: int, b: Behaviour) -> np.ndarray:
    """(N,) gain in the logit option value from adding club k (as a partner) to one's choice set."""
    d = b.decision
    without = eligible.copy()
    without[:, k] = False
    with_k = without.copy()
    with_k[:, k] = True
    u = u_now.copy()
    u[:, k] = u_join[:, k]
    return option_value(u, with_k, d.outside_utility, d.temperature) - option_value(u, without, d.outside_utility, d.temperature)
