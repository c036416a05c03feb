"""govsim: an agent-based model of global AI governance on Mesa.

Public API::

    scenario = govsim.load_scenario("baseline", overrides=["seed=3"])
    results = govsim.run(scenario)
    results.indices, results.countries, results.forums
"""

from govsim.config import Scenario, ScenarioError, load_scenario
from govsim.model import GovernanceModel
from govsim.runner import Results, run

__all__ = ["GovernanceModel", "Results", "Scenario", "ScenarioError", "load_scenario", "run"]
__version__ = "0.1.0"
