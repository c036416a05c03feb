"""The registry of the seed documents' claims (``govsim/claims.yaml``) and the verdict rule.

Each claim of the seed documents (Chinese policy analyses, 2023-2025; audit 2026-12 §2) names
its source (seed file and a short quote), the lever that expresses it (a library scenario and/or
overrides, run against a reference), the metrics whose direction the claim states and the
components to report (the three headline indices are always reported); or it is out of scope,
with the reason (also in docs/ODD.md §8). The runs live in :mod:`govsim.claims_run`, the report in :mod:`govsim.claims_doc`.

A metric is a column of the indices table (``ai_divide``, ``access_gap``...) or a statistic of
the countries table: ``mean.<column>[<filters>]`` (unweighted mean over the countries that pass
the filters) or ``share.<column>[<filters>]`` (their sum over the world's), with filters
``key=value|value,key=value`` on countries columns, e.g. ``mean.capability[iso3=CHN]`` or
``share.compute[tier=2,income_group=low|lower_middle]``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, model_validator

from govsim.config.base import Strict
from govsim.config.errors import ScenarioError, shorten, shown
from govsim.config.yamlio import load_yaml, read_text
from govsim.runner import HEADLINES

REGISTRY = Path(__file__).with_name("claims.yaml")
Direction = Literal["increase", "decrease"]
_SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
_METRIC = re.compile(r"^(?:[a-z][a-z0-9_]*|(mean|share)\.([a-z][a-z0-9_]*)\[([^\]]*)\])$")
_FILTER = re.compile(r"^([a-z][a-z0-9_]*)=([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*)$")


def _check_metric(text: str) -> str:
    match = _METRIC.match(text)
    filters = match.group(3) if match else None
    if match is None or (filters and not all(_FILTER.match(f) for f in filters.split(","))):
        raise ValueError(f"{shown(text)} is not a metric: give an indices column (ai_divide) or "
                         "mean.<column>[key=value|value,...] / share.<column>[...] of the countries table")
    return text


Metric = Annotated[str, AfterValidator(_check_metric)]


def _check_seed_file(text: str) -> str:
    if not _SEED_FILE.match(text):
        raise ValueError(f"{shown(text)} is not a seed file name: give it as in ../shared/seeds/, e.g. 000_de20d7dce30fc2a9.txt")
    return text


class Source(Strict):
    """Where the claim is made: the seed file's name (the file is never read) and a short original quote."""

    file: Annotated[str, AfterValidator(_check_seed_file)]
    quote: str = Field(min_length=2, max_length=120)


class Lever(Strict):
    """What expresses the claim: ``scenario`` with ``overrides``, against ``reference`` with ``reference_overrides``.

    ``against: start`` compares the scenario with its own initial state (a trend claim) instead.
    ``pending`` holds the reason a lever cannot run yet (its scenario is being added to the
    library): it is reported as pending, never skipped; remove it once the scenario exists.
    """

    scenario: str = "baseline"
    overrides: list[str] = Field(default_factory=list)
    reference: str = "baseline"
    reference_overrides: list[str] = Field(default_factory=list)
    against: Literal["reference", "start"] = "reference"
    note: str = ""
    pending: str | None = None

    @property
    def label(self) -> str:
        """The lever in one line: the scenario with its overrides, and what it is compared with."""
        lever = " ".join([f"`{self.scenario}`", *(f"`{o}`" for o in self.overrides)])
        if self.against == "start":
            return f"{lever} against its own start (2023Q1)"
        reference = " ".join([f"`{self.reference}`", *(f"`{o}`" for o in self.reference_overrides)])
        return f"{lever} vs {reference}"


class Claim(Strict):
    """One claim: its sources and either levers with expected directions, or why it is out of scope."""

    id: str = Field(pattern=r"^\d{1,2}$")
    claim: str = Field(min_length=10)
    sources: list[Source] = Field(min_length=1)
    levers: list[Lever] = Field(default_factory=list)
    expect: dict[Metric, Direction] = Field(default_factory=dict)
    report: list[Metric] = Field(default_factory=list)
    out_of_scope: str | None = None
    reading: str = ""  # how to read the result: the mechanism behind it (no numbers: those are generated)

    @model_validator(mode="after")
    def _lever_or_reason(self) -> Claim:
        if self.out_of_scope is not None and (self.levers or self.expect):
            raise ValueError("a claim out of scope has no levers and no expect. Fix: remove them, or out_of_scope")
        if self.out_of_scope is None and not (self.levers and self.expect):
            raise ValueError("a claim needs levers and expect (the metrics and their direction), or out_of_scope "
                             "with the reason. Fix: add them")
        return self

    @property
    def metrics(self) -> list[str]:
        """The stated metrics, then the headline indices, then the reported components (each once)."""
        return list(dict.fromkeys([*self.expect, *HEADLINES, *self.report]))


class Registry(Strict):
    """The claims and the settings of the report: years, interval level, materiality thresholds."""

    years: list[int] = Field(min_length=1)
    level: float = Field(gt=0, lt=1)
    materiality: dict[str, float] = Field(description="|effect| a right-signed effect needs to count as support, "
                                                      "per metric; 'default' for the others")
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_default(self) -> Registry:
        ids = [c.id for c in self.claims]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"claim ids {doubles} appear more than once. Fix: give each claim its own id")
        if "default" not in self.materiality or any(v <= 0 for v in self.materiality.values()):
            raise ValueError("materiality needs a 'default' and positive thresholds. Fix: e.g. {default: 0.01}")
        return self

    def threshold(self, metric: str) -> float:
        return self.materiality.get(metric, self.materiality["default"])


def load_registry(path: str | Path = REGISTRY) -> Registry:
    """The validated registry in ``path``; a bad entry gives one ScenarioError naming the claim and field."""
    path = Path(path)
    data = load_yaml(read_text(path), str(path))
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = _where(data, err["loc"])
        msg = shorten(err["msg"].removeprefix("Value error, "), 250)
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ScenarioError(f"{path.name}: {where}: {msg}{more}") from None


def _where(data: object, loc: tuple) -> str:
    """An error location, naming the claim by its id: ``claim 4: levers.0.scenario``."""
    if len(loc) >= 2 and loc[0] == "claims" and isinstance(loc[1], int):
        claims = data.get("claims") if isinstance(data, dict) else None
        entry = claims[loc[1]] if isinstance(claims, list) and loc[1] < len(claims) else None
        name = entry.get("id", f"#{loc[1] + 1}") if isinstance(entry, dict) else f"#{loc[1] + 1}"
        rest = ".".join(str(p) for p in loc[2:]) or "entry"
        return f"claim {shorten(str(name), 20)}: {shorten(rest, 100)}"
    return shorten(".".join(str(p) for p in loc) or "registry", 100)


# ------------------------------------------------------------------ verdicts
SUPPORTED, CONTRADICTED, NO_EFFECT = "supported", "contradicted", "no material effect"
PARTLY, MIXED, OUT_OF_SCOPE, PENDING = "partly supported", "mixed", "out of scope", "pending"


def verdict(delta: float, lo: float, hi: float, expected: Direction, threshold: float) -> str:
    """The verdict of one effect (mean paired difference ``delta`` with interval [lo, hi]).

    supported: the expected sign, the interval excludes 0 and ``|delta| >= threshold``;
    contradicted: the opposite sign, the interval excludes 0 and ``|delta| >= threshold`` (a
    clear but tiny effect either way is no material effect: the seed-to-seed noise of the divide
    is so small that a 1e-4 change would otherwise read as a verdict); otherwise no material
    effect. An undefined interval excludes nothing.
    """
    if not (lo > 0 or hi < 0) or abs(delta) < threshold:  # NaN compares False: no interval, no verdict
        return NO_EFFECT
    right = (delta > 0) == (expected == "increase")
    return SUPPORTED if right else CONTRADICTED


def combine(verdicts: list[str]) -> str:
    """One verdict from several (a metric over the years, or a lever over its stated metrics).

    Supported somewhere and contradicted nowhere: supported if everywhere supported, else partly
    supported; contradicted somewhere and supported nowhere: contradicted; both: mixed; neither:
    no material effect.
    """
    found = set(verdicts)
    positive, negative = found & {SUPPORTED, PARTLY}, found & {CONTRADICTED}
    if (positive and negative) or MIXED in found:
        return MIXED
    if negative:
        return CONTRADICTED
    if positive:
        return SUPPORTED if found == {SUPPORTED} else PARTLY
    return NO_EFFECT


def over_years(verdicts: list[str]) -> str:
    """A metric's verdict over the reported years: supported if supported in some year and
    contradicted in none (effects that fade still count), contradicted likewise, else as :func:`combine`."""
    found = set(verdicts)
    if SUPPORTED in found and CONTRADICTED not in found:
        return SUPPORTED
    return combine(verdicts)
