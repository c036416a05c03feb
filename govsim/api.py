"""One run as a function of keyword parameters, for EMA Workbench, mesa.batch_run and the like.

:func:`experiment` takes scenario overrides as keyword arguments and returns a flat dict of
scalar outcomes, which is what EMA Workbench expects of a model function::

    from ema_workbench import Constant, Model, MultiprocessingEvaluator, RealParameter, ScalarOutcome
    import govsim

    model = Model("govsim", function=govsim.experiment)
    model.uncertainties = [RealParameter("behaviour__decision__temperature", 0.5, 2.0)]
    model.constants = [Constant("scenario", "export_controls_2025"), Constant("years", (2030,))]
    model.outcomes = [ScalarOutcome(f"{index}_2030") for index in govsim.runner.HEADLINES]
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=100)

EMA Workbench 2.5.3's MultiprocessingEvaluator hangs, rather than failing, if the function
raises in a worker (its EMAError is a BaseException, which kills the pool worker), so call
``govsim.experiment`` once in-process with the same constants before a long exploration.

``mesa.batch_run`` drives the model class itself, with the same keyword parameters::

    results = mesa.batch_run(govsim.GovernanceModel, parameters={"scenario": "baseline", "seed": range(8),
                             "behaviour__decision__temperature": [0.5, 1.0, 2.0]},
                             number_processes=2, max_steps=1000, data_collection_period=-1)

Each result row holds the indices at ``Step`` = the scenario's number of steps (the final state).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.config.scenario import Scenario
from govsim.model import resolve_scenario
from govsim.runner import HEADLINES, ends_year, full_years, run


def experiment(scenario: Scenario | str | Path = "baseline", seed: int | None = 0,
               years: Iterable[int] = (2025, 2030, 2035), **params: Any) -> dict[str, float]:
    """Run ``scenario`` with ``seed`` (None: the scenario's own) and overrides ``params``.

    ``params`` are keyed by dotted path, passed as ``**{"behaviour.decision.temperature": 2}``,
    or with ``__`` for dots: ``behaviour__decision__temperature=2``; ``time__steps=20`` shortens
    the run. Bad keys or values raise ``govsim.ScenarioError``.

    Returns ``{index}_{year}`` for each headline index (inclusiveness, fragmentation,
    ai_divide) at the end of each calendar year in ``years``, and ``{index}_final`` at the
    last step. A year whose end the run does not cover raises ``ValueError``.
    """
    indices = run(resolve_scenario(scenario, params), seed=seed).indices
    outcomes = {}
    for year in years:
        row = _end_of_year(indices, year)
        outcomes.update({f"{index}_{year}": float(row[index]) for index in HEADLINES})
    outcomes.update({f"{index}_final": float(indices[index].iloc[-1]) for index in HEADLINES})
    return outcomes


def _end_of_year(indices: pd.DataFrame, year: int) -> pd.Series:
    """The row that ends ``year`` (period ``YYYYQ4``: its state is the one at the end of that year)."""
    rows = indices[ends_year(indices, year)]
    if rows.empty:
        years = full_years(indices)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise ValueError(f"year {year} is outside the run: the run ends at {indices['period'].iloc[-1]}, "
                         f"full years it covers: {span}; choose one of those or run longer (time__steps)")
    return rows.iloc[0]
