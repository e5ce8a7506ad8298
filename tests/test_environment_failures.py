"""Failures of the machine, not of the input (issue 14): each is a clear message naming the resource, exit 3
(130 for Ctrl-C), nothing half-written that blocks a rerun, and a following ``--resume`` that completes.

Read-only folder, too little free space, a full disk (a file-size limit in the subprocess), a worker killed by
a signal, an unreachable Dask scheduler, SIGINT, ``natosim analyze`` without the sweep extra; and results of a
Dask sweep released from the cluster as they are written.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.outputs import EnvironmentFailure, check_output_folder
from sim.sweep import execute
from sim.sweep.execute import Writer, drop_orphan_series, read_runs, read_series, run_sweep
from sim.sweep.spec import load_sweep

from .conftest import ROOT, SCENARIOS, write
from .test_sweep import SMALL

EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130
#: 5 x 2 points x 12 seeds = 120 short runs (about 4 s on two workers): long enough to be stopped midway
LONG = (SMALL.replace("levels: [0.0, 4.0]", "levels: [0.0, 1.0, 2.0, 3.0, 4.0]")
        .replace("replications: 2", "replications: 12"))
ALL_RUNS = {(p, s) for p in range(10) for s in range(5000, 5012)}
#: long enough that it is still running when interrupted after its first part file (faster chunks finished
#: the 120 runs of LONG between that file and the signal on a loaded machine)
INTERRUPTED = LONG.replace("replications: 12", "replications: 60")
INTERRUPTED_RUNS = 600
INTERRUPTED_ALL = {(p, s) for p in range(10) for s in range(5000, 5060)}
#: the same with ten stored series, so that a part file soon outgrows a small file-size limit
WIDE = LONG.replace("series: [relations_index]", "series: [relations_index, nato_trust_in_russia, russia_trust_in_nato, "
                    "alliance_cohesion, mean_threat_from_russia, eastern_threat_from_russia, frontline_deterrence, "
                    "mean_defence_spending, russia_revisionism, russia_encirclement]")
#: a three-year scenario, for runs that take a moment
SHORT = f"name: short\nextends: {SCENARIOS / 'historical.yaml'}\nend: 1994-12\n"


def natosim(*args: str, preexec=None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the command line in a subprocess (``preexec`` runs in the child before Python starts)."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, check=False, preexec_fn=preexec)


def start(*args: str) -> subprocess.Popen:
    """Start the command line in a subprocess that takes SIGINT as a terminal's Ctrl-C does.

    (A process started in the background may inherit SIGINT ignored; Python then keeps ignoring it.)
    """
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            f"sys.argv = ['natosim', *{list(args)!r}]; from sim.cli import main; main()")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until ``path`` exists (the subprocess still running)."""
    deadline = time.time() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def unwritable() -> None:
    """In the child: make permissions bind even for root (drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def file_size_limit(limit: int):
    """Return a child set-up that caps every file it writes at ``limit`` bytes (a full disk, for that process)."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def assert_complete_once(out: Path, expected: set[tuple[int, int]] = ALL_RUNS) -> None:
    """Every run of the sweep is written exactly once (rows and series), and the manifest says complete."""
    runs = read_runs(out)
    assert not runs.duplicated(["point_id", "seed"]).any()
    assert set(zip(runs.point_id, runs.seed)) == expected
    series = read_series(out)
    assert not series.duplicated(["point_id", "seed", "date"]).any()
    assert set(zip(series.point_id, series.seed)) == expected
    m = manifest(out)
    assert m["complete"] is True and m["runs_done"] == len(expected) and "stopped" not in m
    assert not list(out.rglob("*.tmp")) and not (out / execute.LOCK).exists()


# -- the output folder, checked before any work ------------------------------------------------------------
def test_a_read_only_folder_is_refused_at_once_and_a_rerun_completes(tmp_path: Path) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    short = write(tmp_path, "short.yaml", SHORT)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        began = time.time()
        sweep = natosim("sweep", str(spec), "--workers", "1", "--out", str(locked), preexec=unwritable)
        run = natosim("run", str(short), "--no-plots", "--out", str(locked / "run"), preexec=unwritable)
        assert time.time() - began < 60
    finally:
        locked.chmod(0o755)
    assert sweep.returncode == EXIT_ENVIRONMENT, sweep.stderr
    assert f"error: {locked}: is not writable (permission denied)" in sweep.stderr and "--out" in sweep.stderr
    assert run.returncode == EXIT_ENVIRONMENT, run.stderr
    assert f"error: {locked / 'run'}: cannot be created (permission denied)" in run.stderr
    for proc in (sweep, run):
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert list(locked.iterdir()) == []  # nothing written, not even a run
    again = natosim("sweep", str(spec), "--workers", "1", "--out", str(locked), "--resume")
    assert again.returncode == 0, again.stderr
    assert len(read_runs(locked)) == 8 and manifest(locked)["complete"] is True


def test_a_folder_without_free_space_is_refused_before_any_run(tmp_path: Path, monkeypatch) -> None:
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("sim.outputs.shutil.disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    with pytest.raises(EnvironmentFailure, match=r"only 4\.0 KB free on its disk, about 16\.0 MB needed"):
        check_output_folder(tmp_path / "new")
    assert not (tmp_path / "new").exists()  # made for the check, removed again
    ran = []
    monkeypatch.setattr(execute, "run_chunk", lambda *a: ran.append(a) or [])
    with pytest.raises(EnvironmentFailure, match=str(tmp_path / "s")) as info:
        run_sweep(load_sweep(write(tmp_path, "small.yaml", SMALL)), tmp_path / "s", workers=1)
    assert "free some space" in info.value.advice and not ran
    assert not (tmp_path / "s").exists()


# -- a full disk while writing ---------------------------------------------------------------------------------
def test_a_full_disk_during_a_sweep_exits_3_and_resume_completes(tmp_path: Path) -> None:
    spec = write(tmp_path, "wide.yaml", WIDE)
    out = tmp_path / "wide"
    full = natosim("sweep", str(spec), "--workers", "2", "--out", str(out), preexec=file_size_limit(64_000))
    assert full.returncode == EXIT_ENVIRONMENT, full.stderr
    assert "could not be written (the file is larger than a file-size limit" in full.stderr
    assert f"complete the sweep with `natosim sweep {spec} --out {out} --resume`" in full.stderr
    assert "internal error" not in full.stderr and "Traceback" not in full.stderr
    m = manifest(out)
    assert m["complete"] is False and m["stopped"]["by"] == "write_error" and m["runs_done"] == len(read_runs(out))
    assert not list(out.rglob("*.tmp")) and not (out / execute.LOCK).exists()  # nothing half-written, no lock
    resumed = natosim("sweep", str(spec), "--workers", "2", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_once(out)


def test_a_full_disk_during_a_run_leaves_nothing_and_a_rerun_completes(tmp_path: Path) -> None:
    short = write(tmp_path, "short.yaml", SHORT)
    out = tmp_path / "run"
    full = natosim("run", str(short), "--no-plots", "--seeds", "2", "--out", str(out), preexec=file_size_limit(100_000))
    assert full.returncode == EXIT_ENVIRONMENT, full.stderr
    assert "could not be written (the file is larger than a file-size limit" in full.stderr
    assert f"nothing was kept in {out}" in full.stderr and "Traceback" not in full.stderr
    assert not out.exists()
    again = natosim("run", str(short), "--no-plots", "--seeds", "2", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 2 * 37


def test_a_failed_part_write_leaves_no_orphan_series_and_no_duplicate(tmp_path: Path, monkeypatch) -> None:
    import sim.outputs

    real = sim.outputs.write_table

    def full_disk(df, path, formats=("parquet", "csv")):
        if Path(path).parent.name == "runs":
            raise OSError(28, "No space left on device")
        return real(df, path, formats)

    monkeypatch.setattr(sim.outputs, "write_table", full_disk)
    w = Writer(tmp_path)
    w.add({"point_id": 0, "seed": 1}, pd.DataFrame({"point_id": [0], "seed": [1], "x": [0.5]}))
    with pytest.raises(OSError):
        w.flush()
    assert list((tmp_path / "series").glob("*.parquet")) == []  # its series part is removed with it
    assert w.rows == [] and w.series == []  # not written twice by a later flush
    monkeypatch.setattr(sim.outputs, "write_table", real)
    pd.DataFrame({"point_id": [3]}).to_parquet(tmp_path / "series" / "part-000007.parquet")  # a kill between writes
    assert drop_orphan_series(tmp_path) == ["part-000007.parquet"]


# -- a worker killed by the operating system -------------------------------------------------------------------
def test_a_killed_worker_exits_3_and_resume_completes(tmp_path: Path) -> None:
    spec = write(tmp_path, "long.yaml", INTERRUPTED)  # still running when its first part is written
    out = tmp_path / "long"
    proc = start("sweep", str(spec), "--workers", "2", "--out", str(out))
    wait_for(out / "runs" / "part-000000.parquet", proc)
    me = Path(f"/proc/{proc.pid}/cmdline").read_text()
    children = [int(c) for c in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
    workers = [c for c in children if Path(f"/proc/{c}/cmdline").read_text() == me]  # forked pool workers
    assert workers, children
    os.kill(workers[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_ENVIRONMENT, err
    assert "error: a worker process: died before its runs finished (killed by the operating system" in err
    assert f"runs are written to {out}; complete the sweep with `natosim sweep {spec} --out {out} --resume`" in err
    assert "Traceback" not in err
    m = manifest(out)
    assert m["complete"] is False and m["stopped"]["by"] == "worker_died"
    assert 0 < m["runs_done"] == len(read_runs(out)) < INTERRUPTED_RUNS
    resumed = natosim("sweep", str(spec), "--workers", "2", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_once(out, INTERRUPTED_ALL)


# -- an unreachable Dask scheduler -------------------------------------------------------------------------------
def test_an_unreachable_dask_scheduler_is_refused_quickly_and_leaves_no_folder(tmp_path: Path) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    out = tmp_path / "s"
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    began = time.time()
    proc = natosim("sweep", str(spec), "--dask", f"tcp://127.0.0.1:{port}", "--dask-timeout", "2", "--out", str(out))
    assert time.time() - began < 30
    assert proc.returncode == EXIT_ENVIRONMENT, proc.stderr
    assert f"error: the Dask scheduler tcp://127.0.0.1:{port}: could not be reached within 2 s" in proc.stderr
    assert "nothing was written" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    again = natosim("sweep", str(spec), "--workers", "1", "--out", str(out), "--resume")
    assert again.returncode == 0, again.stderr
    assert len(read_runs(out)) == 8 and manifest(out)["complete"] is True


# -- Ctrl-C ---------------------------------------------------------------------------------------------------------
def test_sigint_stops_a_sweep_cleanly_says_how_to_resume_and_resume_completes(tmp_path: Path) -> None:
    spec = write(tmp_path, "long.yaml", INTERRUPTED)
    out = tmp_path / "long"
    proc = start("sweep", str(spec), "--workers", "2", "--out", str(out))
    wait_for(out / "runs" / "part-000000.parquet", proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    m = manifest(out)
    done = len(read_runs(out))
    assert m["complete"] is False and m["stopped"]["by"] == "interrupt" and 0 < m["runs_done"] == done < INTERRUPTED_RUNS
    assert (f"the sweep was interrupted: {done} of {INTERRUPTED_RUNS} runs are written to {out} and "
            f"{INTERRUPTED_RUNS - done} are missing; "
            f"complete it with `natosim sweep {spec} --out {out} --resume`") in err
    assert "Traceback" not in err and not (out / execute.LOCK).exists()
    resumed = natosim("sweep", str(spec), "--workers", "2", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert_complete_once(out, INTERRUPTED_ALL)


def test_sigint_stops_a_run_and_leaves_nothing_that_blocks_a_rerun(tmp_path: Path) -> None:
    short = write(tmp_path, "short.yaml", SHORT)
    # long enough that the signal lands mid-run: 40 seeds of ``SHORT`` now finish within the half second
    # below (the signal then came as the process exited); 200 seeds to 2004 take some 4 s here
    longer = write(tmp_path, "longer.yaml", SHORT.replace("end: 1994-12", "end: 2004-12"))
    out = tmp_path / "run"
    proc = start("run", str(longer), "--no-plots", "--seeds", "200", "--workers", "2", "--out", str(out))
    wait_for(out, proc)  # created by the check before the runs start
    time.sleep(0.5)
    began = time.time()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.time() - began < 20  # the queued runs are not waited for
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "interrupted: nothing was written" in err and "run the command again" in err and "Traceback" not in err
    assert not out.exists()
    again = natosim("run", str(short), "--no-plots", "--seeds", "2", "--out", str(out))
    assert again.returncode == 0, again.stderr


# -- analyze without the sweep extra ----------------------------------------------------------------------------------
@pytest.mark.parametrize("package", ["SALib", "ema_workbench", "scipy"])
def test_analyze_without_the_sweep_extra_names_it_and_writes_nothing(tmp_path: Path, package: str) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    code = (f"import sys; sys.modules[{package!r}] = None; sys.argv = ['natosim', 'analyze', {str(folder)!r}]; "
            "from sim.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert proc.returncode == EXIT_ENVIRONMENT, proc.stderr
    assert f"natosim analyze needs the sweep extra, and the package {package!r} cannot be imported" in proc.stderr
    assert 'pip install -e ".[sweep]"' in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json"]  # no analysis/ folder


# -- Dask: results streamed to disk and released --------------------------------------------------------------------
def test_dask_results_are_written_and_released_as_they_finish(tmp_path: Path) -> None:
    from distributed import default_client

    sweep = load_sweep(write(tmp_path, "small.yaml", SMALL))
    held: list[int] = []  # the futures the client still holds, at each result written

    def progress(done: int, total: int) -> None:
        held.append(len(default_client().futures))

    out = run_sweep(sweep, tmp_path / "dask", workers=2, dask="local", chunk=1, progress=progress)
    assert len(held) == 8  # one task a run (chunk=1)
    # the scattered setup, plus at most the task being written and one whose release is in flight; keeping
    # every finished future until the end would hold all eight (and nine at the last)
    assert held[-1] <= 3, held
    local = run_sweep(sweep, tmp_path / "local", workers=1)
    pd.testing.assert_frame_equal(
        read_runs(out).sort_values(["point_id", "seed"]).reset_index(drop=True),
        read_runs(local).sort_values(["point_id", "seed"]).reset_index(drop=True))


def test_a_sampled_sweep_without_salib_names_the_extra_and_writes_nothing(tmp_path: Path) -> None:
    text = (SMALL.replace("design: grid", "design: lhs\nsamples: 4").replace("{levels: [0.0, 4.0]}", "{}")
            .replace("{levels: [0.3, 0.8]}", "{}"))
    spec = write(tmp_path, "lhs.yaml", text)
    out = tmp_path / "s"
    code = (f"import sys; sys.modules['SALib'] = None; sys.argv = ['natosim', 'sweep', {str(spec)!r}, '--out', "
            f"{str(out)!r}]; from sim.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)
    assert proc.returncode == EXIT_ENVIRONMENT, proc.stderr
    assert ("error: the Python package 'SALib': is not installed; drawing a lhs design needs it; install the sweep "
            'extra: pip install -e ".[sweep]"') in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
