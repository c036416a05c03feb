"""``govsim claims [seeds=8] [out=docs] [workers=2] [registry=FILE]``: the seed claims against the model.

Runs every lever of the claims registry (``govsim/claims.yaml``) and its reference on seeds
0..seeds-1 and writes ``OUT/claims.md`` and ``OUT/claims.csv`` (see :mod:`govsim.claims_doc`).
``workers`` runs that many processes (the report does not depend on it). Exit status: 0 when
written, 2 on bad input (one line, no traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from govsim.claims import REGISTRY, load_registry
from govsim.claims_doc import write
from govsim.claims_run import run_claims
from govsim.config import ScenarioError
from govsim.config.errors import shown
from govsim.folders import check_writable

OPTIONS = {"seeds": "8", "out": "docs", "workers": str(min(2, os.cpu_count() or 1)), "registry": str(REGISTRY)}


def main(argv: list[str]) -> int:
    """Run the claims and write the report; 2 with one line on bad input."""
    try:
        options = _parse(argv)
        registry = load_registry(options["registry"])
        out = Path(options["out"])
        check_writable(out)
        outcome = run_claims(registry, seeds=options["seeds"], workers=options["workers"])
        md, csv = write(registry, outcome, options["seeds"], out)
    except (ScenarioError, ValueError) as exc:  # StoreError is a ValueError
        print(f"govsim claims: {exc}", file=sys.stderr)
        return 2
    verdicts = outcome.levers["verdict"].value_counts()
    print(", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())))
    print(f"written to {md} and {csv.name}")
    return 0


def _parse(argv: list[str]) -> dict:
    options = dict(OPTIONS)
    for arg in argv:
        key, sep, value = arg.partition("=")
        if not sep or key not in OPTIONS:
            raise ScenarioError(f"argument {shown(arg)} is not one of {sorted(OPTIONS)} as key=value. "
                                "Fix: e.g. govsim claims seeds=8 out=docs")
        options[key] = value
    for key, least in (("seeds", 2), ("workers", 1)):
        if not options[key].isdigit() or int(options[key]) < least:
            raise ScenarioError(f"{key} = {shown(options[key])}: must be a whole number >= {least}. "
                                f"Fix: e.g. {key}={max(least, 2)}")
    return {**options, "seeds": int(options["seeds"]), "workers": int(options["workers"])}
