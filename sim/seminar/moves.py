"""Team moves for seminar play: typed, validated, and turned into events and directives.

Issue: "A move constrains or replaces that actor's own decision for the turn;
everything else keeps running."  Each move is a small class declaring its team,
its fields and what it does (in the manner of the Axelrod library's strategies):

- the *events* it creates are applied at the start of the turn through the same
  event machinery as scheduled events (origin ``move``), so trust, the security
  dilemma and the effects of each event type act on them as on any event;
- the *directives* it creates replace or constrain the actor's own decision at
  one phase of every step of the turn (see ``sim.model.Directive``): Russia's
  action, allied spending, sanctions and aid, the dialogue channel, a member's
  ratifications.

A move that the world does not allow (an unknown state, a non-member as host of
forward presence, a level out of range, a ceasefire with a state not at war) is
refused with a message naming the team, the move, the field and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import numpy as np

from sim.directives import BlockRatification, HoldChannel, HoldLevel
from sim.events import Event
from sim.mechanisms import russia_decisions
from sim.mechanisms.institutions import nato_trust_in_russia
from sim.world import ACTIONS, ACTIVE, SUSPENDED, World

#: teams a session may have; ``member:XXX`` is a single ally played by its own team
TEAMS: dict[str, str] = {
    "blue": "NATO: the allies' collective decisions",
    "red": "Russia",
    "ukraine": "Ukraine",
    "member:XXX": "one ally played alone (a wavering member), e.g. member:HUN",
}


def team_actor(team: str) -> str:
    """Return the state code (or NATO) a team acts as."""
    if team == "blue":
        return "NATO"
    if team == "red":
        return "RUS"
    if team == "ukraine":
        return "UKR"
    if team.startswith("member:"):
        return team.split(":", 1)[1].upper()
    raise ValueError(f"unknown team {team!r}")


def team_kind(team: str) -> str:
    """Return the kind of a team: blue, red, ukraine or member."""
    return "member" if team.startswith("member:") else team


# -- fields ------------------------------------------------------------------------------------
StateFilter = Callable[[World, Any, str], np.ndarray]


@dataclass(frozen=True)
class Field:
    """One input of a move: its kind, bounds or choices, default and meaning."""

    name: str
    kind: str  # state | states | number | choice | text
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    states: StateFilter | None = None  # which states are legal (state / states kinds)
    required: bool = True

    def describe(self, w: World, p: Any, team: str) -> dict[str, Any]:
        """Return the field as plain data for menus and forms (legal choices resolved now)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "help": self.help}
        if self.kind in ("state", "states"):
            out["choices"] = legal_states(self, w, p, team)
        elif self.kind == "choice":
            out["choices"] = list(self.choices)
        if self.kind == "number":
            out["min"], out["max"] = self.minimum, self.maximum
        if self.default is not None:
            out["default"] = self.default
        out["required"] = self.required and self.default is None
        return out


def legal_states(f: Field, w: World, p: Any, team: str) -> list[str]:
    """Return the state codes a state field accepts now."""
    mask = f.states(w, p, team) if f.states is not None else np.ones(w.n, dtype=bool)
    return [w.codes[i] for i in np.flatnonzero(mask)]


def _members(w: World, p: Any, team: str) -> np.ndarray:
    return w.member.copy()


def _western(w: World, p: Any, team: str) -> np.ndarray:
    return w.west_nr.copy()


def _not_russia(w: World, p: Any, team: str) -> np.ndarray:
    return w.not_r.copy()


def _western_states(meaning: str) -> Field:
    """Return the ``states`` field of an allied move: Western states, every one by default."""
    return Field("states", "states", meaning, states=_western, default="ALL")


def _energy_targets(w: World, p: Any, team: str) -> np.ndarray:
    return w.not_r & (w.dependence > 0.0)


def _hybrid_targets(w: World, p: Any, team: str) -> np.ndarray:
    return w.eligible.copy()


def _attack_targets(w: World, p: Any, team: str) -> np.ndarray:
    return w.eligible & (w.prox_r >= p.aggression_min_proximity)


def _at_war(w: World, p: Any, team: str) -> np.ndarray:
    return w.not_r & (w.war > 0.0)


def _candidates(w: World, p: Any, team: str) -> np.ndarray:
    return (w.applicant | w.accession_scheduled) & ~w.member


def _war_victims(w: World, p: Any, team: str) -> np.ndarray:
    return w.not_r & ~w.member


#: Russia's actions that need a target state
TARGETED = frozenset(
    ACTIONS.index(a)
    for a in (
        "cyber_attack",
        "election_interference",
        "sabotage",
        "energy_coercion",
        "aggression_nonmember",
        "attack_member",
    )
)


# -- directives --------------------------------------------------------------------------------
@dataclass
class RussiaAction:
    """Russia's action is the move's in the turn's first step and capped by it afterwards."""

    action: int
    targets: list[int]
    first_step_only: bool = False
    phase: str = "russia"
    steps_done: int = 0

    def apply(self, model: Any) -> None:
        """Replace Russia's choice (first step) or redraw it under the cap (later steps)."""
        w, p = model.world, model.p
        chosen, _targets, probs = model.russia_choice
        if self.steps_done == 0:
            model.russia_choice = (self.action, list(self.targets), probs)
            model.russia_origin = ("move", "seminar move (red)")
        elif not self.first_step_only and chosen > self.action:
            capped = np.where(np.arange(len(ACTIONS)) <= self.action, probs, 0.0)
            k = int(
                np.searchsorted(np.cumsum(capped), model.streams.russia.random() * capped.sum(), side="right")
            )
            k = min(k, self.action)
            new_targets = russia_decisions.choose_target(w, p, k, model.streams.russia)
            if k in TARGETED and not new_targets:
                k = russia_decisions.STATUS_QUO
            model.russia_choice = (k, new_targets, probs)
        self.steps_done += 1


@dataclass
class HoldSpending:
    """Defence spending of some states moves to a level by the turn's end (their own decision replaced)."""

    rows: list[int]
    target: float
    steps: int
    phase: str = "allies"
    steps_done: int = 0
    start: np.ndarray | None = None

    def apply(self, model: Any) -> None:
        """Set spending on the straight path from the turn's start level to the target."""
        w = model.world
        if self.start is None:  # the level after this step's own decision, the first time
            self.start = w.spend[self.rows].copy()
        self.steps_done += 1
        share = min(1.0, self.steps_done / self.steps)
        w.spend[self.rows] = self.start + share * (self.target - self.start)


# -- moves -------------------------------------------------------------------------------------
@dataclass
class Plan:
    """What a validated move does: events at the turn's start and directives for its steps."""

    events: list[Event] = field(default_factory=list)
    directives: list[Any] = field(default_factory=list)


@dataclass
class Context:
    """What a move needs to know to validate and plan: the world, the date, the turn's steps."""

    world: World
    params: Any
    when: date
    steps: int
    team: str


class Move:
    """A kind of move a team can make; subclasses declare metadata and ``plan``."""

    name: ClassVar[str]
    teams: ClassVar[tuple[str, ...]]
    label: ClassVar[str]
    help: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]] = ()

    @classmethod
    def describe(cls, w: World, p: Any, team: str) -> dict[str, Any]:
        """Return the move as plain data for menus and forms."""
        return {
            "move": cls.name,
            "team": team,
            "label": cls.label,
            "help": cls.help,
            "fields": [f.describe(w, p, team) for f in cls.fields],
        }

    @classmethod
    def unavailable(cls, described: dict[str, Any], ctx: Context) -> str | None:
        """Return why the move cannot be made now (a required state with no legal choice, or a fieldless
        move its own checks refuse), or None when it can."""
        for f in described["fields"]:
            if f.get("required") and f["kind"] in ("state", "states") and not f.get("choices"):
                return f"no state can be chosen for {f['name']} now ({f['help']})"
        if not cls.fields:
            found = cls.extra_checks({}, ctx)
            if found:
                return "; ".join(found)
        return None

    @classmethod
    def check(cls, values: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], list[str]]:
        """Return the move's values with defaults filled in, and the problems found."""
        problems: list[str] = []
        where = f"{ctx.team} {cls.name}"
        known = {f.name for f in cls.fields}
        for extra in sorted(set(values) - known - {"team", "move"}):
            allowed = ", ".join(sorted(known)) or "no fields"
            problems.append(f"{where}: unknown field {extra!r} (allowed: {allowed})")
        out: dict[str, Any] = {}
        w = ctx.world
        for f in cls.fields:
            value = values.get(f.name, f.default)
            if value is None:
                if f.required:
                    problems.append(f"{where}: field {f.name!r} is required ({f.help})")
                continue
            if f.kind == "number":
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    problems.append(f"{where}: {f.name} must be a number, got {value!r}")
                    continue
                if not (f.minimum <= value <= f.maximum):
                    problems.append(
                        f"{where}: {f.name} = {value:g} is out of range [{f.minimum:g}, {f.maximum:g}]"
                    )
                    continue
            elif f.kind in ("state", "states"):
                codes = [value] if f.kind == "state" else value
                if isinstance(codes, str):
                    codes = [c.strip() for c in codes.split(",") if c.strip()]
                if f.kind == "states" and [str(c).upper() for c in codes] == ["ALL"]:
                    out[f.name] = "ALL"  # every state the field allows when the move is played
                    continue
                legal = legal_states(f, w, ctx.params, ctx.team)
                bad = []
                for code in codes:
                    if not isinstance(code, str) or code.upper() not in w.codes:
                        bad.append(f"{code!r} is not a state of the roster")
                    elif code.upper() not in legal:
                        bad.append(
                            f"{code.upper()} is not allowed here ({f.help}; allowed now: {', '.join(legal) or 'none'})"
                        )
                for msg in bad:
                    problems.append(f"{where}: {f.name}: {msg}")
                if bad:
                    continue
                if not codes:
                    problems.append(f"{where}: {f.name} names no state")
                    continue
                codes = [c.upper() for c in codes]
                value = codes[0] if f.kind == "state" else codes
            elif f.kind == "choice":
                if value not in f.choices:
                    problems.append(
                        f"{where}: {f.name} = {value!r} is not one of {', '.join(f.choices)}"
                    )
                    continue
            else:
                value = str(value)
            out[f.name] = value
        if not problems:
            problems.extend(f"{where}: {msg}" for msg in cls.extra_checks(out, ctx))
        return out, problems

    @classmethod
    def rows(cls, values: dict[str, Any], name: str, ctx: Context) -> list[int]:
        """Return the state rows a states field names ("ALL": every state it allows now)."""
        value = values[name]
        if value == "ALL":
            f = next(f for f in cls.fields if f.name == name)
            return [int(i) for i in np.flatnonzero(f.states(ctx.world, ctx.params, ctx.team))]
        return _rows(ctx.world, value)

    @classmethod
    def extra_checks(cls, values: dict[str, Any], ctx: Context) -> list[str]:
        """Return problems that depend on several fields or on the world (none by default)."""
        return []

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        """Return the events and directives of a validated move."""
        raise NotImplementedError


def _event(
    ctx: Context, etype: str, actor: str, targets: list[str], label: str, **params: Any
) -> Event:
    return Event(
        ctx.when,
        etype,
        actor,
        tuple(targets),
        label,
        f"seminar move ({ctx.team})",
        params,
        origin="move",
    )


def _codes(ctx: Context, rows: list[int]) -> tuple[str, ...]:
    return tuple(ctx.world.codes[i] for i in rows)


def _rows(w: World, codes: list[str]) -> list[int]:
    return [w.idx(c) for c in codes]


# Blue -----------------------------------------------------------------------------------------
class DefenceSpending(Move):
    name = "defence_spending"
    teams = ("blue", "member")
    label = "Set defence spending"
    help = "The named allies reach this share of GDP by the turn's end, instead of deciding themselves."
    fields = (
        Field("pct", "number", "defence spending to reach, % of GDP", 0.5, 6.0, 2.0),
        Field(
            "states",
            "states",
            "allies that commit (ALL for every member)",
            states=_members,
            default="ALL",
        ),
    )

    @classmethod
    def describe(cls, w: World, p: Any, team: str) -> dict[str, Any]:
        """Describe the move; a member team has no states field (it commits itself)."""
        out = super().describe(w, p, team)
        if team_kind(team) == "member":
            out["fields"] = [f for f in out["fields"] if f["name"] != "states"]
        return out

    @classmethod
    def check(cls, values: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], list[str]]:
        """Validate; a member team can only commit itself (naming another state is refused, not rewritten)."""
        if team_kind(ctx.team) == "member":
            own = team_actor(ctx.team)
            given = values.get("states", [own])
            given = [given] if isinstance(given, str) else given
            if not isinstance(given, list) or [str(c).strip().upper() for c in given] != [own]:
                return {}, [f"states: {given!r}: {ctx.team} sets only its own spending; leave states out or give [{own}]"]
            values = {**values, "states": [own]}
        return super().check(values, ctx)

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        rows = cls.rows(values, "states", ctx)
        return Plan(directives=[HoldSpending(rows, values["pct"], ctx.steps)])


class ForwardPresence(Move):
    name = "forward_presence"
    teams = ("blue",)
    label = "Deploy or reinforce forward presence"
    help = (
        "Commit allied forces to a member's territory (0 = none, 0.3 = a battlegroup, 1 = a brigade or more);"
        " forces arrive over months, within the Founding Act's limits while it is in force."
    )
    fields = (
        Field("state", "state", "host: a member", states=_members),
        Field("level", "number", "committed level, 0..1", 0.0, 1.0, 0.6),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        ev = _event(
            ctx,
            "forward_presence_commitment",
            "NATO",
            [values["state"]],
            f"forward presence in {values['state']} at {values['level']:.2f}",
            level=values["level"],
        )
        return Plan(events=[ev])


class SanctionsPackage(Move):
    name = "sanctions"
    teams = ("blue",)
    label = "Sanctions package on Russia"
    help = (
        "Western allies hold sanctions at this level for the turn (0 lifts them); their own decision is replaced."
        " Raising the level is a sanctions package (an event Russia reads as hostile); easing is not."
    )
    fields = (
        Field("level", "number", "sanctions level, 0..1", 0.0, 1.0, 0.5),
        _western_states("Western states that impose (ALL for every one)"),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        rows = cls.rows(values, "states", ctx)
        events = []
        # only a tightening is a sanctions package (a hostile act); easing or holding emits no event
        if rows and values["level"] > float(ctx.world.sanctions[rows].mean()) + 0.01:
            events.append(
                _event(
                    ctx,
                    "impose_sanctions",
                    "NATO",
                    ["RUS"],
                    f"sanctions package {values['level']:.2f}",
                    level=values["level"],
                )
            )
        return Plan(
            events=events,
            directives=[HoldLevel("sanctions", rows, values["level"], _codes(ctx, rows))],
        )


class MilitaryAid(Move):
    name = "military_aid"
    teams = ("blue",)
    label = "Military aid"
    help = "Western allies send arms to a non-member at this level for the turn; stocks deplete as they give."
    fields = (
        Field("state", "state", "recipient: a non-member", states=_war_victims, default="UKR"),
        Field("level", "number", "aid level, 0..1", 0.0, 1.0, 0.5),
        _western_states("donors (ALL for every Western state)"),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        rows = cls.rows(values, "states", ctx)
        ev = _event(
            ctx,
            "provide_military_aid",
            "NATO",
            [values["state"]],
            f"military aid {values['level']:.2f}",
            level=values["level"],
        )
        return Plan(
            events=[ev] if values["level"] > 0 else [],
            directives=[HoldLevel("aid", rows, values["level"], _codes(ctx, rows))],
        )


class Dialogue(Move):
    name = "dialogue"
    teams = ("blue",)
    label = "Open or close the NATO–Russia dialogue"
    help = "Open (consultations resume) or close (contacts suspended) the channel for the turn."
    fields = (
        Field("action", "choice", "open or close", choices=("open", "close"), default="open"),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        if values["action"] == "open":
            ev = _event(ctx, "consult", "NATO", ["RUS"], "NATO reopens dialogue with Russia")
            return Plan(events=[ev], directives=[HoldChannel(ACTIVE)])
        ev = _event(ctx, "reduce_relations", "NATO", ["RUS"], "NATO suspends dialogue with Russia")
        return Plan(events=[ev], directives=[HoldChannel(SUSPENDED)])


class Statement(Move):
    name = "statement"
    teams = ("blue",)
    label = "Public statement or red line"
    help = (
        "reassurance (an offer of cooperation), criticism, or a red line over a named state: a warning to Russia"
        " that also raises that state's resolve (how credible its defence looks)."
    )
    fields = (
        Field(
            "kind",
            "choice",
            "reassurance, criticism or red_line",
            choices=("reassurance", "criticism", "red_line"),
            default="criticism",
        ),
        Field(
            "state", "state", "the state a red line protects", states=_not_russia, required=False
        ),
        Field("commitment", "number", "resolve added by a red line, 0..0.3", 0.0, 0.3, 0.1),
        Field("text", "text", "what is said", required=False),
    )

    @classmethod
    def extra_checks(cls, values: dict[str, Any], ctx: Context) -> list[str]:
        if values["kind"] == "red_line" and "state" not in values:
            return ["a red line needs the state it protects (field 'state')"]
        return []

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        text = values.get("text") or values["kind"].replace("_", " ")
        if values["kind"] == "reassurance":
            return Plan(events=[_event(ctx, "express_intent_to_cooperate", "NATO", ["RUS"], text)])
        if values["kind"] == "criticism":
            return Plan(events=[_event(ctx, "criticize", "NATO", ["RUS"], text)])
        state = values["state"]
        return Plan(
            events=[
                _event(ctx, "demand", "NATO", ["RUS"], f"red line over {state}: {text}"),
                _event(
                    ctx,
                    "state_change",
                    "NATO",
                    [state],
                    f"red line raises {state}'s resolve",
                    attribute="resolve",
                    delta=values["commitment"],
                ),
            ]
        )


# Red ------------------------------------------------------------------------------------------
def _russia(
    ctx: Context, action: str, targets: list[str], first_step_only: bool = False
) -> RussiaAction:
    return RussiaAction(ACTIONS.index(action), _rows(ctx.world, targets), first_step_only)


class HybridCampaign(Move):
    name = "hybrid_campaign"
    teams = ("red",)
    label = "Hybrid campaign"
    help = "A cyber attack, election interference or sabotage against a named state; no harsher act this turn."
    fields = (
        Field(
            "kind",
            "choice",
            "cyber_attack, election_interference or sabotage",
            choices=("cyber_attack", "election_interference", "sabotage"),
            default="cyber_attack",
        ),
        Field("state", "state", "target", states=_hybrid_targets),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        return Plan(directives=[_russia(ctx, values["kind"], [values["state"]])])


class EnergyCoercion(Move):
    name = "energy_coercion"
    teams = ("red",)
    label = "Energy coercion"
    help = "Cut or threaten gas supplies to a dependent state; no harsher act this turn."
    fields = (
        Field("state", "state", "target: a state buying Russian gas", states=_energy_targets),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        return Plan(directives=[_russia(ctx, "energy_coercion", [values["state"]])])


class Mobilise(Move):
    name = "mobilise"
    teams = ("red",)
    label = "Mobilise"
    help = "Raise forces and military spending (to the given % of GDP by the turn's end) and show them."
    fields = (
        Field("pct", "number", "Russia's military spending to reach, % of GDP", 2.0, 12.0, 7.0),
        Field(
            "state",
            "state",
            "where forces are shown (optional)",
            states=_not_russia,
            required=False,
        ),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        target = [values["state"]] if "state" in values else ["NATO"]
        ev = _event(ctx, "military_posture", "RUS", target, "Russia mobilises")
        return Plan(events=[ev], directives=[HoldSpending([ctx.world.r], values["pct"], ctx.steps)])


class RussianCourse(Move):
    """A Red move that only sets Russia's action (no target): its class declares which one."""

    teams = ("red",)
    fields = ()
    action: ClassVar[str]

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        return Plan(directives=[_russia(ctx, cls.action, [])])


class NuclearSignalling(RussianCourse):
    name, action = "nuclear_signalling", "nuclear_signalling"
    label = "Nuclear signalling"
    help = "Exercises, statements or deployments that recall Russia's nuclear arsenal."


class Negotiate(RussianCourse):
    name, action = "negotiate", "dialogue"
    label = "Negotiate"
    help = "Seek dialogue with NATO; no hostile act this turn."


class Cooperate(RussianCourse):
    name, action = "cooperate", "cooperate"
    label = "Cooperate"
    help = "A cooperative gesture (joint work in an open area); no hostile act this turn."


class Hold(RussianCourse):
    name, action = "hold", "status_quo"
    label = "Hold (status quo)"
    help = "No new act this turn; wars already under way go on."


class Attack(Move):
    name = "attack"
    teams = ("red",)
    label = "Attack"
    help = "Military aggression against a named state, at the model's emergent intensity (a member invokes Article 5)."
    fields = (
        Field("state", "state", "target: a state close enough to Russia", states=_attack_targets),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        w = ctx.world
        state = values["state"]
        action = "attack_member" if w.member[w.idx(state)] else "aggression_nonmember"
        return Plan(directives=[_russia(ctx, action, [state])])


class Ceasefire(Move):
    name = "ceasefire"
    teams = ("red",)
    label = "Ceasefire"
    help = "Russia stops fighting a state; some fighting may go on along the line (residual intensity)."
    fields = (
        Field("state", "state", "a state Russia is fighting", states=_at_war),
        Field("residual", "number", "war intensity left, 0..1", 0.0, 0.5, 0.05),
    )

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        ev = _event(
            ctx,
            "ceasefire",
            "RUS",
            [values["state"]],
            f"ceasefire with {values['state']}",
            residual_intensity=values["residual"],
        )
        return Plan(events=[ev], directives=[_russia(ctx, "dialogue", [])])


# Ukraine and a single member -------------------------------------------------------------------
class ApplyForMembership(Move):
    name = "apply_membership"
    teams = ("ukraine",)
    label = "Apply to join NATO"
    help = "Ukraine applies for membership; every ally must ratify, which none does while Russia fights it."
    fields = ()

    @classmethod
    def extra_checks(cls, values: dict[str, Any], ctx: Context) -> list[str]:
        w = ctx.world
        i = w.idx("UKR")
        if w.member[i] or w.applicant[i]:
            return ["Ukraine is already a member or a candidate"]
        return []

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        return Plan(
            events=[
                _event(
                    ctx, "membership_application", "UKR", ["NATO"], "Ukraine applies to join NATO"
                )
            ]
        )


class CeasefireOffer(Move):
    name = "ceasefire_offer"
    teams = ("ukraine",)
    label = "Offer talks on a ceasefire"
    help = "A public offer of talks: a cooperative signal to Russia (Russia, or the Red team, decides)."
    fields = (Field("text", "text", "the offer", required=False),)

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        text = values.get("text") or "Ukraine offers ceasefire talks"
        return Plan(events=[_event(ctx, "express_intent_to_cooperate", "UKR", ["RUS"], text)])


class VetoRatification(Move):
    name = "veto_ratification"
    teams = ("member",)
    label = "Withhold ratification"
    help = (
        "This ally does not ratify a candidate's accession this turn (an accession the scenario schedules then"
        " waits for every member's ratification)."
    )
    fields = (Field("state", "state", "a candidate", states=_candidates),)

    @classmethod
    def extra_checks(cls, values: dict[str, Any], ctx: Context) -> list[str]:
        w = ctx.world
        if w.ratified[w.idx(team_actor(ctx.team)), w.idx(values["state"])]:
            return [f"{team_actor(ctx.team)} has already ratified {values['state']}'s accession"]
        return []

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        w = ctx.world
        return Plan(
            directives=[BlockRatification(w.idx(team_actor(ctx.team)), w.idx(values["state"]))]
        )


class LeaveSanctions(Move):
    name = "leave_sanctions"
    teams = ("member",)
    label = "Leave the sanctions regime"
    help = "This ally lifts its sanctions on Russia for the turn."
    fields = ()

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        return Plan(
            directives=[
                HoldLevel(
                    "sanctions", [ctx.world.idx(team_actor(ctx.team))], 0.0, (team_actor(ctx.team),)
                )
            ]
        )


class Solidarity(Move):
    name = "solidarity"
    teams = ("member",)
    label = "Move toward or away from the alliance line"
    help = "A lasting change of this ally's solidarity with the alliance (negative: drift away)."
    fields = (Field("delta", "number", "change of solidarity, -0.5..0.5", -0.5, 0.5, -0.2),)

    @classmethod
    def plan(cls, values: dict[str, Any], ctx: Context) -> Plan:
        code = team_actor(ctx.team)
        word = "closer to" if values["delta"] > 0 else "away from"
        return Plan(
            events=[
                _event(
                    ctx,
                    "state_change",
                    code,
                    [code],
                    f"{code} moves {word} the alliance line",
                    attribute="solidarity",
                    delta=values["delta"],
                )
            ]
        )


#: every move, by name
MOVES: dict[str, type[Move]] = {
    cls.name: cls
    for cls in (
        DefenceSpending,
        ForwardPresence,
        SanctionsPackage,
        MilitaryAid,
        Dialogue,
        Statement,
        HybridCampaign,
        EnergyCoercion,
        Mobilise,
        NuclearSignalling,
        Negotiate,
        Cooperate,
        Hold,
        Attack,
        Ceasefire,
        ApplyForMembership,
        CeasefireOffer,
        VetoRatification,
        LeaveSanctions,
        Solidarity,
    )
}


def moves_for(team: str) -> list[type[Move]]:
    """Return the moves a team may make."""
    kind = team_kind(team)
    return [m for m in MOVES.values() if kind in m.teams]


def trust_of_members(w: World) -> float:
    """Return members' mean trust in Russia (for turn summaries)."""
    return nato_trust_in_russia(w)
