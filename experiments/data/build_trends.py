"""Build ``govsim/data/internet_trend.csv`` and print the alignment-change bounds.

Run by hand from the repository root (the package never reads the reference data)::

    python experiments/data/build_trends.py [--shared PATH]

``PATH`` defaults to ``../shared/reference-data`` relative to the repository root.

1. **Internet trend** (issue 10, item 2: internet use evolves along its ITU
   trend). For each of the 193 UN members in ``govsim/data/world_un193.csv``,
   read the OWID/ITU series ``ai_capability/owid_internet_users_share_itu.csv``,
   keep the years in the 8-year window that ends at the country's latest year
   (``last - 7 .. last``), clip the shares to [0.01, 0.99], and fit
   ``logit(share) = a + b * year`` by least squares; ``b`` is
   ``internet_logit_slope`` (per year). A country with fewer than 4 points in its
   window gets the median slope of the fitted countries of its World Bank income
   group (``income_group`` of ``world_un193.csv``), marked
   ``imputed = income_group_median``. The script then prints the sanity check: the
   population-weighted share per income group in 2024, projected from each
   country's latest value (``internet_pct`` in year ``internet_year``, clipped the
   same way) along its slope.
2. **Alignment change** (bounds for export-control alienation). From
   ``alignment/voeten_unga_idealpoints_july2025.csv`` (Bailey, Strezhnev & Voeten),
   year-on-year changes of each UN member's ideal point over 2010-2023, divided
   by the half-range of govsim's rescaling (``govsim.world.rescale_ideal_points``:
   US 2022 at +1, China 2022 at -1), so they are in units of model alignment.
   Printed only; the numbers are copied into ``govsim/data/README.md``.

The CSV is sorted by ``iso3`` with floats at 6 significant digits, so re-running
on the same inputs gives byte-identical output. Keep the rules in sync with the
``internet_trend.csv`` section of ``govsim/data/README.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "reference-data"
DATA_DIR = REPO_ROOT / "govsim" / "data"

WINDOW_YEARS = 8  # the fit uses the last 8 calendar years of each country's series
MIN_POINTS = 4  # fewer points in the window -> income-group median slope
CLIP = (0.01, 0.99)  # shares clipped before the logit (0 % and 100 % have no logit)
CHECK_YEAR = 2024  # ITU Facts and Figures 2024: 27 % low income, 93 % high income
IMPUTE_RULE = "income_group_median"
INCOME_ORDER = ["low", "lower_middle", "upper_middle", "high"]

# govsim.world: IDEAL_POINT_USA, IDEAL_POINT_CHN (idealpointfp, 2022)
IDEAL_POINT_USA, IDEAL_POINT_CHN = 2.1461, -1.35095
HALF_RANGE = (IDEAL_POINT_USA - IDEAL_POINT_CHN) / 2
ALIGN_YEARS = (2010, 2023)  # idealpointall ends in 2023


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV keeping strings such as "NA" (Namibia) as text."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def format_float(x: float) -> str:
    """Print a float with 6 significant digits, positional (no exponent)."""
    return np.format_float_positional(float(x), precision=6, unique=False, fractional=False, trim="-")


def logit(share: np.ndarray) -> np.ndarray:
    """Log-odds of a share after clipping it to ``CLIP``."""
    p = np.clip(share, *CLIP)
    return np.log(p / (1 - p))


# ------------------------------------------------------------ internet trend
def fit_country(years: np.ndarray, pct: np.ndarray) -> dict:
    """Least-squares slope of logit(share) on year over the last ``WINDOW_YEARS`` years."""
    last = int(years.max())
    keep = years > last - WINDOW_YEARS
    y, x = logit(pct[keep] / 100), years[keep].astype(float)
    n = int(keep.sum())
    # rounding at 1e-10 only removes float noise (a flat series gives 0, not -4.7e-17)
    slope = np.round(np.polyfit(x, y, 1)[0], 10) + 0.0 if n >= MIN_POINTS else np.nan
    return {"internet_logit_slope": slope, "fit_first_year": int(x.min()),
            "fit_last_year": last, "fit_points": n}


def internet_trend(shared: Path, world: pd.DataFrame) -> pd.DataFrame:
    """One row per UN member: the fitted slope, its window, and the imputation flag."""
    owid = read_table(shared / "ai_capability" / "owid_internet_users_share_itu.csv")
    owid.columns = ["entity", "iso3", "year", "pct"]
    owid = owid.dropna(subset=["pct"])
    rows = []
    for iso3 in world["iso3"]:
        series = owid[owid["iso3"] == iso3]
        if series.empty:
            raise SystemExit(f"no OWID/ITU internet series for {iso3}")
        rows.append({"iso3": iso3, **fit_country(series["year"].to_numpy(), series["pct"].to_numpy())})
    trend = pd.DataFrame(rows)
    group = world.set_index("iso3").loc[trend["iso3"], "income_group"].to_numpy()
    medians = pd.Series(trend["internet_logit_slope"].to_numpy()).groupby(group).median()
    missing = trend["internet_logit_slope"].isna()
    trend.loc[missing, "internet_logit_slope"] = medians.loc[group[missing]].to_numpy()
    trend["imputed"] = np.where(missing, IMPUTE_RULE, "")
    return trend


def projected_share(world: pd.DataFrame, trend: pd.DataFrame, year: int) -> pd.Series:
    """Share in ``year`` along each country's slope from its latest observed value."""
    start = logit(world["internet_pct"].to_numpy() / 100)
    z = start + trend["internet_logit_slope"].to_numpy() * (year - world["internet_year"].to_numpy())
    return pd.Series(1 / (1 + np.exp(-z)), index=world.index)


def report_internet(world: pd.DataFrame, trend: pd.DataFrame) -> None:
    """Print imputations, slope medians and the population-weighted 2024 projection."""
    imputed = trend[trend["imputed"] != ""]
    print("imputed:", ", ".join(f"{r.iso3} ({r.fit_points} pts {r.fit_first_year}-{r.fit_last_year})"
                                for r in imputed.itertuples()))
    fitted = trend["imputed"] == ""
    share = projected_share(world, trend, CHECK_YEAR)
    now = np.clip(world["internet_pct"] / 100, *CLIP)
    pop = world["population"]
    print(f"{'group':13s} {'n_fit':>5s} {'median':>8s} {'latest_w':>8s} {'proj' + str(CHECK_YEAR):>8s}")
    for g in INCOME_ORDER + ["world"]:
        m = world["income_group"] == g if g != "world" else pd.Series(True, index=world.index)
        med = trend.loc[m & fitted, "internet_logit_slope"].median()
        w = pop[m] / pop[m].sum()
        print(f"{g:13s} {int((m & fitted).sum()):5d} {med:8.4f} {(w * now[m]).sum():8.3f} {(w * share[m]).sum():8.3f}")


# ---------------------------------------------------------- alignment change
def alignment_changes(shared: Path, members: set[str]) -> None:
    """Print percentiles of |year-on-year change| and of |3-year shift|, and the largest shifts.

    A 3-year shift is ``x(t) - x(t-3)``; it is *sustained* when the three yearly
    steps in it all have the same sign (a move, not a one-year blip that reverts).
    """
    raw = read_table(shared / "alignment" / "voeten_unga_idealpoints_july2025.csv")
    raw["iso3"] = raw["iso3c"].replace({"YUG": "SRB"})  # Serbia is coded YUG for all years
    first, last = ALIGN_YEARS
    raw = raw[raw["iso3"].isin(members) & raw["year"].between(first, last)]
    pct = [0.5, 0.9, 0.95, 0.99]
    for column in ["idealpointall", "idealpointfp"]:
        wide = raw.pivot(index="year", columns="iso3", values=column) / HALF_RANGE
        step = wide.diff()  # consecutive years only: the index holds every year
        shift3 = wide - wide.shift(3)
        same = (np.sign(step) == np.sign(step.shift(1))) & (np.sign(step) == np.sign(step.shift(2)))
        q1, q3 = step.abs().stack().quantile(pct), shift3.abs().stack().quantile(pct)
        print(f"{column} ({wide.shape[1]} countries, {first}-{last}, rescaled units):")
        print(f"  |yearly change| n={step.notna().sum().sum()} " + " ".join(
            f"p{int(k * 100)}={q1[k]:.3f}" for k in pct) + f" max={step.abs().max().max():.3f}")
        print(f"  |3-year shift|  n={shift3.notna().sum().sum()} " + " ".join(
            f"p{int(k * 100)}={q3[k]:.3f}" for k in pct))
        whole = (wide.loc[last] - wide.loc[first]).abs().dropna().quantile(pct)
        print(f"  |{first}-{last} change| " + " ".join(f"p{int(k * 100)}={whole[k]:.3f}" for k in pct))
        for label, table in [("largest 3-year shifts", shift3), ("largest sustained", shift3.where(same))]:
            top = table.abs().stack().dropna().sort_values(ascending=False).head(5)
            print(f"  {label}: " + ", ".join(
                f"{iso} {int(yr) - 3}-{int(yr)} {table.loc[yr, iso]:+.3f}" for (yr, iso) in top.index))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="reference-data folder")
    return parser.parse_args()


def main() -> None:
    """Write ``internet_trend.csv`` and print the sanity and alignment numbers."""
    shared = parse_args().shared.resolve()
    world = read_table(DATA_DIR / "world_un193.csv").sort_values("iso3", ignore_index=True)
    trend = internet_trend(shared, world)
    out = trend.copy()
    out["internet_logit_slope"] = out["internet_logit_slope"].map(format_float)
    out.to_csv(DATA_DIR / "internet_trend.csv", index=False, lineterminator="\n", encoding="utf-8")
    report_internet(world, trend)
    alignment_changes(shared, set(world["iso3"]))


if __name__ == "__main__":
    main()
