"""Calibration and validation patterns (pattern-oriented modelling): targets, tolerances, model values.

Each pattern is an observed regularity of 2023-2025 with its source (DESIGN §4; literature
§8b), a tolerance band, and a function computing the model's value from one run's tables
(or, for data patterns, from the initial state). Hard patterns must hold for a calibrated
baseline; soft ones are reported and used to rank accepted parameter sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from govsim.config.scenario import Scenario
from govsim.dynamics import investment_shares
from govsim.phases import setup
from govsim.runner import ends_year
from govsim.world import rescale_ideal_points

# Frontier lags in years from the AI Index 2025 score gaps, at ~140 Chatbot Arena Elo points of frontier
# progress a year (top score ~1250 in Jan 2024, ~1390 in Feb 2025): 9.26% of ~1250 ~ 0.83 years,
# 1.70% of ~1390 ~ 0.17 years (patterns P16, P17). The conversion is an assumption; the bands are wide.
MEANINGFUL_COMPUTE = 0.001  # share of world AI compute above which a country "has meaningful compute" (assumption)


@dataclass(frozen=True)
class Pattern:
    """One observed regularity: what is measured, the accepted band, whether it must hold, and the source."""

    id: str
    name: str
    level: str  # S system, F forum, C country distribution
    target: str
    low: float
    high: float
    hard: bool
    source: str

    def holds(self, value: float) -> bool:
        return bool(self.low <= value <= self.high)


PATTERNS = (
    Pattern("P1", "share of countries party to no club forum, end 2024", "S", "118/193 = 0.611", 0.561, 0.661, True,
            "UN HLAB-AI (2024) Governing AI for Humanity: 118 of 193 party to none of 7 non-UN initiatives"),
    Pattern("P2", "share of countries engaged in the UN track, end 2024", "F", ">= 0.95 (near-universal)", 0.95, 1.0, True,
            "UNGA A/RES/78/265 and 78/311 adopted without a vote (2024), 143 co-sponsors"),
    Pattern("P3", "G7 track size (members + outreach partners), end 2024", "F", "49 (Hiroshima Process Friends Group)",
            39, 59, False, "MIC Japan / Hiroshima AI Process Friends Group (2024), 49 countries and regions"),
    Pattern("P4a", "BRICS members, end 2025", "F", "10", 8, 13, True,
            "BRICS Kazan declaration (Oct 2024); Indonesia admitted Jan 2025 (govsim/data brics_member_since)"),
    Pattern("P4b", "BRICS partner countries, end 2025", "F", "10", 5, 15, True,
            "BRICS partner tier: 8 in Jan 2025, Nigeria (Jan) and Vietnam (Jun 2025) (govsim/data brics_partner_since)"),
    Pattern("P4c", "share of the new BRICS members of January 2024 that the Johannesburg summit invited", "F",
            ">= 0.5 (invited: ARG, EGY, ETH, IRN, SAU, ARE)", 0.5, 1.0, True,
            "Johannesburg summit, Aug 2023; govsim/data/brics_record.csv"),
    Pattern("P4d", "share of the BRICS partners of January 2025 that Kazan invited as partners (or Indonesia)", "F",
            ">= 0.5 (13 invited at Kazan, Oct 2024, and Indonesia)", 0.5, 1.0, True,
            "Kazan summit, Oct 2024; govsim/data/brics_record.csv"),
    Pattern("P4e", "BRICS partners before the Kazan summit (most at any step before 2025)", "F",
            "0 (no partner tier before Oct 2024)", 0, 0, True, "Kazan summit, Oct 2024, created the partner tier"),
    Pattern("P4f", "new BRICS members at the 2025 review", "F", "0 (Rio, Jul 2025, admitted none)", 0, 0, True,
            "BRICS Rio summit, Jul 2025; govsim/data/brics_record.csv"),
    Pattern("P4g", "countries on the West side (initial UNGA ideal point > 0) other than the founders in BRICS, "
            "members or partners, at the run's end", "F", "0", 0, 0, True,
            "no EU, NATO or other Western-aligned state applied 2023-2025 (govsim/data/brics_record.csv); "
            "ideal points: Bailey, Strezhnev & Voeten 2017 (2022)"),
    Pattern("P4h", "Indonesia a BRICS member, end 2025 (1 yes, 0 no)", "F", "1 (member from Jan 2025)", 1, 1, False,
            "Brazil's BRICS presidency, 6 Jan 2025; govsim/data/brics_record.csv"),
    Pattern("P6a", "internet use in high-income countries (population-weighted), mid 2024", "C", "0.93", 0.90, 0.96, True,
            "ITU Facts and Figures 2024 (the model moves each country's latest ITU value along its trend)"),
    Pattern("P6b", "internet use in low-income countries (population-weighted), mid 2024", "C", "0.27", 0.24, 0.30, False,
            "ITU Facts and Figures 2024 (the model moves each country's latest ITU value along its trend)"),
    Pattern("P7a", "US share of AI compute, end 2025", "C", "0.75", 0.65, 0.85, True, "Pilz et al. 2025 (Epoch AI)"),
    Pattern("P7b", "China share of AI compute, end 2025", "C", "0.15", 0.10, 0.20, True, "Pilz et al. 2025 (Epoch AI)"),
    Pattern("P7c", "countries with >= 0.1% of world AI compute, end 2025", "C", "32 host AI data centres", 25, 40, True,
            "Oxford Internet Institute (2025); threshold 0.1% is an assumption"),
    Pattern("P10", "growth of world AI compute, x per year over 2023-2025", "S", "4-5x per year", 3.5, 5.5, False,
            "Epoch AI (Sevilla et al. 2022; 2024 update): frontier compute 4-5x per year"),
    Pattern("P12", "rank correlation of initial capability with AI readiness across countries", "C",
            ">= 0.7 (ready countries use more AI)", 0.7, 1.0, True,
            "Oxford Insights Government AI Readiness Index 2024 (the readiness data); threshold an assumption"),
    Pattern("P16", "China's lag behind the US frontier, end 2023 (years)", "C", "0.83 (Arena gap 9.26%, Jan 2024)", 0.5, 1.2, True,
            "Stanford AI Index 2025 (Chatbot Arena US-China gap); years at ~140 Elo/yr of frontier progress (assumption)"),
    Pattern("P17", "China's lag behind the US frontier, 2025Q1 (years)", "C", "0.17 (Arena gap 1.70%, Feb 2025)", 0.0, 0.45, True,
            "Stanford AI Index 2025 (Chatbot Arena US-China gap); years at ~140 Elo/yr of frontier progress (assumption)"),
    Pattern("P18", "lag of open-weight models behind the closed frontier, end 2025 (years)", "S", "0.29 (3.5 months)", 0.09, 0.44, True,
            "Epoch AI (Oct 2025): open weights trail by ~3.5 months (90% CI 1.1-5.3)"),
    Pattern("P19", "share of people using AI in high-income countries (population-weighted), end 2025", "C", "0.247", 0.20, 0.30, False,
            "Microsoft AI Economy Institute, Global AI Adoption in 2025 (Jan 2026): Global North 24.7% of the working-age "
            "population in H2 2025 (figure recalled, not checked in this workplace; North = high income here)"),
    Pattern("P20", "share of people using AI outside high-income countries (population-weighted), end 2025", "C", "0.141", 0.10, 0.18, False,
            "Microsoft AI Economy Institute, Global AI Adoption in 2025 (Jan 2026): Global South 14.1% in H2 2025 "
            "(figure recalled, not checked in this workplace)"),
    Pattern("P14", "US/China AI investment ratio, initial", "C", "8.6x (2023) to 11.7x (2024)", 8.0, 15.0, False,
            "Stanford AI Index 2024 and 2025: private AI investment US $67.2bn / $109.1bn vs China"),
)


def run_values(indices: pd.DataFrame, countries: pd.DataFrame, forums: pd.DataFrame, threshold: float) -> dict[str, float]:
    """Model values of the run-level patterns for one run (tables as in ``govsim.Results``)."""
    s24, s25, s23 = (_end_of(indices, y) for y in (2024, 2025, 2023))
    c24, c25 = countries[countries.step == s24], countries[countries.step == s25]
    share25 = c25.compute / c25.compute.sum()
    brics25, g7_24 = _forum(forums, s25, "brics"), _forum(forums, s24, "g7")
    first = countries[countries.step == 0]
    growth = (c25.compute.sum() / countries[countries.step == s23].compute.sum()) ** 0.5
    c23, cq1 = countries[countries.step == s23], countries[countries.step == _step_at(indices, 2025.25)]
    mid24 = countries[countries.step == _step_at(indices, 2024.5)]
    high25 = c25.income_group.astype(str) == "high"
    return {
        "P1": float(indices.loc[indices.step == s24, "none_share"].iloc[0]),
        "P2": float((c24.engagement_un >= threshold).mean()),
        "P3": float(g7_24.n_members + g7_24.n_partners),
        "P4a": float(brics25.n_members), "P4b": float(brics25.n_partners),
        **brics_record_values(indices, countries),
        "P7a": float(share25[c25.iso3 == "USA"].sum()), "P7b": float(share25[c25.iso3 == "CHN"].sum()),
        "P7c": float((share25 >= MEANINGFUL_COMPUTE).sum()),
        "P10": float(growth),
        "P12": float(spearmanr(first.capability, first.readiness).statistic),
        "P16": _china_lag(c23), "P17": _china_lag(cq1),
        "P18": float(indices.loc[indices.step == s25, "open_lag_years"].iloc[0]),
        "P6a": _internet(mid24, "high"), "P6b": _internet(mid24, "low"),
        "P19": _weighted(c25.adoption.to_numpy(), _pop(c25), high25.to_numpy()),
        "P20": _weighted(c25.adoption.to_numpy(), _pop(c25), ~high25.to_numpy()),
    }


INVITED_2023 = frozenset({"ARG", "EGY", "ETH", "IRN", "SAU", "ARE"})  # Johannesburg, Aug 2023
KAZAN_2024 = frozenset({"DZA", "BLR", "BOL", "CUB", "IDN", "KAZ", "MYS", "NGA", "THA", "TUR", "UGA", "UZB", "VNM"})
WEST_SIDE = float(rescale_ideal_points(np.array([0.0]))[0])  # alignment of a UNGA ideal point of 0


def brics_record_values(indices: pd.DataFrame, countries: pd.DataFrame) -> dict[str, float]:
    """Patterns P4c-P4h: who BRICS admitted and when, against the 2023-2025 record (identities, not counts)."""
    def inside(step: int, *statuses: str) -> set[str]:
        rows = countries[(countries.step == step) & countries.status_brics.astype(str).isin(statuses)]
        return set(rows.iso3)

    start, last = int(indices.step.iloc[0]), int(indices.step.iloc[-1])
    jan24, jan25, end25 = _end_of(indices, 2023), _end_of(indices, 2024), _end_of(indices, 2025)
    founders = inside(start, "member")
    new24, partners25 = inside(jan24, "member") - founders, inside(jan25, "partner")
    first = countries[countries.step == start]
    west = set(first.iso3[first.alignment.to_numpy(float) > WEST_SIDE]) - founders
    before = indices.step[_state_times(indices) < 2025.0 - 1e-9]  # states before 2025
    return {
        "P4c": len(new24 & INVITED_2023) / len(new24) if new24 else 0.0,
        "P4d": len(partners25 & (KAZAN_2024 | {"IDN"})) / len(partners25) if partners25 else 0.0,
        "P4e": float(max((len(inside(int(step), "partner")) for step in before), default=0)),
        "P4f": float(len(inside(end25, "member") - inside(jan25, "member"))),
        "P4g": float(len(inside(last, "member", "partner") & west)),
        "P4h": float("IDN" in inside(end25, "member")),
    }


def initial_values(scenario: Scenario) -> dict[str, float]:
    """Data patterns, measured on the state the model starts from (they must survive initialisation)."""
    _, _, state, _ = setup(scenario, np.random.default_rng(scenario.seed))
    shares = investment_shares(state, scenario.behaviour.dynamics)
    iso = list(state.iso3)
    return {
        "P14": float(shares[iso.index("USA")] / shares[iso.index("CHN")]),
    }


def report(per_run: pd.DataFrame, initial: dict[str, float]) -> pd.DataFrame:
    """The pattern table: target, band, ensemble mean and 90% interval over runs, pass or fail.

    ``per_run`` has one row per run and one column per run-level pattern id.
    """
    rows = []
    for p in PATTERNS:
        values = per_run[p.id].to_numpy(float) if p.id in per_run else np.array([initial[p.id]])
        mean = float(values.mean())
        rows.append({"id": p.id, "pattern": p.name, "level": p.level, "kind": "hard" if p.hard else "soft",
                     "target": p.target, "low": p.low, "high": p.high, "model": mean,
                     "q05": float(np.quantile(values, 0.05)), "q95": float(np.quantile(values, 0.95)),
                     "runs": len(values), "pass": p.holds(mean), "source": p.source})
    return pd.DataFrame(rows)


def _end_of(indices: pd.DataFrame, year: int) -> int:
    rows = indices[ends_year(indices, year)]
    if rows.empty:
        raise ValueError(f"the run does not reach the end of {year}; patterns need a run from 2023 to at least 2025")
    return int(rows.step.iloc[0])


def _step_at(indices: pd.DataFrame, year: float) -> int:
    """The step whose state is closest to calendar time ``year``."""
    return int(indices.step.iloc[int(np.argmin(np.abs(_state_times(indices) - year)))])


def _state_times(indices: pd.DataFrame) -> np.ndarray:
    """Calendar time of each row's state: the end of its period (``time`` is the period's start)."""
    starts = indices.time.to_numpy(float)
    return starts + np.diff(starts).min()


def _china_lag(countries: pd.DataFrame) -> float:
    lag = countries.set_index("iso3").lag_years
    return float(lag.get("CHN", np.nan) - lag.get("USA", np.nan))


def _internet(countries: pd.DataFrame, group: str) -> float:
    """Population-weighted internet use of an income group (its members at that step)."""
    return _weighted(countries.internet.to_numpy(), _pop(countries), (countries.income_group.astype(str) == group).to_numpy())


def _pop(countries: pd.DataFrame) -> np.ndarray:
    return countries.population.to_numpy(float)


def _forum(forums: pd.DataFrame, step: int, name: str) -> pd.Series:
    return forums[(forums.step == step) & (forums.forum == name)].iloc[0]


def _weighted(values: np.ndarray, weights: np.ndarray, mask: np.ndarray) -> float:
    return float(np.average(values[mask], weights=weights[mask])) if mask.any() else float("nan")


