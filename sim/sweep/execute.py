"""Running a sweep: every (point, seed) job on local processes or a Dask cluster, written as it finishes.

Results go to ``<out>/``: ``manifest.json``, ``points.parquet`` (the design),
``runs/part-*.parquet`` (one row per run: point id, seed, varied parameters,
metrics, status, error) and, if asked, ``series/part-*.parquet``.  Part files
are written atomically as runs finish, so a killed sweep loses only the runs in
flight, and ``resume`` runs only the (point, seed) pairs not yet written.  A run
that raises is recorded with its parameters and error; it does not stop the
sweep.  Each run depends only on its point and seed, so results are identical
whatever the backend or the number of workers.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import signal
import socket
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, CancelledError, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import calendar, metrics
from sim.events import Event
from sim.lockstep import LOCKSTEP_MIN_RUNS, Lockstep, frozen_heap
from sim.model import MODEL_OUTPUTS, NatoRussiaModel, Snapshot
from sim.outputs import EnvironmentFailure, check_output_folder, clear_new_folder, os_reason
from sim.runner import ignore_interrupts, start_workers, stop_workers, worker_died
from sim.setup import ModelSetup

if TYPE_CHECKING:
    from sim.sweep.spec import Sweep

Job = tuple[int, int, dict[str, float]]  # (point_id, seed, parameter values)

#: seconds to wait for a Dask scheduler to answer before giving up (``--dask-timeout``)
DASK_CONNECT_TIMEOUT = 10.0
#: what to install when an optional package of the sweeps is missing
SWEEP_EXTRA = 'pip install -e ".[sweep]"'


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; the runs finished so far are written and the manifest says so."""

    def __init__(self, out: Path, done: int, total: int, resume: str):
        self.out, self.done, self.total, self.resume = out, done, total, resume
        super().__init__(f"the sweep was interrupted: {done} of {total} runs are written to {out} and "
                         f"{total - done} are missing; complete it with `{resume}`")


@dataclass(frozen=True)
class Context:
    """What every job needs besides its point and seed."""

    branch: pd.Timestamp
    horizon: pd.Timestamp
    thaw: float
    metrics: tuple[str, ...]
    series: tuple[str, ...]
    dummies: tuple[str, ...]
    from_branch: bool = False
    #: with ``from_branch``, simulate the history every point shares (up to the branching
    #: step) once per seed and continue each point from its snapshot; identical results
    share_history: bool = True


def timeseries(model: NatoRussiaModel) -> pd.DataFrame:
    """Return a finished model's model-level outputs as a table (seed-less)."""
    ts = pd.DataFrame(model.outputs(), columns=list(MODEL_OUTPUTS))
    ts.insert(0, "date", np.array(model.dates, dtype="datetime64[ns]"))
    ts.insert(1, "russia_action", model.action_records)
    return ts


def branch_step(setup: ModelSetup, branch: pd.Timestamp) -> int:
    """Return the step at which values applied from the branching date first act."""
    return calendar.step_of(branch.date(), setup.start, setup.months_per_step)


#: a worker's snapshots of the shared history, per seed, for the setup it was taken from
_HISTORY: dict[str, Any] = {"setup": None, "branch": None, "snapshots": OrderedDict()}
_HISTORY_SEEDS = 4  # snapshots kept (jobs come seed by seed, so a few suffice)


def shared_history(setup: ModelSetup, branch: pd.Timestamp, seed: int) -> Snapshot | None:
    """Return the snapshot of a seed's run of the base setup just before the branching step.

    Every point of a ``from_branch`` sweep runs exactly this history (its values are
    applied by events at the branching step), so it is simulated once per seed and
    worker; ``None`` when the branch is the first step (nothing to share).
    """
    k = branch_step(setup, branch)
    if k <= 0:
        return None
    if _HISTORY["setup"] is not setup or _HISTORY["branch"] != branch:
        _HISTORY.update(setup=setup, branch=branch, snapshots=OrderedDict())
    snapshots: OrderedDict[int, Snapshot] = _HISTORY["snapshots"]
    snap = snapshots.get(seed)
    if snap is None:
        model = NatoRussiaModel(setup, rng=seed, mesa_collect=False)
        for _ in range(k):
            model.step()
        snap = snapshots[seed] = model.snapshot()
        while len(snapshots) > _HISTORY_SEEDS:
            snapshots.popitem(last=False)
    else:
        snapshots.move_to_end(seed)
    return snap


def _model_values(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    """Return a point's values that are model parameters (not the sweep's dummies)."""
    return {k: v for k, v in values.items() if k not in ctx.dummies}


def _result(ctx: Context, job: Job, outputs: dict[str, np.ndarray], dates: np.ndarray,
            found: dict[str, float]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Return a finished run's result row and, if asked, its series, from its outputs, its calendar (datetime64)
    and its metrics."""
    point_id, seed, values = job
    row: dict[str, Any] = {"point_id": point_id, "seed": seed, **values}
    row.update({m: found[m] for m in ctx.metrics})
    row.update(status="ok", error="")
    series = None
    if ctx.series:
        series = pd.DataFrame({"point_id": point_id, "seed": seed, "date": dates})
        for name in ctx.series:
            series[name] = outputs[name]
    return row, series


def run_job(setup: ModelSetup, ctx: Context, job: Job) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one (point, seed) alone: return its result row and, if asked, its series."""
    point_id, seed, values = job
    try:
        model_values = _model_values(ctx, values)
        if ctx.from_branch:  # the varied values take effect at the branching date, as scheduled events
            changes = [
                Event(ctx.branch.date(), "set_parameter", "NSA", (), params={"parameter": k, "value": v}, id=f"sweep-{k}")
                for k, v in model_values.items()
            ]
            run_setup = replace(setup, events=[*setup.events, *changes])
        else:
            run_setup = setup.with_params(**model_values)
        model = NatoRussiaModel(run_setup, rng=seed, mesa_collect=False)
        if ctx.from_branch and ctx.share_history:
            snap = shared_history(setup, ctx.branch, seed)
            if snap is not None:
                own = model.scheduled
                model.restore(snap)
                model.scheduled = own  # the point's own schedule: its values act from the branching step
        model.run()
        outputs, dates = model.outputs(), np.array(model.dates, dtype="datetime64[ns]")
        found = metrics.one_run(outputs, dates, model.action_records, ctx.branch, ctx.horizon, ctx.thaw)
        return _result(ctx, job, outputs, dates, found)
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded, never fatal to the sweep
        row: dict[str, Any] = {"point_id": point_id, "seed": seed, **values}
        row.update({m: float("nan") for m in ctx.metrics})
        row.update(status="failed", error=f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=3)}")
        return row, None


def run_chunk(setup: ModelSetup, ctx: Context, jobs: list[Job]) -> list[tuple[dict[str, Any], pd.DataFrame | None]]:
    """Run several jobs in one task: together in lockstep (``sim.lockstep``), or one by one where they cannot be.

    Points whose values act from a branching date run one by one (each has its own schedule), and so
    do chunks of fewer than ``LOCKSTEP_MIN_RUNS`` jobs (faster alone); a chunk that fails in lockstep is run again job by job, so that the failure is recorded for its own run.
    """
    if ctx.from_branch or len(jobs) < LOCKSTEP_MIN_RUNS:
        return [run_job(setup, ctx, job) for job in jobs]
    try:
        ensemble = Lockstep(setup, [seed for _, seed, _ in jobs],
                            params=[_model_values(ctx, values) for _, _, values in jobs], states=False).run()
    except Exception:  # noqa: BLE001 - each job again alone, to record which failed and why
        return [run_job(setup, ctx, job) for job in jobs]
    models = ensemble.models
    dates = np.array(models[0].dates, dtype="datetime64[ns]")  # the chunk's one calendar
    # every run's metrics at once (the bits of each run's own; 0.28 ms a run one by one, 2026-12-02)
    outputs = [m.outputs() for m in models]
    found = metrics.runs_metrics({name: np.stack([o[name] for o in outputs]) for name in outputs[0]}, dates,
                                 [m.action_records for m in models], ctx.branch, ctx.horizon, ctx.thaw)
    return [_result(ctx, job, outputs[q], dates, {name: float(found[name][q]) for name in ctx.metrics})
            for q, job in enumerate(jobs)]


# --- worker state for the local process pool (the setup is sent once per worker) -------------
_WORKER: dict[str, Any] = {}


def _init_worker(setup: ModelSetup, ctx: Context) -> None:
    _WORKER["setup"], _WORKER["ctx"] = setup, ctx
    ignore_interrupts()
    freeze_heap()


def freeze_heap() -> None:
    """Exempt a worker's long-lived objects from garbage collection (it then only scans what runs create).

    A worker that imported pandas, Dask and the model holds some 150,000 tracked
    objects; every full collection scans them all.  Freezing them after start-up
    measured about 15 % more runs per second in Dask workers.
    """
    gc.freeze()


def _local_chunk(jobs: list[Job]) -> list[tuple[dict[str, Any], pd.DataFrame | None]]:
    return run_chunk(_WORKER["setup"], _WORKER["ctx"], jobs)


class Writer:
    """Writes finished runs as atomic part files."""

    def __init__(self, out: Path, flush_rows: int = 200, flush_seconds: float = 1.0):
        self.out = out
        self.rows: list[dict[str, Any]] = []
        self.series: list[pd.DataFrame] = []
        self.flush_rows, self.flush_seconds = flush_rows, flush_seconds
        self.last = time.monotonic()
        (out / "runs").mkdir(parents=True, exist_ok=True)
        self.part = next_part_number(out)

    def add(self, row: dict[str, Any], series: pd.DataFrame | None) -> None:
        """Queue a finished run; flush when enough have gathered."""
        self.rows.append(row)
        if series is not None:
            self.series.append(series)
        if len(self.rows) >= self.flush_rows or time.monotonic() - self.last > self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the queued runs (and series) as the next part files.

        A run counts as written once its row is in ``runs/``; its series part is written
        first and removed again if the row's part cannot be written (a full disk, Ctrl-C),
        so a resume reruns it without duplicating its series.  The queue is emptied before
        writing: runs whose part fails are rerun by ``--resume``, never written twice.
        """
        from sim.outputs import write_table

        if not self.rows:
            return
        rows, series = self.rows, self.series
        self.rows, self.series = [], []
        self.last = time.monotonic()
        name = f"part-{self.part:06d}"
        while (self.out / "runs" / f"{name}.parquet").exists() or (self.out / "series" / f"{name}.parquet").exists():
            self.part += 1  # never write over a part file, whoever wrote it
            name = f"part-{self.part:06d}"
        self.part += 1
        series_part = None
        try:
            if series:
                (self.out / "series").mkdir(exist_ok=True)
                series_part = self.out / "series" / f"{name}.parquet"
                write_table(pd.concat(series, ignore_index=True), self.out / "series" / name, formats=("parquet",))
            write_table(pd.DataFrame(rows), self.out / "runs" / name, formats=("parquet",))
        except BaseException:
            if series_part is not None:
                series_part.unlink(missing_ok=True)
            raise


def drop_orphan_series(out: Path) -> list[str]:
    """Remove series parts whose runs part is missing (a sweep killed between the two writes); return their names.

    Their runs are not recorded as done, so a resume reruns them and writes their series again.
    """
    runs = {p.name for p in (out / "runs").glob("part-*.parquet")}
    orphans = [p for p in (out / "series").glob("part-*.parquet") if p.name not in runs]
    for p in orphans:
        p.unlink(missing_ok=True)
    return sorted(p.name for p in orphans)


def next_part_number(out: Path) -> int:
    """Return the number after the highest part file in a sweep folder (runs or series), 0 if none.

    Counting the files instead would reuse a number whenever one part is missing, and overwrite a later one.
    """
    numbers = [
        int(p.stem[5:]) for sub in ("runs", "series") for p in (out / sub).glob("part-*.parquet")
        if p.stem[5:].isdigit()
    ]
    return max(numbers, default=-1) + 1


LOCK = "sweep.lock"
#: what a sweep folder may hold (anything else means the folder is someone else's)
SWEEP_ENTRIES = frozenset({"runs", "series", "points.parquet", "manifest.json", LOCK, "analysis"})


class SweepLocked(FileExistsError):
    """Another live process is writing into the sweep folder."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def folder_lock(out: Path):
    """Hold a sweep folder for one process: a second run or --resume on it is refused while the first lives.

    The lock file records the holder's host and pid; a lock left by a process that is gone (killed,
    the machine rebooted) on this host is taken over, with the holder named.
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK
    me = {"host": socket.gethostname(), "pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                holder = {}
            same_host = holder.get("host") == me["host"]
            if same_host and isinstance(holder.get("pid"), int) and not _alive(holder["pid"]):
                path.unlink(missing_ok=True)  # its holder is gone: take it over
                continue
            raise SweepLocked(
                f"{out} is being written by another natosim sweep (host {holder.get('host', '?')}, pid "
                f"{holder.get('pid', '?')}, since {holder.get('since', '?')}); wait for it to finish, or, if that "
                f"process is dead on another machine, remove {path} and run again with --resume"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        break
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def read_runs(out: str | Path) -> pd.DataFrame:
    """Return every run written so far in a sweep folder (empty if none)."""
    parts = sorted(Path(out, "runs").glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


def read_series(out: str | Path) -> pd.DataFrame:
    """Return the stored per-step series of a sweep folder (empty if none)."""
    parts = sorted(Path(out, "series").glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True) if parts else pd.DataFrame()


def _manifest(sweep: Sweep, pts: pd.DataFrame, seeds: list[int], extra: dict[str, Any]) -> dict[str, Any]:
    import sim

    return {
        "sweep": sweep.name,
        "file": sweep.path,
        "spec": sweep.raw,
        "scenario": sweep.scenario.to_dict(),
        "design": sweep.design,
        "varied": list(sweep.parameters),
        "dummies": [k for k, v in sweep.parameters.items() if v.dummy],
        "bounds": {k: list(sweep.bounds(k)) for k in sweep.parameters},
        "points": len(pts),
        "seeds": seeds,
        "runs_total": len(pts) * len(seeds),
        "branch": str(sweep.branch),
        "horizon": str(sweep.horizon),
        "metrics": sweep.metrics,
        "series": sweep.series,
        "natosim_version": sim.__version__,
        "python": platform.python_version(),
        **extra,
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from sim.outputs import write_text

    write_text(json.dumps(data, indent=2, default=str), path)


def _chunks(jobs: list[Job], size: int) -> Iterable[list[Job]]:
    for k in range(0, len(jobs), size):
        yield jobs[k : k + size]


def resume_command(sweep: Sweep, out: Path) -> str:
    """Return the command that completes a sweep in ``out``."""
    return f"natosim sweep {sweep.path} --out {out} --resume"


def missing_package(module: str, what: str, exc: BaseException | None = None) -> EnvironmentFailure:
    """Return the environment failure of an optional package that is not installed, naming the extra."""
    why = f" ({exc})" if exc is not None else ""
    return EnvironmentFailure(f"the Python package {module!r}", f"is not installed{why}; {what} needs it",
                              f"install the sweep extra: {SWEEP_EXTRA}")


def _require(module: str, what: str) -> None:
    """Check that an optional package of the sweeps can be found (without importing it: the workers start first)."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise missing_package(module, what)


def disk_needed(sweep: Sweep, jobs: int, workers: int | None) -> int:
    """Return the bytes the runs still to do need on disk: twice the sweep's estimate for them, at least 16 MB."""
    from sim.outputs import MIN_FREE_BYTES
    from sim.sweep import design

    whole = design.estimate(sweep, workers)
    return max(MIN_FREE_BYTES, int(2 * whole.disk_bytes * jobs / max(1, whole.runs)))


def connect(address: str, timeout: float = DASK_CONNECT_TIMEOUT) -> Any:
    """Connect to a Dask scheduler within ``timeout`` seconds; an unreachable one is an ``EnvironmentFailure``."""
    from dask.distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EnvironmentFailure(
            f"the Dask scheduler {address}", f"could not be reached within {timeout:g} s ({type(exc).__name__}: {exc})",
            "check the address and that `dask scheduler` runs there (or use --dask local, or raise --dask-timeout); "
            "nothing was written") from None


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    workers: int = 1,
    dask: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 4,
    overrides: dict[str, float] | None = None,
    share_history: bool = True,
    dask_timeout: float = DASK_CONNECT_TIMEOUT,
) -> Path:
    """Run every missing (point, seed) of a sweep into ``out``; return the folder.

    ``overrides`` fixes other parameters of the base scenario for the whole sweep
    (the command line's ``--set``); they are recorded in the manifest.  For an
    ``apply: from_branch`` sweep, ``share_history`` simulates the history up to the
    branching date once per seed (and worker) and continues every point from it;
    the results are identical to running each point from the start.

    Before any run, the output folder is checked (created, written, free space), the
    optional packages imported and a Dask scheduler (``dask`` an address) connected to
    within ``dask_timeout`` seconds; a failure of the machine — these, a full disk, a
    worker killed, a cluster lost — is an ``EnvironmentFailure`` and Ctrl-C a
    ``SweepInterrupted``, each after the finished runs are written and the manifest says
    the sweep is incomplete (``stopped``), so that ``resume`` completes it.
    """
    overrides = dict(overrides or {})
    out = Path(out)
    varied_and_fixed = sorted(set(overrides) & set(sweep.parameters))
    if varied_and_fixed:
        raise ValueError(f"--set {', '.join(varied_and_fixed)}: the sweep varies these; fix them in the sweep file")
    if sweep.design != "grid":  # a grid needs neither
        _require("scipy", f"drawing a {sweep.design} design")
        _require("SALib", f"drawing a {sweep.design} design")
    if dask:
        _require("distributed", "--dask")
    setup = replace(sweep.scenario.setup(**overrides), end=sweep.horizon)
    ctx = Context(
        branch=pd.Timestamp(sweep.branch),
        horizon=pd.Timestamp(sweep.horizon),
        thaw=sweep.thaw,
        metrics=tuple(sweep.metrics),
        series=tuple(sweep.series),
        dummies=tuple(k for k, v in sweep.parameters.items() if v.dummy),
        from_branch=sweep.apply == "from_branch",
        share_history=share_history,
    )
    created = check_output_folder(out)  # before any work: a folder that cannot be written is refused at once
    client = None
    if dask and dask != "local":
        try:
            client = connect(dask, dask_timeout)  # before anything is written: nothing to clear if it is unreachable
        except BaseException:
            if created:
                clear_new_folder(out, created)
            raise
    # the workers start while the design is drawn, the folder checked and the manifest written
    cluster_future = pool = None
    if dask == "local":
        from concurrent.futures import ThreadPoolExecutor

        starter = ThreadPoolExecutor(1, thread_name_prefix="natosim-cluster")
        cluster_future = starter.submit(start_local_cluster, workers)
        starter.shutdown(wait=False)
    elif not dask and workers > 1:
        pool = _local_pool(workers, setup, ctx)
    try:
        # here, not at import (worker processes do not need SciPy), and once the workers are starting
        try:
            from sim.sweep import design
        except ImportError as exc:
            raise missing_package(exc.name or "scipy", "drawing a sweep's design", exc) from None

        with folder_lock(out):
            return _run_sweep(sweep, out, workers, dask, resume, progress, chunk, overrides, design, setup, ctx,
                              cluster_future, pool, client)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if client is not None and client.status != "closed":
            client.close()
        if cluster_future is not None and not cluster_future.cancel():
            cluster = None if cluster_future.exception() else cluster_future.result()
            if cluster is not None and cluster.status.name != "closed":
                cluster.close()  # the sweep stopped before it used the cluster


def _local_pool(workers: int, setup: ModelSetup, ctx: Context) -> ProcessPoolExecutor:
    """Start a pool of worker processes (the setup given once to each) and start them now."""
    return start_workers(workers, ["sim.sweep.execute"], initializer=_init_worker, initargs=(setup, ctx))


class _WriteFailed(Exception):
    """The writer could not write a part file (its ``__cause__`` is the OS error)."""


@contextlib.contextmanager
def _no_interrupts():
    """Hold off Ctrl-C while the last runs and the manifest are written (in the main thread; elsewhere, nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if before is None else before)


def _dask_errors() -> tuple[type[BaseException], ...]:
    """Return the exceptions that mean a Dask cluster failed (lost scheduler or workers), not a run."""
    import asyncio

    errors: list[type[BaseException]] = [OSError, TimeoutError, CancelledError, asyncio.CancelledError]
    with contextlib.suppress(ImportError):
        from distributed.scheduler import KilledWorker

        errors.append(KilledWorker)
    return tuple(errors)


def _run_sweep(sweep: Sweep, out: Path, workers: int, dask: str | None, resume: bool,
               progress: Callable[[int, int], None] | None, chunk: int, overrides: dict[str, float],
               design: Any, setup: ModelSetup, ctx: Context, cluster_future: Any,
               pool: ProcessPoolExecutor | None, client: Any = None) -> Path:
    pts = design.points(sweep)
    seeds = design.seeds(sweep)
    existing = read_runs(out) if out.exists() else pd.DataFrame()
    strangers = sorted(p.name for p in out.iterdir() if p.name not in SWEEP_ENTRIES) if out.exists() else []
    if strangers and not (out / "manifest.json").exists():
        raise FileExistsError(
            f"{out} holds other files ({', '.join(strangers[:5])}{', …' if len(strangers) > 5 else ''}) and no sweep "
            "manifest: choose an empty or new folder with --out"
        )
    if out.exists() and (out / "manifest.json").exists() and not resume:
        raise FileExistsError(f"{out} holds a sweep already; use --resume to complete it, or another --out")
    if resume and (out / "points.parquet").exists():
        saved = pd.read_parquet(out / "points.parquet")
        if not saved.equals(pts):
            raise ValueError(f"{out}: the sweep's design changed since it was started; start a new folder")
    if resume and (out / "manifest.json").exists():
        before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        now = json.loads(json.dumps({"spec": sweep.raw, "scenario": sweep.scenario.to_dict(),
                                     "overrides": overrides}, default=str))
        if any(before.get(key, {}) != now[key] for key in ("spec", "scenario", "overrides")):
            raise ValueError(f"{out}: the sweep file or its scenario changed since it was started; start a new folder")
    out.mkdir(parents=True, exist_ok=True)
    drop_orphan_series(out)
    from sim.outputs import write_table

    resume_with = resume_command(sweep, out)
    done = set(zip(existing.point_id, existing.seed)) if len(existing) else set()
    varied = list(sweep.parameters)
    records = pts[varied].to_dict("records")
    jobs: list[Job] = [
        (int(pid), seed, {k: float(v) for k, v in values.items()})
        for pid, values in zip(pts.point_id, records)
        for seed in seeds
        if (int(pid), seed) not in done
    ]
    if sweep.apply == "from_branch":
        # seed by seed, so that the runs of a chunk share one simulated history
        jobs.sort(key=lambda job: (job[1], job[0]))
    check_output_folder(out, disk_needed(sweep, len(jobs), workers))
    try:
        write_table(pts, out / "points", formats=("parquet",))
        backend = f"dask:{dask}" if dask else "local"
        started = datetime.now(UTC).isoformat()
        manifest = _manifest(
            sweep, pts, seeds, {"backend": backend, "workers": workers, "started": started, "overrides": overrides}
        )
        _write_json(out / "manifest.json", {**manifest, "runs_done": len(done), "complete": False})
    except OSError as exc:
        raise EnvironmentFailure(str(exc.filename or out), f"could not be written ({os_reason(exc)})",
                                 f"no run has started; free some space (or choose another --out) and run "
                                 f"`{resume_with}`") from None
    writer = Writer(out)
    total, finished = len(jobs), 0
    began = time.perf_counter()

    def take(results: list[tuple[dict[str, Any], pd.DataFrame | None]]) -> None:
        nonlocal finished
        try:
            for row, series in results:
                writer.add(row, series)
        except OSError as exc:
            raise _WriteFailed() from exc
        finished += len(results)
        if progress:
            progress(finished, total)

    stopped: dict[str, str] | None = None  # why the sweep stopped before its runs were done
    cause: BaseException | None = None
    dask_errors = _dask_errors() if dask else ()
    if not ctx.from_branch:  # runs advanced together in lockstep: chunks large enough to share each step's work
        chunk = task_size(len(jobs), workers, chunk, dask=bool(dask))
    try:
        if not jobs:
            pass
        elif dask:
            _run_dask(dask, workers, setup, ctx, jobs, chunk, take, cluster_future, client)
        elif workers > 1:
            if ctx.from_branch and ctx.share_history:
                # a seed's points in one task where the sweep is big enough: one history per seed
                chunk = max(chunk, min(len(pts), -(-len(jobs) // (4 * workers))))
            pending = {pool.submit(_local_chunk, c) for c in _chunks(jobs, chunk)}
            while pending:
                finished_now, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished_now:
                    take(future.result())
        else:
            with frozen_heap():  # the runs in this process
                for c in _chunks(jobs, chunk):
                    take(run_chunk(setup, ctx, c))
        try:
            writer.flush()
        except OSError as exc:
            raise _WriteFailed() from exc
    except KeyboardInterrupt as exc:
        stopped, cause = {"by": "interrupt", "message": "interrupted (Ctrl-C, SIGINT)"}, exc
    except BrokenProcessPool as exc:
        stopped, cause = {"by": "worker_died", "message": "a worker process died (killed by the operating system "
                                                          "or a signal)"}, exc
    except _WriteFailed as exc:
        error = exc.__cause__
        stopped, cause = {"by": "write_error", "message": f"{error.filename or out}: {os_reason(error)}"}, error
    except dask_errors as exc:
        stopped, cause = {"by": "dask_error", "message": f"the Dask cluster failed: {type(exc).__name__}: {exc}"}, exc
    if stopped is None:
        runs = read_runs(out)
        _write_json(out / "manifest.json", _final(manifest, runs, began))
        return out
    with _no_interrupts():
        if pool is not None:
            stop_workers(pool)  # runs in flight are lost; --resume reruns them
        with contextlib.suppress(OSError):
            writer.flush()  # what has finished (nothing more if the disk is what failed)
        runs = read_runs(out)
        with contextlib.suppress(OSError):  # if it fails, the manifest written at the start says incomplete
            _write_json(out / "manifest.json", {**_final(manifest, runs, began), "stopped": {
                **stopped, "at": datetime.now(UTC).isoformat()}})
    done_now, runs_total = len(runs), manifest["runs_total"]
    written = f"{done_now} of {runs_total} runs are written to {out}"
    if stopped["by"] == "interrupt":
        raise SweepInterrupted(out, done_now, runs_total, resume_with) from None
    if stopped["by"] == "worker_died":
        raise worker_died(f"{written}; complete the sweep with `{resume_with}` (with fewer --workers if the "
                          "machine is short of memory)") from None
    if stopped["by"] == "write_error":
        raise EnvironmentFailure(str(cause.filename or out), f"could not be written ({os_reason(cause)})",
                                 f"{written}; free some space (or raise the limit) and complete the sweep with "
                                 f"`{resume_with}`") from None
    raise EnvironmentFailure(f"the Dask cluster {dask}", f"failed ({type(cause).__name__}: {cause})",
                             f"{written}; check the cluster and complete the sweep with `{resume_with}`") from None


def _final(manifest: dict[str, Any], runs: pd.DataFrame, began: float) -> dict[str, Any]:
    """Return the manifest at the end of a sweep's run: the runs written, whether complete, the wall time."""
    return {
        **manifest,
        "runs_done": len(runs),
        "runs_failed": int((runs.status == "failed").sum()) if len(runs) else 0,
        "complete": len(runs) == manifest["runs_total"],
        "finished": datetime.now(UTC).isoformat(),
        "wall_time_s": round(time.perf_counter() - began, 3),
    }


#: Dask settings for a LocalCluster running model runs (pure Python, one thread per worker).
#: The workers' statistical profiler samples every thread's stack and holds the GIL; the
#: event-loop health check (every 20 ms by default), the system and memory monitors and
#: work stealing wake the scheduler, nannies and workers many times a second, which on a
#: small machine takes CPU from the runs.  None of them changes what is computed.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "2s",
    "distributed.scheduler.work-stealing": False,
}


def start_local_cluster(workers: int) -> Any:
    """Start a Dask LocalCluster of ``workers`` single-threaded processes tuned for model runs."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def dask_chunk(jobs: int, workers: int, chunk: int) -> int:
    """Return the runs per Dask task: at least ``chunk``, and few enough tasks (about 16 per
    worker, at most 32 runs each) that the scheduler's per-task work stays small next to the runs."""
    return max(chunk, min(32, jobs // max(1, 16 * workers)))


#: the most runs of a sweep one task advances together in lockstep (a killed task loses at most these): 128 runs
#: of 121 steps are about a second of one worker's work, and hold a few MB (no per-state record is kept)
SWEEP_LOCKSTEP_CHUNK = 128


#: the same for a Dask task (four per worker: a cluster's workers may differ in speed)
DASK_LOCKSTEP_CHUNK = 64


def task_size(jobs: int, workers: int, chunk: int, dask: bool = False) -> int:
    """Return the runs per task of a lockstep sweep: at least ``chunk``; locally two tasks per worker, at most 128
    (on Dask four per worker, at most 64).

    A lockstep step's fixed cost is shared by a task's runs, so fewer, larger tasks cost less; two per worker
    keep the workers busy to the end and the progress moving.  Measured 2026-12-02 (bench_sweep's 200-run sweep
    of 121 steps, one worker, one process, warm, CPU): tasks of 50 runs 1.36-1.51 s, of 100 runs 1.07-1.17 s.
    """
    per_worker, most = (4, DASK_LOCKSTEP_CHUNK) if dask else (2, SWEEP_LOCKSTEP_CHUNK)
    return max(chunk, min(most, -(-jobs // (per_worker * max(1, workers)))))


def _run_dask(address: str, workers: int, setup: ModelSetup, ctx: Context, jobs: list[Job], chunk: int,
              take: Callable[[list], None], cluster_future: Any = None, client: Any = None) -> None:
    """Run the jobs on a Dask cluster: ``local`` starts a LocalCluster, else a scheduler address.

    ``cluster_future`` is a LocalCluster being started in the background and ``client`` a
    client already connected to the scheduler (see ``run_sweep``).  Each task's results are
    written as it finishes and its future released at once, so the cluster holds only the
    results not yet taken, not the whole sweep's.
    """
    from dask.distributed import Client, as_completed

    cluster = None
    if client is None:
        if address == "local":
            cluster = cluster_future.result() if cluster_future is not None else start_local_cluster(workers)
            client = Client(cluster)
        else:
            client = connect(address)
    try:
        client.run(freeze_heap)
        base = client.scatter(setup, broadcast=True)
        size = dask_chunk(len(jobs), workers, chunk)
        pending = as_completed()  # holds each future until it is yielded, then lets it go
        for c in _chunks(jobs, size):
            pending.add(client.submit(run_chunk, base, ctx, c, pure=False))
        for future in pending:
            results = future.result()
            future.release()  # the cluster may forget this result now
            take(results)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
