"""The ``govsim`` command line (the only package that imports Hydra).

    govsim run [-m] [scenario=NAME] [seed=N|range(a,b)] [key=value ...] [hydra/launcher=joblib]
    govsim validate-config FILE_OR_NAME [key=value ...]
    govsim validate [scenario=baseline] [seeds=8] [out=DIR] [key=value ...]
    govsim compare DIR [DIR ...] [--years 2025 2030 2035]
    govsim sensitivity [method=morris|sobol] [key=value ...]
    govsim claims [seeds=8] [out=docs] [workers=2]
    govsim app [--host 127.0.0.1] [--port 8765]
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {"run": "run", "validate-config": "validate_config", "validate": "validate", "compare": "compare",
            "sensitivity": "sensitivity", "claims": "claims", "app": "app"}  # command -> module of govsim.cli with its main(argv)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command in COMMANDS:
        return importlib.import_module(f"govsim.cli.{COMMANDS[command]}").main(rest)
    print(f"govsim: unknown command {command!r}. Fix: use one of {list(COMMANDS)}", file=sys.stderr)
    return 2
