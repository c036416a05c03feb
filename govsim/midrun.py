"""Levers switched on or off while a run is going (the classroom app's levers), kept reproducible.

A lever switched on at period P becomes a shock of the run's scenario starting at P; a lever
switched off at P gets ``end = P``. Because shocks act only from their start, running the updated
scenario from the beginning with the same seed gives the same tables as the interrupted run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from govsim.config import ScenarioError, period_to_year, validate
from govsim.config.errors import shown
from govsim.config.scenario import Scenario
from govsim.forums import ForumSet
from govsim.shocks import Shock, build_shocks


def added_shock(scenario: Scenario, name: str, spec: Mapping[str, Any], next_period: str, forums: ForumSet,
                iso3: np.ndarray) -> tuple[Scenario, Shock]:
    """``scenario`` with shock ``name`` added from ``next_period`` on, and the run-time shock built for it."""
    if not isinstance(name, str) or not name or name in scenario.shocks:
        raise ScenarioError(f"shock name {shown(name)} is empty or already used. Fix: give the lever a new name "
                            f"(in use: {', '.join(scenario.shocks) or 'none'})")
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"shock {name}: {shown(spec)} is not a shock. Fix: a dict with kind, start and the "
                            "lever's fields, as in a scenario file")
    spec = {"start": next_period, **spec}
    if period_to_year(str(spec["start"])) < period_to_year(next_period) - 1e-9:
        raise ScenarioError(f"shocks.{name}.start = {shown(spec['start'])} has already been simulated. Fix: start at "
                            f"{next_period} or later (the run is about to simulate {next_period})")
    data = scenario.model_dump(mode="json")
    data["shocks"][name] = spec
    updated = validate(data, source=f"lever {name!r} switched on at {next_period}")
    built = build_shocks({name: updated.shocks[name]}, updated.time, forums, iso3)[0]
    return updated, built


def ended_shock(scenario: Scenario, name: str, next_period: str) -> tuple[Scenario, int]:
    """``scenario`` with shock ``name`` ending at ``next_period``, and the step index at which it stops."""
    if name not in scenario.shocks:
        raise ScenarioError(f"no shock {shown(name)} to switch off. Fix: one of {', '.join(scenario.shocks) or 'none'}")
    spec = scenario.shocks[name]
    if period_to_year(spec.start) >= period_to_year(next_period) - 1e-9:
        raise ScenarioError(f"shock {name} starts at {spec.start} and has not begun (next period {next_period}). "
                            "Fix: remove it from the scenario instead")
    if spec.end is not None and period_to_year(spec.end) <= period_to_year(next_period):
        raise ScenarioError(f"shock {name} already ended at {spec.end}")
    data = scenario.model_dump(mode="json")
    data["shocks"][name]["end"] = next_period
    updated = validate(data, source=f"lever {name!r} switched off at {next_period}")
    from govsim.shocks import _period_index  # the step index of a period, as shocks count them

    return updated, _period_index(next_period, updated.time)
