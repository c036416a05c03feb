"""Global sensitivity analysis of the headline indices with SALib (Morris screening, Sobol indices).

The workflow (driven by ``govsim sensitivity``, see ``govsim/cli/sensitivity.py``)::

    prob = problem({"behaviour.decision.temperature": [0.5, 2.0], ...}, levers={...})
    design = sample("morris", prob, n=10, seed=0)          # one row per model evaluation
    ... run every design row for several seeds (a sweep), load it with govsim.load_sweep ...
    outcomes = outcomes_at_years(sweep, [2025, 2030], design=design)
    table = analyze("morris", prob, design, outcomes)       # tidy: index, year, parameter, group, ...

Uncertain world/behaviour parameters and policy levers are kept apart: each parameter carries a
group ('uncertain' or 'lever') that the tables and plots report. Everything is reproducible from
the sampling seed. No Hydra here: numpy, pandas and SALib only.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from govsim.ensemble import at_years
from govsim.runner import HEADLINES, clock, full_years

METHODS = ("morris", "sobol")
GROUPS = ("uncertain", "lever")
METRICS = {"morris": ("mu_star", "mu_star_conf", "mu", "sigma"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
RANK_BY = {"morris": "mu_star", "sobol": "ST"}
DEFAULT_LEVELS = 4


class SensitivityError(ValueError):
    """Bad sensitivity settings; the message says what is wrong and how to fix it."""


def problem(params: dict[str, Sequence[float]], levers: dict[str, Sequence[float]] | None = None) -> dict[str, Any]:
    """The SALib problem for ``params`` (uncertain) and ``levers`` (policy levers), each {key: [low, high]}.

    Besides SALib's ``num_vars``, ``names`` and ``bounds`` it holds ``group_of``: each name's group.
    """
    groups = {"uncertain": dict(params or {}), "lever": dict(levers or {})}
    both = set(groups["uncertain"]) & set(groups["lever"])
    if both:
        raise SensitivityError(f"{sorted(both)} listed both as uncertain parameters and as levers; keep each in one")
    names, bounds, group_of = [], [], {}
    for group, ranges in groups.items():
        for name, bound in ranges.items():
            names.append(str(name))
            bounds.append(check_range(name, bound))
            group_of[str(name)] = group
    if not names:
        raise SensitivityError("no parameters to analyse. Fix: list some under 'uncertain:' (or 'levers:' with include_levers=true)")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "group_of": group_of}


def check_range(name: str, bound: Any) -> list[float]:
    """``bound`` as [low, high] floats; SensitivityError unless it is two numbers with low < high."""
    ok = isinstance(bound, (list, tuple)) and len(bound) == 2
    ok = ok and all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bound)
    if not ok:
        raise SensitivityError(f"{name} = {bound!r}: a range must be [low, high], two numbers. Fix: e.g. {name}: [0.5, 2.0]")
    low, high = float(bound[0]), float(bound[1])
    if low >= high:
        raise SensitivityError(f"{name} = [{bound[0]}, {bound[1]}]: low must be below high. Fix: {name}: [{bound[1]}, {bound[0]}]")
    return [low, high]


def check_method(method: Any) -> str:
    """``method`` if it is 'morris' or 'sobol', else SensitivityError."""
    if method not in METHODS:
        raise SensitivityError(f"method = {method!r}: unknown. Fix: use one of {list(METHODS)}")
    return method


def check_samples(method: str, n: Any) -> int:
    """``n`` as a valid sample size: Morris trajectories >= 2, or a Sobol base size that is a power of 2."""
    check_method(method)
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise SensitivityError(f"samples = {n!r}: must be a whole number >= 2 "
                               f"({'Morris trajectories' if method == 'morris' else 'Sobol base sample size'})")
    if method == "sobol" and n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise SensitivityError(f"samples = {n}: Sobol needs a power of 2 (the Sobol' sequence is balanced only then). "
                               f"Fix: samples={lower} or samples={2 * lower}")
    return n


def check_years(years: Sequence[int], time: dict[str, Any]) -> list[int]:
    """``years`` if the end of each is a state that runs with the scenario's ``time`` settings
    (start, steps, step_years) record: start + k * step_years for some k in 0..steps; else
    SensitivityError naming the years they do record."""
    steps, dt = int(time["steps"]), float(time["step_years"])
    full = full_years(pd.DataFrame(clock(time["start"], dt, steps + 1)))
    bad = [y for y in years if y not in full]
    if bad:
        span = "none" if not full else str(full[0]) if len(full) == 1 else f"{full[0]}-{full[-1]}"
        raise SensitivityError(f"years {bad}: the runs ({time['start']}, {steps} steps of {dt} years) record the end of "
                               f"the years {span} only. Fix: choose years in that range or run longer (time.steps)")
    return list(years)


def sample(method: str, problem: dict[str, Any], n: int, seed: int = 0, levels: int = DEFAULT_LEVELS) -> pd.DataFrame:
    """The design: an integer ``sample`` column (0..rows-1) and one column per parameter, in SALib's order.

    Morris: ``n`` trajectories on a ``levels``-level grid; Sobol: Saltelli's scheme with base size
    ``n`` (a power of 2), first and total order. The same arguments always give the same design.
    """
    check_samples(method, n)
    salib = _salib_problem(problem)
    if method == "morris":
        from SALib.sample import morris

        x = morris.sample(salib, N=n, num_levels=levels, seed=seed)
    else:
        from SALib.sample import sobol

        x = sobol.sample(salib, n, calc_second_order=False, seed=np.random.default_rng(seed))
    design = pd.DataFrame(x, columns=problem["names"])
    design.insert(0, "sample", np.arange(len(design), dtype="int64"))
    return design


def _salib_problem(problem: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy with SALib's keys only (SALib adds keys to the dict it is given)."""
    return {"num_vars": problem["num_vars"], "names": list(problem["names"]), "bounds": [list(b) for b in problem["bounds"]]}


def outcomes_at_years(sweep: pd.DataFrame, years: Iterable[int], indices: Sequence[str] = HEADLINES,
                      design: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per design point, the mean over seeds of each index at the end of each year.

    ``sweep`` is ``govsim.load_sweep`` output. Returns one row per (sample, year) with columns
    sample, year, n_seeds and ``indices``. Without ``design``, rows are grouped by the runs'
    ``sample``. With it, runs are matched to design rows by their parameter values, so every
    design row gets an outcome even if the design repeats a point (Morris trajectories can);
    a design row without runs gets n_seeds 0 and NaN outcomes.
    """
    rows = at_years(sweep, years).drop(columns="year").rename(columns={"at_year": "year"})
    if design is None:
        grouped = rows.groupby(["sample", "year"])
        return grouped[list(indices)].mean().join(grouped.size().rename("n_seeds")).reset_index()[
            ["sample", "year", "n_seeds", *indices]]
    params = [c for c in design.columns if c != "sample"]
    missing = [p for p in params if p not in rows.columns]
    if missing:
        raise SensitivityError(f"the runs do not record parameter {missing[0]!r}; they were not run from this design")
    grouped = rows.groupby([*params, "year"])
    means = grouped[list(indices)].mean().join(grouped.size().rename("n_seeds")).reset_index()
    grid = design.merge(pd.DataFrame({"year": sorted(set(rows["year"]))}), how="cross")
    out = grid.merge(means, on=[*params, "year"], how="left")
    out["n_seeds"] = out["n_seeds"].fillna(0).astype("int64")
    return out[["sample", "year", "n_seeds", *indices]].sort_values(["year", "sample"], ignore_index=True)


def analyze(method: str, problem: dict[str, Any], design: pd.DataFrame, outcomes: pd.DataFrame,
            indices: Sequence[str] = HEADLINES, levels: int = DEFAULT_LEVELS, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of every parameter for every index and year (tidy).

    ``outcomes`` has columns sample, year and ``indices`` (see :func:`outcomes_at_years`).
    Returns columns index, year, parameter, group and the method's metrics: mu_star,
    mu_star_conf, mu, sigma (Morris) or S1, S1_conf, ST, ST_conf (Sobol). An outcome that
    does not vary across the design gets all-zero indices.
    """
    check_method(method)
    x = design[problem["names"]].to_numpy(float)
    frames = []
    for year, table in outcomes.groupby("year", sort=True):
        ys = design[["sample"]].merge(table, on="sample", how="left", validate="one_to_one")
        for index in indices:
            y = ys[index].to_numpy(float)
            if np.isnan(y).any():
                bad = ys.loc[np.isnan(y), "sample"].tolist()
                raise SensitivityError(f"{index} at {year}: no outcome for design samples {bad[:10]}; run them first")
            result = _indices(method, problem, x, y, levels, seed)
            frames.append(pd.DataFrame({"index": index, "year": int(year), "parameter": problem["names"],
                                        "group": [problem["group_of"][n] for n in problem["names"]], **result}))
    return pd.concat(frames, ignore_index=True)


def _indices(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int, seed: int) -> dict[str, np.ndarray]:
    """One SALib analysis of outcome vector ``y``: {metric: one value per parameter}."""
    if np.ptp(y) <= np.finfo(float).eps:
        return {m: np.zeros(problem["num_vars"]) for m in METRICS[method]}
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(_salib_problem(problem), x, y, num_levels=levels, seed=seed)
    else:
        from SALib.analyze import sobol

        # a Generator, not the int: SALib 1.6 ignores seed=0 (`if seed:`) and would bootstrap unseeded
        res = sobol.analyze(_salib_problem(problem), y, calc_second_order=False, seed=np.random.default_rng(seed))
    return {m: np.asarray(res[m], dtype=float) for m in METRICS[method]}


def ranked(table: pd.DataFrame, method: str, index: str, year: int) -> pd.DataFrame:
    """Rows of ``table`` for one index and year, uncertain parameters first, each group by importance."""
    rows = table[(table["index"] == index) & (table["year"] == year)].copy()
    rows["_group"] = rows["group"].map(GROUPS.index)
    rows = rows.sort_values(["_group", RANK_BY[method]], ascending=[True, False]).drop(columns="_group")
    rows.insert(0, "rank", rows.groupby("group").cumcount() + 1)
    return rows.reset_index(drop=True)
