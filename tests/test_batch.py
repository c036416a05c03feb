"""A job's batch: seeds x design rows, and invalid configurations recorded instead of raised."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from govsim.batch import run_specs, specs_from_config
from govsim.cli.compose import compose_config
from govsim import store


def _config(tmp_path, rows, chunk=0, chunks=1, extra=()):
    path = tmp_path / "design.parquet"
    pd.DataFrame(rows).to_parquet(path, index=False)
    return compose_config(["scenario=baseline", "++time.steps=2", "seed=[0,1]", f"++design.path={path}",
                           f"++design.chunk={chunk}", f"++design.chunks={chunks}", *extra])


def test_design_chunk_times_seeds_with_row_values_as_params(tmp_path):
    rows = {"sample": [0, 1, 2, 3], "behaviour.decision.temperature": [0.5, 1.0, 1.5, 2.0]}
    specs, _ = specs_from_config(_config(tmp_path, rows, chunk=1, chunks=2), {"scenario": "baseline"})
    assert [(s.params["sample"], s.seed) for s in specs] == [(1, 0), (1, 1), (3, 0), (3, 1)]
    assert [s.scenario.behaviour.decision.temperature for s in specs] == [1.0, 1.0, 2.0, 2.0]
    assert specs[0].params["behaviour.decision.temperature"] == 1.0 and specs[0].params["scenario"] == "baseline"
    assert len({s.run_id for s in specs}) == 4


def test_an_invalid_design_row_fails_alone_and_is_recorded(tmp_path):
    rows = {"sample": [0, 1], "behaviour.decision.temperature": [1.0, -1.0]}
    specs, options = specs_from_config(_config(tmp_path, rows), {})
    assert [s.error is None for s in specs] == [True, True, False, False]
    assert "behaviour.decision.temperature" in specs[2].error and "-1" in specs[2].error
    counts = run_specs(specs, lambda s: tmp_path / "runs" / s.run_id, options, log_failures=False)
    assert (counts.done, counts.failed) == (2, 2)
    found = {m["params"]["sample"]: m["status"] for m in store.manifests(tmp_path)}
    assert found == {0: "complete", 1: "failed"}


def test_an_invalid_base_configuration_fails_every_seed(tmp_path):
    config = compose_config(["scenario=baseline", "++world.kind=synthetic", "seed=[0,1,2]"])
    specs, _ = specs_from_config(config, {})
    assert len(specs) == 3 and all("world.n" in s.error for s in specs)


def test_load_sweep_warns_when_one_configuration_was_run_under_other_defaults(tmp_path):
    """The same command after the defaults changed (e.g. a recalibration) writes new runs beside the
    old ones (the scenario hash is in the run id); reading both must not go unnoticed."""
    rows = {"sample": [0], "behaviour.decision.temperature": [1.0]}
    for cost in ("1.0", "1.2"):  # a changed default: the same params and seeds, another scenario hash
        specs, options = specs_from_config(_config(tmp_path, rows, extra=[f"++behaviour.decision.w_cost={cost}"]), {})
        run_specs(specs, lambda s: tmp_path / "runs" / s.run_id, options, log_failures=False)
    with pytest.warns(UserWarning, match="2 configurations .* different scenario defaults"):
        df = store.load_sweep(tmp_path)
    assert df.run_id.nunique() == 4
    first = store.manifests(tmp_path)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.load_sweep(first["folder"])  # one version alone: no warning


def test_resuming_with_other_code_keeps_the_runs_and_says_so(tmp_path, monkeypatch, caplog):
    """Resume skips complete runs, but runs made by other govsim code are named, in the log and in
    load_sweep, so that an edited model is never silently mixed with the old one."""
    specs, options = specs_from_config(_config(tmp_path, {"sample": [0], "behaviour.decision.temperature": [1.0]}), {})
    folder_of = lambda s: tmp_path / "runs" / s.run_id  # noqa: E731
    run_specs(specs, folder_of, options, log_failures=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.load_sweep(tmp_path)  # one version: no warning
    monkeypatch.setattr(store, "code_digest", lambda: "edited-model")
    counts = run_specs(specs, folder_of, options, log_failures=False)
    assert (counts.done, counts.skipped) == (0, 2)
    assert "2 complete runs were kept from earlier invocations that ran other govsim code" in caplog.text
    extra = _config(tmp_path, {"sample": [1], "behaviour.decision.temperature": [1.5]})
    run_specs(specs_from_config(extra, {})[0], folder_of, options, log_failures=False)  # new runs, new code
    with pytest.warns(UserWarning, match="made by 2 versions of the govsim code"):
        assert store.load_sweep(tmp_path).run_id.nunique() == 4
