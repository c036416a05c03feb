"""Shocks at run time: small objects with a lifecycle (begin once, apply every step in force).

Each step the model resets the policy fields to neutral and the forums' reformable rules to the
scenario's values, then every shock in force writes its effect (caps, penalties, capacity-building
offers, diffusion speed, memberships, forum rules).

The shocks of this module and of govsim/levers.py (``Shock.stacks``) work on one run's arrays, (N,)
and (N, K), and as well on a batch's stacked ones, (R, N) and (R, N, K) (govsim/replicates.py): they
index the country and forum axes from the end (``[..., k]``, masks the shape of the array), and what
they work out from the state (whom a cap hits, who is eligible) they work out per row. So a batch
whose replicates have the same shocks steps one set of shock objects for all replicates at once
(govsim/batch_shocks.py), each replicate's values the same, bit for bit, as in its single run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from govsim.codes import INCOME_GROUPS, MEMBER, NONE, PARTNER
from govsim.compiled import function
from govsim.config import CapacityBuilding, ExportControls, ForumChange, OpenModels, ScenarioError, period_to_year
from govsim.config.behaviour import Dynamics
from govsim.config.shocks import ForumReform
from govsim.config.scenario import Time
from govsim.dynamics import measured_demand, remember_shares
from govsim.forums import ForumSet
from govsim.state import State


class Shock:
    """A scheduled intervention active for the periods [start, end).

    ``writes``: the policy arrays its ``step`` may write (``apply_shocks`` resets only those of the
    run's shocks; ``None``: any). The policy's scalars are reset every step whatever a shock declares.
    ``stacks``: True for a kind whose ``step`` works on a batch's stacked arrays as on one run's (see
    the module's docstring; every kind here and in govsim/levers.py); a subclass that does not say so
    is stepped per replicate in a batch.
    """

    writes: tuple[str, ...] | None = None
    stacks = False

    def __init__(self, spec, time: Time, forums: ForumSet, iso3_index: dict[str, int]):
        self.spec = spec
        self.first, self.stop = _period_index(spec.start, time), _period_index(spec.end, time)
        self.forums = forums
        self.iso3_index = iso3_index
        self.started = False
        self.name = ""  # the key of the scenario's shocks (set by build_shocks)

    def in_force(self, period: int) -> bool:
        """Whether the shock is in force in period index ``period`` (0 = the start period)."""
        return self.first <= period and (self.stop is None or period < self.stop)

    def step(self, state: State, period: int) -> None:
        """Begin on the first period in force, then apply every period in force."""
        if not self.in_force(period):
            return
        if not self.started:
            self.started = True
            self.begin(state)
        self.apply(state)

    def preview(self, state: State, period: int) -> None:
        """Write the policy fields the initial state needs (the routes of access) if in force in
        ``period``, without beginning the shock (nothing by default)."""

    def begin(self, state: State) -> None:
        """One-off effect when the shock starts (nothing by default)."""

    def apply(self, state: State) -> None:
        """Per-step effect while in force (nothing by default)."""

    def countries(self, codes: list[str], field: str) -> np.ndarray:
        """Indices of ISO3 ``codes``; a clear error for a code not in the world."""
        missing = [c for c in codes if c not in self.iso3_index]
        if missing:
            raise ScenarioError(f"shock {self.spec.kind} {field}: {missing} not in this world's iso3 codes; use codes from the world table")
        return np.array([self.iso3_index[c] for c in codes], dtype=np.intp)


class ExportControlShock(Shock):
    """Tiered caps on compute inflows with leakage; capped countries are pulled towards the rival
    bloc's forums and away from the sanctioning club in proportion to the demand blocked; penalised
    tiers pay a utility penalty for engaging the penalised forums.

    ``state.tier`` never changes, so the tiers after the overrides, and whom each cap and the
    tier penalty hit, are worked out once when the shock begins.
    """

    writes = ("cap", "leakage", "sanction", "pull", "api_delay", "discipline", "penalty")
    stacks = True

    def __init__(self, spec: ExportControls, *args):
        super().__init__(spec, *args)
        self.override_idx = self.countries(list(spec.tier_overrides), "tier_overrides")
        self.override_tier = np.array(list(spec.tier_overrides.values()), dtype=np.int8)
        self.penalised = [self.forums.index(f) for f in spec.penalised_forums]
        self.rivals = [self.forums.index(f) for f in spec.rival_forums]
        self.sanctioner = self.forums.index(spec.sanctioning_forum)
        self.parties = [self.forums.index(f) for f in spec.penalised_parties]
        self.rival_forums = _forum_mask(self.rivals, len(self.forums.names))  # (K,) True for the rivals
        self.penalised_forums = _forum_mask(self.penalised, len(self.forums.names))
        self.hits: list[tuple[float, float, np.ndarray]] = []  # (cap, leakage, countries of that tier), set by begin
        self.api_hits: list[tuple[float, np.ndarray]] = []  # (delay, countries of that tier), set by begin
        self.stacked: tuple = ()  # the arguments of _controls that begin works out (hits and API delays stacked)
        self.in_penalised_tier = np.zeros(0, bool)  # (N,) countries in a penalised tier, set by begin
        self.any_penalised_tier = False  # whether it has any, set by begin

    def preview(self, state: State, period: int) -> None:
        if self.in_force(period):
            _delay_api(state.policy.api_delay, self._api_hits(self._tiers(state)))

    def _tiers(self, state: State) -> np.ndarray:
        tier = state.tier.copy()  # (N,), or (R, N) in a batch: replicates' tiers may differ (synthetic worlds)
        tier[..., self.override_idx] = self.override_tier
        return tier

    def _api_hits(self, tier: np.ndarray) -> list[tuple[float, np.ndarray]]:
        return [(np.inf if delay is None else delay, tier == level) for level, delay in self.spec.api_delay.items()]

    def begin(self, state: State) -> None:
        tier = self._tiers(state)
        leak = self.spec.leakage
        self.hits = [(cap, leak[level] if isinstance(leak, dict) else leak, tier == level)
                     for level, cap in self.spec.caps.items() if cap is not None]
        self.api_hits = self._api_hits(tier)
        self.in_penalised_tier = np.isin(tier, self.spec.penalised_tiers)
        self.any_penalised_tier = bool(self.in_penalised_tier.any())
        masks = lambda hits: np.array([hit for *_, hit in hits], dtype=bool).reshape(len(hits), tier.size)  # (tiers, [R x] N)
        self.stacked = (masks(self.hits), np.array([cap for cap, _, _ in self.hits], dtype=float),
                        np.array([leak for _, leak, _ in self.hits], dtype=float), masks(self.api_hits),
                        np.array([delay for delay, _ in self.api_hits], dtype=float))

    def apply(self, state: State) -> None:
        """Caps, leakage, sanction, pull and API delays of the hit tiers (:func:`_controls`), then the
        sanctioning forum, bloc discipline and the tier penalty."""
        policy = state.policy
        hits, caps, leaks, api_hits, delays = self.stacked
        _controls(_flat(policy.cap), _flat(policy.leakage), _flat(policy.sanction), _flat(policy.pull, 2),
                  _flat(policy.api_delay), hits, caps, leaks, self.rival_forums, float(self.spec.substitution),
                  float(self.spec.resentment), self.sanctioner, api_hits, delays)
        policy.sanction_forum = self.sanctioner
        penalised = self.in_penalised_tier
        if self.parties:
            party = (state.status[..., self.parties] >= PARTNER).any(axis=-1)
            penalised = penalised | party
            policy.discipline[party[..., None] & self.penalised_forums] = 1.0  # bloc discipline: see dynamics.drift_alignment
        elif not self.any_penalised_tier:  # nobody penalised (the parties, if any, are checked every step)
            return
        for k in self.penalised:  # a forum listed twice is penalised twice
            column = policy.penalty[..., k]
            np.add(column, self.spec.penalty, out=column, where=penalised)


def _delay_api(api_delay: np.ndarray, hits: list[tuple[float, np.ndarray]]) -> None:
    """Delay (or block, inf) the closed-API route for each hit tier; the longest delay holds."""
    for delay, hit in hits:
        np.maximum(api_delay, delay, out=api_delay, where=hit)


def _flat(a: np.ndarray, dims: int = 1) -> np.ndarray:
    """Policy array ``a`` with ``dims`` axes: a batch's replicates' rows as one axis of countries ((R, N)
    as (R*N,), (R, N, K) as (R*N, K) with ``dims`` 2), a view (setting the shape raises rather than
    copy), so :func:`_controls` writes into ``a``."""
    if a.ndim == dims:
        return a
    flat = a.view()
    flat.shape = (-1, *a.shape[a.ndim - dims + 1:])
    return flat


@njit(inline="always")
def _minimum(a: float, b: float) -> float:  # pragma: no cover
    """np.minimum of two numbers: NaN if either is; ``b`` on a tie (as govsim/dynamics.py's: numba renews
    a loop's cache only when its own file changes, so each module keeps the helpers its loops call)."""
    return a if a < b or a != a else b


@njit(inline="always")
def _maximum(a: float, b: float) -> float:  # pragma: no cover
    """np.maximum of two numbers: NaN if either is; ``b`` on a tie."""
    return a if a > b or a != a else b


@function()
def _controls(cap, leakage, sanction, pull, api_delay, hits, caps, leaks, rival, substitution, resentment, sanctioner,
              api_hits, delays):  # pragma: no cover
    """For each hit tier t in turn (``hits[t]``: its countries), where it hits: cap = min(cap, caps_t),
    leakage = min(leakage, leaks_t) (the strictest enforcement holds), sanction = 1, pull += substitution
    at the ``rival`` forums, then pull -= resentment at the sanctioning forum; then for each API tier
    a in turn, api_delay = max(api_delay, delays_a) where ``api_hits[a]`` (the longest delay holds).
    The numpy updates ``np.minimum(..., where=hit)`` of the shock before, element by element in the
    same order (so the same numbers)."""
    for t in range(hits.shape[0]):
        for i in range(hits.shape[1]):
            if hits[t, i]:
                cap[i] = _minimum(cap[i], caps[t])
                leakage[i] = _minimum(leakage[i], leaks[t])
                sanction[i] = 1.0
                for k in range(pull.shape[1]):
                    if rival[k]:
                        pull[i, k] = pull[i, k] + substitution
                pull[i, sanctioner] = pull[i, sanctioner] - resentment
    for a in range(api_hits.shape[0]):
        for i in range(api_hits.shape[1]):
            if api_hits[a, i]:
                api_delay[i] = _maximum(api_delay[i], delays[a])


def _forum_mask(ks: list[int], k: int) -> np.ndarray:
    """(K,) True at the forums ``ks``."""
    mask = np.zeros(k, bool)
    mask[ks] = True
    return mask


class CapacityBuildingShock(Shock):
    """A forum offers a capacity-building stream, shared by recipients who engage in it."""

    writes = ("cb_offer",)
    stacks = True

    def __init__(self, spec: CapacityBuilding, *args):
        super().__init__(spec, *args)
        self.k = self.forums.index(spec.provider)
        self.groups = np.array([INCOME_GROUPS.index(g) for g in spec.recipients])

    def apply(self, state: State) -> None:
        eligible = np.isin(state.income_group, self.groups)
        if not self.forums.universal[self.k]:
            eligible &= state.status[..., self.k] >= PARTNER
        recipients = eligible.sum(axis=-1, keepdims=True)  # per run (a batch: per replicate)
        if recipients.any():
            offer = state.policy.cb_offer[..., self.k]  # a view: the addition reaches cb_offer
            np.add(offer, self.spec.budget / np.maximum(recipients, 1), out=offer, where=eligible)


class OpenModelShock(Shock):
    """An open-weights release: the open route catches up, know-how and adoption speed up everywhere."""

    writes = ()  # scalars only
    stacks = True

    def apply(self, state: State) -> None:
        state.policy.diffusion_mult *= self.spec.diffusion_multiplier
        state.policy.open_cut = max(state.policy.open_cut, self.spec.lag_cut)


class ForumChangeShock(Shock):
    """Countries are admitted to, or withdraw from, a forum; their status holds while in force.

    Membership reviews cannot undo the change before ``end`` (no re-application after a
    withdrawal, no exit after an admission); from ``end`` on the usual rules apply again.
    """

    writes = ("locked",)
    stacks = True

    def __init__(self, spec: ForumChange, *args):
        super().__init__(spec, *args)
        self.k = self.forums.index(spec.forum)
        self.idx = self.countries(spec.countries, "countries")
        if self.forums.universal[self.k]:
            raise ScenarioError(f"forum_change on {spec.forum!r}: a universal forum's membership cannot change")

    def begin(self, state: State) -> None:
        admit = self.spec.action == "admit"
        state.status[..., self.idx, self.k] = (MEMBER if self.spec.status == "member" else PARTNER) if admit else NONE
        state.partner_since[..., self.idx, self.k] = state.year if admit else np.nan
        if not admit:
            state.engagement[..., self.idx, self.k] = 0.0

    def apply(self, state: State) -> None:
        state.policy.locked[..., self.idx, self.k] = True


class ForumReformShock(Shock):
    """A forum's rules change while in force: depth (and so authority), technology access, cost.

    Every period in force it writes the reformed rules into ``ForumSet.spec``, after
    ``apply_shocks`` has reset them to the scenario's values and before the forums update, so forum
    state, utilities and membership reviews see the reformed forum exactly in the periods
    [start, end). Reforms of the same forum in force together compound, in scenario order.
    """

    writes = ()  # forum rules only (ForumSet.reset_rules)
    stacks = True
    _RANGES = {"depth": (0.0, 1.0), "tech_access": (0.0, 1.0), "cost": (0.0, 5.0)}  # the ForumSpec ranges

    def __init__(self, spec: ForumReform, *args):
        super().__init__(spec, *args)
        self.k = self.forums.index(spec.forum)

    def apply(self, state: State) -> None:
        rules, k, spec = self.forums.spec, self.k, self.spec
        new = {"depth": rules["depth"][..., k] * spec.depth_multiplier,  # a number, or per replicate in a batch
               "tech_access": rules["tech_access"][..., k] + spec.tech_access_increment,
               "cost": rules["cost"][..., k] * spec.cost_multiplier}
        for key, value in new.items():
            rules[key][..., k] = np.clip(value, *self._RANGES[key])


_KINDS = {ExportControls: ExportControlShock, CapacityBuilding: CapacityBuildingShock,
          OpenModels: OpenModelShock, ForumChange: ForumChangeShock, ForumReform: ForumReformShock}


def apply_shocks(shocks: list[Shock], state: State, forums: ForumSet, period: int, p: Dynamics) -> None:
    """Reset the policy fields and the forums' reformable rules, let each shock in force write its
    effect, then measure blocked demand (the investment shares measured with it are kept for
    :func:`govsim.dynamics.grow_compute`). Only the policy arrays the shocks may
    write are reset (:func:`written`; ``blocked`` is measured afresh, no shock reads it)."""
    state.policy.reset(written(shocks))
    forums.reset_rules()
    for shock in shocks:
        shock.step(state, period)
    shares, state.policy.blocked = measured_demand(state, p)
    remember_shares(state, p, shares)


def written(shocks: list) -> tuple[str, ...] | None:
    """The policy arrays ``shocks`` may write (``None``: any, if one of them does not say)."""
    fields: set[str] = set()
    for shock in shocks:
        writes = getattr(shock, "writes", None)
        if writes is None:
            return None
        fields.update(writes)
    return tuple(sorted(fields))


def build_shocks(specs: dict, time: Time, forums: ForumSet, iso3: np.ndarray) -> list[Shock]:
    """Run-time shock objects for the scenario's shock specs by name (the kinds of govsim/levers.py too)."""
    from govsim.levers import LEVERS  # imported here: its classes subclass Shock, so it imports this module

    kinds = {**_KINDS, **LEVERS}
    index = iso3_index(iso3) if specs else {}
    built = []
    for name, spec in specs.items():
        shock = kinds[type(spec)](spec, time, forums, index)
        shock.name = name
        built.append(shock)
    return built


def iso3_index(iso3: np.ndarray) -> dict[str, int]:
    """{ISO3 code: its position in ``iso3``}, made once per codes array (the replicates of a batch share
    their world's); the shocks only read it."""
    kept = _ISO3_INDEX.get(id(iso3))
    if kept is None or kept[0] is not iso3:
        if len(_ISO3_INDEX) >= 16:
            _ISO3_INDEX.clear()
        kept = _ISO3_INDEX[id(iso3)] = (iso3, {code: i for i, code in enumerate(iso3)})  # iso3 held: its id not reused
    return kept[1]


_ISO3_INDEX: dict = {}


def _period_index(period: str | None, time: Time) -> int | None:
    """Index of the first step whose period starts at or after ``period``."""
    if period is None:
        return None
    offset = (period_to_year(period) - period_to_year(time.start)) / time.step_years
    return math.ceil(offset - 1e-9)
