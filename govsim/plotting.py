"""Figures from results (matplotlib only here; the engine never imports this module)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

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
