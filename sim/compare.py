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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import metrics
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


@dataclass
class Comparison:
    """Scenario ensembles with their branching date, horizon and metrics."""

    results: list[RunResult]
    branch: pd.Timestamp
    horizon: pd.Timestamp
    thaw: float
    per_seed: dict[str, pd.DataFrame]
    summary: pd.DataFrame

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
            "",
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
                    cells.append(f"{row.estimate:.0%} ({row.low:.0%}–{row.high:.0%})")
                else:
                    cells.append(f"{row.estimate:.2f} ({row.low:.2f}–{row.high:.2f})")
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
    return Comparison(results, branch, horizon, thaw, per_seed, summary)
