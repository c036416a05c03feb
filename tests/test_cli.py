"""The ``govsim`` command line, run for real in subprocesses: single runs, sweeps, resume, failures, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim import store
from govsim.runner import summary_text

TAGS = ["run_id", "scenario", "seed"]


def govsim_cli(cwd: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``python -m govsim ARGS`` in ``cwd``."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([sys.executable, "-m", "govsim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def complete(folder: Path) -> list[dict]:
    return [m for m in store.manifests(folder) if m["status"] == "complete"]


def in_process(name: str, seed: int, steps: int) -> govsim.Results:
    return govsim.run(govsim.load_scenario(name, [f"time.steps={steps}"]), seed=seed)


def assert_same_tables(folder: Path, expected: govsim.Results, tables=("indices", "forums")) -> None:
    for table in tables:
        written = pd.read_parquet(folder / f"{table}.parquet").drop(columns="run_id")
        pd.testing.assert_frame_equal(written, getattr(expected, table), check_exact=True)


# ------------------------------------------------------------------ one run
def test_single_run_writes_tables_config_manifest_figure_and_summary(tmp_path):
    proc = govsim_cli(tmp_path, "run", "scenario=export_controls_2025", "seed=3", "time.steps=6",
                      "behaviour.decision.temperature=0.8")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "outputs" / "export_controls_2025-seed3"
    for name in ("indices.parquet", "forums.parquet", "countries.parquet", "scenario.json", "manifest.json",
                 "headlines.png", "summary.txt"):
        assert (folder / name).is_file(), name
    assert "export_controls_2025" in proc.stdout and "inclusiveness" in proc.stdout and str(folder) in proc.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 3 and manifest["scenario"] == "export_controls_2025"
    assert manifest["params"]["behaviour.decision.temperature"] == 0.8
    assert {"govsim", "mesa", "numpy", "python"} <= set(manifest["versions"]) and manifest["wall_time_s"] > 0
    assert len(manifest["scenario_hash"]) == 64 and "git" in manifest
    scenario = govsim.load_scenario("export_controls_2025", ["time.steps=6", "behaviour.decision.temperature=0.8"])
    assert json.loads((folder / "scenario.json").read_text()) == scenario.model_copy(update={"seed": 3}).model_dump(mode="json")
    expected = govsim.run(scenario, seed=3)
    assert_same_tables(folder, expected, ("indices", "forums", "countries"))
    summary = summary_text(expected.indices, "export_controls_2025", 3)
    assert (folder / "summary.txt").read_text() == summary + "\n" and summary in proc.stdout
    assert "MESA" not in (folder / "govsim.log").read_text(), "Mesa's per-step INFO logging must be silenced"


# ------------------------------------------------------------------ sweeps
def test_multirun_joblib_matches_serial_and_in_process_and_loads_back(tmp_path):
    """In the run layout each run's files are its in-process run's tables (the default batch layout
    equals the run layout: tests/test_batch_layout.py)."""
    grid = ["-m", "scenario=baseline,export_controls_2025", "seed=range(0,3)", "time.steps=6", "store.layout=run"]
    parallel = govsim_cli(tmp_path, "run", *grid, "hydra/launcher=joblib", "out=par")
    assert parallel.returncode == 0, parallel.stderr
    serial = govsim_cli(tmp_path, "run", *grid, "out=ser")
    assert serial.returncode == 0, serial.stderr
    runs = complete(tmp_path / "par")
    assert sorted((m["scenario"], m["seed"]) for m in runs) == [(s, i) for s in ("baseline", "export_controls_2025") for i in range(3)]
    assert [m["run_id"] for m in runs] == [m["run_id"] for m in complete(tmp_path / "ser")]
    for m in runs:
        expected = in_process(m["scenario"], m["seed"], 6)
        assert_same_tables(Path(m["folder"]), expected)
        assert_same_tables(tmp_path / "ser" / "runs" / m["run_id"], expected)
    df = govsim.load_sweep(tmp_path / "par")
    assert df.groupby(["scenario", "seed"]).size().to_dict() == {(s, i): 7 for s in ("baseline", "export_controls_2025") for i in range(3)}
    assert (df["time.steps"] == 6).all() and list(df.columns[:3]) == TAGS


def test_sweep_killed_part_way_resumes_without_losing_or_repeating_runs(tmp_path):
    args = [sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,30)", "seeds_per_job=30", "store.layout=run", "out=sw"]
    proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(complete(tmp_path / "sw")) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {m["run_id"]: m["started"] for m in complete(tmp_path / "sw")}
    assert 3 <= len(before) < 30, "the kill should land part-way through the sweep"
    resumed = govsim_cli(tmp_path, "run", "-m", "seed=range(0,30)", "seeds_per_job=30", "store.layout=run", "out=sw")
    assert resumed.returncode == 0, resumed.stderr
    after = complete(tmp_path / "sw")
    assert sorted(m["seed"] for m in after) == list(range(30))
    assert len({m["run_id"] for m in after}) == 30 == len(list((tmp_path / "sw" / "runs").iterdir()))
    assert all(m["started"] == before[m["run_id"]] for m in after if m["run_id"] in before), "complete runs were redone"
    assert f"{len(before)} skipped" in resumed.stderr + resumed.stdout


def test_failing_configuration_is_recorded_while_the_others_finish(tmp_path):
    missing = tmp_path / "no_such_world.csv"
    proc = govsim_cli(tmp_path, "run", "-m", "world.kind=real,csv", f"world.path={missing}", "seed=range(0,2)",
                      "time.steps=4", "out=sw")
    assert proc.returncode == 1
    found = store.manifests(tmp_path / "sw")
    assert sorted((m["params"]["world.kind"], m["status"]) for m in found) == [
        ("csv", "failed"), ("csv", "failed"), ("real", "complete"), ("real", "complete")]
    failed = [m for m in found if m["status"] == "failed"]
    assert all(str(missing) in m["error"]["message"] and m["error"]["type"] == "ScenarioError" for m in failed)
    assert "2 runs complete, 2 failed" in proc.stdout and "Traceback" not in proc.stderr
    assert sorted(govsim.load_sweep(tmp_path / "sw").seed.unique()) == [0, 1]  # only the complete runs


def test_submitit_local_launcher_runs_the_sweep(tmp_path):
    proc = govsim_cli(tmp_path, "run", "-m", "seed=range(0,2)", "seeds_per_job=1", "time.steps=4",
                      "hydra/launcher=submitit_local", "out=sw")
    assert proc.returncode == 0, proc.stderr
    runs = complete(tmp_path / "sw")
    assert sorted(m["seed"] for m in runs) == [0, 1]
    assert_same_tables(Path(runs[0]["folder"]), in_process("baseline", runs[0]["seed"], 4))


def test_compare_on_a_sweep_pairs_scenarios_on_common_seeds(tmp_path):
    sweep = govsim_cli(tmp_path, "run", "-m", "scenario=baseline,export_controls_2025", "seed=range(0,3)",
                       "time.steps=12", "out=sw")
    assert sweep.returncode == 0, sweep.stderr
    proc = govsim_cli(tmp_path, "compare", "sw", "--years", "2025", "--out", "cmp")
    assert proc.returncode == 0, proc.stderr
    assert {"compare.csv", "compare.md", "compare.png"} <= {p.name for p in (tmp_path / "cmp").iterdir()}
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv")
    row = table[(table.scenario == "export_controls_2025") & (table["index"] == "fragmentation")].iloc[0]
    df = govsim.load_sweep(tmp_path / "sw")
    end = df[df.period == "2025Q4"].pivot(index="seed", columns="scenario", values="fragmentation")
    assert row.n_common == 3 and row.reference == "baseline"
    assert row.delta_mean == pytest.approx((end.export_controls_2025 - end.baseline).mean())


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "args, parts",
    [
        (["behaviour.decision.temprature=2"], ["behaviour.decision.temprature", "unknown key", "temperature"]),
        (["behaviour.decision.temperature=warm"], ["behaviour.decision.temperature", "'warm'", "valid number", "Range: (0, 10]"]),
        (["behaviour.membership.p_apply=1.5"], ["behaviour.membership.p_apply", "1.5", "less than or equal to 1", "Range: [0, 1]"]),
        (["scenario=no_such"], ["scenario", "'no_such'", "baseline", "export_controls_2025"]),
        (["-m", "behaviour.decision.temperature=1,-1"], ["behaviour.decision.temperature", "-1", "greater than 0"]),
        (["time.steps"], ["time.steps", "key=value"]),
    ],
    ids=["unknown-key", "wrong-type", "out-of-range", "unknown-scenario", "bad-value-in-sweep", "no-equals"],
)
def test_bad_command_line_gives_one_clear_error_and_runs_nothing(tmp_path, args, parts):
    proc = govsim_cli(tmp_path, "run", *args, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("govsim run:") == 1
    assert all(p in proc.stderr for p in parts), proc.stderr
    assert not any(tmp_path.iterdir()), "nothing may run or be written"


def test_runtime_input_error_exits_2_without_traceback(tmp_path):
    proc = govsim_cli(tmp_path, "run", "world.kind=csv", f"world.path={tmp_path / 'missing.csv'}", "time.steps=1")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "world.path" in proc.stderr and "missing.csv" in proc.stderr


def test_validate_config_reports_every_problem(tmp_path):
    good = govsim_cli(tmp_path, "validate-config", str(govsim.cli.compose.CONFIG_DIR / "scenario" / "export_controls_2025.yaml"))
    assert good.returncode == 0 and "valid" in good.stdout and "ai_diffusion_2025" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntime: {steps: 0}\nbehaviour: {decision: {temperature: -1}}\nseeed: 3\n")
    proc = govsim_cli(tmp_path, "validate-config", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for part in ("time.steps", "behaviour.decision.temperature", "seeed", "unknown key"):
        assert part in proc.stderr
