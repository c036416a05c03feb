"""Build govsim/data/world_110m.geojson: Natural Earth 110m admin-0 shapes for offline world maps.

Source: the Natural Earth 1:110m admin-0 countries (public domain) that the PyPI wheel
``pyogrio==0.13.0`` ships as a test fixture (``pyogrio/tests/fixtures/naturalearth_lowres/``, a
shapefile with the fields pop_est, continent, name, iso_a3, gdp_md_est). The wheel is only read
as a zip file; nothing is installed from it. The shapefile is read with pyshp (pure Python),
imported if present, otherwise installed with ``pip install --target`` into a temporary folder
that is deleted afterwards: pyshp is a build-time tool, not a govsim dependency.

What the build changes, and why (see govsim/data/README.md):
- ``iso_a3 = -99`` is replaced by name: France -> FRA and Norway -> NOR (UN members);
  Somaliland -> SOM and N. Cyprus -> CYP (the UN counts both as parts of those members, so the
  map colours them with their member state instead of leaving a grey patch inside it);
  Kosovo -> XKX (not a UN member: drawn grey like Taiwan or W. Sahara).
- Antarctica is dropped (no state, a third of an equirectangular map's area).
- Coordinates are rounded to 0.01 degree (far below the 110m generalisation), repeated points
  removed, rings left with fewer than 4 points dropped, rings rewound to RFC 7946 (exterior
  counter-clockwise, holes clockwise: South Africa has a hole for Lesotho).
- Properties kept: iso_a3, name. Features are sorted by (iso_a3, name); the output is
  deterministic (same wheel -> byte-identical file).

Usage: python experiments/data/build_world_shapes.py [--wheel PATH_TO_PYOGRIO_WHEEL]
(without --wheel it runs ``pip download --no-deps pyogrio==0.13.0`` into a temporary folder).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "govsim" / "data" / "world_110m.geojson"
WHEEL_SPEC = "pyogrio==0.13.0"
FIXTURE = "pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres"
ISO_BY_NAME = {"France": "FRA", "Norway": "NOR", "Somaliland": "SOM", "N. Cyprus": "CYP", "Kosovo": "XKX"}
DROP = {"Antarctica"}
DIGITS = 2


def fetch_wheel(folder: Path) -> Path:
    """Download the pyogrio wheel (no dependencies) into ``folder`` and return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    WHEEL_SPEC, "-d", str(folder)], check=True)
    return next(folder.glob("pyogrio-*.whl"))


def extract_fixture(wheel: Path, folder: Path) -> Path:
    """Copy the shapefile's .shp/.shx/.dbf/.cpg out of the wheel; returns the path without suffix."""
    with zipfile.ZipFile(wheel) as archive:
        for suffix in (".shp", ".shx", ".dbf", ".cpg"):
            (folder / f"ne{suffix}").write_bytes(archive.read(FIXTURE + suffix))
    return folder / "ne"


def import_pyshp(folder: Path):
    """The pyshp module: the installed one, else one pip-installed into ``folder`` for this build."""
    try:
        import shapefile
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(folder), "pyshp"], check=True)
        sys.path.insert(0, str(folder))
        import shapefile
    return shapefile


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace area of a closed ring: positive when counter-clockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))


def clean_ring(ring, exterior: bool) -> list[list[float]] | None:
    """Round to 0.01 degree, drop repeated points, orient per RFC 7946; None if degenerate."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, DIGITS) + 0.0, round(y, DIGITS) + 0.0]  # + 0.0: no "-0.0"
        if not out or point != out[-1]:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4 or signed_area(out) == 0:
        return None
    if (signed_area(out) > 0) != exterior:
        out.reverse()
    return out


def clean_geometry(geometry: dict) -> dict:
    """A Polygon or MultiPolygon with cleaned rings; polygons whose exterior degenerates are dropped."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    cleaned = []
    for rings in polygons:
        exterior = clean_ring(rings[0], exterior=True)
        if exterior is not None:
            holes = [h for h in (clean_ring(r, exterior=False) for r in rings[1:]) if h is not None]
            cleaned.append([exterior, *holes])
    if len(cleaned) == 1:
        return {"type": "Polygon", "coordinates": cleaned[0]}
    return {"type": "MultiPolygon", "coordinates": cleaned}


def read_features(shapefile, base: Path) -> list[dict]:
    """One GeoJSON feature per shapefile record, iso_a3 fixed by name, Antarctica dropped."""
    features = []
    encoding = base.with_suffix(".cpg").read_text().strip()  # ISO-8859-1 ("Côte d'Ivoire")
    with shapefile.Reader(str(base), encoding=encoding) as reader:
        for record in reader.iterShapeRecords():
            name, iso = record.record["name"], record.record["iso_a3"]
            if name in DROP:
                continue
            iso = ISO_BY_NAME.get(name, iso)
            if iso == "-99":
                raise SystemExit(f"{name!r} has iso_a3 -99 and no fix in ISO_BY_NAME; add one")
            features.append({"type": "Feature", "properties": {"iso_a3": iso, "name": name},
                             "geometry": clean_geometry(record.shape.__geo_interface__)})
    return sorted(features, key=lambda f: (f["properties"]["iso_a3"], f["properties"]["name"]))


def report(features: list[dict]) -> None:
    """Print the UN members without a polygon and the shapes that are not UN members."""
    with (ROOT / "govsim" / "data" / "countries.csv").open(encoding="utf-8") as handle:
        members = {row["iso3"]: row["name"] for row in csv.DictReader(handle)}
    shaped = {f["properties"]["iso_a3"] for f in features}
    missing = sorted(set(members) - shaped)
    print(f"{len(features)} features; {len(set(members) & shaped)} of {len(members)} UN members have a polygon")
    print(f"{len(missing)} UN members without a polygon: " + ", ".join(f"{m} ({members[m]})" for m in missing))
    print("not UN members: " + ", ".join(sorted(f"{f['properties']['iso_a3']} ({f['properties']['name']})"
                                               for f in features if f["properties"]["iso_a3"] not in members)))


def build(wheel: Path | None) -> list[dict]:
    """Read the fixture out of ``wheel`` (downloaded if None) and return the cleaned features."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wheel = wheel or fetch_wheel(folder)
        return read_features(import_pyshp(folder / "pyshp"), extract_fixture(wheel, folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL_SPEC} wheel (default: pip download it)")
    features = build(parser.parse_args().wheel)
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB)")
    report(features)


if __name__ == "__main__":
    main()
