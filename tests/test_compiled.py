"""govsim/compiled.py: the kernel's loops compile and run where numba cannot keep its cache."""

from __future__ import annotations

import json
import subprocess
import sys

import govsim

_NO_CACHE_FOLDER = """
import json
import numba.core.caching
numba.core.caching.CacheImpl._locator_classes = []  # as if no folder were writable for numba's cache
import govsim
results = govsim.run("baseline", overrides={"time.steps": 4}, countries=False)
print(json.dumps(results.indices.select_dtypes("number").to_numpy().tolist()))
"""


def test_the_model_runs_where_numba_cannot_cache(tmp_path):
    """Where neither the package folder nor numba's user cache folder is writable, the loops are
    compiled in memory (govsim.compiled._cached) instead of the import failing; the results are the same."""
    done = subprocess.run([sys.executable, "-c", _NO_CACHE_FOLDER], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    usual = govsim.run("baseline", overrides={"time.steps": 4}, countries=False).indices.select_dtypes("number")
    assert json.loads(done.stdout) == usual.to_numpy().tolist()
