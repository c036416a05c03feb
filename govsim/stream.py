"""Large worlds: a run's countries table streamed to Parquet as the run goes, a row group every few steps.

A 100 000-country, 52-step run has 5.3 million country rows; held in memory and turned into one
table at the end they need ~2.5 GiB. Streamed, memory holds a few steps at a time::

    results = govsim.run(scenario, countries="out/countries.parquet")
    results.countries_file                      # the Parquet file, complete once run() returns
    results.read_countries(steps=[0, 52])       # read back only what is needed (or pandas.read_parquet)

The file holds exactly the table ``govsim.run(scenario).countries`` would (same columns, types,
rows and order). It is written to a temporary file next to the target and renamed into place
when the run ends, so an interrupted run leaves no partial table and nothing outside the path.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from govsim.config import ScenarioError
from govsim.config.errors import shown

if TYPE_CHECKING:
    from govsim.config.scenario import Scenario
    from govsim.country_rows import CountryRows
    from govsim.model import GovernanceModel
    from govsim.runner import Results

#: Country rows per Parquet row group (a group is written every max(1, ROWS_PER_GROUP // n) steps):
#: big enough for fast reads, small enough that a group's table stays a few hundred MB at most.
ROWS_PER_GROUP = 200_000


def check_target(path: str | os.PathLike) -> Path:
    """The Parquet file to stream to, checked: a new ``.parquet`` file in an existing folder."""
    target = Path(path)
    if target.suffix != ".parquet":
        raise ScenarioError(f"countries = {shown(str(target))} is not a .parquet file. Fix: give a path such as "
                            "'out/countries.parquet' (or True/False to keep the table in memory or not)")
    if not target.parent.is_dir():
        raise ScenarioError(f"countries = {shown(str(target))}: folder {shown(str(target.parent))} does not exist. "
                            "Fix: create it first")
    if target.exists():
        raise ScenarioError(f"countries = {shown(str(target))} already exists. Fix: remove it, or choose a new path")
    return target


def run_streamed(scenario: Scenario, seed: int | None, path: str | os.PathLike, run_id: str | None = None) -> Results:
    """Run ``scenario`` with ``seed``, streaming its countries table to ``path`` (see the module docstring).

    ``run_id``: lead the table with a ``run_id`` column, as the results store's countries.parquet is
    (``store.with_run_id``), so a sweep can stream straight into a run folder."""
    from govsim.model import GovernanceModel
    from govsim.runner import collect_results, released

    target = check_target(path)
    model = GovernanceModel(scenario, seed, record_countries="stream")  # "stream": the memory budget of a streamed table
    with CountryStream(target, model, run_id) as stream:
        model.run()
    return released(model, dataclasses.replace(collect_results(model), countries_file=stream.target))


class CountryStream:
    """Writes the countries table of ``model`` to ``target`` while it runs (a context manager).

    Attached to the model's country rows, it writes them as one Parquet row group every ``every``
    recorded steps and drops them from memory; leaving the block writes the rest and renames the
    finished file into place (on an error the temporary file is removed and nothing is left)."""

    def __init__(self, target: Path, model: GovernanceModel, run_id: str | None = None):
        from govsim.runner import time_columns

        self.target, self.model, self.writer = target, model, None
        self.rows: CountryRows = model.recorder.country
        self.every = max(1, ROWS_PER_GROUP // max(1, model.state.n))
        self.clock = time_columns(model.scenario, model.scenario.time.steps + 1)
        self.tags = {"scenario": model.scenario.name, "seed": model.seed}
        self.run_id = run_id

    def __enter__(self) -> CountryStream:
        from govsim.runner import new_temporary

        try:
            self.tmp = new_temporary(self.target)
        except OSError as exc:
            raise ScenarioError(f"countries = {shown(str(self.target))}: cannot write there ({exc.strerror}). "
                                "Fix: choose a folder you can write to") from None
        self.rows.sink = self._take
        self._take(self.rows)  # the initial state, recorded when the model was built
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        from govsim.runner import _fsync

        self.rows.sink = None
        try:
            if kind is None:
                self._write(self.rows.drain())
                self.writer.close()
                _fsync(self.tmp, os.O_RDONLY)
                os.replace(self.tmp, self.target)
        finally:
            if self.writer is not None and self.writer.is_open:  # a failed run or write: close, then remove
                self.writer.close()
            self.tmp.unlink(missing_ok=True)

    def _take(self, rows: CountryRows) -> None:
        if len(rows.rows) >= self.every:
            self._write(rows.drain())

    def _write(self, rows: list) -> None:
        """Append ``rows`` (steps of country arrays) to the file as one row group, built as the in-memory table is."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from govsim.runner import _tagged

        if not rows:
            return
        state = self.model.state
        table = _tagged(self.rows.table(state.iso3, self.model.names, state.region, rows=rows), self.clock, self.tags)
        if self.run_id is not None:
            table.insert(0, "run_id", self.run_id)
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        del table, rows
        if self.writer is None:
            text = [f.name for f in arrow.schema if pa.types.is_dictionary(f.type) or pa.types.is_string(f.type)
                    or pa.types.is_large_string(f.type)]
            self.writer = pq.ParquetWriter(str(self.tmp), arrow.schema, use_dictionary=text)  # numbers: plain (7x faster)
        self.writer.write_table(arrow)


def read_countries(path: Path, columns: list[str] | None = None, steps=None, iso3=None) -> pd.DataFrame:
    """The countries table in the Parquet file ``path``, optionally only ``columns``, ``steps`` and
    countries ``iso3`` (read with filters: only the matching row groups and columns are loaded)."""
    import pyarrow.parquet as pq

    filters = [(name, "in", list(values)) for name, values in (("step", steps), ("iso3", iso3)) if values is not None]
    return pq.read_table(path, columns=columns, filters=filters or None).to_pandas()
