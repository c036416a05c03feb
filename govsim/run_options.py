"""The run options of a composed config (``store.*`` and ``design``), checked without importing the model.

They sit apart from :mod:`govsim.batch` (which imports the runner, Mesa and pandas) so the command
line can check ``store.countries=maybe`` or print ``govsim run --help`` in a fraction of a second.
"""

from __future__ import annotations

from typing import Any

from govsim.config.errors import ScenarioError, shown

RUN_OPTIONS = ("store", "design")  # keys of a composed config that are not part of the scenario

STORE_OPTIONS = {"countries": "auto, true or false", "figure": "auto, true or false",
                 "band_seeds": "a whole number of seeds from 0 to 64 (0 or 1: no band)",
                 "layout": "auto (batch, or run when the countries tables are kept), run (a folder per run) or batch (one file per table per batch of runs)",
                 "replicates": "stacked (a job's runs that share a world stepped together; the default) or single (one run at a time)"}
#: ``store.replicates`` when a caller of :func:`govsim.batch.run_specs` does not say.
REPLICATES_DEFAULT = "stacked"


def check_store_option(key: str, values: list[Any]) -> None:
    """ScenarioError naming ``store.<key>``, the bad value and the choices, unless every value is allowed."""
    name = key.removeprefix("store.")
    if name not in STORE_OPTIONS:
        raise ScenarioError(f"{shown(key)} is not a store option. Fix: use one of "
                            + ", ".join(f"store.{k}" for k in STORE_OPTIONS))
    for value in values:
        if name == "band_seeds":
            good = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 64
        elif name == "layout":
            good = value in ("auto", "run", "batch")
        elif name == "replicates":
            good = value in ("single", "stacked")
        else:
            good = value in (True, False, "auto")
        if not good:
            raise ScenarioError(f"{key} = {shown(value)} is not allowed. Fix: {STORE_OPTIONS[name]}")


def split_run_options(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A composed config as (the scenario's fields, the run options ``store`` and ``design``)."""
    return ({k: v for k, v in config.items() if k not in RUN_OPTIONS},
            {k: config[k] for k in RUN_OPTIONS if k in config})
