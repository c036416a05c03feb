"""What the trajectory and country figures share: a grid of panels, a calendar-time x axis, one
legend for the whole figure, colours per group, and the checks that turn bad input into one clear
ValueError naming the value and the choices."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MultipleLocator

from govsim.plotting.labels import label

PANEL = (4.6, 3.3)  # inches per panel: wide enough for a two-line registry title and year ticks


def grid(n: int, ncols: int = 3, panel: tuple[float, float] = PANEL, sharex: bool = True):
    """A figure with ``n`` panels in rows of ``ncols`` (spare cells removed); returns (fig, axes)
    with ``axes`` a flat array of the ``n`` panels in reading order."""
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols = {ncols!r} must be a whole number >= 1, e.g. 3")
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows), squeeze=False,
                             sharex=sharex, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.1)  # room between a row's year ticks and the next row's titles
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.remove()
    for ax in flat[:n]:
        ax.xaxis.set_tick_params(labelbottom=True)  # shared x: keep the years under every panel
    return fig, flat[:n]


def time_axis(ax, times) -> None:
    """x axis = calendar time (the ``time`` column), spanning the data, ticks on whole years."""
    lo, hi = float(np.nanmin(times)), float(np.nanmax(times))
    ax.set_xlim(lo, hi if hi > lo else lo + 1)
    step = max(1, math.ceil((hi - lo) / 7))
    ax.xaxis.set_major_locator(MultipleLocator(step, offset=math.floor(hi) % step))  # a tick on the last year
    ax.xaxis.set_minor_locator(MultipleLocator(1))
    ax.grid(alpha=0.3)


def shared_legend(fig, axes, title: str | None = None) -> None:
    """One legend for the figure, below the panels (never on the data), from the first panel's lines."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), frameon=False,
                   title=title, fontsize=9, title_fontsize=9)


def colours(groups: Sequence, reference=None) -> dict:
    """A colour per group: the reference in black; a library scenario always in its own colour (the
    same in every figure); other groups in the tab10 colours no library scenario of the figure uses."""
    fixed = _library_colours()
    out = {g: fixed[g] for g in groups if g != reference and g in fixed}
    spare = [c for c in plt.get_cmap("tab10").colors if c not in out.values()]
    others = [g for g in groups if g != reference and g not in fixed]
    out.update({g: spare[i % len(spare)] for i, g in enumerate(others)})
    if reference is not None:
        out[reference] = "black"
    return out


@functools.lru_cache(maxsize=1)
def _library_colours() -> dict:
    """The library's scenarios (but the baseline, drawn black as a reference) in tab20 order of name."""
    from govsim.catalog import list_scenarios

    names = [n for n in sorted(list_scenarios()["name"]) if n != "baseline"]
    palette = plt.get_cmap("tab20").colors[::2] + plt.get_cmap("tab20").colors[1::2]  # dark shades first
    return {name: palette[i % len(palette)] for i, name in enumerate(names)} | {"baseline": "black"}


def require_table(table, what: str) -> pd.DataFrame:
    """ValueError if ``table`` is not a DataFrame with rows."""
    if not isinstance(table, pd.DataFrame) or table.empty:
        kind = "empty table" if isinstance(table, pd.DataFrame) else f"{type(table).__name__}"
        raise ValueError(f"{what}: got an {kind}; pass a tidy table with rows "
                         f"(Results.indices / .countries, a run_many ensemble or load_sweep output)")
    return table


def require_columns(table: pd.DataFrame, columns: Sequence[str], what: str, role: str = "column") -> None:
    """ValueError naming the first missing column and the available ones."""
    for column in columns:
        if column not in table.columns:
            choices = ", ".join(map(str, table.columns))
            if len(choices) > 400:
                choices = choices[:400] + "..."
            raise ValueError(f"{what}: unknown {role} {_short(column)}; choose one of: {choices}")


def require_numeric(table: pd.DataFrame, column: str, what: str) -> None:
    """ValueError if ``column`` does not hold numbers (e.g. a status or a name)."""
    if not pd.api.types.is_numeric_dtype(table[column]) or pd.api.types.is_bool_dtype(table[column]):
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])
                   and c not in ("step", "year", "time", "seed")]
        raise ValueError(f"{what}: column {column!r} does not hold numbers; choose one of: {', '.join(numeric)}")


def check_band(band) -> tuple[float, float]:
    """(lo, hi) quantiles with 0 <= lo < hi <= 1."""
    try:
        lo, hi = (float(b) for b in band)
    except (TypeError, ValueError):
        lo = hi = math.nan
    if not 0 <= lo < hi <= 1:
        raise ValueError(f"band = {_short(band)} must be two quantiles lo < hi in [0, 1], e.g. (0.05, 0.95)")
    return lo, hi


def time_column(table: pd.DataFrame) -> str:
    """``time`` (the period's start as a decimal year); tables written before it existed use ``year``."""
    return "time" if "time" in table.columns else "year"


def group_names(key) -> str:
    """A legend entry for a group key (one value or a tuple of them)."""
    return ", ".join(map(str, key if isinstance(key, tuple) else (key,)))


def unit(column: str) -> str:
    """The y-axis label of a panel whose title already names ``column``: its unit from the registry."""
    return label(column).unit


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "...'"
