"""Start ``govsim app`` in the background on a free local port (browser tests, the app benchmark).

``with running(log) as url:`` starts the server, waits until it answers, yields its URL and stops
the server at the end (also on error), so no test or benchmark leaves a server behind.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; never a browser Playwright downloads
START_TIMEOUT = 90.0  # seconds; a cold start on a busy 2-core machine takes 5-15 s


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running(log: Path, port: int | None = None) -> Iterator[str]:
    """Serve the app on ``port`` (a free one by default), its output in ``log``; yields the URL."""
    port = port or free_port()
    url = f"http://{HOST}:{port}/"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "govsim", "app", "--host", HOST, "--port", str(port)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    """Return when ``url`` answers 200; RuntimeError with the log's end if the server dies or is slow."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"govsim app exited with status {server.returncode}: {_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"govsim app did not answer at {url} within {START_TIMEOUT:.0f} s: {_tail(log)}")


def _tail(log: Path, chars: int = 1500) -> str:
    return Path(log).read_text(errors="replace")[-chars:]
