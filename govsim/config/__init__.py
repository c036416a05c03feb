"""The scenario schema (pydantic v2) and its validation."""

from govsim.config.base import period_to_year
from govsim.config.behaviour import Behaviour
from govsim.config.forums import ForumSpec
from govsim.config.loading import ScenarioError, apply_override, check_override, load_file, read_yaml, validate
from govsim.config.scenario import Scenario, Synthetic, Time, World
from govsim.config.shocks import CapacityBuilding, ExportControls, ForumChange, OpenModels

__all__ = [
    "Behaviour", "CapacityBuilding", "ExportControls", "ForumChange", "ForumSpec", "OpenModels",
    "Scenario", "ScenarioError", "Synthetic", "Time", "World",
    "apply_override", "check_override", "load_file", "period_to_year", "read_yaml", "validate",
]
