"""Output folders: checks made before anything is written, and the reports jobs leave for the driver.

- :func:`check_writable`: the output folder can be created and written, else one clear line.
- :func:`check_single_run_folder`: a single run writes its files straight into its folder, so the
  folder must be new, empty, or a govsim run folder; never someone's folder of other files.
- :func:`write_job_report` / :func:`read_job_reports`: each job of a sweep writes which runs it
  was given, which were being written by another process and which failed without a record, in
  its folder: ``<sweep>/jobs/<n>/govsim-launch-<token>.json``. The driver reads the reports of
  its own invocation (its ``token``) to compare the runs found with the runs launched, then
  deletes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govsim.runner import TMP_PREFIX, atomic_write, new_temporary
from govsim.store import LOCK, MANIFEST, StoreError

# Everything a single run (and Hydra, for it) writes into its folder.
RUN_FILES = {MANIFEST, LOCK, "indices.parquet", "forums.parquet", "countries.parquet", "scenario.json",
             "headlines.png", "summary.txt", "govsim.log", ".hydra"}


def check_writable(folder: Path, option: str = "out") -> None:
    """Create ``folder`` and write a probe file in it; StoreError (one line) if that fails."""
    folder = Path(folder).absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        new_temporary(folder / "probe").unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError(f"{option}={folder}: cannot write there ({reason}). Fix: choose a folder you can write, "
                         f"e.g. {option}=$HOME/govsim-runs, or make {folder} writable") from None


def check_single_run_folder(folder: Path, option: str = "out") -> None:
    """StoreError unless ``folder`` is absent, empty, or holds a govsim run (a manifest, or only run files)."""
    folder = Path(folder)
    if not folder.is_dir() or (folder / MANIFEST).is_file():
        return
    others = sorted(p.name for p in folder.iterdir() if p.name not in RUN_FILES and not p.name.startswith(TMP_PREFIX))
    if others:
        shown = ", ".join(repr(n[:40]) for n in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise StoreError(f"{option}={folder}: the folder is not empty and is not a govsim run folder (it holds {shown}); "
                         "a run would mix its files with yours. "
                         f"Fix: give {option}= a new or empty folder, e.g. {option}={folder / 'govsim-run'}")


def _report_name(token: str) -> str:
    return f"govsim-launch-{token}.json"


def write_job_report(job_dir: Path, token: str, report: dict[str, Any]) -> None:
    """Record in the job's own folder (Hydra's ``jobs/<n>``, or the root of a one-job batch) what
    the job of invocation ``token`` did: its run ids, the busy ones, its unrecorded failures."""
    atomic_write(Path(job_dir) / _report_name(token), lambda tmp: Path(tmp).write_text(json.dumps(report, indent=1)))


def _report_paths(root: Path, token: str) -> list[Path]:
    return sorted([*Path(root).glob(_report_name(token)), *Path(root).glob(f"jobs/*/{_report_name(token)}")])


def read_job_reports(root: Path, token: str) -> list[dict[str, Any]]:
    """The reports of invocation ``token``'s jobs; a damaged report counts as missing."""
    found = []
    for path in _report_paths(root, token):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return found


def remove_job_reports(root: Path, token: str) -> None:
    """Delete invocation ``token``'s own reports once read (they are only the driver's bookkeeping)."""
    for path in _report_paths(root, token):
        path.unlink(missing_ok=True)
