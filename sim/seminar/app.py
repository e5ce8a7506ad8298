"""The room dashboard of the wargame seminar: a page per team, the facilitator's page and the room screen.

Started by ``natosim seminar dashboard SESSION`` (``sim.seminar.dashboard.serve``), which
runs ``solara run sim.seminar.app`` with the session file's path in ``NATOSIM_SESSION`` and
prints each page's address:

- ``/team/<team>?key=TOKEN``: one team at its own screen.  It sees the situation, the
  last turn and why it went as it did, and only the moves it may make now; it drafts them,
  submits them, and may withdraw them until the turn is played.  Of the other teams it
  sees only whether they have submitted.
- ``/facilitator?key=TOKEN``: everything -- every team's entries (each may be returned to
  its team with a reason), the injects, the advance button, branches, rewind, notes.
- ``/room``: the projector, read only: the situation, the charts, the last turn and why.

The next turn is held by the server in the session (``sim.seminar.pending``) and written to
the session file at every change, so a server that dies between two submissions loses
nothing.  Every page polls the shared session once a second and re-renders when any page,
or the command line, changed it.  The tokens live in the session file
(``Session.access``).

Why pages of their own rather than Mesa's ``SolaraViz``: SolaraViz drives a model that
steps by itself (play, step, reset, model parameters as sliders).  A seminar advances only
when the teams' moves and the facilitator's injects are in, by a whole turn of several
months, and it can rewind and branch.  So the pages follow SolaraViz's conventions where
they fit -- module-level components built from solara components, matplotlib figures shown
with ``solara.FigureMatplotlib``, reactive state -- but drive the same ``sim.seminar.Session``
as the command line and write the same session file.

Presentation: large type, plain-language labels with units, messages in a bar fixed at the
bottom of the window (never off-screen), laid out for 1280×720 and 1920×1080.

Stable hooks for tests and the room: CSS classes prefixed ``nato-`` (``nato-advance-turn``,
``nato-move-form-blue``, ``nato-submit-blue``, ``nato-team-status-red``, ``nato-inject-form``,
``nato-chart``, ``nato-status-turn``, ...).
"""

from __future__ import annotations

import html
import os
import re
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import solara

from sim.seminar import Session, SessionError
from sim.seminar.charts import make_figure
from sim.seminar.dashboard import team_slug
from sim.world import ESCALATION_LEVELS

matplotlib.use("Agg")

ENV_VAR = "NATOSIM_SESSION"
POLL_SECONDS = 1.0
TOAST_SECONDS = 8.0

_lock = threading.RLock()
# the session shared by every page of the server; "version" counts its changes, so each
# page (each browser connection) can tell when another page or the command line changed it
_shared: dict[str, Any] = {"session": None, "signature": None, "version": 0}

# per browser connection (solara keeps a reactive variable's value per connection)
revision = solara.reactive(0)
message: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)

CSS = """
.nato-page { font-size: 17px; }
.nato-page .v-card__title { font-size: 1.25em; padding-bottom: 6px; }
.nato-page .v-label, .nato-page .v-select__selection, .nato-page input { font-size: 16px !important; }
.nato-page .v-btn { font-size: 15px; }
.nato-message-bar { position: fixed; left: 12px; right: 12px; bottom: 10px; z-index: 2000;
                    box-shadow: 0 2px 12px rgba(0,0,0,0.35); border-radius: 6px; }
.nato-message-bar .v-alert { margin: 0; font-size: 18px; }
.nato-page { padding-bottom: 90px !important; }
.nato-big { font-size: 1.6em; font-weight: bold; }
.nato-muted { color: #555; }
.nato-why li, .nato-changes li { margin-bottom: 2px; }
.nato-page .v-card__text, .nato-page .v-card__text .v-label { font-size: 1em !important; line-height: 1.45; }
.nato-page.nato-room { font-size: 22px; }
.nato-states table { font-size: 15px; }
.v-menu__content { max-height: 75vh !important; }
.nato-chart img { max-width: 100%; height: auto; }
.nato-room .nato-chart img { width: 100%; }
"""


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
            _shared["version"] += 1
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
            _shared["version"] += 1
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


def use_follow() -> None:
    """Re-render this page whenever the shared session changes (another page, the command line)."""

    def poll(cancel: threading.Event) -> None:
        seen = _shared["version"]
        while not cancel.wait(POLL_SECONDS):
            try:
                with _lock:
                    if changed_on_disk():
                        get_session(reload=True)
                    now = _shared["version"]
            except Exception:  # noqa: BLE001 - a damaged file is shown by the next render
                now = seen + 1
            if now != seen:
                seen = now
                revision.value += 1

    solara.use_thread(poll, dependencies=[])


def _key(router) -> str | None:
    values = urllib.parse.parse_qs(router.search or "").get("key")
    return values[0] if values else None


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


def describe_move(move: dict[str, Any], with_team: bool = True) -> str:
    """Return a one-line description of a move."""
    fields = ", ".join(
        f"{k.replace('_', ' ')} {','.join(v) if isinstance(v, list) else v}"
        for k, v in move.items()
        if k not in ("team", "move")
    )
    text = str(move["move"]).replace("_", " ") + (f" ({fields})" if fields else "")
    return f"{team_title(move['team'])}: {text}" if with_team else text


def describe_inject(inj: dict[str, Any]) -> str:
    """Return a one-line description of an inject."""
    targets = ",".join(inj.get("targets") or [])
    text = f"inject: {str(inj['type']).replace('_', ' ')} by {inj.get('actor', '?')}"
    if targets:
        text += f" on {targets}"
    if inj.get("label"):
        text += f" — {inj['label']}"
    return text


# -- the parts of the pages ----------------------------------------------------------------
@solara.component
def Header(status: dict[str, Any], who: str):
    """The scenario, date, turn and branch, and whose page this is."""
    clock = status.get("clock")
    with (
        solara.Card(classes=["nato-header"], margin=0, style={"padding": "6px 16px"}),
        solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="28px"),
    ):
        solara.HTML("h2", unsafe_innerHTML=html.escape(who), style="margin: 0", classes=["nato-title"])
        solara.Text(f"next turn starts {status['date']}", classes=["nato-status-date"],
                    style={"font-size": "1.2em"})
        solara.Text(f"turn {status['turn']}", classes=["nato-status-turn"],
                    style={"font-size": "1.2em", "font-weight": "bold"})
        solara.Text(f"branch {status['branch']}", classes=["nato-status-branch"], style={"font-size": "1.2em"})
        if clock:
            left = clock["left"]
            solara.Text(f"turn clock: {left:.0f} min left" if left >= 0 else f"turn clock: {-left:.0f} min over",
                        classes=["nato-clock"],
                        style={"font-size": "1.2em", "color": "#b03a2e" if left < 5 else "#1e8449"})
        solara.Text(f"{status['scenario']} · {status['turns_left']} turns left", classes=["nato-muted"])


def _rung_style(i: int, level: int) -> str:
    if i == level:
        return "#6c3483; color: white; font-weight: bold"
    return "#e8daef" if i < level else "white"


@solara.component
def SituationCards(status: dict[str, Any]):
    """Relations index, escalation ladder, frontline deterrence and threat, in words and numbers."""
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
        ("NATO–Russia relations", f"<span style='color:{rel_color}'>{_fmt(rel)}</span>",
         "index, −1 hostile … +1 cooperative", "nato-card-relations"),
        ("Escalation", f"{level} · {html.escape(str(status.get('escalation_label', '')).replace('_', ' '))}",
         f"<div style='display:flex; gap:2px; margin-top:4px'>{rungs}</div>", "nato-card-escalation"),
        ("Deterrence on the eastern flank", _fmt(status.get("frontline_deterrence"), ".2f"),
         "credibility, 0 none … 1 full", "nato-card-deterrence"),
        ("Allies' sense of threat", _fmt(status.get("mean_threat_from_russia"), ".2f"),
         f"0 … 1; eastern flank {_fmt(status.get('eastern_threat_from_russia'), '.2f')}", "nato-card-threat"),
    ]
    with solara.Columns([1, 1, 1, 1], gutters_dense=True):
        for title, value, sub, cls in cards:
            with solara.Card(margin=0, classes=[cls], style={"height": "100%"}):
                solara.HTML("div", unsafe_innerHTML=html.escape(title), classes=["nato-muted"])
                solara.HTML("div", unsafe_innerHTML=value, classes=[f"{cls}-value", "nato-big"])
                solara.HTML("div", unsafe_innerHTML=sub, style="font-size: 0.85em", classes=["nato-muted"])
    extra = (
        f"Dialogue channel: {status.get('channel', '?')} · Russia's last action: "
        f"{str(status.get('russia_action', '?')).replace('_', ' ')} · sanctions "
        f"{_fmt(status.get('sanctions_level'), '.2f')} (0 … 1) · military aid to Ukraine "
        f"{_fmt(status.get('military_aid_level'), '.2f')} (0 … 1) · members spending 2 % of GDP: "
        f"{status.get('members_at_2pct', '?')} of {status.get('nato_members', '?')}"
    )
    at_war = status.get("at_war") or {}
    if at_war:
        extra += " · at war: " + ", ".join(f"{k} (intensity {float(v):.2f})" for k, v in at_war.items())
    solara.Text(extra, classes=["nato-situation-line"])


@solara.component
def Charts(rev: int, scale: float = 1.0):
    """Relations, threat and escalation over the seminar along the current branch (``scale``: type size)."""
    s = get_session()

    def build():
        with _lock:
            ts = s.timeseries()
            turns = s.turns()
            start = s.header.get("at")
        start = start or (str(ts["date"].iloc[0]) if not ts.empty else "2000-01")
        return make_figure(ts, turns, start, 9.0 / scale), ts

    fig, ts = solara.use_memo(build, dependencies=[rev, scale])
    with solara.Card("How relations evolve", classes=["nato-charts"], margin=0):
        with solara.Column(classes=["nato-chart"]):
            solara.FigureMatplotlib(fig, dependencies=[rev, scale], format="png", dpi=int(100 * scale * scale))
        if not ts.empty:
            first, last = ts["date"].iloc[0], ts["date"].iloc[-1]
            caption = (f"{len(ts)} months plotted, {first:%Y-%m} … {last:%Y-%m}; "
                       f"dashed line: seminar start; shaded bands: turns T1, T2, …")
        else:
            caption = "no months yet"
        solara.Text(caption, classes=["nato-chart-caption", "nato-muted"])


@solara.component
def FieldInput(team: str, field: dict[str, Any], value: Any, on_value):
    """One input of a move form, by the field's kind."""
    name, kind = field["name"], field["kind"]
    cls = [f"nato-field-{css(team)}-{name}"]
    label = name.replace("_", " ") + (f" — {field['help']}" if field.get("help") else "")
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
        solara.InputFloat(label + rng, value=value, on_value=on_value, classes=cls, dense=True,
                          continuous_update=True)
    elif kind == "choice":
        solara.Select(label, values=list(field.get("choices", [])), value=value,
                      on_value=on_value, classes=cls, dense=True)
    else:
        solara.InputText(label, value=value or "", on_value=on_value, classes=cls, dense=True,
                         continuous_update=True)


@solara.component
def MoveForm(team: str, menu: list[dict[str, Any]]):
    """A team's move form, built from the session's menu of its legal moves now; adds to its draft."""
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
        _act(lambda s: s.draft_move(team, move), lambda m: f"added: {describe_move(m, False)}")

    with solara.Card(f"{team_title(team)}: add a move", classes=[f"nato-move-form-{css(team)}"], margin=0):
        if not menu:
            solara.Text(f"{team_title(team)} has no legal move now")
            return
        solara.Select("move", values=labels, value=chosen.value, on_value=choose,
                      classes=[f"nato-move-select-{css(team)}"], dense=True)
        if spec is not None:
            solara.HTML("div", unsafe_innerHTML=html.escape(spec.get("help", "")),
                        style="font-size: 0.9em; margin-bottom: 10px", classes=["nato-muted"])
            with solara.Column(gap="10px"):
                for f in spec["fields"]:
                    FieldInput(team, f, values.value.get(f["name"]), set_field(f["name"]))
        solara.Button("Add move", on_click=add, color="primary", outlined=True,
                      classes=[f"nato-add-move-{css(team)}"], style={"margin-top": "8px"})


@solara.component
def TeamDraft(team: str, status: dict[str, Any]):
    """A team's moves for the next turn: remove one, submit them, or withdraw the submission."""
    s = get_session()
    with _lock:
        entry = s.pending.entry(team)
    submitted = entry.status == "submitted"
    with solara.Card("Your moves for the next turn", classes=[f"nato-draft-{css(team)}"], margin=0):
        if entry.returned:
            which = f" (move {entry.returned_move + 1})" if entry.returned_move is not None else ""
            solara.Warning(f"Returned by the facilitator{which}: {entry.returned}",
                           classes=[f"nato-returned-{css(team)}"])
        if not entry.moves:
            solara.Text("no moves yet: submitting none leaves your side to the model", classes=["nato-muted"])
        for i, m in enumerate(entry.moves):
            with solara.Row(style={"align-items": "center"}, classes=["nato-draft-move"]):
                solara.Text(f"{i + 1}. {describe_move(m, False)}")
                if not submitted:
                    solara.Button(icon_name="mdi-close", text=True, classes=[f"nato-remove-move-{i}"],
                                  on_click=lambda i=i: _act(lambda s: s.undraft_move(team, i), "move removed"))
        with solara.Row(style={"margin-top": "8px", "align-items": "center"}):
            if submitted:
                solara.Success("Submitted: the facilitator has your moves; withdraw them to change them",
                               classes=[f"nato-submitted-{css(team)}"], dense=True)
                solara.Button("Withdraw", outlined=True, classes=[f"nato-withdraw-{css(team)}"],
                              on_click=lambda: _act(lambda s: s.withdraw(team), "withdrawn: change your moves"))
            else:
                solara.Button("Submit moves to the facilitator", color="primary",
                              classes=[f"nato-submit-{css(team)}"],
                              on_click=lambda: _act(lambda s: s.submit(team),
                                                    "submitted: wait for the facilitator to play the turn"))


@solara.component
def TeamsStatus(status: dict[str, Any], me: str | None = None):
    """Which teams have submitted for the next turn (never what they submitted)."""
    pending = status.get("pending") or {}
    with solara.Card("Teams", classes=["nato-teams-status"], margin=0):
        for team, state in pending.items():
            color = "#1e8449" if state.startswith("submitted") else ("#b03a2e" if "returned" in state else "#555")
            solara.HTML("div", unsafe_innerHTML=(
                f"<b>{html.escape(team_title(team))}</b>{' (you)' if team == me else ''}: "
                f"<span style='color:{color}'>{html.escape(state)}</span>"),
                classes=[f"nato-team-status-{css(team)}"])


@solara.component
def FacilitatorPending(status: dict[str, Any]):
    """Every team's entries for the next turn, each returnable with a reason; the injects; advance."""
    s = get_session()
    with _lock:
        entries = {t: s.pending.entry(t) for t in s.teams}
        injects = list(s.pending.injects)
        waiting = s.pending.waiting()
    reason = solara.use_reactive("")

    def give_back(team: str, move: int | None = None) -> None:
        _act(lambda s: s.give_back(team, reason.value, move), f"returned to {team_title(team)}",
             after=lambda: reason.set(""))

    def advance(anyway: bool = False) -> None:
        def ok(record: dict[str, Any]) -> str:
            return f"turn {record.get('number')} played: {record['start']} … {record['end']}"

        _act(lambda s: s.play_pending(anyway), ok)

    with solara.Card(f"Next turn ({s.turn_months} months)", classes=["nato-pending"], margin=0):
        for team, e in entries.items():
            state = status["pending"].get(team, "")
            with solara.Row(style={"align-items": "center"}, classes=[f"nato-entry-{css(team)}"]):
                solara.HTML("b", unsafe_innerHTML=html.escape(f"{team_title(team)} — {state}"))
                if e.moves or e.status == "submitted":
                    solara.Button("Return", text=True, classes=[f"nato-return-{css(team)}"],
                                  on_click=lambda t=team: give_back(t))
            for i, m in enumerate(e.moves):
                with solara.Row(style={"align-items": "center", "margin-left": "18px"},
                                classes=["nato-pending-move"]):
                    solara.Text(f"{i + 1}. {describe_move(m, False)}")
                    solara.Button("return this move", text=True, x_small=True,
                                  on_click=lambda t=team, i=i: give_back(t, i))
        solara.InputText("reason for returning (the team sees it)", value=reason, continuous_update=True,
                         classes=["nato-return-reason"], dense=True)
        for i, inj in enumerate(injects):
            with solara.Row(style={"align-items": "center"}, classes=["nato-pending-inject"]):
                solara.Text(describe_inject(inj))
                solara.Button(icon_name="mdi-close", text=True,
                              on_click=lambda i=i: _act(lambda s: s.undraft_inject(i), "inject removed"))
        with solara.Row(style={"margin-top": "8px"}):
            solara.Button("Advance turn", on_click=lambda: advance(False), color="error",
                          classes=["nato-advance-turn"])
            if waiting:
                solara.Button(f"Advance without {', '.join(team_title(t) for t in waiting)}'s draft",
                              on_click=lambda: advance(True), outlined=True, color="error",
                              classes=["nato-advance-anyway"])


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

        def clear() -> None:
            label.value = ""
            targets.value = []
            params.value = {}

        _act(lambda s: s.draft_inject(inj), lambda i: f"added: {describe_inject(i)}", after=clear)

    with solara.Card("Inject an event", classes=["nato-inject-form"], margin=0):
        solara.Select("event type", values=names, value=etype.value, on_value=set_etype,
                      classes=["nato-inject-type"], dense=True)
        if spec is not None:
            solara.HTML("div", unsafe_innerHTML=html.escape(
                f"{spec.get('label', '')} (Goldstein {float(spec.get('goldstein', 0)):+.1f}, −10 hostile … +10 "
                "cooperative)"), style="font-size: 0.9em; margin-bottom: 10px", classes=["nato-muted"])
        actors = ["NATO", *states] if "NATO" not in states else states
        with solara.Column(gap="10px"):
            solara.Select("actor", values=actors, value=actor, classes=["nato-inject-actor"], dense=True)
            solara.SelectMultiple("targets", values=list(targets.value), all_values=states,
                                  on_value=targets.set, classes=["nato-inject-targets"], dense=True)
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
def Umpire(rev: int):
    """The facilitator's rulings on the last turn's outcome, each with its rationale (recorded, replayed)."""
    s = get_session()
    with _lock:
        turns = s.turns()
    last = turns[-1] if turns else None
    emergent = [f"{e['date']} {e['type']} {e['actor']}" for e in (last or {}).get("events", [])
                if e.get("origin") == "emergent"]
    kinds = {"escalation": "set the escalation rung (0 … 5)", "war": "set a war's intensity (0 … 1)",
             "channel": "set the dialogue channel", "cancel": "cancel an event the model decided"}
    kind = solara.use_reactive("escalation")
    value = solara.use_reactive("")
    state = solara.use_reactive("UKR")
    rationale = solara.use_reactive("")

    def rule() -> None:
        raw: Any = value.value
        if kind.value in ("escalation", "war"):
            try:
                raw = float(str(raw).strip())
            except ValueError:
                message.value = ("error", f"{kind.value}: give a number")
                return
        _act(lambda s: s.override(kind.value, raw, rationale.value,
                                  state.value if kind.value == "war" else None),
             "ruling recorded", after=lambda: (value.set(""), rationale.set("")))

    with solara.Card("Umpire: rule on the last turn", classes=["nato-umpire"], margin=0):
        if last is None:
            solara.Text("play a turn first", classes=["nato-muted"])
            return
        solara.Select("ruling", values=list(kinds), value=kind, classes=["nato-umpire-kind"], dense=True)
        solara.Text(kinds[kind.value], classes=["nato-muted"])
        if kind.value == "channel":
            solara.Select("channel", values=["none", "active", "suspended", "frozen"], value=value,
                          classes=["nato-umpire-value"], dense=True)
        elif kind.value == "cancel":
            solara.Select("event", values=emergent, value=value, classes=["nato-umpire-value"], dense=True)
        else:
            solara.InputText("value", value=value, continuous_update=True, classes=["nato-umpire-value"],
                             dense=True)
        if kind.value == "war":
            solara.InputText("state Russia fights", value=state, continuous_update=True, dense=True)
        solara.InputText("rationale (goes into the report)", value=rationale, continuous_update=True,
                         classes=["nato-umpire-rationale"], dense=True)
        solara.Button("Rule", outlined=True, color="error", classes=["nato-umpire-rule"], on_click=rule)


@solara.component
def Branches(status: dict[str, Any]):
    """The branch list with switch, and the branch and rewind controls."""
    name = solara.use_reactive("")
    from_turn = solara.use_reactive(None)
    rewind_to = solara.use_reactive(None)
    confirm = solara.use_reactive(False)
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
                if not confirm.value:
                    confirm.value = True
                    message.value = ("info", (f"rewind to turn {to}? Click Rewind again to confirm (the undone "
                                              "turns are kept as a branch)"))
                    return
                confirm.value = False
                _act(lambda s: s.rewind(to),
                     lambda kept: f"rewound to turn {to}"
                     + (f"; the undone turns are kept as branch {kept}" if kept else ""))

            solara.Button("Rewind", outlined=True, classes=["nato-rewind"], on_click=rewind)


@solara.component
def LastTurn(rev: int):
    """What the last turn on this branch decided, what followed, and why."""
    s = get_session()
    with _lock:
        turns = s.turns()
    with solara.Card("Last turn", classes=["nato-last-turn"], margin=0):
        if not turns:
            solara.Text("no turn played yet on this branch", classes=["nato-muted"])
            return
        t = turns[-1]
        decided = [describe_move(m) for m in t.get("moves", [])]
        decided += [describe_inject(i) for i in t.get("injects", [])]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in t.get("changes", []))
        head = f"Turn {t.get('number')} ({t['start']} … {t['end']}, branch {t.get('branch')})"
        solara.HTML("div", unsafe_innerHTML=f"<b>{html.escape(head)}</b>", classes=["nato-last-turn-title"])
        solara.Text("decided: " + ("; ".join(decided) if decided else "nothing (free play)"))
        solara.HTML("ul", unsafe_innerHTML=items, classes=["nato-changes"], style="margin-top: 4px")
        for o in t.get("overrides") or []:
            solara.Text(f"umpire: {o.get('kind')} set to {o.get('value')} — {o.get('rationale')}",
                        classes=["nato-override"])
        why = t.get("why") or []
        if why:
            solara.HTML("div", unsafe_innerHTML="<b>Why</b>", style="margin-top: 6px")
            solara.HTML("ul", unsafe_innerHTML="".join(f"<li>{html.escape(line)}</li>" for line in why),
                        classes=["nato-why"])


#: the states table's columns, in plain language with their units
STATE_COLUMNS = {
    "state": "state", "name": "name", "member": "NATO member",
    "defence_spending_pct_gdp": "defence spending, % of GDP", "trust_in_russia": "trust in Russia (−1 … 1)",
    "threat_from_russia": "threat from Russia (0 … 1)", "deterrence_credibility": "deterrence (0 … 1)",
    "forward_presence": "allied forces present (brigades)", "sanctions": "sanctions on Russia (0 … 1)",
    "military_aid": "military aid to Ukraine (0 … 1)", "war_intensity": "war (0 … 1)",
}


@solara.component
def StatesTable(rev: int):
    """One row per state now, most threatened first."""
    s = get_session()

    def build() -> pd.DataFrame:
        with _lock:
            df = s.states_table()
        cols = [c for c in STATE_COLUMNS if c in df.columns]
        df = df[cols].copy()
        for c in df.columns:
            if pd.api.types.is_float_dtype(df[c]):
                df[c] = df[c].round(2)
            elif pd.api.types.is_bool_dtype(df[c]):
                df[c] = df[c].map({True: "yes", False: "no"})
        if "threat_from_russia" in df:
            df = df.sort_values("threat_from_russia", ascending=False, kind="stable")
        return df.reset_index(drop=True).rename(columns=STATE_COLUMNS)

    df = solara.use_memo(build, dependencies=[rev])
    with solara.Card("States now (most threatened first)", classes=["nato-states"], margin=0):
        solara.DataFrame(df, items_per_page=12)


@solara.component
def MessageBar():
    """The last error, warning or confirmation, in a bar fixed at the bottom of the window."""
    msg = message.value

    def fade(cancel: threading.Event) -> None:  # confirmations go by themselves; errors stay until closed
        if msg is not None and msg[0] != "error" and not cancel.wait(TOAST_SECONDS) and message.value == msg:
            message.value = None

    solara.use_thread(fade, dependencies=[msg])
    if msg is None:
        return
    kind, text = msg
    with solara.Row(classes=["nato-message", f"nato-message-{kind}", "nato-message-bar"]):
        if kind == "error":
            solara.Error(text, classes=["nato-error"], style_="white-space: pre-wrap; flex: 1")
        elif kind == "success":
            solara.Success(text, classes=["nato-success"], style_="flex: 1")
        else:
            solara.Info(text, classes=["nato-info"], style_="flex: 1")
        solara.Button(icon_name="mdi-close", text=True, classes=["nato-message-close"],
                      on_click=lambda: setattr(message, "value", None))


def _status() -> tuple[Session, dict[str, Any]]:
    s = get_session()
    with _lock:
        return s, s.status()


@solara.component
def Frame(title: str, children: list = [], room: bool = False):  # noqa: B006 - solara's convention
    """The page's frame: styles, the message bar, and the padding."""
    solara.Style(CSS)
    solara.Title(title)
    with solara.Column(style={"padding": "10px 14px", "max-width": "1900px"}, gap="10px",
                       classes=["nato-page", *(["nato-room"] if room else [])]):
        solara.Column(children=children, gap="10px")
        MessageBar()


@solara.component
def Refused(text: str):
    """What a page shows to somebody without the right link."""
    with Frame("natosim seminar"):
        solara.HTML("h2", unsafe_innerHTML="natosim seminar")
        solara.Error(text, classes=["nato-error", "nato-refused"])
        solara.Text("Each team has its own link, printed by `natosim seminar dashboard`; the room screen is /room.")


# -- the pages ----------------------------------------------------------------
@solara.component
def Landing():
    """The address without a page: where to go."""
    with Frame("natosim seminar"):
        solara.HTML("h2", unsafe_innerHTML="natosim seminar")
        solara.Text("Open the link the facilitator gave your team (natosim seminar dashboard prints them).")
        solara.HTML("div", unsafe_innerHTML='<a href="room">The room screen</a>', classes=["nato-room-link"])


@solara.component
def FacilitatorPage():
    """Everything: the teams' entries, injects, advance, branches, charts, the last turn and the states."""
    rev = revision.value
    use_follow()
    router = solara.use_router()
    try:
        s, status = _status()
        allowed = s.role_for(_key(router)) == "facilitator"
        with _lock:
            types = s.inject_types()
            states = sorted(s.states_table()["state"])
    except Exception as exc:  # noqa: BLE001
        solara.Error(f"Cannot open the session: {exc}", classes=["nato-error"])
        return
    if not allowed:
        Refused("This is the facilitator's page: its link carries the facilitator's key.")
        return
    with Frame("natosim seminar — facilitator"):
        Header(status, f"Facilitator — {status['scenario']}")
        for w in status.get("warnings") or []:
            solara.Warning(w)
        SituationCards(status)
        with solara.Columns([5, 7], gutters_dense=True):
            with solara.Column(gap="10px"):
                FacilitatorPending(status)
                InjectForm(types, states).key("inject-form")
                Umpire(rev)
                Branches(status)
            with solara.Column(gap="10px"):
                Charts(rev)
                LastTurn(rev)
                StatesTable(rev)


@solara.component
def TeamPage():
    """One team at its own screen: the situation, the last turn and why, its own moves only."""
    rev = revision.value
    use_follow()
    router = solara.use_router()
    slug = router.parts[1] if len(router.parts) > 1 else ""
    try:
        s, status = _status()
        team = next((t for t in s.teams if team_slug(t) == slug), None)
        role = s.role_for(_key(router))
        menu = s.menu(team) if team else []
    except Exception as exc:  # noqa: BLE001
        solara.Error(f"Cannot open the session: {exc}", classes=["nato-error"])
        return
    if team is None:
        Refused(f"There is no team {slug!r} in this seminar.")
        return
    if role != team:
        Refused(f"This is {team_title(team)}'s page: its link carries {team_title(team)}'s key.")
        return
    with _lock:
        submitted = s.pending.entry(team).status == "submitted"
    with Frame(f"natosim seminar — {team_title(team)}"):
        Header(status, f"{team_title(team)} team")
        SituationCards(status)
        with solara.Columns([5, 7], gutters_dense=True):
            with solara.Column(gap="10px"):
                TeamDraft(team, status)
                if not submitted:
                    MoveForm(team, menu).key(f"form-{team}-{status['turn']}-{status['branch']}")
                TeamsStatus(status, me=team)
            with solara.Column(gap="10px"):
                LastTurn(rev)
                Charts(rev)


@solara.component
def RoomPage():
    """The projector: read only, large type."""
    rev = revision.value
    use_follow()
    try:
        _, status = _status()
    except Exception as exc:  # noqa: BLE001
        solara.Error(f"Cannot open the session: {exc}", classes=["nato-error"])
        return
    with Frame("natosim seminar — room", room=True):
        Header(status, status["scenario"])
        SituationCards(status)
        with solara.Columns([7, 5], gutters_dense=True):
            Charts(rev, scale=1.35)
            with solara.Column(gap="10px"):
                TeamsStatus(status)
                LastTurn(rev)


@solara.component
def Layout(children: list = []):  # noqa: B006 - solara's convention
    """No navigation bar: each page is a room's screen of its own."""
    solara.Column(children=children, style={"padding": 0})


routes = [
    solara.Route("/", component=Landing, layout=Layout),
    solara.Route("facilitator", component=FacilitatorPage),
    solara.Route("team", component=TeamPage),
    solara.Route("room", component=RoomPage),
]
