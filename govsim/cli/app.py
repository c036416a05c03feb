"""``govsim app [--host 127.0.0.1] [--port 8765]``: serve the classroom app and print its URL.

Runs ``solara run govsim.app.page --production`` with Solara's telemetry and version check off,
so the server contacts nothing beyond this machine (the page's front-end files ship in the
``solara-assets`` wheel). A bad host or port, a port in use, or a missing ``app`` extra gets one
line and exit status 2 before anything starts.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import sys

PAGE = "govsim.app.page"
FIX_EXTRA = "Fix: pip install -e '.[app]' (or run: make app)"
QUIET = {  # telemetry off; the cookie note Solara prints on every page served over plain http
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "PYTHONWARNINGS": "ignore:Cookies with samesite",
}


class BadInput(Exception):
    """Bad command-line input; the message is one line saying what is wrong and how to fix it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise BadInput(f"{message}; see 'govsim app --help'")


def main(argv: list[str]) -> int:
    """Serve the app until interrupted; 2 (one line on stderr) on bad input or a missing extra."""
    try:
        args = _parser().parse_args(argv)
        _check_installed()
        _check_address(args.host, args.port)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except BadInput as exc:
        print(f"govsim app: {exc}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}"
    print(f"govsim app: serving the classroom app at {url}  (open it in a browser; Ctrl+C stops)", flush=True)
    return _serve(args.host, args.port)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="govsim app", description=__doc__.splitlines()[0].replace("``", ""))
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only; "
                   "0.0.0.0 lets a classroom's devices connect)")
    p.add_argument("--port", default="8765", help="port to listen on, 1-65535 (default 8765)")
    return p


def _check_installed() -> None:
    """One line if the ``app`` extra (Solara and its front-end assets) is missing."""
    for module in ("solara", "solara_assets"):
        if importlib.util.find_spec(module) is None:
            raise BadInput(f"the app's packages are not installed ({module} is missing). {FIX_EXTRA}")


def _check_address(host: str, port: str) -> None:
    """One line if ``port`` is not a port number, ``host`` is not an address here, or it is in use."""
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise BadInput(f"--port {_short(port)} is not a port number. Fix: a whole number from 1 to 65535, e.g. --port 8765")
    try:
        family = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, int(port)))
    except socket.gaierror:
        raise BadInput(f"--host {_short(host)} is not a known address. Fix: --host 127.0.0.1 "
                       "(this machine) or 0.0.0.0 (all its addresses)") from None
    except OSError as exc:
        raise BadInput(f"cannot listen on {_short(host)}:{port} ({exc.strerror or exc}). Fix: choose another "
                       f"--port (e.g. --port {int(port) % 65535 + 1}) or --host 127.0.0.1") from None


def _short(value: str, limit: int = 40) -> str:
    """``value`` quoted, truncated so a long argument cannot make a long message."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _serve(host: str, port: str) -> int:
    """Replace this process by the Solara server (so Ctrl+C and a terminate signal reach it directly)."""
    command = [sys.executable, "-m", "solara", "run", PAGE, "--host", host, "--port", port, "--production",
               "--no-check-version", "--no-open"]
    os.execve(sys.executable, command, {**os.environ, **QUIET})
    return 0  # not reached: execve does not return
