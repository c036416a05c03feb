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
from numba import njit

from govsim import enlargement
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.compiled import loop
from govsim.forums import ForumSet, capability_mass
from govsim.state import State


@njit(inline="always")
def _maximum(a, b):  # pragma: no cover
    """``np.maximum`` of two numbers in a compiled loop: NaN if either is (Python's ``max`` drops a NaN in
    second place), ``b`` on a tie (max(-0.0, 0.0) is 0.0). Kept in this module: numba renews a loop's
    cache only when its own file changes."""
    return a if a > b or a != a else b


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
    rank, left = Ranking(s, club(forums.position, k), e, lift), np.array([q.members for q in quotas])
    if quotas[0].tier:
        seasoned = free & (status == PARTNER) & (s.year - since >= club(forums.spec["partner_years"], k) - 1e-9)
        if seasoned.any():
            promoted = first(seasoned & _voice_accepts(status, seasoned, forums, k, b)[:, None], rank.as_member, left)
            status[promoted] = MEMBER
            left = left - promoted.sum(axis=-1)
    applicants = (status == APPLICANT) & free
    if not applicants.any():
        return
    consensus = Consensus(s, forums, k, b, status == MEMBER, lift)
    to_members = consensus.first(applicants, rank.as_member, left if quotas[0].direct else 0)
    to_partners = consensus.first(applicants & ~to_members, rank.as_partner, np.array([q.partners for q in quotas]))
    declines = gain < column(e.decline_below)
    for invited, code in ((to_members, MEMBER), (to_partners, PARTNER)):
        status[invited] = np.where(declines[invited], NONE, code)
    since[to_partners & (gain >= column(e.decline_below))] = s.year


def first(mask: np.ndarray, key, count) -> np.ndarray:
    """(R, N) the first ``count`` (a number, or one per row) of each row's ``mask`` by ``key()``
    ascending, ties (and NaN keys, last) in index order: ``np.argsort(key()[mask], kind="stable")``
    (``key`` is called only if a row has any to choose)."""
    chosen = np.zeros_like(mask)
    need = np.minimum(mask.sum(axis=-1), count)
    busy = np.flatnonzero(need > 0)
    if busy.size == 1:  # one row (one run, often): its candidates sorted alone
        r = busy[0]
        listed = np.flatnonzero(mask[r])
        chosen[r, listed[np.argsort(key()[r, listed], kind="stable")[: need[r]]]] = True
    elif busy.size:
        need = need[busy]
        top = ranked(mask[busy], key()[busy], int(need.max()))
        taken = np.arange(top.shape[-1]) < need[:, None]
        chosen[np.broadcast_to(busy[:, None], top.shape)[taken], top[taken]] = True
    return chosen


def ranked(mask: np.ndarray, key: np.ndarray, width: int) -> np.ndarray:
    """(R, width) each row's first ``width`` entries of ``mask`` by ``key`` ascending, ties (and NaN
    keys, last) in index order, as ``np.lexsort((key, ~mask))[:, :width]``; past a row's entries the
    indices are filler. Sorted in full only if ``width`` is most of a row or a key is not finite; else
    only the entries up to each row's ``width``-th smallest key (np.partition) are sorted."""
    n = mask.shape[-1]
    if 4 * width >= n or not np.isfinite(key[mask]).all():
        return np.lexsort((key, ~mask), axis=-1)[:, :width]
    keyed = np.where(mask, key, np.inf)
    near = mask & (keyed <= np.partition(keyed, width - 1, axis=-1)[:, width - 1, None])  # ties at the bound too
    rows, cols = np.nonzero(near)  # by row, then by index
    order = np.lexsort((keyed[rows, cols], rows))  # stable: by row, then by key, ties in index order
    rows, cols, counts = rows[order], cols[order], near.sum(axis=-1)
    place = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)  # rank within its row
    kept = place < width
    top = np.zeros((mask.shape[0], width), dtype=np.intp)
    top[rows[kept], place[kept]] = cols[kept]
    return top


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


#: (applicant, member) pairs below which :class:`Consensus` asks about all applicants at once.
EAGER = 8192


class Consensus:
    """Which applicants every member of their replicate accepts: expected utility loss within the
    admission tolerance for each member (:func:`entry_change`; none without members).

    Worked out only as far as the rankings need it: :meth:`first` takes the best-ranked accepted
    applicants for a few slots, so it asks about the best-ranked applicants first and goes further
    down a replicate's ranking only while its slots are not filled (the applicants below the
    chosen ones cannot change whom a review admits). An answer is kept for the next ranking.
    Where the applicants and members are few (one run), all applicants are asked about at once.
    """

    def __init__(self, s: State, forums: ForumSet, k: int, b, member: np.ndarray, lift):
        self.s, self.forums, self.k, self.b, self.lift, self.member = s, forums, k, b, lift, member
        self.known, self.ok = np.zeros_like(member), np.zeros_like(member)
        self.has_members = member.any(axis=-1)
        self.countries = None  # standing, alignment and weight in the pool (R, N), when first asked
        self.padded = None  # each row's members (R, most members) and where they are not padding, when first asked

    def _members(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's members, padded to the largest membership, and the mask of the real ones."""
        if self.padded is None:
            counts = self.member.sum(axis=-1)
            at_r, at_c = np.nonzero(self.member)
            place = np.arange(at_r.size) - np.repeat(np.cumsum(counts) - counts, counts)  # a member's place in its row
            index = np.zeros((self.member.shape[0], int(counts.max())), dtype=np.intp)
            index[at_r, place] = at_c
            self.padded = index, np.arange(index.shape[-1]) < counts[:, None]
        return self.padded

    def first(self, mask: np.ndarray, key, count) -> np.ndarray:
        """(R, N) the first ``count`` (a number, or one per row) accepted applicants of each row's
        ``mask`` by ``key()`` ascending, ties in index order (:func:`first` of the accepted ones)."""
        listed = mask.sum(axis=-1)
        need = np.minimum(listed, count)
        busy = np.flatnonzero((need > 0) & self.has_members)  # without members no one is accepted
        if busy.size == 0:
            return np.zeros_like(mask)
        if busy.size == 1 or int(listed[busy].sum()) * int(self.member.sum(axis=-1).max()) <= EAGER:  # few: all at once
            if busy.size == 1:  # one row (one run, often)
                self._ask_row(busy[0], np.flatnonzero(mask[busy[0]]))
            else:
                rows, cols = np.nonzero(mask[busy])
                self._ask(busy[rows], cols)
            return first(mask & self.ok, key, need)
        chosen, n, key, rows = np.zeros_like(mask), mask.shape[-1], key()[busy], mask[busy]
        listed, need, width = listed[busy], need[busy], min(int(need[busy].max()) + 2, n)
        done = np.zeros(busy.size, dtype=bool)  # rows whose slots are filled (or ranking asked to its end)
        while True:  # the best-ranked ``width`` of each row, widened until the slots are filled
            top = ranked(rows, key, width)
            inside = np.arange(width) < listed[:, None]
            ask = inside & ~done[:, None]  # a filled row's chosen are among its first: no need to ask further
            self._ask(np.broadcast_to(busy[:, None], top.shape)[ask], top[ask])
            accepted = self.ok[busy[:, None], top] & inside
            found = np.cumsum(accepted, axis=-1)
            done = (found[:, -1] >= need) | (listed <= width)
            if width == n or done.all():
                break
            width = min(2 * width, n)
        taken = accepted & (found <= need[:, None])
        chosen[np.broadcast_to(busy[:, None], top.shape)[taken], top[taken]] = True
        return chosen

    def _ask(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Work out the consensus on the applicants (``rows``, ``cols``) not asked about yet."""
        new = ~self.known[rows, cols]
        rows, cols = rows[new], cols[new]
        if rows.size == 0:
            return
        self.known[rows, cols] = True
        d, (standing, alignment, weight) = self.b.decision, self._countries()
        pool, level, x_k, tech, depth = np.stack([np.reshape(a[..., self.k], -1) for a in self._club()])[:, rows, None]
        index, real = self._members()
        members = index[rows]
        change = entry_change(weight[rows, cols][:, None] / 2, standing[rows, cols][:, None], alignment[rows, cols][:, None],
                              standing[rows[:, None], members], alignment[rows[:, None], members],
                              pool, level, x_k, tech, depth, at_rows(d.w_access, rows), at_rows(d.w_distance, rows))
        worst = np.where(real[rows], change, np.inf).min(axis=-1)
        self.ok[rows, cols] = worst >= -at_pairs(self.b.membership.admission_tolerance, rows)

    def _ask_row(self, r: int, cols: np.ndarray) -> None:
        """:meth:`_ask` for applicants ``cols`` of one row ``r`` (its members unpadded)."""
        cols = cols[~self.known[r, cols]]
        if cols.size == 0:
            return
        self.known[r, cols] = True
        d, (standing, alignment, weight) = self.b.decision, self._countries()
        members = np.flatnonzero(self.member[r])
        change = entry_change(weight[r, cols][:, None] / 2, standing[r, cols][:, None], alignment[r, cols][:, None],
                              standing[r, members][None, :], alignment[r, members][None, :],
                              *(np.reshape(a[..., self.k], -1)[r] for a in self._club()),
                              at(d.w_access, r), at(d.w_distance, r))
        self.ok[r, cols] = change.min(axis=1) >= -at(self.b.membership.admission_tolerance, r)

    def _countries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(R, N) standing, alignment and weight in the pool (capability mass times budget)."""
        if self.countries is None:
            s = self.s
            self.countries = tuple(self.lift(a) for a in (s.standing, s.alignment, capability_mass(s) * s.budget))
        return self.countries

    def _club(self) -> tuple[np.ndarray, ...]:
        """The forums' arrays :func:`entry_change` reads: pool, level, position, tech_access, depth."""
        f = self.forums
        return f.pool, f.level, f.position, f.spec["tech_access"], f.depth


def entry_change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance) -> np.ndarray:
    """A member j's expected change in utility from admitting candidate a as a partner
    (Gray & Lindstaedt 2017; Buchanan 1965 congestion), with w_a = m_a B_a / 2 the entrant's
    expected weight (half its budget) in the forum's pool P_k:
    + w_access * tech_k * (max(0, L' - c_j) - max(0, L_k - c_j)),  L' = (P_k L_k + w_a c_a) / (P_k + w_a)
      (the capability one can learn from rises with a stronger entrant and is diluted by a weaker one)
    - w_distance * D_k * (|x_j - x'| - |x_j - x_k|),                 x' = (P_k x_k + w_a x_a) / (P_k + w_a)
    (Promoting a partner leaves the pool as it is and costs every member voice: :func:`_voice_accepts`.)
    Candidates' values as a column, members' as a row: (candidates, members); broadcast like numpy
    (one compiled call, :mod:`govsim.compiled`)."""
    return _entry_change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance)


@loop("void(" + ", ".join(["float64"] * 12) + ", float64[:])", "(),(),(),(),(),(),(),(),(),(),(),()->()")
def _entry_change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance, out):  # pragma: no cover
    """One (candidate, member) pair of :func:`entry_change`."""
    share = w_a / _maximum(pool + w_a, 1e-12)
    new_level = level + share * (c_a - level)
    new_x = x_k + share * (x_a - x_k)
    access = tech_access * (_maximum(new_level - c_j, 0.0) - _maximum(level - c_j, 0.0))
    distance = depth * (abs(x_j - new_x) - abs(x_j - x_k))
    out[0] = w_access * access - w_distance * distance


def scores(s: State, position, e) -> tuple[np.ndarray, np.ndarray]:
    """The political scores of every country as a member and as a partner of a club at ``position``."""
    weight, exposed = enlargement.regional_weight(s), enlargement.exposure(s)  # the same for both
    return tuple(enlargement.political_score(s, position, w, e, weight, exposed)
                 for w in (e.alignment_weight, e.partner_alignment_weight))


class Ranking:
    """The keys of the members' rankings (the political scores, negated: the best come first in
    ascending order), worked out when a ranking first needs them."""

    def __init__(self, s: State, position, e, lift):
        self.s, self.position, self.e, self.lift, self.keys = s, position, e, lift, None

    def as_member(self) -> np.ndarray:
        return self._keys()[0]

    def as_partner(self) -> np.ndarray:
        return self._keys()[1]

    def _keys(self) -> tuple[np.ndarray, np.ndarray]:
        if self.keys is None:
            self.keys = tuple(self.lift(-score) for score in scores(self.s, self.position, self.e))
        return self.keys


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
