"""Struct-of-arrays state of all countries, plus the per-step policy fields shocks write to.

The integer codes shared across modules (status in a forum, income groups) live in govsim/codes.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govsim.codes import PARTNER


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
    algo_gap: np.ndarray
    capability: np.ndarray
    alignment: np.ndarray
    budget: np.ndarray
    tier: np.ndarray
    engagement: np.ndarray
    status: np.ndarray
    partner_since: np.ndarray
    taste: np.ndarray
    dissatisfaction: np.ndarray
    year: float
    world_investment: float = 0.0
    gdp_pc0: np.ndarray = field(init=False)
    income_group0: np.ndarray = field(init=False)
    policy: "Policy" = field(init=False)

    def __post_init__(self) -> None:
        self.gdp_pc0 = self.gdp_pc.copy()
        self.income_group0 = self.income_group.copy()
        self.policy = Policy.neutral(*self.engagement.shape)

    @property
    def n(self) -> int:
        """Number of countries."""
        return self.population.size

    def eligible(self, universal: np.ndarray) -> np.ndarray:
        """(N, K) bool: where a country may engage (universal forums, or partner/member status)."""
        return universal[None, :] | (self.status >= PARTNER)


@dataclass
class Policy:
    """Effects of the shocks in force this step; reset to neutral before shocks apply."""

    cap: np.ndarray  # (N,) cap on compute inflow, share of world investment per year (inf: none)
    leakage: np.ndarray  # (N,) share of blocked demand that still arrives
    penalty: np.ndarray  # (N, K) utility penalty on engaging forum k
    sanction: np.ndarray  # (N,) 1 where a country is capped by a sanctioning club
    sanction_forum: int  # index of the sanctioning forum (-1: none)
    cb_offer: np.ndarray  # (N, K) capacity-building stream offered through forum k (readiness/yr)
    locked: np.ndarray  # (N, K) status fixed by a shock: membership reviews leave it alone
    pull: np.ndarray  # (N, K) utility per unit of blocked compute demand (substitution, resentment)
    blocked: np.ndarray  # (N,) share of a country's compute demand that caps block (after leakage)
    diffusion_mult: float

    @classmethod
    def neutral(cls, n: int, k: int) -> "Policy":
        """No shock in force."""
        return cls(
            cap=np.full(n, np.inf), leakage=np.zeros(n), penalty=np.zeros((n, k)),
            sanction=np.zeros(n), sanction_forum=-1, cb_offer=np.zeros((n, k)),
            locked=np.zeros((n, k), bool), pull=np.zeros((n, k)), blocked=np.zeros(n), diffusion_mult=1.0,
        )

    def reset(self) -> None:
        """Back to neutral, in place."""
        self.cap.fill(np.inf)
        self.leakage.fill(0.0)
        self.penalty.fill(0.0)
        self.sanction.fill(0.0)
        self.cb_offer.fill(0.0)
        self.locked.fill(False)
        self.pull.fill(0.0)
        self.blocked.fill(0.0)
        self.sanction_forum = -1
        self.diffusion_mult = 1.0

    def cb_received(self, engaged: np.ndarray) -> np.ndarray:
        """(N,) capacity-building inflow received: each forum's budget shared equally by the eligible
        countries that engage in it (programmes running through the same forum are pooled)."""
        if not self.cb_offer.any():  # no capacity-building programme in force
            return np.zeros(self.cb_offer.shape[0])
        taking = (self.cb_offer > 0) & engaged
        budget, takers = self.cb_offer.sum(axis=0), taking.sum(axis=0)
        per_head = np.divide(budget, takers, out=np.zeros_like(budget), where=takers > 0)
        return (taking * per_head).sum(axis=1)
