"""Which stylized facts discriminate: Morris screening of the six facts over the assumption parameters.

A fact that holds whatever the assumptions are is a consequence of the scheduled events, not a test of the
mechanisms; a fact that some assumption, moved across its plausible range, makes fail (or moves far beyond the
seeds' noise) tests that assumption.  This module measures which is which.

Method (``run``):

* **Parameters**: the registry's assumption-labelled parameters (``sim/data/parameters.yaml``, ``source:
  assumption``), or a chosen subset, each uniform over its plausible range.
* **Design**: Morris trajectories (SALib, through ``sim.sweep.design`` with a ``Sweep`` built here), ``LEVELS``
  grid levels; each step of a trajectory moves one parameter by ``DELTA`` = 2/3 of its range.
* **Runs**: every design point runs the historical scenario, from its start, with ``seeds`` seeds — the same seeds
  at every point (common random numbers) — and the six checks of ``sim.stylized`` are applied to that small
  ensemble.  The outcome per fact is its *margin* (``FactCheck.margin``: the smallest slack of its conditions, above
  zero exactly when it holds) and its pass indicator.
* **Statistics**: Morris ``mu_star``, ``mu_star_conf``, ``mu`` and ``sigma`` of each fact's margin per parameter
  (``sim.sweep.analyze.morris_indices``), and per parameter the share of its steps that flip the fact.
* **Noise floor**, from seed-to-seed variation at the base point (the scenario's own values), not from the design's
  common seeds: ``NOISE_BATCHES`` further ensembles of ``seeds`` seeds each, on seeds none of the design uses;
  ``noise_sd`` is the standard deviation of a fact's margin over them.  A parameter the model ignored, with the two
  points of each step run on independent seeds, would have elementary effects ``|N(0, 2 sd²)| / DELTA``; the floor
  is the mean of its ``mu_star`` over ``r`` steps plus two standard deviations:
  ``sqrt(2) sd / DELTA * (sqrt(2/pi) + 2 sqrt(1 - 2/pi) / sqrt(r))``.  The common seeds make the design's own steps
  less noisy than that, so the floor is conservative.
* **Reading**: a parameter *moves the fact beyond noise* when its ``mu_star`` is above the floor; it *flips* the fact
  when at one of its steps the fact passes on one side and fails on the other and the margin moves by more than
  ``2 sqrt(2) sd`` (two standard deviations of the difference of two independent ensembles).  A fact
  **discriminates** when at least one parameter moves it beyond noise or flips it.

``run(...)`` returns a :class:`FactSensitivity` that writes ``fact_sensitivity.csv`` (per fact and parameter),
``fact_sensitivity_summary.csv`` (per fact), ``fact_sensitivity_points.csv`` (the design with each point's
margins), ``fact_sensitivity_noise.csv`` (the base-point ensembles) and ``fact_sensitivity.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import parameters, runner, stylized

DEFAULT_TRAJECTORIES = 6
DEFAULT_SEEDS = 2
LEVELS = 4
#: the step of a Morris trajectory, as a share of a parameter's range (SALib's delta)
DELTA = LEVELS / (2 * (LEVELS - 1))
#: ensembles run at the base point for the noise floor
NOISE_BATCHES = 5
FACTS = tuple(c.__name__ for c in stylized.CHECKS)


def assumption_parameters() -> list[str]:
    """Return the registry's assumption-labelled parameters, in registry order."""
    return [n for n, p in parameters.registry().items() if p.source_kind == "assumption"]


def noise_floor(sd: float, trajectories: int, delta: float = DELTA) -> float:
    """Return the ``mu_star`` a parameter without effect stays below (mean + 2 SD) when each step's two points run on
    independent seeds whose margins scatter with standard deviation ``sd``."""
    scale = math.sqrt(2.0) * sd / delta
    return scale * (math.sqrt(2.0 / math.pi) + 2.0 * math.sqrt(1.0 - 2.0 / math.pi) / math.sqrt(trajectories))


def flip_threshold(sd: float) -> float:
    """Return the change of margin a flip must exceed to count (two SDs of the difference of two ensembles)."""
    return 2.0 * math.sqrt(2.0) * sd


def design(names: list[str], trajectories: int, seed: int, scenario: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the Morris design (point_id and one column per parameter) and the SALib problem, via ``sim.sweep``."""
    from sim.sweep import design as sweep_design
    from sim.sweep.spec import ParameterSpec, Sweep

    sweep = Sweep(name="fact_sensitivity", description="", path="", scenario=scenario, design="morris",
                  samples=trajectories, levels=LEVELS, replications=1, seed=seed, branch=scenario.start,
                  horizon=scenario.end, thaw=0.0, parameters={n: ParameterSpec() for n in names}, metrics=[],
                  series=[], raw={})
    return sweep_design.points(sweep), sweep_design.problem(sweep)


# --------------------------------------------------------------------------- running
_WORKER: dict[str, Any] = {}


def _init(setup: Any, scenario: Any) -> None:
    import gc

    _WORKER.update(setup=setup, scenario=scenario)
    gc.freeze()


def evaluate(setup: Any, scenario: Any, values: dict[str, float], seeds: list[int]) -> dict[str, Any]:
    """Run one point (``values`` over ``setup``) with ``seeds``; return each fact's margin and pass, or the error."""
    try:
        run_setup = setup.with_params(**values) if values else setup
        parts = [runner.simulate(run_setup, s, states=True).tables() for s in seeds]
        tables = {k: pd.concat([p[k] for p in parts], ignore_index=True) for k in parts[0]}
        result = runner.RunResult(scenario=scenario, seeds=list(seeds), params=dict(run_setup.params),
                                  timeseries=tables["timeseries"], states=tables["states"], events=tables["events"],
                                  wall_time_s=0.0)
        checks = stylized.check_all(result)
        return {"margins": [c.margin for c in checks], "passed": [bool(c.passed) for c in checks], "error": ""}
    except Exception as exc:  # noqa: BLE001 - a point that breaks is recorded, never fatal to the screening
        nan = [float("nan")] * len(stylized.CHECKS)
        return {"margins": nan, "passed": [False] * len(nan), "error": f"{type(exc).__name__}: {exc}"}


def _job(args: tuple[dict[str, float], list[int]]) -> dict[str, Any]:
    values, seeds = args
    return evaluate(_WORKER["setup"], _WORKER["scenario"], values, seeds)


def _run_all(setup: Any, scenario: Any, jobs: list[tuple[dict[str, float], list[int]]], workers: int,
             progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if workers > 1 and len(jobs) > 1:
        with runner.start_workers(workers, ["sim.runner", "sim.fact_sensitivity"], initializer=_init,
                                  initargs=(setup, scenario)) as pool:
            for done, res in enumerate(pool.map(_job, jobs, chunksize=1)):
                out.append(res)
                if progress:
                    progress(done + 1, len(jobs))
    else:
        for done, (values, seeds) in enumerate(jobs):
            out.append(evaluate(setup, scenario, values, seeds))
            if progress:
                progress(done + 1, len(jobs))
    return out


# --------------------------------------------------------------------------- analysis
def steps(x: np.ndarray, trajectories: int) -> list[tuple[int, int, int]]:
    """Return the steps of a Morris design as (row before, row after, index of the parameter that moved)."""
    size = x.shape[0] // trajectories
    out = []
    for t in range(trajectories):
        for j in range(size - 1):
            a, b = t * size + j, t * size + j + 1
            moved = np.flatnonzero(~np.isclose(x[a], x[b]))
            if len(moved) == 1:
                out.append((a, b, int(moved[0])))
    return out


def flips(x: np.ndarray, margins: np.ndarray, passed: np.ndarray, trajectories: int,
          threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Return per parameter the share of its steps that change pass/fail, and the number that also move the margin by
    more than ``threshold``."""
    k = x.shape[1]
    n, changed, robust = np.zeros(k), np.zeros(k), np.zeros(k)
    for a, b, i in steps(x, trajectories):
        n[i] += 1
        if passed[a] != passed[b]:
            changed[i] += 1
            if abs(margins[b] - margins[a]) > threshold:
                robust[i] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, changed / n, np.nan), robust


def analyse(points: pd.DataFrame, names: list[str], problem: dict[str, Any], margins: np.ndarray, passed: np.ndarray,
            noise: np.ndarray, trajectories: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-parameter table and the per-fact summary from the design's margins and the noise ensembles.

    ``margins`` and ``passed`` have one row per design point and one column per fact; ``noise`` one row per base
    ensemble and one column per fact.
    """
    from sim.sweep.analyze import morris_indices

    x = points[names].to_numpy(dtype=float)
    tables, summary = [], []
    for f, check in enumerate(stylized.CHECKS):
        y = margins[:, f]
        sd = float(np.std(noise[:, f], ddof=1)) if np.isfinite(noise[:, f]).sum() > 1 else float("nan")
        floor, thr = noise_floor(sd, trajectories), flip_threshold(sd)
        table = pd.DataFrame(index=pd.Index(names, name="parameter"),
                             columns=["mu_star", "mu_star_conf", "mu", "sigma"], dtype=float)
        note = ""
        if np.isfinite(y).all() and np.ptp(y) > 0:
            table.update(morris_indices(problem, x, y, LEVELS, seed))
        elif not np.isfinite(y).all():
            note = f"{int((~np.isfinite(y)).sum())} design points without a margin (failed runs); no indices"
        else:
            table[["mu_star", "mu_star_conf", "mu", "sigma"]] = 0.0
            note = "the margin does not vary over the design"
        share, robust = flips(x, y, passed[:, f], trajectories, thr)
        table["flip_share"] = share
        table["robust_flips"] = robust.astype(int)
        table["above_noise"] = table.mu_star > floor if np.isfinite(floor) else False
        table = table.sort_values("mu_star", ascending=False, na_position="last").reset_index()
        table.insert(0, "number", f + 1)
        table.insert(1, "fact", check.__name__)
        tables.append(table)
        above = table[table.above_noise.astype(bool)]
        flipped = table[table.robust_flips > 0]
        top = table.dropna(subset=["mu_star"]).head(3)
        discriminates = bool(len(above) or len(flipped))
        summary.append({
            "number": f + 1, "fact": check.__name__,
            "holds at design points": float(np.mean(passed[:, f])),
            "base margin (mean)": float(np.nanmean(noise[:, f])) if np.isfinite(noise[:, f]).any() else np.nan,
            "base holds (share of ensembles)": float(np.mean(noise[:, f] > 0)),
            "noise sd": sd, "noise floor (mu*)": floor,
            "parameters above noise": len(above),
            "top parameters (mu*)": ", ".join(f"{r.parameter} {r.mu_star:.3g}" for r in top.itertuples()),
            "flipped by": ", ".join(flipped.parameter) or "none",
            "discriminates": "yes" if discriminates else "no",
            "note": note,
        })
    return pd.concat(tables, ignore_index=True), pd.DataFrame(summary)


# --------------------------------------------------------------------------- result
@dataclass
class FactSensitivity:
    """The Morris screening of the six facts: indices per parameter, the per-fact summary, the runs."""

    indices: pd.DataFrame
    summary: pd.DataFrame
    points: pd.DataFrame
    noise: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def markdown(self, top: int = 10) -> str:
        """Return the report: method line, the per-fact summary and each fact's most influential parameters."""
        m = self.meta
        lines = [
            "# Which stylized facts discriminate: Morris screening over the assumption parameters", "",
            (f"{m.get('parameters', '?')} parameters, {m.get('trajectories', '?')} trajectories × "
             f"{m.get('parameters', 0) + 1} points = {m.get('points', '?')} design points; seeds per point: "
             f"{m.get('seeds', '?')}, the same at every point ({m.get('design_seeds', '')}); noise floor from "
             f"{m.get('noise_batches', '?')} ensembles of as many seeds at the base point "
             f"({m.get('calibration', '')}); {m.get('runs', '?')} runs in {m.get('wall_time_s', 0) / 60:.1f} min"
             + (f"; {m['failed']} points failed" if m.get("failed") else "") + "."), "",
            ("Outcome per fact: its margin (the smallest slack of its conditions; above 0 exactly when it holds). "
             "mu* = mean |elementary effect| of the margin over a step of 2/3 of the parameter's range; above noise "
             "= mu* above the floor of a parameter without effect; flipped by = a step of that parameter changes "
             "pass/fail and moves the margin by more than two SDs of seed noise. A fact **discriminates** when "
             "some parameter moves it beyond noise or flips it."), "",
            "## Per fact", "",
            _md(_fmt(self.summary)), "",
        ]
        for f, g in self.indices.groupby("number", sort=True):
            rows = g.head(top)[["parameter", "mu_star", "mu_star_conf", "mu", "sigma", "flip_share", "robust_flips",
                                "above_noise"]]
            lines += [f"## Fact {f} ({g.fact.iloc[0]}): the {min(top, len(g))} largest mu*", "", _md(_fmt(rows)), ""]
        return "\n".join(lines)

    def save(self, folder: str | Path) -> Path:
        """Write the CSV tables and the Markdown report into ``folder``; return it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.indices.to_csv(folder / "fact_sensitivity.csv", index=False)
        self.summary.to_csv(folder / "fact_sensitivity_summary.csv", index=False)
        self.points.to_csv(folder / "fact_sensitivity_points.csv", index=False)
        self.noise.to_csv(folder / "fact_sensitivity_noise.csv", index=False)
        (folder / "fact_sensitivity.md").write_text(self.markdown(), encoding="utf-8")
        return folder


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    return df.map(lambda v: f"{v:.3g}" if isinstance(v, float) and not isinstance(v, bool) else v)


def _md(df: pd.DataFrame) -> str:
    from sim.validation import _md as md

    return md(df)


def run(scenario: Any, names: list[str] | None = None, trajectories: int = DEFAULT_TRAJECTORIES,
        seeds: int = DEFAULT_SEEDS, workers: int = 1, noise_batches: int = NOISE_BATCHES, seed: int | None = None,
        progress: Callable[[int, int], None] | None = None, **overrides: float) -> FactSensitivity:
    """Screen the six facts over ``names`` (default: every assumption-labelled parameter) on ``scenario``.

    ``trajectories`` Morris trajectories, ``seeds`` seeds per point (the scenario's seed on), ``noise_batches``
    base-point ensembles for the noise floor; ``overrides`` fix other parameters at the base and every point.
    """
    names = list(names or assumption_parameters())
    unknown = sorted(set(names) - set(parameters.registry()))
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
    if trajectories < 2 or seeds < 1 or noise_batches < 2:
        raise ValueError("need at least 2 trajectories, 1 seed and 2 noise ensembles")
    first = scenario.seed if seed is None else seed
    design_seeds = [first + k for k in range(seeds)]
    noise_seeds = [[first + seeds * (b + 1) + k for k in range(seeds)] for b in range(noise_batches)]
    setup = scenario.setup(**overrides)
    points, problem = design(names, trajectories, first, scenario)
    jobs = [({n: float(v) for n, v in zip(names, row)}, design_seeds)
            for row in points[names].itertuples(index=False, name=None)]
    jobs += [({}, batch) for batch in noise_seeds]
    began = time.perf_counter()
    results = _run_all(setup, scenario, jobs, workers, progress)
    wall = time.perf_counter() - began
    design_res, noise_res = results[:len(points)], results[len(points):]
    margins = np.array([r["margins"] for r in design_res], dtype=float)
    passed = np.array([r["passed"] for r in design_res], dtype=bool)
    noise = np.array([r["margins"] for r in noise_res], dtype=float)
    indices, summary = analyse(points, names, problem, margins, passed, noise, trajectories, first)
    table = points.copy()
    for f, name in enumerate(FACTS):
        table[f"margin_{f + 1}"] = margins[:, f]
        table[f"holds_{f + 1}"] = passed[:, f]
    table["error"] = [r["error"] for r in design_res]
    noise_table = pd.DataFrame({"batch": range(noise_batches), "seeds": [" ".join(map(str, b)) for b in noise_seeds],
                                **{f"margin_{f + 1}": noise[:, f] for f in range(len(FACTS))}})
    meta = {"parameters": len(names), "trajectories": trajectories, "points": len(points), "seeds": seeds,
            "design_seeds": ", ".join(map(str, design_seeds)), "noise_batches": noise_batches,
            "runs": len(jobs) * seeds, "wall_time_s": wall, "failed": int(sum(bool(r["error"]) for r in design_res)),
            "calibration": ("registry values" if getattr(scenario, "calibration", "") == "none"
                            else f"calibration {getattr(scenario, 'calibration', '')}")
            + (f"; fixed {overrides}" if overrides else ""),
            "levels": LEVELS, "delta": DELTA}
    return FactSensitivity(indices=indices, summary=summary, points=table, noise=noise_table, meta=meta)


__all__ = ["DEFAULT_SEEDS", "DEFAULT_TRAJECTORIES", "DELTA", "FactSensitivity", "analyse", "assumption_parameters",
           "design", "evaluate", "flip_threshold", "flips", "noise_floor", "run", "steps"]
