"""Ensembles from Python: several scenarios x seeds in one call, as tidy tables (``govsim.run_many``).

The command line's sweeps (Hydra, SLURM, Dask) remain the way to run thousands of runs; this is
the notebook-sized ensemble: a few scenarios on common seeds, in-process or on local cores
(joblib), with tqdm's notebook-aware progress bar. ``Ensemble.save`` writes the same folder layout
as a sweep, so ``govsim.load_sweep`` reads it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.config import ScenarioError
from govsim.config.errors import shown
from govsim.config.scenario import Scenario
from govsim.runner import Results, run
from govsim import store

TABLES = ("indices", "countries", "forums")


@dataclass(frozen=True)
class Ensemble:
    """Runs of several scenarios and seeds. Each table is tidy and long: one row per run per step
    (and per country or forum), led by ``run_id``, ``scenario``, ``seed``, ``step``, ``period``,
    ``year`` and ``time``. ``countries`` is empty unless ``run_many(..., countries=True)``."""

    indices: pd.DataFrame
    countries: pd.DataFrame
    forums: pd.DataFrame
    scenarios: dict[str, Scenario] = field(repr=False)  # run_id -> the resolved scenario (with its seed)

    def save(self, path: str | Path) -> Path:
        """Write one run folder per run under ``path/runs/`` (tables, scenario, manifest), as a
        command-line sweep does; ``govsim.load_sweep(path)`` reads it back."""
        root = Path(path)
        tables = [name for name in TABLES if not getattr(self, name).empty]
        parts = {name: dict(tuple(getattr(self, name).groupby("run_id", sort=False))) for name in tables}
        for rid, scenario in self.scenarios.items():
            results = Results(scenario, scenario.seed, *(_untagged(parts.get(n, {}).get(rid)) for n in TABLES))
            store.save_results(results, store.run_folder(root, rid), tables)
        return root


def _untagged(table: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if table is None else table.drop(columns="run_id").reset_index(drop=True)


def run_many(scenarios, seeds: Iterable[int] | int = range(4), overrides=(), countries: bool = False,
             n_jobs: int = 1, progress: bool = True, batch: bool = False) -> Ensemble:
    """Run every scenario with every seed (common seeds: paired comparisons) and stack the tables.

    - ``scenarios``: a library name, a YAML path or a ``Scenario``, or a list of them; or a dict
      ``{label: scenario}`` to run variants under your own labels (the ``scenario`` column).
    - ``seeds``: an iterable of seeds, or a number n for seeds 0..n-1.
    - ``overrides``: applied to every named scenario, as for :func:`govsim.load_scenario`
      (a list of ``"key=value"``, one string or a dict), e.g. ``{"time.steps": 40}``.
    - ``countries``: keep the per-country table (193 rows per step and run; off by default).
    - ``n_jobs``: runs in parallel on this many local processes (joblib; -1 = all cores).
    - ``progress``: a tqdm bar (a widget in Jupyter, text elsewhere).
    - ``batch``: run the replicates that share a world, calendar and forums (seeds, scenarios
      differing in their shocks or behaviour numbers) stacked in one process (:mod:`govsim.replicates`):
      faster per run, and every run's tables equal its single run's.

    Same scenarios and seeds give identical tables, whatever ``n_jobs`` and ``batch``.
    """
    plan = _plan(scenarios, _seeds(seeds), overrides)
    _check(n_jobs, batch)
    resolved = {rid: scenario.model_copy(update={"seed": seed}) for rid, (scenario, seed) in plan.items()}
    groups = _batches(plan) if batch else None
    whole = _in_batches(plan, countries, n_jobs, progress, groups) if batch else None
    if whole is not None:
        return Ensemble(*whole, resolved)
    results = _execute(plan, countries, n_jobs, progress, batch, groups)
    stacked = {name: _stacked([getattr(r, name) for r in results], list(plan)) for name in TABLES}
    return Ensemble(stacked["indices"], stacked["countries"], stacked["forums"], resolved)


def _stacked(frames: list[pd.DataFrame], run_ids: list[str], runs: list[int] | None = None) -> pd.DataFrame:
    """The tables one after another, led by ``run_id`` (empty if every one is empty): the tables joined
    first and the ``run_id`` column made once, rather than one tagged copy per run. Each frame holds
    one run, or ``runs[i]`` runs' blocks of equal size (a batch's tables, uncut)."""
    runs = [1] * len(frames) if runs is None else runs
    sizes = [len(frame) // count for frame, count in zip(frames, runs) for _ in range(count)]
    if not any(sizes):
        return pd.DataFrame()
    if not all(sizes):  # some runs without the table: tag each, as store.with_run_id does
        return pd.concat([store.with_run_id(f, rid) for f, rid in zip(frames, run_ids)], ignore_index=True)
    table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].copy(deep=False)
    table.insert(0, "run_id", pd.array(run_ids, dtype="str").take(np.repeat(np.arange(len(run_ids)), sizes)))
    return table


def _in_batches(plan: dict[str, tuple[Scenario, int]], countries: bool, n_jobs: int, progress: bool,
                groups: list[list[int]]) -> tuple | None:
    """The ensemble's three tables from batches of stacked replicates (``groups``: :func:`_batches`) kept
    whole (not cut into runs and joined again), where the batches hold the plan's runs in its order;
    None where they do not (e.g. scenarios stacked with others further down the plan): the runs are
    then cut out and reordered."""
    from govsim.replicates import batch_tables

    if [i for members in groups for i in members] != list(range(len(plan))):
        return None
    done = [tables for _, tables in _each_batch(list(plan.values()), groups, batch_tables, countries, n_jobs, progress)]
    runs = [len(members) for members in groups]
    return tuple(_stacked([tables[t] for tables in done], list(plan), runs) for t in range(len(TABLES)))


def _batches(plan: dict[str, tuple[Scenario, int]]) -> list[list[int]]:
    """The plan's runs grouped into batches of stacked replicates (:func:`govsim.replicates.batches`)."""
    from govsim.replicates import batches

    return batches(list(plan.values()))


def _seeds(seeds: Iterable[int] | int) -> list[int]:
    if isinstance(seeds, bool) or not isinstance(seeds, (int, Iterable)) or isinstance(seeds, str):
        raise ScenarioError(f"seeds = {shown(seeds)} is not seeds. Fix: a number n (seeds 0..n-1) or a list such as [0, 1, 2]")
    values = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    bad = [s for s in values if isinstance(s, bool) or not isinstance(s, int) or s < 0]
    if bad or not values or len(set(values)) != len(values):
        what = f"{shown(bad[0])} is not a seed (a whole number >= 0)" if bad else "need at least one seed, each once"
        raise ScenarioError(f"seeds = {shown(values)}: {what}. Fix: e.g. seeds=range(8) or seeds=[0, 1, 2]")
    return values


def _plan(scenarios, seeds: list[int], overrides) -> dict[str, tuple[Scenario, int]]:
    """``run_id`` -> (scenario, seed) for every scenario and seed, in order."""
    plan: dict[str, tuple[Scenario, int]] = {}
    for label, item in _labelled(scenarios):
        scenario = _resolve(item, overrides)
        if label is not None:
            scenario = scenario.model_copy(update={"name": label})
        digest = store.scenario_hash(scenario)
        for seed in seeds:
            rid = store.run_id(scenario.name, digest, seed)
            if rid in plan:
                raise ScenarioError(f"scenarios: {shown(scenario.name)} is listed twice. Fix: list each scenario once, "
                                    "or give variants their own labels with a dict {label: scenario}")
            plan[rid] = (scenario, seed)
    return plan


def _labelled(scenarios) -> list[tuple[str | None, object]]:
    """``(label or None, scenario)`` pairs from one scenario, a list of them, or a dict of labelled ones."""
    if isinstance(scenarios, Mapping):
        bad = [k for k in scenarios if not isinstance(k, str) or not k]
        if bad:
            raise ScenarioError(f"scenarios: label {shown(bad[0])} is not a name. Fix: use text labels, e.g. "
                                "{'narrow G7': 'baseline'}")
        return list(scenarios.items())
    items = [scenarios] if isinstance(scenarios, (str, Path, Scenario)) else list(scenarios)
    if not items:
        raise ScenarioError("scenarios: none given. Fix: e.g. run_many(['baseline', 'export_controls_2025'], seeds=8)")
    return [(None, item) for item in items]


def _resolve(item, overrides) -> Scenario:
    from govsim.cli.compose import load_scenario, override_list  # lazily: the composer knows Hydra

    if isinstance(item, Scenario):
        if override_list(overrides):
            raise ScenarioError("overrides need scenario names or paths, not Scenario objects. Fix: pass names, "
                                "or apply the overrides with govsim.load_scenario(name, overrides) first")
        return item
    if isinstance(item, (str, Path)):
        return load_scenario(item, overrides)
    raise ScenarioError(f"scenarios: {shown(item)} is not a scenario. Fix: a name from govsim.list_scenarios(), "
                        "a YAML path or a Scenario")


def _execute(plan: dict[str, tuple[Scenario, int]], countries: bool, n_jobs: int, progress: bool,
             batch: bool = False, groups: list[list[int]] | None = None) -> list[Results]:
    """Run the plan in order (in-process, or with joblib on ``n_jobs`` local processes; ``batch``: in
    batches, ``groups`` if worked out already: :func:`_batches`)."""
    from tqdm.auto import tqdm

    jobs = list(plan.values())
    if batch:
        from govsim.replicates import run_batch

        results: list = [None] * len(jobs)
        for members, done in _each_batch(jobs, groups or _batches(plan), run_batch, countries, n_jobs, progress):
            for i, result in zip(members, done):
                results[i] = result
        return results
    if n_jobs == 1 or len(jobs) == 1:
        stream = (run(scenario, seed=seed, countries=countries) for scenario, seed in jobs)
    else:
        from joblib import Parallel, delayed

        stream = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(run)(scenario, seed=seed, countries=countries) for scenario, seed in jobs)
    return list(tqdm(stream, total=len(jobs), desc="govsim runs", unit="run", disable=not progress))


def _check(n_jobs, batch) -> None:
    """One clear error for an ``n_jobs`` or ``batch`` that is not one."""
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        raise ScenarioError(f"n_jobs = {shown(n_jobs)} is not a number of processes. Fix: 1 (in this process), "
                            "2, 4, ... or -1 (all cores)")
    if not isinstance(batch, bool):
        raise ScenarioError(f"batch = {shown(batch)} is not True or False. Fix: batch=True (stacked replicates) or False")


def _each_batch(jobs: list[tuple[Scenario, int]], groups: list[list[int]], task, countries: bool, n_jobs: int,
                progress: bool):
    """(the positions of a batch's jobs, ``task`` of the batch: :func:`govsim.replicates.run_batch` or
    :func:`~govsim.replicates.batch_tables`), batch by batch in order; the batches in-process or with
    joblib on ``n_jobs`` local processes, counted on a progress bar."""
    from tqdm.auto import tqdm

    work = ([jobs[i] for i in members] for members in groups)
    if n_jobs == 1 or len(groups) == 1:
        stream = (task(batch, countries) for batch in work)
    else:
        from joblib import Parallel, delayed

        stream = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(task)(batch, countries) for batch in work)
    with tqdm(total=len(jobs), desc="govsim runs", unit="run", disable=not progress) as bar:
        for members, done in zip(groups, stream):
            yield members, done
            bar.update(len(members))
