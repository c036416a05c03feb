"""``govsim sensitivity``: Morris or Sobol sensitivity of the headline indices, run as a sweep.

    govsim sensitivity [method=morris|sobol] [config=default|FILE.yaml] [samples=N] [seeds=N]
                       [years=[2025,2030]] [include_levers=true] [scenario=NAME] [out=DIR]
                       [levels=4] [sample_seed=0] [jobs=N] [uncertain.KEY=[low,high]] [levers.KEY=[low,high]]
                       [time.steps=...] [world=...] [hydra/launcher=joblib] [hydra.launcher.n_jobs=4]

Settings come from a YAML file in ``scenarios/sensitivity/`` (``config=default``, see that file for
every key) and are overridden by ``key=value`` arguments. Other dotted scenario keys, config
groups (``world=``...) and ``hydra...`` overrides are passed to the sweep (``govsim run -m``).
The command samples a design (SALib), runs every design point for ``seeds`` seeds through the
same launcher as ``govsim run``, averages the indices over seeds at the end of each of ``years``
and analyses them. It writes into ``out``:

- ``problem.json`` (SALib problem, groups, settings), ``design.parquet`` (the SALib design, one row
  per model evaluation), ``points.parquet`` (its distinct points: what the sweep runs), the runs
  (``batches/``, the results store of a sweep: ``store.layout``);
- ``sensitivity.csv`` (index, year, parameter, group, then mu_star, mu_star_conf, mu, sigma for
  Morris or S1, S1_conf, ST, ST_conf for Sobol), ``sensitivity.md`` (ranked table per headline
  index at the last year), ``sensitivity_<method>.png`` and ``sensitivity_over_time.png``.

The default ``out`` is derived from the settings, so the same command resumes: complete runs are
skipped. Exit status: 0 done, 1 some run failed (no analysis then), 2 bad input.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from govsim import sensitivity as sa
from govsim.cli.compose import CONFIG_DIR, GROUPS, compose_config, options, scenario_from_config
from govsim.batch import with_values
from govsim.config import ScenarioError, check_override
from govsim.config.scenario import Scenario
from govsim.folders import check_writable
from govsim.store import StoreError, scenario_hash
from govsim.cli.sensitivity_report import collect, write_outputs

SETTINGS_DIR = CONFIG_DIR / "sensitivity"
DEFAULTS: dict[str, Any] = {"scenario": "baseline", "method": "morris", "samples": None, "levels": sa.DEFAULT_LEVELS,
                            "seeds": 3, "sample_seed": 0, "years": [2025, 2030, 2035], "uncertain": {}, "levers": {},
                            "include_levers": False, "jobs": None, "out": None}
SETTINGS = ("config", *DEFAULTS)
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
RESERVED = {"seed": "use seeds=N (replicates per design point) or sample_seed=N (the design)",
            "seeds_per_job": "every job runs all seeds of its design points", "name": "the scenario's name is kept",
            "design": "the design is set by govsim sensitivity"}
_RUN_AFFECTING = ("scenario", "method", "samples", "levels", "seeds", "sample_seed")


@dataclass
class Plan:
    """Everything validated: the settings, the problem, the design and the sweep's overrides."""

    settings: dict[str, Any]
    problem: dict[str, Any]
    design: pd.DataFrame
    passthrough: list[str] = field(default_factory=list)
    scenario_overrides: list[str] = field(default_factory=list)
    out: Path = Path(".")
    scenario_hash: str = ""  # of the base scenario with its overrides: new defaults, new runs

    @property
    def points(self) -> pd.DataFrame:
        """The design's distinct points (Morris trajectories can repeat one): what the sweep runs."""
        return self.design.drop_duplicates(self.problem["names"], ignore_index=True)


def main(argv: list[str]) -> int:
    """Sample, run, analyse; 0 on success, 1 if a run failed, 2 on bad input (one line on stderr)."""
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    try:
        plan = make_plan(*parse_args(argv))
        check_writable(plan.out)
    except (sa.SensitivityError, ScenarioError, StoreError) as exc:
        print(f"govsim sensitivity: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    prepare_out(plan)
    code = run_sweep(plan)
    if code == 2:
        print("govsim sensitivity: the sweep rejected its input (see the message above)", file=sys.stderr)
        return 2
    outcomes = collect(plan)
    if outcomes is None:
        return 1
    table = sa.analyze(plan.settings["method"], plan.problem, plan.design, outcomes,
                       levels=plan.settings["levels"], seed=plan.settings["sample_seed"])
    markdown = write_outputs(plan, table)
    print(markdown)
    print(f"sensitivity results written to {plan.out}")
    return 1 if code else 0


# --- settings -------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Split ``key=value`` arguments into settings (values parsed as YAML) and overrides for the sweep."""
    settings, passthrough = {}, []
    for arg in argv:
        key, sep, value = arg.partition("=")
        bare = key.lstrip("+~")
        if arg.startswith("-") or not sep or not bare:
            raise sa.SensitivityError(f"cannot read argument {arg!r}. Fix: write key=value, e.g. method=sobol")
        if bare in SETTINGS or bare.startswith(("uncertain.", "levers.")):
            settings[bare] = _yaml_value(arg, value)
        elif bare.split(".")[0] in RESERVED:
            raise sa.SensitivityError(f"{arg!r}: not allowed here: {RESERVED[bare.split('.')[0]]}")
        elif bare.startswith("hydra") or "." in bare or bare in GROUPS:
            passthrough.append(arg)
        else:
            raise sa.SensitivityError(f"unknown setting {bare!r}. Fix: use one of {list(SETTINGS)}, "
                                      "uncertain.KEY=[low,high], levers.KEY=[low,high], a scenario override "
                                      "such as time.steps=20, or hydra/launcher=NAME")
    return settings, passthrough


def _yaml_value(arg: str, value: str) -> Any:
    try:
        return yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        raise sa.SensitivityError(f"cannot read the value of {arg!r}. Fix: e.g. years=[2025,2030]") from None


def load_settings(cli: dict[str, Any]) -> dict[str, Any]:
    """The settings file named by ``config`` (default: 'default'), with the command line's values on top."""
    path = settings_file(cli.get("config") or "default")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise sa.SensitivityError(f"{path}: must be a mapping of settings, e.g. 'method: morris'")
    unknown = sorted(set(data) - set(DEFAULTS))
    if unknown:
        raise sa.SensitivityError(f"{path}: unknown setting {unknown[0]!r}. Fix: use one of {list(DEFAULTS)}")
    settings = {**DEFAULTS, **data, "config": str(path)}
    for key in ("uncertain", "levers"):
        settings[key] = _mapping(key, settings[key] or {})
    for key, value in cli.items():
        group, _, name = key.partition(".")
        if name and group in ("uncertain", "levers") and value is None:
            settings[group].pop(name, None)  # uncertain.KEY=null drops a parameter
        elif name and group in ("uncertain", "levers"):
            settings[group][name] = value
        elif key in ("uncertain", "levers"):
            settings[key] = _mapping(key, value or {})
        elif key != "config":
            settings[key] = value
    return settings


def _mapping(key: str, value: Any) -> dict[str, Any]:
    """A copy of the ``uncertain``/``levers`` mapping, or SensitivityError if it is not one."""
    if not isinstance(value, dict):
        raise sa.SensitivityError(f"{key} = {value!r}: must be a mapping of dotted key -> [low, high]")
    return dict(value)


def settings_file(name: str) -> Path:
    """``name`` in scenarios/sensitivity/, or a path to a YAML file."""
    path = Path(name) if name.endswith((".yaml", ".yml")) or os.sep in name else SETTINGS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in SETTINGS_DIR.glob("*.yaml"))
        raise sa.SensitivityError(f"config {name!r}: no such file ({path}). Fix: use one of {known} or a path to a YAML file")
    return path


def check_settings(s: dict[str, Any]) -> dict[str, Any]:
    """Type and range checks of the plain settings; fills in the default sample size."""
    sa.check_method(s["method"])
    s["samples"] = sa.check_samples(s["method"], DEFAULT_SAMPLES[s["method"]] if s["samples"] is None else s["samples"])
    _whole(s, "levels", 2)
    _whole(s, "seeds", 1)
    _whole(s, "sample_seed", 0)
    if s["jobs"] is not None:
        _whole(s, "jobs", 1)
    if not isinstance(s["include_levers"], bool):
        raise sa.SensitivityError(f"include_levers = {s['include_levers']!r}: must be true or false")
    years = s["years"] if isinstance(s["years"], list) else [s["years"]]
    if not years or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise sa.SensitivityError(f"years = {s['years']!r}: must be calendar years, e.g. years=[2025,2030]")
    s["years"] = sorted(set(years))
    if not isinstance(s["scenario"], str):
        raise sa.SensitivityError(f"scenario = {s['scenario']!r}: must be a scenario name, one of {options('scenario')}")
    return s


def _whole(s: dict[str, Any], key: str, least: int) -> None:
    if not isinstance(s[key], int) or isinstance(s[key], bool) or s[key] < least:
        raise sa.SensitivityError(f"{key} = {s[key]!r}: must be a whole number >= {least}")


def check_parameters(s: dict[str, Any]) -> None:
    """Uncertain keys outside ``shocks``, levers inside; every name and range end fits the schema."""
    for group, ranges in (("uncertain", s["uncertain"]), ("levers", s["levers"])):
        for name, bound in ranges.items():
            if (group == "levers") != str(name).startswith("shocks."):
                where = "policy levers are fields of shocks" if group == "levers" else "shock fields are policy levers"
                raise sa.SensitivityError(f"{group}: {name}: {where}. Fix: move it to "
                                          f"'{'uncertain' if group == 'levers' else 'levers'}:'")
            sa.check_range(name, bound)
            check_override(str(name), bound)  # the values in between: _check_design, once sampled


# --- plan -----------------------------------------------------------------------------------------


def make_plan(cli: dict[str, Any], passthrough: list[str]) -> Plan:
    """Validate everything before anything is written or run; ScenarioError/SensitivityError if bad."""
    s = check_settings(load_settings(cli))
    check_parameters(s)
    prob = sa.problem(s["uncertain"], s["levers"] if s["include_levers"] else None)
    scenario_overrides = _check_passthrough(passthrough, s["scenario"], prob["names"])
    base = scenario_from_config(compose_config(scenario_overrides))
    _check_in_scenario(base, prob)
    sa.check_years(s["years"], base.time.model_dump())
    design = sa.sample(s["method"], prob, s["samples"], seed=s["sample_seed"], levels=s["levels"])
    _check_design(design, prob["names"])
    plan = Plan(s, prob, design, passthrough, scenario_overrides, scenario_hash=scenario_hash(base))
    plan.out = Path(s["out"] if s["out"] is not None else default_out(plan)).resolve()
    _check_out(plan)
    return plan


def _check_passthrough(passthrough: list[str], scenario: str, names: list[str]) -> list[str]:
    """Check the sweep's overrides (no sweeps, no sampled key); return the scenario ones, Hydra-ready."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from govsim.cli.overrides import prepare

    parser = OverridesParser.create()
    for text in passthrough:
        try:
            override = parser.parse_override(text)
        except Exception as exc:  # noqa: BLE001 -- Hydra's grammar errors, re-worded
            raise sa.SensitivityError(f"cannot read override {text!r}: {str(exc).splitlines()[0]}") from None
        if override.is_sweep_override() and not override.is_hydra_override():
            raise sa.SensitivityError(f"{text!r}: sweeps are not allowed here; the design decides what varies. "
                                      "Fix: give one value, or add the key to 'uncertain:' with a range")
        if override.key_or_group in names:
            raise sa.SensitivityError(f"{text!r}: {override.key_or_group} is a sampled parameter. "
                                      f"Fix: drop the override, or drop the parameter from the design")
    prepared = prepare([f"scenario={scenario}", *passthrough], multirun=False)
    return [o for o in prepared.overrides if not o.lstrip("+~").startswith("hydra")]


def _check_in_scenario(base: Scenario, prob: dict[str, Any]) -> None:
    """Each parameter at each end of its range gives a valid scenario (e.g. its shock exists)."""
    for name, bound in zip(prob["names"], prob["bounds"]):
        for value in bound:
            with_values(base, {name: value}, source=f"{name} = {value}")


def _check_design(design: pd.DataFrame, names: list[str]) -> None:
    """Every value the design samples fits its field (e.g. an integer field gets whole numbers)."""
    for name in names:
        try:
            check_override(name, np.unique(design[name]).tolist())
        except ScenarioError as exc:
            raise sa.SensitivityError(f"{exc} The design samples real values between the range ends, so "
                                      f"{name} cannot be sampled: drop it from the design") from None


def fingerprint(plan: Plan) -> dict[str, Any]:
    """What decides the runs (not years, jobs or out): equal fingerprints, same design and runs."""
    keep = {k: plan.settings[k] for k in _RUN_AFFECTING}
    return {**keep, "names": plan.problem["names"], "bounds": plan.problem["bounds"],
            "groups": plan.problem["group_of"], "overrides": sorted(plan.scenario_overrides),
            "scenario_hash": plan.scenario_hash}


def default_out(plan: Plan) -> str:
    """sweeps/sensitivity-<scenario>-<method>-<hash of the settings>."""
    digest = hashlib.sha256(json.dumps(fingerprint(plan), sort_keys=True).encode()).hexdigest()[:8]
    return f"sweeps/sensitivity-{plan.settings['scenario']}-{plan.settings['method']}-{digest}"


# --- run ------------------------------------------------------------------------------------------


def _check_out(plan: Plan) -> None:
    """Refuse an ``out`` folder that holds another design (its runs would be mixed with this one's)."""
    path = plan.out / "problem.json"
    if not path.is_file():
        return
    old, new = json.loads(path.read_text()), _record(plan)
    differ = [k for k in _RECORD_KEYS if old.get(k) != new[k]]
    differ += [k for k in _RUN_AFFECTING if old.get("settings", {}).get(k) != new["settings"][k]]
    if differ:
        raise sa.SensitivityError(f"{plan.out} holds another sensitivity design (its problem.json differs in "
                                  f"{', '.join(differ)}; scenario_hash: the base scenario, e.g. its defaults, "
                                  "changed). Fix: choose another out=, or delete that folder")


_RECORD_KEYS = ("names", "bounds", "group_of", "method", "overrides", "scenario_hash")


def _record(plan: Plan) -> dict[str, Any]:
    """problem.json: the SALib problem, its groups, the method, the sweep's overrides and all settings."""
    return {**plan.problem, "method": plan.settings["method"], "overrides": sorted(plan.scenario_overrides),
            "scenario_hash": plan.scenario_hash,
            "launcher_overrides": [o for o in plan.passthrough if o.lstrip("+~").startswith("hydra")],
            "settings": _jsonable(plan.settings)}


def prepare_out(plan: Plan) -> None:
    """Write problem.json, design.parquet and points.parquet into ``out``."""
    plan.out.mkdir(parents=True, exist_ok=True)
    (plan.out / "problem.json").write_text(json.dumps(_record(plan), indent=2) + "\n")
    plan.design.to_parquet(plan.out / "design.parquet", index=False)
    plan.points.to_parquet(plan.out / "points.parquet", index=False)


def _jsonable(settings: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(settings, default=str))


def run_sweep(plan: Plan) -> int:
    """``govsim run -m`` over the design's points x seeds, in ``jobs`` chunks; its exit status."""
    from govsim.cli.run import main as run

    s = plan.settings
    chunks = s["jobs"] or max(1, min(len(plan.points), os.cpu_count() or 1))
    seeds = ",".join(str(i) for i in range(s["seeds"]))
    return run(["-m", f"scenario={s['scenario']}", f"seed={seeds}", f"seeds_per_job={s['seeds']}",
                f"design.path={plan.out / 'points.parquet'}", f"design.chunk=range(0,{chunks})",
                f"design.chunks={chunks}", f"out={plan.out}", *plan.passthrough])
