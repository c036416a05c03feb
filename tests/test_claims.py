"""The seed-claims report (`govsim claims`): the committed docs/claims.md is what the code writes,
the verdict rule, and one clear error for a bad registry entry."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from govsim.claims import (CONTRADICTED, MIXED, NO_EFFECT, PARTLY, SUPPORTED, load_registry, combine, over_years,
                           verdict)
from govsim.claims_run import measure, run_claims
from govsim.cli import claims as cli
from govsim.config import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


# ------------------------------------------------------------------ the committed report
def test_the_committed_report_is_what_the_code_writes(tmp_path):
    assert cli.main(["seeds=8", f"out={tmp_path}", "workers=2"]) == 0
    for name in ("claims.md", "claims.csv"):
        fresh, committed = (tmp_path / name).read_bytes(), (DOCS / name).read_bytes()
        assert fresh == committed, (f"docs/{name} is out of date with the code (or the claims registry): "
                                    "run `make docs` and commit the regenerated docs/claims.md and docs/claims.csv")


def test_the_report_lists_every_claim_and_never_skips_one():
    text = (DOCS / "claims.md").read_text(encoding="utf-8")
    summary = text.split("## Summary", 1)[1].split("<a id=", 1)[0]
    registry = load_registry()
    for claim in registry.claims:
        assert f"| [{claim.id}](#claim-{claim.id}) |" in summary, f"claim {claim.id} is missing from the summary"
        assert f"## Claim {claim.id}: " in text
        for lever in claim.levers:
            if lever.pending:
                assert f"Pending: {lever.pending}." in text


def test_every_claim_out_of_scope_is_explained_in_the_odd():
    odd = (DOCS / "ODD.md").read_text(encoding="utf-8")
    section = odd.split("### Seed claims out of scope", 1)
    assert len(section) == 2, "docs/ODD.md §8 needs a 'Seed claims out of scope' subsection"
    text = section[1].split("\n## ", 1)[0]
    for claim in load_registry().claims:
        if claim.out_of_scope:
            assert f"Claim {claim.id}" in text, f"claim {claim.id} is out of scope but not explained in ODD §8"


# ------------------------------------------------------------------ the verdict rule
@pytest.mark.parametrize("delta, lo, hi, expected, result", [
    (0.02, 0.015, 0.025, "increase", SUPPORTED),
    (-0.02, -0.025, -0.015, "decrease", SUPPORTED),
    (0.005, 0.004, 0.006, "increase", NO_EFFECT),       # right sign, clear of 0, below the threshold
    (0.02, -0.001, 0.041, "increase", NO_EFFECT),       # material but the interval holds 0
    (-0.0002, -0.0002, -0.0002, "increase", NO_EFFECT),  # a clear but tiny wrong sign is no material effect
    (0.03, 0.02, 0.04, "decrease", CONTRADICTED),
    (0.02, math.nan, math.nan, "increase", NO_EFFECT),  # no interval (one seed): no verdict
    (0.01, 0.01, 0.01, "increase", SUPPORTED),          # the threshold itself is material
])
def test_verdict_of_one_effect(delta, lo, hi, expected, result):
    assert verdict(delta, lo, hi, expected, threshold=0.01) == result


@pytest.mark.parametrize("verdicts, result", [
    ([SUPPORTED, SUPPORTED], SUPPORTED),
    ([SUPPORTED, NO_EFFECT], PARTLY),
    ([CONTRADICTED, NO_EFFECT], CONTRADICTED),
    ([SUPPORTED, CONTRADICTED], MIXED),
    ([NO_EFFECT, NO_EFFECT], NO_EFFECT),
    ([PARTLY, SUPPORTED], PARTLY),
])
def test_combining_the_stated_metrics(verdicts, result):
    assert combine(verdicts) == result


def test_an_effect_that_fades_still_supports_and_a_reversal_is_mixed():
    assert over_years([SUPPORTED, SUPPORTED, NO_EFFECT]) == SUPPORTED
    assert over_years([NO_EFFECT, CONTRADICTED, CONTRADICTED]) == CONTRADICTED
    assert over_years([SUPPORTED, CONTRADICTED, CONTRADICTED]) == MIXED


def test_metrics_of_the_countries_table():
    countries = pd.DataFrame({"iso3": ["A", "B", "C"], "tier": [1, 2, 2], "income_group": ["high", "low", "lower_middle"],
                              "compute": [6.0, 3.0, 1.0], "capability": [0.9, 0.1, 0.3]})
    row = pd.Series({"step": 0, "period": "2022Q4", "year": 2022, "time": 2022.75, "ai_divide": 0.4})
    assert measure("ai_divide", row, countries) == 0.4
    assert measure("mean.capability[tier=2]", row, countries) == pytest.approx(0.2)
    assert measure("share.compute[tier=2,income_group=low|lower_middle]", row, countries) == pytest.approx(0.4)
    assert measure("mean.capability[iso3=A]", row, countries) == pytest.approx(0.9)
    with pytest.raises(KeyError, match="no country passes"):
        measure("mean.capability[iso3=ZZZ]", row, countries)
    with pytest.raises(KeyError, match="not a column of the countries table"):
        measure("mean.capability[region=x]", row, countries)


# ------------------------------------------------------------------ a bad registry: one clear error
def _registry_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((ROOT / "govsim" / "claims.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _claim(data: dict, claim_id: str) -> dict:
    return next(c for c in data["claims"] if c["id"] == claim_id)


@pytest.mark.parametrize("change, message", [
    (lambda d: _claim(d, "2").update(expect={"ai_divide": "down"}), r"claim 2: expect\.ai_divide: .*'increase' or 'decrease'"),
    (lambda d: _claim(d, "2")["sources"][0].pop("quote"), r"claim 2: sources\.0\.quote: Field required"),
    (lambda d: _claim(d, "18").update(levers=[{"scenario": "baseline"}]), r"claim 18: entry: a claim out of scope has no levers"),
    (lambda d: _claim(d, "7").update(report=["mean.capability[tier>2]"]), r"claim 7: report\.0: 'mean\.capability\[tier>2\]' is not a metric"),
    (lambda d: _claim(d, "7")["sources"][0].update(file="seed7.txt"), r"claim 7: sources\.0\.file: 'seed7\.txt' is not a seed file name"),
    (lambda d: _claim(d, "7").update(id="2"), r"claim ids \['2'\] appear more than once"),
    (lambda d: _claim(d, "7")["levers"][0].update(scenarios="capacity_building"), r"claim 7: levers\.0\.scenarios: Extra inputs"),
])
def test_a_bad_registry_entry_is_one_clear_error(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=message) as info:
        load_registry(_registry_with(tmp_path, change))
    assert "\n" not in str(info.value)


def _one_claim(tmp_path: Path, **fields) -> Path:
    def keep_one(data):
        claim = _claim(data, "2")
        claim.update(fields)
        data["claims"] = [claim]
    return _registry_with(tmp_path, keep_one)


def test_an_unknown_metric_is_refused_before_any_run(tmp_path):
    registry = load_registry(_one_claim(tmp_path, expect={"ai_dividee": "decrease"}))
    with pytest.raises(ScenarioError, match=r"claim 2: metric 'ai_dividee' \(scenario '\w+'\): not a column of the indices table"):
        run_claims(registry, seeds=2)


def test_a_metric_is_checked_on_every_scenario_it_is_measured_on(tmp_path):
    """A forum's engagement exists only where the forum does: the reference must have it too."""
    lever = {"overrides": ["+forums.ai_club={rule: closed_club, members: [FRA, KEN]}"]}
    registry = load_registry(_one_claim(tmp_path, levers=[lever], report=["mean.engagement_ai_club[iso3=KEN]"]))
    with pytest.raises(ScenarioError, match=r"claim 2: metric 'mean.engagement_ai_club\[iso3=KEN\]' \(scenario 'baseline'\): "
                                            r"'engagement_ai_club' is not a column of the countries table"):
        run_claims(registry, seeds=2)


def test_an_unknown_lever_scenario_names_the_claim(tmp_path):
    registry = load_registry(_one_claim(tmp_path, levers=[{"scenario": "no_such_scenario"}]))
    with pytest.raises(ScenarioError, match=r"claim 2, lever 1: .*no_such_scenario"):
        run_claims(registry, seeds=2)


def test_a_pending_lever_whose_scenario_exists_must_be_switched_on(tmp_path):
    registry = load_registry(_one_claim(tmp_path, levers=[{"scenario": "open_models", "pending": "being added"}]))
    with pytest.raises(ScenarioError, match=r"claim 2, lever 1: scenario 'open_models' now exists .* delete its 'pending'"):
        run_claims(registry, seeds=2)


@pytest.mark.parametrize("argv, message", [
    (["seeds=1"], r"seeds = '1': must be a whole number >= 2"),
    (["seed=3"], r"argument 'seed=3' is not one of"),
    (["workers=zero"], r"workers = 'zero'"),
])
def test_bad_cli_input_is_one_line_and_exit_2(capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and err.count("\n") == 1 and "Traceback" not in err


def test_a_bad_registry_file_from_the_cli_is_one_line(tmp_path, capsys):
    path = _registry_with(tmp_path, lambda d: _claim(d, "2").update(expect={"ai_divide": "down"}))
    assert cli.main([f"registry={path}", f"out={tmp_path / 'out'}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("govsim claims: claims.yaml: claim 2: expect.ai_divide") and err.count("\n") == 1
