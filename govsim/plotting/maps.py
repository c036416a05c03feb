"""World maps of a countries table: a choropleth of any per-country column, small multiples over
periods on one colour scale, and each country's status in a forum.

Drawn offline with matplotlib alone: Natural Earth 110m outlines (public domain, shipped in
``govsim/data``) as one compound path per country in a ``PathCollection`` (a path, unlike a
``PolyCollection`` polygon, keeps holes: Lesotho inside South Africa), in the Equal Earth
projection. The 28 UN members too small for a 110m polygon (Singapore, Bahrain, Malta, Pacific
and Caribbean islands, ...) are dots with an outline, coloured on the same scale. Shapes and
territories that are not in the table (Greenland, Taiwan, W. Sahara, ...) are light grey.

Each map has three artists for countries, told apart by their gid: "countries" (a collection of
outlines coloured by value), "country_dots" (a scatter) and "not_modelled" (grey outlines). Each
carries an ``iso3`` attribute (a tuple, one code per path or dot, in order) so that tests and apps
can tell which mark is which country (an app recolours a map with ``set_array`` on them).
"""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.patches import Patch, PathPatch

from govsim.config.errors import shown
from govsim.plotting.labels import FORUM_NAMES, axis, label
from govsim.plotting.mapdata import MapData, check_table, numeric_values, periods, status_values
from govsim.plotting.shapes import country_points, globe_outline, load_shapes

OCEAN, COAST, BORDER = "#eef2f7", "#9aa5b1", "white"
NOT_MODELLED = "#d4d4d4"
STATUS_COLORS = {"member": "#08519c", "partner": "#4292c6", "applicant": "#9ecae1", "none": "#fdd9a8"}
DOT_SIZE = 22  # points^2: a small island state stays visible at 10 x 5 inches
MAP_SIZE = (10, 5)


def plot_world_map(countries, column, at=None, ax=None, cmap=None, vmin=None, vmax=None, title=None):
    """Choropleth of the numeric per-country ``column`` of a countries table at one period.

    ``at``: a period label ("2035Q4"), an int year (its last period in the table) or None (the last
    period). Several seeds of one scenario are averaged ("mean of N seeds" in the title); several
    scenarios are refused (filter first). The colour scale runs from ``vmin`` to ``vmax`` (default:
    the data's range; a column with values of both signs gets a red-blue scale centred on 0 unless
    ``cmap``, ``vmin`` or ``vmax`` is given). Countries without a value and territories that are not
    UN members are light grey. Returns ``(fig, ax)``."""
    data = _on_map(numeric_values(countries, column, at))
    cmap, norm = _scale([data.values], cmap, vmin, vmax)
    fig, ax = _map_axes(ax)
    mappable = _draw_numeric(ax, data, cmap, norm)
    ax.legend(handles=[Patch(facecolor=NOT_MODELLED, edgecolor=COAST, label="not modelled / no value")],
              loc="lower left", frameon=False, fontsize=8)
    _colorbar(fig, mappable, ax, axis(column))
    ax.set_title(title or _title(label(column).name, data, label(column).better), fontsize=11)
    return fig, ax


def plot_world_maps(countries, column, at=None, ncols=None, cmap=None, vmin=None, vmax=None, title=None):
    """Small multiples of :func:`plot_world_map`, one panel per period of ``at`` (a list of labels
    or int years; default: the first and the last period), on ONE colour scale with one colourbar,
    so colours compare across panels. Returns ``(fig, axes)``, one axes per period, in order."""
    panels = [_on_map(numeric_values(countries, column, a)) for a in _periods_of(countries, at)]
    cmap, norm = _scale([p.values for p in panels], cmap, vmin, vmax)
    if ncols is not None and (not isinstance(ncols, int) or isinstance(ncols, bool) or ncols < 1):
        raise ValueError(f"ncols = {shown(ncols)} must be a whole number >= 1, e.g. 3")
    ncols = min(ncols or (len(panels) if len(panels) <= 3 else min(3, math.ceil(math.sqrt(len(panels))))), len(panels))
    nrows = -(-len(panels) // ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(5 * ncols, 2.6 * nrows + 1.0), squeeze=False, layout="constrained")
    axes = grid.ravel()
    for extra in axes[len(panels):]:
        fig.delaxes(extra)
    axes = axes[: len(panels)]
    for ax, data in zip(axes, panels):
        _style(ax)
        mappable = _draw_numeric(ax, data, cmap, norm)
        ax.set_title(data.when, fontsize=10)
    _colorbar(fig, mappable, list(axes), f"{axis(column)}   (grey: not modelled / no value)")
    lab = label(column)
    fig.suptitle(title or _title(lab.name, panels[0], lab.better, period=False), fontsize=12)
    return fig, axes


def plot_forum_map(countries, forum, at=None, ax=None, title=None):
    """Each country's status in ``forum`` (member / partner / applicant / none) at one period, from
    the table's ``status_<forum>`` column; territories and countries not in the table are "not
    modelled". With several seeds, the most frequent status across seeds (a tie goes to the
    stronger status), said in the title. Returns ``(fig, ax)``."""
    data = _on_map(status_values(countries, forum, at))
    fig, ax = _map_axes(ax)
    colours = data.values.map(STATUS_COLORS)
    patches, dots = _draw_countries(ax, colours.index)
    patches.set_facecolor([colours[iso] for iso in patches.iso3])
    dots.set_facecolor([colours[iso] for iso in dots.iso3])
    counts = data.values.value_counts()
    handles = [Patch(facecolor=colour, edgecolor=COAST, label=f"{status} ({counts.get(status, 0)})")
               for status, colour in STATUS_COLORS.items()]
    handles.append(Patch(facecolor=NOT_MODELLED, edgecolor=COAST, label="not modelled"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=len(handles), frameon=False,
              fontsize=9, handlelength=1.5, columnspacing=1.2)
    name = FORUM_NAMES.get(forum, forum)
    ax.set_title(title or _title(f"Status in {name}", data, None, seeds_word="most frequent status across"), fontsize=11)
    return fig, ax


def _periods_of(countries, at) -> list:
    """``at`` as a list; default: the table's first and last period (the start and the end)."""
    if at is None:
        check_table(countries)
        labels = periods(countries)
        return list(dict.fromkeys([labels[0], labels[-1]]))
    at = list(at) if isinstance(at, (list, tuple)) else [at]
    if not at:
        raise ValueError("at=[] names no period; pass a list of period labels or int years, e.g. [2023, 2030, 2035]")
    return at


def _on_map(data: MapData) -> MapData:
    """``data`` unchanged if at least one of its countries is on the map, else one clear error
    (a synthetic world's codes, S00000..., have no geography)."""
    on_map = set(load_shapes().iso3) | set(country_points())
    if not on_map.intersection(data.values.index):
        raise ValueError(f"none of the table's iso3 codes (e.g. {shown(str(data.values.index[0]))}) is a country on the map; "
                         "maps need ISO 3166 alpha-3 codes of UN members (a synthetic world has no geography)")
    return data


def _scale(values_list, cmap, vmin, vmax):
    """The colour map and normalisation shared by every panel: the data's range over all panels,
    centred on 0 with a red-blue map for data of both signs if nothing was chosen."""
    finite = np.concatenate([v.to_numpy(float) for v in values_list])
    finite = finite[np.isfinite(finite)]
    lo = float(finite.min()) if vmin is None else _number("vmin", vmin)
    hi = float(finite.max()) if vmax is None else _number("vmax", vmax)
    if lo > hi:
        raise ValueError(f"vmin = {lo!r} is above vmax = {hi!r}" + (" (the data's maximum)" if vmax is None else "")
                         + "; the colour scale runs from vmin up to vmax")
    if cmap is None and vmin is None and vmax is None and lo < 0 < hi:
        edge = max(-lo, hi)
        return plt.get_cmap("RdBu"), Normalize(-edge, edge)
    return _colour_map(cmap), Normalize(lo, hi)


def _number(name: str, value) -> float:
    """``value`` as a finite float, or one clear error naming the argument."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(value, bool):
        raise ValueError(f"{name} = {shown(value)} is not a number; give a finite number or leave it out (the data's range)")
    return number


def _colour_map(cmap):
    """A matplotlib colour map from a name or a Colormap (default viridis), or one clear error."""
    if cmap is None or isinstance(cmap, Colormap):
        return plt.get_cmap(cmap or "viridis")
    if not isinstance(cmap, str) or cmap not in matplotlib.colormaps:
        raise ValueError(f"cmap {shown(cmap)} is not a matplotlib colour map; e.g. 'viridis', 'magma', 'cividis' "
                         "or 'RdBu' (see matplotlib.colormaps)")
    return matplotlib.colormaps[cmap]


def _map_axes(ax):
    """A new 10 x 5 figure (or the given axes), styled as a map."""
    if ax is None:
        fig, ax = plt.subplots(figsize=MAP_SIZE, layout="constrained")
    _style(ax)
    return ax.figure, ax


def _style(ax) -> None:
    """No ticks or frame, equal aspect (the projection's own shape), the globe as a pale ocean."""
    outline = globe_outline()
    ax.add_patch(PathPatch(outline, facecolor=OCEAN, edgecolor=COAST, linewidth=0.6, zorder=0))
    (x0, y0), (x1, y1) = outline.vertices.min(axis=0), outline.vertices.max(axis=0)
    ax.set_xlim(x0 - 0.02, x1 + 0.02)
    ax.set_ylim(y0 - 0.02, y1 + 0.02)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _draw_countries(ax, known) -> tuple[PathCollection, PathCollection]:
    """Draw every outline: grey for codes not in ``known``; return the (uncoloured) collection of
    the known countries' outlines and the scatter of dots for known countries without one."""
    shapes, points = load_shapes(), country_points()
    known, shaped = set(known), set(shapes.iso3)
    inside = [k for k, iso in enumerate(shapes.iso3) if iso in known]
    outside = [k for k, iso in enumerate(shapes.iso3) if iso not in known]
    grey = PathCollection([shapes.paths[k] for k in outside], facecolors=NOT_MODELLED, edgecolors=BORDER, linewidths=0.3,
                          zorder=1, gid="not_modelled")
    grey.iso3 = tuple(shapes.iso3[k] for k in outside)
    ax.add_collection(grey, autolim=False)
    patches = PathCollection([shapes.paths[k] for k in inside], edgecolors=BORDER, linewidths=0.3, zorder=2, gid="countries")
    patches.iso3 = tuple(shapes.iso3[k] for k in inside)
    ax.add_collection(patches, autolim=False)
    dotted = [iso for iso in points if iso in known and iso not in shaped]
    xy = np.array([points[iso] for iso in dotted]).reshape(-1, 2)
    dots = ax.scatter(xy[:, 0], xy[:, 1], s=DOT_SIZE, edgecolors="#333333", linewidths=0.5, zorder=3, gid="country_dots")
    dots.iso3 = tuple(dotted)
    return patches, dots


def _draw_numeric(ax, data: MapData, cmap, norm):
    """Colour the countries with a finite value by ``cmap``/``norm``; returns the mappable."""
    values = data.values.dropna()
    patches, dots = _draw_countries(ax, values.index)
    for artist in (patches, dots):
        artist.set_array(values.reindex(list(artist.iso3)).to_numpy(float))
        artist.set_cmap(cmap)
        artist.set_norm(norm)
    return patches


def _colorbar(fig, mappable, ax, text: str) -> None:
    """One horizontal colourbar under the map(s), labelled ``text`` (the column's name and unit)."""
    bar = fig.colorbar(mappable, ax=ax, orientation="horizontal", shrink=0.5, aspect=40, pad=0.02)
    bar.set_label(text, fontsize=10)


def _title(name: str, data: MapData, better: str | None, period: bool = True, seeds_word: str = "mean of") -> str:
    """'<name> at the end of <period>' and a second line: scenario, seeds, better direction."""
    first = f"{name} at the {data.when}" if period else name
    notes = [f"scenario {data.scenario}"] if data.scenario else []
    if data.seeds > 1:
        notes.append(f"{seeds_word} {data.seeds} seeds")
    if better:
        notes.append(f"{better} is better")
    return first + ("\n" + " · ".join(notes) if notes else "")
