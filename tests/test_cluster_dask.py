"""A sweep on a real Dask cluster on 127.0.0.1 through the real command line (hydra/launcher=dask).

A ``dask scheduler`` and two ``dask worker`` processes (separate processes and working folders, one
thread each) run ``govsim run -m``; one worker is killed (SIGKILL) while it runs a batch. Every run
must be stored once, with the same tables as the same sweep on the joblib launcher. The cluster
tests are marked ``cluster`` (``make test-cluster``); without ``distributed`` they skip with the install
command, or fail under GOVSIM_REQUIRE_CLUSTER=1 (CI). The last test (no cluster) runs in ``make test``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim import store

INSTALL = "pip install -e '.[dask]' (or make cluster-tools)"
SEEDS, PER_JOB = 120, 8  # 15 batches: a sweep of several seconds on two workers


def _need_distributed():
    try:
        import distributed
    except ImportError:
        if os.environ.get("GOVSIM_REQUIRE_CLUSTER") == "1":
            pytest.fail(f"distributed is not installed and GOVSIM_REQUIRE_CLUSTER=1. Fix: {INSTALL}")
        pytest.skip(f"distributed is not installed: {INSTALL}")
    return distributed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(args: list[str], folder: Path, procs: list[subprocess.Popen]) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / "process.log", "wb")  # noqa: SIM115 -- closed with the process in the finaliser
    proc = subprocess.Popen(args, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    procs.append(proc)
    return proc


@pytest.fixture
def dask_cluster(tmp_path):
    """A scheduler and two workers (no nanny: killing a worker kills it for good); yields (address, workers)."""
    _need_distributed()
    dask = str(Path(sys.executable).parent / "dask")
    port, procs = _free_port(), []
    address = f"tcp://127.0.0.1:{port}"
    try:
        _start([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
               tmp_path / "scheduler", procs)
        workers = [_start([dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                           "--name", name, "--local-directory", str(tmp_path / name)], tmp_path / name, procs)
                   for name in ("worker-a", "worker-b")]
        _wait_for_workers(address, 2, tmp_path)
        yield address, workers, procs[0]
    finally:
        for proc in procs:  # only the processes this fixture started, by their process group
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for_workers(address: str, n: int, tmp_path: Path) -> None:
    from distributed import Client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout=5) as client:
                client.wait_for_workers(n, timeout=max(1, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            time.sleep(0.5)
    logs = "\n".join(p.read_text()[-500:] for p in tmp_path.glob("*/process.log"))
    raise AssertionError(f"the Dask cluster did not start with {n} workers:\n{logs}")


def _sweep(tmp_path: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "govsim", "run", "-m", f"seed=range(0,{SEEDS})", f"seeds_per_job={PER_JOB}",
            f"out={out}", *extra]


def _busy_worker(address: str) -> str | None:
    """The name of a worker processing a task right now (None if none is)."""
    from distributed import Client

    with Client(address, timeout=5) as client:
        names = {w: info.get("name") for w, info in client.scheduler_info()["workers"].items()}
        busy = [names[w] for w, tasks in client.processing().items() if tasks]
    return busy[0] if busy else None


def _complete(folder: Path) -> list[dict]:
    return [m for m in store.manifests(folder) if m.get("status") == "complete"] if folder.exists() else []


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory) -> Path:
    """The same sweep on the joblib launcher (the default layout): the reference the Dask sweeps must equal."""
    _need_distributed()
    folder = tmp_path_factory.mktemp("joblib")
    done = subprocess.run(_sweep(folder, folder / "sweep", "hydra/launcher=joblib"), cwd=folder, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and f"{SEEDS} runs complete" in done.stdout, done.stderr[-2000:]
    return folder / "sweep"


def _stored_copies(out: Path) -> list[str]:
    """The run id of every complete copy on disk: one per run folder, one per record in a batch manifest."""
    ids = [json.loads(f.read_text())["run_id"] for f in out.glob("runs/*/manifest.json")]
    for file in out.glob("batches/*/manifest.json"):
        ids += [r["run_id"] for r in json.loads(file.read_text())["runs"] if r["status"] == "complete"]
    return ids


@pytest.mark.cluster
@pytest.mark.parametrize("layout", ["run", "batch"])
def test_dask_sweep_survives_a_killed_worker_and_matches_joblib(dask_cluster, joblib_sweep, tmp_path, layout):
    address, workers, _ = dask_cluster
    out = tmp_path / "dask-sweep"
    started = time.monotonic()
    sweep = subprocess.Popen(_sweep(tmp_path, out, "hydra/launcher=dask", f"hydra.launcher.address={address}",
                                    f"store.layout={layout}"),
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and sweep.poll() is None:
            time.sleep(0.2)
            if len(_complete(out)) >= 2 * PER_JOB:  # both workers well into the sweep
                victim = _busy_worker(address)
        assert victim is not None, "no worker was busy mid-sweep"
        stored_before_kill = len(_complete(out))
        os.kill(workers[["worker-a", "worker-b"].index(victim)].pid, signal.SIGKILL)
        stdout, stderr = sweep.communicate(timeout=240)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait()
    elapsed = time.monotonic() - started
    assert stored_before_kill < SEEDS, "the worker was killed after the sweep had finished"
    assert sweep.returncode == 0, stderr[-2000:]
    assert f"sweep {out}: {SEEDS} runs complete, 0 failed" in stdout
    done = _complete(out)
    assert sorted(m["seed"] for m in done) == list(range(SEEDS)), "a run is missing or was stored twice"
    copies = _stored_copies(out)
    assert sorted(copies) == sorted(m["run_id"] for m in done), "a run was stored twice"
    assert (out / "batches").exists() == (layout == "batch") and (out / "runs").exists() == (layout == "run")
    for table in ("indices", "forums"):
        got, want = (govsim.load_sweep(folder, table).sort_values(["run_id", "step"], kind="stable")
                     .reset_index(drop=True) for folder in (out, joblib_sweep))
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    files = sum(1 for p in out.rglob("*") if p.is_file() and "jobs" not in p.relative_to(out).parts[:1])
    print(f"\ndask sweep, {layout} layout: {SEEDS} runs, a worker killed after {stored_before_kill} stored, "
          f"{elapsed:.1f} s, {files} store files")


@pytest.mark.cluster
def test_unreachable_scheduler_is_one_line_and_exit_2(tmp_path):
    _need_distributed()
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    done = subprocess.run(_sweep(tmp_path, tmp_path / "sw", "hydra/launcher=dask", f"hydra.launcher.address={address}",
                                 "hydra.launcher.connect_timeout_s=2"),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"govsim run: cannot reach the Dask scheduler at {address}") and "Fix:" in lines[0]


@pytest.mark.cluster
def test_scheduler_lost_mid_sweep_is_one_line_and_exit_2(dask_cluster, tmp_path):
    address, _, scheduler = dask_cluster
    out = tmp_path / "sw"
    sweep = subprocess.Popen(_sweep(tmp_path, out, "hydra/launcher=dask", f"hydra.launcher.address={address}",
                                    "hydra.launcher.connect_timeout_s=3"),
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not _complete(out) and time.monotonic() < deadline and sweep.poll() is None:
            time.sleep(0.2)
        os.kill(scheduler.pid, signal.SIGKILL)
        stdout, stderr = sweep.communicate(timeout=120)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait()
    assert sweep.returncode == 2, stderr[-2000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stdout + stderr, stderr[-2000:]
    assert lines[0].startswith(f"govsim run: the Dask scheduler at {address} failed during the sweep") and "Fix:" in lines[0]


def test_without_distributed_the_dask_launcher_says_how_to_install_it(tmp_path):
    """Not a cluster test: the plugin is found in every install, and without the extra it says what to install."""
    fake = tmp_path / "fake" / "distributed"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'distributed'\")\n")
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    done = subprocess.run([sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,2)", "hydra/launcher=dask",
                           "out=sw"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "needs the dask extra" in lines[0] and "pip install" in lines[0]


@pytest.mark.cluster
def test_without_an_address_a_local_cluster_runs_the_sweep(joblib_sweep, tmp_path):
    _need_distributed()
    done = subprocess.run([sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,16)", f"seeds_per_job={PER_JOB}",
                           "hydra/launcher=dask", "hydra.launcher.n_workers=2", f"out={tmp_path / 'sw'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "16 runs complete, 0 failed" in done.stdout, done.stderr[-2000:]
    assert "a local cluster of 2 workers" in done.stdout + done.stderr
    got = govsim.load_sweep(tmp_path / "sw")
    want = govsim.load_sweep(joblib_sweep)
    pd.testing.assert_frame_equal(got, want[want.seed < 16].reset_index(drop=True), check_exact=True)
