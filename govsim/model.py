"""The Mesa model: wiring and the step order of DESIGN §2, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from govsim.agents import Country
from govsim.config.prerun import before_run
from govsim.config.scenario import Scenario
from govsim.phases import run_period, setup
from govsim.record import Recorder
from govsim.trace import Trace


class GovernanceModel(mesa.Model):
    """Countries choosing how much to engage in each governance forum, quarter by quarter.

    ``scenario`` is a :class:`Scenario`, or a name in scenarios/ or a YAML path with
    ``params`` as overrides (see :func:`resolve_scenario`), so ``mesa.batch_run`` can drive
    the class directly: ``batch_run(GovernanceModel, {"scenario": "baseline", "seed": [0, 1]})``.
    ``running`` turns False at the first ``step()`` after the scenario's last period, which
    does nothing else: Mesa 3.3's ``batch_run`` reports the DataCollector row
    ``model.steps - 1`` (mesa#2514), so it then reports the final state as ``Step == time.steps``.
    ``record_countries=False`` skips the per-step country snapshots (sweeps that do not keep them);
    ``"stream"`` records them for :mod:`govsim.stream`, which writes and drops them every few steps.
    """

    def __init__(self, scenario: Scenario | str | Path, seed: int | None = None, *, record_countries: bool | str = True,
                 **params: Any):
        scenario = resolve_scenario(scenario, params)
        self.seed = before_run(scenario, seed, record_countries)  # seed, memory budget, notes
        super().__init__(rng=self.seed)
        self.scenario, self.behaviour = scenario, scenario.behaviour
        self.dt = scenario.time.step_years
        world, self.forums, self.state, self.shocks = setup(scenario, self.rng)
        self.names = world.name  # country names, for the countries table
        self._unmade_agents = world.n  # the Country agents, made on first use (see agents)
        self.recorder = Recorder(self.forums.names, countries=record_countries, steps=scenario.time.steps + 1)
        self.trace = Trace(world.n, len(self.forums.names), self.forums.universal, self.behaviour.dynamics.engaged_threshold,
                           rows=scenario.time.steps + 1)
        self.datacollector = IndexCollector(self)
        self.record()

    @property
    def agents(self) -> mesa.AgentSet:
        """The model's agents: one Country per row of the state, made the first time they are asked for.
        They are views for inspection (the run reads the arrays, never the agents), and making 193
        Mesa agents costs ~2 ms, 5 % of a run; 100 000 of them, a second."""
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        """As Mesa's, with the Country agents made on first use (see ``agents``)."""
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """As Mesa's, with the Country agents made on first use (see ``agents``)."""
        self._make_agents()
        return super().agent_types

    def _make_agents(self) -> None:
        n, self._unmade_agents = self.__dict__.get("_unmade_agents", 0), 0
        if n:
            Country.create_agents(self, n, index=np.arange(n))

    def step(self) -> None:
        """One period in the order of DESIGN §2 (shocks, forums, decide-then-commit, review, evolve:
        :func:`govsim.phases.run_period`), then the data: indices measured and recorded."""
        period = self.steps - 1
        if period >= self.scenario.time.steps:  # past the scenario's end: stop (see the class docstring)
            self.running = False
            return
        run_period(self.state, self.forums, self.shocks, self.behaviour, self.dt, self.rng, period)
        self.collect()

    @property
    def next_period(self) -> str:
        """The label of the period the next ``step()`` simulates (e.g. "2027Q3")."""
        from govsim.runner import clock

        return clock(self.scenario.time.start, self.dt, self.steps + 2)["period"][-1]  # row steps+1

    def add_shock(self, name: str, spec: Mapping[str, Any]) -> Scenario:
        """Switch a lever on mid-run: the shock ``spec`` (a dict as in a scenario's ``shocks``) in force
        from the next period simulated (its ``start`` defaults to it and may not be earlier).

        It is recorded in ``self.scenario.shocks[name]``, so running the updated scenario from the
        start with the same seed reproduces this run. Returns the updated scenario.
        """
        from govsim.midrun import added_shock

        self.scenario, built = added_shock(self.scenario, name, spec, self.next_period, self.forums, self.state.iso3)
        self.shocks.append(built)
        return self.scenario

    def end_shock(self, name: str) -> Scenario:
        """Switch lever ``name`` off from the next period simulated (its ``end`` is set to it)."""
        from govsim.midrun import ended_shock

        self.scenario, stop = ended_shock(self.scenario, name, self.next_period)
        for shock in self.shocks:
            if getattr(shock, "name", None) == name:
                shock.stop = stop
        return self.scenario

    def run(self) -> None:
        """Simulate every step of the scenario."""
        for _ in range(self.scenario.time.steps):
            self.step()

    def collect(self) -> None:
        """Record the state of the step just simulated (the indices are measured from the records)."""
        self.record()

    def record(self) -> None:
        """Record the current state: what the indices read (``trace``; FloatingPointError naming the
        step, variable and country if it is not finite) and the country/forum snapshots."""
        self.trace.append(self.state, self.forums.authority, self.forums.position, self.forums.active)
        self.recorder.record(self.steps, self.state, self.forums, self.behaviour.dynamics.engaged_threshold)

    def index_columns(self, rows: int | None = None) -> dict[str, np.ndarray]:
        """The indices of the first ``rows`` recorded steps (all by default), one array per index,
        measured at once from the trace (FloatingPointError naming the step if one is not finite)."""
        return self.trace.indices(rows)

    @property
    def indices(self) -> dict[str, float | str]:
        """The indices of the last recorded step."""
        return {name: values[-1] if values.dtype == object else float(values[-1])
                for name, values in self.index_columns().items()}

    def measure(self) -> dict[str, float | str]:
        """The indices of the current (last recorded) state."""
        return self.indices


class IndexCollector(mesa.DataCollector):
    """Mesa's DataCollector over the model's trace: ``model_vars`` (what ``mesa.batch_run`` reads) and
    ``get_model_vars_dataframe()`` give the indices of every recorded step, measured when first read
    (:mod:`govsim.trace`) rather than collected step by step."""

    def __init__(self, model: GovernanceModel):
        super().__init__()
        self._model, self._lists = model, (-1, {})

    @property
    def model_vars(self) -> dict[str, list]:
        """Index name -> its value at every recorded step (lists made once per number of steps:
        ``mesa.batch_run`` reads this once for every step it reports)."""
        rows = self._model.trace.n_rows
        if self._lists[0] != rows:
            self._lists = (rows, {name: values.tolist() for name, values in self._model.index_columns().items()})
        return self._lists[1]

    @model_vars.setter
    def model_vars(self, value) -> None:
        """Ignored (Mesa's constructor sets it empty): the values come from the trace."""

    def collect(self, model: mesa.Model) -> None:
        """Nothing to collect: the model records every step into its trace."""

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per recorded step, one column per index."""
        return pd.DataFrame(self._model.index_columns())


def resolve_scenario(scenario: Scenario | str | Path, params: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario object for ``scenario`` (an object, a name in scenarios/ or a YAML path).

    ``params`` are overrides keyed by dotted path (``{"behaviour.decision.temperature": 2}``)
    or the same path with ``__`` for dots (``behaviour__decision__temperature=2``), so they
    can be passed as Python keyword arguments. Bad keys or values raise ``ScenarioError``.
    """
    overrides = [f"{key.replace('__', '.')}={'null' if value is None else value}"
                 for key, value in (params or {}).items()]
    if isinstance(scenario, Scenario):
        if overrides:
            raise TypeError(f"overrides {overrides} need a scenario name or path, not a Scenario object")
        return scenario
    from govsim import load_scenario  # lazily: govsim imports this module

    return load_scenario(scenario, overrides)
