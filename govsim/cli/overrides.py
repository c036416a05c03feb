"""Command-line overrides: parsed with Hydra's grammar, checked against the schema, rewritten.

Every scenario key and value is checked *before* Hydra composes anything, so a typo gives one
message naming the key, the value and what is allowed. Checked keys are passed on as
``++key=value`` (set even if the composed config does not list the field, since the schema has
a default for it). Seeds are batched: ``seed=range(0,1000)`` becomes a few jobs, each running
a list of seeds in one process, because one Hydra job per run would cost 10x the run itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsim.run_options import RUN_OPTIONS, check_store_option
from govsim.cli.compose import CONFIG_DIR, GROUPS, hydra_options, options
from govsim.cli.datafiles import check_roots
from govsim.cli.sizing import Slurm, job_count, seeds_per_job, slots, slurm_preset
from govsim.config import ScenarioError, check_override
from govsim.config.errors import shorten, shown
from govsim.config.yamlio import check_data

CLI_ONLY = ("seeds_per_job", "out")


@dataclass
class Prepared:
    """Overrides ready for Hydra, plus what the CLI itself needs to know."""

    overrides: list[str] = field(default_factory=list)
    seeds: list[int] | None = None
    out: str | None = None
    seeds_per_job: int | None = None
    scenarios: list[str] = field(default_factory=list)


def prepare(args: list[str], multirun: bool, roots: list[Path] | None = None) -> Prepared:
    """Check ``key=value`` overrides and rewrite them for Hydra; raise ScenarioError on bad input.

    ``roots`` are extra config folders (``--config-dir``); ``hydra.searchpath`` adds more.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser, prepared = OverridesParser.create(), Prepared()
    parsed = []
    for text in args:
        try:
            parsed.append(parser.parse_override(text))
        except Exception as exc:  # noqa: BLE001 -- Hydra's grammar errors, re-worded
            raise ScenarioError(f"cannot read override {shown(text)}: {shorten(str(exc).splitlines()[0], 200)}. "
                                "Fix: write key=value, e.g. seed=3 or behaviour.decision.temperature=0.7") from None
    roots = [CONFIG_DIR, *(roots or []), *_search_path(parsed)]
    check_roots(roots, GROUPS)
    for override in parsed:
        _check_sweep(override, multirun)
        _accept(override, prepared, roots)
    preset = slurm_preset(prepared.overrides, roots) if multirun else None  # checked before anything is submitted
    prepared.overrides += _seed_overrides(prepared, multirun, preset)
    return prepared


def _search_path(parsed) -> list[Path]:
    """Folders added by a ``hydra.searchpath=[file://...]`` override."""
    found = []
    for override in parsed:
        if override.key_or_group == "hydra.searchpath" and isinstance(override.value(), list):
            found += [Path(str(p).removeprefix("file://")) for p in override.value() if not str(p).startswith("pkg://")]
    return found


def _check_sweep(override, multirun: bool) -> None:
    """Without -m only ``seed`` may take several values (its runs share one job)."""
    if not multirun and override.is_sweep_override() and override.key_or_group != "seed":
        raise ScenarioError(f"{shown(override.input_line)} gives several values, which is a sweep. "
                            "Fix: add -m (govsim run -m ...) to run one job per value, or give one value")


def _accept(override, prepared: Prepared, roots: list[Path]) -> None:
    key, line = override.key_or_group, override.input_line
    if override.is_hydra_override():
        if "/" in key and not override.is_delete():
            check_hydra_choice(key, _values(override), roots)
        prepared.overrides.append(line)
    elif key in CLI_ONLY:
        _cli_option(key, _values(override), prepared)
    elif key == "seed":
        seeds = [s for v in _values(override) for s in (v if isinstance(v, list) else [v])]
        if not seeds:
            raise ScenarioError(f"{shown(line)} gives no seeds. Fix: e.g. seed=3, seed=[1,2] or seed='range(0,10)'")
        check_override("seed", seeds)
        prepared.seeds = [int(s) for s in seeds]
    elif key in GROUPS:
        check_choices(key, _values(override), roots)
        prepared.scenarios += [str(v) for v in _values(override)] if key == "scenario" else []
        prepared.overrides.append(line)
    elif key.split(".")[0] in RUN_OPTIONS:
        if key.startswith("store"):
            check_store_option(key, _values(override))
        prepared.overrides.append("++" + line.lstrip("+"))
    elif override.is_delete():
        raise ScenarioError(f"{line!r}: deleting scenario keys is not supported. Fix: set the key to a value instead")
    else:
        check_override(key, _values(override))
        prepared.overrides.append("++" + line.lstrip("+"))


def _values(override) -> list[Any]:
    """The value(s) of an override: every element of a sweep, else the single value."""
    if override.is_discrete_sweep():
        return list(override.sweep_iterator())
    if override.is_sweep_override():
        raise ScenarioError(f"{override.input_line!r}: interval sweeps need an optimising sweeper. "
                            "Fix: list the values (a,b,c) or use range(start,stop,step)")
    return [override.value()]


def _cli_option(key: str, values: list[Any], prepared: Prepared) -> None:
    if len(values) != 1:
        raise ScenarioError(f"{key} = {shown(values)}: give one value")
    check_data(values[0], key)
    if key == "out":
        prepared.out = str(values[0])
    elif not isinstance(values[0], int) or values[0] < 1:
        raise ScenarioError(f"seeds_per_job = {shown(values[0])}: must be a whole number of runs >= 1. Fix: e.g. seeds_per_job=50")
    else:
        prepared.seeds_per_job = values[0]


def check_choices(group: str, values: list[Any], roots: list[Path] | None = None) -> None:
    """Raise ScenarioError unless every value names a config of ``group`` in one of ``roots``."""
    roots = roots or [CONFIG_DIR]
    known = sorted({name for root in roots for name in options(group, root)})
    for value in values:
        for choice in value if isinstance(value, list) else [value]:
            if str(choice) not in known:
                raise ScenarioError(f"unknown {group} {shown(choice)}. Fix: use one of {shorten(str(known), 200)} "
                                    f"(files in {roots[0] / group}), or add {shorten(str(choice), 60)}.yaml there")


def check_hydra_choice(group: str, values: list[Any], roots: list[Path]) -> None:
    """Raise ScenarioError unless every value names a config of Hydra's ``group`` (e.g. hydra/launcher)."""
    known = hydra_options(group, roots)
    for value in values:
        for choice in value if isinstance(value, list) else [value]:
            if str(choice) not in known:
                extra = " (submitit_* need pip install -e '.[cluster]')" if group == "hydra/launcher" else ""
                raise ScenarioError(f"unknown {shorten(group, 60)} {shown(choice)}. Fix: use one of "
                                    f"{shorten(str(known), 250)}{extra}")


def _seed_overrides(prepared: Prepared, multirun: bool, preset: Slurm | None) -> list[str]:
    """``seed=...`` for Hydra: a single seed, one list per job, or lists swept across jobs (see govsim.cli.sizing)."""
    seeds = prepared.seeds
    if seeds is None:
        return []
    if len(seeds) == 1:
        return [f"seed={seeds[0]}"]
    if not multirun:
        return ["seed=[" + ",".join(map(str, seeds)) + "]"]
    size = prepared.seeds_per_job or seeds_per_job(len(seeds), slots(preset),
                                                   job_count(prepared.overrides) or 1)
    chunks = [seeds[i:i + size] for i in range(0, len(seeds), size)]
    return ["seed=" + ",".join("[" + ",".join(map(str, c)) + "]" for c in chunks)]


def sweep_folder(args: list[str], prepared: Prepared, parent: str = "sweeps") -> str:
    """Default sweep folder: the same command gives the same folder, so re-running resumes."""
    if prepared.out:
        return prepared.out
    kept = sorted(a for a in args if not a.startswith(("hydra", "seeds_per_job", "out=")))
    digest = hashlib.sha256("\n".join(kept).encode()).hexdigest()[:8]
    name = "-".join(prepared.scenarios) if len(prepared.scenarios) == 1 else "sweep"
    return f"{parent}/{name}-{digest}"
