"""Ensembles across seeds (govsim.ensemble), the bands figure and ``govsim compare``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from govsim.cli import compare as cli
from govsim.ensemble import at_years, compare, summarize
from govsim.plotting import plot_bands
from govsim.plotting.labels import title
from govsim.runner import HEADLINES


def _frame(values: dict[tuple[str, int], list[float]], start: float = 2023.0, dt: float = 0.25, **extra) -> pd.DataFrame:
    """Long table like govsim.store.load_sweep: one run per (scenario, seed), ``inclusiveness`` = values.

    ``fragmentation`` is 10 x inclusiveness and ``ai_divide`` is constant 0.5.
    """
    rows = []
    for (scenario, seed), series in values.items():
        for step, value in enumerate(series):
            time = start + (step - 1) * dt  # the period's start; the row holds the state at its end
            period = f"{int(time)}" if dt == 1.0 else f"{int(time // 1)}Q{int(round((time % 1) * 4)) + 1}"
            rows.append({"run_id": f"{scenario}-{seed}", "scenario": scenario, "seed": seed, **extra, "step": step,
                         "period": period, "year": int(time // 1), "time": time, "inclusiveness": value, "fragmentation": 10 * value,
                         "ai_divide": 0.5})
    return pd.DataFrame(rows)


def _row(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.logical_and.reduce([table[k] == v for k, v in where.items()])
    assert mask.sum() == 1, f"expected one row for {where}, got {mask.sum()}"
    return table[mask].iloc[0]


# --- summarize --------------------------------------------------------------------------------

def test_summarize_mean_std_and_numpy_quantiles():
    df = _frame({("base", 0): [1, 10], ("base", 1): [2, 20], ("base", 2): [3, 60]})
    out = summarize(df)
    assert list(out.columns) == ["scenario", "step", "period", "year", "time", "index", "n", "mean", "std", "q05", "q50", "q95"]
    assert len(out) == 2 * 3  # 2 steps x 3 indices
    first = _row(out, step=0, index="inclusiveness")
    assert (first.n, first["mean"], first["std"], first.period, first.year) == (3, 2.0, 1.0, "2022Q4", 2022)
    assert first[["q05", "q50", "q95"]].tolist() == pytest.approx(np.quantile([1, 2, 3], [0.05, 0.5, 0.95]))
    second = _row(out, step=1, index="fragmentation")
    assert second["mean"] == pytest.approx(300.0)
    assert second["q95"] == pytest.approx(np.quantile([100, 200, 600], 0.95))


def test_summarize_keeps_groups_apart_and_names_quantiles_by_percent():
    df = _frame({("base", 0): [1.0], ("base", 1): [3.0], ("policy", 0): [10.0], ("policy", 1): [30.0]})
    out = summarize(df, indices=["inclusiveness"], quantiles=(0.025, 0.975))
    assert out.set_index("scenario")["mean"].to_dict() == {"base": 2.0, "policy": 20.0}
    assert {"q2.5", "q97.5"} <= set(out.columns)
    assert _row(out, scenario="policy")["q97.5"] == pytest.approx(np.quantile([10, 30], 0.975))


def test_summarize_groups_by_several_columns_and_keeps_unset_values():
    low = _frame({("s", 0): [1.0], ("s", 1): [2.0]}, **{"behaviour.decision.temperature": 0.5})
    high = _frame({("s", 2): [5.0], ("s", 3): [7.0]}, **{"behaviour.decision.temperature": 2.0})
    unset = _frame({("s", 4): [100.0]}, **{"behaviour.decision.temperature": np.nan})
    out = summarize(pd.concat([low, high, unset]), by=["scenario", "behaviour.decision.temperature"],
                    indices=["inclusiveness"])
    assert out["mean"].tolist() == [1.5, 6.0, 100.0]
    assert out["n"].tolist() == [2, 2, 1]


@pytest.mark.parametrize("kwargs, message", [
    ({"by": ["scenario", "nope"]}, "unknown column 'nope'; available columns: run_id, scenario, seed"),
    ({"indices": ["inclusiveness", "happiness"]}, "unknown index 'happiness'; available columns: .*ai_divide"),
    ({"quantiles": (0.5, 1.5)}, r"quantiles \[0.5, 1.5\] must be distinct numbers in \[0, 1\]"),
])
def test_summarize_bad_arguments_name_the_value(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summarize(_frame({("base", 0): [1.0]}), **kwargs)


# --- at_years ---------------------------------------------------------------------------------

def test_at_years_takes_the_row_at_the_end_of_each_year_quarterly():
    df = _frame({("base", 0): list(range(13))})  # 2022Q4 ... 2025Q4
    out = at_years(df, [2023, 2025])
    assert out[["at_year", "period", "year", "step"]].values.tolist() == [[2023, "2023Q4", 2023, 4],
                                                                        [2025, "2025Q4", 2025, 12]]


def test_at_years_takes_the_row_at_the_end_of_each_year_annual():
    df = _frame({("base", 0): [0.0, 1.0, 2.0, 3.0]}, dt=1.0)  # periods 2022 ... 2025
    out = at_years(df, [2024])
    assert out[["period", "year", "step"]].values.tolist() == [["2024", 2024, 2]]


def test_at_years_outside_the_runs_names_the_year_and_span():
    df = _frame({("base", 0): list(range(13)), ("base", 1): list(range(9))})
    with pytest.raises(ValueError, match=r"year 2040 is outside the simulated span .*2022Q4 to 2025Q4.*2022-2024"):
        at_years(df, [2040])
    with pytest.raises(ValueError, match=r"year 2025 is outside .*1 of 2 runs reach its end"):
        at_years(df, [2025])


# --- compare ----------------------------------------------------------------------------------

def _paired_data() -> pd.DataFrame:
    """baseline on seeds 0-3, policy on seeds 1-4; only seeds 1-3 are common."""
    base = {0: 0.1, 1: 0.5, 2: 0.9, 3: 0.3}
    policy = {1: 0.6, 2: 0.8, 3: 0.5, 4: 9.0}
    values = {("baseline", s): [0.0] * 4 + [v] for s, v in base.items()}
    values |= {("a_policy", s): [0.0] * 4 + [v] for s, v in policy.items()}
    return _frame(values)


def test_compare_uses_paired_differences_on_common_seeds_only():
    out = compare(_paired_data(), [2023], indices=["inclusiveness"], level=0.9)
    row = _row(out, scenario="a_policy")
    d = np.array([0.6 - 0.5, 0.8 - 0.9, 0.5 - 0.3])
    assert row.reference == "baseline" and row.n == 4 and row.n_common == 3
    assert row["mean"] == pytest.approx(np.mean([0.6, 0.8, 0.5, 9.0]))
    assert row.delta_mean == pytest.approx(d.mean())  # unpaired: 2.725 - 0.45 = 2.275
    assert [row.delta_lo, row.delta_hi] == pytest.approx(np.quantile(d, [0.05, 0.95]))
    half = 2.919986 * d.std(ddof=1) / np.sqrt(3)  # t_{0.95, 2}
    assert [row.delta_ci_lo, row.delta_ci_hi] == pytest.approx([d.mean() - half, d.mean() + half], rel=1e-6)
    assert row.share_positive == pytest.approx(2 / 3)
    ref = _row(out, scenario="baseline")
    assert (ref.n_common, ref.delta_mean, ref.share_positive) == (4, 0.0, 0.0)


def test_compare_output_shape():
    out = compare(_paired_data(), [2022, 2023])
    assert list(out.columns) == ["scenario", "index", "at_year", "n", "mean", "lo", "hi", "reference", "n_common",
                                 "delta_mean", "delta_lo", "delta_hi", "delta_ci_lo", "delta_ci_hi", "share_positive"]
    assert len(out) == 2 * 3 * 2  # groups x indices x years


def test_compare_reference_defaults_and_text_match():
    df = _paired_data().replace({"baseline": "b_other"})
    assert set(compare(df, [2023]).reference) == {"a_policy"}  # no baseline: first in sorted order
    temps = pd.concat([_frame({("s", 0): [1.0] * 5}, p=0.5), _frame({("s", 0): [3.0] * 5}, p=2.0)])
    temps["run_id"] = temps["run_id"] + temps["p"].astype(str)
    row = _row(compare(temps, [2023], by="p", reference="2.0", indices=["inclusiveness"]), p=0.5)
    assert (row.reference, row.delta_mean) == (2.0, -2.0)
    with pytest.raises(ValueError, match=r"reference 'nope' is not a value of 'p'; choose one of \[0.5, 2.0\]"):
        compare(temps, [2023], by="p", reference="nope")


def test_compare_without_common_seeds_is_an_error():
    df = _frame({("baseline", 0): [1.0] * 5, ("policy", 1): [2.0] * 5})
    with pytest.raises(ValueError, match=r"'policy' and the reference 'baseline' share no seeds .*\[1\].*\[0\]"):
        compare(df, [2023])


def test_compare_refuses_two_runs_of_one_group_on_one_seed():
    df = pd.concat([_frame({("baseline", 0): [1.0] * 5}, p=1), _frame({("baseline", 0): [2.0] * 5}, p=2)])
    df["run_id"] = df["run_id"] + df["p"].astype(str)
    with pytest.raises(ValueError, match="several runs have scenario = 'baseline' and seed 0; group by the swept"):
        compare(df, [2023])


def test_compare_on_real_runs_is_the_mean_of_per_seed_differences(cached_run):
    frames = [cached_run(name, ("time.steps=12",), seed).indices.assign(scenario=name, seed=seed, run_id=f"{name}-{seed}")
              for name in ("baseline", "export_controls_2025") for seed in (0, 1, 2)]
    df = pd.concat(frames, ignore_index=True)
    out = compare(df, [2025])
    for index in HEADLINES:
        end = df[df.period == "2025Q4"].pivot(index="seed", columns="scenario", values=index)
        row = _row(out, scenario="export_controls_2025", index=index)
        d = end["export_controls_2025"] - end["baseline"]
        assert row.delta_mean == pytest.approx(d.mean(), abs=1e-12)
        assert [row.delta_lo, row.delta_hi] == pytest.approx(np.quantile(d, [0.05, 0.95]), abs=1e-12)
        assert row.n_common == 3
    assert summarize(df)["n"].eq(3).all()


# --- figure and command line ------------------------------------------------------------------

def test_plot_bands_draws_one_panel_per_index_and_a_band_per_group():
    summary = summarize(_paired_data())
    fig, axes = plot_bands(summary)
    assert [ax.get_title() for ax in axes] == [title(i) for i in HEADLINES]  # from the label registry
    assert all(len(ax.get_lines()) == 2 and len(ax.collections) == 2 for ax in axes)
    with pytest.raises(ValueError, match="'happiness' is not in the summary"):
        plot_bands(summary, indices=["happiness"])


def test_plot_bands_marks_the_end_of_each_chosen_year():
    fig, axes = plot_bands(summarize(_paired_data()), years=[2023, 2022, 2023])
    for ax in axes:
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert sorted(line.get_xdata()[0] for line in dashed) == [2022.75, 2023.75]  # the Q4 rows (x = time)
        assert sorted(text.get_text() for text in ax.texts) == ["end 2022", "end 2023"]


def _write_sweep(folder, runs, params=None) -> None:
    """A sweep folder as govsim writes it: runs/<run_id>/ with tables and a complete manifest."""
    from govsim import store

    for results in runs:
        digest = store.scenario_hash(results.scenario)
        rid = store.run_id(results.scenario.name, digest, results.seed)
        manifest = {"run_id": rid, "scenario_hash": digest, "params": params or {}}
        store.write_run(folder / "runs" / rid, results, manifest)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory, cached_run):
    """tmp/base: baseline on seeds 0-2; tmp/policy: export_controls_2025 on seeds 1-3 (a swept
    parameter set); tmp/empty: no runs. 12 quarters each, so the runs end at the end of 2025."""
    root = tmp_path_factory.mktemp("compare")
    _write_sweep(root / "base", [cached_run("baseline", ("time.steps=12",), s) for s in (0, 1, 2)])
    _write_sweep(root / "policy", [cached_run("export_controls_2025", ("time.steps=12",), s) for s in (1, 2, 3)],
                 params={"behaviour.decision.temperature": 1.0})
    (root / "empty").mkdir()
    return root


def test_cli_writes_csv_markdown_and_figure(sweeps, capsys):
    out = sweeps / "out"
    args = [str(sweeps / "base"), str(sweeps / "policy"), str(sweeps / "base"), "--out", str(out), "--level", "0.8"]
    assert cli.main(args) == 0  # a folder given twice counts once
    table = pd.read_csv(out / "compare.csv")
    assert len(table) == 2 * 3 and set(table.at_year) == {2025} and set(table.reference) == {"baseline"}
    row = _row(table, scenario="export_controls_2025", index="inclusiveness")
    assert (row.n, row.n_common) == (3, 2)  # seeds 1 and 2 only
    markdown = (out / "compare.md").read_text()
    assert f"| inclusiveness | 2025 | export_controls_2025 | {row['mean']:.3f} [" in markdown
    assert "| Δ vs baseline [80% of seeds] |" in markdown and "| 2 |" in markdown
    assert (out / "compare.png").stat().st_size > 0
    printed = capsys.readouterr().out
    assert markdown.strip() in printed and str(out) in printed


def test_cli_reads_a_single_run_folder_and_defaults_its_output(sweeps):
    run_dir = next((sweeps / "base" / "runs").iterdir())
    assert cli.main([str(run_dir)]) == 0  # runs end 2025: the default years are those covered
    table = pd.read_csv(run_dir / "compare" / "compare.csv")
    assert set(table.at_year) == {2025} and set(table.n) == {1}


@pytest.mark.parametrize("args, message", [
    (["missing"], "missing is not a folder"),
    (["empty"], "no complete runs in .*empty"),
    (["base", "--by", "colour"], "unknown column 'colour'"),
    (["base", "--years", "2040"], "year 2040 is outside the simulated span"),
    (["base", "--years", "soon"], "invalid int value: 'soon'"),
    (["base", "--reference", "nope"], "reference 'nope' is not a value of 'scenario'"),
    (["base", "--level", "95"], r"level = 95.0 is not in \(0, 1\)"),
])
def test_cli_bad_input_is_one_line_and_exit_2(sweeps, capsys, args, message):
    args = [str(sweeps / args[0]), *args[1:]]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("govsim compare: ")
    assert re.search(message, err), err
