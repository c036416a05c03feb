"""Trajectory figures (govsim.plotting): the artists drawn, the grid, the labels, the axes."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from govsim.ensemble import summarize
from govsim.plotting import plot_bands, plot_difference, plot_headlines, plot_trajectories
from govsim.plotting.labels import title
from govsim.runner import HEADLINES

COMPONENTS = ["gini_capability_pop", "theil_between_income", "gap_high_low", "gap_north_south", "access_gap",
              "adoption_gap", "compute_hhi"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _table(scenarios=("baseline", "capacity_building", "export_controls_2025"), seeds=(0, 1, 2), steps: int = 13,
           columns=(*HEADLINES, *COMPONENTS)) -> pd.DataFrame:
    """An ensemble indices table in the time convention of issue 12 (step 0 = 2022Q4, ``year`` = the
    period's year, ``time`` = its start), every index between 0.3 and 0.4."""
    rows = []
    for k, scenario in enumerate(scenarios):
        for seed in seeds:
            for step in range(steps):
                start = 2022.75 + 0.25 * step
                values = {c: 0.3 + 0.1 * ((step + 3 * k + seed + j) % 7) / 7 for j, c in enumerate(columns)}
                rows.append({"run_id": f"{scenario}-{seed}", "scenario": scenario, "seed": seed, "step": step,
                             "period": f"{math.floor(start)}Q{round((start % 1) * 4) + 1}",
                             "year": math.floor(start), "time": start, **values})
    return pd.DataFrame(rows)


def _bands(ax) -> list:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _lines(ax) -> list:
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def test_one_band_and_one_mean_line_per_scenario_in_every_panel():
    fig, axes = plot_trajectories(_table())
    assert len(axes) == 3
    for ax in axes:
        assert len(_bands(ax)) == 3 and len(_lines(ax)) == 3


def test_seven_components_make_a_three_by_three_grid_not_a_strip():
    fig, axes = plot_trajectories(_table(), indices=COMPONENTS, ncols=3)
    assert len(axes) == 7 and len(fig.axes) == 7  # the two spare cells are removed
    assert {ax.get_subplotspec().get_gridspec().get_geometry() for ax in axes} == {(3, 3)}
    width, height = fig.get_size_inches()
    assert width < 2 * height  # not a 3780 x 480 strip
    assert [ax.get_title() for ax in axes] == [title(c) for c in COMPONENTS]
    fig, axes = plot_trajectories(_table(), indices=COMPONENTS[:4], ncols=2)
    assert {ax.get_subplotspec().get_gridspec().get_geometry() for ax in axes} == {(2, 2)}


def test_titles_and_axis_labels_come_from_the_registry_never_raw_column_names():
    fig, axes = plot_trajectories(_table(), indices=["ai_divide", "gap_north_south"])
    assert [ax.get_title() for ax in axes] == ["AI divide (population-weighted Gini)\n(lower is better)",
                                               "North-South gap\n(lower is better)"]
    texts = [ax.get_title() for ax in axes] + [ax.get_ylabel() for ax in axes] + [fig.get_suptitle()]
    assert not any("_" in text for text in texts), texts


def test_the_y_axis_is_scaled_to_the_data_and_the_x_axis_spans_it_with_whole_years():
    table = _table()
    fig, axes = plot_trajectories(table)
    for ax in axes:
        lo, hi = ax.get_ylim()
        assert (lo, hi) != (0.0, 1.0) and 0.25 < lo < 0.31 and 0.37 < hi < 0.45  # the data: 0.3-0.39
        assert ax.get_xlim() == (2022.75, 2025.75)  # the time column, first to last period
        ticks = [t for t in ax.get_xticks() if 2022.75 <= t <= 2025.75]
        assert ticks and all(float(t).is_integer() for t in ticks)


def test_one_legend_for_the_figure_with_the_number_of_seeds():
    fig, axes = plot_trajectories(_table(seeds=(0, 1, 2, 3)), reference="export_controls_2025")
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in axes)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["export_controls_2025 (4 seeds)", "baseline (4 seeds)", "capacity_building (4 seeds)"]
    reference = _lines(axes[0])[0]
    assert reference.get_color() == "black"


def test_the_band_runs_between_the_chosen_quantiles_across_seeds():
    table = _table(scenarios=("baseline",), seeds=(0, 1, 2, 3, 4), steps=3)
    fig, axes = plot_trajectories(table, indices=["inclusiveness"], band=(0.25, 0.75))
    (band,) = _bands(axes[0])
    top = band.get_paths()[0].vertices[:, 1].max()
    expected = table.groupby("step")["inclusiveness"].quantile(0.75).max()
    assert top == pytest.approx(expected)
    assert "25th-75th percentile" in fig.get_suptitle()


def test_bad_input_gets_one_clear_error_naming_the_value_and_the_choices():
    table = _table()
    with pytest.raises(ValueError, match="unknown index 'happiness'; choose one of: run_id, scenario"):
        plot_trajectories(table, indices=["happiness"])
    with pytest.raises(ValueError, match="unknown group column \\(by\\) 'policy'; choose one of"):
        plot_trajectories(table, by="policy")
    with pytest.raises(ValueError, match="empty table"):
        plot_trajectories(table.iloc[:0])
    with pytest.raises(ValueError, match=r"band = \(0.9, 0.1\) must be two quantiles lo < hi"):
        plot_trajectories(table, band=(0.9, 0.1))
    with pytest.raises(ValueError, match="reference 'nope' is not a value of scenario"):
        plot_trajectories(table, reference="nope")
    with pytest.raises(ValueError, match="ncols = 0 must be a whole number"):
        plot_trajectories(table, ncols=0)


def test_plot_headlines_draws_one_run_on_data_scaled_axes():
    run = _table(scenarios=("baseline",), seeds=(0,))
    fig, axes = plot_headlines(run, title="govsim: baseline (seed 0)")
    assert [ax.get_title() for ax in axes] == [title(h) for h in HEADLINES]
    assert all(ax.get_ylim() != (0.0, 1.0) and ax.get_ylim()[0] > 0.25 for ax in axes)
    assert fig.get_suptitle() == "govsim: baseline (seed 0)"
    fig, ax = plt.subplots()
    fig, axes = plot_headlines(run, ax=ax)
    assert list(axes) == [ax] and len(_lines(ax)) == 3 and ax.get_ylim()[0] > 0.25
    with pytest.raises(ValueError, match="several runs"):
        plot_headlines(_table())


def test_plot_bands_marks_the_end_of_a_year_at_its_closing_quarter():
    fig, axes = plot_bands(summarize(_table()), years=[2023, 2024])
    for ax in axes:
        dashed = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
        assert dashed == [2023.75, 2024.75]  # the rows 2023Q4 and 2024Q4, at their time
        assert len(_bands(ax)) == 3


def test_plot_difference_draws_a_band_per_compared_scenario_and_a_zero_line():
    table = _table()
    fig, axes = plot_difference(table, reference="baseline")
    assert [ax.get_title() for ax in axes] == [title(h) for h in HEADLINES]
    for ax in axes:
        assert len(_bands(ax)) == 2  # the reference itself is not drawn
        zero = [line for line in ax.get_lines() if np.all(np.asarray(line.get_ydata()) == 0.0)]
        assert zero
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["capacity_building (3 common seeds)", "export_controls_2025 (3 common seeds)"]
    assert "Difference from baseline" in fig.get_suptitle() and "90% confidence" in fig.get_suptitle()


def test_plot_difference_refuses_groups_without_common_seeds_or_a_lone_reference():
    table = _table(seeds=(0, 1))
    table.loc[table["scenario"] == "capacity_building", "seed"] += 10
    with pytest.raises(ValueError, match="share no seeds"):
        plot_difference(table)
    with pytest.raises(ValueError, match="nothing to compare"):
        plot_difference(_table(scenarios=("baseline",)))
