"""The next turn as it is being prepared: each team's moves and the facilitator's injects.

In a room every team plays at its own screen.  What a team has entered so far is
held here, one entry per team, and saved in the session file at every change
(``Session`` does the saving), so a server that dies between two submissions
loses nothing.  A team drafts its moves, then *submits* them; until the turn is
played it may withdraw them to change them.  The facilitator sees everything,
may *return* a team's submission (or one move of it) with a reason, adds the
injects, and plays the turn from what was submitted.  Other teams see only
whether a team has submitted (``public``), never what.

The pending turn belongs to one situation (the head turn it was prepared on).
When the situation changes under it -- a rewind, a switch of branch, a turn
played from the command line -- every team's moves are returned to it with the
reason, so nothing is played against a situation it was not meant for.

This module holds the data and its rules only; it does no I/O and knows nothing
of the model (moves are checked by the engine, through the session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DRAFTING, SUBMITTED = "drafting", "submitted"


@dataclass
class TeamEntry:
    """One team's moves for the next turn, whether they are submitted, and why they were returned."""

    moves: list[dict[str, Any]] = field(default_factory=list)
    status: str = DRAFTING
    returned: str | None = None  # the facilitator's reason, while the team has not acted on it
    returned_move: int | None = None  # the move (0-based) the reason is about, if one
    at: str | None = None  # when the entry last changed

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as plain data."""
        return {"moves": [dict(m) for m in self.moves], "status": self.status, "returned": self.returned,
                "returned_move": self.returned_move, "at": self.at}


@dataclass
class PendingTurn:
    """The next turn being prepared on one head turn: the teams' entries and the injects."""

    head: int
    teams: dict[str, TeamEntry] = field(default_factory=dict)
    injects: list[dict[str, Any]] = field(default_factory=list)

    # -- reading -------------------------------------------------------------------------------
    def entry(self, team: str) -> TeamEntry:
        """Return a team's entry (an empty draft if it has none)."""
        return self.teams.get(team) or TeamEntry()

    def submitted_moves(self, order: list[str]) -> list[dict[str, Any]]:
        """Return every submitted move, team by team in the seminar's order."""
        return [dict(m) for t in order if self.entry(t).status == SUBMITTED for m in self.entry(t).moves]

    def waiting(self) -> list[str]:
        """Return the teams that have moves drafted but not submitted."""
        return [t for t, e in self.teams.items() if e.status == DRAFTING and e.moves]

    def is_empty(self) -> bool:
        """Return True when no team has entered anything and there is no inject."""
        return not self.injects and not any(e.moves or e.status == SUBMITTED for e in self.teams.values())

    def public(self, order: list[str]) -> dict[str, str]:
        """Return what every team may see of the others: submitted, drafting, returned or nothing yet."""
        out: dict[str, str] = {}
        for t in order:
            e = self.entry(t)
            if e.status == SUBMITTED:
                out[t] = "submitted" + ("" if e.moves else " (no moves)")
            elif e.returned:
                out[t] = "returned by the facilitator"
            elif e.moves:
                out[t] = "drafting"
            else:
                out[t] = "nothing yet"
        return out

    # -- changing (the session checks moves with the engine first, then saves) ------------------
    def _draft(self, team: str, at: str | None) -> TeamEntry:
        e = self.teams.setdefault(team, TeamEntry())
        if e.status == SUBMITTED:
            raise ValueError(f"{team} has submitted its moves: withdraw them first to change them")
        e.at = at
        return e

    def add_move(self, team: str, move: dict[str, Any], at: str | None = None) -> None:
        """Add a move to a team's draft."""
        e = self._draft(team, at)
        e.moves.append(dict(move))

    def remove_move(self, team: str, index: int, at: str | None = None) -> dict[str, Any]:
        """Remove one move (0-based) from a team's draft; return it."""
        e = self._draft(team, at)
        if not 0 <= index < len(e.moves):
            raise ValueError(f"{team} has no move {index + 1} (it has {len(e.moves)})")
        if e.returned_move == index:
            e.returned, e.returned_move = None, None
        elif e.returned_move is not None and e.returned_move > index:
            e.returned_move -= 1
        return e.moves.pop(index)

    def submit(self, team: str, at: str | None = None) -> None:
        """Mark a team's moves (possibly none) as submitted."""
        e = self._draft(team, at)
        e.status, e.returned, e.returned_move = SUBMITTED, None, None

    def withdraw(self, team: str, at: str | None = None) -> None:
        """Take a team's submission back into its draft."""
        e = self.teams.setdefault(team, TeamEntry())
        e.status, e.at = DRAFTING, at

    def give_back(self, team: str, reason: str, move: int | None = None, at: str | None = None) -> None:
        """Return a team's moves (or one of them, 0-based) to it with the facilitator's reason."""
        e = self.teams.setdefault(team, TeamEntry())
        if move is not None and not 0 <= move < len(e.moves):
            raise ValueError(f"{team} has no move {move + 1} (it has {len(e.moves)})")
        e.status, e.returned, e.returned_move, e.at = DRAFTING, reason, move, at

    def give_all_back(self, reason: str, at: str | None = None) -> list[str]:
        """Return every team's moves with one reason (the situation changed); return the teams concerned."""
        concerned = [t for t, e in self.teams.items() if e.moves or e.status == SUBMITTED]
        for t in concerned:
            self.give_back(t, reason, at=at)
        return concerned

    # -- the file ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the pending turn as plain data (as the session file holds it)."""
        return {"head": self.head, "teams": {t: e.to_dict() for t, e in self.teams.items()},
                "injects": [dict(i) for i in self.injects]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingTurn:
        """Rebuild a pending turn from the session file's data (checked by ``problems`` first)."""
        return cls(head=int(data["head"]),
                   teams={t: TeamEntry(**e) for t, e in data.get("teams", {}).items()},
                   injects=[dict(i) for i in data.get("injects", [])])


def problems(data: Any, teams: list[str]) -> list[str]:
    """Return what is wrong with the session file's ``pending`` field, each named by its place."""
    if not isinstance(data, dict):
        return ["pending: not a mapping"]
    out: list[str] = []
    if not isinstance(data.get("head"), int) or isinstance(data.get("head"), bool):
        out.append(f"pending.head: {data.get('head')!r} is not the id of a turn")
    if not isinstance(data.get("injects", []), list) or not all(isinstance(i, dict) for i in data.get("injects", [])):
        out.append("pending.injects: must be a list of injects (mappings)")
    entries = data.get("teams", {})
    if not isinstance(entries, dict):
        return [*out, "pending.teams: not a mapping"]
    for t, e in entries.items():
        where = f"pending.teams.{t}"
        if t not in teams:
            out.append(f"{where}: {t!r} is not a team of this seminar ({', '.join(teams)})")
            continue
        if not isinstance(e, dict):
            out.append(f"{where}: not a mapping")
            continue
        unknown = sorted(set(e) - {"moves", "status", "returned", "returned_move", "at"})
        if unknown:
            out.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        if not isinstance(e.get("moves", []), list) or not all(isinstance(m, dict) for m in e.get("moves", [])):
            out.append(f"{where}.moves: must be a list of moves (mappings)")
        if e.get("status", DRAFTING) not in (DRAFTING, SUBMITTED):
            out.append(f"{where}.status: {e.get('status')!r} is not {DRAFTING!r} or {SUBMITTED!r}")
        for key in ("returned", "at"):
            if e.get(key) is not None and not isinstance(e.get(key), str):
                out.append(f"{where}.{key}: {e.get(key)!r} is not text")
        rm = e.get("returned_move")
        if rm is not None and (not isinstance(rm, int) or isinstance(rm, bool)):
            out.append(f"{where}.returned_move: {rm!r} is not a move number")
    return out
