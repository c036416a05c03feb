# The two commands of the README. Each sets up (or refreshes) the local virtualenv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-cluster cluster-tools app chromium setup bench bench-sweep docs calibrate clean notebooks notebooks-full

run: setup
	$(VENV)/bin/govsim run scenario=baseline

# The unit, behaviour and browser tests, then every notebook executed by nbmake with short runs
# (GOVSIM_NB_QUICK=1: 2-3 seeds to 2030). Two commands: the first keeps pytest's own settings
# (filterwarnings = error) and stops before the slower notebooks when a test fails.
test: setup chromium
	$(PY) -m pytest
	GOVSIM_NB_QUICK=1 $(PY) -m pytest --nbmake --nbmake-timeout=600 -p no:cacheprovider notebooks

# The cluster tests (issue 14): real engines started on 127.0.0.1 by the tests themselves. cluster-tools
# installs what they need (apt as root, pip extras); GOVSIM_REQUIRE_CLUSTER=1 turns a missing tool into a
# failure instead of a skip, as in CI.
test-cluster: setup cluster-tools
	GOVSIM_REQUIRE_CLUSTER=1 $(PY) -m pytest -m cluster -p no:cacheprovider

cluster-tools: setup
	$(PY) -m pip install --quiet -e ".[dev,cluster,dask]"
	@# SLURM (Debian slurm-wlm: slurmctld, slurmd, sinfo...) and munge for tests/test_cluster_slurm.py: as root with
	@# apt, installed when missing; elsewhere the tests skip (or fail under GOVSIM_REQUIRE_CLUSTER=1) and say how.
	@command -v slurmctld >/dev/null && command -v munged >/dev/null || [ "$$(id -u)" != 0 ] || \
	    ! command -v apt-get >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null)

# The notebooks as a reader runs them (8 seeds to 2035).
notebooks-full: setup
	env -u GOVSIM_NB_QUICK $(PY) -m pytest --nbmake --nbmake-timeout=1800 -p no:cacheprovider notebooks

# JupyterLab on notebooks/ (installs the `notebooks` extra: jupyterlab, ipywidgets).
notebooks: $(VENV)/.notebooks
	$(VENV)/bin/jupyter lab notebooks

$(VENV)/.notebooks: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,notebooks]"
	touch $(VENV)/.notebooks

# The classroom app (issue 13): serves http://127.0.0.1:8765 (govsim app --help for host and port).
app: setup
	$(VENV)/bin/govsim app

# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright). As root with
# apt (CI), install it when missing; elsewhere the tests skip and say how to install it.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The benchmark (issue 14; docs/performance.md): govsim next to the toy peer, load_scenario, import time and
# large worlds; writes experiments/bench/latest.json and prints the change from the last record.
# BENCH_ARGS=--quick skips the large-world subprocesses.
bench: setup
	$(PY) experiments/benchmark.py $(BENCH_ARGS)

bench-sweep: setup
	$(PY) experiments/sweep_benchmark.py

# Regenerate the generated documents: the parameter table, the validation report and the seed claims.
docs: setup
	$(PY) -m govsim.paramdoc --write
	$(VENV)/bin/govsim validate out=docs
	$(VENV)/bin/govsim claims seeds=8 out=docs

# Re-run the calibration (minutes); writes docs/calibration.md and experiments/calibration/accepted.yaml.
calibrate: setup
	$(PY) experiments/calibrate.py

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@# compile the kernel's loops once (numba caches them in govsim/__pycache__; a changed file recompiles on use)
	$(PY) -c "import govsim.model"
	touch $(STAMP)

clean:
	rm -rf $(VENV) outputs sweeps multirun
