"""Inclusiveness and fragmentation indices, and the shared inequality measures: pure numpy functions.

The AI-divide indices live in :mod:`govsim.divide`.

Every function takes plain arrays and returns a float in [0, 1] (or a dict of
such floats, or a per-country array). Nothing here builds an N x N array, so
every index is O(N*K) or O(N log N) in the number of countries N and forums K.

Array conventions (N countries, K forums)
-----------------------------------------
engagement    float (N, K) in [0, 1]      e_ik, effort of country i in forum k
status        int   (N, K)                NONE, APPLICANT, PARTNER or MEMBER
authority     float (K,) >= 0             A_k; normalised to sum 1 where used
                                          (all zero -> uniform 1/K)
universal     bool  (K,)                  True for universal forums (the UN);
                                          the others are "club" forums
capability    float (N,) in [0, 1]        c_i
population    float (N,) > 0              pop_i
positions     float (K,) in [-1, 1]       x_k, forum norm positions
compute       float (N,) >= 0             national AI compute stock
income_group  int   (N,)                  0 low, 1 lower-middle, 2 upper-middle,
                                          3 high (World Bank)

Formulas follow /work/shared/research/model-literature.md, sections 2, 3.3
and 8a, and DESIGN.md section 2 ("Indices").
"""

from __future__ import annotations

import numpy as np

# Status and income-group codes live in govsim.codes; the status codes are
# re-exported here (see __all__), the income codes stay importable from here.
from govsim.codes import (  # noqa: F401
    APPLICANT,
    HIGH_INCOME,
    LOW_INCOME,
    LOWER_MIDDLE_INCOME,
    MEMBER,
    NONE,
    PARTNER,
    UPPER_MIDDLE_INCOME,
)
from govsim.inequality import _nonneg, _unit, gini, theil_between_share  # noqa: F401 -- gini, theil re-exported

#: Minimum engagement in a universal forum for a country to count as inside
#: the core institution (F3). Assumption: 0.05 = "shows up at all".
CORE_ENGAGEMENT_THRESHOLD = 0.05

#: Regime-class thresholds after Biermann et al. (2009). Assumptions, not
#: estimates: the paper gives qualitative degrees, not cut-offs.
#: Synergistic needs core_deficit < SYNERGISTIC_MAX_CORE_DEFICIT and
#: normative_distance < SYNERGISTIC_MAX_NORM_DISTANCE.
SYNERGISTIC_MAX_CORE_DEFICIT = 0.2
SYNERGISTIC_MAX_NORM_DISTANCE = 0.15
#: Conflictive needs normative_distance > CONFLICTIVE_MIN_NORM_DISTANCE and
#: the two most capable countries anchored in different club forums.
CONFLICTIVE_MIN_NORM_DISTANCE = 0.35

__all__ = [
    "NONE", "APPLICANT", "PARTNER", "MEMBER",
    "gini", "theil_between_share", "voice", "inclusiveness",
    "effective_forums", "modularity", "dominant_club", "core_deficit",
    "normative_distance", "bridging_deficit", "fragmentation",
]


# ---------------------------------------------------------------- helpers
def _normalise_authority(authority, n_forums: int) -> np.ndarray:
    """A_k / sum(A); uniform 1/K if the total is zero."""
    a = _nonneg(authority, "authority").ravel()
    total = a.sum()
    return a / total if total > 0 else np.full(n_forums, 1.0 / n_forums)


def _is_party(status) -> np.ndarray:
    """True where a country is a MEMBER or PARTNER of a forum."""
    st = np.asarray(status)
    return (st == MEMBER) | (st == PARTNER)


def _forum_shares(engagement, capability) -> np.ndarray | None:
    """s_k = sum_i c_i e_ik / sum_ik c_i e_ik; None if the total is zero."""
    w = _nonneg(capability, "capability") @ np.asarray(engagement, dtype=float)
    total = w.sum()
    return w / total if total > 0 else None


# ---------------------------------------------------------------- inclusiveness
def voice(engagement, status, authority) -> np.ndarray:
    """Effective voice of each country, shape (N,).

        V_i = sum_k A_k beta_ik e_ik,   beta_ik = 1/n_k if i is a MEMBER of k
                                                  (n_k members), else 0

    beta is the normalised Banzhaf index under unanimity/consensus: every
    member is pivotal only in the grand coalition (Banzhaf 1965; applied in
    model-literature.md 3.3). Partners and applicants have no vote. A is
    normalised to sum 1 (uniform if all zero).
    Range: V_i in [0, 1] and sum_i V_i <= 1 (= 1 iff every forum has members
    who all engage fully). Forums without members contribute nothing.
    """
    e = np.asarray(engagement, dtype=float)
    member = np.asarray(status) == MEMBER
    a = _normalise_authority(authority, e.shape[1])
    n_k = member.sum(axis=0)
    beta = member / np.maximum(n_k, 1)
    return (beta * e) @ a


def _representation_low(v, population, income_group) -> float:
    """min(1, RR) with RR = (voice share of low+lower-middle) / (their pop share)."""
    low = np.asarray(income_group) <= LOWER_MIDDLE_INCOME
    if v.sum() <= 0 or population[low].sum() <= 0:
        return 0.0
    pop_share = population[low].sum() / population.sum()
    return float(min(1.0, (v[low].sum() / v.sum()) / pop_share))


def inclusiveness(engagement, status, authority, universal, population,
                  income_group) -> dict[str, float]:
    """Inclusiveness components and headline (model-literature.md 8a (1)).

    Club forums are the non-universal ones; party = MEMBER or PARTNER.

    none_share          = (1/N) sum_i 1[i party to no club forum]
                          (HLAB-AI 2024: 118/193 = 0.611, clubs only). With no
                          club forums every country is vacuously party to none
                          -> 1.0.
    all_share           = (1/N) sum_i 1[i party to every club] (HLAB: 7/193);
                          0.0 if there are no club forums.
    representation_low  = min(1, S_L / P_L): voice share S_L of low and lower-
                          middle income countries over their population share
                          P_L; 0.0 if P_L == 0 or total voice is 0.
    voice_equality      = 1 - Gini_pop(V_i / pop_i) (population-weighted);
                          1.0 when all voice is zero (Gini convention).
    inclusiveness       = (1/3)[(1 - none_share) + representation_low
                          + voice_equality]

    All in [0, 1]. V_i is :func:`voice`. Sources: UN HLAB-AI (2024),
    *Governing AI for Humanity*; Banzhaf (1965); Gini (1912).
    """
    club = ~np.asarray(universal, dtype=bool)
    n_party = _is_party(status)[:, club].sum(axis=1)
    none_share = float(np.mean(n_party == 0))
    all_share = float(np.mean(n_party == club.sum())) if club.any() else 0.0
    v = voice(engagement, status, authority)
    pop = _nonneg(population, "population")
    rep = _representation_low(v, pop, income_group)
    per_capita = np.divide(v, pop, out=np.zeros_like(v), where=pop > 0)
    equality = 1.0 - gini(per_capita, weights=pop)
    return {
        "none_share": none_share,
        "all_share": all_share,
        "representation_low": rep,
        "voice_equality": equality,
        "inclusiveness": float(((1.0 - none_share) + rep + equality) / 3.0),
    }


# ---------------------------------------------------------------- fragmentation
def effective_forums(engagement, capability) -> float:
    """F1, normalised effective number of forums.

        s_k = sum_i c_i e_ik / sum_ik c_i e_ik
        ENF = 1 / sum_k s_k^2                     (in [1, K])
        F1  = (ENF - 1) / (K - 1)                 (in [0, 1])

    F1 = 0 when all weighted engagement sits in one forum, 1 when it is
    spread evenly over all K forums. Edge cases: 0.0 when K == 1 or the total
    weight is 0. An empty forum counts in K, so it lowers F1.
    Source: Laakso & Taagepera (1979); inverse Herfindahl-Hirschman index.
    """
    n_forums = np.asarray(engagement).shape[1]
    s = _forum_shares(engagement, capability)
    if n_forums <= 1 or s is None:
        return 0.0
    enf = 1.0 / np.sum(s**2)
    return _unit((enf - 1.0) / (n_forums - 1))


def modularity(engagement, authority, groups) -> float:
    """F2, Newman modularity of the weighted co-membership network.

    Network: A_ij = sum_k A_k e_ik e_jk for i != j (no self-loops), A
    normalised to sum 1. With u_ik = sqrt(A_k) e_ik, U_k = sum_i u_ik and
    S_gk = sum_{i in g} u_ik, everything follows from O(N*K) sums:

        k_i    = sum_k u_ik (U_k - u_ik)            (strength of i)
        2W     = sum_i k_i
        in_g   = sum_k (S_gk^2 - sum_{i in g} u_ik^2)   (= sum_{i,j in g, i!=j} A_ij)
        Q      = sum_g in_g / 2W - sum_g (K_g / 2W)^2,   K_g = sum_{i in g} k_i

    Range: Q in [-1/2, 1); returns max(Q, 0), because a partition worse than
    random says "no community structure", not negative fragmentation.
    Edge cases: 0.0 when 2W == 0 (no shared forum, N == 1).
    `groups` is any int labelling (N,), e.g. :func:`dominant_club`.
    Sources: Newman (2006), PNAS 103(23); Greenhill & Lupu (2017), ISQ.
    """
    e = np.asarray(engagement, dtype=float)
    u = e * np.sqrt(_normalise_authority(authority, e.shape[1]))
    strength = np.sum(u * (u.sum(axis=0) - u), axis=1)
    two_w = strength.sum()
    if two_w <= 0:
        return 0.0
    _, g = np.unique(np.asarray(groups).ravel(), return_inverse=True)
    s_gk = np.column_stack([np.bincount(g, weights=u[:, k], minlength=g.max() + 1) for k in range(u.shape[1])])
    within = np.sum(s_gk**2) - np.sum(u**2)
    k_g = np.bincount(g, weights=strength)
    q = within / two_w - np.sum((k_g / two_w) ** 2)
    return float(max(q, 0.0))


def dominant_club(engagement, status, universal) -> np.ndarray:
    """Each country's dominant club forum, shape (N,) int.

        d_i = argmax_{k club, i party to k} e_ik,   or K if i is in no club

    Party = MEMBER or PARTNER (applicants do not count). Ties go to the lowest
    forum index. The value K ("no club") groups all outsiders together, so
    the result can be used directly as the partition for :func:`modularity`.
    Source: assumption; partition by bloc as in Greenhill & Lupu (2017).
    """
    e = np.asarray(engagement, dtype=float)
    eligible = _is_party(status) & ~np.asarray(universal, dtype=bool)
    best = np.argmax(np.where(eligible, e, -np.inf), axis=1)
    return np.where(eligible.any(axis=1), best, e.shape[1]).astype(np.intp)


def core_deficit(engagement, capability, universal,
                 threshold: float = CORE_ENGAGEMENT_THRESHOLD) -> float:
    """F3, share of world capability outside the universal core.

        F3 = 1 - sum_i c~_i 1[max_{k universal} e_ik >= threshold],
        c~_i = c_i / sum_j c_j

    Range [0, 1]. Edge cases: 1.0 if there is no universal forum (no core
    exists; this takes precedence); 0.0 if total capability is 0.
    Source: Biermann, Pattberg, van Asselt & Zelli (2009), "major actors
    outside the core institution".
    """
    uni = np.asarray(universal, dtype=bool)
    if not uni.any():
        return 1.0
    c = _nonneg(capability, "capability")
    if c.sum() <= 0:
        return 0.0
    in_core = np.asarray(engagement, dtype=float)[:, uni].max(axis=1) >= threshold
    return _unit(c[~in_core].sum() / c.sum())


def normative_distance(engagement, capability, positions) -> float:
    """F4, forum-share-weighted distance between forum norm positions.

        F4 = 2 * sum_{k<l} s_k s_l |x_k - x_l|,  s_k as in F1

    The numerator is at most 1/2 for any K (all weight split evenly between
    positions -1 and +1), so F4 is in [0, 1] and does not depend on how many
    forums exist, only on how the weight is spread over positions.
    Edge cases: 0.0 when K == 1 or no weight.
    Source: Esteban & Ray (1994) polarisation with alpha = 0; Biermann et
    al. (2009) norm conflict.
    """
    n_forums = np.asarray(engagement).shape[1]
    s = _forum_shares(engagement, capability)
    if n_forums <= 1 or s is None:
        return 0.0
    x = np.asarray(positions, dtype=float).ravel()
    pairs = 0.5 * np.sum(np.outer(s, s) * np.abs(x[:, None] - x[None, :]))
    return _unit(2.0 * pairs)


def bridging_deficit(engagement, status, capability, universal) -> float:
    """F5, lack of capability-weighted bridge states between clubs.

        b_i = min_{k club} e_ik 1[i party to k]   (0 unless party to all clubs)
        F5  = 1 - (sum_i c~_i b_i) / max_i b_i

    Range [0, 1]: F5 = 0 when all capability sits on the best bridges, 1
    when no capability does. Edge cases: 0.0 with fewer than 2 club forums
    (nothing to bridge) or total capability 0; 1.0 if nobody bridges
    (max b = 0). Source: model-literature.md 8a (F5), an assumption.
    """
    club = ~np.asarray(universal, dtype=bool)
    c = _nonneg(capability, "capability")
    if club.sum() < 2 or c.sum() <= 0:
        return 0.0
    e = np.asarray(engagement, dtype=float)[:, club]
    bridge = np.min(np.where(_is_party(status)[:, club], e, 0.0), axis=1)
    top = bridge.max()
    if top <= 0:
        return 1.0
    return _unit(1.0 - (c @ bridge) / (c.sum() * top))


def _regime_class(core: float, distance: float, split: bool) -> str:
    """Biermann et al. (2009) degree of fragmentation from F3, F4 and split."""
    if core < SYNERGISTIC_MAX_CORE_DEFICIT and distance < SYNERGISTIC_MAX_NORM_DISTANCE:
        return "synergistic"
    if distance > CONFLICTIVE_MIN_NORM_DISTANCE and split:
        return "conflictive"
    return "cooperative"


def _top2_split(clubs: np.ndarray, capability, no_club: int) -> bool:
    """True if the two most capable countries anchor in different clubs (``clubs``: dominant_club)."""
    c = np.asarray(capability, dtype=float)
    if c.size < 2:
        return False
    first = int(np.argmax(c))  # argmax takes the lowest index among ties, as a stable sort would
    rest = c.copy()
    rest[first] = -np.inf
    a, b = clubs[first], clubs[int(np.argmax(rest))]
    return bool(a != b and a != no_club and b != no_club)


def fragmentation(engagement, status, authority, capability, positions,
                  universal, threshold: float = CORE_ENGAGEMENT_THRESHOLD
                  ) -> dict[str, float | str]:
    """Fragmentation components, headline and regime class.

    Keys: effective_forums (F1), modularity (F2, under the dominant-club
    partition), core_deficit (F3), normative_distance (F4),
    bridging_deficit (F5), and

        fragmentation = (F3 + F4 + (F2 + F5) / 2) / 3     (in [0, 1])

    one third for each dimension of Biermann et al. (2009): institutional integration (F3, the
    core), norm conflict (F4) and actor constellations (the bloc structure F2 and the lack of
    bridges F5 between the clubs, averaged). Literature §8a left F5 out; without it a split of the
    clubs whose freed engagement goes to the universal forum reads as less fragmentation
    (docs/ODD.md §8).

    regime_class (Biermann et al. 2009; thresholds are module constants and
    assumptions): "synergistic" if F3 < 0.2 and F4 < 0.15; "conflictive" if
    F4 > 0.35 and the two most capable countries (ties: lower index) have
    different dominant clubs, both being in some club; else "cooperative".
    Source: model-literature.md 8a (2).
    """
    groups = dominant_club(engagement, status, universal)
    f2 = modularity(engagement, authority, groups)
    f3 = core_deficit(engagement, capability, universal, threshold)
    f4 = normative_distance(engagement, capability, positions)
    f5 = bridging_deficit(engagement, status, capability, universal)
    split = _top2_split(groups, capability, np.asarray(engagement).shape[1])
    return {
        "effective_forums": effective_forums(engagement, capability),
        "modularity": f2,
        "core_deficit": f3,
        "normative_distance": f4,
        "bridging_deficit": f5,
        "fragmentation": float((f3 + f4 + (f2 + f5) / 2.0) / 3.0),
        "regime_class": _regime_class(f3, f4, split),
    }
