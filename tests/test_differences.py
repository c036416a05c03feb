"""govsim.ensemble.differences: each group minus a reference at every step, paired on common seeds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from govsim.ensemble import compare, differences

COLUMNS = ["scenario", "step", "period", "year", "time", "index", "reference", "n_common", "delta_mean",
           "delta_ci_lo", "delta_ci_hi"]


def _table(values: dict[tuple[str, int], list[float]], time: bool = True) -> pd.DataFrame:
    """Indices table in the time convention of issue 12: step 0 = 2022Q4, ``year`` = the period's
    year, ``time`` = its start; ``inclusiveness`` = values, ``fragmentation`` = 2 x values."""
    rows = []
    for (scenario, seed), series in values.items():
        for step, value in enumerate(series):
            start = 2022.75 + 0.25 * step
            rows.append({"run_id": f"{scenario}-{seed}", "scenario": scenario, "seed": seed, "step": step,
                         "period": f"{math.floor(start)}Q{round((start % 1) * 4) + 1}", "year": math.floor(start),
                         **({"time": start} if time else {}), "inclusiveness": value, "fragmentation": 2 * value,
                         "ai_divide": 0.5})
    return pd.DataFrame(rows)


def _row(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.logical_and.reduce([table[k] == v for k, v in where.items()])
    assert mask.sum() == 1, f"expected one row for {where}, got {mask.sum()}"
    return table[mask].iloc[0]


def test_a_group_against_itself_is_zero_with_a_zero_width_interval():
    df = _table({("baseline", s): [0.1 * s, 0.2 + 0.05 * s, 0.3 - 0.02 * s] for s in range(3)})
    out = differences(df, reference="baseline")
    assert list(out.columns) == COLUMNS
    assert len(out) == 3 * 3  # steps x indices
    assert (out[["delta_mean", "delta_ci_lo", "delta_ci_hi"]] == 0).all().all()
    assert out["n_common"].eq(3).all() and out["reference"].eq("baseline").all()


def test_the_paired_difference_and_its_t_interval_match_a_hand_computation():
    # d = policy - baseline on seeds 0, 1, 2 at step 1: 0.1, 0.2, 0.3 -> mean 0.2, sd 0.1;
    # t(0.95, df=2) = 2.919986 (tables), so the 90% interval is 0.2 -/+ 2.919986 * 0.1 / sqrt(3).
    df = _table({("baseline", 0): [0.5, 0.40], ("baseline", 1): [0.5, 0.30], ("baseline", 2): [0.5, 0.35],
                 ("policy", 0): [0.5, 0.50], ("policy", 1): [0.5, 0.50], ("policy", 2): [0.5, 0.65]})
    out = differences(df, level=0.9)
    row = _row(out, scenario="policy", step=1, index="inclusiveness")
    half = 2.919986 * 0.1 / math.sqrt(3)
    assert row.delta_mean == pytest.approx(0.2, abs=1e-12)
    assert (row.delta_ci_lo, row.delta_ci_hi) == pytest.approx((0.2 - half, 0.2 + half), abs=1e-6)
    assert (row.period, row.year, row.time, row.n_common) == ("2023Q1", 2023, 2023.0, 3)
    frag = _row(out, scenario="policy", step=1, index="fragmentation")
    assert frag.delta_mean == pytest.approx(0.4, abs=1e-12)  # 2 x the inclusiveness difference
    start = _row(out, scenario="policy", step=0, index="inclusiveness")
    assert (start.delta_mean, start.delta_ci_lo, start.delta_ci_hi) == (0.0, 0.0, 0.0)


def test_only_seeds_common_to_both_groups_are_paired():
    df = _table({**{("baseline", s): [0.1, 0.2] for s in (0, 1, 2)},
                 **{("policy", s): [0.1, 0.2 + 0.1 * s] for s in (1, 2, 3)}})
    row = _row(differences(df), scenario="policy", step=1, index="inclusiveness")
    assert row.n_common == 2
    assert row.delta_mean == pytest.approx((0.1 + 0.2) / 2, abs=1e-12)  # seeds 1 and 2, not seed 3


def test_one_common_seed_gives_a_mean_without_an_interval():
    df = _table({("baseline", 0): [0.1, 0.2], ("policy", 0): [0.1, 0.5]})
    row = _row(differences(df), scenario="policy", step=1, index="inclusiveness")
    assert row.delta_mean == pytest.approx(0.3) and row.n_common == 1
    assert math.isnan(row.delta_ci_lo) and math.isnan(row.delta_ci_hi)


def test_the_reference_is_matched_as_in_compare():
    df = _table({("a", 0): [0.1], ("b", 0): [0.3]})
    assert differences(df)["reference"].eq("a").all()  # no baseline: the first group
    assert differences(df, reference="b")["reference"].eq("b").all()
    with pytest.raises(ValueError, match=r"reference 'c' is not a value of 'scenario'; choose one of \['a', 'b'\]"):
        differences(df, reference="c")


def test_a_group_sharing_no_seed_with_the_reference_gets_the_error_of_compare():
    df = _table({("baseline", 0): [0.1], ("baseline", 1): [0.1], ("policy", 5): [0.2]})
    with pytest.raises(ValueError) as from_differences:
        differences(df)
    assert "share no seeds" in str(from_differences.value) and "run both on the same seeds" in str(from_differences.value)
    assert "'policy' has seeds [5], 'baseline' has [0, 1]" in str(from_differences.value)


def test_same_message_as_compare_for_no_common_seed():
    old = _table({("baseline", 0): [0.1] * 9, ("policy", 5): [0.2] * 9}, time=False)
    old["year"] = 2023.0 + 0.25 * old["step"]  # compare on today's tables: year = the end of the period
    with pytest.raises(ValueError) as from_compare:
        compare(old, years=[2023])
    with pytest.raises(ValueError) as from_differences:
        differences(old)
    assert str(from_differences.value) == str(from_compare.value)


def test_tables_without_time_keep_working_and_bad_input_is_named():
    df = _table({("baseline", 0): [0.1, 0.2], ("policy", 0): [0.1, 0.3]}, time=False)
    out = differences(df, indices=["inclusiveness"])
    assert "time" not in out.columns and len(out) == 4
    with pytest.raises(ValueError, match="unknown index 'happiness'"):
        differences(df, indices=["happiness"])
    with pytest.raises(ValueError, match="unknown column 'region'"):
        differences(df, by="region")
    with pytest.raises(ValueError, match=r"level = 1.5 is not in \(0, 1\)"):
        differences(df, level=1.5)
    twice = pd.concat([df, df.assign(run_id="again")])
    with pytest.raises(ValueError, match="several runs have scenario = 'baseline' and seed 0"):
        differences(twice)
