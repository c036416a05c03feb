"""Same scenario + seed -> identical tables, in-process, in a fresh process and after a save/load."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import govsim
from govsim import load_scenario
from govsim.config import validate

TABLES = ("indices", "countries", "forums")
SHORT = ["time.steps=12"]


def assert_same_tables(a: govsim.Results, b: govsim.Results) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)


def _differs(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError:
        return True
    return False


@pytest.mark.parametrize(
    "name, overrides",
    [
        ("baseline", SHORT),
        ("export_controls_2025", ["time.steps=12"]),
        ("baseline", ["time.steps=12", "world.kind=synthetic", "world.n=300"]),
    ],
    ids=["baseline", "export-controls", "synthetic"],
)
def test_same_seed_same_tables(name, overrides):
    scenario = load_scenario(name, overrides)
    first, second = govsim.run(scenario, seed=5), govsim.run(scenario, seed=5)
    assert_same_tables(first, second)
    # a third run after another seed's run: no state leaks between runs in one process
    govsim.run(scenario, seed=6)
    assert_same_tables(first, govsim.run(scenario, seed=5))


@pytest.mark.parametrize("overrides", [SHORT, ["time.steps=12", "world.kind=synthetic", "world.n=300"]],
                         ids=["real", "synthetic"])
def test_different_seeds_different_tables(overrides):
    scenario = load_scenario("baseline", overrides)
    a, b = govsim.run(scenario, seed=1), govsim.run(scenario, seed=2)
    for name in TABLES:
        assert _differs(getattr(a, name), getattr(b, name)), f"{name} identical for seeds 1 and 2"


def test_scenario_seed_is_the_default():
    scenario = load_scenario("baseline", SHORT)
    default = govsim.run(scenario)
    assert default.seed == scenario.seed == 42
    assert_same_tables(default, govsim.run(scenario, seed=42))
    assert _differs(default.indices, govsim.run(scenario, seed=43).indices)


def test_seed_argument_equals_seed_in_scenario():
    explicit = govsim.run(load_scenario("baseline", SHORT), seed=7)
    in_scenario = govsim.run(load_scenario("baseline", [*SHORT, "seed=7"]))
    assert explicit.seed == in_scenario.seed == 7
    assert_same_tables(explicit, in_scenario)


def test_run_by_name_equals_run_of_loaded_scenario():
    by_name = govsim.run("export_controls_2025", seed=3)
    loaded = govsim.run(load_scenario("export_controls_2025"), seed=3)
    assert_same_tables(by_name, loaded)


def test_save_round_trips_tables_and_resolved_scenario(tmp_path):
    scenario = load_scenario("export_controls_2025", SHORT)
    results = govsim.run(scenario, seed=7)
    folder = results.save(tmp_path / "out")
    assert folder == tmp_path / "out"
    assert sorted(p.name for p in folder.iterdir()) == [".govsim-lock", "countries.parquet", "forums.parquet", "indices.parquet",
                                                        "manifest.json", "scenario.json"]
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet").drop(columns="run_id"), getattr(results, name),
                                      check_exact=True, obj=name)
    saved = json.loads((folder / "scenario.json").read_text())
    assert saved["seed"] == 7  # the seed the run used, not the scenario's 42
    resolved = validate(saved)
    assert resolved == scenario.model_copy(update={"seed": 7})
    # the saved scenario alone reproduces the run
    assert_same_tables(govsim.run(resolved), results)
    # saving again over the same folder works (atomic replace) and leaves no temporary files
    results.save(folder)
    assert not [p for p in folder.iterdir() if p.name.startswith(".") and p.name != ".govsim-lock"]


_LARGE_WORLD = """
import json, govsim
scenario = govsim.load_scenario("baseline", ["world=synthetic", "world.n=20000", "time.steps=3"])
print(json.dumps(govsim.run(scenario, seed=0, countries=False).indices.select_dtypes("number").to_numpy().tolist()))
"""


def test_a_large_worlds_indices_do_not_depend_on_the_blas_threads():
    """Dot products over 20 000 countries are split between BLAS threads, each adding its own part: the
    index pass makes no BLAS call (compiled sequential loops), so the cores (or a sweep's limits on
    them) change no result. A guard: a BLAS product in the pass could make it fail."""
    runs = []
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        done = subprocess.run([sys.executable, "-c", _LARGE_WORLD], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
