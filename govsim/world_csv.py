"""A user's world CSV: read, every cell checked, one clear error for each problem.

The accepted values are documented in govsim/data/README.md ("Your own world table"): a UTF-8,
comma-separated file with a header line and one row per country; numbers finite and inside the
ranges of :data:`NUMBERS`; 0/1 flags written 0 or 1 (or true/false); iso3 codes present and
unique; dates 'YYYY-MM' or empty. Nothing is corrected silently: a bad cell raises
:class:`ScenarioError` naming the file, the column, the row (its line in the file, the header
being line 1) and the value as written. Reading as text first keeps that value as the user
wrote it, and numbers parse exactly as ``pandas.read_csv`` would parse them.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from govsim.codes import INCOME_GROUPS
from govsim.config import ScenarioError
from govsim.config.errors import shorten

REQUIRED = {
    "iso3": str, "population": float, "gdp_pc_usd": float, "income_group": str, "internet_pct": float,
    "readiness": float, "unga_ideal_point": float, "top500_rmax_tflops": float,
    "notable_models_2023_2025": float, "export_tier_2025": int,
}
OPTIONAL = {"name": "", "region": "", "g7": "0", "g20": "0", "oecd": "0", "gpai_2023": "0",
            "brics_member_since": "", "brics_partner_since": "", "internet_year": "", "internet_logit_slope": ""}
# Optional numeric columns, empty allowed: (low, high, what it is, what an empty cell means).
OPTIONAL_NUMBERS = {
    "internet_year": (1990, 2100, "the year of internet_pct", "the scenario's start year"),
    "internet_logit_slope": (-2, 2, "a trend of logit(internet share) per year", "its income group's median"),
}
# Each numeric column: (low, high, low included, what it is). The upper bounds are generous
# plausibility limits (2024: India 1.45e9 persons, Monaco 2.4e5 US$ per capita, the whole TOP500
# list 1.3e7 TFlop/s, UNGA ideal points within +-3.5); they keep absurd values (1e308) out,
# which would overflow the model's sums.
NUMBERS = {
    "population": (1, 2e9, True, "a number of persons"),
    "gdp_pc_usd": (0, 1e6, False, "GDP per capita in US$"),
    "internet_pct": (0, 100, True, "a percentage"),
    "readiness": (0, 100, True, "a readiness score on the 0-100 scale"),
    "unga_ideal_point": (-10, 10, True, "a UNGA ideal point"),
    "top500_rmax_tflops": (0, 1e12, True, "a TFlop/s figure"),
    "notable_models_2023_2025": (0, 1e6, True, "a count"),
}
PERCENT_SCALE = ("readiness", "internet_pct")  # 0-100 columns that must not be given as shares
FLAGS = ("g7", "g20", "oecd", "gpai_2023")
FLAG_WORDS = {"0": 0, "1": 1, "false": 0, "true": 1}
DATES = ("brics_member_since", "brics_partner_since")
ISO3 = re.compile(r"[A-Za-z0-9_-]{1,16}")
DATE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
BINARY_STARTS = {b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook?)",
                 b"%PDF": "a PDF document", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
                 b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook"}
SHOWN_CHARS = 40  # longest value quoted in a message


def read_world_csv(path: str | Path) -> pd.DataFrame:
    """A user's world table, checked, with typed columns; ScenarioError on any problem."""
    path = Path(path)
    shown = shorten(str(path) if str(path).isprintable() else repr(str(path)), 120, tail=True)
    source = f"world CSV {shown}"
    if not path.is_file():
        raise ScenarioError(f"world.path = {shown!r}: no such file; give the path of a CSV world table")
    cells = _parse(_decode(path.read_bytes(), source), source)
    missing = sorted(set(REQUIRED) - set(cells.columns))
    if missing:
        raise ScenarioError(f"{source}: missing column(s) {missing}; the required columns and their values are listed in govsim/data/README.md")
    if cells.empty:
        raise ScenarioError(f"{source}: the header has no rows below it; give one row per country")
    for column, default in OPTIONAL.items():
        if column not in cells.columns:
            cells[column] = default
    return _typed(cells, source)


def _decode(raw: bytes, source: str) -> str:
    """The file's text, if it is UTF-8 (a byte-order mark is allowed)."""
    for start, what in BINARY_STARTS.items():
        if raw.startswith(start):
            raise ScenarioError(f"{source}: not a text CSV file (it starts like {what}); export the table as 'CSV UTF-8'")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        raise ScenarioError(f"{source}: not a UTF-8 text CSV file (it holds NUL bytes: UTF-16 text or binary data); save it as 'CSV UTF-8'")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ScenarioError(f"{source}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}; Latin-1 or Windows-1252?); "
                            f"save it as 'CSV UTF-8'") from None
    if not text.strip():
        raise ScenarioError(f"{source}: the file is empty; a world CSV has a header line and one row per country")
    return text


def _parse(text: str, source: str) -> pd.DataFrame:
    """Every cell as the string written in the file ('' for an empty cell)."""
    try:
        header = next(row for row in csv.reader(io.StringIO(text)) if row)
    except (csv.Error, StopIteration) as exc:
        raise ScenarioError(f"{source}: cannot read the header line ({shorten(str(exc), 100)})") from None
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        used = next(sep for sep in ";\t|" if sep in header[0])
        raise ScenarioError(f"{source}: the separator must be ',' but the header is split by {used!r}; save the table as comma-separated CSV")
    seen = set()
    for name in header:
        if name in seen:
            raise ScenarioError(f"{source}: column {_shown(name)} appears twice in the header; name each column once")
        seen.add(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False, low_memory=False)
    except (ValueError, csv.Error, pd.errors.ParserWarning) as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise ScenarioError(f"{source}: cannot be read as CSV: {shorten(' '.join(str(exc).split()), 160)}") from None
    return cells.fillna("")


def _typed(cells: pd.DataFrame, source: str) -> pd.DataFrame:
    """Checked, typed columns: floats, int tiers, 0/1 int flags, text; extra columns kept as text."""
    table = cells.copy()
    table["iso3"] = _iso3(cells, source)
    for column, (low, high, closed, what) in NUMBERS.items():
        table[column] = _numbers(cells, column, low, high, closed, what, source)
    table["export_tier_2025"] = _tiers(cells, source)
    for column, (low, high, what, empty) in OPTIONAL_NUMBERS.items():
        values = pd.to_numeric(cells[column], errors="coerce").astype(float)
        ok = (cells[column].str.strip() == "") | (np.isfinite(values) & (values >= low) & (values <= high))
        _check_cells(cells, column, ok, f"{what} in [{low:g}, {high:g}], or empty for {empty}", source)
        table[column] = values
    for column in PERCENT_SCALE:
        _not_shares(table, column, source)
    _check_cells(cells, "income_group", cells["income_group"].isin(INCOME_GROUPS), f"one of {list(INCOME_GROUPS)}", source)
    for column in FLAGS:
        table[column] = _flags(cells, column, source)
    for column in DATES:
        text = cells[column].str.strip()
        _check_cells(cells, column, (text == "") | text.str.fullmatch(DATE), "a date 'YYYY-MM' (month 01-12), or empty for never", source)
        table[column] = text
    return table


def _iso3(cells: pd.DataFrame, source: str) -> pd.Series:
    codes = cells["iso3"]
    _check_cells(cells, "iso3", codes.str.fullmatch(ISO3), "a country code such as 'USA' (letters, digits, '_' or '-'; at most 16)", source)
    repeated = codes.duplicated(keep=False)
    if repeated.any():
        code = codes[repeated].iloc[0]
        rows = [str(r + 2) for r in np.flatnonzero((codes == code).to_numpy())[:5]]
        raise ScenarioError(f"{source}: duplicate iso3 {_shown(code)} in row {' and row '.join(rows)}; list each country once")
    return codes


def _numbers(cells: pd.DataFrame, column: str, low: float, high: float, closed: bool, what: str, source: str) -> pd.Series:
    values = pd.to_numeric(cells[column], errors="coerce").astype(float)
    inside = np.isfinite(values) & (values <= high) & ((values >= low) if closed else (values > low))
    bracket = "[" if closed else "("
    _check_cells(cells, column, inside, f"{what} in {bracket}{low:g}, {high:g}]", source)
    return values


def _tiers(cells: pd.DataFrame, source: str) -> pd.Series:
    values = pd.to_numeric(cells["export_tier_2025"], errors="coerce")
    _check_cells(cells, "export_tier_2025", values.isin([1, 2, 3]), "1, 2 or 3", source)
    return values.astype(np.int8)


def _not_shares(table: pd.DataFrame, column: str, source: str) -> None:
    """A 0-100 column whose values are all at most 1 was almost surely given as shares."""
    top = float(table[column].max())
    if 0 < top <= 1:
        raise ScenarioError(f"{source}: column {column!r} is at most {top:g} in every row, which looks like a 0-1 scale; "
                            f"multiply by 100 (expected 0-100)")


def _flags(cells: pd.DataFrame, column: str, source: str) -> pd.Series:
    words = cells[column].str.strip().str.lower()
    numbers = pd.to_numeric(words, errors="coerce")
    flags = words.map(FLAG_WORDS).fillna(numbers.where(numbers.isin([0, 1])))
    _check_cells(cells, column, flags.notna(), "0 or 1 (or true/false)", source)
    return flags.astype(np.int8)


def _check_cells(cells: pd.DataFrame, column: str, ok: pd.Series, expected: str, source: str) -> None:
    """Raise for the first cell of ``column`` where ``ok`` is False."""
    bad = ~ok.fillna(False).to_numpy(bool)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value, code = cells[column].iloc[row], cells["iso3"].iloc[row]
        where = f"row {row + 2}" if column == "iso3" or code == "" else f"row {row + 2} (iso3 {shorten(code, 16)})"
        has = "an empty cell" if value == "" else _shown(value)
        raise ScenarioError(f"{source}: column {column!r} {where} has {has}; expected {expected}")


def _shown(value: str) -> str:
    """A cell as the user wrote it: a number plain, text quoted; long values cut."""
    try:
        plain = value == value.strip() and float(value) is not None
    except ValueError:
        plain = False
    return shorten(value, SHOWN_CHARS) if plain else repr(shorten(value, SHOWN_CHARS))
