"""Forum choice: utilities U_ik and the logit allocation of engagement.

Every country scores every forum from the same snapshot; the model commits the result
afterwards (decide, then commit), so activation order cannot matter.

The per-country formulas run as loops compiled with numba (one call for all countries and forums,
instead of some forty small numpy operations a step). They do arithmetic only, in the order the
formulas are written, so they give the same numbers as numpy bit for bit; ``exp`` and ``log`` and
the powers stay numpy calls (their last bits differ between numpy's vectorised and the C library's
versions). Each loop takes a whole run's countries, (N, K) and (N,) arrays, and goes through them
country by country (one call, not one per country: a numba generalised ufunc pays per call and per
argument); it broadcasts like numpy's ufuncs over the replicates of a batch (govsim/replicates.py),
(R, N, K) arrays with per-replicate parameters as (R,) values (:func:`_per_run`). The decide phase's
taste step, utilities and choice run as one loop (:func:`evolve_and_choose`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numba import njit

from govsim import rows
from govsim.compiled import function, loop
from govsim.config.behaviour import Decision
from govsim.codes import MEMBER, PARTNER
from govsim.state import State

_BINS = 41  # alignment bins for the O(N*K) network term


@njit(inline="always")
def _maximum(a, b):  # pragma: no cover
    """``np.maximum`` of two numbers in a compiled loop: NaN if either is (Python's ``max`` drops a NaN in
    second place), ``b`` on a tie (max(-0.0, 0.0) is 0.0). Kept in this module: numba renews a loop's
    cache only when its own file changes."""
    return a if a > b or a != a else b


class ForumView(NamedTuple):
    """What a country sees of the K forums when it decides (all arrays of length K)."""

    universal: np.ndarray
    position: np.ndarray
    authority: np.ndarray
    level: np.ndarray
    reach: np.ndarray
    depth: np.ndarray
    tech_access: np.ndarray
    partner_access: np.ndarray
    cost: np.ndarray


#: The weights of :func:`utilities`, in the order its compiled loop reads them.
_WEIGHTS = ("w_access", "w_voice", "w_scope", "w_network", "w_distance", "w_cost", "w_penalty", "inertia",
            "dissatisfaction_years", "horizon_years")


def utilities(s: State, view: ForumView, p: Decision, status: np.ndarray, network: np.ndarray | None = None) -> np.ndarray:
    """U_ik for every country and forum, given membership ``status`` (literature §8c).

    c_i is a country's standing, its capability relative to the most capable country (State.standing),
    so choices do not drift as the frontier moves.
    U = a*Access + b*Voice + c*Scope + n*Network - d*D_k*|x_i - x_k| - f*cost_k/B_i
        - g*Penalty + pull_ik*blocked_i + h*inertia + taste, with
    Access = tech_access_k * weight_ik * max(0, level_k - c_i) + capacity-building offer * horizon
    (level_k: capability of the forum's engaged participants; weight 1 member, partner_access partner),
    D_k the forum's effective depth (a shallow forum's positions bind, and so cost, less),
    Voice = A_k * (1/n_k)^nu for members (consensus: normalised Banzhaf 1/n_k), 0 otherwise,
    Scope = reach_k * (1 - c_i) + depth_k * (1 - c_i if k universal else c_i): weak states value reach
    and binding universal rules (they bind the strong too), strong states depth only in clubs, where
    they avoid being bound by all (Abbott & Snidal 2000 hard vs soft law; Busch 2007; seed 002),
    inertia = e_ik(t-1)/B_i / (1 + dissatisfaction_i / dissatisfaction_years), and
    pull_ik*blocked_i the export-control push towards the rival bloc (shocks.ExportControlShock).
    The levers of govsim/levers.py scale the cost (policy.cost_mult, interoperability) and add
    policy.appeal (a public good offered through a forum); both are neutral (1, 0) otherwise.
    ``network``: :func:`network_share` of this state, if the caller has it (a review scores two statuses).
    """
    return _utility(*_scored(s, view, p, status, network))


def utilities_under(s: State, view: ForumView, p: Decision, statuses: list[np.ndarray], network: np.ndarray) -> np.ndarray:
    """:func:`utilities` under each of ``statuses`` (membership statuses with the current members, so
    the same voice, e.g. a review's "as a partner of every club" and the current one), in one compiled
    call: (S, N, K), or (S, R, N, K) for a batch; the same numbers as one call per status."""
    return _utility(np.stack(statuses), *_scored(s, view, p, s.status, network)[1:])


def evolve_and_choose(s: State, view: ForumView, p: Decision, persistence, scale, draw: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tastes, engagement, best utility) of the decide phase in one compiled loop: the tastes' AR(1)
    step taste' = persistence * taste + scale * draw (``persistence`` = rho^dt and ``scale`` =
    sqrt(1 - rho^2dt) * sd worked out by the caller, numpy's numbers), then :func:`utilities` with the
    new tastes and :func:`choose` over the forums a country may engage in (``State.eligible``); the
    same numbers as those three steps in numpy, bit for bit (tests/test_fused_decision.py)."""
    c = _per_run
    taste, _, shifted, gap, best = _decide(*_scored(s, view, p, s.status), draw, c(persistence), c(scale),
                                           c(p.outside_utility), c(p.temperature))
    return taste, _shares(np.exp(shifted), np.exp(gap), s.budget), best


def _scored(s: State, view: ForumView, p: Decision, status: np.ndarray, network: np.ndarray | None = None) -> tuple:
    """The arguments of :func:`_utility` (and the first of :func:`_decide`), in its order."""
    voice = view.authority * rows.forum_row(_member_power(status, view.universal)) ** p.voice_exponent  # members only (in the loop)
    network = network_share(s.alignment, s.engagement, p.network_bandwidth) if network is None else network
    q, f, w = s.policy, _per_forum, _weights(p, _WEIGHTS)
    return (status, s.engagement, s.taste, network, q.penalty, q.pull, q.cost_mult, q.appeal, q.cb_offer,
            s.standing, s.budget, s.alignment, s.dissatisfaction, q.blocked, view.universal, f(view.position),
            f(voice), f(view.level), f(view.reach), f(view.depth), f(view.tech_access), f(view.partner_access),
            f(view.cost), f(w))


def _weights(p, names: tuple[str, ...]) -> np.ndarray:
    """Parameters ``names`` of ``p`` as one vector (P,), or (R, 1, P) where a batch's replicates differ
    (made once per parameter object: behaviour is not changed during a run)."""
    kept = _WEIGHT_VECTORS.get((id(p), names))
    if kept is not None and kept[0] is p:
        return kept[1]
    values = [getattr(p, name) for name in names]
    if not any(isinstance(v, np.ndarray) for v in values):
        vector = np.array(values, dtype=float)
    else:
        vector = np.stack(np.broadcast_arrays(*(np.asarray(rows.per_country(v), dtype=float) for v in values)), axis=-1)
    if len(_WEIGHT_VECTORS) >= 64:
        _WEIGHT_VECTORS.clear()
    _WEIGHT_VECTORS[(id(p), names)] = (p, vector)  # p held, so its id is not reused while kept
    return vector


_WEIGHT_VECTORS: dict = {}


@loop("void(int8[:, :], boolean[:], float64[:])", "(n,k),(k)->(k)")
def _member_power(status, universal, power):  # pragma: no cover
    """1 / n_k, n_k the members of forum k (every country in a universal forum; at least 1): a
    member's normalised Banzhaf power under consensus (integer counts: exact in any order)."""
    for k in range(status.shape[1]):
        count = 0
        for i in range(status.shape[0]):
            if universal[k] or status[i, k] == MEMBER:
                count += 1
        power[k] = 1.0 / max(count, 1)


_F, _K, _NK, _N = "float64", "float64[:]", "float64[:, :]", "float64[:]"
#: The arguments of :func:`_utility` and the first of :func:`_decide`: per country and forum (n, k),
#: per country (n), per forum (k), the weights (p).
_SCORED = f"int8[:, :], {', '.join([_NK] * 8)}, {', '.join([_N] * 5)}, boolean[:], {', '.join([_K] * 8)}, {_K}"
_SCORED_LAYOUT = ",".join(["(n,k)"] * 9 + ["(n)"] * 5 + ["(k)"] * 9 + ["(p)"])


@njit(inline="always")
def _shift(i, u, eligible, outside, t, shifted):  # pragma: no cover
    """Write country i's U/t of the eligible forums (-inf elsewhere) less the larger of max(U)/t and
    U_0/t to ``shifted`` (it may be ``u`` itself: each value is read before it is written); return
    U_0/t less that top, max(U) (-inf: none eligible) and the top."""
    top_u = -np.inf
    for k in range(u.shape[1]):
        if eligible[i, k]:
            top_u = _maximum(top_u, u[i, k])
    base = outside / t
    top = _maximum(top_u / t, base)
    for k in range(u.shape[1]):
        shifted[i, k] = u[i, k] / t - top if eligible[i, k] else -np.inf
    return base - top, top_u, top


@njit(inline="always")
def _utility_row(i, status, engagement, taste, network, penalty, pull, cost_mult, appeal, cb_offer,
                 standing, budget, alignment, dissatisfaction, blocked,
                 universal, position, voice, level, reach, depth, tech_access, partner_access, cost, w, u):  # pragma: no cover
    """Country i's U over the forums (:func:`utilities`), the terms added in the formula's order."""
    c, b = standing[i], budget[i]
    weak = 1 - c
    stickiness = 1.0 / (1.0 + dissatisfaction[i] / w[8])
    for k in range(status.shape[1]):
        member = status[i, k] == MEMBER or universal[k]
        weight = 1.0 if member else (partner_access[k] if status[i, k] == PARTNER else 0.0)
        access = tech_access[k] * weight * _maximum(level[k] - c, 0.0) + cb_offer[i, k] * w[9]
        scope = reach[k] * weak + depth[k] * (weak if universal[k] else c)
        distance = depth[k] * abs(alignment[i] - position[k])
        inertia = engagement[i, k] / b * stickiness
        total = (w[0] * access + w[1] * (voice[k] if member else 0.0) + w[2] * scope + w[3] * network[i, k]
                 - w[4] * distance - w[5] * cost[k] * cost_mult[i, k] / b - w[6] * penalty[i, k] + pull[i, k] * blocked[i])
        u[i, k] = total + appeal[i, k] + w[7] * inertia + taste[i, k]


@loop(f"void({_SCORED}, {_NK})", f"{_SCORED_LAYOUT}->(n,k)")
def _utility(status, engagement, taste, network, penalty, pull, cost_mult, appeal, cb_offer,
             standing, budget, alignment, dissatisfaction, blocked,
             universal, position, voice, level, reach, depth, tech_access, partner_access, cost, w, u):  # pragma: no cover
    """One run's U (:func:`utilities`), country by country."""
    for i in range(status.shape[0]):
        _utility_row(i, status, engagement, taste, network, penalty, pull, cost_mult, appeal, cb_offer, standing, budget,
                     alignment, dissatisfaction, blocked, universal, position, voice, level, reach, depth, tech_access,
                     partner_access, cost, w, u)


@loop(f"void({_SCORED}, {_NK}, {_F}, {_F}, {_F}, {_F}, {_NK}, boolean[:, :], {_NK}, {_N}, {_N})",
      f"{_SCORED_LAYOUT},(n,k),(),(),(),()->(n,k),(n,k),(n,k),(n),(n)")
def _decide(status, engagement, taste, network, penalty, pull, cost_mult, appeal, cb_offer,
            standing, budget, alignment, dissatisfaction, blocked,
            universal, position, voice, level, reach, depth, tech_access, partner_access, cost, w,
            draw, persistence, scale, outside, t, new_taste, eligible, shifted, gap, best):  # pragma: no cover
    """One run's decisions (:func:`evolve_and_choose`), country by country: new tastes persistence *
    taste + scale * draw, U with them (written to ``shifted``, then shifted in place as :func:`_shifted`
    does) over the forums ``eligible``: universal, or where the country is at least a partner
    (``State.eligible``)."""
    for i in range(status.shape[0]):
        for k in range(status.shape[1]):
            new_taste[i, k] = persistence * taste[i, k] + scale * draw[i, k]
            eligible[i, k] = universal[k] or status[i, k] >= PARTNER
        _utility_row(i, status, engagement, new_taste, network, penalty, pull, cost_mult, appeal, cb_offer, standing,
                     budget, alignment, dissatisfaction, blocked, universal, position, voice, level, reach, depth,
                     tech_access, partner_access, cost, w, shifted)
        gap[i], best[i] = _shift(i, shifted, eligible, outside, t, shifted)[:2]


def allocate(u: np.ndarray, eligible: np.ndarray, budget: np.ndarray, outside: float, temperature: float) -> np.ndarray:
    """Logit allocation with an outside option: e_ik = B_i exp(U_ik/t) / (exp(U_0/t) + sum_l exp(U_il/t))."""
    return choose(u, eligible, budget, outside, temperature)[0]


def choose(u: np.ndarray, eligible: np.ndarray, budget: np.ndarray, outside: float,
           temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`allocate`, :func:`best_utility`): the best scaled utility max(U/t) is max(U)/t exactly
    (t > 0, and division rounds monotonically), and each share is taken relative to it."""
    shifted, gap, best, _ = _shifted(u, eligible, _per_run(outside), _per_run(temperature))
    return _shares(np.exp(shifted), np.exp(gap), budget), best


def option_value(u: np.ndarray, eligible: np.ndarray, outside: float, temperature: float) -> np.ndarray:
    """(N,) expected utility of the choice set (logit inclusive value): t log(exp(U_0/t) + sum exp(U/t))."""
    shifted, gap, _, top = _shifted(u, eligible, _per_run(outside), _per_run(temperature))  # top: max(max(U)/t, U_0/t)
    return temperature * (top + np.log(np.exp(gap) + rows.forum_sum(np.exp(shifted))))


def _per_run(x):
    """A number as it is; a batch's per-replicate values ((R, 1, 1) or (R, 1)) as (R,), one per run for
    the loops over a run's countries."""
    return x.reshape(x.shape[0]) if isinstance(x, np.ndarray) and x.ndim else x


def _per_forum(a: np.ndarray) -> np.ndarray:
    """A forum row of a :class:`ForumView` ((K,), or a batch's (R, 1, K)) as (K,) or (R, K)."""
    return a[..., 0, :] if a.ndim > 2 else a


@loop("void(float64[:, :], boolean[:, :], float64, float64, float64[:, :], float64[:], float64[:], float64[:])",
      "(n,k),(n,k),(),()->(n,k),(n),(n),(n)")
def _shifted(u, eligible, outside, t, shifted, gap, best, top):  # pragma: no cover
    """U/t of the eligible forums (-inf elsewhere) and U_0/t, each less the larger of max(U)/t and
    U_0/t (the exponents of the logit shares, none above 0; that top), and max(U) (-inf: none eligible)."""
    for i in range(u.shape[0]):
        gap[i], best[i], top[i] = _shift(i, u, eligible, outside, t, shifted)


@loop("void(float64[:, :], float64[:], float64[:], float64[:, :])", "(n,k),(n),(n)->(n,k)")
def _shares(weights, outside, budget, shares):  # pragma: no cover
    """B_i w_ik / (w_0 + sum_l w_il): the budget shared over the forums and the outside option."""
    for i in range(weights.shape[0]):
        total = weights[i, 0] + 0.0  # the forums' sum left to right, as numpy adds a short axis
        for k in range(1, weights.shape[1]):
            total += weights[i, k]
        denominator = outside[i] + total
        for k in range(weights.shape[1]):
            shares[i, k] = budget[i] * weights[i, k] / denominator


def best_utility(u: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """(N,) best utility over the forums a country may engage in."""
    return np.where(eligible, u, -np.inf).max(axis=-1)


def network_share(alignment: np.ndarray, engagement: np.ndarray, bandwidth: float) -> np.ndarray:
    """(N, K) engagement in k of countries aligned like i, kernel-weighted: w = 2^-(dx/bandwidth)^2.

    Countries are binned on alignment so the cost is O(N*K + bins^2*K), never N x N. A batch of
    replicates, (R, N) and (R, N, K), is binned per replicate (bandwidth a number, or (R, 1, 1)).
    The kernel products stay numpy's (their summation order is the BLAS library's).
    """
    batch = alignment.ndim > 1
    which, counts, sums = _bin(alignment.reshape(-1, alignment.shape[-1]), engagement.reshape(-1, *engagement.shape[-2:]))
    if not batch:
        kernel = _kernel(bandwidth)
        return _gather((kernel @ sums[0])[None], np.maximum(kernel @ counts[0], 1e-12)[None], which)[0]
    kernel = np.stack([_kernel(float(b)) for b in bandwidth.ravel()]) if isinstance(bandwidth, np.ndarray) else _kernel(bandwidth)
    weights = np.maximum(kernel @ counts[..., None], 1e-12)[..., 0]  # (kernel @ counts) per replicate: the same gemv
    return _gather(kernel @ sums, weights, which)


@function()
def _bin(alignment, engagement):  # pragma: no cover
    """Per replicate (row of ``alignment``): each country's alignment bin, the countries per bin and
    their engagement summed per bin and forum, in country order (as numpy's bincount adds)."""
    r, n, k = engagement.shape
    which = np.empty((r, n), np.intp)
    counts, sums = np.zeros((r, _BINS)), np.zeros((r, _BINS, k))
    for q in range(r):
        for i in range(n):
            b = min(max(int(np.rint((alignment[q, i] + 1.0) / 2.0 * (_BINS - 1))), 0), _BINS - 1)
            which[q, i] = b
            counts[q, b] += 1.0
            for f in range(k):
                sums[q, b, f] += engagement[q, i, f]
    return which, counts, sums


@function()
def _gather(weighted, weights, which):  # pragma: no cover
    """Each country's bin's kernel-weighted engagement over its kernel weight, per replicate
    (``weighted`` (R, B, K), ``weights`` (R, B), ``which`` the bins (R, N))."""
    r, n = which.shape
    k = weighted.shape[-1]
    out = np.empty((r, n, k))
    for q in range(r):
        for i in range(n):
            b = which[q, i]
            for f in range(k):
                out[q, i, f] = weighted[q, b, f] / weights[q, b]
    return out


@lru_cache(maxsize=16)
def _kernel(bandwidth: float) -> np.ndarray:
    """(bins, bins) weights 2^-(dx/bandwidth)^2 between alignment bin centres."""
    edges = np.linspace(-1.0, 1.0, _BINS)
    return 2.0 ** (-((edges[:, None] - edges[None, :]) / bandwidth) ** 2)
