"""Sweeps on a real one-node SLURM cluster started here on 127.0.0.1 (issue 14, item 6).

The module's ``cluster`` fixture (tests/cluster_slurm.py) starts munged, slurmctld and slurmd on
127.0.0.1 and stops them (after cancelling every job) even when a test fails. The tests drive
``govsim run -m ... hydra/launcher=slurm`` as a researcher would. ``make test-cluster`` runs them
(as root: ``make cluster-tools`` installs slurm-wlm and munge); without SLURM they skip, or fail
under GOVSIM_REQUIRE_CLUSTER=1 (CI).
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cluster_slurm import cluster, sweep  # noqa: F401 -- cluster: the module-scoped fixture

import govsim
from govsim import store
from govsim.cli import sizing

pytestmark = pytest.mark.cluster


def tasks(out: Path) -> list[str]:
    """The SLURM task ids submitit kept logs for under the sweep's folder."""
    return sorted(p.name for p in (out / ".submitit").iterdir() if re.fullmatch(r"\d+_\d+", p.name))


def test_a_sweep_on_slurm_equals_the_same_sweep_run_here(cluster, tmp_path):
    args = ["seed=range(0,8)", "time.steps=12"]
    on_slurm = sweep(cluster, *args, "hydra/launcher=slurm", f"out={tmp_path / 'slurm'}")
    assert on_slurm.returncode == 0, on_slurm.stderr[-3000:]
    assert "8 runs complete, 0 failed" in on_slurm.stdout
    per_task = sizing.seeds_per_job(8, slots=cluster.cpus)  # batches sized from the cluster's CPUs (sinfo)
    assert len(tasks(tmp_path / "slurm")) == math.ceil(8 / per_task)
    here = sweep(cluster, *args, f"out={tmp_path / 'basic'}")
    assert here.returncode == 0, here.stderr[-3000:]
    key = ["seed", "step"]
    slurm_df = govsim.load_sweep(tmp_path / "slurm").sort_values(key).reset_index(drop=True)
    basic_df = govsim.load_sweep(tmp_path / "basic").sort_values(key).reset_index(drop=True)
    assert sorted(slurm_df.seed.unique()) == list(range(8))
    pd.testing.assert_frame_equal(slurm_df, basic_df)


def test_a_killed_task_is_reported_missing_without_a_hang_and_resumed(cluster, tmp_path):
    out = tmp_path / "sw"
    args = ["seed=range(0,100)", "seeds_per_job=50", "store.layout=run", f"out={out}"]  # each run stored when done
    command = [sys.executable, "-m", "govsim", "run", "-m", *args, "hydra/launcher=slurm"]
    driver = subprocess.Popen(command, env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_first_task(out, driver)
        first = [t for t in cluster.run("squeue", "-h", "-t", "RUNNING", "-o", "%i").stdout.split() if t.endswith("_0")]
        assert len(first) == 1, first
        _kill_task(first[0])  # SIGKILL, as the OOM killer or a lost node would
        stdout, stderr = driver.communicate(timeout=150)  # no hang: the driver sees the task end
    finally:
        driver.kill()
    assert driver.returncode == 1, stdout[-2000:] + stderr[-3000:]
    assert f"SLURM task {first[0]} ended without finishing (state " in stderr
    complete = {m["run_id"]: m for m in store.manifests(out) if m.get("status") == "complete"}
    assert 50 <= len(complete) < 100 and "missing" in stdout and "Fix: re-run the same command" in stderr
    stamps = {run: (Path(m["folder"]) / store.MANIFEST).stat().st_mtime_ns for run, m in complete.items()}
    again = sweep(cluster, *args, "hydra/launcher=slurm")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "100 runs complete, 0 failed" in again.stdout
    after = {m["run_id"]: m for m in store.manifests(out)}
    assert all((Path(after[r]["folder"]) / store.MANIFEST).stat().st_mtime_ns == t for r, t in stamps.items())
    assert sorted(govsim.load_sweep(out).seed.unique()) == list(range(100))


def _kill_task(task: str) -> None:
    """SIGKILL the Python process(es) of SLURM array task ``task`` (``<array job>_<index>``)."""
    job, index = task.split("_")
    wanted = {f"SLURM_ARRAY_JOB_ID={job}".encode(), f"SLURM_ARRAY_TASK_ID={index}".encode()}
    killed = 0
    for proc in Path("/proc").iterdir():
        try:
            if b"submitit" in (proc / "cmdline").read_bytes() and wanted <= set((proc / "environ").read_bytes().split(b"\0")):
                os.kill(int(proc.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    assert killed, f"no process of task {task} found"


def _wait_for_first_task(out: Path, driver: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until the first task (seeds 0-49) has stored a run: it is running, part way through its batch."""
    deadline = time.time() + timeout
    while time.time() < deadline and driver.poll() is None:
        if out.exists() and any(m.get("status") == "complete" and m["seed"] < 50 for m in store.manifests(out)):
            return
        time.sleep(0.1)
    raise AssertionError(f"no run of the first task complete in {out} after {timeout} s (driver exit {driver.poll()})")


def test_a_task_signalled_before_its_time_limit_is_requeued_and_skips_its_stored_runs(cluster, tmp_path):
    out = tmp_path / "sw"
    command = [sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,100)", "seeds_per_job=50", f"out={out}",
               "store.layout=run", "hydra/launcher=slurm", "hydra.launcher.timeout_min=1", "hydra.launcher.signal_delay_s=10"]
    # submitit counts a USR2 to a task this short as a timeout (against max_num_timeout)
    driver = subprocess.Popen(command, env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_first_task(out, driver)
        first = [t for t in cluster.run("squeue", "-h", "-t", "RUNNING", "-o", "%i").stdout.split() if t.endswith("_0")]
        assert len(first) == 1, first
        early = {m["run_id"]: (Path(m["folder"]) / store.MANIFEST).stat().st_mtime_ns
                 for m in store.manifests(out) if m.get("status") == "complete"}
        # what SLURM sends signal_delay_s before timeout_min (submitit's own test hook, Job._interrupt(timeout=True))
        assert cluster.run("scancel", "--signal=USR2", first[0]).returncode == 0
        stdout, stderr = driver.communicate(timeout=150)
    finally:
        driver.kill()
    assert driver.returncode == 0, stdout[-2000:] + stderr[-3000:]
    assert "100 runs complete, 0 failed" in stdout
    log = "".join(p.read_text() for p in (out / ".submitit" / first[0]).glob("*.err"))
    assert "this job is timed-out" in log and "DUE TO JOB REQUEUE" in log, log[-2000:]
    after = {m["run_id"]: m for m in store.manifests(out)}
    assert all((Path(after[r]["folder"]) / store.MANIFEST).stat().st_mtime_ns == t for r, t in early.items())
