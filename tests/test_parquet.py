"""govsim.parquet writes the very file pandas' to_parquet(index=False) writes, for every table a run makes."""

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim import parquet, store


@pytest.fixture(scope="module")
def results():
    return govsim.run("export_controls_2025", seed=2, overrides={"time.steps": 6})


def _same_file(table: pd.DataFrame, tmp_path) -> bool:
    table.to_parquet(tmp_path / "pandas.parquet", index=False)
    parquet.write_parquet(table, tmp_path / "fast.parquet")
    return (tmp_path / "pandas.parquet").read_bytes() == (tmp_path / "fast.parquet").read_bytes()


@pytest.mark.parametrize("name", ["indices", "forums", "countries"])
def test_a_runs_tables_are_written_byte_for_byte_as_pandas_writes_them(results, name, tmp_path):
    table = store.with_run_id(getattr(results, name), "run-1")
    assert _same_file(table, tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "fast.parquet"), table)


def test_plain_tables_take_the_fast_path_and_others_pandas_path(results):
    assert parquet._plain_columns(results.indices) is not None
    assert parquet._plain_columns(results.indices.assign(note=None)) is None  # an object column
    assert parquet._plain_columns(results.indices.set_index("period")) is None


def test_a_remembered_layout_serves_a_table_of_other_values(results, tmp_path):
    first = results.indices
    assert _same_file(first, tmp_path)
    other = first.assign(inclusiveness=np.linspace(0, 1, len(first)), seed=99)
    assert _same_file(other, tmp_path)


def test_attrs_and_odd_tables_are_still_written_as_pandas_writes_them(tmp_path):
    with_attrs = pd.DataFrame({"a": [1.0, 2.0]})
    with_attrs.attrs["source"] = "test"
    assert _same_file(with_attrs, tmp_path)
    mixed = pd.DataFrame({"c": pd.Categorical(["x", "y"]), "o": [None, "t"], "n": [1, 2]})
    assert _same_file(mixed, tmp_path)
