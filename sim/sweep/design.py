"""Experimental designs: the points of a sweep (full grid, Latin hypercube, Sobol/Saltelli, Morris).

Sampling uses SALib (Saltelli/Sobol', Morris, Latin hypercube), seeded from the
sweep's seed, so the same file gives the same points everywhere.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.sweep.spec import Sweep, count

#: CPU seconds a sweep spends per simulated month of a run, measured on this project's 2-core development machine:
#: 48 runs of the historical scenario (385 months each, one series) took 12.8 s on one worker (0.27 s a run,
#: about 3.8 runs a second; the model alone, 0.20 s a run)
SECONDS_PER_RUN_MONTH = 0.27 / 385
#: bytes on disk per run, month and recorded series (a float series; the first carries the date, point and seed
#: columns): measured 10.7 from the series part files of the same sweep
BYTES_PER_SERIES_MONTH = 11
#: bytes on disk per run and column of the runs table (parameters and metrics), measured about 5-8
BYTES_PER_RUN_COLUMN = 8
#: bytes of a part file's own (schema, footer), runs and series each: measured about 6,000
BYTES_PER_PART = 6_000
#: finished runs are written every 200 runs or every second (``sim.sweep.execute``)
RUNS_PER_PART = 200


def problem(sweep: Sweep) -> dict:
    """Return the SALib problem (names and bounds) of the varied parameters."""
    names = list(sweep.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [list(sweep.bounds(n)) for n in names]}


def _grid(sweep: Sweep) -> np.ndarray:
    axes = []
    for name, spec in sweep.parameters.items():
        if spec.levels is not None:
            axes.append(sorted(set(spec.levels)))
        else:
            low, high = sweep.bounds(name)
            axes.append(np.linspace(low, high, sweep.levels).tolist())
    return np.array(list(itertools.product(*axes)), dtype=float)


def _lhs(sweep: Sweep) -> np.ndarray:
    from SALib.sample import latin
    from scipy import stats  # here, not at import: a grid needs neither SciPy nor SALib

    prob = problem(sweep)
    unit = {**prob, "bounds": [[0.0, 1.0]] * prob["num_vars"]}
    u = latin.sample(unit, sweep.samples, seed=sweep.seed)
    out = np.empty_like(u)
    for k, (name, spec) in enumerate(sweep.parameters.items()):
        low, high = sweep.bounds(name)
        if spec.distribution == "uniform":
            out[:, k] = low + u[:, k] * (high - low)
        elif spec.distribution == "normal":  # truncated to the plausible range
            a, b = (low - spec.mean) / spec.sd, (high - spec.mean) / spec.sd
            out[:, k] = stats.truncnorm.ppf(u[:, k], a, b, loc=spec.mean, scale=spec.sd)
        else:
            c = (spec.mode - low) / (high - low)
            out[:, k] = stats.triang.ppf(u[:, k], c, loc=low, scale=high - low)
    return out


def _saltelli(sweep: Sweep) -> np.ndarray:
    from SALib.sample import sobol

    return sobol.sample(problem(sweep), sweep.samples, calc_second_order=False, seed=sweep.seed)


def _morris(sweep: Sweep) -> np.ndarray:
    from SALib.sample import morris

    return morris.sample(problem(sweep), sweep.samples, num_levels=sweep.levels, seed=sweep.seed)


SAMPLERS = {"grid": _grid, "lhs": _lhs, "saltelli": _saltelli, "morris": _morris}


def size(sweep: Sweep) -> int:
    """Return the number of points of the sweep's design, by arithmetic (nothing is drawn)."""
    return count(sweep.design, sweep.parameters, sweep.samples, sweep.levels)


def _months(start, end) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month + 1)


@dataclass(frozen=True)
class Estimate:
    """What a sweep will cost, estimated from its size and figures measured on a small sweep."""

    points: int
    replications: int
    months: int
    cpu_seconds: float
    disk_bytes: int
    workers: int | None
    #: with ``apply: from_branch``, the months each run simulates after the shared history
    months_after_branch: int | None = None
    #: runs already written (a ``--resume``): the time and disk are for the others
    done: int = 0

    @property
    def runs(self) -> int:
        """Return the number of runs (points x replications)."""
        return self.points * self.replications

    def resumed(self, done: int) -> Estimate:
        """Return the estimate of what is left when ``done`` runs are written already."""
        from dataclasses import replace

        done = min(max(0, int(done)), self.runs)
        left = (self.runs - done) / max(1, self.runs)
        return replace(self, cpu_seconds=self.cpu_seconds * left, disk_bytes=int(self.disk_bytes * left), done=done)

    def describe(self) -> str:
        """Return the estimate as one line of text, labelled as an estimate."""
        cpu = _duration(self.cpu_seconds)
        if self.workers:
            time = f"about {_duration(self.cpu_seconds / self.workers)} with {self.workers} workers ({cpu} of CPU)"
        else:
            time = f"about {cpu} of CPU, divided among the cluster's workers"
        months = f"{self.months} months each"
        if self.months_after_branch is not None:
            months += f", {self.months_after_branch} of them after the shared history"
        todo = f", {self.runs - self.done:,} still to run ({self.done:,} written)" if self.done else ""
        return (f"estimate: {self.runs:,} runs ({self.points:,} points x {self.replications} seeds, {months}){todo}, {time}, about {_bytes(self.disk_bytes)} on disk (from figures measured on a "
                "2-core machine; a guide, not a promise)")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000:
            return f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def estimate(sweep: Sweep, workers: int | None = None) -> Estimate:
    """Return the estimated CPU time and disk space of a sweep (``workers``: local processes, None on a cluster).

    A run simulates the months from the scenario's start to the horizon; with ``apply: from_branch`` each worker
    simulates the shared history once per seed and every run only the months from the branch on.
    """
    points, reps = size(sweep), sweep.replications
    runs = points * reps
    months = _months(sweep.scenario.start, sweep.horizon)
    simulated = runs * months
    after = None
    if sweep.apply == "from_branch":
        after = _months(sweep.branch, sweep.horizon)
        simulated = runs * after + reps * (workers or 1) * (months - after)
    cpu = simulated * SECONDS_PER_RUN_MONTH
    parts = 1 + min(runs, max(runs / RUNS_PER_PART, cpu / (workers or 1)))  # one part a second, at most
    columns = 2 + len(sweep.parameters) + len(sweep.metrics)
    disk = runs * (columns * BYTES_PER_RUN_COLUMN + months * BYTES_PER_SERIES_MONTH * len(sweep.series))
    disk += parts * BYTES_PER_PART * (2 if sweep.series else 1)
    return Estimate(points, reps, months, cpu, int(disk), workers, after)


def points(sweep: Sweep) -> pd.DataFrame:
    """Return the design: one row per point, ``point_id`` then one column per varied parameter."""
    values = SAMPLERS[sweep.design](sweep)
    df = pd.DataFrame(values, columns=list(sweep.parameters))
    df.insert(0, "point_id", np.arange(len(df), dtype=np.int64))
    return df


def seeds(sweep: Sweep) -> list[int]:
    """Return the replication seeds (the same for every point: common random numbers)."""
    return [sweep.seed * 1000 + k for k in range(sweep.replications)]
