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
from matplotlib.figure import Figure
from PIL import Image

from govsim.labels import label

HEADLINES = ("inclusiveness", "fragmentation", "ai_divide")
COLOURS = {"inclusiveness": "#1b7837", "fragmentation": "#762a83", "ai_divide": "#b35806"}
DPI = 72  # pixels per inch of the PNGs: sharp enough when scaled to the page, cheap to encode
FONT = 15  # points; with DPI 72 a point is a pixel of the PNG, so text stays legible on a projector


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

    def __init__(self, first_time: float, last_time: float, baseline: pd.DataFrame | None = None,
                 heading: str = "", size: tuple[float, float] = (6.6, 6.8)):
        self.fig = new_figure(size)
        self.axes = self.fig.subplots(len(HEADLINES), 1, sharex=True)
        self.lines, self.heads, self.marks, self.pixels = {}, {}, {}, None
        self.baseline = baseline
        for ax, name in zip(self.axes, HEADLINES):
            lab = label(name)
            if baseline is not None:  # faint, behind: the baseline of the same seed, drawn once
                ax.plot(baseline["time"], baseline[name], color=COLOURS[name], linewidth=5, alpha=0.22)
            (self.lines[name],) = ax.plot([], [], color=COLOURS[name], linewidth=2.5)
            (self.heads[name],) = ax.plot([], [], "o", color=COLOURS[name], markersize=8)  # the quarter shown
            self.marks[name] = ax.axvline(first_time, color="#444444", linewidth=1.2, alpha=0.6)
            better = f"  ({lab.better} is better)" if lab.better and not heading else ""
            ax.set_title(heading + lab.name + better, fontsize=FONT + 1, loc="left", y=1.0, pad=4)  # y given: no costly auto-placement
            ax.tick_params(labelsize=FONT - 1)
            ax.grid(alpha=0.3)
        if baseline is not None:
            self.axes[0].text(0.99, 0.04, "faint: baseline, same seed", transform=self.axes[0].transAxes,
                              ha="right", va="bottom", fontsize=FONT - 2, color="#555555")
        self.axes[-1].set_xlim(first_time, last_time)
        self.axes[-1].set_xlabel("year", fontsize=FONT)

    def update(self, history: pd.DataFrame, at: int | None = None) -> bytes:
        """Show ``history`` (one row per recorded step: ``time`` and the headline columns) with the
        dot and the vertical marker at row ``at`` (default: the last); PNG bytes.

        A y axis widens only when a value leaves it (with a margin), so most steps redraw just the
        lines on the kept background (blitting); a step that widens an axis redraws the figure."""
        times, rescaled = history["time"].to_numpy(float), self.pixels is None
        at = len(times) - 1 if at is None else at
        for ax, name in zip(self.axes, HEADLINES):
            values = history[name].to_numpy(float)
            self.lines[name].set_data(times, values)
            self.heads[name].set_data(times[at:at + 1], values[at:at + 1])
            self.marks[name].set_xdata([times[at], times[at]])
            lo, hi = ax.get_ylim()
            low, high = self._range(name, values)
            if rescaled or low < lo or high > hi:
                ax.set_ylim(*_padded(low, high))
                rescaled = True
        changing = [*self.lines.values(), *self.heads.values(), *self.marks.values()]
        if rescaled:
            self.pixels = background(self.fig, changing)
        return redrawn(self.fig, self.pixels, changing)

    def _range(self, name: str, values) -> tuple[float, float]:
        """The values' range, widened to the baseline's so far (both lines stay in the frame)."""
        lo, hi = values.min(), values.max()
        if self.baseline is not None:
            base = self.baseline[name].to_numpy(float)[:len(values)]
            lo, hi = min(lo, base.min()), max(hi, base.max())
        return lo, hi


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """A y range around the data with room to grow (at least 0.01, so a flat line is not a
    full-height wobble; a quarter of the range, so the axis is not widened every step)."""
    margin = max((hi - lo) * 0.25, 0.01)
    return lo - margin, hi + margin
