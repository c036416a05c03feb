"""The app's world map: ONE figure per browser session and quantity, recoloured in place every step.

Quantities (:data:`QUANTITIES`): used capability and each country's contribution to the AI divide
(fixed log scales, so a colour keeps its meaning from one quarter to the next), engagement in a
forum (0-1) and membership status in a forum (categorical colours, as ``govsim.plotting.plot_forum_map``,
with a legend that counts the countries). The country artists (gid "countries" and "country_dots",
each with an ``iso3`` tuple naming its marks) get new colours; only they, the legend and the title
are drawn again on the kept background (blitting, see :mod:`govsim.app.views`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.colors import LogNorm, Normalize

from govsim.app.views import FONT, background, new_figure, redrawn
from govsim.labels import label

QUANTITIES = {"capability": "Used AI capability", "divide_contribution": "Contribution to the AI divide",
              "engagement": "Engagement in a forum", "status": "Membership status in a forum"}
FORUMS = {"un": "UN", "g7": "G7", "brics": "BRICS"}
# Capability spans orders of magnitude (0.002-0.02 at the start, 0.1-0.5 by 2035); contributions to
# the divide run from 1e-7 to 0.05: fixed log scales show the small values and the large ones.
SCALES = {"capability": (LogNorm, 1e-3, 1.0, (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)),
          "divide_contribution": (LogNorm, 1e-5, 0.1, (1e-5, 1e-4, 1e-3, 0.01, 0.1)),
          "engagement": (Normalize, 0.0, 1.0, (0.0, 0.25, 0.5, 0.75, 1.0))}
GIDS = ("countries", "country_dots")


def column_of(quantity: str, forum: str) -> str:
    """The Session.map_values quantity: ``capability``, ``divide_contribution``, ``engagement_un``..."""
    return f"{quantity}_{forum}" if quantity in ("engagement", "status") else quantity


class WorldMap:
    """A world map of one quantity (see :data:`QUANTITIES`), recoloured in place by :meth:`update`."""

    def __init__(self, countries: pd.DataFrame, values: pd.Series, quantity: str = "capability", forum: str = "un",
                 size: tuple[float, float] = (10.0, 5.6)):
        from govsim.plotting import plot_forum_map, plot_world_map  # heavy (shapes); only when a session starts

        self.quantity, self.column = quantity, column_of(quantity, forum)
        self.fig = new_figure(size)
        ax = self.fig.add_subplot()
        table = countries.assign(**{self.column: values.reindex(countries["iso3"]).to_numpy()})
        if quantity == "status":
            plot_forum_map(table, forum, ax=ax)
            legend = ax.get_legend()
            self.colours = {text.get_text().split(" (")[0]: patch.get_facecolor()
                            for text, patch in zip(legend.get_texts(), legend.legend_handles)}
            self.legend = legend
        else:
            plot_world_map(table, self.column, ax=ax)
            self.legend = None
        self.artists = [artist for artist in ax.collections if artist.get_gid() in GIDS]
        if quantity != "status":
            self._scale(quantity)
        for text in ax.get_legend().get_texts():
            text.set_fontsize(FONT - 2)
        # one line, at a fixed height (auto-placement would move it while the background is drawn)
        self.title = ax.set_title(self._title(str(countries["period"].iloc[-1])), fontsize=FONT + 2, y=1.0, pad=6)
        self.background = background(self.fig, self._changing())

    def _scale(self, quantity: str) -> None:
        """A fixed colour scale and a colourbar with plain ticks and text sized for a projector."""
        kind, low, high, ticks = SCALES[quantity]
        norm = kind(vmin=low, vmax=high, clip=True)
        for artist in self.artists:
            artist.set_norm(norm)  # the colourbar follows its mappable's new norm
        bar, lab = self.artists[0].colorbar, label(self.column)
        bar.set_ticks(ticks, labels=[f"{tick:g}" for tick in ticks])
        log = ", log scale" if kind is LogNorm else ""
        unit = f"{lab.unit}{log}; " if lab.unit else (log[2:] + "; " if log else "")
        bar.set_label(f"{lab.name} ({unit}grey: no value)", fontsize=FONT)
        bar.ax.tick_params(labelsize=FONT - 1)

    def _changing(self) -> list:
        return [*self.artists, self.title, *([self.legend] if self.legend else [])]

    def update(self, values: pd.Series, period: str) -> bytes:
        """Recolour every country by ``values`` (indexed by iso3) and title it with ``period``; PNG bytes."""
        if self.quantity == "status":
            self._recolour_status(values.astype(str))
        else:
            for artist in self.artists:
                artist.set_array(values.reindex(list(artist.iso3)).to_numpy(float))
        self.title.set_text(self._title(period))
        return redrawn(self.fig, self.background, self._changing())

    def _recolour_status(self, status: pd.Series) -> None:
        for artist in self.artists:
            artist.set_facecolor([self.colours.get(status.get(iso, ""), self.colours["not modelled"]) for iso in artist.iso3])
        counts = status.value_counts()
        for text in self.legend.get_texts():
            name = text.get_text().split(" (")[0]
            if name in self.colours and name != "not modelled":
                text.set_text(f"{name} ({counts.get(name, 0)})")

    def _title(self, period: str) -> str:
        lab = label(self.column)
        return f"{lab.name} at the end of {period}" + (f" · {lab.better} is better" if lab.better else "")
