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


def frames(model: NatoRussiaModel, seed: int) -> dict[str, pd.DataFrame]:
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
    values = model.state_records.transpose(0, 2, 1).reshape(t * n, len(STATE_OUTPUTS))
    st = pd.DataFrame(values, columns=list(STATE_OUTPUTS))
    st["member"] = st["member"].astype(bool)
    st["applicant"] = st["applicant"].astype(bool)
    st.insert(0, "state", np.tile(np.array(model.world.codes, dtype=object), t))
    st.insert(0, "date", np.repeat(dates, n))
    st.insert(0, "seed", seed)
    ev = pd.DataFrame(model.event_log, columns=list(EVENT_COLUMNS[1:]))
    ev.insert(0, "seed", seed)
    ev["date"] = pd.to_datetime(ev["date"])
    return {"timeseries": ts, "states": st, "events": ev}


def run_one(setup: ModelSetup, seed: int) -> dict[str, pd.DataFrame]:
    """Run one model with one seed; return its tables."""
    model = NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
    return frames(model, seed)


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


def _run_seed(args: tuple[ModelSetup, int]) -> dict[str, pd.DataFrame]:
    return run_one(*args)


def run(
    scenario: Scenario,
    seeds: Iterable[int] | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    **overrides: float,
) -> RunResult:
    """Run a scenario for each seed (default: the scenario's seed); return the result."""
    seeds = [scenario.seed] if seeds is None else [int(s) for s in seeds]
    setup = scenario.setup(**overrides)
    began = time.perf_counter()
    parts: list[dict[str, pd.DataFrame]] = []
    if workers > 1 and len(seeds) > 1:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["sim.runner"])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for k, part in enumerate(pool.map(_run_seed, [(setup, s) for s in seeds])):
                parts.append(part)
                if progress:
                    progress(k + 1, len(seeds))
    else:
        for k, s in enumerate(seeds):
            parts.append(run_one(setup, s))
            if progress:
                progress(k + 1, len(seeds))
    tables = {key: pd.concat([p[key] for p in parts], ignore_index=True) for key in parts[0]}
    return RunResult(
        scenario=scenario,
        seeds=seeds,
        params=dict(setup.params),
        timeseries=tables["timeseries"],
        states=tables["states"],
        events=tables["events"],
        wall_time_s=time.perf_counter() - began,
        overrides=dict(overrides),
    )
