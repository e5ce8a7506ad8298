"""The seminar as its file records it: the header, the turn tree and the pending turn, without the model.

A room's commands are mostly moves about the record -- where do we stand, go back
two turns, branch here, switch to the other branch, note this -- and need no
model: ``SessionRecord`` opens the session file (restoring its backup when it is
damaged), answers ``status`` from the turns as recorded, and rewinds, branches,
switches, renames, labels, deletes and notes on the turn tree (``sim.seminar.tree``),
so these commands start without importing the model, pandas or numba.  A hand
edit of a turn's moves is still told (its seal no longer matches); whether the
turns still *replay* is checked by the next command that runs the model.

``Session`` (``sim.seminar.session``) is a ``SessionRecord`` whose tree is the
engine: the same verbs, with the model following the head.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.seminar import session_file
from sim.seminar.errors import SessionError
from sim.seminar.pending import PendingTurn
from sim.seminar.pending import problems as pending_problems
from sim.seminar.tree import Turn, TurnTree, seal

FORMAT = "natosim-seminar/1"
#: who may open which page of the dashboard: the facilitator and each team, by token
FACILITATOR = "facilitator"
#: optional header fields a session file may carry besides ``session_file.HEADER``
OPTIONAL_HEADER = ("turn_clock_minutes", "access", "calendar")


def now() -> str:
    """Return the wall-clock time, as the session file records it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _add_months(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    k = y * 12 + (m - 1) + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def _months_between(a: str, b: str) -> int:
    return (int(b[:4]) * 12 + int(b[5:7])) - (int(a[:4]) * 12 + int(a[5:7]))


def read(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Read a session file, restoring its backup if it is damaged; return its data and what was restored."""
    data, problems = session_file.read(path, FORMAT)
    if data is not None:
        return data, []
    if problems == ["no such file"]:
        raise SessionError(f"{path}: no such session file")
    backup = session_file.backup_path(path)
    old, old_problems = session_file.read(backup, FORMAT)
    if old is None:
        why = "" if old_problems == ["no such file"] else f"; its backup {backup} is unusable too: " + (
            "; ".join(old_problems))
        raise SessionError([f"{path}: {p}" for p in problems] + [
            f"{path}: the session cannot be opened and has no usable backup{why}"])
    aside = session_file.set_aside(path)
    session_file.save(json.dumps(old, indent=1, ensure_ascii=False) + "\n", path)
    played = max((t["number"] for t in old["turns"]), default=0)
    return old, [(
        f"{path} was damaged ({'; '.join(problems)}); restored from its backup, saved "
        f"{old.get('saved', 'earlier')} (turns up to {played} on the branches it holds); the last change "
        f"after it is lost; the damaged file is kept as {aside}"
    )]


def header_of(data: dict[str, Any]) -> dict[str, Any]:
    """Return a session file's header fields (those it must have and the optional ones it has)."""
    header = {k: data[k] for k in session_file.HEADER}
    for key in OPTIONAL_HEADER:
        if data.get(key) is not None:
            header[key] = data[key]
    return header


class SessionRecord:
    """A seminar's record and its file: every method that changes it saves it at once."""

    def __init__(self, tree: TurnTree, path: Path, header: dict[str, Any], warnings: list[str] | None = None):
        """Wrap a turn tree and its file (use ``SessionRecord.open``)."""
        self.tree = tree
        self.path = Path(path)
        self.header = header
        self.pending = PendingTurn(head=tree.head)
        self._warnings = list(warnings or [])

    @classmethod
    def open(cls, path: str | Path) -> SessionRecord:
        """Read a session file (restoring its backup if it is damaged), without running the model."""
        path = Path(path)
        data, restored = read(path)
        turns = [Turn(**t) for t in data["turns"]]
        root = next(t for t in turns if t.id == 0)
        tree = TurnTree(root, turns, {str(k): int(v) for k, v in data["branches"].items()}, str(data["current"]),
                        data.get("labels", {}))
        edited = [f"turn {t.number} on {t.branch}: its moves, injects or rulings were edited in the session file "
                  "after it was played (the next turn played replays the edited moves)"
                  for t in turns if t.seal and t.seal != seal(t.moves, t.injects, t.overrides)]
        record = cls(tree, path, header_of(data), restored + edited)
        record.take_pending(data)
        return record

    def take_pending(self, data: dict[str, Any]) -> None:
        """Take the file's pending turn (dropped with a warning if it cannot be read)."""
        if data.get("pending") is None:
            return
        wrong = pending_problems(data["pending"], self.header["teams"])
        if wrong:  # the teams' unplayed entries are not worth the played turns: dropped, and said
            self._warnings.append(
                f"{self.path}: the next turn's pending moves cannot be read and were dropped ({'; '.join(wrong)}); "
                "the teams must enter them again")
            return
        self.pending = PendingTurn.from_dict(data["pending"])
        self._follow_head()

    # -- persistence -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the whole session as plain data."""
        t = self.tree
        return {
            **self.header,
            "saved": now(),
            "current": t.current,
            "branches": dict(t.branches),
            "labels": dict(t.labels),
            "turns": [t.nodes[i].to_dict() for i in sorted(t.nodes)],
            **({"pending": self.pending.to_dict()} if not self.pending.is_empty() else {}),
        }

    def save(self) -> Path:
        """Write the session file atomically (its last version kept as the backup); return its path.

        The record holds what it read from the file, plain JSON; ``Session`` converts the model's numbers first.
        """
        session_file.save(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", self.path)
        return self.path

    # -- moving about the tree (each saves) ----------------------------------------------------------
    def rewind(self, turn: int) -> str | None:
        """Rewind the current branch to a turn (undone turns kept as a branch, named in the return); save."""
        kept = self.tree.rewind(int(turn))
        self._follow_head()
        self.save()
        return kept

    def branch(self, name: str, from_turn: int | None = None) -> None:
        """Start a branch at a turn of the current branch and switch to it; save."""
        self.tree.branch(name, from_turn)
        self._follow_head()
        self.save()

    def switch(self, name: str) -> None:
        """Switch to another branch; save."""
        self.tree.switch(name)
        self._follow_head()
        self.save()

    def rename(self, old: str, new: str) -> None:
        """Rename a branch; save."""
        self.tree.rename(old, new)
        self.save()

    def label(self, name: str, text: str) -> None:
        """Label a branch in plain language (empty text removes the label); save."""
        self.tree.label(name, text)
        self.save()

    def delete(self, name: str) -> int:
        """Delete a branch that is not current (the file keeps a backup of the version before); save."""
        dropped = self.tree.delete(name)
        self.save()
        return dropped

    def note(self, text: str, kind: str = "note", turn: int | None = None) -> dict[str, Any]:
        """Record a note or an insight of the room on a turn (the last by default); save."""
        entry = self.tree.note(text, kind, turn, at=now())
        self.save()
        return entry

    def _follow_head(self, why: str | None = None) -> None:
        """Give every team its pending moves back when the situation they were entered for has changed."""
        t = self.tree
        if self.pending.head == t.head:
            return
        node = t.nodes[t.head]
        reason = why or f"the seminar moved to turn {node.number} of branch {t.current}"
        self.pending.give_all_back(f"{reason} after you entered these moves: check them and submit again", now())
        self.pending.head = t.head

    # -- the room: the clock and the pages' tokens ----------------------------------------------------
    def set_clock(self, minutes: float | None) -> None:
        """Set the room's turn clock (minutes a turn may take; None removes it); save."""
        if minutes is not None and not 0 < float(minutes) <= 600:
            raise SessionError(f"turn clock {minutes!r}: minutes 1..600")
        if minutes is None:
            self.header.pop("turn_clock_minutes", None)
        else:
            self.header["turn_clock_minutes"] = float(minutes)
        self.save()

    def clock(self, now: datetime | None = None) -> dict[str, Any] | None:
        """Return the turn clock: minutes allowed, used since the last turn was played, left (None: no clock)."""
        minutes = self.header.get("turn_clock_minutes")
        if minutes is None:
            return None
        t = self.tree
        since = t.nodes[t.head].played or self.header["created"]
        now = now or datetime.now(UTC)
        used = (now - datetime.fromisoformat(since)).total_seconds() / 60.0
        return {"minutes": float(minutes), "used": round(used, 1), "left": round(float(minutes) - used, 1),
                "since": since}

    def access(self) -> dict[str, str]:
        """Return the dashboard's tokens: the facilitator's and each team's (made and saved when missing)."""
        tokens = dict(self.header.get("access") or {})
        roles = [FACILITATOR, *self.teams]
        if any(r not in tokens for r in roles):
            for r in roles:
                tokens.setdefault(r, secrets.token_urlsafe(9))
            self.header["access"] = tokens
            self.save()
        return {r: tokens[r] for r in roles}

    def role_for(self, token: str | None) -> str | None:
        """Return whose token this is (the facilitator or a team), or None."""
        for role, t in (self.header.get("access") or {}).items():
            if token and secrets.compare_digest(str(t), str(token)):
                return role
        return None

    # -- reading -------------------------------------------------------------------------------------
    @property
    def teams(self) -> list[str]:
        """The seminar's teams."""
        return list(self.header["teams"])

    @property
    def turn_months(self) -> int:
        """Months per turn."""
        return int(self.header["turn_months"])

    @property
    def seed(self) -> int:
        """The model's seed."""
        return int(self.header["seed"])

    @property
    def branches(self) -> dict[str, int]:
        """Branch names and their head turn numbers."""
        return {b: self.tree.nodes[h].number for b, h in self.tree.branches.items()}

    @property
    def current(self) -> str:
        """The current branch."""
        return self.tree.current

    @property
    def labels(self) -> dict[str, str]:
        """Branch labels."""
        return dict(self.tree.labels)

    @property
    def warnings(self) -> list[str]:
        """What was found when the file was opened: a restored backup, edited turns, dropped pending moves."""
        return list(self._warnings)

    def position(self) -> dict[str, Any]:
        """Return where the seminar stands (next month, last month played, turns left), from the record.

        Needs the scenario's calendar in the header (files from before it lack it: open a ``Session``).
        """
        cal = self.header.get("calendar")
        if not cal:
            raise SessionError(f"{self.path}: the file does not record its scenario's calendar; open it as a Session")
        step, last = int(cal["step_months"]), str(cal["last"])
        node = self.tree.nodes[self.tree.head]
        played = _add_months(self.header["at"], -step) if node.parent is None else node.end
        nxt = _add_months(played, step)
        left_steps = _months_between(nxt, last) // step + 1 if nxt <= last else 0
        return {"date": min(nxt, last), "last_month": played,
                "turns_left": left_steps // (self.turn_months // step)}

    def status(self) -> dict[str, Any]:
        """Return the situation now, as recorded."""
        t = self.tree
        node = t.nodes[t.head]
        pos = self.position()
        return {
            "session": str(self.path),
            "scenario": self.header["scenario"]["name"],
            "seed": self.seed,
            "date": pos["date"],
            "last_month": pos["last_month"],
            "turn": node.number,
            "branch": t.current,
            "branches": self.branches,
            "turns_left": pos["turns_left"],
            "teams": self.teams,
            **{k: v for k, v in node.summary.items() if k not in ("members",)},
            "clock": self.clock(),
            "pending": self.pending.public(self.teams),
            "pending_injects": len(self.pending.injects),
            "warnings": self.warnings,
        }

    def turns(self, branch: str | None = None) -> list[dict[str, Any]]:
        """Return the turn records along a branch (the start excluded)."""
        head = self.tree.branches[branch] if branch else self.tree.head
        return [self.tree.nodes[nid].to_dict() for nid in self.tree.path(head)[1:]]
