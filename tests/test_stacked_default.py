"""Sweeps simulate a job's runs as stacked replicates by default (``store.replicates=stacked``, issue 14).

A sweep's seeds are stepped together in batches (``govsim.replicates``) and every stored run equals
its single run; a run that fails inside a batch is still recorded with its own error, and resume
skips stored runs; a stacked run's ``wall_time_s`` is its share of its batch's time. The figure's
band of seeds (``govsim.run_figures``) is run as one batch, with the same numbers.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

import govsim
import govsim.replicates as replicates
from govsim import store
from govsim.batch import RunSpec, run_specs

STEPS = 4


def _specs(seeds) -> list[RunSpec]:
    scenario = govsim.load_scenario("baseline", [f"time.steps={STEPS}"])
    digest = store.scenario_hash(scenario)
    return [RunSpec(scenario.name, s, digest, {}, scenario) for s in seeds]


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)


def _watch_batches(monkeypatch) -> list[int]:
    """The sizes of the stacked batches made from now on (each a replicates.Batch, whichever path made it)."""
    sizes, real = [], replicates.Batch.__init__

    def watched(self, jobs, countries=True):
        sizes.append(len(jobs))
        real(self, jobs, countries)

    monkeypatch.setattr(replicates.Batch, "__init__", watched)
    return sizes


def test_a_cli_sweep_stacks_its_seeds_by_default_and_stores_the_single_runs_tables(tmp_path, monkeypatch):
    from govsim.cli.run import main

    sizes = _watch_batches(monkeypatch)
    common = ["-m", "scenario=export_controls_2025", f"time.steps={STEPS}", "seed=range(0,6)", "seeds_per_job=6"]
    assert main([*common, f"out={tmp_path / 'default'}"]) == 0
    assert sizes == [6], "the job's six seeds were not simulated as one stacked batch"
    assert main([*common, "store.replicates=single", f"out={tmp_path / 'single'}"]) == 0
    assert sizes == [6], "store.replicates=single must run one run at a time"
    for table in ("indices", "forums"):
        default, single = (_tidy(govsim.load_sweep(tmp_path / mode, table=table)) for mode in ("default", "single"))
        assert len(default) == 6 * (STEPS + 1) or table == "forums"
        pd.testing.assert_frame_equal(default, single, check_exact=True)


def test_the_sweep_driver_default_is_stacked():
    from govsim.cli.compose import compose_config
    from govsim.batch import specs_from_config

    _, options = specs_from_config(compose_config(["seed=[0,1]"]), {})
    assert options["replicates"] == "stacked"


@pytest.mark.parametrize("layout", ["run", "batch"])
def test_a_stacked_runs_wall_time_is_its_share_of_its_batch(tmp_path, monkeypatch, layout):
    real = replicates.run_batch

    def slow(jobs, countries):
        time.sleep(0.8)  # far longer than storing a run
        return real(jobs, countries)

    monkeypatch.setattr(replicates, "run_batch", slow)
    counts = run_specs(_specs(range(4)), lambda s: store.run_folder(tmp_path, s.run_id), {"layout": layout})
    assert counts.done == 4
    walls = [m["wall_time_s"] for m in store.manifests(tmp_path)]
    assert len(walls) == 4 and all(0.2 <= w < 0.4 for w in walls), walls  # 0.8 s / 4 runs each, not 0.8 s on one


@pytest.mark.parametrize("layout", ["run", "batch"])
def test_a_run_failing_in_a_stacked_batch_is_recorded_with_its_own_error_and_resumed(tmp_path, monkeypatch, layout):
    real_batch, real_run, singles = replicates.run_batch, replicates.run, []

    def batch_fails(jobs, countries):  # as a kernel error in one replicate stops the whole batch
        if any(seed == 2 for _, seed in jobs):
            raise FloatingPointError("non-finite capability in one replicate")
        return real_batch(jobs, countries)

    def seed_2_fails(scenario, seed=None, countries=True):
        singles.append(seed)
        if seed == 2:
            raise FloatingPointError("non-finite capability at seed 2")
        return real_run(scenario, seed=seed, countries=countries)

    monkeypatch.setattr(replicates, "run_batch", batch_fails)
    monkeypatch.setattr(replicates, "run", seed_2_fails)
    folder_of = lambda s: store.run_folder(tmp_path, s.run_id)  # noqa: E731
    counts = run_specs(_specs(range(4)), folder_of, {"layout": layout}, log_failures=False)
    assert (counts.done, counts.failed) == (3, 1)
    assert singles == [0, 1, 2, 3], "the failed batch's runs must each run on their own"
    by_seed = {m["seed"]: m for m in store.manifests(tmp_path)}
    assert [by_seed[s]["status"] for s in range(4)] == ["complete", "complete", "failed", "complete"]
    assert by_seed[2]["error"]["message"] == "non-finite capability at seed 2"

    monkeypatch.setattr(replicates, "run_batch", real_batch)
    monkeypatch.setattr(replicates, "run", real_run)
    sizes = _watch_batches(monkeypatch)
    again = run_specs(_specs(range(4)), folder_of, {"layout": layout}, log_failures=False)
    assert (again.done, again.skipped, again.failed) == (1, 3, 0)
    assert sizes == []  # only seed 2 was left: a batch of one is its single run
    assert all(m["status"] == "complete" for m in store.manifests(tmp_path))


def test_the_figures_band_of_seeds_is_one_stacked_batch_with_the_same_numbers(tmp_path, monkeypatch):
    import govsim.many
    from govsim.run_figures import write_run_figures

    calls, real = [], govsim.many.run_many

    def watched(*args, **kwargs):
        ensemble = real(*args, **kwargs)
        calls.append((args, kwargs, ensemble))
        return ensemble

    monkeypatch.setattr(govsim.many, "run_many", watched)
    sizes = _watch_batches(monkeypatch)
    scenario = govsim.load_scenario("baseline", [f"time.steps={STEPS}"])
    write_run_figures(tmp_path, govsim.run(scenario, seed=3, countries=False), 5)
    assert (tmp_path / "headlines.png").is_file()
    assert sizes == [5]
    (args, kwargs, ensemble), = calls
    plain = real(*args, **{**kwargs, "batch": False})
    pd.testing.assert_frame_equal(ensemble.indices, plain.indices, check_exact=True)


def test_the_calibration_sweep_stacks_its_runs_with_the_same_pattern_values(tmp_path):
    """experiments/calibrate.py keeps the countries table, which the run layout streams one run at a
    time: it sweeps in the batch layout, whose runs are stacked; the pattern values are the same."""
    import importlib.util
    from pathlib import Path

    from govsim.batch import with_values

    path = Path(__file__).resolve().parents[1] / "experiments" / "calibrate.py"
    spec = importlib.util.spec_from_file_location("calibrate_script", path)
    cal = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cal)
    table = pd.DataFrame({"sample": range(8), "behaviour.decision.temperature": [0.5 + i / 8 for i in range(8)]})
    cal.sweep(table, 2, tmp_path / "cal", "basic")
    manifests = store.manifests(tmp_path / "cal")
    assert len(manifests) == 16 and all(m["status"] == "complete" for m in manifests)
    assert list((tmp_path / "cal").glob("batches/*")) and not list((tmp_path / "cal").glob("runs/*")), \
        "the calibration's runs were not stored in stacked batches"
    got = cal.pattern_values(tmp_path / "cal", 0.5).set_index("run_id").sort_index()
    base = govsim.load_scenario("baseline", ["time.steps=12"])
    by_run = {m["run_id"]: m for m in manifests}
    for run_id, row in got.iterrows():
        values = table.set_index("sample").loc[int(row["sample"])].to_dict()
        single = govsim.run(with_values(base, values), seed=by_run[run_id]["seed"], countries=True)
        expected = cal.patterns.run_values(single.indices, single.countries, single.forums, 0.5)
        assert {k: row[k] for k in expected} == pytest.approx(expected, rel=0, abs=1e-12, nan_ok=True)
