"""A one-node SLURM cluster started on 127.0.0.1 for the cluster tests (issue 14, item 6).

The ``cluster`` fixture (module scope: the daemons start once per test module that uses it) writes
slurm.conf and cgroup.conf into a temporary folder (no cgroups: proctrack/linuxproc, task/none; no
accounting: accounting_storage/none, as on many small clusters; one node with this machine's CPUs and
memory; state, spool and logs in the folder), starts munged with a key generated there, slurmctld and
slurmd in the foreground on free ports, waits for ``sinfo`` to show the node idle, and stops all three
(after cancelling every job) even when a test fails. ``Cluster.env`` reaches it (SLURM_CONF). Used by
tests/test_cluster_slurm.py (hydra/launcher=slurm) and tests/test_cluster_jobqueue.py (dask-jobqueue).
Without SLURM the fixture skips, or fails under GOVSIM_REQUIRE_CLUSTER=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

DAEMONS = ("munged", "slurmctld", "slurmd", "sinfo", "sbatch", "squeue", "scancel")
INSTALL = "as root: make cluster-tools (apt-get install slurm-wlm munge)"


def _unavailable() -> str | None:
    missing = [d for d in DAEMONS if not shutil.which(d, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]
    if missing:
        return f"SLURM is not installed (missing {', '.join(missing)}). Fix: {INSTALL}"
    if os.geteuid() != 0:
        return "the one-node SLURM cluster needs root (slurmd starts jobs as their user). Fix: run as root"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _conf(folder: Path, cpus: int, memory_mb: int) -> str:
    host = socket.gethostname().split(".")[0]
    return f"""ClusterName=govsimtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={folder}/munge/socket,cred_expire=10
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/log/slurmctld.log
SlurmdLogFile={folder}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=5
MpiDefault=none
MailProg=/bin/true
NodeName=govsim-node NodeAddr=127.0.0.1 NodeHostname={host} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=debug Nodes=govsim-node Default=YES MaxTime=INFINITE State=UP
"""


def _memory_mb() -> int:
    """The node's memory for slurm.conf: memory is not a consumable here (CR_CPU), SLURM only checks a job's
    request against it, so a small CI machine is declared with at least 8 GiB (the preset asks 4 GB per task)."""
    return max(8192, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20 - 512)


class Cluster:
    """The daemons of a one-node cluster and the environment that reaches it (SLURM_CONF)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.procs = folder, []
        self.env = {**os.environ, "SLURM_CONF": str(folder / "slurm.conf"),
                    "PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin"}

    def start(self) -> None:
        f = self.folder
        for sub in ("munge", "state", "spool", "log"):
            (f / sub).mkdir(mode=0o700)
        (f / "munge" / "munge.key").write_bytes(os.urandom(128))
        (f / "munge" / "munge.key").chmod(0o400)
        self.cpus = os.cpu_count() or 1
        (f / "slurm.conf").write_text(_conf(f, self.cpus, _memory_mb()))
        (f / "cgroup.conf").write_text("# no cgroups: proctrack/linuxproc and task/none in slurm.conf\n")
        m = f / "munge"
        self._spawn("munged", "--foreground", "--force", f"--key-file={m}/munge.key", f"--socket={m}/socket",
                    f"--pid-file={m}/munged.pid", f"--log-file={m}/munged.log", f"--seed-file={m}/seed")
        self._wait(lambda: (m / "socket").exists(), "munged to open its socket")
        self._spawn("slurmctld", "-D", "-i")
        self._spawn("slurmd", "-D", "-N", "govsim-node")
        self._wait(lambda: self.run("sinfo", "-h", "-o", "%T").stdout.strip() == "idle", "the node to be idle in sinfo")

    def _spawn(self, *command: str) -> None:
        with open(self.folder / "log" / f"{command[0]}.out", "wb") as log:  # the daemon keeps its own copy
            self.procs.append(subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def _wait(self, ready, what: str, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while not ready():
            dead = [p.args[0] for p in self.procs if p.poll() is not None]
            if dead or time.time() > deadline:
                logs = "\n".join(p.read_text()[-1500:] for p in sorted((self.folder / "log").iterdir()))
                raise RuntimeError(f"waiting for {what}: {dead or 'timed out'}\n{logs}")
            time.sleep(0.3)

    def run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        """Cancel every job, wait (bounded) for the queue to drain, then stop the daemons, slurmd first."""
        if self.procs and self.procs[-1].poll() is None:
            self.run("scancel", "--full", "--partition=debug")
            try:
                self._wait(lambda: not self.run("squeue", "-h").stdout.strip(), "the queue to drain", 20)
            except RuntimeError:
                pass
        for proc in reversed(self.procs):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = _unavailable()
    if reason:
        if os.environ.get("GOVSIM_REQUIRE_CLUSTER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    c = Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        c.start()
        yield c
    finally:
        c.stop()


def sweep(cluster: Cluster, *args: str, timeout: float = 150) -> subprocess.CompletedProcess:
    """``govsim run -m ...`` as a researcher types it, reaching the cluster through SLURM_CONF."""
    command = [sys.executable, "-m", "govsim", "run", "-m", *args]
    return subprocess.run(command, env=cluster.env, capture_output=True, text=True, timeout=timeout)
