"""govsim: an agent-based model of global AI governance on Mesa.

Public API::

    scenario = govsim.load_scenario("baseline", overrides=["seed=3"])
    results = govsim.run(scenario)
    results.indices, results.countries, results.forums
    ensemble = govsim.run_many(["baseline", "export_controls_2025"], seeds=8, n_jobs=2)
    ensemble.indices          # tidy: run_id, scenario, seed, step, period, year, time, indices
    govsim.list_scenarios()   # the scenario library: name, description, provenance
    govsim.countries()        # the 193 countries: iso3, name, region, income group, a point

Live runs (the classroom app): ``GovernanceModel`` steps, ``add_shock``/``end_shock`` switch levers
mid-run, ``snapshot(model, step)`` and ``country_history(model, iso3)`` read it cheaply.
"""

from govsim.api import experiment
from govsim.catalog import countries, list_scenarios
from govsim.cli.compose import load_scenario
from govsim.config import Scenario, ScenarioError
from govsim.ensemble import compare, differences, summarize
from govsim.many import Ensemble, run_many
from govsim.model import GovernanceModel
from govsim.inequality import gini_contributions
from govsim.runner import HEADLINES, Results, collect_results, country_history, run, snapshot
from govsim.store import load_sweep

__all__ = ["Ensemble", "GovernanceModel", "HEADLINES", "Results", "Scenario", "ScenarioError", "collect_results", "compare",
           "countries", "country_history", "differences", "experiment", "gini_contributions", "list_scenarios", "load_scenario",
           "load_sweep", "run", "run_many", "snapshot", "summarize"]
__version__ = "0.1.0"
