"""``govsim run``: one run, or with ``-m`` a sweep, through Hydra and its launchers.

Before Hydra writes anything, the output folder is made absolute (workers may run in other
working directories) and checked: it must be writable, and a single run's folder must not hold
someone else's files. Each Hydra job runs a batch (the seeds of one configuration, or a chunk of
a design) in one process, records every run in the results store and leaves a report of the
runs it was given (``govsim.folders``). After Hydra returns, the store and the reports say
whether any run failed or went missing, which sets the exit status.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govsim.cli.compose import CONFIG_DIR, PRIMARY
from govsim.cli.overrides import prepare, sweep_folder
from govsim.cli.sizing import job_count
from govsim.config import ScenarioError
from govsim.run_options import RUN_OPTIONS

if TYPE_CHECKING:
    from govsim.batch import RunSpec

# The store, the batch driver and the folder checks import the model (Mesa, pandas): they are imported
# where a run needs them, so help, the config and bad input answer at once (tests/test_cli_startup.py).

_VALUE_FLAGS = {"-cd", "--config-dir", "-cp", "--config-path", "-cn", "--config-name", "-c", "--cfg", "-p", "--package",
                "--experimental-rerun"}


def main(argv: list[str]) -> int:
    """Check the overrides and the output folder, hand them to Hydra, then report the runs from the store."""
    flags, overrides = _split_flags(argv)
    multirun = "-m" in flags or "--multirun" in flags
    informative = any(f in flags for f in ("-h", "--help", "--hydra-help", "-c", "--cfg", "--info"))
    try:
        prepared = prepare(overrides, multirun, _config_dirs(flags))
        batch = multirun or len(prepared.seeds or []) > 1
        folder = _output_folder(sweep_folder(overrides, prepared, "sweeps" if multirun else "outputs"), prepared, batch,
                                check=not informative)
    except ScenarioError as exc:
        print(f"govsim run: {exc}", file=sys.stderr)
        return 2
    token = "g" + secrets.token_hex(8)  # this invocation's jobs report under it (see govsim.folders); the letter
    # keeps it text: Hydra reads an all-digit token as an int, one like 1234e567... as a float
    target = [_quoted(f"hydra.{'sweep' if multirun else 'run'}.dir", folder)] if batch or prepared.out else []
    launch = [f"++hydra.job.env_set.GOVSIM_LAUNCH={token}"] if batch else []
    code = _hydra([*flags, *prepared.overrides, *target, *launch])
    if code or not batch or informative:
        return code
    return _report_sweep(folder, token, job_count(prepared.overrides) if multirun else 1)


def _output_folder(folder: str, prepared, batch: bool, check: bool = True) -> Path:
    """The output folder as an absolute path (workers may run elsewhere), checked before Hydra writes
    (unless only help or the config is printed, which writes nothing).

    A single run must not go into someone's folder of other files; any folder must be writable.
    """
    if "${" in folder:
        raise ScenarioError(f"out={folder[:80]!r}: interpolations are not allowed in out=. Fix: write the path itself")
    path = Path(folder).expanduser().resolve()
    if not check:
        return path
    from govsim.folders import check_single_run_folder, check_writable
    from govsim.store import StoreError

    try:
        if not batch and prepared.out:
            check_single_run_folder(path)
        check_writable(path if batch or prepared.out else Path("outputs").resolve())
    except StoreError as exc:
        raise ScenarioError(str(exc)) from None
    return path


def _quoted(key: str, path: Path) -> str:
    """``key='path'`` for Hydra's override grammar (quotes escaped; Hydra keeps other backslashes)."""
    escaped = str(path).replace("'", "\\'")
    return f"{key}='{escaped}'"


def _config_dirs(flags: list[str]) -> list[Path]:
    """Folders given with ``--config-dir``/``-cd`` (Hydra adds them to the search path)."""
    return [Path(flags[i + 1]) for i, f in enumerate(flags[:-1]) if f in ("-cd", "--config-dir")]


def _split_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate Hydra's own flags (``-m``, ``--config-dir DIR``...) from ``key=value`` overrides."""
    flags, overrides, args = [], [], iter(argv)
    for arg in args:
        if arg.startswith("-"):
            flags.append(arg)
            if arg in _VALUE_FLAGS:
                flags.append(next(args, ""))
        else:
            overrides.append(arg)
    return flags, overrides


def _hydra(args: list[str]) -> int:
    """Run the Hydra app with ``args`` as its command line; return its exit status."""
    import hydra

    saved, sys.argv = sys.argv, ["govsim", *args]
    try:
        hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=PRIMARY)(_job)()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except ValueError as exc:  # Hydra's own argument errors, e.g. two exclusive flags
        print(f"govsim run: {exc}", file=sys.stderr)
        return 2
    finally:
        sys.argv = saved
    return _EXIT.pop("code", 0)


_EXIT: dict[str, int] = {}


def _job(cfg) -> None:
    """One Hydra job: the batch of runs its composed config describes."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from govsim import store
    from govsim.batch import run_specs, specs_from_config

    hc = HydraConfig.get()
    task = list(hc.overrides.task)
    specs, options = specs_from_config(OmegaConf.to_container(cfg, resolve=True), _params(task))
    single = hc.mode == RunMode.RUN and len(specs) == 1
    out = Path(hc.runtime.output_dir if hc.mode == RunMode.RUN else hc.sweep.dir).resolve()
    if single and not _single_folder_ok(out):
        return
    auto = {k: (single if v == "auto" and k in ("countries", "figure") else v) for k, v in options.items()}  # auto tables, figures: a single run's
    context = {"overrides": task, "job": int(hc.job.get("num") or 0)}
    logging.raiseExceptions = False  # a log file on a full disk must not print a traceback per message
    token = None if single else hc.job.env_set.get("GOVSIM_LAUNCH")
    job_dir = Path(hc.runtime.output_dir).resolve()
    _report_job(job_dir, token, specs)  # first, while there is space: the runs this job was given
    counts = run_specs(specs, (lambda s: out) if single else (lambda s: store.run_folder(out, s.run_id)), auto, context,
                       label=f"job {context['job']}", log_failures=not single)
    if single:
        _EXIT["code"] = _report_single(out, specs[0], counts)
        return
    _report_job(job_dir, token, specs, counts)
    if hc.mode == RunMode.RUN:
        _EXIT["code"] = 1 if counts.failed else 0


def _single_folder_ok(out: Path) -> bool:
    """Check a single run's folder (the default one is only known here); print why not."""
    from govsim.folders import check_single_run_folder
    from govsim.store import StoreError

    try:
        check_single_run_folder(out)
        return True
    except StoreError as exc:
        print(f"govsim run: {exc}", file=sys.stderr)
        _EXIT["code"] = 2
        return False


def _report_job(job_dir: Path, token: str | None, specs: list[RunSpec], counts=None) -> None:
    """Leave this job's report for the driver: the runs it was given (before running them), then
    (``counts``) which of them were busy or failed unrecorded."""
    if not token:
        return
    from govsim.folders import write_job_report

    report = {"runs": [s.run_id for s in specs], "busy": getattr(counts, "busy_ids", []),
              "unrecorded": getattr(counts, "unrecorded", {}), "finished": counts is not None}
    try:
        write_job_report(job_dir, token, report)
    except OSError as exc:
        logging.getLogger("govsim").error("the job could not write its report into %s: %s", job_dir, exc)


def _params(task: list[str]) -> dict[str, Any]:
    """The job's own overrides as {dotted key: value}: the parameter columns of ``load_sweep``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    found = {}
    for override in OverridesParser.create().parse_overrides(task):
        key = override.key_or_group
        if key != "seed" and not override.is_hydra_override() and key.split(".")[0] not in RUN_OPTIONS:
            found[key] = override.value()
    return found


def _report_single(folder: Path, spec: RunSpec, counts) -> int:
    """Print where the run went and its summary, or its error; return the exit status."""
    from govsim import store

    if counts.busy:
        print(f"govsim run: {folder} is being written by another govsim process; the run was skipped. "
              "Fix: wait for it to finish, or give out= another folder", file=sys.stderr)
        return 1
    if counts.unrecorded:
        print(f"govsim run: the run failed and could not be recorded: {counts.unrecorded[spec.run_id]}", file=sys.stderr)
        return 1
    manifest = store.read_manifest(folder) or {}
    if manifest.get("status") != "complete":
        error = manifest.get("error", {})
        print(f"govsim run: {error.get('message', 'the run did not complete')}", file=sys.stderr)
        return 2 if error.get("type") == "ScenarioError" else 1
    import pandas as pd

    from govsim.runner import summary_text

    summary = summary_text(pd.read_parquet(folder / "indices.parquet"), spec.name, spec.seed)
    (folder / "summary.txt").write_text(summary + "\n")
    print(f"results written to {folder}\n{summary}")
    return 0


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 1 << 30


def _report_sweep(folder: Path, token: str, launched: int | None) -> int:
    """Print the sweep's totals from its manifests, checked against the runs its jobs were given.

    Exit status 1 if any run failed, or a launched run or job left nothing in ``folder``.
    """
    from govsim import store
    from govsim.folders import read_job_reports, remove_job_reports

    try:
        found = {m.get("run_id"): m for m in store.manifests(folder)}
    except store.StoreError as exc:
        print(f"govsim run: {exc}", file=sys.stderr)
        return 1
    reports = read_job_reports(folder, token)
    expected = {run for r in reports for run in r.get("runs", [])}
    unrecorded = {k: v for r in reports for k, v in r.get("unrecorded", {}).items()}
    busy = {run for r in reports for run in r.get("busy", []) if found.get(run, {}).get("status") != "complete"}
    missing = sorted(expected - set(found) - busy - set(unrecorded))
    failed = [m for m in found.values() if m.get("status") != "complete"]
    silent = max(0, (launched or 0) - len(reports))
    parts = [f"{len(found) - len(failed)} runs complete", f"{len(failed) + len(unrecorded)} failed"]
    parts += [f"{len(busy)} runs being written by another process, skipped"] if busy else []
    parts += [f"{len(missing)} missing"] if missing else []
    print(f"sweep {folder}: {', '.join(parts)}")
    for m in failed[:10]:
        print(f"  failed {m['run_id']}: {m.get('error', {}).get('message', '?').splitlines()[0]}", file=sys.stderr)
    for run, reason in list(unrecorded.items())[:10]:
        print(f"  failed {run} (not recorded): {reason}", file=sys.stderr)
    if missing:
        print(f"  {len(missing)} launched runs are missing: expected under {folder / 'runs'} (e.g. {missing[0]}). "
              "Fix: re-run the same command", file=sys.stderr)
    if silent:
        print(f"  {silent} of {launched} jobs did not report to {folder}: their runs went elsewhere or the jobs died. "
              f"Fix: make {folder} reachable by every worker and re-run the same command", file=sys.stderr)
    if (missing or silent or unrecorded) and _free_bytes(folder) < 1 << 20:
        print(f"  the disk holding {folder} is full. Fix: free space, then re-run the same command", file=sys.stderr)
    remove_job_reports(folder, token)
    print(f"load it with: govsim.load_sweep({str(folder)!r})")
    return 1 if failed or unrecorded or missing or silent else 0
