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
from pathlib import Path
from typing import Any

import pandas as pd

import sim
from sim.outputs import to_jsonable
from sim.scenario import ScenarioError, find, load_scenario
from sim.seminar import record, session_file
from sim.seminar.engine import Seminar, SessionError, Turn, month
from sim.seminar.pending import PendingTurn
from sim.seminar.record import FORMAT, SessionRecord, now


def _fingerprint(resolved: dict[str, Any]) -> str:
    text = json.dumps(to_jsonable(resolved), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _load(scenario: str, overrides: dict[str, float]):
    try:
        sc = load_scenario(scenario)
        return sc, sc.setup(**overrides)
    except ScenarioError as exc:
        raise SessionError([f"{f}: {field}: {msg}" for f, field, msg in exc.problems]) from None


class Session(SessionRecord):
    """A seminar, its model and its session file: every method that changes it saves it at once."""

    def __init__(self, engine: Seminar, path: Path, header: dict[str, Any], warnings: list[str] | None = None):
        """Wrap an engine and its file (use ``Session.new`` or ``Session.open``)."""
        super().__init__(engine, path, header, warnings)
        self.engine = engine

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
            "created": now(),
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
            "calendar": {"last": month(engine.model.dates[-1]), "step_months": engine.model.months},
        }
        session = cls(engine, path, header)
        session.save()
        return session

    @classmethod
    def open(cls, path: str | Path) -> Session:
        """Read a session file (restoring its backup if it is damaged) and replay its current branch."""
        path = Path(path)
        data, restored = record.read(path)
        header = record.header_of(data)
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
        session = cls(engine, path, header, restored)
        session.take_pending(data)
        return session

    # -- persistence ---------------------------------------------------------------------------------
    def save(self) -> Path:
        """Write the session file atomically; return its path."""
        session_file.save(json.dumps(to_jsonable(self.to_dict()), indent=1, ensure_ascii=False) + "\n", self.path)
        return self.path

    # -- playing (each saves) ----------------------------------------------------------------------
    def turn(
        self, moves: list[dict[str, Any]] | None = None, injects: list[dict[str, Any]] | None = None
    ) -> dict:
        """Validate and play one turn, save, and return the turn record."""
        node = self.engine.turn(moves, injects, at=now())
        self._follow_head(f"turn {node.number} was played without them")
        self.save()
        return node.to_dict()

    # -- the next turn, prepared by the teams at their own screens (each saves) ----------------------
    def _team(self, team: str) -> str:
        t = str(team).strip().lower()
        t = "member:" + t[7:].upper() if t.startswith("member:") else t
        if t not in self.engine.teams:
            raise SessionError(f"team {team!r} is not in this seminar; teams: {', '.join(self.engine.teams)}")
        return t

    def _pending_change(self, change, *args: Any) -> Any:
        try:
            result = change(*args, at=now())
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
        node = self.engine.turn(moves, injects, at=now())
        kept = PendingTurn(head=node.id)
        for team in waiting:
            kept.teams[team] = self.pending.teams[team]
            kept.give_back(team, f"turn {node.number} was played without these drafted moves: check them and "
                           "submit again", at=now())
        self.pending = kept
        self.save()
        return node.to_dict()

    def override(self, kind: str, value: Any, rationale: str, state: str | None = None) -> dict[str, Any]:
        """Record an umpire's ruling on the last turn's outcome, with its rationale; save."""
        entry = self.engine.override(kind, value, rationale, state, at=now())
        self.save()
        return entry

    @property
    def warnings(self) -> list[str]:
        """What opening found (a restored backup, dropped pending moves) and replay departures from the record."""
        return [*self._warnings, *self.engine.replay_mismatches]

    def validate(self, moves: list[dict[str, Any]], injects: list[dict[str, Any]] | None = None) -> list[str]:
        """Return the problems found in moves and injects now, without playing them (empty: all legal)."""
        return self.engine.validate(list(moves), list(injects or []))[2]

    def menu(self, team: str, everything: bool = False) -> list[dict[str, Any]]:
        """Return a team's legal moves now (``everything``: the others too, each saying why not now)."""
        return self.engine.menu(team, everything)

    def inject_types(self) -> list[dict[str, Any]]:
        """Return the event types a facilitator may inject."""
        return self.engine.inject_types()

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
