"""Sensitivity analysis: SALib problem/sample/analyze on known functions, settings validation, and
``govsim sensitivity`` end to end on the real model (tiny design), including resume."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from govsim import sensitivity as sa, store
from govsim.cli import sensitivity as cli
from govsim.runner import HEADLINES

THREE = {"x1": [0.0, 1.0], "x2": [0.0, 1.0], "x3": [0.0, 1.0]}


def linear(design: pd.DataFrame) -> pd.DataFrame:
    """Outcomes of y = 5 x1 + 0 x2 + x3 for every design row, as ``analyze`` takes them."""
    y = 5 * design["x1"] + 0 * design["x2"] + design["x3"]
    return pd.DataFrame({"sample": design["sample"], "year": 2030, "y": y})


# --- problem / sample / analyze -------------------------------------------------------------------


def test_problem_lists_uncertain_then_levers_with_their_group():
    prob = sa.problem({"a": [0, 1], "b": [1, 2.5]}, levers={"c": [0, 0.5]})
    assert prob["names"] == ["a", "b", "c"] and prob["num_vars"] == 3
    assert prob["bounds"] == [[0.0, 1.0], [1.0, 2.5], [0.0, 0.5]]
    assert prob["group_of"] == {"a": "uncertain", "b": "uncertain", "c": "lever"}


@pytest.mark.parametrize("method, n, rows", [("morris", 6, 6 * 4), ("sobol", 16, 16 * 5)])
def test_sample_has_one_row_per_evaluation_and_is_reproducible(method, n, rows):
    prob = sa.problem(THREE)
    design = sa.sample(method, prob, n, seed=3)
    assert list(design.columns) == ["sample", "x1", "x2", "x3"] and len(design) == rows
    assert design["sample"].tolist() == list(range(rows))
    assert design[["x1", "x2", "x3"]].stack().between(0, 1).all()
    pd.testing.assert_frame_equal(design, sa.sample(method, prob, n, seed=3))
    assert not design.equals(sa.sample(method, prob, n, seed=4))
    assert "sample_scaled" not in prob, "SALib must not edit the caller's problem"


def test_morris_ranks_a_known_function():
    prob = sa.problem(THREE)
    design = sa.sample("morris", prob, 20, seed=0)
    table = sa.analyze("morris", prob, design, linear(design), indices=["y"]).set_index("parameter")
    assert list(table.columns) == ["index", "year", "group", "mu_star", "mu_star_conf", "mu", "sigma"]
    assert table.loc["x1", "mu_star"] == pytest.approx(5.0)  # elementary effect of x1 over its whole range
    assert table.loc["x3", "mu_star"] == pytest.approx(1.0)
    assert table.loc["x2", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert sa.ranked(sa.analyze("morris", prob, design, linear(design), indices=["y"]), "morris", "y", 2030)[
        "parameter"].tolist() == ["x1", "x3", "x2"]


def test_sobol_ranks_a_known_function():
    prob = sa.problem(THREE)
    design = sa.sample("sobol", prob, 512, seed=0)
    table = sa.analyze("sobol", prob, design, linear(design), indices=["y"]).set_index("parameter")
    assert list(table.columns) == ["index", "year", "group", "S1", "S1_conf", "ST", "ST_conf"]
    assert table.loc["x1", "ST"] == pytest.approx(25 / 26, abs=0.05)  # Var shares of 5 x1 and x3: 25:1
    assert table.loc["x3", "ST"] == pytest.approx(1 / 26, abs=0.02)
    assert table.loc["x1", "S1"] == pytest.approx(25 / 26, abs=0.05)
    assert abs(table.loc["x2", "ST"]) < 1e-9 and abs(table.loc["x2", "S1"]) < 0.02


def test_sobol_separates_first_order_from_interaction():
    prob = sa.problem({"x1": [0.0, 1.0], "x2": [0.0, 1.0]})
    design = sa.sample("sobol", prob, 1024, seed=0)
    y = design["x1"] * (design["x2"] - 0.5)  # E[y | x1] = 0: x1 acts only through the interaction
    outcomes = pd.DataFrame({"sample": design["sample"], "year": 2030, "y": y})
    table = sa.analyze("sobol", prob, design, outcomes, indices=["y"]).set_index("parameter")
    assert table.loc["x1", "S1"] == pytest.approx(0.0, abs=0.05)  # analytic: S1 = 0, ST = 1/4
    assert table.loc["x1", "ST"] == pytest.approx(0.25, abs=0.05)
    assert table.loc["x2", "S1"] == pytest.approx(0.75, abs=0.05)  # analytic: S1 = 3/4, ST = 1
    assert table.loc["x2", "ST"] == pytest.approx(1.0, abs=0.05)


def test_constant_outcome_gives_zero_indices_without_warnings():
    prob = sa.problem(THREE)
    design = sa.sample("sobol", prob, 8, seed=0)
    flat = pd.DataFrame({"sample": design["sample"], "year": 2030, "y": 0.4})
    table = sa.analyze("sobol", prob, design, flat, indices=["y"])
    assert (table[["S1", "S1_conf", "ST", "ST_conf"]] == 0).all().all()


def test_outcomes_average_seeds_at_year_ends_and_fill_repeated_points():
    design = pd.DataFrame({"sample": [0, 1, 2], "p": [0.5, 1.0, 0.5]})  # sample 2 repeats sample 0's point
    runs = []
    for sample, p in [(0, 0.5), (1, 1.0)]:  # the sweep runs each distinct point once per seed
        for seed in (0, 1):
            for period, t in (("2023Q4", 2024.0), ("2024Q2", 2024.5), ("2024Q4", 2025.0)):  # t: the state's time
                runs.append({"run_id": f"r{sample}-{seed}", "seed": seed, "sample": sample, "p": p, "period": period,
                             "year": int(period[:4]), "inclusiveness": p + seed + t / 1000, "fragmentation": 0.0, "ai_divide": 0.0})
    out = sa.outcomes_at_years(pd.DataFrame(runs), [2024], design=design)
    assert out["sample"].tolist() == [0, 1, 2] and (out["year"] == 2024).all() and (out["n_seeds"] == 2).all()
    assert out["inclusiveness"].tolist() == pytest.approx([0.5 + 0.5 + 2.025, 1.0 + 0.5 + 2.025, 0.5 + 0.5 + 2.025])
    by_sample = sa.outcomes_at_years(pd.DataFrame(runs), [2024])
    assert by_sample["sample"].tolist() == [0, 1] and by_sample["n_seeds"].tolist() == [2, 2]
    missing = sa.outcomes_at_years(pd.DataFrame(runs[:3]), [2024], design=design)  # only sample 0, seed 0 ran
    assert missing["n_seeds"].tolist() == [1, 0, 1] and missing["inclusiveness"].isna().tolist() == [False, True, False]


@pytest.mark.parametrize("call, message", [
    (lambda: sa.problem({"x": [1.0, 1.0]}), "low must be below high"),
    (lambda: sa.problem({"x": [2.0, 1.0]}), "low must be below high"),
    (lambda: sa.problem({"x": [0.0]}), "two numbers"),
    (lambda: sa.problem({}), "no parameters"),
    (lambda: sa.problem({"x": [0, 1]}, levers={"x": [0, 1]}), "both as uncertain parameters and as levers"),
    (lambda: sa.sample("sobol", sa.problem(THREE), 12), "samples = 12: Sobol needs a power of 2"),
    (lambda: sa.sample("morris", sa.problem(THREE), 1), ">= 2"),
    (lambda: sa.sample("fast", sa.problem(THREE), 8), "unknown"),
])
def test_library_rejects_bad_settings(call, message):
    with pytest.raises(sa.SensitivityError, match=re.escape(message)):
        call()


@pytest.mark.parametrize("method, n", [("morris", 6), ("sobol", 16)])
def test_figures_show_every_parameter_per_index_with_its_group(method, n):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    from govsim.plotting import plot_sensitivity, plot_sensitivity_over_time

    prob = sa.problem({"behaviour.x1": [0.0, 1.0], "x2": [0.0, 1.0]}, levers={"x3": [0.0, 1.0]})
    design = sa.sample(method, prob, n, seed=0)
    y = 5 * design["behaviour.x1"] + design["x2"] + 2 * design["x3"]
    outcomes = pd.concat([pd.DataFrame({"sample": design["sample"], "year": year, "y": y, "z": -y})
                          for year in (2030, 2035)])
    table = sa.analyze(method, prob, design, outcomes, indices=["y", "z"])
    fig, axes = plot_sensitivity(table, method)
    assert [ax.get_title() for ax in axes] == ["Y", "Z"]  # unknown columns: a readable name from the registry
    assert axes[0].get_xlabel() == f"{sa.RANK_BY[method]} (end of 2035)"
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert labels == ["x3", "x2", "x1"]  # bottom to top: the lever, then the uncertain ones by rank
    assert [bar.get_facecolor()[:3] for bar in axes[0].patches] == [to_rgb(c) for c in ("tab:orange", "tab:blue", "tab:blue")]
    assert (axes[0].get_legend() is not None) == (method == "sobol")  # S1 diamonds for Sobol
    plt.close(fig)
    fig, axes = plot_sensitivity_over_time(table, method)
    assert [ax.get_title() for ax in axes] == ["Y", "Z"]
    assert [(line.get_label(), line.get_linestyle()) for line in axes[0].get_lines()] == \
        [("x1", "-"), ("x2", "-"), ("x3", "--")]
    assert [t.get_text() for t in axes[-1].get_legend().get_texts()] == ["x1", "x2", "x3"]
    plt.close(fig)


# --- the command: settings and validation ---------------------------------------------------------


def plan(*args: str) -> cli.Plan:
    return cli.make_plan(*cli.parse_args(list(args)))


SHORT = ("samples=2", "time.steps=8", "years=[2024]")


def test_levers_are_analysed_only_when_asked_and_as_their_own_group(tmp_path):
    without = plan(f"out={tmp_path / 'a'}")
    assert without.problem["names"] and not any(n.startswith("shocks.") for n in without.problem["names"])
    assert set(without.problem["group_of"].values()) == {"uncertain"}
    with_levers = plan("include_levers=true", f"out={tmp_path / 'b'}")
    levers = [n for n, g in with_levers.problem["group_of"].items() if g == "lever"]
    assert levers and all(n.startswith("shocks.") for n in levers)
    assert with_levers.problem["names"] == without.problem["names"] + levers
    assert not any(tmp_path.iterdir()), "planning writes nothing"


def test_default_out_depends_on_what_decides_the_runs_only():
    base = plan(*SHORT)
    assert base.out.name.startswith("sensitivity-baseline-morris-")
    assert plan(*SHORT, "years=[2023,2024]", "jobs=1", "hydra/launcher=joblib").out == base.out
    assert plan(*SHORT, "samples=3").out != base.out
    assert plan(*SHORT, "time.steps=9").out != base.out
    assert plan(*SHORT, "include_levers=true").out != base.out
    assert plan(*SHORT, "sample_seed=1").out != base.out


@pytest.mark.parametrize("args, message", [
    (["uncertain.behaviour.decision.tempreture=[0.5,2]"], "unknown key 'behaviour.decision.tempreture'"),
    (["uncertain.behaviour.decision.temperature=[2,0.5]"], "low must be below high"),
    (["uncertain.behaviour.decision.temperature=[0,2]"], "behaviour.decision.temperature = 0: Input should be greater than 0"),
    (["uncertain.behaviour.membership.p_apply=[0.5,1.5]"], "p_apply = 1.5: Input should be less than or equal to 1"),
    (["levers.shocks.us_chip_controls_2022.leakage=[0,2]"], "leakage = 2: Input should be less than or equal to 1"),
    (["levers.shocks.nope.leakage=[0,0.5]", "include_levers=true"], "'shocks.nope' is not a section"),
    (["uncertain.shocks.us_chip_controls_2022.leakage=[0,0.5]"], "shock fields are policy levers"),
    (["levers.behaviour.decision.w_cost=[0,1]"], "policy levers are fields of shocks"),
    (["method=fast"], "method = 'fast': unknown. Fix: use one of ['morris', 'sobol']"),
    (["method=sobol", "samples=100"], "Sobol needs a power of 2 (the Sobol' sequence is balanced only then). Fix: samples=64 or samples=128"),
    (["samples=1"], "samples = 1: must be a whole number >= 2"),
    (["seeds=0"], "seeds = 0: must be a whole number >= 1"),
    (["years=[2024,2025]", "time.steps=4"], "years [2024, 2025]: the runs (2023Q1, 4 steps of 0.25 years) record the end of the years 2022-2023 only"),
    (["sampels=4"], "unknown setting 'sampels'. Fix: use one of ['config', 'scenario', 'method', 'samples'"),
    (["seed=3"], "use seeds=N"),
    (["time.steps=4,8"], "sweeps are not allowed here"),
    (["time.stepz=4"], "unknown key 'time.stepz'"),
    (["scenario=nowhere"], "unknown scenario 'nowhere'"),
    (["config=nowhere"], "config 'nowhere': no such file"),
    (["behaviour.decision.temperature=0.7"], "behaviour.decision.temperature is a sampled parameter"),
    (["uncertain=5", "uncertain.x=[0,1]"], "uncertain = 5: must be a mapping"),
    (["levers=[a, b]"], "levers = ['a', 'b']: must be a mapping"),
    (["uncertain={time.steps: [8, 12]}"], "a valid integer, got a number with a fractional part. Fix:"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert cli.main([*args, f"out={out}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("govsim sensitivity: ") and err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not out.exists()


def test_a_settings_file_with_an_unknown_key_is_rejected(tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text("method: morris\nuncertain: {behaviour.decision.w_cost: [0.1, 1.0]}\nsamples: 2\nseed: 4\n")
    assert cli.main([f"config={bad}", f"out={tmp_path / 'out'}"]) == 2
    assert "mine.yaml: unknown setting 'seed'" in capsys.readouterr().err


def test_an_out_folder_with_another_design_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    cli.prepare_out(plan(*SHORT, f"out={out}"))
    assert plan(*SHORT, "years=[2023]", f"out={out}").out == out  # the same design, other years: fine
    assert cli.main([*SHORT, "samples=3", f"out={out}"]) == 2
    assert "holds another sensitivity design" in capsys.readouterr().err
    # the same scenario overrides in another order are the same design (same default folder, accepted)
    cli.prepare_out(plan(*SHORT, "world=synthetic", "world.n=30", f"out={tmp_path / 'o'}"))
    assert plan(*SHORT, "world.n=30", "world=synthetic", f"out={tmp_path / 'o'}").out == tmp_path / "o"
    assert plan(*SHORT, "world.n=30", "world=synthetic").out == plan(*SHORT, "world=synthetic", "world.n=30").out


def test_an_out_folder_made_with_other_defaults_is_refused(tmp_path, capsys, monkeypatch):
    """Runs made before the defaults changed (e.g. a recalibration) must not be mixed with new ones:
    the base scenario's hash is part of the design, and of the default folder's name."""
    out = tmp_path / "out"
    cli.prepare_out(plan(*SHORT, f"out={out}"))
    default_before = plan(*SHORT).out
    monkeypatch.setattr(cli, "scenario_hash", lambda scenario: "0" * 64)  # as if the defaults had changed
    assert plan(*SHORT).out != default_before
    assert cli.main([*SHORT, f"out={out}"]) == 2
    assert "differs in scenario_hash" in capsys.readouterr().err


# --- the command end to end -----------------------------------------------------------------------


def test_sensitivity_end_to_end_on_the_model_then_resumes(tmp_path, capsys):
    out = tmp_path / "sa"
    args = ["method=morris", "samples=2", "seeds=1", "years=[2024]", "time.steps=8", f"out={out}",
            "uncertain={behaviour.decision.temperature: [0.5, 2.0], behaviour.decision.w_access: [1.5, 6.0],"
            " behaviour.dynamics.adoption_speed: [0.05, 0.5]}"]
    assert cli.main(args) == 0
    printed = capsys.readouterr().out
    assert "## inclusiveness" in printed and f"written to {out}" in printed
    params = ["behaviour.decision.temperature", "behaviour.decision.w_access", "behaviour.dynamics.adoption_speed"]
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["index", "year", "parameter", "group", "mu_star", "mu_star_conf", "mu", "sigma"]
    assert sorted(zip(table["index"], table["year"], table["parameter"])) == sorted(
        (i, 2024, p) for i in HEADLINES for p in params)
    assert table[["mu_star", "sigma"]].notna().all().all() and (table["group"] == "uncertain").all()
    assert (table.groupby("index")["mu_star"].max() > 0).all(), "the parameters move every headline"
    for name in ("sensitivity.md", "sensitivity_morris.png", "sensitivity_over_time.png", "design.parquet", "problem.json"):
        assert (out / name).stat().st_size > 0
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 2 * (3 + 1) and json.loads((out / "problem.json").read_text())["names"] == params
    records = store.manifests(out)  # either layout: one record per run
    assert len(records) == len(design.drop_duplicates(params))  # one seed per distinct point
    before = {m["run_id"]: (m["started"], m["wall_time_s"]) for m in records}  # a re-run changes them

    assert cli.main(args) == 0  # the same command again: every run is skipped
    assert {m["run_id"]: (m["started"], m["wall_time_s"]) for m in store.manifests(out)} == before
    pd.testing.assert_frame_equal(pd.read_csv(out / "sensitivity.csv"), table)


def test_a_failed_run_exits_1_without_analysis_and_a_rerun_completes_it(tmp_path, capsys, monkeypatch):
    import govsim.batch
    import govsim.replicates
    from govsim.runner import run

    out = tmp_path / "sa"
    args = ["samples=2", "seeds=1", "years=[2023]", "time.steps=4", f"out={out}",
            "uncertain={behaviour.decision.temperature: [0.5, 2.0], behaviour.decision.w_cost: [0.25, 1.0]}"]
    calls = []

    def first_run_fails(scenario, seed=None, countries=True):
        calls.append(seed)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return run(scenario, seed=seed, countries=countries)

    def batch_fails(jobs, countries):  # as an error in one replicate stops its stacked batch: each run then alone
        raise RuntimeError("boom in a batch")

    real_batch = govsim.replicates.run_batch
    monkeypatch.setattr(govsim.replicates, "run_batch", batch_fails)
    monkeypatch.setattr(govsim.replicates, "run", first_run_fails)
    monkeypatch.setattr(govsim.batch, "run", first_run_fails)
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "1 of 6 design samples lack complete runs, so there is no analysis; 1 runs failed" in err
    assert "failed: sample " in err and "boom" in err
    assert not (out / "sensitivity.csv").exists()

    monkeypatch.setattr(govsim.replicates, "run_batch", real_batch)
    monkeypatch.setattr(govsim.replicates, "run", run)
    monkeypatch.setattr(govsim.batch, "run", run)
    records = store.manifests(out)
    before = {m["run_id"]: m["started"] for m in records if m["status"] == "complete"}
    assert len(before) == len(records) - 1
    assert cli.main(args) == 0  # only the failed run runs again
    after = {m["run_id"]: m for m in store.manifests(out)}
    assert all(m["status"] == "complete" for m in after.values()) and len(after) == len(records)
    assert {run_id: after[run_id]["started"] for run_id in before} == before
    assert len(pd.read_csv(out / "sensitivity.csv")) == 2 * len(HEADLINES)


def test_sobol_confidence_intervals_are_reproducible_even_with_seed_0():
    """SALib seeds its bootstrap only for a truthy seed; sample_seed=0 must still be reproducible."""
    prob = sa.problem({"x1": [0, 1], "x2": [0, 1]})
    design = sa.sample("sobol", prob, 16, seed=0)
    x = design.drop(columns="sample").to_numpy()
    y = 3 * x[:, 0] + x[:, 1]
    first, second = (sa._indices("sobol", prob, x, y, 4, 0) for _ in range(2))
    assert np.array_equal(first["S1_conf"], second["S1_conf"]) and np.array_equal(first["ST_conf"], second["ST_conf"])
