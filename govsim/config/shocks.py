"""Policy levers: scheduled shocks, configured as a discriminated union on ``kind``."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from govsim.config.base import Period, Strict, period_to_year

IncomeGroup = Literal["low", "lower_middle", "upper_middle", "high"]
Share = Annotated[float, Field(ge=0, le=1)]


class ShockSpec(Strict):
    """Common timing of every shock: active from ``start`` until just before ``end``."""

    label: str | None = Field(None, description="Free-text name shown in outputs.")
    start: Period = Field(description="First period the shock is in force, 'YYYYQn' or 'YYYY'.")
    end: Period | None = Field(None, description="First period the shock is no longer in force (exclusive); None: until the run ends.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> "ShockSpec":
        if self.end is not None and period_to_year(self.end) <= period_to_year(self.start):
            raise ValueError(f"end ({self.end}) must come after start ({self.start}); end is the first period the shock is no longer in force")
        return self


class ExportControls(ShockSpec):
    """Tiered caps on AI-chip inflows (e.g. the US 'AI Diffusion' framework of Jan 2025)."""

    kind: Literal["export_controls"]
    caps: dict[int, float | None] = Field(
        default_factory=lambda: {1: None, 2: 0.0003, 3: 0.0},
        description="Cap on each tier's compute inflow per country. Unit: share of world compute investment per year; null = unrestricted. Range: [0, 1]. Source: BIS IFR 15 Jan 2025 (~50k GPUs per Tier-2 country over 2025-27; Tier 3 blocked) and literature §8c (the cap is ~0.1 of demand for large importers). The Tier-2 default 0.0003 keeps that bite: a tenth of the model's 2025 demand of the five largest Tier-2 buyers (in GPU terms the cap is ~0.3% of world supply, but the model does not reproduce the Gulf and Indian build-out plans).",
    )
    leakage: Share | dict[int, Share] = Field(0.3, description="Share of blocked demand that still arrives (smuggling, compliant downgraded chips, stockpiles, domestic accelerators), for every capped tier or per tier ({tier: share}, one for each capped tier). Where several controls cap a country, the strictest enforcement (the smallest leakage) holds. Unit: share. Range: [0, 1]. Source: assumption; the 2022 rules' Tier-3 value is calibrated (docs/calibration.md).")
    penalty: float = Field(0.25, ge=0, le=20, description="Utility penalty for a country of a penalised tier on engaging a penalised forum. Unit: utility. Range: [0, 20]. Source: assumption; Nordhaus 2015.")
    penalised_tiers: list[int] = Field(default_factory=lambda: [2], description="Tiers penalised for engaging the rival bloc's forums.")
    penalised_forums: list[str] = Field(default_factory=lambda: ["brics"], description="Forums whose engagement triggers the penalty.")
    sanctioning_forum: str = Field("g7", description="Forum whose members impose the controls: capped countries resent it and drift away from its position.")
    rival_forums: list[str] = Field(default_factory=lambda: ["brics"], description="Forums of the other bloc, where capped countries seek substitute technology (chips, cloud, open models).")
    substitution: float = Field(2.0, ge=0, le=20, description="Utility gain from each rival forum per unit of blocked compute demand ('push them towards the other bloc'). Unit: utility. Range: [0, 20]. Source: assumption; DESIGN §1.2.")
    resentment: float = Field(0.5, ge=0, le=20, description="Utility loss on the sanctioning forum per unit of blocked compute demand. Unit: utility. Range: [0, 20]. Source: assumption.")
    tier_overrides: dict[str, int] = Field(default_factory=dict, description="ISO3 -> tier, replacing the world table's export_tier for these countries.")
    api_delay: dict[int, float | None] = Field(default_factory=dict, description="Years added to the closed-API route to frontier models for a tier's countries (KYC rules for cloud providers, controls on closed model weights); null blocks the route (providers do not serve the country). The cloud capacity the tier's users can rent is cut to 1/(1 + delay) with it (0 when blocked). Unit: years. Range: [0, 10] or null. Source: BIS IFR 15 Jan 2025 (closed weights above 1e26 operations controlled outside Tier 1); OpenAI/Anthropic terms exclude China, Russia, Iran (2024); sizes are assumptions.")
    penalised_parties: list[str] = Field(default_factory=list, description="Forums whose members and partners are penalised too (on top of `penalised_tiers`), whatever their tier: lets a bloc discipline its own side (e.g. BRICS parties penalised for engaging the G7). Empty: penalties by tier only. The parties so penalised also drift away from the penalised forums' positions at speed dynamics.sanction_repulsion (bloc discipline; docs/ODD.md §7.13).")

    @model_validator(mode="after")
    def _tiers_valid(self) -> "ExportControls":
        bad = [t for t in [*self.caps, *self.api_delay, *self.penalised_tiers, *self.tier_overrides.values()] if t not in (1, 2, 3)]
        if bad:
            raise ValueError(f"tiers must be 1, 2 or 3; got {bad}")
        for tier, cap in self.caps.items():
            if cap is not None and not 0 <= cap <= 1:
                raise ValueError(f"caps.{tier} = {cap}: a cap is a share of world investment in [0, 1] (or null for none)")
        leaks = self.leakage if isinstance(self.leakage, dict) else {tier: self.leakage for tier in self.caps}
        missing = [t for t, cap in self.caps.items() if cap is not None and t not in leaks]
        if missing or any(t not in (1, 2, 3) for t in leaks):
            raise ValueError(f"leakage {self.leakage}: give one share for every capped tier {[t for t, c in self.caps.items() if c is not None]} (or one number for all)")
        for tier, delay in self.api_delay.items():
            if delay is not None and not 0 <= delay <= 10:
                raise ValueError(f"api_delay.{tier} = {delay}: a delay is in [0, 10] years (or null to block the route)")
        return self


class CapacityBuilding(ShockSpec):
    """Capability transfers to developing countries through a forum (A/RES/78/311; China's 2024 Action Plan)."""

    kind: Literal["capacity_building"]
    provider: str = Field(description="Forum that channels the programme (e.g. 'un', 'brics'); recipients must engage in it.")
    budget: float = Field(ge=0, le=100, description="Total transfer per year, shared equally by engaged recipients. Unit: skill points (0-1 scale of absorptive capacity, like readiness) per year summed over recipients; a recipient's skills H close the gap 1 - readiness and raise its adoption ceiling and speed. Range: [0, 100]. Source: assumption (no budget in the resolution text).")
    recipients: list[IncomeGroup] = Field(default_factory=lambda: ["low", "lower_middle"], description="Income groups eligible to receive.")


class OpenModels(ShockSpec):
    """An open-weights release: the open-weight route catches up with the frontier, know-how spreads
    faster, and cheap local deployment speeds adoption."""

    kind: Literal["open_models"]
    diffusion_multiplier: float = Field(2.0, ge=1, le=20, description="Multiplier on every country's know-how diffusion and adoption speed while in force (cheap weights, local adaptation). Unit: x. Range: [1, 20]. Source: assumption; Pilz, Heim & Brown 2023 access effect; AI Index 2025 (inference cost of GPT-3.5-level models fell ~280x, Nov 2022-Oct 2024).")
    lag_cut: float = Field(0.25, ge=0, le=10, description="Years the release takes off the open-weight route's lag behind the frontier while in force. Unit: years. Range: [0, 10]. Source: assumption (DeepSeek-R1, Jan 2025, matched a closed model released ~4 months earlier; Epoch AI 2025: open weights trail by ~3.5 months).")


class ForumChange(ShockSpec):
    """A change of membership at ``start`` that holds until ``end``: admission or withdrawal."""

    kind: Literal["forum_change"]
    forum: str = Field(description="Forum whose membership changes.")
    action: Literal["admit", "withdraw"] = Field(description="'admit' gives the countries `status`; 'withdraw' removes their status.")
    countries: list[str] = Field(min_length=1, description="ISO3 codes of the countries concerned.")
    status: Literal["member", "partner"] = Field("member", description="Status given on admission.")


class ForumReform(ShockSpec):
    """A reform of one forum's rules from ``start`` until ``end``: deeper (more authority), more technology access, cheaper participation.

    The forum's depth is multiplied, its technology access raised and its participation cost
    multiplied while the shock is in force; the rules return to their values at ``end``. Since
    authority A_k ~ pool_k^phi * D_k, the depth multiplier is also the multiplier of the forum's
    authority before normalisation (e.g. a UN Scientific Panel and Global Dialogue, A/RES/79/325).
    """

    kind: Literal["forum_reform"]
    forum: str = Field(description="Forum whose rules change.")
    depth_multiplier: float = Field(1.0, ge=0, le=10, description="Multiplier on the forum's depth (and so on its authority before normalisation, and on the weight of alignment distance in it) while in force; the result is capped at 1. Unit: x. Range: [0, 10]. Source: assumption; Cihon, Maas & Kemp 2020 breadth-depth trade-off.")
    tech_access_increment: float = Field(0.0, ge=-1, le=1, description="Added to the forum's technology access while in force (shared knowledge, assessments, compute); the result is kept in [0, 1]. Unit: share of the forum's pooled capability gap closed. Range: [-1, 1]. Source: assumption; Pilz, Heim & Brown 2023 access effect.")
    cost_multiplier: float = Field(1.0, ge=0, le=10, description="Multiplier on the forum's participation cost while in force (e.g. support for delegations of developing countries); the result is capped at 5. Unit: x. Range: [0, 10]. Source: assumption; HLAB 2024 (low capacity to participate).")


class Interoperability(ShockSpec):
    """Interoperable governance frameworks (mutual recognition of assessments, reporting and standards):
    a country that engages in one of the listed forums pays less to engage in each other one."""

    kind: Literal["interoperability"]
    cost_cut: float = Field(0.5, ge=0, le=1, description="Share by which the participation cost of a listed forum falls for a country that engages in at least one other listed forum (what it does for one framework counts towards the others). Unit: share of the forum's cost. Range: [0, 1]. Source: assumption; the aim stated by the G7 Digital and Tech Ministers (Takasaki, 30 Apr 2023: 'interoperability between AI governance frameworks'), the UN HLAB-AI Interim Report (Dec 2023, p. 20) and seed 004.")
    forums: list[str] | None = Field(None, description="Forums whose frameworks recognise each other (at least two); None: every forum of the scenario.")
    convergence: float = Field(0.25, ge=0, le=1, description="Share of the way each listed forum's norm position moves, while in force, towards the listed forums' mean position (weighted by their pools): recognised frameworks align terms, risk categories and reporting, so the norms a country must reconcile when it engages several of them lie closer together. 0: recognition of costs only. Unit: share. Range: [0, 1]. Source: assumption; OECD (2023) 'Common guideposts to promote interoperability in AI risk management' (OECD Digital Economy Papers 359) maps frameworks onto shared terms; the G7 Hiroshima AI Process reporting framework (2025) was built with the OECD.")
    min_engagement: float = Field(0.05, ge=0, le=1, description="Engagement in another listed forum (last period's) from which a country counts as engaging in it. Unit: engagement units (share of a full diplomatic budget). Range: [0, 1]. Source: assumption, the default of dynamics.engaged_threshold.")

    @model_validator(mode="after")
    def _two_frameworks(self) -> "Interoperability":
        if self.forums is not None and len(set(self.forums)) < 2:
            raise ValueError(f"forums = {self.forums[:5]}: interoperability needs at least two forums. Fix: list two or more, or leave forums out for all")
        return self


class PublicGood(ShockSpec):
    """AI as an international public good offered through a forum (e.g. the UN): open models, tools and
    shared infrastructure reach the countries that engage in it, in proportion to their engagement."""

    kind: Literal["public_good"]
    provider: str = Field("un", description="Forum that offers the public good (e.g. 'un'); a country benefits in proportion to the share of its diplomatic budget it engages there.")
    lag_cut: float = Field(0.25, ge=0, le=10, description="Years taken off the open-weight route's lag for a country that engages its whole budget in the provider forum (less in proportion to a smaller share): open models, hosting and fine-tuning offered as a public good. Unit: years. Range: [0, 10]. Source: assumption, the size of the open_models lever's lag cut; UN Global Digital Compact (A/RES/79/1 annex, Sept 2024: digital public goods incl. open AI models).")
    adoption_boost: float = Field(1.0, ge=0, le=20, description="Rise of the adoption speed at full engagement in the provider forum: speed x (1 + adoption_boost x share of budget engaged). Unit: dimensionless multiplier. Range: [0, 20]. Source: assumption; A/RES/78/311 (July 2024, capacity building) and the Global Digital Compact.")
    appeal: float = Field(0.5, ge=0, le=20, description="Utility the offer adds to the provider forum for a country of zero standing, falling linearly to 0 for the most capable country (those further from the frontier value access more). Unit: utility. Range: [0, 20]. Source: assumption; seed 001 (Global South demand for AI public goods).")


class EnlargementPace(ShockSpec):
    """An expanding club changes how many countries it admits a year, after its recorded calendar:
    its partner and promotion quotas (``projected_partners``, ``projected_promotions``) are replaced
    while in force; who is admitted is still the members' political choice (govsim/enlargement.py)."""

    kind: Literal["enlargement_pace"]
    forum: str = Field("brics", description="The expanding club whose admissions change.")
    partners_per_year: float = Field(1.0, ge=0, le=20, description="Partners admitted per year while in force (replaces projected_partners; the quota accumulates and is rounded down at each review). Unit: countries per year. Range: [0, 20]. Source: assumption; the record's range: 0 (2025, Rio: no new members) to 9 partners accepted after Kazan (2024, 13 invited).")
    promotions_per_year: float = Field(0.5, ge=0, le=10, description="Partners promoted to members per year while in force (replaces projected_promotions). Unit: countries per year. Range: [0, 10]. Source: assumption; 5 members joined in 2024, none in 2025.")


Shock = Annotated[Union[ExportControls, CapacityBuilding, OpenModels, ForumChange, ForumReform, Interoperability, PublicGood,
                        EnlargementPace],
                  Field(discriminator="kind")]
