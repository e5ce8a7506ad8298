"""``natosim seminar``: start a seminar, play turns, branch, rewind, report, serve the dashboard."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from sim.entry import EXIT_BAD_INPUT
from sim.seminar.errors import SessionError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Wargame seminar: teams' moves, injects, turns, branches and an after-action report.",
)

SessionArg = Annotated[
    Path, typer.Argument(help="The session file (JSON) written by `natosim seminar new`.")
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _session_error(exc: SessionError) -> None:
    if len(exc.problems) == 1:
        _fail(exc.problems[0])
    _fail("the request was refused:\n" + "\n".join(f"  - {p}" for p in exc.problems))


def _do(action, *args: Any) -> Any:
    """Carry out a session's action; a refusal (``SessionError``) becomes the message and exit 2."""
    try:
        return action(*args)
    except SessionError as exc:
        _session_error(exc)


def _open(path: Path):
    from sim.seminar.session import Session

    return _do(Session.open, path)


def _open_record(path: Path):
    """Open the session as recorded, without the model (for commands that move about the turn tree)."""
    from sim.seminar.record import SessionRecord

    record = _do(SessionRecord.open, path)
    if not record.header.get("calendar"):  # a file from before the calendar was recorded
        return _open(path)
    return record


def _months(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(m|mo|months?|y|years?)?\s*", text)
    if not m or int(m.group(1)) < 1:
        _fail(f"--turn {text!r}: expected a length such as 1m, 3m, 6m or 1y")
    n = int(m.group(1))
    return n * 12 if (m.group(2) or "m").startswith("y") else n


def _print_status(st: dict[str, Any]) -> None:
    typer.echo(
        f"{st['scenario']} · seed {st['seed']} · branch {st['branch']} · turn {st['turn']} · next turn starts {st['date']}"
        f" · {st['turns_left']} turns left"
    )
    typer.echo(
        f"  relations index {st['relations_index']:+.2f} · escalation {st['escalation_level']} ({st['escalation_label']})"
        f" · frontline deterrence {st['frontline_deterrence']:.2f} · members' threat {st['mean_threat_from_russia']:.2f}"
        f" · channel {st['channel']}"
    )
    branches = ", ".join(
        f"{b} (turn {n})" + (" *" if b == st["branch"] else "") for b, n in st["branches"].items()
    )
    typer.echo(f"  branches: {branches}")
    clock = st.get("clock")
    if clock:
        state = f"{clock['left']:.0f} min left" if clock["left"] >= 0 else f"{-clock['left']:.0f} min over"
        typer.echo(f"  turn clock: {clock['used']:.0f} of {clock['minutes']:.0f} min used ({state})")
    pending = st.get("pending") or {}
    if any(v != "nothing yet" for v in pending.values()) or st.get("pending_injects"):
        teams = ", ".join(f"{t} {v}" for t, v in pending.items())
        typer.echo(f"  next turn (entered at the dashboard): {teams}; {st.get('pending_injects', 0)} inject(s)"
                   " · `turn --pending` plays it")
    for w in st.get("warnings", []):
        typer.echo(f"  warning: {w}")


def _print_turn(rec: dict[str, Any]) -> None:
    typer.echo(
        f"Turn {rec['turn'] if 'turn' in rec else rec['number']} ({rec['start']} – {rec['end']}), branch {rec['branch']}"
    )
    for mv in rec["moves"]:
        fields = ", ".join(f"{k}={v}" for k, v in mv.items() if k not in ("team", "move"))
        typer.echo(f"  move   {mv['team']}: {mv['move']}" + (f" ({fields})" if fields else ""))
    for inj in rec["injects"]:
        typer.echo(
            f"  inject {inj['type']}: {inj['actor']} → {','.join(inj['targets']) or '-'} ({inj['label']})"
        )
    for line in rec["changes"]:
        typer.echo(f"  {line}")
    emergent = [e for e in rec.get("events", []) if e.get("origin") == "emergent"]
    if emergent:
        typer.echo("  Decided by the model (an umpire may cancel one: override cancel 'MONTH TYPE ACTOR'):")
        for e in emergent:
            typer.echo(f"    {e['date']} {e['type']} {e['actor']} → {e['targets'] or '-'} ({e['label']})")
    if rec.get("why"):
        typer.echo("  Why:")
        for line in rec["why"]:
            typer.echo(f"    {line}")


def _read_moves(path: Path) -> tuple[list, list]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        _fail(f"{path}: no such moves file")
    except (OSError, yaml.YAMLError) as exc:
        _fail(f"{path}: not readable YAML/JSON ({exc})")
    if isinstance(data, list):
        data = {"moves": data}
    if not isinstance(data, dict) or set(data) - {"moves", "injects"}:
        _fail(
            f"{path}: expected a mapping with `moves:` and/or `injects:` lists (got keys {sorted(data) if isinstance(data, dict) else type(data).__name__})"
        )
    moves, injects = data.get("moves") or [], data.get("injects") or []
    if not isinstance(moves, list) or not isinstance(injects, list):
        _fail(f"{path}: `moves` and `injects` must be lists")
    return moves, injects


@app.command()
def new(
    scenario: Annotated[str, typer.Argument(help="Scenario file or name (e.g. baseline).")],
    at: Annotated[str, typer.Option("--at", help="First month of the seminar, YYYY-MM.")],
    turn: Annotated[str, typer.Option("--turn", help="Turn length: 1m, 3m, 6m, 1y …")] = "3m",
    teams: Annotated[
        str,
        typer.Option("--teams", help="Teams: blue, red, ukraine, member:XXX (comma-separated)."),
    ] = "blue,red",
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, max=2**32 - 1, help="The model's seed (default: the scenario's).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Session file (default results/seminars/NAME-AT-seedS.json)."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing session file.")
    ] = False,
) -> None:
    """Start a seminar: run the scenario to --at and write the session file."""
    from sim.cli import _parse_sets
    from sim.seminar.session import Session

    session = _do(Session.new, scenario, at, _months(turn), teams, seed, out, _parse_sets(set_), overwrite)
    typer.echo(f"session written: {session.path}")
    _print_status(session.status())


@app.command("turn")
def play_turn(
    session_file: SessionArg,
    moves: Annotated[
        Path | None,
        typer.Option("--moves", help="YAML/JSON file with `moves:` and `injects:` lists."),
    ] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Prompt for moves (default: on a terminal without --moves).",
        ),
    ] = None,
    empty: Annotated[
        bool, typer.Option("--empty", help="Play a turn with no moves and no injects (the model decides alone).")
    ] = False,
    pending: Annotated[
        bool, typer.Option("--pending", help="Play the moves the teams submitted at the dashboard, and its injects.")
    ] = False,
    anyway: Annotated[
        bool, typer.Option("--anyway", help="With --pending: play even if a team has moves not yet submitted.")
    ] = False,
) -> None:
    """Play one turn with the teams' moves and the facilitator's injects; save it at once."""
    session = _open(session_file)
    if sum([moves is not None, empty, pending]) > 1:
        _fail("--moves, --empty and --pending: give one of them")
    if pending:
        rec = _do(session.play_pending, anyway)
        _print_turn(rec)
        typer.echo(f"saved: {session.path}")
        return
    if moves is not None:
        mv, inj = _read_moves(moves)
    elif empty:
        mv, inj = [], []
    elif interactive or (interactive is None and sys.stdin.isatty()):
        from sim.seminar.prompt import ask_turn

        mv, inj = ask_turn(session, _print_status)
    else:
        _fail("no moves given: pass --moves FILE, run it on a terminal (or --interactive) to type them, "
              "or --empty to play a turn in which only the model decides")
    rec = _do(session.turn, mv, inj)
    _print_turn(rec)
    typer.echo(f"saved: {session.path}")


@app.command()
def status(session_file: SessionArg) -> None:
    """Show the situation, the current turn and the branches."""
    _print_status(_open_record(session_file).status())


@app.command()
def menu(
    session_file: SessionArg,
    team: Annotated[str | None, typer.Option("--team", help="One team only.")] = None,
) -> None:
    """List the legal moves of each team now, with their fields."""
    session = _open(session_file)
    for t in [team] if team else session.teams:
        entries = _do(session.menu, t, True)
        typer.echo(f"{t}:")
        for mv in entries:
            if mv.get("unavailable"):
                typer.echo(f"  {mv['move']:<20} {mv['label']}: not now ({mv['unavailable']})")
                continue
            typer.echo(f"  {mv['move']:<20} {mv['label']}: {mv['help']}")
            for f in mv["fields"]:
                extra = ""
                if f["kind"] == "number":
                    extra = f" [{f['min']:g}..{f['max']:g}]"
                elif "choices" in f:
                    shown = f["choices"] if len(f["choices"]) <= 12 else f["choices"][:12] + ["…"]
                    extra = f" {{{', '.join(shown)}}}"
                default = f" default {f['default']}" if "default" in f else ""
                typer.echo(f"      {f['name']} ({f['kind']}){extra}{default}: {f['help']}")


def _confirm(question: str, yes: bool) -> None:
    """Go on if --yes was given or the facilitator confirms on a terminal; refuse otherwise."""
    if yes:
        return
    if not sys.stdin.isatty():
        _fail(f"{question}: confirm with --yes (no terminal to ask on)")
    if not typer.confirm(question, default=False):
        typer.echo("nothing changed")
        raise typer.Exit(0)


@app.command()
def rewind(
    session_file: SessionArg,
    turn: Annotated[int, typer.Argument(help="Turn number to go back to (0 = the start).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Go back to a turn of the current branch; the turns undone stay in the file as a branch."""
    session = _open_record(session_file)
    st = session.status()
    if st["turn"] != turn:
        _confirm(f"rewind branch {st['branch']} from turn {st['turn']} to turn {turn}?", yes)
    kept = _do(session.rewind, turn)
    if kept:
        typer.echo(f"the turns undone are kept as branch {kept!r}")
    _print_status(session.status())


@app.command()
def rename(
    session_file: SessionArg,
    old: Annotated[str, typer.Argument(help="The branch's name now.")],
    new_name: Annotated[str, typer.Argument(metavar="NEW", help="Its new name.")],
) -> None:
    """Rename a branch."""
    session = _open_record(session_file)
    _do(session.rename, old, new_name)
    _print_status(session.status())


@app.command()
def label(
    session_file: SessionArg,
    name: Annotated[str, typer.Argument(help="The branch.")],
    text: Annotated[str, typer.Argument(help="A plain-language label (\"\" removes it).")],
) -> None:
    """Label a branch in plain language, for the report and the dashboard."""
    session = _open_record(session_file)
    _do(session.label, name, text)
    typer.echo(f"branch {name}: " + (session.labels.get(name) or "(no label)"))


@app.command()
def delete(
    session_file: SessionArg,
    name: Annotated[str, typer.Argument(help="The branch to delete (not the current one).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a branch and the turns only it reaches (the file before is kept as its backup)."""
    session = _open_record(session_file)
    _confirm(f"delete branch {name} and the turns only it reaches?", yes)
    dropped = _do(session.delete, name)
    typer.echo(f"deleted branch {name} ({dropped} turns); the previous file is kept as "
               f"{session.path.name}.bak until the next change")
    _print_status(session.status())


@app.command()
def override(
    session_file: SessionArg,
    kind: Annotated[str, typer.Argument(help="escalation, war, channel, or cancel (an emergent event of the last turn).")],
    value: Annotated[str, typer.Argument(help="escalation 0..5; war intensity 0..1; channel none/active/suspended/frozen; "
                                              "cancel 'YYYY-MM type ACTOR' (as the turn's events list it).")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why the umpire rules so (required; goes into the report).")] = "",
    state: Annotated[str | None, typer.Option("--state", help="For war: the state Russia fights.")] = None,
) -> None:
    """Rule, as umpire, on the last turn's outcome (or cancel one of its emergent events); recorded and replayed."""
    session = _open(session_file)
    parsed: Any = value
    if kind in ("escalation", "war"):
        try:
            parsed = float(value)
        except ValueError:
            _fail(f"{kind} {value!r}: expected a number")
    _do(session.override, kind, parsed, rationale, state)
    typer.echo(f"override recorded on turn {session.status()['turn']} of {session.current}")
    _print_status(session.status())


@app.command()
def clock(
    session_file: SessionArg,
    minutes: Annotated[float | None, typer.Argument(help="Minutes a turn may take (omit with --off).")] = None,
    off: Annotated[bool, typer.Option("--off", help="Remove the turn clock.")] = False,
) -> None:
    """Set the room's turn clock: `status` and the dashboard show the minutes used and left in the turn."""
    session = _open_record(session_file)
    if off == (minutes is not None):
        _fail("give the minutes a turn may take, or --off")
    _do(session.set_clock, None if off else minutes)
    _print_status(session.status())


@app.command()
def note(
    session_file: SessionArg,
    text: Annotated[str, typer.Argument(help="What the room noted.")],
    insight: Annotated[bool, typer.Option("--insight", help="Record it as an insight for the hotwash.")] = False,
    turn: Annotated[int | None, typer.Option("--turn", help="Turn of the current branch (default: the last).")] = None,
) -> None:
    """Record a note (or, with --insight, an insight for the hotwash) on a turn; it goes into the report."""
    session = _open_record(session_file)
    _do(session.note, text, "insight" if insight else "note", turn)
    typer.echo(f"{'insight' if insight else 'note'} recorded on turn "
               f"{session.status()['turn'] if turn is None else turn} of {session.current}")


@app.command()
def branch(
    session_file: SessionArg,
    name: Annotated[str, typer.Argument(help="New branch name.")],
    from_turn: Annotated[
        int | None,
        typer.Option("--from", help="Turn of the current branch to branch at (default: its last)."),
    ] = None,
) -> None:
    """Start a new branch (at a turn of the current one) and switch to it."""
    session = _open_record(session_file)
    _do(session.branch, name, from_turn)
    _print_status(session.status())


@app.command()
def switch(
    session_file: SessionArg, name: Annotated[str, typer.Argument(help="Branch to switch to.")]
) -> None:
    """Make another branch current."""
    session = _open_record(session_file)
    _do(session.switch, name)
    _print_status(session.status())


@app.command()
def report(
    session_file: SessionArg,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for report.html, report.md and plots (default: next to the session).",
        ),
    ] = None,
) -> None:
    """Write the after-action report: one self-contained HTML file and a Markdown version."""
    from sim.seminar.report import write_report

    session = _open(session_file)
    folder = out or session.path.with_suffix("")
    files = write_report(session, folder)
    for f in files:
        typer.echo(f"written: {f}")


@app.command()
def dashboard(
    session_file: SessionArg,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.")] = 8765,
) -> None:
    """Serve the room dashboard for a session (Solara; needs the `seminar` extra)."""
    session = _open(session_file)  # fail early and clearly on a bad session file
    try:
        from sim.seminar.dashboard import serve
    except ImportError as exc:
        _fail(f"the dashboard needs the seminar extra: pip install 'natosim[seminar]' ({exc})")
    from sim.seminar.dashboard import page_urls

    shown = "this-machine" if host in ("0.0.0.0", "::") else host
    typer.echo("Pages (give each team only its own link; the tokens are kept in the session file):")
    for role, url in page_urls(session.access(), shown, port).items():
        typer.echo(f"  {role:<12} {url}")
    serve(session_file, host=host, port=port)
