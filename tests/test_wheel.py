"""The package works when installed from a wheel, away from the checkout (no scenarios/ folder beside it).

Builds the wheel, installs it with its dependencies into a fresh virtualenv (pip's cache makes this
take about a minute after `make setup`) and runs the library scenario from a folder outside the repo.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, govsim
results = govsim.run("baseline", overrides={"time.steps": 4})
print(json.dumps({"file": govsim.__file__, "rows": len(results.indices), "last": results.indices.period.iloc[-1],
                  "library": govsim.list_scenarios().name.tolist(), "countries": len(govsim.countries())}))
"""


def _pip(python: Path, *args: str, cwd: Path) -> None:
    done = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_wheel_in_a_fresh_virtualenv_runs_the_library(tmp_path):
    source = tmp_path / "src"  # build from a copy: an in-tree build would write build/ into the checkout
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "outputs", "sweeps", "multirun", ".pytest_cache"))
    _pip(Path(sys.executable), "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source), cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("govsim-*.whl"))
    venv.create(tmp_path / "env", with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    _pip(python, "install", "-q", str(wheel), cwd=tmp_path)
    away = tmp_path / "elsewhere"
    away.mkdir()
    done = subprocess.run([str(python), "-c", SCRIPT], cwd=away, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["file"].startswith(str(tmp_path / "env")), "govsim was imported from the checkout, not the wheel"
    assert (out["rows"], out["last"], out["countries"]) == (5, "2023Q4", 193)
    assert {"baseline", "export_controls_2025", "waico"} <= set(out["library"])
    cli = subprocess.run([str(tmp_path / "env" / "bin" / "govsim"), "run", "scenario=export_controls_2025", "time.steps=2",
                          f"out={away / 'run'}"], cwd=away, capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert (away / "run" / "indices.parquet").is_file()
