"""The batch layout of the results store (``store.layout=batch``, and what ``auto``, the default,
chooses for a sweep that does not keep its countries tables): one file per table per batch of runs.

Large sweeps on shared cluster filesystems suffer from many small files (the run layout writes about
five per run). In this layout a batch (one job of a sweep) writes::

    <sweep>/batches/<batch id>/indices.parquet   the rows of every complete run of the batch
                               forums.parquet     (and countries.parquet with store.countries=true)
                               manifest.json      written LAST: one record per run (run_id, scenario,
                                                  scenario_hash, seed, params, status, error, timing),
                                                  each table's size and SHA-256, the scenarios, versions
                               .govsim-lock       held (filelock) by the process writing the batch

The batch id is a hash of the batch's run ids, so the same job of the same command (a retried
cluster task, a resumed sweep) finds its own folder again and rewrites its files atomically with the
runs it keeps plus the runs it adds; a run complete in any other batch or run folder is skipped.
The files are rewritten every ``FLUSH_SECONDS`` and at the end, so a killed batch loses at most that
much work. A batch whose files do not match its manifest is not trusted: its runs are redone.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from govsim.config.scenario import Scenario
from govsim.parquet import write_parquet
from govsim.runner import Results, atomic_write
from govsim import store

BATCHES = "batches"
FLUSH_SECONDS = 60.0  # at most this much of a batch's work is lost when it is killed
_SHARED = ("tables", "files", "versions", "git", "code_digest")  # batch-level fields every run record inherits
log = logging.getLogger("govsim")


def batch_id(run_ids: Iterable[str]) -> str:
    """The folder name of the batch of ``run_ids``: the same runs, the same batch."""
    return "b-" + hashlib.sha256("\n".join(sorted(run_ids)).encode()).hexdigest()[:16]


def batch_manifests(root: str | Path) -> list[tuple[Path, dict[str, Any]]]:
    """(folder, manifest) of every batch under ``root/batches`` that has a manifest, by folder name.

    A damaged manifest raises StoreError (one line naming the file).
    """
    found = []
    for file in sorted(Path(root).glob(f"{BATCHES}/*/{store.MANIFEST}")):
        manifest = store.read_manifest(file.parent)
        if manifest is not None:
            found.append((file.parent, manifest))
    return found


def run_records(root: str | Path) -> list[dict[str, Any]]:
    """One manifest-like record per run recorded in a batch: the run's fields, the batch's shared fields,
    ``folder`` (the batch folder) and ``batch`` (its id)."""
    return [record for folder, manifest in batch_manifests(root) for record in batch_records(folder, manifest)]


def batch_records(folder: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The run records of one batch folder's ``manifest`` (see :func:`run_records`)."""
    shared = {k: manifest[k] for k in _SHARED if k in manifest}
    return [{**shared, **run, "folder": str(folder), "batch": folder.name} for run in manifest.get("runs", [])]


def complete_in_batches(root: Path, wanted: dict[str, str], skip: str | None = None) -> dict[str, dict[str, Any]]:
    """The runs of ``wanted`` ({run_id: scenario hash}) recorded complete, with that hash, in a batch other
    than ``skip`` whose files match its manifest. A damaged batch is logged and its runs are redone."""
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(Path(root).glob(f"{BATCHES}/*/{store.MANIFEST}")):
        if file.parent.name == skip:
            continue
        try:
            manifest = store.read_manifest(file.parent) or {}
        except store.StoreError as exc:
            log.warning("%s: redoing its runs", exc)
            continue
        hits = {r["run_id"]: r for r in manifest.get("runs", []) if r.get("status") == "complete"
                and wanted.get(r.get("run_id")) == r.get("scenario_hash") and r["run_id"] not in found}
        problem = store.verify_run(file.parent, manifest) if hits else None
        if problem is not None:
            log.warning("batch %s does not verify (%s): redoing its runs", file.parent, problem)
            continue
        found.update({k: {**r, "code_digest": manifest.get("code_digest")} for k, r in hits.items()})
    return found


class BatchWriter:
    """A batch's runs, kept in memory and written to its folder (tables, then the manifest) now and then."""

    def __init__(self, folder: Path, tables: list[str]):
        self.folder, self.tables = Path(folder), list(tables)
        self.records: dict[str, dict[str, Any]] = {}
        self.frames: dict[str, list[pd.DataFrame]] = {name: [] for name in self.tables}
        self.scenarios: dict[str, Any] = {}
        self.kept = self._keep_previous()
        self.written, self.dirty = time.monotonic(), False

    def _keep_previous(self) -> dict[str, dict[str, Any]]:
        """The complete runs an earlier attempt of this batch stored (if its files verify and hold every table)."""
        try:
            previous = store.read_manifest(self.folder)
        except store.StoreError as exc:
            log.warning("%s: redoing the batch", exc)
            return {}
        if previous is None:
            return {}
        done = {r["run_id"]: r for r in previous.get("runs", []) if r.get("status") == "complete"}
        if done and not set(self.tables) <= set(previous.get("tables", [])):
            return {}  # this attempt keeps a table the earlier one did not write: redo its runs
        problem = store.verify_run(self.folder, previous, [f"{t}.parquet" for t in self.tables]) if done else None
        if problem is not None:
            log.warning("batch %s does not verify (%s): redoing its runs", self.folder, problem)
            return {}
        for name in self.tables if done else []:
            table = pd.read_parquet(self.folder / f"{name}.parquet")
            self.frames[name].append(table[table["run_id"].isin(list(done))])
        self.records.update(done)
        self.scenarios.update(previous.get("scenarios", {}))
        return {k: {**r, "code_digest": previous.get("code_digest")} for k, r in done.items()}

    def add(self, record: dict[str, Any], results: Results | None, scenario: Scenario | None) -> bool:
        """Record one run (its tables if it completed); write the batch (and say so) if ``FLUSH_SECONDS`` have passed."""
        self.records[record["run_id"]] = record
        if results is not None:
            for name in self.tables:
                self.frames[name].append(store.with_run_id(getattr(results, name), record["run_id"]))
        if scenario is not None:
            self.scenarios.setdefault(record["scenario_hash"], scenario.model_dump(mode="json"))
        self.dirty = True
        if time.monotonic() - self.written < FLUSH_SECONDS:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        """Write the tables atomically, then the manifest that lists them (nothing if nothing changed)."""
        if not self.dirty:
            return
        files = {}
        for name in self.tables:
            frames = [f for f in self.frames[name] if len(f)]
            if not frames:
                continue
            table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            path = self.folder / f"{name}.parquet"
            atomic_write(path, lambda tmp, t=table: write_parquet(t, tmp))
            files[path.name] = store.file_record(path)
            self.frames[name] = [table]
        manifest = {"layout": "batch", "batch": self.folder.name, "tables": self.tables, "files": files,
                    "runs": list(self.records.values()), "scenarios": self.scenarios}
        store.write_manifest(self.folder, manifest)
        self.written, self.dirty = time.monotonic(), False
