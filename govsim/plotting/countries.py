"""Countries and groups of countries over time, from the countries table (one row per country per
step per run): chosen countries' trajectories, and income-group, regional or North-South means
with the gap between them. Seed bands wherever a group has several seeds."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import pandas as pd

from govsim.codes import INCOME_GROUPS
from govsim.ensemble import UNSET
from govsim.plotting.labels import axis, label
from govsim.plotting.panels import (check_band, colours, grid, require_columns, require_numeric, require_table,
                                    shared_legend, time_axis, time_column)

DEFAULT_COUNTRIES = ("USA", "CHN", "DEU", "IND", "BRA", "NGA")
GROUPINGS = ("income_group", "region", "north_south")
INCOME_NAMES = {"low": "Low income", "lower_middle": "Lower-middle income", "upper_middle": "Upper-middle income",
                "high": "High income"}
NORTH, SOUTH = "North (high income)", "South (all other incomes)"
ALL = "(all runs)"


def plot_countries(table: pd.DataFrame, column: str = "capability", countries: Sequence[str] = DEFAULT_COUNTRIES,
                   by: str | None = "scenario", band: tuple[float, float] = (0.05, 0.95), ncols: int = 3,
                   sharey: bool = False):
    """``column`` of chosen countries over calendar time: one panel per country, one line per group
    (``by``, e.g. scenario: the mean across seeds) with a band between the ``band`` quantiles across
    seeds when a group has several; returns (fig, axes), one panel per country.

    Countries are picked by ISO3 code or name, case-insensitive (``("USA", "china")``). One panel per
    country, not one line per country, because scenario effects are small next to the gaps between
    countries: on a shared axis they would vanish. ``sharey=True`` puts the countries on one scale.
    """
    table = _checked(table, column, by, "plot_countries")
    lo, hi = check_band(band)
    picked = pick_countries(table, countries)
    x = time_column(table)
    keys, colour = _keys(table)
    fig, axes = grid(len(picked), ncols, sharex=True)
    if sharey:
        for ax in axes[1:]:
            ax.sharey(axes[0])
    for ax, (iso3, name) in zip(axes, picked):
        rows = table[table["iso3"] == iso3]
        spread = _spread(rows, ["_by", x], column, lo, hi)
        for key in keys:
            _band(ax, spread[spread["_by"] == key], x, colour[key], _legend_name(key, spread, by), key == "baseline")
        ax.set(title=f"{name} ({iso3})", ylabel=label(column).unit)
        time_axis(ax, table[x])
    shared_legend(fig, axes)
    fig.suptitle(_heading(column, table, lo, hi), fontsize=10)
    return fig, axes


def plot_group_gaps(table: pd.DataFrame, column: str = "capability", group: str = "income_group",
                    weight: str | None = "population", by: str | None = "scenario",
                    band: tuple[float, float] = (0.05, 0.95)):
    """The ``weight``-weighted mean of ``column`` per group of countries over calendar time, and the
    gap between the groups; returns (fig, axes).

    ``group``: "income_group", "region" or "north_south" (high income vs all others, at each
    step). One panel per ``by`` group (e.g. scenario) with a line per country group (the mean
    across seeds, a band between the ``band`` quantiles when there are several seeds), all on
    one y scale, then a last panel with the gap = 1 - lowest group mean / highest group mean
    (computed per run and step, then summarised across seeds), a line per ``by`` group.
    ``weight=None``: every country counts the same.
    """
    table = _checked(table, column, by, "plot_group_gaps")
    if group not in GROUPINGS:
        raise ValueError(f"plot_group_gaps: unknown group {group!r}; choose one of: {', '.join(GROUPINGS)}")
    require_columns(table, ["income_group" if group == "north_south" else group], "plot_group_gaps")
    if weight is not None:
        require_columns(table, [weight], "plot_group_gaps", "weight column")
        require_numeric(table, weight, "plot_group_gaps")
    lo, hi = check_band(band)
    x = time_column(table)
    means = _group_means(table, column, group, weight, x)
    keys, _ = _keys(table)
    order = _group_order(means["_group"], group)
    fig, axes = grid(len(keys) + 1, ncols=2 if len(keys) + 1 <= 4 else 3, sharex=True)
    group_colour = dict(zip(order, _group_palette(len(order))))
    for ax, key in zip(axes, keys):
        spread = _spread(means[means["_by"] == key], ["_group", x], "value", lo, hi)
        for g in order:
            _band(ax, spread[spread["_group"] == g], x, group_colour[g], g)
        ax.set(title=key if by is not None else "all runs", ylabel=axis(column))
        time_axis(ax, table[x])
    for ax in axes[1:-1]:
        ax.sharey(axes[0])
    _gap_panel(axes[-1], table, means, by, lo, hi)
    shared_legend(fig, axes[:-1], title=_grouping_name(group))
    weighting = f"{label(weight).name.lower()}-weighted" if weight else "unweighted"
    fig.suptitle(f"{label(column).name}: {weighting} mean by {_grouping_name(group)}\n"
                 f"{_band_note(table, lo, hi)}", fontsize=10)
    return fig, axes


def pick_countries(table: pd.DataFrame, countries: Sequence[str]) -> list[tuple[str, str]]:
    """(iso3, name) of each requested country, matched on ISO3 or name, case-insensitive; one
    ValueError naming the unknown ones with close matches."""
    names = _names(table)
    lookup = {**{n.casefold(): i for i, n in names.items()}, **{i.casefold(): i for i in names}}
    wanted = [countries] if isinstance(countries, str) else list(countries)
    if not wanted:
        raise ValueError("countries is empty; give ISO3 codes or names, e.g. ('USA', 'China')")
    unknown = [c for c in wanted if str(c).casefold() not in lookup]
    if unknown:
        hints = {str(c): difflib.get_close_matches(str(c), list(names.values()) + list(names), n=4, cutoff=0.5)
                 for c in unknown}
        said = "; ".join(f"{c!r}: close matches {', '.join(h) if h else 'none'}" for c, h in hints.items())
        raise ValueError(f"unknown countr{'y' if len(unknown) == 1 else 'ies'} in the table ({said}); "
                         f"give ISO3 codes or names as in govsim.countries()")
    picked = list(dict.fromkeys(lookup[str(c).casefold()] for c in wanted))
    return [(i, names[i]) for i in picked]


def _gap_panel(ax, table: pd.DataFrame, means: pd.DataFrame, by: str | None, lo: float, hi: float) -> None:
    """The gap 1 - lowest / highest group mean, per run and step, summarised across seeds per ``by`` group."""
    x = time_column(table)
    ratio = means.groupby(["_run", "_by", x], sort=True)["value"].agg(
        lambda v: 1 - v.min() / v.max() if v.max() > 0 else float("nan"))
    spread = _spread(ratio.rename("gap").reset_index(), ["_by", x], "gap", lo, hi)
    keys, colour = _keys(table)
    for key in keys:
        _band(ax, spread[spread["_by"] == key], x, colour[key], _legend_name(key, spread, by), key == "baseline")
    ax.set(title="Gap between the groups: 1 - lowest / highest\n(lower = more equal)", ylabel="1 - ratio")
    time_axis(ax, table[x])
    if by is not None:  # scenarios: a legend of their own under the gap panel, apart from the country groups
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=9, title=by,
                  title_fontsize=9)


def _group_means(table: pd.DataFrame, column: str, group: str, weight: str | None, x: str) -> pd.DataFrame:
    """Per run (``_run``), ``_by`` group, time and country group (``_group``): the weighted mean
    ``value`` of ``column`` = sum(w * x) / sum(w) over the group's countries with a value."""
    rows = table.dropna(subset=[column])
    if group == "north_south":
        groups = rows["income_group"].astype(str).eq("high").map({True: NORTH, False: SOUTH})
    elif group == "income_group":
        groups = rows["income_group"].astype(str).map(lambda g: INCOME_NAMES.get(g, g))
    else:
        groups = rows[group].astype(str)
    w = rows[weight].astype(float) if weight else pd.Series(1.0, index=rows.index)
    frame = pd.DataFrame({"_run": rows["_run"], "_by": rows["_by"], x: rows[x], "_group": groups,
                          "_wx": w * rows[column].astype(float), "_w": w})
    sums = frame.groupby(["_run", "_by", x, "_group"], sort=True)[["_wx", "_w"]].sum().reset_index()
    return sums.assign(value=sums["_wx"] / sums["_w"]).drop(columns=["_wx", "_w"])


def _checked(table, column: str, by: str | None, what: str) -> pd.DataFrame:
    """The table with ``_by`` (group) and ``_run`` (one run) columns, after the checks every plot needs."""
    require_table(table, what)
    require_columns(table, ["iso3", "step"], what)
    require_columns(table, [column], what)
    require_numeric(table, column, what)
    if by is not None:
        require_columns(table, [by], what, "group column (by)")
    group = table[by].astype(object).where(table[by].notna(), UNSET) if by is not None else ALL
    return table.assign(_by=group, _run=_run_ids(table, by))


def _run_ids(table: pd.DataFrame, by: str | None):
    """One value per run: ``run_id``, else (scenario, by, seed), else one run."""
    if "run_id" in table.columns:
        return table["run_id"]
    parts = list(dict.fromkeys(c for c in ("scenario", by, "seed") if c is not None and c in table.columns))
    return table[parts].astype(str).agg("-".join, axis=1) if parts else "one run"


def _spread(frame: pd.DataFrame, keys: list[str], value: str, lo: float, hi: float) -> pd.DataFrame:
    """Per ``keys``: mean, ``lo``/``hi`` quantiles and count of ``value`` across runs."""
    grouped = frame.groupby(keys, sort=True)[value]
    out = grouped.agg(["mean", "count"])
    out["lo"], out["hi"] = grouped.quantile(lo), grouped.quantile(hi)
    return out.reset_index()


def _band(ax, rows: pd.DataFrame, x: str, colour, name: str | None, under: bool = False) -> None:
    """A mean line and, when some step has several runs, the band between the quantiles; ``under``:
    the reference, drawn wider and beneath the others so that lines equal to it stay visible."""
    ax.plot(rows[x], rows["mean"], color=colour, linewidth=2.4 if under else 1.8, zorder=2 if under else 3, label=name)
    if len(rows) and rows["count"].max() > 1:
        ax.fill_between(rows[x], rows["lo"], rows["hi"], color=colour, alpha=0.2, linewidth=0)


def _names(table: pd.DataFrame) -> dict[str, str]:
    """ISO3 -> name of the countries in the table (names from govsim.countries() if it has none)."""
    codes = pd.unique(table["iso3"].astype(str))
    if "name" in table.columns:
        pairs = table[["iso3", "name"]].drop_duplicates("iso3")
        known = dict(zip(pairs["iso3"].astype(str), pairs["name"].astype(str)))
    else:
        from govsim.catalog import countries

        cat = countries()
        known = dict(zip(cat["iso3"], cat["name"]))
    return {c: known.get(c, c) for c in codes}


def _group_order(groups: pd.Series, group: str) -> list[str]:
    present = list(dict.fromkeys(groups))
    if group == "income_group":
        ranked = [INCOME_NAMES[g] for g in INCOME_GROUPS]
        return [g for g in ranked if g in present] + sorted(g for g in present if g not in ranked)
    if group == "north_south":
        return [g for g in (NORTH, SOUTH) if g in present]
    return sorted(present)


def _keys(table: pd.DataFrame) -> tuple[list, dict]:
    """The ``by`` groups, sorted as in govsim.summarize, and their colours (baseline black), the same
    as in the trajectory figures."""
    keys = sorted(pd.unique(table["_by"]), key=lambda g: (isinstance(g, str), str(g) if isinstance(g, str) else g))
    return keys, colours(keys, "baseline" if "baseline" in keys else None)


def _group_palette(n: int) -> list:
    """Colours of the country groups, apart from the tab10 colours of the scenarios: an ordered
    scale (viridis) for up to four ranked groups, Dark2 for regions."""
    import matplotlib.pyplot as plt

    if n <= 4:
        return [plt.get_cmap("viridis")(0.85 * i / max(n - 1, 1)) for i in range(n)]
    return [plt.get_cmap("Dark2")(i % 8) for i in range(n)]


def _legend_name(key, spread: pd.DataFrame, by: str | None) -> str:
    """``key (n seeds)``: n = the runs behind the line (one per seed in a group; "runs" when by=None)."""
    n = int(spread.loc[spread["_by"] == key, "count"].max()) if len(spread) else 0
    what = "seed" if by is not None else "run"
    return f"{'all runs' if by is None else key} ({n} {what}{'s' * (n != 1)})"


def _grouping_name(group: str) -> str:
    return {"income_group": "income group", "region": "region", "north_south": "North vs South"}[group]


def _band_note(table: pd.DataFrame, lo: float, hi: float) -> str:
    runs = table.groupby("_by")["_run"].nunique()
    if runs.max() <= 1:
        return "one run"
    return f"lines: mean across seeds; bands: {lo * 100:g}th-{hi * 100:g}th percentile of seeds"


def _heading(column: str, table: pd.DataFrame, lo: float, hi: float) -> str:
    lab = label(column)
    better = f" ({lab.better} is better)" if lab.better else ""
    return f"{axis(column)}{better.replace(' (', ', ').rstrip(')')}\n{_band_note(table, lo, hi)}"
