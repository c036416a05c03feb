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
    return encoded(fig)


def background(fig: Figure, changing: list):
    """The figure without the ``changing`` artists, kept as pixels (blitting): an update restores it
    and draws only those artists (:func:`redrawn`). The first time, it is drawn whole first, so the
    frozen layout (see :func:`png`) makes room for everything."""
    if fig.get_layout_engine() is not None:
        png(fig)  # the first time only: lay out with everything visible, then freeze the layout
    for artist in changing:
        artist.set_visible(False)
    fig.canvas.draw()
    pixels = fig.canvas.copy_from_bbox(fig.bbox)
    for artist in changing:
        artist.set_visible(True)
    return pixels


def redrawn(fig: Figure, pixels, changing: list) -> bytes:
    """PNG bytes of the kept background with the ``changing`` artists drawn on it."""
    fig.canvas.restore_region(pixels)
    for artist in changing:
        fig.draw_artist(artist)
    return encoded(fig)


def encoded(fig: Figure) -> bytes:
    """What the figure's canvas holds now, as PNG bytes (no drawing)."""
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
        self.lines, self.heads, self.pixels = {}, {}, None
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
        """Show ``history`` (one row per recorded step: ``time`` and the headline columns); PNG bytes.

        A y axis widens only when a value leaves it (with a margin), so most steps redraw just the
        lines on the kept background (blitting); a step that widens an axis redraws the figure."""
        times, rescaled = history["time"].to_numpy(float), self.pixels is None
        for ax, name in zip(self.axes, HEADLINES):
            values = history[name].to_numpy(float)
            self.lines[name].set_data(times, values)
            self.heads[name].set_data(times[-1:], values[-1:])
            lo, hi = ax.get_ylim()
            if rescaled or values.min() < lo or values.max() > hi:
                ax.set_ylim(*_padded(values.min(), values.max()))
                rescaled = True
        changing = [*self.lines.values(), *self.heads.values()]
        if rescaled:
            self.pixels = background(self.fig, changing)
        return redrawn(self.fig, self.pixels, changing)


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A y range around the data with room to grow (at least 0.01, so a flat line is not a
    full-height wobble; a quarter of the range, so the axis is not widened every step)."""
    margin = max((hi - lo) * 0.25, 0.01)
    return lo - margin, hi + margin


class WorldMap:
    """A world choropleth (``govsim.plotting.plot_world_map``) of one per-country column, recoloured
    in place every step: its country artists (gid "countries" for outlines, "country_dots" for the
    small states, each with an ``iso3`` tuple naming its marks in order) get a new ``set_array``.
    """

    GIDS = ("countries", "country_dots")

    def __init__(self, countries: pd.DataFrame, column: str = MAP_COLUMN):
        from govsim.plotting import plot_world_map  # heavy (shapes); only when a session starts

        self.fig = new_figure((10.0, 5.6))
        ax = self.fig.add_subplot()
        plot_world_map(countries, column, ax=ax)
        self.artists = [artist for artist in ax.collections if artist.get_gid() in self.GIDS]
        norm = LogNorm(**MAP_NORM)
        for artist in self.artists:
            artist.set_norm(norm)  # the colourbar follows its mappable's new norm
        _style_colourbar(self.artists[0].colorbar, column)
        for text in ax.get_legend().get_texts():
            text.set_fontsize(FONT - 2)
        self.column = column
        # one line, at a fixed height (auto-placement would move it while the background is drawn)
        self.title = ax.set_title(self._title(str(countries["period"].iloc[-1])), fontsize=FONT + 2, y=1.0, pad=6)
        # a step redraws only the countries and the title on the kept background: 15 ms, not 60 ms
        self.background = background(self.fig, [*self.artists, self.title])

    def update(self, values: pd.Series, period: str) -> bytes:
        """Recolour every country by ``values`` (indexed by iso3) and title it with ``period``; PNG bytes."""
        for artist in self.artists:
            artist.set_array(values.reindex(list(artist.iso3)).to_numpy(float))
        self.title.set_text(self._title(period))
        return redrawn(self.fig, self.background, [*self.artists, self.title])


    def _title(self, period: str) -> str:
        lab = label(self.column)
        return f"{lab.name} at the end of {period}" + (f" · {lab.better} is better" if lab.better else "")


def _style_colourbar(bar, column: str) -> None:
    """Plain tick labels (0.01, not 10^-2) and text sized for a projector."""
    bar.set_ticks(MAP_TICKS, labels=[f"{tick:g}" for tick in MAP_TICKS])
    lab = label(column)
    bar.set_label(f"{lab.name} ({lab.unit}, log scale; grey: no value)", fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT - 1)
