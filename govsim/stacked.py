"""The indices of :mod:`govsim.indices` and :mod:`govsim.divide` over a stack of states at once.

Every function takes arrays with one leading axis of rows (the T recorded steps of a run; later
also R replicates): ``engagement``/``status`` (T, N, K), per-country arrays (T, N), per-forum
arrays (T, K), and returns one value per row, shape (T,). The formulas, their sources and their
edge cases are those of the per-state functions, which stay the reference (docs and hand-computed
tests): ``tests/test_hot_path.py`` checks every index here against them on random states.

Each row is computed with the reference's own operations along the row (the same pairwise sums,
cumulative sums, sorts and BLAS products), so a row's values do not depend on how many rows are
stacked, and equal the reference bit for bit (subsets summed as the reference sums them: :func:`masked_sum`).
Where numpy is slow along the short forum axis, the same operations are done in a faster memory
order (:func:`sum_countries` here; ``govsim.rows.forum_sum`` and ``forum_reduce``, shared with the
kernel): ``tests/test_batch_tables.py`` and ``tests/test_rows.py`` check them against numpy's own.
"""

from __future__ import annotations

import numpy as np

from govsim.codes import HIGH_INCOME, LOW_INCOME, LOWER_MIDDLE_INCOME, MEMBER, PARTNER
from govsim.indices import (CONFLICTIVE_MIN_NORM_DISTANCE, CORE_ENGAGEMENT_THRESHOLD,
                            SYNERGISTIC_MAX_CORE_DEFICIT, SYNERGISTIC_MAX_NORM_DISTANCE)
from govsim.inequality import _THEIL_EPS
from govsim.rows import forum_reduce, forum_sum


#: Runs of equal masks that :func:`masked_sum` sums slice by slice; beyond, it groups rows by count.
FEW_RUNS = 8


def unit(x: np.ndarray) -> np.ndarray:
    """Clip to [0, 1] (only ever to remove floating round-off), as ``inequality._unit`` per value."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


def masked_sum(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, ``x[t][mask[t]].sum()`` bit for bit (0 where nothing is selected); ``x`` (..., T, N)
    may stack several arrays under the same (T, N) mask.

    Each row's selected values are compacted into a C-ordered block of rows of the same length,
    whose row sums numpy then groups exactly as it groups the sum of one compacted row (pairwise).
    A sum with zeros in place of the unselected values, or over a column slice in another memory
    order, would group them differently and move the last bit. Consecutive rows with the same mask
    (a run's income groups and memberships change rarely) are one slice; when the mask changes
    often (a batch's replicates stacked; countries near a threshold flipping back and forth) the
    rows are compacted at once and summed in groups of the same number of selected values.
    """
    starts = np.flatnonzero(np.r_[True, (mask[1:] != mask[:-1]).any(axis=-1)])
    if len(starts) <= FEW_RUNS:
        out = np.empty(x.shape[:-1])
        for a, b in zip(starts, [*starts[1:], len(mask)]):
            out[..., a:b] = np.ascontiguousarray(x[..., a:b, mask[a]]).sum(axis=-1)
        return out
    counts = mask.sum(axis=-1)
    order = np.argsort(counts, kind="stable")  # rows by number selected: each group a slice of ``picked``
    counts = counts[order]
    t, n = mask.shape  # the flat positions of the selected values, rows in order:
    at_rows = np.flatnonzero(mask[order]) + np.repeat((order - np.arange(t)) * n, counts)
    picked, sums = x.reshape(*x.shape[:-2], t * n).take(at_rows, axis=-1), np.empty(x.shape[:-1])
    bounds, at = np.flatnonzero(np.r_[True, counts[1:] != counts[:-1], True]), 0
    for a, b in zip(bounds[:-1], bounds[1:]):
        size = (b - a) * counts[a]
        block = np.ascontiguousarray(picked[..., at:at + size]).reshape(*x.shape[:-2], b - a, counts[a])
        sums[..., a:b], at = block.sum(axis=-1), at + size
    out = np.empty_like(sums)
    out[..., order] = sums
    return out


def _divide(a: np.ndarray, b: np.ndarray, ok: np.ndarray, fallback: float = 0.0) -> np.ndarray:
    """a / b where ``ok``, else ``fallback`` (no division by the rows that are not ok)."""
    return np.where(ok, a / np.where(ok, b, 1.0), fallback)


def dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, the dot product a_t @ b_t of two (T, N) stacks (BLAS, like the reference's ``a @ b``)."""
    return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]


def normalised_authority(authority: np.ndarray) -> np.ndarray:
    """(T, K) A_k / sum(A) per row; uniform 1/K where the total is zero."""
    total = authority.sum(axis=-1)[:, None]
    return _divide(authority, total, total > 0, 1.0 / authority.shape[-1])


def stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, axis=-1, kind="stable")``, faster: numpy's default sort (vectorised) puts
    distinct values in the same order; the rows with equal values (or NaN) are sorted again, stably."""
    order = np.argsort(values, axis=-1)
    v = np.take_along_axis(values, order, -1)
    redo = (v[..., 1:] == v[..., :-1]).any(axis=-1) | np.isnan(v[..., -1:]).any(axis=-1)
    if redo.any():
        order[redo] = np.argsort(values[redo], axis=-1, kind="stable")
    return order


def sum_countries(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=-2)`` of (T, N, K) ``x`` in C order bit for bit (``x`` may be a view), faster: with
    K > 1 numpy adds the countries one after another (the reduced axis is not the contiguous one),
    which it does faster over a copy with the countries outermost (long contiguous rows instead of
    K values at a time). (With K = 1 the countries are contiguous, and numpy sums them pairwise.)"""
    if x.shape[-1] < 2:
        return np.ascontiguousarray(x).sum(axis=-2)
    return np.ascontiguousarray(np.moveaxis(x, -2, 0)).sum(axis=0)


def gini_rows(values: np.ndarray, weights: np.ndarray | None, order: np.ndarray | None = None) -> np.ndarray:
    """(T,) :func:`govsim.inequality.gini` of each row (values and weights (T, N); ``weights`` None:
    all ones; ``order``: the rows' stable ascending sort of ``values``, if the caller has it)."""
    order = stable_order(values) if order is None else order
    at = (order + np.arange(len(order))[:, None] * order.shape[-1]).ravel()  # flat positions: takes faster
    v = values.ravel().take(at).reshape(values.shape)
    if v.shape[-1] <= 1:
        return np.zeros(v.shape[0])
    if weights is None:  # unit weights: their running sums are 1, 2, ... exactly, and w * v is v
        w, cum_w, cum_wv = np.ones_like(v), np.arange(1.0, v.shape[-1] + 1), np.cumsum(v, axis=-1)
        cum_w = np.broadcast_to(cum_w, v.shape)
    else:
        w = weights.ravel().take(at).reshape(weights.shape)
        cum_w, cum_wv = np.cumsum(w, axis=-1), np.cumsum(w * v, axis=-1)
    total_w, total_wv = cum_w[:, -1:], cum_wv[:, -1:]
    ok = (total_w > 0) & (total_wv > 0)
    gap = cum_w / np.where(ok, total_w, 1.0) - cum_wv / np.where(ok, total_wv, 1.0)
    trapezoid = gap.copy()
    trapezoid[:, 1:] += gap[:, :-1]
    return np.where(ok[:, 0], unit(dot_rows(w, trapezoid) / np.where(ok, total_w, 1.0)[:, 0]), 0.0)


def _xlogx(r: np.ndarray) -> np.ndarray:
    safe = np.where(r > 0, r, 1.0)
    return np.where(r > 0, r * np.log(safe), 0.0)


def theil_between_rows(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(T,) :func:`govsim.inequality.theil_between_share` of each row (``groups``: small int codes >= 0)."""
    t, n = values.shape
    total = values.sum(axis=-1)
    mu = total / n
    safe_mu = np.where(total > 0, mu, 1.0)[:, None]
    t_total = np.mean(_xlogx(values / safe_mu), axis=-1)
    g = int(groups.max()) + 1 if groups.size else 1
    flat = (np.arange(t)[:, None] * g + groups).ravel()
    counts = np.bincount(flat, minlength=t * g).reshape(t, g)
    sums = np.bincount(flat, weights=values.ravel(), minlength=t * g).reshape(t, g)
    mu_g = sums / np.maximum(counts, 1)
    t_between = masked_sum(counts / n * _xlogx(mu_g / safe_mu), counts > 0)
    ok = (total > 0) & (t_total > _THEIL_EPS)
    return np.where(ok, unit(t_between / np.where(ok, t_total, 1.0)), 0.0)


# ---------------------------------------------------------------- inclusiveness
def is_party(status: np.ndarray) -> np.ndarray:
    """True where a country is a MEMBER or PARTNER of a forum."""
    return (status == MEMBER) | (status == PARTNER)


def voice_rows(engagement: np.ndarray, status: np.ndarray, authority: np.ndarray) -> np.ndarray:
    """(T, N) :func:`govsim.indices.voice` of each row."""
    member = status == MEMBER
    members = np.ascontiguousarray(np.swapaxes(member, -1, -2)).sum(axis=-1)  # (T, K): each forum's countries contiguous
    beta = member * (1.0 / np.maximum(members, 1))[:, None, :]  # as member / count: 1 / count or 0
    return np.matmul(beta * engagement, normalised_authority(authority)[:, :, None])[..., 0]


def inclusiveness_rows(engagement, status, authority, universal, population, income_group) -> dict[str, np.ndarray]:
    """:func:`govsim.indices.inclusiveness` of each row (``universal``: (K,), the same in every row)."""
    club = ~universal
    n_party = np.zeros(status.shape[:-1], np.int64)  # the clubs a country is party to, counted club by club
    for k in np.flatnonzero(club):
        n_party += is_party(status[..., k])
    none_share = np.mean(n_party == 0, axis=-1)
    all_share = np.mean(n_party == club.sum(), axis=-1) if club.any() else np.zeros(len(n_party))
    v = voice_rows(engagement, status, authority)
    low = income_group <= LOWER_MIDDLE_INCOME
    v_total, (pop_low, v_low) = v.sum(axis=-1), masked_sum(np.stack([population, v]), low)
    ok = (v_total > 0) & (pop_low > 0)
    pop_share = pop_low / population.sum(axis=-1)
    rep = np.where(ok, np.minimum(1.0, _divide(v_low, v_total, ok) / np.where(ok, pop_share, 1.0)), 0.0)
    per_capita = np.divide(v, population, out=np.zeros_like(v), where=population > 0)
    equality = 1.0 - gini_rows(per_capita, population)
    return {"none_share": none_share, "all_share": all_share, "representation_low": rep,
            "voice_equality": equality, "inclusiveness": ((1.0 - none_share) + rep + equality) / 3.0}


# ---------------------------------------------------------------- fragmentation
def forum_shares(engagement: np.ndarray, capability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((T, K) s_k = sum_i c_i e_ik / total, (T,) True where the total is positive; s = 0 elsewhere)."""
    w = np.matmul(capability[:, None, :], engagement)[:, 0, :]
    total = w.sum(axis=-1)[:, None]
    return _divide(w, total, total > 0), total[:, 0] > 0


def dominant_club_rows(engagement, status, universal) -> np.ndarray:
    """(T, N) :func:`govsim.indices.dominant_club` of each row (K for a country in no club)."""
    eligible = is_party(status)
    eligible[..., universal] = False  # (not ``& ~universal``: a broadcast along the short forum axis is slow)
    best = np.argmax(np.where(eligible, engagement, -np.inf), axis=-1)
    anywhere = np.zeros(eligible.shape[:-1], bool)
    for j in np.flatnonzero(~universal):  # column by column: faster than any(axis=-1) along a short axis
        anywhere |= eligible[..., j]
    return np.where(anywhere, best, engagement.shape[-1])


def modularity_rows(engagement, authority, groups) -> np.ndarray:
    """(T,) :func:`govsim.indices.modularity` of each row under the partition ``groups`` (ints in 0..K)."""
    t, n, k = engagement.shape
    # u as (K, T, N), each forum's values contiguous: its products broadcast along the long country axis
    scale = np.sqrt(normalised_authority(authority)).T[:, :, None]
    by_forum = np.ascontiguousarray(np.moveaxis(engagement, -1, 0)) * scale
    u = np.moveaxis(by_forum, 0, -1)  # (T, N, K), a view
    strength = forum_sum(np.moveaxis(by_forum * (sum_countries(u).T[:, :, None] - by_forum), 0, -1))
    two_w = strength.sum(axis=-1)
    flat = (np.arange(t)[:, None] * (k + 1) + groups).ravel()
    s_gk = np.stack([np.bincount(flat, weights=by_forum[j].ravel(), minlength=t * (k + 1)) for j in range(k)], axis=-1)
    k_g = np.bincount(flat, weights=strength.ravel(), minlength=t * (k + 1)).reshape(t, k + 1)
    present = np.bincount(flat, minlength=t * (k + 1)).reshape(t, k + 1) > 0  # the groups of each row
    within = masked_sum(s_gk.reshape(t, (k + 1) * k) ** 2, np.repeat(present, k, axis=-1))
    within = within - np.ascontiguousarray(u**2).reshape(t, n * k).sum(axis=-1)
    ok = two_w > 0
    safe = np.where(ok, two_w, 1.0)
    q = within / safe - masked_sum((k_g / safe[:, None]) ** 2, present)
    return np.where(ok, np.maximum(q, 0.0), 0.0)


def core_deficit_rows(engagement, capability, universal, threshold=CORE_ENGAGEMENT_THRESHOLD) -> np.ndarray:
    """(T,) :func:`govsim.indices.core_deficit` of each row."""
    if not universal.any():
        return np.ones(len(capability))
    total = capability.sum(axis=-1)
    in_core = forum_reduce(np.maximum, engagement, universal) >= threshold
    return np.where(total > 0, unit(_divide(masked_sum(capability, ~in_core), total, total > 0)), 0.0)


def normative_distance_rows(shares, has_weight, positions) -> np.ndarray:
    """(T,) :func:`govsim.indices.normative_distance` of each row, from :func:`forum_shares`."""
    t, k = shares.shape
    if k <= 1:
        return np.zeros(t)
    pairs = shares[:, :, None] * shares[:, None, :] * np.abs(positions[:, :, None] - positions[:, None, :])
    return np.where(has_weight, unit(2.0 * (0.5 * pairs.reshape(t, k * k).sum(axis=-1))), 0.0)


def effective_forums_rows(shares, has_weight) -> np.ndarray:
    """(T,) :func:`govsim.indices.effective_forums` of each row, from :func:`forum_shares`."""
    t, k = shares.shape
    if k <= 1:
        return np.zeros(t)
    enf = 1.0 / np.where(has_weight, np.sum(shares**2, axis=-1), 1.0)
    return np.where(has_weight, unit((enf - 1.0) / (k - 1)), 0.0)


def bridging_deficit_rows(engagement, status, capability, universal) -> np.ndarray:
    """(T,) :func:`govsim.indices.bridging_deficit` of each row."""
    club = ~universal
    total = capability.sum(axis=-1)
    if club.sum() < 2:
        return np.zeros(len(capability))
    bridge = forum_reduce(np.minimum, np.where(is_party(status), engagement, 0.0), club)
    top = bridge.max(axis=-1)
    ok = (total > 0) & (top > 0)
    deficit = unit(1.0 - dot_rows(capability, bridge) / np.where(ok, total * top, 1.0))
    return np.where(total <= 0, 0.0, np.where(top <= 0, 1.0, deficit))


def top2_split_rows(clubs, capability, no_club: int) -> np.ndarray:
    """(T,) True where the two most capable countries anchor in different clubs (ties: lower index)."""
    t, n = capability.shape
    if n < 2:
        return np.zeros(t, bool)
    rows = np.arange(t)
    first = np.argmax(capability, axis=-1)
    rest = capability.copy()
    rest[rows, first] = -np.inf
    a, b = clubs[rows, first], clubs[rows, np.argmax(rest, axis=-1)]
    return (a != b) & (a != no_club) & (b != no_club)


def regime_class_rows(core, distance, split) -> np.ndarray:
    """(T,) Biermann et al. (2009) class of each row, as ``indices._regime_class``."""
    synergistic = (core < SYNERGISTIC_MAX_CORE_DEFICIT) & (distance < SYNERGISTIC_MAX_NORM_DISTANCE)
    conflictive = (distance > CONFLICTIVE_MIN_NORM_DISTANCE) & split
    return np.where(synergistic, "synergistic", np.where(conflictive, "conflictive", "cooperative")).astype(object)


def fragmentation_rows(engagement, status, authority, capability, positions, universal,
                       threshold=CORE_ENGAGEMENT_THRESHOLD) -> dict[str, np.ndarray]:
    """:func:`govsim.indices.fragmentation` of each row: F1-F5, the headline and the regime class."""
    groups = dominant_club_rows(engagement, status, universal)
    shares, has_weight = forum_shares(engagement, capability)
    f2 = modularity_rows(engagement, authority, groups)
    f3 = core_deficit_rows(engagement, capability, universal, threshold)
    f4 = normative_distance_rows(shares, has_weight, positions)
    f5 = bridging_deficit_rows(engagement, status, capability, universal)
    split = top2_split_rows(groups, capability, engagement.shape[-1])
    return {"effective_forums": effective_forums_rows(shares, has_weight), "modularity": f2, "core_deficit": f3,
            "normative_distance": f4, "bridging_deficit": f5, "fragmentation": (f3 + f4 + (f2 + f5) / 2.0) / 3.0,
            "regime_class": regime_class_rows(f3, f4, split)}


# ---------------------------------------------------------------- AI divide
def weighted_gap_rows(values, population, north) -> np.ndarray:
    """(T,) ``divide._weighted_gap``: 1 - pop-mean of the South / that of the North, in [0, 1]; ``values``
    (V, T, N) gives (V, T), the population sums shared."""
    weighted = np.concatenate([population[None], values * population])
    pop_n, *top = masked_sum(weighted, north)
    pop_s, *bottom = masked_sum(weighted, ~north)
    ok = north.any(axis=-1) & (~north).any(axis=-1) & (pop_n > 0) & (pop_s > 0)
    top, bottom = _divide(np.array(top), pop_n, ok), _divide(np.array(bottom), pop_s, ok)
    return np.where(ok & (top > 0), unit(1.0 - _divide(bottom, top, ok & (top > 0))), 0.0)


def concentration_rows(compute) -> tuple[np.ndarray, np.ndarray]:
    """((T,) HHI, (T,) top-2 share) of compute shares, as ``divide._compute_concentration``."""
    total = compute.sum(axis=-1)[:, None]
    s = _divide(compute, total, total > 0)
    n = s.shape[-1]
    top2 = s.sum(axis=-1) if n <= 2 else np.partition(s, n - 2, axis=-1)[:, -2:].sum(axis=-1)
    return np.sum(s**2, axis=-1), np.where(total[:, 0] > 0, unit(top2), 0.0)


def ai_divide_rows(capability, population, income_group, compute, access, adoption, intensity) -> dict[str, np.ndarray]:
    """:func:`govsim.divide.ai_divide` of each row (all arguments (T, N))."""
    north, low = income_group == HIGH_INCOME, income_group == LOW_INCOME
    hhi, top2 = concentration_rows(compute)
    order = stable_order(capability)  # one sort serves both Ginis
    g_pop = gini_rows(capability, population, order)
    n_low, n_high = low.sum(axis=-1), north.sum(axis=-1)
    both = (n_low > 0) & (n_high > 0)
    mean_low = _divide(masked_sum(capability, low), n_low, n_low > 0)
    mean_high = _divide(masked_sum(capability, north), n_high, n_high > 0)
    relative = both & (mean_high > 0)
    top_a, pop_total = access.max(axis=-1), population.sum(axis=-1)
    reach = (top_a > 0) & (pop_total > 0)
    mean_a = _divide(np.sum(access * population, axis=-1), pop_total, reach)
    gap_north_south, adoption_gap, intensity_gap = weighted_gap_rows(np.stack([capability, adoption, intensity]),
                                                                     population, north)
    return {
        "gini_capability_pop": g_pop,
        "gini_capability": gini_rows(capability, None, order),
        "theil_between_income": theil_between_rows(capability, income_group.astype(np.intp)),
        "gap_high_low": np.where(relative, unit(1.0 - _divide(mean_low, mean_high, relative)), 0.0),
        "gap_abs_high_low": np.where(both, unit(mean_high - mean_low), 0.0),
        "gap_north_south": gap_north_south,
        "access_gap": np.where(reach, unit(1.0 - _divide(mean_a, top_a, reach)), 0.0),
        "adoption_gap": adoption_gap,
        "intensity_gap": intensity_gap,
        "compute_hhi": np.where(compute.sum(axis=-1) > 0, hhi, 0.0),
        "compute_top2": top2,
        "ai_divide": g_pop,
    }
