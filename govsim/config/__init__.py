"""The scenario schema (pydantic v2) and its loader."""

from govsim.config.base import period_to_year
from govsim.config.behaviour import Behaviour
from govsim.config.forums import ForumSpec
from govsim.config.loading import ScenarioError, apply_override, load_scenario, validate
from govsim.config.scenario import Scenario, Synthetic, Time, World
from govsim.config.shocks import CapacityBuilding, ExportControls, ForumChange, OpenModels

__all__ = [
    "Behaviour", "CapacityBuilding", "ExportControls", "ForumChange", "ForumSpec", "OpenModels",
    "Scenario", "ScenarioError", "Synthetic", "Time", "World",
    "apply_override", "load_scenario", "period_to_year", "validate",
]
