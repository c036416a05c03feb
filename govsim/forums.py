"""Forums at run time: rules from the scenario and the state derived from engagement."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govsim import rows
from govsim.config.behaviour import Dynamics
from govsim.config.forums import ForumSpec
from govsim.decision import ForumView, access_weight
from govsim.codes import PARTNER
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
        """Recompute position, depth, level, pool, reach and authority from the current state."""
        universal = self.universal
        inside = universal | (state.status >= PARTNER)
        mass = capability_mass(state)
        engaged_inside = state.engagement * inside
        weight = mass[..., None] * engaged_inside
        total = weight.sum(axis=-2)
        has = total > 0
        safe = np.where(has, total, 1.0)
        x = state.alignment[..., None]
        votes = np.where(universal, engaged_inside, weight)  # one state, one vote in universal forums
        total_votes = votes.sum(axis=-2)
        voted = total_votes > 0
        safe_votes = np.where(voted, total_votes, 1.0)
        self.position = np.where(voted, (votes * x).sum(axis=-2) / safe_votes, self.position)
        variance = np.where(voted, (votes * (x - rows.forum_row(self.position)) ** 2).sum(axis=-2) / safe_votes, 0.0)
        self.depth = self.spec["depth"] / (1.0 + p.heterogeneity_penalty * variance)
        for ks, rho in self.harmonise:  # mutually recognised frameworks: norms drawn to their pool-weighted mean
            # (ks: forum indices; in a batch (replicate, forum indices))
            pool = total[ks]
            if pool.sum() > 0:
                self.position[ks] += rho * (pool @ self.position[ks] / pool.sum() - self.position[ks])
        self.level = np.where(has, (weight * state.standing[..., None]).sum(axis=-2) / safe, 0.0)
        self.pool = total
        self.reach = np.where(universal, 1.0, (mass[..., None] * inside).sum(axis=-2))
        raw = self.pool**p.authority_exponent * self.depth * self.active
        if raw.ndim > 1:  # a batch of replicates: per row
            raw_total, active_total = raw.sum(axis=-1, keepdims=True), self.active.sum(axis=-1, keepdims=True)
            self.authority = np.where(raw_total > 0, raw / np.where(raw_total > 0, raw_total, 1.0), self.active / active_total)
        else:
            raw_total = raw.sum()
            self.authority = raw / raw_total if raw_total > 0 else self.active / self.active.sum()

    def access(self, state: State) -> np.ndarray:
        """(N,) technology access a country draws from its forums (drives diffusion speed)."""
        view = self.view()
        gain = np.maximum(view.level - state.standing[..., None], 0.0)
        return rows.forum_sum(view.tech_access * access_weight(state.status, view) * gain * state.engagement)


def capability_mass(state: State) -> np.ndarray:
    """(N,) share of world capability mass c_i * GDP_i (sums to 1)."""
    mass = state.capability * state.gdp_pc * state.population
    if mass.ndim > 1:  # a batch of replicates: per row
        total = rows.total(mass)
        return np.where(total > 0, mass / np.where(total > 0, total, 1.0), 1.0 / state.n)
    total = mass.sum()
    return mass / total if total > 0 else np.full(state.n, 1.0 / state.n)
