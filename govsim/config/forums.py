"""Forum definitions: membership rule, decision rule, costs and the goods a forum offers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from govsim.config.base import Period, Strict, period_to_year

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
    apply_radius: float = Field(2.0, ge=0, le=2, description="expanding_club only: largest alignment distance to the club position at which a country considers applying (2 = no limit); it must also be no nearer to another club's position (govsim/enlargement.py alignment_gate). Recorded applicants (recorded_applicants) pass no gate. Unit: alignment units. Range: [0, 2]. Source: assumption; for BRICS 0.95, just beyond the most Western-aligned 2024 applicant, Turkiye (distance ~0.91 in 2022 UNGA ideal points); no EU or NATO-aligned state applied.")
    partner_years: float = Field(1.0, ge=0, le=20, description="expanding_club only: years a partner waits before it can be admitted as a full member. Unit: years. Range: [0, 20]. Source: BRICS partner tier (Kazan 2024); assumption. BRICS: 2, as no partner of the tier's first year (2025) was promoted (govsim/data brics_status_2025).")
    max_admissions: int = Field(6, ge=0, le=1000, description="expanding_club without an enlargement_calendar only: most applicants admitted at one review (an expansion wave), as partners (as members before a partner tier). Unit: countries per review. Range: [0, 1000]. Source: BRICS 2024 wave admitted 4-6; assumption.")

    partner_tier_from: Period | None = Field(None, description="expanding_club only: the first period whose review admits partners; before it, admitted applicants become members at once and the club has no partner tier. None: a partner tier from the start. Source: BRICS created its partner tier at the Kazan summit, October 2024 (2024Q4); govsim/data/brics_record.csv.")
    enlargement_calendar: dict[int, tuple[int, int]] = Field(default_factory=dict, description="expanding_club only: the record's enlargement, calendar year -> [members, partners]: the most applicants the reviews of that year make members (seasoned partners promoted first) and partners. Empty: no record; max_admissions partners per review and every accepted seasoned partner promoted. Unit: countries per year. Range: [0, 1000]. Source: govsim/data/brics_record.csv. BRICS: 2023 [5, 0] (Johannesburg invited six, Argentina declined; Saudi Arabia counted), 2024 [1, 9] (Indonesia; Kazan's eight partners of January 2025 and Nigeria), 2025 [0, 1] (Vietnam; Rio admitted no member).")
    recorded_applicants: dict[int, list[str]] = Field(default_factory=dict, description="expanding_club only: recorded applications, year -> ISO3 codes. While the calendar runs, the recorded applicants of that year and earlier still outside the club are the pool the members choose from, and nobody else applies; after its last year applications are endogenous (see behaviour.enlargement). Codes absent from the world (e.g. a synthetic one) are ignored. Unit: ISO3 codes by year of application. Range: years in [1000, 9999]. Source: govsim/data/brics_record.csv (Pandor, 7 August 2023: 22 UN members; 2023-2024: Pakistan, Malaysia, Azerbaijan, Turkiye, Sri Lanka).")
    projected_partners: float = Field(0.0, ge=0, le=100, description="expanding_club with a calendar only: partners admitted per year after the calendar's last year (the quota accumulates and is rounded down at each review). Unit: countries per year. Range: [0, 100]. Source: assumption; BRICS 1, a club that said at Kazan it wants 'balance' and 'effectiveness' and admitted one partner in 2025.")
    projected_promotions: float = Field(0.0, ge=0, le=100, description="expanding_club with a calendar only: partners promoted to members per year after the calendar's last year (quota as for projected_partners; direct membership ends with the record). Unit: countries per year. Range: [0, 100]. Source: assumption; BRICS 0.5 (one promotion every other year: no partner was promoted in the tier's first year, 2025).")

    @field_validator("enlargement_calendar")
    @classmethod
    def _calendar_in_range(cls, value: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
        bad = {year: slots for year, slots in value.items() if not 1000 <= year <= 9999 or not all(0 <= n <= 1000 for n in slots)}
        if bad:
            raise ValueError(f"entries {str(bad)[:80]} must be year (1000-9999): [members, partners], each in [0, 1000]. Fix: e.g. 2024: [1, 9]")
        return value

    @field_validator("recorded_applicants")
    @classmethod
    def _years_in_range(cls, value: dict[int, list[str]]) -> dict[int, list[str]]:
        bad = [year for year in value if not 1000 <= year <= 9999]
        if bad:
            raise ValueError(f"year {bad[0]!r} is not a year in [1000, 9999]. Fix: e.g. 2023: [EGY, ETH]")
        return value

    @property
    def tier_year(self) -> float:
        """Calendar time from which the club admits partners (-inf: from the start)."""
        return period_to_year(self.partner_tier_from) if self.partner_tier_from is not None else float("-inf")

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


# The BRICS record 2023-2025 (govsim/data/brics_record.csv, its README): admissions per review year
# and the recorded applications by year (the Palestinian application is left out: not a UN member).
BRICS_CALENDAR = {2023: (5, 0), 2024: (1, 9), 2025: (0, 1)}
BRICS_APPLICANTS = {
    2023: ["DZA", "ARG", "BGD", "BHR", "BLR", "BOL", "CUB", "EGY", "ETH", "HND", "IDN", "IRN", "KAZ", "KWT", "MAR",
           "NGA", "SAU", "SEN", "THA", "ARE", "VEN", "VNM"],
    2024: ["PAK", "MYS", "AZE", "TUR", "LKA"],
}


def default_forums() -> dict[str, ForumSpec]:
    """The three built-in forums with their documented defaults."""
    return {
        "un": ForumSpec(rule="universal", cost=0.1, tech_access=0.1, depth=0.2),
        "g7": ForumSpec(rule="closed_club", cost=0.3, tech_access=0.5, depth=0.8, outreach_radius=0.9263),  # calibrated
        "brics": ForumSpec(rule="expanding_club", cost=0.25, tech_access=0.3, depth=0.5, apply_radius=0.95,
                           partner_years=2.0, partner_tier_from="2024Q4", enlargement_calendar=BRICS_CALENDAR,
                           recorded_applicants=BRICS_APPLICANTS, projected_partners=1.0, projected_promotions=0.5),
    }
