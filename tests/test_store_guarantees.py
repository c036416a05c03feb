"""The results store's promises (issue 9): user files are never deleted or written over, nothing is
written outside the output root, concurrent sweeps never corrupt or mislabel runs, damaged tables
and manifests are detected and repaired, files honour the umask, unwritable folders and full disks
give a clear summary, and runs that went missing make the sweep fail. docs/cli.md, "Guarantees",
points here.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
import yaml
from filelock import FileLock

import govsim
from govsim import batch, folders, store
from govsim.cli import run as cli_run
from govsim.runner import atomic_write

ROOT = Path(__file__).resolve().parents[1]
STEPS = "time.steps=4"


def govsim_cli(cwd: Path, *args: str, timeout: int = 300, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m govsim ARGS`` in ``cwd``."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "govsim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, **kwargs)


def one_line_error(proc: subprocess.CompletedProcess, command: str = "govsim run") -> str:
    """The single error line of a refused command (exit 2, no traceback)."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith(f"{command}:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (relative path -> (size, mtime_ns))."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def results() -> govsim.Results:
    return govsim.run(govsim.load_scenario("baseline", ["time.steps=2"]), seed=0)


def manifest_of(run_id: str = "baseline-x-seed0", seed: int = 0) -> dict:
    return {"run_id": run_id, "scenario": "baseline", "scenario_hash": "x" * 64, "seed": seed, "params": {}}


# ------------------------------------------------------------------ item 1: user files are never deleted
def test_leftover_clean_up_removes_only_the_stores_own_temporary_files(tmp_path, results):
    users = [".pre-commit-config.yaml", ".env.local", ".eslintrc.json", ".a.b"]
    for name in users:
        (tmp_path / name).write_text("mine")
    leftover = tmp_path / ".govsim-tmp-indices.parquet.k1ll3d"
    leftover.write_text("half-written")
    store.write_run(tmp_path, results, manifest_of())
    assert all((tmp_path / name).read_text() == "mine" for name in users)
    assert not leftover.exists()


def test_atomic_write_uses_a_distinctive_temporary_name(tmp_path):
    seen = []
    atomic_write(tmp_path / "indices.parquet", lambda tmp: (seen.append(Path(tmp).name), Path(tmp).write_text("x")))
    assert seen[0].startswith(".govsim-tmp-indices.parquet.") and len(seen[0]) > len(".govsim-tmp-indices.parquet.")
    assert [p.name for p in tmp_path.iterdir()] == ["indices.parquet"]


def test_single_run_refuses_a_non_empty_folder_that_is_not_a_run_folder(tmp_path):
    for name in (".pre-commit-config.yaml", ".env.local", ".eslintrc.json", "notes.txt"):
        (tmp_path / name).write_text("mine")
    before = tree(tmp_path)
    line = one_line_error(govsim_cli(tmp_path, "run", "time.steps=2", "out=."))
    assert "out=" in line and "not empty" in line and "Fix:" in line
    assert tree(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == sorted(before)


def test_single_run_refuses_its_default_folder_if_it_holds_other_files(tmp_path):
    """The default folder (outputs/<name>-seed<N>) is only known once Hydra composed the config."""
    (tmp_path / "outputs" / "baseline-seed42").mkdir(parents=True)
    (tmp_path / "outputs" / "baseline-seed42" / "notes.txt").write_text("mine")
    line = one_line_error(govsim_cli(tmp_path, "run", "time.steps=2"))
    assert "not empty" in line and "notes.txt" in line
    assert (tmp_path / "outputs" / "baseline-seed42" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "outputs" / "baseline-seed42" / "manifest.json").exists()


def test_single_run_writes_into_a_new_folder_and_again_into_its_own(tmp_path):
    for _ in range(2):
        proc = govsim_cli(tmp_path, "run", "time.steps=2", "out=mine")
        assert proc.returncode == 0, proc.stderr
    assert store.read_manifest(tmp_path / "mine")["status"] == "complete"


# ------------------------------------------------------------------ item 2: nothing outside the store's root
@pytest.mark.parametrize("run_id", ["../../x-abc-seed0", "/abs/path-abc-seed0", "a/b-abc-seed0", "..", "", "a\0b"])
def test_store_refuses_run_folders_outside_its_root(tmp_path, run_id):
    assert store.run_folder(tmp_path / "sw", "baseline-abc-seed0") == (tmp_path / "sw" / "runs" / "baseline-abc-seed0").resolve()
    with pytest.raises(store.StoreError, match="outside"):
        store.run_folder(tmp_path / "sw", run_id)


def test_sweep_with_an_escaping_name_writes_nothing_outside_and_fails(tmp_path):
    cwd = tmp_path / "a" / "b" / "c"
    cwd.mkdir(parents=True)
    proc = govsim_cli(cwd, "run", "-m", "name=../../../x", "seed=range(0,2)", "time.steps=2", "out=s")
    assert proc.returncode in (1, 2), (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file() and "/s/" not in f"/{p.relative_to(tmp_path)}") == []


# ------------------------------------------------------------------ item 4: concurrent sweeps
def test_a_run_locked_by_another_writer_is_skipped_and_counted(tmp_path):
    scenario = govsim.load_scenario("baseline", ["time.steps=2"])
    specs = [batch.RunSpec("baseline", s, store.scenario_hash(scenario), scenario=scenario) for s in range(3)]
    folder_of = lambda spec: store.run_folder(tmp_path, spec.run_id)  # noqa: E731
    folder_of(specs[1]).mkdir(parents=True)
    with FileLock(folder_of(specs[1]) / store.LOCK):
        counts = batch.run_specs(specs, folder_of, {})
    assert (counts.done, counts.busy, counts.failed) == (2, 1, 0) and counts.busy_ids == [specs[1].run_id]
    assert store.read_manifest(folder_of(specs[1])) is None


def test_two_identical_sweeps_at_once_write_every_run_once_and_never_mislabel(tmp_path):
    args = [sys.executable, "-m", "govsim", "run", "-m", "seed=range(0,40)", "seeds_per_job=40", "time.steps=24", "out=D"]
    procs = [subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    found = store.manifests(tmp_path / "D")
    assert len(found) == 40 and all(m["status"] == "complete" for m in found)
    assert all(store.verify_run(Path(m["folder"]), m) is None for m in found)
    done = [int(line.split(": ")[1].split()[0]) for out in outs for line in "".join(out).splitlines() if " runs done, " in line]
    assert len(done) == 2 and sum(done) == 40, outs  # every run written exactly once between the two
    assert govsim.load_sweep(tmp_path / "D").groupby("seed").size().eq(25).all()


# ------------------------------------------------------------------ item 7: resume and load verify the tables
def _sweep(cwd: Path, out: str = "sw") -> subprocess.CompletedProcess:
    """A sweep in the run layout (a folder per run), whose files these tests damage one by one."""
    return govsim_cli(cwd, "run", "-m", "seed=range(0,4)", STEPS, "store.layout=run", f"out={out}")


def test_manifest_records_size_and_sha256_of_every_file(tmp_path, results):
    store.write_run(tmp_path, results, manifest_of())
    files = store.read_manifest(tmp_path)["files"]
    assert set(files) == {"indices.parquet", "forums.parquet", "scenario.json"}
    for name, entry in files.items():
        data = (tmp_path / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_damaged_tables_are_named_by_load_sweep_and_repaired_by_resume(tmp_path):
    assert _sweep(tmp_path).returncode == 0
    runs = sorted((tmp_path / "sw" / "runs").iterdir())
    truncated, randomised, deleted = (run / "indices.parquet" for run in runs[:3])
    truncated.write_bytes(truncated.read_bytes()[:100])
    randomised.write_bytes(os.urandom(randomised.stat().st_size))
    deleted.unlink()
    with pytest.raises(store.StoreError, match="indices.parquet") as info:
        govsim.load_sweep(tmp_path / "sw")
    assert "\n" not in str(info.value) and "Fix:" in str(info.value)
    again = _sweep(tmp_path)
    assert again.returncode == 0, again.stderr
    assert (again.stdout + again.stderr).count("does not verify") == 3 and "4 runs complete, 0 failed" in again.stdout
    df = govsim.load_sweep(tmp_path / "sw")
    expected = govsim.run(govsim.load_scenario("baseline", [STEPS]), seed=0).indices
    pd.testing.assert_frame_equal(df[df.seed == 0][list(expected.columns)].reset_index(drop=True), expected)


def test_corrupt_manifest_is_one_line_in_load_sweep_compare_and_resume(tmp_path):
    assert _sweep(tmp_path).returncode == 0
    bad = sorted((tmp_path / "sw" / "runs").iterdir())[0] / "manifest.json"
    bad.write_text('{"status": "compl')
    with pytest.raises(store.StoreError, match="manifest.json") as info:
        govsim.load_sweep(tmp_path / "sw")
    assert str(bad) in str(info.value) and "\n" not in str(info.value)
    line = one_line_error(govsim_cli(tmp_path, "compare", "sw"), "govsim compare")
    assert str(bad) in line
    again = _sweep(tmp_path)
    assert again.returncode == 0, again.stderr
    assert str(bad) in again.stdout + again.stderr and "4 runs complete, 0 failed" in again.stdout
    assert store.read_manifest(bad.parent)["status"] == "complete"


def test_every_file_is_fsynced_before_its_rename_and_the_folder_after_the_manifest(tmp_path, results, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", Path(f"/proc/self/fd/{fd}").resolve().name)),
                                                 real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(("replace", Path(b).name)), real_replace(a, b))[1])
    store.write_run(tmp_path, results, manifest_of())
    renamed = [name for kind, name in events if kind == "replace"]
    assert renamed == ["indices.parquet", "forums.parquet", "scenario.json", "manifest.json"]
    for name in renamed:
        synced = events.index(("replace", name)) - 1
        assert events[synced][0] == "fsync" and events[synced][1].startswith(f".govsim-tmp-{name}."), events
    assert events[-1] == ("fsync", tmp_path.name), "the folder is fsynced after the manifest's rename"


# ------------------------------------------------------------------ item 12: the umask is honoured
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_have_the_mode_the_umask_gives(tmp_path, results, umask, mode):
    old = os.umask(umask)
    try:
        store.write_run(tmp_path, results, manifest_of())
    finally:
        os.umask(old)
    for name in ("indices.parquet", "forums.parquet", "scenario.json", "manifest.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


# ------------------------------------------------------------------ item 13: Ray dropped, folder absolute, missing runs fail
def test_ray_extra_and_preset_are_gone_and_the_docs_say_so():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "ray" not in extras and not (ROOT / "scenarios" / "hydra" / "launcher" / "ray_cluster.yaml").exists()
    assert "Ray support was dropped" in (ROOT / "docs" / "cli.md").read_text()


def test_sweep_folder_is_absolute_for_the_workers(tmp_path):
    assert govsim_cli(tmp_path, "run", "-m", "seed=range(0,2)", "time.steps=2", "out=rel").returncode == 0
    assert yaml.safe_load((tmp_path / "rel" / "multirun.yaml").read_text())["hydra"]["sweep"]["dir"] == str(tmp_path / "rel")


def _job_report(job_dir: Path, report: dict) -> None:
    job_dir.mkdir(parents=True, exist_ok=True)
    folders.write_job_report(job_dir, "tok", report)


def test_sweep_report_fails_when_launched_runs_are_missing(tmp_path, capsys):
    folder = tmp_path / "sw"
    jobs = [["baseline-a-seed0", "baseline-a-seed1"], ["baseline-a-seed2"]]
    report = lambda: [_job_report(folder / "jobs" / str(num), {"runs": ids, "busy": [], "unrecorded": {}})  # noqa: E731
                      for num, ids in enumerate(jobs)]
    report()
    for run_id in ("baseline-a-seed0", "baseline-a-seed2"):
        store.write_manifest(store.run_folder(folder, run_id), {**manifest_of(run_id), "status": "complete"})
    assert cli_run._report_sweep(folder, "tok", launched=2) == 1
    out = capsys.readouterr()
    assert "1 missing" in out.out and "baseline-a-seed1" in out.err and str(folder / "runs") in out.err
    report()
    assert cli_run._report_sweep(folder, "tok", launched=3) == 1
    assert "1 of 3 jobs" in capsys.readouterr().err


def test_sweep_report_counts_unrecorded_failures_and_names_a_full_disk(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "sw"
    _job_report(folder, {"runs": ["baseline-a-seed0", "baseline-a-seed1"], "busy": [],
                         "unrecorded": {"baseline-a-seed1": "OSError: No space left on device"}})
    store.write_manifest(store.run_folder(folder, "baseline-a-seed0"), {**manifest_of("baseline-a-seed0"), "status": "complete"})
    monkeypatch.setattr(cli_run, "_free_bytes", lambda folder: 0)
    assert cli_run._report_sweep(folder, "tok", launched=1) == 1
    out = capsys.readouterr()
    assert "1 runs complete, 1 failed" in out.out and "missing" not in out.out
    assert "baseline-a-seed1 (not recorded): OSError: No space left" in out.err and "disk holding" in out.err
    assert not list(folder.rglob("govsim-launch-tok.json")), "the driver removes its own reports"


# ------------------------------------------------------------------ item 10: unwritable folders, full disks
def _without_root_powers() -> dict:
    """Popen arguments for a child that cannot write a 0555 folder. Tests run as root here, and root
    writes through permission bits (a read-only mount needs privileges a test does not have), so
    the child drops the capabilities that let root ignore them (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH) before it starts: it keeps uid 0 and reads what it owns, yet a 0555 folder
    refuses its writes exactly as it refuses a colleague's. Run as a normal user nothing is dropped."""
    if os.geteuid() != 0:
        return {}

    def drop():
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return {"preexec_fn": drop}


@pytest.mark.parametrize("case", ["fresh sweep", "single run", "resume"])
def test_read_only_output_folder_gives_one_line(tmp_path, case):
    ro = tmp_path / "ro"
    ro.mkdir()
    if case == "resume":
        assert govsim_cli(tmp_path, "run", "-m", "seed=range(0,2)", "time.steps=2", "out=ro/sw").returncode == 0
        for path in [ro, *ro.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    ro.chmod(0o555)
    args = {"fresh sweep": ["-m", "seed=range(0,2)", "out=ro/sw"], "single run": ["out=ro/run"],
            "resume": ["-m", "seed=range(0,3)", "out=ro/sw"]}[case]
    before = tree(ro)
    proc = govsim_cli(tmp_path, "run", *args, "time.steps=2", **_without_root_powers())
    line = one_line_error(proc)
    assert "out=" in line and "cannot write" in line and "Fix:" in line
    assert tree(ro) == before


@pytest.mark.parametrize("command, args", [
    ("run", ["out=file/run", "time.steps=2"]),
    ("run", ["-m", "seed=range(0,2)", "out=file/sw", "time.steps=2"]),
    ("sensitivity", ["samples=2", "seeds=1", "years=[2023]", "time.steps=4", "out=file/sens"]),
    ("validate", ["seeds=1", "time.steps=12", "out=file/val"]),
    ("compare", ["sw", "--out", "file/cmp"]),
], ids=["single run", "sweep", "sensitivity", "validate", "compare"])
def test_output_folder_under_a_file_gives_one_line(tmp_path, command, args):
    """A path under a file cannot be created by anyone (NotADirectoryError), root or not."""
    (tmp_path / "file").write_text("not a folder")
    if command == "compare":
        assert govsim_cli(tmp_path, "run", "-m", "seed=range(0,2)", "time.steps=8", "out=sw").returncode == 0
    line = one_line_error(govsim_cli(tmp_path, command, *args), f"govsim {command}")
    assert str(tmp_path / "file") + "/" in line and "cannot write" in line and "Fix:" in line


def test_full_disk_records_each_run_as_failed_while_space_lasts_and_goes_on(tmp_path, monkeypatch, caplog):
    """Runs 1 and 3 hit ENOSPC writing their tables; run 3 cannot even record its failure."""
    scenario = govsim.load_scenario("baseline", ["time.steps=2"])
    specs = [batch.RunSpec("baseline", s, store.scenario_hash(scenario), scenario=scenario) for s in range(5)]
    real = store.atomic_write

    def full(target, write):
        seed = int(Path(target).parent.name.rsplit("seed", 1)[1])
        if seed == 3 or (seed == 1 and target.name != store.MANIFEST):
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        real(target, write)

    monkeypatch.setattr(store, "atomic_write", full)
    counts = batch.run_specs(specs, lambda spec: store.run_folder(tmp_path, spec.run_id), {})
    assert (counts.done, counts.failed) == (3, 2) and list(counts.unrecorded) == [specs[3].run_id]
    status = {m["seed"]: m["status"] for m in store.manifests(tmp_path)}
    assert status == {0: "complete", 1: "failed", 2: "complete", 4: "complete"}
    assert "No space left" in store.read_manifest(store.run_folder(tmp_path, specs[1].run_id))["error"]["message"]
    assert "could not be recorded" in caplog.text and specs[3].run_id in caplog.text


# ------------------------------------------------------------------ nothing outside the output root
def _snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            parts = path.parts
            if "__pycache__" in parts or ".pytest_cache" in parts or "matplotlib" in parts or not path.is_file():
                continue
            found[str(path)] = (path.stat().st_size, path.stat().st_mtime_ns)
    return found


def test_no_command_writes_outside_its_output_root(tmp_path):
    """Every CLI command runs in a fresh working folder with HOME and TMPDIR pointing to fresh folders;
    afterwards nothing changed in HOME, TMPDIR or the repository, and in the working folder only
    outputs/, sweeps/ and the out= roots hold new files. Two library caches are not govsim's
    writing and are left out: Python's __pycache__ and Matplotlib's font cache, which Matplotlib
    builds once per machine in ~/.cache/matplotlib."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {"HOME": str(home), "TMPDIR": str(tmp)}
    commands = [
        ["run", "time.steps=2"],
        ["run", "time.steps=2", "out=one"],
        ["run", "-m", "seed=range(0,2)", "time.steps=2"],
        ["run", "-m", "seed=range(0,2)", "time.steps=8", "out=sw"],
        ["compare", "sw", "--out", "sw/cmp"],
        ["sensitivity", "samples=2", "seeds=1", "years=[2023]", "time.steps=4", "jobs=1", "out=sens"],
        ["validate-config", "baseline", "time.steps=2"],
        ["validate", "seeds=1", "time.steps=12", "out=val"],
    ]
    allowed = ("outputs", "sweeps", "one", "sw", "sens", "val")
    git = ROOT / ".git"  # a folder, or (in a worktree) a file naming the folder: git status must not touch it
    repo = [*ROOT.iterdir(), Path(git.read_text().split(":", 1)[1].strip()) if git.is_file() else git]
    before = _snapshot([home, tmp, *repo])
    cwd = tmp_path / "work"
    cwd.mkdir()
    for args in commands:
        proc = govsim_cli(cwd, *args, env=env)
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert _snapshot([home, tmp, *repo]) == before, args
        stray = [p for p in cwd.iterdir() if p.name not in allowed]
        assert stray == [], (args, stray)


def test_every_test_the_guarantees_name_exists():
    """docs/cli.md's Guarantees section names its tests; each must exist (in the files written so far)."""
    section = (ROOT / "docs" / "cli.md").read_text().split("## Guarantees", 1)[1]
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {m for f in (ROOT / "tests").glob("test_*.py") for m in re.findall(r"^def (test_\w+)", f.read_text(), re.M)}
    assert len(named) >= 20 and sorted(named - defined) == []


def test_a_launch_token_that_looks_like_a_number_still_finds_the_job_reports(tmp_path, monkeypatch):
    """Hydra reads ``GOVSIM_LAUNCH=1234e56789012345`` as a float (inf): the jobs reported under
    ``govsim-launch-inf.json`` and the driver, looking for the token, found none (a real calibration
    failed so). The token must stay text whatever hex digits it draws."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_run.secrets, "token_hex", lambda n: "1234e56789012345")
    code = cli_run.main(["-m", "seed=0,1", "time.steps=2", "out=sw"])
    assert code == 0
    reports = list((tmp_path / "sw" / "jobs").rglob("govsim-launch-*.json"))
    assert not reports  # read and removed by the driver
