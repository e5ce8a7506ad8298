"""Experimental designs: the points of a sweep (full grid, Latin hypercube, Sobol/Saltelli, Morris).

Sampling uses SALib (Saltelli/Sobol', Morris, Latin hypercube), seeded from the
sweep's seed, so the same file gives the same points everywhere.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from sim.sweep.spec import Sweep


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


def points(sweep: Sweep) -> pd.DataFrame:
    """Return the design: one row per point, ``point_id`` then one column per varied parameter."""
    values = SAMPLERS[sweep.design](sweep)
    df = pd.DataFrame(values, columns=list(sweep.parameters))
    df.insert(0, "point_id", np.arange(len(df), dtype=np.int64))
    return df


def seeds(sweep: Sweep) -> list[int]:
    """Return the replication seeds (the same for every point: common random numbers)."""
    return [sweep.seed * 1000 + k for k in range(sweep.replications)]
