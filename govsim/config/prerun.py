"""Checks made once a run is about to start: the seed, the memory budget, and notes (warnings).

``GovernanceModel`` calls :func:`before_run` before building anything, so the Python API and
every command line path get the same checks. Notes are logged once per process (a sweep's
thousand runs of one configuration do not repeat them).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from govsim.config import budget, rules
from govsim.config.loading import check_override

if TYPE_CHECKING:
    from govsim.config.scenario import Scenario

_logged: set[str] = set()


def before_run(scenario: "Scenario", seed: object, countries: bool | str) -> int:
    """The run's seed (``seed``, or the scenario's if None), checked; log notes; refuse what cannot fit."""
    if seed is not None:
        check_override("seed", [seed])
    for note in rules.notes(scenario):
        if note not in _logged and len(_logged) < 10_000:
            _logged.add(note)
            logging.getLogger("govsim").warning(note)
    budget.check(scenario, countries)
    return scenario.seed if seed is None else int(seed)
