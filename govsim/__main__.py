"""``python -m govsim [scenario] [key=value ...] [--out DIR]``: one run, its tables, figure and summary.

The research command line with sweeps lives in ``govsim.cli``; this entry point is the
plain "run one scenario and write everything" job used by ``make run``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from govsim.config import ScenarioError, load_scenario
from govsim.runner import run


def main(argv: list[str] | None = None) -> int:
    """Run one scenario; print the output folder and a summary. Exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m govsim", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="baseline", help="name in scenarios/ or a YAML path")
    parser.add_argument("overrides", nargs="*", help="key=value overrides, e.g. seed=3 time.steps=20")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default outputs/<scenario>-seed<seed>)")
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario, args.overrides)
        results = run(scenario)
    except ScenarioError as exc:
        print(f"govsim: {exc}", file=sys.stderr)
        return 2
    folder = results.save(args.out or Path("outputs") / f"{scenario.name}-seed{results.seed}")
    from govsim.plotting import plot_headlines

    fig, _ = plot_headlines(results.indices, title=f"govsim: {scenario.name} (seed {results.seed})")
    fig.savefig(folder / "headlines.png", dpi=120)
    summary = results.summary()
    (folder / "summary.txt").write_text(summary + "\n")
    print(f"results written to {folder.resolve()}")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
