"""Outcome metrics of a scenario ensemble, defined once (used by ``compare`` and sweeps).

Every metric is measured per seed between the branching date (where scenarios
start to differ) and a horizon, then summarised over the ensemble: median and
10th–90th percentiles for quantities, share of seeds with a 95 % Wilson
interval for probabilities.  ``METRICS`` documents each one; ``PER_SEED`` lists
the columns of the per-seed table, in order (a probability ``p_*`` is 1 or 0
per seed; a ``months_to_*`` is NaN in a seed that never gets there).
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
    Metric("mean_p_hostile", "probability", "sum of the mean_p_ of Russia's hostile actions (cyber_attack, election_interference, sabotage, energy_coercion, nuclear_signalling, aggression_nonmember, attack_member): how much it coerces"),
    Metric("mean_p_force", "probability", "mean_p_aggression_nonmember + mean_p_attack_member: Russia's mean monthly probability of using force"),
    Metric("threat_at_horizon", "0..1", "members' mean threat from Russia at the horizon"),
    Metric("threat_mean", "0..1", "members' mean threat from Russia, averaged between branch and horizon"),
    Metric("eastern_threat_at_horizon", "0..1", "eastern-flank members' mean threat from Russia at the horizon"),
    Metric("spending_at_horizon", "% of GDP", "members' mean defence spending at the horizon"),
    Metric("presence_at_horizon", "level", "total allied forward presence at the horizon"),
    Metric("sanctions_at_horizon", "0..1", "level of Western sanctions on Russia at the horizon"),
    Metric("deterrence_mean", "0..1", "mean deterrence credibility of eastern-flank members, averaged between branch and horizon"),
    Metric("war_intensity_mean", "0..1", "intensity of Russia's most intense war, averaged between branch and horizon"),
    Metric("war_months", "months", "months between branch and horizon in which Russia's most intense war is above 0.05 (a residual ceasefire line is not a war)"),
    Metric("russia_trust_mean", "−1..+1", "Russia's trust in the alliance, averaged between branch and horizon"),
    Metric("relations_mean", "index −1..+1", "NATO–Russia relations index, averaged between branch and horizon"),
    Metric("spending_mean", "% of GDP", "members' mean defence spending, averaged between branch and horizon"),
    Metric("eastern_threat_mean", "0..1", "eastern-flank members' mean threat from Russia, averaged between branch and horizon"),
    Metric("sanctions_mean", "0..1", "level of Western sanctions on Russia, averaged between branch and horizon"),
    Metric("aid_mean", "0..1", "Western states' mean military aid to Russia's victim, averaged between branch and horizon"),
    Metric("p_article5", "probability", "1 in a seed where the alliance has Article 5 in force (`article5_in_force`) at some date between branch and horizon, else 0"),
    Metric("revisionism_at_horizon", "0..1", "Russia's revisionist ambition at the horizon"),
    Metric("energy_leverage_at_horizon", "0..1", "Russia's energy leverage (GDP-weighted gas dependence of the West) at the horizon"),
    Metric("p_reopen", "probability", "1 in a seed whose NATO–Russia dialogue channel (`dialogue_channel`) is anything but frozen at some date between branch and horizon, else 0; over seeds, the share that reopen"),
    Metric("months_to_reopen", "months", "months from the branching date until the dialogue channel is first not frozen (0 if it is not frozen at the branch; NaN, censored, in seeds that never reopen)"),
)

#: Russia's hostile actions (coercion and force); ``mean_p_hostile`` sums their mean probabilities
HOSTILE_ACTIONS: tuple[str, ...] = (
    "cyber_attack", "election_interference", "sabotage", "energy_coercion", "nuclear_signalling",
    "aggression_nonmember", "attack_member",
)
FORCE_ACTIONS: tuple[str, ...] = ("aggression_nonmember", "attack_member")
WAR_THRESHOLD = 0.05
#: metrics read at the horizon from one timeseries column: name -> column
AT_HORIZON: dict[str, str] = {
    "threat_at_horizon": "mean_threat_from_russia",
    "eastern_threat_at_horizon": "eastern_threat_from_russia",
    "spending_at_horizon": "mean_defence_spending",
    "presence_at_horizon": "forward_presence_total",
    "sanctions_at_horizon": "sanctions_level",
    "revisionism_at_horizon": "russia_revisionism",
    "energy_leverage_at_horizon": "russia_energy_leverage",
}
#: metrics averaged between branch and horizon from one timeseries column: name -> column
WINDOW_MEAN: dict[str, str] = {
    "threat_mean": "mean_threat_from_russia",
    "deterrence_mean": "frontline_deterrence",
    "war_intensity_mean": "war_intensity_max",
    "russia_trust_mean": "russia_trust_in_nato",
    "relations_mean": "relations_index",
    "spending_mean": "mean_defence_spending",
    "eastern_threat_mean": "eastern_threat_from_russia",
    "sanctions_mean": "sanctions_level",
    "aid_mean": "military_aid_level",
}
#: the columns of the per-seed table, in order
PER_SEED: tuple[str, ...] = (
    "relations_at_horizon", "relations_change", "max_escalation",
    *(f"p_level_{n}" for n in range(1, len(ESCALATION_LEVELS))),
    "months_to_thaw", "cohesion_min", "members_at_2pct", "frontline_deterrence", "war_intensity", "russia_strain",
    *(f"share_{a}" for a in ACTIONS), *(f"mean_p_{a}" for a in ACTIONS), "mean_p_hostile", "mean_p_force",
    *AT_HORIZON, *WINDOW_MEAN, "war_months", "p_article5", "p_reopen", "months_to_reopen",
)
#: per-seed metrics that are 1 or 0 in each seed (summarised as shares of seeds)
PROBABILITIES: tuple[str, ...] = tuple(m for m in PER_SEED if m.startswith("p_"))


def _step_months(dates: np.ndarray | pd.Series) -> int:
    """Return the months between the first two distinct dates (1 for a single date)."""
    distinct = pd.DatetimeIndex(pd.unique(pd.Series(dates))).sort_values()
    if len(distinct) < 2:
        return 1
    a, b = distinct[0], distinct[1]
    return max(1, (b.year - a.year) * 12 + (b.month - a.month))


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
    for level in range(1, len(ESCALATION_LEVELS)):
        out[f"p_level_{level}"] = (out.max_escalation >= level).astype(float)
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
    out["mean_p_hostile"] = sum(out[f"mean_p_{a}"] for a in HOSTILE_ACTIONS)
    out["mean_p_force"] = sum(out[f"mean_p_{a}"] for a in FORCE_ACTIONS)
    for name, column in AT_HORIZON.items():
        out[name] = end[column]
    grouped = window.groupby("seed")
    for name, column in WINDOW_MEAN.items():
        out[name] = grouped[column].mean()
    at_war = window.war_intensity_max > WAR_THRESHOLD
    out["war_months"] = (at_war.groupby(window.seed).sum() * _step_months(ts.date)).astype(float)
    out["p_article5"] = (grouped.article5_in_force.max() > 0.5).astype(float)
    opened = window[window.dialogue_channel != "frozen"].groupby("seed").date.min()
    out["p_reopen"] = opened.reindex(out.index).notna().astype(float)
    reopen = (opened.dt.year - branch.year) * 12 + (opened.dt.month - branch.month)
    out["months_to_reopen"] = reopen.reindex(out.index).astype(float)
    return out[list(PER_SEED)]


def one_run(
    outputs: dict[str, np.ndarray],
    dates: np.ndarray,
    actions: list[str],
    branch: pd.Timestamp,
    horizon: pd.Timestamp,
    thaw: float = 0.0,
    channels: list[str] | None = None,
) -> dict[str, float]:
    """Return every metric of one run from its output arrays (the fast path ``per_seed`` agrees with).

    ``channels`` (the run's ``channel_records``) gives ``p_reopen`` and ``months_to_reopen``;
    without it they are left out.  The one run of ``runs_metrics``.
    """
    found = runs_metrics({name: np.asarray(v)[None] for name, v in outputs.items()}, dates, [actions], branch,
                         horizon, thaw, None if channels is None else [channels])
    return {name: float(v[0]) for name, v in found.items()}


def runs_metrics(
    outputs: dict[str, np.ndarray],
    dates: np.ndarray,
    actions: list[list[str]],
    branch: pd.Timestamp,
    horizon: pd.Timestamp,
    thaw: float = 0.0,
    channels: list[list[str]] | None = None,
) -> dict[str, np.ndarray]:
    """Return every metric of R runs on one calendar, as arrays over the runs (``one_run`` is R = 1).

    ``outputs[name]`` is (R, steps), ``actions[q]`` and ``channels[q]`` run q's records.  Means and extremes run
    along each run's row, so a run's metrics are the bits it gets alone (tested).
    """
    dates = np.asarray(dates, dtype="datetime64[ns]")
    b, h = np.datetime64(branch, "ns"), np.datetime64(horizon, "ns")
    inside = (dates >= b) & (dates <= h)
    end = int(np.flatnonzero(dates <= h)[-1])
    start = int(np.flatnonzero(dates <= b)[-1])
    # whole months from the branching date to each date
    months = (dates.astype("datetime64[M]").astype(np.int64) - np.datetime64(branch, "M").astype(np.int64)).astype(float)

    def window(name: str) -> np.ndarray:
        # C order: a boolean index along the last axis gives a Fortran-ordered copy, along whose rows numpy does
        # not sum pairwise (the last bits would differ from one run's)
        return np.ascontiguousarray(np.asarray(outputs[name])[:, inside])

    def first(mask: np.ndarray) -> np.ndarray:
        """Each run's months to its first date where ``mask`` holds (NaN where it never does)."""
        return np.where(mask.any(axis=1), months[mask.argmax(axis=1)], np.nan)

    rel = np.asarray(outputs["relations_index"])
    out: dict[str, np.ndarray] = {
        "relations_at_horizon": rel[:, end],
        "relations_change": rel[:, end] - rel[:, start],
        "max_escalation": window("escalation_level").max(axis=1).astype(float),
        "cohesion_min": window("alliance_cohesion").min(axis=1),
        "members_at_2pct": np.asarray(outputs["members_at_2pct"])[:, end].astype(float),
        "frontline_deterrence": np.asarray(outputs["frontline_deterrence"])[:, end],
        "war_intensity": np.asarray(outputs["war_intensity_max"])[:, end],
        "russia_strain": np.asarray(outputs["russia_economic_strain"])[:, end],
    }
    for level in range(1, len(ESCALATION_LEVELS)):
        out[f"p_level_{level}"] = (out["max_escalation"] >= level).astype(float)
    out["months_to_thaw"] = first(inside & (rel >= thaw))
    chosen = np.array(actions, dtype=object).reshape(len(rel), -1)[:, inside]
    for action in ACTIONS:
        out[f"share_{action}"] = (chosen == action).mean(axis=1) if chosen.shape[1] else np.zeros(len(rel))
    for action in ACTIONS:
        out[f"mean_p_{action}"] = window(f"p_{action}").mean(axis=1)
    for name, among in (("mean_p_hostile", HOSTILE_ACTIONS), ("mean_p_force", FORCE_ACTIONS)):
        # Python's sum of floats, run by run (it compensates its rounding, as numpy's addition does not)
        out[name] = np.array([sum(terms) for terms in zip(*(out[f"mean_p_{a}"].tolist() for a in among))])
    for name, column in AT_HORIZON.items():
        out[name] = np.asarray(outputs[column])[:, end].astype(float)
    for name, column in WINDOW_MEAN.items():
        out[name] = window(column).mean(axis=1)
    out["war_months"] = ((window("war_intensity_max") > WAR_THRESHOLD).sum(axis=1) * _step_months(dates)).astype(float)
    out["p_article5"] = (window("article5_in_force").max(axis=1) > 0.5).astype(float)
    if channels is not None:
        opened = inside & (np.array(channels, dtype=object).reshape(len(rel), -1) != "frozen")
        out["p_reopen"] = opened.any(axis=1).astype(float)
        out["months_to_reopen"] = first(opened)
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
        if col == "months_to_reopen":
            opened = seeds[col].dropna()
            if len(opened):
                rows.append((col, float(opened.median()), float(opened.quantile(0.1)), float(opened.quantile(0.9)),
                             f"median (10–90 %) over the {len(opened)} seeds that reopen"))
            else:
                rows.append((col, math.nan, math.nan, math.nan, "no seed reopens before the horizon"))
            continue
        values = seeds[col].astype(float)
        if col in PROBABILITIES:
            k = int((values > 0).sum())
            lo, hi = wilson(k, n)
            level = col.removeprefix("p_level_")
            what = f"P(level ≥ {level}: {ESCALATION_LEVELS[int(level)]})" if level.isdigit() else "share of seeds"
            rows.append((col, k / n if n else math.nan, lo, hi, f"{what} (95 % Wilson)"))
            continue
        rows.append((col, float(values.median()), float(values.quantile(0.1)), float(values.quantile(0.9)),
                     "median (10–90 %) over seeds"))
        if col == "max_escalation" and "p_level_1" not in seeds.columns:
            for level in range(1, len(ESCALATION_LEVELS)):
                k = int((values >= level).sum())
                lo, hi = wilson(k, n)
                rows.append((f"p_level_{level}", k / n if n else math.nan, lo, hi,
                             f"P(level ≥ {level}: {ESCALATION_LEVELS[level]}) (95 % Wilson)"))
    return pd.DataFrame(rows, columns=["metric", "estimate", "low", "high", "reading"]).set_index("metric")


def format_number(x: float) -> str:
    """Return x for a table: two decimals from 0.1 on, two significant digits below (never 0.00 for non-zero)."""
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 0.1:
        return f"{x:.2f}"
    return f"{x:.2g}"


def format_share(x: float) -> str:
    """Return a share as a percentage: whole percent, more digits where rounding would show 0 % or 100 %."""
    if x is None or not math.isfinite(x):
        return "–"
    if x <= 0 or x >= 1:
        return f"{x:.0%}"
    pct = 100 * x
    if pct < 1:
        return f"{pct:.2g}%"
    for decimals in range(7):
        text = f"{pct:.{decimals}f}"
        if float(text) < 100:
            return f"{text}%"
    return f"{pct}%"


def reference_table() -> pd.DataFrame:
    """Return the documentation of every metric as a table."""
    return pd.DataFrame([m.__dict__ for m in METRICS])


__all__ = ["HOSTILE_ACTIONS", "METRICS", "PER_SEED", "PROBABILITIES", "Metric", "format_number", "format_share",
           "one_run", "per_seed", "reference_table", "summarise", "wilson"]
