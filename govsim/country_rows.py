"""The per-step country snapshots of a run, and the countries table built from them.

:class:`CountryRows` copies each recorded state's country arrays into preallocated per-column
buffers (a :class:`Block`: replicate-major, (R, capacity, N[, K]), R = 1 for one run), one compiled
call a step (:func:`govsim.record_loops.country_rows`); a full block is replaced by one of twice
the capacity. ``table`` builds the tidy countries table (one row per country per step) from a
block's columns, each a reshape of one buffer, and ``history`` one country's rows, cheaply, for
live views. A streamed run (:mod:`govsim.stream`) hands the block over to a Parquet file every
few steps with :meth:`CountryRows.drain`, so memory holds a few steps at a time, not the whole run.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from govsim import record_loops
from govsim.codes import INCOME_GROUPS, STATUS_NAMES
from govsim.state import State

#: The per-country columns of the countries table, after step, iso3, name, region and income_group.
COUNTRY_COLUMNS = ("capability", "access", "adoption", "intensity", "lag_years", "internet", "skills", "population", "readiness",
                   "gdp_pc", "alignment", "tier", "compute")
#: The categories of the coded columns, made once (pandas checks a category list each time it is given one).
INCOME_DTYPE, STATUS_DTYPE = pd.CategoricalDtype(list(INCOME_GROUPS)), pd.CategoricalDtype(list(STATUS_NAMES))
#: The float columns of a block (its ``floats`` rows, in the order :func:`govsim.record_loops.country_rows`
#: copies them) and the State attribute each copies; then the int8 columns (its ``codes`` rows).
FLOAT_COLUMNS = {"capability": "capability", "access": "frontier_access", "adoption": "adoption",
                 "intensity": "intensity", "lag_years": "lag", "internet": "internet", "skills": "skills",
                 "population": "population", "readiness": "readiness", "gdp_pc": "gdp_pc", "alignment": "alignment",
                 "compute": "compute"}
CODE_COLUMNS = ("tier", "income_group")
#: Steps a block holds at first (fewer if they would take more than :data:`BLOCK_BYTES`; a streamed
#: run's block starts at one step): a real-world run's 53 fit, a longer run's block doubles.
CAPACITY, BLOCK_BYTES = 64, 256e6


class Block:
    """Copies of the country arrays of up to ``capacity`` recorded steps of ``replicates`` runs of
    ``n`` countries and ``k`` forums, each column a preallocated buffer, replicate-major: ``floats``
    (column, replicate, step, country), ``codes`` (tier and income group, int8, likewise),
    ``engagement`` and ``status`` (replicate, step, country, forum); ``steps``: each held row's step."""

    def __init__(self, replicates: int, n: int, k: int, capacity: int):
        self.replicates, self.held = replicates, 0
        self.floats = np.empty((len(FLOAT_COLUMNS), replicates, capacity, n))
        self.codes = np.empty((len(CODE_COLUMNS), replicates, capacity, n), np.int8)
        self.engagement, self.status = np.empty((replicates, capacity, n, k)), np.empty((replicates, capacity, n, k), np.int8)
        self.steps = np.empty(capacity, np.int64)

    def __len__(self) -> int:
        """The steps held."""
        return self.held

    @property
    def capacity(self) -> int:
        """The steps the buffers have room for."""
        return len(self.steps)

    def grow(self) -> None:
        """Twice the room, the steps held copied over (a block is grown only while it is being recorded,
        never once drained: no table holds its buffers)."""
        held = self.held
        self.floats, self.codes = doubled(self.floats, 2, held), doubled(self.codes, 2, held)
        self.engagement, self.status = doubled(self.engagement, 1, held), doubled(self.status, 1, held)
        self.steps = doubled(self.steps, 0, held)

    def append(self, step: int, s: State) -> None:
        """Copy the country arrays of ``s`` (one run's, or a batch's with a leading replicate axis) as
        the next row (the caller makes room first)."""
        row = self.held
        record_loops.country_rows(self.floats, self.codes, self.engagement, self.status, row, self.replicates,  # FLOAT_COLUMNS
                                  s.capability, s.frontier_access, s.adoption, s.intensity, s.lag, s.internet, s.skills,
                                  s.population, s.readiness, s.gdp_pc, s.alignment, s.compute, s.tier, s.income_group,
                                  s.engagement, s.status)
        self.steps[row] = step
        self.held = row + 1

    def arrays(self, steps: slice, copy: bool) -> tuple[np.ndarray, ...]:
        """The held rows picked by ``steps``: (steps, floats, codes, engagement, status), each buffer
        cut to them; ``copy``: as one new contiguous array each, sharing no memory with the buffers
        (which later steps may write); else views where the cut is contiguous."""
        rows = slice(*steps.indices(self.held))
        parts = (self.floats[:, :, rows], self.codes[:, :, rows], self.engagement[:, rows], self.status[:, rows])
        if copy:
            parts = tuple(part.copy() for part in parts)
        return (self.steps[rows], *parts)


class CountryRows:
    """Copies of the country arrays at each recorded step (``rows``: the :class:`Block` held in
    memory; ``len(rows)``: the steps it holds).

    ``sink``, if set, is called after each recorded step with this object: a stream uses it to
    write and :meth:`drain` the rows it holds every few steps (``stream``: the block starts at one
    step and grows to what is held between drains, not to the run's horizon)."""

    def __init__(self, forum_names: list[str], stream: bool = False, steps: int | None = None):
        """``steps``: the steps a run records (its first block has room for them all), if known."""
        self.forum_names = forum_names
        self.rows = Block(1, 0, 0, 0)  # no room yet: made at the first step, when the shapes are known
        self.capacity = 1 if stream else steps or CAPACITY  # of the next block made
        self.sink: Callable[[CountryRows], None] | None = None

    def record(self, step: int, s: State) -> None:
        """Copy the country arrays of the state at ``step`` (one compiled call: :meth:`Block.append`)."""
        block = self.rows
        if not block.held:  # none yet: a new block
            block = self.rows = self._block_for(s)
        elif block.held == block.capacity:  # full: twice the room
            block.grow()
        block.append(step, s)
        if self.sink is not None:
            self.sink(self)

    def _block_for(self, s: State) -> Block:
        """An empty block for states like ``s``, of :attr:`capacity` steps (fewer past :data:`BLOCK_BYTES`)."""
        replicates, k = (s.capability.shape[0] if s.capability.ndim > 1 else 1), s.engagement.shape[-1]
        step_bytes = replicates * s.n * (8 * len(FLOAT_COLUMNS) + len(CODE_COLUMNS) + 9 * k)
        return Block(replicates, s.n, k, max(1, min(self.capacity, int(BLOCK_BYTES // max(1, step_bytes)))))

    def drain(self) -> Block:
        """Hand over the rows held so far (a block no step writes again, so its tables may share its
        memory) and forget them (a streamed run has written them); the next block starts as large."""
        block, self.rows = self.rows, Block(1, 0, 0, 0)
        self.capacity = max(self.capacity, block.capacity)
        return block

    def table(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
              steps: slice = slice(None), rows: Block | None = None) -> pd.DataFrame:
        """One row per country per step of ``rows`` (a drained block; default: the rows held, picked
        by ``steps``), with the country's name and World Bank region as categories (cheap to repeat
        every step). A batch's rows (govsim/replicates.py: the block's leading replicate axis holds
        them) make one table, replicate by replicate (each replicate's rows as
        its single run's table)."""
        columns = self.columns(iso3, names, regions, steps, rows)
        return pd.DataFrame(columns) if columns else pd.DataFrame()

    def columns(self, iso3: np.ndarray, names: np.ndarray | None = None, regions: np.ndarray | None = None,
                steps: slice = slice(None), rows: Block | None = None) -> dict[str, object]:
        """The columns of :meth:`table` (empty if no rows), for a caller that adds its own in front
        (the run's tags: one table built, not two). The rows held are copied (one copy per buffer:
        later steps write the buffers, and a caller may write the table); a drained block's are views."""
        block = self.rows if rows is None else rows
        if not len(block):
            return {}
        step, floats, codes, engagement, status = block.arrays(steps if rows is None else slice(None), rows is None)
        if not len(step):
            return {}
        names = iso3 if names is None else names
        regions = np.full(len(iso3), "", dtype=object) if regions is None else regions
        blocks = len(step) * block.replicates
        table = {
            "step": np.tile(np.repeat(step, len(iso3)), block.replicates),
            "iso3": _strings(tuple(iso3)).take(np.tile(np.arange(len(iso3)), blocks)),  # a new array, from codes converted once
            "name": _repeated(names, blocks),
            "region": _repeated(regions, blocks),
            "income_group": pd.Categorical.from_codes(codes[1].reshape(-1), dtype=INCOME_DTYPE),
        }
        order = list(FLOAT_COLUMNS)
        for column in COUNTRY_COLUMNS:
            table[column] = codes[0].reshape(-1) if column == "tier" else floats[order.index(column)].reshape(-1)
        engagement, status = engagement.reshape(-1, len(self.forum_names)), status.reshape(-1, len(self.forum_names))
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = engagement[:, k]
            table[f"status_{name}"] = pd.Categorical.from_codes(status[:, k], dtype=STATUS_DTYPE)
        return table

    def history(self, i: int) -> pd.DataFrame:
        """Country ``i`` over every recorded step of a single run (one row per step; the countries
        table's columns but iso3, name and region), without building the whole table: for a live inspector."""
        block = self.rows
        if not len(block):
            return pd.DataFrame()
        held, order = block.held, list(FLOAT_COLUMNS)
        floats, codes = block.floats[:, 0, :held, i].copy(), block.codes[:, 0, :held, i].copy()
        engagement, status = block.engagement[0, :held, i].copy(), block.status[0, :held, i].copy()
        table: dict[str, object] = {"step": block.steps[:held].copy()}
        for column in COUNTRY_COLUMNS:
            table[column] = codes[0] if column == "tier" else floats[order.index(column)]
        table["income_group"] = pd.Categorical.from_codes(codes[1], dtype=INCOME_DTYPE)
        for k, name in enumerate(self.forum_names):
            table[f"engagement_{name}"] = engagement[:, k]
            table[f"status_{name}"] = pd.Categorical.from_codes(status[:, k], dtype=STATUS_DTYPE)
        return pd.DataFrame(table)


def doubled(buffer: np.ndarray, axis: int, held: int) -> np.ndarray:
    """``buffer`` with twice the room along its steps' ``axis``, the first ``held`` steps copied over."""
    shape = list(buffer.shape)
    shape[axis] *= 2
    grown, kept = np.empty(shape, buffer.dtype), (slice(None),) * axis + (slice(0, held),)
    grown[kept] = buffer[kept]
    return grown


def _repeated(labels: np.ndarray, times: int) -> pd.Categorical:
    """``labels`` repeated ``times`` as a categorical whose categories are the labels in first-seen order:
    built from codes, so the strings are hashed once, not once per row and step."""
    dtype, codes = _coded(tuple(labels))
    return pd.Categorical.from_codes(np.tile(codes, times), dtype=dtype)


@lru_cache(maxsize=8)
def _strings(labels: tuple) -> pd.api.extensions.ExtensionArray:
    """``labels`` as a pandas string array, converted once per world (only ever taken from, never handed out)."""
    return pd.array(labels, dtype="str")


@lru_cache(maxsize=8)
def _coded(labels: tuple) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """The categories of ``labels`` (in first-seen order) and each label's code, worked out once per
    world (a run's countries table is built with the same names and regions every time)."""
    categories = list(dict.fromkeys(labels))
    return pd.CategoricalDtype(categories), pd.Index(categories).get_indexer(list(labels))
