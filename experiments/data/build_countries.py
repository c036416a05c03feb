"""Build govsim/data/countries.csv: the 193 UN members' names, regions, income group and a point.

Reads the reference-data snapshot (/work/shared/reference-data, see its SOURCES.md):
- derived/world_un193_merged.csv for name, World Bank region, M49 region and sub-region, and the
  World Bank FY2025 income group (the same values as govsim/data/world_un193.csv);
- the latitude and longitude in that file come from the OCHA HDX Countries & Territories
  Taxonomy (hdx-python-country 4.2.5, MIT licence). Tuvalu's longitude (181.09 in the source)
  is wrapped into [-180, 180].

Usage: python experiments/data/build_countries.py [REFERENCE_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = {"iso3": "iso3", "name": "name", "wb_region": "region", "m49_region": "m49_region",
           "m49_subregion": "m49_subregion", "lat": "latitude", "lon": "longitude"}


def build(reference: Path) -> pd.DataFrame:
    merged = pd.read_csv(reference / "derived" / "world_un193_merged.csv")
    table = merged[list(COLUMNS)].rename(columns=COLUMNS)
    world = pd.read_csv(ROOT / "govsim" / "data" / "world_un193.csv", usecols=["iso3", "income_group"])
    table = table.merge(world, on="iso3", how="inner", validate="one_to_one")
    table["longitude"] = ((table["longitude"] + 180.0) % 360.0) - 180.0
    table[["latitude", "longitude"]] = table[["latitude", "longitude"]].round(4)
    if len(table) != 193 or table.isna().any().any():
        raise SystemExit(f"expected 193 complete rows, got {len(table)} with gaps in {table.columns[table.isna().any()].tolist()}")
    order = ["iso3", "name", "region", "income_group", "m49_region", "m49_subregion", "latitude", "longitude"]
    return table[order].sort_values("iso3").reset_index(drop=True)


if __name__ == "__main__":
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/reference-data")
    out = ROOT / "govsim" / "data" / "countries.csv"
    build(reference).to_csv(out, index=False)
    print(f"wrote {out}")
