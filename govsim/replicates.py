"""Batched ensembles: R runs that share a world, stacked as (R, N) arrays and stepped in one process.

The replicates of a batch (seeds, or scenarios with the same world, calendar and forums; their
shocks and behaviour numbers may differ: :func:`batch_key`) are each set up exactly as a single run (:func:`govsim.phases.setup`, with
the Generator ``np.random.default_rng(seed)`` the run would use), then their arrays are stacked: per
country (R, N), per country and forum (R, N, K), per forum (R, K), and the run's scalars (world
investment and capacity, the open-weight lag) as (R, 1) columns. :func:`govsim.phases.run_period`
then steps them all at once with the kernel's own functions, which broadcast over the leading axis
(:mod:`govsim.rows`). What is per replicate runs per replicate, on that replicate's slice of the
stacked arrays (:class:`Replica`): its random draws, each from its own Generator in the order of
the single run. The membership reviews run for all replicates at once (each drawing from its own
Generator: ``Batch.review_each``), and so do the shocks of replicates next to each other that have
the same shocks (govsim/batch_shocks.py). So each replicate's tables equal the single run's
(``tests/test_batched.py``). The indices of all replicates' steps are measured in one pass.
"""

from __future__ import annotations

import dataclasses
import time
from types import SimpleNamespace
from collections.abc import Callable

import numpy as np
import pandas as pd

from govsim.batch_shocks import EachReplicate
from govsim.config import budget
from govsim.config.prerun import before_run
from govsim.config.scenario import Scenario
from govsim.forums import ForumSet
from govsim.membership import review
from govsim.phases import run_period, setup_many
from govsim.record import Recorder
from govsim.runner import Results, run, stacked_results, stacked_tables
from govsim.state import POLICY_SCALARS, Policy, State
from govsim.trace import CHUNK_BYTES, Trace, check_indices, fail_on_non_finite, row_bytes

#: State fields the replicates share (the countries' codes, the calendar; the policy is stacked apart).
COMMON = ("iso3", "region", "region_codes", "year", "start_year", "policy")
#: State scalars that differ between replicates: (R, 1) columns in a batch.
RUN_SCALARS = ("open_lag", "world_investment", "world_capacity")
#: ForumSet fields the replicates share (the forums' names and rules never differ within a batch).
FORUM_COMMON = ("names", "rule", "specs", "_universal", "harmonise")
STATE_ARRAYS = tuple(f.name for f in dataclasses.fields(State) if f.name not in COMMON + RUN_SCALARS)
POLICY_ARRAYS = tuple(f.name for f in dataclasses.fields(Policy) if f.name not in POLICY_SCALARS)
#: The ForumSet's per-forum arrays, (R, K) in a batch (its ``spec`` rules too; ``base_rules`` are reset batched).
FORUM_ARRAYS = ("position", "authority", "pool", "level", "reach", "depth", "active")


def batch_key(scenario: Scenario) -> str:
    """Scenarios with the same key can share a batch: the same world, calendar and forums, and the
    same behaviour but for its numbers (those may differ between replicates: :func:`stack_behaviour`),
    except the review interval, the engagement threshold and the open-weight producers."""
    b = scenario.behaviour
    shared = (b.membership.review_years, b.dynamics.engaged_threshold, sorted(b.dynamics.open_producers))
    return scenario.model_dump_json(include={"world", "time", "forums"}) + repr(shared)


#: Bytes of recorded rows a batch's trace holds at most (every step of every replicate): 124 replicates
#: of the real world's 52 steps, so a seed sweep of 100 is one batch. A step's fixed cost (~0.3 ms of
#: calls, whatever R) is shared by more replicates: 5.4 -> 5.2 ms a run from 62 to 124 replicates
#: (docs/performance.md). A large world's batches stay small (3 000 countries: 4 replicates).
BATCH_BYTES = 2 * CHUNK_BYTES


def batch_size(scenario: Scenario) -> int:
    """Replicates per batch: as many as the recorded rows of :data:`BATCH_BYTES` hold."""
    n = max(budget._countries(scenario), 1)
    return max(1, int(BATCH_BYTES // (row_bytes(n, len(scenario.forums)) * (scenario.time.steps + 1))))


def batches(jobs: list[tuple[Scenario, int | None]]) -> list[list[int]]:
    """The positions of ``jobs`` grouped into batches: the same :func:`batch_key`, in order, at most
    :func:`batch_size` each."""
    groups: dict[str, list[int]] = {}
    for i, (scenario, _) in enumerate(jobs):
        groups.setdefault(batch_key(scenario), []).append(i)
    out = []
    for members in groups.values():
        size = batch_size(jobs[members[0]][0])
        out.extend(members[a:a + size] for a in range(0, len(members), size))
    return out


class Replica:
    """One replicate of a batch: its own State and ForumSet objects (its shocks hold the ForumSet),
    whose arrays are pointed at the replicate's slice of the batch before per-replicate work
    (:meth:`bind`) and whose rebound arrays and changed scalars are written back after it (:meth:`unbind`)."""

    def __init__(self, r: int, state: State, forums: ForumSet, shocks: list, rng: np.random.Generator, behaviour):
        self.r, self.state, self.forums, self.shocks, self.rng, self.behaviour = r, state, forums, shocks, rng, behaviour
        self._bound: list = []

    def bind(self, batch: State, forums: ForumSet) -> None:
        """Point this replicate's objects at its slice of the batch's arrays (views: writes in place reach the batch)."""
        r, bound = self.r, []
        for mine, stacked, arrays, scalars in ((vars(self.state), vars(batch), STATE_ARRAYS, RUN_SCALARS),
                                               (vars(self.state.policy), vars(batch.policy), POLICY_ARRAYS, POLICY_SCALARS),
                                               (vars(self.forums), vars(forums), FORUM_ARRAYS, ())):
            for name in arrays:
                mine[name] = stacked[name][r]
            for name in scalars:
                value = stacked[name]
                mine[name] = value[r, 0].item() if isinstance(value, np.ndarray) else value
            bound.append((mine, stacked, arrays, scalars, [mine[name] for name in arrays + scalars]))
        self.forums.spec = {key: value[r] for key, value in forums.spec.items()}
        self.state.year = batch.year
        self.forums.harmonise.clear()
        self._bound = bound

    def unbind(self) -> None:
        """Write back what per-replicate code rebound (arrays replaced, scalars changed)."""
        r = self.r
        for mine, stacked, arrays, scalars, was in self._bound:
            for name, before in zip(arrays + scalars, was):
                now = mine[name]
                if now is before:
                    continue
                if name in arrays:
                    stacked[name][r] = now
                elif now != before:  # a scalar a shock set: the batch's value becomes a column
                    if not isinstance(stacked[name], np.ndarray):
                        stacked[name] = np.full((stacked_rows(stacked), 1), stacked[name])
                    stacked[name][r, 0] = now


def stacked_rows(stacked: dict) -> int:
    """Number of replicates of a stacked State's, Policy's or ForumSet's fields."""
    return next(value.shape[0] for value in stacked.values() if isinstance(value, np.ndarray) and value.ndim >= 2)


class Streams:
    """The replicates' Generators as one, for the batch's draws: each replicate draws its own slice."""

    def __init__(self, generators: list[np.random.Generator]):
        self.generators = generators

    def standard_normal(self, shape: tuple[int, ...]) -> np.ndarray:
        """(R, ...) each replicate's ``standard_normal`` of its slice (``shape``: the batch's, (R, ...))."""
        return self._draw("standard_normal", shape[1:])

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        """(R, *shape): each replicate's ``random(shape)``, as its single run draws it (a review's draws)."""
        return self._draw("random", shape)

    def _draw(self, method: str, shape: tuple[int, ...]) -> np.ndarray:
        out = np.empty((len(self.generators), *shape))
        for g, row in zip(self.generators, out):
            getattr(g, method)(out=row)
        return out


class Batch:
    """R replicates (``jobs``: (scenario, seed) pairs with the same :func:`batch_key`) run together;
    behaviour numbers that differ are stacked too (:func:`stack_behaviour`)."""

    def __init__(self, jobs: list[tuple[Scenario, int | None]], countries: bool = True):
        keys = {batch_key(scenario) for scenario, _ in jobs}
        if len(keys) != 1:
            raise ValueError("a batch's scenarios must share world, calendar and forums (govsim.replicates.batch_key)")
        self.scenarios = [scenario for scenario, _ in jobs]
        self.seeds = [before_run(scenario, seed, countries) for scenario, seed in jobs]
        first = self.scenarios[0]
        self.behaviour = stack_behaviour([scenario.behaviour for scenario in self.scenarios])
        self.dt, self.steps = first.time.step_years, first.time.steps
        rngs = [np.random.default_rng(seed) for seed in self.seeds]
        built = setup_many(self.scenarios, rngs)
        worlds = [world for world, *_ in built]
        self.worlds = worlds
        if any(not np.array_equal(w.iso3, worlds[0].iso3) for w in worlds):
            raise ValueError("a batch's replicates must have the same countries")
        self.state = stack_states([state for _, _, state, _ in built])
        self.forums = stack_forums([forums for _, forums, _, _ in built])
        self.replicas = [Replica(r, state, forums, shocks, rng, scenario.behaviour) for r, ((_, forums, state, shocks), rng, scenario)
                         in enumerate(zip(built, rngs, self.scenarios))]
        self.streams = Streams(rngs)
        n, k = self.state.n, len(self.forums.names)
        threshold = self.behaviour.dynamics.engaged_threshold
        self.trace = Trace(n, k, self.forums.universal, threshold, rows=self.steps + 1, replicates=len(jobs))
        self.recorder = Recorder(self.forums.names, countries=countries, steps=self.steps + 1)
        self.n_rows = 0
        self.record()

    def run(self) -> list[Results]:
        """Simulate every step of every replicate; the results of each, as its single run gives them."""
        self.simulate()
        return self.results()

    def simulate(self) -> None:
        """Simulate every step of every replicate."""
        shocks = [EachReplicate(self)] if any(r.shocks for r in self.replicas) else []
        for period in range(self.steps):
            run_period(self.state, self.forums, shocks, self.behaviour, self.dt, self.streams, period, self.review_each)
            self.record()

    def review_each(self, state: State, forums: ForumSet, b, rng) -> None:
        """Every replicate's membership review at once, on the stacked arrays (govsim.membership.review):
        each draws from its own Generator and is reviewed with its own behaviour numbers (``b``'s columns)."""
        review(state, forums, b, rng)

    def record(self) -> None:
        """Record every replicate's state as the next step (rows ``step`` of each replicate's block)."""
        s, f, t, steps = self.state, self.forums, self.n_rows, self.steps + 1
        trace, rows = self.trace, slice(self.n_rows, None, steps)
        open_lag = np.broadcast_to(s.open_lag, (len(self.replicas), 1))[:, 0]
        finite = trace.write(rows, s, f.authority, f.position, f.active, open_lag)
        trace.n_rows += 1
        if not finite:
            for replica in self.replicas:
                replica.bind(s, f)
                fail_on_non_finite(t, replica.state)
        self.recorder.record(t, s, f, self.behaviour.dynamics.engaged_threshold)
        self.n_rows += 1

    def results(self) -> list[Results]:
        """Each replicate's :class:`~govsim.runner.Results`: the indices of all replicates measured at
        once, and each table built once for the batch, then cut into the replicates' blocks. Asked once:
        the country snapshots are handed over to the tables (:meth:`Recorder.country_columns`, ``final``)."""
        return stacked_results(*self._table_parts())

    def tables(self) -> tuple[pd.DataFrame, ...]:
        """The (indices, countries, forums) tables of every replicate, one after another (as :meth:`results`,
        uncut: each replicate's rows a block of equal size, in the order of the jobs); asked once, as :meth:`results`."""
        return stacked_tables(*self._table_parts())

    def _table_parts(self) -> tuple:
        rows, runs, s = self.steps + 1, len(self.replicas), self.state
        measured = self.trace.measure(slice(0, runs * rows))
        if not all(np.isfinite(values).all() for values in measured.values() if values.dtype.kind == "f"):
            for r in range(runs):  # name the first replicate's bad step and index
                check_indices(0, {name: values[r * rows:(r + 1) * rows] for name, values in measured.items()})
        countries = self.recorder.country_columns(s.iso3, self.worlds[0].name, s.region, final=True)
        return self.scenarios, self.seeds, rows, measured, countries, self.recorder.forum_columns()


#: Behaviour groups whose parameters the batched kernel applies to (R, N, K) arrays: per-replicate
#: values as (R, 1, 1) arrays; the others' as (R, 1) columns (per country and per forum).
CELL_GROUPS = ("decision",)


def stack_behaviour(behaviours: list) -> object:
    """The batch's behaviour: the replicates' own if they are all the same; else, per group, each
    number shared by all replicates as it is and each number that differs as an array of the
    replicates' values, shaped to broadcast (the kernel's functions read them like numbers).
    The membership reviews read them too (govsim/membership.py: each replicate's numbers as its row's)."""
    first = behaviours[0]
    if all(b == first for b in behaviours[1:]):
        return first
    groups = {}
    for group in type(first).model_fields:
        models = [getattr(b, group) for b in behaviours]
        fields = {}
        for name in type(models[0]).model_fields:
            values = [getattr(m, name) for m in models]
            if all(v == values[0] for v in values[1:]):
                fields[name] = values[0]
            else:
                fields[name] = np.array(values, dtype=float).reshape((-1, 1, 1) if group in CELL_GROUPS else (-1, 1))
        groups[group] = SimpleNamespace(**fields)
    return SimpleNamespace(**groups)


def stack_states(states: list[State]) -> State:
    """One State whose arrays stack the replicates' (the shared fields from the first)."""
    first, stacked = states[0], State.__new__(State)
    for f in dataclasses.fields(State):
        name = f.name
        if name in COMMON:
            setattr(stacked, name, getattr(first, name))
        elif name in RUN_SCALARS:
            setattr(stacked, name, np.array([[getattr(s, name)] for s in states], dtype=float))
        else:
            setattr(stacked, name, np.stack([getattr(s, name) for s in states]))
    stacked.policy = _stack_policy([s.policy for s in states])
    return stacked


def _stack_policy(policies: list[Policy]) -> Policy:
    stacked = Policy.__new__(Policy)
    for f in dataclasses.fields(Policy):
        values = [getattr(p, f.name) for p in policies]
        if isinstance(values[0], np.ndarray):
            setattr(stacked, f.name, np.stack(values))
        elif all(v == values[0] for v in values):
            setattr(stacked, f.name, values[0])
        else:
            setattr(stacked, f.name, np.array(values)[:, None])
    return stacked


def stack_forums(sets: list[ForumSet]) -> ForumSet:
    """One ForumSet whose per-forum arrays are (R, K) (names, rules and specs from the first)."""
    first, stacked = sets[0], ForumSet.__new__(ForumSet)
    for f in dataclasses.fields(ForumSet):
        name, values = f.name, [getattr(fs, f.name) for fs in sets]
        if name in FORUM_COMMON:
            setattr(stacked, name, getattr(first, name))
        elif isinstance(values[0], dict):
            setattr(stacked, name, {key: np.stack([v[key] for v in values]) for key in values[0]})
        else:
            setattr(stacked, name, np.stack(values))
    stacked.harmonise = []
    return stacked


def batch_tables(jobs: list[tuple[Scenario, int | None]], countries: bool = True) -> tuple[pd.DataFrame, ...]:
    """The (indices, countries, forums) tables of ``jobs`` run as one batch (:func:`run_batch`), each
    job's rows one block after another, uncut."""
    if len(jobs) == 1:
        results = run_batch(jobs, countries)[0]
        return results.indices, results.countries, results.forums
    batch = Batch(jobs, countries)
    batch.simulate()
    return batch.tables()


def run_batch(jobs: list[tuple[Scenario, int | None]], countries: bool = True) -> list[Results]:
    """The results of ``jobs`` ((scenario, seed) pairs sharing a :func:`batch_key`), run as one batch
    (a batch of one is its single run: stacking gains nothing there)."""
    if len(jobs) == 1:
        scenario, seed = jobs[0]
        return [run(scenario, seed=seed, countries=countries)]
    return Batch(jobs, countries).run()


class Ahead:
    """Results of a driver's runs, simulated a batch at a time just before the driver asks for them.

    ``jobs``: (run id, scenario, seed) in the driver's order; ``skip(run_id)``: True for a run the
    driver will not ask for (already stored), checked when its batch is formed. Asked for a run,
    :meth:`results` simulates it together with the following runs that can share its batch; a run
    whose batch failed (any error) is run on its own, so its error is its single run's.
    ``shares[run_id]``: a batched run's share of its batch's time (s); ``spent``: the time of the
    batch simulated by the last call of :meth:`results` (0 if none), for the drivers' wall times.
    """

    def __init__(self, jobs: list[tuple[str, Scenario, int]], countries: bool, skip: Callable[[str], bool]):
        self.jobs, self.countries, self.skip = jobs, countries, skip
        self.ready: dict[str, Results] = {}
        self.tried: set[str] = set()
        self.shares: dict[str, float] = {}
        self.spent = 0.0

    def results(self, run_id: str, scenario: Scenario, seed: int) -> Results:
        """The results of run ``run_id`` (``scenario`` with ``seed``), as :func:`govsim.runner.run` gives them."""
        self.spent = 0.0
        if run_id not in self.tried:
            self._fill(run_id)
        found = self.ready.pop(run_id, None)
        return found if found is not None else run(scenario, seed=seed, countries=self.countries)

    def _fill(self, run_id: str) -> None:
        at = next((i for i, job in enumerate(self.jobs) if job[0] == run_id), None)
        if at is None:
            return
        key, size = batch_key(self.jobs[at][1]), batch_size(self.jobs[at][1])
        group = [self.jobs[at]]
        for job in self.jobs[at + 1:]:
            if len(group) >= size:
                break
            if job[0] not in self.tried and batch_key(job[1]) == key and not self.skip(job[0]):
                group.append(job)
        self.tried.update(job[0] for job in group)
        if len(group) == 1:
            return
        clock = time.perf_counter()
        try:
            done = run_batch([(scenario, seed) for _, scenario, seed in group], self.countries)
        except Exception:  # noqa: BLE001 -- each run is then run on its own and reports its own error
            return
        self.spent = time.perf_counter() - clock
        self.shares.update((job[0], self.spent / len(group)) for job in group)
        self.ready.update((job[0], results) for job, results in zip(group, done))
