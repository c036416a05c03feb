"""Memory and disk a run needs, estimated before it starts: a run that cannot fit is refused.

The estimate is linear in what the run holds (measured on synthetic worlds of 2 000 and 20 000
countries, 52 steps): a fixed BASE (Python, numpy, pandas, Mesa), PER_COUNTRY for the state,
forums and agents, and, when the per-step countries table is kept, PER_ROW in memory and
TABLE_ROW on disk for each country and step. A streamed table (``countries="stream"``:
``govsim.run(..., countries=path)``, the command line's run folders) holds only the rows of one
Parquet row group at a time (STREAM_ROWS, or one step of a larger world), so its memory does not
grow with the number of steps; its disk size is the same. A run whose estimate exceeds the memory the
system reports as available is refused with the overrides that would shrink it; a large one
(over WARN_MEMORY in memory or WARN_TABLE on disk) is logged as a one-line warning.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from govsim.config.errors import ScenarioError

if TYPE_CHECKING:
    from govsim.config.scenario import Scenario

BASE, PER_COUNTRY, PER_ROW, TABLE_ROW = 250e6, 3_000, 250, 60  # bytes
WARN_MEMORY, WARN_TABLE = 2e9, 500e6  # bytes
REAL_COUNTRIES = 193
STREAM_ROWS = 200_000  # country rows per row group of a streamed table (govsim.stream.ROWS_PER_GROUP)


def estimate(scenario: "Scenario", countries: bool | str) -> tuple[float, float]:
    """(bytes of memory, bytes of the countries table on disk) that running ``scenario`` needs, keeping
    the countries table in memory (True), streaming it to Parquet ("stream") or not keeping it (False)."""
    n = _countries(scenario)
    rows = n * (scenario.time.steps + 1) if countries else 0
    held = min(rows, max(STREAM_ROWS, n)) if countries == "stream" else rows
    return BASE + PER_COUNTRY * n + PER_ROW * held, TABLE_ROW * rows


def _countries(scenario: "Scenario") -> int:
    world = scenario.world
    if world.kind == "synthetic":
        return int(world.n or 0)
    if world.kind == "csv":
        try:
            with open(Path(world.path), "rb") as table:
                return max(sum(1 for _ in table) - 1, 0)
        except OSError:
            return 0  # the world loader reports a missing or unreadable table
    return REAL_COUNTRIES


#: Seconds a reading of the available memory is reused: reading it costs ~0.3 ms (1 % of a real-world
#: run), and a sweep starts many runs a second, which the reading need not follow run by run.
MEMORY_READING_SECONDS = 1.0
_reading: list[tuple[float, float | None]] = []  # (monotonic time, bytes) of the last reading


def available_memory() -> float | None:
    """Bytes of memory available to a new run (Linux MemAvailable, else free pages), or None if unknown;
    read again when the last reading is over :data:`MEMORY_READING_SECONDS` old."""
    now = time.monotonic()
    if not _reading or now - _reading[0][0] > MEMORY_READING_SECONDS:
        _reading[:] = [(now, _read_available_memory())]
    return _reading[0][1]


def _read_available_memory() -> float | None:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def check(scenario: "Scenario", countries: bool | str) -> None:
    """Refuse a run that cannot fit in the available memory; warn about a large one."""
    memory, table = estimate(scenario, countries)
    size = f"world.n={_countries(scenario)} countries x time.steps={scenario.time.steps}"
    free = available_memory()
    if free is not None and memory > free:
        keep = {True: ", or stream the countries table (countries='out/countries.parquet' in govsim.run) or skip it "
                      "(store.countries=false; countries=False in govsim.run)",
                "stream": ", or skip the countries table (store.countries=false; countries=False in govsim.run)"}
        keep = keep.get(countries, "")
        raise ScenarioError(f"this run needs about {memory / 1e9:.1f} GB of memory ({size}) but {free / 1e9:.1f} GB "
                            f"are available. Fix: lower world.n or time.steps{keep}")
    if memory > WARN_MEMORY or table > WARN_TABLE:
        logging.getLogger("govsim").warning(
            "large run (%s): about %.1f GB of memory and a %.0f MB countries table (store.countries=false skips it)",
            size, memory / 1e9, table / 1e6)
