"""``govsim compare DIR [DIR ...]``: headline indices at chosen years, scenario vs scenario on common seeds.

Loads every sweep or run folder (``govsim.store.load_sweep``), then writes into ``--out``:
``compare.csv`` (the table of :func:`govsim.ensemble.compare`), ``compare.md`` (the same as a
readable Markdown table) and ``compare.png`` (mean and quantile bands across seeds over time,
with a vertical line at the end of each chosen year). Prints the Markdown table and the folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from govsim.ensemble import available_years, compare, summarize
from govsim.runner import HEADLINES

DEFAULT_YEARS = (2025, 2030, 2035)


class BadInput(Exception):
    """Bad command-line input; the message is one line saying what is wrong and how to fix it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise BadInput(f"{message}; see 'govsim compare --help'")


def main(argv: list[str]) -> int:
    """Run the comparison; 0 on success, 2 (one line on stderr, no traceback) on bad input."""
    try:
        args = _parser().parse_args(argv)
        df = _load(args.dirs)
        years = args.years or default_years(df)
        table = compare(df, years, reference=args.reference, by=args.by, indices=args.indices, level=args.level)
        out = args.out or args.dirs[0] / "compare"
        _check_writable(out)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except (BadInput, ValueError, OSError) as exc:  # the store's StoreError is a ValueError
        print(f"govsim compare: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    markdown = write_outputs(df, table, out, by=args.by, level=args.level)
    print(markdown)
    print(f"wrote {out}")
    return 0


def _check_writable(out: Path) -> None:
    from govsim.folders import check_writable  # lazy, like the store

    check_writable(out, option="--out")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="govsim compare", description=__doc__.splitlines()[0].replace("``", ""))
    p.add_argument("dirs", nargs="+", type=Path, help="sweep or run folders (complete runs are read)")
    p.add_argument("--years", nargs="+", type=int, default=None,
                   help=f"calendar years to compare at their end (default: those of {list(DEFAULT_YEARS)} "
                        "the runs cover, else the last full year)")
    p.add_argument("--by", default="scenario", help="column that defines the groups (default scenario; "
                                                    "or a swept parameter such as behaviour.decision.temperature)")
    p.add_argument("--reference", default=None, help="group the others are compared with (default baseline, "
                                                     "else the first group in sorted order)")
    p.add_argument("--indices", nargs="+", default=list(HEADLINES), help="index columns (default the headlines)")
    p.add_argument("--level", type=float, default=0.9, help="interval level in (0, 1) (default 0.9)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default <first dir>/compare)")
    return p


def _load(paths: list[Path]) -> pd.DataFrame:
    """All complete runs under ``paths``, concatenated; a run found twice (same run_id) counts once."""
    from govsim.store import load_sweep  # lazy: keeps this module importable without the store

    frames = []
    for path in paths:
        if not Path(path).is_dir():
            raise BadInput(f"{path} is not a folder; pass sweep or run folders written by 'govsim run'")
        try:
            frame = load_sweep(path)
        except FileNotFoundError as exc:
            raise BadInput(f"no complete runs in {path} ({exc}); pass a folder with finished runs or rerun the sweep")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).drop_duplicates(["run_id", "step"], ignore_index=True)


def default_years(df: pd.DataFrame) -> list[int]:
    """Those of 2025, 2030, 2035 whose end every run reaches, else the last full year."""
    years = available_years(df)
    if not years:
        raise BadInput("the runs do not reach the end of any calendar year; run them longer (time.steps)")
    return [y for y in DEFAULT_YEARS if y in years] or years[-1:]


def write_outputs(df: pd.DataFrame, table: pd.DataFrame, out: Path, by: str, level: float) -> str:
    """Write compare.csv, compare.md and compare.png into ``out``; return the Markdown text."""
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "compare.csv", index=False)
    markdown = to_markdown(table, by, level)
    (out / "compare.md").write_text(markdown + "\n")
    _figure(df, table, out / "compare.png", by, level)
    return markdown


def to_markdown(table: pd.DataFrame, by: str, level: float) -> str:
    """Markdown table: index, year, group, mean [lo, hi], Δ vs reference [lo, hi], CI of mean Δ, shares, n."""
    pct, ref = f"{level:.0%}", table["reference"].iloc[0]
    head = (f"| index | end of year | {by} | mean [{pct} of seeds] | Δ vs {ref} [{pct} of seeds] "
            f"| {pct} CI of mean Δ | share Δ>0 | n common seeds |")
    lines = [head, "|" + "---|" * 8]
    for r in table.sort_values(["index", "at_year"], kind="stable").to_dict("records"):
        is_ref = r["reference"] == r[by]
        delta = "—" if is_ref else f"{r['delta_mean']:+.3g} [{r['delta_lo']:+.3g}, {r['delta_hi']:+.3g}]"
        ci = "—" if is_ref else f"[{r['delta_ci_lo']:+.3g}, {r['delta_ci_hi']:+.3g}]"
        share = "—" if is_ref else f"{r['share_positive']:.0%}"
        lines.append(f"| {r['index']} | {r['at_year']} | {r[by]} | {r['mean']:.3f} [{r['lo']:.3f}, {r['hi']:.3f}] "
                     f"| {delta} | {ci} | {share} | {r['n_common']} |")
    note = (f"\nmean [..]: mean across seeds and the {pct} band of seed outcomes. Δ: paired difference vs {ref} "
            f"on the seeds both ran (common random numbers), with its {pct} band across seeds; "
            f"CI: t-based {pct} confidence interval of the mean Δ.")
    return "\n".join(lines) + "\n" + note


def _figure(df: pd.DataFrame, table: pd.DataFrame, path: Path, by: str, level: float) -> None:
    """Bands figure (mean and the level band across seeds) with a line at the end of each year."""
    from govsim.plotting import plot_bands, save  # lazy: matplotlib only when a figure is drawn

    indices = list(dict.fromkeys(table["index"]))
    summary = summarize(df, by=by, indices=indices, quantiles=((1 - level) / 2, 0.5, (1 + level) / 2))
    fig, _ = plot_bands(summary, indices=indices, by=by, years=table["at_year"])
    save(fig, path)
