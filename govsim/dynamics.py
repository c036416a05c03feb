"""State dynamics for one step of length dt years (pure numpy, literature §5 and §8d).

compute:    K_i <- K_i (1-delta)^dt + dt * D_i (1 - b_i), D_i = W [(1-kappa) Y_i r_i^rho / sum_j Y_j r_j^rho + kappa K_i / sum_j K_j],
            b_i = (1 - leak_i) max(0, D_i - cap_i W) / D_i the blocked share; W grows by compute_growth;
algorithms: gap a_i (log10, <= 0) relaxes to -log10(algo_growth)/lambda_i at speed lambda_i,
            lambda_i = lambda_0 * m_open * (1 + access_boost*access_i + capacity_boost*cb_i) * internet_i * r_i;
capability: c_i = w_r r_i + (1 - w_r) * clip(1 + (log10 E_i - max_j log10 E_j)/span, 0, 1), E_i = K_i 10^a_i;
readiness:  r_i <- r_i + dt [catchup * internet_i (max r - r_i) + cb_i (1 - r_i)];
income:     y_i <- y_i exp(dt (g_0 + premium * c_i));
alignment:  x_i <- x_i + dt [drift * mean_k,e (x_k - x_i) + repulsion * sanction_i * sign(x_i - x_S)].
"""

from __future__ import annotations

import numpy as np

from govsim.config.behaviour import Budget, Dynamics
from govsim.codes import INCOME_THRESHOLDS
from govsim.state import State


def advance(s: State, access: np.ndarray, received: np.ndarray, positions: np.ndarray, p: Dynamics, dt: float) -> None:
    """Move every country's state forward by ``dt`` years, in place."""
    grow_compute(s, p, dt)
    diffuse_algorithms(s, access, received, p, dt)
    s.readiness = np.clip(s.readiness + dt * (p.readiness_catchup * s.internet * (s.readiness.max() - s.readiness) + received * (1 - s.readiness)), 0.0, 1.0)
    s.capability = capability(s.compute, s.algo_gap, s.readiness, p)
    grow_income(s, p, dt)
    drift_alignment(s, positions, p, dt)
    s.year += dt


def investment_shares(s: State, p: Dynamics) -> np.ndarray:
    """Each country's share of world compute demand: (1-kappa) Y_i r_i^rho / sum + kappa K_i / sum K.

    The first part follows the economy and its readiness; the incumbency part kappa follows the
    compute already installed (hyperscaler capacity, data-centre agglomeration).
    """
    weight = s.gdp_pc * s.population * s.readiness**p.invest_readiness_elasticity
    total = weight.sum()
    economic = weight / total if total > 0 else np.full(s.n, 1.0 / s.n)
    installed = s.compute.sum()
    if p.invest_incumbency == 0 or installed <= 0:
        return economic
    return (1 - p.invest_incumbency) * economic + p.invest_incumbency * s.compute / installed


def blocked_share(s: State, p: Dynamics) -> np.ndarray:
    """(N,) share of each country's compute demand that caps keep out, net of leakage."""
    demand = investment_shares(s, p)
    allowed = np.minimum(demand, s.policy.cap)
    blocked = np.divide(demand - allowed, demand, out=np.zeros_like(demand), where=demand > 0)
    return blocked * (1 - s.policy.leakage)


def grow_compute(s: State, p: Dynamics, dt: float) -> None:
    """Invest the demand that caps let through (``policy.blocked``), depreciate, grow world investment."""
    inflow = s.world_investment * investment_shares(s, p) * (1 - s.policy.blocked)
    s.compute = s.compute * (1 - p.depreciation) ** dt + dt * inflow
    s.world_investment *= p.compute_growth**dt


def diffusion_speed(s: State, access: np.ndarray, received: np.ndarray, p: Dynamics) -> np.ndarray:
    """lambda_i: how fast frontier algorithms reach country i (per year)."""
    boost = 1.0 + p.access_boost * access + p.capacity_boost * received
    return p.diffusion_speed * s.policy.diffusion_mult * boost * s.internet * s.readiness


def diffuse_algorithms(s: State, access: np.ndarray, received: np.ndarray, p: Dynamics, dt: float) -> None:
    """Exact exponential relaxation of the algorithmic gap towards its steady state; frontier = 0."""
    lam = diffusion_speed(s, access, received, p)
    drift = np.log10(p.algo_growth)
    decay = np.exp(-lam * dt)
    # gap + (target - gap)(1 - decay) with target = -drift/lam, written to stay finite as lam -> 0
    relaxed = s.algo_gap * decay - drift * _expm1_ratio(lam, dt)
    s.algo_gap = np.maximum(relaxed - relaxed.max(), -4.0 * p.capability_span)


def _expm1_ratio(lam: np.ndarray, dt: float) -> np.ndarray:
    """(1 - exp(-lam dt)) / lam, equal to dt in the limit lam -> 0."""
    safe = np.where(lam > 1e-12, lam, 1.0)
    return np.where(lam > 1e-12, -np.expm1(-safe * dt) / safe, dt)


def steady_gap(lam: np.ndarray, p: Dynamics) -> np.ndarray:
    """Steady-state algorithmic gap -log10(algo_growth)/lambda, normalised so the best is 0."""
    gap = -np.log10(p.algo_growth) / np.maximum(lam, 1e-12)
    return np.maximum(gap - gap.max(), -4.0 * p.capability_span)


def capability(compute: np.ndarray, algo_gap: np.ndarray, readiness: np.ndarray, p: Dynamics) -> np.ndarray:
    """Capability index in [0, 1]: readiness mixed with log effective compute relative to the frontier."""
    log_e = np.log10(np.maximum(compute, 1e-300)) + algo_gap
    compute_index = np.clip(1.0 + (log_e - log_e.max()) / p.capability_span, 0.0, 1.0)
    return p.readiness_weight * readiness + (1 - p.readiness_weight) * compute_index


def grow_income(s: State, p: Dynamics, dt: float) -> None:
    """GDP per capita grows with the adoption dividend; income groups move by threshold crossings."""
    s.gdp_pc = s.gdp_pc * np.exp(dt * (p.income_growth + p.ai_income_premium * s.capability))
    shift = np.searchsorted(INCOME_THRESHOLDS, s.gdp_pc) - np.searchsorted(INCOME_THRESHOLDS, s.gdp_pc0)
    s.income_group = np.clip(s.income_group0 + shift, 0, 3).astype(np.int8)


def drift_alignment(s: State, positions: np.ndarray, p: Dynamics, dt: float) -> None:
    """Pull towards the positions of engaged forums, push away from a sanctioning club."""
    weight = s.engagement.sum(axis=1)
    pull = (s.engagement * (positions[None, :] - s.alignment[:, None])).sum(axis=1)
    pull = np.divide(pull, weight, out=np.zeros_like(pull), where=weight > 0)
    push = np.zeros_like(pull)
    if s.policy.sanction_forum >= 0:
        push = s.policy.sanction * np.sign(s.alignment - positions[s.policy.sanction_forum])
    s.alignment = np.clip(s.alignment + dt * (p.alignment_drift * pull + p.sanction_repulsion * push), -1.0, 1.0)


def diplomatic_budget(readiness: np.ndarray, p: Budget) -> np.ndarray:
    """B_i = floor + (1 - floor) * readiness^elasticity."""
    return p.floor + (1 - p.floor) * readiness**p.readiness_elasticity


# Bounds that keep the state finite over any allowed run (2 000 steps at the top of every growth range).
# Compute only matters relative to itself (investment shares, log distance to the frontier, concentration),
# so when world investment or a stock passes 2^332 (~8.7e99) both are divided by 2^332: exact in binary,
# so shares and capability are unchanged. GDP per capita matters in US$ (income thresholds), so it stops
# growing at 1e100 US$: never reached at the calibrated growth (2 000 years at 3.5 %/yr give ~1e36).
COMPUTE_RESCALE_AT = 2.0**332
GDP_PC_CEILING = 1e100


def keep_finite(s: State) -> None:
    """Rescale the compute unit and bound GDP per capita (see the constants above); no-op in ordinary runs."""
    if max(s.world_investment, s.compute.max(initial=0.0)) > COMPUTE_RESCALE_AT:
        s.compute = s.compute / COMPUTE_RESCALE_AT
        s.world_investment /= COMPUTE_RESCALE_AT
    if s.gdp_pc.max(initial=0.0) > GDP_PC_CEILING:
        s.gdp_pc = np.minimum(s.gdp_pc, GDP_PC_CEILING)
