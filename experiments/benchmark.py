"""Benchmark: govsim's Mesa-wrapped run against the same steps on bare numpy arrays.

Usage::

    python experiments/benchmark.py [--repeats N] [--quick] [--out FILE]

For a 52-step run it times (a) the full ``govsim.run`` (Mesa model, DataCollector,
recorder, output DataFrames) and (b) the same ``phases.run_period`` the model's ``step`` calls,
looped over plain arrays with one ``np.random.default_rng(seed)`` and ``record.measure``
each step: no ``mesa.Model``, no agents, no DataCollector, no DataFrames. Random numbers
are drawn in the model's order, so (b) reproduces (a)'s indices; this is asserted for every
case before timing (it doubles as the warm-up), so the ratio (a)/(b) compares like with like.

Timings on a shared VM are noisy: each cell reports best-min and median over repeats,
with the Mesa and bare runs alternated and ``gc.collect()`` before every run.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import mesa

import govsim
from govsim.config.scenario import Scenario
from govsim.record import measure
from govsim.runner import HEADLINES
from govsim.phases import run_period, setup

STEPS = 52
# Targets from the issue.
TARGET_REAL_MS = 100.0  # real-world 52-step run, ms
TARGET_10K_MS = 5000.0  # N = 10 000 run, ms
TARGET_RATIO = 1.5  # Mesa-wrapped run / bare-array run


@dataclass(frozen=True)
class Case:
    """One benchmark row: a label, the scenario overrides and the share of repeats it gets."""

    label: str
    n: int
    overrides: tuple[str, ...]
    repeat_divisor: int = 1


CASES = (
    Case("real-world baseline", 193, ()),
    Case("synthetic", 193, ("world.kind=synthetic", "world.n=193")),
    Case("synthetic", 1_000, ("world.kind=synthetic", "world.n=1000")),
    Case("synthetic", 10_000, ("world.kind=synthetic", "world.n=10000"), repeat_divisor=4),
)


@dataclass(frozen=True)
class Row:
    """Timings of one case (ms per run) and the CPU other processes used meanwhile (cores)."""

    case: Case
    repeats: int
    mesa_ms: list[float]
    bare_ms: list[float]
    others_cores: float | None


def scenario_for(case: Case) -> Scenario:
    """The baseline scenario with the case's overrides, fixed to STEPS steps."""
    return govsim.load_scenario("baseline", [*case.overrides, f"time.steps={STEPS}"])


def bare_run(scenario: Scenario, seed: int | None = None) -> list[dict[str, float | str]]:
    """The model's steps on plain arrays; returns the indices at step 0..T (like the DataCollector).

    Mirrors ``GovernanceModel.__init__`` and ``step`` call for call (both run each period with
    ``phases.run_period``), including every draw from the single generator: world, initial
    tastes, per-step taste noise, review draws.
    """
    rng = np.random.default_rng(scenario.seed if seed is None else int(seed))
    _, forums, state, shocks = setup(scenario, rng)
    b, dt = scenario.behaviour, scenario.time.step_years
    history = [measure(state, forums, b.dynamics)]
    for period in range(scenario.time.steps):
        run_period(state, forums, shocks, b, dt, rng, period)
        history.append(measure(state, forums, b.dynamics))
    return history


def check_equivalence(scenario: Scenario) -> None:
    """Assert the bare run reproduces the Mesa run: headlines at every step, every numeric index at the end."""
    mesa_indices = govsim.run(scenario).indices
    bare = bare_run(scenario)
    _require(len(bare) == len(mesa_indices), f"{len(bare)} bare rows vs {len(mesa_indices)} Mesa rows")
    for name in HEADLINES:
        got, want = np.array([row[name] for row in bare], float), mesa_indices[name].to_numpy(float)
        _require(np.allclose(got, want, rtol=1e-12, atol=1e-12), f"{name}: bare {got[-1]!r} vs Mesa {want[-1]!r}")
    final = mesa_indices.iloc[-1]
    for name, value in bare[-1].items():
        same = value == final[name] if isinstance(value, str) else np.isclose(value, final[name], rtol=1e-12, atol=1e-12)
        _require(same, f"{name}: bare {value!r} vs Mesa {final[name]!r}")


def _require(ok: bool, message: str) -> None:
    """An assertion that also holds under ``python -O``."""
    if not ok:
        raise AssertionError(f"bare run differs from the Mesa run (draw order or step order changed?): {message}")


def cpu_seconds() -> tuple[float | None, float]:
    """(busy CPU seconds of the whole machine from /proc/stat or None, CPU seconds of this process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        busy = sum(fields[i] for i in (0, 1, 2, 5, 6)) / os.sysconf("SC_CLK_TCK")  # user nice system irq softirq
    except (OSError, ValueError, IndexError):
        busy = None
    return busy, own.ru_utime + own.ru_stime


def timed(fn, *args) -> float:
    """Milliseconds for one call of ``fn(*args)``, after a garbage collection."""
    gc.collect()
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1e3


def time_case(case: Case, repeats: int) -> Row:
    """Warm up once (the equivalence check runs both paths), then alternate Mesa and bare runs."""
    scenario = scenario_for(case)
    check_equivalence(scenario)
    mesa_ms, bare_ms = [], []
    (busy0, own0), t0 = cpu_seconds(), time.perf_counter()
    for _ in range(repeats):
        mesa_ms.append(timed(govsim.run, scenario))
        bare_ms.append(timed(bare_run, scenario))
    (busy1, own1), wall = cpu_seconds(), time.perf_counter() - t0
    others = None if busy0 is None else max(0.0, (busy1 - busy0) - (own1 - own0)) / wall
    return Row(case, repeats, mesa_ms, bare_ms, others)


def table(rows: list[Row]) -> str:
    """Markdown table of the timings."""
    lines = ["| scenario | N | repeats | best-min ms | median ms | bare best-min ms | bare median ms "
             "| Mesa/bare (median) | Mesa/bare (min) | µs per country-step (median) | others' CPU (cores) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        med, best = statistics.median(r.mesa_ms), min(r.mesa_ms)
        bmed, bbest = statistics.median(r.bare_ms), min(r.bare_ms)
        others = "n/a" if r.others_cores is None else f"{r.others_cores:.2f}"
        lines.append(f"| {r.case.label} | {r.case.n:,} | {r.repeats} | {best:,.1f} | {med:,.1f} | {bbest:,.1f} "
                     f"| {bmed:,.1f} | {med / bmed:.2f}× | {best / bbest:.2f}× | {med * 1e3 / (r.case.n * STEPS):.2f} | {others} |")
    return "\n".join(lines)


def targets(rows: list[Row]) -> str:
    """Markdown list of the issue's targets, each met or missed (on the median; best-min in brackets)."""
    real = next(r for r in rows if r.case.label == "real-world baseline")
    big = next(r for r in rows if r.case.n == 10_000)
    worst = max(rows, key=lambda r: statistics.median(r.mesa_ms) / statistics.median(r.bare_ms))
    items = [_target(f"Real-world {STEPS}-step run < {TARGET_REAL_MS:.0f} ms", real.mesa_ms, TARGET_REAL_MS, " ms"),
             _target("N = 10 000 run < 5 s", big.mesa_ms, TARGET_10K_MS, " ms")]
    ratio_med = statistics.median(worst.mesa_ms) / statistics.median(worst.bare_ms)
    ratio_min = min(worst.mesa_ms) / min(worst.bare_ms)
    verdict = "**met**" if ratio_med <= TARGET_RATIO else "**missed**"
    items.append(f"- Mesa-wrapped run within {TARGET_RATIO}× of the bare-array run, at every N: {verdict} "
                 f"(worst: {worst.case.label} N = {worst.case.n:,}, {ratio_med:.2f}× median, {ratio_min:.2f}× best-min)")
    return "\n".join(items)


def _target(text: str, values: list[float], limit: float, unit: str) -> str:
    med, best = statistics.median(values), min(values)
    verdict = "**met**" if med <= limit else ("**missed** (met on best-min)" if best <= limit else "**missed**")
    return f"- {text}: {verdict} (median {med:,.1f}{unit}, best-min {best:,.1f}{unit})"


def report(rows: list[Row], seconds: float) -> str:
    """The full Markdown report: environment, table, targets."""
    env = (f"Python {platform.python_version()}, Mesa {mesa.__version__}, numpy {np.__version__}, "
           f"govsim {govsim.__version__}; {os.cpu_count()} CPUs; {STEPS} steps; benchmark took {seconds:.0f} s; "
           f"1-min load average at the end {os.getloadavg()[0]:.2f}.")
    note = ("Mesa = full `govsim.run` (model, agents, DataCollector, recorder, output DataFrames); "
            "bare = the same phase functions on arrays with `record.measure` each step. "
            "In every row the bare run was asserted to reproduce the Mesa run's indices "
            "(headlines at every step, all indices at the end). \"Others' CPU\" is the CPU used by other processes "
            "while a row was timed (machine busy time minus this process), in cores: above ~0.2 the timings are "
            "inflated by contention. Targets are judged on the median.")
    return f"## govsim benchmark\n\n{env}\n\n{note}\n\n{table(rows)}\n\n### Targets\n\n{targets(rows)}\n"


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, time every case, print (and optionally write) the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="repeats per case (N = 10 000 gets a quarter, at least 1)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 repeats (1 at N = 10 000)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else max(1, args.repeats)
    t0 = time.perf_counter()
    rows = []
    for case in CASES:
        n_rep = max(1, repeats // case.repeat_divisor)
        print(f"timing {case.label} N={case.n} x{n_rep} ...", file=sys.stderr, flush=True)
        rows.append(time_case(case, n_rep))
    text = report(rows, time.perf_counter() - t0)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
