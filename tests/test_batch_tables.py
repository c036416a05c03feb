"""A batch's result tables (govsim/replicates.py ``Batch.results``, govsim/runner.py ``stacked_results``)
are built once for all replicates and cut into the replicates' blocks: each block must be exactly the
table its single run builds (columns, dtypes, values, index), and its own (no write reaches another)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

import govsim
from govsim import trace
from govsim.replicates import batch_key, run_batch
from govsim.runner import run
from govsim.rows import forum_sum

STEPS = ["time.steps=10"]


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(want.columns), what
    assert list(got.dtypes) == list(want.dtypes), what
    assert type(got.index) is pd.RangeIndex and got.index.equals(want.index), what
    pd.testing.assert_frame_equal(got, want, check_exact=True, obj=what)
    for column in want.columns:
        assert got[column].equals(want[column]), (what, column)


def test_each_replicate_of_a_batch_with_shocks_and_countries_gets_its_single_runs_tables_exactly():
    """Two scenarios with shocks (different names: the scenario column changes between blocks), three
    seeds in an unsorted order, the countries table kept: every table equals the single run's."""
    first, second = (govsim.load_scenario(name, STEPS) for name in ("export_controls_2025", "export_controls_escalation"))
    assert first.shocks and second.shocks and batch_key(first) == batch_key(second)
    jobs = [(first, 7), (second, 0), (first, 2), (second, 7)]
    batched = run_batch(jobs, countries=True)
    assert len(batched) == len(jobs)
    for (scenario, seed), result in zip(jobs, batched):
        single = run(scenario, seed=seed, countries=True)
        assert (result.scenario, result.seed) == (scenario, seed)
        assert len(result.countries) == 11 * 193 and len(result.forums) == 11 * 3
        for table in ("indices", "countries", "forums"):
            _assert_identical(getattr(result, table), getattr(single, table), f"{scenario.name} seed {seed} {table}")


def test_a_batch_without_the_countries_table_gives_each_replicate_an_empty_one():
    scenario = govsim.load_scenario("baseline", STEPS)
    for seed, result in zip((1, 4), run_batch([(scenario, 1), (scenario, 4)], countries=False)):
        single = run(scenario, seed=seed, countries=False)
        assert result.countries.empty and single.countries.empty
        _assert_identical(result.indices, single.indices, "indices")
        _assert_identical(result.forums, single.forums, "forums")


def test_a_replicates_tables_are_its_own():
    """Writing to one replicate's table (a block of the batch's table) changes no other replicate's."""
    scenario = govsim.load_scenario("baseline", STEPS)
    one, two = run_batch([(scenario, 0), (scenario, 1)], countries=True)
    before = {name: getattr(two, name).copy() for name in ("indices", "countries", "forums")}
    one.indices.loc[0, "inclusiveness"] = -1.0
    one.countries.loc[0, "capability"] = -1.0
    one.forums.loc[0, "position"] = 9.0
    one.indices["extra"] = 1
    assert one.indices.loc[0, "inclusiveness"] == -1.0
    for name, table in before.items():
        _assert_identical(getattr(two, name), table, name)


def test_an_ensembles_tables_are_the_runs_tables_each_led_by_its_run_id():
    """run_many joins the runs' tables and makes the run_id column once: the same table as tagging
    every run's table with its run_id (store.with_run_id) and joining those."""
    from govsim import many, store

    plan = many._plan(["export_controls_2025", "baseline"], [3, 1], ["time.steps=6"])
    results = many._execute(plan, countries=True, n_jobs=1, progress=False, batch=True)
    ensemble = govsim.run_many(["export_controls_2025", "baseline"], seeds=[3, 1], overrides=["time.steps=6"],
                               countries=True, progress=False, batch=True)
    for name in ("indices", "countries", "forums"):
        want = pd.concat([store.with_run_id(getattr(r, name), rid) for rid, r in zip(plan, results)], ignore_index=True)
        _assert_identical(getattr(ensemble, name), want, name)
        assert list(getattr(ensemble, name)["run_id"].unique()) == list(plan)
    empty = govsim.run_many("baseline", seeds=2, overrides=["time.steps=3"], progress=False, batch=True)
    assert empty.countries.empty and list(empty.countries.columns) == []


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(1, 40), n=st.integers(1, 60), k=st.integers(1, 10),
       ties=st.floats(0, 1))
def test_the_fast_forum_sum_is_numpys_bit_for_bit(seed, t, n, k, ties):
    """rows.forum_sum: numpy's sum along the forum axis, bit for bit, with repeated values and zeros
    of both signs, in C order and in a view with the forums outermost."""
    rng = np.random.default_rng(seed)
    x = rng.random((t, n, k)) * 10.0 ** rng.uniform(-6, 6, (t, n, k))
    x = np.where(rng.random(x.shape) < ties, np.round(x[..., :1], 1), x)  # repeated values
    x[rng.random(x.shape) < 0.05] = -0.0
    view = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, -1, 0)), 0, -1)  # the same values, forums outermost
    for same in (x, view):
        assert _bits(forum_sum(same)) == _bits(x.sum(axis=-1))


def _bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def test_a_batch_measured_a_few_rows_at_a_time_gives_the_same_indices(monkeypatch):
    """Trace.measure takes a batch's rows a few hundred at a time (MEASURE_BYTES): any chunking gives the same bits."""
    scenario = govsim.load_scenario("bloc_decoupling", STEPS)
    jobs = [(scenario, seed) for seed in (0, 1, 2, 3)]
    whole = run_batch(jobs, countries=False)
    monkeypatch.setattr(trace, "MEASURE_BYTES", 1.0)  # 16 rows a time: chunks across replicates' blocks, a short last one
    for got, want in zip(run_batch(jobs, countries=False), whole):
        _assert_identical(got.indices, want.indices, "indices")
