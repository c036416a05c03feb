"""The app's two live pictures, each ONE matplotlib figure per browser session that is updated, not redrawn.

Redrawing a world map every quarter is the known bottleneck of Python model apps (matplotlib
``savefig`` at ~1 s a frame in Mesa's SolaraViz). Here each figure is built once; a step only
moves the headline lines' data and recolours the map's country artists (``set_array``), then the
figure is saved as a PNG at a modest resolution. Figures are ``matplotlib.figure.Figure`` objects,
never pyplot's: every browser session runs in its own thread, and pyplot's current-figure state is
shared by all of them. Measured costs are in docs/app.md.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from PIL import Image

from govsim.labels import label

HEADLINES = ("inclusiveness", "fragmentation", "ai_divide")
COLOURS = {"inclusiveness": "#1b7837", "fragmentation": "#762a83", "ai_divide": "#b35806"}
DPI = 72  # pixels per inch of the PNGs: sharp enough when scaled to the page, cheap to encode
FONT = 15  # points; with DPI 72 a point is a pixel of the PNG, so text stays legible on a projector
MAP_COLUMN = "capability"
# Capability spans orders of magnitude (0.002-0.02 at the start, 0.1-0.5 by 2035): a fixed log scale
# shows the early gaps and the late ones, and a colour keeps its meaning from one quarter to the next.
MAP_NORM = dict(vmin=1e-3, vmax=1.0, clip=True)
MAP_TICKS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def new_figure(size: tuple[float, float]) -> Figure:
    """A figure with its own Agg canvas (``savefig`` would make a new canvas on every call)."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (what ``solara.Image`` shows).

    The layout is computed at the first draw, then frozen: the constrained-layout solver cost more
    than the drawing itself on every step. PNG compression is light (level 1): the bytes travel
    over a local socket, and encoding time counts against every step.
    """
    fig.canvas.draw()
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba()).save(
        buffer, format="png", compress_level=1)
    return buffer.getvalue()


class HeadlineChart:
    """The three headline indices over time, one panel each with its own data-scaled y axis.

    The x axis spans the whole scenario from the start, so the lines grow across a fixed frame.
    """

    def __init__(self, first_time: float, last_time: float):
        self.fig = new_figure((6.6, 6.8))
        self.axes = self.fig.subplots(len(HEADLINES), 1, sharex=True)
        self.lines, self.heads = {}, {}
        for ax, name in zip(self.axes, HEADLINES):
            lab = label(name)
            (self.lines[name],) = ax.plot([], [], color=COLOURS[name], linewidth=2.5)
            (self.heads[name],) = ax.plot([], [], "o", color=COLOURS[name], markersize=8)  # the quarter shown
            better = f"  ({lab.better} is better)" if lab.better else ""
            ax.set_title(lab.name + better, fontsize=FONT + 1, loc="left", y=1.0, pad=4)  # y given: no costly auto-placement
            ax.tick_params(labelsize=FONT - 1)
            ax.grid(alpha=0.3)
        self.axes[-1].set_xlim(first_time, last_time)
        self.axes[-1].set_xlabel("year", fontsize=FONT)

    def update(self, history: pd.DataFrame) -> bytes:
        """Show ``history`` (one row per recorded step: ``time`` and the headline columns); PNG bytes."""
        for ax, name in zip(self.axes, HEADLINES):
            values = history[name].to_numpy(float)
            times = history["time"].to_numpy(float)
            self.lines[name].set_data(times, values)
            self.heads[name].set_data(times[-1:], values[-1:])
            ax.set_ylim(*_padded(values.min(), values.max()))
        return png(self.fig)


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A y range around the data with a margin (at least 0.01, so a flat line is not a full-height wobble)."""
    margin = max((hi - lo) * 0.15, 0.01)
    return lo - margin, hi + margin


class WorldMap:
    """A choropleth of one per-country column, recoloured in place every step.

    Countries are marks with an ``iso3`` tuple attribute (one code per mark, in order) and the gid
    "countries" (outlines) or "country_dots" (points); an update calls ``set_array`` on them.
    """

    GIDS = ("countries", "country_dots")

    def __init__(self, values: pd.Series, column: str = MAP_COLUMN):
        self.fig = new_figure((10.0, 5.6))
        ax = self.fig.add_subplot()
        self.artists = _draw_points(ax, values)
        norm = LogNorm(**MAP_NORM)
        for artist in self.artists:
            artist.set_cmap("viridis")
            artist.set_norm(norm)
        bar = self.fig.colorbar(self.artists[0], ax=ax, orientation="horizontal", shrink=0.6, aspect=40, pad=0.02)
        lab = label(column)
        bar.set_ticks(MAP_TICKS, labels=[f"{tick:g}" for tick in MAP_TICKS])  # 0.01, not 10^-2, for a class
        bar.set_label(f"{lab.name} ({lab.unit}, log scale)", fontsize=FONT)
        bar.ax.tick_params(labelsize=FONT - 1)
        self.title = ax.set_title("", fontsize=FONT + 2, y=1.0, pad=4)
        self.name = lab.name

    def update(self, values: pd.Series, period: str) -> bytes:
        """Recolour every country by ``values`` (indexed by iso3) and title it with ``period``; PNG bytes."""
        for artist in self.artists:
            artist.set_array(values.reindex(list(artist.iso3)).to_numpy(float))
        self.title.set_text(f"{self.name}, end of {period}")
        return png(self.fig)


def _draw_points(ax, values: pd.Series) -> list:
    """Placeholder map until govsim.plotting's world map is on main: each country a dot at its
    latitude and longitude (equirectangular), with the same artist contract as the real map."""
    from govsim import countries

    table = countries().set_index("iso3").reindex(values.index)
    ax.set_facecolor("#eef2f7")
    dots = ax.scatter(table["longitude"], table["latitude"], s=70, c=np.zeros(len(table)), edgecolors="#444444",
                      linewidths=0.4, gid="country_dots")
    dots.iso3 = tuple(values.index)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 80)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    return [dots]
