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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.outputs import to_jsonable
from sim.scenario import ScenarioError, find, load_scenario
from sim.seminar import session_file
from sim.seminar.engine import Seminar, SessionError, Turn

FORMAT = "natosim-seminar/1"


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
        if data.get("turn_clock_minutes") is not None:
            header["turn_clock_minutes"] = data["turn_clock_minutes"]
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
        return cls(engine, path, header)

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
        node = self.engine.turn(moves, injects, at=datetime.now(UTC).isoformat(timespec="seconds"))
        self.save()
        return node.to_dict()

    def rewind(self, turn: int) -> str | None:
        """Rewind the current branch to a turn (undone turns kept as a branch, named in the return); save."""
        kept = self.engine.rewind(int(turn))
        self.save()
        return kept

    def branch(self, name: str, from_turn: int | None = None) -> None:
        """Start a branch at a turn of the current branch and switch to it; save."""
        self.engine.branch(name, from_turn)
        self.save()

    def switch(self, name: str) -> None:
        """Switch to another branch; save."""
        self.engine.switch(name)
        self.save()

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
