"""Admissions to an expanding club at a review: promotion of seasoned partners, then consensus
admission of applicants, ranked by the members' political score and limited by the review's slots
(govsim/enlargement.py; docs/ODD.md §7.7). ``govsim.membership`` runs the review.

Written once for one run and for all R replicates of a batch (govsim/replicates.py): the club's
column of each replicate is a row of (R, N) arrays (one run is R = 1). numpy works out what every
row needs (the slots, who is a seasoned partner or an applicant, the voice a promotion costs, in
Python's powers); one compiled call (:func:`_admit_rows`, :mod:`govsim.compiled`) then works out the
candidates' political scores, takes them in the order of a stable sort by score
(``np.argsort(kind="stable")``: ties in index order, NaN last) and asks the members' consensus only
down the ranking as far as the slots need (the applicants below the chosen ones cannot change whom a
review admits). tests/test_compiled_admission.py checks it against the numpy formulation. Each value is computed by the
same arithmetic as for its single run, so every replicate admits exactly whom its single run admits.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from govsim import enlargement
from govsim.codes import APPLICANT, MEMBER, NONE, PARTNER
from govsim.compiled import function, loop
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

    Member slots go first to seasoned partners (once there is a partner tier) whom the members
    accept (:func:`_voice_accepts`), then, where ``quota.direct``, to the best-ranked applicants
    every member accepts (:func:`entry_change`); the best-ranked of the rest (ranked as partners)
    fill ``quota.partners``. An invited applicant whose joining gain is below ``decline_below``
    declines (Argentina 2023) and leaves the pool; its slot stays empty.
    A batch passes one quota per replicate (their numbers may differ, their regime does not).
    """
    batch = s.status.ndim == 3
    quotas, lift = (quota, _same) if batch else ([quota], _row)
    status, since = lift(s.status[..., k]), lift(s.partner_since[..., k])  # views: writes reach the state
    free, e = lift(~s.policy.locked[..., k]), b.enlargement
    seasoned = np.zeros_like(free)
    if quotas[0].tier:
        seasoned = free & (status == PARTNER) & (s.year - since >= club(forums.spec["partner_years"], k) - 1e-9)
        if seasoned.any():
            seasoned &= _voice_accepts(status, seasoned, forums, k, b)[:, None]
    applicants = (status == APPLICANT) & free
    if not (seasoned.any() or applicants.any()):
        return
    d, f, x_k = b.decision, forums, club(forums.position, k)
    standing, alignment, weight = (lift(a) for a in (s.standing, s.alignment, capability_mass(s) * s.budget))
    countries = (_rows(s.gdp_pc, status), _rows(s.population, status), enlargement.regions(s), _rows(s.tier, status),
                 _rows(s.policy.blocked, status))
    numbers = _per_row(status.shape[0], club(f.pool, k), club(f.level, k), x_k, club(f.spec["tech_access"], k),
                       club(f.depth, k), d.w_access, d.w_distance, b.membership.admission_tolerance, e.decline_below,
                       e.regional_weight, e.alignment_weight, e.partner_alignment_weight, e.sanctions_weight)
    _admit_rows(status, since, seasoned, applicants, lift(gain), np.array([q.members for q in quotas], dtype=np.int64),
                np.array([q.partners for q in quotas], dtype=np.int64), quotas[0].direct, float(s.year), weight,
                standing, alignment, countries, numbers)


def _rows(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A per-country array as (R, N) rows like ``like``'s: one run's as its single row, a batch's as it
    is (or, if the replicates share it, as a read-only broadcast)."""
    if a.ndim == like.ndim:
        return a
    return a[None] if like.shape[0] == 1 else np.broadcast_to(a, like.shape)


def _voice_accepts(status: np.ndarray, seasoned: np.ndarray, forums: ForumSet, k: int, b) -> np.ndarray:
    """(R,) whether the members accept promoting a partner: every member loses the same voice,
    whoever the candidate, w_voice * A_k * ((1/n)^nu - (1/(n+1))^nu), within the admission
    tolerance (False without members). Worked out per replicate in Python numbers, as one run does."""
    rows = np.flatnonzero(seasoned.any(axis=-1))
    counts, authority = np.count_nonzero(status[rows] == MEMBER, axis=-1), np.reshape(forums.authority[..., k], -1)
    d, m = b.decision, b.membership
    ok = np.zeros(len(status), dtype=bool)
    for r, n in zip(rows.tolist(), counts.tolist()):
        if n == 0:
            continue
        nu = at(d.voice_exponent, r)
        loss = at(d.w_voice, r) * authority[r] * ((1 / n) ** nu - (1 / (n + 1)) ** nu)
        ok[r] = -loss >= -at(m.admission_tolerance, r)
    return ok


@function()
def _admit_rows(status, since, seasoned, applicants, gain, members, partners, direct, year, weight, standing,
                alignment, countries, numbers):  # pragma: no cover
    """Each row's admissions, in place (:func:`admit`): the first ``members[r]`` of the ``seasoned``
    partners ranked as members become members; then, among the ``applicants`` that every member
    accepts, the first ranked as members (up to the member slots left, where ``direct``) and, of the
    rest, the first ranked as partners (up to ``partners[r]``) are invited; those whose ``gain`` is
    below decline_below decline. ``numbers[:, r]``: the forum's pool, level, position, tech_access and
    depth, then w_access, w_distance, admission_tolerance, decline_below and the score's weights.
    ``countries``: GDP per capita, population, region, export-control tier and blocked share
    (the political score's regional weight and exposure)."""
    n = status.shape[1]
    gdp_pc, population, region, tier, blocked = countries
    bins = region.max() + 1 if region.size else 1
    for r in range(status.shape[0]):
        club, decline = numbers[:5, r], numbers[8, r]
        score = (_regional_weight(gdp_pc[r], population[r], region, bins), tier[r], blocked[r], alignment[r],
                 numbers[9, r], numbers[12, r], club[2])
        left = members[r]
        listed = _listed(seasoned[r])
        promoted = _ranked(listed, _keys(listed, numbers[10, r], score), left)
        for i in promoted:
            status[r, i] = MEMBER
        left -= promoted.size
        voters = _listed(status[r] == MEMBER)  # the members after the promotions vote on the applicants
        candidates = _listed(applicants[r])
        if voters.size == 0 or candidates.size == 0:
            continue  # without members no applicant is accepted
        terms = (weight[r], standing[r], alignment[r], club, numbers[5, r], numbers[6, r], -numbers[7, r])
        asked = np.zeros(n, np.int8)  # 0: not asked yet, 1: accepted, 2: refused
        to_members = _accepted(candidates, _keys(candidates, numbers[10, r], score), left if direct else 0, voters,
                               asked, terms)
        invited = np.zeros(n, np.bool_)
        invited[to_members] = True
        rest = candidates[~invited[candidates]]
        to_partners = _accepted(rest, _keys(rest, numbers[11, r], score), partners[r], voters, asked, terms)
        for i in to_members:
            status[r, i] = NONE if gain[r, i] < decline else MEMBER
        for i in to_partners:
            status[r, i] = NONE if gain[r, i] < decline else PARTNER
            if gain[r, i] >= decline:
                since[r, i] = year


@function()
def _keys(candidates, alignment_weight, score):  # pragma: no cover
    """The ranking keys of the ``candidates`` (the political scores negated: the best come first in
    ascending order; ``enlargement.political_score`` as numpy works it out): -(regional_weight * weight
    - alignment_weight * |x_a - x_k| + sanctions_weight * exposure). Other entries are left unset."""
    regional, tier, blocked, alignment, rw, sw, x_k = score
    key = np.empty(regional.size)
    for a in candidates:
        exposed = _maximum(1.0 if tier[a] == 3 else 0.0, _minimum(_maximum(blocked[a], 0.0), 1.0))
        key[a] = -(rw * regional[a] - alignment_weight * abs(alignment[a] - x_k) + sw * exposed)
    return key


@function()
def _regional_weight(gdp_pc, population, region, bins):  # pragma: no cover
    """``enlargement.regional_weight`` of one row: each region's totals added up country by country in
    index order (as ``np.bincount``), then a country's GDP share plus its population share."""
    gdp, people = np.zeros(bins), np.zeros(bins)
    for i in range(region.size):
        gdp[region[i]] += gdp_pc[i] * population[i]
        people[region[i]] += population[i]
    out = np.empty(region.size)
    for i in range(region.size):
        out[i] = gdp_pc[i] * population[i] / _maximum(gdp[region[i]], 1e-300) + population[i] / _maximum(
            people[region[i]], 1e-300)
    return out


@njit(inline="always")
def _minimum(a, b):  # pragma: no cover
    """``np.minimum`` of two numbers in a compiled loop (NaN if either is)."""
    return a if a < b or a != a else b


@function()
def _listed(mask):  # pragma: no cover
    """The indices where ``mask`` is True, ascending."""
    return np.flatnonzero(mask)


@function()
def _ranked(candidates, key, count):  # pragma: no cover
    """The first ``count`` of ``candidates`` by ``key`` ascending, as numpy's stable sort orders them
    (ties in the candidates' order, NaN last): numba's merge sort is stable and orders floats as numpy does."""
    if min(candidates.size, count) <= 0:
        return candidates[:0].copy()
    return candidates[np.argsort(key[candidates], kind="mergesort")][:count]


@function()
def _accepted(candidates, key, count, voters, asked, terms):  # pragma: no cover
    """The first ``count`` of ``candidates`` by ``key`` (:func:`_ranked`) that every one of the ``voters``
    accepts: no member's :func:`entry_change` below minus the admission tolerance. Each candidate is
    asked once (``asked`` keeps the answer for the next ranking), and only down the ranking until the
    slots are filled."""
    weight, standing, alignment, club, w_access, w_distance, floor = terms
    chosen = np.empty(candidates.size, np.intp)
    taken = 0
    for a in _ranked(candidates, key, candidates.size if count > 0 else 0):
        if taken >= count:
            break
        if asked[a] == 0:
            asked[a] = 1
            for j in voters:
                change = _change(weight[a] / 2, standing[a], alignment[a], standing[j], alignment[j], club[0], club[1],
                                 club[2], club[3], club[4], w_access, w_distance)
                if not change >= floor:
                    asked[a] = 2
                    break
        if asked[a] == 1:
            chosen[taken] = a
            taken += 1
    return chosen[:taken]


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


@njit(inline="always")
def _change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance):  # pragma: no cover
    """:func:`entry_change` of one (candidate, member) pair: for :func:`_entry_change` and :func:`_accepted`."""
    share = w_a / _maximum(pool + w_a, 1e-12)
    new_level = level + share * (c_a - level)
    new_x = x_k + share * (x_a - x_k)
    access = tech_access * (_maximum(new_level - c_j, 0.0) - _maximum(level - c_j, 0.0))
    distance = depth * (abs(x_j - new_x) - abs(x_j - x_k))
    return w_access * access - w_distance * distance


@loop("void(" + ", ".join(["float64"] * 12) + ", float64[:])", "(),(),(),(),(),(),(),(),(),(),(),()->()")
def _entry_change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance, out):  # pragma: no cover
    """One (candidate, member) pair of :func:`entry_change`."""
    out[0] = _change(w_a, c_a, x_a, c_j, x_j, pool, level, x_k, tech_access, depth, w_access, w_distance)


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


def cell(x):
    """A behaviour number against (N, K) / (R, N, K) arrays: as it is, or per replicate (R, 1, 1)."""
    return x.reshape(-1, 1, 1) if isinstance(x, np.ndarray) else x


def club(a: np.ndarray, k: int):
    """Club k's value of a per-forum array: a number for (K,), an (R, 1) column for a batch's (R, K)."""
    return a[k] if a.ndim == 1 else a[:, k, None]


def _per_row(rows: int, *numbers) -> np.ndarray:
    """(len(numbers), R) each number's value in each row: a batch's differing numbers (arrays), or the one number."""
    if rows == 1:  # one run (or one replicate): a column of numbers
        return np.array([np.reshape(x, -1)[0] if isinstance(x, np.ndarray) else x for x in numbers], dtype=float)[:, None]
    if not any(isinstance(x, np.ndarray) for x in numbers):
        return np.array(numbers, dtype=float)[:, None].repeat(rows, axis=1)
    return np.array([np.broadcast_to(np.reshape(x, -1), rows) for x in numbers], dtype=float)


def per_row(x, rows: int) -> np.ndarray:
    """(R,) a behaviour number's value in each row: a batch's differing numbers, or the one number."""
    return _per_row(rows, x)[0]
