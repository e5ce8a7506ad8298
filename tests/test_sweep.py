"""Sweeps: validation of sweep files, identical results on every backend, kill and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.scenario import ScenarioError
from sim.sweep import design
from sim.sweep.execute import read_runs, read_series, run_sweep
from sim.sweep.spec import load_sweep

from .conftest import ROOT, SCENARIOS, write
from .test_cli import natosim

SMALL = f"""
name: small
scenario: {SCENARIOS / 'historical.yaml'}
design: grid
parameters:
  deterrence_presence_weight: {{levels: [0.0, 4.0]}}
  trust_negative_gain: {{levels: [0.3, 0.8]}}
replications: 2
seed: 5
horizon: 1997-12
metrics: [relations_at_horizon, max_escalation, cohesion_min]
series: [relations_index]
"""


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["point_id", "seed"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def small_spec(tmp_path_factory):
    return write(tmp_path_factory.mktemp("sweep"), "small.yaml", SMALL)


def test_designs_have_the_expected_sizes(tmp_path):
    for text, n in [
        (SMALL, 4),
        (SMALL.replace("design: grid", "design: lhs\nsamples: 7").replace("{levels: [0.0, 4.0]}", "{}")
         .replace("{levels: [0.3, 0.8]}", "{range: [0.3, 0.8]}"), 7),
        (SMALL.replace("design: grid", "design: saltelli\nsamples: 8").replace("{levels: [0.0, 4.0]}", "{}")
         .replace("{levels: [0.3, 0.8]}", "{}"), 8 * (2 + 2)),
        (SMALL.replace("design: grid", "design: morris\nsamples: 5").replace("{levels: [0.0, 4.0]}", "{}")
         .replace("{levels: [0.3, 0.8]}", "{}"), 5 * (2 + 1)),
    ]:
        sweep = load_sweep(write(tmp_path, "d.yaml", text))
        pts = design.points(sweep)
        assert len(pts) == n
        for name in sweep.parameters:
            low, high = sweep.bounds(name)
            assert pts[name].between(low, high).all()
        assert design.points(sweep).equals(pts)  # seeded: the same design every time


def test_include_assumptions_takes_every_assumption_parameter():
    sweep = load_sweep(ROOT / "scenarios" / "sweeps" / "global_assumptions.yaml")
    from sim import parameters

    assumed = {n for n, p in parameters.registry().items() if p.source_kind == "assumption"} - parameters.SETUP_ONLY
    assert assumed <= set(sweep.parameters)
    assert sweep.parameters["dummy_noise_floor"].dummy


@pytest.mark.parametrize(
    "change, field, words",
    [
        (("design: grid", "design: grid\ncolour: red"), "colour", "unknown key"),
        (("trust_negative_gain: {levels: [0.3, 0.8]}", "no_such_param: {levels: [1, 2]}"), "parameters.no_such_param", "unknown parameter"),
        (("levels: [0.3, 0.8]", "levels: [0.3, 7.0]"), "parameters.trust_negative_gain", "outside the plausible range"),
        (("design: grid", "design: lhs"), "samples", "required"),
        (("max_escalation, cohesion_min", "max_escalation, happiness"), "metrics[2]", "unknown metric"),
        (("series: [relations_index]", "series: [weather]"), "series[0]", "unknown output"),
        (("horizon: 1997-12", "horizon: 2099-12"), "horizon", "within the scenario"),
        (("design: grid", "design: factorial"), "design", "grid"),
        # issue 14: the input limits
        (("{levels: [0.3, 0.8]}", "{levels: []}"), "parameters.trust_negative_gain.levels", "is empty"),
        (("seed: 5", "seed: 4294967"), "seed", "less than or equal to 4294966 (the replications' seeds are seed * 1000"),
        (("seed: 5", "seed: -1"), "seed", "greater than or equal to 0"),
        (("{levels: [0.3, 0.8]}", "{levels: [.nan]}"), "parameters.trust_negative_gain.levels[0]", "finite number"),
        (("design: grid", "design: grid\ncolour: red"), "colour", "allowed keys: name, description, scenario"),
    ],
)
def test_bad_sweep_files_get_clear_errors(tmp_path, change, field, words):
    path = write(tmp_path, "bad.yaml", SMALL.replace(*change))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert any(f == str(path) and fld == field and words in msg for f, fld, msg in info.value.problems), info.value.problems


def test_designs_are_sized_before_they_are_built(tmp_path):
    """Issue 14: the size is arithmetic, the default limit refuses a design of more runs, ``max_runs`` raises it."""
    from sim.sweep.spec import MAX_RUNS, count

    lhs = SMALL.replace("design: grid", "design: lhs\nsamples: 50001").replace("{levels: [0.0, 4.0]}", "{}")
    lhs = lhs.replace("{levels: [0.3, 0.8]}", "{}")
    path = write(tmp_path, "big.yaml", lhs)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert info.value.problems == [(str(path), "samples", (
        f"design lhs makes 100,002 runs (50,001 points, samples, x 2 replications); allowed at most {MAX_RUNS:,}: "
        "make the design smaller, or raise the limit with `natosim sweep --max-runs N`"))]
    sweep = load_sweep(path, max_runs=100_002)
    assert design.size(sweep) == 50_001 and count("saltelli", sweep.parameters, 8, 4) == 8 * (2 + 2)
    assert count("morris", sweep.parameters, 5, 4) == 5 * (2 + 1)


def test_the_estimate_scales_with_runs_months_and_series(small_spec, tmp_path):
    sweep = load_sweep(small_spec)
    est = design.estimate(sweep, workers=2)
    assert (est.runs, est.months) == (8, 73)  # 4 points x 2 seeds; 1991-12 .. 1997-12
    assert est.cpu_seconds == pytest.approx(8 * 73 * design.SECONDS_PER_RUN_MONTH)
    longer = load_sweep(write(tmp_path, "r.yaml", SMALL.replace("replications: 2", "replications: 20")))
    more = design.estimate(longer, workers=2)
    assert more.cpu_seconds == pytest.approx(10 * est.cpu_seconds) and more.disk_bytes > 4 * est.disk_bytes
    assert more.disk_bytes > 80 * 73 * design.BYTES_PER_SERIES_MONTH  # 80 runs of one 73-month series
    assert est.describe().startswith("estimate: 8 runs (4 points x 2 seeds, 73 months each), about ")
    assert "with 2 workers" in est.describe() and "on disk" in est.describe()
    assert "divided among the cluster's workers" in design.estimate(sweep, workers=None).describe()


def test_bad_base_scenario_is_reported(tmp_path):
    path = write(tmp_path, "bad.yaml", SMALL.replace(str(SCENARIOS / "historical.yaml"), "nowhere.yaml"))
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert info.value.problems[0][1] == "scenario"


def test_same_results_with_one_two_workers_and_dask(small_spec, tmp_path):
    sweep = load_sweep(small_spec)
    one = _sorted(read_runs(run_sweep(sweep, tmp_path / "one", workers=1)))
    two = _sorted(read_runs(run_sweep(sweep, tmp_path / "two", workers=2)))
    dask = _sorted(read_runs(run_sweep(sweep, tmp_path / "dask", workers=2, dask="local")))
    assert len(one) == 8 and (one.status == "ok").all()
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, dask)
    series = read_series(tmp_path / "one")
    assert set(series.columns) == {"point_id", "seed", "date", "relations_index"} and len(series) == 8 * 73
    # the varied parameter does move the outcome
    assert one.groupby("trust_negative_gain").relations_at_horizon.mean().diff().abs().iloc[-1] > 0


def test_a_failing_run_is_recorded_not_fatal(small_spec, tmp_path, monkeypatch):
    """A run that fails (in its lockstep chunk, then alone) is recorded as failed; the chunk's others are not."""
    from sim import lockstep
    from sim.sweep import execute

    real = execute.NatoRussiaModel

    def flaky(setup, rng=None, **kw):
        if rng == 5000 and setup.params["trust_negative_gain"] == 0.8:
            raise RuntimeError("boom")
        return real(setup, rng=rng, **kw)

    monkeypatch.setattr(execute, "NatoRussiaModel", flaky)
    monkeypatch.setattr(lockstep, "NatoRussiaModel", flaky)
    runs = read_runs(run_sweep(load_sweep(small_spec), tmp_path / "f", workers=1))
    failed = runs[runs.status == "failed"]
    assert len(runs) == 8 and len(failed) == 2
    assert failed.error.str.contains("boom").all() and (failed.trust_negative_gain == 0.8).all()


def test_killed_sweep_resumes_to_exactly_the_complete_set(tmp_path):
    spec = write(tmp_path, "long.yaml", SMALL.replace("levels: [0.0, 4.0]", "levels: [0.0, 1.0, 2.0, 3.0, 4.0]")
                 .replace("replications: 2", "replications: 48"))  # 5 x 2 x 48 = 480 runs: four tasks (of at most 128) on one worker
    out = tmp_path / "long"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--workers", "1", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "runs").glob("part-*.parquet")):
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = read_runs(out)
    assert 0 < len(partial) < 480
    result = natosim("sweep", str(spec), "--workers", "2", "--resume", "--out", str(out))
    assert result.returncode == 0, result.stderr
    runs = read_runs(out)
    assert len(runs) == 480
    assert not runs.duplicated(["point_id", "seed"]).any()
    assert set(zip(runs.point_id, runs.seed)) == {(p, s) for p in range(10) for s in range(5000, 5048)}
    import json

    manifest = json.loads((Path(out) / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_done"] == 480


def test_sweep_cli_refuses_to_overwrite_and_bad_files(small_spec, tmp_path):
    ok = natosim("sweep", str(small_spec), "--workers", "1", "--out", str(tmp_path / "s"))
    assert ok.returncode == 0, ok.stderr
    assert "estimate: 8 runs (4 points x 2 seeds, 73 months each), about " in ok.stderr  # printed first
    few = natosim("sweep", str(small_spec), "--max-runs", "7", "--out", str(tmp_path / "f"))
    assert few.returncode == 2 and "makes 8 runs" in few.stderr and "allowed at most 7" in few.stderr
    assert not (tmp_path / "f").exists()
    again = natosim("sweep", str(small_spec), "--out", str(tmp_path / "s"))
    assert again.returncode == 2 and "--resume" in again.stderr
    bad = write(tmp_path, "bad.yaml", SMALL.replace("design: grid", "design: grid\nfoo: 1"))
    proc = natosim("sweep", str(bad), "--out", str(tmp_path / "b"))
    assert proc.returncode == 2 and "foo" in proc.stderr and "Traceback" not in proc.stderr


def test_from_branch_sweeps_leave_history_untouched(tmp_path):
    text = SMALL.replace("horizon: 1997-12", "horizon: 1999-12\nbranch: 1997-01\napply: from_branch")
    sweep = load_sweep(write(tmp_path, "fb.yaml", text))
    series = read_series(run_sweep(sweep, tmp_path / "fb", workers=1))
    before = series[series.date < "1997-01-01"].pivot_table(index=["seed", "date"], columns="point_id", values="relations_index")
    assert (before.nunique(axis=1) == 1).all()  # identical across points before the branch
    after = series[series.date >= "1998-01-01"].pivot_table(index=["seed", "date"], columns="point_id", values="relations_index")
    assert (after.nunique(axis=1) > 1).mean() > 0.5


def test_branch_must_precede_the_horizon(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_sweep(write(tmp_path, "b.yaml", SMALL + "branch: 1999-01\n"))
    assert info.value.problems[0][1] == "branch"


def test_resume_refuses_a_changed_sweep(small_spec, tmp_path):
    out = tmp_path / "r"
    run_sweep(load_sweep(small_spec), out, workers=1)
    changed = load_sweep(write(tmp_path, "changed.yaml", SMALL.replace("cohesion_min", "war_intensity")))
    with pytest.raises(ValueError, match="changed"):
        run_sweep(changed, out, workers=1, resume=True)


def test_set_fixes_a_parameter_for_the_whole_sweep(small_spec, tmp_path):
    import json

    fixed = _sorted(read_runs(run_sweep(load_sweep(small_spec), tmp_path / "b", workers=1,
                                        overrides={"us_commitment": 0.0})))
    assert len(fixed) == 8 and (fixed.status == "ok").all()
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["overrides"] == {"us_commitment": 0.0}
    with pytest.raises(ValueError, match="varies"):
        run_sweep(load_sweep(small_spec), tmp_path / "c", overrides={"trust_negative_gain": 0.5})
    proc = natosim("sweep", str(small_spec), "--set", "us_commitment=7", "--out", str(tmp_path / "d"))
    assert proc.returncode == 2 and "out of range" in proc.stderr


def test_shared_history_gives_identical_results(tmp_path):
    """A from_branch sweep continuing every point from one simulated history per seed equals running each alone."""
    text = SMALL.replace("horizon: 1997-12", "horizon: 1999-12\nbranch: 1997-01\napply: from_branch")
    text = text.replace("cohesion_min]", "cohesion_min, months_to_thaw, mean_p_attack_member, share_cyber_attack]")
    sweep = load_sweep(write(tmp_path, "fb.yaml", text))
    alone = tmp_path / "alone"
    run_sweep(sweep, alone, workers=1, share_history=False)
    for name, workers in (("shared", 1), ("shared2", 2)):
        out = run_sweep(sweep, tmp_path / name, workers=workers, chunk=3)
        pd.testing.assert_frame_equal(_sorted(read_runs(out)), _sorted(read_runs(alone)), check_exact=True)
        pd.testing.assert_frame_equal(
            read_series(out).sort_values(["point_id", "seed", "date"]).reset_index(drop=True),
            read_series(alone).sort_values(["point_id", "seed", "date"]).reset_index(drop=True),
            check_exact=True,
        )


def test_lockstep_tasks_are_two_per_worker_at_most_128_runs_and_never_below_the_asked_size():
    """Locally two tasks per worker (at most 128 runs); on Dask four (at most 64), as before."""
    from sim.sweep.execute import task_size

    assert task_size(200, 1, 4) == 100  # one worker: two tasks of 100
    assert task_size(200, 2, 4) == 50  # two workers: two tasks each
    assert task_size(2000, 1, 4) == 128  # the cap: a killed task loses at most 128 runs
    assert task_size(5, 2, 4) == 4  # never below the asked chunk
    assert task_size(7, 0, 1) == 4  # no workers counts as one
    assert task_size(200, 2, 1, dask=True) == 25  # on Dask: four tasks per worker, at most 64
    assert task_size(8, 2, 1, dask=True) == 1 and task_size(2000, 2, 1, dask=True) == 64
