"""Admissions to an expanding club at a review: promotion of seasoned partners, then consensus
admission of applicants, ranked by the members' political score and limited by the review's slots
(govsim/enlargement.py; docs/ODD.md §7.7). ``govsim.membership`` runs the review.

Written once for one run and for all R replicates of a batch (govsim/replicates.py): the club's
column of each replicate is a row of (R, N) arrays (one run is R = 1), candidates and members are
masks, the consensus is worked out for every (replicate, candidate) pair against the members of its
replicate (padded to the largest membership), and a ranking is a stable sort along each row. Each
value is computed by the same arithmetic as for its single run, so every replicate admits exactly
whom its single run admits.
"""

from __future__ import annotations

import numpy as np

from govsim import enlargement
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.forums import ForumSet, capability_mass
from govsim.state import State


def admit(s: State, forums: ForumSet, k: int, b, quota: enlargement.Slots | list[enlargement.Slots],
          gain: np.ndarray) -> None:
    """Promotion of seasoned partners, then consensus admission of applicants, each ranked by the
    members' political score (``enlargement.political_score``) and limited by the review's slots.

    Member slots go first to seasoned partners (once there is a partner tier), then, where
    ``quota.direct``, to the best-ranked applicants; the best-ranked of the rest (ranked as
    partners) fill ``quota.partners``. An invited applicant whose joining gain is below
    ``decline_below`` declines (Argentina 2023) and leaves the pool; its slot stays empty.
    A batch passes one quota per replicate (their numbers may differ, their regime does not).
    """
    batch = s.status.ndim == 3
    quotas, lift = (quota, _same) if batch else ([quota], _row)
    status, since = lift(s.status[..., k]), lift(s.partner_since[..., k])  # views: writes reach the state
    free, gain, e = lift(~s.policy.locked[..., k]), lift(gain), b.enlargement
    as_member, as_partner = (lift(score) for score in scores(s, club(forums.position, k), e))
    left = np.array([q.members for q in quotas])
    if quotas[0].tier:
        seasoned = free & (status == PARTNER) & (s.year - since >= club(forums.spec["partner_years"], k) - 1e-9)
        promoted = first(seasoned & _voice_accepts(status, seasoned, forums, k, b)[:, None], -as_member, left)
        status[promoted] = MEMBER
        left = left - promoted.sum(axis=-1)
    applicants, consensus = (status == APPLICANT) & free, Consensus(s, forums, k, b, status == MEMBER, lift)
    to_members = consensus.first(applicants, -as_member, left if quotas[0].direct else 0)
    to_partners = consensus.first(applicants & ~to_members, -as_partner, np.array([q.partners for q in quotas]))
    declines = gain < column(e.decline_below)
    for invited, code in ((to_members, MEMBER), (to_partners, PARTNER)):
        status[invited] = np.where(declines[invited], NONE, code)
    since[to_partners & (gain >= column(e.decline_below))] = s.year


def first(mask: np.ndarray, key: np.ndarray, count) -> np.ndarray:
    """(R, N) the first ``count`` (a number, or one per row) of each row's ``mask`` by ``key``
    ascending, ties (and NaN keys, last) in index order: ``np.argsort(key[mask], kind="stable")``."""
    chosen = np.zeros_like(mask)
    need = np.minimum(mask.sum(axis=-1), count)
    busy = np.flatnonzero(need > 0)
    if busy.size:
        order = np.lexsort((key[busy], ~mask[busy]), axis=-1)  # stable: the masked first, each part by key
        chosen[busy[:, None], order] = np.arange(mask.shape[-1]) < need[busy, None]
    return chosen


def _voice_accepts(status: np.ndarray, seasoned: np.ndarray, forums: ForumSet, k: int, b) -> np.ndarray:
    """(R,) whether the members accept promoting a partner: every member loses the same voice,
    whoever the candidate, w_voice * A_k * ((1/n)^nu - (1/(n+1))^nu), within the admission
    tolerance (False without members). Worked out per replicate in Python numbers, as one run does."""
    counts, authority = (status == MEMBER).sum(axis=-1), np.reshape(forums.authority[..., k], -1)
    d, m = b.decision, b.membership
    ok = np.zeros(counts.size, dtype=bool)
    for r in np.flatnonzero(seasoned.any(axis=-1) & (counts > 0)).tolist():
        n, nu = int(counts[r]), at(d.voice_exponent, r)
        loss = at(d.w_voice, r) * authority[r] * ((1 / n) ** nu - (1 / (n + 1)) ** nu)
        ok[r] = -loss >= -at(m.admission_tolerance, r)
    return ok


class Consensus:
    """Which applicants every member of their replicate accepts: expected utility loss within the
    admission tolerance for each member (:func:`entry_change`; none without members).

    Worked out only as far as the rankings need it: :meth:`first` takes the best-ranked accepted
    applicants for a few slots, so it asks about the best-ranked applicants first and goes further
    down a replicate's ranking only while its slots are not filled (the applicants below the
    chosen ones cannot change whom a review admits). An answer is kept for the next ranking.
    """

    def __init__(self, s: State, forums: ForumSet, k: int, b, member: np.ndarray, lift):
        self.s, self.forums, self.k, self.b, self.lift = s, forums, k, b, lift
        self.known, self.ok = np.zeros_like(member), np.zeros_like(member)
        counts = member.sum(axis=-1)
        self.has_members, width = counts > 0, int(counts.max())
        at_r, at_c = np.nonzero(member)
        place = np.arange(at_r.size) - np.repeat(np.cumsum(counts) - counts, counts)  # a member's place in its row
        self.members = np.zeros((member.shape[0], width), dtype=np.intp)  # each row's members, padded
        self.members[at_r, place] = at_c
        self.padded = np.arange(width) < counts[:, None]

    def first(self, mask: np.ndarray, key: np.ndarray, count) -> np.ndarray:
        """(R, N) the first ``count`` (a number, or one per row) accepted applicants of each row's
        ``mask`` by ``key`` ascending, ties in index order (:func:`first` of the accepted ones)."""
        chosen, n = np.zeros_like(mask), mask.shape[-1]
        listed = mask.sum(axis=-1)
        need = np.minimum(listed, count)
        busy = np.flatnonzero((need > 0) & self.has_members)  # without members no one is accepted
        if busy.size == 0:
            return chosen
        order = np.lexsort((key[busy], ~mask[busy]), axis=-1)  # the masked first, each part by key (stable)
        listed, need, width = listed[busy], need[busy], min(int(need[busy].max()) + 2, n)
        while True:  # the best-ranked ``width`` of each row, widened until the slots are filled
            top = order[:, :width]
            inside = np.arange(width) < listed[:, None]
            self._ask(busy, top, inside)
            accepted = self.ok[busy[:, None], top] & inside
            found = np.cumsum(accepted, axis=-1)
            if width == n or ((found[:, -1] >= need) | (listed <= width)).all():
                break
            width = min(2 * width, n)
        chosen[busy[:, None], top] = accepted & (found <= need[:, None])
        return chosen

    def _ask(self, busy: np.ndarray, top: np.ndarray, inside: np.ndarray) -> None:
        """Work out the consensus on the applicants ``top[inside]`` (of rows ``busy``) not asked about yet."""
        rows = np.broadcast_to(busy[:, None], top.shape)
        new = inside & ~self.known[rows, top]
        rows, cols = rows[new], top[new]
        self.known[rows, cols] = True
        if rows.size == 0:
            return
        s, forums, k, lift, d = self.s, self.forums, self.k, self.lift, self.b.decision
        standing, alignment, weight = lift(s.standing), lift(s.alignment), lift(capability_mass(s) * s.budget)
        members = self.members[rows]
        pick = lambda a: np.reshape(a[..., k], -1)[rows][:, None]  # noqa: E731 -- club k's value of each pair's replicate
        change = entry_change(weight[rows, cols][:, None] / 2, standing[rows, cols][:, None], alignment[rows, cols][:, None],
                              standing[rows[:, None], members], alignment[rows[:, None], members],
                              pick(forums.pool), pick(forums.level), pick(forums.position),
                              pick(forums.spec["tech_access"]), pick(forums.depth), at_rows(d.w_access, rows),
                              at_rows(d.w_distance, rows))
        worst = np.where(self.padded[rows], change, np.inf).min(axis=-1)
        self.ok[rows, cols] = worst >= -at_pairs(self.b.membership.admission_tolerance, rows)


def entry_change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance) -> np.ndarray:
    """A member j's expected change in utility from admitting candidate a as a partner
    (Gray & Lindstaedt 2017; Buchanan 1965 congestion), with w_a = m_a B_a / 2 the entrant's
    expected weight (half its budget) in the forum's pool P_k:
    + w_access * tech_k * (max(0, L' - c_j) - max(0, L_k - c_j)),  L' = (P_k L_k + w_a c_a) / (P_k + w_a)
      (the capability one can learn from rises with a stronger entrant and is diluted by a weaker one)
    - w_distance * D_k * (|x_j - x'| - |x_j - x_k|),                 x' = (P_k x_k + w_a x_a) / (P_k + w_a)
    (Promoting a partner leaves the pool as it is and costs every member voice: :func:`_voice_accepts`.)
    Candidates' values as a column, members' as a row: (candidates, members)."""
    share = w_a / np.maximum(pool + w_a, 1e-12)
    new_level = level + share * (c_a - level)
    new_x = x_k + share * (x_a - x_k)
    access = tech_access * (np.maximum(new_level - c_j, 0.0) - np.maximum(level - c_j, 0.0))
    distance = depth * (np.abs(x_j - new_x) - np.abs(x_j - x_k))
    return w_access * access - w_distance * distance


def scores(s: State, position, e) -> tuple[np.ndarray, np.ndarray]:
    """The political scores of every country as a member and as a partner of a club at ``position``."""
    weight, exposed = enlargement.regional_weight(s), enlargement.exposure(s)  # the same for both
    return tuple(enlargement.political_score(s, position, w, e, weight, exposed)
                 for w in (e.alignment_weight, e.partner_alignment_weight))


def _same(a):
    return a


def _row(a):
    """One run's array as the single row of a batch's."""
    return a[None]


def at(x, r: int):
    """Replicate ``r``'s value of a behaviour number (a Python number; a batch's differing numbers are arrays)."""
    return float(x.reshape(-1)[r]) if isinstance(x, np.ndarray) else x


def at_pairs(x, rows: np.ndarray):
    """A behaviour number for (replicate ``rows``, candidate) pairs: as it is, or each pair's replicate's."""
    return x.reshape(-1)[rows] if isinstance(x, np.ndarray) else x


def at_rows(x, rows: np.ndarray):
    """:func:`at_pairs` as a column, for (pairs, members) arrays."""
    return x.reshape(-1)[rows][:, None] if isinstance(x, np.ndarray) else x


def column(x):
    """A behaviour number against (N,) / (R, N) arrays: as it is, or per replicate an (R, 1) column."""
    return x.reshape(-1, 1) if isinstance(x, np.ndarray) else x


def cell(x):
    """A behaviour number against (N, K) / (R, N, K) arrays: as it is, or per replicate (R, 1, 1)."""
    return x.reshape(-1, 1, 1) if isinstance(x, np.ndarray) else x


def club(a: np.ndarray, k: int):
    """Club k's value of a per-forum array: a number for (K,), an (R, 1) column for a batch's (R, K)."""
    return a[k] if a.ndim == 1 else a[:, k, None]
