"""Batched ensembles (``run_many(..., batch=True)``, govsim/replicates.py): every replicate's tables
equal the single run of the same scenario and seed (memberships and statuses identical, indices
within 1e-9), over the whole scenario library, parameter sets and a synthetic world."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.config import ScenarioError
from govsim.config.scenario import Scenario
from govsim.replicates import Batch, batch_key, batches, run_batch
from govsim import runner
from govsim.runner import run

LIBRARY = list(govsim.list_scenarios()["name"])


def assert_same_tables(batched, single) -> None:
    """The same columns, dtypes and rows; float columns within 1e-9, every other column identical."""
    for name in ("indices", "countries", "forums"):
        b, s = getattr(batched, name), getattr(single, name)
        assert list(b.columns) == list(s.columns), name
        pd.testing.assert_frame_equal(b, s, check_exact=False, rtol=0, atol=1e-9, obj=name)
        for column in s.columns:
            if s[column].dtype.kind != "f":
                assert b[column].equals(s[column]), (name, column)  # identical (missing where missing)


def test_the_library_batched_equals_single_runs():
    """Every scenario of the library, two seeds each, 24 steps: one run_many call with batch=True
    (scenarios sharing a world, calendar, forums and behaviour share a batch) equals batch=False."""
    kwargs = dict(seeds=[0, 1], overrides={"time.steps": 24}, countries=True, progress=False)
    batched = govsim.run_many(LIBRARY, batch=True, **kwargs)
    single = govsim.run_many(LIBRARY, **kwargs)
    assert_same_tables(batched, single)
    jobs = [(govsim.load_scenario(name, ["time.steps=24"]), seed) for name in LIBRARY for seed in (0, 1)]
    assert len(batches(jobs)) < len(LIBRARY)  # some scenarios (differing only in shocks) were stacked together


@pytest.mark.parametrize("name", ["baseline", "export_controls_2025", "waico"])
def test_a_full_length_real_world_batch_equals_single_runs(name):
    """52 quarters of the real world, three seeds stacked: each replicate is its single run, bit for bit."""
    scenario = govsim.load_scenario(name)
    assert scenario.time.steps == 52
    seeds = [3, 0, 7]
    for seed, result in zip(seeds, run_batch([(scenario, seed) for seed in seeds])):
        single = run(scenario, seed=seed)
        assert result.seed == seed
        assert_same_tables(result, single)
        for table in ("indices", "countries", "forums"):
            pd.testing.assert_frame_equal(getattr(result, table), getattr(single, table), check_exact=True)


def test_each_replicate_draws_from_its_own_stream():
    """Seeds give different runs, and replicate r is seed r's run: it cannot have used another's stream."""
    scenario = govsim.load_scenario("baseline", ["time.steps=8"])
    first, second = run_batch([(scenario, 0), (scenario, 1)])
    assert not np.allclose(first.countries["engagement_un"], second.countries["engagement_un"])
    assert_same_tables(second, run(scenario, seed=1))
    assert_same_tables(first, run(scenario, seed=0))


def test_parameter_sets_batched_equal_single_runs():
    """Variants with their own behaviour parameters (labelled overrides), stacked in one batch, give
    their single runs."""
    variants = {label: govsim.load_scenario("baseline", ["time.steps=12", override]) for label, override in {
        "warm": "behaviour.decision.temperature=2", "cold": "behaviour.decision.temperature=0.5",
        "fast": "behaviour.dynamics.diffusion_speed=0.5", "narrow": "behaviour.decision.network_bandwidth=0.2",
        "no incumbency": "behaviour.dynamics.invest_incumbency=0", "strict": "behaviour.membership.p_exit=0.9"}.items()}
    assert len(batches([(scenario, 0) for scenario in variants.values()])) == 1
    batched = govsim.run_many(variants, seeds=[0, 2], batch=True, progress=False)
    single = govsim.run_many(variants, seeds=[0, 2], progress=False)
    assert_same_tables(batched, single)


def test_every_behaviour_number_may_differ_between_replicates():
    """Eight replicates with every behaviour number (but the review interval and the engagement
    threshold) drawn around its default, stacked, over a scenario with shocks: each is its single run."""
    base, rng = govsim.load_scenario("export_controls_2025", ["time.steps=20"]), np.random.default_rng(5)
    variants = []
    for _ in range(8):
        fields = base.model_dump(mode="json")
        for group, values in fields["behaviour"].items():
            for name, value in values.items():
                if isinstance(value, float) and name not in ("review_years", "engaged_threshold"):
                    values[name] = value * rng.uniform(0.8, 1.2)
                    try:
                        Scenario.model_validate(fields)
                    except ValueError:
                        values[name] = value  # outside its range: keep the default
        variants.append(Scenario.model_validate(fields))
    assert len({v.behaviour.decision.temperature for v in variants}) == 8
    jobs = [(scenario, seed) for seed, scenario in enumerate(variants)]
    assert len(batches(jobs)) == 1
    for (scenario, seed), result in zip(jobs, run_batch(jobs)):
        assert_same_tables(result, run(scenario, seed=seed))


def test_a_synthetic_world_batched_equals_single_runs():
    """A synthetic world drawn from each replicate's own stream (different countries' values and
    open-weight producer per seed), with shocks, stacked: each replicate equals its single run."""
    scenario = govsim.load_scenario("export_controls_2025", ["world.kind=synthetic", "world.n=40", "time.steps=16"])
    results = run_batch([(scenario, seed) for seed in range(4)])
    assert not np.allclose(results[0].countries["population"], results[1].countries["population"])
    for seed, result in enumerate(results):
        assert_same_tables(result, run(scenario, seed=seed))


def test_scenarios_that_cannot_share_a_batch_are_kept_apart():
    """Different calendars or worlds get different batch keys; a Batch refuses to mix them."""
    short, long = govsim.load_scenario("baseline", ["time.steps=4"]), govsim.load_scenario("baseline", ["time.steps=6"])
    assert batch_key(short) != batch_key(long)
    assert batches([(short, 0), (long, 0), (short, 1)]) == [[0, 2], [1]]
    yearly = govsim.load_scenario("baseline", ["time.steps=4", "behaviour.membership.review_years=2"])
    assert batch_key(short) != batch_key(yearly)  # reviews in different periods
    with pytest.raises(ValueError, match="share"):
        Batch([(short, 0), (long, 0)])


def test_batch_must_be_true_or_false():
    with pytest.raises(ScenarioError, match="batch"):
        govsim.run_many("baseline", seeds=1, batch="yes", progress=False)


@pytest.mark.parametrize("layout", ["run", "batch"])
def test_the_sweep_driver_stacks_a_jobs_seeds_and_stores_each_run_as_before(tmp_path, monkeypatch, layout):
    """``store.replicates=stacked``: run_specs simulates a job's seeds as one batch, stores every run
    as the single driver does (the same tables), and a second call skips them all (resume)."""
    import govsim.replicates as replicates
    from govsim.batch import run_specs, specs_from_config
    from govsim.cli.compose import compose_config
    from govsim import store

    stacked_sizes = []
    real = replicates.run_batch
    monkeypatch.setattr(replicates, "run_batch", lambda jobs, countries: stacked_sizes.append(len(jobs)) or real(jobs, countries))
    config = compose_config(["scenario=export_controls_2025", "++time.steps=6", "seed=[0,1,2,3]"])
    tables = {}
    for mode in ("single", "stacked"):
        specs, options = specs_from_config(config, {})
        options = {**options, "layout": layout, "replicates": mode}
        root = tmp_path / mode
        counts = run_specs(specs, lambda s, root=root: root / "runs" / s.run_id, options, log_failures=False)
        assert (counts.done, counts.failed) == (4, 0)
        tables[mode] = {name: store.load_sweep(root, name) for name in ("indices", "forums")}
        again = run_specs(specs, lambda s, root=root: root / "runs" / s.run_id, options, log_failures=False)
        assert (again.done, again.skipped) == (0, 4)
    assert stacked_sizes == [4]  # one batch for the job's four seeds; nothing re-run on resume
    for name in ("indices", "forums"):
        single, stacked = (tables[m][name].sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
                           for m in ("single", "stacked"))
        pd.testing.assert_frame_equal(stacked, single, check_exact=False, rtol=0, atol=1e-9)


def test_store_replicates_takes_single_or_stacked():
    from govsim.batch import check_store_option

    check_store_option("store.replicates", ["single", "stacked"])
    with pytest.raises(ScenarioError, match="store.replicates.*single"):
        check_store_option("store.replicates", ["batched"])


def test_batches_on_local_processes_give_the_same_tables():
    """batch=True with n_jobs=2: the batches run on two processes, the tables are the single runs'."""
    kwargs = dict(seeds=3, overrides={"time.steps": 6}, progress=False)
    batched = govsim.run_many(["baseline", "waico"], batch=True, n_jobs=2, **kwargs)  # two batches (other forums)
    assert_same_tables(batched, govsim.run_many(["baseline", "waico"], **kwargs))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_batches_holding_the_plan_in_order_are_kept_whole(monkeypatch, n_jobs):
    """Seeds of one scenario, and scenarios stacked in plan order: the ensemble's tables are the batches'
    tables joined (never cut into runs and joined again), equal to the runs made one by one; a plan whose
    batches interleave its runs (below: waico is stacked apart, between the others) is cut and reordered."""
    kwargs = dict(seeds=[4, 0, 9], overrides={"time.steps": 12}, countries=True, progress=False)
    names = ["baseline", "export_controls_2025"]  # the same world, calendar and forums: one batch
    single = govsim.run_many(names, **kwargs)
    whole = govsim.run_many(names, batch=True, n_jobs=n_jobs, **kwargs)
    assert_same_tables(whole, single)
    assert whole.scenarios == single.scenarios
    cut, block = [], runner._block
    monkeypatch.setattr(runner, "_block", lambda table, r, runs: cut.append(r) or block(table, r, runs))
    govsim.run_many(names, batch=True, **kwargs)
    assert cut == []
    interleaved = ["baseline", "waico", "export_controls_2025"]
    assert_same_tables(govsim.run_many(interleaved, batch=True, **kwargs), govsim.run_many(interleaved, **kwargs))
    assert cut  # cut into runs, put back in the plan's order


def test_a_seed_sweep_of_a_hundred_real_world_runs_is_one_batch_and_a_large_worlds_batches_stay_small():
    """Batches are sized by the bytes their trace records (replicates.BATCH_BYTES): a hundred seeds of the
    real world share one batch (a step's fixed cost shared by all), a large world's batch holds a few."""
    from govsim.replicates import BATCH_BYTES, batch_size
    from govsim.trace import row_bytes

    real = govsim.load_scenario("baseline")
    assert batches([(real, seed) for seed in range(100)]) == [list(range(100))]
    large = govsim.load_scenario("baseline", ["world.kind=synthetic", "world.n=3000"])
    size = batch_size(large)
    assert 1 <= size < 10 and size * row_bytes(3000, len(large.forums)) * (large.time.steps + 1) <= BATCH_BYTES
