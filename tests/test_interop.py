"""Interoperability: ``govsim.experiment`` as an EMA Workbench model function, and
``GovernanceModel`` driven unchanged by ``mesa.batch_run``, each with two processes."""

from __future__ import annotations

import math
import warnings

import mesa
import pytest

import govsim
from govsim.model import GovernanceModel
from govsim.runner import HEADLINES, LEAD

SCENARIO = "baseline"
YEARS = (2024, 2025)
SHORT = {"time.steps": 12}  # 2023Q1-2025Q4: rows 2024Q4 and 2025Q4 are the ends of YEARS


def _indices(steps: int, seed: int, *overrides: str):
    return govsim.run(govsim.load_scenario(SCENARIO, [f"time.steps={steps}", *overrides]), seed=seed).indices


# ------------------------------------------------------------------ govsim.experiment
def test_experiment_returns_headlines_at_year_ends_and_final(row_at):
    out = govsim.experiment(SCENARIO, seed=3, years=YEARS, **SHORT)
    assert list(out) == [f"{index}_{when}" for when in (*YEARS, "final") for index in HEADLINES]
    assert all(type(value) is float and math.isfinite(value) for value in out.values())
    assert govsim.experiment(SCENARIO, seed=3, years=YEARS, **SHORT) == out  # reproducible
    indices = _indices(12, 3)
    for year in YEARS:
        row = row_at(indices, f"{year}Q4")
        assert {index: out[f"{index}_{year}"] for index in HEADLINES} == {index: row[index] for index in HEADLINES}
    assert {index: out[f"{index}_final"] for index in HEADLINES} == dict(indices[list(HEADLINES)].iloc[-1])
    assert govsim.experiment(SCENARIO, seed=4, years=YEARS, **SHORT) != out


def test_experiment_parameter_forms_and_errors():
    dotted = govsim.experiment(SCENARIO, years=YEARS, **SHORT, **{"behaviour.decision.temperature": 2.5})
    underscored = govsim.experiment(SCENARIO, years=YEARS, time__steps=12, behaviour__decision__temperature=2.5)
    assert dotted == underscored
    assert dotted != govsim.experiment(SCENARIO, years=YEARS, **SHORT)  # the parameter took effect
    with pytest.raises(govsim.ScenarioError, match="temprature"):
        govsim.experiment(SCENARIO, years=YEARS, time__steps=12, behaviour__decision__temprature=2.5)
    with pytest.raises(govsim.ScenarioError, match="temperature"):
        govsim.experiment(SCENARIO, years=YEARS, time__steps=12, behaviour__decision__temperature=-1)
    for year in (2021, 2026):
        with pytest.raises(ValueError, match=f"year {year} is outside the run"):
            govsim.experiment(SCENARIO, years=(year,), **SHORT)


# ------------------------------------------------------------------ EMA Workbench
def test_ema_workbench_drives_experiment_with_two_processes():
    with warnings.catch_warnings():  # EMA 2.5.3 warns at import when the optional ipyparallel is absent
        warnings.filterwarnings("ignore", message="ipyparallel not installed", category=UserWarning)
        from ema_workbench import (Constant, Model, MultiprocessingEvaluator, RealParameter, ScalarOutcome,
                                   perform_experiments)

    bounds = {"behaviour__decision__temperature": (0.5, 3.0), "behaviour__decision__inertia": (0.5, 2.0)}
    constants = {"scenario": SCENARIO, "time__steps": 8, "years": (2024,)}
    # EMA 2.5.3 hangs if the function raises in a worker (its EMAError is a BaseException, which
    # kills the Pool worker and loses the task), so check both corners in-process first
    for corner in (0, 1):
        govsim.experiment(**constants, **{name: bound[corner] for name, bound in bounds.items()})
    model = Model("govsim", function=govsim.experiment)
    model.uncertainties = [RealParameter(name, *bound) for name, bound in bounds.items()]
    model.constants = [Constant(name, value) for name, value in constants.items()]
    names = [f"{index}_2024" for index in HEADLINES]
    model.outcomes = [ScalarOutcome(name) for name in names]
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=6, evaluator=evaluator, log_progress=True)

    assert len(experiments) == 6 and set(outcomes) == set(names)
    assert all(len(outcomes[name]) == 6 and all(math.isfinite(v) for v in outcomes[name]) for name in names)
    assert experiments.behaviour__decision__temperature.nunique() == 6
    for k in (0, 5):
        row = experiments.iloc[k]
        direct = govsim.experiment(**constants, **{name: row[name] for name in bounds})
        assert {name: outcomes[name][k] for name in names} == {name: direct[name] for name in names}


# ------------------------------------------------------------------ mesa.batch_run
def test_mesa_batch_run_drives_model_class_with_two_processes():
    results = mesa.batch_run(GovernanceModel, parameters={"scenario": SCENARIO, "seed": [0, 1], "time__steps": 6},
                             number_processes=2, iterations=1, max_steps=100, data_collection_period=-1,
                             display_progress=False)
    assert sorted(r["seed"] for r in results) == [0, 1]
    for result in results:
        assert result["Step"] == 6  # stopped by `running` at the scenario's end, not by max_steps
        final = _indices(6, result["seed"]).iloc[-1]
        assert final.step == 6
        reported = final.drop(list(LEAD))
        assert {name: result[name] for name in reported.index} == dict(reported)


def test_model_built_from_name_and_params_stops_at_scenario_end():
    model = GovernanceModel(SCENARIO, seed=5, time__steps=3, **{"behaviour.decision.temperature": 2.0})
    assert model.scenario.time.steps == 3 and model.scenario.behaviour.decision.temperature == 2.0
    while model.running and model.steps < 10:  # Mesa's loop (run_model, batch_run), bounded here
        model.step()
    assert not model.running and model.steps == 4  # the fourth call only stops the model
    expected = _indices(3, 5, "behaviour.decision.temperature=2.0")
    collected = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    assert collected.equals(expected.drop(columns=list(LEAD)))
    with pytest.raises(TypeError, match="scenario name or path"):
        GovernanceModel(model.scenario, time__steps=2)
