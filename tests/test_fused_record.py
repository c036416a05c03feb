"""A step's recording as compiled copies (issue 14, speed): govsim/record_loops.py.

* The trace's compiled write (``Trace.write``) puts exactly what the plain numpy copies put into the
  buffer rows, for one run (a row) and a batch (a strided row per replicate, each replicate its own
  values), and says whether the checked arrays are finite; a non-finite value still stops a run, a
  batch too, with the same message naming step, variable and country.
* The country snapshots and forum rows are preallocated buffers that double when full: the tables
  are the same whatever the initial capacity; a table handed out shares no memory with the buffers,
  so later steps (or a write into the buffers) do not change it, and editing it changes no other table.
* A streamed run's drained blocks are never written again and make, one after another, the table
  the run keeps in memory; its blocks hold what is held between drains, not the run's horizon.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim import country_rows, record
from govsim.codes import MEMBER
from govsim.country_rows import CountryRows
from govsim.model import GovernanceModel
from govsim.trace import FLOATS, Trace

SHORT = ["time.steps=6"]


def _state(rng: np.random.Generator, lead: tuple, n: int, k: int) -> SimpleNamespace:
    """Random state arrays with a leading shape ``lead`` (() for one run, (R,) for a batch)."""
    s = SimpleNamespace(**{name: rng.random((*lead, n)) for name in FLOATS})
    s.engagement, s.status = rng.random((*lead, n, k)), rng.integers(0, MEMBER + 1, (*lead, n, k)).astype(np.int8)
    s.income_group = rng.integers(0, 4, (*lead, n)).astype(np.int8)
    s.world_investment, s.open_lag, s.n = (rng.random((*lead, 1)) if lead else 1.0), rng.random(lead), n
    return s


def _numpy_write(trace: Trace, rows, s, authority, position, active, open_lag) -> None:
    """The copies ``Trace.write`` made before it was compiled (the reference)."""
    for v, name in enumerate(FLOATS):
        trace.floats[v, rows] = getattr(s, name)
    trace.engagement[rows], trace.status[rows], trace.income_group[rows] = s.engagement, s.status, s.income_group
    trace.authority[rows], trace.position[rows], trace.active[rows], trace.open_lag[rows] = authority, position, active, open_lag


def _buffers(trace: Trace) -> list[np.ndarray]:
    return [trace.floats, trace.engagement, trace.status, trace.income_group, trace.authority, trace.position,
            trace.active, trace.open_lag]


@pytest.mark.parametrize("replicates", [1, 4])
def test_the_compiled_trace_write_equals_the_numpy_copies_for_a_run_and_a_batch(replicates):
    rng, n, k, steps = np.random.default_rng(3), 11, 3, 5
    lead = (replicates,) if replicates > 1 else ()
    compiled, plain = (Trace(n, k, np.array([True, False, False]), 0.05, rows=steps, replicates=replicates) for _ in "ab")
    for trace in (compiled, plain):  # the same garbage in the rows not written
        for buffer in _buffers(trace):
            buffer[...] = np.arange(buffer.size).reshape(buffer.shape) % 7
    for t in (2, 4):
        s = _state(rng, lead, n, k)
        forums = rng.random((*lead, k)), rng.random((*lead, k)), rng.random((*lead, k)) < 0.5
        rows = slice(t, None, steps) if replicates > 1 else t
        assert compiled.write(rows, s, *forums, s.open_lag) is True
        _numpy_write(plain, rows, s, *forums, s.open_lag)
        if replicates > 1:  # each replicate's row holds that replicate's values
            assert not np.array_equal(compiled.floats[3, t], compiled.floats[3, steps + t])
    for got, want in zip(_buffers(compiled), _buffers(plain)):
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


def test_the_compiled_writes_take_arrays_that_are_not_contiguous():
    """A hand-made state may hold views (every other value of a longer array): copied as their values."""
    rng, n, k = np.random.default_rng(9), 6, 2
    s = _state(rng, (), n, k)
    strided = SimpleNamespace(**{name: np.repeat(value, 2, axis=0)[::2] if isinstance(value, np.ndarray) and value.ndim
                                 else value for name, value in vars(s).items()})
    assert not strided.gdp_pc.flags.c_contiguous and not strided.engagement.flags.c_contiguous
    forums = rng.random(k), rng.random(k), np.ones(k, bool)
    one, other = (Trace(n, k, np.array([True, False]), 0.05, rows=2) for _ in "ab")
    assert one.write(1, s, *forums, 0.5) and other.write(1, strided, *forums, 0.5)
    assert all(a[1].tobytes() == b[1].tobytes() for a, b in zip(_buffers(one)[1:], _buffers(other)[1:]))
    assert one.floats[:, 1].tobytes() == other.floats[:, 1].tobytes()


@pytest.mark.parametrize("name", ["gdp_pc", "compute", "readiness", "capability", "alignment", "engagement"])
@pytest.mark.parametrize("replicates", [1, 3])
def test_the_compiled_write_says_when_a_checked_array_is_not_finite(name, replicates):
    rng, n, k = np.random.default_rng(5), 7, 2
    lead = (replicates,) if replicates > 1 else ()
    trace = Trace(n, k, np.array([True, False]), 0.05, rows=4, replicates=replicates)
    s, forums = _state(rng, lead, n, k), (rng.random((*lead, k)), rng.random((*lead, k)), np.ones((*lead, k), bool))
    rows = slice(1, None, 4) if replicates > 1 else 1
    assert trace.write(rows, s, *forums, s.open_lag)
    getattr(s, name)[(replicates - 1, 4) if replicates > 1 else 4] = math.nan  # the last replicate's country 4
    assert not trace.write(rows, s, *forums, s.open_lag)
    assert np.isnan(trace.engagement if name == "engagement" else trace.floats[FLOATS.index(name)]).any()  # copied too
    getattr(s, name)[...] = 0.5
    s.frontier_access[..., 2] = math.inf  # not checked by the write (fail_on_non_finite names it if another is bad)
    assert trace.write(rows, s, *forums, s.open_lag)
    s.world_investment = math.inf if replicates == 1 else np.full((replicates, 1), math.inf)
    assert not trace.write(rows, s, *forums, s.open_lag)


def _poison(monkeypatch, where) -> None:
    from govsim import phases

    original = phases.evolve

    def evolve(s, forums, b, dt):
        original(s, forums, b, dt)
        if s.year > 2023.6:  # from the third period on
            s.compute[where] = math.inf

    monkeypatch.setattr(phases, "evolve", evolve)


def test_a_non_finite_state_stops_a_batch_with_the_single_runs_message(monkeypatch):
    scenario = govsim.load_scenario("baseline", SHORT)
    _poison(monkeypatch, 5)
    with pytest.raises(FloatingPointError) as single:
        govsim.run(scenario, seed=1)
    assert str(single.value).startswith("step 3: state variable compute is not finite (inf for country")
    monkeypatch.undo()
    _poison(monkeypatch, (1, 5))  # the second replicate only
    with pytest.raises(FloatingPointError) as batched:
        govsim.run_many(scenario, seeds=[0, 1, 2], batch=True, progress=False)
    assert str(batched.value) == str(single.value)


def _model(steps: int = 6) -> GovernanceModel:
    return GovernanceModel(govsim.load_scenario("baseline", [f"time.steps={steps}"]), seed=2)


def _tables(model: GovernanceModel, steps: slice = slice(None)) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = model.state
    return (model.recorder.countries(s.iso3, model.names, s.region, steps=steps), model.recorder.forums(steps=steps))


def test_the_tables_are_the_same_when_the_buffers_grow_past_their_first_capacity(monkeypatch):
    model = _model(9)
    model.run()
    countries, forums = _tables(model)
    import govsim.model

    real = record.Recorder
    monkeypatch.setattr(govsim.model, "Recorder", lambda *args, **kwargs: real(*args, **{**kwargs, "steps": 2}))
    small = _model(9)  # buffers with room for two steps at first (not the run's ten)
    small.run()
    assert small.recorder.country.rows.capacity == 16 and len(small.recorder.country.rows) == 10  # 2, 4, 8, 16
    assert len(small.recorder.forum_rows) == 10
    for got, want in zip(_tables(small), (countries, forums)):
        assert list(got.dtypes) == list(want.dtypes)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    history = small.recorder.history(7)
    rows = countries[countries["iso3"] == small.state.iso3[7]].drop(columns=["iso3", "name", "region"])
    pd.testing.assert_frame_equal(history, rows[history.columns].reset_index(drop=True), check_exact=True)


def _arrays(table: pd.DataFrame) -> list[np.ndarray]:
    return [np.asarray(table[c].cat.codes if isinstance(table[c].dtype, pd.CategoricalDtype) else table[c])
            for c in table.columns]


def test_a_table_shares_no_memory_with_the_buffers_later_steps_write():
    model = _model()
    model.step(), model.step()
    now, live = govsim.collect_results(model), govsim.snapshot(model, 1)  # mid-run: the steps so far; a live view
    tables = now.countries, now.forums, live.countries, live.forums
    kept = [table.copy(deep=True) for table in tables]
    block, recorder = model.recorder.country.rows, model.recorder
    buffers = [block.floats, block.codes, block.engagement, block.status, block.steps, recorder.counts, recorder.values]
    for array in (array for table in tables for array in _arrays(table)):
        assert not any(np.shares_memory(array, buffer) for buffer in buffers)
    model.run()
    for buffer in buffers:  # a write into every buffer, as a later step's would be
        buffer[...] = 1
    for got, want in zip(tables, kept):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_editing_a_returned_table_changes_no_other_table():
    model = _model()
    model.run()
    first = govsim.collect_results(model)
    first.countries.loc[0, "capability"], first.forums.loc[0, "pool"] = -1.0, -1.0
    again = govsim.collect_results(model)
    assert again.countries.loc[0, "capability"] != -1.0 and again.forums.loc[0, "pool"] != -1.0


def test_drained_blocks_are_not_written_again_and_make_the_in_memory_table():
    model = _model(7)
    model.run()
    whole = _tables(model)[0]
    stream, drained, tables = CountryRows(model.forums.names, stream=True), [], []
    replay = _model(7)
    stream.record(0, replay.state)
    for step in range(1, 8):
        replay.step()
        stream.record(step, replay.state)
        if len(stream.rows) >= 3:  # as govsim/stream.py drains every few steps
            drained.append(stream.drain())
            tables.append(stream.table(replay.state.iso3, replay.names, replay.state.region, rows=drained[-1]))
    assert len(stream.rows) == 2 and stream.rows.capacity <= 4  # what is held between drains, not the horizon
    drained.append(stream.drain())
    tables.append(stream.table(replay.state.iso3, replay.names, replay.state.region, rows=drained[-1]))
    assert not stream.drain() and stream.table(replay.state.iso3, rows=stream.drain()).empty
    assert [len(block) for block in drained] == [3, 3, 2] and len({id(block.floats) for block in drained}) == 3
    pd.testing.assert_frame_equal(pd.concat(tables, ignore_index=True), whole, check_exact=True)


def test_a_streamed_run_writes_the_table_a_run_keeps(tmp_path):
    scenario = govsim.load_scenario("baseline", SHORT)
    streamed = govsim.run(scenario, seed=4, countries=tmp_path / "countries.parquet")
    pd.testing.assert_frame_equal(streamed.read_countries(), govsim.run(scenario, seed=4).countries, check_exact=True)


def test_a_finished_runs_countries_table_takes_over_the_snapshots_instead_of_copying_them():
    """govsim.run's last step: collect_results(final=True) hands the recorder's block to the table (its
    buffers have room for exactly the run's steps, so each column is a view of one), the recorder keeps
    none, and the tables equal those of a copying collection."""
    from govsim.runner import collect_results

    done, twin = _model(5), _model(5)
    done.run(), twin.run()
    block = done.recorder.country.rows
    assert block.capacity == len(block) == 6
    final, copied = collect_results(done, final=True), collect_results(twin)
    assert np.shares_memory(final.countries["capability"].to_numpy(), block.floats)
    assert not np.shares_memory(copied.countries["capability"].to_numpy(), twin.recorder.country.rows.floats)
    assert len(done.recorder.country.rows) == 0
    for name in ("indices", "countries", "forums"):
        pd.testing.assert_frame_equal(getattr(final, name), getattr(copied, name), check_exact=True)
