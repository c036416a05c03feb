"""Struct-of-arrays state of all countries, plus the per-step policy fields shocks write to.

The integer codes shared across modules (status in a forum, income groups) live in govsim/codes.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govsim.codes import INCOME_THRESHOLDS, PARTNER


@dataclass
class State:
    """Every country's state as arrays of length N (and N x K for forum-specific fields)."""

    iso3: np.ndarray
    population: np.ndarray
    internet: np.ndarray
    gdp_pc: np.ndarray
    income_group: np.ndarray
    readiness: np.ndarray
    compute: np.ndarray
    knowhow: np.ndarray  # years of algorithmic know-how behind the frontier (own route)
    capability: np.ndarray  # used AI capability c_i = frontier_access_i * adoption_i * intensity_i
    adoption: np.ndarray  # u_i: share of the population using AI, below its ceiling internet * skill
    skills: np.ndarray  # H_i: skills built by capacity-building programmes, closing the readiness gap
    internet_slope: np.ndarray  # ITU trend: change of logit(internet share) per year
    alignment: np.ndarray
    budget: np.ndarray
    tier: np.ndarray
    engagement: np.ndarray
    status: np.ndarray
    partner_since: np.ndarray
    taste: np.ndarray
    dissatisfaction: np.ndarray
    year: float
    start_year: float = 0.0  # the frontier's reference time: its capability is 0.5 at the start
    open_lag: float = 0.0  # years the open-weight frontier trails the closed one
    world_investment: float = 0.0
    world_capacity: float = 0.0  # the world's compute stock had no cap ever bound (no renormalisation)
    region: np.ndarray | None = None  # World Bank region of each country (None: one region, e.g. hand-made states)
    lag: np.ndarray = field(init=False)  # years behind the frontier of the best model a country can use
    frontier_access: np.ndarray = field(init=False)  # a_i: capability of that model, in [0, 1]
    intensity: np.ndarray = field(init=False)  # iota_i: intensity of use from compute per user, in (0, 1)
    producers: np.ndarray = field(init=False)  # indices of the open-weight producers (frontier.producer_index)
    producer_delays: np.ndarray = field(init=False)  # their release delays, years
    gdp_pc0: np.ndarray = field(init=False)
    income_group0: np.ndarray = field(init=False)
    gdp_group0: np.ndarray = field(init=False)  # the income group GDP per capita gave at the start (dynamics.grow_income)
    policy: "Policy" = field(init=False)
    region_codes: tuple | None = field(default=None, init=False, repr=False)  # (region, its integer codes): enlargement.regions

    def __post_init__(self) -> None:
        self.gdp_pc0 = self.gdp_pc.copy()
        self.income_group0 = self.income_group.copy()
        self.gdp_group0 = np.searchsorted(INCOME_THRESHOLDS, self.gdp_pc0)
        self.policy = Policy.neutral(*self.engagement.shape)
        self.lag = np.zeros(self.n)
        self.frontier_access = np.zeros(self.n)
        self.intensity = np.zeros(self.n)
        self.producers = np.zeros(0, dtype=np.intp)
        self.producer_delays = np.zeros(0)

    @property
    def n(self) -> int:
        """Number of countries."""
        return self.population.shape[-1]

    @property
    def standing(self) -> np.ndarray:
        """(N,) capability relative to the most capable country, in [0, 1]: what forum choice and
        membership weigh (a country's standing does not drift as the frontier moves). Within a period
        (:func:`govsim.phases.run_period`, :meth:`keep_standing`) it is worked out once, while the
        capability array is the same; elsewhere, at each call (a caller may write into the capability)."""
        kept = self.__dict__.get("_standing")
        if kept is not None and kept[0] is self.capability:
            return kept[1]
        return self._standing_now()

    def keep_standing(self, keep: bool) -> None:
        """Work out :attr:`standing` once and reuse it while the capability array is the same (``keep``;
        a period's phases read it four times and replace the capability, never write into it), or stop."""
        if keep:
            self.__dict__["_standing"] = (self.capability, self._standing_now())
        else:
            self.__dict__.pop("_standing", None)

    def _standing_now(self) -> np.ndarray:
        if self.capability.ndim > 1:  # a batch of replicates (govsim/replicates.py): per row
            top = self.capability.max(axis=-1, keepdims=True)
            return np.divide(self.capability, top, out=np.zeros(self.capability.shape), where=top > 0)
        top = float(self.capability.max()) if self.n else 0.0
        return self.capability / top if top > 0 else np.zeros(self.n)

    def eligible(self, universal: np.ndarray) -> np.ndarray:
        """(N, K) bool: where a country may engage (universal forums, or partner/member status)."""
        return universal[None, :] | (self.status >= PARTNER)


@dataclass
class Policy:
    """Effects of the shocks in force this step; reset to neutral before shocks apply."""

    cap: np.ndarray  # (N,) cap on compute inflow, share of world investment per year (inf: none)
    leakage: np.ndarray  # (N,) share of blocked demand that still arrives (1 where no control applies)
    penalty: np.ndarray  # (N, K) utility penalty on engaging forum k
    sanction: np.ndarray  # (N,) 1 where a country is capped by a sanctioning club
    sanction_forum: int  # index of the sanctioning forum (-1: none)
    cb_offer: np.ndarray  # (N, K) capacity-building stream offered through forum k (skill points/yr)
    locked: np.ndarray  # (N, K) status fixed by a shock: membership reviews leave it alone
    pull: np.ndarray  # (N, K) utility per unit of blocked compute demand (substitution, resentment)
    blocked: np.ndarray  # (N,) share of a country's compute demand that caps block (after leakage)
    api_delay: np.ndarray  # (N,) years added to the closed-API route (inf: blocked)
    diffusion_mult: float  # multiplier on know-how diffusion and adoption speed (open releases)
    open_cut: float  # years an open release takes off the open-weight route's lag
    # Written by the levers of govsim/levers.py (neutral: 1, 0, 0, 1):
    cost_mult: np.ndarray  # (N, K) multiplier on forum k's participation cost for country i (interoperability)
    appeal: np.ndarray  # (N, K) utility added to engaging forum k (a public good offered through it)
    open_cut_country: np.ndarray  # (N,) years a public good takes off country i's open-weight route
    adoption_mult: np.ndarray  # (N,) multiplier on country i's adoption speed (a public good)
    discipline: np.ndarray  # (N, K) 1 where a bloc penalises its party i for engaging forum k (shocks.ExportControlShock)

    @classmethod
    def neutral(cls, *shape: int) -> "Policy":
        """No shock in force, for ``shape`` (N, K) (or (R, N, K) for a batch of replicates)."""
        n, nk = shape[:-1], shape  # per country, per country and forum
        return cls(
            cap=np.full(n, np.inf), leakage=np.ones(n), penalty=np.zeros(nk),
            sanction=np.zeros(n), sanction_forum=-1, cb_offer=np.zeros(nk),
            locked=np.zeros(nk, bool), pull=np.zeros(nk), blocked=np.zeros(n), api_delay=np.zeros(n),
            diffusion_mult=1.0, open_cut=0.0, cost_mult=np.ones(nk), appeal=np.zeros(nk),
            open_cut_country=np.zeros(n), adoption_mult=np.ones(n), discipline=np.zeros(nk),
        )

    def reset(self, fields: tuple[str, ...] | None = None) -> None:
        """Back to neutral, in place: the scalars, and the arrays in ``fields`` (``None``: all). The
        shocks declare the arrays they write (``shocks.Shock.writes``), so the others are still neutral."""
        self.sanction_forum = -1
        self.diffusion_mult = 1.0
        self.open_cut = 0.0
        for name in _ARRAYS if fields is None else fields:
            getattr(self, name).fill(_NEUTRAL[name])
        self._live = None if fields is None else frozenset(fields)

    def holds(self, name: str) -> bool:
        """Whether policy array ``name`` may hold a shock's effect this step. False only for an array
        :meth:`reset` left neutral that no shock of the run writes: the kernel then skips applying it
        (multiplying by 1, adding 0), which changes no value."""
        live = self.__dict__.get("_live")
        return live is None or name in live

    def cb_received(self, engaged: np.ndarray) -> np.ndarray:
        """(N,) capacity-building inflow received: each forum's budget shared equally by the eligible
        countries that engage in it (programmes running through the same forum are pooled)."""
        if not self.holds("cb_offer") or not self.cb_offer.any():  # no capacity-building programme in force
            return np.zeros(self.cb_offer.shape[:-1])
        taking = (self.cb_offer > 0) & engaged
        budget, takers = self.cb_offer.sum(axis=-2, keepdims=True), taking.sum(axis=-2, keepdims=True)
        per_head = np.divide(budget, takers, out=np.zeros_like(budget), where=takers > 0)
        return (taking * per_head).sum(axis=-1)


#: The policy's scalars (the others are per-country arrays): in a batch of replicates a scalar a shock
#: sets becomes an (R, 1) column (govsim/replicates.py, govsim/batch_shocks.py).
POLICY_SCALARS = ("sanction_forum", "diffusion_mult", "open_cut")
#: The neutral value of each policy array (:meth:`Policy.reset`).
_NEUTRAL = {"cap": np.inf, "leakage": 1.0, "penalty": 0.0, "discipline": 0.0, "sanction": 0.0, "cb_offer": 0.0,
            "locked": False, "pull": 0.0, "blocked": 0.0, "api_delay": 0.0, "cost_mult": 1.0, "appeal": 0.0,
            "open_cut_country": 0.0, "adoption_mult": 1.0}
_ARRAYS = tuple(_NEUTRAL)
