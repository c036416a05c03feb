"""The batch layout of the results store (``store.layout=batch``): one table file per batch, not per run.

A batch writes ``<sweep>/batches/<batch id>/{indices,forums[,countries]}.parquet`` and one manifest
recording each run; ``load_sweep`` reads it, the run layout, and folders mixing both, and returns each
run once. Resume skips runs complete in any batch or run folder; a retried batch rewrites its own files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim import batch, store
from govsim.batch import RunSpec, run_specs
from govsim.config import ScenarioError

STEPS = 6


def specs(seeds, steps: int = STEPS) -> list[RunSpec]:
    scenario = govsim.load_scenario("baseline", [f"time.steps={steps}"])
    digest = store.scenario_hash(scenario)
    return [RunSpec(scenario.name, s, digest, {"time.steps": steps}, scenario) for s in seeds]


def sweep(root: Path, seeds, layout: str, **options):
    return run_specs(specs(seeds), lambda s: store.run_folder(root, s.run_id),
                     {"layout": layout, "countries": False, "figure": False, **options})


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def complete(root: Path) -> list[dict]:
    return [m for m in store.manifests(root) if m.get("status") == "complete"]


def test_layout_option_is_checked_with_one_line(tmp_path):
    batch.check_store_option("store.layout", ["run", "batch"])
    with pytest.raises(ScenarioError) as err:
        batch.check_store_option("store.layout", ["piles"])
    message = str(err.value)
    assert "store.layout" in message and "'piles'" in message and "run" in message and "batch" in message
    assert "\n" not in message
    done = subprocess.run([sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,2)", "store.layout=piles",
                           "out=sw"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "store.layout = 'piles' is not allowed. Fix: auto (batch, or run when the countries tables are kept), run (a folder per run) or batch" in done.stderr
    assert not (tmp_path / "sw").exists()


def test_both_layouts_write_the_same_tables_through_the_command_line(tmp_path):
    common = ["run", "-m", "seed=range(0,6)", "seeds_per_job=3", "behaviour.decision.temperature=0.7,1.0",
              f"time.steps={STEPS}", "store.countries=true"]
    for layout in ("run", "batch"):
        done = subprocess.run([sys.executable, "-m", "govsim", *common, f"store.layout={layout}", f"out={layout}"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "12 runs complete, 0 failed" in done.stdout
    for table in ("indices", "forums", "countries"):
        by_run, by_batch = (govsim.load_sweep(tmp_path / layout, table) for layout in ("run", "batch"))
        assert "behaviour.decision.temperature" in by_batch.columns
        pd.testing.assert_frame_equal(tidy(by_batch), tidy(by_run), check_exact=True)
    assert not (tmp_path / "batch" / "runs").exists()
    batches = list((tmp_path / "batch" / "batches").iterdir())
    assert len(batches) == 4  # 2 temperatures x 2 batches of 3 seeds
    assert len(files_under(tmp_path / "batch" / "batches")) <= 5 * len(batches)  # 3 tables, manifest, lock
    assert len(files_under(tmp_path / "run" / "runs")) >= 5 * 12


def test_files_grow_with_batches_not_runs(tmp_path):
    counts = sweep(tmp_path, range(40), "batch")
    assert counts.done == 40 and counts.failed == 0
    assert len(files_under(tmp_path)) <= 4  # indices, forums, manifest, lock: one batch
    assert sorted(m["seed"] for m in complete(tmp_path)) == list(range(40))
    manifest = json.loads(next(tmp_path.glob("batches/*/manifest.json")).read_text())
    run = manifest["runs"][0]
    assert {"run_id", "scenario_hash", "seed", "params", "status"} <= set(run)


def test_an_interrupted_batch_resumes_without_redoing_or_repeating_runs(tmp_path, monkeypatch):
    import govsim.batch as batch_module

    real, calls = batch_module.run, []

    def dies_after_five(scenario, seed, **kw):
        if len(calls) == 5:
            raise KeyboardInterrupt  # as a kill would, mid-batch
        calls.append(seed)
        return real(scenario, seed=seed, **kw)

    monkeypatch.setattr(batch_module, "run", dies_after_five)
    monkeypatch.setattr("govsim.batchstore.FLUSH_SECONDS", 0.0)  # the batch file is rewritten after every run
    with pytest.raises(KeyboardInterrupt):
        sweep(tmp_path, range(10), "batch", replicates="single")  # one run at a time, through ``run``
    before = {m["run_id"]: m["started"] for m in complete(tmp_path)}
    assert len(before) == 5
    monkeypatch.setattr(batch_module, "run", real)
    counts = sweep(tmp_path, range(10), "batch")
    assert counts.skipped == 5 and counts.done == 5
    after = complete(tmp_path)
    assert sorted(m["seed"] for m in after) == list(range(10))
    assert all(m["started"] == before[m["run_id"]] for m in after if m["run_id"] in before), "stored runs were redone"
    assert len(list(tmp_path.glob("batches/*"))) == 1, "the retried batch must rewrite its own files"
    sweep(tmp_path / "fresh", range(10), "batch")
    pd.testing.assert_frame_equal(tidy(govsim.load_sweep(tmp_path)), tidy(govsim.load_sweep(tmp_path / "fresh")),
                                  check_exact=True)


def test_runs_complete_elsewhere_are_skipped_and_read_once(tmp_path):
    sweep(tmp_path, range(4), "run")
    counts = sweep(tmp_path, range(8), "batch")  # a mixed folder: seeds 0-3 are in run folders
    assert counts.skipped == 4
    counts = sweep(tmp_path, range(0, 8, 2), "batch")  # other batching: every run is stored already
    assert counts.skipped == 4 and len(list(tmp_path.glob("batches/*/manifest.json"))) == 1
    counts = sweep(tmp_path, range(8), "run")  # the run layout skips runs stored in batches too
    assert counts.skipped == 8 and len(list(tmp_path.glob("runs/*"))) == 4
    sweep(tmp_path / "fresh", range(8), "run")
    for table in ("indices", "forums"):
        pd.testing.assert_frame_equal(tidy(govsim.load_sweep(tmp_path, table)),
                                      tidy(govsim.load_sweep(tmp_path / "fresh", table)), check_exact=True)
    assert sorted(m["seed"] for m in store.manifests(tmp_path)) == list(range(8))


def test_a_run_stored_in_two_batches_is_returned_once(tmp_path):
    sweep(tmp_path, range(3), "batch")
    (original,) = tmp_path.glob("batches/*")
    copy = original.with_name("b-copy")
    copy.mkdir()
    for file in original.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    frame = govsim.load_sweep(tmp_path)
    assert len(frame) == 3 * len(frame[frame.seed == 0])
    assert sorted(m["seed"] for m in store.manifests(tmp_path)) == [0, 1, 2]


def test_a_damaged_batch_file_is_named_and_its_runs_redone(tmp_path, caplog):
    sweep(tmp_path, range(3), "batch")
    (table,) = tmp_path.glob("batches/*/indices.parquet")
    table.write_bytes(table.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(store.StoreError, match="indices.parquet"):
        govsim.load_sweep(tmp_path)
    counts = sweep(tmp_path, range(3), "batch")
    assert counts.skipped == 0 and counts.done == 3
    assert "redoing" in caplog.text
    assert len(govsim.load_sweep(tmp_path).run_id.unique()) == 3
    assert os.listdir(tmp_path / "batches") == [table.parent.name]


def test_a_default_sweep_writes_batches_unless_it_keeps_countries(tmp_path):
    """store.layout=auto (the default): one file per table per job; with store.countries=true the run
    layout, which streams each run's countries table to its folder."""
    for name, extra in (("plain", []), ("countries", ["store.countries=true"])):
        done = subprocess.run([sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,3)", "time.steps=2", *extra,
                               f"out={name}"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "3 runs complete, 0 failed" in done.stdout
    assert (tmp_path / "plain" / "batches").is_dir() and not (tmp_path / "plain" / "runs").exists()
    assert len(list((tmp_path / "countries" / "runs").glob("*/countries.parquet"))) == 3
    assert not (tmp_path / "countries" / "batches").exists()
    assert govsim.load_sweep(tmp_path / "plain")["run_id"].nunique() == 3


def test_load_sweep_reads_one_batch_folder(tmp_path):
    sweep(tmp_path, range(4), "batch")
    (folder,) = (tmp_path / "batches").iterdir()
    one = govsim.load_sweep(folder)
    assert sorted(one["seed"].unique()) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(tidy(one), tidy(govsim.load_sweep(tmp_path)))
