"""Behaviour parameters: how countries choose forums and how their state evolves.

These are the model's *uncertain* parameters (kept apart from the policy levers in
``shocks``). Each field documents its meaning, unit, default, range and source; "assumption"
marks a value chosen by the authors, to be calibrated (see docs) rather than measured.
"""

from __future__ import annotations

from pydantic import Field, field_validator

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

    w_access: float = _p(4.9005, 0, 20, "Weight of the expected capability gain from a forum (technology access, capacity-building inflows).", "utility per unit of access", "assumption; mechanism from Pilz, Heim & Brown 2023 and Saelen 2016; calibrated: docs/calibration.md")
    w_voice: float = _p(2.0, 0, 20, "Weight of voice: forum authority x normalised voting power^voice_exponent.", "utility per unit of voice", "assumption; Alonso-Meijide & Bowles 2005 for the voice measure")
    w_scope: float = _p(0.5, 0, 20, "Weight of rule reach: weak states value universal reach, strong states value depth.", "utility per unit of reach", "assumption; Busch 2007")
    w_network: float = _p(0.3, 0, 20, "Weight of the network effect: share of like-aligned countries engaged in the forum.", "utility per unit share", "assumption; Lipscy 2017")
    w_distance: float = _p(2.2965, 0, 20, "Weight of the alignment distance |x_i - x_k| to the forum's norm position, scaled by the forum's effective depth.", "utility per unit of alignment distance", "assumption; Axelrod & Bennett 1993, Bailey et al. 2017; calibrated: docs/calibration.md")
    w_cost: float = _p(0.4594, 0, 20, "Weight of the participation cost relative to the country's diplomatic budget.", "utility per unit cost/budget", "assumption; capacity constraint behind HLAB 2024's 118 of 193; calibrated: docs/calibration.md")
    w_penalty: float = _p(1.0, 0, 20, "Weight of sanctions/penalties (e.g. export-control consequences of engaging the rival bloc).", "utility per unit penalty", "assumption; Nordhaus 2015 club sanctions")
    inertia: float = _p(1.0, 0, 20, "Status-quo bonus per unit of last period's engagement share of budget.", "utility", "assumption; Jupille, Mattli & Snidal 2013; Raustiala & Victor 2004")
    outside_utility: float = _p(-0.0003, -20, 20, "Utility of the outside option (disengaging, acting unilaterally).", "utility", "assumption; calibrated: docs/calibration.md")
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
    p_apply: float = _p(0.4629, 0, 1, "Probability that a country meeting the threshold applies at a review.", "probability per review", "assumption; calibrated: docs/calibration.md")
    p_exit: float = _p(0.25, 0, 1, "Probability that a member or partner better off outside leaves at a review (internal stability).", "probability per review", "assumption; Barrett 1994")
    exit_threshold: float = _p(0.5, 0, 20, "How far below the outside option a club's utility must fall before a member or partner considers leaving (sunk investment, reputation).", "utility", "assumption; Jupille, Mattli & Snidal 2013 (exit is costly and rare)")
    admission_tolerance: float = _p(0.0383, 0, 5, "Largest utility loss an incumbent member accepts from admitting an applicant (consensus veto beyond it).", "utility", "assumption; Gray & Lindstaedt 2017; calibrated: docs/calibration.md")


class Dynamics(Strict):
    """Compute, frontier access, adoption, income and alignment dynamics (literature §5, §8d; audit §4)."""

    compute_growth: float = _p(4.5408, 1, 20, "Growth factor of world AI compute investment (spending x price-performance), i.e. the hardware side of the frontier trend.", "x per year", "Epoch AI 2024: 4.7x/yr (90% CI 4.3-5.2); calibrated: docs/calibration.md")
    algo_growth: float = _p(3.0, 1, 20, "Growth factor of frontier algorithmic efficiency (the software side of the frontier trend).", "x per year", "Ho et al. 2024 / Epoch: ~3x/yr")
    depreciation: float = _p(0.25, 0, 1, "Hardware obsolescence rate of the compute stock.", "share per year", "assumption (4-year accelerator life)")
    invest_readiness_elasticity: float = _p(8.7313, 0, 20, "rho in investment ~ GDP * readiness^rho: how strongly compute spending concentrates in ready economies.", "dimensionless", "assumption; calibrated to Pilz et al. 2025 (US ~75%, China ~15%); calibrated: docs/calibration.md")
    invest_incumbency: float = _p(0.8749, 0, 0.95, "kappa: share of compute investment that follows the compute already installed (hyperscaler capacity, data-centre agglomeration) rather than the economy and its readiness.", "share of world investment", "assumption; Pilz et al. 2025 (persistent US/China concentration of AI supercomputers); calibrated: docs/calibration.md")
    capability_half_orders: float = Field(6.0, gt=0, le=30, description="h in the capability map a = 1 - 2^(-z/h): orders of magnitude of effective compute that halve the remaining distance to full capability; the 2023 frontier is z = h (a = 0.5), so at the default ~14x/yr frontier growth it reaches ~0.9 by 2035. Unit: log10 units. Range: (0, 30]. Source: assumption (saturating benchmark scores in log compute; Pilz, Heim & Brown 2023; literature §8d).")
    compute_lag_elasticity: float = _p(0.2852, 0, 1, "epsilon: years behind the frontier per year of frontier growth in a country's compute deficit (own route lag = epsilon log10(K_lead/K_i)/log10(g_C g_A) + know-how lag): <1 because a frontier training run needs the largest clusters, not a nation's whole stock, so capability is concave in national compute.", "dimensionless", "assumption; calibrated: docs/calibration.md to the AI Index 2025 US-China gap despite the 75/15 compute split (Pilz et al. 2025)")
    diffusion_speed: float = _p(3.2377, 0, 20, "lambda_0: base speed at which algorithmic know-how diffuses from the frontier; a country's steady know-how lag is 1/lambda_i years.", "per year", "assumption; Comin & Hobijn 2010 (lags shrinking for new technologies); calibrated: docs/calibration.md")
    access_boost: float = _p(1.0, 0, 20, "Increase in know-how diffusion speed per unit of forum technology access.", "dimensionless multiplier", "assumption; Pilz, Heim & Brown 2023 access effect")
    capacity_boost: float = _p(2.0, 0, 50, "Increase in know-how diffusion and adoption speed per unit of capacity-building inflow.", "dimensionless multiplier per (skill points/yr)", "assumption; A/RES/78/311")
    knowhow_lag_start: float = _p(2.7386, 0, 10, "Know-how lag every country but the leader carries at the start on top of its steady lag: in early 2023 the frontier had just jumped (ChatGPT Nov 2022, GPT-4 Mar 2023) and the others were catching up.", "years", "assumption; calibrated: docs/calibration.md to the AI Index 2025 US-China gap (9.26% Jan 2024 -> 1.70% Feb 2025)")
    max_lag_years: float = Field(10.0, gt=0, le=50, description="Longest lag behind the frontier a route can have (a country with no compute, no access and no know-how). Unit: years. Range: (0, 50]. Source: assumption.")
    api_lag_years: float = _p(0.1, 0, 5, "Lag of closed frontier models reaching users abroad through APIs and cloud services, where not blocked.", "years", "assumption (frontier models launch worldwide within weeks; AI Index 2025)")
    open_producers: dict[str, float] = Field(default_factory=lambda: {"CHN": 0.0, "USA": 0.75}, description="Countries whose labs release frontier open-weight models (ISO3 -> years between the country's own best model and its open release). The open-weight route of every country lags the frontier by min over producers of (own-route lag + delay); producers absent from the world are ignored, and a world with none uses its most compute-rich country with the largest delay. Unit: years. Range: [0, 10]. Source: AI Index 2025 (China's best models are open: DeepSeek, Qwen); Meta Llama 3.1 405B (Jul 2024) ~ a GPT-4o-class model released openly months later (assumption: 0.75 yr).")
    adoption_speed: float = _p(0.288, 0, 10, "s_0: speed at which AI use approaches its ceiling, scaled by readiness (absorptive capacity): du/dt = s_0 r_i m_open (1 + capacity_boost cb_i) (ceiling_i - u_i).", "per year", "assumption; Comin & Mestieri 2018 (intensity of use diverges); calibrated: docs/calibration.md")
    cloud_share: float = _p(0.5, 0, 1, "chi: share of each country's AI compute rented to users abroad through cloud and API services (shared out by GDP), the rest serving its own users.", "share", "assumption; Lehdonvirta, Wu & Hawkins 2024 (GPUs for hire in ~30 countries serve the rest); Pilz et al. 2025 (80% of AI supercomputers are private)")
    intensity_elasticity: float = _p(0.25, 0, 2, "eta in the intensity of use iota = q^eta / (1 + q^eta), q the compute per user against the world average: how much compute per user limits what users get out of AI (0: not at all).", "dimensionless", "assumption; Comin & Mestieri 2018 (intensity of use diverges); model-audit-2026-12 §4 (compute per capita against a rising useful minimum)")
    adoption_skill_elasticity: float = _p(0.6358, 0, 3, "theta in the adoption ceiling internet_i * skill_i^theta: how strongly skills and institutions limit the share that can use AI.", "dimensionless", "assumption; Cohen & Levinthal 1990; calibrated: docs/calibration.md")
    adoption_start: float = _p(0.0813, 0, 1, "Share of its ceiling a country's AI use had reached at the start (2023, months after ChatGPT's launch).", "share of ceiling", "assumption; calibrated: docs/calibration.md")
    skill_decay: float = _p(0.1, 0, 1, "Yearly decay of the skills built by capacity-building programmes (staff turnover, brain drain).", "share per year", "assumption")
    internet_trend: float = _p(1.0, 0, 5, "Multiplier on each country's ITU trend of internet use (the slope of logit internet share per year, govsim/data/internet_trend.csv): 1 follows the trend, 0 freezes internet use.", "x", "ITU via Our World in Data (CC BY 4.0); assumption that the 2015-2023 trend continues")
    income_growth: float = _p(0.02, -0.1, 0.2, "Baseline real growth of GDP per capita.", "share per year", "assumption (long-run world average)")
    ai_income_premium: float = _p(0.015, 0, 0.2, "Extra real growth of GDP per capita at full capability (adoption dividend).", "share per year", "assumption")
    alignment_drift: float = _p(0.1, 0, 5, "Speed at which alignment moves towards the positions of the forums a country engages in.", "per year", "assumption; Axelrod & Bennett 1993")
    sanction_repulsion: float = _p(0.05, 0, 0.23, "Speed at which a country whose compute demand a cap blocks moves away from the sanctioning club's position, per unit of demand blocked (after leakage).", "alignment units per year at a fully binding cap", "bounded by the data: 0.23 is the 95th percentile of year-on-year changes of UNGA ideal points 2010-2023 and the default 0.05 about their median (Bailey, Strezhnev & Voeten 2017, rescaled; govsim/data/README.md); the value is an assumption")
    authority_exponent: float = _p(1.0, 0, 5, "phi in A_k ~ (engaged capability share)^phi * depth_k.", "dimensionless", "assumption; Naim 2009, literature §7")
    heterogeneity_penalty: float = _p(2.0, 0, 50, "eta in depth D_k = depth_k / (1 + eta * Var(x) of engaged members) (breadth-depth trade-off).", "per alignment variance", "assumption; Cihon, Maas & Kemp 2020")
    engaged_threshold: float = _p(0.05, 0, 1, "Engagement above which a country counts as engaged in a forum (indices, patterns).", "engagement units")

    @field_validator("open_producers")
    @classmethod
    def _delays_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {code: delay for code, delay in value.items() if not 0 <= delay <= 10}
        if bad:
            raise ValueError(f"delays {bad} must lie in [0, 10] years")
        return value


class Enlargement(Strict):
    """Who an expanding club admits and who applies to it (govsim/enlargement.py; docs/ODD.md §7.7)."""

    regional_weight: float = _p(1.0, 0, 20, "Weight the members give a candidate's regional weight, its share of its World Bank region's GDP plus its share of the region's population, when they rank accepted applicants.", "score per unit share", "de Carvalho (SAIIA), quoted by EIR, Aug 2023: candidates 'play an important regional role and have rapidly developing economies and huge populations'; value an assumption, chosen with the other weights to match the 2024-2025 record (govsim/data/brics_record.csv)")
    alignment_weight: float = _p(0.2629, 0, 20, "Weight the members give a candidate's alignment distance |x_a - x_k| to the club position when they rank accepted applicants (closer ranks higher).", "score per alignment unit", "assumption, chosen to match the 2024-2025 record; Kazan declaration 2024 ('balance', 'effectiveness')")
    sanctions_weight: float = _p(0.0512, 0, 20, "Score the members add for a candidate's sanctions exposure (export-control Tier 3, or the share of its compute demand caps block) when they rank accepted applicants.", "score per unit exposure", "assumption, chosen to match the 2024-2025 record (Iran, Belarus, Cuba among the entrants)")
    partner_alignment_weight: float = _p(0.4173, 0, 20, "As alignment_weight, when the members rank accepted applicants for the partner tier (partners have no vote: the club takes close friends rather than regional weight).", "score per alignment unit", "assumption, chosen to match the Kazan partners (Belarus, Bolivia, Cuba, Kazakhstan, Uzbekistan, Vietnam among them); Putin at Kazan, 23 Oct 2024: 'maintain a balance and avoid a loss of effectiveness' (Sputnik Afrique)")
    apply_sanctions: float = _p(0.1, 0, 20, "Utility a country adds to its joining gain for its sanctions exposure when it decides whether to apply (a way round sanctions and the dollar system).", "utility per unit exposure", "assumption; motives named for the 2023-2024 applicants (sanctions, de-dollarisation)")
    apply_finance: float = _p(0.1, 0, 20, "Utility a country adds to its joining gain per unit of development-finance need, (3 - income group)/3 (1 low income, 0 high income), when it decides whether to apply (the New Development Bank).", "utility per unit need", "assumption; Sri Lanka applied to BRICS and the NDB together (TASS, 14 Oct 2024)")
    decline_below: float = _p(0.05, -20, 20, "Joining gain (in the logit option value, never negative) below which an invited applicant declines the invitation (Argentina, December 2023).", "utility", "assumption: as membership.apply_threshold, a country declines when joining no longer pays what would make it apply")


class Behaviour(Strict):
    """All behaviour parameters, grouped by submodel."""

    decision: Decision = Field(default_factory=Decision, description="Forum-choice utility and logit allocation.")
    budget: Budget = Field(default_factory=Budget, description="Diplomatic capacity.")
    membership: Membership = Field(default_factory=Membership, description="Club membership transitions.")
    dynamics: Dynamics = Field(default_factory=Dynamics, description="State dynamics.")
    enlargement: Enlargement = Field(default_factory=Enlargement, description="Who an expanding club admits and who applies.")
