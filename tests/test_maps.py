"""World maps (govsim.plotting.maps): every UN member is a coloured patch or a dot, colours follow
the values (or the statuses) on one scale, and bad input gets one clear line.

Tables follow the countries-table convention of issue 12 (scenario, seed, step, period, year,
time, iso3, name, region, ...); columns a run does not yet carry are added here.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import govsim
from govsim.plotting import plot_forum_map, plot_world_map, plot_world_maps
from govsim.plotting.maps import NOT_MODELLED, STATUS_COLORS
from govsim.plotting.shapes import equal_earth, load_shapes

ROOT = Path(__file__).resolve().parents[1]
UN = set(govsim.countries()["iso3"])
TERRITORIES = {"ATF", "ESH", "FLK", "GRL", "NCL", "PRI", "PSE", "TWN", "XKX"}
DOTS = {"AND", "ATG", "BHR", "BRB", "COM", "CPV", "DMA", "FSM", "GRD", "KIR", "KNA", "LCA", "LIE", "MCO", "MDV", "MHL",
        "MLT", "MUS", "NRU", "PLW", "SGP", "SMR", "STP", "SYC", "TON", "TUV", "VCT", "WSM"}


def table_of(results: govsim.Results, scenario: str = "baseline", seed: int = 0) -> pd.DataFrame:
    """``results.countries`` with the issue-12 columns it may lack (period, year, time, scenario,
    seed, name, region); columns it already has are kept as they are."""
    table = results.countries.copy()
    if "period" not in table.columns:
        table = table.merge(results.indices[["step", "period"]], on="step")
    extra = {"year": table["period"].str[:4].astype(int),
             "time": table["period"].map(lambda p: int(p[:4]) + (int(p[5]) - 1) / 4 if "Q" in p else float(p)),
             "scenario": scenario, "seed": seed}
    table = table.assign(**{k: v for k, v in extra.items() if k not in table.columns})
    missing = [c for c in ("name", "region") if c not in table.columns]
    return table.merge(govsim.countries()[["iso3", *missing]], on="iso3") if missing else table


@pytest.fixture(scope="module")
def runs(cached_run) -> pd.DataFrame:
    """Baseline, 8 quarters (2022Q4 to 2024Q4), seeds 0 and 1, in one table."""
    return pd.concat([table_of(cached_run("baseline", ("time.steps=8",), seed=s), seed=s) for s in (0, 1)], ignore_index=True)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def artist(ax, gid: str):
    """The one artist of ``ax`` with this gid ("countries", "country_dots", "not_modelled")."""
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, [c.get_gid() for c in ax.collections]
    return found[0]


def colours_by_iso(ax, gid: str) -> dict[str, np.ndarray]:
    """Face colour (RGBA) of each country's mark, after drawing (colours are mapped at draw time)."""
    ax.figure.canvas.draw()
    marks = artist(ax, gid)
    return dict(zip(marks.iso3, marks.get_facecolors()))


# ----------------------------------------------------------------------------- shapes


def test_shapes_file_has_165_un_members_and_the_territories_but_not_antarctica():
    shapes = load_shapes()
    assert len(set(shapes.iso3) & UN) == 165
    assert set(shapes.iso3) - UN == TERRITORIES
    assert UN - set(shapes.iso3) == DOTS
    assert {"FRA", "NOR"} <= set(shapes.iso3) and "ATA" not in shapes.iso3 and "-99" not in shapes.iso3
    with (resources.files("govsim") / "data" / "world_110m.geojson").open(encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    france = [f for f in features if f["properties"]["iso_a3"] == "FRA"]
    assert [f["properties"]["name"] for f in france] == ["France"]
    xy = np.array([p for ring in france[0]["geometry"]["coordinates"] for poly in ring for p in poly], float)
    assert np.allclose(xy, xy.round(2)) and xy[:, 0].min() < -52  # French Guiana belongs to France


def test_shapes_ship_as_package_data():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["govsim"]
    assert "data/*.geojson" in package_data


def test_equal_earth_matches_the_published_extent():
    x, _ = equal_earth(180.0, 0.0)
    _, y = equal_earth(0.0, 90.0)
    assert x == pytest.approx(2.7066, abs=1e-4) and y == pytest.approx(1.3173, abs=1e-4)


# ----------------------------------------------------------------------------- choropleth


def test_every_un_member_is_a_coloured_patch_or_a_dot(runs):
    fig, ax = plot_world_map(runs, "capability")
    patches, dots = artist(ax, "countries"), artist(ax, "country_dots")
    assert len(patches.get_paths()) == 165 and len(dots.get_offsets()) == 28
    assert set(patches.iso3) | set(dots.iso3) == UN and not set(patches.iso3) & set(dots.iso3)
    grey = np.array(to_rgba(NOT_MODELLED))
    for gid in ("countries", "country_dots"):
        assert not any(np.allclose(c, grey) for c in colours_by_iso(ax, gid).values())
    grey_marks = artist(ax, "not_modelled")
    assert set(grey_marks.iso3) == TERRITORIES and len(grey_marks.get_paths()) == len(TERRITORIES)


def test_largest_value_gets_the_top_colour_and_smallest_the_bottom(runs):
    fig, ax = plot_world_map(runs, "capability", cmap="viridis")
    values = runs[runs["period"] == "2024Q4"].groupby("iso3")["capability"].mean()
    colours = colours_by_iso(ax, "countries") | colours_by_iso(ax, "country_dots")
    top, bottom = plt.get_cmap("viridis")(1.0), plt.get_cmap("viridis")(0.0)
    assert np.allclose(colours[values.idxmax()], top) and np.allclose(colours[values.idxmin()], bottom)


def test_a_dot_is_coloured_on_the_same_scale(runs):
    one = runs[(runs["seed"] == 0) & (runs["period"] == "2024Q4")].copy()
    one.loc[one["iso3"] == "SGP", "capability"] = one["capability"].max() + 1.0
    fig, ax = plot_world_map(one, "capability", cmap="viridis")
    assert np.allclose(colours_by_iso(ax, "country_dots")["SGP"], plt.get_cmap("viridis")(1.0))


def test_several_seeds_are_averaged_and_the_title_says_so(runs):
    fig, ax = plot_world_map(runs, "capability", at="2024Q2")
    mean = runs[runs["period"] == "2024Q2"].groupby("iso3")["capability"].mean()
    patches = artist(ax, "countries")
    assert np.allclose(patches.get_array(), mean.reindex(list(patches.iso3)).to_numpy())
    assert "end of 2024Q2" in ax.get_title() and "mean of 2 seeds" in ax.get_title()
    assert "scenario baseline" in ax.get_title()
    single = plot_world_map(runs[runs["seed"] == 1], "capability")[1].get_title()
    assert "seeds" not in single


def test_colourbar_is_labelled_from_the_registry(runs):
    fig, ax = plot_world_map(runs, "lag_years")
    labels = [a.get_xlabel() for a in fig.axes if a is not ax]
    assert labels == ["Lag behind the frontier (years)"]


def test_an_int_year_means_its_last_period_and_the_default_the_last(runs):
    assert "end of 2023Q4" in plot_world_map(runs, "adoption", at=2023)[1].get_title()
    assert "end of 2024Q4" in plot_world_map(runs, "adoption")[1].get_title()
    assert "end of 2022Q4 (the start)" in plot_world_map(runs, "adoption", at=np.int64(2022))[1].get_title()


def test_values_of_both_signs_get_a_scale_centred_on_zero(runs):
    fig, ax = plot_world_map(runs, "alignment")
    norm = artist(ax, "countries").norm
    assert norm.vmin == pytest.approx(-norm.vmax) and norm.vmax > 0


def test_missing_countries_are_grey_and_the_given_axes_is_used(runs):
    fig, given = plt.subplots()
    some = runs[runs["iso3"].isin(["USA", "CHN", "SGP"])]
    out_fig, ax = plot_world_map(some, "capability", ax=given)
    assert out_fig is fig and ax is given
    assert set(artist(ax, "countries").iso3) == {"USA", "CHN"} and artist(ax, "country_dots").iso3 == ("SGP",)
    grey_marks = artist(ax, "not_modelled")
    assert {"FRA", "TWN"} <= set(grey_marks.iso3) and len(grey_marks.get_paths()) == len(load_shapes().iso3) - 2
    assert all(np.allclose(c, to_rgba(NOT_MODELLED)) for c in colours_by_iso(ax, "not_modelled").values())


# ----------------------------------------------------------------------------- small multiples


def test_small_multiples_share_one_colour_scale_and_one_colourbar(runs):
    start = runs["period"] == "2022Q4"
    runs = runs.assign(adoption=np.where(start, runs["adoption"] - 1.0, runs["adoption"]))  # the lowest values come first
    fig, axes = plot_world_maps(runs, "adoption", at=[2022, "2023Q4", 2024], cmap="viridis")
    assert len(axes) == 3 and [a.get_title() for a in axes] == ["end of 2022Q4 (the start)", "end of 2023Q4", "end of 2024Q4"]
    norms = [artist(a, "countries").norm for a in axes] + [artist(a, "country_dots").norm for a in axes]
    assert all(n is norms[0] for n in norms)
    ends = runs[runs["period"].isin(["2022Q4", "2024Q4"])].groupby(["period", "iso3"])["adoption"].mean()
    assert norms[0].vmin == pytest.approx(ends.min()) and norms[0].vmax == pytest.approx(ends.max())
    assert len(fig.axes) == len(axes) + 1  # one colourbar
    assert "mean of 2 seeds" in fig.get_suptitle()


def test_small_multiples_default_to_the_start_and_the_end(runs):
    fig, axes = plot_world_maps(runs, "adoption")
    assert [a.get_title() for a in axes] == ["end of 2022Q4 (the start)", "end of 2024Q4"]


# ----------------------------------------------------------------------------- forum map


def test_forum_map_colours_follow_the_status(runs):
    one = runs[runs["seed"] == 0]
    fig, ax = plot_forum_map(one, "brics")
    status = one[one["period"] == "2024Q4"].set_index("iso3")["status_brics"].astype(str)
    colours = colours_by_iso(ax, "countries") | colours_by_iso(ax, "country_dots")
    assert set(colours) == UN
    for iso, colour in colours.items():
        assert np.allclose(colour, to_rgba(STATUS_COLORS[status[iso]])), iso
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == f"member ({(status == 'member').sum()})" and legend[-1] == "not modelled"
    assert "Status in BRICS at the end of 2024Q4" in ax.get_title()


def test_forum_map_shows_the_most_frequent_status_across_seeds():
    rows = [("USA", 0, "member"), ("USA", 1, "none"), ("USA", 2, "member"),
            ("CHN", 0, "none"), ("CHN", 1, "applicant"), ("CHN", 2, "none"),
            ("IND", 0, "partner"), ("IND", 1, "none"), ("IND", 2, "applicant")]  # a three-way tie: the strongest
    table = pd.DataFrame(rows, columns=["iso3", "seed", "status_g7"]).assign(scenario="s", period="2030Q4", step=32)
    table["status_g7"] = pd.Categorical(table["status_g7"], categories=["none", "applicant", "partner", "member"])
    fig, ax = plot_forum_map(table, "g7")
    colours = colours_by_iso(ax, "countries")
    assert {iso: tuple(c) for iso, c in colours.items()} == {
        "USA": to_rgba(STATUS_COLORS["member"]), "CHN": to_rgba(STATUS_COLORS["none"]), "IND": to_rgba(STATUS_COLORS["partner"])}
    assert "most frequent status across 3 seeds" in ax.get_title()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, message", [
    (lambda t: plot_world_map(t, "nope"), r"column 'nope' is not a numeric per-country column of the table; use one of .*capability"),
    (lambda t: plot_world_map(t, "status_g7"), r"column 'status_g7' .*plot_forum_map"),
    (lambda t: plot_world_map(t, "capability", at=2040), r"at=2040 is not in the table; use a period from '2022Q4' to '2024Q4'.* 2022 to 2024"),
    (lambda t: plot_world_map(t, "capability", at="2035Q4"), r"at='2035Q4' is not in the table"),
    (lambda t: plot_world_map(t.drop(columns="iso3"), "capability"), r"no 'iso3' column \(its columns: .*step"),
    (lambda t: plot_world_map(t.assign(scenario=np.where(t["seed"] == 0, "a", "b")), "capability"), r"2 scenarios \(a, b\); .*filter"),
    (lambda t: plot_world_maps(t, "capability", at=[2023, 1999]), r"at=1999 is not in the table"),
    (lambda t: plot_world_maps(t, "capability", at=[]), r"at=\[\] names no period"),
    (lambda t: plot_forum_map(t, "nato"), r"forum 'nato' has no status column in the table; use one of un, g7, brics"),
    (lambda t: plot_world_map(t.drop(columns="seed"), "capability"), r"several rows for .* at 2024Q4"),
    (lambda t: plot_world_map(t.assign(iso3="S" + t["iso3"]), "capability"), r"none of the table's iso3 codes .*synthetic"),
    (lambda t: plot_world_map(t.assign(capability=np.inf), "capability"), r"column 'capability' has no finite value at 2024Q4"),
    (lambda t: plot_world_map(t, "capability", cmap="nope" * 100), r"cmap 'nopenope.*' is not a matplotlib colour map; e.g. 'viridis'"),
    (lambda t: plot_world_map(t, "capability", vmin=1.0, vmax=0.5), r"vmin = 1.0 is above vmax = 0.5"),
    (lambda t: plot_world_map(t, "capability", vmax="high"), r"vmax = 'high' is not a number"),
    (lambda t: plot_world_maps(t, "capability", ncols=0), r"ncols = 0 must be a whole number >= 1"),
])
def test_bad_input_gets_one_clear_line(runs, call, message):
    with pytest.raises(ValueError, match=message) as error:
        call(runs)
    assert "\n" not in str(error.value) and len(str(error.value)) < 500
    assert not plt.get_fignums()  # refused before any figure is made


def test_long_bad_values_are_shortened(runs):
    with pytest.raises(ValueError) as error:
        plot_world_map(runs, "x" * 5000, at="y" * 5000)
    assert len(str(error.value)) < 500
