"""The interactive turn prompt: moves and injects typed at a terminal, each field checked as it is typed.

Nothing typed is lost to one mistake: a value the move refuses (a state that
may not host forces, a level out of range) is explained and asked again at
once, with the moves already entered kept; ``-`` at a move prompt removes the
last move entered; the situation and the inject types are shown first.
"""

from __future__ import annotations

from typing import Any

import typer
import yaml

UNDO = "-"


def _field_problems(problems: list[str], name: str) -> list[str]:
    """Return the problems that are about one field of a move (by the engine's wording)."""
    marks = (f" {name} ", f" {name}:", f"field {name!r}", f"{name}: ")
    return [p for p in problems if any(m in p for m in marks)]


def _parse(f: dict[str, Any], raw: str) -> Any:
    """Turn what was typed into the field's value (None: left empty)."""
    raw = raw.strip()
    if raw == "":
        return None
    if f["kind"] == "states":
        return [v.strip().upper() for v in raw.split(",") if v.strip()]
    if f["kind"] == "state":
        return raw.upper()
    return raw


def _hint(f: dict[str, Any]) -> str:
    hint = f"{f['name']} — {f.get('help', '')}"
    if f["kind"] == "choice":
        hint += f" [{'/'.join(f['choices'])}]"
    elif f["kind"] == "number":
        hint += f" [{f['min']:g}..{f['max']:g}]"
    return hint


def ask_move(session, team: str, spec: dict[str, Any], accepted: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Ask a move's fields one by one, re-asking any the move refuses; return it (None: dropped)."""
    mv: dict[str, Any] = {"team": team, "move": spec["move"]}
    typer.echo(f"    {spec['help']}")
    for f in spec["fields"]:
        if f["kind"] in ("state", "states"):
            typer.echo(f"      allowed: {', '.join(f['choices'])}")
        default = f.get("default")
        while True:
            raw = typer.prompt(f"    {_hint(f)}", default="" if default is None else str(default),
                               show_default=default not in (None, ""))
            value = _parse(f, raw)
            trial = {**mv, **({f["name"]: value} if value is not None else {})}
            problems = _field_problems(session.validate([trial]), f["name"])
            if not problems:
                if value is not None:
                    mv[f["name"]] = value
                break
            for p in problems:
                typer.echo(f"      ✗ {p.split(': ', 1)[-1]} — try again")
    problems = session.validate([*accepted, mv])
    if problems:  # a rule across fields or moves (e.g. one Red course per turn)
        for p in problems:
            typer.echo(f"    ✗ {p}")
        typer.echo("    this move is not added; the moves entered before it are kept")
        return None
    return mv


def _show_moves(moves: list[dict[str, Any]]) -> None:
    for n, mv in enumerate(moves, 1):
        fields = ", ".join(f"{k}={v}" for k, v in mv.items() if k not in ("team", "move"))
        typer.echo(f"    {n}. {mv['team']}: {mv['move']}" + (f" ({fields})" if fields else ""))


def ask_moves(session) -> list[dict[str, Any]]:
    """Ask each team in turn for its moves; ``-`` removes the last move entered."""
    moves: list[dict[str, Any]] = []
    for team in session.teams:
        menu = session.menu(team)
        if not menu:
            typer.echo(f"\n{team}: no move is open to this team now")
            continue
        while True:
            typer.echo(f"\n{team}: moves (number to add, '{UNDO}' to remove the last move, Enter when done)")
            for i, mv in enumerate(menu, 1):
                typer.echo(f"  {i:2d}. {mv['move']:<20} {mv['label']}")
            if moves:
                typer.echo("  entered so far:")
                _show_moves(moves)
            choice = typer.prompt(f"  {team} move", default="", show_default=False).strip()
            if not choice:
                break
            if choice == UNDO:
                if moves:
                    gone = moves.pop()
                    typer.echo(f"  removed: {gone['team']}: {gone['move']}")
                else:
                    typer.echo("  no move to remove")
                continue
            if not choice.isdigit() or not 1 <= int(choice) <= len(menu):
                typer.echo(f"  choose 1..{len(menu)}, '{UNDO}' or Enter")
                continue
            mv = ask_move(session, team, menu[int(choice) - 1], moves)
            if mv is not None:
                moves.append(mv)
    return moves


def ask_injects(session) -> list[dict[str, Any]]:
    """Ask the facilitator for injects; each is checked when entered and asked again if refused."""
    injects: list[dict[str, Any]] = []
    types = {t["type"]: t for t in session.inject_types()}
    typer.echo("\nfacilitator: inject types")
    for name, t in types.items():
        typer.echo(f"  {name:<28} {t['label']}")
    while True:
        kind = typer.prompt(f"\nfacilitator: inject (type name, '{UNDO}' to remove the last, Enter for none)",
                            default="", show_default=False).strip()
        if not kind:
            return injects
        if kind == UNDO:
            typer.echo(f"  removed: {injects.pop()['type']}" if injects else "  no inject to remove")
            continue
        if kind not in types:
            typer.echo(f"  unknown type; allowed: {', '.join(types)}")
            continue
        actor = typer.prompt("  actor (state code or NATO)").strip().upper()
        targets = [t.strip().upper() for t in typer.prompt("  targets (comma-separated)", default="").split(",")
                   if t.strip()]
        label = typer.prompt("  label", default=kind.replace("_", " "))
        params: dict[str, Any] = {}
        for name, meaning in types[kind]["params"].items():
            raw = typer.prompt(f"  param {name} ({meaning})", default="", show_default=False).strip()
            if raw:
                try:
                    params[name] = yaml.safe_load(raw)
                except yaml.YAMLError:
                    params[name] = raw
        inj = {"type": kind, "actor": actor, "targets": targets, "label": label, "params": params}
        problems = session.validate([], [*injects, inj])
        if problems:
            for p in problems:
                typer.echo(f"  ✗ {p}")
            typer.echo("  this inject is not added (the others are kept); enter it again")
            continue
        injects.append(inj)


def ask_turn(session, show_status) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Show the situation, then ask for the teams' moves and the facilitator's injects."""
    show_status(session.status())
    return ask_moves(session), ask_injects(session)
