"""govsim: an agent-based model of global AI governance on Mesa.

Public API::

    scenario = govsim.load_scenario("baseline", overrides=["seed=3"])
    results = govsim.run(scenario)
    results.indices, results.countries, results.forums
    ensemble = govsim.run_many(["baseline", "export_controls_2025"], seeds=8, n_jobs=2)
    ensemble.indices          # tidy: run_id, scenario, seed, step, period, year, time, indices
    govsim.list_scenarios()   # the scenario library: name, description, provenance
    govsim.countries()        # the 193 countries: iso3, name, region, income group, a point
"""

from govsim.api import experiment
from govsim.catalog import countries, list_scenarios
from govsim.cli.compose import load_scenario
from govsim.config import Scenario, ScenarioError
from govsim.ensemble import compare, differences, summarize
from govsim.many import Ensemble, run_many
from govsim.model import GovernanceModel
from govsim.runner import Results, run
from govsim.store import load_sweep

__all__ = ["Ensemble", "GovernanceModel", "Results", "Scenario", "ScenarioError", "compare", "countries", "differences", "experiment",
           "list_scenarios", "load_scenario", "load_sweep", "run", "run_many", "summarize"]
__version__ = "0.1.0"
