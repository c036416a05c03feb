"""A batch of runs executed in one process: all seeds of one configuration, or a chunk of a design.

This is what one Hydra job (or any other launcher's task) executes: launching one job per run
would cost 10x the run itself. Every run is recorded in the store; a run already complete is
skipped (resume), and a run that raises is recorded with its error while the others go on.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from filelock import FileLock, Timeout

from govsim.config import ScenarioError, apply_override, validate
from govsim.config.errors import shown
from govsim.config.scenario import Scenario
from govsim.progress import Counts, Progress
from govsim.runner import run
from govsim import store

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
RUN_OPTIONS = ("store", "design")  # keys of a composed config that are not part of the scenario


@dataclass(frozen=True)
class RunSpec:
    """One run to do: a validated scenario (or the reason it is invalid), a seed and its parameters."""

    name: str
    seed: int
    digest: str
    params: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario | None = None
    error: str | None = None

    @property
    def run_id(self) -> str:
        return store.run_id(self.name, self.digest, self.seed)


STORE_OPTIONS = {"countries": "auto, true or false", "figure": "auto, true or false",
                 "band_seeds": "a whole number of seeds from 0 to 64 (0 or 1: no band)"}


def check_store_option(key: str, values: list[Any]) -> None:
    """ScenarioError naming ``store.<key>``, the bad value and the choices, unless every value is allowed."""
    name = key.removeprefix("store.")
    if name not in STORE_OPTIONS:
        raise ScenarioError(f"{shown(key)} is not a store option. Fix: use one of "
                            + ", ".join(f"store.{k}" for k in STORE_OPTIONS))
    for value in values:
        if name == "band_seeds":
            good = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 64
        else:
            good = value in (True, False, "auto")
        if not good:
            raise ScenarioError(f"{key} = {shown(value)} is not allowed. Fix: {STORE_OPTIONS[name]}")


def split_run_options(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A composed config as (the scenario's fields, the run options ``store`` and ``design``)."""
    return ({k: v for k, v in config.items() if k not in RUN_OPTIONS},
            {k: config[k] for k in RUN_OPTIONS if k in config})


def specs_from_config(config: dict[str, Any], params: dict[str, Any]) -> tuple[list[RunSpec], dict[str, Any]]:
    """Runs described by a composed config: its seed (or list of seeds) x its design rows (if any).

    Returns the run specs and the run options (``store``: which tables/figure to write). A
    configuration that does not validate becomes failed specs that carry the error.
    """
    raw, run_options = split_run_options(config)
    options, design = run_options.get("store") or {}, run_options.get("design")
    seeds = raw.get("seed", 0)
    seeds = [int(s) for s in (seeds if isinstance(seeds, (list, tuple)) else [seeds])]
    name = str(raw.get("name", "custom"))
    base = _specs(lambda: validate({**raw, "seed": seeds[0]}, source=f"scenario {name!r}"), name, raw, seeds, params)
    if base[0].error is not None or not (design and design.get("path")):
        return base, options
    rows = design_rows(design)
    specs = [spec for values in rows
             for spec in _specs(lambda v=values: with_values(base[0].scenario, v), name, values, seeds, {**params, **values})]
    return specs, options


def _specs(make: Callable[[], Scenario], name: str, raw: dict[str, Any], seeds: list[int], params: dict[str, Any]) -> list[RunSpec]:
    """One spec per seed for the scenario ``make()`` builds, or failed specs with its error."""
    try:
        scenario = make()
    except ScenarioError as exc:
        digest = store.scenario_hash(raw)
        return [RunSpec(name, s, digest, params, error=str(exc)) for s in seeds]
    digest = store.scenario_hash(scenario)
    return [RunSpec(scenario.name, s, digest, params, scenario=scenario) for s in seeds]


def design_rows(design: dict[str, Any]) -> list[dict[str, Any]]:
    """This job's rows of a sampling design (index % chunks == chunk) as {sample, dotted key: value}.

    The design is a Parquet table with a ``sample`` column and one column per dotted parameter key.
    """
    table = pd.read_parquet(design["path"])
    chunk, chunks = int(design.get("chunk", 0)), int(design.get("chunks", 1))
    return table[table["sample"] % chunks == chunk].to_dict("records")


def with_values(base: Scenario, values: dict[str, Any], source: str | None = None) -> Scenario:
    """``base`` with a design row's parameter values set (its ``sample`` number aside), validated."""
    edited = base.model_dump(mode="json")
    for key, value in values.items():
        if key != "sample":
            apply_override(edited, f"{key}={json.dumps(value)}")
    return validate(edited, source=source or f"design sample {values.get('sample')}")


def run_specs(specs: list[RunSpec], folder_of: Callable[[RunSpec], Path], options: dict[str, Any],
              context: dict[str, Any] | None = None, label: str = "runs", log_failures: bool = True) -> Counts:
    """Do every run not already complete; record each in its folder. Never raises on a failed run.

    Each run is done under a lock on its folder (``filelock``), so concurrent sweeps into one
    folder never write the same run at once: a run locked by another process is skipped and
    counted as busy. A run whose folder cannot be made, or whose failure cannot be recorded
    (a full disk), is counted as failed and listed in ``Counts.unrecorded``.
    """
    progress = Progress(len(specs), label)
    tables = ["indices", "forums"] + (["countries"] if options.get("countries") is True else [])
    older, busy, unrecorded = 0, [], {}  # complete runs skipped that other govsim code made; skipped while locked
    for spec in specs:
        try:
            folder = folder_of(spec)
            folder.mkdir(parents=True, exist_ok=True)
            lock = FileLock(folder / store.LOCK)
            lock.acquire(blocking=False)
        except Timeout:
            busy.append(spec.run_id)
            progress.update(busy=True)
            continue
        except (store.StoreError, OSError) as exc:
            unrecorded[spec.run_id] = _unrecorded(spec, exc)
            progress.update(failed=True)
            continue
        try:
            done = store.complete_run(folder, spec.digest) if spec.scenario is not None else None
            if done is not None:
                older += done.get("code_digest") != store.code_digest()
                progress.update(skipped=True)
                continue
            figure = int(options.get("band_seeds", 8)) if options.get("figure") is True else None
            ok, problem = _one_run(spec, folder, tables, figure, context or {}, log_failures)
            if problem is not None:
                unrecorded[spec.run_id] = problem
            progress.update(failed=not ok)
        finally:
            lock.release()
    if older:
        logging.getLogger("govsim").warning(
            "%d complete runs were kept from earlier invocations that ran other govsim code (code_digest differs): "
            "the sweep now mixes two versions of the model. To redo them with this code, sweep into a new out= "
            "folder or delete those runs", older)
    counts = progress.close()
    counts.busy_ids, counts.unrecorded = busy, unrecorded
    return counts


def _unrecorded(spec: RunSpec, exc: Exception) -> str:
    """Log a run that failed without a record (no folder, no space) and return its one-line reason."""
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())
    logging.getLogger("govsim").error("run %s failed and could not be recorded: %s", spec.run_id, reason)
    return reason


def _one_run(spec: RunSpec, folder: Path, tables: list[str], figure: int | None, context: dict[str, Any],
             log_failures: bool) -> tuple[bool, str | None]:
    """Run one spec and record it; return whether it completed, and why its failure is unrecorded (if so)."""
    started, clock = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    manifest = {"run_id": spec.run_id, "scenario": spec.name, "scenario_hash": spec.digest, "seed": spec.seed,
                "params": spec.params, **context, "started": started}
    try:
        if spec.error is not None:
            raise ScenarioError(spec.error)
        results = run(spec.scenario, seed=spec.seed, countries="countries" in tables)
        store.write_run(folder, results, {**manifest, "wall_time_s": round(time.perf_counter() - clock, 4)}, tables)
        if figure is not None:  # the number of seeds in the figure's band
            from govsim.run_figures import write_run_figures

            write_run_figures(folder, results, figure)
        return True, None
    except Exception as exc:  # noqa: BLE001 -- a failed run is recorded and the batch goes on
        detail = "" if isinstance(exc, ScenarioError) else traceback.format_exc()
        if log_failures:
            logging.getLogger("govsim").error("run %s failed: %s: %s", spec.run_id, type(exc).__name__, str(exc).strip())
        try:
            store.write_manifest(folder, {**manifest, "status": "failed", "wall_time_s": round(time.perf_counter() - clock, 4),
                                          "error": {"type": type(exc).__name__, "message": str(exc), "traceback": detail}})
        except OSError as unwritable:  # e.g. the disk is full: count it, tell, and go on with the next run
            return False, _unrecorded(spec, unwritable)
        return False, None
