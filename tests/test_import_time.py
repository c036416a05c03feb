"""``import govsim`` is cheap (issue 14): heavy packages load only when a name that needs them is used,
and every public name still resolves (behaviour, not timing: the timing is in experiments/benchmark.py)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("hydra", "omegaconf", "SALib", "matplotlib", "mesa", "pandas", "scipy", "pyarrow", "pydantic", "numba")


def _loaded(code: str) -> dict:
    """Run ``code`` in a fresh interpreter and return what it prints as JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_govsim_loads_no_heavy_package():
    code = f"import govsim, sys, json; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    assert _loaded(code) == []


def test_every_public_name_resolves_and_is_listed():
    code = ("import govsim, json; names = sorted(govsim.__all__); "
            "missing = [n for n in names if getattr(govsim, n, None) is None]; "
            "print(json.dumps({'missing': missing, 'in_dir': sorted(set(names) - set(dir(govsim)))}))")
    assert _loaded(code) == {"missing": [], "in_dir": []}


def test_from_import_and_submodules_still_work():
    code = ("from govsim import run, load_scenario, Scenario, ScenarioError, GovernanceModel, Results; "
            "import govsim, govsim.runner, json; "
            "print(json.dumps([run is govsim.runner.run, load_scenario.__module__, Scenario.__name__, "
            "issubclass(ScenarioError, Exception), govsim.__version__]))")
    assert _loaded(code) == [True, "govsim.cli.compose", "Scenario", True, "0.1.0"]


def test_submodules_resolve_after_a_bare_import():
    code = "import govsim, json; print(json.dumps([govsim.runner.HEADLINES[0], govsim.plotting.__name__]))"
    assert _loaded(code) == ["inclusiveness", "govsim.plotting"]


def test_unknown_name_is_an_attribute_error():
    code = ("import govsim, json\ntry:\n    govsim.no_such_name\nexcept AttributeError as e:\n"
            "    print(json.dumps(str(e)))")
    assert "no_such_name" in _loaded(code)


def test_loading_a_scenario_does_not_load_plotting_or_salib():
    code = ("import govsim, sys, json; govsim.load_scenario('baseline'); "
            "print(json.dumps(sorted(m for m in ('SALib', 'matplotlib') if m in sys.modules)))")
    assert _loaded(code) == []


def test_a_sweeps_driver_does_not_load_mesa():
    """The driver of ``govsim run -m`` checks folders and reads the store; the runs import the model
    (Mesa takes ~0.8 s to import and the compiled kernel ~0.5 s, paid before Hydra could start the jobs)."""
    code = ("import sys, json, govsim.folders, govsim.store, govsim.batchstore, govsim.runner; "
            "print(json.dumps(sorted(m for m in ('mesa', 'numba') if m in sys.modules)))")
    assert _loaded(code) == []
