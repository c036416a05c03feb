"""Trajectories over time: headline indices of one run, and bands across seeds per scenario."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from govsim.runner import HEADLINES

HEADLINE_LABELS = {"inclusiveness": "Inclusiveness", "fragmentation": "Fragmentation", "ai_divide": "AI divide (Gini)"}


def plot_headlines(indices: pd.DataFrame, title: str = "", ax=None):
    """Line plot of the three headline indices over calendar time; returns (fig, ax)."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(8, 4.5))
    for column, label in HEADLINE_LABELS.items():
        ax.plot(indices["year"], indices[column], label=label, linewidth=2)
    ax.set(xlabel="year", ylabel="index (0-1)", ylim=(0, 1), title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig, ax



def plot_bands(summary: pd.DataFrame, indices=HEADLINES, by="scenario", years=()):
    """One panel per index: per group, the mean across seeds over calendar time and a shaded
    band between the lowest and highest quantile columns (e.g. q05-q95) of
    ``govsim.ensemble.summarize(df, by=by)``; with ``years``, a dashed line at the end of each
    of those calendar years (``year`` == Y + 1.0), labelled "end Y"; returns (fig, axes)."""
    by = [by] if isinstance(by, str) else list(by)
    missing = [i for i in indices if i not in set(summary["index"])] + [c for c in by if c not in summary.columns]
    if missing:
        raise ValueError(f"plot_bands: {missing[0]!r} is not in the summary; pass the same indices and by as to summarize()")
    qcols = sorted((c for c in summary.columns if c.startswith("q") and c[1:].replace(".", "").isdigit()),
                   key=lambda c: float(c[1:]))
    fig, axes = plt.subplots(1, len(indices), figsize=(4.5 * len(indices), 4), squeeze=False)
    axes = axes[0]
    for ax, index in zip(axes, indices):
        rows = summary[summary["index"] == index]
        for key, group in rows.groupby(by, dropna=False, sort=True):
            label = ", ".join(map(str, key if isinstance(key, tuple) else (key,)))
            line, = ax.plot(group["year"], group["mean"], label=label, linewidth=2)
            if qcols:
                ax.fill_between(group["year"], group[qcols[0]], group[qcols[-1]], color=line.get_color(), alpha=0.2)
        ax.set(xlabel="year", title=HEADLINE_LABELS.get(index, index))
        ax.grid(alpha=0.3)
        for year in sorted(set(years)):
            ax.axvline(year + 1.0, color="grey", linestyle="--", linewidth=1)
            ax.annotate(f"end {year}", (year + 1.0, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(-2, -10), textcoords="offset points", ha="right", fontsize=8, color="grey")
    band = f" (band {qcols[0]}-{qcols[-1]} across seeds)" if qcols else ""
    axes[0].set_ylabel("index (0-1), mean" + band)
    axes[0].legend(loc="best", frameon=False)
    fig.tight_layout()
    return fig, axes


