"""Compiled loop of the fragmentation indices (numba): F1-F5 of every row of a stack in one call.

The formulas, sources and edge cases are those of :func:`govsim.indices.fragmentation` (the
reference); here one row's F2, F3 and F5 come from two passes over its countries (the first the
dominant clubs, the forum weights, the core and the bridges; the second the modularity's sums and
the bridges' weight), sums in the loops' order (see :mod:`govsim.index_loops` for what that changes).

numba's cache is renewed when this file changes, not when another module does: the loop calls only
helpers of this file (``_unit`` and the status codes are repeated from :mod:`govsim.index_loops`).
"""

from __future__ import annotations

import numpy as np

from govsim import codes
from govsim.compiled import function

_PARTNER, _MEMBER = 2, 3
assert (_PARTNER, _MEMBER) == (codes.PARTNER, codes.MEMBER)

#: Columns of :func:`fragmentation_loop`'s ``out``, in order.
FRAGMENTATION = ("effective_forums", "modularity", "core_deficit", "normative_distance", "bridging_deficit",
                 "fragmentation")


@function()
def _unit(x):  # pragma: no cover
    """Clip to [0, 1] (only ever to remove floating round-off), as ``inequality._unit``."""
    return min(max(x, 0.0), 1.0)


@function()
def _root_authority(authority, root):  # pragma: no cover
    """``root`` = sqrt(A_k / sum(A)), uniform 1/K where the total is zero (``indices._normalise_authority``)."""
    k, total = len(authority), 0.0
    for j in range(k):
        total += authority[j]
    for j in range(k):
        root[j] = np.sqrt(authority[j] / total if total > 0 else 1.0 / k)


@function()
def _first_pass(e, status, c, universal, root, threshold, groups, bridge, weight, total_u):  # pragma: no cover
    """One row's countries: ``groups`` = :func:`govsim.indices.dominant_club` (the club, party to it,
    a country engages most in; ties: the lowest forum; K: none), ``bridge`` b_i = min over clubs of
    e_ik 1[party] (F5), ``weight`` w_k = sum_i c_i e_ik (F1, F4), ``total_u`` U_k = sum_i u_ik (F2);
    returns (sum c, c outside the core (F3: max universal e_ik < threshold), max b)."""
    n, k = e.shape
    weight[:], total_u[:] = 0.0, 0.0
    total, outside, top = 0.0, 0.0, -np.inf
    for i in range(n):
        best, most, core, b = k, -np.inf, -np.inf, np.inf
        for j in range(k):
            x = e[i, j]
            weight[j] += c[i] * x
            total_u[j] += x * root[j]
            if universal[j]:
                core = max(core, x)
            else:
                party = status[i, j] == _MEMBER or status[i, j] == _PARTNER
                if party and (best == k or x > most):
                    best, most = j, x
                b = min(b, x if party else 0.0)
        groups[i], bridge[i] = best, b
        total += c[i]
        if not core >= threshold:
            outside += c[i]
        top = max(top, b)
    return total, outside, top


@function()
def _second_pass(e, c, root, groups, total_u, bridge, s_gk, k_g):  # pragma: no cover
    """One row's modularity sums (:func:`govsim.indices.modularity`, u_ik = e_ik sqrt(A_k)): strengths
    k_i = sum_k u_ik (U_k - u_ik), their total 2W and group sums ``k_g``, the group-forum sums ``s_gk``
    and sum u_ik^2; and sum_i c_i b_i (F5). Returns (2W, sum u^2, sum c b)."""
    n, k = e.shape
    s_gk[:], k_g[:] = 0.0, 0.0
    two_w, squares, bridged = 0.0, 0.0, 0.0
    for i in range(n):
        strength, g = 0.0, groups[i]
        for j in range(k):
            u = e[i, j] * root[j]
            strength += u * (total_u[j] - u)
            s_gk[g * k + j] += u
            squares += u * u
        two_w += strength
        k_g[g] += strength
        bridged += c[i] * bridge[i]
    return two_w, squares, bridged


@function()
def _modularity(two_w, squares, s_gk, k_g):  # pragma: no cover
    """Q = (sum_gk S_gk^2 - sum u^2) / 2W - sum_g (K_g / 2W)^2, at least 0; 0 if 2W is 0."""
    if two_w <= 0:
        return 0.0
    within, spread = 0.0, 0.0
    for x in s_gk:  # a group without countries adds zeros
        within += x * x
    for x in k_g:
        spread += (x / two_w) * (x / two_w)
    return max((within - squares) / two_w - spread, 0.0)


@function()
def _forum_spread(weight, positions):  # pragma: no cover
    """(F1, F4) from the forum weights: ``indices.effective_forums`` (ENF - 1) / (K - 1), ENF = 1 / sum s_k^2,
    and ``indices.normative_distance`` 2 (1/2 sum_kl s_k s_l |x_k - x_l|), s_k = w_k / sum w; 0 for
    K = 1 or no weight."""
    k, total = len(weight), 0.0
    for j in range(k):
        total += weight[j]
    if k <= 1 or not total > 0:
        return 0.0, 0.0
    concentration, pairs = 0.0, 0.0
    for j in range(k):
        concentration += (weight[j] / total) * (weight[j] / total)
        for m in range(k):
            pairs += (weight[j] / total) * (weight[m] / total) * abs(positions[j] - positions[m])
    return _unit((1.0 / concentration - 1.0) / (k - 1)), _unit(2.0 * (0.5 * pairs))


@function()
def _argmax(values, skip):  # pragma: no cover
    """np.argmax of ``values`` with position ``skip`` taken as -inf (-1: none): the first of ties."""
    best = 0
    for i in range(len(values)):
        value = -np.inf if i == skip else values[i]
        if value > (-np.inf if best == skip else values[best]):
            best = i
    return best


@function()
def fragmentation_loop(engagement, status, authority, capability, positions, universal, threshold,
                       out, split):  # pragma: no cover
    """``out[:, t]`` = :func:`govsim.indices.fragmentation` of row t (columns :data:`FRAGMENTATION`)
    and ``split[t]``: the two most capable countries anchor in different clubs (``indices._top2_split``)."""
    rows, n, k = engagement.shape
    clubs, has_core = (~universal).sum(), universal.any()
    groups, bridge = np.empty(n, np.int64), np.empty(n)
    root, weight, total_u, s_gk, k_g = np.empty(k), np.empty(k), np.empty(k), np.empty((k + 1) * k), np.empty(k + 1)
    for t in range(rows):
        e, c = engagement[t], capability[t]
        _root_authority(authority[t], root)
        total, outside, top = _first_pass(e, status[t], c, universal, root, threshold, groups, bridge, weight, total_u)
        two_w, squares, bridged = _second_pass(e, c, root, groups, total_u, bridge, s_gk, k_g)
        f1, f4 = _forum_spread(weight, positions[t])
        f2 = _modularity(two_w, squares, s_gk, k_g)
        f3 = 1.0 if not has_core else (_unit(outside / total) if total > 0 else 0.0)
        f5 = 0.0  # (fewer than 2 clubs: nothing to bridge; no capability)
        if clubs >= 2 and total > 0:
            f5 = (_unit(1.0 - bridged / (total * top)) if total * top > 0 else 0.0) if top > 0 else 1.0
        out[0, t], out[1, t], out[2, t], out[3, t], out[4, t] = f1, f2, f3, f4, f5
        out[5, t] = (f3 + f4 + (f2 + f5) / 2.0) / 3.0
        split[t] = False
        if n >= 2:
            first = _argmax(c, -1)
            one, two = groups[first], groups[_argmax(c, first)]
            split[t] = one != two and one != k and two != k
