"""Nothing written is lost (issue 14): part files numbered past the highest, a sweep folder held by one
process at a time, a foreign folder refused, and an incomplete sweep that says so (exit 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.sweep.execute import (
    LOCK,
    SweepLocked,
    Writer,
    folder_lock,
    next_part_number,
    read_runs,
    run_sweep,
)
from sim.sweep.spec import load_sweep

from .test_sweep import SMALL, _sorted, write


def _part(out: Path, sub: str, n: int, rows: list[dict]) -> None:
    (out / sub).mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(out / sub / f"part-{n:06d}.parquet", index=False)


def test_a_missing_part_never_makes_the_next_one_overwrite_a_later_part(tmp_path: Path) -> None:
    for n in (0, 2):  # part 1 lost (deleted, or never written)
        _part(tmp_path, "runs", n, [{"point_id": n, "seed": 0}])
    _part(tmp_path, "series", 3, [{"point_id": 3, "seed": 0}])
    assert next_part_number(tmp_path) == 4  # past the highest of runs and series, not the count (2)
    w = Writer(tmp_path)
    w.add({"point_id": 9, "seed": 0}, None)
    w.flush()
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [
        "part-000000.parquet", "part-000002.parquet", "part-000004.parquet"]
    assert sorted(read_runs(tmp_path).point_id) == [0, 2, 9]


def test_a_resume_after_a_lost_part_completes_without_duplicates(tmp_path: Path) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    out = tmp_path / "s"
    whole = _sorted(read_runs(run_sweep(load_sweep(spec), out, workers=1)))
    parts = sorted((out / "runs").glob("part-*.parquet"))
    lost = parts[0]
    lost.unlink()  # a part lost: resume must rerun exactly its runs and overwrite nothing
    (out / "series" / lost.name).unlink(missing_ok=True)
    run_sweep(load_sweep(spec), out, workers=1, resume=True)
    again = _sorted(read_runs(out))
    assert len(again) == len(whole) and not again.duplicated(["point_id", "seed"]).any()
    pd.testing.assert_frame_equal(again.drop(columns=["wall_s"], errors="ignore"),
                                  whole.drop(columns=["wall_s"], errors="ignore"))
    assert json.loads((out / "manifest.json").read_text())["complete"] is True


def test_a_folder_is_held_by_one_sweep_at_a_time(tmp_path: Path) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    out = tmp_path / "s"
    with folder_lock(out), pytest.raises(SweepLocked, match=f"pid {os.getpid()}"):
        run_sweep(load_sweep(spec), out, workers=1, resume=True)
    assert not (out / LOCK).exists()  # released
    # a lock left by a process that is gone is taken over
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    import socket

    (out / LOCK).write_text(json.dumps({"host": socket.gethostname(), "pid": int(dead.stdout), "since": "then"}))
    run_sweep(load_sweep(spec), out, workers=1, resume=True)
    assert json.loads((out / "manifest.json").read_text())["complete"] is True and not (out / LOCK).exists()


def test_a_folder_holding_other_files_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("not a sweep")
    with pytest.raises(FileExistsError, match=r"holds other files \(thesis.docx\) and no sweep manifest"):
        run_sweep(load_sweep(spec), out, workers=1)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def test_an_incomplete_sweep_exits_1_and_says_how_to_resume(tmp_path: Path, monkeypatch) -> None:
    spec = write(tmp_path, "small.yaml", SMALL)
    out = tmp_path / "s"

    def interrupted(sweep, folder, **kw):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text(json.dumps({"runs_done": 3, "runs_total": 8, "runs_failed": 0,
                                                          "complete": False}))
        return folder

    monkeypatch.setattr("sim.sweep.execute.run_sweep", interrupted)
    r = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert r.exit_code == 1
    assert "the sweep is incomplete: 5 of 8 runs are missing" in r.output and "--resume" in r.output


def test_killed_at_random_moments_a_part_lost_and_two_resumes_at_once_give_every_run_once(tmp_path: Path) -> None:
    """SIGKILL twice at random moments, a runs part deleted, then two --resume at once: one is refused,
    the other completes the sweep, and every run is there exactly once (the acceptance test of issue 14)."""
    import random
    import signal
    import time

    from .test_sweep import ROOT

    rnd = random.Random(int(os.environ.get("NATOSIM_KILL_SEED", "14")))
    spec = write(tmp_path, "long.yaml", SMALL.replace("levels: [0.0, 4.0]", "levels: [0.0, 1.0, 2.0, 3.0, 4.0]")
                 .replace("replications: 2", "replications: 96"))  # 5 x 2 x 96 = 960 runs, eight tasks
    out = tmp_path / "long"
    cmd = [sys.executable, "-m", "sim", "sweep", str(spec), "--workers", "1", "--out", str(out)]

    def parts() -> list[Path]:
        return sorted((out / "runs").glob("part-*.parquet"))

    for k in range(2):  # killed twice, each time a random moment after some progress
        seen = len(parts())
        proc = subprocess.Popen(cmd + (["--resume"] if k else []), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.time() + 180
        while time.time() < deadline and len(parts()) <= seen and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(rnd.uniform(0.0, 1.0))
        assert proc.poll() is None, "the sweep finished before it could be killed: make it longer"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    written = read_runs(out)
    assert 0 < len(written) < 960
    rnd.choice(parts()).unlink()  # a part lost (a disk error, a careless rm)
    assert len(read_runs(out)) < len(written)
    left = 960 - len(read_runs(out))

    first = subprocess.Popen(cmd + ["--resume"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    def holder() -> int | None:
        try:  # the killed processes left their lock behind: wait until the first resume has taken it over
            return json.loads((out / LOCK).read_text()).get("pid")
        except (OSError, ValueError):
            return None

    deadline = time.time() + 120
    while time.time() < deadline and holder() != first.pid:
        time.sleep(0.02)
    assert holder() == first.pid, "the first resume never took the folder"
    second = subprocess.run(cmd + ["--resume"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert f"{left:,} still to run ({960 - left:,} written)" in err  # the estimate is for what is left
    assert second.returncode == 2, second.stderr
    assert "is being written by another natosim sweep" in second.stderr and "Traceback" not in second.stderr
    runs = read_runs(out)
    assert len(runs) == 960 and not runs.duplicated(["point_id", "seed"]).any()
    assert set(zip(runs.point_id, runs.seed, strict=True)) == {(p, s) for p in range(10) for s in range(5000, 5096)}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["runs_done"] == 960 and not (out / LOCK).exists()
