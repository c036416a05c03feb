"""``govsim run``: one run, or with ``-m`` a sweep, through Hydra and its launchers.

Each Hydra job runs a batch (the seeds of one configuration, or a chunk of a design) in one
process and records every run in the results store. After Hydra returns, the store says
whether any run failed, which sets the exit status.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from govsim import store
from govsim.batch import RUN_OPTIONS, RunSpec, run_specs, specs_from_config
from govsim.cli.compose import CONFIG_DIR, PRIMARY
from govsim.cli.overrides import prepare, sweep_folder
from govsim.config import ScenarioError

_VALUE_FLAGS = {"-cd", "--config-dir", "-cp", "--config-path", "-cn", "--config-name", "-c", "--cfg", "-p", "--package",
                "--experimental-rerun"}


def main(argv: list[str]) -> int:
    """Check the overrides, hand them to Hydra, then report the runs from the store."""
    flags, overrides = _split_flags(argv)
    multirun = "-m" in flags or "--multirun" in flags
    try:
        prepared = prepare(overrides, multirun, _config_dirs(flags))
    except ScenarioError as exc:
        print(f"govsim run: {exc}", file=sys.stderr)
        return 2
    batch = multirun or len(prepared.seeds or []) > 1
    folder = sweep_folder(overrides, prepared, "sweeps" if multirun else "outputs")
    target = f"hydra.{'sweep' if multirun else 'run'}.dir={folder}" if batch or prepared.out else None
    code = _hydra([*flags, *prepared.overrides, *([target] if target else [])])
    informative = any(f in flags for f in ("-h", "--help", "--hydra-help", "-c", "--cfg", "--info"))
    return code if code or not batch or informative else _report_sweep(Path(folder))


def _config_dirs(flags: list[str]) -> list[Path]:
    """Folders given with ``--config-dir``/``-cd`` (Hydra adds them to the search path)."""
    return [Path(flags[i + 1]) for i, f in enumerate(flags[:-1]) if f in ("-cd", "--config-dir")]


def _split_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """Separate Hydra's own flags (``-m``, ``--config-dir DIR``...) from ``key=value`` overrides."""
    flags, overrides, args = [], [], iter(argv)
    for arg in args:
        if arg.startswith("-"):
            flags.append(arg)
            if arg in _VALUE_FLAGS:
                flags.append(next(args, ""))
        else:
            overrides.append(arg)
    return flags, overrides


def _hydra(args: list[str]) -> int:
    """Run the Hydra app with ``args`` as its command line; return its exit status."""
    import hydra

    saved, sys.argv = sys.argv, ["govsim", *args]
    try:
        hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=PRIMARY)(_job)()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except ValueError as exc:  # Hydra's own argument errors, e.g. two exclusive flags
        print(f"govsim run: {exc}", file=sys.stderr)
        return 2
    finally:
        sys.argv = saved
    return _EXIT.pop("code", 0)


_EXIT: dict[str, int] = {}


def _job(cfg) -> None:
    """One Hydra job: the batch of runs its composed config describes."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    hc = HydraConfig.get()
    task = list(hc.overrides.task)
    specs, options = specs_from_config(OmegaConf.to_container(cfg, resolve=True), _params(task))
    single = hc.mode == RunMode.RUN and len(specs) == 1
    out = Path(hc.runtime.output_dir if hc.mode == RunMode.RUN else hc.sweep.dir)
    auto = {k: (v if v != "auto" else single) for k, v in options.items()}
    context = {"overrides": task, "job": int(hc.job.get("num") or 0)}
    counts = run_specs(specs, (lambda s: out) if single else (lambda s: out / "runs" / s.run_id), auto, context,
                       label=f"job {context['job']}", log_failures=not single)
    if single:
        _EXIT["code"] = _report_single(out, specs[0])
    elif hc.mode == RunMode.RUN:
        _EXIT["code"] = 1 if counts.failed else 0


def _params(task: list[str]) -> dict[str, Any]:
    """The job's own overrides as {dotted key: value}: the parameter columns of ``load_sweep``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    found = {}
    for override in OverridesParser.create().parse_overrides(task):
        key = override.key_or_group
        if key != "seed" and not override.is_hydra_override() and key.split(".")[0] not in RUN_OPTIONS:
            found[key] = override.value()
    return found


def _report_single(folder: Path, spec: RunSpec) -> int:
    """Print where the run went and its summary, or its error; return the exit status."""
    manifest = store.read_manifest(folder) or {}
    if manifest.get("status") != "complete":
        error = manifest.get("error", {})
        print(f"govsim run: {error.get('message', 'the run did not complete')}", file=sys.stderr)
        return 2 if error.get("type") == "ScenarioError" else 1
    import pandas as pd

    from govsim.runner import summary_text

    summary = summary_text(pd.read_parquet(folder / "indices.parquet"), spec.name, spec.seed)
    (folder / "summary.txt").write_text(summary + "\n")
    print(f"results written to {folder.resolve()}\n{summary}")
    return 0


def _report_sweep(folder: Path) -> int:
    """Print the sweep's totals and failures from its manifests; 1 if any run failed."""
    found = store.manifests(folder)
    failed = [m for m in found if m.get("status") != "complete"]
    print(f"sweep {folder.resolve()}: {len(found) - len(failed)} runs complete, {len(failed)} failed")
    for m in failed[:10]:
        print(f"  failed {m['run_id']}: {m.get('error', {}).get('message', '?').splitlines()[0]}", file=sys.stderr)
    print(f"load it with: govsim.load_sweep({str(folder)!r})")
    return 1 if failed else 0
