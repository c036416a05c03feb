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

    A missing folder or file counts as absent (so creating it changes the fingerprint). Each
    folder's layout (its sub-folders with their mtimes, and its files) is remembered: while no
    folder's mtime changes (a file added, removed or renamed changes it), only the known files are
    stat'ed again, instead of listing every folder."""
    now = time.time_ns()
    found: list[tuple] = []
    for folder in folders:
        for path in _files(str(folder), now):
            found.append(_stat(path, now))
    found += [_stat(str(file), now) for file in files]
    return tuple(found)


_LAYOUTS: dict[str, tuple[tuple[tuple[str, int | None], ...], tuple[str, ...]]] = {}


def _files(folder: str, now: int) -> tuple[str, ...]:
    """The files under ``folder``, from its remembered layout while that is still valid."""
    layout = _LAYOUTS.get(folder)
    if layout is not None and all(_same_folder(path, mtime, now) for path, mtime in layout[0]):
        return layout[1]
    folders: list[tuple[str, int | None]] = []
    files: list[str] = []
    _list(folder, folders, files)
    _LAYOUTS[folder] = (tuple(folders), tuple(files))
    return _LAYOUTS[folder][1]


def _same_folder(path: str, mtime: int | None, now: int) -> bool:
    """Whether a folder is as listed: same mtime, not changed too recently to trust it (or still absent)."""
    try:
        current = os.stat(path).st_mtime_ns
    except OSError:
        return mtime is None
    return current == mtime and now - current > FRESH_NS


def _list(folder: str, folders: list, files: list) -> None:
    try:
        mtime = os.stat(folder).st_mtime_ns  # before listing: a change during the listing is seen next time
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        folders.append((folder, None))
        files.append(folder)  # absent: fingerprinted as (folder, None, None)
        return
    folders.append((folder, mtime))
    for entry in entries:
        if entry.is_dir():
            _list(entry.path, folders, files)
        else:
            files.append(entry.path)


def _stat(path: str, now: int) -> tuple:
    """(path, mtime_ns, size), plus a hash of the contents if the file changed within FRESH_NS; (path, None, None) if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return (path, None, None)
    if now - st.st_mtime_ns > FRESH_NS:
        return (path, st.st_mtime_ns, st.st_size)
    try:
        with open(path, "rb") as handle:
            return (path, st.st_mtime_ns, st.st_size, hashlib.blake2b(handle.read(), digest_size=16).digest())
    except OSError:  # e.g. a folder where a file was
        return (path, st.st_mtime_ns, st.st_size)


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
