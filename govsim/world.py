"""Worlds: the countries a run starts from (real 193 UN members, a user CSV, or synthetic).

A :class:`World` is plain arrays. The real world reads the project's own data table
(``govsim/data``, see its README for sources and licences); memberships are taken as they
stood at the scenario's start date, so a 2023 start sees BRICS as its five founders.
A user's CSV table is read and checked cell by cell in :mod:`govsim.world_csv`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from govsim.config import ScenarioError
from govsim.config.scenario import Synthetic, World as WorldSpec
from govsim.codes import INCOME_GROUPS, INCOME_THRESHOLDS, MEMBER, NONE, PARTNER
from govsim.world_csv import OPTIONAL, REQUIRED, read_world_csv  # noqa: F401 -- REQUIRED/OPTIONAL: the CSV columns

# UNGA ideal points (Bailey, Strezhnev & Voeten 2017; 2022 values) of the two poles: x = +1 / -1.
IDEAL_POINT_USA, IDEAL_POINT_CHN = 2.1461, -1.35095
# Shares of world AI-supercomputer performance (Pilz, Sanders, Rahman & Heim 2025, May 2025).
PINNED_COMPUTE_SHARES = {"USA": 0.75, "CHN": 0.15}
# Synthetic readiness and internet use, linear in log10 GDP per capita (fitted to the real table).
READINESS_FIT = (0.472, 0.215)  # intercept at the mean, slope per log10 US$
INTERNET_FIT = (0.685, 0.352, 0.134)  # intercept, slope, residual sd
# Median ITU trend of logit(internet share) per year by income group (low .. high), for countries
# without their own trend (CSV and synthetic worlds): govsim/data/internet_trend.csv, its README.
INTERNET_SLOPE_BY_INCOME = (0.2231, 0.2152, 0.1962, 0.1682)


@dataclass(frozen=True)
class World:
    """Initial country attributes (length-N arrays) and the founding status in built-in clubs."""

    iso3: np.ndarray
    name: np.ndarray
    region: np.ndarray
    population: np.ndarray
    gdp_pc: np.ndarray
    income_group: np.ndarray
    internet: np.ndarray
    internet_slope: np.ndarray
    readiness: np.ndarray
    compute_share: np.ndarray
    alignment: np.ndarray
    tier: np.ndarray
    clubs: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        """Number of countries."""
        return self.iso3.size


def build_world(spec: WorldSpec, start_year: float, rng: np.random.Generator) -> World:
    """The world a scenario asks for, with memberships as of ``start_year``."""
    if spec.kind == "synthetic":
        return synthetic_world(spec.n, spec.synthetic, rng)
    if spec.kind == "real":
        return real_world(start_year)
    return world_from_table(read_world_csv(spec.path), start_year, pinned=False)


@lru_cache(maxsize=8)
def real_world(start_year: float) -> World:
    """The real world at ``start_year``, built once per process (its arrays are read-only)."""
    world = world_from_table(real_table(), start_year, pinned=True)
    for item in fields(world):
        value = getattr(world, item.name)
        for array in value.values() if isinstance(value, dict) else [value]:
            array.flags.writeable = False
    return world


def real_table() -> pd.DataFrame:
    """The shipped table of the 193 UN member states (with GAIRI 2024 readiness merged in)."""
    data = resources.files("govsim") / "data"
    main = pd.read_csv(data / "world_un193.csv", keep_default_na=False, na_values=[""])
    readiness = pd.read_csv(data / "readiness_gairi2024.csv", keep_default_na=False, na_values=[""])
    trend = pd.read_csv(data / "internet_trend.csv", keep_default_na=False, na_values=[""])
    main = main.merge(readiness[["iso3", "readiness"]], on="iso3", validate="one_to_one")
    return main.merge(trend[["iso3", "internet_logit_slope"]], on="iso3", validate="one_to_one")


def world_from_table(table: pd.DataFrame, start_year: float, pinned: bool) -> World:
    """Arrays from a validated table; club status as of ``start_year``."""
    tier = table["export_tier_2025"].to_numpy(np.int8)
    g7 = table["g7"].to_numpy(bool)
    outreach = table[["oecd", "g20", "gpai_2023"]].to_numpy(bool).any(axis=1) & ~g7 & (tier != 3)
    member = _since(table["brics_member_since"]) <= start_year
    partner = (_since(table["brics_partner_since"]) <= start_year) & ~member
    slope = _internet_slope(table)
    return World(
        iso3=table["iso3"].to_numpy(str).astype(object),
        name=table["name"].replace("", np.nan).fillna(table["iso3"]).to_numpy(object),
        region=table["region"].to_numpy(object),
        population=table["population"].to_numpy(float),
        gdp_pc=table["gdp_pc_usd"].to_numpy(float),
        income_group=table["income_group"].map(INCOME_GROUPS.index).to_numpy(np.int8),
        internet=_internet_at(table, slope, start_year),
        internet_slope=slope,
        readiness=table["readiness"].to_numpy(float) / 100,
        compute_share=data_compute_share(table, pinned),
        alignment=rescale_ideal_points(table["unga_ideal_point"].to_numpy(float)),
        tier=tier,
        clubs={"g7": _status(g7, outreach), "brics": _status(member, partner)},
    )


def _internet_slope(table: pd.DataFrame) -> np.ndarray:
    """Each country's ITU trend, never negative (the few falling series are breaks in national
    statistics, govsim/data/README.md); where the table has none, the median of its income group."""
    given = pd.to_numeric(table["internet_logit_slope"], errors="coerce").to_numpy(float)
    median = np.array(INTERNET_SLOPE_BY_INCOME)[table["income_group"].map(INCOME_GROUPS.index).to_numpy(int)]
    return np.maximum(np.where(np.isfinite(given), given, median), 0.0)


def _internet_at(table: pd.DataFrame, slope: np.ndarray, start_year: float) -> np.ndarray:
    """Internet use at the start: the latest value moved along its trend from the middle of its data
    year (ITU figures are annual) to the start; where no data year is given, the value is the start's."""
    share = table["internet_pct"].to_numpy(float) / 100
    year = pd.to_numeric(table["internet_year"], errors="coerce").to_numpy(float)
    years = np.where(np.isfinite(year), np.maximum(start_year - (year + 0.5), 0.0), 0.0)
    return along_logit_trend(share, slope * years)


def along_logit_trend(share: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``share`` moved by ``shift`` in logit space (an ITU-style S-curve); 0 and 1 stay where they are
    (the loops of govsim/frontier.py, compiled with numba: imported when first used)."""
    from govsim.frontier import along_trend

    return along_trend(share, shift, 1.0, 1.0)


def data_compute_share(table: pd.DataFrame, pinned: bool) -> np.ndarray:
    """Initial compute shares: mean of TOP500 Rmax and notable-model shares; USA/CHN pinned if real."""
    proxy = 0.5 * _share(table["top500_rmax_tflops"]) + 0.5 * _share(table["notable_models_2023_2025"])
    if not pinned:
        return proxy
    fixed = table["iso3"].map(PINNED_COMPUTE_SHARES).to_numpy(float)
    rest = np.where(np.isnan(fixed), proxy, 0.0)
    rest = rest / rest.sum() * (1 - np.nansum(fixed)) if rest.sum() > 0 else rest
    return np.where(np.isnan(fixed), rest, fixed)


def rescale_ideal_points(points: np.ndarray) -> np.ndarray:
    """Map UNGA ideal points to alignment x in [-1, 1]: the US at +1, China at -1."""
    mid, half = (IDEAL_POINT_USA + IDEAL_POINT_CHN) / 2, (IDEAL_POINT_USA - IDEAL_POINT_CHN) / 2
    return np.clip((points - mid) / half, -1.0, 1.0)


def synthetic_world(n: int, p: Synthetic, rng: np.random.Generator) -> World:
    """Draw ``n`` countries from the documented distributions in :class:`Synthetic`."""
    log_gdp = rng.normal(p.gdp_pc_log10_mean, p.gdp_pc_log10_sd, n)
    centred = log_gdp - p.gdp_pc_log10_mean
    population = 10 ** rng.normal(p.population_log10_mean, p.population_log10_sd, n)
    readiness = np.clip(READINESS_FIT[0] + READINESS_FIT[1] * centred + rng.normal(0, p.readiness_noise_sd, n), 0.05, 1.0)
    internet = np.clip(INTERNET_FIT[0] + INTERNET_FIT[1] * centred + rng.normal(0, INTERNET_FIT[2], n), 0.01, 1.0)
    alignment = np.clip(rng.normal(p.alignment_mean + p.alignment_income_slope * centred, p.alignment_sd), -1, 1)
    gdp_pc = 10**log_gdp
    gdp = gdp_pc * population
    g7 = _top(gdp, alignment >= np.quantile(alignment, 0.8), p.n_g7)
    brics = _top(gdp, (alignment <= np.quantile(alignment, 0.4)) & ~g7, p.n_brics)
    tier = np.full(n, 2, np.int8)
    tier[alignment <= np.quantile(alignment, p.tier3_share)] = 3
    tier[(alignment >= np.quantile(alignment, 1 - p.tier1_share)) | g7] = 1
    outreach = (gdp_pc > INCOME_THRESHOLDS[2]) & (alignment > 0) & ~g7 & (tier != 3)
    codes = np.array([f"S{i:05d}" for i in range(n)], dtype=object)
    weight = gdp * readiness**6
    income = np.searchsorted(INCOME_THRESHOLDS, gdp_pc).astype(np.int8)
    return World(codes, codes.copy(), np.full(n, "synthetic", dtype=object), population, gdp_pc,
                 income, internet, np.array(INTERNET_SLOPE_BY_INCOME)[income], readiness,
                 weight / weight.sum(), alignment, tier,
                 {"g7": _status(g7, outreach), "brics": _status(brics, np.zeros(n, bool))})


def _top(values: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Bool mask of the k largest ``values`` among ``mask``."""
    chosen = np.zeros(values.size, bool)
    candidates = np.flatnonzero(mask)
    chosen[candidates[np.argsort(-values[candidates], kind="stable")[:k]]] = True
    return chosen


def _status(member: np.ndarray, partner: np.ndarray) -> np.ndarray:
    return np.where(member, MEMBER, np.where(partner, PARTNER, NONE)).astype(np.int8)


def _share(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(float)
    return values / values.sum() if values.sum() > 0 else np.full(values.size, 1.0 / values.size)


def _since(column: pd.Series) -> np.ndarray:
    """'YYYY-MM' dates as fractional years; blank means never (inf)."""
    text = column.fillna("").astype(str).str.strip()
    parts = text.str.extract(r"^(\d{4})-(\d{2})$").astype(float)
    bad = (text != "") & parts[0].isna()
    if bad.any():
        raise ScenarioError(f"world table: date {text[bad].iloc[0]!r} in column {column.name!r} is not 'YYYY-MM' (or empty for never)")
    return (parts[0] + (parts[1] - 1) / 12).fillna(np.inf).to_numpy(float)
