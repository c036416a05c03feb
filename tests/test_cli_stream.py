"""The command line's countries table goes through the stream (issue 14): each run's table is written
straight to its run folder's countries.parquet as the run goes, equals the in-memory table exactly, is
recorded in the manifest like any table, and a leftover of an interrupted run is replaced. The memory
budget estimates a streamed table by the rows it holds, not the whole run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import govsim
from govsim import batch, store, stream
from govsim.config import ScenarioError, budget

STEPS = 6


def govsim_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govsim", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HYDRA_FULL_ERROR": "0"})


@pytest.fixture(scope="module")
def expected() -> govsim.Results:
    return govsim.run(govsim.load_scenario("export_controls_2025", [f"time.steps={STEPS}"]), seed=3, countries=True)


def test_cli_run_streams_a_countries_table_equal_to_the_in_memory_one(tmp_path, expected):
    proc = govsim_cli(tmp_path, "run", "scenario=export_controls_2025", "seed=3", f"time.steps={STEPS}",
                      "store.countries=true", "out=run")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "run"
    manifest = store.read_manifest(folder)
    written = pd.read_parquet(folder / "countries.parquet")
    pd.testing.assert_frame_equal(written, store.with_run_id(expected.countries, manifest["run_id"]), check_exact=True)
    assert manifest["files"]["countries.parquet"] == store.file_record(folder / "countries.parquet")
    assert store.verify_run(folder, manifest) is None
    loaded = govsim.load_sweep(folder, "countries")
    assert loaded["time.steps"].eq(STEPS).all()  # the run's parameters, then the table
    pd.testing.assert_frame_equal(loaded[written.columns], written, check_exact=True)
    assert (folder / "divide_map.png").is_file()  # the figure reads the streamed file's first and last steps
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".govsim-tmp")]


def _sweep(tmp_path: Path, seeds=(0, 1)):
    scenario = govsim.load_scenario("baseline", [f"time.steps={STEPS}"])
    digest = store.scenario_hash(scenario)
    specs = [batch.RunSpec("baseline", s, digest, {}, scenario) for s in seeds]
    counts = batch.run_specs(specs, lambda s: store.run_folder(tmp_path, s.run_id),
                             {"countries": True, "figure": False}, log_failures=False)
    return specs, counts


def test_a_sweep_streams_each_run_in_row_groups_never_holding_the_table(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "ROWS_PER_GROUP", 2 * 193)  # a row group every 2 steps: 4 groups for 7 steps
    held = []
    original = stream.CountryStream._write

    def spy(self, rows):
        held.append(len(rows))
        return original(self, rows)

    monkeypatch.setattr(stream.CountryStream, "_write", spy)
    specs, counts = _sweep(tmp_path)
    assert counts.failed == 0 and max(held) <= 2
    for spec in specs:
        file = store.run_folder(tmp_path, spec.run_id) / "countries.parquet"
        assert pq.ParquetFile(file).metadata.num_row_groups == 4
        pd.testing.assert_frame_equal(pd.read_parquet(file), store.with_run_id(
            govsim.run(spec.scenario, seed=spec.seed).countries, spec.run_id), check_exact=True)
    loaded = govsim.load_sweep(tmp_path, "countries")
    assert sorted(loaded["run_id"].unique()) == sorted(s.run_id for s in specs)


def test_resume_replaces_the_leftovers_of_an_interrupted_run(tmp_path):
    specs, _ = _sweep(tmp_path)
    folder = store.run_folder(tmp_path, specs[1].run_id)
    good = pd.read_parquet(folder / "countries.parquet")
    (folder / store.MANIFEST).unlink()  # as if killed before the manifest: the run is incomplete
    (folder / "countries.parquet").write_bytes(b"half a table")
    (folder / ".govsim-tmp-countries.parquet.abc123").write_bytes(b"a stream cut short")
    _, counts = _sweep(tmp_path)
    assert counts.failed == 0 and counts.skipped == 1
    manifest = store.read_manifest(folder)
    assert manifest["status"] == "complete" and store.verify_run(folder, manifest) is None
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "countries.parquet"), good, check_exact=True)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["countries.parquet", "forums.parquet", "indices.parquet",
                                                              "scenario.json", store.MANIFEST, store.LOCK])


def test_a_damaged_streamed_table_is_caught_by_its_checksum(tmp_path):
    specs, _ = _sweep(tmp_path, seeds=(0,))
    folder = store.run_folder(tmp_path, specs[0].run_id)
    data = bytearray((folder / "countries.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "countries.parquet").write_bytes(bytes(data))
    assert "SHA-256" in store.verify_run(folder, store.read_manifest(folder))
    with pytest.raises(store.StoreError, match="countries.parquet"):
        govsim.load_sweep(tmp_path, "countries")


# ------------------------------------------------------------------ the memory estimate
def test_the_estimate_of_a_streamed_table_holds_one_row_group_not_the_run():
    scenario = govsim.load_scenario("baseline", ["world=synthetic", "world.n=100000", "time.steps=52"])
    whole, disk = budget.estimate(scenario, countries=True)
    streamed, streamed_disk = budget.estimate(scenario, countries="stream")
    without, _ = budget.estimate(scenario, countries=False)
    assert streamed_disk == disk > 0 and without < streamed < 1024**3 < whole
    assert streamed - without == budget.PER_ROW * max(budget.STREAM_ROWS, 100_000)
    longer = govsim.load_scenario("baseline", ["world=synthetic", "world.n=100000", "time.steps=520"])
    assert budget.estimate(longer, "stream")[0] == streamed  # memory does not grow with the steps
    assert budget.STREAM_ROWS == stream.ROWS_PER_GROUP


def test_a_streamed_run_that_fits_only_when_streamed_is_not_refused(tmp_path, monkeypatch):
    scenario = govsim.load_scenario("baseline", ["world=synthetic", "world.n=20000", "time.steps=20"])
    streamed, whole = budget.estimate(scenario, "stream")[0], budget.estimate(scenario, True)[0]
    monkeypatch.setattr(budget, "available_memory", lambda: (streamed + whole) / 2)
    with pytest.raises(ScenarioError, match="stream the countries table"):
        govsim.run(scenario, seed=0)
    results = govsim.run(scenario, seed=0, countries=tmp_path / "c.parquet")
    assert pq.ParquetFile(results.countries_file).metadata.num_rows == 20000 * 21


def test_cli_large_world_keeps_peak_memory_under_one_gib(tmp_path):
    """A 30 000-country, 52-step run (1.6 million country rows) through the CLI: peak memory measured
    in a fresh process (VmHWM) stays far below what the whole table would need."""
    code = ("import sys; from govsim.cli import main; rc = main(sys.argv[1:]); "
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "run", "world.kind=synthetic", "world.n=30000", "time.steps=52",
                           "store.countries=true", "store.figure=false", "out=big"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    peak = int(proc.stdout.split()[-1]) * 1024
    rows = 30000 * 53
    assert pq.ParquetFile(tmp_path / "big" / "countries.parquet").metadata.num_rows == rows
    assert peak < 1024**3 and peak < budget.estimate(govsim.load_scenario(
        "baseline", ["world=synthetic", "world.n=30000", "time.steps=52"]), True)[0]
    assert json.loads((tmp_path / "big" / "manifest.json").read_text())["status"] == "complete"


def test_finished_runs_are_freed_in_a_long_lived_process(tmp_path, monkeypatch):
    """Mesa 3.3 keeps every model alive through ``Agent._ids`` (mesa#3179): a sweep's job, or the band of
    seeds of a big world's figure, grew by a whole model per run (115 MB at 100 000 countries)."""
    import gc
    import weakref

    import govsim.runner

    made, collect = [], govsim.runner.collect_results

    def watched(model, **options):
        made.append(weakref.ref(model))
        return collect(model, **options)

    monkeypatch.setattr(govsim.runner, "collect_results", watched)
    scenario = govsim.load_scenario("baseline", ["world=synthetic", "world.n=300", "time.steps=2"])
    for seed in range(3):
        govsim.run(scenario, seed=seed, countries=False)
        stream.run_streamed(scenario, seed, tmp_path / f"{seed}.parquet")
    gc.collect()
    assert len(made) == 6 and [ref() for ref in made] == [None] * 6


def test_a_synthetic_world_run_completes_with_its_figures_but_no_map(tmp_path):
    """A synthetic world has no geography: its run used to be recorded as failed by the divide map."""
    proc = govsim_cli(tmp_path, "run", "world.kind=synthetic", "world.n=50", "time.steps=2", "store.band_seeds=0",
                      "out=syn")
    assert proc.returncode == 0, proc.stderr
    assert store.read_manifest(tmp_path / "syn")["status"] == "complete"
    assert (tmp_path / "syn" / "headlines.png").is_file() and not (tmp_path / "syn" / "divide_map.png").exists()
