"""Memory of composed scenarios, so a repeated ``load_scenario`` costs a stat of the config files, not a Hydra compose.

A Hydra compose costs about as much as a whole run (~70 ms), and ``govsim.run(name)``,
``experiment()``, ``mesa.batch_run`` and EMA Workbench ask for a scenario by name on every run.
Two memories, both keyed on the config files' state (each file's path, mtime and size, read with
``os.scandir``: ~0.1 ms for the library), so editing a scenario file is seen at the next call:

- :class:`Memo` holds finished scenarios per (name or path, overrides, files): a repeated call
  unpickles a private copy (a ``Scenario`` is frozen but holds dicts and lists, so a caller
  mutating one must not reach the memory);
- the composer keeps the composed, unresolved config per (selection, config-group choices, files)
  and applies value overrides (``seed=3``, ``behaviour.decision.temperature=0.7``) to a copy with
  Hydra's own override code, so a sweep over values composes once.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

MAX_ENTRIES = 256
#: A file changed this recently (ns) is fingerprinted by its contents too: file times are coarse (a
#: clock tick), so two edits of the same size within one tick would otherwise look the same.
FRESH_NS = 2_000_000_000


def fingerprint(folders: Iterable[Path], files: Iterable[Path] = ()) -> tuple:
    """(path, mtime_ns, size) of every file under ``folders`` (recursively) and of ``files``.

    A missing folder or file counts as absent (so creating it changes the fingerprint)."""
    found: list[tuple] = []
    for folder in folders:
        _scan(str(folder), found)
    for file in files:
        try:
            found.append(_entry(str(file), os.stat(file)))
        except OSError:
            found.append((str(file), None, None))
    return tuple(found)


def _scan(folder: str, found: list[tuple]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        found.append((folder, None, None))
        return
    for entry in entries:
        if entry.is_dir():
            _scan(entry.path, found)
        else:
            found.append(_entry(entry.path, entry.stat()))


def _entry(path: str, st: os.stat_result) -> tuple:
    """(path, mtime_ns, size), plus a hash of the contents if the file changed within FRESH_NS."""
    if time.time_ns() - st.st_mtime_ns > FRESH_NS:
        return (path, st.st_mtime_ns, st.st_size)
    try:
        with open(path, "rb") as handle:
            return (path, st.st_mtime_ns, st.st_size, hashlib.blake2b(handle.read(), digest_size=16).digest())
    except OSError:
        return (path, None, None)


class Memo:
    """A bounded, thread-safe memory of picklable values; each hit returns a fresh copy."""

    def __init__(self, size: int = MAX_ENTRIES):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        """A private copy of the value stored at ``key``, or None."""
        with self.lock:
            data = self.entries.get(key)
            if data is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
        return pickle.loads(data)

    def put(self, key: Hashable, value: Any) -> None:
        """Store a copy of ``value`` (later changes to ``value`` do not reach the memory)."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self.entries[key] = data
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.hits = self.misses = 0
