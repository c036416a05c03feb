"""The benchmark's measurements that need a fresh process each, and its JSON record.

- ``import_wall``: wall time of ``python -c "import govsim"`` (and of ``python -c pass`` for reference);
- ``scale``: one run of a synthetic world of n countries x 52 steps in a fresh process, with the
  countries table streamed to Parquet (or not kept): CPU µs per country-step and peak RSS;
- ``record`` / ``changes``: the figures as a small JSON (machine, date, git commit) and the change
  from the previous one, so a regression is visible.

Run as a script, it is the child process of ``scale``: ``python bench_scale.py N STEPS MODE``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MiB = 1024 * 1024


def import_wall(repeats: int = 5) -> dict[str, float | list[str]]:
    """Median wall seconds of a fresh ``import govsim`` and of an empty interpreter, and the heavy
    modules the import loaded (should be none)."""
    def wall(code: str) -> float:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        return time.perf_counter() - t0

    empty = statistics.median(wall("pass") for _ in range(repeats))
    full = statistics.median(wall("import govsim") for _ in range(repeats))
    probe = ("import govsim, sys, json; print(json.dumps(sorted(m for m in ('hydra', 'omegaconf', 'SALib', "
             "'matplotlib', 'mesa', 'pandas', 'scipy', 'pydantic') if m in sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                                       cwd=ROOT).stdout)
    return {"import_s": full, "python_s": empty, "loaded": loaded}


def scale(n: int, steps: int = 52, mode: str = "stream") -> dict[str, float]:
    """Run the child below in a fresh process; its CPU µs per country-step and peak RSS (MiB)."""
    out = subprocess.run([sys.executable, __file__, str(n), str(steps), mode], check=True, capture_output=True,
                         text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child(n: int, steps: int, mode: str) -> None:
    """One run of ``n`` synthetic countries (countries table streamed, in memory, or not kept)."""
    import govsim

    def once(world: int, length: int) -> float:
        scenario = govsim.load_scenario("baseline", ["world=synthetic", f"world.n={world}", f"time.steps={length}"])
        with tempfile.TemporaryDirectory() as folder:
            countries = {"stream": Path(folder) / "countries.parquet", "memory": True, "none": False}[mode]
            t0 = time.process_time()
            govsim.run(scenario, seed=0, countries=countries)
            return time.process_time() - t0

    once(300, 4)  # warm-up: first calls, lazy imports
    cpu = min(once(n, steps) for _ in range(max(1, min(5, 30_000 // n))))  # small worlds: best of a few runs
    print(json.dumps({"n": n, "steps": steps, "mode": mode, "cpu_s": cpu, "us_per_country_step": cpu / (n * steps) * 1e6,
                      "peak_rss_mib": peak_rss_mib()}))


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB: ``VmHWM`` of /proc/self/status where there is one.

    Not ``getrusage(RUSAGE_SELF).ru_maxrss`` alone: Linux carries the maximum across fork and exec,
    so a child started by a large benchmark process would report the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / MiB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MiB  # Linux: KiB


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    import mesa
    import numpy

    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "mesa": mesa.__version__, "numpy": numpy.__version__, "load_avg_1min": round(os.getloadavg()[0], 2)}


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               cwd=ROOT, check=True).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def record(path: Path, figures: dict[str, float], targets: list[dict], quick: bool) -> dict:
    """Write the figures and targets as JSON at ``path``; return what was there before (or {})."""
    previous = json.loads(path.read_text()) if path.is_file() else {}
    data = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git": git_commit(), "quick": quick,
            "machine": machine(), "figures": {k: round(v, 6) for k, v in figures.items()}, "targets": targets}
    if quick and previous.get("figures"):  # a quick run keeps the big figures of the last full run
        data["figures"] = {**{k: v for k, v in previous["figures"].items() if k not in figures}, **data["figures"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return previous


def changes(previous: dict, figures: dict[str, float], threshold: float = 0.10) -> str:
    """Markdown table of each figure now against the previous record (all figures: lower is better)."""
    before = previous.get("figures", {})
    if not before:
        return "No previous record: nothing to compare."
    lines = [f"Against the record of {previous.get('date')} (git {previous.get('git')}); every figure: lower is better.", "",
             "| figure | before | now | change | |", "|---|---:|---:|---:|---|"]
    for name, now in figures.items():
        old = before.get(name)
        if old is None or old == 0:
            lines.append(f"| {name} | – | {now:.4g} | new | |")
            continue
        change = now / old - 1
        flag = "**slower**" if change > threshold else ("faster" if change < -threshold else "")
        lines.append(f"| {name} | {old:.4g} | {now:.4g} | {change:+.0%} | {flag} |")
    return "\n".join(lines)


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
