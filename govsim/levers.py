"""The levers issue 11 added: a forum founded mid-run by a coalition, interoperability between
governance frameworks, and AI as a public good offered through a forum.

They run like the shocks of :mod:`govsim.shocks` (``step`` every period, ``preview`` before the first
choice) and write only per-step masks and policy fields that ``apply_shocks`` resets each period
(``Policy.locked``, ``cost_mult``, ``appeal``, ``open_cut_country``, ``adoption_mult``), plus the
launched forum's status and ``ForumSet.active``. A scenario that uses none of them is unchanged.
Like those shocks (``Shock.stacks``), they work on a batch's stacked (R, N, K) arrays as on one run's.
"""

from __future__ import annotations

import numpy as np

from govsim.codes import MEMBER, NONE, PARTNER
from govsim.config import ScenarioError
from govsim.config.forums import ForumSpec
from govsim.config.scenario import Time
from govsim.config.shocks import EnlargementPace, Interoperability, PublicGood
from govsim.forums import ForumSet, capability_mass
from govsim.shocks import Shock, _period_index, iso3_index
from govsim.state import State


class InteroperabilityShock(Shock):
    """Mutual recognition between the listed forums' frameworks: a country that engaged (last period,
    at least ``min_engagement``) in another listed forum pays (1 - cost_cut) of a listed forum's cost,
    and the listed forums' norm positions are drawn towards their pool-weighted mean (``ForumSet.update``):

    cost_mult_ik *= 1 - cost_cut  if  #{l listed, l != k : e_il >= min_engagement} >= 1;
    x_k <- x_k + convergence (sum_l P_l x_l / sum_l P_l - x_k)  for k, l listed.
    """

    writes = ("cost_mult",)
    stacks = True

    def __init__(self, spec: Interoperability, *args):
        super().__init__(spec, *args)
        names = spec.forums if spec.forums is not None else self.forums.names
        self.ks = np.array(sorted({self.forums.index(name) for name in names}), dtype=np.intp)

    def apply(self, state: State) -> None:
        engaged = state.engagement[..., self.ks] >= self.spec.min_engagement
        others = engaged.sum(axis=-1, keepdims=True) - engaged  # listed forums other than k the country engages in
        state.policy.cost_mult[..., self.ks] *= np.where(others >= 1, 1.0 - self.spec.cost_cut, 1.0)
        if self.spec.convergence > 0:  # (in a batch, given to each replicate's row: batch_shocks.SharedShocks.step)
            self.forums.harmonise.append((self.ks, self.spec.convergence))


class PublicGoodShock(Shock):
    """AI as a public good offered through a forum: with w_i = e_ik / B_i, the share of its budget
    country i engaged in the provider k last period,

    open-route cut_i = max(cut_i, lag_cut w_i);  adoption speed x (1 + adoption_boost w_i);
    utility of k += appeal (1 - standing_i) (those furthest from the frontier value access most).
    """

    writes = ("open_cut_country", "adoption_mult", "appeal")
    stacks = True

    def __init__(self, spec: PublicGood, *args):
        super().__init__(spec, *args)
        self.k = self.forums.index(spec.provider)

    def apply(self, state: State) -> None:
        policy, spec = state.policy, self.spec
        share = np.clip(state.engagement[..., self.k] / np.maximum(state.budget, 1e-12), 0.0, 1.0)
        np.maximum(policy.open_cut_country, spec.lag_cut * share, out=policy.open_cut_country)
        policy.adoption_mult *= 1.0 + spec.adoption_boost * share
        policy.appeal[..., self.k] += spec.appeal * (1.0 - state.standing)


class EnlargementPaceShock(Shock):
    """An expanding club's admission quotas after its record (partners and promotions a year) are
    replaced while in force: written each period into the reformable rules that ``apply_shocks``
    resets, and read by ``membership.enlarge`` through ``enlargement.slots``."""

    writes = ()  # forum rules only (ForumSet.reset_rules)
    stacks = True

    def __init__(self, spec: EnlargementPace, *args):
        super().__init__(spec, *args)
        self.k = self.forums.index(spec.forum)
        if self.forums.rule[self.k] != "expanding_club":
            raise ScenarioError(f"shock {spec.kind}: forum {spec.forum!r} is not an expanding club. Fix: name one, e.g. brics")

    def apply(self, state: State) -> None:
        self.forums.spec["projected_partners"][..., self.k] = self.spec.partners_per_year
        self.forums.spec["projected_promotions"][..., self.k] = self.spec.promotions_per_year


LEVERS = {Interoperability: InteroperabilityShock, PublicGood: PublicGoodShock, EnlargementPace: EnlargementPaceShock}
"""Spec class -> run-time class of the levers defined here (``shocks.build_shocks`` reads it)."""


class ForumLaunch:
    """A club founded mid-run by a coalition of founders (``ForumSpec.launch``).

    Before the launch period the forum is dormant: nobody holds a status in it, so nobody can engage it
    and it has no pool; ``ForumSet.active`` is False, so it has no authority and the indices leave it
    out; its column is locked (no offer, application or admission); and the founders are committed:
    the cells where they are members or partners of another club are locked too, so they cannot leave
    (``membership.leave`` skips locked cells; locking a partner cell also defers its promotion to the
    launch). At launch the founders become members, the listed partners partners, the forum's
    position starts at its founders' (capability-mass weighted) alignment, and its rule applies.
    """

    writes = ("locked",)  # the policy arrays its step writes (shocks.Shock.writes)
    stacks = True  # its step works on a batch's stacked arrays too (shocks.Shock.stacks)

    def __init__(self, name: str, spec: ForumSpec, time: Time, forums: ForumSet, iso3_index: dict[str, int]):
        self.k, self.name = forums.index(name), name
        self.launch = _period_index(spec.launch, time)
        self.forums = forums
        self.founders = _codes(spec.members or [], iso3_index, f"forums.{name}.members")
        self.partners = _codes(spec.partners or [], iso3_index, f"forums.{name}.partners")
        self.launched = False

    def preview(self, state: State, period: int) -> None:
        """Before the first choice: a forum launched later starts dormant (its founding status, set by
        ``initial.club_status`` from ``members``, waits for the launch)."""
        if period < self.launch:
            state.status[..., self.k] = NONE
            state.partner_since[..., self.k] = np.nan
            self.forums.active[..., self.k] = False

    def step(self, state: State, period: int) -> None:
        """Dormant and committed before the launch period; founded in it."""
        if period < self.launch:
            self._dormant(state)
        elif not self.launched:
            self._found(state)

    def _dormant(self, state: State) -> None:
        self.forums.active[..., self.k] = False
        locked = state.policy.locked
        locked[..., self.k] = True
        clubs = ~self.forums.universal
        locked[..., self.founders, :] |= (state.status[..., self.founders, :] >= PARTNER) & clubs

    def _found(self, state: State) -> None:
        """Once: each run's (in a batch each replicate's, in turn) founders and partners join."""
        self.launched = True
        k = self.k
        self.forums.active[..., k] = True
        mass_all = capability_mass(state)
        for row in np.ndindex(state.status.shape[:-2]):  # () for one run; (r,) for each replicate of a batch
            status = state.status[row]
            if status[:, k].any():  # a forum launched at the start keeps its founding status
                continue
            status[self.partners, k] = PARTNER
            state.partner_since[row][self.partners, k] = state.year
            status[self.founders, k] = MEMBER
            mass = mass_all[row][self.founders]
            if mass.sum() > 0:
                self.forums.position[row][k] = float(mass @ state.alignment[row][self.founders] / mass.sum())


def forum_launches(specs: dict[str, ForumSpec], time: Time, forums: ForumSet, iso3: np.ndarray) -> list[ForumLaunch]:
    """One :class:`ForumLaunch` for every forum with a launch date (none for most scenarios)."""
    launched = [(name, spec) for name, spec in specs.items() if spec.launch is not None]
    index = iso3_index(iso3) if launched else {}
    return [ForumLaunch(name, spec, time, forums, index) for name, spec in launched]


def _codes(codes: list[str], index: dict[str, int], field: str) -> np.ndarray:
    missing = [c for c in codes if c not in index]
    if missing:
        raise ScenarioError(f"{field}: {missing[:5]} not in this world's iso3 codes; use codes from the world table")
    return np.array([index[c] for c in codes], dtype=np.intp)
