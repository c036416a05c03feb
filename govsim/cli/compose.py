"""Compose scenarios from the Hydra config tree in ``scenarios/`` (the only place, with the CLI, that knows Hydra).

``load_scenario("export_controls_2025", ["seed=3"])`` gives exactly the scenario that
``govsim run scenario=export_controls_2025 seed=3`` runs.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from collections.abc import Iterable, Mapping
from typing import Any

from govsim.config import ScenarioError, load_file, read_yaml, validate
from govsim.config.errors import shorten, shown
from govsim.config.scenario import Scenario
from govsim.cli.scenario_cache import Memo, fingerprint
from govsim.run_options import split_run_options

CONFIG_DIR = (Path(__file__).resolve().parents[1] / "scenarios").resolve()  # the library: scenarios/ (package data)
PRIMARY = "govsim"
GROUPS = ("scenario", "world", "forums", "behaviour", "shocks")
SCENARIOS = Memo()  # validated scenarios (see load_scenario)
CONFIGS = Memo()  # composed, unresolved configs before value overrides (see composed)


Overrides = str | Iterable[str] | Mapping[str, Any] | None


def override_list(overrides: Overrides) -> list[str]:
    """``overrides`` as a list of ``key=value`` strings: a list (or tuple) of them, one string, a
    mapping ``{"seed": 3, "forums.g7.outreach_radius": 0.3}`` or None. Anything else is one clear error."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping):
        return [f"{key}={_override_value(value)}" for key, value in overrides.items()]
    if isinstance(overrides, Iterable):
        items = list(overrides)
        bad = [item for item in items if not isinstance(item, str)]
        if not bad:
            return items
        raise ScenarioError(f"overrides: {shown(bad[0])} is not a 'key=value' string. Fix: pass strings such as "
                            "'seed=3', one string, or a dict such as {'seed': 3}")
    raise ScenarioError(f"overrides = {shown(overrides)} is not 'key=value' strings. Fix: pass a list of them, "
                        "one such string, or a dict such as {'seed': 3}")


def _override_value(value: Any) -> str:
    """A Python value as the command line writes it (None -> null, True -> true, lists in brackets)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_override_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{_override_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def load_scenario(name_or_path: str | Path = "baseline", overrides: Overrides = ()) -> Scenario:
    """Return the validated scenario ``name_or_path`` with ``key=value`` overrides applied.

    ``overrides`` may be a list of ``"key=value"`` strings, one such string, or a dict
    (``{"seed": 3, "behaviour.decision.temperature": 0.7}``).

    ``name_or_path`` is a scenario of ``scenarios/scenario/`` (``"baseline"``), a YAML file
    inside some ``<root>/scenario/`` folder that uses a Hydra defaults list, or a standalone
    YAML file holding a whole scenario. Overrides are the command line's: ``"seed=3"``,
    ``"behaviour.decision.temperature=0.7"``, ``"world=synthetic"``, ``"world.n=1000"``.

    Scenarios are remembered per (name or path, overrides, the config files' paths, mtimes and
    sizes): a repeated call costs ~0.2 ms instead of a Hydra compose, editing a file is seen at the
    next call, and each call returns its own copy (see :mod:`govsim.cli.scenario_cache`).
    """
    overrides = override_list(overrides)
    path = Path(name_or_path)
    key = _memo_key(path, overrides)
    scenario = SCENARIOS.get(key) if key is not None else None
    if scenario is None:
        scenario = _load(path, overrides)
        if key is not None:
            SCENARIOS.put(key, scenario)
    return scenario


def _memo_key(path: Path, overrides: list[str]) -> tuple | None:
    """What a loaded scenario depends on: the request and the state of the files it may read
    (None: not remembered, for overrides that add config folders)."""
    if any(item.lstrip("+~").startswith("hydra") for item in overrides):
        return None
    if path.suffix not in {".yaml", ".yml"}:
        return (str(path), tuple(overrides), fingerprint([CONFIG_DIR]))
    where = path.resolve()
    folders = [where.parents[1] / group for group in GROUPS] if where.parent.name == "scenario" else []
    return (str(where), tuple(overrides), fingerprint([CONFIG_DIR, *folders], [where]))


def _load(path: Path, overrides: list[str]) -> Scenario:
    """Compose (or read) and validate the scenario, without the memory."""
    from govsim.cli.overrides import prepare

    if path.suffix in {".yaml", ".yml"}:
        if not path.is_file():
            raise ScenarioError(f"scenario file {shorten(str(path), 200)!r} does not exist")
        if "defaults" not in read_yaml(path):
            return load_file(path, overrides)
    selection = _selection(path)
    roots = [path.resolve().parents[1]] if path.suffix in {".yaml", ".yml"} else []
    prepared = prepare(overrides, multirun=False, roots=roots)
    if len(prepared.seeds or [0]) > 1:
        raise ScenarioError(f"seed = {shown(prepared.seeds)}: load_scenario takes one seed. Fix: run the seeds one by one")
    return scenario_from_config(composed(selection, prepared.overrides, roots))


def _selection(path: Path) -> list[str]:
    """Overrides that select scenario ``path`` (a name, or a file in a '<root>/scenario/' folder)."""
    if path.suffix not in {".yaml", ".yml"}:
        from govsim.cli.overrides import check_choices

        check_choices("scenario", [str(path)])
        return [f"scenario={path}"]
    if path.resolve().parent.name != "scenario":
        raise ScenarioError(f"{path} has a Hydra defaults list, so it must sit in a folder named 'scenario' "
                            f"inside a config root. Fix: move it to <root>/scenario/{path.name}")
    return [f"scenario={path.stem}", f"hydra.searchpath=[file://{path.resolve().parents[1]}]"]


def scenario_from_config(config: dict[str, Any]) -> Scenario:
    """Validate a composed config (run options removed) as one scenario."""
    data, _ = split_run_options(config)
    return validate(data, source=f"scenario {data.get('name', '?')!r}")


def composed(selection: list[str], overrides: list[str], roots: list[Path] = ()) -> dict[str, Any]:
    """The resolved config for ``selection`` and (checked) ``overrides``, composing only when the
    config-group choices or the files change: value overrides are applied to a remembered compose
    with Hydra's own override code, as a compose applies them after merging the defaults."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    choices = [item for item in overrides if _is_choice(item)]
    values = [item for item in overrides if not _is_choice(item)]
    if values and not _hydra_applies_overrides():  # a Hydra without that (private) helper: compose every time
        return compose_config([*selection, *overrides])
    key = (tuple(selection), tuple(choices), fingerprint([CONFIG_DIR, *(Path(r) / g for r in roots for g in GROUPS)]))
    config = CONFIGS.get(key)
    if config is None:
        config = compose_config([*selection, *choices], resolve=False)
        CONFIGS.put(key, config)
    try:
        _apply_values(config, values)
        return OmegaConf.to_container(config, resolve=True)
    except OmegaConfBaseException as exc:
        raise ScenarioError(_first_lines(str(exc))) from None


def _hydra_applies_overrides() -> bool:
    """Whether this Hydra has the helper its compose uses to apply value overrides (Hydra 1.3)."""
    try:
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
    except ImportError:
        return False
    return callable(getattr(ConfigLoaderImpl, "_apply_overrides_to_config", None))


def _is_choice(override: str) -> bool:
    """Whether an override chooses configs (``world=synthetic``, ``+shocks=...``, ``hydra...``) rather than setting a value."""
    key = override.split("=", 1)[0].lstrip("+~")
    return key in GROUPS or "/" in key or key.startswith("hydra")


def _apply_values(config, values: list[str]) -> None:
    """Apply ``key=value`` overrides to a composed config exactly as Hydra's compose does."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    if not values:
        return
    try:
        ConfigLoaderImpl._apply_overrides_to_config(OverridesParser.create().parse_overrides(values), config)
    except HydraException as exc:
        raise ScenarioError(_first_lines(str(exc))) from None


def compose_config(overrides: list[str], config_dir: Path = CONFIG_DIR, resolve: bool = True):
    """The composed config for ``overrides``: resolved, as plain Python containers (or, with
    ``resolve=False``, the DictConfig itself)."""
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    with _own_global_hydra(), initialize_config_dir(str(config_dir), version_base="1.3", job_name="govsim"):
        try:
            config = compose(PRIMARY, overrides=overrides)
            return OmegaConf.to_container(config, resolve=True) if resolve else config
        except (HydraException, OmegaConfBaseException) as exc:
            raise ScenarioError(_first_lines(str(exc))) from None
        except OSError as exc:  # e.g. a key too long to be looked up as a config file
            raise ScenarioError(f"cannot compose the scenario: {exc.strerror} for {shown(exc.filename)}. "
                                "Fix: check the override keys") from None


@contextlib.contextmanager
def _own_global_hydra():
    """Compose even inside a running Hydra app: park its global state, restore it after."""
    from hydra.core.global_hydra import GlobalHydra

    instance = GlobalHydra.instance()
    saved = instance.hydra if instance.is_initialized() else None
    instance.clear()
    try:
        yield
    finally:
        instance.clear()
        if saved is not None:
            instance.initialize(saved)


def hydra_options(group: str, roots: list[Path]) -> list[str]:
    """The configs Hydra offers for one of its own groups (e.g. ``hydra/launcher``), plugins and ``roots`` included."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    extra = ",".join(f"'file://{root.resolve()}'" for root in roots if root.resolve() != CONFIG_DIR)
    overrides = [f"hydra.searchpath=[{extra}]"] if extra else []
    with _own_global_hydra(), initialize_config_dir(str(CONFIG_DIR), version_base="1.3", job_name="govsim"):
        loader = GlobalHydra.instance().config_loader()
        return sorted(loader.get_group_options(group, config_name=PRIMARY, overrides=overrides))


def options(group: str, config_dir: Path = CONFIG_DIR) -> list[str]:
    """The configs available in a group folder, e.g. the scenario names."""
    return sorted(p.stem for p in (config_dir / group).glob("*.yaml"))


def _first_lines(text: str, n: int = 6) -> str:
    """Hydra messages end with the config search path: keep the part that says what is wrong."""
    lines = [line for line in text.splitlines() if line.strip() and "provider=" not in line and "search path" not in line]
    return "\n".join(lines[:n])
