"""Run a scenario: (scenario, seed) -> tidy tables of indices, countries and forums."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govsim.config import ScenarioError, period_to_year
from govsim.config.scenario import Scenario

if TYPE_CHECKING:  # the model (and Mesa, ~0.8 s to import) loads when a run needs it: a sweep's driver never does
    from govsim.model import GovernanceModel

HEADLINES = ("inclusiveness", "fragmentation", "ai_divide")
#: The columns that lead every table of a run (which run, and when), before its own columns.
LEAD = ("scenario", "seed", "step", "period", "year", "time")


@dataclass(frozen=True)
class Results:
    """The outcome of one run. Each row describes the state at the *end* of its ``period``.

    Step 0 is the initial state (end of the period before the start); step s >= 1 is the
    state after simulating s periods. Every table starts with :data:`LEAD`: ``scenario``,
    ``seed``, ``step``, ``period`` ("2035Q4"), ``year`` (the period's calendar year, 2035) and
    ``time`` (the period's start as a decimal year, 2035.75: the x axis of plots).
    """

    scenario: Scenario
    seed: int
    indices: pd.DataFrame
    countries: pd.DataFrame
    forums: pd.DataFrame
    #: The Parquet file holding the countries table of a streamed run (``run(..., countries=path)``);
    #: ``countries`` is then empty: read the file with :meth:`read_countries` or pandas.
    countries_file: Path | None = None

    def read_countries(self, columns: list[str] | None = None, steps=None, iso3=None) -> pd.DataFrame:
        """The countries table, or only ``columns``, ``steps`` and countries ``iso3``; a streamed run's
        is read from its Parquet file (with filters: only what is asked for is loaded)."""
        from govsim.stream import read_countries

        if self.countries_file is not None:
            return read_countries(self.countries_file, columns, steps, iso3)
        table = self.countries if columns is None else self.countries[columns]
        keep = np.ones(len(table), dtype=bool)
        for name, values in (("step", steps), ("iso3", iso3)):
            keep &= self.countries[name].isin(list(values)).to_numpy() if values is not None else True
        return table[keep].reset_index(drop=True)

    def save(self, path: str | Path) -> Path:
        """Write the tables as Parquet (tagged with ``run_id``), the resolved scenario (with the seed)
        as JSON and a manifest with each file's checksum, so ``govsim.load_sweep(path)`` reads it back."""
        from govsim import store  # lazily: the store imports this module

        tables = [name for name in ("indices", "countries", "forums") if not getattr(self, name).empty]
        return store.save_results(self, Path(path), tables)

    def save_scenario(self, folder: Path) -> None:
        """Write the resolved scenario, with this run's seed, as ``folder/scenario.json``."""
        resolved = self.scenario.model_copy(update={"seed": self.seed}).model_dump(mode="json")
        atomic_write(folder / "scenario.json", lambda tmp: Path(tmp).write_text(json.dumps(resolved, indent=2)))

    def summary(self) -> str:
        """Start and end values of the headline indices, as text."""
        return summary_text(self.indices, self.scenario.name, self.seed, self.countries.get("iso3", pd.Series(dtype=object)).nunique() or None)


def run(scenario: Scenario | str | Path, seed: int | None = None, countries: bool | str | Path = True, overrides=None) -> Results:
    """Simulate ``scenario`` (an object, a name in scenarios/ or a YAML path) with ``seed``.

    ``seed`` defaults to the scenario's own; the same scenario and seed give identical tables.
    ``countries=False`` leaves ``Results.countries`` empty and saves the time of recording it;
    ``countries="out/countries.parquet"`` streams it to that new Parquet file as the run goes (for
    large worlds: memory holds a few steps, not the run; see :mod:`govsim.stream`), read back with
    ``Results.read_countries``.
    ``overrides`` (with a name or path): as for :func:`govsim.load_scenario`, a list of
    ``"key=value"`` strings, one string or a dict, e.g. ``run("baseline", overrides={"time.steps": 8})``.
    """
    if overrides is not None:
        if isinstance(scenario, Scenario):
            raise ScenarioError("overrides need a scenario name or path, not a Scenario object. Fix: "
                                "govsim.run('baseline', overrides=...), or load_scenario(name, overrides) first")
        from govsim import load_scenario  # lazily: govsim imports this module

        scenario = load_scenario(scenario, overrides)
    if isinstance(countries, (str, os.PathLike)):
        from govsim.stream import run_streamed

        return run_streamed(scenario, seed, countries)
    from govsim.model import GovernanceModel

    model = GovernanceModel(scenario, seed, record_countries=countries)
    model.run()
    return released(model, collect_results(model, final=True))


def released(model: GovernanceModel, results: Results) -> Results:
    """``results``, once the finished ``model`` can be freed: Mesa 3.3's ``Agent._ids`` (a class-level
    dict keyed by model) keeps every model alive for the life of the process (mesa#3179, fixed in
    later Mesa), so a sweep or a figure's band of big worlds would grow by a whole model per run."""
    import mesa

    getattr(mesa.Agent, "_ids", {}).pop(model, None)
    return results


def ends_year(table: pd.DataFrame, year: int) -> np.ndarray:
    """Mask of the rows that end calendar ``year``: ``year`` equals it and the period closes the year
    (``YYYYQ4`` for quarterly steps, ``YYYY`` for annual steps)."""
    return (np.asarray(table["year"]) == year) & _closes_year(table["period"])


def full_years(table: pd.DataFrame) -> list[int]:
    """The calendar years whose closing period (see :func:`ends_year`) is a row of ``table``."""
    return sorted({int(y) for y in np.asarray(table["year"])[_closes_year(table["period"])]})


def _closes_year(periods) -> np.ndarray:
    text = pd.Series(periods, dtype=object).astype(str)
    return (text.str.endswith("Q4") | ~text.str.contains("Q", regex=False)).to_numpy()


def summary_text(indices: pd.DataFrame, name: str, seed: int, n_countries: int | None = None) -> str:
    """Start and end values of the headline indices of one run's indices table, each with the
    direction that is better and whether the run moved that way."""
    from govsim.labels import label

    first, last = indices.iloc[0], indices.iloc[-1]
    size = f", {n_countries} countries" if n_countries else ""
    lines = [f"scenario {name!r}, seed {seed}{size}: the start (end of {first.period}) -> the end of {last.period}"]
    for h in HEADLINES:
        lab, change = label(h), last[h] - first[h]
        verdict = "no change" if abs(change) < 5e-4 else (
            "better" if (change > 0) == (lab.better == "higher") else "worse")
        lines.append(f"  {h:<14} {first[h]:.3f} -> {last[h]:.3f}  ({change:+.3f}, {verdict}: {lab.better} is better)")
    return "\n".join(lines)


def collect_results(model: GovernanceModel, *, final: bool = False) -> Results:
    """Tidy tables from a model that has run, each led by the run's scenario and seed and the time columns.
    ``final``: the model is done with (:func:`run`): its country snapshots are handed over to the
    countries table, not copied, and the model keeps none."""
    return _results(model, len(model.recorder.forum_rows), slice(None), final)


def snapshot(model: GovernanceModel, step: int | None = None) -> Results:
    """The run so far as seen at ``step`` (default: the last recorded), cheaply, for live views:
    ``indices`` up to and including ``step``; ``countries`` and ``forums`` at ``step`` only."""
    last = len(model.recorder.forum_rows) - 1
    step = last if step is None else step
    if not 0 <= step <= last:
        raise ValueError(f"step {step} has not been simulated: steps 0-{last} are recorded")
    return _results(model, step + 1, slice(step, step + 1))


def _results(model: GovernanceModel, n_rows: int, steps: slice, final: bool = False) -> Results:
    """The first ``n_rows`` rows of indices, and the country and forum rows of ``steps``, all tagged
    (``final``: the model is done with, its country snapshots handed over, not copied: Recorder.country_columns)."""
    countries = model.recorder.country_columns(model.state.iso3, model.names, model.state.region, steps=steps, final=final)
    return stacked_results([model.scenario], [model.seed], n_rows, model.index_columns(n_rows), countries,
                           model.recorder.forum_columns(steps=steps))[0]


def stacked_results(scenarios: list[Scenario], seeds: list[int], n_rows: int, index_columns: dict[str, np.ndarray],
                    countries: pd.DataFrame | dict, forums: pd.DataFrame | dict) -> list[Results]:
    """The Results of runs with the same calendar (one run, or a batch's replicates: govsim/replicates.py)
    from their tables stacked run after run: ``index_columns`` ``n_rows`` per run; ``countries`` and
    ``forums`` (each with a ``step`` column, empty if not kept) in equal blocks of rows per run. Each
    table is tagged and built once for all the runs (pandas' cost is per table, not per row), then
    cut into the runs' blocks, each numbered from 0 as a single run's table."""
    runs = len(scenarios)
    tables = stacked_tables(scenarios, seeds, n_rows, index_columns, countries, forums)
    return [Results(scenario, seed, *(_block(table, r, runs) for table in tables))
            for r, (scenario, seed) in enumerate(zip(scenarios, seeds))]


def stacked_tables(scenarios: list[Scenario], seeds: list[int], n_rows: int, index_columns: dict[str, np.ndarray],
                   countries: pd.DataFrame | dict, forums: pd.DataFrame | dict) -> tuple[pd.DataFrame, ...]:
    """The (indices, countries, forums) tables of :func:`stacked_results`, tagged, before they are cut
    into the runs' blocks (an ensemble that stacks the runs again keeps them whole: govsim/many.py)."""
    clock = time_columns(scenarios[0], n_rows)
    tags = {"scenario": [scenario.name for scenario in scenarios], "seed": list(seeds)}
    indices = pd.DataFrame({**_lead(clock, tags, np.tile(np.arange(n_rows), len(scenarios))), **index_columns})
    return indices, _tagged(countries, clock, tags), _tagged(forums, clock, tags)


def _block(table: pd.DataFrame, r: int, runs: int) -> pd.DataFrame:
    """Run ``r``'s rows of a table of ``runs`` runs' equal blocks (the table itself for one run)."""
    if runs == 1:
        return table
    if table.empty:
        return pd.DataFrame()
    size = len(table) // runs
    block = table.iloc[r * size:(r + 1) * size]  # a new frame (copy on write): its own index is set
    block.index = pd.RangeIndex(size)
    return block


def country_history(model: GovernanceModel, iso3: str) -> pd.DataFrame:
    """One country over the steps simulated so far, led by the run's tags and time columns (cheap)."""
    codes = list(model.state.iso3)
    if iso3 not in codes:
        raise ValueError(f"no country {iso3!r} in this world; use an ISO3 code such as 'USA' (govsim.countries())")
    history = model.recorder.history(codes.index(iso3))
    if history.empty:
        raise ValueError("the run keeps no country snapshots (record_countries=False)")
    clock = time_columns(model.scenario, len(history))
    return _tagged(history, clock, {"scenario": model.scenario.name, "seed": model.seed})


def time_columns(scenario: Scenario, n_rows: int) -> dict[str, object]:
    """``step``, ``period``, ``year`` and ``time`` of each recorded row (step 0 is the initial state).

    Row s holds the state at the END of its ``period`` (step 0: the period before the start);
    ``year`` is that period's calendar year (2035 for 2035Q4) and ``time`` its start as a decimal
    year (2035.75 for 2035Q4), the x axis of plots.
    """
    return clock(scenario.time.start, scenario.time.step_years, n_rows)


def clock(start: str, dt: float, n_rows: int) -> dict[str, object]:
    """The time columns of :func:`time_columns` for a run starting at period ``start`` with steps of ``dt`` years."""
    starts = period_to_year(start) + (np.arange(n_rows) - 1) * dt
    return {"step": np.arange(n_rows), "period": list(_labels(start, dt, n_rows)),
            "year": np.floor(starts + 1e-9).astype(int), "time": np.round(starts, 9)}


@lru_cache(maxsize=64)
def _labels(start: str, dt: float, n_rows: int) -> tuple[str, ...]:
    """The period labels of :func:`clock`, worked out once per calendar (every run of a sweep shares it)."""
    return tuple(_label(t, dt) for t in period_to_year(start) + (np.arange(n_rows) - 1) * dt)


def _tagged(table: pd.DataFrame | dict, clock: dict[str, object], tags: dict[str, object]) -> pd.DataFrame:
    """``table`` (one row per step and item, with a ``step`` column; a table or its columns) led by
    the tags and time columns (``tags``: as for :func:`_lead`)."""
    if isinstance(table, pd.DataFrame):
        if table.empty:
            return table
        table = {name: table[name].array for name in table.columns}  # a temporary table's columns
    elif not table:
        return pd.DataFrame()
    rest = {name: column for name, column in table.items() if name != "step"}
    return pd.DataFrame({**_lead(clock, tags, np.asarray(table["step"])), **rest}, copy=False)


def _lead(clock: dict[str, object], tags: dict[str, object], steps: np.ndarray) -> dict[str, object]:
    """The :data:`LEAD` columns of rows at ``steps`` (indices into ``clock``), taken from arrays made
    once per step (text columns as pandas strings, so no string is converted per row). ``tags``: the
    run's ``scenario`` name and ``seed``, or lists of several runs' (whose rows follow one another
    in equal blocks)."""
    names, seeds = tags["scenario"], tags["seed"]
    names, seeds = (names, seeds) if isinstance(names, list) else ([names], [seeds])
    run = np.repeat(np.arange(len(names)), len(steps) // len(names))
    text = _text((*names, *clock["period"]))
    return {"scenario": text.take(run), "seed": np.array(seeds)[run],
            "step": np.asarray(clock["step"])[steps], "period": text.take(steps + len(names)),
            "year": np.asarray(clock["year"])[steps], "time": np.asarray(clock["time"])[steps]}


@lru_cache(maxsize=64)
def _text(labels: tuple[str, ...]) -> pd.api.extensions.ExtensionArray:
    """``labels`` as a pandas string array, converted once per run's names and calendar (only ever taken from)."""
    return pd.array(labels, dtype="str")


def _label(year: float, dt: float) -> str:
    whole = int(year // 1)
    return f"{whole}" if dt == 1.0 else f"{whole}Q{int(round((year - whole) * 4)) + 1}"


TMP_PREFIX = ".govsim-tmp-"  # temporary files of atomic_write: the only names the store ever cleans up


def atomic_write(target: Path, write) -> None:
    """Write via a temporary file in the same folder, flushed to disk, then rename (no half-written files).

    The temporary file is ``.govsim-tmp-<name>.<random>``, created with the mode the umask gives
    (like any new file), and fsynced before the rename. Call :func:`sync_folder` once the
    folder's files are all in place, to make the renames themselves durable.
    """
    target = Path(target)
    tmp = new_temporary(target)
    try:
        write(str(tmp))
        _fsync(tmp, os.O_RDONLY)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (its renames) to disk, where the system allows it."""
    _fsync(Path(folder), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0), optional=True)


def new_temporary(target: Path) -> Path:
    """Create an empty, new temporary file next to ``target`` (mode 0666 minus the umask)."""
    for _ in range(100):
        tmp = target.parent / f"{TMP_PREFIX}{target.name}.{secrets.token_hex(6)}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name for {target}")


def _fsync(path: Path, flags: int, optional: bool = False) -> None:
    """Flush ``path`` to disk; folders cannot be fsynced on every system (``optional``)."""
    try:
        fd = os.open(path, flags)
    except OSError:
        if optional:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not optional:
            raise
    finally:
        os.close(fd)
