"""Build the country tables shipped in ``govsim/data/`` from the reference data.

Run by hand from anywhere::

    python experiments/data/build_world_table.py [--shared PATH]

``PATH`` defaults to ``../shared/reference-data`` relative to the repository
root.  The script writes two files, both sorted by ``iso3`` with floats printed
to 6 significant digits, so re-running it on the same inputs gives
byte-identical output:

* ``govsim/data/world_un193.csv``        (facts / CC BY 4.0 / public-domain inputs)
* ``govsim/data/readiness_gairi2024.csv`` (Oxford Insights GAIRI 2024, CC BY-SA 4.0)

The readiness score is kept in its own file because of its share-alike licence.
Every imputation rule applied here is documented in ``govsim/data/README.md``;
keep the two in sync.

Reading ``economy/wb_OGHIST_income_history.xlsx`` needs ``openpyxl`` (only for
this build script, never for the ``govsim`` package).  Without it, Venezuela's
income group falls back to ``upper_middle`` and a message says so.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "reference-data"
OUT_DIR = REPO_ROOT / "govsim" / "data"

UNGA_TARGET_YEAR = 2022  # last full year before the model's 2023 start
POPULATION_YEAR = 2024

INCOME_LABELS = {
    "Low income": "low",
    "Lower middle income": "lower_middle",
    "Upper middle income": "upper_middle",
    "High income": "high",
}
OGHIST_CODES = {"L": "low", "LM": "lower_middle", "UM": "upper_middle", "H": "high"}
VENEZUELA_FALLBACK_INCOME = "upper_middle"

# Dates from SOURCES.md (membership section); the sets are checked against the
# curated membership file in ``add_brics``.
BRICS_MEMBER_SINCE = {
    "BRA": "2009-06", "RUS": "2009-06", "IND": "2009-06", "CHN": "2009-06",
    "ZAF": "2010-12",
    "EGY": "2024-01", "ETH": "2024-01", "IRN": "2024-01", "ARE": "2024-01",
    "IDN": "2025-01",
}
BRICS_PARTNER_SINCE = {
    "BLR": "2025-01", "BOL": "2025-01", "KAZ": "2025-01", "CUB": "2025-01",
    "MYS": "2025-01", "THA": "2025-01", "UGA": "2025-01", "UZB": "2025-01",
    "NGA": "2025-01",
    "VNM": "2025-06",
}

WORLD_COLUMNS = [
    "iso3", "name", "region", "m49_region",
    "population",
    "gdp_pc_usd", "gdp_pc_year",
    "income_group",
    "internet_pct", "internet_year",
    "top500_rmax_tflops",
    "notable_models_2023_2025",
    "unga_ideal_point", "unga_year",
    "g7", "g20", "oecd", "gpai_2023",
    "brics_member_since", "brics_partner_since",
    "export_tier_2025",
    "imputed",
]
FLOAT_COLUMNS = ["gdp_pc_usd", "internet_pct", "top500_rmax_tflops", "unga_ideal_point"]
INT_COLUMNS = [
    "population", "gdp_pc_year", "internet_year", "notable_models_2023_2025",
    "unga_year", "g7", "g20", "oecd", "gpai_2023", "export_tier_2025",
]


# --------------------------------------------------------------------------- io
def read_table(path: Path, sep: str = ",") -> pd.DataFrame:
    """Read a CSV/TSV keeping strings such as "NA" (Namibia) as text."""
    return pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""])


def format_float(x: float) -> str:
    """Print a float with 6 significant digits, positional (no exponent)."""
    return np.format_float_positional(
        float(x), precision=6, unique=False, fractional=False, trim="-"
    )


def write_csv(df: pd.DataFrame, path: Path, float_columns: list[str]) -> None:
    """Write ``df`` with fixed float formatting and Unix line endings."""
    out = df.copy()
    for col in float_columns:
        out[col] = out[col].map(format_float)
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# ------------------------------------------------------------------ imputation
def order_imputed(text: str) -> str:
    """Sort a ';'-joined list of imputed columns into table column order."""
    names = text.split(";")
    return ";".join(col for col in WORLD_COLUMNS if col in names)


def flag(df: pd.DataFrame, mask: pd.Series, column: str) -> None:
    """Record that ``column`` was imputed in the rows selected by ``mask``."""
    for idx in df.index[mask]:
        names = [n for n in df.at[idx, "imputed"].split(";") if n]
        df.at[idx, "imputed"] = ";".join(names + [column])


# ---------------------------------------------------------------- base columns
def load_base(shared: Path) -> pd.DataFrame:
    """UN member states with names and memberships from the curated file."""
    cur = read_table(shared / "membership" / "govsim_memberships_curated.csv")
    if len(cur) != 193 or cur["iso3"].duplicated().any():
        raise ValueError("curated membership file must list 193 unique UN members")
    df = pd.DataFrame({
        "iso3": cur["iso3"],
        "name": cur["name"],
        "g7": cur["g7"].astype(int),
        "g20": cur["g20"].astype(int),
        "oecd": cur["oecd"].astype(int),
        "gpai_2023": cur["gpai_member_pre_jul2024"].astype(int),
        "export_tier_2025": cur["ai_diffusion_tier_jan2025"].astype(int),
        "brics_status_2025": cur["brics_status_2025"],
    })
    df = df.sort_values("iso3").reset_index(drop=True)
    df["imputed"] = ""
    return df


def add_m49_region(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """UN M49 region (Africa/Americas/Asia/Europe/Oceania) from the HDX taxonomy."""
    hdx = read_table(shared / "countries" / "hdx_countries_territories_taxonomy.csv")
    hdx = hdx.dropna(subset=["ISO 3166-1 Alpha 3-Codes"])  # a few entries lack a code
    regions = hdx.set_index("ISO 3166-1 Alpha 3-Codes")["Region Name"]
    df["m49_region"] = df["iso3"].map(regions)
    return df


def add_wb_class(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """World Bank region and FY2025 income group (recoded to short labels)."""
    cls = read_table(shared / "economy" / "wb_income_class_fy2025.csv").set_index("Code")
    df["region"] = df["iso3"].map(cls["Region"])
    df["income_group"] = df["iso3"].map(cls["Income group"]).map(INCOME_LABELS)
    return df


def add_population(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """Population in ``POPULATION_YEAR`` (WDI SP.POP.TOTL)."""
    pop = read_table(shared / "economy" / "wb_population_datahub.csv")
    pop = pop[pop["Year"] == POPULATION_YEAR].set_index("Country Code")["Value"]
    df["population"] = df["iso3"].map(pop)
    return df


def add_gdp_pc(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """GDP per capita = GDP / population of the latest year that has both."""
    gdp = read_table(shared / "economy" / "wb_gdp_current_usd_datahub.csv")
    pop = read_table(shared / "economy" / "wb_population_datahub.csv")
    both = gdp.merge(pop, on=["Country Code", "Year"], suffixes=("_gdp", "_pop"))
    both = both.dropna(subset=["Value_gdp", "Value_pop"])
    latest = both.sort_values("Year").groupby("Country Code").tail(1).set_index("Country Code")
    df["gdp_pc_usd"] = df["iso3"].map(latest["Value_gdp"] / latest["Value_pop"])
    df["gdp_pc_year"] = df["iso3"].map(latest["Year"])
    return df


def add_internet(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """Latest share of individuals using the internet (ITU via OWID)."""
    net = read_table(shared / "ai_capability" / "owid_internet_users_share_itu.csv")
    value_col = "Individuals using the Internet (% of population)"
    net = net.dropna(subset=["Code", value_col])
    latest = net.sort_values("Year").groupby("Code").tail(1).set_index("Code")
    df["internet_pct"] = df["iso3"].map(latest[value_col])
    df["internet_year"] = df["iso3"].map(latest["Year"])
    return df


def add_derived_ai(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """Name-keyed sources, taken from the ISO3-matched derived file.

    TOP500 and Epoch AI list countries by name; the derived file already matched
    them to ISO3 (zero-filled where a country has no system / model).  The GAIRI
    total score is taken from there too and written to the separate readiness file.
    """
    der = read_table(shared / "derived" / "world_un193_merged.csv").set_index("iso3")
    df["top500_rmax_tflops"] = df["iso3"].map(der["top500_jun2025_rmax_tflops"])
    df["notable_models_2023_2025"] = df["iso3"].map(der["epoch_notable_models_2023_2025"])
    df["readiness"] = df["iso3"].map(der["gairi2024_total_score"])
    return df


def unga_source_code(iso3: str) -> str:
    """Voeten data codes Serbia as YUG (ccode 345) for all years."""
    return "YUG" if iso3 == "SRB" else iso3


def pick_unga_year(years: pd.Series) -> float:
    """Target year if present, else latest earlier year, else nearest later year."""
    if UNGA_TARGET_YEAR in set(years):
        return UNGA_TARGET_YEAR
    earlier = years[years < UNGA_TARGET_YEAR]
    if len(earlier):
        return earlier.max()
    if len(years):
        return years.min()
    return np.nan


def add_unga(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """UNGA ideal point (final-passage votes) for ``UNGA_TARGET_YEAR`` or nearest."""
    ip = pd.read_csv(shared / "alignment" / "voeten_unga_idealpoints_july2025.csv")
    ip = ip.dropna(subset=["iso3c", "idealpointfp"])
    values, years = [], []
    for iso3 in df["iso3"]:
        rows = ip[ip["iso3c"] == unga_source_code(iso3)]
        year = pick_unga_year(rows["year"])
        years.append(year)
        values.append(rows.loc[rows["year"] == year, "idealpointfp"].iloc[0]
                      if not np.isnan(year) else np.nan)
    df["unga_ideal_point"] = values
    df["unga_year"] = years
    flag(df, df["unga_year"].notna() & (df["unga_year"] != UNGA_TARGET_YEAR),
         "unga_ideal_point")
    return df


def add_brics(df: pd.DataFrame) -> pd.DataFrame:
    """BRICS member/partner dates; sets must agree with the curated file."""
    status = df.set_index("iso3")["brics_status_2025"]
    if set(status[status == "member"].index) != set(BRICS_MEMBER_SINCE):
        raise ValueError("BRICS member list disagrees with curated membership file")
    if set(status[status == "partner"].index) != set(BRICS_PARTNER_SINCE):
        raise ValueError("BRICS partner list disagrees with curated membership file")
    df["brics_member_since"] = df["iso3"].map(BRICS_MEMBER_SINCE).fillna("")
    df["brics_partner_since"] = df["iso3"].map(BRICS_PARTNER_SINCE).fillna("")
    return df


# ----------------------------------------------------------------- imputations
def oghist_last_income(shared: Path, iso3: str) -> tuple[str, str] | None:
    """Last World Bank classification of ``iso3`` in OGHIST, as (label, FY)."""
    sheet = pd.read_excel(shared / "economy" / "wb_OGHIST_income_history.xlsx",
                          sheet_name="Country Analytical History", header=None)
    fiscal_years = sheet.iloc[4]
    row = sheet[sheet[0] == iso3].iloc[0]
    for col in reversed(sheet.columns[2:]):
        code = row[col]
        if isinstance(code, str) and code.strip() in OGHIST_CODES:
            return OGHIST_CODES[code.strip()], str(fiscal_years[col])
    return None


def impute_income_group(df: pd.DataFrame, shared: Path) -> pd.DataFrame:
    """Missing FY2025 income group: last OGHIST classification (else upper_middle)."""
    missing = df["income_group"].isna()
    for idx in df.index[missing]:
        iso3 = df.at[idx, "iso3"]
        try:
            found = oghist_last_income(shared, iso3)
        except ImportError:
            found = None
            print(f"openpyxl not installed: {iso3} income group set to "
                  f"{VENEZUELA_FALLBACK_INCOME} (see README)")
        label = found[0] if found else VENEZUELA_FALLBACK_INCOME
        if found:
            print(f"{iso3}: income group from OGHIST {found[1]} = {label}")
        df.at[idx, "income_group"] = label
    flag(df, missing, "income_group")
    return df


def impute_gdp_pc(df: pd.DataFrame) -> pd.DataFrame:
    """Missing GDP pc: income-group median; year = latest donor year."""
    missing = df["gdp_pc_usd"].isna()
    for idx in df.index[missing]:
        donors = df[~missing & (df["income_group"] == df.at[idx, "income_group"])]
        df.at[idx, "gdp_pc_usd"] = donors["gdp_pc_usd"].median()
        df.at[idx, "gdp_pc_year"] = donors["gdp_pc_year"].max()
    flag(df, missing, "gdp_pc_usd")
    flag(df, missing, "gdp_pc_year")
    return df


MIN_DONORS = 3


def impute_readiness(df: pd.DataFrame) -> pd.DataFrame:
    """Missing readiness: median of the same income group in the same M49 region.

    Needs at least MIN_DONORS donors; otherwise the median of the whole M49 region
    (so Nauru and Palau are not scored like Australia and New Zealand).
    """
    missing = df["readiness"].isna()
    df["readiness_imputed"] = missing.astype(int)
    for idx in df.index[missing]:
        region = ~missing & (df["m49_region"] == df.at[idx, "m49_region"])
        donors = df[region & (df["income_group"] == df.at[idx, "income_group"])]
        if len(donors) < MIN_DONORS:
            donors = df[region]
        df.at[idx, "readiness"] = donors["readiness"].median()
    return df


def impute_unga(df: pd.DataFrame) -> pd.DataFrame:
    """Countries with no ideal point at all: median of the same M49 region."""
    missing = df["unga_ideal_point"].isna()
    for idx in df.index[missing]:
        donors = df[~missing & (df["m49_region"] == df.at[idx, "m49_region"])]
        df.at[idx, "unga_ideal_point"] = donors["unga_ideal_point"].median()
        df.at[idx, "unga_year"] = UNGA_TARGET_YEAR
    flag(df, missing, "unga_ideal_point")
    return df


# ---------------------------------------------------------------------- checks
def check_complete(df: pd.DataFrame, columns: list[str]) -> None:
    """Fail loudly if any required value is still missing."""
    gaps = df[columns].isna().sum()
    gaps = gaps[gaps > 0]
    if len(gaps):
        raise ValueError(f"missing values left after imputation:\n{gaps}")


# ------------------------------------------------------------------------ main
def build(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (world table, readiness table)."""
    df = load_base(shared)
    for step in (add_m49_region, add_wb_class, add_population, add_gdp_pc,
                 add_internet, add_derived_ai, add_unga):
        df = step(df, shared)
    df = add_brics(df)
    df = impute_income_group(df, shared)
    df = impute_gdp_pc(df)
    df = impute_readiness(df)
    df = impute_unga(df)
    df["imputed"] = df["imputed"].map(order_imputed)

    check_complete(df, WORLD_COLUMNS + ["readiness"])
    for col in INT_COLUMNS:
        df[col] = df[col].astype("int64")

    world = df[WORLD_COLUMNS]
    readiness = df[["iso3", "readiness", "readiness_imputed"]].rename(
        columns={"readiness_imputed": "imputed"})
    return world, readiness


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="reference-data directory (default: %(default)s)")
    return parser.parse_args()


def main() -> None:
    """Build both tables and write them to ``govsim/data/``."""
    args = parse_args()
    world, readiness = build(args.shared.resolve())
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_csv(world, OUT_DIR / "world_un193.csv", FLOAT_COLUMNS)
    write_csv(readiness, OUT_DIR / "readiness_gairi2024.csv", ["readiness"])
    print(f"wrote {len(world)} rows to {OUT_DIR / 'world_un193.csv'}")
    print(f"wrote {len(readiness)} rows to {OUT_DIR / 'readiness_gairi2024.csv'}")


if __name__ == "__main__":
    main()
