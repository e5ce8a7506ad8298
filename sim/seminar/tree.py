"""The seminar's turn tree: turns, branches, the current head, labels and notes -- without the model.

Turns form a tree: every turn has a parent, a branch is a named path from the
start to its head, and the current branch's head is where the seminar stands.
Rewinding, branching, switching, renaming, labelling, deleting and noting are
operations on this tree alone; ``TurnTree`` holds them, so that a command that
only moves about the tree (``status``, ``rewind``, ``branch``, ``switch``, ...)
needs neither the model nor its imports.  The engine (``sim.seminar.engine``)
is a ``TurnTree`` whose model follows the head (``_goto``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.seminar.errors import SessionError

BRANCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
#: the longest branch label and note, in characters
LABEL_MAX = 80
NOTE_MAX = 2000
#: what the room may record on a turn: a note (what happened, what was said) or an insight (for the hotwash)
NOTE_KINDS = ("note", "insight")


def _check_branch_name(name: str) -> None:
    if not BRANCH_NAME.match(name or ""):
        raise SessionError(
            f"branch name {name!r}: use letters, digits, '_', '-' or '.', up to 40 characters, "
            "starting with a letter or digit"
        )



@dataclass
class Turn:
    """One played turn: where it sits in the tree, what was decided and what followed."""

    id: int
    parent: int | None
    branch: str
    number: int
    start: str
    end: str
    moves: list[dict[str, Any]] = field(default_factory=list)
    injects: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    series: list[dict[str, Any]] = field(default_factory=list)
    #: hash of the moves and injects as played (``session_file.seal``); empty in files from before seals
    seal: str = ""
    #: the room's notes and insights on this turn (hotwash): {"kind": note|insight, "text": ..., "at": ...}
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: why, for the room: what drove the model's decisions and what each move and inject changed
    why: list[str] = field(default_factory=list)
    #: the umpire's rulings on the turn's outcome: {"kind", "value", "state", "rationale", "at"}
    overrides: list[dict[str, Any]] = field(default_factory=list)
    #: when the turn was played (wall clock, ISO), for the room's turn clock
    played: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the turn as plain data (for the session file)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def seal(moves: list[dict[str, Any]], injects: list[dict[str, Any]], overrides: list[dict[str, Any]] = (),
         plain: Callable[[Any], Any] | None = None) -> str:
    """Return the hash of a turn's decisions as played (moves, injects, rulings); ``plain`` makes them JSON data."""
    decided: dict[str, Any] = {"moves": moves, "injects": injects}
    if overrides:
        decided["overrides"] = [{k: o.get(k) for k in ("kind", "value", "state")} for o in overrides]
    text = json.dumps(plain(decided) if plain else decided, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TurnTree:
    """Turns by id, named branches with their heads, the current branch and head, branch labels."""

    def __init__(self, root: Turn, turns: list[Turn] | None = None, branches: dict[str, int] | None = None,
                 current: str = "main", labels: dict[str, str] | None = None):
        """Set up the tree from its start (``root``) and the turns played after it."""
        self.nodes: dict[int, Turn] = {0: root}
        for t in turns or []:
            if t.id != 0:
                self.nodes[t.id] = t
        self.branches: dict[str, int] = dict(branches or {"main": 0})
        if current not in self.branches:
            raise SessionError(f"current branch {current!r} is not in the session's branches")
        self.current = current
        self.head = self.branches[current]
        #: a plain-language label per branch, for the report and the dashboard ("Red escalates in the Baltic")
        self.labels: dict[str, str] = {n: str(t) for n, t in (labels or {}).items() if n in self.branches}

    def _goto(self, target: int) -> None:
        """Make a turn the head (the engine also puts its model in that turn's state)."""
        self.head = target

    def _forget(self, nid: int) -> None:
        """Drop what is kept about a deleted turn besides its node (the engine: its snapshot)."""

    def path(self, head: int | None = None) -> list[int]:
        """Return the turn ids from the start to a head (the current one by default)."""
        out = []
        node: int | None = self.head if head is None else head
        while node is not None:
            out.append(node)
            node = self.nodes[node].parent
        return out[::-1]

    def turn_at(self, number: int, head: int | None = None) -> int:
        """Return the id of the turn with this number on the path to a head."""
        path = self.path(head)
        if not 0 <= number < len(path):
            raise SessionError(
                f"turn {number} is not on branch {self.current!r}; it has turns 0..{len(path) - 1}"
            )
        return path[number]

    def rewind(self, number: int) -> str | None:
        """Move the current branch back to turn ``number``; keep the turns undone as a branch, return its name."""
        target = self.turn_at(number)
        kept = None
        old = self.head
        if old != target and not any(
            h == old for b, h in self.branches.items() if b != self.current
        ):
            i = 1
            while f"{self.current}.{i}" in self.branches:
                i += 1
            kept = f"{self.current}.{i}"
            self.branches[kept] = old
        self.branches[self.current] = target
        self._goto(target)
        return kept

    def branch(self, name: str, from_turn: int | None = None) -> None:
        """Start a new branch at a turn of the current branch (its head by default) and switch to it."""
        _check_branch_name(name)
        if name in self.branches:
            raise SessionError(
                f"branch {name!r} exists already; branches: {', '.join(self.branches)}"
            )
        target = self.head if from_turn is None else self.turn_at(from_turn)
        self.branches[name] = target
        self.current = name
        self._goto(target)

    def switch(self, name: str) -> None:
        """Make another branch current (its head's state is restored)."""
        if name not in self.branches:
            raise SessionError(f"no branch {name!r}; branches: {', '.join(self.branches)}")
        self.current = name
        self._goto(self.branches[name])

    def rename(self, old: str, new: str) -> None:
        """Rename a branch (its turns and label follow)."""
        if old not in self.branches:
            raise SessionError(f"no branch {old!r}; branches: {', '.join(self.branches)}")
        _check_branch_name(new)
        if new in self.branches:
            raise SessionError(f"branch {new!r} exists already; branches: {', '.join(self.branches)}")
        self.branches = {(new if b == old else b): h for b, h in self.branches.items()}
        if old in self.labels:
            self.labels[new] = self.labels.pop(old)
        for node in self.nodes.values():
            if node.branch == old:
                node.branch = new
        if self.current == old:
            self.current = new

    def label(self, name: str, text: str) -> None:
        """Give a branch a plain-language label (empty text removes it)."""
        if name not in self.branches:
            raise SessionError(f"no branch {name!r}; branches: {', '.join(self.branches)}")
        text = " ".join(str(text).split())
        if len(text) > LABEL_MAX:
            raise SessionError(f"label {text[:20]!r}…: {len(text)} characters; at most {LABEL_MAX}")
        if text:
            self.labels[name] = text
        else:
            self.labels.pop(name, None)

    def delete(self, name: str) -> int:
        """Delete a branch that is not current; drop the turns no other branch reaches; return how many."""
        if name not in self.branches:
            raise SessionError(f"no branch {name!r}; branches: {', '.join(self.branches)}")
        if name == self.current:
            raise SessionError(f"branch {name!r} is the current one: switch to another branch first")
        del self.branches[name]
        self.labels.pop(name, None)
        kept = {nid for head in self.branches.values() for nid in self.path(head)}
        dropped = [nid for nid in self.nodes if nid not in kept]
        for nid in dropped:
            del self.nodes[nid]
            self._forget(nid)
        return len(dropped)

    def note(self, text: str, kind: str = "note", number: int | None = None, at: str = "") -> dict[str, Any]:
        """Add a note or an insight of the room to a turn of the current branch (its last by default)."""
        if kind not in NOTE_KINDS:
            raise SessionError(f"note kind {kind!r}: allowed {', '.join(NOTE_KINDS)}")
        text = str(text).strip()
        if not text:
            raise SessionError("a note needs some text")
        if len(text) > NOTE_MAX:
            raise SessionError(f"note of {len(text)} characters: at most {NOTE_MAX}")
        node = self.nodes[self.head if number is None else self.turn_at(number)]
        entry = {"kind": kind, "text": text, "at": at}
        node.notes.append(entry)
        return entry
