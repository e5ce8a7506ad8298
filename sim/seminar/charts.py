"""The seminar's charts: relations, threat and deterrence, and the escalation ladder over the turns."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure


def make_figure(ts: pd.DataFrame, turns: list[dict[str, Any]], start: str, width: float = 9.0) -> Figure:
    """Return the seminar's charts: relations index, threat and deterrence, escalation (``width`` in inches:
    narrower draws the same text larger against the figure, for a projector)."""
    fig = Figure(figsize=(width, width * 0.71), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True, height_ratios=[1.0, 1.0, 0.8])
    for a in axes:
        a.tick_params(labelsize=9)
    if ts.empty:
        for ax in axes:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return fig
    x = pd.to_datetime(ts["date"])
    ax = axes[0]
    ax.plot(x, ts["relations_index"], color="#1f4e79", lw=2, marker="o", ms=3)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("relations index", fontsize=9)
    ax.set_title("Relations index (−1 hostile … +1 cooperative)", loc="left", fontsize=10)
    ax = axes[1]
    for col, label, color in (
        ("mean_threat_from_russia", "allies' threat from Russia", "#b03a2e"),
        ("eastern_threat_from_russia", "eastern flank threat", "#e67e22"),
        ("frontline_deterrence", "frontline deterrence", "#1e8449"),
    ):
        if col in ts:
            ax.plot(x, ts[col], label=label, color=color, lw=1.8, marker="o", ms=2.5)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("0 … 1", fontsize=9)
    ax.legend(loc="lower left", fontsize=8, ncols=3)
    ax.set_title("Threat and deterrence", loc="left", fontsize=10)
    ax = axes[2]
    ax.step(x, ts["escalation_level"], where="post", color="#6c3483", lw=2)
    ax.set_ylim(-0.3, 5.3)
    ax.set_yticks(range(6))
    ax.set_ylabel("level", fontsize=9)
    ax.set_title("Escalation ladder (0 peace … 5 NATO–Russia war)", loc="left", fontsize=10)
    t0 = pd.Timestamp(start)
    spans = [(pd.Timestamp(t["start"]), pd.Timestamp(t["end"]) + pd.offsets.MonthBegin(1),
              t.get("number", "?")) for t in turns]
    for a in axes:
        a.grid(alpha=0.3)
        a.axvline(t0, color="black", lw=1, ls="--")
        for k, (t_start, t_end, _) in enumerate(spans):
            a.axvspan(t_start, t_end, color="#1f4e79" if k % 2 == 0 else "#7f8c8d", alpha=0.07,
                      lw=0)
    top = axes[0].get_ylim()[1]
    axes[0].annotate("seminar start", (t0, top), fontsize=8, xytext=(-3, -10),
                     textcoords="offset points", ha="right")
    for t_start, t_end, number in spans:
        axes[0].annotate(f"T{number}", (t_start + (t_end - t_start) / 2, top), fontsize=8,
                         xytext=(0, -10), textcoords="offset points", ha="center", color="#1f4e79")
    return fig


