"""docs/parameters.md is generated from the scenario schema and documents every parameter."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from govsim import paramdoc
from govsim.config import Behaviour
from govsim.config.forums import default_forums
from govsim.paramdoc import ParamDocError, model_rows, parameter_rows, parse_description

DOC = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"


# --------------------------------------------------------------------------- the committed page


def test_parameters_md_is_up_to_date():
    committed = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert committed == paramdoc.markdown(), "docs/parameters.md is out of date: run python -m govsim.paramdoc --write"


def test_check_flag_reports_a_stale_page(tmp_path, capsys):
    page = tmp_path / "parameters.md"
    assert paramdoc.main(["--write", "--path", str(page)]) == 0
    assert paramdoc.main(["--check", "--path", str(page)]) == 0
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert paramdoc.main(["--check", "--path", str(page)]) == 1
    assert "out of date: run python -m govsim.paramdoc --write" in capsys.readouterr().err


def test_rows_cover_the_schema_with_its_defaults():
    rows = {row.key: row for row in parameter_rows() if not row.builtin}
    behaviour = Behaviour()
    assert rows["behaviour.decision.temperature"].default == repr(behaviour.decision.temperature)
    assert rows["behaviour.decision.temperature"].range == "(0, 10]"
    assert rows["forums.<name>.cost"].range == "[0, 5]"
    assert rows["shocks.<name>.leakage"].unit == "share"
    assert "shocks.<name>.kind" not in rows
    for group in Behaviour.model_fields:
        for name in type(getattr(behaviour, group)).model_fields:
            assert f"behaviour.{group}.{name}" in rows
    builtin = {row.key: row.default for row in parameter_rows() if row.builtin}
    for forum, spec in default_forums().items():
        assert builtin[f"forums.{forum}.cost"] == repr(spec.cost)
        assert builtin[f"forums.{forum}.rule"] == spec.rule


# --------------------------------------------------------------------------- every quantity documented


def _group(key: str) -> str:
    return key.split(".")[0]


@pytest.mark.parametrize("group", ["behaviour", "forums", "shocks", "world"])
def test_numeric_fields_have_unit_range_and_source(group):
    offenders = [line for line in paramdoc.undocumented() if _group(line) == group]
    assert not offenders, (
        f"numeric {group} fields whose description lacks 'Unit: ... Range: ... Source: ...' "
        "(fix the descriptions in govsim/config):\n  " + "\n  ".join(offenders)
    )


# --------------------------------------------------------------------------- parsing, on a made-up model


class _Inner(BaseModel):
    """Inner block."""

    rate: float = Field(0.5, gt=0, lt=1, description="A rate. Unit: per year. Range: (0, 1). Source: Smith et al. 2020: 3.5x/yr.")


class _Toy(BaseModel):
    """A made-up model."""

    weight: float = Field(2.0, ge=0, le=20, description="Weight of the thing (e.g. |x - y|). Unit: utility per unit. Range: [0, 20]. Source: assumption.")
    count: int = Field(3, ge=1, description="How many. Unit: items. Extra remark.")
    bounded: float = Field(0.25, ge=-1.5, le=2.5, description="Bounded only by its constraints.")
    label: str = Field("x", description="A name.")
    step: float = Field(1.0, description="No constraints. Unit: years. Range: [0.25, 1]. Source: the brief.")
    inner: _Inner = Field(default_factory=_Inner)


def test_parse_description_splits_meaning_unit_range_source():
    parts = parse_description("Weight of the thing. Unit: utility per unit. Range: [0, 20]. Source: Ho et al. 2024 / Epoch: ~3x/yr.")
    assert parts == {"meaning": "Weight of the thing.", "unit": "utility per unit", "range": "[0, 20]", "source": "Ho et al. 2024 / Epoch: ~3x/yr"}
    parts = parse_description("Number of steps. Unit: steps. Range: [1, 2000]. Default 52 quarters.")
    assert parts == {"meaning": "Number of steps. Default 52 quarters.", "unit": "steps", "range": "[1, 2000]", "source": None}
    assert parse_description("Just a meaning.") == {"meaning": "Just a meaning.", "unit": None, "range": None, "source": None}
    assert parse_description(None)["meaning"] is None


def test_rows_of_a_made_up_model():
    rows = {row.key: row for row in model_rows(_Toy, prefix="toy.")}
    assert list(rows) == ["toy.weight", "toy.count", "toy.bounded", "toy.label", "toy.step", "toy.inner.rate"]
    weight = rows["toy.weight"]
    assert (weight.meaning, weight.unit, weight.default, weight.range, weight.source) == (
        "Weight of the thing (e.g. |x - y|).", "utility per unit", "2.0", "[0, 20]", "assumption")
    assert weight.numeric
    count = rows["toy.count"]
    assert (count.meaning, count.unit, count.range, count.source, count.described_range) == (
        "How many. Extra remark.", "items", "[1, ∞)", None, None)
    assert rows["toy.bounded"].range == "[-1.5, 2.5]"  # from the constraints alone
    assert rows["toy.step"].range == "[0.25, 1]"  # from the description alone
    assert rows["toy.inner.rate"].range == "(0, 1)"
    assert rows["toy.inner.rate"].source == "Smith et al. 2020: 3.5x/yr"
    assert not rows["toy.label"].numeric and rows["toy.label"].unit is None
    assert paramdoc.undocumented(list(rows.values())) == ["toy.count: no Range, Source", "toy.bounded: no Unit, Range, Source"]


def test_markdown_cells_escape_table_pipes():
    assert paramdoc._cell("|x - y| * 2") == "\\|x - y\\| \\* 2"
    assert paramdoc._cell(None) == "—"


# --------------------------------------------------------------------------- description vs constraints


class _Open(BaseModel):
    tau: float = Field(1.0, gt=0, le=10, description="Temperature. Unit: utility. Range: [0, 10]. Source: assumption.")


class _Wider(BaseModel):
    share: float = Field(0.5, ge=0, le=1, description="A share. Unit: share. Range: [0, 2]. Source: assumption.")


class _HalfBounded(BaseModel):
    seed: int = Field(0, ge=0, description="A seed. Range: [0, 100].")


class _NotAnInterval(BaseModel):
    n: int = Field(2, ge=2, le=10, description="Countries. Range: two to ten.")


@pytest.mark.parametrize("model, said, actual", [
    (_Open, "[0, 10]", "(0, 10]"),
    (_Wider, "[0, 2]", "[0, 1]"),
    (_HalfBounded, "[0, 100]", "[0, ∞)"),
    (_NotAnInterval, "two to ten", "[2, 10]"),
])
def test_range_that_disagrees_with_constraints_raises(model, said, actual):
    with pytest.raises(ParamDocError) as err:
        model_rows(model)
    assert f"Range: {said}" in str(err.value) and actual in str(err.value)


def test_parameter_rows_raises_on_a_schema_mismatch(monkeypatch):
    class BadScenario(BaseModel):
        seed: int = Field(0, ge=0, le=9, description="Seed. Unit: none. Range: [0, 10]. Source: none.")
        open_: _Open = Field(default_factory=_Open)

    monkeypatch.setattr(paramdoc, "Scenario", BadScenario)
    with pytest.raises(ParamDocError, match=r"seed: the description says 'Range: \[0, 10\]'.*\[0, 9\]"):
        parameter_rows()
    with pytest.raises(ParamDocError, match=r"open_\.tau"):
        parameter_rows()
