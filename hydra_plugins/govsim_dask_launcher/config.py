"""The launcher's settings, registered with Hydra as ``hydra/launcher=govsim_dask``."""

from dataclasses import dataclass
from typing import Optional

from hydra.core.config_store import ConfigStore


@dataclass
class DaskLauncherConf:
    _target_: str = "hydra_plugins.govsim_dask_launcher.dask_launcher.DaskLauncher"
    # The scheduler, e.g. tcp://host:8786 (`dask scheduler`, or a dask-jobqueue cluster's address).
    # null: start a local cluster on this machine for the sweep and stop it afterwards.
    address: Optional[str] = None
    # Local cluster only: worker processes (null: one per core), one thread each.
    n_workers: Optional[int] = None
    # Seconds to wait for the scheduler before giving up with one line (exit 2).
    connect_timeout_s: float = 20.0
    # Times a job that raised is submitted again (a worker that died is Dask's business:
    # its task goes to another worker, up to distributed.scheduler.allowed-failures times).
    retries: int = 1


ConfigStore.instance().store(group="hydra/launcher", name="govsim_dask", node=DaskLauncherConf,
                             provider="govsim_dask_launcher")
