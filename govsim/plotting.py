"""Figures from results (matplotlib only here; the engine never imports this module)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from govsim.runner import HEADLINES  # noqa: E402
from govsim.sensitivity import RANK_BY, ranked  # noqa: E402

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


def save(fig, path, dpi: int = 120) -> None:
    """Write ``fig`` to ``path`` and close it (frees its memory)."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


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


def _parameter_label(name: str) -> str:
    return name.removeprefix("behaviour.")


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
        ax.set(title=index, xlabel=f"{metric} (end of {year})")
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
        ax.set(title=index, xlabel="end of year", ylabel=metric)
        ax.set_xticks(sorted(set(table["year"])))
        ax.grid(alpha=0.3)
    axes[-1].legend(frameon=False, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig, axes
