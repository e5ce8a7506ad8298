"""Outcome metrics of a scenario ensemble, defined once (used by ``compare`` and sweeps).

Every metric is measured per seed between the branching date (where scenarios
start to differ) and a horizon, then summarised over the ensemble: median and
10th–90th percentiles for quantities, share of seeds with a 95 % Wilson
interval for probabilities.  ``METRICS`` documents each one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.runner import RunResult
from sim.world import ACTIONS, ESCALATION_LEVELS


@dataclass(frozen=True)
class Metric:
    """A documented outcome metric."""

    name: str
    unit: str
    meaning: str


METRICS: tuple[Metric, ...] = (
    Metric("relations_at_horizon", "index −1..+1", "NATO–Russia relations index at the horizon"),
    Metric("relations_change", "index points", "relations index at the horizon minus at the branching date"),
    Metric("p_level_N", "probability", "share of seeds whose escalation ladder reaches level N or higher between branch and horizon (N = 1..5)"),
    Metric("max_escalation", "level 0..5", "highest escalation level between branch and horizon"),
    Metric("months_to_thaw", "months", "months from the branching date until the relations index first reaches the thaw threshold (seeds that never thaw are censored; their share is `p_thaw`)"),
    Metric("p_thaw", "probability", "share of seeds whose relations index reaches the thaw threshold before the horizon"),
    Metric("cohesion_min", "0..1", "lowest alliance cohesion between branch and horizon"),
    Metric("members_at_2pct", "count", "members spending at least 2 % of GDP at the horizon"),
    Metric("frontline_deterrence", "0..1", "mean deterrence credibility of eastern-flank members at the horizon"),
    Metric("war_intensity", "0..1", "intensity of Russia's most intense war at the horizon"),
    Metric("russia_strain", "0..1", "Russia's economic strain at the horizon"),
    Metric("share_<action>", "share of steps", "share of steps between branch and horizon in which Russia chose each action"),
    Metric("mean_p_<action>", "probability", "Russia's mean monthly probability of each action between branch and horizon (shows what deterrence does to rare choices such as an attack on a member)"),
)


def _at(ts: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Return, per seed, the row at the last date not after ``when``."""
    upto = ts[ts.date <= when]
    return upto[upto.date == upto.date.max()].set_index("seed")


def per_seed(
    result: RunResult | pd.DataFrame, branch: pd.Timestamp, horizon: pd.Timestamp, thaw: float = 0.0
) -> pd.DataFrame:
    """Return one row per seed with every metric (from a result or its timeseries table)."""
    ts = result if isinstance(result, pd.DataFrame) else result.timeseries
    window = ts[(ts.date >= branch) & (ts.date <= horizon)]
    end, start = _at(ts, horizon), _at(ts, branch)
    out = pd.DataFrame(index=pd.Index(sorted(ts.seed.unique()), name="seed"))
    out["relations_at_horizon"] = end.relations_index
    out["relations_change"] = end.relations_index - start.relations_index
    out["max_escalation"] = window.groupby("seed").escalation_level.max()
    thawed = window[window.relations_index >= thaw].groupby("seed").date.min()
    months = (thawed.dt.year - branch.year) * 12 + (thawed.dt.month - branch.month)
    out["months_to_thaw"] = months.reindex(out.index)
    out["cohesion_min"] = window.groupby("seed").alliance_cohesion.min()
    out["members_at_2pct"] = end.members_at_2pct
    out["frontline_deterrence"] = end.frontline_deterrence
    out["war_intensity"] = end.war_intensity_max
    out["russia_strain"] = end.russia_economic_strain
    counts = window.groupby("seed").russia_action.value_counts(normalize=True).unstack(fill_value=0.0)
    for action in ACTIONS:
        out[f"share_{action}"] = counts.get(action, 0.0)
    means = window.groupby("seed")[[f"p_{a}" for a in ACTIONS]].mean()
    for action in ACTIONS:
        out[f"mean_p_{action}"] = means[f"p_{action}"]
    return out


def one_run(
    outputs: dict[str, np.ndarray],
    dates: np.ndarray,
    actions: list[str],
    branch: pd.Timestamp,
    horizon: pd.Timestamp,
    thaw: float = 0.0,
) -> dict[str, float]:
    """Return every metric of one run from its output arrays (the fast path ``per_seed`` agrees with)."""
    dates = np.asarray(dates, dtype="datetime64[ns]")
    b, h = np.datetime64(branch, "ns"), np.datetime64(horizon, "ns")
    inside = (dates >= b) & (dates <= h)
    end = int(np.flatnonzero(dates <= h)[-1])
    start = int(np.flatnonzero(dates <= b)[-1])
    rel = outputs["relations_index"]
    out = {
        "relations_at_horizon": float(rel[end]),
        "relations_change": float(rel[end] - rel[start]),
        "max_escalation": float(outputs["escalation_level"][inside].max()),
        "cohesion_min": float(outputs["alliance_cohesion"][inside].min()),
        "members_at_2pct": float(outputs["members_at_2pct"][end]),
        "frontline_deterrence": float(outputs["frontline_deterrence"][end]),
        "war_intensity": float(outputs["war_intensity_max"][end]),
        "russia_strain": float(outputs["russia_economic_strain"][end]),
    }
    thawed = np.flatnonzero(inside & (rel >= thaw))
    if len(thawed):
        first = pd.Timestamp(dates[thawed[0]])
        out["months_to_thaw"] = float((first.year - branch.year) * 12 + (first.month - branch.month))
    else:
        out["months_to_thaw"] = float("nan")
    chosen = np.asarray(actions, dtype=object)[inside]
    for action in ACTIONS:
        out[f"share_{action}"] = float((chosen == action).mean()) if len(chosen) else 0.0
    for action in ACTIONS:
        out[f"mean_p_{action}"] = float(outputs[f"p_{action}"][inside].mean())
    return out


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Return the Wilson score interval of a binomial proportion."""
    if n == 0:
        return (math.nan, math.nan)
    phat = successes / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def summarise(seeds: pd.DataFrame) -> pd.DataFrame:
    """Return the ensemble summary: one row per metric with estimate, low, high and how they are read."""
    rows = []
    n = len(seeds)
    for col in seeds.columns:
        if col == "months_to_thaw":
            thawed = seeds[col].dropna()
            k = len(thawed)
            lo, hi = wilson(k, n)
            rows.append(("p_thaw", k / n if n else math.nan, lo, hi, "share of seeds (95 % Wilson)"))
            if k:
                rows.append((col, float(thawed.median()), float(thawed.quantile(0.1)), float(thawed.quantile(0.9)),
                             f"median (10–90 %) over the {k} seeds that thaw"))
            else:
                rows.append((col, math.nan, math.nan, math.nan, "no seed thaws before the horizon"))
            continue
        values = seeds[col].astype(float)
        rows.append((col, float(values.median()), float(values.quantile(0.1)), float(values.quantile(0.9)),
                     "median (10–90 %) over seeds"))
        if col == "max_escalation":
            for level in range(1, len(ESCALATION_LEVELS)):
                k = int((values >= level).sum())
                lo, hi = wilson(k, n)
                rows.append((f"p_level_{level}", k / n if n else math.nan, lo, hi,
                             f"P(level ≥ {level}: {ESCALATION_LEVELS[level]}) (95 % Wilson)"))
    return pd.DataFrame(rows, columns=["metric", "estimate", "low", "high", "reading"]).set_index("metric")


def reference_table() -> pd.DataFrame:
    """Return the documentation of every metric as a table."""
    return pd.DataFrame([m.__dict__ for m in METRICS])


__all__ = ["METRICS", "Metric", "per_seed", "reference_table", "summarise", "wilson"]
