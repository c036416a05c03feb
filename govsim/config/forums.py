"""Forum definitions: membership rule, decision rule, costs and the goods a forum offers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from govsim.config.base import Period, Strict

ForumRule = Literal["universal", "closed_club", "expanding_club"]


class ForumSpec(Strict):
    """One governance forum (UN, G7, BRICS, or a user-defined one)."""

    rule: ForumRule = Field(description="Membership rule: 'universal' (every country a member, e.g. the UN), 'closed_club' (fixed members inviting outreach partners, e.g. the G7) or 'expanding_club' (applications, consensus admission, partner tier first, e.g. BRICS). Source: DESIGN §2; literature §7.")
    decision_rule: Literal["consensus"] = Field("consensus", description="How the forum decides; under consensus each member's normalised Banzhaf power is 1/n. Source: literature §3.3.")
    members: list[str] | None = Field(None, description="ISO3 codes of founding members. None: taken from the world table (g7 / brics columns) for the built-in forums; required for user-defined clubs. Ignored for universal forums.")
    partners: list[str] | None = Field(None, description="ISO3 codes of initial partners. None: from the world table for the built-in forums, otherwise none.")
    cost: float = Field(0.2, ge=0, le=5, description="Participation cost (staff, travel, negotiation). Unit: share of a full diplomatic budget. Range: [0, 5]. Source: assumption.")
    tech_access: float = Field(0.2, ge=0, le=1, description="Technology and compute access the forum offers to engaged members (trusted-partner status, shared infrastructure). Unit: share of the forum's pooled capability gap closed. Range: [0, 1]. Source: assumption; Nordhaus 2015 excludable club goods.")
    partner_access: float = Field(0.5, ge=0, le=1, description="Share of tech_access that partners (non-members) receive; partners have no vote. Unit: share. Range: [0, 1]. Source: assumption; literature §8c.")
    depth: float = Field(0.5, ge=0, le=1, description="Depth of the rules the forum can make when members agree (binding, detailed). Unit: dimensionless. Range: [0, 1]. Source: assumption; Cihon, Maas & Kemp 2020 breadth-depth trade-off.")
    outreach_radius: float = Field(0.8, ge=0, le=2, description="closed_club only: largest alignment distance to the club position at which an outreach partnership is offered. Unit: alignment units. Range: [0, 2]. Source: assumption.")
    outreach_min_capability: float = Field(0.25, ge=0, le=1, description="closed_club only: least standing (capability relative to the most capable country) a country needs to be offered an outreach partnership. Unit: share of the top capability. Range: [0, 1]. Source: assumption.")
    apply_radius: float = Field(2.0, ge=0, le=2, description="expanding_club only: largest alignment distance to the club position at which a country considers applying (2 = no limit). Unit: alignment units. Range: [0, 2]. Source: assumption; for BRICS 0.95, just beyond the most Western-aligned 2024 applicant, Turkiye (distance ~0.91 in 2022 UNGA ideal points); no EU or NATO-aligned state applied.")
    partner_years: float = Field(1.0, ge=0, le=20, description="expanding_club only: years a partner waits before it can be admitted as a full member. Unit: years. Range: [0, 20]. Source: BRICS partner tier (Kazan 2024); assumption. BRICS: 2, as no partner of the tier's first year (2025) was promoted (govsim/data brics_status_2025).")
    max_admissions: int = Field(6, ge=0, le=1000, description="expanding_club only: most applicants admitted at one review (an expansion wave). Unit: countries per review. Range: [0, 1000]. Source: BRICS 2024 wave admitted 4-6; assumption.")

    @model_validator(mode="after")
    def _universal_has_no_lists(self) -> "ForumSpec":
        if self.rule == "universal" and (self.members or self.partners):
            raise ValueError("a universal forum has every country as a member: remove 'members'/'partners'")
        if self.rule != "universal" and self.members == []:
            raise ValueError("members = []: a club needs at least one founding member. Fix: list ISO3 codes, or "
                             "leave members out to take them from the world table (built-in clubs)")
        return self

    launch: Period | None = Field(None, description="Clubs only: first period the forum exists, for a forum founded mid-run by a coalition (e.g. the World AI Cooperation Organization China proposed at WAIC, July 2025). Before it nobody can engage the forum, it has no authority, the indices leave it out, and its founders (`members`, required) cannot leave the clubs they belong to; at launch the founders become members (and `partners` partners) and the forum's rule applies from then on. None: the forum exists from the start. Unit: period, 'YYYYQn' or 'YYYY'. Range: from time.start (a launch after the run leaves the forum dormant, with a note). Source: scenario input (govsim/levers.py ForumLaunch).")

    @model_validator(mode="after")
    def _launch_needs_founders(self) -> "ForumSpec":
        if self.launch is not None and (self.rule == "universal" or self.members is None):
            raise ValueError(f"launch = {self.launch!r}: only a club with its founders listed can be launched mid-run. "
                             "Fix: set rule to closed_club or expanding_club and list the founders in members, or remove launch")
        return self


def default_forums() -> dict[str, ForumSpec]:
    """The three built-in forums with their documented defaults."""
    return {
        "un": ForumSpec(rule="universal", cost=0.1, tech_access=0.1, depth=0.2),
        "g7": ForumSpec(rule="closed_club", cost=0.3, tech_access=0.5, depth=0.8, outreach_radius=0.6044),  # calibrated
        "brics": ForumSpec(rule="expanding_club", cost=0.25, tech_access=0.3, depth=0.5, apply_radius=0.95,
                           partner_years=2.0),
    }
