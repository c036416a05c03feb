"""The Hydra ``Launcher`` class: keeps the settings, hands the jobs to :func:`._core.launch`."""

from typing import Optional, Sequence

from hydra.core.utils import JobReturn
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from .config import DaskLauncherConf  # noqa: F401 -- registers hydra/launcher=govsim_dask


class DaskLauncher(Launcher):
    """Launch Hydra jobs as Dask tasks on a running scheduler, or on a local cluster when no address is given."""

    def __init__(self, address: Optional[str] = None, n_workers: Optional[int] = None,
                 connect_timeout_s: float = 20.0, retries: int = 1) -> None:
        self.address, self.n_workers = address, n_workers
        self.connect_timeout_s, self.retries = float(connect_timeout_s), int(retries)
        self.config: Optional[DictConfig] = None
        self.task_function: Optional[TaskFunction] = None
        self.hydra_context: Optional[HydraContext] = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config, self.task_function, self.hydra_context = config, task_function, hydra_context

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        from . import _core

        return _core.launch(self, job_overrides, initial_job_idx)
