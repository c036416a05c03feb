"""Behaviour parameters: how countries choose forums and how their state evolves.

These are the model's *uncertain* parameters (kept apart from the policy levers in
``shocks``). Each field documents its meaning, unit, default, range and source; "assumption"
marks a value chosen by the authors, to be calibrated (see docs) rather than measured.
"""

from __future__ import annotations

from pydantic import Field

from govsim.config.base import Strict


def _p(default: float, lo: float, hi: float, text: str, unit: str, source: str = "assumption"):
    """A documented float parameter with bounds [lo, hi]."""
    return Field(
        default,
        ge=lo,
        le=hi,
        description=f"{text} Unit: {unit}. Range: [{lo}, {hi}]. Source: {source}.",
    )


class Decision(Strict):
    """Forum-choice utility U_ik and the logit allocation of engagement (literature §8c)."""

    w_access: float = _p(2.8047, 0, 20, "Weight of the expected capability gain from a forum (technology access, capacity-building inflows).", "utility per unit of access", "assumption; mechanism from Pilz, Heim & Brown 2023 and Saelen 2016; calibrated: docs/calibration.md")
    w_voice: float = _p(2.0, 0, 20, "Weight of voice: forum authority x normalised voting power^voice_exponent.", "utility per unit of voice", "assumption; Alonso-Meijide & Bowles 2005 for the voice measure")
    w_scope: float = _p(0.5, 0, 20, "Weight of rule reach: weak states value universal reach, strong states value depth.", "utility per unit of reach", "assumption; Busch 2007")
    w_network: float = _p(0.3, 0, 20, "Weight of the network effect: share of like-aligned countries engaged in the forum.", "utility per unit share", "assumption; Lipscy 2017")
    w_distance: float = _p(2.1969, 0, 20, "Weight of the alignment distance |x_i - x_k| to the forum's norm position, scaled by the forum's effective depth.", "utility per unit of alignment distance", "assumption; Axelrod & Bennett 1993, Bailey et al. 2017; calibrated: docs/calibration.md")
    w_cost: float = _p(1.049, 0, 20, "Weight of the participation cost relative to the country's diplomatic budget.", "utility per unit cost/budget", "assumption; capacity constraint behind HLAB 2024's 118 of 193; calibrated: docs/calibration.md")
    w_penalty: float = _p(1.0, 0, 20, "Weight of sanctions/penalties (e.g. export-control consequences of engaging the rival bloc).", "utility per unit penalty", "assumption; Nordhaus 2015 club sanctions")
    inertia: float = _p(1.0, 0, 20, "Status-quo bonus per unit of last period's engagement share of budget.", "utility", "assumption; Jupille, Mattli & Snidal 2013; Raustiala & Victor 2004")
    outside_utility: float = _p(-0.5949, -20, 20, "Utility of the outside option (disengaging, acting unilaterally).", "utility", "assumption; calibrated: docs/calibration.md")
    temperature: float = Field(1.0, gt=0, le=10, description="Logit temperature tau: higher means noisier, more even allocation. Unit: utility. Range: (0, 10]. Source: assumption (bounded rationality).")
    voice_exponent: float = _p(0.5, 0, 1, "Exponent on normalised voting power in the voice term (0.5 = square-root law).", "dimensionless", "Penrose 1946 square-root law; assumption")
    network_bandwidth: float = Field(0.5, gt=0, le=2, description="Alignment distance at which a country counts another as half a partner in the network term. Unit: alignment units. Range: (0, 2]. Source: assumption.")
    taste_sd: float = _p(0.15, 0, 5, "Standard deviation of persistent idiosyncratic forum preferences (domestic politics, leader turnover).", "utility")
    taste_persistence: float = _p(0.8, 0, 1, "Year-on-year autocorrelation of the idiosyncratic preferences (AR(1)).", "per year")
    horizon_years: float = _p(10.0, 0, 50, "Planning horizon over which a capacity-building stream is valued in the access term.", "years")
    aspiration: float = _p(0.0, -20, 20, "Aspiration level: a country whose best forum utility is below it accumulates dissatisfaction.", "utility", "assumption; Jupille, Mattli & Snidal 2013 'good enough' rule")
    dissatisfaction_years: float = Field(1.0, gt=0, le=20, description="Years of dissatisfaction that halve a country's status-quo inertia. Unit: years. Range: (0, 20]. Source: assumption; Morse & Keohane 2014.")


class Budget(Strict):
    """Diplomatic capacity B_i: how much engagement a country can staff (sum over forums <= B_i)."""

    floor: float = _p(0.25, 0, 1, "Budget of a country with zero readiness.", "share of a full budget", "assumption; HLAB 2024 (low capacity, not only exclusion)")
    readiness_elasticity: float = _p(1.0, 0, 5, "Exponent on readiness in B_i = floor + (1 - floor) * readiness^elasticity.", "dimensionless")


class Membership(Strict):
    """Club membership transitions and the periodic stability check (d'Aspremont/Barrett/Nordhaus)."""

    review_years: float = Field(1.0, gt=0, le=10, description="Interval between club membership reviews (applications, admissions, outreach offers, exits). Unit: years. Range: (0, 10]. Source: annual summits; assumption.")
    apply_threshold: float = _p(0.05, 0, 20, "kappa: gain in the expected utility of a country's choice set (logit option value) from joining a club needed to apply.", "utility", "assumption; literature §8c")
    p_apply: float = _p(0.6989, 0, 1, "Probability that a country meeting the threshold applies at a review.", "probability per review", "assumption; calibrated: docs/calibration.md")
    p_exit: float = _p(0.25, 0, 1, "Probability that a member or partner better off outside leaves at a review (internal stability).", "probability per review", "assumption; Barrett 1994")
    exit_threshold: float = _p(0.5, 0, 20, "How far below the outside option a club's utility must fall before a member or partner considers leaving (sunk investment, reputation).", "utility", "assumption; Jupille, Mattli & Snidal 2013 (exit is costly and rare)")
    admission_tolerance: float = _p(0.0278, 0, 5, "Largest utility loss an incumbent member accepts from admitting an applicant (consensus veto beyond it).", "utility", "assumption; Gray & Lindstaedt 2017; calibrated: docs/calibration.md")


class Dynamics(Strict):
    """Compute, capability, income and alignment dynamics (literature §5, §8d)."""

    compute_growth: float = _p(4.917, 1, 20, "Growth factor of world AI compute investment (spending x price-performance), i.e. the frontier trend.", "x per year", "Epoch AI 2024: 4.7x/yr (90% CI 4.3-5.2); calibrated: docs/calibration.md")
    algo_growth: float = _p(3.0, 1, 20, "Growth factor of frontier algorithmic efficiency.", "x per year", "Ho et al. 2024 / Epoch: ~3x/yr")
    depreciation: float = _p(0.25, 0, 1, "Hardware obsolescence rate of the compute stock.", "share per year", "assumption (4-year accelerator life)")
    invest_readiness_elasticity: float = _p(8.2698, 0, 20, "rho in investment ~ GDP * readiness^rho: how strongly compute spending concentrates in ready economies.", "dimensionless", "assumption; calibrated to Pilz et al. 2025 (US ~75%, China ~15%); calibrated: docs/calibration.md")
    invest_incumbency: float = _p(0.8922, 0, 0.95, "kappa: share of compute investment that follows the compute already installed (hyperscaler capacity, data-centre agglomeration) rather than the economy and its readiness.", "share of world investment", "assumption; Pilz et al. 2025 (persistent US/China concentration of AI supercomputers); calibrated: docs/calibration.md")
    diffusion_speed: float = _p(0.5, 0, 10, "lambda_0: base speed at which algorithmic know-how diffuses from the frontier (1/lag).", "per year", "assumption; Comin & Hobijn 2010 (lags shrinking for new technologies)")
    access_boost: float = _p(1.0, 0, 20, "Increase in diffusion speed per unit of forum technology access.", "dimensionless multiplier", "assumption; Pilz, Heim & Brown 2023 access effect")
    capacity_boost: float = _p(2.0, 0, 50, "Increase in diffusion speed per unit of capacity-building inflow.", "dimensionless multiplier per (readiness/yr)", "assumption; A/RES/78/311")
    readiness_catchup: float = _p(0.03, 0, 1, "Speed at which readiness converges towards the most ready country, scaled by internet use.", "per year", "assumption; Comin & Hobijn 2010 catch-up form")
    capability_span: float = Field(7.0972, gt=0, le=20, description="Orders of magnitude of effective compute between zero capability and the frontier. Unit: log10 units. Range: (0, 20]. Source: assumption; calibrated: docs/calibration.md (literature §8d normalisation).")
    readiness_weight: float = _p(0.9444, 0, 1, "Weight of readiness (skills, data, institutions) vs effective compute in capability.", "dimensionless", "assumption; calibrated: docs/calibration.md")
    income_growth: float = _p(0.02, -0.1, 0.2, "Baseline real growth of GDP per capita.", "share per year", "assumption (long-run world average)")
    ai_income_premium: float = _p(0.015, 0, 0.2, "Extra real growth of GDP per capita at full capability (adoption dividend).", "share per year", "assumption")
    alignment_drift: float = _p(0.1, 0, 5, "Speed at which alignment moves towards the positions of the forums a country engages in.", "per year", "assumption; Axelrod & Bennett 1993")
    sanction_repulsion: float = _p(0.15, 0, 5, "Speed at which capped countries move away from the sanctioning club's position.", "per year at full cap", "assumption")
    authority_exponent: float = _p(1.0, 0, 5, "phi in A_k ~ (engaged capability share)^phi * depth_k.", "dimensionless", "assumption; Naim 2009, literature §7")
    heterogeneity_penalty: float = _p(2.0, 0, 50, "eta in depth D_k = depth_k / (1 + eta * Var(x) of engaged members) (breadth-depth trade-off).", "per alignment variance", "assumption; Cihon, Maas & Kemp 2020")
    engaged_threshold: float = _p(0.05, 0, 1, "Engagement above which a country counts as engaged in a forum (indices, patterns).", "engagement units")


class Behaviour(Strict):
    """All behaviour parameters, grouped by submodel."""

    decision: Decision = Field(default_factory=Decision, description="Forum-choice utility and logit allocation.")
    budget: Budget = Field(default_factory=Budget, description="Diplomatic capacity.")
    membership: Membership = Field(default_factory=Membership, description="Club membership transitions.")
    dynamics: Dynamics = Field(default_factory=Dynamics, description="State dynamics.")
