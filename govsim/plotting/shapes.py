"""Country outlines and points for world maps, projected once and cached.

The outlines are Natural Earth 110m (public domain), shipped as ``govsim/data/world_110m.geojson``
(see govsim/data/README.md); the 28 UN members too small to have a polygon at that scale are drawn
as dots at their point from ``govsim.countries()``. Both are projected with the Equal Earth
projection (equal-area, so big northern countries do not look bigger than they are), and cached:
a classroom app redraws maps often, and parsing and projecting cost more than drawing.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import NamedTuple

import numpy as np
from matplotlib.path import Path

from govsim.catalog import countries as country_table

# Equal Earth (Šavrič, Patterson & Jenny 2018), with the Earth's radius as the unit.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = np.sqrt(3.0) / 2.0
SOUTH_EDGE = -60.0  # latitude where the map stops: Antarctica is not drawn


def equal_earth(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude and latitude (degrees) to Equal Earth map coordinates (x, y)."""
    lam, phi = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    theta = np.arcsin(_M * np.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


class Shapes(NamedTuple):
    """Projected outlines: ``paths[k]`` is the outline of ``iso3[k]`` (all its polygons and holes,
    one compound path); ``names[k]`` is Natural Earth's name (of its first feature)."""

    iso3: tuple[str, ...]
    names: tuple[str, ...]
    paths: tuple[Path, ...]


def _ring_path(ring: list[list[float]]) -> Path:
    x, y = equal_earth(*np.asarray(ring, float).T)
    codes = np.full(len(x), Path.LINETO, dtype=Path.code_type)
    codes[0], codes[-1] = Path.MOVETO, Path.CLOSEPOLY
    return Path(np.column_stack([x, y]), codes)


def _feature_rings(geometry: dict) -> list[list[list[float]]]:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for polygon in polygons for ring in polygon]


@functools.lru_cache(maxsize=1)
def load_shapes() -> Shapes:
    """The outlines of ``world_110m.geojson``, one compound path per ``iso_a3``, projected. Holes
    (Lesotho in South Africa) are rings of opposite orientation, so they stay empty when filled."""
    with (resources.files("govsim") / "data" / "world_110m.geojson").open(encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    rings: dict[str, list[Path]] = {}
    names: dict[str, str] = {}
    for feature in features:
        iso = feature["properties"]["iso_a3"]
        names.setdefault(iso, feature["properties"]["name"])
        rings.setdefault(iso, []).extend(_ring_path(r) for r in _feature_rings(feature["geometry"]))
    codes = tuple(rings)
    return Shapes(codes, tuple(names[c] for c in codes), tuple(Path.make_compound_path(*rings[c]) for c in codes))


@functools.lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[float, float]]:
    """Each UN member's point from ``govsim.countries()``, projected: where its dot goes."""
    table = country_table()
    x, y = equal_earth(table["longitude"].to_numpy(), table["latitude"].to_numpy())
    return {iso: (float(a), float(b)) for iso, a, b in zip(table["iso3"], x, y)}


@functools.lru_cache(maxsize=1)
def globe_outline() -> Path:
    """The edge of the map: the ±180° meridians from 60°S to the pole and the 60°S parallel."""
    lat = np.linspace(SOUTH_EDGE, 90.0, 61)
    lon = np.linspace(-180.0, 180.0, 121)
    west, east = np.full_like(lat, -180.0), np.full_like(lat, 180.0)
    lons = np.concatenate([west, lon[1:-1], east[::-1], lon[::-1][1:-1]])
    lats = np.concatenate([lat, np.full(len(lon) - 2, 90.0), lat[::-1], np.full(len(lon) - 2, SOUTH_EDGE)])
    x, y = equal_earth(lons, lats)
    return Path(np.column_stack([x, y]), closed=False)
