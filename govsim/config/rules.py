"""Rules across fields of a scenario that no single field can check, and the notes (warnings)
about a valid scenario that probably does not do what its author meant.

Errors, where the input is surely wrong: two forums whose names differ only in case; a shock
naming a forum in the wrong case; a country admitted to and withdrawn from one forum over
overlapping periods; a start far from the data (the real world's data are of 2023-2025); a forum
launched before the run, or whose membership a shock changes before its launch.
Notes, where it may be deliberate: a shock entirely outside the run's window, or a forum launched
after it (a shortened run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.config.base import period_to_year
from govsim.config.errors import shorten, shown
from govsim.config.shocks import ForumChange

if TYPE_CHECKING:
    from govsim.config.scenario import Scenario

REAL_DATA = "2023-2025"  # vintage of govsim/data (see its README)
START_YEARS = {"real": (2000, 2050), "synthetic": (1900, 2200), "csv": (1900, 2200)}  # allowed time.start, inclusive


def check(scenario: "Scenario") -> None:
    """Raise ValueError for the first rule ``scenario`` breaks."""
    _forum_names_unique(scenario)
    _forum_refs_case(scenario)
    _no_contradictory_changes(scenario)
    _start_near_the_data(scenario)
    _launches_within_the_run(scenario)


def _forum_names_unique(scenario: "Scenario") -> None:
    seen: dict[str, str] = {}
    for name in scenario.forums:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise ValueError(f"forums {shown(other)} and {shown(name)} differ only in case, which outputs and shocks "
                             "cannot tell apart. Fix: rename or remove one")


def _forum_refs_case(scenario: "Scenario") -> None:
    from govsim.config.scenario import _forum_refs

    lowered = {name.lower(): name for name in scenario.forums}
    for key, shock in scenario.shocks.items():
        for field, forum in _forum_refs(shock):
            if forum not in scenario.forums and forum.lower() in lowered:
                raise ValueError(f"shocks.{shorten(key, 60)}.{field} = {shown(forum)} is not a forum of this scenario "
                                 f"(names are case-sensitive). Fix: write {lowered[forum.lower()]!r}")


def _window(shock) -> tuple[float, float]:
    return period_to_year(shock.start), period_to_year(shock.end) if shock.end is not None else float("inf")


def _no_contradictory_changes(scenario: "Scenario") -> None:
    changes = [(key, s) for key, s in scenario.shocks.items() if isinstance(s, ForumChange)]
    for i, (key, first) in enumerate(changes):
        for other_key, second in changes[i + 1:]:
            if first.forum != second.forum or first.action == second.action:
                continue
            (a0, a1), (b0, b1) = _window(first), _window(second)
            both = sorted(set(first.countries) & set(second.countries))
            if both and a0 < b1 and b0 < a1:
                raise ValueError(f"shocks {shown(key)} and {shown(other_key)} both change {shown(both)} in forum "
                                 f"{first.forum!r} over overlapping periods, one admitting and one withdrawing. "
                                 "Fix: end one before the other starts (end is the first period without it)")


def _start_near_the_data(scenario: "Scenario") -> None:
    kind, start = scenario.world.kind, scenario.time.start
    low, high = START_YEARS[kind]
    if not low <= period_to_year(start) < high + 1:
        data = f"the real world's data are of {REAL_DATA}" if kind == "real" else f"{kind} worlds start in {low}-{high}"
        raise ValueError(f"time.start = {start!r} is too far from the data: {data}. Fix: start between {low} and {high}")


def _launches_within_the_run(scenario: "Scenario") -> None:
    """A launch before the run is an error (the founders would hold their status from the start); one
    after it is a note (a shortened run of a scenario with a launch is fine: the forum stays dormant)."""
    begin = period_to_year(scenario.time.start)
    for name, spec in scenario.forums.items():
        if spec.launch is None:
            continue
        launch = period_to_year(spec.launch)
        if launch < begin:
            raise ValueError(f"forums.{shorten(name, 60)}.launch = {spec.launch!r} comes before the run's start "
                             f"({scenario.time.start}). Fix: a period from {scenario.time.start} on, or remove launch "
                             "for a forum that exists from the start")
        for key, shock in scenario.shocks.items():
            if isinstance(shock, ForumChange) and shock.forum == name and period_to_year(shock.start) < launch:
                raise ValueError(f"shocks.{shorten(key, 60)} changes membership of forum {shown(name)} from {shock.start}, "
                                 f"before its launch ({spec.launch}). Fix: start it at or after the launch")


def notes(scenario: "Scenario") -> list[str]:
    """One-line warnings about a valid scenario: shocks that never act within its run."""
    begin, end = period_to_year(scenario.time.start), scenario.end_year
    found = []
    for key, shock in scenario.shocks.items():
        start, stop = _window(shock)
        if start >= end or stop <= begin:
            until = shock.end or "the end"
            found.append(f"shock {shorten(key, 60)!r} ({shock.start} to {until}) lies outside the run "
                         f"({scenario.time.start} for {scenario.time.steps} steps): it has no effect")
    for name, spec in scenario.forums.items():
        if spec.launch is not None and period_to_year(spec.launch) >= end:
            found.append(f"forum {shorten(name, 60)!r} is launched in {spec.launch}, after the run ({scenario.time.start} "
                         f"for {scenario.time.steps} steps): it stays dormant, with no members and no weight in the indices")
    return found
