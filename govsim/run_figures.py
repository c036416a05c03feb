"""The figures a single run writes beside its tables (``govsim run``, ``make run``).

- ``headlines.png``: the three headline indices over time, this run drawn over the mean and the
  5-95% band of a small ensemble of the same scenario on seeds 0..n-1 (``store.band_seeds``), so
  a reader sees how much of a movement is the seed; axes scaled to the data.
- ``divide_map.png``: the AI divide's per-country measure, used AI capability relative to the most
  capable country at the time (the divide is relative: the Gini is scale-free), on the world map at
  the start and the end of the run, on one colour scale.
"""

from __future__ import annotations

from pathlib import Path

from govsim.runner import HEADLINES, Results

MAP_COLUMN = "capability_relative"  # capability / the most capable country's, per period (see govsim.labels)


def write_run_figures(folder: Path, results: Results, band_seeds: int) -> None:
    """Write the run's figures into ``folder`` (headlines with a seed band; the divide map)."""
    from govsim.plotting import plot_headlines, plot_trajectories, save

    title = f"govsim: {results.scenario.name} (seed {results.seed})"
    if band_seeds > 1:
        fig, axes = _with_band(results, band_seeds, plot_trajectories)
        fig.suptitle(f"{title} over the mean and 5-95% band of seeds 0-{band_seeds - 1}", fontsize=11)
    else:
        fig, axes = plot_headlines(results.indices, title=title)
    save(fig, folder / "headlines.png")
    kept = not results.countries.empty or results.countries_file is not None
    if kept and results.scenario.world.kind != "synthetic":  # a synthetic world has no geography to map
        from govsim.plotting import plot_world_maps

        steps = results.indices["step"]
        countries = results.read_countries(steps=[int(steps.min()), int(steps.max())])  # a streamed run: 2 steps read
        best = countries.groupby("step")["capability"].transform("max")
        countries = countries.assign(**{MAP_COLUMN: countries["capability"] / best.where(best > 0, 1.0)})
        fig, _ = plot_world_maps(countries, MAP_COLUMN, at=[countries["period"].iloc[0], countries["period"].iloc[-1]])
        save(fig, folder / "divide_map.png")


def _with_band(results: Results, band_seeds: int, plot_trajectories):
    """The band of seeds 0..band_seeds-1 with this run drawn over it (black line)."""
    from govsim.many import run_many
    from govsim.plotting.panels import shared_legend

    ensemble = run_many([results.scenario], seeds=range(band_seeds), progress=False, batch=True)  # stacked: the same tables, faster
    fig, axes = plot_trajectories(ensemble.indices, indices=HEADLINES, ncols=3)
    for ax, index in zip(axes, HEADLINES):
        ax.plot(results.indices["time"], results.indices[index], color="tab:red", linewidth=1.2,
                label=f"this run (seed {results.seed})")
        ax.relim()
        ax.autoscale_view()
    for legend in list(fig.legends):  # one legend below the panels, now with this run's line
        legend.remove()
    shared_legend(fig, axes)
    return fig, axes
