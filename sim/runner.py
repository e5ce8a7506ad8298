"""Running scenarios: single runs and seed ensembles, and the result object.

``run(scenario, seeds)`` builds one model per seed, runs the seeds to the
scenario's end in lockstep chunks (``sim.lockstep``) and gathers the recorded
arrays into three tables (``timeseries``, ``states``, ``events``).  Seeds are
independent, so chunks can run in worker processes; results are identical
whatever the number of workers and the chunk size.

A scenario loaded with its calibration's posterior (``posterior: true``,
``--posterior``) runs each seed on its own particle, drawn from the seed alone
(``sim.posterior``); the draws are in ``RunResult.draws``.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import observables
from sim.lockstep import LOCKSTEP_MIN_RUNS, Lockstep, chunks, frozen_heap, small_pages
from sim.model import MODEL_OUTPUTS, STATE_OUTPUTS, NatoRussiaModel
from sim.scenario import Scenario
from sim.setup import ModelSetup

#: the columns of the tables by their declared type (``sim.observables``)
COLUMN_TYPES: dict[str, Any] = {o.name: {"int": "int64", "bool": bool, "float": "float64"}[o.dtype]
                                for o in observables.MODEL + observables.STATE}
EVENT_COLUMNS = ("seed", "date", "actor", "targets", "type", "goldstein", "origin", "label", "source", "id")


@dataclass
class RunRecord:
    """What one finished run recorded, as arrays and lists (cheap to send between processes)."""

    seed: int
    dates: np.ndarray
    codes: list[str]
    outputs: dict[str, np.ndarray]
    actions: list[str]
    targets: list[str]
    channels: list[str]
    state_records: np.ndarray | None
    event_log: list[tuple]

    @classmethod
    def of(cls, model: NatoRussiaModel, seed: int, states: bool = True) -> RunRecord:
        """Return the record of a finished model."""
        return cls(
            seed=seed,
            dates=np.array(model.dates, dtype="datetime64[ns]"),
            codes=list(model.world.codes),
            outputs=model.outputs(),
            actions=model.action_records,
            targets=model.target_records,
            channels=model.channel_records,
            state_records=model.state_records if states else None,
            event_log=model.event_log,
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the timeseries, states and events tables of this run."""
        return tables_of([self])


def tables_of(records: list[RunRecord]) -> dict[str, pd.DataFrame]:
    """Return the timeseries, states and events tables of several runs of one scenario, seed by seed.

    Each table is built in one go from its columns (in their final order and types),
    which pandas does far faster than adding and converting columns one at a time, or
    than building a table per run and concatenating them.
    """
    first = records[0]
    dates = first.dates
    steps = len(dates)
    runs = len(records)
    seeds = np.repeat(np.array([r.seed for r in records], dtype="int64"), steps)
    columns: dict[str, Any] = {"seed": seeds, "date": np.tile(dates, runs)}
    for name in MODEL_OUTPUTS:
        columns[name] = np.concatenate([np.asarray(r.outputs[name]) for r in records]).astype(COLUMN_TYPES[name])
        if name == MODEL_OUTPUTS[0]:
            columns["russia_action"] = [a for r in records for a in r.actions]
            columns["russia_target"] = [t for r in records for t in r.targets]
    columns["dialogue_channel"] = [c for r in records for c in r.channels]
    ts = pd.DataFrame(columns)
    n = len(first.codes)
    with_states = [r for r in records if r.state_records is not None]
    t = steps * len(with_states)
    values = (
        np.zeros((0, len(STATE_OUTPUTS)))
        if not with_states
        else np.concatenate([r.state_records.transpose(0, 2, 1).reshape(steps * n, len(STATE_OUTPUTS))
                             for r in with_states])
    )
    codes = np.array(first.codes, dtype=object)
    state_columns: dict[str, Any] = {
        "seed": np.repeat(np.array([r.seed for r in with_states], dtype="int64"), steps * n),
        "date": np.tile(np.repeat(dates, n), len(with_states)),
        # the codes as pandas infers them, repeated per date (faster than inferring 17,000 strings)
        "state": pd.Series(codes).array.take(np.tile(np.arange(n), t)) if t else codes[:0],
    }
    for i, name in enumerate(STATE_OUTPUTS):
        state_columns[name] = values[:, i].astype(bool) if COLUMN_TYPES[name] is bool else values[:, i]
    st = pd.DataFrame(state_columns, index=pd.RangeIndex(t * n))
    ev = pd.DataFrame([e for r in records for e in r.event_log], columns=list(EVENT_COLUMNS[1:]))
    ev.insert(0, "seed", np.repeat(np.array([r.seed for r in records], dtype="int64"),
                                   [len(r.event_log) for r in records]))
    ev["date"] = pd.to_datetime(ev["date"])
    return {"timeseries": ts, "states": st, "events": ev}


def frames(model: NatoRussiaModel, seed: int, states: bool = True) -> dict[str, pd.DataFrame]:
    """Return a finished model's records as the timeseries, states and events tables."""
    return RunRecord.of(model, seed, states).tables()


def simulate(setup: ModelSetup, seed: int, states: bool = True) -> RunRecord:
    """Run one model with one seed; return its record."""
    model = NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
    return RunRecord.of(model, seed, states)


def run_one(setup: ModelSetup, seed: int, states: bool = True) -> dict[str, pd.DataFrame]:
    """Run one model with one seed; return its tables (``states=False`` leaves the state table empty)."""
    return simulate(setup, seed, states).tables()


@dataclass
class RunResult:
    """The tables of a run or ensemble, with what produced them."""

    scenario: Scenario
    seeds: list[int]
    params: dict[str, float]
    timeseries: pd.DataFrame
    states: pd.DataFrame
    events: pd.DataFrame
    wall_time_s: float
    overrides: dict[str, float] = field(default_factory=dict)
    #: with a posterior: one row per seed, ``seed``, ``particle`` and the drawn values (``params`` are the
    #: point values they replace); None otherwise
    draws: pd.DataFrame | None = None

    def save(self, folder: str, plots: bool | str | list[str] = True, workers: int = 1,
             progress: Callable[[str, int, int], None] | None = None, svg: bool = True) -> str:
        """Write tables, manifest, summary and plots (all, none or some by name; SVG too unless ``svg`` is False)."""
        from sim import outputs

        return outputs.save(self, folder, plots=plots, workers=workers, progress=progress, svg=svg)

    def plot_relations(self, ax: Any = None) -> Any:
        """Plot the relations index (median and band over seeds) with events annotated."""
        from sim import plots

        return plots.relations(self, ax=ax)

    def plot_all(self, folder: str) -> list[str]:
        """Write every standard plot as PNG and SVG into folder; return the paths."""
        from sim import plots

        return plots.all_plots(self, folder)


#: the most runs of one scenario a process advances together in one lockstep ensemble (``sim.lockstep``);
#: 128 runs of the 45-state roster over 1991-2023 hold about 330 MB of records and 3 MB of world
LOCKSTEP_CHUNK = 128


def lockstep_chunk(runs: int, workers: int) -> int:
    """Return the chunk size for ``runs`` runs on ``workers`` processes: every process busy, at most LOCKSTEP_CHUNK."""
    return max(1, min(LOCKSTEP_CHUNK, -(-runs // max(1, workers))))


def _run_chunk(args: tuple[ModelSetup, list[int], bool, list[dict[str, float]]]) -> list[RunRecord]:
    """Run a chunk of seeds of one setup in lockstep; return their records, in seed order."""
    setup, seeds, states, drawn = args
    if len(seeds) < LOCKSTEP_MIN_RUNS:  # too few to gain from lockstep: one by one (the same results)
        return [simulate(setup.with_params(**values) if values else setup, seed, states)
                for seed, values in zip(seeds, drawn, strict=True)]
    ensemble = Lockstep(setup, seeds, params=drawn, states=states).run()
    return [RunRecord.of(model, seed, states) for model, seed in zip(ensemble.models, seeds, strict=True)]


def process_context(preload: list[str]) -> multiprocessing.context.BaseContext:
    """Return how worker processes start: forked from this process if it runs one Python thread, else by a fork server.

    A forked worker starts at once with every module imported (and every compiled kernel
    this process has loaded), where a spawned one spends a second or two importing them
    again.  Forking a process that runs other Python threads (a progress bar, a Dask
    client) can deadlock the child, so such a process hands the work to a fork server:
    a clean process that imports the ``preload`` modules once and forks the workers.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


def start_workers(
    workers: int, preload: list[str], initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """Start a pool of ``workers`` processes now (see ``process_context``) and return it."""
    pool = ProcessPoolExecutor(workers, mp_context=process_context(preload), initializer=initializer,
                               initargs=initargs)
    with warnings.catch_warnings():
        # Python warns on any fork of a process with more than one OS thread.  When we fork,
        # the only other threads are the idle pools of OpenBLAS and Arrow, which prepare
        # themselves for a fork (pthread_atfork handlers); no Python thread holds a lock.
        warnings.filterwarnings("ignore", message=r".*multi-threaded, use of fork\(\)", category=DeprecationWarning)
        pool.submit(int)  # the executor starts its processes with the first task
    return pool


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: cancel the tasks not started and end the workers (their runs in flight are lost).

    ``shutdown`` alone would wait for every running task, and with ``map`` for every
    submitted one; after Ctrl-C or a dead worker nothing more is wanted from the pool.
    """
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


def ignore_interrupts() -> None:
    """In a worker process: leave Ctrl-C to the parent, which stops the workers and says what was kept."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_died(advice: str) -> Exception:
    """Return the environment failure of a worker process that died (``BrokenProcessPool``)."""
    from sim.outputs import EnvironmentFailure

    return EnvironmentFailure(
        "a worker process", "died before its runs finished (killed by the operating system, most often for lack "
        "of memory, or by a signal)", advice)


def _init_run_worker() -> None:
    import gc

    ignore_interrupts()
    gc.freeze()


def _pool(workers: int) -> ProcessPoolExecutor:
    return start_workers(workers, ["sim.runner"], initializer=_init_run_worker)


def _values_by_seed(draws: pd.DataFrame | None) -> dict[int, dict[str, float]]:
    """Return each seed's drawn parameter values (empty without a posterior)."""
    if draws is None:
        return {}
    names = [c for c in draws.columns if c not in ("seed", "particle")]
    return {int(row["seed"]): {n: float(row[n]) for n in names} for row in draws.to_dict("records")}


@small_pages()  # numpy's huge pages off while the ensemble runs (see small_pages)
def run_many(
    scenarios: list[Scenario],
    seeds: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    states: bool = True,
    meanwhile: Callable[[], Any] | None = None,
    **overrides: float,
) -> list[RunResult]:
    """Run several scenarios as seed ensembles through one pool of workers; return their results.

    ``meanwhile`` (say, importing what will draw the results) runs in this process while the workers run
    (first, with one process).
    """
    seed_lists = [[sc.seed] if seeds is None else [int(s) for s in seeds] for sc in scenarios]
    setups = [sc.setup(**overrides) for sc in scenarios]
    draws = [sc.draws(seed_lists[k], overrides) for k, sc in enumerate(scenarios)]
    drawn = [_values_by_seed(d) for d in draws]
    total = sum(len(s) for s in seed_lists)
    size = lockstep_chunk(total, workers)
    # each scenario's seeds in lockstep chunks (a run's result does not depend on its chunk)
    jobs = [(k, (setup, [seed_lists[k][i] for i in part], states, [drawn[k].get(seed_lists[k][i], {}) for i in part]))
            for k, setup in enumerate(setups) for part in chunks(len(seed_lists[k]), size)]
    began = time.perf_counter()
    parts: list[tuple[int, dict[str, pd.DataFrame]]] = []
    done = 0

    def take(owner: int, records: list[RunRecord]) -> None:
        nonlocal done
        parts.append((owner, tables_of(records)))
        done += len(records)
        if progress:
            progress(done, total)

    if workers > 1 and len(jobs) > 1:
        pool = _pool(workers)
        try:
            # workers send arrays back; the tables are built here (far cheaper to pickle)
            finished = pool.map(_run_chunk, [job for _, job in jobs])  # every chunk submitted at once
            if meanwhile is not None:
                meanwhile()
            for (owner, _), records in zip(jobs, finished, strict=True):
                take(owner, records)
        except BrokenProcessPool:
            stop_workers(pool)
            raise worker_died(f"{done} of {total} runs had finished and nothing was written; run the "
                              "command again (with fewer --workers if the machine is short of memory)") from None
        except BaseException:  # Ctrl-C, or a failure here: do not wait for the runs still queued
            stop_workers(pool)
            raise
        pool.shutdown()
    else:
        if meanwhile is not None:
            meanwhile()
        with frozen_heap():  # the runs in this process
            for owner, job in jobs:
                take(owner, _run_chunk(job))
    wall = time.perf_counter() - began
    results = []
    for k, sc in enumerate(scenarios):
        mine = [part for owner, part in parts if owner == k]
        tables = {key: pd.concat([m[key] for m in mine], ignore_index=True) for key in mine[0]}
        results.append(
            RunResult(
                scenario=sc,
                seeds=seed_lists[k],
                params=dict(setups[k].params),
                timeseries=tables["timeseries"],
                states=tables["states"],
                events=tables["events"],
                wall_time_s=wall,
                overrides=dict(overrides),
                draws=draws[k],
            )
        )
    return results


def run(
    scenario: Scenario,
    seeds: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], Any] | None = None,
    **overrides: float,
) -> RunResult:
    """Run a scenario for each seed (default: the scenario's seed); return the result (``meanwhile``: see
    ``run_many``)."""
    return run_many([scenario], seeds, workers=workers, progress=progress, meanwhile=meanwhile, **overrides)[0]
