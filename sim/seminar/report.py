"""The after-action report of a seminar: one self-contained HTML file and a Markdown version.

It tells the seminar as the room played it: the starting situation, each turn's
moves and injects and the model's response (which mechanisms moved — trust,
threat, deterrence, escalation — and where), the branches side by side, and
the headline plots (the HTML embeds them; the Markdown links PNG files written
beside it).
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim.outputs import write_text, write_with
from sim.world import ESCALATION_LEVELS

#: rows of the branch comparison: (summary key, label, format)
COMPARE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("relations_index", "Relations index (−1 hostile … +1 cooperative)", "+.2f"),
    ("nato_trust_in_russia", "Members' trust in Russia", "+.2f"),
    ("russia_trust_in_nato", "Russia's trust in members", "+.2f"),
    ("escalation_level", "Escalation level (0–5)", "d"),
    ("frontline_deterrence", "Frontline deterrence credibility", ".2f"),
    ("mean_threat_from_russia", "Members' threat from Russia", ".2f"),
    ("eastern_threat_from_russia", "Eastern flank's threat from Russia", ".2f"),
    ("mean_defence_spending", "Allies' mean defence spending, % GDP", ".2f"),
    ("members_at_2pct", "Members at 2 % of GDP", "d"),
    ("forward_presence_total", "Forward presence, total", ".2f"),
    ("sanctions_level", "Sanctions level", ".2f"),
    ("military_aid_level", "Military aid level", ".2f"),
    ("war_intensity_max", "Highest war intensity", ".2f"),
    ("nato_members", "NATO members", "d"),
    ("russia_economic_strain", "Russia's economic strain", ".2f"),
)
COLOURS = ("#1f4e9c", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#7f8c8d", "#16a085", "#b7950b")


def _fmt(value: Any, fmt: str) -> str:
    if value is None:
        return "–"
    if fmt == "d":
        return str(round(float(value)))
    return format(float(value), fmt)


def _branch_order(session) -> list[str]:
    names = list(session.engine.branches)
    return sorted(names, key=lambda b: (b != "main", names.index(b)))


def _branch_title(name: str, labels: dict[str, str]) -> str:
    """Return a branch's name with its label, if it has one."""
    return f"{name} — {labels[name]}" if labels.get(name) else name


def _series(session) -> list[tuple[str, pd.DataFrame, str]]:
    """Return (branch, series, colour) for each branch that has data, main last (drawn on top)."""
    order = _branch_order(session)
    out = []
    for b in order[::-1]:
        df = session.engine.timeseries(b)
        if not df.empty:
            out.append((b, df, COLOURS[order.index(b) % len(COLOURS)]))
    return out


def _start(session) -> pd.Timestamp:
    return pd.Timestamp(session.engine.at + "-01")


def plot_relations(session) -> plt.Figure:
    """Relations index and escalation level along every branch, the seminar's start marked."""
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True, height_ratios=(3, 1.4))
    start = _start(session)
    for b, df, colour in _series(session):
        ax1.plot(
            df["date"], df["relations_index"], color=colour, lw=2.2 if b == "main" else 1.6, label=b
        )
        ax2.step(df["date"], df["escalation_level"], where="post", color=colour, lw=1.8, label=b)
    for ax in (ax1, ax2):
        ax.axvline(start, color="0.3", ls="--", lw=1)
        ax.grid(alpha=0.3)
    ax1.text(
        start,
        0.98,
        "  seminar starts",
        transform=ax1.get_xaxis_transform(),
        va="top",
        fontsize=9,
        color="0.3",
    )
    ax1.axhline(0, color="0.5", lw=0.8)
    ax1.set_ylabel("relations index")
    ax1.set_title("NATO–Russia relations by branch (−1 hostile … +1 cooperative)")
    ax1.legend(title="branch", loc="best", fontsize=9)
    ax2.set_yticks(range(len(ESCALATION_LEVELS)))
    ax2.set_yticklabels([f"{i} {name}" for i, name in enumerate(ESCALATION_LEVELS)], fontsize=8)
    ax2.set_ylim(-0.3, len(ESCALATION_LEVELS) - 0.7)
    ax2.set_title("Escalation ladder", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_security(session) -> plt.Figure:
    """Members' threat from Russia and frontline deterrence along every branch."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
    start = _start(session)
    for b, df, colour in _series(session):
        ax1.plot(
            df["date"], df["eastern_threat_from_russia"], color=colour, label=f"{b}: eastern flank"
        )
        ax1.plot(
            df["date"],
            df["mean_threat_from_russia"],
            color=colour,
            ls=":",
            label=f"{b}: all members",
        )
        ax2.plot(df["date"], df["frontline_deterrence"], color=colour, label=b)
    for ax, title in (
        (ax1, "Threat from Russia perceived by members"),
        (ax2, "Frontline deterrence credibility"),
    ):
        ax.axvline(start, color="0.3", ls="--", lw=1)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.set_title(title, fontsize=10)
    ax1.legend(fontsize=7, loc="lower left")
    ax2.legend(fontsize=7, loc="lower left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_posture(session) -> plt.Figure:
    """Allied spending, forward presence, sanctions and aid along every branch."""
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharex=True)
    start = _start(session)
    panels = (
        ("mean_defence_spending", "Allies' mean defence spending, % GDP"),
        ("forward_presence_total", "Forward presence, total"),
        ("sanctions_level", "Sanctions level"),
    )
    for b, df, colour in _series(session):
        for ax, (col, _) in zip(axes, panels, strict=True):
            ax.plot(df["date"], df[col], color=colour, label=b)
    for ax, (_, title) in zip(axes, panels, strict=True):
        ax.axvline(start, color="0.3", ls="--", lw=1)
        ax.grid(alpha=0.3)
        ax.set_title(title, fontsize=9)
    axes[0].axhline(2.0, color="0.5", lw=0.8, ls=":")
    axes[0].legend(fontsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


PLOTS = (
    ("relations", "Relations and escalation by branch", plot_relations),
    ("security", "Threat and deterrence by branch", plot_security),
    ("posture", "Allied posture by branch", plot_posture),
)


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()


def _describe_move(mv: dict[str, Any]) -> str:
    fields = ", ".join(
        f"{k} {', '.join(v) if isinstance(v, list) else v}"
        for k, v in mv.items()
        if k not in ("team", "move")
    )
    return f"**{mv['team']}** — {mv['move'].replace('_', ' ')}" + (f" ({fields})" if fields else "")


def _describe_inject(inj: dict[str, Any]) -> str:
    targets = ", ".join(inj["targets"]) or "—"
    return (
        f"**inject** — {inj['type'].replace('_', ' ')}: {inj['actor']} → {targets} “{inj['label']}”"
    )


def build(session) -> dict[str, Any]:
    """Return the report's content as plain data (sections, tables, figures as PNG bytes)."""
    e = session.engine
    root = e.nodes[0]
    order = _branch_order(session)
    heads = {b: e.nodes[e.branches[b]] for b in order}
    comparison = [
        (label, [_fmt(heads[b].summary.get(key), fmt) for b in order])
        for key, label, fmt in COMPARE_ROWS
    ]
    comparison.insert(
        0, ("Turns played / last month", [f"{heads[b].number} / {heads[b].end}" for b in order])
    )
    comparison.append(("Dialogue channel", [heads[b].summary.get("channel", "–") for b in order]))
    comparison.append(
        (
            "Wars under way",
            [
                ", ".join(f"{c} {x:.2f}" for c, x in heads[b].summary.get("at_war", {}).items())
                or "none"
                for b in order
            ],
        )
    )
    # the branches compared at one date: the last month every branch has reached
    same_date = min(heads[b].end for b in order)
    at_date = {}
    for b in order:
        rows = [r for nid in e.path(e.branches[b]) for r in e.nodes[nid].series if r["date"] == same_date]
        at_date[b] = rows[-1] if rows else {}
    same = [
        (label, [_fmt(at_date[b].get(key), fmt) for b in order])
        for key, label, fmt in COMPARE_ROWS
        if any(key in at_date[b] for b in order)
    ]
    insights, listed = [], set()
    for b in order:
        for t in e.turns(b):
            if t.id not in listed:  # a turn shared by branches is listed once, under the first
                listed.add(t.id)
                insights += [(b, t.number, n["text"]) for n in t.notes if n.get("kind") == "insight"]
    seen: set[int] = set()
    branches = []
    for b in order:
        turns = []
        for t in e.turns(b):
            shared = t.id in seen
            seen.add(t.id)
            turns.append((t, shared))
        fork = None
        path = e.path(e.branches[b])
        if b != "main" and "main" in e.branches:
            main_path = set(e.path(e.branches["main"]))
            common = [nid for nid in path if nid in main_path]
            fork = e.nodes[common[-1]].number if common else 0
        branches.append({"name": b, "label": e.labels.get(b, ""), "turns": turns, "fork": fork})
    figures = [(name, title, _png(fn(session))) for name, title, fn in PLOTS]
    eastern = session.states_table()
    eastern = eastern[
        eastern["state"].isin(["EST", "LVA", "LTU", "POL", "FIN", "ROU", "UKR", "GEO", "MDA"])
    ]
    return {
        "title": f"After-action report — {session.header['scenario']['name']} seminar from {e.at}",
        "header": session.header,
        "root": root,
        "comparison": comparison,
        "same_date": same_date,
        "comparison_same_date": same,
        "insights": insights,
        "labels": dict(e.labels),
        "order": order,
        "branches": branches,
        "figures": figures,
        "eastern": eastern,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "warnings": session.warnings,
    }


def _start_lines(content: dict[str, Any]) -> list[str]:
    s = content["root"].summary
    h = content["header"]
    wars = ", ".join(f"{c} (intensity {x:.2f})" for c, x in s.get("at_war", {}).items()) or "none"
    return [
        (
            f"Scenario **{h['scenario']['name']}** (`{h['scenario']['given']}`), seed {h['seed']}, turns of {h['turn_months']} months, "
            f"teams: {', '.join(h['teams'])}."
        ),
        (
            f"Situation at the start ({content['root'].start}): relations index {s['relations_index']:+.2f}; escalation "
            f"{int(s['escalation_level'])} ({s['escalation_label']}); wars under way: {wars}; dialogue channel {s['channel']}."
        ),
        (
            f"Members' trust in Russia {s['nato_trust_in_russia']:+.2f}, Russia's trust in members {s['russia_trust_in_nato']:+.2f}; "
            f"members' threat from Russia {s['mean_threat_from_russia']:.2f} (eastern flank {s['eastern_threat_from_russia']:.2f}); "
            f"frontline deterrence {s['frontline_deterrence']:.2f}."
        ),
        (
            f"{s['nato_members']} NATO members ({s['members_at_2pct']} at 2 % of GDP; mean {s['mean_defence_spending']:.2f} %); "
            f"candidates: {', '.join(s.get('applicants', [])) or 'none'}; Russia's economic strain {s['russia_economic_strain']:.2f}."
        ),
    ]


def markdown(content: dict[str, Any], images: dict[str, str]) -> str:
    """Return the report as Markdown, linking the plot files named in ``images``."""
    out = [
        f"# {content['title']}",
        "",
        f"_natosim {content['header']['natosim_version']}, generated {content['generated']}._",
        "",
    ]
    for w in content["warnings"]:
        out += [f"> **Warning:** {w}", ""]
    out += ["## Starting situation", ""] + [f"- {line}" for line in _start_lines(content)] + [""]
    heads = " | ".join(_branch_title(b, content["labels"]) for b in content["order"])
    out += [
        f"## Branches side by side at the same date ({content['same_date']})",
        "",
        "| | " + heads + " |",
        "|---|" + "---|" * len(content["order"]),
    ]
    out += [f"| {label} | " + " | ".join(values) + " |" for label, values in content["comparison_same_date"]]
    out += [
        "",
        "## Branches at their last turn",
        "",
        "| | " + heads + " |",
        "|---|" + "---|" * len(content["order"]),
    ]
    out += [f"| {label} | " + " | ".join(values) + " |" for label, values in content["comparison"]]
    out += [""]
    if content["insights"]:
        out += ["## Hotwash: the room's insights", ""]
        out += [f"- {text} _(branch {b}, turn {n})_" for b, n, text in content["insights"]] + [""]
    for name, title, _ in content["figures"]:
        out += [f"![{title}]({images[name]})", ""]
    for br in content["branches"]:
        fork = f" (branches from main at turn {br['fork']})" if br["fork"] is not None else ""
        out += [f"## Branch {_branch_title(br['name'], content['labels'])}{fork}", ""]
        if not br["turns"]:
            out += ["No turn played on this branch.", ""]
        for t, shared in br["turns"]:
            if shared:
                out += [
                    f"- Turn {t.number} ({t.start} – {t.end}): as on an earlier branch above.",
                    "",
                ]
                continue
            out += [f"### Turn {t.number}: {t.start} – {t.end}", ""]
            decided = [_describe_move(m) for m in t.moves] + [
                _describe_inject(i) for i in t.injects
            ]
            out += (
                ["**Decisions**", ""]
                + ([f"- {d}" for d in decided] or ["- no move, no inject"])
                + [""]
            )
            out += ["**What the model did**", ""] + [f"- {line}" for line in t.changes] + [""]
            if t.why:
                out += ["**Why**", ""] + [f"- {line}" for line in t.why] + [""]
            if t.notes:
                out += ["**The room's notes**", ""] + [f"- {n['kind']}: {n['text']}" for n in t.notes] + [""]
            notable = [ev for ev in t.events if ev["origin"] in ("emergent", "scheduled")]
            if notable:
                out += ["**Other events this turn**", ""]
                out += [
                    f"- {ev['date']} {ev['actor']} → {ev['targets']}: {ev['label']} ({ev['type']}, Goldstein {ev['goldstein']:+.1f}, {ev['origin']})"
                    for ev in notable[:12]
                ]
                if len(notable) > 12:
                    out.append(f"- … and {len(notable) - 12} more")
                out += [""]
    east = content["eastern"]
    if not east.empty:
        out += [
            "## The eastern flank and partners now (current branch)",
            "",
            "| state | member | trust in Russia | threat | deterrence | presence | war |",
            "|---|---|---|---|---|---|---|",
        ]
        for _, r in east.iterrows():
            out.append(
                f"| {r['state']} | {'yes' if r['member'] else 'no'} | {r['trust_in_russia']:+.2f} | {r['threat_from_russia']:.2f} | "
                f"{r['deterrence_credibility']:.2f} | {r['forward_presence']:.2f} | {r['war_intensity']:.2f} |"
            )
        out += [""]
    out += [
        "## How to read this report",
        "",
        (
            "One seeded model run per branch: each branch is one possible history, not a forecast. "
            "Moves replace or constrain the deciding actor's own choice for their turn; every other state and "
            "mechanism keeps running on the model's rules (see docs/ODD.md). Replay the session file with "
            "`natosim seminar status` to check the figures."
        ),
        "",
    ]
    return "\n".join(out)


def _md_inline(text: str) -> str:
    """Escape text for HTML and turn **bold** and `code` into tags."""
    parts = html.escape(text).split("**")
    text = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1050px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6em;border-bottom:3px solid #1f4e9c;padding-bottom:.3em}h2{margin-top:1.8em;color:#1f4e9c}
h3{margin-bottom:.3em}table{border-collapse:collapse;margin:1em 0;font-size:.92em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child{text-align:left}
th{background:#eef2f8}.turn{border-left:4px solid #1f4e9c;padding:.2em 1em;margin:1em 0;background:#fafbfd}
.muted{color:#666}.warn{background:#fff3cd;padding:.5em 1em;border-left:4px solid #e0a800}img{max-width:100%}
ul{margin-top:.2em}@media print{.turn{break-inside:avoid}}
"""


def to_html(content: dict[str, Any]) -> str:
    """Return the report as one self-contained HTML page (plots embedded as PNG data)."""
    h: list[str] = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(content['title'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(content['title'])}</h1>",
        f"<p class='muted'>natosim {html.escape(str(content['header']['natosim_version']))}, generated {content['generated']}</p>",
    ]
    for w in content["warnings"]:
        h.append(f"<p class='warn'>{html.escape(w)}</p>")
    h.append(
        "<h2>Starting situation</h2><ul>"
        + "".join(f"<li>{_md_inline(x)}</li>" for x in _start_lines(content))
        + "</ul>"
    )
    head_cells = "".join(f"<th>{html.escape(_branch_title(b, content['labels']))}</th>" for b in content["order"])
    h.append(f"<h2>Branches side by side at the same date ({content['same_date']})</h2><table><tr><th></th>"
             + head_cells + "</tr>")
    for label, values in content["comparison_same_date"]:
        h.append(f"<tr><td>{html.escape(label)}</td>" + "".join(f"<td>{html.escape(v)}</td>" for v in values)
                 + "</tr>")
    h.append("</table>")
    if content["insights"]:
        h.append("<h2>Hotwash: the room's insights</h2><ul>" + "".join(
            f"<li>{html.escape(text)} <span class='muted'>(branch {html.escape(b)}, turn {n})</span></li>"
            for b, n, text in content["insights"]) + "</ul>")
    h.append("<h2>Branches at their last turn</h2><table><tr><th></th>" + head_cells + "</tr>")
    for label, values in content["comparison"]:
        h.append(
            f"<tr><td>{html.escape(label)}</td>"
            + "".join(f"<td>{html.escape(v)}</td>" for v in values)
            + "</tr>"
        )
    h.append("</table>")
    for _, title, png in content["figures"]:
        data = base64.b64encode(png).decode()
        h.append(
            f"<figure><img alt='{html.escape(title)}' src='data:image/png;base64,{data}'><figcaption class='muted'>{html.escape(title)}</figcaption></figure>"
        )
    for br in content["branches"]:
        fork = (
            f" <span class='muted'>(branches from main at turn {br['fork']})</span>"
            if br["fork"] is not None
            else ""
        )
        h.append(f"<h2>Branch {html.escape(_branch_title(br['name'], content['labels']))}{fork}</h2>")
        if not br["turns"]:
            h.append("<p>No turn played on this branch.</p>")
        for t, shared in br["turns"]:
            if shared:
                h.append(
                    f"<p class='muted'>Turn {t.number} ({t.start} – {t.end}): as on an earlier branch above.</p>"
                )
                continue
            decided = [_describe_move(m) for m in t.moves] + [
                _describe_inject(i) for i in t.injects
            ]
            h.append(
                f"<div class='turn'><h3>Turn {t.number}: {t.start} – {t.end}</h3><strong>Decisions</strong><ul>"
                + (
                    "".join(f"<li>{_md_inline(d)}</li>" for d in decided)
                    or "<li>no move, no inject</li>"
                )
                + "</ul><strong>What the model did</strong><ul>"
                + "".join(f"<li>{_md_inline(line)}</li>" for line in t.changes)
                + "</ul>"
                + ("<strong>Why</strong><ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in t.why) + "</ul>"
                   if t.why else "")
                + ("<strong>The room's notes</strong><ul>" + "".join(
                    f"<li>{html.escape(n['kind'])}: {html.escape(n['text'])}</li>" for n in t.notes) + "</ul>"
                   if t.notes else "")
            )
            notable = [ev for ev in t.events if ev["origin"] in ("emergent", "scheduled")]
            if notable:
                h.append(
                    "<strong>Other events this turn</strong><ul>"
                    + "".join(
                        f"<li>{ev['date']} {html.escape(ev['actor'])} → {html.escape(ev['targets'])}: {html.escape(ev['label'])} "
                        f"<span class='muted'>({ev['type']}, Goldstein {ev['goldstein']:+.1f}, {ev['origin']})</span></li>"
                        for ev in notable[:12]
                    )
                    + "</ul>"
                )
            h.append("</div>")
    east = content["eastern"]
    if not east.empty:
        h.append(
            "<h2>The eastern flank and partners now (current branch)</h2><table><tr><th>state</th><th>member</th>"
            "<th>trust in Russia</th><th>threat</th><th>deterrence</th><th>presence</th><th>war</th></tr>"
        )
        for _, r in east.iterrows():
            h.append(
                f"<tr><td>{r['state']} {html.escape(r['name'])}</td><td>{'yes' if r['member'] else 'no'}</td>"
                f"<td>{r['trust_in_russia']:+.2f}</td><td>{r['threat_from_russia']:.2f}</td><td>{r['deterrence_credibility']:.2f}</td>"
                f"<td>{r['forward_presence']:.2f}</td><td>{r['war_intensity']:.2f}</td></tr>"
            )
        h.append("</table>")
    h.append(
        "<h2>How to read this report</h2><p>One seeded model run per branch: each branch is one possible history, "
        "not a forecast. Moves replace or constrain the deciding actor's own choice for their turn; every other state "
        "and mechanism keeps running on the model's rules (docs/ODD.md).</p></body></html>"
    )
    return "\n".join(h)


def write_report(session, folder: str | Path) -> list[str]:
    """Write report.html (self-contained), report.md and the plot PNGs into a folder; return the paths."""
    folder = Path(folder)
    content = build(session)
    files, images = [], {}
    for name, _, png in content["figures"]:
        path = folder / f"{name}.png"
        write_with(lambda tmp, data=png: Path(tmp).write_bytes(data), path)
        images[name] = path.name
        files.append(str(path))
    files.insert(0, write_text(markdown(content, images), folder / "report.md"))
    files.insert(0, write_text(to_html(content), folder / "report.html"))
    return files
