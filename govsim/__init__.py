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

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

#: Public name -> the module that defines it. Imported on first use (PEP 562), so ``import govsim``
#: loads none of numpy, pandas, Mesa, pydantic, Hydra, SALib or matplotlib (issue 14).
_WHERE = {
    "experiment": "govsim.api", "countries": "govsim.catalog", "list_scenarios": "govsim.catalog",
    "load_scenario": "govsim.cli.compose", "Scenario": "govsim.config", "ScenarioError": "govsim.config",
    "compare": "govsim.ensemble", "differences": "govsim.ensemble", "summarize": "govsim.ensemble",
    "Ensemble": "govsim.many", "run_many": "govsim.many", "GovernanceModel": "govsim.model",
    "gini_contributions": "govsim.inequality", "HEADLINES": "govsim.runner", "Results": "govsim.runner",
    "collect_results": "govsim.runner", "country_history": "govsim.runner", "run": "govsim.runner",
    "snapshot": "govsim.runner", "load_sweep": "govsim.store",
}

__all__ = sorted(_WHERE)
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import the module behind a public name when it is first used, and keep the name here."""
    module = _WHERE.get(name)
    if module is None:  # a submodule, as eager imports used to make available (govsim.runner.HEADLINES)
        if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'govsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


if TYPE_CHECKING:  # for type checkers and IDEs: the names as if imported eagerly
    from govsim.api import experiment
    from govsim.catalog import countries, list_scenarios
    from govsim.cli.compose import load_scenario
    from govsim.config import Scenario, ScenarioError
    from govsim.ensemble import compare, differences, summarize
    from govsim.inequality import gini_contributions
    from govsim.many import Ensemble, run_many
    from govsim.model import GovernanceModel
    from govsim.runner import HEADLINES, Results, collect_results, country_history, run, snapshot
    from govsim.store import load_sweep
