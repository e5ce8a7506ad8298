"""A seminar session on disk: the engine plus its session file, written after every change.

The session file (JSON) holds what is needed to replay the seminar exactly —
the scenario file and a fingerprint of its resolved content, the parameter
overrides, the seed, the start month, the turn length, the teams — and the
turn tree: every turn's moves and injects (normalised, defaults filled in) and
what followed (summary, changes, events, monthly series), the branches and the
current one.  It is rewritten atomically after every turn, rewind, branch and
switch, so a crash loses nothing already played; ``Session.open`` replays the
current branch (same seed, same moves, same outcome) and says if the replay
departs from the record.  ``sim.seminar.session_file`` checks the file's
structure, keeps a rolling backup and restores it when the file is damaged.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.outputs import to_jsonable
from sim.scenario import ScenarioError, find, load_scenario
from sim.seminar import session_file
from sim.seminar.engine import Seminar, SessionError, Turn
from sim.seminar.pending import PendingTurn
from sim.seminar.pending import problems as pending_problems

FORMAT = "natosim-seminar/1"
#: who may open which page of the dashboard: the facilitator and each team, by token
FACILITATOR = "facilitator"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fingerprint(resolved: dict[str, Any]) -> str:
    text = json.dumps(to_jsonable(resolved), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _load(scenario: str, overrides: dict[str, float]):
    try:
        sc = load_scenario(scenario)
        return sc, sc.setup(**overrides)
    except ScenarioError as exc:
        raise SessionError([f"{f}: {field}: {msg}" for f, field, msg in exc.problems]) from None


class Session:
    """A seminar and its session file: every method that changes it saves it at once."""

    def __init__(self, engine: Seminar, path: Path, header: dict[str, Any]):
        """Wrap an engine and its file (use ``Session.new`` or ``Session.open``)."""
        self.engine = engine
        self.path = Path(path)
        self.header = header
        self.pending = PendingTurn(head=engine.head)

    # -- creating and opening ----------------------------------------------------------------
    @classmethod
    def new(
        cls,
        scenario: str,
        at: str,
        turn_months: int = 3,
        teams: list[str] | str = ("blue", "red"),
        seed: int | None = None,
        path: str | Path | None = None,
        overrides: dict[str, float] | None = None,
        overwrite: bool = False,
    ) -> Session:
        """Start a seminar from a scenario at a month; write its session file; return it."""
        if isinstance(teams, str):
            teams = [t for t in teams.split(",") if t.strip()]
        overrides = dict(overrides or {})
        sc, setup = _load(scenario, overrides)
        seed = sc.seed if seed is None else int(seed)
        engine = Seminar(setup, seed, at, turn_months, list(teams))
        if path is None:
            path = Path("results") / "seminars" / f"{sc.name}-{engine.at}-seed{seed}.json"
        path = Path(path)
        if path.exists() and not overwrite:
            raise SessionError(f"{path} exists already: open it, or choose another --out")
        resolved = sc.to_dict()
        header = {
            "format": FORMAT,
            "natosim_version": sim.__version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "scenario": {
                "file": str(find(scenario)),
                "given": scenario,
                "name": sc.name,
                "fingerprint": _fingerprint(resolved),
            },
            "overrides": overrides,
            "seed": seed,
            "at": engine.at,
            "turn_months": engine.turn_months,
            "teams": engine.teams,
        }
        session = cls(engine, path, header)
        session.save()
        return session

    @classmethod
    def open(cls, path: str | Path) -> Session:
        """Read a session file (restoring its backup if it is damaged) and replay its current branch."""
        path = Path(path)
        data, problems = session_file.read(path, FORMAT)
        restored: list[str] = []
        if data is None:
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
            restored.append(
                f"{path} was damaged ({'; '.join(problems)}); restored from its backup, saved "
                f"{old.get('saved', 'earlier')} (turns up to {played} on the branches it holds); the last change "
                f"after it is lost; the damaged file is kept as {aside}"
            )
            data = old
        header = {k: data[k] for k in session_file.HEADER}
        for key in ("turn_clock_minutes", "access"):
            if data.get(key) is not None:
                header[key] = data[key]
        turns = [Turn(**t) for t in data["turns"]]
        branches = {str(k): int(v) for k, v in data["branches"].items()}
        current = str(data["current"])
        sc_file = header["scenario"]["file"]
        if not Path(sc_file).exists():  # the project moved: look the scenario up as it was given
            sc_file = header["scenario"]["given"]
        sc, setup = _load(sc_file, header["overrides"])
        if _fingerprint(sc.to_dict()) != header["scenario"]["fingerprint"]:
            raise SessionError(
                f"{path}: the scenario {sc_file} (or a file it extends) changed since this session was created, "
                "so its turns would not replay; restore the scenario or start a new session"
            )
        try:
            engine = Seminar(
                setup,
                header["seed"],
                header["at"],
                header["turn_months"],
                header["teams"],
                turns=turns,
                branches=branches,
                current=current,
                played_with=header["natosim_version"],
                labels=data.get("labels", {}),
            )
        except SessionError as exc:
            raise SessionError([f"{path}: {p}" for p in exc.problems]) from None
        engine.replay_mismatches[:0] = restored
        session = cls(engine, path, header)
        if data.get("pending") is not None:
            wrong = pending_problems(data["pending"], engine.teams)
            if wrong:  # the teams' unplayed entries are not worth the played turns: dropped, and said
                engine.replay_mismatches.append(
                    f"{path}: the next turn's pending moves cannot be read and were dropped ({'; '.join(wrong)}); "
                    "the teams must enter them again")
            else:
                session.pending = PendingTurn.from_dict(data["pending"])
                session._follow_head()
        return session

    # -- persistence -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the whole session as plain data."""
        e = self.engine
        return {
            **self.header,
            "saved": datetime.now(UTC).isoformat(timespec="seconds"),
            "current": e.current,
            "branches": dict(e.branches),
            "labels": dict(e.labels),
            "turns": [e.nodes[i].to_dict() for i in sorted(e.nodes)],
            **({"pending": self.pending.to_dict()} if not self.pending.is_empty() else {}),
        }

    def save(self) -> Path:
        """Write the session file atomically; return its path."""
        session_file.save(json.dumps(to_jsonable(self.to_dict()), indent=1, ensure_ascii=False) + "\n", self.path)
        return self.path

    # -- playing (each saves) ----------------------------------------------------------------------
    def turn(
        self, moves: list[dict[str, Any]] | None = None, injects: list[dict[str, Any]] | None = None
    ) -> dict:
        """Validate and play one turn, save, and return the turn record."""
        node = self.engine.turn(moves, injects, at=_now())
        self._follow_head(f"turn {node.number} was played without them")
        self.save()
        return node.to_dict()

    def rewind(self, turn: int) -> str | None:
        """Rewind the current branch to a turn (undone turns kept as a branch, named in the return); save."""
        kept = self.engine.rewind(int(turn))
        self._follow_head()
        self.save()
        return kept

    def branch(self, name: str, from_turn: int | None = None) -> None:
        """Start a branch at a turn of the current branch and switch to it; save."""
        self.engine.branch(name, from_turn)
        self._follow_head()
        self.save()

    def switch(self, name: str) -> None:
        """Switch to another branch; save."""
        self.engine.switch(name)
        self._follow_head()
        self.save()

    # -- the next turn, prepared by the teams at their own screens (each saves) ----------------------
    def _follow_head(self, why: str | None = None) -> None:
        """Give every team its pending moves back when the situation they were entered for has changed."""
        e = self.engine
        if self.pending.head == e.head:
            return
        node = e.nodes[e.head]
        reason = why or f"the seminar moved to turn {node.number} of branch {e.current}"
        self.pending.give_all_back(f"{reason} after you entered these moves: check them and submit again", _now())
        self.pending.head = e.head

    def _team(self, team: str) -> str:
        t = str(team).strip().lower()
        t = "member:" + t[7:].upper() if t.startswith("member:") else t
        if t not in self.engine.teams:
            raise SessionError(f"team {team!r} is not in this seminar; teams: {', '.join(self.engine.teams)}")
        return t

    def _pending_change(self, change, *args: Any) -> Any:
        try:
            result = change(*args, at=_now())
        except ValueError as exc:
            raise SessionError(str(exc)) from None
        self.save()
        return result

    def draft_move(self, team: str, move: dict[str, Any]) -> dict[str, Any]:
        """Check a move and add it to its team's draft for the next turn; save; return it."""
        team = self._team(team)
        move = {**move, "team": team}
        problems = self.validate([move])
        if not problems:  # rules across a team's moves (e.g. Russia's two actions a turn)
            problems = self.validate([*self.pending.entry(team).moves, move])
        if problems:
            raise SessionError([p.replace("move 1: ", "", 1) for p in problems])
        self._pending_change(self.pending.add_move, team, move)
        return move

    def undraft_move(self, team: str, index: int) -> dict[str, Any]:
        """Remove a move (0-based) from its team's draft; save; return it."""
        return self._pending_change(self.pending.remove_move, self._team(team), int(index))

    def submit(self, team: str) -> None:
        """Submit a team's drafted moves (possibly none) for the next turn; save."""
        team = self._team(team)
        problems = self.validate(self.pending.entry(team).moves)
        if problems:
            raise SessionError(problems)
        self._pending_change(self.pending.submit, team)

    def withdraw(self, team: str) -> None:
        """Take a team's submission back to change it; save."""
        self._pending_change(self.pending.withdraw, self._team(team))

    def give_back(self, team: str, reason: str, move: int | None = None) -> None:
        """Return a team's submission (or one move, 0-based) to it with the facilitator's reason; save."""
        if not str(reason).strip():
            raise SessionError("returning moves to a team: say why (the team sees the reason)")
        self._pending_change(self.pending.give_back, self._team(team), str(reason).strip(), move)

    def draft_inject(self, inject: dict[str, Any]) -> dict[str, Any]:
        """Check an inject and add it to the next turn; save; return it."""
        problems = self.validate([], [inject])
        if problems:
            raise SessionError(problems)
        self.pending.injects.append(dict(inject))
        self.save()
        return inject

    def undraft_inject(self, index: int) -> dict[str, Any]:
        """Remove an inject (0-based) from the next turn; save; return it."""
        if not 0 <= int(index) < len(self.pending.injects):
            raise SessionError(f"there is no inject {int(index) + 1} (the next turn has {len(self.pending.injects)})")
        dropped = self.pending.injects.pop(int(index))
        self.save()
        return dropped

    def play_pending(self, anyway: bool = False) -> dict:
        """Play the next turn from the teams' submitted moves and the injects; save; return the turn record.

        Teams still drafting hold the turn up unless ``anyway``; their drafts then stay with them.
        """
        waiting = self.pending.waiting()
        if waiting and not anyway:
            raise SessionError(f"{', '.join(waiting)}: moves drafted but not submitted; wait for them, return them, "
                               "or advance anyway (the drafts stay with the team for the next turn)")
        moves = self.pending.submitted_moves(self.engine.teams)
        injects = list(self.pending.injects)
        node = self.engine.turn(moves, injects, at=_now())
        kept = PendingTurn(head=node.id)
        for team in waiting:
            kept.teams[team] = self.pending.teams[team]
            kept.give_back(team, f"turn {node.number} was played without these drafted moves: check them and "
                           "submit again", at=_now())
        self.pending = kept
        self.save()
        return node.to_dict()

    def access(self) -> dict[str, str]:
        """Return the dashboard's tokens: the facilitator's and each team's (made and saved when missing)."""
        tokens = dict(self.header.get("access") or {})
        roles = [FACILITATOR, *self.engine.teams]
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

    def rename(self, old: str, new: str) -> None:
        """Rename a branch; save."""
        self.engine.rename(old, new)
        self.save()

    def label(self, name: str, text: str) -> None:
        """Label a branch in plain language (empty text removes the label); save."""
        self.engine.label(name, text)
        self.save()

    def delete(self, name: str) -> int:
        """Delete a branch that is not current (the file keeps a backup of the version before); save."""
        dropped = self.engine.delete(name)
        self.save()
        return dropped

    def note(self, text: str, kind: str = "note", turn: int | None = None) -> dict[str, Any]:
        """Record a note or an insight of the room on a turn (the last by default); save."""
        entry = self.engine.note(text, kind, turn, at=datetime.now(UTC).isoformat(timespec="seconds"))
        self.save()
        return entry

    def override(self, kind: str, value: Any, rationale: str, state: str | None = None) -> dict[str, Any]:
        """Record an umpire's ruling on the last turn's outcome, with its rationale; save."""
        entry = self.engine.override(kind, value, rationale, state,
                                     at=datetime.now(UTC).isoformat(timespec="seconds"))
        self.save()
        return entry

    @property
    def labels(self) -> dict[str, str]:
        """Branch labels."""
        return dict(self.engine.labels)

    # -- reading ---------------------------------------------------------------------------------------
    @property
    def teams(self) -> list[str]:
        """The seminar's teams."""
        return list(self.engine.teams)

    @property
    def turn_months(self) -> int:
        """Months per turn."""
        return self.engine.turn_months

    @property
    def seed(self) -> int:
        """The model's seed."""
        return self.engine.seed

    @property
    def branches(self) -> dict[str, int]:
        """Branch names and their head turn numbers."""
        return {b: self.engine.nodes[h].number for b, h in self.engine.branches.items()}

    @property
    def current(self) -> str:
        """The current branch."""
        return self.engine.current

    @property
    def warnings(self) -> list[str]:
        """Replay departures from the record found when the session was opened or switched."""
        return list(self.engine.replay_mismatches)

    def validate(self, moves: list[dict[str, Any]], injects: list[dict[str, Any]] | None = None) -> list[str]:
        """Return the problems found in moves and injects now, without playing them (empty: all legal)."""
        return self.engine.validate(list(moves), list(injects or []))[2]

    def menu(self, team: str) -> list[dict[str, Any]]:
        """Return a team's legal moves now."""
        return self.engine.menu(team)

    def inject_types(self) -> list[dict[str, Any]]:
        """Return the event types a facilitator may inject."""
        return self.engine.inject_types()

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
        e = self.engine
        since = e.nodes[e.head].played or self.header["created"]
        now = now or datetime.now(UTC)
        used = (now - datetime.fromisoformat(since)).total_seconds() / 60.0
        return {"minutes": float(minutes), "used": round(used, 1), "left": round(float(minutes) - used, 1),
                "since": since}

    def status(self) -> dict[str, Any]:
        """Return the situation now."""
        return {
            "session": str(self.path),
            "scenario": self.header["scenario"]["name"],
            "seed": self.seed,
            **self.engine.status(),
            "clock": self.clock(),
            "pending": self.pending.public(self.engine.teams),
            "pending_injects": len(self.pending.injects),
            "warnings": self.warnings,
        }

    def timeseries(self, branch: str | None = None) -> pd.DataFrame:
        """Return the monthly series along a branch."""
        return self.engine.timeseries(branch)

    def states_table(self) -> pd.DataFrame:
        """Return the states' situation now."""
        return self.engine.states_table()

    def turns(self, branch: str | None = None) -> list[dict[str, Any]]:
        """Return the turn records along a branch."""
        return [t.to_dict() for t in self.engine.turns(branch)]
