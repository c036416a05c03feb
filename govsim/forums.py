"""Forums at run time: rules from the scenario and the state derived from engagement.

The per-step formulas (:meth:`ForumSet.update`, :meth:`ForumSet.access`, :func:`capability_mass`)
run as loops compiled with numba, one call each instead of some forty small numpy operations. They
do arithmetic only, in the order the numpy formulas were written, and add in numpy's order: a sum
over the countries of an (N, K) array (``sum(axis=-2)``, K >= 2) adds the rows one after another,
and a sum along a contiguous axis (over N countries of one column, over K forums) is numpy's
pairwise summation (:func:`_numpy_sum`); so their numbers equal numpy's bit for bit (checked in
tests/test_fused_forums.py). The power ``pool ** phi`` stays a numpy call between two loops (numpy's
vectorised and the C library's powers differ in the last bit). The loops broadcast like numpy's
ufuncs: over one run ((N, K) arrays, (K,) forums) and over a batch's replicates ((R, N, K), (R, K)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govsim import rows
from govsim.compiled import function, loop
from govsim.config.behaviour import Dynamics
from govsim.config.forums import ForumSpec
from govsim.decision import ForumView
from govsim.codes import MEMBER, PARTNER
from govsim.state import State

_SPEC_ARRAYS = ("cost", "tech_access", "partner_access", "depth", "outreach_radius",
                "outreach_min_capability", "partner_years", "max_admissions", "apply_radius",
                "projected_partners", "projected_promotions")
# the rules shocks may change while in force: forum_reform (depth, access, cost), enlargement_pace (quotas)
REFORMABLE = ("depth", "tech_access", "cost", "projected_partners", "projected_promotions")


@dataclass
class ForumSet:
    """The K forums as arrays: rules (from the scenario) and position, authority, pool, reach, depth (derived).

    Derived each step from the engaged members and partners, weighted by capability mass
    m_i = c_i Y_i / sum_j c_j Y_j (capability times GDP: additive national weight) and
    engagement, w_ik = m_i e_ik: position x_k = sum w x / sum w, except in universal forums, where
    one state has one vote (UN Charter Art. 18) and w_ik = e_ik; depth D_k = depth_k / (1 + eta
    Var_w(x)) with the same weights; level_k = sum w c~ / sum w (standing c~ = c / max c one can learn from); pool_k = sum_i w_ik;
    reach_k = mass share of members and partners (1 for universal forums); authority
    A_k ~ pool_k^phi D_k, normalised to sum 1 over the active forums (a forum not yet launched has none).

    The rules in ``REFORMABLE`` are per-step fields, like ``Policy``'s: :meth:`reset_rules` puts
    them back to the scenario's values (``base_rules``) before the shocks run, then a
    ``forum_reform`` in force writes its values; the other rules never change.
    """

    names: list[str]
    rule: np.ndarray
    spec: dict[str, np.ndarray]
    position: np.ndarray
    authority: np.ndarray
    pool: np.ndarray
    level: np.ndarray
    reach: np.ndarray
    depth: np.ndarray
    base_rules: dict[str, np.ndarray]  # the scenario's values of the REFORMABLE rules (copies)
    active: np.ndarray = None  # (K,) False for a forum not yet launched (govsim/levers.py ForumLaunch): no authority, not indexed
    harmonise: list = field(default_factory=list)  # per step, set by interoperability levers: (forum indices, convergence) pairs
    specs: list[ForumSpec] = field(default_factory=list)  # the scenario's specs, in order (enlargement rules)
    _universal: tuple = field(default=(None, None), repr=False)  # (rule, rule == "universal"): see universal

    def __post_init__(self) -> None:
        if self.active is None:
            self.active = np.ones(len(self.names), bool)

    @classmethod
    def from_specs(cls, specs: dict[str, ForumSpec]) -> "ForumSet":
        """Build from the scenario's forum specs (in their order)."""
        names = list(specs)
        k = len(names)
        arrays = {key: np.array([float(getattr(specs[n], key)) for n in names]) for key in _SPEC_ARRAYS}
        zeros = np.zeros(k)
        return cls(names, np.array([specs[n].rule for n in names]), arrays, zeros.copy(),
                   np.full(k, 1.0 / k), zeros.copy(), zeros.copy(), zeros.copy(), arrays["depth"].copy(),
                   {key: arrays[key].copy() for key in REFORMABLE}, specs=[specs[n] for n in names])

    @property
    def universal(self) -> np.ndarray:
        """(K,) True for universal forums (worked out once per ``rule`` array: rules never change in a run)."""
        if self._universal[0] is not self.rule:
            self._universal = (self.rule, self.rule == "universal")
        return self._universal[1]

    def index(self, name: str) -> int:
        """Position of forum ``name``."""
        return self.names.index(name)

    def reset_rules(self) -> None:
        """Put the reformable rules back to the scenario's values and drop the harmonisations, in place
        (before the shocks run)."""
        self.harmonise.clear()
        for key, base in self.base_rules.items():
            np.copyto(self.spec[key], base)

    def view(self) -> ForumView:
        """The snapshot countries decide on (in a batch of replicates each (R, K) array as (R, 1, K))."""
        s, f = self.spec, rows.forum_row
        return ForumView(self.universal, f(self.position), f(self.authority), f(self.level), f(self.reach),
                         f(self.depth), f(s["tech_access"]), f(s["partner_access"]), f(s["cost"]))

    def update(self, state: State, p: Dynamics) -> None:
        """Recompute position, depth, level, pool, reach and authority from the current state
        (the formulas in the class docstring; :func:`_derive` and :func:`_authority`)."""
        eta = rows.per_country(p.heterogeneity_penalty)  # a batch's per-replicate (R, 1) column as (R,)
        self.position, self.depth, self.level, self.pool, self.reach = _derive(
            state.status, state.engagement, self.universal, state.capability, state.gdp_pc, state.population,
            state.alignment, state.standing, self.position, self.spec["depth"], eta)
        for ks, rho in self.harmonise:  # mutually recognised frameworks: norms drawn to their pool-weighted mean
            # (ks: forum indices; in a batch (replicate, forum indices))
            pool = self.pool[ks]
            if pool.sum() > 0:
                self.position[ks] += rho * (pool @ self.position[ks] / pool.sum() - self.position[ks])
        self.authority = _authority(self.pool**p.authority_exponent, self.depth, self.active)

    def access(self, state: State) -> np.ndarray:
        """(N,) technology access a country draws from its forums (drives diffusion speed):
        sum_k tech_access_k * weight_ik * max(level_k - c_i, 0) * e_ik (weight 1 member, partner_access
        partner, else 0; :func:`_access`)."""
        s = self.spec
        return _access(state.status, state.engagement, state.standing, self.universal, self.level,
                       s["tech_access"], s["partner_access"])


def capability_mass(state: State) -> np.ndarray:
    """(N,) share of world capability mass c_i * GDP_i (sums to 1; 1/N each if the world has none)."""
    return _capability_mass(state.capability, state.gdp_pc, state.population)


# --- compiled loops (numba; arithmetic only, numpy's order of operations and of summation) ---

@function("float64(float64[:], int64, int64)")
def _pairwise(a, lo, n):  # pragma: no cover
    """numpy's pairwise sum of a[lo:lo + n] (numpy/_core/src/umath/loops_utils.h.src): up to 8 values
    left to right, up to 128 in 8 interleaved partial sums, more split in two halves (multiples of 8)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i, end = lo + 8, lo + n - n % 8
        while i < end:
            r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
            r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for j in range(i, lo + n):
            res += a[j]
        return res
    half = n // 2
    half -= half % 8
    return _pairwise(a, lo, half) + _pairwise(a, lo + half, n - half)


@function("float64(float64[:])")
def _numpy_sum(a):  # pragma: no cover
    """``a.sum()`` of a contiguous 1-D array as numpy adds it: its identity 0.0 plus the pairwise sum."""
    return 0.0 + _pairwise(a, 0, a.shape[0])


@function("UniTuple(float64, 3)(boolean, int8, float64, float64)")
def _weights(universal, status, engagement, mass):  # pragma: no cover
    """Country i in forum k: (inside_ik, w_ik, v_ik) of :func:`_derive`, inside 1.0 or 0.0 as numpy
    casts the booleans: inside_ik = 1 if k universal or i at least a partner, w_ik = m_i (e_ik inside_ik),
    v_ik = e_ik inside_ik in a universal forum (one state, one vote), else w_ik."""
    inside = 1.0 if universal or status >= PARTNER else 0.0
    engaged = engagement * inside
    weight = mass * engaged
    return inside, weight, engaged if universal else weight


@function("void(float64[:], float64[:], float64[:], float64[:])")
def _mass(capability, gdp_pc, population, out):  # pragma: no cover
    """out_i = c_i Y_i P_i / sum_j c_j Y_j P_j (numpy's sum), or 1/N each if the sum is not positive."""
    n = out.shape[0]
    for i in range(n):
        out[i] = capability[i] * gdp_pc[i] * population[i]
    total = _numpy_sum(out)
    for i in range(n):
        out[i] = out[i] / total if total > 0 else 1.0 / n


@loop("void(float64[:], float64[:], float64[:], float64[:])", "(n),(n),(n)->(n)")
def _capability_mass(capability, gdp_pc, population, out):  # pragma: no cover
    """:func:`capability_mass` of one run's countries."""
    _mass(capability, gdp_pc, population, out)


_V = "float64[:]"


@loop(f"void(int8[:, :], float64[:, :], boolean[:], {', '.join([_V] * 7)}, float64, {', '.join([_V] * 5)})",
      "(n,k),(n,k),(k),(n),(n),(n),(n),(n),(k),(k),()->(k),(k),(k),(k),(k)")
def _derive(status, engagement, universal, capability, gdp_pc, population, alignment, standing, old_position,
            spec_depth, eta, position, depth, level, pool, reach):  # pragma: no cover
    """One run's forums from its countries, per forum k, with mass m_i (:func:`capability_mass`) and
    inside, w, v of :func:`_weights`: pool_k = sum_i w_ik; position_k = sum v x / sum v (the old position
    if no votes); depth_k = depth_k / (1 + eta Var_v(x)) (variance 0 if no votes); level_k = sum w c~ / sum w
    (0 if none); reach_k = sum_i m_i inside_ik (1 if universal). The sums over the countries are numpy's
    ``sum(axis=-2)``: row after row for K >= 2 forums; for one forum (a contiguous column) numpy's pairwise
    sum, of the values kept in ``terms``."""
    n, k_count = engagement.shape
    mass = np.empty(n)
    _mass(capability, gdp_pc, population, mass)
    pairwise = k_count == 1
    terms = np.empty((5, n if pairwise else 0))
    for k in range(k_count):
        total = total_votes = along = lifted = reached = 0.0
        for i in range(n):
            inside, weight, votes = _weights(universal[k], status[i, k], engagement[i, k], mass[i])
            if pairwise:
                terms[0, i], terms[1, i], terms[2, i] = weight, votes, votes * alignment[i]
                terms[3, i], terms[4, i] = weight * standing[i], mass[i] * inside
            else:
                total, total_votes, along = total + weight, total_votes + votes, along + votes * alignment[i]
                lifted, reached = lifted + weight * standing[i], reached + mass[i] * inside
        if pairwise:
            total, total_votes, along = _numpy_sum(terms[0]), _numpy_sum(terms[1]), _numpy_sum(terms[2])
            lifted, reached = _numpy_sum(terms[3]), _numpy_sum(terms[4])
        position[k] = along / total_votes if total_votes > 0 else old_position[k]
        variance = 0.0
        if total_votes > 0:  # second pass: the spread about the new position
            spread = 0.0
            for i in range(n):
                votes = _weights(universal[k], status[i, k], engagement[i, k], mass[i])[2]
                gap = alignment[i] - position[k]
                if pairwise:
                    terms[0, i] = votes * (gap * gap)
                else:
                    spread += votes * (gap * gap)
            variance = (_numpy_sum(terms[0]) if pairwise else spread) / total_votes
        depth[k] = spec_depth[k] / (1.0 + eta * variance)
        level[k] = lifted / total if total > 0 else 0.0
        pool[k] = total
        reach[k] = 1.0 if universal[k] else reached


@loop("void(float64[:], float64[:], boolean[:], float64[:])", "(k),(k),(k)->(k)")
def _authority(powered, depth, active, authority):  # pragma: no cover
    """A_k = raw_k / sum raw (numpy's sum) with raw_k = pool_k^phi * D_k * active_k (``powered`` =
    pool^phi), or, if no forum has any, an equal share of the active forums."""
    k_count = powered.shape[0]
    raw = np.empty(k_count)
    count = 0
    for k in range(k_count):
        raw[k] = powered[k] * depth[k] * (1.0 if active[k] else 0.0)
        count += 1 if active[k] else 0
    raw_total = _numpy_sum(raw)
    for k in range(k_count):
        authority[k] = raw[k] / raw_total if raw_total > 0 else (1.0 if active[k] else 0.0) / count


@loop("void(int8[:, :], float64[:, :], float64[:], boolean[:], float64[:], float64[:], float64[:], float64[:])",
      "(n,k),(n,k),(n),(k),(k),(k),(k)->(n)")
def _access(status, engagement, standing, universal, level, tech_access, partner_access, out):  # pragma: no cover
    """out_i = sum_k tech_access_k * weight_ik * max(level_k - c_i, 0) * e_ik, added over the forums as
    ``rows.forum_sum`` (numpy's sum; weight 1 for members and universal forums, partner_access_k for
    partners, else 0)."""
    n, k_count = engagement.shape
    terms = np.empty(k_count)
    for i in range(n):
        total = 0.0
        for k in range(k_count):
            member = status[i, k] == MEMBER or universal[k]
            weight = 1.0 if member else (partner_access[k] if status[i, k] == PARTNER else 0.0)
            gain = level[k] - standing[i]
            gain = gain if not gain < 0.0 else 0.0  # np.maximum(gain, 0.0), NaN kept
            terms[k] = tech_access[k] * weight * gain * engagement[i, k]
            total += terms[k]
        out[i] = total if k_count < 8 else _numpy_sum(terms)  # numpy's sum: left to right below 8 values
