"""Large worlds (issue 14): the countries table streamed to Parquet as the run goes equals the in-memory
table exactly; bad paths get one clear line; nothing is written outside the given path."""

from __future__ import annotations

import pandas as pd
import pytest

import govsim
from govsim import stream
from govsim.config import ScenarioError

WORLD = ["world=synthetic", "world.n=5000", "time.steps=8"]


@pytest.fixture(scope="module")
def scenario():
    return govsim.load_scenario("export_controls_2025", WORLD)


@pytest.fixture(scope="module")
def in_memory(scenario):
    return govsim.run(scenario, seed=3)


def test_streamed_table_equals_the_in_memory_table(scenario, in_memory, tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "ROWS_PER_GROUP", 12_000)  # a row group every 2 steps: 5 groups for 9 steps
    target = tmp_path / "countries.parquet"
    results = govsim.run(scenario, seed=3, countries=target)
    assert results.countries_file == target and results.countries.empty
    assert sorted(p.name for p in tmp_path.iterdir()) == ["countries.parquet"]  # nothing else, no temporary file
    import pyarrow.parquet as pq

    assert pq.ParquetFile(target).metadata.num_row_groups == 5
    pd.testing.assert_frame_equal(pd.read_parquet(target), in_memory.countries, check_exact=True)
    pd.testing.assert_frame_equal(results.indices, in_memory.indices, check_exact=True)
    pd.testing.assert_frame_equal(results.forums, in_memory.forums, check_exact=True)


def test_read_countries_picks_steps_countries_and_columns_alike_from_file_and_memory(scenario, in_memory, tmp_path):
    streamed = govsim.run(scenario, seed=3, countries=tmp_path / "c.parquet")
    ask = {"columns": ["step", "iso3", "capability", "status_g7"], "steps": [0, 8], "iso3": list(in_memory.countries["iso3"][:3])}
    from_file, from_memory = streamed.read_countries(**ask), in_memory.read_countries(**ask)
    assert len(from_file) == 6
    pd.testing.assert_frame_equal(from_file, from_memory, check_exact=True, check_categorical=False)
    pd.testing.assert_frame_equal(streamed.read_countries(), in_memory.countries, check_exact=True)


def test_stream_led_by_run_id_equals_the_store_layout(scenario, in_memory, tmp_path):
    from govsim.store import with_run_id

    stream.run_streamed(scenario, 3, tmp_path / "c.parquet", run_id="r-1")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "c.parquet"), with_run_id(in_memory.countries, "r-1"),
                                  check_exact=True)


def test_real_world_run_streams_in_one_row_group(tmp_path):
    scenario = govsim.load_scenario("baseline", ["time.steps=6"])
    streamed = govsim.run(scenario, seed=1, countries=str(tmp_path / "real.parquet"))
    pd.testing.assert_frame_equal(streamed.read_countries(), govsim.run(scenario, seed=1).countries, check_exact=True)


@pytest.mark.parametrize(("where", "message"), [
    ("countries.csv", "is not a .parquet file"),
    ("missing/countries.parquet", "folder .*missing.* does not exist"),
    ("taken.parquet", "already exists"),
])
def test_bad_stream_path_is_one_clear_line_and_nothing_is_written(tmp_path, where, message):
    (tmp_path / "taken.parquet").write_text("someone's file")
    with pytest.raises(ScenarioError, match=message) as caught:
        govsim.run("baseline", seed=0, countries=tmp_path / where, overrides={"time.steps": 2})
    assert "\n" not in str(caught.value) and "countries =" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.parquet"]
    assert (tmp_path / "taken.parquet").read_text() == "someone's file"


def test_unwritable_folder_is_one_clear_line(tmp_path, monkeypatch):
    import govsim.runner

    def refused(target):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(govsim.runner, "new_temporary", refused)  # as in a folder without write permission
    with pytest.raises(ScenarioError, match=r"countries = .*c.parquet.*cannot write there \(Permission denied\)"):
        govsim.run("baseline", countries=tmp_path / "c.parquet", overrides={"time.steps": 2})
    assert list(tmp_path.iterdir()) == []


def test_a_failing_run_leaves_no_file(tmp_path, monkeypatch):
    from govsim.model import GovernanceModel

    def broken(self):
        raise FloatingPointError("boom")

    monkeypatch.setattr(GovernanceModel, "run", broken)
    with pytest.raises(FloatingPointError):
        govsim.run("baseline", countries=tmp_path / "c.parquet", overrides={"time.steps": 2})
    assert list(tmp_path.iterdir()) == []


def test_a_run_failing_after_row_groups_were_written_leaves_no_file(tmp_path, monkeypatch):
    from govsim.model import GovernanceModel

    def fails_midway(self):
        self.step()
        self.step()
        raise FloatingPointError("boom")

    monkeypatch.setattr(stream, "ROWS_PER_GROUP", 1)  # a row group every step
    monkeypatch.setattr(GovernanceModel, "run", fails_midway)
    with pytest.raises(FloatingPointError):
        govsim.run("baseline", countries=tmp_path / "c.parquet", overrides={"time.steps": 4})
    assert list(tmp_path.iterdir()) == []
