"""Country and country-group figures (govsim.plotting.plot_countries, plot_group_gaps)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from govsim.plotting import plot_countries, plot_group_gaps

# iso3, name, region, income group, population, capability at step 0 (it grows by 0.01 a step)
COUNTRIES = [("USA", "United States", "North America", "high", 330.0, 0.50),
             ("DEU", "Germany", "Europe & Central Asia", "high", 80.0, 0.40),
             ("CHN", "China", "East Asia & Pacific", "upper_middle", 1400.0, 0.25),
             ("IND", "India", "South Asia", "lower_middle", 1400.0, 0.20),
             ("NGA", "Nigeria", "Sub-Saharan Africa", "lower_middle", 220.0, 0.05)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _table(scenarios=("baseline", "policy"), seeds=(0, 1, 2), steps: int = 5) -> pd.DataFrame:
    """A countries table in the time convention of issue 12; ``policy`` adds 0.02 to capability, seed s
    adds 0.001 * s, and ``status_un`` is text."""
    rows = []
    for k, scenario in enumerate(scenarios):
        for seed in seeds:
            for step in range(steps):
                start = 2022.75 + 0.25 * step
                for iso3, name, region, income, population, capability in COUNTRIES:
                    rows.append({"run_id": f"{scenario}-{seed}", "scenario": scenario, "seed": seed, "step": step,
                                 "period": f"{math.floor(start)}Q{round((start % 1) * 4) + 1}",
                                 "year": math.floor(start), "time": start, "iso3": iso3, "name": name,
                                 "region": region, "income_group": income, "population": population,
                                 "capability": capability + 0.01 * step + 0.02 * k + 0.001 * seed,
                                 "status_un": "member"})
    return pd.DataFrame(rows)


def _bands(ax) -> list:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _line(ax, label: str):
    (line,) = [line for line in ax.get_lines() if line.get_label() == label]
    return line


def test_countries_are_picked_by_iso3_or_name_in_any_case():
    fig, axes = plot_countries(_table(), countries=("usa", "China", "NIGERIA"))
    assert [ax.get_title() for ax in axes] == ["United States (USA)", "China (CHN)", "Nigeria (NGA)"]


def test_an_unknown_country_is_one_error_with_close_matches():
    with pytest.raises(ValueError, match=r"unknown country in the table \('Chna': close matches China"):
        plot_countries(_table(), countries=("USA", "Chna"))
    with pytest.raises(ValueError, match="unknown countries in the table .*'Atlantis': close matches none"):
        plot_countries(_table(), countries=("Atlantis", "Germny"))


def test_one_band_per_scenario_per_country_and_none_for_a_single_seed():
    fig, axes = plot_countries(_table(), countries=("USA", "IND"))
    for ax in axes:
        assert len(_bands(ax)) == 2
    usa = _line(axes[0], "policy (3 seeds)")
    assert list(usa.get_ydata()) == pytest.approx([0.50 + 0.01 * s + 0.02 + 0.001 for s in range(5)])
    assert list(usa.get_xdata()) == [2022.75, 2023.0, 2023.25, 2023.5, 2023.75]
    fig, axes = plot_countries(_table(seeds=(0,)), countries=("USA",))
    assert _bands(axes[0]) == [] and len(axes[0].get_lines()) == 2
    assert "one run" in fig.get_suptitle() and "Used AI capability" in fig.get_suptitle()


def test_income_group_means_are_population_weighted_and_the_gap_is_one_minus_lowest_over_highest():
    table = _table(scenarios=("baseline",), seeds=(0,))
    fig, axes = plot_group_gaps(table)
    assert len(axes) == 2 and axes[0].get_title() == "baseline"
    high = (330 * 0.50 + 80 * 0.40) / 410
    lower_middle = (1400 * 0.20 + 220 * 0.05) / 1620
    assert _line(axes[0], "High income").get_ydata()[0] == pytest.approx(high)
    assert _line(axes[0], "Lower-middle income").get_ydata()[0] == pytest.approx(lower_middle)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Lower-middle income", "Upper-middle income", "High income"]  # ranked, no low income here
    gap = _line(axes[1], "baseline (1 seed)").get_ydata()
    assert gap[0] == pytest.approx(1 - lower_middle / high)
    assert "(lower = more equal)" in axes[1].get_title()


def test_north_south_and_regions_and_unweighted_means():
    table = _table(scenarios=("baseline",), seeds=(0,))
    fig, axes = plot_group_gaps(table, group="north_south")
    south = (1400 * 0.25 + 1400 * 0.20 + 220 * 0.05) / 3020
    assert _line(axes[0], "South (all other incomes)").get_ydata()[0] == pytest.approx(south)
    fig, axes = plot_group_gaps(table, group="region", weight=None)
    assert len([line for line in axes[0].get_lines()]) == 5
    assert _line(axes[0], "South Asia").get_ydata()[0] == pytest.approx(0.20)
    assert "unweighted" in fig.get_suptitle()


def test_group_gaps_draw_a_panel_per_scenario_with_seed_bands_and_the_gap_per_scenario():
    fig, axes = plot_group_gaps(_table(), group="income_group")
    assert [ax.get_title() for ax in axes[:2]] == ["baseline", "policy"]
    assert all(len(_bands(ax)) == 3 for ax in axes[:2])  # three income groups present
    assert len(_bands(axes[2])) == 2  # the gap: one band per scenario
    assert axes[0].get_ylim() == axes[1].get_ylim()  # the scenarios on one scale


def test_bad_input_gets_one_clear_error_naming_the_value_and_the_choices():
    table = _table()
    with pytest.raises(ValueError, match="unknown group 'continent'; choose one of: income_group, region, north_south"):
        plot_group_gaps(table, group="continent")
    with pytest.raises(ValueError, match="unknown column 'happiness'; choose one of: run_id, scenario"):
        plot_countries(table, column="happiness")
    with pytest.raises(ValueError, match="column 'status_un' does not hold numbers; choose one of: .*capability"):
        plot_group_gaps(table, column="status_un")
    with pytest.raises(ValueError, match="unknown weight column 'people'"):
        plot_group_gaps(table, weight="people")
    with pytest.raises(ValueError, match="unknown group column \\(by\\) 'policy'"):
        plot_countries(table, by="policy")
    with pytest.raises(ValueError, match="empty table"):
        plot_group_gaps(table.iloc[:0])
    with pytest.raises(ValueError, match="countries is empty"):
        plot_countries(table, countries=())


def test_tables_without_names_are_matched_through_the_country_catalog():
    table = _table(seeds=(0,)).drop(columns=["name"])
    fig, axes = plot_countries(table, countries=("germany",))
    assert [ax.get_title() for ax in axes] == ["Germany (DEU)"]
    assert np.isfinite(axes[0].get_lines()[0].get_ydata()).all()
