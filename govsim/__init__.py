"""govsim: an agent-based model of global AI governance on Mesa.

Public API::

    scenario = govsim.load_scenario("baseline", overrides=["seed=3"])
    results = govsim.run(scenario)
    results.indices, results.countries, results.forums
    govsim.list_scenarios()   # the scenario library: name, description, provenance
    govsim.countries()        # the 193 countries: iso3, name, region, income group, a point
"""

from govsim.api import experiment
from govsim.catalog import countries, list_scenarios
from govsim.cli.compose import load_scenario
from govsim.config import Scenario, ScenarioError
from govsim.ensemble import summarize
from govsim.model import GovernanceModel
from govsim.runner import Results, run
from govsim.store import load_sweep

__all__ = ["GovernanceModel", "Results", "Scenario", "ScenarioError", "countries", "experiment", "list_scenarios", "load_scenario",
           "load_sweep", "run", "summarize"]
__version__ = "0.1.0"
