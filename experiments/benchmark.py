"""Benchmark (issue 14): govsim next to the toy peer, the scenario memory, import time and large worlds.

Usage::

    python experiments/benchmark.py [--repeats N] [--quick] [--no-save] [--json FILE] [--out FILE]

1. **Runs**, at N = 193 (the real world) and synthetic 1 000 and 10 000, 52 steps, in this process,
   alternated run by run with ``gc.collect()`` before each: ``govsim.run`` (Mesa model, recorder,
   output tables), the same steps on bare arrays (``phases.run_period`` and a ``Trace`` measured at the end, no
   Mesa: asserted first to reproduce govsim's indices, which doubles as the warm-up), and the toy
   peer's idiomatic per-agent Mesa and numpy versions (``experiments/toy_peer.py``). Best-min and median.
2. ``load_scenario``: cold (memories emptied: a Hydra compose), cached (the same call again) and a
   new value override on a remembered compose.
3. ``import govsim``: wall time in a fresh interpreter, median of 5.
4. Large worlds (skipped by ``--quick``): synthetic 3 000 / 30 000 / 100 000 countries x 52 steps in
   fresh processes, countries table streamed to Parquet: CPU µs per country-step and peak RSS.

Each target of the issue is judged as a ratio and as an absolute. The figures go to
``experiments/bench/latest.json`` (machine, date, git commit), and the change from the previous
record is printed, so a regression is visible. Timings on a shared machine are noisy: the
"others' CPU" column says how busy the rest of the machine was.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import govsim
import bench_scale
import toy_peer
from govsim.config.scenario import Scenario
from govsim.phases import run_period, setup
from govsim.trace import Trace
from govsim.runner import HEADLINES

STEPS = 52
JSON = Path(__file__).resolve().parent / "bench" / "latest.json"
# The targets: (figure, limit, what it means).
TARGET_RUN_MS = 25.0  # one real-world 52-step run
TARGET_TOY_RATIO = 0.6  # govsim / idiomatic-Mesa toy at N = 193
TARGET_IMPORT_S = 0.5
TARGET_CACHED_SHARE = 0.01  # cached load_scenario / one real-world run
TARGET_CACHED_MS = 0.25
TARGET_PEAK_MIB = 1024.0  # 100k x 52 with countries
TARGET_FLAT = 1.2  # µs per country-step at 100k / at 3k ("flat")
TARGET_BATCH_MS = 5.0  # batched ensemble, per run at R = 100
SCALE_NS = (3_000, 30_000, 100_000)


@dataclass(frozen=True)
class Case:
    """One row of the run table: a label, N, the scenario overrides and the repeats it gets."""

    label: str
    n: int
    overrides: tuple[str, ...]
    repeats: int
    quick_repeats: int


CASES = (
    Case("real world", 193, (), 15, 3),
    Case("synthetic", 1_000, ("world=synthetic", "world.n=1000"), 6, 2),
    Case("synthetic", 10_000, ("world=synthetic", "world.n=10000"), 2, 1),
)
VARIANTS = ("govsim", "bare", "toy_mesa", "toy_numpy")


@dataclass(frozen=True)
class Row:
    """Milliseconds per run of each variant, and the CPU other processes used meanwhile (cores)."""

    case: Case
    ms: dict[str, list[float]]
    others_cores: float | None

    def median(self, variant: str) -> float:
        return statistics.median(self.ms[variant])

    def best(self, variant: str) -> float:
        return min(self.ms[variant])


def scenario_for(case: Case) -> Scenario:
    """The baseline scenario with the case's overrides, fixed to STEPS steps."""
    return govsim.load_scenario("baseline", [*case.overrides, f"time.steps={STEPS}"])


def bare_run(scenario: Scenario, seed: int | None = None) -> list[dict[str, float | str]]:
    """The model's steps on plain arrays; returns the indices at step 0..T (like the DataCollector).

    Mirrors ``GovernanceModel.__init__`` and ``step`` call for call (both run each period with
    ``phases.run_period`` and record each step into a :class:`~govsim.trace.Trace`, measured at
    once at the end), including every draw from the single generator: world, initial tastes,
    per-step taste noise, review draws.
    """
    rng = np.random.default_rng(scenario.seed if seed is None else int(seed))
    _, forums, state, shocks = setup(scenario, rng)
    b, dt = scenario.behaviour, scenario.time.step_years
    trace = Trace(state.n, len(forums.names), forums.universal, b.dynamics.engaged_threshold, rows=scenario.time.steps + 1)
    trace.append(state, forums.authority, forums.position, forums.active)
    for period in range(scenario.time.steps):
        run_period(state, forums, shocks, b, dt, rng, period)
        trace.append(state, forums.authority, forums.position, forums.active)
    columns = trace.indices()
    return [{name: values[t] for name, values in columns.items()} for t in range(trace.n_rows)]


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
    """Warm up (the equivalence check runs govsim and bare; the toy runs once), then alternate the variants."""
    scenario = scenario_for(case)
    check_equivalence(scenario)
    toy_peer.run_mesa(case.n, 0, STEPS)
    toy_peer.run_numpy(case.n, 0, STEPS)
    calls = {"govsim": lambda r: govsim.run(scenario), "bare": lambda r: bare_run(scenario),
             "toy_mesa": lambda r: toy_peer.run_mesa(case.n, r + 1, STEPS),
             "toy_numpy": lambda r: toy_peer.run_numpy(case.n, r + 1, STEPS)}
    ms: dict[str, list[float]] = {v: [] for v in VARIANTS}
    (busy0, own0), t0 = cpu_seconds(), time.perf_counter()
    for r in range(repeats):
        for variant in VARIANTS:
            ms[variant].append(timed(calls[variant], r))
    (busy1, own1), wall = cpu_seconds(), time.perf_counter() - t0
    others = None if busy0 is None else max(0.0, (busy1 - busy0) - (own1 - own0)) / wall
    return Row(case, ms, others)


def time_loading(repeats: int) -> dict[str, float]:
    """``load_scenario`` cold (a Hydra compose), cached (the same call), and with a new value override (ms)."""
    from govsim.cli import compose

    cold = []
    for _ in range(repeats):
        compose.SCENARIOS.clear()
        compose.CONFIGS.clear()
        cold.append(timed(govsim.load_scenario, "baseline", ["seed=3"]))
    batches = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(200):
            govsim.load_scenario("baseline", ["seed=3"])
        batches.append((time.perf_counter() - t0) / 200 * 1e3)
    values = [timed(govsim.load_scenario, "baseline", [f"behaviour.decision.temperature={0.5 + k / 100}"]) for k in range(20)]
    return {"load_cold_ms": statistics.median(cold), "load_cached_ms": statistics.median(batches),
            "load_new_value_ms": statistics.median(values)}


def time_batched(repeats: int) -> float | None:
    """ms per run of ``run_many(..., batch=True)`` over 100 real-world seeds, best of ``repeats`` after a
    warm-up of the same size (the first batch of a process pays for its memory: ~1.8x slower)."""
    if "batch" not in inspect.signature(govsim.run_many).parameters:
        return None
    scenario = scenario_for(CASES[0])
    govsim.run_many(scenario, seeds=range(100), batch=True, progress=False)
    best = min(timed(lambda: govsim.run_many(scenario, seeds=range(100), batch=True, progress=False))
               for _ in range(max(1, repeats)))
    return best / 100


def run_table(rows: list[Row]) -> str:
    """Markdown table of the run timings: each variant's best-min / median ms, and the ratios."""
    lines = ["| world | N | repeats | govsim ms | bare ms | toy Mesa ms | toy numpy ms | govsim / toy Mesa "
             "| govsim / bare | govsim µs per country-step | others' CPU (cores) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cells = " | ".join(f"{r.best(v):,.1f} / {r.median(v):,.1f}" for v in VARIANTS)
        others = "n/a" if r.others_cores is None else f"{r.others_cores:.2f}"
        lines.append(f"| {r.case.label} | {r.case.n:,} | {len(r.ms['govsim'])} | {cells} "
                     f"| {r.median('govsim') / r.median('toy_mesa'):.2f}× | {r.median('govsim') / r.median('bare'):.2f}× "
                     f"| {r.median('govsim') * 1e3 / (r.case.n * STEPS):.2f} | {others} |")
    return "\n".join(lines) + "\n\nCells: best-min / median ms per 52-step run; ratios on medians."


def figures_of(rows: list[Row], loading: dict, imports: dict, scaled: dict, batched: float | None) -> dict[str, float]:
    """The flat figures recorded in the JSON (all: lower is better)."""
    figures: dict[str, float] = {}
    for r in rows:
        for v in VARIANTS:
            figures[f"{v}_n{r.case.n}_ms"] = r.median(v)
        figures[f"govsim_over_toy_mesa_n{r.case.n}"] = r.median("govsim") / r.median("toy_mesa")
    figures.update(loading)
    figures["import_govsim_s"] = imports["import_s"]
    for key, value in scaled.items():
        figures[f"{key}_us_per_country_step"] = value["us_per_country_step"]
        figures[f"{key}_peak_rss_mib"] = value["peak_rss_mib"]
    if batched is not None:
        figures["batched_ms_per_run"] = batched
    return figures


def judge(figures: dict[str, float], rows: list[Row]) -> list[dict]:
    """Each target of the issue: the figure, its limit, pass or fail (None: not measured in this run)."""
    real = rows[0].median("govsim")
    cached = figures["load_cached_ms"]
    flat = (figures["stream_n100000_us_per_country_step"] / figures["stream_n3000_us_per_country_step"]
            if "stream_n100000_us_per_country_step" in figures else None)
    items = [
        ("one real-world 52-step run", real, TARGET_RUN_MS, "ms"),
        ("govsim / idiomatic-Mesa toy at N = 193", figures["govsim_over_toy_mesa_n193"], TARGET_TOY_RATIO, "×"),
        ("import govsim (fresh interpreter, wall)", figures["import_govsim_s"], TARGET_IMPORT_S, "s"),
        ("cached load_scenario / one real-world run", cached / real, TARGET_CACHED_SHARE, "×"),
        ("cached load_scenario", cached, TARGET_CACHED_MS, "ms"),
        ("100 000 × 52 with countries (streamed), peak RSS", figures.get("stream_n100000_peak_rss_mib"), TARGET_PEAK_MIB, "MiB"),
        ("µs per country-step, 100 000 / 3 000 (flat)", flat, TARGET_FLAT, "×"),
        ("batched ensemble, per run at R = 100", figures.get("batched_ms_per_run"), TARGET_BATCH_MS, "ms"),
    ]
    return [{"target": name, "value": None if value is None else round(value, 6), "limit": limit, "unit": unit,
             "pass": None if value is None else bool(value <= limit)} for name, value, limit, unit in items]


def targets_text(targets: list[dict]) -> str:
    lines = ["| target | measured | limit | |", "|---|---:|---:|---|"]
    for t in targets:
        value = "not measured" if t["value"] is None else f"{t['value']:.4g} {t['unit']}"
        verdict = "–" if t["pass"] is None else ("**pass**" if t["pass"] else "**fail**")
        lines.append(f"| {t['target']} | {value} | ≤ {t['limit']:g} {t['unit']} | {verdict} |")
    lines.append("| 1 000 real-world runs through `govsim run -m` | see `make bench-sweep` | ≤ 10 s | – |")
    return "\n".join(lines)


def scale_text(scaled: dict) -> str:
    if not scaled:
        return "Skipped (--quick)."
    lines = ["| run (fresh process) | CPU µs per country-step | peak RSS MiB |", "|---|---:|---:|"]
    lines += [f"| {k} | {v['us_per_country_step']:.2f} | {v['peak_rss_mib']:,.0f} |" for k, v in scaled.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Time everything, print the Markdown report and the change from the last record, write the record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=float, default=1.0, help="scale the repeats of every case (default 1)")
    parser.add_argument("--quick", action="store_true", help="few repeats; skip the large-world subprocesses")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON record")
    parser.add_argument("--json", type=Path, default=JSON, help=f"the JSON record (default {JSON.relative_to(JSON.parents[2])})")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = []
    for case in CASES:
        n_rep = max(1, round((case.quick_repeats if args.quick else case.repeats) * args.repeats))
        print(f"timing {case.label} N={case.n} x{n_rep} ...", file=sys.stderr, flush=True)
        rows.append(time_case(case, n_rep))
    print("load_scenario, import, batched ...", file=sys.stderr, flush=True)
    loading = time_loading(5)
    imports = bench_scale.import_wall(5)
    batched = time_batched(3)
    scaled = {}
    if not args.quick:
        for n in SCALE_NS:
            print(f"large world N={n} (fresh process) ...", file=sys.stderr, flush=True)
            scaled[f"stream_n{n}"] = bench_scale.scale(n, STEPS, "stream")
        scaled["none_n3000"] = bench_scale.scale(3_000, STEPS, "none")
        scaled["none_n100000"] = bench_scale.scale(100_000, STEPS, "none")
    figures = figures_of(rows, loading, imports, scaled, batched)
    targets = judge(figures, rows)
    box = bench_scale.machine()
    text = (f"## govsim benchmark\n\nPython {box['python']}, Mesa {box['mesa']}, numpy {box['numpy']}, {box['cpus']} CPUs "
            f"({box['platform']}), 1-min load {box['load_avg_1min']}; git {bench_scale.git_commit()}; "
            f"took {time.perf_counter() - t0:.0f} s.\n\n### Runs (52 steps)\n\n{run_table(rows)}\n\n"
            f"### load_scenario and import\n\n- load_scenario cold {loading['load_cold_ms']:.1f} ms, cached "
            f"{loading['load_cached_ms']:.3f} ms, new value override {loading['load_new_value_ms']:.2f} ms\n"
            f"- import govsim {imports['import_s']:.3f} s wall (empty interpreter {imports['python_s']:.3f} s); "
            f"heavy modules loaded by it: {imports['loaded'] or 'none'}\n\n"
            f"### Large worlds (synthetic, 52 steps)\n\n{scale_text(scaled)}\n\n### Targets\n\n{targets_text(targets)}\n")
    print(text)
    previous = {} if args.no_save else bench_scale.record(args.json, figures, targets, args.quick)
    if args.no_save and args.json.is_file():
        import json

        previous = json.loads(args.json.read_text())
    print("### Change from the previous record\n\n" + bench_scale.changes(previous, figures))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
