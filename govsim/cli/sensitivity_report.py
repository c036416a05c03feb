"""Outputs of ``govsim sensitivity``: collect the sweep's runs, write the tables, the report and the figures."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import pandas as pd

from govsim import sensitivity as sa

if TYPE_CHECKING:
    from govsim.cli.sensitivity import Plan


def collect(plan: Plan) -> pd.DataFrame | None:
    """Per design row and year, the mean over seeds of the headlines; None (and why) if runs are missing."""
    from govsim import store

    seeds = plan.settings["seeds"]
    try:
        sweep = store.load_sweep(plan.out)
    except FileNotFoundError:
        sweep = None
    outcomes = None
    if sweep is not None:
        sweep = sweep[sweep["seed"].isin(range(seeds))]
        outcomes = sa.outcomes_at_years(sweep, plan.settings["years"], design=plan.design)
        if (outcomes["n_seeds"] >= seeds).all():
            return outcomes
    _report_missing(plan, outcomes)
    return None


def _report_missing(plan: Plan, outcomes: pd.DataFrame | None) -> None:
    from govsim import store

    failed = [m for m in store.manifests(plan.out) if m.get("status") != "complete"]
    short = outcomes[outcomes["n_seeds"] < plan.settings["seeds"]]["sample"].unique() if outcomes is not None else plan.design["sample"]
    print(f"govsim sensitivity: {len(short)} of {len(plan.design)} design samples lack complete runs, so there is "
          f"no analysis; {len(failed)} runs failed. Re-run the same command to retry them.", file=sys.stderr)
    for m in failed[:10]:
        error = m.get("error", {}).get("message", "?").splitlines()[0]
        print(f"  failed: sample {m.get('params', {}).get('sample')} seed {m.get('seed')} ({m['run_id']}): {error}",
              file=sys.stderr)


def write_outputs(plan: Plan, table: pd.DataFrame) -> str:
    """Write sensitivity.csv, sensitivity.md and the two figures; return the Markdown text."""
    from govsim.plotting import plot_sensitivity, plot_sensitivity_over_time, save  # lazy: matplotlib

    method = plan.settings["method"]
    table.to_csv(plan.out / "sensitivity.csv", index=False)
    markdown = to_markdown(table, method, plan)
    (plan.out / "sensitivity.md").write_text(markdown + "\n")
    fig, _ = plot_sensitivity(table, method)
    save(fig, plan.out / f"sensitivity_{method}.png")
    fig, _ = plot_sensitivity_over_time(table, method)
    save(fig, plan.out / "sensitivity_over_time.png")
    return markdown


def to_markdown(table: pd.DataFrame, method: str, plan: Plan) -> str:
    """One ranked table per headline index at the last year (uncertain parameters first, then levers)."""
    year, metrics, s = int(table["year"].max()), sa.METRICS[method], plan.settings
    lines = [f"# Sensitivity ({method}, {s['scenario']}): end of {year}", "",
             f"{len(plan.design)} design rows ({len(plan.points)} distinct points) x {s['seeds']} seeds, "
             f"samples={s['samples']}, ranked by {sa.RANK_BY[method]} within each group."]
    for index in dict.fromkeys(table["index"]):
        rows = sa.ranked(table, method, index, year)
        lines += ["", f"## {index}", "", "| rank | parameter | group | " + " | ".join(metrics) + " |",
                  "|---:|---|---|" + "---:|" * len(metrics)]
        lines += [f"| {r['rank']} | {r['parameter']} | {r['group']} | " + " | ".join(_num(r[m]) for m in metrics) + " |"
                  for r in rows.to_dict("records")]
    return "\n".join(lines)


def _num(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.3g}"
