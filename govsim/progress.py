"""Progress of a batch of runs: runs done, failed and skipped, and the time left.

A tqdm bar on an interactive terminal; on a log (a cluster job, a pipe) one line at every
tenth of the batch, so logs stay readable.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field

from tqdm import tqdm

log = logging.getLogger("govsim")


@dataclass
class Counts:
    """What a batch did."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    busy: int = 0  # skipped because another process was writing them
    busy_ids: list[str] = field(default_factory=list)
    unrecorded: dict[str, str] = field(default_factory=dict)  # failed runs whose failure could not be written


class Progress:
    """Counts runs as they finish and reports the rate and the expected time left."""

    def __init__(self, total: int, label: str):
        self.total, self.label = total, label
        self.seen = self.failed = self.skipped = self.busy = 0
        self.start = time.perf_counter()
        tty = sys.stderr.isatty()
        self.bar = tqdm(total=total, desc=label, unit="run", file=sys.stderr) if tty and total > 1 else None
        self.lines = not tty and total >= 10
        self.next_line = max(1, total // 10)

    def update(self, failed: bool = False, skipped: bool = False, busy: bool = False) -> None:
        """One more run finished (or failed, or was skipped: already complete, or ``busy`` in another process)."""
        self.seen += 1
        self.failed += failed
        self.skipped += skipped
        self.busy += busy
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, skipped=self.skipped, refresh=False)
            self.bar.update(1)
        elif self.lines and (self.seen >= self.next_line or self.seen == self.total):
            self.next_line = self.seen + max(1, self.total // 10)
            log.info("%s: %s", self.label, self.status())

    def status(self) -> str:
        """'40/100 runs (1 failed, 10 skipped), ~12 s left'."""
        worked = self.seen - self.skipped - self.busy
        elapsed = time.perf_counter() - self.start
        left = (self.total - self.seen) * elapsed / worked if worked else float("nan")
        eta = f", ~{left:.0f} s left" if left == left and self.seen < self.total else ""
        return f"{self.seen}/{self.total} runs ({self.failed} failed, {self.skipped} skipped){eta}"

    def close(self) -> Counts:
        """Finish the bar, log the batch's totals and return them."""
        counts = Counts(self.seen - self.skipped - self.busy - self.failed, self.skipped, self.failed, self.busy)
        if self.bar is not None:
            self.bar.close()
        if self.total > 1:
            log.info("%s: %d runs done, %d skipped (already complete), %d skipped (being written by another "
                     "process), %d failed in %.1f s", self.label, counts.done, counts.skipped, counts.busy,
                     counts.failed, time.perf_counter() - self.start)
        return counts
