"""Figures from govsim's tidy tables (matplotlib only; the engine never imports this package).

Every function takes tidy tables (``Results`` tables, ``run_many`` ensembles, ``load_sweep``
output, ``govsim.summarize`` output) and returns ``(fig, axes)``. Labels come from one registry
(:mod:`govsim.plotting.labels`), never raw column names.
"""

from govsim.plotting.common import save
from govsim.plotting.countries import plot_countries, plot_group_gaps
from govsim.plotting.labels import LABELS, label
from govsim.plotting.maps import plot_forum_map, plot_world_map, plot_world_maps
from govsim.plotting.sensitivity import plot_sensitivity, plot_sensitivity_over_time
from govsim.plotting.trajectories import plot_bands, plot_difference, plot_headlines, plot_trajectories

__all__ = ["LABELS", "label", "plot_bands", "plot_countries", "plot_difference", "plot_forum_map", "plot_group_gaps",
           "plot_headlines", "plot_sensitivity", "plot_sensitivity_over_time", "plot_trajectories", "plot_world_map",
           "plot_world_maps", "save"]
