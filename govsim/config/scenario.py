"""The scenario: time axis, world, forums, behaviour, shocks and seed, validated as a whole."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from govsim.config import rules
from govsim.config.base import Period, Slug, Strict, period_to_year
from govsim.config.behaviour import Behaviour
from govsim.config.forums import ForumSpec, default_forums
from govsim.config.shocks import (CapacityBuilding, EnlargementPace, ExportControls, ForumChange, ForumReform, Interoperability,
                                  PublicGood, Shock)


class Time(Strict):
    """The simulated calendar."""

    start: Period = Field("2023Q1", description="First simulated period, 'YYYYQn' or 'YYYY'. Source: DESIGN §2 (default 2023Q1).")
    steps: int = Field(52, ge=1, le=2000, description="Number of steps to simulate. Unit: steps. Range: [1, 2000]. Default 52 quarters = 2023Q1-2035Q4.")
    step_years: Literal[0.25, 1.0] = Field(0.25, description="Length of one step: 0.25 (a quarter) or 1.0 (a year). Unit: years.")

    @model_validator(mode="after")
    def _quarter_needs_quarterly(self) -> "Time":
        if self.step_years == 1.0 and "Q" in self.start and not self.start.endswith("Q1"):
            raise ValueError(f"start={self.start!r}: annual steps start at the beginning of a year; use 'YYYY' or 'YYYYQ1'")
        return self


class Synthetic(Strict):
    """Distributions a synthetic world is drawn from (defaults fitted to the shipped real table)."""

    gdp_pc_log10_mean: float = Field(3.84, ge=2, le=6, description="Mean of log10 GDP per capita. Unit: log10 current US$. Range: [2, 6]. Source: fitted to govsim/data/world_un193.csv.")
    gdp_pc_log10_sd: float = Field(0.64, gt=0, le=2, description="Standard deviation of log10 GDP per capita. Unit: log10 US$. Range: (0, 2]. Source: fitted to the real table.")
    population_log10_mean: float = Field(6.81, ge=3, le=10, description="Mean of log10 population. Unit: log10 persons. Range: [3, 10]. Source: fitted to the real table.")
    population_log10_sd: float = Field(0.98, gt=0, le=3, description="Standard deviation of log10 population. Unit: log10 persons. Range: (0, 3]. Source: fitted to the real table.")
    alignment_mean: float = Field(-0.26, ge=-1, le=1, description="Mean alignment before clipping to [-1, 1]. Unit: alignment units (-1 China, +1 US). Range: [-1, 1]. Source: fitted to 2022 UNGA ideal points.")
    alignment_sd: float = Field(0.39, gt=0, le=2, description="Standard deviation of alignment. Unit: alignment units. Range: (0, 2]. Source: fitted to 2022 UNGA ideal points.")
    alignment_income_slope: float = Field(0.4, ge=-2, le=2, description="Increase of mean alignment per log10 of GDP per capita above the mean (richer states lean Western in UNGA votes). Unit: alignment units per log10 US$. Range: [-2, 2]. Source: fitted to the real table.")
    readiness_noise_sd: float = Field(0.10, ge=0, le=0.5, description="Noise of readiness around its income trend. Unit: readiness (0-1). Range: [0, 0.5]. Source: fitted to GAIRI 2024.")
    n_g7: int = Field(7, ge=1, le=50, description="Size of the closed club's founding membership: the richest, most Western-aligned countries. Unit: countries. Range: [1, 50]. Source: the G7's 7 members.")
    n_brics: int = Field(5, ge=1, le=50, description="Size of the expanding club's founding membership: the largest economies aligned with the other pole. Unit: countries. Range: [1, 50]. Source: the 5 BRICS founders (2010).")
    tier1_share: float = Field(0.09, ge=0, le=1, description="Share of countries in export-control Tier 1 (the most Western-aligned rich countries). Unit: share. Range: [0, 1]. Source: 18/193 in the Jan 2025 framework.")
    tier3_share: float = Field(0.11, ge=0, le=1, description="Share of countries in Tier 3 (the least Western-aligned). Unit: share. Range: [0, 1]. Source: 22/193 in the Jan 2025 framework.")


class World(Strict):
    """Which countries exist and their initial attributes."""

    kind: Literal["real", "synthetic", "csv"] = Field("real", description="'real': the 193 UN member states from govsim's data table; 'synthetic': n countries drawn from `synthetic`; 'csv': a user table with the same columns at `path`.")
    n: int | None = Field(None, ge=2, le=1_000_000, description="synthetic only: number of countries. Unit: countries. Range: [2, 1000000]. Source: user choice (193 = the UN).")
    path: str | None = Field(None, description="csv only: path of the world table (columns as in govsim/data/README.md).")
    synthetic: Synthetic = Field(default_factory=Synthetic, description="Distributions for synthetic worlds.")

    @model_validator(mode="after")
    def _kind_fields(self) -> "World":
        if self.kind == "synthetic" and self.n is None:
            raise ValueError("world.kind=synthetic needs world.n, the number of countries (e.g. world.n=1000)")
        if self.kind == "csv" and not self.path:
            raise ValueError("world.kind=csv needs world.path, the CSV file to load")
        if self.kind != "synthetic" and self.n is not None:
            raise ValueError(f"world.n is only used by synthetic worlds; remove it or set world.kind=synthetic (kind is {self.kind!r})")
        return self


class Scenario(Strict):
    """A complete, validated govsim scenario."""

    name: Slug = Field("custom", description="Scenario name (file stem when loaded from scenarios/), used in run ids and folder names: 1-64 letters, digits, '-', '_' or '.', not starting with '.'.")
    description: str = Field("", description="What the scenario represents and its real-world provenance.")
    seed: int = Field(0, ge=0, lt=2**63, description="Seed of the run's single numpy Generator, below 2^63 (the tables store it as a 64-bit integer). Range: [0, 9223372036854775808).")
    time: Time = Field(default_factory=Time, description="Calendar.")
    world: World = Field(default_factory=World, description="Countries.")
    forums: dict[str, ForumSpec] = Field(default_factory=default_forums, description="Forums by name; 'un', 'g7', 'brics' by default.")
    behaviour: Behaviour = Field(default_factory=Behaviour, description="Uncertain behaviour parameters.")
    shocks: dict[str, Shock] = Field(default_factory=dict, description="Policy levers scheduled over time, by name (a YAML list is accepted and keyed '0', '1', ...).")

    @field_validator("shocks", mode="before")
    @classmethod
    def _list_to_named(cls, value):
        return {str(i): shock for i, shock in enumerate(value)} if isinstance(value, (list, tuple)) else value

    @model_validator(mode="after")
    def _references_exist(self) -> "Scenario":
        rules.check(self)
        known = sorted(self.forums)
        for key, shock in self.shocks.items():
            for field, forum in _forum_refs(shock):
                if forum not in self.forums:
                    raise ValueError(f"shocks.{key}.{field} = {forum!r} is not a forum of this scenario; known forums: {known}")
        if not any(f.rule == "universal" for f in self.forums.values()):
            raise ValueError(f"at least one forum must be universal (like 'un'); forums: {known}")
        return self

    @property
    def end_year(self) -> float:
        """Calendar year at which the last step ends."""
        return period_to_year(self.time.start) + self.time.steps * self.time.step_years


def _forum_refs(shock) -> list[tuple[str, str]]:
    if isinstance(shock, ExportControls):
        return ([("penalised_forums", f) for f in shock.penalised_forums] + [("rival_forums", f) for f in shock.rival_forums]
                + [("penalised_parties", f) for f in shock.penalised_parties] + [("sanctioning_forum", shock.sanctioning_forum)])
    if isinstance(shock, (CapacityBuilding, PublicGood)):
        return [("provider", shock.provider)]
    if isinstance(shock, Interoperability):
        return [("forums", f) for f in shock.forums or []]
    if isinstance(shock, (ForumChange, ForumReform, EnlargementPace)):
        return [("forum", shock.forum)]
    return []
