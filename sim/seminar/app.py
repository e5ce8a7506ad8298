"""The room dashboard of the wargame seminar mode: one Solara page over one session file.

Started by ``natosim seminar dashboard SESSION`` (``sim.seminar.dashboard.serve``), which
runs ``solara run sim.seminar.app`` with the session file's path in ``NATOSIM_SESSION``.

Why a page of its own rather than Mesa's ``SolaraViz``: SolaraViz drives a model that
steps by itself (play, step, reset, model parameters as sliders).  A seminar advances
only when the teams' moves and the facilitator's injects are in, by a whole turn of
several months, and it can rewind and branch.  So the page follows SolaraViz's
conventions where they fit -- a module-level ``Page`` component built from solara
components, matplotlib figures shown with ``solara.FigureMatplotlib`` as SolaraViz's
matplotlib components do, reactive state that re-renders what changed -- but it drives
the same ``sim.seminar.Session`` as the command line and writes the same session file.

State: the ``Session`` is shared by every browser tab of the server (one lock guards it,
every change is saved at once by the session); the pending moves and injects, the form
inputs and the last message belong to one tab (the room screen).  "Reload" re-reads the
session file, e.g. after a turn was played from the command line.

Stable hooks for tests and the room: CSS classes prefixed ``nato-`` (``nato-advance-turn``,
``nato-move-form-blue``, ``nato-inject-form``, ``nato-chart``, ``nato-chart-caption``,
``nato-status-turn``, ...).
"""

from __future__ import annotations

import html
import os
import re
import threading
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.seminar import Session, SessionError
from sim.world import ESCALATION_LEVELS

matplotlib.use("Agg")

ENV_VAR = "NATOSIM_SESSION"

_lock = threading.RLock()
_shared: dict[str, Any] = {"session": None, "signature": None}

# per tab (solara keeps a reactive variable's value per browser connection)
revision = solara.reactive(0)
pending_moves: solara.Reactive[list[dict[str, Any]]] = solara.reactive([])
pending_injects: solara.Reactive[list[dict[str, Any]]] = solara.reactive([])
message: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)


# -- the shared session ----------------------------------------------------------------
def session_path() -> Path:
    """Return the session file named by NATOSIM_SESSION."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        raise SessionError(
            f"no session: set {ENV_VAR} to a session file (natosim seminar dashboard SESSION does)"
        )
    return Path(value)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def get_session(reload: bool = False) -> Session:
    """Return the shared session, opening (or re-reading) its file when needed."""
    with _lock:
        path = session_path()
        if _shared["session"] is None or reload or changed_on_disk():
            _shared["session"] = Session.open(path)
            _shared["signature"] = _signature(path)
        return _shared["session"]


def changed_on_disk() -> bool:
    """Return True when another program (e.g. the command line) rewrote the session file."""
    with _lock:
        return (_shared["session"] is not None
                and _signature(session_path()) != _shared["signature"])


def _act(action, ok=None, after=None) -> bool:
    """Run a change on the shared session (``action(session)``), re-render, show the result.

    If the session file was rewritten by another program since it was read, the page
    re-reads it and refuses the change, so that nobody plays over a turn unseen.
    """
    done = False
    try:
        with _lock:
            if changed_on_disk():
                get_session(reload=True)
                raise SessionError("the session file was changed by another program; the page "
                                   "now shows it: check the situation and try again")
            s = get_session()
            result = action(s)
            _shared["signature"] = _signature(s.path)
    except SessionError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        msg: tuple[str, str] | None = ("error", "\n".join(str(p) for p in problems))
    except Exception as exc:  # noqa: BLE001 - shown in the page, never a dead page
        msg = ("error", f"{type(exc).__name__}: {exc}")
    else:
        done = True
        text = ok(result) if callable(ok) else ok
        msg = ("success", text) if text else None
        if after is not None:
            after()
    # the page first, the message last: once the message shows, the page is up to date
    revision.value += 1
    message.value = msg
    return done


# -- small helpers ----------------------------------------------------------------
def _fmt(value: Any, spec: str = "+.2f") -> str:
    try:
        return format(float(value), spec)
    except (TypeError, ValueError):
        return "–"


def _defaults(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in spec.get("fields", []):
        default = f.get("default")
        if f["kind"] == "states":
            out[f["name"]] = [default] if isinstance(default, str) else list(default or [])
        elif f["kind"] == "number":
            out[f["name"]] = float(default) if default is not None else float(f.get("min") or 0.0)
        elif f["kind"] == "text":
            out[f["name"]] = default or ""
        else:
            out[f["name"]] = default
    return out


def _parse_param(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text)
    except ValueError:
        pass
    if "," in text:
        return [t.strip() for t in text.split(",") if t.strip()]
    return text


def css(name: str) -> str:
    """Return a name usable in a CSS class (member:HUN -> member-HUN)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


def team_title(team: str) -> str:
    """Return a team's heading: Blue, Red, Ukraine, Member HUN."""
    if team.startswith("member:"):
        return f"Member {team.split(':', 1)[1].upper()}"
    return team.capitalize()


def describe_move(move: dict[str, Any]) -> str:
    """Return a one-line description of a move for the pending list."""
    fields = ", ".join(
        f"{k}={','.join(v) if isinstance(v, list) else v}"
        for k, v in move.items()
        if k not in ("team", "move")
    )
    return f"{move['team']}: {move['move']}" + (f" ({fields})" if fields else "")


def describe_inject(inj: dict[str, Any]) -> str:
    """Return a one-line description of an inject for the pending list."""
    targets = ",".join(inj.get("targets") or [])
    text = f"inject: {inj['type']} by {inj.get('actor', '?')}"
    if targets:
        text += f" on {targets}"
    if inj.get("label"):
        text += f" — {inj['label']}"
    return text


# -- charts ----------------------------------------------------------------
def make_figure(ts: pd.DataFrame, turns: list[dict[str, Any]], start: str) -> Figure:
    """Return the seminar's charts: relations index, threat and deterrence, escalation."""
    fig = Figure(figsize=(9.0, 6.4), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True, height_ratios=[1.0, 1.0, 0.8])
    if ts.empty:
        for ax in axes:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return fig
    x = pd.to_datetime(ts["date"])
    ax = axes[0]
    ax.plot(x, ts["relations_index"], color="#1f4e79", lw=2, marker="o", ms=3)
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_ylabel("relations index")
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
    ax.set_ylabel("0 … 1")
    ax.legend(loc="lower left", fontsize=8, ncols=3)
    ax.set_title("Threat and deterrence", loc="left", fontsize=10)
    ax = axes[2]
    ax.step(x, ts["escalation_level"], where="post", color="#6c3483", lw=2)
    ax.set_ylim(-0.3, 5.3)
    ax.set_yticks(range(6))
    ax.set_ylabel("level")
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


# -- components ----------------------------------------------------------------
@solara.component
def Header(status: dict[str, Any]):
    """The session, date, turn and branch, with a reload button."""
    with (
        solara.Card(classes=["nato-header"], margin=0, style={"padding": "8px 16px"}),
        solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="24px"),
    ):
            solara.HTML(
                "h2", unsafe_innerHTML=f"natosim seminar — {html.escape(status['scenario'])}",
                style="margin: 0", classes=["nato-title"],
            )
            solara.Text(f"date {status['date']}", classes=["nato-status-date"],
                        style={"font-size": "1.2em"})
            solara.Text(f"turn {status['turn']}", classes=["nato-status-turn"],
                        style={"font-size": "1.2em", "font-weight": "bold"})
            solara.Text(f"branch {status['branch']}", classes=["nato-status-branch"],
                        style={"font-size": "1.2em"})
            solara.Text(f"{status['turns_left']} turns left · seed {status['seed']} · "
                        f"{Path(status['session']).name}", style={"color": "grey"})
            solara.Button("Reload file", icon_name="mdi-refresh", text=True,
                          classes=["nato-reload"],
                          on_click=lambda: _act(lambda s: get_session(reload=True),
                                                "session file re-read"))


def _rung_style(i: int, level: int) -> str:
    if i == level:
        return "#6c3483; color: white; font-weight: bold"
    return "#e8daef" if i < level else "white"


@solara.component
def SituationCards(status: dict[str, Any]):
    """Relations index, escalation ladder, frontline deterrence and threat."""
    level = int(status.get("escalation_level", 0))
    rungs = "".join(
        f'<div title="{html.escape(name)}" style="flex:1; padding:2px 0; text-align:center; '
        f"border:1px solid #999; font-size:0.8em; "
        f'background:{_rung_style(i, level)}">{i}</div>'
        for i, name in enumerate(ESCALATION_LEVELS)
    )
    rel = float(status.get("relations_index", 0.0))
    rel_color = "#b03a2e" if rel < -0.2 else ("#1e8449" if rel > 0.2 else "#7d6608")
    cards = [
        ("Relations index", f"<span style='color:{rel_color}'>{_fmt(rel)}</span>",
         "−1 hostile … +1 cooperative", "nato-card-relations"),
        ("Escalation", f"{level} · {html.escape(str(status.get('escalation_label', '')))}",
         f"<div style='display:flex; gap:2px; margin-top:4px'>{rungs}</div>",
         "nato-card-escalation"),
        ("Frontline deterrence", _fmt(status.get("frontline_deterrence"), ".2f"),
         "credibility on the eastern flank, 0 … 1", "nato-card-deterrence"),
        ("Threat from Russia", _fmt(status.get("mean_threat_from_russia"), ".2f"),
         f"allies' mean; eastern flank {_fmt(status.get('eastern_threat_from_russia'), '.2f')}",
         "nato-card-threat"),
    ]
    with solara.Columns([1, 1, 1, 1], gutters_dense=True):
        for title, value, sub, cls in cards:
            with solara.Card(margin=0, classes=[cls], style={"height": "100%"}):
                solara.HTML("div", unsafe_innerHTML=html.escape(title),
                            style="color: grey; font-size: 0.9em")
                solara.HTML("div", unsafe_innerHTML=value, classes=[f"{cls}-value"],
                            style="font-size: 1.6em; font-weight: bold")
                solara.HTML("div", unsafe_innerHTML=sub, style="font-size: 0.8em; color: grey")
    extra = (
        f"channel {status.get('channel', '?')} · Russia's last action "
        f"{str(status.get('russia_action', '?')).replace('_', ' ')} · sanctions "
        f"{_fmt(status.get('sanctions_level'), '.2f')} · aid "
        f"{_fmt(status.get('military_aid_level'), '.2f')} · members at 2 %: "
        f"{status.get('members_at_2pct', '?')}/{status.get('nato_members', '?')}"
    )
    at_war = status.get("at_war") or {}
    if at_war:
        extra += " · wars: " + ", ".join(f"{k} {float(v):.2f}" for k, v in at_war.items())
    solara.Text(extra, style={"color": "#444"}, classes=["nato-situation-line"])


@solara.component
def Charts(rev: int, branch: str, turn: int):
    """Relations, threat and escalation over the seminar along the current branch."""
    s = get_session()

    def build():
        with _lock:
            ts = s.timeseries()
            turns = s.turns()
            start = s.header["at"] if hasattr(s, "header") else None
        start = start or (str(ts["date"].iloc[0]) if not ts.empty else "2000-01")
        return make_figure(ts, turns, start), ts

    fig, ts = solara.use_memo(build, dependencies=[rev, branch, turn])
    with solara.Card("Charts", classes=["nato-charts"], margin=0):
        with solara.Column(classes=["nato-chart"]):
            solara.FigureMatplotlib(fig, dependencies=[rev, branch, turn], format="png", dpi=100)
        if not ts.empty:
            first, last = ts["date"].iloc[0], ts["date"].iloc[-1]
            caption = (f"{len(ts)} months plotted, {first:%Y-%m} … {last:%Y-%m}; "
                       f"dashed line: seminar start; shaded bands: turns T1, T2, …")
        else:
            caption = "no months yet"
        solara.Text(caption, classes=["nato-chart-caption"], style={"color": "grey"})


@solara.component
def FieldInput(team: str, field: dict[str, Any], value: Any, on_value):
    """One input of a move form, by the field's kind."""
    name, kind = field["name"], field["kind"]
    cls = [f"nato-field-{css(team)}-{name}"]
    label = name + (f" — {field['help']}" if field.get("help") else "")
    if kind == "state":
        solara.Select(label, values=sorted(field.get("choices", [])), value=value,
                      on_value=on_value, classes=cls, dense=True)
    elif kind == "states":
        choices = sorted(field.get("choices", []))
        if field.get("default") == "ALL" or "ALL" in (value or []):
            choices = ["ALL", *choices]
        solara.SelectMultiple(label, values=list(value or []), all_values=choices,
                              on_value=on_value, classes=cls, dense=True)
    elif kind == "number":
        lo, hi = field.get("min"), field.get("max")
        rng = f" [{lo:g} … {hi:g}]" if lo is not None and hi is not None else ""
        solara.InputFloat(name + rng, value=value, on_value=on_value, classes=cls, dense=True,
                          continuous_update=True)
    elif kind == "choice":
        solara.Select(label, values=list(field.get("choices", [])), value=value,
                      on_value=on_value, classes=cls, dense=True)
    else:
        solara.InputText(label, value=value or "", on_value=on_value, classes=cls, dense=True,
                         continuous_update=True)


@solara.component
def MoveForm(team: str, menu: list[dict[str, Any]]):
    """A team's move form, built from the session's menu of legal moves."""
    by_label = {m["label"]: m for m in menu}
    labels = list(by_label)
    # reactive (not plain state) so that handlers read the values current when they run
    chosen = solara.use_reactive(labels[0] if labels else None)
    spec = by_label.get(chosen.value) if chosen.value else None
    values = solara.use_reactive(_defaults(spec) if spec else {})

    def choose(label: str | None) -> None:
        chosen.value = label
        values.value = _defaults(by_label[label]) if label in by_label else {}

    def set_field(name: str):
        def setter(v: Any) -> None:
            values.value = {**values.value, name: v}

        return setter

    def add() -> None:
        spec = by_label.get(chosen.value) if chosen.value else None
        if spec is None:
            return
        move: dict[str, Any] = {"team": team, "move": spec["move"]}
        for f in spec["fields"]:
            v = values.value.get(f["name"])
            if v is None or v == "" or v == []:
                continue
            if f["kind"] == "states" and "ALL" in v:  # ALL stands alone
                v = ["ALL"]
            move[f["name"]] = v
        problems = _check([move], [])
        if problems:
            message.value = ("error", "\n".join(problems))
            return
        pending_moves.value = [*pending_moves.value, move]
        message.value = ("info", f"added: {describe_move(move)}")

    with solara.Card(f"{team_title(team)} move", classes=[f"nato-move-form-{css(team)}"],
                     margin=0):
        if not menu:
            solara.Text(f"{team} has no legal move now")
            return
        solara.Select("move", values=labels, value=chosen.value, on_value=choose,
                      classes=[f"nato-move-select-{css(team)}"], dense=True)
        if spec is not None:
            solara.HTML("div", unsafe_innerHTML=html.escape(spec.get("help", "")),
                        style="color: grey; font-size: 0.85em; margin-bottom: 14px")
            with solara.Column(gap="14px"):
                for f in spec["fields"]:
                    FieldInput(team, f, values.value.get(f["name"]), set_field(f["name"]))
        solara.Button(f"Add {team_title(team)} move", on_click=add, color="primary",
                      outlined=True, classes=[f"nato-add-move-{css(team)}"],
                      style={"margin-top": "10px"})


def _check(moves: list[dict[str, Any]], injects: list[dict[str, Any]]) -> list[str]:
    """Return the problems the engine finds in moves and injects, without playing them."""
    s = get_session()
    with _lock:
        return s.validate(moves, injects)


@solara.component
def InjectForm(types: list[dict[str, Any]], states: list[str]):
    """The facilitator's inject form: an event of any type, its actor, targets, label, params."""
    by_type = {t["type"]: t for t in types}
    names = list(by_type)
    etype = solara.use_reactive("cyber_attack" if "cyber_attack" in by_type else
                                (names[0] if names else None))
    actor = solara.use_reactive("RUS")
    targets = solara.use_reactive([])
    label = solara.use_reactive("")
    params = solara.use_reactive({})
    spec = by_type.get(etype.value) if etype.value else None

    def set_etype(v: str) -> None:
        etype.value = v
        params.value = {}

    def add() -> None:
        spec = by_type.get(etype.value) if etype.value else None
        if spec is None:
            return
        inj: dict[str, Any] = {"type": etype.value, "actor": actor.value,
                               "targets": list(targets.value), "label": label.value.strip(),
                               "params": {}}
        for k, v in params.value.items():
            if k in (spec.get("params") or {}) and str(v).strip():
                inj["params"][k] = _parse_param(str(v))
        problems = _check([], [inj])
        if problems:
            message.value = ("error", "\n".join(problems))
            return
        pending_injects.value = [*pending_injects.value, inj]
        message.value = ("info", f"added: {describe_inject(inj)}")
        label.value = ""
        targets.value = []
        params.value = {}

    with solara.Card("Inject (facilitator)", classes=["nato-inject-form"], margin=0):
        solara.Select("event type", values=names, value=etype.value, on_value=set_etype,
                      classes=["nato-inject-type"], dense=True)
        if spec is not None:
            solara.HTML("div", unsafe_innerHTML=html.escape(
                f"{spec.get('label', '')} (Goldstein {float(spec.get('goldstein', 0)):+.1f})"),
                style="color: grey; font-size: 0.85em; margin-bottom: 14px")
        actors = ["NATO", *states] if "NATO" not in states else states
        with solara.Column(gap="14px"):
            solara.Select("actor", values=actors, value=actor,
                          classes=["nato-inject-actor"], dense=True)
            solara.SelectMultiple("targets", values=list(targets.value), all_values=states,
                                  on_value=targets.set, classes=["nato-inject-targets"],
                                  dense=True)
            solara.InputText("label (what happened)", value=label,
                             continuous_update=True, classes=["nato-inject-label"], dense=True)
            for pname, meaning in (spec.get("params") or {}).items() if spec else []:
                solara.InputText(f"{pname} — {meaning}", value=params.value.get(pname, ""),
                                 on_value=lambda v, p=pname: params.set({**params.value, p: v}),
                                 continuous_update=True, classes=[f"nato-inject-param-{pname}"],
                                 dense=True)
            solara.Button("Add inject", on_click=add, color="primary", outlined=True,
                          classes=["nato-add-inject"], style={"align-self": "start"})


@solara.component
def Pending(rev: int):
    """The moves and injects waiting for the next turn, and the advance-turn button."""
    s = get_session()
    moves, injects = pending_moves.value, pending_injects.value

    def remove_move(i: int) -> None:
        pending_moves.value = [m for j, m in enumerate(pending_moves.value) if j != i]

    def remove_inject(i: int) -> None:
        pending_injects.value = [m for j, m in enumerate(pending_injects.value) if j != i]

    def advance() -> None:
        m, inj = list(pending_moves.value), list(pending_injects.value)

        def play(session: Session) -> dict[str, Any]:
            return session.turn(m, inj)

        def ok(record: dict[str, Any]) -> str:
            number = record.get("number", record.get("turn"))
            return f"turn {number} played: {record['start']} … {record['end']}"

        def clear() -> None:
            pending_moves.value = []
            pending_injects.value = []

        _act(play, ok, after=clear)

    with solara.Card(f"Next turn ({s.turn_months} months)", classes=["nato-pending"], margin=0):
        if not moves and not injects:
            solara.Text("no moves or injects yet: every actor decides for itself",
                        style={"color": "grey"})
        for i, m in enumerate(moves):
            with solara.Row(style={"align-items": "center"}, classes=["nato-pending-move"]):
                solara.Text(describe_move(m))
                solara.Button(icon_name="mdi-close", text=True, on_click=lambda i=i: remove_move(i))
        for i, inj in enumerate(injects):
            with solara.Row(style={"align-items": "center"}, classes=["nato-pending-inject"]):
                solara.Text(describe_inject(inj))
                solara.Button(icon_name="mdi-close", text=True,
                              on_click=lambda i=i: remove_inject(i))
        with solara.Row(style={"margin-top": "8px"}):
            solara.Button("Advance turn", on_click=advance, color="error",
                          classes=["nato-advance-turn"])


@solara.component
def Branches(status: dict[str, Any], rev: int):
    """The branch list with switch, and the branch and rewind controls."""
    name = solara.use_reactive("")
    from_turn = solara.use_reactive(None)
    rewind_to = solara.use_reactive(None)
    current = status["branch"]
    with solara.Card("Branches", classes=["nato-branches"], margin=0):
        for b, head in status["branches"].items():
            with solara.Row(style={"align-items": "center"}, classes=["nato-branch-row"]):
                solara.Text(f"{'▶ ' if b == current else ''}{b} (turn {head})",
                            style={"font-weight": "bold" if b == current else "normal"})
                if b != current:
                    solara.Button("Switch", text=True, classes=[f"nato-switch-{css(b)}"],
                                  on_click=lambda b=b: _act(lambda s: s.switch(b),
                                                            f"switched to branch {b}"))
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("new branch name", value=name,
                             continuous_update=True, classes=["nato-branch-name"], dense=True)
            solara.InputInt("from turn (empty: now)", value=from_turn,
                            optional=True, continuous_update=True, dense=True,
                            classes=["nato-branch-from"])

            def branch() -> None:
                new, at = name.value.strip(), from_turn.value
                _act(lambda s: s.branch(new, at), f"branch {new} started",
                     after=lambda: name.set(""))

            solara.Button("Branch", outlined=True, classes=["nato-branch"], on_click=branch)
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("rewind to turn", value=rewind_to,
                            optional=True, continuous_update=True, dense=True,
                            classes=["nato-rewind-to"])

            def rewind() -> None:
                to = rewind_to.value
                if to is None:
                    message.value = ("error", "rewind: give the turn to go back to")
                    return
                _act(lambda s: s.rewind(to),
                     lambda kept: f"rewound to turn {to}"
                     + (f"; the undone turns are kept as branch {kept}" if kept else ""))

            solara.Button("Rewind", outlined=True, classes=["nato-rewind"], on_click=rewind)


@solara.component
def LastTurn(rev: int):
    """What the last turn on this branch decided and what followed."""
    s = get_session()
    with _lock:
        turns = s.turns()
    with solara.Card("Last turn", classes=["nato-last-turn"], margin=0):
        if not turns:
            solara.Text("no turn played yet on this branch", style={"color": "grey"})
            return
        t = turns[-1]
        decided = [describe_move(m) for m in t.get("moves", [])]
        decided += [describe_inject(i) for i in t.get("injects", [])]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in t.get("changes", []))
        head = f"Turn {t.get('number')} ({t['start']} … {t['end']}, branch {t.get('branch')})"
        solara.HTML("div", unsafe_innerHTML=f"<b>{html.escape(head)}</b>",
                    classes=["nato-last-turn-title"])
        solara.Text("decided: " + ("; ".join(decided) if decided else "nothing (free play)"),
                    style={"font-size": "0.9em"})
        solara.HTML("ul", unsafe_innerHTML=items, classes=["nato-changes"],
                    style="font-size: 0.9em; margin-top: 4px")


STATE_COLUMNS = ["state", "name", "member", "defence_spending_pct_gdp", "trust_in_russia",
                 "threat_from_russia", "deterrence_credibility", "forward_presence", "sanctions",
                 "military_aid", "war_intensity"]


@solara.component
def StatesTable(rev: int):
    """One row per state now."""
    s = get_session()

    def build() -> pd.DataFrame:
        with _lock:
            df = s.states_table()
        cols = [c for c in STATE_COLUMNS if c in df.columns]
        df = df[cols].copy()
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(2)
        if "threat_from_russia" in df:  # the states under most threat first
            df = df.sort_values("threat_from_russia", ascending=False, kind="stable")
        return df.reset_index(drop=True).rename(
            columns={"defence_spending_pct_gdp": "defence_%gdp"})

    df = solara.use_memo(build, dependencies=[rev])
    with solara.Card("States now (most threatened first)", classes=["nato-states"], margin=0):
        solara.DataFrame(df, items_per_page=15)


@solara.component
def Message():
    """The last error, warning or confirmation."""
    msg = message.value
    if msg is None:
        return
    kind, text = msg
    with solara.Row(classes=["nato-message", f"nato-message-{kind}"]):
        if kind == "error":
            solara.Error(text, classes=["nato-error"], style_="white-space: pre-wrap")
        elif kind == "success":
            solara.Success(text, classes=["nato-success"])
        else:
            solara.Info(text, classes=["nato-info"])
        solara.Button(icon_name="mdi-close", text=True,
                      on_click=lambda: setattr(message, "value", None))


@solara.component
def Page():
    """The room dashboard."""
    rev = revision.value  # re-render after every change
    solara.Title("natosim seminar")
    try:
        s = get_session()
        with _lock:
            status = s.status()
            menus = {team: s.menu(team) for team in s.teams}
            types = s.inject_types()
            states = sorted(s.states_table()["state"])
    except Exception as exc:  # noqa: BLE001
        solara.Error(f"Cannot open the session: {exc}", classes=["nato-error"])
        return
    with solara.Column(style={"padding": "12px", "max-width": "1800px"}, gap="12px"):
        Header(status)
        for w in status.get("warnings") or []:
            solara.Warning(w)
        Message()
        SituationCards(status)
        with solara.Columns([5, 7], gutters_dense=True):
            with solara.Column(gap="12px"):
                for team in s.teams:
                    MoveForm(team, menus[team]).key(f"form-{team}-{rev}-{status['turn']}")
                InjectForm(types, states).key("inject-form")
                Pending(rev)
                Branches(status, rev)
            with solara.Column(gap="12px"):
                Charts(rev, status["branch"], status["turn"])
                LastTurn(rev)
                StatesTable(rev)
