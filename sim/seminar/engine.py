"""The seminar engine: turns of team moves and injects over one model, with snapshots and branches.

A seminar starts from a scenario at a chosen month: the model runs the record
up to it, then advances a turn (some months) at a time.  Each turn the teams'
moves (``sim.seminar.moves``) and the facilitator's injects (any event type of
the catalogue) are validated, applied, and the model steps; everything the
teams do not decide keeps running on the model's own mechanisms.

Turns form a tree: every turn has a parent, a branch is a named path from the
start to its head, and the model is snapshotted after every turn, so rewinding,
branching and switching restore a snapshot (or replay from the nearest one —
the same seed and moves give the same outcome).  The engine does no file I/O:
``sim.seminar.session`` keeps the session file.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim import __version__
from sim.events import Event, acts
from sim.model import STATE_OUTPUTS, NatoRussiaModel, Snapshot
from sim.outputs import to_jsonable
from sim.scenario import EventSpec, _check_event, parse_date
from sim.seminar import briefing, tree
from sim.seminar.errors import SessionError
from sim.seminar.moves import MOVES, TEAMS, Context, moves_for, team_actor, team_kind
from sim.seminar.tree import Turn, TurnTree
from sim.setup import ModelSetup, Params
from sim.world import ACTIONS, CHANNEL_STATES, ESCALATION_LEVELS

#: the model outputs a turn summary and the seminar's time series keep
SERIES = (
    "relations_index",
    "nato_trust_in_russia",
    "russia_trust_in_nato",
    "escalation_level",
    "frontline_deterrence",
    "mean_threat_from_russia",
    "eastern_threat_from_russia",
    "mean_defence_spending",
    "members_at_2pct",
    "forward_presence_total",
    "sanctions_level",
    "military_aid_level",
    "war_intensity_max",
    "nato_members",
    "russia_revisionism",
    "russia_encirclement",
    "russia_economic_strain",
)
#: months of history before the seminar's start kept in its time series (context for charts)
HISTORY_MONTHS = 24
#: Russia's action moves: at most one per turn (they set the same decision)
RED_ACTION_MOVES = frozenset(
    {
        "hybrid_campaign",
        "energy_coercion",
        "nuclear_signalling",
        "negotiate",
        "cooperate",
        "hold",
        "attack",
        "ceasefire",
    }
)


#: the longest rationale of an umpire's override, in characters
RATIONALE_MAX = 500


def _override_problems(o: dict[str, Any]) -> list[str]:
    """Return what is wrong with an override's record (kind, value, state, rationale), empty if nothing."""
    kinds = [k for k, _ in NatoRussiaModel.RULINGS] + [CANCEL]
    problems = []
    if o.get("kind") not in kinds:
        problems.append(f"kind {o.get('kind')!r}: allowed {', '.join(kinds)}")
    elif o["kind"] == CANCEL and _cancelled(o.get("value")) is None:
        problems.append(f"cancel {o.get('value')!r}: name the event as 'YYYY-MM type ACTOR', e.g. "
                        "'2023-08 cyber_attack RUS' (the turn's events list them)")
    if not isinstance(o.get("rationale"), str) or not o["rationale"].strip():
        problems.append("an override needs a rationale (why the umpire rules so), for the record and the report")
    elif len(o["rationale"]) > RATIONALE_MAX:
        problems.append(f"rationale of {len(o['rationale'])} characters: at most {RATIONALE_MAX}")
    return problems


#: the ruling that cancels an emergent event of the turn (the others set the state after it)
CANCEL = "cancel"


def _cancelled(value: Any) -> tuple[str, str, str] | None:
    """Return the (month, type, actor) a cancel ruling names, or None if it names none."""
    parts = str(value or "").split()
    if len(parts) != 3 or not re.match(r"^\d{4}-\d{2}$", parts[0]):
        return None
    return parts[0], parts[1], parts[2].upper()


def _describe_override(o: dict[str, Any]) -> str:
    """Return an override in plain words."""
    if o["kind"] == CANCEL:
        return f"cancelled the emergent event {o['value']} — {o['rationale']}"
    what = {"escalation": "escalation set to", "war": f"war on {o.get('state')} set to intensity",
            "channel": "dialogue channel set to"}.get(o["kind"], o["kind"])
    return f"{what} {o['value']} — {o['rationale']}"


def seal(moves: list[dict[str, Any]], injects: list[dict[str, Any]], overrides: list[dict[str, Any]] = ()) -> str:
    """Return the hash of a turn's decisions as played (its moves and injects, normalised, and any rulings)."""
    return tree.seal(moves, injects, overrides, plain=to_jsonable)


def month(d: date | pd.Timestamp) -> str:
    """Return a date as YYYY-MM."""
    return f"{d.year:04d}-{d.month:02d}"


def _parse_month(value: str | date) -> date:
    """Parse the seminar's first month with the scenario layer's date parser."""
    try:
        return parse_date(value).replace(day=1)
    except ValueError:
        raise SessionError(f"--at {value!r}: expected a month as YYYY-MM, e.g. 2023-07") from None


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return round(float(value), 6)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


class Seminar(TurnTree):
    """Turns, moves, injects, snapshots and branches over one seeded model run."""

    def __init__(
        self,
        setup: ModelSetup,
        seed: int,
        at: str | date,
        turn_months: int,
        teams: list[str],
        turns: list[Turn] | None = None,
        branches: dict[str, int] | None = None,
        current: str = "main",
        played_with: str | None = None,
        labels: dict[str, str] | None = None,
    ):
        """Build the model, run it to the start month and set up the turn tree (replaying ``turns``)."""
        self.setup = setup
        #: the natosim version the session's turns were played with (to explain a replay that departs)
        self.played_with = played_with
        self.seed = int(seed)
        self.teams = self._check_teams(teams, setup)
        self.model = NatoRussiaModel(setup, rng=self.seed, mesa_collect=False)
        m = self.model
        if turn_months < 1 or turn_months % m.months:
            raise SessionError(
                f"turn length {turn_months} months: must be a positive multiple of the scenario's step ({m.months} months)"
            )
        self.turn_months = int(turn_months)
        self.steps_per_turn = turn_months // m.months
        start = _parse_month(at)
        first, last = m.dates[0], m.dates[-1]
        if not first < start <= last:
            raise SessionError(
                f"--at {month(start)}: the scenario {setup.name!r} runs from {month(first)} to {month(last)}; "
                "start a seminar after its first month and before its end"
            )
        while m.dates[m.steps] < start:
            m.step()
        self.at = month(m.dates[m.steps])
        root = Turn(0, None, "main", 0, self.at, self.at)
        root.summary = self._summary()
        k = m.steps
        root.series = self._series(max(0, k - HISTORY_MONTHS // m.months), k)
        self.snapshots: dict[int, Snapshot] = {0: m.snapshot()}
        self.replay_mismatches: list[str] = []
        super().__init__(root, turns, branches if turns else None, current if turns else "main", labels)
        if self.head != 0:
            self._goto(self.head)

    # -- teams and menus ---------------------------------------------------------------------
    @staticmethod
    def _check_teams(teams: list[str], setup: ModelSetup) -> list[str]:
        codes = {s["code"] for s in setup.roster}
        allies = sorted(s["code"] for s in setup.roster if s.get("accession"))
        out, problems = [], []
        for raw in teams:
            team = raw.strip().lower()
            if team in ("blue", "red", "ukraine"):
                out.append(team)
            elif team.startswith("member:") and team[7:].upper() in allies:
                out.append(f"member:{team[7:].upper()}")
            elif team.startswith("member:") and team[7:].upper() in codes:
                problems.append(
                    f"team {raw!r}: {team[7:].upper()} is never a NATO member in this scenario's roster, so a "
                    f"member team for it has no move; member teams: member:XXX with XXX one of {', '.join(allies)}"
                )
            else:
                problems.append(
                    f"unknown team {raw!r}; allowed: {', '.join(TEAMS)} (XXX a state code of the roster)"
                )
        if not out and not problems:
            problems.append("a seminar needs at least one team")
        if len(set(out)) != len(out):
            problems.append("a team is listed twice")
        if problems:
            raise SessionError(problems)
        return out

    def context(self, team: str) -> Context:
        """Return what moves of a team see now."""
        m = self.model
        return Context(
            m.world, m.p, m.dates[min(m.steps, len(m.dates) - 1)], self.steps_per_turn, team
        )

    def menu(self, team: str, everything: bool = False) -> list[dict[str, Any]]:
        """Return the moves a team may make now, with their fields and legal choices.

        With ``everything``, the moves it cannot make now come too, each with ``unavailable``: why.
        """
        if team not in self.teams:
            raise SessionError(
                f"team {team!r} is not in this seminar; teams: {', '.join(self.teams)}"
            )
        m = self.model
        if team_kind(team) == "member":
            i = m.world.idx(team_actor(team))
            if not m.world.member[i]:
                return []
        ctx = self.context(team)
        out = []
        for cls in moves_for(team):
            described = cls.describe(m.world, m.p, team)
            described["unavailable"] = cls.unavailable(described, ctx)
            if everything or described["unavailable"] is None:
                out.append(described)
        return out

    def inject_types(self) -> list[dict[str, Any]]:
        """Return the event types a facilitator may inject (those that act on the model), with their parameters."""
        return [
            {
                "type": name,
                "label": et.description,
                "goldstein": et.goldstein,
                "params": dict(et.params),
            }
            for name, et in sorted(self.model.event_types.items())
            if acts(et)
        ]

    # -- validation ----------------------------------------------------------------------------
    def validate(
        self, moves: list[dict[str, Any]], injects: list[dict[str, Any]]
    ) -> tuple[list, list, list[str]]:
        """Return the moves and injects normalised (defaults filled), and every problem found."""
        planned, move_problems = self._check_moves(moves)
        checked, inject_problems = self._check_injects(injects)
        return planned, checked, move_problems + inject_problems

    def _check_moves(self, moves: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Return the legal moves normalised, and the problems of the others."""
        problems: list[str] = []
        planned: list[dict[str, Any]] = []
        red_actions = 0
        for n, raw in enumerate(moves, 1):
            where = f"move {n}"
            if not isinstance(raw, dict):
                problems.append(
                    f"{where}: expected a mapping with team, move and its fields, got {raw!r}"
                )
                continue
            team = str(raw.get("team", "")).strip().lower()
            if team.startswith("member:"):
                team = "member:" + team[7:].upper()
            if team not in self.teams:
                problems.append(
                    f"{where}: team {raw.get('team')!r} is not in this seminar; teams: {', '.join(self.teams)}"
                )
                continue
            name = raw.get("move")
            legal = [cls.name for cls in moves_for(team)]
            if name not in legal:
                problems.append(
                    f"{where}: {team} has no move {name!r}; allowed: {', '.join(legal)}"
                )
                continue
            if (
                team_kind(team) == "member"
                and not self.model.world.member[self.model.world.idx(team_actor(team))]
            ):
                problems.append(
                    f"{where}: {team_actor(team)} is not a member now and makes no alliance move"
                )
                continue
            values, found = MOVES[name].check(
                {k: v for k, v in raw.items() if k not in ("team", "move")}, self.context(team)
            )
            problems.extend(f"{where}: {msg}" for msg in found)
            if name in RED_ACTION_MOVES:
                red_actions += 1
            if not found:
                planned.append({"team": team, "move": name, **values})
        if red_actions > 1:
            problems.append(
                f"red makes {red_actions} action moves; Russia takes one course per turn: "
                f"choose one of {', '.join(sorted(RED_ACTION_MOVES))} (mobilise may go with it)"
            )
        return planned, problems

    def _check_injects(self, injects: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
        """Return the injects as events of the catalogue, and the problems of the others."""
        problems: list[str] = []
        codes = set(self.model.world.codes)
        types = self.model.event_types
        checked: list[dict[str, Any]] = []
        when = self.context("").when
        for n, raw in enumerate(injects, 1):
            where = f"inject {n}"
            if not isinstance(raw, dict):
                problems.append(
                    f"{where}: expected a mapping with type, actor, targets, label, params"
                )
                continue
            try:
                spec = EventSpec(date=when, **{k: v for k, v in raw.items() if k != "date"})
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"])
                    problems.append(f"{where}: {loc}: {err['msg']}")
                continue
            found: list = []
            _check_event("inject", where, spec, codes, types, found)
            if spec.type in types and not acts(types[spec.type]):
                found.append(("inject", f"{where}.type", (
                    f"{spec.type} does nothing in the model (a marker for scenario files); inject the shock's "
                    "effect instead: state_change or set_parameter, or an act with a Goldstein score")))
            problems.extend(f"{field_}: {msg}" for _, field_, msg in found)
            if not found:
                checked.append(
                    {
                        "type": spec.type,
                        "actor": spec.actor,
                        "targets": list(spec.targets),
                        "label": spec.label or spec.type.replace("_", " "),
                        "params": dict(spec.params),
                    }
                )
        return checked, problems

    # -- playing -------------------------------------------------------------------------------
    def remaining_turns(self) -> int:
        """Return how many whole turns are left before the scenario's end."""
        m = self.model
        return (len(m.dates) - m.steps) // self.steps_per_turn

    def turn(
        self, moves: list[dict[str, Any]] | None = None, injects: list[dict[str, Any]] | None = None,
        at: str = "",
    ) -> Turn:
        """Validate and play one turn on the current branch (``at``: the wall-clock time); return the new turn."""
        moves, injects = list(moves or []), list(injects or [])
        if self.remaining_turns() < 1:
            raise SessionError(
                f"the scenario ends in {month(self.model.dates[-1])}: no whole turn is left"
            )
        planned, checked, problems = self.validate(moves, injects)
        if problems:
            raise SessionError(problems)
        parent = self.nodes[self.head]
        new_id = max(self.nodes) + 1
        node = Turn(new_id, parent.id, self.current, parent.number + 1, "", "", planned, checked)
        node.seal = seal(planned, checked)
        node.played = at
        before = briefing.observe(self.model)
        self._play(node)
        node.why = self._explain(node, parent.id, before)
        self.nodes[new_id] = node
        self.head = new_id
        self.branches[self.current] = new_id
        return node

    def _explain(self, node: Turn, parent: int, before: briefing.Observation) -> list[str]:
        """Return the turn's why-lines: the decisions' reasons, and each move's and inject's effect.

        Each effect is the turn played again from the parent's snapshot (the same random numbers)
        without that move or inject; the model is put back after the turn at the end.
        """
        after = briefing.observe(self.model)

        def without(moves: list[dict[str, Any]], injects: list[dict[str, Any]]) -> tuple[dict, briefing.Observation]:
            self.model.restore(self.snapshots[parent])
            scratch = Turn(-1, parent, node.branch, node.number, "", "", moves, injects)
            scratch.overrides = [o for o in node.overrides if o["kind"] == CANCEL]  # cancelled in every what-if
            self._play(scratch, keep=False)
            return scratch.summary, briefing.observe(self.model)

        untouched_summary, untouched = without([], [])
        directed = next((mv["move"] for mv in node.moves if mv["move"] in RED_ACTION_MOVES), None)
        lines = briefing.russia_lines(before, after, untouched, directed)
        lines += briefing.ally_lines(before, after)
        if node.moves or node.injects:
            lines.append(briefing.effect_line("All the turn's moves and injects together", node.summary,
                                              untouched_summary))
        for k, mv in enumerate(node.moves):
            summary, _ = without(node.moves[:k] + node.moves[k + 1:], node.injects)
            fields = ", ".join(f"{key}={v}" for key, v in mv.items() if key not in ("team", "move"))
            lines.append(briefing.effect_line(f"{mv['team']} {mv['move'].replace('_', ' ')}"
                                              + (f" ({fields})" if fields else ""), node.summary, summary))
        for k, inj in enumerate(node.injects):
            summary, _ = without(node.moves, node.injects[:k] + node.injects[k + 1:])
            lines.append(briefing.effect_line(f"inject {inj['type'].replace('_', ' ')} ({inj['label']})",
                                              node.summary, summary))
        self.model.restore(self.snapshots[node.id])
        return lines

    def _play(self, node: Turn, keep: bool = True) -> None:
        """Apply a turn's (validated) moves and injects and step the model through it (``keep``: snapshot it)."""
        m = self.model
        k0 = m.steps
        when = m.dates[k0]
        before_log = len(m.event_log)
        before = self._summary()
        events: list[Event] = []
        directives: list[Any] = []
        for mv in node.moves:
            values = {k: v for k, v in mv.items() if k not in ("team", "move")}
            plan = MOVES[mv["move"]].plan(values, self.context(mv["team"]))
            events.extend(plan.events)
            directives.extend(plan.directives)
        for inj in node.injects:
            events.append(
                Event(
                    when,
                    inj["type"],
                    inj["actor"],
                    tuple(inj["targets"]),
                    inj["label"],
                    "seminar inject (facilitator)",
                    dict(inj["params"]),
                    origin="inject",
                )
            )
        m.scheduled[k0].extend(events)
        for o in node.overrides:  # the umpire's cancellations, before the events arise
            if o["kind"] == CANCEL:
                m.veto(*_cancelled(o["value"]))
        for _ in range(self.steps_per_turn):
            m.directives = directives
            m.step()
        m.directives = []
        m.lift_vetoes()
        for d in directives:
            if hasattr(d, "end"):
                d.end(m)
        for o in node.overrides:  # the umpire's rulings on the outcome, as recorded
            if o["kind"] != CANCEL:
                m.rule(o["kind"], o["value"], o.get("state"))
        k1 = m.steps
        node.start, node.end = month(m.dates[k0]), month(m.dates[k1 - 1])
        node.summary = self._summary()
        node.events = [self._event_row(e) for e in m.event_log[before_log:]]
        node.series = self._series(k0, k1)
        node.changes = self._changes(before, node.summary, k0, k1)
        node.changes += [f"Umpire: {_describe_override(o)}" for o in node.overrides]
        if keep:
            self.snapshots[node.id] = m.snapshot()

    # -- the tree: the model follows the head ----------------------------------------------------
    def _forget(self, nid: int) -> None:
        """Drop a deleted turn's snapshot."""
        self.snapshots.pop(nid, None)

    def _goto(self, target: int) -> None:
        """Put the model in the state after turn ``target`` (restore, or replay from the nearest snapshot)."""
        path = self.path(target)
        start = max(i for i, nid in enumerate(path) if nid in self.snapshots)
        self.model.restore(self.snapshots[path[start]])
        first_edit: str | None = None
        for nid in path[start + 1 :]:
            node = self.nodes[nid]
            stored = dict(node.summary)
            replayed = Turn(
                node.id, node.parent, node.branch, node.number, "", "", node.moves, node.injects
            )
            edited = bool(node.seal) and node.seal != seal(node.moves, node.injects, node.overrides)
            where = f"turn {node.number} on {node.branch}"
            planned, checked, problems = self.validate(node.moves, node.injects)
            problems += [f"override {n}: {p}" for n, o in enumerate(node.overrides, 1)
                         for p in _override_problems(o)]
            if problems:
                cause = ("its moves, injects or rulings were edited in the session file after it was played"
                         if edited else "the model's rules for moves changed, or the file was edited")
                raise SessionError(
                    [f"{where} no longer replays ({cause}): {p}" for p in problems]
                )
            replayed.moves, replayed.injects = planned, checked
            replayed.overrides = node.overrides
            replayed.seal = node.seal or seal(planned, checked, node.overrides)
            self._play(replayed)
            if edited and first_edit is None:
                first_edit = where
            if edited:
                self.replay_mismatches.append(
                    f"{where}: its moves, injects or rulings were edited in the session file after it was played; "
                    "the edited moves were replayed" + ("" if _same(stored, replayed.summary) else
                                                       ", and the outcome differs from the one recorded")
                )
            elif first_edit and stored and not _same(stored, replayed.summary):
                self.replay_mismatches.append(
                    f"{where}: the outcome differs from the one recorded because an earlier turn was edited "
                    f"({first_edit})"
                )
            elif stored and not _same(stored, replayed.summary):
                then = f"natosim {self.played_with}" if self.played_with else "an earlier natosim"
                now = f"natosim {__version__}"
                self.replay_mismatches.append(
                    f"{where}: the replay differs from the record although its moves are as played: the model "
                    f"changed (played with {then}, replayed with {now}"
                    + (", the same version: its calibrated parameters or data files changed" if then == now else "")
                    + ")"
                )
            replayed.notes, replayed.why, replayed.played = node.notes, node.why, node.played
            self.nodes[nid] = replayed
        self.head = target

    def override(self, kind: str, value: Any, rationale: str, state: str | None = None, at: str = "") -> dict:
        """Rule on the last turn's outcome (escalation, a war's intensity, the channel, or cancel an emergent event)."""
        node = self.nodes[self.head]
        if node.parent is None:
            raise SessionError("an override rules on a played turn's outcome: play a turn first")
        entry = {"kind": kind, "value": value, "state": state.upper() if isinstance(state, str) else state,
                 "rationale": " ".join(str(rationale or "").split()), "at": at}
        problems = _override_problems(entry)
        if problems:
            raise SessionError(problems)
        if kind == CANCEL:
            return self._cancel(node, entry)
        try:
            self.model.rule(entry["kind"], entry["value"], entry["state"])
        except ValueError as exc:
            raise SessionError(f"override {kind}: {exc}") from None
        node.overrides.append(entry)
        node.seal = seal(node.moves, node.injects, node.overrides)
        m = self.model
        node.summary = self._summary()
        node.series[-1:] = self._series(m.steps - 1, m.steps)
        node.changes.append(f"Umpire: {_describe_override(entry)}")
        self.snapshots[node.id] = m.snapshot()
        return entry

    def _cancel(self, node: Turn, entry: dict[str, Any]) -> dict[str, Any]:
        """Cancel an emergent event of the last turn: the turn is played again from its start without it."""
        key = _cancelled(entry["value"])
        emergent = [(e["date"], e["type"], e["actor"]) for e in node.events if e.get("origin") == "emergent"]
        if key not in emergent:
            listed = "; ".join(" ".join(k) for k in dict.fromkeys(emergent)) or "none"
            raise SessionError(f"cancel {entry['value']!r}: turn {node.number} had no such emergent event; "
                               f"its emergent events: {listed}")
        entry["value"] = " ".join(key)
        node.overrides.append(entry)
        self.model.restore(self.snapshots[node.parent])
        before = briefing.observe(self.model)
        self._play(node)  # the other rulings are applied again after it, as recorded
        node.why = self._explain(node, node.parent, before)
        node.seal = seal(node.moves, node.injects, node.overrides)
        return entry

    # -- what the room sees ----------------------------------------------------------------------
    def _summary(self) -> dict[str, Any]:
        m = self.model
        k = m.steps - 1
        out = m.outputs()
        w = m.world
        summary = {name: _plain(out[name][k]) for name in SERIES}
        summary["escalation_level"] = int(summary["escalation_level"])
        summary["nato_members"] = int(summary["nato_members"])
        summary["members_at_2pct"] = int(summary["members_at_2pct"])
        summary["escalation_label"] = ESCALATION_LEVELS[int(summary["escalation_level"])]
        summary["channel"] = CHANNEL_STATES[w.channel]
        summary["russia_action"] = w.action
        summary["members"] = [
            c for c, is_member in zip(w.codes, w.member, strict=True) if is_member
        ]
        summary["applicants"] = [
            c for c, a, mm in zip(w.codes, w.applicant, w.member, strict=True) if a and not mm
        ]
        summary["at_war"] = {
            c: round(float(x), 3) for c, x in zip(w.codes, w.war, strict=True) if x > 0.0
        }
        return summary

    def _series(self, k0: int, k1: int) -> list[dict[str, Any]]:
        m = self.model
        out = m.outputs()
        rows = []
        for k in range(k0, k1):
            row = {"date": month(m.dates[k])}
            row.update({name: _plain(out[name][k]) for name in SERIES})
            row["russia_action"] = m.action_records[k]
            row["russia_target"] = m.target_records[k]
            rows.append(row)
        return rows

    @staticmethod
    def _event_row(e: tuple) -> dict[str, Any]:
        when, actor, targets, etype, goldstein, origin, label, _source, _id = e
        return {
            "date": month(when),
            "actor": actor,
            "targets": targets,
            "type": etype,
            "goldstein": goldstein,
            "origin": origin,
            "label": label,
        }

    def _changes(
        self, before: dict[str, Any], after: dict[str, Any], k0: int, k1: int
    ) -> list[str]:
        """Return readable lines on which mechanisms moved during the turn, and where."""
        m = self.model
        codes = m.world.codes
        S = m.state_records
        col = {name: i for i, name in enumerate(STATE_OUTPUTS)}
        was, now = S[k0 - 1], S[k1 - 1]

        def top(name: str, mask: np.ndarray | None = None, n: int = 3, sign: int = 0) -> str:
            d = np.nan_to_num(now[col[name]] - was[col[name]])
            if mask is not None:
                d = np.where(mask, d, 0.0)
            order = np.argsort(-np.abs(d)) if sign == 0 else np.argsort(-sign * d)
            picks = [
                f"{codes[i]} {d[i]:+.2f}"
                for i in order[:n]
                if abs(d[i]) >= 0.005 and (sign == 0 or sign * d[i] > 0)
            ]
            return ", ".join(picks)

        def delta(key: str, fmt: str = "+.2f") -> str:
            return f"{before[key]:.2f} → {after[key]:.2f} ({after[key] - before[key]:{fmt}})"

        members = now[col["member"]] > 0.5
        lines = []
        moved = top("trust_in_russia", members)
        lines.append(
            f"Trust: members' trust in Russia {delta('nato_trust_in_russia')}; Russia's trust in members "
            f"{delta('russia_trust_in_nato')}" + (f"; largest changes {moved}" if moved else "")
        )
        moved = top("threat_from_russia", members)
        lines.append(
            f"Threat: members' mean threat from Russia {delta('mean_threat_from_russia')}; eastern flank "
            f"{delta('eastern_threat_from_russia')}"
            + (f"; largest changes {moved}" if moved else "")
        )
        moved = top("deterrence_credibility", members)
        lines.append(
            f"Deterrence: frontline credibility {delta('frontline_deterrence')}"
            + (f"; largest changes {moved}" if moved else "")
        )
        esc0, esc1 = int(before["escalation_level"]), int(after["escalation_level"])
        wars = ", ".join(f"{c} {x:.2f}" for c, x in after["at_war"].items()) or "none"
        lines.append(
            f"Escalation: {ESCALATION_LEVELS[esc0]} ({esc0}) → {ESCALATION_LEVELS[esc1]} ({esc1}); "
            f"wars under way: {wars}"
        )
        lines.append(
            f"Spending: allies' mean {delta('mean_defence_spending')} % GDP; members at 2 %: "
            f"{before['members_at_2pct']} → {after['members_at_2pct']}"
        )
        lines.append(
            f"Posture: forward presence total {delta('forward_presence_total')}; sanctions "
            f"{delta('sanctions_level')}; military aid {delta('military_aid_level')}"
        )
        if before["channel"] != after["channel"]:
            lines.append(f"Dialogue channel: {before['channel']} → {after['channel']}")
        joined = sorted(set(after["members"]) - set(before["members"]))
        applied = sorted(set(after["applicants"]) - set(before["applicants"]))
        if joined or applied:
            lines.append(
                "Membership: "
                + "; ".join(
                    part
                    for part in (
                        f"joined {', '.join(joined)}" if joined else "",
                        f"applied {', '.join(applied)}" if applied else "",
                    )
                    if part
                )
            )
        acts = []
        for k in range(k0, k1):
            a, t = m.action_records[k], m.target_records[k]
            acts.append(f"{month(m.dates[k])} {a.replace('_', ' ')}" + (f" → {t}" if t else ""))
        lines.append("Russia's actions: " + "; ".join(acts))
        lines.append(
            f"Russia: revisionism {delta('russia_revisionism')}; encirclement "
            f"{delta('russia_encirclement')}; economic strain {delta('russia_economic_strain')}"
        )
        return lines

    def status(self) -> dict[str, Any]:
        """Return the situation now: date, turn, branch, headline indicators."""
        m = self.model
        node = self.nodes[self.head]
        nxt = m.dates[m.steps] if m.steps < len(m.dates) else None
        return {
            "date": month(nxt) if nxt else month(m.dates[-1]),
            "last_month": month(m.dates[m.steps - 1]),
            "turn": node.number,
            "branch": self.current,
            "branches": {b: self.nodes[h].number for b, h in self.branches.items()},
            "turns_left": self.remaining_turns(),
            "teams": list(self.teams),
            **{k: v for k, v in node.summary.items() if k not in ("members",)},
        }

    def timeseries(self, branch: str | None = None) -> pd.DataFrame:
        """Return the monthly series along a branch, from two years before the start to its head."""
        if branch is not None and branch not in self.branches:
            raise SessionError(f"no branch {branch!r}; branches: {', '.join(self.branches)}")
        head = self.branches[branch] if branch else self.head
        rows = []
        for nid in self.path(head):
            node = self.nodes[nid]
            rows.extend({**r, "turn": node.number} for r in node.series)
        df = pd.DataFrame(rows)
        if not df.empty:
            df["date"] = pd.to_datetime(df["date"])
        return df

    def states_table(self) -> pd.DataFrame:
        """Return one row per state with its situation now."""
        m = self.model
        w = m.world
        s = m.state_records[m.steps - 1]
        df = pd.DataFrame({name: s[i] for i, name in enumerate(STATE_OUTPUTS)})
        df.insert(0, "name", w.names)
        df.insert(0, "state", w.codes)
        df["member"] = df["member"] > 0.5
        df["applicant"] = df["applicant"] > 0.5
        return df

    def turns(self, branch: str | None = None) -> list[Turn]:
        """Return the played turns along a branch (the start excluded)."""
        head = self.branches[branch] if branch else self.head
        return [self.nodes[nid] for nid in self.path(head)[1:]]


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for key, value in a.items():
        other = b.get(key)
        if isinstance(value, float) and isinstance(other, float):
            if not np.isclose(value, other, rtol=0, atol=1e-6):
                return False
        elif value != other:
            return False
    return True


__all__ = ["ACTIONS", "Params", "Seminar", "SessionError", "Turn"]
