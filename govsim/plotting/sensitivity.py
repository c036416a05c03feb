"""Figures of sensitivity analyses (``govsim.sensitivity.analyze`` output)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from govsim.plotting.labels import label
from govsim.sensitivity import RANK_BY, ranked

def _parameter_label(name: str) -> str:
    """A parameter's dotted key as a reader sees it: ``behaviour.decision.temperature`` ->
    "decision: temperature" (the key itself is in docs/parameters.md)."""
    parts = name.removeprefix("behaviour.").split(".")
    return ": ".join(part.replace("_", " ") for part in parts)


def plot_sensitivity(table: pd.DataFrame, method: str):
    """One panel per index: horizontal bars of mu_star (Morris) or ST (Sobol, with S1 as diamonds)
    per parameter at the last year of ``govsim.sensitivity.analyze`` output, with their confidence
    as error bars; blue = uncertain parameter, orange = policy lever. Returns (fig, axes)."""
    metric, year = RANK_BY[method], int(table["year"].max())
    indices = list(dict.fromkeys(table["index"]))
    n = table["parameter"].nunique()
    fig, axes = plt.subplots(1, len(indices), figsize=(6 * len(indices), 1.2 + 0.4 * n), squeeze=False)
    axes = axes[0]
    for ax, index in zip(axes, indices):
        rows = ranked(table, method, index, year).iloc[::-1]
        colors = ["tab:blue" if g == "uncertain" else "tab:orange" for g in rows["group"]]
        ax.barh([_parameter_label(p) for p in rows["parameter"]], rows[metric], xerr=rows[f"{metric}_conf"],
                color=colors, alpha=0.85, ecolor="dimgrey")
        if method == "sobol":
            ax.scatter(rows["S1"], range(len(rows)), color="crimson", marker="D", s=18, label="S1", zorder=3)
            ax.legend(frameon=False, loc="lower right")
        ax.set(title=label(index).name, xlabel=f"{metric} (end of {year})")
        ax.set_xlim(left=0)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{method}: blue = uncertain parameter, orange = policy lever", fontsize=9)
    fig.tight_layout()
    return fig, axes


def plot_sensitivity_over_time(table: pd.DataFrame, method: str):
    """One panel per index: mu_star (Morris) or ST (Sobol) of every parameter against the year of
    ``govsim.sensitivity.analyze`` output; solid = uncertain parameter, dashed = policy lever.
    Returns (fig, axes)."""
    metric = RANK_BY[method]
    indices = list(dict.fromkeys(table["index"]))
    names = list(dict.fromkeys(table["parameter"]))
    colors = plt.get_cmap("tab20" if len(names) > 10 else "tab10")
    fig, axes = plt.subplots(1, len(indices), figsize=(5 * len(indices), 4.5), squeeze=False)
    axes = axes[0]
    for ax, index in zip(axes, indices):
        for name, rows in table[table["index"] == index].groupby("parameter", sort=False):
            style = "-" if rows["group"].iloc[0] == "uncertain" else "--"
            ax.plot(rows["year"], rows[metric], style, marker="o", label=_parameter_label(name),
                    color=colors(names.index(name) % colors.N))
        ax.set(title=label(index).name, xlabel="end of year", ylabel=metric)
        ax.set_xticks(sorted(set(table["year"])))
        ax.grid(alpha=0.3)
    axes[-1].legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig, axes
