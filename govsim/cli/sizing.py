"""How many seeds each job of a sweep runs when ``seeds_per_job`` is not given.

A sweep's seeds are cut into batches, one batch per Hydra job, so that the jobs fill the slots
that run them at once: this machine's cores for the local launchers, the cluster's for SLURM.
On SLURM the slots are read from the cluster, never from the login node the sweep is typed on:
the CPUs of the partition (``sinfo``, CPUs of nodes that are down or drained left out) divided
by the preset's ``cpus_per_task``, at most ``array_parallelism`` (the array tasks SLURM runs at
once). Other swept keys (scenarios, parameters) multiply the jobs, so they share the slots. A
batch is at most MAX_SEEDS_PER_JOB runs; an explicit ``seeds_per_job`` always wins.
"""

from __future__ import annotations

import math
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from govsim.config import ScenarioError
from govsim.config.errors import shorten, shown

MAX_SEEDS_PER_JOB = 250


@dataclass(frozen=True)
class Slurm:
    """What sizing needs of a SLURM launcher preset (after ``hydra.launcher.*`` overrides)."""

    partition: str | None = None
    cpus_per_task: int = 1
    array_parallelism: int = 256


def job_count(overrides: list[str]) -> int | None:
    """How many jobs Hydra's basic sweeper launches for ``overrides`` (None if it cannot be told)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
        if any(o.key_or_group.startswith("hydra/sweeper") for o in parsed):
            return None  # another sweeper decides its own jobs
        count = 1
        for override in parsed:
            if override.is_sweep_override() and not override.is_hydra_override():
                count *= len(list(override.sweep_string_iterator()))
        return count
    except Exception:  # noqa: BLE001 -- e.g. glob sweeps need the config; then only the reports are checked
        return None


def seeds_per_job(n_seeds: int, slots: int, combos: int = 1) -> int:
    """Seeds per batch so that ``combos`` x batches fill ``slots``, capped at MAX_SEEDS_PER_JOB."""
    per_combo = max(1, slots // max(1, combos))
    return max(1, min(MAX_SEEDS_PER_JOB, math.ceil(n_seeds / per_combo)))


def slots(preset: Slurm | None) -> int:
    """How many jobs run at once: the SLURM cluster's slots for a SLURM launcher's ``preset``, else this machine's cores."""
    if preset is None:
        return os.cpu_count() or 1
    return slurm_slots(preset, cluster_cpus(preset.partition))


def slurm_slots(preset: Slurm, cpus: int | None) -> int:
    """Tasks that run at once: ``cpus // cpus_per_task`` (unknown: ``array_parallelism``), at most ``array_parallelism``."""
    if cpus is None:
        return preset.array_parallelism
    return max(1, min(preset.array_parallelism, cpus // preset.cpus_per_task))


def cluster_cpus(partition: str | None) -> int | None:
    """CPUs of ``partition`` (a name or comma list; None: the default partition) that can run jobs, from ``sinfo``.

    None if sinfo cannot tell (not installed, no controller): then the sweep is sized by
    ``array_parallelism`` and sbatch will say what is wrong with the cluster.
    """
    try:
        result = subprocess.run(["sinfo", "--noheader", "--format=%P|%C"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return None if result.returncode else parse_sinfo(result.stdout, partition)


def parse_sinfo(text: str, partition: str | None) -> int | None:
    """CPUs usable by jobs (total minus other: down, drained) in ``sinfo --format=%P|%C`` output."""
    usable: dict[str, int] = {}
    default = None
    for line in text.splitlines():
        name, _, cpus = line.strip().partition("|")
        counts = cpus.split("/")
        if len(counts) != 4 or not all(c.isdigit() for c in counts):
            continue
        if name.endswith("*"):
            name = default = name.rstrip("*")
        usable[name] = usable.get(name, 0) + int(counts[3]) - int(counts[2])
    wanted = [p.strip() for p in partition.split(",")] if partition else [default] if default else list(usable)
    found = [usable[p] for p in wanted if p in usable]
    return sum(found) if found else None


def slurm_preset(hydra_overrides: list[str], roots: list[Path]) -> Slurm | None:
    """The SLURM fields of the launcher chosen by ``hydra/launcher=...`` (None: not a SLURM launcher), checked:
    ScenarioError (one line) for a field that would make every task fail or the sizing meaningless."""
    if not any(o.startswith(("hydra/launcher=", "+hydra/launcher=")) for o in hydra_overrides):
        return None
    launcher = _launcher_config(hydra_overrides, roots)
    if not str(launcher.get("_target_", "")).endswith("SlurmLauncher"):
        return None
    timeout_min = _whole(launcher.get("timeout_min"), "timeout_min", default=60)
    delay = launcher.get("signal_delay_s")
    if isinstance(delay, int) and not isinstance(delay, bool) and delay >= 60 * timeout_min:
        raise ScenarioError(f"hydra.launcher.signal_delay_s = {delay} is not shorter than timeout_min ({timeout_min} min): "
                            "SLURM would send the requeue signal as a task starts, killing it. Fix: e.g. "
                            f"hydra.launcher.signal_delay_s={max(1, min(120, 60 * timeout_min // 4))}")
    return Slurm(partition=launcher.get("partition") or None,
                 cpus_per_task=_whole(launcher.get("cpus_per_task"), "cpus_per_task", default=1),
                 array_parallelism=_whole(launcher.get("array_parallelism"), "array_parallelism", default=256))


def _whole(value, field: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ScenarioError(f"hydra.launcher.{field} = {shown(value)}: must be a whole number >= 1. "
                            f"Fix: e.g. hydra.launcher.{field}={default}")
    return value


def _launcher_config(hydra_overrides: list[str], roots: list[Path]) -> dict:
    """``hydra.launcher`` as Hydra composes it from the preset, its defaults and the ``hydra.launcher.*`` overrides."""
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    from govsim.cli.compose import CONFIG_DIR, PRIMARY, _own_global_hydra

    extra = ",".join(f"'file://{r.resolve()}'" for r in roots if r.resolve() != CONFIG_DIR)
    wanted = [o for o in hydra_overrides if o.lstrip("+~").startswith(("hydra/launcher", "hydra.launcher."))]
    wanted += [f"hydra.searchpath=[{extra}]"] if extra else []
    try:
        with _own_global_hydra(), initialize_config_dir(str(CONFIG_DIR), version_base="1.3", job_name="govsim"):
            config = compose(PRIMARY, overrides=wanted, return_hydra_config=True).hydra.launcher
            fields = ("_target_", "partition", "cpus_per_task", "array_parallelism", "timeout_min", "signal_delay_s")
            return {k: OmegaConf.select(config, k, throw_on_missing=False) for k in fields}
    except Exception as exc:  # noqa: BLE001 -- Hydra's own errors (a bad hydra.launcher.* value), re-worded
        raise ScenarioError(f"cannot read the launcher's settings ({shorten(' '.join(wanted), 120)}): "
                            f"{shorten(str(exc).splitlines()[0], 200)}. Fix: correct the hydra.launcher.* override") from None
