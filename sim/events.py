"""Events: typed, dated acts with an actor, targets and a Goldstein-scale severity.

Brief: events carry "a severity on a public cooperation–conflict scale (the
Goldstein scale over CAMEO event types)".  Scheduled events come from scenario
files; emergent events come from the agents' decisions; both are applied here,
by the same code, and go into one log.

Every event moves trust (``mechanisms.trust.apply_event``) by its type's
Goldstein score; Russia reads some cooperative acts among others (enlargement,
forward presence, aid to its victims) as hostile, by the severity a parameter
sets (the security dilemma), the more so the more revisionist its leadership.  Then the type's effect, if any, changes the
world: accession, war, ceasefire, institutions, commitments, coercion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numba import njit

import sim.kernel_cache  # noqa: F401  (numba keeps this package's kernels fresh)
from sim.mechanisms import economy, enlargement, institutions, trust, war
from sim.world import World

GROUPS = ("NATO", "NSA")
FOUNDING_ACT_SIGNED = date(1997, 5, 27)


@dataclass(frozen=True)
class EventType:
    """A kind of event: its CAMEO code, Goldstein severity and how Russia reads it."""

    name: str
    cameo: str
    goldstein: float
    description: str
    perceived_by_russia_param: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Event:
    """One dated event, scheduled (from a scenario) or emergent (from a decision)."""

    date: date
    type: str
    actor: str
    targets: tuple[str, ...]
    label: str = ""
    source: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    origin: str = "scheduled"


_NO_ROWS = np.zeros(0, dtype=int)


def resolve_codes(w: World, codes: tuple[str, ...] | list[str]) -> np.ndarray:
    """Return the state rows named by codes; NATO stands for all current members.

    The returned array may be shared (one code gives a cached row): use it as an index only.
    """
    if len(codes) == 1:
        code = codes[0]
        if code == "NATO":
            return w.members().idx
        if code == "NSA":
            return _NO_ROWS
        return w.row_array(code)
    rows: list[int] = []
    for code in codes:
        if code == "NATO":
            rows.extend(np.flatnonzero(w.member).tolist())
        elif code == "NSA":
            continue
        else:
            rows.append(w.idx(code))
    return np.array(sorted(set(rows)), dtype=int)


def apply(w: World, p, event: Event, etype: EventType, step: int) -> None:
    """Apply an event to the world: its trust impact, then its type's effect."""
    actors = resolve_codes(w, (event.actor,))
    targets = resolve_codes(w, event.targets)
    reading = None
    if etype.perceived_by_russia_param and w.r not in actors and w.r not in targets:
        # an ambitious leadership reads the West's moves as more hostile than its predecessors did
        ambition = 1.0 + p.russia_reading_ambition * max(0.0, w.revisionism - p.initial_revisionism)
        reading = -min(10.0, float(getattr(p, etype.perceived_by_russia_param)) * ambition)
    scale = float(event.params.get("level", 1.0)) if etype.name in GRADED_ACTS else 1.0
    trust.apply_event(w, p, actors, targets, etype.goldstein, reading, etype.name in ARMED_ATTACKS, scale)
    if w.r in actors and len(targets) and w.r not in targets:
        # Russia's record of conduct toward others: conciliatory acts build it, hostile ones undo it
        w.conciliation = min(1.0, max(0.0, w.conciliation + etype.goldstein / 10.0))
    effect = EFFECTS.get(etype.name)
    if effect is not None:
        effect(w, p, event, actors, targets, step)


def _accession(w, p, event, actors, targets, step) -> None:
    for j in targets:
        if event.origin == "scheduled" and w.war[j] > p.conflict_level_threshold and not w.member[j]:
            # the alliance does not import a war: a state Russia is fighting when its scheduled
            # accession comes becomes a candidate, and joins when every member has ratified
            w.accession_scheduled[j] = False
            if not w.applicant[j]:
                w.applicant[j] = True
                w.applied_step[j] = step
            continue
        if not w.member[j]:
            enlargement.admit(w, j, step)
            w.accession_scheduled[j] = False
            # the Founding Act's limits cover states that joined after it was signed
            w.new_member[j] = event.date >= FOUNDING_ACT_SIGNED


def _application(w, p, event, actors, targets, step) -> None:
    for i in actors:
        if not w.member[i] and not w.applicant[i]:
            w.applicant[i] = True
            w.applied_step[i] = step


def _force(w, p, event, actors, targets, step) -> None:
    if w.r not in actors:
        return
    intensity = float(event.params.get("intensity", p.emergent_aggression_intensity))
    for j in targets:
        war.start(w, j, intensity)
        institutions.on_aggression(w, p, intensity, bool(w.member[j]))


def _ceasefire(w, p, event, actors, targets, step) -> None:
    residual = float(event.params.get("residual_intensity", 0.0))
    for j in targets:
        war.stop(w, j, residual)


def _perspective(w, p, event, actors, targets, step) -> None:
    if event.params.get("membership_perspective", False):
        # a promise of future membership (Bucharest 2008): not an application
        w.prospective[targets] = True


def _article5(w, p, event, actors, targets, step) -> None:
    w.article5 = True


def _agreement(w, p, event, actors, targets, step) -> None:
    institutions.open_institution(w, event.params.get("institution"), list(event.params.get("areas", [])))


def _material(w, p, event, actors, targets, step) -> None:
    institutions.open_institution(w, None, list(event.params.get("areas", [])))
    delta = float(event.params.get("energy_dependence_delta", 0.0))
    if delta:
        w.dependence[targets] = np.clip(w.dependence[targets] + delta, 0.0, 1.0)


def _leadership(w, p, event, actors, targets, step) -> None:
    if w.r in actors:
        w.revisionism_anchor = float(
            np.clip(w.revisionism_anchor + float(event.params.get("revisionism_delta", 0.0)), 0, 1)
        )


def _guideline(w, p, event, actors, targets, step) -> None:
    w.guideline_pct = float(event.params.get("pct", 2.0))
    strength = 1.0 if event.params.get("binding", False) else p.informal_pledge_strength
    w.pledge = max(w.pledge, strength)
    w.pledge_since = event.date.year + (event.date.month - 1) / 12.0
    w.pledge_horizon = float(event.params.get("target_year", 0.0))
    w.pledge_floor = w.pledge_floor or bool(event.params.get("floor", False))


def _presence(w, p, event, actors, targets, step) -> None:
    hosts = resolve_codes(w, event.params.get("hosts", event.targets))
    level = float(event.params.get("level", 0.3))
    w.presence_commit[hosts] = min(1.0, max(0.0, level))  # the level after the event


def _air_policing(w, p, event, actors, targets, step) -> None:
    hosts = resolve_codes(w, event.params.get("hosts", event.targets))
    level = float(event.params.get("level", 0.25))
    w.air_commit[hosts] = min(1.0, max(0.0, level))  # the level after the event


def _nuclear(w, p, event, actors, targets, step) -> None:
    if w.r in actors:
        # the allies' fear of nuclear escalation (read by their decisions on aid)
        w.nuclear_fear = min(1.0, w.nuclear_fear + float(event.params.get("level", p.emergent_nuclear_level)))


def _energy(w, p, event, actors, targets, step) -> None:
    if w.r in actors:
        economy.coerce(w, p, targets, float(event.params.get("cut", p.emergent_energy_cut)))


def _sanctions(w, p, event, actors, targets, step) -> None:
    if w.r in targets:
        level = float(event.params.get("level", p.sanctions_package))
        w.sanctions[actors] = np.minimum(1.0, np.maximum(w.sanctions[actors], level))


def _aid(w, p, event, actors, targets, step) -> None:
    level = event.params.get("level")
    if w.r in targets:
        # a partner arms Russia: more capability, and sanctions relief
        support = float(level if level is not None else 0.5)
        w.partner_support = support  # the partner's policy, until another event changes it
        w.partner_capability = support * p.aid_capability_share * float(w.cap[actors].sum())
    elif level is not None:
        w.aid[actors] = np.maximum(w.aid[actors], float(level))


def _set_parameter(w, p, event, actors, targets, step) -> None:
    setattr(p, event.params["parameter"], float(event.params["value"]))


#: attributes a state_change event may set, with their bounds; RUS-only scalars are separate
STATE_ATTRIBUTES: dict[str, tuple[str, float, float]] = {
    "solidarity": ("solidarity0", 0.0, 1.0),
    "resolve": ("resolve", 0.0, 1.0),
    "neutrality": ("neutrality", 0.0, 1.0),
    "stocks": ("stocks", 0.05, 1.0),
    "energy_dependence": ("dependence", 0.0, 1.0),
    "defence_spending_pct_gdp": ("spend", 0.0, 12.0),
}
RUSSIA_ATTRIBUTES: dict[str, str] = {"economic_strain": "strain", "revisionism": "revisionism_anchor"}


def _state_change(w, p, event, actors, targets, step) -> None:
    name = event.params["attribute"]
    if name in RUSSIA_ATTRIBUTES:
        field_name = RUSSIA_ATTRIBUTES[name]
        old = getattr(w, field_name)
        new = float(event.params["value"]) if "value" in event.params else old + float(event.params["delta"])
        setattr(w, field_name, min(1.0, max(0.0, new)))
        if name == "revisionism":  # a change of course moves ambition now, not only its anchor
            w.revisionism = w.revisionism_anchor
        return
    field_name, low, high = STATE_ATTRIBUTES[name]
    values = getattr(w, field_name)
    if "value" in event.params:
        values[targets] = float(event.params["value"])
    else:
        values[targets] += float(event.params["delta"])
    np.clip(values, low, high, out=values)
    if name == "solidarity":
        w.solidarity[targets] = np.minimum(w.solidarity[targets], w.solidarity0[targets])


def _hold_policy(w, p, event, actors, targets, step) -> None:
    """Nothing in the world changes at once: the model holds the decision (``sim.directives``) until ``until``."""


def _reduce_relations(w, p, event, actors, targets, step) -> None:
    from sim.world import ACTIVE, SUSPENDED

    between = (w.r in targets and w.member[actors].any()) or (w.r in actors and w.member[targets].any())
    # cutting the council or military cooperation suspends the dialogue channel; leaving an arms-control
    # treaty or closing missions is an act of hostility (trust) but leaves the council's meetings as they are
    council = event.params.get("channel", "nato_russia_council") in COUNCIL_CHANNELS
    if between and council and w.channel == ACTIVE:
        w.channel = SUSPENDED


#: the channels whose cut (``reduce_relations``) suspends the NATO–Russia dialogue channel
COUNCIL_CHANNELS = frozenset({"nato_russia_council", "military_cooperation"})

#: event types that are armed attacks (members read one on an ally as one on themselves)
ARMED_ATTACKS = frozenset({"military_aggression", "occupy_territory"})
#: event types whose ``level`` (0..1) scales their impact on trust
GRADED_ACTS = frozenset({"nuclear_signalling", "military_posture"})

Effect = Callable[[World, Any, Event, np.ndarray, np.ndarray, int], None]


def acts(etype: EventType) -> bool:
    """Return whether an event of this type changes the model (a trust impact, a reading or an effect)."""
    return etype.goldstein != 0.0 or etype.perceived_by_russia_param is not None or etype.name in EFFECTS

#: what each event type does beyond its trust impact
EFFECTS: dict[str, Effect] = {
    "accession": _accession,
    "membership_application": _application,
    "military_aggression": _force,
    "occupy_territory": _force,
    "ceasefire": _ceasefire,
    "diplomatic_cooperation": _perspective,
    "invoke_article_5": _article5,
    "sign_formal_agreement": _agreement,
    "material_cooperation": _material,
    "leadership_change": _leadership,
    "spending_guideline": _guideline,
    "forward_presence_commitment": _presence,
    "air_policing": _air_policing,
    "energy_coercion": _energy,
    "nuclear_signalling": _nuclear,
    "impose_sanctions": _sanctions,
    "provide_military_aid": _aid,
    "reduce_relations": _reduce_relations,
    "set_parameter": _set_parameter,
    "state_change": _state_change,
    "hold_policy": _hold_policy,
}


# -- the same, for several runs of a lockstep ensemble at once ------------------------------------------------------

@njit(cache=True)
def _severity(goldstein, exponent):
    """``trust.severity``, compiled (the same bits: numba's power is the C library's, as Python's is)."""
    x = goldstein / 10.0
    if x > 0.0:
        return x ** exponent
    if x < 0.0:
        return -((-x) ** exponent)
    return 0.0




@njit(cache=True)
def _apply_parts_runs(trust_, hostile, memory, conciliation, entry_runs, entry_part, entry_reading, actor_ptr,
                      actor_rows, target_ptr, target_rows, goldstein, scale, has_reading, collective, do_trust,
                      conciliate, r, exponent, negative_gain, positive_gain, betrayal_threshold, memory_gain, audience,
                      ally, russia_negative_gain, russia_positive_gain, russia_betrayal_threshold, enmity, member,
                      solidarity):
    # entry e: run entry_runs[e] receives part entry_part[e]'s event (the runs of a call are all different)
    for e in range(len(entry_runs)):
        q = entry_runs[e]
        k = entry_part[e]
        if do_trust[k]:
            actors = actor_rows[actor_ptr[k]:actor_ptr[k + 1]]
            targets = target_rows[target_ptr[k]:target_ptr[k + 1]]
            x = exponent[q]
            c = _severity(goldstein[k], x) * scale[k]
            read = _severity(entry_reading[e], x) * scale[k] if has_reading[k] else 0.0
            trust._apply_event(trust_[q], hostile[q], memory[q], actors, targets, c, read, has_reading[k], r,
                               negative_gain[q], positive_gain[q], -_severity(betrayal_threshold[q], x),
                               memory_gain[q], audience[q], ally[q], russia_negative_gain[q], russia_positive_gain[q],
                               -_severity(russia_betrayal_threshold[q], x), enmity[q], collective[k], member[q],
                               solidarity[q])
        if conciliate[k]:
            conciliation[q] = min(1.0, max(0.0, conciliation[q] + goldstein[k] / 10.0))


def apply_parts(W, P, worlds: list, params: list,
                parts: list[tuple[Event, EventType, np.ndarray, np.ndarray, np.ndarray]], step: int) -> None:
    """Apply several parts ``(event, type, runs, actors, targets)`` whose runs are all different.

    No run receives two of the events, so the order among the parts does not matter: every part's trust
    impact and Russia's conciliation record are applied in one compiled call, then each part's effect.
    """
    r = W.r
    n = len(parts)
    goldstein = np.empty(n)
    scale = np.empty(n)
    has_reading = np.zeros(n, dtype=np.bool_)
    collective = np.zeros(n, dtype=np.bool_)
    do_trust = np.zeros(n, dtype=np.bool_)
    conciliate = np.zeros(n, dtype=np.bool_)
    actor_ptr = [0]
    target_ptr = [0]
    actor_rows: list[np.ndarray] = []
    target_rows: list[np.ndarray] = []
    entry_runs: list[np.ndarray] = []
    entry_count: list[int] = []  # each part's number of runs (its entries' part index, repeated)
    entry_reading: list[np.ndarray] = []
    ambition = None
    for k, (event, etype, runs, actors, targets) in enumerate(parts):
        russia_acts = r in actors
        russia_named = russia_acts or r in targets
        reading = None
        if etype.perceived_by_russia_param and not russia_named:
            if ambition is None:
                ambition = 1.0 + P.russia_reading_ambition * np.maximum(0.0, W.revisionism - P.initial_revisionism)
            reading = -np.minimum(10.0, getattr(P, etype.perceived_by_russia_param)[runs] * ambition[runs])
        goldstein[k] = etype.goldstein
        scale[k] = float(event.params.get("level", 1.0)) if etype.name in GRADED_ACTS else 1.0
        has_reading[k] = reading is not None
        collective[k] = etype.name in ARMED_ATTACKS
        do_trust[k] = len(actors) > 0 and (etype.goldstein != 0.0 or reading is not None)
        conciliate[k] = russia_acts and len(targets) > 0 and r not in targets
        actor_rows.append(actors)
        target_rows.append(targets)
        actor_ptr.append(actor_ptr[-1] + len(actors))
        target_ptr.append(target_ptr[-1] + len(targets))
        entry_runs.append(runs)
        entry_count.append(len(runs))
        entry_reading.append(reading if reading is not None else np.zeros(len(runs)))
    _apply_parts_runs(
        W.trust, W.hostile, W.memory, W.conciliation, np.concatenate(entry_runs), np.repeat(np.arange(n), entry_count),
        np.concatenate(entry_reading), np.array(actor_ptr), np.concatenate(actor_rows).astype(np.int64),
        np.array(target_ptr), np.concatenate(target_rows).astype(np.int64), goldstein, scale, has_reading, collective,
        do_trust, conciliate, r, P.severity_exponent, P.trust_negative_gain, P.trust_positive_gain,
        P.betrayal_threshold, P.betrayal_memory_gain, P.trust_audience_salience, P.trust_ally_salience,
        P.russia_trust_negative_gain, P.russia_trust_positive_gain, P.russia_betrayal_threshold, P.aggressor_enmity,
        W.member, W.solidarity,
    )
    for event, etype, runs, actors, targets in parts:
        effect = EFFECTS.get(etype.name)
        if effect is None:
            continue
        batched = EFFECTS_RUNS.get(etype.name)
        if batched is not None and batched(W, P, runs, event, actors, targets):
            continue
        for q in runs.tolist():
            effect(worlds[q], params[q], event, actors, targets, step)


def _sanctions_runs(W, P, runs, event, actors, targets) -> bool:
    if W.r in targets:
        level = float(event.params["level"]) if "level" in event.params else P.sanctions_package[runs][:, None]
        cells = np.ix_(runs, actors)
        W.sanctions[cells] = np.minimum(1.0, np.maximum(W.sanctions[cells], level))
    return True


def _aid_runs(W, P, runs, event, actors, targets) -> bool:
    level = event.params.get("level")
    if W.r in targets:
        return False  # a partner arming Russia: run by run
    if level is not None:
        cells = np.ix_(runs, actors)
        W.aid[cells] = np.maximum(W.aid[cells], float(level))
    return True


def _perspective_runs(W, P, runs, event, actors, targets) -> bool:
    if event.params.get("membership_perspective", False):
        W.prospective[np.ix_(runs, targets)] = True
    return True


#: effects with a form over runs (those of the decisions taken in almost every step); a form returns False
#: when this event needs the effect run by run after all
EFFECTS_RUNS: dict[str, Callable[..., bool]] = {
    "impose_sanctions": _sanctions_runs,
    "provide_military_aid": _aid_runs,
    "diplomatic_cooperation": _perspective_runs,
}
