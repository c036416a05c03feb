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
from typing import TYPE_CHECKING, Any, Callable

import pandas as pd
from filelock import FileLock, Timeout

from govsim.config import ScenarioError, apply_override, validate
from govsim.config.scenario import Scenario
from govsim.progress import Counts, Progress
from govsim.run_options import REPLICATES_DEFAULT, RUN_OPTIONS, STORE_OPTIONS, check_store_option, split_run_options  # noqa: F401 -- re-exported
from govsim.runner import run
from govsim import batchstore, store

if TYPE_CHECKING:  # imported when a sweep stacks its runs (it loads the model)
    from govsim.replicates import Ahead

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO


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
    """Do every run not already complete; record each in the store. Never raises on a failed run.

    In a sweep ``folder_of(spec)`` is ``<sweep>/runs/<run_id>``. With ``options["layout"] == "batch"``
    the runs are recorded together in one batch folder of ``<sweep>/batches`` (``govsim.batchstore``);
    otherwise each in its folder, under a lock on that folder (``filelock``), so concurrent sweeps
    into one folder never write the same run at once: a run locked by another process is skipped and
    counted as busy. A run complete in either layout is skipped. With ``options["replicates"] ==
    "stacked"`` (the default) the runs not complete are simulated in batches of stacked replicates as
    the driver reaches them (``govsim.replicates.Ahead``); each is still recorded on its own as above,
    its ``wall_time_s`` its share of its batch's time; a batch that fails is run again one run at a
    time, so a failed run is recorded with its own error. A run whose folder cannot be made,
    or whose failure cannot be recorded (a full disk), is counted as failed and listed in
    ``Counts.unrecorded``.
    """
    progress = Progress(len(specs), label)
    tables = ["indices", "forums"] + (["countries"] if options.get("countries") is True else [])
    figure = int(options.get("band_seeds", 8)) if options.get("figure") is True else None
    root, stacked = _sweep_root(specs, folder_of), options.get("replicates", REPLICATES_DEFAULT) == "stacked"
    if root is not None and _layout(options, tables) == "batch":
        return _run_batch(specs, root, folder_of, tables, figure, context or {}, log_failures, progress, stacked)
    in_batches = _stored_in_batches(root, specs)
    ahead = _ahead(specs, tables, lambda spec: spec.run_id in in_batches or _complete_in(folder_of, spec)) if stacked else None
    older, busy, unrecorded = 0, [], {}  # complete runs skipped that other govsim code made; skipped while locked
    for spec in specs:
        if spec.run_id in in_batches:
            older += in_batches[spec.run_id].get("code_digest") != store.code_digest()
            progress.update(skipped=True)
            continue
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
            ok, problem = _one_run(spec, folder, tables, figure, context or {}, log_failures, ahead)
            if problem is not None:
                unrecorded[spec.run_id] = problem
            progress.update(failed=not ok)
        finally:
            lock.release()
    return _finish(progress, older, busy, unrecorded)


def _ahead(specs: list[RunSpec], tables: list[str], stored: Callable[[RunSpec], bool]) -> Ahead:
    """The runs of ``specs`` simulated in batches of stacked replicates (``govsim.replicates.Ahead``):
    the seeds of a configuration, and configurations sharing world, calendar and forums (design rows),
    run together as the driver reaches them; ``stored(spec)``: True for a complete run (skipped)."""
    from govsim.replicates import Ahead

    by_id = {spec.run_id: spec for spec in specs if spec.scenario is not None}
    jobs = [(run_id, spec.scenario, spec.seed) for run_id, spec in by_id.items()]
    return Ahead(jobs, "countries" in tables, lambda run_id: stored(by_id[run_id]))


def _complete_in(folder_of: Callable[[RunSpec], Path], spec: RunSpec) -> bool:
    """True if ``spec``'s run folder says it is complete (False if it has no folder yet or cannot have one)."""
    try:
        folder = folder_of(spec)
    except (store.StoreError, OSError):
        return True  # counted as failed by the driver, never run
    return _says_complete(folder, spec)


def _says_complete(folder: Path, spec: RunSpec) -> bool:
    """True if ``folder``'s manifest records ``spec`` complete: a quiet, cheap check for forming a
    stacked batch. The driver verifies the files when it reaches the run (and logs a damaged one
    once); a run found damaged then is simulated in a batch of its own start."""
    try:
        manifest = store.read_manifest(folder) if folder.is_dir() else None
    except (store.StoreError, OSError):
        return False
    return manifest is not None and manifest.get("status") == "complete" and manifest.get("scenario_hash") == spec.digest


def _sweep_root(specs: list[RunSpec], folder_of: Callable[[RunSpec], Path]) -> Path | None:
    """The sweep folder when ``folder_of`` gives ``<sweep>/runs/<run_id>`` (None for a single run's own folder)."""
    for spec in specs:
        try:
            folder = folder_of(spec)
        except (store.StoreError, OSError):
            continue
        return folder.parent.parent if folder.parent.name == "runs" and folder.name == spec.run_id else None
    return None


def _layout(options: dict[str, Any], tables: list[str]) -> str:
    """A sweep's results layout: ``store.layout``, where ``auto`` (the default) is ``batch`` (one file per
    table per job: few files, and 1 000 runs store in a third of the time) unless the runs keep their
    countries tables, which the run layout streams to each run's folder (large worlds)."""
    layout = options.get("layout", "run")
    if layout == "auto":
        return "run" if "countries" in tables else "batch"
    return layout


def _stored_in_batches(root: Path | None, specs: list[RunSpec]) -> dict[str, dict[str, Any]]:
    """The runs of ``specs`` already complete in a batch of the batch layout (a mixed sweep folder)."""
    if root is None or not (root / batchstore.BATCHES).is_dir():
        return {}
    return batchstore.complete_in_batches(root, {s.run_id: s.digest for s in specs if s.scenario is not None})


def _finish(progress: Progress, older: int, busy: list[str], unrecorded: dict[str, str]) -> Counts:
    if older:
        logging.getLogger("govsim").warning(
            "%d complete runs were kept from earlier invocations that ran other govsim code (code_digest differs): "
            "the sweep now mixes two versions of the model. To redo them with this code, sweep into a new out= "
            "folder or delete those runs", older)
    counts = progress.close()
    counts.busy_ids, counts.unrecorded = busy, unrecorded
    return counts


def _run_batch(specs: list[RunSpec], root: Path, folder_of, tables: list[str], figure: int | None,
               context: dict[str, Any], log_failures: bool, progress: Progress, stacked: bool = False) -> Counts:
    """``store.layout=batch``: the runs not stored yet, recorded together in the batch's own folder, under its lock."""
    unrecorded, todo = {}, []
    for spec in specs:  # the same check of the run id as in the run layout
        try:
            folder_of(spec)
            todo.append(spec)
        except (store.StoreError, OSError) as exc:
            unrecorded[spec.run_id] = _unrecorded(spec, exc)
            progress.update(failed=True)
    folder = root / batchstore.BATCHES / batchstore.batch_id(s.run_id for s in specs)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / store.LOCK)
        lock.acquire(blocking=False)
    except Timeout:
        for _ in todo:
            progress.update(busy=True)
        return _finish(progress, 0, [s.run_id for s in todo], unrecorded)
    except OSError as exc:
        for spec in todo:
            unrecorded[spec.run_id] = _unrecorded(spec, exc)
            progress.update(failed=True)
        return _finish(progress, 0, [], unrecorded)
    try:
        older = _batch_runs(todo, root, folder, tables, figure, context, log_failures, progress, unrecorded, stacked)
    finally:
        lock.release()
    return _finish(progress, older, [], unrecorded)


def _batch_runs(specs: list[RunSpec], root: Path, folder: Path, tables: list[str], figure: int | None,
                context: dict[str, Any], log_failures: bool, progress: Progress, unrecorded: dict[str, str],
                stacked: bool = False) -> int:
    """Run the batch's runs not stored anywhere yet into its writer; return how many skipped runs other code made.

    If the batch's files cannot be written (a full disk), the runs done since its last write are
    listed as unrecorded and the batch stops; the driver reports the rest as missing.
    """
    writer = batchstore.BatchWriter(folder, tables)
    wanted = {s.run_id: s.digest for s in specs if s.scenario is not None and s.run_id not in writer.kept}
    stored = {**batchstore.complete_in_batches(root, wanted, skip=folder.name), **writer.kept}
    older, pending = 0, []
    ahead = _ahead(specs, tables, lambda spec: (spec.run_id in stored and stored[spec.run_id].get("scenario_hash") == spec.digest)
                   or _says_complete(root / "runs" / spec.run_id, spec)) if stacked else None
    try:
        for spec in specs:
            done = stored.get(spec.run_id) or _complete_run_folder(root, spec)
            if done is not None and done.get("scenario_hash") == spec.digest:
                older += done.get("code_digest") != store.code_digest()
                progress.update(skipped=True)
                continue
            record, results = _attempt(spec, tables, figure, root, context, log_failures, ahead)
            pending.append(spec)
            progress.update(failed=results is None)
            if writer.add(record, results, spec.scenario):
                pending = []
        writer.flush()
    except OSError as exc:
        for spec in pending:
            unrecorded[spec.run_id] = _unrecorded(spec, exc)
    return older


def _attempt(spec: RunSpec, tables: list[str], figure: int | None, root: Path, context: dict[str, Any],
             log_failures: bool, ahead=None) -> tuple[dict[str, Any], Any]:
    """Run one spec for the batch layout: its record (complete or failed, with the error) and its results (or None).

    Figures (``store.figure=true``) go to ``<sweep>/figures/<run_id>/``.
    """
    started, clock = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    record = _record(spec, context, started)
    try:
        if spec.error is not None:
            raise ScenarioError(spec.error)
        results = _results_of(spec, tables, ahead)
        if figure is not None:
            from govsim.run_figures import write_run_figures

            write_run_figures(root / "figures" / spec.run_id, results, figure)
        return {**record, "status": "complete", "wall_time_s": _wall(clock, spec, ahead)}, results
    except Exception as exc:  # noqa: BLE001 -- a failed run is recorded and the batch goes on
        return {**record, "wall_time_s": _wall(clock, spec, ahead), **_failure(spec, exc, log_failures)}, None


def _failure(spec: RunSpec, exc: Exception, log_failures: bool) -> dict[str, Any]:
    """A failed run's status and error for its record (with the traceback unless it is a ScenarioError), logged."""
    if log_failures:
        logging.getLogger("govsim").error("run %s failed: %s: %s", spec.run_id, type(exc).__name__, str(exc).strip())
    detail = "" if isinstance(exc, ScenarioError) else traceback.format_exc()
    return {"status": "failed", "error": {"type": type(exc).__name__, "message": str(exc), "traceback": detail}}


def _results_of(spec: RunSpec, tables: list[str], ahead) -> Any:
    """The run's results: from its batch (``ahead``, govsim.replicates.Ahead) or a single run."""
    if ahead is not None:
        return ahead.results(spec.run_id, spec.scenario, spec.seed)
    return run(spec.scenario, seed=spec.seed, countries="countries" in tables)


def _wall(clock: float, spec: RunSpec, ahead) -> float:
    """The run's wall time (s) since ``clock``; for a run of a stacked batch (``ahead``), with the
    batch's time replaced by the run's share of it (batch time / runs in it), so each run of a batch
    reports its share rather than the run that started the batch reporting all of it."""
    spent = time.perf_counter() - clock
    share = ahead.shares.pop(spec.run_id, None) if ahead is not None else None
    return round(spent if share is None else max(spent - ahead.spent, 0.0) + share, 4)


def _record(spec: RunSpec, context: dict[str, Any], started: str) -> dict[str, Any]:
    """What a run's manifest (or batch record) says about it before its outcome."""
    return {"run_id": spec.run_id, "scenario": spec.name, "scenario_hash": spec.digest, "seed": spec.seed,
            "params": spec.params, **context, "started": started}


def _complete_run_folder(root: Path, spec: RunSpec) -> dict[str, Any] | None:
    folder = root / "runs" / spec.run_id
    return store.complete_run(folder, spec.digest) if spec.scenario is not None and folder.is_dir() else None


def _unrecorded(spec: RunSpec, exc: Exception) -> str:
    """Log a run that failed without a record (no folder, no space) and return its one-line reason."""
    reason = " ".join(f"{type(exc).__name__}: {exc}".split())
    logging.getLogger("govsim").error("run %s failed and could not be recorded: %s", spec.run_id, reason)
    return reason


def _run_into(spec: RunSpec, folder: Path, tables: list[str], ahead=None):
    """Run one spec for its run folder: a kept countries table is streamed straight to the folder's
    countries.parquet (led by run_id, as ``store.write_run`` lays it out), never held whole in memory.
    Without it, the run comes from its batch of stacked replicates if ``ahead`` is given.

    The caller holds the folder's lock and found no complete run in it, so a countries.parquet
    there is a leftover of an interrupted or older run: it is replaced."""
    if "countries" not in tables:
        return _results_of(spec, tables, ahead)
    from govsim.stream import run_streamed

    target = folder / "countries.parquet"
    target.unlink(missing_ok=True)
    return run_streamed(spec.scenario, spec.seed, target, run_id=spec.run_id)


def _one_run(spec: RunSpec, folder: Path, tables: list[str], figure: int | None, context: dict[str, Any],
             log_failures: bool, ahead=None) -> tuple[bool, str | None]:
    """Run one spec and record it; return whether it completed, and why its failure is unrecorded (if so)."""
    started, clock = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    manifest = _record(spec, context, started)
    try:
        if spec.error is not None:
            raise ScenarioError(spec.error)
        results = _run_into(spec, folder, tables, ahead)
        store.write_run(folder, results, {**manifest, "wall_time_s": _wall(clock, spec, ahead)}, tables)
        if figure is not None:  # the number of seeds in the figure's band
            from govsim.run_figures import write_run_figures

            write_run_figures(folder, results, figure)
        return True, None
    except Exception as exc:  # noqa: BLE001 -- a failed run is recorded and the batch goes on
        try:
            store.write_manifest(folder, {**manifest, "wall_time_s": _wall(clock, spec, ahead),
                                          **_failure(spec, exc, log_failures)})
        except OSError as unwritable:  # e.g. the disk is full: count it, tell, and go on with the next run
            return False, _unrecorded(spec, unwritable)
        return False, None
