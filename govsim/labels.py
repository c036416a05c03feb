"""One registry of readable names, units and the better direction of every recorded column.

Plots, run summaries and the app take their axis labels and titles from here, never from raw column
names. Definitions are in docs/indices.md (indices) and ODD §2 (country state).
"""

from __future__ import annotations

from typing import NamedTuple


class Label(NamedTuple):
    """How a column is shown: a short name, its unit, and which direction is better (or None)."""

    name: str
    unit: str
    better: str | None = None  # "higher", "lower" or None (no normative direction)


SHARE = "share, 0-1"
INDEX = "index, 0-1"

LABELS: dict[str, Label] = {
    # headline indices
    "inclusiveness": Label("Inclusiveness", INDEX, "higher"),
    "fragmentation": Label("Fragmentation", INDEX, "lower"),
    "ai_divide": Label("AI divide (population-weighted Gini)", INDEX, "lower"),
    # inclusiveness components
    "none_share": Label("Countries in no club", SHARE, "lower"),
    "all_share": Label("Countries in every club", SHARE),
    "representation_low": Label("Voice of low/lower-middle income vs population", "ratio, capped at 1", "higher"),
    "voice_equality": Label("Equality of voice per head", "1 - Gini", "higher"),
    # fragmentation components
    "effective_forums": Label("Effective number of forums (F1)", "normalised, 0-1"),
    "modularity": Label("Bloc modularity (F2)", INDEX, "lower"),
    "core_deficit": Label("Capability outside the universal core (F3)", SHARE, "lower"),
    "normative_distance": Label("Normative distance between forums (F4)", INDEX, "lower"),
    "bridging_deficit": Label("Bridging deficit between clubs (F5)", INDEX, "lower"),
    # AI-divide components
    "gini_capability_pop": Label("Gini of capability (population-weighted)", INDEX, "lower"),
    "gini_capability": Label("Gini of capability (countries)", INDEX, "lower"),
    "theil_between_income": Label("Between-income-group share of Theil", SHARE, "lower"),
    "gap_high_low": Label("Relative gap, high vs low income", "1 - ratio", "lower"),
    "gap_abs_high_low": Label("Absolute gap, high vs low income", "capability difference", "lower"),
    "gap_north_south": Label("North-South gap", "1 - ratio", "lower"),
    "access_gap": Label("Access gap (reachable models)", "1 - ratio", "lower"),
    "adoption_gap": Label("Adoption gap, South vs North", "1 - ratio", "lower"),
    "intensity_gap": Label("Intensity-of-use gap, South vs North", "1 - ratio", "lower"),
    "compute_hhi": Label("Compute concentration (HHI)", INDEX, "lower"),
    "compute_top2": Label("Compute share of the top two", SHARE, "lower"),
    # frontier state
    "frontier_capability": Label("Frontier model capability", "0-1"),
    "open_lag_years": Label("Open-weight lag behind the frontier", "years", "lower"),
    # country state (countries table)
    "capability": Label("Used AI capability", "0-1", "higher"),
    "capability_relative": Label("Used AI capability relative to the leader", "share of the most capable country's"),
    "access": Label("Best reachable model", "capability, 0-1", "higher"),
    "adoption": Label("Adoption of AI", "share of people, 0-1", "higher"),
    "intensity": Label("Intensity of use", "0-1", "higher"),
    "lag_years": Label("Lag behind the frontier", "years", "lower"),
    "internet": Label("Internet users", "share of people, 0-1", "higher"),
    "skills": Label("Digital skills", "0-1", "higher"),
    "readiness": Label("AI readiness (GAIRI)", "score/100", "higher"),
    "population": Label("Population", "people"),
    "gdp_pc": Label("GDP per head", "current US$"),
    "alignment": Label("Geopolitical alignment", "-1 (BRICS side) to +1 (G7 side)"),
    "compute": Label("Compute stock", "share of the world's initial stock"),
    "tier": Label("US export-control tier", "1-3"),
}

FORUM_NAMES = {"un": "UN", "g7": "G7", "brics": "BRICS", "waico": "WAICO"}


def label(column: str) -> Label:
    """The label of ``column``; per-forum columns (``engagement_g7``, ``status_brics``) and unknown
    columns get a readable name built from the column name, with no unit or direction."""
    if column in LABELS:
        return LABELS[column]
    for prefix, what in (("engagement_", "Engagement in"), ("status_", "Status in")):
        if column.startswith(prefix):
            forum = column.removeprefix(prefix)
            return Label(f"{what} {FORUM_NAMES.get(forum, forum)}", "0-1" if prefix == "engagement_" else "")
    return Label(column.replace("_", " ").capitalize(), "")


def title(column: str) -> str:
    """A panel title: the name, and which direction is better if there is one."""
    lab = label(column)
    return f"{lab.name}\n({lab.better} is better)" if lab.better else lab.name


def axis(column: str) -> str:
    """An axis label: the name with its unit."""
    lab = label(column)
    return f"{lab.name} ({lab.unit})" if lab.unit else lab.name
