"""What govsim promises about world inputs and numerics (issue 9, items 5, 6 and 10, CSV side).

* A CSV world is checked cell by cell: every numeric cell finite and inside its documented range,
  0/1 flags only 0/1 or true/false, iso3 present and unique, dates 'YYYY-MM', readiness and
  internet on their 0-100 scale; a broken file (empty, no rows, not UTF-8, binary, ';'-separated,
  ragged) is one clear ``ScenarioError`` line (exit 2 from the CLI), never a traceback.
* The state stays finite by construction, even over 2 000 steps at the extreme growth rates, and
  a run that produces a non-finite value anyway fails naming the step and the variable.
* Property: any CSV either runs with every index finite and in [0, 1], or raises ``ScenarioError``
  with one line of at most 500 characters.
"""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

import govsim
from govsim import ScenarioError
from govsim.codes import MEMBER
from govsim.config import Synthetic
from govsim.record import FRONTIER_STATE
from govsim.runner import LEAD
from govsim.world import read_world_csv, real_table, synthetic_world, world_from_table

REAL = real_table()


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    """The table as the strings a CSV file holds (empty cell = '')."""
    return pd.read_csv(io.StringIO(table.to_csv(index=False)), dtype=str, keep_default_na=False)


CELLS = _cells(REAL)


def _write(tmp_path: Path, cells: pd.DataFrame, name: str = "world.csv") -> Path:
    path = tmp_path / name
    cells.to_csv(path, index=False)
    return path


def _error(path: Path) -> str:
    """The one-line ScenarioError that reading ``path`` raises."""
    with pytest.raises(ScenarioError) as info:
        read_world_csv(path)
    message = str(info.value)
    assert "\n" not in message and len(message) <= 500, message
    assert str(path) in message, message
    return message


def _assert_names(message: str, *parts: str) -> None:
    missing = [p for p in parts if p not in message]
    assert not missing, f"message lacks {missing}:\n{message}"


def _edited(column: str, value: str, rows=(3,)) -> pd.DataFrame:
    cells = CELLS.copy()
    cells.loc[list(rows), column] = value
    return cells


def _numeric_indices(indices: pd.DataFrame) -> pd.DataFrame:
    """The indices, without the time columns and the frontier's state (not indices)."""
    return indices.drop(columns=[*LEAD, *FRONTIER_STATE]).select_dtypes("number")


# ------------------------------------------------------------------ item 5: non-finite and absurd numbers
NUMERIC = ["population", "gdp_pc_usd", "internet_pct", "readiness", "unga_ideal_point", "top500_rmax_tflops",
           "notable_models_2023_2025", "export_tier_2025"]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "NaN", "Infinity"])
@pytest.mark.parametrize("column", NUMERIC)
def test_csv_non_finite_number_is_rejected_naming_row_column_value_and_range(tmp_path, column, value):
    message = _error(_write(tmp_path, _edited(column, value)))
    _assert_names(message, f"column {column!r}", "row 5", value, "expected")


ABSURD = [("gdp_pc_usd", "1e308", "(0, 1e+06]"), ("population", "1e12", "[1, 2e+09]"), ("population", "0.5", "[1, 2e+09]"),
          ("top500_rmax_tflops", "1e300", "[0, 1e+12]"), ("notable_models_2023_2025", "1e300", "[0, 1e+06]"),
          ("unga_ideal_point", "-1e300", "[-10, 10]"), ("gdp_pc_usd", "-5", "(0, 1e+06]")]


@pytest.mark.parametrize("column, value, allowed", ABSURD, ids=[f"{c}={v}" for c, v, _ in ABSURD])
def test_csv_absurd_magnitude_is_rejected_with_the_allowed_range(tmp_path, column, value, allowed):
    message = _error(_write(tmp_path, _edited(column, value)))
    _assert_names(message, f"column {column!r}", "row 5", value, allowed)


def _finite_run(overrides: list[str]) -> govsim.Results:
    results = govsim.run(govsim.load_scenario("baseline", overrides))
    values = _numeric_indices(results.indices).to_numpy(float)
    assert np.isfinite(values).all(), results.indices[~np.isfinite(values).all(axis=1)].head()
    assert ((values >= 0) & (values <= 1)).all()
    for column in ("gdp_pc", "compute", "capability", "readiness", "alignment", "adoption", "intensity", "access"):
        assert np.isfinite(results.countries[column].to_numpy(float)).all(), column
    return results


def test_2000_quarters_of_a_synthetic_world_stay_finite():
    """The issue's command: every index was NaN from step ~1783 (world investment overflowed)."""
    _finite_run(["time.steps=2000", "world=synthetic", "world.n=50"])


def test_2000_years_at_the_extreme_growth_rates_stay_finite():
    """2 000 annual steps at the top of every growth range: compute x20/yr, income +40 %/yr."""
    results = _finite_run(["time.steps=2000", "time.step_years=1.0", "time.start=2023", "world=synthetic",
                           "world.n=20", "world.synthetic.gdp_pc_log10_mean=6", "world.synthetic.gdp_pc_log10_sd=2",
                           "behaviour.dynamics.compute_growth=20", "behaviour.dynamics.income_growth=0.2",
                           "behaviour.dynamics.ai_income_premium=0.2"])
    assert results.countries.gdp_pc.max() <= govsim.dynamics.GDP_PC_CEILING


def test_negative_growth_over_2000_years_stays_finite():
    _finite_run(["time.steps=2000", "time.step_years=1.0", "time.start=2023", "world=synthetic", "world.n=20",
                 "behaviour.dynamics.income_growth=-0.1", "behaviour.dynamics.ai_income_premium=0",
                 "behaviour.dynamics.compute_growth=1", "behaviour.dynamics.depreciation=1"])


def test_compute_rescaling_leaves_shares_and_capability_unchanged():
    """Only ratios of compute matter: a run whose compute unit is rescaled gives the same indices."""
    from govsim import dynamics

    scenario = govsim.load_scenario("baseline", ["time.steps=8"])
    plain = govsim.run(scenario)
    model = govsim.GovernanceModel(scenario)
    model.state.compute = model.state.compute * dynamics.COMPUTE_RESCALE_AT
    model.state.world_investment *= dynamics.COMPUTE_RESCALE_AT
    model.state.world_capacity *= dynamics.COMPUTE_RESCALE_AT
    model.run()
    after = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    assert model.state.world_investment < dynamics.COMPUTE_RESCALE_AT
    numeric = _numeric_indices(plain.indices).columns
    pd.testing.assert_frame_equal(after[numeric].iloc[1:], plain.indices[numeric].iloc[1:], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 1_000_000])
def test_synthetic_worlds_of_any_allowed_size_and_extreme_distributions_are_finite(n):
    extreme = Synthetic(gdp_pc_log10_mean=6, gdp_pc_log10_sd=2, population_log10_mean=10, population_log10_sd=3,
                        alignment_sd=2, alignment_income_slope=2, readiness_noise_sd=0.5, n_g7=50, n_brics=50)
    for p in (Synthetic(), extreme):
        world = synthetic_world(n, p, np.random.default_rng(0))
        for name in ("population", "gdp_pc", "internet", "readiness", "compute_share", "alignment"):
            assert np.isfinite(getattr(world, name)).all(), name
        assert math.isclose(world.compute_share.sum(), 1.0)


def test_extreme_synthetic_world_runs_finite():
    _finite_run(["time.steps=8", "world=synthetic", "world.n=3", "world.synthetic.gdp_pc_log10_mean=6",
                 "world.synthetic.gdp_pc_log10_sd=2", "world.synthetic.population_log10_mean=10",
                 "world.synthetic.population_log10_sd=3"])


def _poison_after(monkeypatch, calls: int, attribute: str) -> None:
    """Make the evolve phase write NaN into ``state.<attribute>[1]`` from its ``calls``-th call on."""
    from govsim import phases

    original, count = phases.evolve, [0]

    def evolve(s, *args):
        original(s, *args)
        count[0] += 1
        if count[0] >= calls:
            getattr(s, attribute)[1] = np.nan

    monkeypatch.setattr(phases, "evolve", evolve)


@pytest.mark.parametrize("attribute", ["gdp_pc", "compute", "alignment", "readiness"])
def test_a_non_finite_state_fails_the_run_naming_step_and_variable(monkeypatch, attribute):
    _poison_after(monkeypatch, 3, attribute)
    with pytest.raises(FloatingPointError) as info:
        govsim.run(govsim.load_scenario("baseline", ["time.steps=6"]))
    _assert_names(str(info.value), "step 3", attribute, "not finite", REAL.iso3[1])


def test_a_non_finite_index_fails_the_run_naming_step_and_index(monkeypatch):
    from govsim.trace import Trace  # the indices of the recorded steps are measured at once, by Trace.measure

    original = Trace.measure

    def measure(self, rows, *args):
        values = original(self, rows, *args)
        steps = np.arange(rows.start, rows.stop) + self.first
        return {**values, "voice_equality": np.where(steps >= 2, math.nan, values["voice_equality"])}

    monkeypatch.setattr(Trace, "measure", measure)
    with pytest.raises(FloatingPointError) as info:
        govsim.run(govsim.load_scenario("baseline", ["time.steps=4"]))
    _assert_names(str(info.value), "step 2", "voice_equality", "not finite")


# ------------------------------------------------------------------ item 6: flags, iso3, dates, scales
@pytest.mark.parametrize("column, value", [("g7", ""), ("g7", "yes"), ("g20", "no"), ("oecd", "2"),
                                           ("gpai_2023", "-1"), ("oecd", "0.5"), ("g7", "x")])
def test_csv_flag_accepts_only_0_1_true_false(tmp_path, column, value):
    message = _error(_write(tmp_path, _edited(column, value)))
    _assert_names(message, f"column {column!r}", "row 5", "expected 0 or 1")


def test_csv_empty_g7_cells_in_20_rows_are_an_error_not_27_members(tmp_path):
    message = _error(_write(tmp_path, _edited("g7", "", rows=range(20, 40))))
    _assert_names(message, "column 'g7'", "row 22", "empty")


def test_csv_all_empty_oecd_column_is_an_error(tmp_path):
    message = _error(_write(tmp_path, _edited("oecd", "", rows=range(len(CELLS)))))
    _assert_names(message, "column 'oecd'", "row 2")


def test_csv_flags_written_true_false_mean_the_same_as_0_1(tmp_path):
    words = CELLS.copy()
    for column in ("g7", "g20", "oecd", "gpai_2023"):
        words[column] = words[column].map({"0": "false", "1": "TRUE"})
    numbers = world_from_table(read_world_csv(_write(tmp_path, CELLS, "a.csv")), 2023.0, pinned=False)
    spelled = world_from_table(read_world_csv(_write(tmp_path, words, "b.csv")), 2023.0, pinned=False)
    for club in ("g7", "brics"):
        np.testing.assert_array_equal(numbers.clubs[club], spelled.clubs[club])
    assert (numbers.clubs["g7"] == MEMBER).sum() == 7


def test_csv_empty_iso3_is_an_error(tmp_path):
    message = _error(_write(tmp_path, _edited("iso3", "")))
    _assert_names(message, "column 'iso3'", "row 5", "empty")


@pytest.mark.parametrize("value", [" USA", "U S A", "X" * 40])
def test_csv_malformed_iso3_is_an_error(tmp_path, value):
    message = _error(_write(tmp_path, _edited("iso3", value)))
    _assert_names(message, "column 'iso3'", "row 5")


def test_csv_duplicate_iso3_names_both_rows(tmp_path):
    cells = CELLS.copy()
    cells.loc[3, "iso3"] = cells.loc[2, "iso3"]
    message = _error(_write(tmp_path, cells))
    _assert_names(message, "duplicate", repr(cells.loc[2, "iso3"]), "row 4", "row 5")


@pytest.mark.parametrize("column", ["brics_member_since", "brics_partner_since"])
@pytest.mark.parametrize("value", ["2024-13", "2024-00", "2024", "soon", "24-01", "2024-1"])
def test_csv_bad_brics_date_names_row_and_column(tmp_path, column, value):
    message = _error(_write(tmp_path, _edited(column, value)))
    _assert_names(message, f"column {column!r}", "row 5", value, "YYYY-MM")


@pytest.mark.parametrize("column", ["readiness", "internet_pct"])
def test_csv_column_on_a_0_1_scale_is_rejected(tmp_path, column):
    cells = CELLS.copy()
    cells[column] = (REAL[column] / 100).map(str)
    message = _error(_write(tmp_path, cells))
    _assert_names(message, f"column {column!r}", "0-1 scale", "multiply by 100")


def test_csv_valid_table_reads_unchanged(tmp_path):
    """The checks do not alter a valid table: the real data written out reads back to the same world."""
    read = world_from_table(read_world_csv(_write(tmp_path, CELLS)), 2023.0, pinned=False)
    direct = world_from_table(REAL, 2023.0, pinned=False)
    for name in ("population", "gdp_pc", "internet", "readiness", "compute_share", "alignment", "tier", "income_group"):
        np.testing.assert_array_equal(getattr(read, name), getattr(direct, name), err_msg=name)
    assert list(read.iso3) == list(direct.iso3) and list(read.name) == list(direct.name)


@pytest.mark.parametrize("column", ["iso3", "income_group", "population", "g7", "brics_member_since"])
def test_csv_long_bad_value_is_cut_in_the_message(tmp_path, column):
    message = _error(_write(tmp_path, _edited(column, "x" * 5000)))
    _assert_names(message, f"column {column!r}", "row 5", "xxx...")


def test_csv_long_path_and_many_missing_columns_stay_one_short_line(tmp_path):
    folder = tmp_path.joinpath(*["a_rather_long_folder_name"] * 12)
    folder.mkdir(parents=True)
    path = folder / "world.csv"
    path.write_text("name,region\nX,Y\n")
    with pytest.raises(ScenarioError) as info:
        read_world_csv(path)
    message = str(info.value)
    assert len(message) <= 500 and "\n" not in message and "missing column" in message and "world.csv" in message


# ------------------------------------------------------------------ item 10: broken files
def _header_only(path: Path) -> None:
    path.write_text(",".join(CELLS.columns) + "\n")


BROKEN = {
    "zero-rows": (_header_only, "no rows"),
    "empty-file": (lambda p: p.write_bytes(b""), "empty"),
    "blank-lines": (lambda p: p.write_text("\n\n  \n"), "empty"),
    "latin-1": (lambda p: p.write_bytes(CELLS.assign(name="Côte d'Ivoire").to_csv(index=False).encode("latin-1")), "UTF-8"),
    "utf-16": (lambda p: p.write_bytes(CELLS.to_csv(index=False).encode("utf-16")), "UTF-8"),
    "png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), "not a text"),
    "semicolons": (lambda p: p.write_text(CELLS.to_csv(index=False, sep=";")), "separator must be ','"),
    "ragged": (lambda p: p.write_text(CELLS.to_csv(index=False) + "ZZZ,1,2,3" + ",4" * 40 + "\n"), "fields"),
    "duplicate-column": (lambda p: p.write_text(CELLS.assign(dup=CELLS.g7).rename(columns={"dup": "g7"}).to_csv(index=False)),
                         "column 'g7' appears twice"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_csv_file_is_one_clear_line(tmp_path, case):
    write, expected = BROKEN[case]
    path = tmp_path / "world.csv"
    write(path)
    _assert_names(_error(path), expected)


def test_utf8_with_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "world.csv"
    path.write_bytes(CELLS.head(5).to_csv(index=False).encode("utf-8-sig"))
    assert list(read_world_csv(path).iso3) == list(CELLS.iso3.head(5))


@pytest.mark.parametrize("case", ["zero-rows", "png", "semicolons"])
def test_broken_csv_exits_2_from_the_cli_without_traceback(tmp_path, case):
    write, expected = BROKEN[case]
    path = tmp_path / "world.csv"
    write(path)
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    proc = subprocess.run([sys.executable, "-m", "govsim", "run", "world.kind=csv", f"world.path={path}", "time.steps=1",
                           f"out={tmp_path / 'out'}"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and expected in proc.stderr, proc.stderr


# ------------------------------------------------------------------ property: any CSV runs finite or is one clear error
SCENARIO = govsim.load_scenario("baseline", ["world.kind=csv", "world.path=unused.csv", "time.steps=2"])
BASE = CELLS[CELLS.iso3.isin(["USA", "CHN", "IND", "BRA", "DEU", "NGA", "FJI", "RUS"])].reset_index(drop=True)
JUNK = st.one_of(
    st.sampled_from(["", "inf", "-inf", "nan", "NaN", "1e308", "-1e308", "1e20", "-1", "-0", "0", "1", "2", "0.5",
                     "true", "false", "yes", "no", "2024-01", "2024-13", "NA", "None", " ", "1,5", '"', "1e-320"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)
NUMERIC_EDIT = st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(NUMERIC[:-1]),
                         st.one_of(st.floats(0, 2e9), st.floats(-10, 100), st.sampled_from(["0", "100", "1e6", "2e9", "5e-324"])).map(str))
VALID_EDIT = st.one_of(NUMERIC_EDIT, st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(["g7", "g20", "oecd", "gpai_2023"]),
                                               st.sampled_from(["0", "1", "true", "FALSE", "1.0"])))
EDIT = st.one_of(VALID_EDIT, VALID_EDIT, st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(list(BASE.columns) + ["extra"]), JUNK))


def _file_bytes(cells: pd.DataFrame, encoding: str, sep: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=sep, lineterminator="\n")
    writer.writerow(cells.columns)
    writer.writerows(cells.itertuples(index=False))
    return text.getvalue().encode(encoding, errors="replace")


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.integers(0, len(BASE)), edits=st.lists(EDIT, max_size=8),
       drop=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(list(BASE.columns))),
       encoding=st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "latin-1", "utf-16"]),
       sep=st.sampled_from([","] * 8 + [";", "\t"]))
def test_any_csv_runs_finite_or_is_one_clear_scenario_error(rows, edits, drop, encoding, sep):
    cells = BASE.head(rows).copy()
    cells["extra"] = ""
    for row, column, value in edits:
        if row < rows:
            cells.loc[row, column] = value
    if drop is not None:
        cells = cells.drop(columns=[drop])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "world.csv"
        path.write_bytes(_file_bytes(cells, encoding, sep))
        scenario = SCENARIO.model_copy(update={"world": SCENARIO.world.model_copy(update={"path": str(path)})})
        try:
            results = govsim.run(scenario)
        except ScenarioError as exc:
            message = str(exc)
            assert message and "\n" not in message and len(message) <= 500, message
            event("ScenarioError: " + message.split(": ", 1)[1][:25])
            return
    event("ran")
    values = _numeric_indices(results.indices).to_numpy(float)
    assert np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all(), results.indices


# ------------------------------------------------------------------ issue 10: the optional internet columns
def test_csv_internet_is_moved_along_its_trend_from_the_middle_of_its_data_year(tmp_path):
    cells = CELLS.copy()
    cells.loc[0, ["internet_pct", "internet_year", "internet_logit_slope"]] = ["50", "2021", "0.4"]
    cells.loc[1, ["internet_pct", "internet_year", "internet_logit_slope"]] = ["50", "", "0.4"]
    cells.loc[2, ["internet_pct", "internet_year", "internet_logit_slope"]] = ["50", "2021", "-0.3"]
    world = world_from_table(read_world_csv(_write(tmp_path, cells)), 2023.0, pinned=False)
    # 1.5 years from mid 2021 to the start; no data year: the start's value; a falling trend counts as flat
    np.testing.assert_allclose(world.internet[:3], [1 / (1 + np.exp(-0.4 * 1.5)), 0.5, 0.5])
    assert world.internet_slope[2] == 0.0


@pytest.mark.parametrize("column, value, allowed", [("internet_year", "1900", "[1990, 2100]"),
                                                    ("internet_logit_slope", "5", "[-2, 2]"),
                                                    ("internet_year", "soon", "[1990, 2100]")])
def test_csv_bad_internet_year_or_trend_is_one_clear_error(tmp_path, column, value, allowed):
    _assert_names(_error(_write(tmp_path, _edited(column, value))), column, value, allowed)
