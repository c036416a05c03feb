"""Hydra launcher plugin: each Hydra job of ``govsim run -m`` becomes one Dask task.

A job is a batch of runs (``govsim.batch``) writing into the sweep's absolute results store, so a
task recomputed after a worker died skips the runs already stored. Configured by
``hydra/launcher=dask`` (the preset ``scenarios/hydra/launcher/dask.yaml`` over ``govsim_dask``,
registered in :mod:`.config`); ``distributed`` is imported only when jobs are launched, so
Hydra's plugin scan works without the ``dask`` extra. See docs/cluster-dask.md.
"""
