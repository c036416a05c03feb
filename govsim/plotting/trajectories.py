"""Indices over time: one run's headlines, ensembles with seed bands, differences from a reference.

Every figure is a grid of panels (one per index, ``ncols`` to a row), titled from the label
registry with the better direction, y axes scaled to the data (never pinned to 0-1), x axis the
calendar ``time`` column with whole-year ticks, and one legend for the figure below the panels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from govsim.ensemble import UNSET, differences, summarize
from govsim.plotting.labels import title as panel_title
from govsim.plotting.panels import (check_band, colours, grid, group_names, require_columns, require_table,
                                    shared_legend, time_axis, time_column, unit)
from govsim.runner import HEADLINES

ALL = "(all runs)"  # the one group when by=None


def plot_headlines(indices: pd.DataFrame, title: str = "", ax=None):
    """The three headline indices of ONE run over calendar time; returns (fig, axes).

    Without ``ax``: three panels side by side, each with its own data-scaled y axis (the
    indices sit at different levels, so one shared 0-1 axis would flatten every change).
    With ``ax``: the three lines on that axis, its y limits scaled to the data.
    For several seeds or scenarios use :func:`plot_trajectories` (bands across seeds).
    """
    require_table(indices, "plot_headlines")
    require_columns(indices, ["step", *HEADLINES], "plot_headlines")
    if indices["step"].duplicated().any():
        raise ValueError("plot_headlines: the table holds several runs (a step appears more than once); "
                         "use plot_trajectories(table) for an ensemble, or pass one run's indices")
    x = indices[time_column(indices)]
    if ax is None:
        fig, axes = grid(len(HEADLINES), ncols=len(HEADLINES))
        for panel, column in zip(axes, HEADLINES):
            panel.plot(x, indices[column], linewidth=2, color="tab:blue")
            panel.set(title=panel_title(column), ylabel=unit(column))
            time_axis(panel, x)
    else:
        fig, axes = ax.figure, np.array([ax])
        for column in HEADLINES:
            ax.plot(x, indices[column], linewidth=2, label=panel_title(column).replace("\n", " "))
        ax.set(ylabel="index, 0-1")
        ax.legend(loc="best", frameon=False, fontsize=8)
        time_axis(ax, x)
    if title:
        fig.suptitle(title)
    return fig, axes


def plot_trajectories(table: pd.DataFrame, indices: Sequence[str] = HEADLINES, by: str | None = "scenario",
                      band: tuple[float, float] = (0.05, 0.95), ncols: int = 3, reference=None):
    """Indices of an ensemble over calendar time: per group (``by``, e.g. scenario) the mean across
    seeds and a shaded band between the ``band`` quantiles across seeds; returns (fig, axes).

    ``table``: a raw indices table with one row per run and step (``govsim.run_many``,
    ``load_sweep``, or one run's ``Results.indices``); it is summarised here with
    :func:`govsim.summarize`. ``indices``: any index columns (the grid has ``ncols`` panels to a
    row). ``by=None``: all runs form one group. ``reference``: a group drawn in black under the
    others and listed first (default: "baseline" if it is a group).
    ``axes`` is a flat array, one panel per index.
    """
    require_table(table, "plot_trajectories")
    indices = _index_list(indices)
    if by is None:
        table, by = table.assign(_group=ALL), "_group"
    require_columns(table, [by], "plot_trajectories", "group column (by)")
    require_columns(table, indices, "plot_trajectories", "index")
    lo, hi = check_band(band)
    summary = summarize(table, by=by, indices=indices, quantiles=(lo, 0.5, hi))
    qlo, qhi = summary.columns[-3], summary.columns[-1]
    seeds = None
    if "seed" in table.columns and by != "_group":  # seeds per group, keyed as _draw_bands keys them (a missing by value -> UNSET)
        key = table[by].astype(object).where(table[by].notna(), UNSET)
        seeds = table.assign(_key=key).groupby("_key", sort=False)["seed"].nunique()
    fig, axes = _draw_bands(summary, indices, by, qlo, qhi, ncols, reference, seeds)
    fig.suptitle(f"Mean across seeds; band: {_pct(lo)}-{_pct(hi)} percentile of seeds", fontsize=10)
    return fig, axes


def plot_bands(summary: pd.DataFrame, indices: Sequence[str] = HEADLINES, by="scenario", years=(),
               ncols: int = 3, reference=None):
    """As :func:`plot_trajectories`, from ``govsim.ensemble.summarize(df, by=by)`` output: the band
    runs between its lowest and highest quantile columns. With ``years``, a dashed line at the row
    that ends each of those calendar years (its ``YYYYQ4`` period), labelled "end Y"; returns (fig, axes)."""
    require_table(summary, "plot_bands")
    indices = _index_list(indices)
    by = [by] if isinstance(by, str) else list(by)
    missing = [i for i in indices if i not in set(summary["index"])] + [c for c in by if c not in summary.columns]
    if missing:
        raise ValueError(f"plot_bands: {missing[0]!r} is not in the summary; pass the same indices and by as to summarize()")
    qcols = sorted((c for c in summary.columns if c.startswith("q") and c[1:].replace(".", "").isdigit()),
                   key=lambda c: float(c[1:]))
    qlo, qhi = (qcols[0], qcols[-1]) if qcols else (None, None)
    fig, axes = _draw_bands(summary, indices, by, qlo, qhi, ncols, reference, None)
    marks = sorted({int(y) for y in years})
    for ax in axes:
        for year in marks:
            x = _end_of_year(summary, year)
            ax.axvline(x, color="grey", linestyle="--", linewidth=1)
            ax.annotate(f"end {year}", (x, 1.0), xycoords=("data", "axes fraction"), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=7, color="grey")
        if marks:
            ax.set_title(ax.get_title(), pad=14)  # room for the "end Y" labels above the frame, off the data
    if qcols:
        fig.suptitle(f"Mean across seeds; band: {_pct(float(qlo[1:]) / 100)}-{_pct(float(qhi[1:]) / 100)} "
                     f"percentile of seeds", fontsize=10)
    return fig, axes


def plot_difference(table: pd.DataFrame, reference="baseline", indices: Sequence[str] = HEADLINES,
                    by: str = "scenario", level: float = 0.9, ncols: int = 3):
    """Each group minus the ``reference`` group over calendar time, paired on common seeds: the mean
    difference and, shaded, the t-based ``level`` confidence interval of that mean (computed by
    :func:`govsim.ensemble.differences`), with a line at zero; one panel per index; returns (fig, axes)."""
    require_table(table, "plot_difference")
    indices = _index_list(indices)
    require_columns(table, [by], "plot_difference", "group column (by)")
    require_columns(table, indices, "plot_difference", "index")
    delta = differences(table, reference=reference, by=by, indices=indices, level=level)
    ref = delta["reference"].iloc[0]
    delta = delta[delta[by] != ref]
    if delta.empty:
        raise ValueError(f"plot_difference: {by!r} has only the reference group {ref!r}; nothing to compare "
                         f"(run other {by} values on the same seeds)")
    x = time_column(delta)
    groups = list(dict.fromkeys(delta[by]))
    colour = colours(groups)
    fig, axes = grid(len(indices), ncols)
    for ax, index in zip(axes, indices):
        ax.axhline(0.0, color="black", linewidth=1)
        for group in groups:
            rows = delta[(delta[by] == group) & (delta["index"] == index)].sort_values(x)
            n = int(rows["n_common"].min())
            ax.plot(rows[x], rows["delta_mean"], color=colour[group], linewidth=2,
                    label=f"{group} ({n} common seed{'s' * (n != 1)})")
            ax.fill_between(rows[x], rows["delta_ci_lo"], rows["delta_ci_hi"], color=colour[group], alpha=0.2,
                            linewidth=0)
        ax.set(title=panel_title(index), ylabel=f"Δ ({unit(index)})" if unit(index) else "Δ")
        time_axis(ax, delta[x])
    shared_legend(fig, axes)
    fig.suptitle(f"Difference from {ref}, paired on common seeds: mean and its {level:.0%} confidence "
                 f"interval (t); above zero = higher than {ref}", fontsize=10)
    return fig, axes


def _draw_bands(summary: pd.DataFrame, indices: list[str], by, qlo: str | None, qhi: str | None, ncols: int,
                reference, seeds: pd.Series | None):
    """The grid of band panels shared by plot_trajectories and plot_bands (reference group first)."""
    by = [by] if isinstance(by, str) else list(by)
    x = time_column(summary)
    summary = summary.assign(**{c: summary[c].astype(object).where(summary[c].notna(), UNSET) for c in by})
    summary["_key"] = list(summary[by].itertuples(index=False, name=None)) if len(by) > 1 else summary[by[0]]
    keys = list(dict.fromkeys(summary["_key"]))
    ref = _match_group(keys, reference, by) if reference is not None else ("baseline" if "baseline" in keys else None)
    keys = ([ref] if ref is not None else []) + [k for k in keys if k != ref]
    colour = colours(keys, ref)
    fig, axes = grid(len(indices), ncols)
    for ax, index in zip(axes, indices):
        rows = summary[summary["index"] == index]
        for key in keys:
            group = rows[rows["_key"] == key].sort_values(x)
            n = int(seeds[key]) if seeds is not None else int(group["n"].max())
            name, what = ("all runs", "run") if key == ALL else (group_names(key), "seed")
            ax.plot(group[x], group["mean"], color=colour[key], linewidth=2.4 if key == ref else 1.8,
                    zorder=2 if key == ref else 3, label=f"{name} ({n} {what}{'s' * (n != 1)})")  # others over it
            if qlo is not None:
                ax.fill_between(group[x], group[qlo], group[qhi], color=colour[key], alpha=0.18, linewidth=0)
        ax.set(title=panel_title(index), ylabel=unit(index))
        time_axis(ax, summary[x])
    shared_legend(fig, axes)
    return fig, axes


def _end_of_year(summary: pd.DataFrame, year: int) -> float:
    """x of the row that ends calendar ``year``: its closing period's ``time``; legacy tables
    (``year`` = the end of the period, no ``time``) put it at ``year + 1``."""
    if "time" not in summary.columns:
        return year + 1.0
    periods = summary["period"].astype(str)
    closes = periods.str.endswith("Q4") | ~periods.str.contains("Q", regex=False)
    rows = summary[(summary["year"] == year) & closes]
    return float(rows["time"].iloc[0]) if len(rows) else year + 1.0


def _match_group(keys: list, reference, by: list[str]):
    for k in keys:
        if k == reference or str(k) == str(reference):
            return k
    raise ValueError(f"reference {reference!r} is not a value of {', '.join(by)}; choose one of {keys}")


def _index_list(indices) -> list[str]:
    out = [indices] if isinstance(indices, str) else list(indices)
    if not out:
        raise ValueError(f"indices is empty; give index columns, e.g. {list(HEADLINES)}")
    return out


def _pct(q: float) -> str:
    return f"{q * 100:g}th"

