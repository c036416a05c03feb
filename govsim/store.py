"""Results on disk: one folder per run (tables + manifest), one folder per sweep, read back tidily.

Layout of a sweep folder::

    <sweep>/runs/<run_id>/indices.parquet   every step's indices (with run_id, scenario, seed)
                          forums.parquet    forum sizes per step
                          countries.parquet country states per step (opt-in in sweeps)
                          scenario.json     the resolved, validated scenario with its seed
                          manifest.json     written LAST: status, params, hash, versions, timing

                          .govsim-lock      held (filelock) by the process writing the run
    <sweep>/jobs/<n>/govsim-launch-<token>.json  what job n of one invocation ran (see cli/run.py)
    <sweep>/batches/<batch id>/...                the batch layout (store.layout=auto, the default of a
                                                  sweep that keeps no countries tables, or batch): one
                                                  file per table per batch of runs and one manifest
                                                  (see govsim.batchstore)

A run counts as done only when its manifest says ``"status": "complete"`` and every file it
lists still has the recorded size and SHA-256; tables are written atomically first, so a crash,
a kill or a damaged file never leaves a run that looks complete but is not. Run folders never
leave the sweep's ``runs/`` folder, and the only files the store deletes are its own temporary
files (``.govsim-tmp-*``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import platform
import subprocess
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from govsim.config.errors import shown
from govsim.config.scenario import Scenario
from govsim.parquet import write_parquet
from govsim.runner import TMP_PREFIX, Results, atomic_write, sync_folder

MANIFEST = "manifest.json"
LOCK = ".govsim-lock"
TABLES = ("indices", "forums", "countries")
_VERSIONED = ("govsim", "mesa", "numpy", "pandas", "pydantic", "hydra-core", "pyarrow")
log = logging.getLogger("govsim")


class StoreError(ValueError):
    """The store cannot be read or written as asked; the message is one line naming the path and the fix."""


def scenario_hash(scenario: Scenario | dict[str, Any]) -> str:
    """SHA-256 of the scenario without its seed (canonical JSON): equal configs, equal hash."""
    data = scenario.model_dump(mode="json") if isinstance(scenario, Scenario) else dict(scenario)
    data.pop("seed", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_id(name: str, digest: str, seed: int) -> str:
    """Folder name of one run: scenario name, short config hash, seed."""
    return f"{name}-{digest[:10]}-seed{seed}"


def run_folder(root: str | Path, run_id: str) -> Path:
    """``root/runs/<run_id>``, resolved; StoreError if that is not a folder directly inside ``root/runs``."""
    runs = (Path(root) / "runs").resolve()
    try:
        folder = (runs / run_id).resolve()
    except (ValueError, OSError):  # e.g. a NUL byte
        folder = runs
    if not run_id or folder.parent != runs:
        raise StoreError(f"run id {shown(run_id, 60)} would put the run outside {runs}, so it is not written. "
                         "Fix: give the scenario a plain name (letters, digits, '-' and '_')")
    return folder


def complete_run(folder: Path, digest: str) -> dict[str, Any] | None:
    """The manifest if ``folder`` holds a complete, verified run of the configuration ``digest``, else None.

    A damaged manifest or a file that does not match it is logged (the caller redoes the run).
    """
    try:
        manifest = read_manifest(folder)
    except StoreError as exc:
        log.warning("%s: redoing the run", exc)
        return None
    if manifest is None or manifest.get("status") != "complete" or manifest.get("scenario_hash") != digest:
        return None
    problem = verify_run(folder, manifest)
    if problem is not None:
        log.warning("run %s does not verify (%s): redoing it", folder, problem)
        return None
    return manifest


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The run's manifest, or None if it has none (never started, or killed before the end).

    Raises StoreError (one line naming the file) if the manifest is not a JSON object.
    """
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path} is damaged ({shown(str(exc), 80)}). Fix: delete {path.parent} "
                         "and re-run the sweep command to redo that run") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path} is damaged (not a JSON object). Fix: delete {path.parent} and re-run the sweep command")
    return data


def file_record(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a written file, as recorded in the manifest (read in chunks: a streamed
    countries table can be hundreds of MB, which must not be held in memory to be hashed)."""
    with open(path, "rb") as file:
        digest = hashlib.file_digest(file, "sha256")
        return {"bytes": file.tell(), "sha256": digest.hexdigest()}


def verify_run(folder: Path, manifest: dict[str, Any], names: list[str] | None = None) -> str | None:
    """None if the files ``names`` (default: all the manifest lists) match their size and SHA-256, else why not."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        return "its manifest records no sizes and checksums (written by an older govsim)"
    for name in names or list(files):
        path, want = Path(folder) / name, files.get(name) or {}
        if not path.is_file():
            return f"{name} is missing"
        got = file_record(path)
        if got["bytes"] != want.get("bytes"):
            return f"{name} has {got['bytes']} bytes, its manifest says {want.get('bytes')}"
        if got["sha256"] != want.get("sha256"):
            return f"{name} does not match the SHA-256 in its manifest"
    return None


def write_run(folder: Path, results: Results, manifest: dict[str, Any], tables=("indices", "forums")) -> None:
    """Write ``tables`` of ``results`` (tagged with run_id/scenario/seed) and the scenario, then the manifest
    with each file's size and SHA-256. The caller holds the run's lock (see ``govsim.batch``). A countries
    table streamed to ``folder/countries.parquet`` during the run (``Results.countries_file``) is kept as is."""
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder)
    for name in tables:
        if name == "countries" and _streamed_here(results, folder):
            continue  # already written, led by run_id (govsim.stream)
        tagged = with_run_id(getattr(results, name), manifest["run_id"])
        atomic_write(folder / f"{name}.parquet", lambda tmp, t=tagged: write_parquet(t, tmp))
    results.save_scenario(folder)
    files = {name: file_record(folder / name) for name in [*(f"{t}.parquet" for t in tables), "scenario.json"]}
    write_manifest(folder, {**manifest, "status": "complete", "tables": list(tables), "files": files})


def _streamed_here(results: Results, folder: Path) -> bool:
    """Whether ``results``' countries table was streamed to ``folder``'s countries.parquet (a sweep's run);
    ValueError if it was streamed elsewhere (its file is not this run folder's to move)."""
    if results.countries_file is None:
        return False
    if Path(results.countries_file).resolve() != (folder / "countries.parquet").resolve():
        raise ValueError(f"the countries table was streamed to {results.countries_file}, not into {folder}: "
                         "stream it to the run folder's countries.parquet (govsim.stream.run_streamed with run_id)")
    return True


def save_results(results: Results, folder: Path, tables) -> Path:
    """Write one run outside a sweep (``Results.save``, ``Ensemble.save``): its tables, scenario and a
    complete manifest, under the lock a sweep would hold, so a sweep's readers treat it alike."""
    digest = scenario_hash(results.scenario)
    manifest = {"run_id": run_id(results.scenario.name, digest, results.seed), "scenario": results.scenario.name,
                "scenario_hash": digest, "seed": results.seed, "params": {}}
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / LOCK)):
        write_run(folder, results, manifest, tuple(tables))
    return folder


def with_run_id(table: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """``table`` (led by scenario and seed, as ``Results`` tables are) with ``run_id`` in front."""
    tagged = table.copy(deep=False)
    tagged.insert(0, "run_id", run_id)
    return tagged


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically, adding package versions and the git commit."""
    folder.mkdir(parents=True, exist_ok=True)
    full = {**manifest, "versions": versions(), "git": git_commit(), "code_digest": code_digest()}
    atomic_write(folder / MANIFEST, lambda tmp: Path(tmp).write_text(json.dumps(full, indent=2, default=str)))
    sync_folder(folder)  # the manifest comes last: one folder fsync makes every rename of the run durable


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files of a write interrupted by a kill (``.govsim-tmp-*``, and nothing else)."""
    for tmp in folder.glob(f"{TMP_PREFIX}*"):
        tmp.unlink(missing_ok=True)


@functools.lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Versions of Python and the packages that determine a run's results."""
    found = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Short SHA-256 of the installed govsim package's code and data: equal digests, same model.

    Unlike the git commit it sees uncommitted edits and works outside a checkout. The scenario
    files are covered by the scenario hash instead.
    """
    package = Path(__file__).resolve().parent
    files = sorted(f for f in package.rglob("*") if f.is_file() and f.suffix in (".py", ".csv"))
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(package)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def git_commit() -> dict[str, Any] | None:
    """The govsim checkout's commit and whether it had uncommitted changes (None outside git)."""
    repo = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "--no-optional-locks", "-C", str(repo), "status", "--porcelain",  # no index refresh
                                 "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def manifests(path: str | Path) -> list[dict[str, Any]]:
    """Every run's manifest under ``path`` (a sweep folder or a single run folder), sorted by run_id.

    Runs of the batch layout (``govsim.batchstore``) come as records with their batch's shared fields,
    ``folder`` (the batch folder) and ``batch`` (its id). A run stored more than once (in a run folder
    and a batch, or in two batches) is listed once: a complete copy first, run folders before batches.
    """
    return _one_per_run(_all_manifests(path))[0]


def _all_manifests(path: str | Path) -> list[dict[str, Any]]:
    """Every run record under ``path``, copies of one run included: run folders, then batches."""
    from govsim import batchstore  # it builds on this module

    root = Path(path).resolve()
    if (root / MANIFEST).is_file():  # one run's folder, or one batch's
        manifest = read_manifest(root)
        if manifest.get("layout") == "batch":
            return batchstore.batch_records(root, manifest)
        return [{**manifest, "folder": str(root)}]
    files = sorted(root.glob(f"runs/*/{MANIFEST}"))
    return [{**read_manifest(file.parent), "folder": str(file.parent)} for file in files] + batchstore.run_records(root)


def _one_per_run(found: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """One record per run_id (complete before failed, else the first), sorted by run_id; and how many
    complete runs have copies made by different govsim code."""
    chosen: dict[str, dict[str, Any]] = {}
    differing = set()
    for m in found:
        key = str(m.get("run_id"))
        kept = chosen.get(key)
        if kept is None or (kept.get("status") != "complete" and m.get("status") == "complete"):
            chosen[key] = m
        elif m.get("status") == kept.get("status") == "complete" and m.get("code_digest") != kept.get("code_digest"):
            differing.add(key)
    return [chosen[k] for k in sorted(chosen)], len(differing)


def load_sweep(path: str | Path, table: str = "indices") -> pd.DataFrame:
    """One tidy DataFrame of ``table`` for every complete run under ``path``.

    Columns: run_id, scenario, seed, one column per swept parameter (its dotted key, e.g.
    ``behaviour.decision.temperature``; missing where a run did not set it), then the table's
    own columns (for indices: step, period, year and every index). ``path`` is a sweep folder
    (run layout, batch layout, or both), one run folder or one batch folder. ``table`` is 'indices', 'forums' or
    'countries' (if the sweep wrote it). Each run appears once, however many copies are stored
    (a warning says when copies were made by different govsim code). Each file read must match
    the size and SHA-256 in its manifest (manifests written by a govsim older than these checksums
    are read as they are); a damaged table or manifest raises StoreError, one line naming the file.
    """
    if table not in TABLES:
        raise ValueError(f"table={table!r}: choose one of {list(TABLES)}")
    chosen, differing = _one_per_run(_all_manifests(path))
    done = [m for m in chosen if m.get("status") == "complete"]
    if not done:
        raise FileNotFoundError(f"no complete runs under {Path(path).resolve()} (expected runs/<run_id>/{MANIFEST} "
                                f"or batches/<batch>/{MANIFEST})")
    missing = [m["run_id"] for m in done if table not in m.get("tables", [])]
    if missing:
        raise ValueError(f"table {table!r} was not written for {len(missing)} runs (e.g. {missing[0]}); "
                         f"sweep with store.{table}=true to keep it")
    _warn_if_mixed(done, path)
    if differing:
        warnings.warn(f"{Path(path)}: {differing} runs are stored twice, by different versions of the govsim code; "
                      "load_sweep returns one copy of each (run folders first, then batches by name). Fix: delete the "
                      "copies you do not want", stacklevel=2)
    return _with_params(_read_tables(done, table), done)


def _read_tables(done: list[dict[str, Any]], table: str) -> pd.DataFrame:
    """The rows of ``table`` of the runs ``done``: whole files of run folders, each batch's file cut to its runs."""
    files = [str(_verified(m, f"{table}.parquet")) for m in done if "batch" not in m]
    frames = [pd.read_parquet(files[0]) if len(files) == 1 else _read_many(files)] if files else []
    batches: dict[str, list[dict[str, Any]]] = {}
    for m in done:
        if "batch" in m:
            batches.setdefault(m["folder"], []).append(m)
    for runs in batches.values():
        data = pd.read_parquet(_verified(runs[0], f"{table}.parquet"))
        frames.append(data[data["run_id"].isin([m["run_id"] for m in runs])])
    if not batches:
        return frames[0]
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return data.sort_values("run_id", kind="stable").reset_index(drop=True)  # the run layout's order


def _verified(manifest: dict[str, Any], name: str) -> Path:
    """The path of a complete run's file ``name``; StoreError naming it if it does not match the manifest."""
    path = Path(manifest["folder"]) / name
    problem = verify_run(path.parent, manifest, [name]) if "files" in manifest else None
    if problem is not None:
        raise StoreError(f"{path}: {problem}, so the file was changed or damaged after the run. "
                         "Fix: re-run the same sweep command, which redoes that run")
    return path


def _warn_if_mixed(done: list[dict[str, Any]], path: str | Path) -> None:
    """Warn when the runs read together were made by different versions of the model: one
    configuration (scenario, parameters, seed) under different scenario hashes (the defaults or
    scenario files changed), or runs made by different govsim code (``code_digest``)."""
    hashes: dict[str, set[str]] = {}
    for m in done:
        key = json.dumps([m.get("scenario"), m.get("params", {}), m.get("seed")], sort_keys=True, default=str)
        hashes.setdefault(key, set()).add(m.get("scenario_hash", ""))
    mixed = sum(len(h) > 1 for h in hashes.values())
    if mixed:
        warnings.warn(f"{Path(path)}: {mixed} configurations (same scenario, parameters and seed) were run with "
                      "different scenario defaults or files (different scenario_hash), and load_sweep returns both "
                      "versions. Fix: sweep into a new out= folder, or delete the older runs", stacklevel=3)
    codes = {m.get("code_digest") for m in done}
    if len(codes) > 1:
        warnings.warn(f"{Path(path)}: the runs were made by {len(codes)} versions of the govsim code (code_digest in "
                      "their manifests), and load_sweep returns them together. Fix: re-run the sweep into a new "
                      "out= folder with one version", stacklevel=3)


def _read_many(files: list[str]) -> pd.DataFrame:
    import pyarrow.dataset as ds

    return ds.dataset(files, format="parquet").to_table().to_pandas()


def _with_params(data: pd.DataFrame, done: list[dict[str, Any]]) -> pd.DataFrame:
    """Insert one column per parameter after run_id/scenario/seed."""
    params = pd.DataFrame([{"run_id": m["run_id"], **m.get("params", {})} for m in done])
    params = params.drop(columns=[c for c in ("scenario", "seed") if c in params.columns])
    merged = data.merge(params, on="run_id", how="left", validate="many_to_one")
    front = ["run_id", "scenario", "seed", *[c for c in params.columns if c != "run_id"]]
    return merged[front + [c for c in merged.columns if c not in front]]
