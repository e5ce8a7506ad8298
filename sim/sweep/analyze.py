"""Analysis of a sweep folder: sensitivity indices, fan chart, outcome heatmaps and PRIM scenario discovery.

``analyze(folder)`` reads a sweep written by :mod:`sim.sweep.execute`, averages the
replications of each design point (failed runs are left out but counted) and writes
to ``<folder>/analysis/``:

* ``sensitivity.csv`` / ``sensitivity.md``: one row per metric × parameter with Sobol'
  S1 and ST (design ``saltelli``), Morris mu*, mu and sigma (``morris``) and, for every
  design, standardized rank regression coefficients (SRRC) with bootstrap confidence
  intervals; a dummy parameter the model never reads gives the noise floor;
* ``sensitivity_<metric>.png``: the indices as bars;
* ``heatmap_<metric>.png``: the outcome over the most influential pairs of parameters;
* ``fan_relations.png``: the relations index over the whole ensemble (if stored);
* ``discovery.csv`` / ``discovery.png``: the PRIM box (EMA Workbench) of the runs that
  reach the highest escalation level seen (or the lowest decile of relations);
* ``analysis.md``: a short report tying these together.

Every figure is written as PNG and SVG.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colors
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from scipy import stats

from sim.metrics import METRICS
from sim.plots import GUIDE, MAIN, date_axis, legend_outside, new_figure, save_figure, styled
from sim.sweep.execute import read_runs, read_series
from sim.world import ESCALATION_LEVELS

CONF_LEVEL = 0.95
#: bootstrap resamples for the SRRC confidence intervals
SRRC_RESAMPLES = 300
#: bins per parameter of the heatmaps of sampled designs
HEATMAP_BINS = 6
#: a parameter with at most this many distinct values is shown by value, not binned
CATEGORICAL_MAX = 8
#: PRIM: the density a box must reach to be reported
PRIM_DENSITY = 0.8
#: PRIM: the family-wise level of the restrictions' quasi-p test (Bonferroni over every limit PRIM could restrict)
PRIM_LEVEL = 0.05
#: x-axis of Sobol' charts when the intervals reach beyond it (indices lie in 0..1)
SOBOL_AXIS = (-0.25, 1.25)
#: above this many parameters, the PRIM chart shows only the restricted ones
DISCOVERY_ROWS = 15
#: parameters shown in a sensitivity chart (the most important ones, plus every dummy)
MAX_BARS = 25
DUMMY_COLOUR = "#9a9a9a"
FLOOR_COLOUR = "#333333"
S1_COLOUR = "#6baed6"
ST_COLOUR = MAIN
SIGMA_COLOUR = "#d94801"
POSITIVE = "#2166ac"
NEGATIVE = "#b2182b"
BOX_COLOUR = "#d7301f"
CHANCE_COLOUR = "#fc9272"
FREE_COLOUR = "#fde0d2"
RANGE_COLOUR = "#e5e5e5"
PRIMARY = {"saltelli": "ST", "morris": "mu_star", "lhs": "srrc", "grid": "srrc"}
#: the packages of the ``sweep`` extra that the analysis imports when it needs them (SciPy is imported above)
EXTRA_PACKAGES = ("SALib", "ema_workbench")


def require_extra() -> None:
    """Raise ``ImportError`` naming the package if one of the sweep extra's is missing (before anything is written)."""
    import importlib.util

    for name in EXTRA_PACKAGES:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ImportError(f"No module named {name!r} (the analysis needs the sweep extra: "
                              'pip install -e ".[sweep]")', name=name)
INDEX_NAMES = {"ST": "Sobol' total index ST", "mu_star": "Morris mu*", "srrc": "|SRRC|"}


# -- data ---------------------------------------------------------------------------------
@dataclass
class SweepData:
    """A sweep folder's design, runs and per-point means, ready for analysis."""

    folder: Path
    manifest: dict[str, Any]
    name: str
    design: str
    varied: list[str]
    dummies: list[str]
    bounds: dict[str, tuple[float, float]]
    metrics: list[str]
    points: pd.DataFrame
    runs: pd.DataFrame
    means: pd.DataFrame
    levels: int
    seed: int
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> pd.DataFrame:
        """Return the successful runs."""
        return self.runs[self.runs.status == "ok"]

    @property
    def parameters(self) -> list[str]:
        """Return the varied model parameters (the dummies left out)."""
        return [p for p in self.varied if p not in self.dummies]

    @property
    def missing_points(self) -> int:
        """Return how many design points have no successful run."""
        return int((self.means.n_ok == 0).sum())


def _window_months(manifest: dict[str, Any]) -> int | None:
    """Return the months from the branching date to the horizon, if the manifest gives both."""
    try:
        branch, horizon = pd.Timestamp(manifest["branch"]), pd.Timestamp(manifest["horizon"])
    except (KeyError, ValueError, TypeError):
        return None
    return (horizon.year - branch.year) * 12 + horizon.month - branch.month


def load(folder: str | Path) -> SweepData:
    """Read a sweep folder: manifest, design, runs, and the mean of each metric per point over its seeds."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    spec = manifest.get("spec") or {}
    points = pd.read_parquet(folder / "points.parquet").sort_values("point_id").reset_index(drop=True)
    varied = list(manifest.get("varied") or [c for c in points.columns if c != "point_id"])
    dummies = list(manifest.get("dummies") or [])
    raw_bounds = manifest.get("bounds") or {}
    bounds = {p: (float(raw_bounds[p][0]), float(raw_bounds[p][1])) if p in raw_bounds
              else (float(points[p].min()), float(points[p].max())) for p in varied}
    runs = read_runs(folder)
    notes: list[str] = []
    if runs.empty:
        runs = pd.DataFrame({"point_id": pd.Series(dtype="int64"), "seed": pd.Series(dtype="int64")})
    if "status" not in runs.columns:
        runs["status"] = "ok"
    if "error" not in runs.columns:
        runs["error"] = ""
    metrics = [m for m in manifest.get("metrics", []) if m in runs.columns]
    if "months_to_thaw" in metrics:
        window = _window_months(manifest)
        never = runs.months_to_thaw.isna() & (runs.status == "ok")
        if window is not None and never.any():
            runs.loc[never, "months_to_thaw"] = float(window + 1)
            notes.append(
                f"months_to_thaw: {int(never.sum())} successful runs never thaw before the horizon; "
                f"they count as {window + 1} months (the window plus one month, i.e. censored)."
            )
    ok = runs[runs.status == "ok"]
    grouped = ok.groupby("point_id")
    means = grouped[metrics].mean() if metrics else pd.DataFrame(index=grouped.size().index)
    means["n_ok"] = grouped.size()
    failed = runs[runs.status != "ok"].groupby("point_id").size()
    means = points.merge(means, left_on="point_id", right_index=True, how="left")
    means["n_ok"] = means["n_ok"].fillna(0).astype(int)
    means["n_failed"] = means.point_id.map(failed).fillna(0).astype(int)
    return SweepData(
        folder=folder,
        manifest=manifest,
        name=str(manifest.get("sweep", folder.name)),
        design=str(manifest.get("design", "lhs")),
        varied=varied,
        dummies=dummies,
        bounds=bounds,
        metrics=metrics,
        points=points,
        runs=runs,
        means=means,
        levels=int(spec.get("levels") or manifest.get("levels") or 4),
        seed=int(spec.get("seed") or manifest.get("seed") or 0),
        notes=notes,
    )


def problem(data: SweepData) -> dict[str, Any]:
    """Return the SALib problem (names and bounds, in design column order) of a sweep."""
    return {"num_vars": len(data.varied), "names": list(data.varied),
            "bounds": [list(data.bounds[p]) for p in data.varied]}


# -- sensitivity indices --------------------------------------------------------------------
def _standardize(a: np.ndarray) -> np.ndarray:
    sd = a.std(axis=0)
    return (a - a.mean(axis=0)) / np.where(sd > 0, sd, np.nan)


def _srrc_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit the rank regression; return the coefficients and R² of the ranks."""
    zx = _standardize(stats.rankdata(x, axis=0))
    zy = _standardize(stats.rankdata(y))
    if np.isnan(zx).any() or np.isnan(zy).any():
        return np.full(x.shape[1], np.nan), math.nan
    try:  # normal equations: the standardized ranks are well conditioned unless collinear
        beta = np.linalg.solve(zx.T @ zx, zx.T @ zy)
    except np.linalg.LinAlgError:
        beta, *_ = np.linalg.lstsq(zx, zy, rcond=None)
    resid = zy - zx @ beta
    return beta, float(1.0 - resid @ resid / (zy @ zy))


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """Return a context limiting BLAS to one thread (if threadpoolctl is installed)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def srrc(x: pd.DataFrame, y: np.ndarray, resamples: int = SRRC_RESAMPLES, conf_level: float = CONF_LEVEL,
         seed: int = 0) -> tuple[pd.DataFrame, float]:
    """Return standardized rank regression coefficients (srrc, srrc_conf per parameter) and the R² of the ranks."""
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    xv, yv = x.to_numpy(dtype=float)[keep], y[keep]
    out = pd.DataFrame({"srrc": np.nan, "srrc_conf": np.nan}, index=pd.Index(x.columns, name="parameter"))
    varying = [k for k in range(xv.shape[1]) if np.ptp(xv[:, k]) > 0] if len(yv) else []
    if len(yv) <= len(varying) + 1 or not varying or np.ptp(yv) == 0:
        return out, math.nan
    xv = xv[:, varying]
    beta, r2 = _srrc_fit(xv, yv)
    rng = np.random.default_rng(seed)
    boot = []
    with _one_blas_thread():  # many small fits: threads only contend
        for _ in range(resamples):
            idx = rng.integers(len(yv), size=len(yv))
            b, _ = _srrc_fit(xv[idx], yv[idx])
            if np.isfinite(b).all():
                boot.append(b)
    z = stats.norm.ppf(0.5 + conf_level / 2)
    conf = z * np.std(boot, axis=0, ddof=1) if len(boot) > 1 else np.full(len(varying), np.nan)
    names = [x.columns[k] for k in varying]
    out.loc[names, "srrc"] = beta
    out.loc[names, "srrc_conf"] = conf
    return out, r2


def sobol_indices(prob: dict[str, Any], y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Return Sobol' first-order and total indices (S1, S1_conf, ST, ST_conf) of a Saltelli sample's outputs."""
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol.analyze(prob, np.asarray(y, dtype=float), calc_second_order=False,
                           conf_level=CONF_LEVEL, seed=seed + 1)
    return pd.DataFrame({k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
                        index=pd.Index(prob["names"], name="parameter"))


def morris_indices(prob: dict[str, Any], x: np.ndarray, y: np.ndarray, levels: int, seed: int = 0) -> pd.DataFrame:
    """Return Morris elementary-effect statistics (mu_star, mu_star_conf, mu, sigma) of a Morris sample's outputs."""
    from SALib.analyze import morris

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = morris.analyze(prob, np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                            conf_level=CONF_LEVEL, num_levels=levels, seed=seed + 1)
    return pd.DataFrame({k: np.asarray(si[k], dtype=float) for k in ("mu_star", "mu_star_conf", "mu", "sigma")},
                        index=pd.Index(prob["names"], name="parameter"))


def _design_indices(data: SweepData, metric: str, y: np.ndarray) -> tuple[pd.DataFrame | None, str | None]:
    """Return the design's own indices (Sobol' or Morris) for one metric, or a note why there are none."""
    if data.design not in ("saltelli", "morris"):
        return None, None
    label = "Sobol'" if data.design == "saltelli" else "Morris"
    if not np.isfinite(y).all():
        missing = int((~np.isfinite(y)).sum())
        return None, (f"{metric}: {label} indices need a complete sweep, but {missing} of {len(y)} points have no "
                      "successful run; complete it with `natosim sweep SPEC --resume` (SRRC shown instead).")
    try:
        if data.design == "saltelli":
            return sobol_indices(problem(data), y, data.seed), None
        x = data.points[data.varied].to_numpy(dtype=float)
        return morris_indices(problem(data), x, y, data.levels, data.seed), None
    except (ValueError, RuntimeError, ZeroDivisionError) as exc:
        return None, f"{metric}: {label} analysis failed ({exc}); SRRC shown instead."


# -- the noise floor ---------------------------------------------------------------------------
#: Morris steps run again on a new seed (two runs each) to measure the seed noise of a sweep with one seed per point
NOISE_STEPS = 8
#: a noise floor is the mean plus this many standard deviations of the mu* of a parameter whose effect is noise
FLOOR_SDS = 2.0
#: the statuses of a parameter's index against the noise floor (or, when the noise is not measured, against zero)
ABOVE, WITHIN = "above noise floor", "within noise"
ABOVE_ZERO, NOT_ABOVE_ZERO = "above zero (noise not measured)", "not above zero"
POOLED = "*"


@dataclass
class SeedNoise:
    """The seed noise of the Morris elementary effects, and how it was measured.

    ``ee_sd[metric][parameter]`` is the standard deviation, between seeds, of an elementary
    effect of the parameter on a point mean, with the sweep's common seeds at both ends of the
    step (``POOLED``: over the steps of every parameter).  ``method`` is ``"replications"``
    (the sweep's own seeds), ``"re-runs"`` (steps run again on new seeds, ``runs``) or ``""``
    (not measured; ``note`` says why).
    """

    method: str
    ee_sd: dict[str, dict[str, float]] = field(default_factory=dict)
    steps: int = 0
    runs: pd.DataFrame | None = None
    note: str = ""

    def sd(self, metric: str, parameter: str) -> float:
        """Return the noise SD of one parameter's elementary effects on a metric (the pooled one if not its own)."""
        sds = self.ee_sd.get(metric, {})
        value = sds.get(parameter, sds.get(POOLED, math.nan))
        return float(value) if value is not None else math.nan


def morris_floor(ee_sd: float, trajectories: int) -> float:
    """Return the mu* a parameter whose elementary effects are only noise, N(0, ee_sd²), stays below (mean + 2 SD).

    The mean of ``|N(0, ee_sd²)|`` over ``r`` trajectories has mean ``ee_sd sqrt(2/pi)`` and
    standard deviation ``ee_sd sqrt(1 - 2/pi) / sqrt(r)``.
    """
    return ee_sd * (math.sqrt(2.0 / math.pi) + FLOOR_SDS * math.sqrt(1.0 - 2.0 / math.pi) / math.sqrt(max(trajectories, 1)))


def morris_steps(data: SweepData) -> pd.DataFrame:
    """Return every step of a Morris design: trajectory, its two point ids, the parameter moved and the step's signed size.

    The design's points come in trajectories of ``k + 1`` consecutive points, each moving one
    parameter by ``delta = levels / (2 (levels - 1))`` of its range (SALib's elementary effect is
    the metric's change divided by ``delta``, with the sign of the move).
    """
    k = len(data.varied)
    pts = data.points.sort_values("point_id")
    x = pts[data.varied].to_numpy(dtype=float)
    delta = data.levels / (2 * (data.levels - 1))
    ids = pts.point_id.to_numpy()
    rows = []
    for t in range(len(pts) // (k + 1)):
        for j in range(k):
            a, b = t * (k + 1) + j, t * (k + 1) + j + 1
            moved = np.flatnonzero(~np.isclose(x[a], x[b]))
            if len(moved) != 1:
                continue
            i = int(moved[0])
            rows.append({"trajectory": t, "a": int(ids[a]), "b": int(ids[b]), "parameter": data.varied[i],
                         "step": delta * float(np.sign(x[b, i] - x[a, i]))})
    return pd.DataFrame(rows, columns=["trajectory", "a", "b", "parameter", "step"])


def _effects(steps: pd.DataFrame, values: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return each step's elementary effect per seed from a table of (point_id, seed, metric) runs."""
    v = values.set_index(["point_id", "seed"])[metric]
    seeds = values.seed.unique()
    out = []
    for s in seeds:
        at = v.xs(s, level="seed") if s in v.index.get_level_values("seed") else pd.Series(dtype=float)
        ya = steps.a.map(at)
        yb = steps.b.map(at)
        out.append(steps.assign(seed=s, ee=(yb - ya) / steps.step))
    return pd.concat(out, ignore_index=True).dropna(subset=["ee"]) if out else steps.assign(seed=0, ee=np.nan)


def replication_noise(data: SweepData) -> SeedNoise:
    """Return the elementary effects' seed noise from the sweep's own replications (per parameter), if it has two."""
    ok = data.ok
    most = int(ok.groupby("point_id").size().max()) if len(ok) else 0
    if data.design != "morris" or most < 2:
        return SeedNoise("", note="the sweep has one seed per point")
    steps = morris_steps(data)
    per_point = max(1, len(data.manifest.get("seeds", [])) or most)
    ee_sd: dict[str, dict[str, float]] = {}
    for metric in data.metrics:
        ee = _effects(steps, ok, metric)
        dev = ee.ee - ee.groupby(["a", "b"]).ee.transform("mean")
        n = ee.groupby(["a", "b"]).ee.transform("size")
        ee = ee.assign(dev2=dev**2, dof=(n - 1) / n)
        by = ee.groupby("parameter")[["dev2", "dof"]].sum()
        sd = np.sqrt(by.dev2 / by.dof.where(by.dof > 0)) / math.sqrt(per_point)
        ee_sd[metric] = {**sd.to_dict(), POOLED: float(np.sqrt(by.dev2.sum() / by.dof.sum()) / math.sqrt(per_point))
                         if by.dof.sum() > 0 else math.nan}
    return SeedNoise("replications", ee_sd, len(steps))


def rerun_noise(data: SweepData, steps: int = NOISE_STEPS) -> SeedNoise:
    """Return the elementary effects' seed noise measured by running ``steps`` Morris steps again on new seeds.

    The steps are spread over the design's trajectories and parameters (dummies left out); both
    points of a step run on one new seed, as the sweep's common seeds do, with the sweep's own
    run function and the sweep file recorded in the manifest (it must be unchanged).  A step's
    new elementary effect minus the sweep's is two seeds' noise: ``sd² = mean(difference²) / 2``,
    pooled over the steps.
    """
    from dataclasses import replace

    from sim.sweep.execute import Context, run_job
    from sim.sweep.spec import load_sweep

    m = data.manifest
    path = m.get("file")
    if steps < 2:
        return SeedNoise("", note="no re-runs were asked for")
    if not path or not Path(path).is_file():
        return SeedNoise("", note=f"the sweep file {path or '(not recorded)'} is not found, so no step can be re-run")
    try:
        sweep = load_sweep(path, max_runs=None)
        now = json.loads(json.dumps({"spec": sweep.raw, "scenario": sweep.scenario.to_dict()}, default=str))
        if now["spec"] != m.get("spec") or now["scenario"] != m.get("scenario"):
            return SeedNoise("", note=f"the sweep file {path} or its scenario changed since the sweep ran")
        setup = replace(sweep.scenario.setup(**(m.get("overrides") or {})), end=sweep.horizon)
    except Exception as exc:  # noqa: BLE001 - the floor is then not measured, and the report says why
        return SeedNoise("", note=f"the sweep file {path} could not be read again ({exc})")
    ctx = Context(branch=pd.Timestamp(sweep.branch), horizon=pd.Timestamp(sweep.horizon), thaw=sweep.thaw,
                  metrics=tuple(data.metrics), series=(), dummies=tuple(data.dummies),
                  from_branch=sweep.apply == "from_branch")
    all_steps = morris_steps(data)
    real = all_steps[~all_steps.parameter.isin(data.dummies)].reset_index(drop=True)
    if len(real) < 2:
        return SeedNoise("", note="the design has fewer than two steps of a model parameter")
    # spread over the design: every len(real)/steps-th step (consecutive steps move different parameters)
    chosen = real.iloc[np.unique(np.linspace(0, len(real) - 1, min(steps, len(real))).round().astype(int))]
    used = [int(v) for v in m.get("seeds", [])] or [int(v) for v in data.runs.seed.unique()]
    top = max(used) + 1
    seeds = [top + j if top + len(chosen) <= 2**32 - 1 else min(used) - 1 - j for j in range(len(chosen))]
    points = data.points.set_index("point_id")
    rows = []
    for seed, step in zip(seeds, chosen.itertuples(index=False)):
        for pid in (step.a, step.b):
            values = {p: float(points.loc[pid, p]) for p in data.varied}
            row, _ = run_job(setup, ctx, (int(pid), int(seed), values))
            rows.append({"point_id": int(pid), "seed": int(seed), "status": row["status"],
                         **{k: row.get(k, math.nan) for k in data.metrics}})
    table = pd.DataFrame(rows)
    good = table[table.status == "ok"]
    ee_sd: dict[str, dict[str, float]] = {}
    count = 0
    for metric in data.metrics:
        new = _effects(chosen, good, metric).groupby(["a", "b"]).ee.first()
        old = _effects(chosen, data.ok, metric).groupby(["a", "b"]).ee.mean()
        d = (new - old).dropna().to_numpy()
        count = max(count, len(d))
        ee_sd[metric] = {POOLED: float(np.sqrt(np.mean(d**2) / 2.0)) if len(d) >= 2 else math.nan}
    if count < 2:
        return SeedNoise("", runs=table, note="fewer than two steps could be run again")
    return SeedNoise("re-runs", ee_sd, count, runs=table)


def seed_noise(data: SweepData, steps: int = NOISE_STEPS) -> SeedNoise:
    """Return the seed noise of a Morris sweep's elementary effects: from its replications, else by re-running steps.

    Only Morris sweeps are measured (with common seeds their dummy's mu* is zero by
    construction); ``steps`` 0 re-runs nothing.
    """
    if data.design != "morris":
        return SeedNoise("", note=f"the noise of a {data.design} design's own index is not measured")
    noise = replication_noise(data)
    if noise.method or steps <= 0:
        return noise
    return rerun_noise(data, steps)


def noise_floor(data: SweepData, noise: SeedNoise, metric: str, parameter: str) -> float:
    """Return a parameter's noise floor on Morris mu* for a metric (NaN if the noise is not measured)."""
    sd = noise.sd(metric, parameter)
    if data.design != "morris" or not noise.method or not np.isfinite(sd):
        return math.nan
    return morris_floor(sd, len(data.points) // (len(data.varied) + 1))


def sensitivity(data: SweepData, noise: SeedNoise | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Return the sensitivity table (one row per metric × parameter, most important first) and notes.

    ``noise`` (default: from the sweep's replications, if any) gives the noise floor of the
    Morris mu*; without it a parameter is only compared with zero (a dummy's mu* and Sobol'
    indices are zero with common seeds).
    """
    if noise is None:
        noise = replication_noise(data) if data.design == "morris" else SeedNoise("")
    columns = {"saltelli": ["S1", "S1_conf", "ST", "ST_conf"],
               "morris": ["mu_star", "mu_star_conf", "mu", "sigma"]}.get(data.design, [])
    columns += ["srrc", "srrc_conf", "srrc_r2"]
    notes: list[str] = []
    tables = []
    for k, metric in enumerate(data.metrics):
        y = data.means[metric].to_numpy(dtype=float)
        table = pd.DataFrame(index=pd.Index(data.varied, name="parameter"), columns=columns, dtype=float)
        finite = y[np.isfinite(y)]
        floor = pd.Series(math.nan, index=table.index)
        if len(finite) < 2 or np.ptp(finite) == 0:
            value = f" (always {finite[0]:.4g})" if len(finite) else ""
            notes.append(f"{metric}: does not vary over the sweep{value}; no sensitivity to measure.")
            table["method"], table["importance"] = "", np.nan
        else:
            own, note = _design_indices(data, metric, y)
            if note:
                notes.append(note)
            if own is not None:
                table.update(own)
                floor = pd.Series({p: noise_floor(data, noise, metric, p) for p in data.varied})
            coeffs, r2 = srrc(data.means[data.varied], y, seed=data.seed + k)
            table.update(coeffs)
            table["srrc_r2"] = r2
            primary = PRIMARY.get(data.design, "srrc") if own is not None else "srrc"
            table["method"] = INDEX_NAMES[primary]
            table["importance"] = table[primary].abs() if primary == "srrc" else table[primary]
        table.insert(0, "metric", metric)
        table.insert(1, "dummy", [p in data.dummies for p in data.varied])
        table["noise_sd"] = [noise.sd(metric, p) if np.isfinite(floor[p]) else math.nan for p in data.varied]
        table["noise_floor"] = floor.where(~table.dummy.to_numpy())
        tables.append(_noise_floor(table.reset_index()))
    if not tables:
        return pd.DataFrame(columns=["metric", "parameter", "dummy", *columns]), notes
    out = pd.concat(tables, ignore_index=True)
    lead = ["metric", "parameter", "dummy", "method", "importance", "rank", "status"]
    return out[lead + [c for c in [*columns, "noise_sd", "noise_floor"] if c in out.columns]], notes


def _importance_conf(table: pd.DataFrame) -> pd.Series:
    """Return the confidence half-width of each row's importance (0 where unknown)."""
    method = table["method"].iloc[0] if len(table) else ""
    conf = {INDEX_NAMES["ST"]: "ST_conf", INDEX_NAMES["mu_star"]: "mu_star_conf"}.get(method, "srrc_conf")
    return table[conf].astype(float).fillna(0.0) if conf in table else pd.Series(0.0, index=table.index)


def _noise_floor(table: pd.DataFrame) -> pd.DataFrame:
    """Sort one metric's rows by importance, rank them and mark them against the noise floor.

    With a measured floor (column ``noise_floor``: the seed noise's, for Morris mu*) a parameter
    is above it when its index is; the floor already holds the spread of the mu* of a parameter
    whose effects are only noise.  Otherwise, for SRRC, the floor is the top of the dummies'
    intervals (zero without a dummy) and a parameter is above it when the bottom of its own
    interval is; for Morris and Sobol' without a measured floor, the comparison is with zero.
    """
    table = table.sort_values("importance", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    method = table["method"].iloc[0] if len(table) else ""
    floor = table["noise_floor"].astype(float) if "noise_floor" in table else pd.Series(np.nan, index=table.index)
    conf = _importance_conf(table)
    tops = (table.importance + conf)[table.dummy]
    dummy_floor = float(tops.max()) if len(tops) and tops.notna().any() else 0.0
    common = method in (INDEX_NAMES["ST"], INDEX_NAMES["mu_star"])
    if floor.notna().any():
        above = table.importance > floor
        yes, no, dummy = ABOVE, WITHIN, "dummy (0 with common seeds; the floor is the seed noise's)"
    elif common:  # common seeds: the dummy's index is 0, not the noise
        above = (table.importance - conf) > dummy_floor
        yes, no, dummy = ABOVE_ZERO, NOT_ABOVE_ZERO, "dummy (0 with common seeds: not a noise floor)"
    else:
        above = (table.importance - conf) > dummy_floor
        yes, no, dummy = ABOVE, WITHIN, "dummy (noise floor)"
    table["status"] = np.where(table.dummy, dummy, np.where(table.importance.isna(), "", np.where(above, yes, no)))
    return table


# -- scenario discovery ---------------------------------------------------------------------
@dataclass
class Discovery:
    """The PRIM box of the runs of interest: its limits, statistics and the peeling trajectory."""

    target: str
    n_runs: int
    n_cases: int
    step: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    #: the quasi-p a restriction must stay below to count (``prim_alpha``)
    alpha: float = PRIM_LEVEL

    @property
    def restricted(self) -> pd.DataFrame:
        """Return the limits of the parameters the box restricts."""
        return self.limits[self.limits.restricted]


def case_of_interest(runs: pd.DataFrame, metrics: list[str]) -> tuple[np.ndarray, str] | None:
    """Return which runs are of interest (highest escalation level seen, else lowest relations decile) and why."""
    if "max_escalation" in metrics and runs.max_escalation.nunique() > 1:
        top = float(runs.max_escalation.max())
        name = ESCALATION_LEVELS[int(top)] if float(top).is_integer() and 0 <= top < len(ESCALATION_LEVELS) else ""
        label = f"level {top:g} ({name})" if name else f"level {top:g}"
        return np.isclose(runs.max_escalation.to_numpy(dtype=float), top), f"the run reaches escalation {label}"
    if "relations_at_horizon" in metrics and runs.relations_at_horizon.nunique() > 1:
        cut = float(runs.relations_at_horizon.quantile(0.1))
        return (runs.relations_at_horizon.to_numpy(dtype=float) <= cut,
                f"relations at the horizon in the lowest decile (≤ {cut:.3f})")
    return None


def _import_prim() -> Any:
    """Import the EMA Workbench's PRIM without its warnings about optional packages."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    return prim


def choose_step(trajectory: pd.DataFrame, density: float = PRIM_DENSITY) -> int:
    """Return the peeling step to report: of those reaching the density, the best coverage × density; else the last.

    Along PRIM's trajectory density rises and coverage falls; the product balances them
    (a step that gains density while keeping nearly all cases wins).  When no step reaches
    the density, the last (densest) box is reported.
    """
    reached = trajectory[trajectory.density >= density]
    if not len(reached):
        return int(trajectory.index[-1])
    return int((reached.coverage * reached.density).idxmax())


def prim_alpha(parameters: int, level: float = PRIM_LEVEL) -> float:
    """Return the quasi-p a restriction must stay below: ``level`` over the 2 × parameters limits PRIM chose among.

    At each peel PRIM picks the best of every parameter's two limits, so an uncorrected test
    at 0.05 passes chance restrictions (a dummy's among them) far more often than 5 % of the
    time; the Bonferroni correction bounds the chance of any false driver by ``level``.
    """
    return level / max(1, 2 * parameters)


def discover(x: pd.DataFrame, y: np.ndarray, bounds: dict[str, tuple[float, float]] | None = None,
             target: str = "the row is a case of interest", density: float = PRIM_DENSITY,
             dummies: list[str] | None = None) -> Discovery:
    """Find the PRIM box of the rows where y is true and report its limits at the chosen peeling step."""
    prim = _import_prim()
    x = x.astype(float).reset_index(drop=True)
    y = np.asarray(y, dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y).find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    step = choose_step(traj, density)
    lims, init = box.box_lims[step], box.box_lims[0]
    qp = box.p_values[step] if step < len(box.p_values) else {}
    alpha = prim_alpha(len(x.columns))
    rows = []
    for p in x.columns:
        lo, hi = float(lims.loc[0, p]), float(lims.loc[1, p])
        r_lo, r_hi = (bounds or {}).get(p, (float(init.loc[0, p]), float(init.loc[1, p])))
        restricted = not (np.isclose(lo, init.loc[0, p]) and np.isclose(hi, init.loc[1, p]))
        q = [v if v is not None and v >= 0 else np.nan for v in qp.get(p, [np.nan, np.nan])]
        sides = [not np.isclose(lo, init.loc[0, p]), not np.isclose(hi, init.loc[1, p])]
        # every restricted side must pass the test corrected for the candidates PRIM chose among
        passed = all(np.isfinite(v) and v < alpha for side, v in zip(sides, q) if side)
        dummy = p in (dummies or [])
        significant = bool(restricted and passed and not dummy)
        status = ("" if not restricted else "dummy: chance (never read by the model)" if dummy
                  else "driver" if significant else "likely chance")
        rows.append({"parameter": p, "dummy": dummy, "low": lo, "high": hi,
                     "range_low": r_lo, "range_high": r_hi, "restricted": restricted,
                     "restricts_low": bool(sides[0]), "restricts_high": bool(sides[1]),
                     "qp_low": q[0], "qp_high": q[1], "significant": significant, "status": status})
    limits = pd.DataFrame(rows)
    chosen = traj.loc[step]
    return Discovery(target=target, n_runs=len(y), n_cases=int(y.sum()), step=step,
                     coverage=float(chosen.coverage), density=float(chosen.density), mass=float(chosen["mass"]),
                     limits=limits, trajectory=traj[["id", "n", "k", "coverage", "density", "mass", "res_dim"]],
                     alpha=alpha)


def discovery(data: SweepData) -> tuple[Discovery | None, str]:
    """Run PRIM on the successful runs of a sweep; return the result (or None) and a note."""
    ok = data.ok.reset_index(drop=True)
    found = case_of_interest(ok, data.metrics) if len(ok) else None
    if found is None:
        return None, ("Scenario discovery skipped: neither max_escalation nor relations_at_horizon is among the "
                      "metrics with variation.")
    y, target = found
    if y.all() or not y.any():
        return None, f"Scenario discovery skipped: {'every' if y.all() else 'no'} run is of interest ({target})."
    result = discover(ok[data.varied], y, data.bounds, target, dummies=data.dummies)
    return result, ""


# -- figures --------------------------------------------------------------------------------
#: Russia's actions in words, for labels (``share_<action>``, ``mean_p_<action>``)
ACTION_WORDS: dict[str, str] = {
    "cooperate": "cooperation", "dialogue": "dialogue", "status_quo": "the status quo",
    "cyber_attack": "a cyber attack", "election_interference": "election interference", "sabotage": "sabotage",
    "energy_coercion": "energy coercion", "nuclear_signalling": "nuclear signalling",
    "aggression_nonmember": "aggression against a non-member", "attack_member": "an attack on a member",
}
#: what a metric means for one run of a sweep, where ``sim.metrics`` describes the ensemble's version
SWEEP_MEANINGS: dict[str, tuple[str, str]] = {
    "months_to_thaw": (("months from the branching date until the relations index first reaches the thaw "
                        "threshold (runs that never thaw count as the window plus one month)"), "months"),
    "mean_p_hostile": ("Russia's mean monthly probability of a hostile action (coercion or force)", "probability"),
    "mean_p_force": ("Russia's mean monthly probability of using force, against a member or a non-member",
                     "probability"),
}
#: metrics whose meaning changes sign at a value: (centre, word for below it, word for above it)
DIVERGING: dict[str, tuple[float, str, str]] = {
    "relations_at_horizon": (0.0, "hostile", "cooperative"),
    "relations_mean": (0.0, "hostile", "cooperative"),
    "relations_change": (0.0, "worsened", "improved"),
    "russia_trust_mean": (0.0, "distrust", "trust"),
}
#: one-signed metrics that are worse when higher (a yellow–red scale); the others use viridis
HIGHER_IS_WORSE = ("max_escalation", "war_intensity", "war_intensity_mean", "war_months", "russia_strain",
                   "threat_at_horizon", "threat_mean", "eastern_threat_at_horizon", "eastern_threat_mean",
                   "mean_p_hostile", "mean_p_force")
_HOSTILE = ("cyber_attack", "election_interference", "sabotage", "energy_coercion", "nuclear_signalling",
            "aggression_nonmember", "attack_member")


def _plain(text: str) -> str:
    """Return a meaning without Markdown: a parenthesis naming a code identifier is dropped, other backticks removed."""
    text = re.sub(r"\s*\(`[^`()]*`\)", "", text)
    return text.replace("`", "").replace("between branch and horizon", "from the branching date to the horizon")


def metric_meaning(metric: str) -> tuple[str, str]:
    """Return a sweep metric's meaning in plain words and its unit (from ``sim.metrics.METRICS``)."""
    if metric in SWEEP_MEANINGS:
        return SWEEP_MEANINGS[metric]
    known = {m.name: m for m in METRICS}
    for prefix, template in (("share_", "share_<action>"), ("mean_p_", "mean_p_<action>")):
        action = metric.removeprefix(prefix)
        if metric.startswith(prefix) and action in ACTION_WORDS:
            unit = known[template].unit if template in known else "share"
            if prefix == "share_":
                return f"share of steps in which Russia chose {ACTION_WORDS[action]}", unit
            return f"Russia's mean monthly probability of {ACTION_WORDS[action]}", unit
    level = re.fullmatch(r"p_level_(\d+)", metric)
    if level and int(level.group(1)) < len(ESCALATION_LEVELS):
        n = int(level.group(1))
        words = ESCALATION_LEVELS[n].replace("_", " ")
        return f"share of runs whose escalation ladder reaches level {n} ({words}) or higher", "probability"
    if metric in known:
        return _plain(known[metric].meaning), known[metric].unit
    return metric.replace("_", " "), ""


def metric_label(metric: str) -> str:
    """Return a readable label of a metric: its meaning in plain words and its unit, without the raw name."""
    meaning, unit = metric_meaning(metric)
    text = f"{meaning[0].upper()}{meaning[1:]}"
    return f"{text} ({unit})" if unit else text


@dataclass(frozen=True)
class ColourScale:
    """A heatmap's colour map and normalisation; ``ends`` names the colour bar's ends on a diverging scale."""

    cmap: str
    norm: colors.Normalize
    ends: tuple[str, str] | None = None


def colour_scale(metric: str, lo: float, hi: float) -> ColourScale:
    """Return the colour scale of a metric's values in lo..hi.

    A metric whose meaning changes sign (the relations index: hostile below 0, cooperative
    above) gets a diverging red–blue scale centred there, symmetric so that equal shades are
    equal distances from the centre: a hostile value is never blue.  One-signed metrics get a
    sequential scale over the values shown (yellow–red when higher is worse, else viridis).
    """
    if metric in DIVERGING:
        centre, below, above = DIVERGING[metric]
        m = max(abs(lo - centre), abs(hi - centre)) or 1.0
        return ColourScale("RdBu", colors.Normalize(centre - m, centre + m), (below, above))
    worse = metric in HIGHER_IS_WORSE or any(metric in (f"share_{a}", f"mean_p_{a}") for a in _HOSTILE)
    return ColourScale("YlOrRd" if worse else "viridis", colors.Normalize(lo, hi))


@styled
def fan_chart(series: pd.DataFrame, data: SweepData, column: str = "relations_index") -> Figure:
    """Plot a fan chart of an output over every run of the sweep: median, 50 % and 90 % bands."""
    fig, ax = new_figure()
    g = series.groupby("date")[column]
    q = pd.DataFrame({p: g.quantile(p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)})
    ax.fill_between(q.index, q[0.05], q[0.95], color=MAIN, alpha=0.15, lw=0, label="90 % of runs (5th–95th percentile)")
    ax.fill_between(q.index, q[0.25], q[0.75], color=MAIN, alpha=0.35, lw=0, label="50 % of runs (25th–75th percentile)")
    ax.plot(q.index, q[0.5], color=MAIN, lw=2.0, label="median over runs")
    ax.axhline(0.0, color=GUIDE, lw=0.8)
    branch = pd.Timestamp(data.manifest["branch"]) if data.manifest.get("branch") else None
    if branch is not None and branch > q.index.min():
        ax.axvline(branch, color="black", lw=1.0, ls="--", label=f"branch {branch:%Y-%m}")
    if column == "relations_index":
        ax.set_ylim(-1.0, 1.0)
        ax.set_ylabel("Relations index (−1 hostile … +1 cooperative)")
    else:
        ax.set_ylabel(column)
    runs = series.groupby(["point_id", "seed"]).ngroups
    ax.set_title(f"{column.replace('_', ' ').capitalize()} over the sweep {data.name}: {runs} runs "
                 f"({series.point_id.nunique()} points × {series.seed.nunique()} seeds)")
    date_axis(ax, q.index.min(), q.index.max())
    legend_outside(ax)
    return fig


def _axis_cells(values: pd.Series, design: pd.Series, bounds: tuple[float, float],
                by_value: bool) -> tuple[pd.Series, list[str]]:
    """Return each value's cell along a heatmap axis (a design level, or one of the equal bins) and the cells' labels."""
    if by_value:
        levels = np.sort(design.unique())
        return values.map({v: k for k, v in enumerate(levels)}), [f"{v:.3g}" for v in levels]
    edges = np.linspace(bounds[0], bounds[1], HEATMAP_BINS + 1)
    cells = np.clip(np.digitize(values.to_numpy(dtype=float), edges[1:-1]), 0, HEATMAP_BINS - 1)
    return pd.Series(cells, index=values.index), [f"{a:.3g}–{b:.3g}" for a, b in itertools.pairwise(edges)]


def by_value(data: SweepData, parameter: str) -> bool:
    """Return whether a heatmap shows a parameter by its design values (a grid, or few levels) rather than in bins."""
    return data.design == "grid" or data.points[parameter].nunique() <= CATEGORICAL_MAX


def heatmap_cells(data: SweepData, metric: str, px: str, py: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Return the mean of a metric per cell of two parameters (rows: py, columns: px) and the cell labels."""
    means = data.means[data.means[metric].notna()]
    axes = [_axis_cells(means[p], data.points[p], data.bounds[p], by_value(data, p)) for p in (px, py)]
    (cx, lx), (cy, ly) = axes
    grid = np.full((len(ly), len(lx)), np.nan)
    cell = pd.DataFrame({"x": cx.to_numpy(), "y": cy.to_numpy(), "v": means[metric].to_numpy(dtype=float)})
    for (i, j), v in cell.groupby(["y", "x"]).v.mean().items():
        grid[int(i), int(j)] = v
    return grid, lx, ly


def heatmap_cells_text(data: SweepData, pairs: list[tuple[str, str]], shapes: list[tuple[int, int]]) -> str:
    """Return how the heatmaps' cells are made, with the cells actually shown (e.g. ``4×4 cells: the design's levels``)."""
    sizes = sorted({f"{rows}×{cols}" for rows, cols in shapes})
    shown = " or ".join(sizes) + " cells"
    if data.design == "grid":
        return f"{shown}: one per combination of the grid's levels"
    kinds = {by_value(data, p) for pair in pairs for p in pair}
    if kinds == {True}:
        return f"{shown}: one per combination of the design's levels"
    if kinds == {False}:
        return f"{shown}: design points in {HEATMAP_BINS} equal bins of each parameter's range"
    return (f"{shown}: a parameter with at most {CATEGORICAL_MAX} values by value, the others in {HEATMAP_BINS} "
            "equal bins of their range")


@styled
def heatmaps(data: SweepData, metric: str, pairs: list[tuple[str, str]]) -> Figure:
    """Plot a metric's mean over pairs of parameters (grid cells, design levels or bins of a sample), one panel per pair."""
    cells = [heatmap_cells(data, metric, px, py) for px, py in pairs]
    finite = np.concatenate([c[0][np.isfinite(c[0])] for c in cells])
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    scale = colour_scale(metric, lo, hi)
    norm, cm = scale.norm, mpl_cmap(scale.cmap)
    decimals = max(0, min(4, math.ceil(-math.log10(hi - lo)) + 1)) if hi > lo else 2
    fig, axes = new_figure(1, len(pairs), figsize=(max(8.0, 4.6 * len(pairs) + 1.6), 5.0))
    axes = np.atleast_1d(axes)
    image = None
    for ax, (px, py), (grid, lx, ly) in zip(axes, pairs, cells):
        shown = np.ma.masked_invalid(grid)
        image = ax.imshow(shown, origin="lower", cmap=cm, norm=norm, aspect="auto")
        ax.set_facecolor("#f0f0f0")
        ax.set_xticks(range(len(lx)), lx, rotation=45 if max(map(len, lx)) > 5 else 0, ha="right"
                      if max(map(len, lx)) > 5 else "center")
        ax.set_yticks(range(len(ly)), ly)
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.grid(False)
        if grid.size <= 144:
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    r, g, b, _ = cm(norm(v))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    ax.text(j, i, f"{v:.{decimals}f}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
                else:
                    ax.text(j, i, "–", ha="center", va="center", fontsize=7, color=GUIDE)
        ax.set_title(f"{py} × {px}", fontsize=10)
    unit = metric_meaning(metric)[1]
    if image is not None:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.9,
                           label=f"{unit}, mean over seeds" if unit else "mean over seeds")
        if scale.ends is not None:  # say which way is which, at the bar's two ends
            below, above = scale.ends
            bar.ax.text(0.5, -0.02, below, transform=bar.ax.transAxes, ha="center", va="top", fontsize=8)
            bar.ax.text(0.5, 1.02, above, transform=bar.ax.transAxes, ha="center", va="bottom", fontsize=8)
    how = heatmap_cells_text(data, pairs, [c[0].shape for c in cells])
    title = textwrap.shorten(metric_label(metric), int(16 * fig.get_figwidth()), placeholder=" …")
    sub = textwrap.fill(f"Mean over seeds and the other parameters ({how}; – no run); the most influential pairs",
                        int(13 * fig.get_figwidth()))
    fig.suptitle(f"{title}\n{sub}", fontweight="bold", x=0.01, ha="left", fontsize=10)
    return fig


def mpl_cmap(name: str) -> colors.Colormap:
    """Return a registered matplotlib colour map by name."""
    import matplotlib as mpl

    return mpl.colormaps[name]


def _chart_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of one metric to draw: the most important parameters plus every dummy, top first."""
    shown = table[~table.dummy].head(MAX_BARS)
    return pd.concat([shown, table[table.dummy]]).iloc[::-1]


def _bars(ax: Any, rows: pd.DataFrame, value: str, conf: str | None, colour: str, offset: float,
          height: float) -> None:
    """Draw horizontal bars of one index (dummies grey) with their confidence intervals."""
    ypos = np.arange(len(rows)) + offset
    fill = [DUMMY_COLOUR if d else colour for d in rows.dummy]
    err = rows[conf].to_numpy(dtype=float) if conf else None
    ax.barh(ypos, rows[value].to_numpy(dtype=float), height=height, color=fill,
            xerr=err, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333333"})


def _floor_line(ax: Any, rows: pd.DataFrame, value: str, conf: str | None, measured: bool = False) -> list[Any]:
    """Mark the noise floor (measured from the seed noise, else the top of the dummies' intervals); return its handle."""
    floors = rows.noise_floor.dropna() if measured and "noise_floor" in rows else pd.Series(dtype=float)
    label = "noise floor (seed noise: a parameter whose effects are noise stays below it)"
    if len(floors) and floors.nunique() == 1:
        return [ax.axvline(float(floors.iloc[0]), color=FLOOR_COLOUR, ls="--", lw=1.2, label=label)]
    if len(floors):  # one floor per parameter (measured from the replications): a mark on each bar
        ypos = np.arange(len(rows))
        return [ax.scatter(rows.noise_floor.to_numpy(dtype=float), ypos, marker="|", s=260, color=FLOOR_COLOUR,
                           zorder=4, label=label)]
    d = rows[rows.dummy]
    if not len(d):
        return []
    top = float((d[value].abs() + (d[conf].fillna(0) if conf else 0)).max())
    if not np.isfinite(top):
        return []
    return [ax.axvline(top, color=DUMMY_COLOUR, ls="--", lw=1.0, label="noise floor (top of the dummy's CI)")]


@styled
def sensitivity_chart(table: pd.DataFrame, metric: str) -> Figure:
    """Plot one metric's sensitivity indices as horizontal bars (dummies grey), with the SRRC cross-check."""
    rows = _chart_rows(table[table.metric == metric])
    own = rows["method"].iloc[0] if len(rows) else ""
    two = own in (INDEX_NAMES["ST"], INDEX_NAMES["mu_star"])
    height = max(3.2, 0.32 * len(rows) + 1.8)
    fig, axes = new_figure(1, 2 if two else 1, figsize=(12.0 if two else 8.0, height), sharey=True)
    axes = np.atleast_1d(axes)
    ypos = np.arange(len(rows))
    labels = [f"{p} (dummy)" if d else p for p, d in zip(rows.parameter, rows.dummy)]
    dummy = [Patch(color=DUMMY_COLOUR, label="dummy (never read by the model)")] if rows.dummy.any() else []
    handles: list[Any] = []
    if own == INDEX_NAMES["ST"]:
        ax = axes[0]
        _bars(ax, rows, "ST", "ST_conf", ST_COLOUR, 0.2, 0.38)
        _bars(ax, rows, "S1", "S1_conf", S1_COLOUR, -0.2, 0.38)
        handles = [Patch(color=ST_COLOUR, label="total index ST (with interactions)"),
                   Patch(color=S1_COLOUR, label="first-order S1 (alone)"), *dummy]
        handles += _floor_line(ax, rows, "ST", "ST_conf", measured=True)
        reach = np.concatenate([rows.ST - rows.ST_conf, rows.ST + rows.ST_conf, rows.S1 - rows.S1_conf,
                                rows.S1 + rows.S1_conf]).astype(float)
        clipped = bool(np.nanmin(reach, initial=0.0) < SOBOL_AXIS[0] or np.nanmax(reach, initial=0.0) > SOBOL_AXIS[1])
        if clipped:
            ax.set_xlim(*SOBOL_AXIS)
        ax.set_xlabel("Sobol' index (share of the output variance; whiskers: 95 % CI"
                      + (f"; axis clipped to {SOBOL_AXIS[0]}..{SOBOL_AXIS[1]})" if clipped else ")"))
        ax.set_title("Sobol' indices")
    elif own == INDEX_NAMES["mu_star"]:
        ax = axes[0]
        _bars(ax, rows, "mu_star", "mu_star_conf", ST_COLOUR, 0.0, 0.6)
        ax.scatter(rows.sigma.to_numpy(dtype=float), ypos, marker="D", s=22, color=SIGMA_COLOUR, zorder=3)
        handles = [Patch(color=ST_COLOUR, label="mu* (mean |elementary effect|)"),
                   Line2D([], [], marker="D", ls="", color=SIGMA_COLOUR,
                          label="sigma (spread: interactions, non-linearity)"), *dummy]
        handles += _floor_line(ax, rows, "mu_star", "mu_star_conf", measured=True)
        unit = metric_meaning(metric)[1]
        ax.set_xlabel(f"Change of the metric over the parameter's range{f' ({unit})' if unit else ''}; "
                      "whiskers: 95 % CI")
        ax.set_title("Morris screening")
    ax = axes[-1]
    sign = rows.srrc.to_numpy(dtype=float)
    fill = [DUMMY_COLOUR if d else (POSITIVE if s >= 0 else NEGATIVE) for d, s in zip(rows.dummy, sign)]
    ax.barh(ypos, sign, height=0.6, color=fill, xerr=rows.srrc_conf.to_numpy(dtype=float),
            error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333333"})
    ax.axvline(0.0, color=GUIDE, lw=0.8)
    ax.set_xlabel("Standardized rank regression coefficient (whiskers: 95 % CI)")
    r2 = rows.srrc_r2.dropna()
    fit = f"R² of the ranks {r2.iloc[0]:.2f}" if len(r2) else "no fit"
    ax.set_title(f"SRRC {'cross-check' if two else ''} ({fit})".replace("  ", " "))
    handles += [Patch(color=POSITIVE, label="SRRC > 0: raises the metric"),
                Patch(color=NEGATIVE, label="SRRC < 0: lowers the metric")]
    if not two:
        handles += dummy + _floor_line(ax, rows.assign(srrc=rows.srrc.abs()), "srrc", "srrc_conf")
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4 if two else 2))
    for a in axes:
        a.grid(True, axis="x")
        a.grid(False, axis="y")
    axes[0].set_yticks(ypos, labels)
    axes[0].set_ylim(-0.7, len(rows) - 0.3)
    hidden = int((~table[table.metric == metric].dummy).sum()) - int((~rows.dummy).sum())
    more = f" (top {MAX_BARS}; {hidden} more in sensitivity.csv)" if hidden > 0 else ""
    label = textwrap.shorten(metric_label(metric), 150 if two else 95, placeholder=" …")
    fig.suptitle(f"Sensitivity of: {label}\nRanked by {own or 'no index'}{more}", fontweight="bold", x=0.01,
                 ha="left", fontsize=10)
    return fig


@styled
def discovery_chart(result: Discovery) -> Figure:
    """Plot the PRIM box as bars over each parameter's range, and the peeling trajectory."""
    rows = int(result.limits.restricted.sum()) if len(result.limits) > DISCOVERY_ROWS else len(result.limits)
    fig, (ax, ax2) = new_figure(1, 2, figsize=(12.0, max(3.8, 0.45 * max(rows, 1) + 2.2)),
                                gridspec_kw={"width_ratios": [2.2, 1.0]})
    lim = result.limits
    hidden = 0
    if len(lim) > DISCOVERY_ROWS and lim.restricted.any():  # many parameters: only those the box restricts
        hidden = int((~lim.restricted).sum())
        lim = lim[lim.restricted]
    lim = lim.iloc[::-1].reset_index(drop=True)
    span = (lim.range_high - lim.range_low).replace(0, np.nan)
    lo = ((lim.low - lim.range_low) / span).clip(0, 1).fillna(0)
    hi = ((lim.high - lim.range_low) / span).clip(0, 1).fillna(1)
    ypos = np.arange(len(lim))
    fill = [BOX_COLOUR if r.significant and not r.dummy else CHANCE_COLOUR if r.restricted else FREE_COLOUR
            for r in lim.itertuples()]
    ax.barh(ypos, 1.0, color=RANGE_COLOUR, height=0.6)
    ax.barh(ypos, hi - lo, left=lo, height=0.6, color=fill)
    for y, row, a, b in zip(ypos, lim.itertuples(), lo, hi):
        if row.restricts_low:
            ax.text(a, y + 0.36, f"{row.low:.3g}", ha="center", va="bottom", fontsize=7)
        if row.restricts_high:
            ax.text(b, y + 0.36, f"{row.high:.3g}", ha="center", va="bottom", fontsize=7)
        ax.text(1.01, y, f"{row.range_low:.3g} .. {row.range_high:.3g}", va="center", fontsize=7, color=GUIDE,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(ypos, [f"{p} (dummy)" if d else p for p, d in zip(lim.parameter, lim.dummy)])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(lim) - 0.1)
    ax.set_xlabel("Position within the parameter's range (0 = low bound, 1 = high bound; range at the right)"
                  + (f"\n{hidden} parameters the box does not restrict are not shown" if hidden else ""))
    ax.grid(False, axis="y")
    ax.grid(True, axis="x")
    handles = [Patch(color=BOX_COLOUR, label="restricted by the box"),
               Patch(color=CHANCE_COLOUR, label=f"restricted, likely chance (qp ≥ {result.alpha:.2g} or a dummy)"),
               Patch(color=FREE_COLOUR, label="not restricted"), Patch(color=RANGE_COLOUR, label="outside the box")]
    fig.legend(handles=handles, loc="outside lower center", ncols=4)
    ax.set_title(f"PRIM box: coverage {result.coverage:.0%}, density {result.density:.0%}, "
                 f"mass {result.mass:.0%}")
    t = result.trajectory
    points = ax2.scatter(t.coverage, t.density, c=t.res_dim, cmap="viridis", s=18, zorder=2)
    ax2.plot(t.coverage, t.density, color="#bbbbbb", lw=0.8, zorder=1)
    ax2.scatter([result.coverage], [result.density], s=120, facecolors="none", edgecolors=BOX_COLOUR, lw=1.8,
                zorder=3, label=f"reported box (step {result.step})")
    ax2.axhline(PRIM_DENSITY, color=GUIDE, ls="--", lw=0.8, label=f"density {PRIM_DENSITY:.0%}")
    ax2.set_xlabel("Coverage (share of the cases inside the box)")
    ax2.set_ylabel("Density (share of the box's runs that are cases)")
    ax2.set_xlim(0, 1.02)
    ax2.set_ylim(0, 1.02)
    ax2.set_title("Peeling trajectory")
    bar = fig.colorbar(points, ax=ax2, label="restricted parameters")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax2.legend(loc="lower left")
    fig.suptitle(f"Scenario discovery: where {result.target} ({result.n_cases} of {result.n_runs} runs)",
                 fontweight="bold", x=0.01, ha="left", fontsize=11)
    return fig


# -- report -----------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (float, np.floating)):
        return "" if not np.isfinite(v) else f"{v:.3g}"
    return str(v)


def markdown_table(df: pd.DataFrame) -> str:
    """Return a DataFrame as a GitHub-flavoured markdown table (numbers to 3 significant digits)."""
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def _index_text(row: pd.Series) -> str:
    """Return one parameter's headline index in words, e.g. ``ST 0.52 ± 0.08``."""
    if row["method"] == "Sobol' total index ST":
        return f"ST {row.ST:.2f} ± {row.ST_conf:.2f}, S1 {row.S1:.2f}"
    if row["method"] == "Morris mu*":
        return f"mu* {row.mu_star:.3g} ± {row.mu_star_conf:.2g}, sigma {row.sigma:.3g}"
    return f"SRRC {row.srrc:+.2f} ± {row.srrc_conf:.2f}"


def top_parameters(table: pd.DataFrame, metric: str, n: int = 3) -> str:
    """Return the most influential parameters of a metric in words (bold: clearly above the noise floor)."""
    rows = table[(table.metric == metric) & ~table.dummy & table.importance.notna()]
    if not len(rows):
        return "no sensitivity to measure"
    clear = rows.status.isin([ABOVE, ABOVE_ZERO])
    parts = [f"**{r.parameter}** ({_index_text(r)})" if c else f"{r.parameter} ({_index_text(r)}, {r.status})"
             for (_, r), c in zip(rows.head(n).iterrows(), clear.head(n))]
    floors = rows.noise_floor.dropna() if "noise_floor" in rows else pd.Series(dtype=float)
    if len(floors):
        floor = (f"the seed noise's floor ({floors.iloc[0]:.3g})" if floors.nunique() == 1 else
                 f"the seed noise's floor (per parameter, {floors.min():.3g} … {floors.max():.3g})")
    elif (rows.status.isin([ABOVE_ZERO, NOT_ABOVE_ZERO])).any():
        floor = "zero (the seed noise is not measured: no floor)"
    elif table[(table.metric == metric) & table.dummy].shape[0]:
        floor = "the dummy's noise floor"
    else:
        floor = "zero"
    return ", ".join(parts) + f"; {int(clear.sum())} of {len(rows)} parameters clearly above {floor}"


def discovery_text(result: Discovery) -> str:
    """Return the PRIM box in words."""
    rules, chance = [], []
    for r in result.restricted.itertuples():
        if r.restricts_low and r.restricts_high:
            rule = f"{r.low:.3g} ≤ {r.parameter} ≤ {r.high:.3g}"
        elif r.restricts_low:
            rule = f"{r.parameter} ≥ {r.low:.3g}"
        else:
            rule = f"{r.parameter} ≤ {r.high:.3g}"
        if r.significant and not r.dummy:
            rules.append(rule)
        else:
            chance.append(rule + (" (a dummy)" if r.dummy else ""))
    share = result.n_cases / result.n_runs if result.n_runs else math.nan
    if result.step == 0:
        return (f"Runs where {result.target} ({result.n_cases} of {result.n_runs}, {share:.0%}) are spread over the "
                f"whole sweep: no box improves enough on that share (coverage × density is best without any "
                f"restriction; see discovery_trajectory.csv for the peeling steps).")
    where = " and ".join(rules) if rules else "no clear restriction"
    text = (f"Runs where {result.target} ({result.n_cases} of {result.n_runs}, {share:.0%}) concentrate where "
            f"{where}. The box holds {result.coverage:.0%} of these runs (coverage), {result.density:.0%} of the "
            f"runs inside it are such runs (density), and it contains {result.mass:.0%} of all runs (mass); "
            f"peeling step {result.step} of {len(result.trajectory) - 1}.")
    if chance:
        these = "this restriction is" if len(chance) == 1 else "these restrictions are"
        text += (f" The box also restricts {', '.join(chance)}, but {these} likely chance "
                 f"(quasi-p ≥ {result.alpha:.2g}, the 5 % level corrected for the {len(result.limits) * 2} limits "
                 "PRIM chose among, or a dummy the model never reads).")
    return text


def _sensitivity_markdown(table: pd.DataFrame, data: SweepData) -> str:
    """Return the sensitivity tables (one per metric) as markdown."""
    lines = [f"# Sensitivity of sweep {data.name} ({data.design})", "",
             ("One table per metric, parameters by decreasing importance. Confidence intervals are 95 % "
             "half-widths. A dummy parameter (never read by the model) marks the noise floor: a parameter whose "
             "index is not above the dummy's index plus its interval is not distinguishable from noise."), ""]
    drop = ["metric", "srrc_r2"]
    for metric in data.metrics:
        rows = table[table.metric == metric]
        r2 = rows.srrc_r2.dropna()
        fit = f" R² of the rank regression: {r2.iloc[0]:.2f}." if len(r2) else ""
        method = rows["method"].iloc[0] if len(rows) and rows["method"].iloc[0] else "none (no variation)"
        lines += [f"## {metric}", "", f"{metric_label(metric)}. Ranked by {method}.{fit}", "",
                  markdown_table(rows.drop(columns=[c for c in drop if c in rows])), ""]
    return "\n".join(lines)


def noise_text(data: SweepData, noise: SeedNoise, table: pd.DataFrame) -> list[str]:
    """Return the report's lines on the noise floor: how the seed noise was measured, and each metric's floor."""
    if data.design not in ("morris", "saltelli"):
        return (["The dummy's SRRC is the noise floor: its coefficient measures chance correlation in the sample."]
                if data.dummies else [("No dummy parameter: a parameter is above the floor when its SRRC interval "
                                       "excludes zero. Add a dummy (`dummy: true`) to measure chance correlation.")])
    index = "mu*" if data.design == "morris" else "ST and S1"
    lines = [(f"Every point runs on the same seeds, so a dummy (never read by the model) has {index} exactly 0: it "
              "cannot show the noise.")]
    if data.design == "saltelli":
        return [*lines, ("The seed noise of Sobol' indices is not measured: a parameter is only said to be above "
                         "zero. Compare with the SRRC cross-check, or screen with `design: morris` first.")]
    if not noise.method:
        return [*lines, "", (f"**The seed noise was not measured** ({noise.note}), so a parameter is only said to be "
                             "above zero, not above the noise. Run the sweep with `replications: 2` or more, or keep "
                             f"the sweep file unchanged so that `natosim analyze` can re-run {NOISE_STEPS} Morris steps "
                             "on new seeds.")]
    if noise.method == "replications":
        how = ("Measured from the sweep's own replications: each step's elementary effect is computed seed by seed "
               "(both points of a step share the seed, as in the design), and its spread between the seeds, pooled "
               f"over the parameter's steps, gives that parameter's noise ({noise.steps} steps), divided by √(seeds) "
               "for the effect on point means.")
    else:
        how = (f"Measured by running {noise.steps} Morris steps again (both points of each step, {2 * noise.steps} "
               "runs, `noise_runs.csv`), spread over the trajectories and parameters (dummies left out), each step "
               "on one new seed the sweep does not use, with the sweep's own run function. A step's new elementary "
               "effect minus the sweep's is two seeds' noise of an effect under common seeds: "
               "sd² = mean(difference²) / 2, pooled over the steps (one floor for every parameter).")
    rule = ("The floor is what mu* reaches for a parameter whose elementary effects are only this noise, "
            f"N(0, sd²): the mean of |N(0, sd²)| over the trajectories plus {FLOOR_SDS:g} standard deviations, "
            "sd·(√(2/π) + 2·√(1 − 2/π)/√r). A parameter above it moves the metric beyond the seeds' noise; one "
            "within it may still matter, but this sweep cannot tell.")
    lines += ["", how, "", rule, "", "| metric | noise SD of an elementary effect | noise floor on mu* |",
              "|---|---|---|"]
    for metric in data.metrics:
        rows = table[(table.metric == metric) & ~table.dummy]
        floor, sd = rows.noise_floor.dropna(), rows.noise_sd.dropna()
        if not len(floor):
            lines.append(f"| {metric} | {_fmt(noise.sd(metric, POOLED))} | (no variation) |")
        elif floor.nunique() == 1:
            lines.append(f"| {metric} | {_fmt(sd.iloc[0])} | {_fmt(floor.iloc[0])} |")
        else:
            lines.append(f"| {metric} | {_fmt(sd.min())} … {_fmt(sd.max())} (per parameter) | "
                         f"{_fmt(floor.min())} … {_fmt(floor.max())} |")
    return lines


def _report(data: SweepData, table: pd.DataFrame, notes: list[str], result: Discovery | None, prim_note: str,
            figures: list[str], noise: SeedNoise | None = None) -> str:
    """Return the analysis report (markdown)."""
    m = data.manifest
    ok, failed = len(data.ok), int((data.runs.status != "ok").sum())
    total = int(m.get("runs_total", len(data.points) * max(1, len(m.get("seeds", [1])))))
    lines = [f"# Analysis of sweep {data.name}", ""]
    if m.get("spec", {}).get("description"):
        lines += [str(m["spec"]["description"]), ""]
    scenario = (m.get("scenario") or {}).get("name", "")
    window = f"from {str(m.get('branch', ''))[:7]} to {str(m.get('horizon', ''))[:7]}" if m.get("horizon") else ""
    lines += [
        (f"- **Design**: {data.design}, {len(data.points)} points × {len(m.get('seeds', []))} seeds "
        f"= {total} runs; base scenario {scenario or '?'}, metrics measured {window}."),
        f"- **Runs**: {ok} ok, {failed} failed, {max(0, total - ok - failed)} not run"
        + (f"; {data.missing_points} points have no successful run" if data.missing_points else "") + ".",
        ("- **Replications** are averaged per point (mean over seeds) for the sensitivity indices and heatmaps; "
        "scenario discovery uses every run."), "",
        "## What the sweep varied", "",
    ]
    varied = pd.DataFrame({"parameter": data.varied,
                           "low": [data.bounds[p][0] for p in data.varied],
                           "high": [data.bounds[p][1] for p in data.varied],
                           "dummy": [p in data.dummies for p in data.varied]})
    lines += [markdown_table(varied), ""]
    lines += ["## Most influential parameters", "",
              {"saltelli": "Sobol' indices: S1 is the share of the output's variance due to the parameter alone, "
                           "ST includes all its interactions.",
               "morris": "Morris screening: mu* is the mean absolute elementary effect (importance), sigma its "
                         "spread (interactions or non-linearity).",
               }.get(data.design, "Standardized rank regression coefficients (SRRC): the sign says whether the "
                                  "parameter raises or lowers the metric; their squares sum to about R² of the ranks.")
              + (" SRRC is given as a cross-check." if data.design in ("saltelli", "morris") else ""), ""]
    for metric in data.metrics:
        lines.append(f"- **{metric_label(metric)}** (`{metric}`): {top_parameters(table, metric)}.")
    lines += ["", "### The noise floor", "", *noise_text(data, noise or SeedNoise(""), table), ""]
    if notes:
        lines += ["Notes:", "", *[f"- {n}" for n in notes], ""]
    lines += ["The full tables are in `sensitivity.md` and `sensitivity.csv`.", ""]
    lines += ["## Scenario discovery (PRIM)", ""]
    if result is None:
        lines += [prim_note, ""]
    else:
        lines += [discovery_text(result), ""]
        shown = result.limits[["parameter", "dummy", "low", "high", "range_low", "range_high", "restricted",
                               "qp_low", "qp_high", "significant", "status"]]
        lines += [markdown_table(shown), "",
                  (f"qp: quasi-p-values of each restriction (small = the restriction is unlikely to be chance); a "
                   f"restriction is significant when every restricted side's qp is below {result.alpha:.2g} (5 % "
                   f"over the {2 * len(result.limits)} limits PRIM chose among, Bonferroni). A dummy is never a "
                   "driver: the model never reads it, so its restriction is chance by construction."), ""]
    lines += ["## Figures", ""]
    lines += [f"![{Path(f).stem}]({Path(f).name})" for f in figures]
    lines += [""]
    return "\n".join(lines)


def _pairs(table: pd.DataFrame, metric: str, data: SweepData, n: int = 3) -> list[tuple[str, str]]:
    """Return up to three pairs among the metric's most influential (non-dummy) parameters."""
    rows = table[(table.metric == metric) & ~table.dummy]
    ranked = list(rows.sort_values("importance", ascending=False, na_position="last").parameter)
    ranked = [p for p in ranked if data.points[p].nunique() > 1][:n]
    # the more influential parameter of each pair on the y axis
    return [(ranked[j], ranked[i]) for i in range(len(ranked)) for j in range(i + 1, len(ranked))][:n]


def analyze(folder: str | Path, out: str | Path | None = None, noise_steps: int = NOISE_STEPS) -> Path:
    """Analyse a sweep folder (sensitivity, fan chart, heatmaps, PRIM) into ``out`` (default ``<folder>/analysis``).

    A Morris or Saltelli sweep with one seed per point has its seed noise measured by
    running ``noise_steps`` of its Morris steps again on new seeds (0: not measured).
    """
    from sim.outputs import write_table, write_text

    require_extra()
    data = load(folder)
    out = Path(out) if out is not None else data.folder / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    figures: list[str] = []
    notes = list(data.notes)
    if data.ok.empty:
        failed = data.runs[data.runs.status != "ok"]
        why = (f" {len(failed)} runs failed; the first error: `{str(failed.error.iloc[0]).split(' | ')[0]}`."
               if len(failed) else "")
        write_text(f"# Analysis of sweep {data.name}\n\nNo successful run yet: nothing to analyse.{why}\n",
                   out / "analysis.md")
        return out

    noise = seed_noise(data, noise_steps)
    if noise.runs is not None:
        write_table(noise.runs, out / "noise_runs", formats=("csv",))
    table, sens_notes = sensitivity(data, noise)
    notes += sens_notes
    write_table(table, out / "sensitivity", formats=("csv",))
    write_text(_sensitivity_markdown(table, data), out / "sensitivity.md")

    series = read_series(data.folder)
    if "relations_index" in series.columns and len(series):
        figures.append(save_figure(fan_chart(series, data), out, "fan_relations"))
    else:
        notes.append("Fan chart skipped: relations_index is not among the stored series (add "
                     "`series: [relations_index]` to the sweep file).")

    varying = [m for m in data.metrics if data.means[m].nunique() > 1]
    if len(data.parameters) < 2:
        notes.append("Heatmaps skipped: the sweep varies fewer than two model parameters.")
    else:
        for metric in varying[:2]:
            pairs = _pairs(table, metric, data)
            if pairs:
                figures.append(save_figure(heatmaps(data, metric, pairs), out, f"heatmap_{metric}"))

    for metric in varying:
        figures.append(save_figure(sensitivity_chart(table, metric), out, f"sensitivity_{metric}"))

    result, prim_note = discovery(data)
    if result is not None:
        limits = result.limits.assign(target=result.target, step=result.step, coverage=result.coverage,
                                      density=result.density, mass=result.mass, n_cases=result.n_cases,
                                      n_runs=result.n_runs)
        write_table(limits, out / "discovery", formats=("csv",))
        write_table(result.trajectory, out / "discovery_trajectory", formats=("csv",))
        figures.append(save_figure(discovery_chart(result), out, "discovery"))

    write_text(_report(data, table, notes, result, prim_note, figures, noise), out / "analysis.md")
    return out


__all__ = [
    "ColourScale",
    "Discovery",
    "SeedNoise",
    "SweepData",
    "analyze",
    "case_of_interest",
    "colour_scale",
    "discover",
    "discovery",
    "load",
    "metric_label",
    "metric_meaning",
    "morris_floor",
    "morris_indices",
    "morris_steps",
    "seed_noise",
    "sensitivity",
    "sobol_indices",
    "srrc",
]
