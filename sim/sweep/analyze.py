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
#: x-axis of Sobol' charts when the intervals reach beyond it (indices lie in 0..1)
SOBOL_AXIS = (-0.25, 1.25)
#: above this many parameters, the PRIM chart shows only the restricted ones
DISCOVERY_ROWS = 15
#: parameters shown in a sensitivity chart (the most important ones, plus every dummy)
MAX_BARS = 25
DUMMY_COLOUR = "#9a9a9a"
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


def sensitivity(data: SweepData) -> tuple[pd.DataFrame, list[str]]:
    """Return the sensitivity table (one row per metric × parameter, most important first) and notes."""
    columns = {"saltelli": ["S1", "S1_conf", "ST", "ST_conf"],
               "morris": ["mu_star", "mu_star_conf", "mu", "sigma"]}.get(data.design, [])
    columns += ["srrc", "srrc_conf", "srrc_r2"]
    notes: list[str] = []
    tables = []
    for k, metric in enumerate(data.metrics):
        y = data.means[metric].to_numpy(dtype=float)
        table = pd.DataFrame(index=pd.Index(data.varied, name="parameter"), columns=columns, dtype=float)
        finite = y[np.isfinite(y)]
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
            coeffs, r2 = srrc(data.means[data.varied], y, seed=data.seed + k)
            table.update(coeffs)
            table["srrc_r2"] = r2
            primary = PRIMARY.get(data.design, "srrc") if own is not None else "srrc"
            table["method"] = INDEX_NAMES[primary]
            table["importance"] = table[primary].abs() if primary == "srrc" else table[primary]
        table.insert(0, "metric", metric)
        table.insert(1, "dummy", [p in data.dummies for p in data.varied])
        tables.append(_noise_floor(table.reset_index()))
    if not tables:
        return pd.DataFrame(columns=["metric", "parameter", "dummy", *columns]), notes
    out = pd.concat(tables, ignore_index=True)
    lead = ["metric", "parameter", "dummy", "method", "importance", "rank", "status"]
    return out[lead + [c for c in columns if c in out.columns]], notes


def _importance_conf(table: pd.DataFrame) -> pd.Series:
    """Return the confidence half-width of each row's importance (0 where unknown)."""
    method = table["method"].iloc[0] if len(table) else ""
    conf = {INDEX_NAMES["ST"]: "ST_conf", INDEX_NAMES["mu_star"]: "mu_star_conf"}.get(method, "srrc_conf")
    return table[conf].astype(float).fillna(0.0) if conf in table else pd.Series(0.0, index=table.index)


def _noise_floor(table: pd.DataFrame) -> pd.DataFrame:
    """Sort one metric's rows by importance, rank them and mark them against the noise floor.

    The floor is the top of the dummies' intervals (zero without a dummy); a parameter is
    above it when the bottom of its own interval is.
    """
    table = table.sort_values("importance", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    conf = _importance_conf(table)
    tops = (table.importance + conf)[table.dummy]
    floor = float(tops.max()) if len(tops) and tops.notna().any() else 0.0
    bottom = table.importance - conf
    table["status"] = np.where(table.dummy, "dummy (noise floor)",
                               np.where(table.importance.isna(), "",
                                        np.where(bottom > floor, "above noise floor", "within noise")))
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
    rows = []
    for p in x.columns:
        lo, hi = float(lims.loc[0, p]), float(lims.loc[1, p])
        r_lo, r_hi = (bounds or {}).get(p, (float(init.loc[0, p]), float(init.loc[1, p])))
        restricted = not (np.isclose(lo, init.loc[0, p]) and np.isclose(hi, init.loc[1, p]))
        q = [v if v is not None and v >= 0 else np.nan for v in qp.get(p, [np.nan, np.nan])]
        sides = [not np.isclose(lo, init.loc[0, p]), not np.isclose(hi, init.loc[1, p])]
        chance = any(side and np.isfinite(v) and v >= 0.05 for side, v in zip(sides, q))
        rows.append({"parameter": p, "dummy": p in (dummies or []), "low": lo, "high": hi,
                     "range_low": r_lo, "range_high": r_hi, "restricted": restricted,
                     "restricts_low": bool(sides[0]), "restricts_high": bool(sides[1]),
                     "qp_low": q[0], "qp_high": q[1], "significant": bool(restricted and not chance)})
    limits = pd.DataFrame(rows)
    chosen = traj.loc[step]
    return Discovery(target=target, n_runs=len(y), n_cases=int(y.sum()), step=step,
                     coverage=float(chosen.coverage), density=float(chosen.density), mass=float(chosen["mass"]),
                     limits=limits, trajectory=traj[["id", "n", "k", "coverage", "density", "mass", "res_dim"]])


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
def metric_label(metric: str) -> str:
    """Return a readable axis label of a metric (its meaning and unit)."""
    known = {m.name: m for m in METRICS}
    if metric in known:
        m = known[metric]
        return f"{m.meaning[0].upper()}{m.meaning[1:]} ({m.unit})"
    if metric.startswith("share_"):
        return f"Share of steps Russia chose {metric.removeprefix('share_')} (0..1)"
    return metric


def _cmap(metric: str, lo: float, hi: float) -> tuple[str, colors.Normalize]:
    """Return a colour map and normalisation suited to a metric's range."""
    if metric.startswith("relations") and lo < 0 < hi:  # symmetric: white is 0, equal shades equal distance
        m = max(-lo, hi)
        return "RdBu", colors.Normalize(-m, m)
    if metric.startswith("relations"):
        return "RdBu", colors.Normalize(lo, hi)
    if metric in ("max_escalation", "war_intensity", "russia_strain") or metric.startswith("share_"):
        return "YlOrRd", colors.Normalize(lo, hi)
    return "viridis", colors.Normalize(lo, hi)


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
    """Return each value's cell along a heatmap axis (a design level, or one of 6 bins) and the cells' labels."""
    if by_value:
        levels = np.sort(design.unique())
        return values.map({v: k for k, v in enumerate(levels)}), [f"{v:.3g}" for v in levels]
    edges = np.linspace(bounds[0], bounds[1], HEATMAP_BINS + 1)
    cells = np.clip(np.digitize(values.to_numpy(dtype=float), edges[1:-1]), 0, HEATMAP_BINS - 1)
    return pd.Series(cells, index=values.index), [f"{a:.3g}–{b:.3g}" for a, b in itertools.pairwise(edges)]


def heatmap_cells(data: SweepData, metric: str, px: str, py: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Return the mean of a metric per cell of two parameters (rows: py, columns: px) and the cell labels."""
    means = data.means[data.means[metric].notna()]
    axes = []
    for p in (px, py):
        by_value = data.design == "grid" or data.points[p].nunique() <= CATEGORICAL_MAX
        axes.append(_axis_cells(means[p], data.points[p], data.bounds[p], by_value))
    (cx, lx), (cy, ly) = axes
    grid = np.full((len(ly), len(lx)), np.nan)
    cell = pd.DataFrame({"x": cx.to_numpy(), "y": cy.to_numpy(), "v": means[metric].to_numpy(dtype=float)})
    for (i, j), v in cell.groupby(["y", "x"]).v.mean().items():
        grid[int(i), int(j)] = v
    return grid, lx, ly


@styled
def heatmaps(data: SweepData, metric: str, pairs: list[tuple[str, str]]) -> Figure:
    """Plot a metric's mean over pairs of parameters (grid cells, or 6×6 bins of a sample), one panel per pair."""
    cells = [heatmap_cells(data, metric, px, py) for px, py in pairs]
    finite = np.concatenate([c[0][np.isfinite(c[0])] for c in cells])
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    cmap, norm = _cmap(metric, lo, hi)
    decimals = max(0, min(4, math.ceil(-math.log10(hi - lo)) + 1)) if hi > lo else 2
    fig, axes = new_figure(1, len(pairs), figsize=(max(8.0, 4.6 * len(pairs) + 1.6), 5.0))
    axes = np.atleast_1d(axes)
    image = None
    for ax, (px, py), (grid, lx, ly) in zip(axes, pairs, cells):
        shown = np.ma.masked_invalid(grid)
        cm = mpl_cmap(cmap)
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
    if image is not None:
        fig.colorbar(image, ax=list(axes), shrink=0.9, label=f"{metric} (mean)")
    how = "grid cells" if data.design == "grid" else f"design points binned {HEATMAP_BINS}×{HEATMAP_BINS}"
    fig.suptitle(f"{textwrap.shorten(metric_label(metric), int(16 * fig.get_figwidth()), placeholder=' …')}\nMean over seeds and the other parameters ({how}; – no run); "
                 "the most influential pairs", fontweight="bold", x=0.01, ha="left", fontsize=10)
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


def _floor_line(ax: Any, rows: pd.DataFrame, value: str, conf: str | None) -> list[Any]:
    """Mark the noise floor (the top of the dummies' intervals); return its legend handle."""
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
        handles += _floor_line(ax, rows, "ST", "ST_conf")
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
        handles += _floor_line(ax, rows, "mu_star", "mu_star_conf")
        ax.set_xlabel(f"Change of {metric} over the parameter's range (whiskers: 95 % CI)")
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
    handles += [Patch(color=POSITIVE, label=f"SRRC > 0: raises {metric}"),
                Patch(color=NEGATIVE, label=f"SRRC < 0: lowers {metric}")]
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
    fig.suptitle(f"Sensitivity of {metric}{more}\n{label}", fontweight="bold", x=0.01, ha="left", fontsize=10)
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
               Patch(color=CHANCE_COLOUR, label="restricted, likely chance (qp ≥ 0.05 or dummy)"),
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
    parts = [f"**{r.parameter}** ({_index_text(r)})" if r.status == "above noise floor"
             else f"{r.parameter} ({_index_text(r)}, within noise)" for _, r in rows.head(n).iterrows()]
    above = int((rows.status == "above noise floor").sum())
    floor = "the dummy's noise floor" if table[(table.metric == metric) & table.dummy].shape[0] else "zero"
    return ", ".join(parts) + f"; {above} of {len(rows)} parameters clearly above {floor}"


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
                 "(quasi-p ≥ 0.05, or a dummy the model never reads).")
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


def _report(data: SweepData, table: pd.DataFrame, notes: list[str], result: Discovery | None, prim_note: str,
            figures: list[str]) -> str:
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
        lines.append(f"- **{metric}**: {top_parameters(table, metric)}.")
    lines += [""]
    if notes:
        lines += ["Notes:", "", *[f"- {n}" for n in notes], ""]
    lines += ["The full tables are in `sensitivity.md` and `sensitivity.csv`.", ""]
    lines += ["## Scenario discovery (PRIM)", ""]
    if result is None:
        lines += [prim_note, ""]
    else:
        lines += [discovery_text(result), ""]
        shown = result.limits[["parameter", "dummy", "low", "high", "range_low", "range_high", "restricted",
                               "qp_low", "qp_high", "significant"]]
        lines += [markdown_table(shown), "",
                  "qp: quasi-p-values of each restriction (small = the restriction is unlikely to be chance).", ""]
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


def analyze(folder: str | Path, out: str | Path | None = None) -> Path:
    """Analyse a sweep folder (sensitivity, fan chart, heatmaps, PRIM) into ``out`` (default ``<folder>/analysis``)."""
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

    table, sens_notes = sensitivity(data)
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

    write_text(_report(data, table, notes, result, prim_note, figures), out / "analysis.md")
    return out


__all__ = [
    "Discovery",
    "SweepData",
    "analyze",
    "case_of_interest",
    "discover",
    "discovery",
    "load",
    "morris_indices",
    "sensitivity",
    "sobol_indices",
    "srrc",
]
