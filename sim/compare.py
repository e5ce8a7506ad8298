"""Comparing scenarios: ensembles side by side, from the date where they branch.

``compare(scenarios, seeds)`` runs every scenario as a seed ensemble through one
worker pool, finds the branching date (the first date where their scheduled
events differ), measures the outcome metrics of ``sim.metrics`` between the
branch and a horizon, and returns a ``Comparison`` that writes the overlay plot,
small multiples and the metrics table (CSV and Markdown).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import metrics, parameters
from sim.runner import RunResult, run_many
from sim.scenario import Scenario


def _signature(ev) -> tuple:
    return (ev.id, ev.date, ev.type, ev.actor, tuple(ev.targets), json.dumps(ev.params, sort_keys=True, default=str))


def branch_date(scenarios: list[Scenario]) -> pd.Timestamp:
    """Return the first date at which the scenarios' scheduled events differ (their common start if none do)."""
    reference = {_signature(e) for e in scenarios[0].events}
    dates = []
    for sc in scenarios[1:]:
        mine = {_signature(e) for e in sc.events}
        dates += [sig[1] for sig in reference ^ mine]
    if dates:
        return pd.Timestamp(min(dates)).to_period("M").to_timestamp()
    return pd.Timestamp(max(sc.start for sc in scenarios))


#: most differences of one kind named in a warning (the rest are counted)
MAX_NAMED = 6


def _named(items: list[str]) -> str:
    """Return the first MAX_NAMED items joined, with a count of the others."""
    shown = "; ".join(items[:MAX_NAMED])
    return shown + (f"; and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


def _fmt(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def setup_differences(scenarios: list[Scenario], branch: pd.Timestamp) -> list[str]:
    """Return what differs between the scenarios apart from their scheduled events from the branch on.

    Parameters in force (registry < calibration < scenario), calibration, posterior, start, step,
    spending anchor year, roster, and scheduled events before ``branch`` (none, by construction of
    ``branch_date``, unless a caller passes another date): each a sentence naming what differs.
    """
    names = [sc.name for sc in scenarios]
    defaults = parameters.defaults()
    in_force = [{**defaults, **sc.calibrated, **sc.parameters} for sc in scenarios]
    out: list[str] = []
    differing = [k for k in sorted(set().union(*in_force)) if len({p.get(k) for p in in_force}) > 1]
    if differing:
        out.append(f"parameters in force ({len(differing)}): " + _named(
            [f"`{k}` " + ", ".join(f"{n} {_fmt(p.get(k))}" for n, p in zip(names, in_force, strict=True))
             for k in differing]))

    def simple(label: str, values: list[object]) -> None:
        if len({str(v) for v in values}) > 1:
            out.append(f"{label}: " + ", ".join(f"{n} {_fmt(v)}" for n, v in zip(names, values, strict=True)))

    simple("calibration", [sc.calibration for sc in scenarios])
    simple("posterior", [None if sc.posterior is None else sc.posterior.file for sc in scenarios])
    simple("start", [f"{sc.start:%Y-%m}" for sc in scenarios])
    simple("step", [sc.step for sc in scenarios])
    simple("spending_anchor_year", [sc.spending_anchor_year for sc in scenarios])
    rosters = [{s["code"]: json.dumps(s, sort_keys=True, default=str) for s in sc.roster} for sc in scenarios]
    codes = sorted(set().union(*rosters))
    roster_diffs = []
    for code in codes:
        entries = [r.get(code) for r in rosters]
        if len(set(entries)) > 1:
            missing = [n for n, e in zip(names, entries, strict=True) if e is None]
            roster_diffs.append(f"{code} not in {', '.join(missing)}" if missing else f"{code}'s entry")
    if roster_diffs:
        out.append("roster: " + _named(roster_diffs))
    when = branch.to_period("M")
    early = [{_signature(e) for e in sc.events if pd.Timestamp(e.date).to_period("M") < when} for sc in scenarios]
    event_diffs = sorted({sig for mine in early[1:] for sig in early[0] ^ mine}, key=lambda sig: (sig[1], sig[0]))
    if event_diffs:
        out.append("scheduled events before the branch: " + _named([f"`{sig[0]}` ({sig[1]})" for sig in event_diffs]))
    return out


def first_divergence(results: list[RunResult], before: pd.Timestamp | None = None) -> pd.Timestamp | None:
    """Return the first date at which any seed's timeseries differ between the runs (before ``before``), or None."""
    ref = results[0].timeseries
    if before is not None:
        ref = ref[ref.date < before]
    ref = ref.set_index(["seed", "date"]).sort_index()
    numeric = [c for c in ref.columns if pd.api.types.is_numeric_dtype(ref[c])]
    first: pd.Timestamp | None = None
    for result in results[1:]:
        other = result.timeseries.set_index(["seed", "date"]).sort_index()
        common = ref.index.intersection(other.index)
        cols = [c for c in numeric if c in other.columns]
        a = ref.loc[common, cols].to_numpy(dtype=float)
        b = other.loc[common, cols].to_numpy(dtype=float)
        differ = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        rows = differ.any(axis=1)
        for col in [c for c in ref.columns if c not in numeric and c in other.columns]:
            rows |= ref.loc[common, col].astype(str).to_numpy() != other.loc[common, col].astype(str).to_numpy()
        if rows.any():
            when = pd.Timestamp(common[rows].get_level_values("date").min())
            first = when if first is None else min(first, when)
    return first


def branch_warnings(scenarios: list[Scenario], results: list[RunResult], branch: pd.Timestamp) -> list[str]:
    """Return warnings when the scenarios (or their runs) differ before the branching date, naming what differs."""
    out = []
    diffs = setup_differences(scenarios, branch)
    if diffs:
        out.append(
            f"The scenarios differ in more than their scheduled events from the branching date {branch:%Y-%m} on: "
            + "; ".join(diffs) + ".")
    diverge = first_divergence(results, before=branch)
    if diverge is not None:
        out.append(
            f"Their runs already differ on {diverge:%Y-%m}, before the branching date {branch:%Y-%m}: the branch "
            "is where the scheduled events start to differ, not where the runs do, so differences at the "
            "branch (and changes measured from it, e.g. `relations_change`) are not the events' effect alone.")
    elif diffs:
        out.append(f"(Their runs are identical up to {branch:%Y-%m} in every seed nonetheless.)")
    return out


@dataclass
class Comparison:
    """Scenario ensembles with their branching date, horizon and metrics."""

    results: list[RunResult]
    branch: pd.Timestamp
    horizon: pd.Timestamp
    thaw: float
    per_seed: dict[str, pd.DataFrame]
    summary: pd.DataFrame
    #: what differs between the scenarios before the branching date (empty when nothing does)
    warnings: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Return the scenario names, in order."""
        return [r.scenario.name for r in self.results]

    def table(self) -> pd.DataFrame:
        """Return the metrics side by side: one row per metric, estimate and interval per scenario."""
        return self.summary

    def markdown(self) -> str:
        """Return the metrics table as Markdown, one column per scenario."""
        lines = [
            f"# Scenario comparison: {', '.join(self.names)}",
            "",
            (
                f"Branching date {self.branch:%Y-%m}; horizon {self.horizon:%Y-%m}; "
                f"{len(self.results[0].seeds)} seeds per scenario; thaw threshold {self.thaw:+.2f}."
            ),
            "Quantities: median (10th–90th percentile over seeds). Probabilities: share of seeds (95 % Wilson interval).",
            ("Numbers below 0.1 are shown with two significant digits (2.3e-05 is 2.3 in 100,000), shares below 1 % "
             "likewise; an exact zero is 0."),
            "",
            *(line for w in self.warnings for line in (f"**Warning:** {w}", "")),
            "| metric | " + " | ".join(self.names) + " |",
            "|---|" + "---|" * len(self.names),
        ]
        for metric in self.summary.index.get_level_values("metric").unique():
            cells = []
            for name in self.names:
                row = self.summary.loc[(metric, name)]
                if pd.isna(row.estimate):
                    cells.append("–")
                elif metric.startswith("p_"):
                    share = metrics.format_share
                    cells.append(f"{share(row.estimate)} ({share(row.low)}–{share(row.high)})")
                else:
                    num = metrics.format_number
                    cells.append(f"{num(row.estimate)} ({num(row.low)}–{num(row.high)})")
            lines.append(f"| {metric} | " + " | ".join(cells) + " |")
        posteriors = sorted({r.scenario.posterior.file for r in self.results if r.scenario.posterior is not None})
        if posteriors:
            lines += ["", (f"Parameters drawn from the posterior {', '.join(f'`{p}`' for p in posteriors)}: one particle "
                           "per seed, the same for every scenario (`posterior_draws.csv`).")]
        lines += ["", "Metric definitions: `sim/metrics.py` and docs/scenarios.md."]
        return "\n".join(lines) + "\n"

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write metrics (CSV, Markdown, per-seed CSV), timeseries and plots into folder; return it."""
        from sim import plots as plotting
        from sim.outputs import write_table, write_text

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        write_table(self.summary.reset_index(), out / "metrics", formats=("csv",))
        write_text(self.markdown(), out / "metrics.md")
        seeds = pd.concat(self.per_seed, names=["scenario"]).reset_index()
        write_table(seeds, out / "metrics_per_seed", formats=("csv",))
        ts = pd.concat([r.timeseries.assign(scenario=r.scenario.name) for r in self.results], ignore_index=True)
        write_table(ts, out / "timeseries", formats=("parquet",))
        drawn = [r.draws.assign(scenario=r.scenario.name) for r in self.results if r.draws is not None]
        if drawn:
            draws = pd.concat(drawn, ignore_index=True)
            write_table(draws[["scenario", *[c for c in draws.columns if c != "scenario"]]], out / "posterior_draws",
                        formats=("csv",))
        if plots:
            plotting.save_figure(plotting.compare_relations(self), out, "compare_relations")
            plotting.save_figure(plotting.compare_panels(self), out, "compare_panels")
        return out


def compare(
    scenarios: list[Scenario],
    seeds: Iterable[int],
    workers: int = 1,
    horizon: pd.Timestamp | None = None,
    thaw: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
    **overrides: float,
) -> Comparison:
    """Run the scenarios as ensembles and measure their outcome metrics from the branching date."""
    results = run_many(scenarios, seeds, workers=workers, progress=progress, states=False, **overrides)
    branch = branch_date(scenarios)
    end = pd.Timestamp(min(sc.end for sc in scenarios))
    horizon = end if horizon is None else min(pd.Timestamp(horizon), end)
    per_seed = {r.scenario.name: metrics.per_seed(r, branch, horizon, thaw) for r in results}
    summary = pd.concat(
        {name: metrics.summarise(table) for name, table in per_seed.items()}, names=["scenario"]
    ).swaplevel().sort_index(level=0, sort_remaining=False)
    order = list(metrics.summarise(next(iter(per_seed.values()))).index)
    summary = summary.reindex(pd.MultiIndex.from_product([order, list(per_seed)], names=["metric", "scenario"]))
    return Comparison(results, branch, horizon, thaw, per_seed, summary, branch_warnings(scenarios, results, branch))
