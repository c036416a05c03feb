"""Submit each Hydra job to a Dask client (modelled on hydra-joblib-launcher's ``_core.py``).

One Dask task = one Hydra job = one batch of runs (``govsim.batch``) writing into the sweep's
absolute results store. Dask re-runs the task of a worker that died on another worker; the batch
then skips the runs already stored, so a retry never stores a run twice. Cluster trouble becomes
one line on stderr: an unreachable or failed scheduler exits 2; a job lost for good (its workers
kept dying) is named, and the driver's sweep report counts its runs as missing (exit 1).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import uuid
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any, Sequence

from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, run_job, setup_globals
from omegaconf import open_dict

log = logging.getLogger(__name__)
_ONE_JOB_AT_A_TIME = threading.Lock()  # Hydra's config is process-global: a worker with several threads runs jobs in turn
INSTALL = "pip install 'govsim[dask]' (in a checkout: pip install -e '.[dask]')"


def execute_job(idx: int, overrides: Sequence[str], hydra_context, config, task_function,
                singleton_state: dict[Any, Any]) -> JobReturn:
    """Run Hydra job ``idx`` in this worker process (as joblib's launcher does in a loky worker)."""
    with _ONE_JOB_AT_A_TIME:
        setup_globals()
        Singleton.set_state(singleton_state)
        sweep_config = hydra_context.config_loader.load_sweep_config(config, list(overrides))
        with open_dict(sweep_config):
            sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
            sweep_config.hydra.job.num = idx
        HydraConfig.instance().set_config(sweep_config)
        return run_job(hydra_context=hydra_context, config=sweep_config, task_function=task_function,
                       job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")


def launch(launcher, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
    """Submit every job, wait for all of them, and return their ``JobReturn`` in order."""
    setup_globals()
    configure_log(launcher.config.hydra.hydra_logging, launcher.config.hydra.verbose)
    sweep_dir = Path(str(launcher.config.hydra.sweep.dir))
    sweep_dir.mkdir(parents=True, exist_ok=True)
    client, cluster = _connect(launcher)
    where = launcher.address or f"a local cluster of {len(cluster.workers)} workers"
    try:
        log.info("Dask: launching %d jobs on %s, sweep output dir: %s", len(job_overrides), where, sweep_dir)
        state, tag = Singleton.get_state(), uuid.uuid4().hex[:8]
        futures = []
        for offset, overrides in enumerate(job_overrides):
            idx = initial_job_idx + offset
            log.info("\t#%d : %s", idx, " ".join(filter_overrides(overrides)))
            futures.append(client.submit(execute_job, idx, overrides, launcher.hydra_context, launcher.config,
                                         launcher.task_function, state, key=f"govsim-job-{idx}-{tag}",
                                         pure=False, retries=launcher.retries))
        return [_result(future, client, where, overrides) for future, overrides in zip(futures, job_overrides)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(launcher):
    """A client of the scheduler at ``launcher.address``, or of a new local cluster (then also returned)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        _fail(f"hydra/launcher=dask needs the dask extra (distributed is not installed). Fix: {INSTALL}")
    _quiet_distributed()
    if launcher.address:
        try:
            return Client(launcher.address, timeout=launcher.connect_timeout_s), None
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            _fail(f"cannot reach the Dask scheduler at {str(launcher.address)[:100]} ({_reason(exc)}). Fix: start it "
                  "(dask scheduler) or set hydra.launcher.address=tcp://HOST:PORT to a running one")
    workers = launcher.n_workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def _quiet_distributed() -> None:
    """Silence the client's logs (set after distributed's import, which sets its own levels): under Hydra's
    root log its connection chatter and tracebacks would bury the one line this launcher prints per problem."""
    for name in ["distributed", *logging.root.manager.loggerDict]:
        if name.startswith("distributed"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _result(future, client, where: str, overrides: Sequence[str]) -> JobReturn:
    """The job's ``JobReturn``; a job lost for good is named on stderr and returned as done without a value
    (the sweep report then counts its runs as missing); a lost scheduler ends the sweep with exit 2."""
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    try:
        return future.result()
    except KilledWorker as exc:
        print(f"govsim run: a job ({' '.join(filter_overrides(overrides))[:120]}) was lost: {_reason(exc)}. "
              "Its stored runs are kept. Fix: re-run the same command to finish it", file=sys.stderr)
    except (CancelledError, OSError, TimeoutError) as exc:
        # the client's link to the scheduler closed (it may not have noticed yet): the scheduler is lost
        lost_link = isinstance(exc, CommClosedError) or "connection-lost" in str(getattr(exc, "reason", exc))
        if client.status != "running" or lost_link:
            _fail(f"the Dask scheduler at {where[:100]} failed during the sweep ({_reason(exc)}); the runs stored so "
                  "far are kept. Fix: restart the scheduler and re-run the same command, which skips them")
        print(f"govsim run: a job was cancelled on the cluster ({_reason(exc)}). Fix: re-run the same command",
              file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 -- a job that raised even after its retries
        print(f"govsim run: a job failed on the cluster: {_reason(exc)}. Fix: see the job's log under "
              "jobs/<n>/govsim.log, then re-run the same command", file=sys.stderr)
    lost = JobReturn(overrides=list(overrides), status=JobStatus.COMPLETED)
    lost.return_value = None
    return lost


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text[:160]}"


def _fail(message: str):
    """One line on stderr and exit 2 (Hydra lets SystemExit through; ``govsim run`` returns its code)."""
    print(f"govsim run: {message}", file=sys.stderr)
    raise SystemExit(2)
