"""The SLURM launcher's submit-and-wait: Hydra's submitit launcher, with a wait that ends when a task dies.

submitit learns a task's state from ``sacct``. On a cluster without SLURM accounting (no
slurmdbd: ``AccountingStorageType=accounting_storage/none``), ``sacct`` fails, every state reads
UNKNOWN, and the driver waits forever for a task that was cancelled, killed or timed out (it
only notices tasks that leave a result file). This launcher asks ``sacct`` first and falls back to
``squeue --states=all``, which every cluster answers: a task that squeue reports finished (or no
longer knows) is over. A task that ended without a result is one line on stderr, not a traceback;
the runs it did not store are then counted as missing by ``govsim run``'s report, and re-running
the same command resumes them (runs already complete are skipped).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from omegaconf import OmegaConf
from submitit.slurm.slurm import SlurmInfoWatcher

log = logging.getLogger(__name__)
RESULT_GRACE_S = 15  # a finished task's result file may reach a shared filesystem's clients late (submitit's 15 s)
KILLED = ("CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "PREEMPTED")  # no result coming
UNFINISHED = ("READY", "PENDING", "RUNNING", "UNKNOWN", "REQUEUED", "COMPLETING", "PREEMPTED", "CONFIGURING",
              "RESIZING", "SUSPENDED", "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT")


class SqueueWatcher(SlurmInfoWatcher):
    """submitit's sacct watcher, answered by ``squeue --states=all`` when sacct fails.

    squeue keeps a finished job for MinJobAge (300 s by default); a registered task it no longer
    lists is reported GONE (over). If squeue itself fails (controller unreachable), states stay
    as they were, so a passing outage never ends a running task.
    """

    def __init__(self, delay_s: int = 60) -> None:
        super().__init__(delay_s=delay_s)
        self.accounting: bool | None = None  # None: not tried yet

    def is_done(self, job_id: str, mode: str = "standard") -> bool:
        return self.get_state(job_id, mode=mode).upper() not in UNFINISHED

    def update(self) -> None:
        command = self._make_command()
        if command is None:
            return
        self._num_calls += 1
        info = self._sacct(command) if self.accounting is not False else None
        if info is None:
            info = self._squeue(sorted({j.split("_")[0] for j in self._registered - self._finished}))
        self._info_dict.update(info)
        self._last_status_check = time.time()
        for job_id in self._registered - self._finished:
            if self.is_done(job_id, mode="cache"):
                self._finished.add(job_id)

    def _sacct(self, command: list[str]) -> dict[str, dict[str, str]] | None:
        try:
            output = subprocess.run(command, capture_output=True, check=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            if self.accounting is None:
                log.info("sacct does not answer (%s); task states come from squeue", _first_line(exc))
            self.accounting = False
            return None
        self.accounting = True
        return self.read_info(output)

    def _squeue(self, main_ids: list[str]) -> dict[str, dict[str, str]]:
        command = ["squeue", "--noheader", "--states=all", "--format=%i|%T", "--jobs=" + ",".join(main_ids)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode and "Invalid job id" not in result.stderr:
            log.warning("squeue failed (%s); task states unchanged", _first_line(result.stderr))
            return {}
        info = self.read_info("JobID|State\n" + (result.stdout if not result.returncode else ""))
        gone = {j: {"JobID": j, "State": "GONE"} for j in self._registered - self._finished
                if j.split("_")[0] in main_ids and j not in info}
        return {**info, **gone}


def _first_line(error: Any) -> str:
    """The first line of an error (a failed command's stderr if it has one), shortened."""
    text = getattr(error, "stderr", None) or error
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return (text.strip().splitlines() or [""])[0][:200]


def launch(launcher, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
    """Submit one array task per Hydra job and wait for every task to finish or die (``launcher``:
    the submitit SLURM launcher being run, see hydra_plugins/govsim_launcher/slurm.py)."""
    import submitit

    assert launcher.config is not None
    params = dict(launcher.params)
    executor = submitit.AutoExecutor(cluster="slurm", folder=params.pop("submitit_folder"),
                                     slurm_max_num_timeout=params.pop("max_num_timeout"))
    generic = set(OmegaConf.structured(BaseQueueConf).keys())
    executor.update_parameters(**{k if k in generic else f"slurm_{k}": v for k, v in params.items()})
    Path(str(launcher.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
    job_params = []
    for idx, overrides in enumerate(job_overrides, start=initial_job_idx):
        log.info(f"\t#{idx} : {' '.join(filter_overrides(overrides))}")
        job_params.append((list(overrides), "hydra.sweep.dir", idx, f"job_id_for_{idx}", Singleton.get_state()))
    jobs = executor.map_array(launcher, *zip(*job_params))
    watcher = SqueueWatcher()
    for job in jobs:
        watcher.register_job(job.job_id)
    return [_outcome(job, overrides, watcher) for job, overrides in zip(jobs, job_overrides)]


def _outcome(job, overrides: Sequence[str], watcher: SqueueWatcher) -> JobReturn:
    """The task's JobReturn once it is over; a task that died without a result is one line on stderr."""
    while not job.paths.result_pickle.exists() and not watcher.is_done(job.job_id):
        time.sleep(1)
    state = watcher.get_state(job.job_id, mode="cache")
    deadline = time.time() + (0 if state.split()[0].upper() in KILLED else RESULT_GRACE_S)
    while not job.paths.result_pickle.exists() and time.time() < deadline:
        time.sleep(1)
    if job.paths.result_pickle.exists():
        return job.results()[0]
    print(f"govsim run: SLURM task {job.job_id} ended without finishing (state {state}); its unstored runs are "
          f"counted below. Its log: {job.paths.stderr}", file=sys.stderr)
    return JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED, _return_value=None)
