"""Ensembles of runs: per-step bands across seeds, and scenario-vs-scenario comparisons.

Input: a tidy long table of indices as made by ``govsim.store.load_sweep``: one row per
run per step, with ``run_id``, ``scenario``, ``seed``, swept parameters (dotted keys),
``step``, ``period`` (the row holds the state at its END), ``year`` (the period's calendar year:
2035 for 2035Q4), ``time`` (the period's start as a decimal year) and the index columns.
pandas/numpy (and scipy's t distribution); no figures here (see ``govsim.plotting.plot_bands``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from govsim.runner import HEADLINES, ends_year, full_years

_TIME = ("step", "period", "year")
_CLOCK = (*_TIME, "time")  # time is kept when present (tables written before it existed lack it)
UNSET = "(unset)"


def summarize(df: pd.DataFrame, by: str | Sequence[str] = ("scenario",), indices: Sequence[str] = HEADLINES,
              quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Per group and step, the spread of each index across runs (seeds).

    Returns a long table, one row per (``by``..., step, index), columns::

        by..., step, period, year, time, index, n, mean, std, q05, q50, q95

    with ``n`` the number of runs with a value (NaN values are left out), ``mean`` =
    sum(x)/n, ``std`` the sample standard deviation sqrt(sum((x - mean)^2) / (n - 1))
    (NaN when n = 1), and ``qXX`` the quantiles of x with numpy's default (linear)
    interpolation, named by percent (0.05 -> ``q05``, 0.025 -> ``q2.5``). Runs are
    grouped on (``by``..., step, period, year, time), so runs that reach a step at different
    calendar times stay apart. Groups whose ``by`` value is missing (NaN) are kept.
    """
    by = _as_list(by)
    indices = list(indices)
    _require(df, by + list(_TIME), "column")
    _require(df, indices, "index")
    names = [_qname(q) for q in _check_quantiles(quantiles)]
    clock = [c for c in _CLOCK if c in df.columns]
    long = df.melt(id_vars=by + clock, value_vars=indices, var_name="index").dropna(subset=["value"])
    grouped = long.groupby(by + clock + ["index"], dropna=False, sort=True)["value"]
    out = grouped.agg(n="count", mean="mean", std="std")
    for q, name in zip(quantiles, names):
        out[name] = grouped.quantile(q)
    return out.reset_index()


def at_years(df: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """The rows at the END of each calendar year in ``years``, tagged with an ``at_year`` column.

    Rows describe the state at the end of their period, so the end of year Y is the row with
    ``year == Y`` whose period closes the year (``YYYYQ4`` for quarterly steps, ``YYYY`` for
    annual steps). Every run (``run_id``) must reach it.
    """
    _require(df, ["year", "period"], "column")
    out = []
    for y in _check_years(years):
        rows = df[ends_year(df, y)]
        _check_reached(df, rows, y)
        out.append(rows.assign(at_year=y))
    return pd.concat(out, ignore_index=True)


def available_years(df: pd.DataFrame) -> list[int]:
    """Calendar years whose end (their closing period, e.g. ``YYYYQ4``) is a row of every run in ``df``."""
    runs = df.groupby("run_id") if "run_id" in df.columns else [(None, df)]
    sets = [set(full_years(table)) for _, table in runs]
    return sorted(set.intersection(*sets)) if sets else []


def compare(df: pd.DataFrame, years: Iterable[int], reference=None, by: str = "scenario",
            indices: Sequence[str] = HEADLINES, level: float = 0.9) -> pd.DataFrame:
    """Each group vs a reference group at the end of ``years``, paired on seeds (common random numbers).

    One row per (group, index, at_year); columns::

        <by>, index, at_year, n, mean, lo, hi,
        reference, n_common, delta_mean, delta_lo, delta_hi, delta_ci_lo, delta_ci_hi, share_positive

    - ``n``, ``mean``, ``lo``, ``hi``: the group's runs; lo/hi are the (1 -/+ level)/2
      quantiles of the values across seeds (the spread of outcomes, not a CI).
    - Paired differences d_s = x_group(s) - x_reference(s) for the n_common seeds s present
      in BOTH groups (other seeds are left out). ``delta_mean`` = mean(d).
    - ``delta_lo``/``delta_hi``: the (1 -/+ level)/2 quantiles of d (spread across seeds).
    - ``delta_ci_lo``/``delta_ci_hi``: t-based confidence interval of the MEAN difference,
      mean(d) -/+ t_{(1+level)/2, n_common-1} * sd(d) / sqrt(n_common) (NaN if n_common < 2).
    - ``share_positive``: share of common seeds with d_s > 0.

    ``reference`` defaults to "baseline" if it is a group, else the first group in sorted
    order (numbers before text); runs without a ``by`` value form the group "(unset)".
    ``reference`` may also be given as text (``"0.5"`` matches the group value 0.5).
    """
    _require(df, [by, "seed"], "column")
    _require(df, list(indices), "index")
    _check_level(level)
    rows = at_years(df, years)
    rows[by] = rows[by].astype(object).where(rows[by].notna(), UNSET)
    _check_unique(rows, by)
    groups = _sorted_groups(rows[by])
    ref = _match_reference(groups, reference, by)
    table = rows.set_index([by, "seed", "at_year"])[list(indices)]
    out = [_compare_one(table, g, ref, by, level) for g in groups]
    return pd.concat(out, ignore_index=True)


def differences(df: pd.DataFrame, reference=None, by: str = "scenario", indices: Sequence[str] = HEADLINES,
                level: float = 0.9) -> pd.DataFrame:
    """Each group minus a reference group at every step, paired on seeds (common random numbers).

    One row per (group, step, index); columns::

        <by>, step, period, year, time, index, reference, n_common, delta_mean, delta_ci_lo, delta_ci_hi

    As in :func:`compare`, but at every recorded step rather than at the end of chosen years:
    d_s = x_group(s) - x_reference(s) for the n_common seeds s present in both groups at that
    step; ``delta_mean`` = mean(d) and ``delta_ci_lo``/``delta_ci_hi`` the t-based confidence
    interval of the mean, mean(d) -/+ t_{(1+level)/2, n_common-1} * sd(d) / sqrt(n_common)
    (NaN if n_common < 2). The reference group gets rows too (all zero). ``reference`` is
    matched as in :func:`compare` (default "baseline", else the first group); a group that
    shares no seed with it is an error. ``time`` is kept when the table has it.
    """
    _require(df, [by, "seed", *_TIME], "column")
    _require(df, list(indices), "index")
    _check_level(level)
    clock = [c for c in _CLOCK if c in df.columns]
    rows = df.assign(**{by: df[by].astype(object).where(df[by].notna(), UNSET)})
    _check_unique(rows, by, "step")
    groups = _sorted_groups(rows[by])
    ref = _match_reference(groups, reference, by)
    table = rows.set_index([by, "seed", *clock])[list(indices)]
    theirs = table.xs(ref, level=by)
    out = []
    for group in groups:
        mine = table.xs(group, level=by)
        common = _common_seeds(mine, theirs, group, ref, by)
        diff = (mine - theirs.reindex(mine.index)).loc[common]
        for key, d in diff.groupby(level=clock, sort=True):
            when, values = dict(zip(clock, key)), d.to_numpy(float)
            for index, column in zip(indices, values.T):
                paired = _paired(column[~np.isnan(column)], level)
                out.append({by: group, **when, "index": index, "reference": ref,
                            **{k: paired[k] for k in ("n_common", "delta_mean", "delta_ci_lo", "delta_ci_hi")}})
    return pd.DataFrame(out)


def _compare_one(table: pd.DataFrame, group, ref, by: str, level: float) -> pd.DataFrame:
    """Rows of :func:`compare` for one group (all indices and years)."""
    mine, theirs = table.xs(group, level=by), table.xs(ref, level=by)
    common = _common_seeds(mine, theirs, group, ref, by)
    diff = mine.loc[common] - theirs.loc[common]
    a = (1 - level) / 2
    rows = []
    for year in sorted(mine.index.get_level_values("at_year").unique()):
        x, d = mine.xs(year, level="at_year"), diff.xs(year, level="at_year")
        for index in mine.columns:
            values = x[index].dropna()
            rows.append({by: group, "index": index, "at_year": year, "n": len(values), "mean": values.mean(),
                         "lo": values.quantile(a), "hi": values.quantile(1 - a), "reference": ref,
                         **_paired(d[index].dropna().to_numpy(float), level)})
    return pd.DataFrame(rows)


def _common_seeds(mine: pd.DataFrame, theirs: pd.DataFrame, group, ref, by: str) -> pd.Index:
    """The rows (seed, time...) of ``mine`` that the reference has too; ValueError if they share no seed."""
    common = mine.index.intersection(theirs.index)
    if len(common) == 0:
        raise ValueError(f"{by} {group!r} and the reference {ref!r} share no seeds "
                         f"({group!r} has seeds {_seeds(mine)}, {ref!r} has {_seeds(theirs)}); "
                         f"run both on the same seeds")
    return common


def _paired(d: np.ndarray, level: float) -> dict[str, float]:
    """Mean, quantile band, t-CI and share positive of paired differences ``d``."""
    from scipy.stats import t  # lazy: scipy.stats adds about 0.5 s to 'import govsim'

    n, a = len(d), (1 - level) / 2
    mean = d.mean() if n else math.nan
    half = t.ppf(1 - a, n - 1) * d.std(ddof=1) / math.sqrt(n) if n >= 2 else math.nan
    return {"n_common": n, "delta_mean": mean,
            "delta_lo": np.quantile(d, a) if n else math.nan, "delta_hi": np.quantile(d, 1 - a) if n else math.nan,
            "delta_ci_lo": mean - half, "delta_ci_hi": mean + half,
            "share_positive": float(np.mean(d > 0)) if n else math.nan}


def _as_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _require(df: pd.DataFrame, names: Sequence[str], what: str) -> None:
    """ValueError naming the first missing column and listing the available ones."""
    for name in names:
        if name not in df.columns:
            raise ValueError(f"unknown {what} {name!r}; available columns: {', '.join(map(str, df.columns))}")


def _check_quantiles(quantiles: Sequence[float]) -> list[float]:
    qs = list(quantiles)
    bad = [q for q in qs if not 0 <= q <= 1]
    if bad or len({_qname(q) for q in qs}) != len(qs):
        raise ValueError(f"quantiles {qs} must be distinct numbers in [0, 1], e.g. (0.05, 0.5, 0.95)")
    return qs


def _qname(q: float) -> str:
    """Column name of quantile q: 0.05 -> 'q05', 0.5 -> 'q50', 0.025 -> 'q2.5'."""
    return f"q{round(q * 100, 6):02g}"


def _check_years(years: Iterable[int]) -> list[int]:
    ys = [years] if isinstance(years, (int, float)) else list(years)
    if not ys or any(float(y) != int(y) for y in ys):
        raise ValueError(f"years {ys} must be whole calendar years, e.g. [2025, 2030]")
    return [int(y) for y in ys]


def _check_reached(df: pd.DataFrame, rows: pd.DataFrame, y: int) -> None:
    """ValueError if some run (or, without run_id, every row) does not reach the end of year y."""
    runs = df["run_id"].nunique() if "run_id" in df.columns else 1
    reached = rows["run_id"].nunique() if "run_id" in df.columns else int(len(rows) > 0)
    if reached < runs:
        order = df["time"] if "time" in df.columns else df["step"]
        first, last = df.loc[order.idxmin()], df.loc[order.idxmax()]
        span = f"{first.get('period', first['year'])} to {last.get('period', last['year'])}"
        raise ValueError(f"year {y} is outside the simulated span ({reached} of {runs} runs reach its end; "
                         f"runs span {span}; full years available in every run: {_span(available_years(df))}); "
                         f"choose years in that range or run longer (time.steps)")


def _span(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if years else "none"


def _check_unique(rows: pd.DataFrame, by: str, when: str = "at_year") -> None:
    """ValueError if several runs share a (group, seed, ``when``): they cannot be paired."""
    dup = rows.duplicated([by, "seed", when])
    if dup.any():
        first = rows[dup].iloc[0]
        raise ValueError(f"several runs have {by} = {first[by]!r} and seed {first['seed']}; group by the "
                         f"swept parameter instead (by=...) or filter the table to one value first")


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level = {level!r} is not in (0, 1); give e.g. 0.9 for a 90% interval")


def _sorted_groups(values: pd.Series) -> list:
    """The distinct groups, numbers before text (so 0.5 < 1.0 < 'a')."""
    return sorted(values.unique(), key=lambda g: (isinstance(g, str), str(g) if isinstance(g, str) else g))


def _match_reference(groups: list, reference, by: str):
    """The group equal to ``reference`` (or whose text is it); default 'baseline' or the first."""
    if reference is None:
        return "baseline" if "baseline" in groups else groups[0]
    for g in groups:
        if g == reference or str(g) == str(reference):
            return g
    raise ValueError(f"reference {reference!r} is not a value of {by!r}; choose one of {groups}")


def _seeds(table: pd.DataFrame) -> list[int]:
    return sorted(table.index.get_level_values("seed").unique().tolist())
