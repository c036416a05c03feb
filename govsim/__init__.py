"""govsim: an agent-based model of global AI governance on Mesa.

Public API::

    scenario = govsim.load_scenario("baseline", overrides=["seed=3"])
    results = govsim.run(scenario)
    results.indices, results.countries, results.forums
"""

from govsim.api import experiment
from govsim.cli.compose import load_scenario
from govsim.config import Scenario, ScenarioError
from govsim.ensemble import summarize
from govsim.model import GovernanceModel
from govsim.runner import Results, run
from govsim.store import load_sweep

__all__ = ["GovernanceModel", "Results", "Scenario", "ScenarioError", "experiment", "load_scenario", "load_sweep", "run", "summarize"]
__version__ = "0.1.0"
