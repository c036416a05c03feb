"""govsim.run_many (ensembles from Python), the time convention of every table, and saved runs read back."""

from __future__ import annotations

import pandas as pd
import pytest

import govsim
from govsim.runner import LEAD

SHORT = {"time.steps": 12}  # 2023Q1-2025Q4


@pytest.fixture(scope="module")
def ensemble():
    return govsim.run_many(["baseline", "export_controls_escalation"], seeds=[0, 1], overrides=SHORT, countries=True,
                           progress=False)


def test_tables_are_tagged_with_run_scenario_and_seed(ensemble):
    for table in (ensemble.indices, ensemble.countries, ensemble.forums):
        assert list(table.columns[:7]) == ["run_id", *LEAD]
        assert set(table.groupby(["scenario", "seed"]).groups) == {(s, k) for s in ("baseline", "export_controls_escalation")
                                                                  for k in (0, 1)}
        assert table.groupby("run_id")[["scenario", "seed"]].nunique().eq(1).all().all()
    assert len(ensemble.indices) == 4 * 13 and len(ensemble.countries) == 4 * 13 * 193


def test_each_run_equals_a_single_run(ensemble):
    single = govsim.run("export_controls_escalation", seed=1, overrides=SHORT)
    mine = ensemble.indices[(ensemble.indices.scenario == "export_controls_escalation") & (ensemble.indices.seed == 1)]
    pd.testing.assert_frame_equal(mine.drop(columns="run_id").reset_index(drop=True), single.indices)


def test_summarize_works_on_an_ensemble_directly(ensemble):
    summary = govsim.summarize(ensemble.indices)
    assert set(summary.scenario) == {"baseline", "export_controls_escalation"} and (summary.n == 2).all()


def test_the_2035q4_row_is_year_2035_everywhere():
    results = govsim.run("baseline", seed=0, countries=False)
    last = results.indices.iloc[-1]
    assert (last.period, last.year, last.time) == ("2035Q4", 2035, 2035.75)
    assert results.indices[results.indices.year == 2035].period.tolist() == ["2035Q1", "2035Q2", "2035Q3", "2035Q4"]
    outcome = govsim.experiment("baseline", seed=0, years=(2035,))
    assert outcome["ai_divide_2035"] == pytest.approx(last.ai_divide)
    with pytest.raises(ValueError, match="year 2036 is outside the run: the run ends at 2035Q4"):
        govsim.experiment("baseline", seed=0, years=(2036,))


def test_parallel_runs_give_identical_tables(ensemble):
    parallel = govsim.run_many(["baseline", "export_controls_escalation"], seeds=[0, 1], overrides=SHORT,
                               countries=True, n_jobs=2, progress=False)
    for name in ("indices", "countries", "forums"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(ensemble, name))


def test_labelled_variants_and_seed_counts():
    out = govsim.run_many({"narrow": "baseline", "wide": "baseline"}, seeds=2, overrides=SHORT, progress=False)
    assert sorted(out.indices.scenario.unique()) == ["narrow", "wide"]
    assert sorted(out.indices.seed.unique()) == [0, 1]
    assert out.countries.empty
    narrow, wide = (out.indices[out.indices.scenario == s].drop(columns=["run_id", "scenario"]).reset_index(drop=True)
                    for s in ("narrow", "wide"))
    pd.testing.assert_frame_equal(narrow, wide)


def test_saved_ensemble_and_saved_run_load_with_load_sweep(tmp_path, ensemble):
    ensemble.save(tmp_path / "ens")
    back = govsim.load_sweep(tmp_path / "ens")
    key = ["run_id", "step"]
    pd.testing.assert_frame_equal(back.sort_values(key).reset_index(drop=True),
                                  ensemble.indices.sort_values(key).reset_index(drop=True), check_dtype=False)
    countries = govsim.load_sweep(tmp_path / "ens", table="countries")
    assert len(countries) == len(ensemble.countries)
    one = govsim.run("baseline", seed=3, overrides=SHORT)
    folder = one.save(tmp_path / "one")
    read = govsim.load_sweep(folder)
    pd.testing.assert_frame_equal(read.drop(columns="run_id"), one.indices, check_dtype=False)
    assert read.run_id.nunique() == 1 and sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "countries.parquet", "forums.parquet", "indices.parquet", "manifest.json", "scenario.json"]


@pytest.mark.parametrize("kwargs, message", [
    ({"scenarios": "no_such"}, "no_such"),
    ({"scenarios": [], "seeds": 2}, "scenarios: none given"),
    ({"scenarios": "baseline", "seeds": [0, 0]}, "each once"),
    ({"scenarios": "baseline", "seeds": [-1]}, "-1 is not a seed"),
    ({"scenarios": "baseline", "seeds": "0,1"}, "is not seeds"),
    ({"scenarios": ["baseline", "baseline"], "seeds": 1}, "listed twice"),
    ({"scenarios": {"": "baseline"}, "seeds": 1}, "is not a name"),
    ({"scenarios": [3], "seeds": 1}, "3 is not a scenario"),
    ({"scenarios": "baseline", "seeds": 1, "n_jobs": 0}, "n_jobs = 0"),
    ({"scenarios": "baseline", "seeds": 1, "overrides": ["time.steps=zero"]}, "time.steps"),
])
def test_bad_input_is_one_clear_error(kwargs, message):
    with pytest.raises(govsim.ScenarioError, match=message) as info:
        govsim.run_many(progress=False, **kwargs)
    assert "\n" not in str(info.value)


def test_progress_bar_counts_every_run(capsys):
    govsim.run_many("baseline", seeds=3, overrides={"time.steps": 2}, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "govsim runs" in err


def test_summaries_of_years_use_the_same_convention(ensemble):
    at = govsim.compare(ensemble.indices, years=[2025])
    row = at[(at.scenario == "baseline") & (at["index"] == "ai_divide")].iloc[0]
    direct = ensemble.indices[(ensemble.indices.scenario == "baseline") & (ensemble.indices.period == "2025Q4")]
    assert row["mean"] == pytest.approx(direct.ai_divide.mean())
