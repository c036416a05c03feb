"""The ``slurm`` preset's launcher: Hydra's submitit SLURM launcher with govsim's wait.

Only a shim, so Hydra's plugin scan stays cheap and works without the ``cluster`` extra: the
code is in :mod:`govsim.cli.slurm`.
"""

try:
    from hydra_plugins.hydra_submitit_launcher.submitit_launcher import SlurmLauncher as _SubmititSlurmLauncher
except ImportError:  # no `cluster` extra: no SLURM launcher (the preset's error says how to install it)
    pass
else:

    class SlurmLauncher(_SubmititSlurmLauncher):
        """Submits one array task per Hydra job; a task that dies is reported instead of hanging the driver."""

        def launch(self, job_overrides, initial_job_idx):
            from govsim.cli.slurm import launch

            return launch(self, job_overrides, initial_job_idx)
