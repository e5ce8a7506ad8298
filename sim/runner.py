"""Running scenarios: single runs and seed ensembles, and the result object.

``run(scenario, seeds)`` builds one model per seed, runs it to the scenario's
end and gathers the recorded arrays into three tables (``timeseries``,
``states``, ``events``).  Seeds are independent, so ensembles can run in
worker processes; results are identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.model import MODEL_OUTPUTS, STATE_OUTPUTS, NatoRussiaModel
from sim.scenario import Scenario
from sim.setup import ModelSetup

INT_COLUMNS = ("escalation_level", "nato_members", "applicants", "members_at_2pct", "cooperation_areas")
EVENT_COLUMNS = ("seed", "date", "actor", "targets", "type", "goldstein", "origin", "label", "source", "id")


def frames(model: NatoRussiaModel, seed: int, states: bool = True) -> dict[str, pd.DataFrame]:
    """Return a finished model's records as the timeseries, states and events tables."""
    dates = np.array(model.dates, dtype="datetime64[ns]")
    t, n = len(dates), model.world.n
    ts = pd.DataFrame(model.outputs(), columns=list(MODEL_OUTPUTS))
    for col in INT_COLUMNS:
        ts[col] = ts[col].astype("int64")
    ts["founding_act_in_force"] = ts["founding_act_in_force"].astype(bool)
    ts.insert(0, "date", dates)
    ts.insert(0, "seed", seed)
    ts.insert(3, "russia_action", model.action_records)
    ts.insert(4, "russia_target", model.target_records)
    ts["dialogue_channel"] = model.channel_records
    if not states:
        t, n = 0, model.world.n
    values = model.state_records[:t].transpose(0, 2, 1).reshape(t * n, len(STATE_OUTPUTS))
    st = pd.DataFrame(values, columns=list(STATE_OUTPUTS))
    st["member"] = st["member"].astype(bool)
    st["applicant"] = st["applicant"].astype(bool)
    st.insert(0, "state", np.tile(np.array(model.world.codes, dtype=object), t))
    st.insert(0, "date", np.repeat(dates[:t], n))
    st.insert(0, "seed", seed)
    ev = pd.DataFrame(model.event_log, columns=list(EVENT_COLUMNS[1:]))
    ev.insert(0, "seed", seed)
    ev["date"] = pd.to_datetime(ev["date"])
    return {"timeseries": ts, "states": st, "events": ev}


def run_one(setup: ModelSetup, seed: int, states: bool = True) -> dict[str, pd.DataFrame]:
    """Run one model with one seed; return its tables (``states=False`` leaves the state table empty)."""
    model = NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
    return frames(model, seed, states=states)


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

    def save(self, folder: str, plots: bool = True) -> str:
        """Write tables, manifest, summary and (optionally) plots into folder; return it."""
        from sim import outputs

        return outputs.save(self, folder, plots=plots)

    def plot_relations(self, ax: Any = None) -> Any:
        """Plot the relations index (median and band over seeds) with events annotated."""
        from sim import plots

        return plots.relations(self, ax=ax)

    def plot_all(self, folder: str) -> list[str]:
        """Write every standard plot as PNG and SVG into folder; return the paths."""
        from sim import plots

        return plots.all_plots(self, folder)


def _run_job(args: tuple[ModelSetup, int, bool]) -> dict[str, pd.DataFrame]:
    setup, seed, states = args
    return run_one(setup, seed, states=states)


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.runner"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def run_many(
    scenarios: list[Scenario],
    seeds: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    states: bool = True,
    **overrides: float,
) -> list[RunResult]:
    """Run several scenarios as seed ensembles through one pool of workers; return their results."""
    seed_lists = [[sc.seed] if seeds is None else [int(s) for s in seeds] for sc in scenarios]
    setups = [sc.setup(**overrides) for sc in scenarios]
    jobs = [(k, (setup, s, states)) for k, setup in enumerate(setups) for s in seed_lists[k]]
    began = time.perf_counter()
    parts: list[dict[str, pd.DataFrame]] = []
    if workers > 1 and len(jobs) > 1:
        with _pool(workers) as pool:
            for done, part in enumerate(pool.map(_run_job, [job for _, job in jobs], chunksize=4)):
                parts.append(part)
                if progress:
                    progress(done + 1, len(jobs))
    else:
        for done, (_, job) in enumerate(jobs):
            parts.append(_run_job(job))
            if progress:
                progress(done + 1, len(jobs))
    wall = time.perf_counter() - began
    results = []
    for k, sc in enumerate(scenarios):
        mine = [part for (owner, _), part in zip(jobs, parts) if owner == k]
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
            )
        )
    return results


def run(
    scenario: Scenario,
    seeds: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    **overrides: float,
) -> RunResult:
    """Run a scenario for each seed (default: the scenario's seed); return the result."""
    return run_many([scenario], seeds, workers=workers, progress=progress, **overrides)[0]
