"""``govsim claims workers=N`` runs on joblib's loky processes, as ``govsim.many`` does, and writes the
same report as ``workers=1``."""

from __future__ import annotations

import joblib

from govsim.cli import claims as cli


def test_claims_on_two_workers_equal_one_worker_and_use_joblib(tmp_path, monkeypatch):
    used = []
    original = joblib.Parallel

    class Spy(original):
        def __init__(self, *args, **kwargs):
            used.append(kwargs.get("n_jobs", args[0] if args else None))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(joblib, "Parallel", Spy)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    assert cli.main(["seeds=2", f"out={one}", "workers=1"]) == 0
    assert used == []
    assert cli.main(["seeds=2", f"out={two}", "workers=2"]) == 0
    assert used == [2]
    for name in ("claims.md", "claims.csv"):
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
