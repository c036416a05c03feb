"""Forum choice: utilities U_ik and the logit allocation of engagement (pure numpy).

Every country scores every forum from the same snapshot; the model commits the result
afterwards (decide, then commit), so activation order cannot matter.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from govsim import rows
from govsim.config.behaviour import Decision
from govsim.codes import MEMBER, PARTNER
from govsim.state import State

_BINS = 41  # alignment bins for the O(N*K) network term


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


def access_weight(status: np.ndarray, view: ForumView, member: np.ndarray | None = None) -> np.ndarray:
    """(N, K) share of a forum's goods a country receives: 1 member, partner_access partner, else 0
    (``member``: the members and universal forums' countries, if the caller has them)."""
    member = (status == MEMBER) | view.universal if member is None else member
    return np.where(member, 1.0, np.where(status == PARTNER, view.partner_access, 0.0))


class Terms(NamedTuple):
    """The terms of U_ik that do not depend on membership status, each with its weight (see :func:`utilities`)."""

    standing: np.ndarray  # (N, 1) c_i
    scope: np.ndarray
    network: np.ndarray
    distance: np.ndarray
    cost: np.ndarray
    penalty: np.ndarray
    pull: np.ndarray
    inertia: np.ndarray


def status_free_terms(s: State, view: ForumView, p: Decision) -> Terms:
    """The weighted scope, network, distance, cost, penalty, pull and inertia terms of :func:`utilities`,
    worked out once for several membership statuses (a membership review compares two)."""
    c = s.standing[..., None]  # capability relative to the most capable country
    weak = 1 - c
    budget = s.budget[..., None]
    scope = view.reach * weak + view.depth * np.where(view.universal, weak, c)
    network = network_share(s.alignment, s.engagement, p.network_bandwidth)
    distance = view.depth * np.abs(s.alignment[..., None] - view.position)
    stickiness = 1.0 / (1.0 + s.dissatisfaction / rows.per_country(p.dissatisfaction_years))
    inertia = s.engagement / budget * stickiness[..., None]
    cost = p.w_cost * view.cost
    cost = cost * s.policy.cost_mult if s.policy.holds("cost_mult") else cost  # else all 1
    return Terms(c, p.w_scope * scope, p.w_network * network, p.w_distance * distance,
                 cost / budget, p.w_penalty * s.policy.penalty,
                 s.policy.pull * s.policy.blocked[..., None], p.inertia * inertia)


def utilities(s: State, view: ForumView, p: Decision, status: np.ndarray, terms: Terms | None = None) -> np.ndarray:
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
    ``terms``: :func:`status_free_terms` of the same state, if the caller has them.
    """
    t = status_free_terms(s, view, p) if terms is None else terms
    member = (status == MEMBER) | view.universal
    access = view.tech_access * access_weight(status, view, member) * np.maximum(view.level - t.standing, 0.0)
    if s.policy.holds("cb_offer"):  # else no capacity-building offer
        access = access + s.policy.cb_offer * p.horizon_years
    n_members = np.maximum(member.sum(axis=-2, keepdims=True), 1)
    voice = np.where(member, view.authority * (1.0 / n_members) ** p.voice_exponent, 0.0)
    # summed in this order (the order fixes the last bits of the results); appeal is 0 unless a lever wrote it
    u = p.w_access * access + p.w_voice * voice + t.scope + t.network - t.distance - t.cost - t.penalty + t.pull
    if s.policy.holds("appeal"):
        u = u + s.policy.appeal
    return u + t.inertia + s.taste


def allocate(u: np.ndarray, eligible: np.ndarray, budget: np.ndarray, outside: float, temperature: float) -> np.ndarray:
    """Logit allocation with an outside option: e_ik = B_i exp(U_ik/t) / (exp(U_0/t) + sum_l exp(U_il/t))."""
    return choose(u, eligible, budget, outside, temperature)[0]


def choose(u: np.ndarray, eligible: np.ndarray, budget: np.ndarray, outside: float,
           temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """(:func:`allocate`, :func:`best_utility`) from one masking of the utilities: the best scaled
    utility max(U/t) is max(U)/t exactly (t > 0, and division rounds monotonically)."""
    masked = np.where(eligible, u, -np.inf)
    best = rows.forum_max(masked)
    z = masked / temperature  # -inf stays -inf
    base = rows.per_country(outside / temperature)  # (R, 1) in a batch with per-replicate parameters
    top = np.maximum(best / rows.per_country(temperature), base)
    weights = np.exp(z - top[..., None])
    denominator = np.exp(base - top) + rows.forum_sum(weights)
    return budget[..., None] * weights / denominator[..., None], best


def option_value(u: np.ndarray, eligible: np.ndarray, outside: float, temperature: float) -> np.ndarray:
    """(N,) expected utility of the choice set (logit inclusive value): t log(exp(U_0/t) + sum exp(U/t))."""
    z = np.where(eligible, u / temperature, -np.inf)
    top = np.maximum(rows.forum_max(z), outside / temperature)
    total = np.exp(outside / temperature - top) + rows.forum_sum(np.exp(z - top[..., None]))
    return temperature * (top + np.log(total))


def best_utility(u: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """(N,) best utility over the forums a country may engage in."""
    return np.where(eligible, u, -np.inf).max(axis=-1)


def network_share(alignment: np.ndarray, engagement: np.ndarray, bandwidth: float) -> np.ndarray:
    """(N, K) engagement in k of countries aligned like i, kernel-weighted: w = 2^-(dx/bandwidth)^2.

    Countries are binned on alignment so the cost is O(N*K + bins^2*K), never N x N. A batch of
    replicates, (R, N) and (R, N, K), is binned per replicate (bins r * bins .. r * bins + bins - 1).
    """
    which = np.minimum(np.maximum(np.rint((alignment + 1.0) / 2.0 * (_BINS - 1)).astype(np.intp), 0), _BINS - 1)
    if which.ndim > 1:  # a batch: one kernel, or one per replicate (bandwidth (R, 1, 1))
        kernel = np.stack([_kernel(float(b)) for b in bandwidth.ravel()]) if isinstance(bandwidth, np.ndarray) else _kernel(bandwidth)
        return _network_share_rows(which, engagement, kernel)
    counts = np.bincount(which, minlength=_BINS).astype(float)
    k = engagement.shape[-1]  # one bincount for all forums: bin (b, k) sums e_ik over i in order
    sums = np.bincount((which[:, None] * k + np.arange(k)).ravel(), weights=engagement.ravel(), minlength=_BINS * k)
    kernel = _kernel(bandwidth)
    share = (kernel @ sums.reshape(_BINS, k)) / np.maximum(kernel @ counts, 1e-12)[:, None]
    return share[which]


def _network_share_rows(which: np.ndarray, engagement: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """:func:`network_share` of R replicates at once (the same sums and products per replicate)."""
    r, k = which.shape[0], engagement.shape[-1]
    which_rows = np.arange(r)[:, None] * _BINS + which
    counts = np.bincount(which_rows.ravel(), minlength=r * _BINS).astype(float).reshape(r, _BINS, 1)
    sums = np.bincount((which_rows[..., None] * k + np.arange(k)).ravel(), weights=engagement.ravel(),
                       minlength=r * _BINS * k).reshape(r, _BINS, k)
    share = (kernel @ sums) / np.maximum(kernel @ counts, 1e-12)  # (kernel @ counts) per replicate: the same gemv
    return np.take(share.reshape(r * _BINS, k), which_rows, axis=0)  # share[r, which[r]] of each replicate


@lru_cache(maxsize=16)
def _kernel(bandwidth: float) -> np.ndarray:
    """(bins, bins) weights 2^-(dx/bandwidth)^2 between alignment bin centres."""
    edges = np.linspace(-1.0, 1.0, _BINS)
    return 2.0 ** (-((edges[:, None] - edges[None, :]) / bandwidth) ** 2)
