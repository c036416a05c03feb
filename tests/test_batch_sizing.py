"""Batch sizes of a sweep without seeds_per_job: from the cluster for SLURM, not the login node (issue 14).

No cluster needed: a fake ``sinfo`` on PATH plays the cluster (tests/test_cluster_slurm.py
checks the same rule on a real one).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from govsim.cli import sizing
from govsim.cli.overrides import prepare
from govsim.config import ScenarioError

SINFO = "debug*|0/60/4/64\nlong|10/20/2/32\ngpu|0/8/0/8\n"  # %P|%C: allocated/idle/other/total CPUs


@pytest.fixture
def fake_sinfo(tmp_path, monkeypatch):
    """A ``sinfo`` that prints ``SINFO`` (default partition: debug, 60 usable CPUs) first on PATH."""
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "sinfo"
    script.write_text(f"#!/bin/sh\nprintf '{SINFO}'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("GOVSIM_SLURM_PARTITION", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # a 2-core login node


def batches(args: list[str]) -> list[list[int]]:
    """The seed lists ``govsim run -m ARGS`` hands to Hydra, one per job."""
    (seed,) = [o for o in prepare(args, multirun=True).overrides if o.startswith("seed=")]
    return [[int(s) for s in chunk.strip("[]").split(",")] for chunk in seed.removeprefix("seed=").split("],[")]


def test_seeds_per_job_fills_the_slots_shared_by_other_swept_keys_and_caps_a_batch():
    assert sizing.seeds_per_job(2000, slots=64) == 32
    assert sizing.seeds_per_job(2000, slots=2) == sizing.MAX_SEEDS_PER_JOB
    assert sizing.seeds_per_job(100, slots=8, combos=4) == 50  # 4 scenarios x 2 batches = 8 jobs
    assert sizing.seeds_per_job(10, slots=2, combos=4) == 10  # fewer slots than combinations: one batch each
    assert sizing.seeds_per_job(3, slots=64) == 1


def test_sinfo_gives_the_usable_cpus_of_the_chosen_partition():
    assert sizing.parse_sinfo(SINFO, None) == 60  # the default partition (*), without its 4 down/drained CPUs
    assert sizing.parse_sinfo(SINFO, "long") == 30
    assert sizing.parse_sinfo(SINFO, "long,gpu") == 38
    assert sizing.parse_sinfo(SINFO, "nosuch") is None
    assert sizing.parse_sinfo("sinfo: error: no controller\n", None) is None


def test_slurm_slots_are_cpus_per_task_capped_by_array_parallelism():
    assert sizing.slurm_slots(sizing.Slurm(cpus_per_task=4, array_parallelism=256), 64) == 16
    assert sizing.slurm_slots(sizing.Slurm(cpus_per_task=1, array_parallelism=8), 64) == 8
    assert sizing.slurm_slots(sizing.Slurm(cpus_per_task=8, array_parallelism=256), 4) == 1
    assert sizing.slurm_slots(sizing.Slurm(array_parallelism=100), None) == 100  # sinfo silent: the preset's cap


def test_a_slurm_sweep_is_sized_from_the_cluster_not_the_login_node(fake_sinfo):
    chunks = batches(["seed=range(0,1800)", "hydra/launcher=slurm"])
    assert len(chunks) == 60 and sum(chunks, []) == list(range(1800))  # 60 CPUs: 60 tasks of 30 seeds
    assert len(batches(["seed=range(0,1800)"])) == 8  # the basic launcher: this machine's 2 cores, <= 250 a batch


@pytest.mark.parametrize("extra, jobs", [
    (["hydra.launcher.cpus_per_task=4"], 15),
    (["hydra.launcher.array_parallelism=10"], 10),
    (["hydra.launcher.partition=long"], 30),
    (["scenario=baseline,export_controls_2025"], 30),  # x 2 scenarios = 60 jobs
    (["seeds_per_job=100"], 18),  # explicit always wins
])
def test_slurm_batches_follow_the_preset_fields_and_overrides(fake_sinfo, extra, jobs):
    assert len(batches(["seed=range(0,1800)", "hydra/launcher=slurm", *extra])) == jobs


def test_the_partition_from_the_environment_is_the_one_sized(fake_sinfo, monkeypatch):
    monkeypatch.setenv("GOVSIM_SLURM_PARTITION", "gpu")
    assert len(batches(["seed=range(0,80)", "hydra/launcher=slurm"])) == 8


@pytest.mark.parametrize("override, parts", [
    ("hydra.launcher.array_parallelism=0", ["hydra.launcher.array_parallelism", "0", "whole number >= 1", "Fix"]),
    ("hydra.launcher.cpus_per_task=-2", ["hydra.launcher.cpus_per_task", "-2", "Fix"]),
    ("hydra.launcher.cpus_per_task=many", ["hydra.launcher", "many", "Fix"]),
    ("hydra.launcher.timeout_min=1", ["hydra.launcher.signal_delay_s = 120", "timeout_min (1 min)", "Fix: e.g. hydra.launcher.signal_delay_s=15"]),
])
def test_bad_sizing_fields_are_one_line_naming_field_value_and_fix(fake_sinfo, override, parts):
    with pytest.raises(ScenarioError) as err:
        prepare(["seed=range(0,100)", "hydra/launcher=slurm", override], multirun=True)
    assert all(p in str(err.value) for p in parts) and "\n" not in str(err.value)


def test_slurm_fields_are_checked_even_with_an_explicit_seeds_per_job(fake_sinfo):
    with pytest.raises(ScenarioError, match="hydra.launcher.array_parallelism = -1"):
        prepare(["seed=range(0,100)", "seeds_per_job=10", "hydra/launcher=slurm", "hydra.launcher.array_parallelism=-1"],
                multirun=True)


def test_bad_sizing_field_on_the_command_line_exits_2_without_traceback(tmp_path):
    command = [sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,10)", "hydra/launcher=slurm",
               "hydra.launcher.array_parallelism=0", f"out={tmp_path / 'sw'}"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "hydra.launcher.array_parallelism = 0" in proc.stderr
    assert not (tmp_path / "sw").exists()
