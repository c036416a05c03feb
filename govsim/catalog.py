"""What a notebook user looks up before running anything: the scenario library and the countries.

``list_scenarios()`` reads the library's YAML files (their ``description`` and the provenance
comment at the top); ``countries()`` reads ``govsim/data/countries.csv``. Neither runs the model.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from govsim.config import read_yaml

FINDING_MARKERS = ("Model finding", "FINDING")  # where a header's provenance ends and its findings begin


def countries() -> pd.DataFrame:
    """The 193 UN members: iso3, name, World Bank region, income group (FY2025), M49 region and
    sub-region, and a latitude and longitude (OCHA HDX taxonomy; govsim/data/README.md)."""
    with (resources.files("govsim") / "data" / "countries.csv").open() as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


def list_scenarios() -> pd.DataFrame:
    """The scenario library, one row per scenario: ``name``, ``description`` (one line) and
    ``provenance`` (the file's header: its real-world sources and assumptions), sorted by name."""
    from govsim.cli.compose import CONFIG_DIR  # lazily: the library's location is the composer's

    rows = [{"name": path.stem, "description": str(read_yaml(path).get("description", "")),
             "provenance": _provenance(path.read_text(encoding="utf-8"))}
            for path in sorted((CONFIG_DIR / "scenario").glob("*.yaml"))]
    return pd.DataFrame(rows, columns=["name", "description", "provenance"])


def _provenance(text: str) -> str:
    """The top comment block without its '# @package' line, up to its findings, as one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.startswith("@package"):
            continue
        if body.startswith(FINDING_MARKERS):
            break
        lines.append(body)
    return " ".join(" ".join(lines).split())
