"""The NATO–Russia model: a Mesa model of states moved by events and decisions.

One step is one calendar period (a month by default).  Each step: the
scenario's scheduled events for the period are applied; Russia chooses an
action (logit choice); allies decide spending, presence, sanctions and aid;
non-members decide whether to apply and members whether to ratify; the
dialogue channel opens or closes; the economy moves; trust relaxes and allies
consult; threat, encirclement, deterrence and the escalation ladder are
recomputed; the step's outputs are recorded into arrays.

The model reads no file: it receives a ``ModelSetup`` (see ``sim.setup``).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np

from sim import calendar, directives, observables
from sim.agents import RussiaAgent, StateAgent
from sim.events import Event
from sim.events import apply as apply_event
from sim.mechanisms import (
    alliance,
    collective_defence,
    defence_spending,
    deterrence,
    economy,
    enlargement,
    escalation,
    institutions,
    member_decisions,
    relations,
    russia_decisions,
    security_dilemma,
    threat,
    trust,
    war,
)
from sim.mesa_import import mesa
from sim.setup import ModelSetup, Params
from sim.world import ACTIONS, CHANNEL_STATES, COOPERATION_AREAS, ESCALATION_LEVELS, World

#: per-state outputs, recorded every step (column names of ``states``; declared in ``sim.observables``)
STATE_OUTPUTS: tuple[str, ...] = tuple(o.name for o in observables.STATE)

#: numeric model-level outputs, recorded every step (columns of ``timeseries``; declared in ``sim.observables``)
MODEL_OUTPUTS: tuple[str, ...] = tuple(o.name for o in observables.MODEL)

#: the model's random streams, one per kind of decision, each drawn from in the same amounts every
#: step (but ``ratification``, one number per pending candidate and member): two scenarios run with
#: one seed then draw the same numbers for the same decisions (common random numbers), so that their
#: paired difference is the scenarios' and not the generator's
STREAMS: tuple[str, ...] = ("russia", "spending", "applications", "ratification", "institutions", "war",
                            "escalation")

PROXIMITY_PARAMS = {
    "border": "proximity_border",
    "frontline": "proximity_frontline",
    "rear": "proximity_rear",
    "distant": "proximity_distant",
}


def _distances_km(latlon: np.ndarray) -> np.ndarray:
    """Return great-circle distances between capitals, in km."""
    lat, lon = np.radians(latlon[:, 0]), np.radians(latlon[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def build_world(setup: ModelSetup, p: Params) -> World:
    """Build the initial world arrays from the roster, bloc trust and parameters."""
    roster = setup.roster
    codes = [s["code"] for s in roster]
    n = len(codes)
    bloc = np.array([s["bloc"] for s in roster])
    prox_class = np.array([s["proximity"] for s in roster])
    prox_r = np.array([getattr(p, PROXIMITY_PARAMS[c]) for c in prox_class])
    r = codes.index("RUS")
    prox_r[r] = 1.0
    prox = np.exp(-_distances_km(np.array([s["capital"] for s in roster], float)) / p.proximity_distance_scale)
    prox[:, r] = prox_r
    prox[r, :] = prox_r
    index = {c: i for i, c in enumerate(codes)}
    grievance = np.zeros((n, n))
    red_line = np.zeros(n, dtype=bool)
    for i, s in enumerate(roster):
        for code, value in (s.get("grievances") or {}).items():
            grievance[i, index[code]] = value
        for code in s.get("red_lines") or []:
            red_line[index[code]] = True
    blocs = setup.bloc_trust
    # bloc-to-bloc trust, read once per pair of blocs and spread to every pair of states
    kinds = sorted(set(bloc.tolist()))
    of_state = np.array([kinds.index(b) for b in bloc.tolist()])
    pairs = np.ix_(of_state, of_state)
    init = np.array([[blocs["initial"][a][b] for b in kinds] for a in kinds], float)[pairs]
    base = np.array([[blocs["baseline"][a][b] for b in kinds] for a in kinds], float)[pairs]
    # history with a neighbour: closer states start and settle lower in their trust of Russia
    neighbour = p.neighbour_distrust * prox_r * np.isin(bloc, ("west", "contested"))
    init[:, r] -= neighbour
    base[:, r] -= neighbour
    np.fill_diagonal(init, 1.0)
    np.fill_diagonal(base, 1.0)
    spend0 = np.array([s["defence_spending_pct_gdp"] for s in roster], float)
    milex0 = np.array([s["milex_usd_bn"] for s in roster], float)
    # peacetime spending: the level the record shows in the anchor year, else a share of the early-1990s level
    anchor = np.array([np.nan if s.get("spending_anchor_pct") is None else s["spending_anchor_pct"] for s in roster])
    spend_base = np.where(np.isnan(anchor), spend0 * p.peace_dividend, anchor)
    growth, year0 = growth_paths(setup, codes, p)
    member = np.array(
        [s["accession"] is not None and s["accession"] <= setup.start for s in roster], dtype=bool
    )
    w = World(
        codes=codes,
        names=[s["name"] for s in roster],
        bloc=bloc,
        gdp=start_gdp(np.array([s["gdp_usd_bn"] for s in roster], float), growth, year0, setup.start.year),
        proximity_class=prox_class,
        prox_r=prox_r,
        prox=prox,
        border=np.array([bool(s["land_border_with_russia"]) for s in roster]),
        neutrality=np.array([s["neutrality"] for s in roster], float),
        solidarity0=np.array([s["solidarity"] for s in roster], float),
        resolve=np.array([s["resolve"] for s in roster], float),
        red_line=red_line,
        grievance=grievance,
        grievance0=grievance.copy(),
        armed_forces=np.array([bool(s.get("armed_forces", True)) for s in roster]),
        dependence0=np.array([s["gas_share_from_russia"] for s in roster], float),
        spend_base=spend_base,
        milex0=milex0,
        spend0=spend0,
        trust_base=np.clip(base, -1, 1),
    )
    w.member = member
    w.accession_step = np.full(n, -1)
    w.applicant = np.zeros(n, dtype=bool)
    w.applied_step = np.full(n, -1)
    w.ratified = member[:, None] & member[None, :]
    w.withheld = np.zeros((n, n), dtype=bool)
    w.new_member = np.array(
        [s["accession"] is not None and s["accession"] >= date(1997, 5, 27) for s in roster]
    ) & member
    w.spend = spend0.copy()
    w.cap_factor = np.ones(n)
    w.cap_factor[r] = p.russia_capability_factor
    w.cap = milex0 * w.cap_factor
    w.solidarity = w.solidarity0.copy()
    w.trust = np.clip(init, -1, 1)
    w.memory = np.zeros((n, n))
    w.hostile = np.zeros((n, n))
    w.presence = np.zeros(n)
    w.presence_commit = np.zeros(n)
    w.air_commit = np.zeros(n)
    w.sanctions = np.zeros(n)
    w.aid = np.zeros(n)
    w.stocks = np.full(n, p.initial_stocks)
    w.dependence = np.array([s["gas_share_from_russia"] for s in roster], float)
    w.coerced = np.zeros(n)
    w.war = np.zeros(n)
    w.war_aim = np.zeros(n)
    w.war_months = np.zeros(n)
    w.war_will = np.zeros(n)
    w.exhaustion = np.zeros(n)
    w.prospective = np.zeros(n, dtype=bool)
    w.contribution = np.zeros(n)
    w.reinforcement = np.zeros(n)
    w.hesitant = np.zeros(n, dtype=bool)
    w.threat_opinion = None  # set from the first threat computation
    w.areas = np.zeros(len(COOPERATION_AREAS), dtype=bool)
    w.revisionism = p.initial_revisionism
    w.revisionism_anchor = p.initial_revisionism
    w.action_probs = np.zeros(len(ACTIONS))
    w.deterrence = np.zeros(n)
    w.fiscal_stress = np.zeros(n)
    w.growth, w.growth_year0 = growth, year0
    return w


#: the year the roster's GDP figures are for (World Bank, current US$, 2000)
ROSTER_GDP_YEAR = 2000


def growth_paths(setup: ModelSetup, codes: list[str], p: Params) -> tuple[np.ndarray, int]:
    """Return real GDP growth (fraction a year) per state for every year from 1991 to the run's end, and 1991.

    Years the record has no figure for grow at the normal rate.
    """
    year0 = min(1991, setup.start.year)
    years = np.arange(year0, max(setup.end.year, ROSTER_GDP_YEAR) + 1)
    out = np.full((len(codes), len(years)), p.normal_growth / 100.0)
    for i, code in enumerate(codes):
        for year, pct in setup.gdp_growth.get(code, {}).items():
            if year0 <= year <= years[-1]:
                out[i, year - year0] = pct / 100.0
    return out, year0


def start_gdp(gdp_2000: np.ndarray, growth: np.ndarray, year0: int, start_year: int) -> np.ndarray:
    """Return real GDP (US$ bn at 2000 prices) at the start of the run, from the roster's 2000 figure."""
    if start_year < ROSTER_GDP_YEAR:  # back from 2000: divide by the growth of start_year+1 .. 2000
        span = growth[:, start_year + 1 - year0:ROSTER_GDP_YEAR + 1 - year0]
        return gdp_2000 / np.prod(1.0 + span, axis=1)
    span = growth[:, ROSTER_GDP_YEAR + 1 - year0:start_year + 1 - year0]
    return gdp_2000 * np.prod(1.0 + span, axis=1)


class Directive(Protocol):
    """An outside decision (a seminar team's move) applied at one phase of a step.

    ``phase`` is ``"russia"`` (after Russia's own choice, which the directive may
    replace in ``model.russia_choice``), ``"allies"`` (after the allies' spending,
    presence, sanctions and aid decisions) or ``"institutions"`` (after the
    dialogue channel's update).  A directive may also define
    ``suppresses(etype, actor, targets) -> bool``: the events of the decisions it
    replaces are then not emitted (a held sanctions level emits no package).
    The model knows nothing else about directives.
    """

    phase: str

    def apply(self, model: NatoRussiaModel) -> None:
        """Impose the decision on the model's state for this step."""


@dataclass
class Snapshot:
    """A model's complete state between two steps (restorable into a model of the same setup)."""

    steps: int
    world: World
    params: Params
    rng_state: dict[str, Any]
    random_state: tuple
    attributes: dict[str, Any]
    state_records: np.ndarray
    scalar_records: np.ndarray
    lists: dict[str, list]


#: model attributes a snapshot copies besides the world, parameters and records
_SNAPSHOT_ATTRIBUTES = (
    "date",
    "relations_index",
    "escalation_level",
    "nato_members",
    "russia_action",
    "russia_choice",
    "aid_received",
    "running",
    "scheduled",
    "standing",
)
_SNAPSHOT_LISTS = ("event_log", "action_records", "target_records", "channel_records")


class NatoRussiaModel(mesa.Model):
    """Agent-based model of NATO, Russia and their partners, stepping through real dates."""

    def __init__(
        self,
        setup: ModelSetup,
        rng: int | np.random.Generator | None = None,
        mesa_collect: bool = True,
        template: NatoRussiaModel | None = None,
        **params: float,
    ):
        """Build the model from a setup; keyword arguments override parameter values.

        ``mesa_collect`` keeps Mesa's DataCollector gathering headline outputs each
        step (for ``mesa.batch_run`` and SolaraViz); the runner turns it off and
        reads the record arrays instead, which hold every output.  ``template``, a
        model of the same setup and parameter values not yet stepped, lends its
        calendar, schedule and initial world (the same objects, not copies) instead
        of building them, and the model allocates no record arrays: ``sim.lockstep``
        builds the runs of an ensemble so, and at once gives each its own view of the
        ensemble's world and record arrays.
        """
        super().__init__(rng=rng)
        root = int(self.rng.integers(0, 2**63 - 1))
        #: one seeded generator per stream of ``STREAMS`` (read ``model.streams.war``, ...)
        self.streams = SimpleNamespace(
            **{name: np.random.default_rng([root, k]) for k, name in enumerate(STREAMS)}
        )
        if template is not None:
            if params or template.steps or template.setup is not setup:
                raise ValueError("a template is a model of the same setup and parameter values, not yet stepped")
            setup = template.setup
        elif params:
            setup = setup.with_params(**params)
        self.setup = setup
        self.p = Params(**setup.params)
        self.months = setup.months_per_step
        self.event_types = setup.event_types
        self.event_log: list[tuple] = []
        if template is not None:
            self.dates, self.world, self.scheduled = template.dates, template.world, template.scheduled
        else:
            self.dates = calendar.step_dates(setup.start, setup.end, self.months)
            self.world = build_world(setup, self.p)
            self.scheduled: dict[int, list[Event]] = defaultdict(list)
            for ev in sorted(setup.events, key=lambda e: e.date):
                k = calendar.step_of(ev.date, setup.start, self.months)
                if 0 <= k < len(self.dates):
                    self.scheduled[k].append(ev)
            self.world.accession_scheduled = np.zeros(self.world.n, dtype=bool)
            for ev in setup.events:
                if ev.type == "accession" and 0 <= calendar.step_of(ev.date, setup.start, self.months) < len(self.dates):
                    for code in ev.targets:
                        if code in self.world.codes:
                            self.world.accession_scheduled[self.world.idx(code)] = True
        self.states: dict[str, StateAgent] = {}
        for i, rec in enumerate(setup.roster):
            cls = RussiaAgent if rec["code"] == "RUS" else StateAgent
            self.states[rec["code"]] = cls(self, i, rec["code"], rec["name"])
        self.russia: RussiaAgent = self.states["RUS"]
        self.russia_choice: tuple[int, list[int], np.ndarray] = (2, [], np.zeros(len(ACTIONS)))
        self.aid_received = np.zeros(self.world.n)
        n_steps, n = len(self.dates), self.world.n
        # a run built from a template records into its ensemble's arrays (``sim.lockstep`` hands it its rows)
        self.state_records = np.zeros((n_steps, len(STATE_OUTPUTS), n)) if template is None else None
        self.scalar_records = np.zeros((n_steps, len(observables.RECORDED))) if template is None else None
        #: model-level outputs step by step, when a lockstep ensemble keeps no per-state record (else None)
        self.model_records: np.ndarray | None = None
        #: with ``model_records``: the ensemble's call that completes them up to the last step recorded
        self.records_due: Callable[[], None] | None = None
        self.action_records: list[str] = []
        self.target_records: list[str] = []
        self.channel_records: list[str] = []
        self.east = np.isin(self.world.proximity_class, ("border", "frontline")) & self.world.not_r
        self.date = self.dates[0]
        self.relations_index = 0.0
        self.escalation_level = 0
        self.nato_members = int(self.world.member.sum())
        self.russia_action = "status_quo"
        self.mesa_collect = mesa_collect
        #: outside decisions in force this step (see ``Directive``); empty in plain runs
        self.directives: list[Directive] = []
        #: decisions a scenario's ``hold_policy`` events hold: (directive, last step index it holds for)
        self.standing: list[tuple[Any, int]] = []
        #: emergent events an umpire cancelled before they arise: (month YYYY-MM, type, actor) (``veto``)
        self.vetoed: set[tuple[str, str, str]] = set()
        #: origin and source of the event of Russia's action this step (a Red move claims it)
        self.russia_origin: tuple[str, str] = ("emergent", "model: Russia's decision")
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": "date",
                "relations_index": "relations_index",
                "escalation_level": "escalation_level",
                "nato_members": "nato_members",
                "russia_action": "russia_action",
            }
        )
        if template is None:
            self._derive()
            self.world.threat_opinion = self.world.threat_from_russia.copy()
        else:
            for name in ("relations_index", "escalation_level", "nato_members", "russia_action"):
                setattr(self, name, getattr(template, name))

    # -- events ----------------------------------------------------------------
    def apply_event(self, event: Event) -> None:
        """Apply an event to the world and log it (a ``hold_policy`` also starts the hold it names)."""
        etype = self.event_types[event.type]
        apply_event(self.world, self.p, event, etype, self.steps - 1)
        if event.type == "hold_policy":
            self.hold(directives.from_event(event.params, event.actor, self.world), event.params.get("until"))
        self.event_log.append(
            (
                event.date,
                event.actor,
                ",".join(event.targets),
                event.type,
                etype.goldstein,
                event.origin,
                event.label,
                event.source,
                event.id,
            )
        )

    #: what an umpire may rule on, between steps: (name, meaning)
    RULINGS: tuple[tuple[str, str], ...] = (
        ("escalation", "the escalation ladder's rung, 0 peace .. 5 NATO-Russia war (whole number)"),
        ("war", "the intensity of Russia's war on one state, 0 (no war) .. 1 (state: the state's code)"),
        ("channel", "the NATO-Russia dialogue channel: none, active, suspended or frozen"),
    )

    def rule(self, kind: str, value: float | str, state: str | None = None) -> None:
        """Apply an umpire's ruling to the state between steps; the last step's record shows it.

        The model's rules go on from the ruled state: a ladder set below what the wars under way
        imply climbs back at the next step, a war set to 0 may be restarted by Russia's choices.
        """
        w = self.world
        if self.steps < 1:
            raise ValueError("a ruling needs a step played first")
        if kind == "escalation":
            level = int(value)
            if not 0 <= level < len(ESCALATION_LEVELS) or level != float(value):
                raise ValueError(f"escalation {value!r}: a whole number 0..{len(ESCALATION_LEVELS) - 1}")
            w.escalation = level
        elif kind == "war":
            if state is None or state not in w.codes or state == "RUS":
                raise ValueError(f"war: name the state Russia fights (a code of the roster other than RUS), got {state!r}")
            x = float(value)
            if not 0.0 <= x <= 1.0:
                raise ValueError(f"war {value!r}: an intensity 0..1")
            j = w.idx(state)
            if x > w.war[j]:
                war.start(w, j, x)
            else:
                war.stop(w, j, x)
        elif kind == "channel":
            if value not in CHANNEL_STATES:
                raise ValueError(f"channel {value!r}: one of {', '.join(CHANNEL_STATES)}")
            w.channel = CHANNEL_STATES.index(str(value))
        else:
            raise ValueError(f"no ruling {kind!r}; rulings: {', '.join(k for k, _ in self.RULINGS)}")
        self._derive()
        n = len(self.action_records)
        self._record(self.steps - 1)
        for name in ("action_records", "target_records", "channel_records"):
            records = getattr(self, name)  # one entry per step: the ruled state replaces the step's own
            records[n - 1] = records[-1]
            del records[n:]

    def veto(self, month: str, etype: str, actor: str) -> None:
        """Cancel, as umpire, an emergent event before it arises: (month YYYY-MM, type, actor) is not applied.

        The decision behind it stands (Russia still chose the action); its impact does not happen.
        Vetoes hold until ``lift_vetoes``; a seminar sets them for one turn's steps only.
        """
        self.vetoed.add((str(month), str(etype), str(actor)))

    def lift_vetoes(self) -> None:
        """Forget every veto (after the turn they were set for)."""
        self.vetoed.clear()

    def emit(
        self, etype: str, actor: str, targets: list[str], label: str, source: str, origin: str = "emergent",
        params: dict[str, Any] | None = None,
    ) -> None:
        """Create an event of this step's decisions (emergent unless told otherwise) and apply it (unless vetoed)."""
        if self.vetoed and (f"{self.date.year:04d}-{self.date.month:02d}", etype, actor) in self.vetoed:
            return
        self.apply_event(Event(self.date, etype, actor, tuple(targets), label, source, dict(params or {}),
                               origin=origin))

    # -- the step --------------------------------------------------------------
    #: the phases of one step, in order (methods of the model); ``sim.lockstep`` runs each phase for
    #: every run of an ensemble before the next, so a phase reads and writes only its own run's state
    PHASES: tuple[str, ...] = (
        "_phase_events",
        "_phase_russia",
        "_phase_allied_response",
        "_phase_spending",
        "_phase_enlargement",
        "_phase_economy",
        "_phase_trust",
        "_phase_war",
        "_phase_record",
    )

    def step(self) -> None:
        """Advance the world by one calendar period."""
        for phase in self.PHASES:
            getattr(self, phase)()

    def _phase_events(self) -> None:
        """Set the date, end the holds that have run out, and apply the period's scheduled events."""
        k = self.steps - 1
        self.date = self.dates[k]
        if self.standing:
            self._end_holds()
        for ev in self.scheduled.get(k, ()):
            self.apply_event(ev)

    def _phase_russia(self) -> None:
        """Russia chooses its action (or a directive chooses it) and the action's event is emitted."""
        w, p = self.world, self.p
        self.russia.step()
        self.russia_origin = ("emergent", "model: Russia's decision")  # a directive may claim the choice
        self._direct("russia")
        action, targets, probs = self.russia_choice
        w.action_probs = probs
        w.action = ACTIONS[action]
        w.action_target = ",".join(w.codes[t] for t in targets) if targets else ""
        etype = russia_decisions.ACTION_EVENT.get(w.action)
        if etype is not None:
            codes = [w.codes[t] for t in targets] or ["NATO"]
            origin, source = self.russia_origin
            # Russia's own nuclear signal comes at the level the registry sets for it
            params = {"level": p.emergent_nuclear_level} if etype == "nuclear_signalling" else None
            self.emit(etype, "RUS", codes, w.action.replace("_", " "), source, origin, params)

    def _phase_allied_response(self) -> None:
        """Collective defence, sanctions and military aid: the allies' answers to what Russia did."""
        w, p, months = self.world, self.p, self.months
        for etype, actor, targets, label, params in collective_defence.respond(w, p):
            self.decided(etype, actor, targets, label, "model: collective defence (Article 5)", params)
        for spec in member_decisions.sanctions(w, p, months):
            self.decided(*spec, "model: allied decision")
        self.aid_received, aid_events = member_decisions.aid(w, p, months)
        for spec in aid_events:
            self.decided(*spec, "model: allied decision")

    def _phase_spending(self) -> None:
        """Economies grow; allies set defence spending and forward presence; the allies' directives apply."""
        k = self.steps - 1
        w, p, months = self.world, self.p, self.months
        year = self.date.year
        defence_spending.grow(w, p, months, w.growth[:, year - w.growth_year0])
        if self.date.month == 1 or k == 0:
            w.reweigh()
        defence_spending.update(w, p, months, year + (self.date.month - 1) / 12.0, self.streams.spending)
        member_decisions.presence(w, p, months)
        self._direct("allies")

    def _phase_enlargement(self) -> None:
        """Applications, bargaining and ratifications; the dialogue channel and the institutions."""
        k = self.steps - 1
        w, p, months, rng = self.world, self.p, self.months, self.streams
        for spec in enlargement.applications(w, p, k, months, rng.applications):
            self.decided(*spec, "model: state's decision")
        for spec in enlargement.bargain(w, p, months):
            self.decided(*spec, "model: a candidate's concessions to a holdout")
        for spec in enlargement.ratifications(w, p, k, months, rng.ratification):
            self.decided(*spec, "model: ratification by every member")
        for spec in institutions.update(w, p, months, rng.institutions):
            self.decided(*spec, "model: alliance decision")
        self._direct("institutions")

    def _phase_economy(self) -> None:
        """Russia's economy and energy leverage, its revisionist ambition, and allied solidarity move."""
        w, p, months = self.world, self.p, self.months
        economy.update(w, p, months)
        security_dilemma.update_ambition(w, p, months)
        alliance.update_solidarity(w, p, months)

    def _phase_trust(self) -> None:
        """Trust: war pressure, the cooperation dividend, relaxation to baseline, consultation."""
        w, p, months = self.world, self.p, self.months
        trust.war_pressure(w, p, months)
        trust.cooperation_dividend(w, p, months, institutions.dividend_strength(w, p))
        trust.relax(w, p, months)
        trust.consult(w, p, months)
        trust.clip(w)

    def _phase_war(self) -> None:
        """Wars go on or end; the escalation ladder moves; forces are committed to deterrence."""
        w, p, months = self.world, self.p, self.months
        for spec in war.conduct(w, p, months, self.streams.war):
            self.decided(*spec, "model: war termination")
        escalation.update(w, p, months, self.streams.escalation)
        deterrence.commit_forces(w, p, months)

    def _phase_record(self) -> None:
        """Recompute the derived quantities and record the step's outputs."""
        k = self.steps - 1
        self._derive()
        self._record(k)
        if self.mesa_collect:
            self.datacollector.collect(self)
        if k + 1 >= len(self.dates):
            self.running = False

    def hold(self, directive: Any, until: str | None = None) -> None:
        """Hold a decision (a ``Directive``) from this step through the month ``until`` (YYYY-MM; None: the run's end)."""
        last = len(self.dates) - 1
        if until:
            y, m = int(str(until)[:4]), int(str(until)[5:7])
            last = max((k for k, d in enumerate(self.dates) if (d.year, d.month) <= (y, m)), default=-1)
        self.standing.append((directive, last))

    def _end_holds(self) -> None:
        """End the standing holds whose last month has passed (their ``end``, e.g. a ratification released)."""
        k = self.steps - 1
        for directive, last in [h for h in self.standing if h[1] < k]:
            end = getattr(directive, "end", None)
            if end is not None:
                end(self)
        self.standing = [h for h in self.standing if h[1] >= k]

    def _in_force(self) -> list[Any]:
        """Return the directives in force this step: a seminar turn's and the standing holds."""
        return [*self.directives, *(d for d, _ in self.standing)] if self.standing else self.directives

    def decided(self, etype: str, actor: str, targets: list[str], label: str, source: str,
                params: dict[str, Any] | None = None) -> None:
        """Emit the event of an agent's decision, unless a directive in force replaces that decision."""
        for directive in self._in_force():
            suppresses = getattr(directive, "suppresses", None)
            if suppresses is not None and suppresses(etype, actor, targets):
                return
        self.emit(etype, actor, targets, label, source, params=params)

    def _direct(self, phase: str) -> None:
        """Apply the outside decisions in force for this phase of the step."""
        for directive in self._in_force():
            if directive.phase == phase:
                directive.apply(self)

    # -- snapshots ---------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Return a deep copy of the model's state between steps (for rewinds and branches)."""
        return Snapshot(
            steps=self.steps,
            world=copy.deepcopy(self.world),
            params=copy.deepcopy(self.p),
            rng_state={"model": copy.deepcopy(self.rng.bit_generator.state),
                       **{name: copy.deepcopy(getattr(self.streams, name).bit_generator.state) for name in STREAMS}},
            random_state=self.random.getstate(),
            attributes={a: copy.deepcopy(getattr(self, a)) for a in _SNAPSHOT_ATTRIBUTES},
            state_records=self.state_records.copy(),
            scalar_records=self.scalar_records.copy(),
            lists={name: list(getattr(self, name)) for name in _SNAPSHOT_LISTS},
        )

    def restore(self, snap: Snapshot) -> None:
        """Put the model back into a snapshot's state (the snapshot stays reusable).

        Mesa's clock (``model.time``) keeps counting the steps this object has run;
        the model's calendar follows ``model.steps``, which the snapshot sets.
        """
        if snap.state_records.shape != self.state_records.shape:
            raise ValueError("snapshot was taken from a model with another calendar or roster")
        self.steps = snap.steps
        self.world = copy.deepcopy(snap.world)
        self.p = copy.deepcopy(snap.params)
        self.rng.bit_generator.state = copy.deepcopy(snap.rng_state["model"])
        for name in STREAMS:
            getattr(self.streams, name).bit_generator.state = copy.deepcopy(snap.rng_state[name])
        self.random.setstate(snap.random_state)
        for name, value in snap.attributes.items():
            setattr(self, name, copy.deepcopy(value))
        self.state_records[:] = snap.state_records
        self.scalar_records[:] = snap.scalar_records
        for name, value in snap.lists.items():
            setattr(self, name, list(value))

    def _derive(self) -> None:
        """Recompute the quantities that follow from the state: threat, deterrence, indices."""
        w, p = self.world, self.p
        security_dilemma.perceive(w, p)
        threat.update(w, p)
        alliance.cohesion(w, p)
        deterrence.update(w, p, self.aid_received)
        ms = w.members()
        w.relations = relations.index(w, p)
        self.relations_index = w.relations
        self.escalation_level = w.escalation
        self.nato_members = ms.k
        self.russia_action = w.action

    def _record(self, k: int) -> None:
        """Store this step's state outputs and recorded model outputs (``sim.observables``) in the record arrays."""
        w = self.world
        s = self.state_records[k]
        np.stack(observables.state_values(w), out=s)
        s[observables.NOT_FOR_RUSSIA, w.r] = np.nan
        self.scalar_records[k] = observables.recorded_values(w)
        self.action_records.append(w.action)
        self.target_records.append(w.action_target)
        self.channel_records.append(CHANNEL_STATES[w.channel])

    def rows(self) -> observables.Rows:
        """Return the run's records so far as ``observables.Rows`` (every step recorded)."""
        w = self.world
        return observables.Rows(self.state_records, self.scalar_records, self.east, w.west & w.not_r, w.r)

    def outputs(self) -> dict[str, np.ndarray]:
        """Return every model-level output as an array over steps (computed from the records)."""
        if self.model_records is not None:  # computed by the ensemble (a lockstep run without states)
            self.records_due()
            values = dict(zip(observables.MODEL_NAMES, self.model_records.T, strict=True))
        else:
            values = observables.model_values(self.rows())
        return {name: v if dtype == "float" else v.astype(dtype) for (name, v), dtype in
                zip(values.items(), observables.MODEL_TYPES, strict=True)}

    def run(self) -> NatoRussiaModel:
        """Run every step to the scenario's end; return self."""
        while self.running:
            self.step()
        return self
