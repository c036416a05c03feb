"""``govsim validate-config FILE_OR_NAME [key=value ...]``: check a scenario, report every problem."""

from __future__ import annotations

import sys

from govsim.cli.compose import load_scenario
from govsim.config import ScenarioError
from govsim.config.rules import notes


def main(argv: list[str]) -> int:
    """Validate one scenario file or name with overrides; 0 if valid, 2 with the list of problems."""
    if not argv or argv[0].startswith("-"):
        print("usage: govsim validate-config FILE_OR_NAME [key=value ...]", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(argv[0], argv[1:])
    except ScenarioError as exc:
        if len(exc.problems) > 1:  # every problem on its own line
            print(f"govsim validate-config: {argv[0]}: {len(exc.problems)} problems:", file=sys.stderr)
            print("\n".join(f"  - {p}" for p in exc.problems), file=sys.stderr)
        else:  # the message names the file already when it is about the file itself
            where = "" if str(exc).startswith(f"{argv[0]}:") else f"{argv[0]}: "
            print(f"govsim validate-config: {where}{exc}", file=sys.stderr)
        return 2
    shocks = ", ".join(scenario.shocks) or "none"
    print(f"{argv[0]}: valid. scenario {scenario.name!r}, seed {scenario.seed}, {scenario.time.steps} steps of "
          f"{scenario.time.step_years} years from {scenario.time.start}, world {scenario.world.kind}, "
          f"forums {', '.join(scenario.forums)}, shocks {shocks}")
    for note in notes(scenario):
        print(f"warning: {note}")
    return 0
