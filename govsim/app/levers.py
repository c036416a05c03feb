"""The classroom levers: plain-language controls that become shocks of the running scenario.

Each lever has a help text for the class (what it is, its real-world source, what to watch) and a
few settings with ranges; ``Lever.spec(settings)`` is the shock that ``GovernanceModel.add_shock``
records from the current quarter. Values follow the library's shock files in scenarios/shocks/,
whose headers cite the sources; the ranges around them are assumptions for exploration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from govsim.config import ScenarioError


@dataclass(frozen=True)
class Setting:
    """One control of a lever: a number in [low, high] (a slider) or one of ``choices``."""

    key: str
    label: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def check(self, value: Any) -> Any:
        """``value`` if allowed, else one clear ScenarioError naming the setting and the range."""
        if self.choices:
            if value not in self.choices:
                raise ScenarioError(f"{self.label}: {value!r} is not one of {', '.join(self.choices)}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            raise ScenarioError(f"{self.label}: {value!r} is outside {self.low:g}-{self.high:g}. Fix: pick a value in that range")
        return float(value)


@dataclass(frozen=True)
class Lever:
    """A policy lever the class can switch on (and off) while the run is going."""

    key: str
    title: str
    what: str
    source: str
    watch: str
    build: Callable[[dict[str, Any]], dict[str, Any]]
    settings: tuple[Setting, ...] = field(default=())

    def spec(self, settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """The shock for ``settings`` (defaults for any left out), checked setting by setting."""
        settings = dict(settings or {})
        unknown = sorted(set(settings) - {s.key for s in self.settings})
        if unknown:
            raise ScenarioError(f"{self.title}: no setting {unknown[0]!r}; settings: {', '.join(s.key for s in self.settings)}")
        values = {s.key: s.check(settings.get(s.key, s.default)) for s in self.settings}
        return {"label": f"{self.title} (classroom lever)", **self.build(values)}

    @property
    def help(self) -> str:
        return f"{self.what}\n\nSource: {self.source}\n\nWatch: {self.watch}"


def _export_controls(v: dict[str, Any]) -> dict[str, Any]:
    cap = 0.0003 * (1.0 - v["strictness"])  # 0: the Jan 2025 rule's Tier-2 cap; 1: no Tier-2 imports
    return {"kind": "export_controls", "caps": {1: None, 2: cap, 3: 0.0}, "leakage": {2: v["leakage"], 3: 0.9754},
            "api_delay": {2: v["api_delay"], 3: None}, "penalty": 0.25, "substitution": 2.0, "resentment": 0.5,
            "penalised_tiers": [2], "penalised_forums": ["brics"], "sanctioning_forum": "g7"}


def _capacity(v: dict[str, Any]) -> dict[str, Any]:
    provider = "un" if v["channel"] == "UN" else "brics"
    return {"kind": "capacity_building", "provider": provider, "budget": v["budget"], "recipients": ["low", "lower_middle"]}


def _open_models(v: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "open_models", "diffusion_multiplier": v["diffusion"], "lag_cut": v["lag_cut"]}


def _un_depth(v: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "forum_reform", "forum": "un", "depth_multiplier": v["depth"], "tech_access_increment": v["panel"]}


def _brics_pace(v: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "enlargement_pace", "forum": "brics", "partners_per_year": v["partners"],
            "promotions_per_year": v["promotions"]}


def _bloc_penalties(v: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "export_controls", "caps": {1: None, 2: None, 3: None}, "penalty": v["penalty"],
            "penalised_tiers": [3], "penalised_parties": ["brics"], "penalised_forums": ["g7"], "sanctioning_forum": "g7"}


LEVERS: dict[str, Lever] = {lever.key: lever for lever in (
    Lever("export_controls", "Export controls on AI chips",
          "The US caps how much advanced AI compute Tier-2 countries (most of the world) may import, "
          "delays their access to closed frontier models, and penalises Tier-2 states that engage the BRICS club.",
          "US AI Diffusion framework (BIS, 15 Jan 2025, rescinded May 2025); scenarios/shocks/ai_diffusion_2025.yaml.",
          "Fragmentation and the AI divide against the faint baseline; China and the Tier-2 countries on the map.",
          _export_controls,
          (Setting("strictness", "Strictness of the Tier-2 cap", 0.0, 0.0, 1.0,
                   help="0: the 2025 rule's cap; 1: no advanced compute for Tier 2"),
           Setting("leakage", "Leakage (share of blocked demand that gets through)", 0.3, 0.0, 1.0,
                   help="smuggling, cloud access and substitutes"),
           Setting("api_delay", "Delay of Tier-2 access to closed models (years)", 0.0, 0.0, 2.0))),
    Lever("capacity_building", "Capacity building for developing countries",
          "Donors fund skills, data and compute for low and lower-middle income countries through a forum.",
          "UN General Assembly A/RES/78/311 (2024); China's AI Capacity-Building Action Plan (2024).",
          "The AI divide and the income-group gap; engagement in the channel forum.",
          _capacity,
          (Setting("budget", "Budget (skill points a year, shared by the recipients who engage)", 0.5, 0.0, 2.0,
                   help="the UN shares it among all low and lower-middle income countries; BRICS among its own"),
           Setting("channel", "Channel", "UN", choices=("UN", "South-South (BRICS)")))),
    Lever("open_models", "Open-weights release",
          "Frontier-class models are published with open weights: cheaper local use and faster diffusion of know-how.",
          "DeepSeek-R1 (open weights, 20 Jan 2025); Epoch AI; scenarios/shocks/open_weights_2025.yaml.",
          "The AI divide and the access and adoption gaps.",
          _open_models,
          (Setting("diffusion", "Speed-up of adoption and know-how (x)", 2.0, 1.0, 4.0),
           Setting("lag_cut", "Years taken off the open-weight lag", 0.25, 0.0, 1.0))),
    Lever("un_depth", "A deeper UN: Global Dialogue and Scientific Panel",
          "The UN's rules on AI become deeper (a standing Global Dialogue) and it shares scientific assessments (a Panel).",
          "UN General Assembly A/RES/79/325 (26 Aug 2025); scenarios/shocks/un_ai_dialogue_2026.yaml, un_scientific_panel_2025.yaml.",
          "Inclusiveness, and which countries engage the UN more (low income) or less (high income).",
          _un_depth,
          (Setting("depth", "Depth multiplier of UN rules (x)", 1.5, 1.0, 3.0),
           Setting("panel", "Know-how the Panel shares (added access)", 0.05, 0.0, 0.2))),
    Lever("brics_admissions", "BRICS admissions per year",
          "How many partners BRICS admits a year, and how many partners it promotes to full members, after 2025. "
          "Who gets in is still the members' choice: regional weight, closeness to the club, sanctions exposure.",
          "The BRICS record: 5 members invited at Johannesburg (2023), 13 partners invited at Kazan (2024), "
          "no new member at Rio (2025); govsim/data/brics_record.csv.",
          "BRICS membership on the forum map, the forum panel, and fragmentation.",
          _brics_pace,
          (Setting("partners", "Partners admitted a year", 1.0, 0.0, 10.0),
           Setting("promotions", "Partners promoted to members a year", 0.5, 0.0, 5.0))),
    Lever("bloc_penalties", "Bloc penalties from BRICS",
          "The BRICS bloc penalises its members and partners for engaging the G7 club.",
          "Hypothetical, mirroring the Western penalties; scenarios/shocks/brics_bloc_penalties.yaml.",
          "Fragmentation and the normative distance between the clubs.",
          _bloc_penalties,
          (Setting("penalty", "Penalty (utility)", 2.0, 0.0, 5.0),)),
)}


def lever(key: str) -> Lever:
    """The lever ``key``, or one clear error listing the levers."""
    if key not in LEVERS:
        raise ScenarioError(f"no lever {key!r}. Fix: one of {', '.join(LEVERS)}")
    return LEVERS[key]
