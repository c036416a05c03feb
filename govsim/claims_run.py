"""Run every claim's levers against their references on common seeds, and measure the effects.

Each distinct scenario of the registry is run once per seed (the baseline, the reference of
most levers, is shared), in worker processes when ``workers > 1``; a run keeps only the rows
the report needs (the initial state and the end of each reported year). The paired difference
lever - reference per seed, its mean and the t-interval of that mean come from
:func:`govsim.ensemble.compare`. Verdicts follow :func:`govsim.claims.verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim.claims import (OUT_OF_SCOPE, PENDING, Claim, Lever, Registry, combine, over_years,
                           verdict)
from govsim.config.errors import ScenarioError, shorten, shown
from govsim.config.scenario import Scenario
from govsim.ensemble import compare
from govsim.model import GovernanceModel
from govsim.runner import HEADLINES, LEAD, collect_results, ends_year, run
from govsim.store import scenario_hash

START = -1  # the ``at_year`` of a run's initial state (step 0)


@dataclass(frozen=True)
class Outcome:
    """The measured effects (one row per claim, lever, metric and year) and a verdict per lever."""

    effects: pd.DataFrame
    levers: pd.DataFrame  # claim, lever (number), label, verdict, reason


def run_claims(registry: Registry, seeds: int = 8, workers: int = 1) -> Outcome:
    """Run every lever of ``registry`` on seeds 0..seeds-1 and measure each claim's metrics."""
    plan = _plan(registry)
    _check_metrics(registry, plan)
    jobs = sorted({(digest, seed) for digest in plan.scenarios for seed in range(seeds)})
    metrics = sorted({m for c in registry.claims for m in c.metrics})
    args = [(plan.scenarios[d], s, metrics, registry.years) for d, s in jobs]
    tables = _map(_measure_run, args, workers)
    runs = {job: table for job, table in zip(jobs, tables)}
    effects, levers = [], []
    for claim in registry.claims:
        if claim.out_of_scope is not None:
            levers.append(_lever_row(claim, 0, "", OUT_OF_SCOPE, claim.out_of_scope))
        for number, lever in enumerate(claim.levers, 1):
            if lever.pending is not None:
                levers.append(_lever_row(claim, number, lever.label, PENDING, lever.pending))
                continue
            rows = _effects(registry, claim, number, plan.pairs[(claim.id, number)], runs, seeds)
            effects.append(rows)
            stated = rows[rows.role == "stated"]
            per_metric = [over_years(list(g.verdict)) for _, g in stated.groupby("metric", sort=False)]
            levers.append(_lever_row(claim, number, lever.label, combine(per_metric), ""))
    table = pd.concat(effects, ignore_index=True) if effects else pd.DataFrame()
    return Outcome(table, pd.DataFrame(levers))


def _lever_row(claim: Claim, number: int, label: str, result: str, reason: str) -> dict:
    return {"claim": claim.id, "lever": number, "label": label, "verdict": result, "reason": reason}


# ------------------------------------------------------------------ the scenarios to run
@dataclass(frozen=True)
class _Plan:
    scenarios: dict[str, Scenario]  # digest -> scenario
    pairs: dict[tuple[str, int], tuple[str, str | None]]  # (claim, lever) -> (lever digest, reference digest or None)


def _plan(registry: Registry) -> _Plan:
    """Load every lever's scenario and reference (each distinct one once); a bad one is a ScenarioError naming the claim."""
    scenarios, pairs, loaded = {}, {}, {}

    def load(claim: Claim, number: int, name: str, overrides: list[str]) -> Scenario:
        key = (name, tuple(overrides))
        if key not in loaded:
            loaded[key] = _load(claim, number, name, overrides)
        return loaded[key]

    for claim in registry.claims:
        for number, lever in enumerate(claim.levers, 1):
            if lever.pending is not None:
                _check_still_pending(claim, number, lever)
                continue
            mine = load(claim, number, lever.scenario, lever.overrides)
            scenarios[scenario_hash(mine)] = mine
            ref = None
            if lever.against == "reference":
                other = load(claim, number, lever.reference, lever.reference_overrides)
                ref = scenario_hash(other)
                scenarios[ref] = other
            pairs[(claim.id, number)] = (scenario_hash(mine), ref)
    return _Plan(scenarios, pairs)


def _load(claim: Claim, number: int, name: str, overrides: list[str]) -> Scenario:
    from govsim import load_scenario  # lazily: the scenario library is composed by Hydra (govsim.cli)

    try:
        return load_scenario(name, overrides)
    except ScenarioError as exc:
        raise ScenarioError(f"claim {claim.id}, lever {number}: {exc}") from None


def _check_still_pending(claim: Claim, number: int, lever: Lever) -> None:
    """A pending lever whose scenario now exists must be switched on, not left pending."""
    try:
        _load(claim, number, lever.scenario, lever.overrides)
    except ScenarioError:
        return
    raise ScenarioError(f"claim {claim.id}, lever {number}: scenario {shown(lever.scenario)} now exists but the lever "
                        "is marked pending. Fix: delete its 'pending' line in govsim/claims.yaml and run make docs")


def _check_metrics(registry: Registry, plan: _Plan) -> None:
    """Every metric names a column (and its filters match countries) of the initial state of each
    scenario it is measured on (a lever's and its reference's), or a ScenarioError naming the claim."""
    first: dict[str, tuple[pd.Series, pd.DataFrame]] = {}
    for claim in registry.claims:
        digests = {d for number in range(1, len(claim.levers) + 1) for d in plan.pairs.get((claim.id, number), ())}
        for digest in sorted(d for d in digests if d is not None):
            if digest not in first:
                start = collect_results(GovernanceModel(plan.scenarios[digest], 0))
                first[digest] = (start.indices.iloc[0], start.countries)
            for metric in claim.metrics:
                try:
                    measure(metric, *first[digest])
                except KeyError as exc:
                    name = shown(plan.scenarios[digest].name)
                    raise ScenarioError(f"claim {claim.id}: metric {shown(metric)} (scenario {name}): {exc.args[0]}") from None


# ------------------------------------------------------------------ one run
def _map(function, args: list[tuple], workers: int) -> list:
    """``function(*a)`` for each of ``args``, in order: in this process, or on ``workers`` local
    processes with joblib (loky, as :mod:`govsim.many`); the same results either way."""
    if workers <= 1 or len(args) <= 1:
        return [function(*a) for a in args]
    import joblib

    return joblib.Parallel(n_jobs=workers)(joblib.delayed(function)(*a) for a in args)


def _measure_run(scenario: Scenario, seed: int, metrics: list[str], years: list[int]) -> pd.DataFrame:
    """The metrics of one run at its start (``at_year`` = START) and at the end of each year."""
    results = run(scenario, seed=seed)
    indices, countries = results.indices, results.countries
    rows = []
    for at_year in [START, *years]:
        where = np.flatnonzero(ends_year(indices, at_year)) if at_year != START else [0]
        if len(where) == 0:
            raise ScenarioError(f"scenario {shown(scenario.name)} does not reach the end of {at_year}. "
                                "Fix: report years within the run (time.steps)")
        row = indices.iloc[where[0]]
        at_step = countries[countries["step"] == row["step"]]
        rows.append({"at_year": at_year, **{m: measure(m, row, at_step) for m in metrics}})
    return pd.DataFrame(rows)


def measure(metric: str, row: pd.Series, countries: pd.DataFrame) -> float:
    """A metric's value from one indices row and the countries table of the same step.

    KeyError (with the reason as its message) for an unknown column or a filter no country passes.
    """
    if "[" not in metric:
        if metric not in row.index or metric in LEAD:
            raise KeyError(f"not a column of the indices table; columns: {shorten(', '.join(row.index[3:]), 300)}")
        return float(row[metric])
    stat, rest = metric.split(".", 1)
    column, filters = rest[:-1].split("[", 1)
    mask = np.ones(len(countries), dtype=bool)
    for name in [column, *(f.split("=")[0] for f in filters.split(",") if f)]:
        if name not in countries.columns:
            raise KeyError(f"{name!r} is not a column of the countries table; columns: "
                           f"{shorten(', '.join(countries.columns), 300)}")
    for part in filter(None, filters.split(",")):
        key, values = part.split("=")
        mask &= countries[key].astype(str).isin(values.split("|")).to_numpy()
    if not mask.any():
        raise KeyError(f"no country passes the filters [{filters}]")
    values = countries[column].to_numpy(float)
    return float(values[mask].mean() if stat == "mean" else values[mask].sum() / values.sum())


# ------------------------------------------------------------------ effects
def _effects(registry: Registry, claim: Claim, number: int, pair: tuple[str, str | None],
             runs: dict[tuple[str, int], pd.DataFrame], seeds: int) -> pd.DataFrame:
    """Rows of (metric, year): reference and lever means, the mean paired difference, its interval, a verdict."""
    mine, ref = pair
    frames = []
    for seed in range(seeds):
        lever = runs[(mine, seed)]
        base = runs[(ref, seed)] if ref is not None else _start_as_years(lever, registry.years)
        for arm, table in (("lever", lever), ("reference", base)):
            frames.append(table[table.at_year != START].assign(arm=arm, seed=seed, year=lambda t: t.at_year, period=lambda t: t.at_year.astype(str),
                                                               run_id=f"{arm}-{seed}"))
    long = pd.concat(frames, ignore_index=True).drop(columns="at_year")
    table = compare(long, registry.years, reference="reference", by="arm", indices=claim.metrics, level=registry.level)
    levels = table[table.arm == "reference"].set_index(["index", "at_year"])["mean"]
    table = table[table.arm == "lever"]
    rows = []
    for r in table.itertuples():
        expected = claim.expect.get(r.index, "")
        role = "stated" if expected else ("headline" if r.index in HEADLINES else "component")
        rows.append({"claim": claim.id, "lever": number, "metric": r.index, "role": role,
                     "expected": expected, "year": r.at_year, "n": r.n_common, "reference": levels[(r.index, r.at_year)],
                     "value": r.mean, "delta": r.delta_mean, "lo": r.delta_ci_lo, "hi": r.delta_ci_hi,
                     "share_positive": r.share_positive, "threshold": registry.threshold(r.index),
                     "verdict": verdict(r.delta_mean, r.delta_ci_lo, r.delta_ci_hi, expected, registry.threshold(r.index))
                     if expected else ""})
    order = {m: i for i, m in enumerate(claim.metrics)}
    return pd.DataFrame(rows).sort_values(["metric", "year"], key=lambda s: s.map(order) if s.name == "metric" else s,
                                          kind="stable").reset_index(drop=True)


def _start_as_years(table: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """The run's initial state, repeated as the reference of each reported year (a trend claim)."""
    start = table[table.at_year == START]
    return pd.concat([start.assign(at_year=y) for y in years], ignore_index=True)


__all__ = ["Outcome", "measure", "run_claims"]
