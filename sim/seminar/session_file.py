"""The session file on disk: its structure checked field by field, a rolling backup, and seals.

A seminar's file is the only record of two hours of a room's work, so nothing
that happens to it may lose the seminar or end in an internal error:

- every save first copies the file as it was (the last good version, written
  after a successful open or turn) to ``<file>.bak``;
- opening checks the file's structure (header fields, every turn, the tree,
  the branches) and names each problem by its place in the file; a file that
  cannot be read or is damaged is set aside (``<file>.damaged-<time>``, never
  deleted) and the backup restored, with a message saying so and what was lost;
- each turn carries a *seal* (``sim.seminar.engine.seal``), a hash of its moves
  and injects as played, so a replay that departs from the record can say
  whether the file was edited or the model changed.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.files import write_text

MONTH = re.compile(r"^\d{4}-\d{2}$")
#: the header fields of a session file and the type each must have
HEADER: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "natosim_version": str,
    "created": str,
    "scenario": dict,
    "overrides": dict,
    "seed": int,
    "at": str,
    "turn_months": int,
    "teams": list,
}
#: the fields of a turn and their types (``seal``, ``notes``, ``why`` and ``overrides`` may be missing in older files)
TURN: dict[str, type | tuple[type, ...]] = {
    "id": int,
    "parent": (int, type(None)),
    "branch": str,
    "number": int,
    "start": str,
    "end": str,
    "moves": list,
    "injects": list,
    "summary": dict,
    "changes": list,
    "events": list,
    "series": list,
}
OPTIONAL_TURN: dict[str, type | tuple[type, ...]] = {"seal": str, "notes": list, "why": list, "overrides": list,
                                                   "played": str}


def backup_path(path: Path) -> Path:
    """Return where a session file's backup (its last good version) lives."""
    return path.with_name(path.name + ".bak")


def _type_name(t: type | tuple[type, ...]) -> str:
    names = [x.__name__ for x in (t if isinstance(t, tuple) else (t,))]
    return " or ".join("null" if n == "NoneType" else {"str": "text", "int": "a whole number", "list": "a list",
                                                        "dict": "a mapping"}.get(n, n) for n in names)


def _is(value: Any, t: type | tuple[type, ...]) -> bool:
    if isinstance(value, bool) and (t is int or (isinstance(t, tuple) and int in t)):
        return False  # true/false is not a number here
    return isinstance(value, t)


def structure_problems(data: Any, fmt: str) -> list[str]:
    """Return every structural problem of a parsed session file, each named by its place (empty: sound)."""
    if not isinstance(data, dict):
        return [f"the file holds {type(data).__name__}, not a session (a mapping with format {fmt!r})"]
    if data.get("format") != fmt:
        return [f"format: {data.get('format')!r} is not a natosim seminar session (expected {fmt!r})"]
    problems: list[str] = []
    for key, t in {**HEADER, "branches": dict, "current": str, "turns": list}.items():
        if key not in data:
            problems.append(f"{key}: missing")
        elif not _is(data[key], t):
            problems.append(f"{key}: {data[key]!r} is not {_type_name(t)}")
    if problems:
        return problems
    for key in ("file", "given", "name", "fingerprint"):
        if not isinstance(data["scenario"].get(key), str):
            problems.append(f"scenario.{key}: missing or not text")
    clock = data.get("turn_clock_minutes")
    if clock is not None and (not _is(clock, (int, float)) or not 0 < clock <= 600):
        problems.append(f"turn_clock_minutes: {clock!r} is not a number of minutes 1..600")
    access = data.get("access", {})
    if not isinstance(access, dict) or not all(isinstance(v, str) and v for v in access.values()):
        problems.append("access: must map the facilitator and each team to a token (text)")
    labels = data.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        problems.append("labels: must map branch names to text")
    if not MONTH.match(data["at"]):
        problems.append(f"at: {data['at']!r} is not a month YYYY-MM")
    if data["turn_months"] < 1:
        problems.append(f"turn_months: {data['turn_months']} must be 1 or more")
    if not data["teams"] or not all(isinstance(t, str) for t in data["teams"]):
        problems.append("teams: must be a non-empty list of team names")
    for k, v in data["overrides"].items():
        if not (_is(v, (int, float))):
            problems.append(f"overrides.{k}: {v!r} is not a number")
    ids: dict[int, dict[str, Any]] = {}
    for n, turn in enumerate(data["turns"]):
        where = f"turns[{n}]"
        if not isinstance(turn, dict):
            problems.append(f"{where}: not a mapping")
            continue
        bad = False
        for key, t in TURN.items():
            if key not in turn:
                problems.append(f"{where}.{key}: missing")
                bad = True
            elif not _is(turn[key], t):
                problems.append(f"{where}.{key}: {turn[key]!r} is not {_type_name(t)}")
                bad = True
        for key, t in OPTIONAL_TURN.items():
            if key in turn and not _is(turn[key], t):
                problems.append(f"{where}.{key}: {turn[key]!r} is not {_type_name(t)}")
                bad = True
        unknown = sorted(set(turn) - set(TURN) - set(OPTIONAL_TURN))
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
            bad = True
        if bad:
            continue
        if turn["id"] in ids:
            problems.append(f"{where}.id: {turn['id']} is used by another turn too")
            continue
        ids[turn["id"]] = turn
    if problems:
        return problems
    if 0 not in ids or ids[0]["parent"] is not None or ids[0]["number"] != 0:
        problems.append("turns: the start (id 0, no parent, number 0) is missing")
    for n, turn in enumerate(data["turns"]):
        if turn["id"] == 0:
            continue
        parent = ids.get(turn["parent"]) if turn["parent"] is not None else None
        if parent is None:
            problems.append(f"turns[{n}].parent: {turn['parent']!r} is not the id of a turn in the file "
                            f"(turn {turn['number']} of {turn['branch']!r} has lost its place in the tree)")
        elif turn["number"] != parent["number"] + 1:
            problems.append(f"turns[{n}].number: {turn['number']}, but its parent (id {parent['id']}) is turn "
                            f"{parent['number']}")
    for name, head in data["branches"].items():
        if not _is(head, int) or head not in ids:
            problems.append(f"branches.{name}: {head!r} is not the id of a turn in the file")
    if data["current"] not in data["branches"]:
        problems.append(f"current: {data['current']!r} is not one of the branches ({', '.join(data['branches'])})")
    # numbers grow by one along every parent link, so a loop of parents cannot pass the checks above
    return problems


def read(path: Path, fmt: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Read and check a session file; return its data (None if unusable) and what is wrong with it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, ["no such file"]
    except OSError as exc:
        return None, [f"cannot be read ({exc.strerror or exc})"]
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, ["is not text (UTF-8): not a session file, or damaged"]
    except json.JSONDecodeError as exc:
        cut = "" if raw.rstrip().endswith(b"}") else " (it ends early: truncated?)"
        return None, [f"is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{cut}"]
    problems = structure_problems(data, fmt)
    return (None if problems else data), problems


def set_aside(path: Path) -> Path:
    """Move a damaged session file out of the way (never deleted); return where it went."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    k = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{k}")
        k += 1
    shutil.move(str(path), str(target))
    return target


def save(text: str, path: Path) -> None:
    """Write a session file atomically, first keeping the version it replaces as the backup."""
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
            json.loads(old)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            pass  # a damaged old file is no backup: the one before it stays
        else:
            write_text(old, backup_path(path))
    write_text(text, path)
