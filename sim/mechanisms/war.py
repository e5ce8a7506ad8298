"""Wars as processes: Russia sustains, scales down or ends each war by weighing its aims against its costs.

Article: "Russia is fighting directly with Ukrainian troops"; "These measures, also
supported by NATO, aim to end a war"; "The measures taken so far ... have weakened
Russia's power to act"; "NATO expects anything in the future, including a direct
confrontation with Russia".

A war has an intensity (0..1) and an aim: the intensity Russia committed when it
used force (the event's intensity, or a ceasefire's residual fighting).  Each month
Russia weighs continuing: its gain (ambition times what the target is worth to it,
as in its choice of force) against the target's defence as it perceives it
(deterrence credibility, with the aid and reinforcements it receives), its economic
strain, the exhaustion the war has built up (intensity times months, against
``exhaustion_months``) and, against a member, the war with the whole alliance.  Its will to fight is
the logistic of that net value; intensity moves toward aim times will, so a war is
sustained only as long as Russia chooses to sustain it.  A war ends in one of two
ways, each with its own event: a negotiated ceasefire (a monthly hazard that rises
as continuing loses value, with the escalation ladder, and as exhaustion wears down
the defender's resolve), or exhaustion (Russia scales the war down until it is over).  A war
never fades by relaxation alone.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.russia_decisions import stakes
from sim.mechanisms.trust import rate
from sim.world import ESCALATION_LEVELS, World

FADED = 0.01  # a war scaled down below this intensity is over
TOP_LEVEL = len(ESCALATION_LEVELS) - 1


@njit(cache=True)
def _net_value(war, member, stakes, deterrence, exhaustion, revisionism, strain, u_war, c_deterrence, c_strain,
               c_alliance, c_exhaustion):
    n = len(war)
    value = np.zeros(n)
    for j in range(n):
        if war[j] == 0.0:
            continue
        # gain of continuing - the defence it meets - strain - exhaustion - (a member) the war with the alliance
        value[j] = (u_war * revisionism * stakes[j] - c_deterrence * deterrence[j] - c_strain * strain
                    - c_exhaustion * exhaustion[j])
        if member[j]:
            value[j] -= c_alliance
    return value


def net_value(w: World, p) -> np.ndarray:
    """Return Russia's net value of continuing each of its wars (0 where there is none)."""
    return _net_value(w.war, w.member, stakes(w, p), w.deterrence, w.exhaustion, w.revisionism, w.strain,
                      p.u_war, p.c_deterrence, p.c_force_strain, p.c_war_alliance, p.c_war_exhaustion)


@njit(cache=True)
def _net_value_runs(war, member, prox_r, applicant, red_line, attraction, deterrence, exhaustion, revisionism, strain,
                    u_war, c_deterrence, c_strain, c_alliance, c_exhaustion):
    runs, n = war.shape
    value = np.zeros((runs, n))
    stakes = np.empty(n)
    for q in range(runs):
        for i in range(n):
            # russia_decisions._stakes, as written there: closeness and Russia's red lines
            formal = applicant[q, i] or member[q, i]
            stakes[i] = prox_r[q, i] * (1.0 + attraction[q] * red_line[q, i] * (formal + 1.0))
        value[q] = _net_value(war[q], member[q], stakes, deterrence[q], exhaustion[q], revisionism[q], strain[q],
                              u_war[q], c_deterrence[q], c_strain[q], c_alliance[q], c_exhaustion[q])
    return value


def will(value: np.ndarray, temperature: float) -> np.ndarray:
    """Return Russia's will to fight each war: the logistic of its net value over the temperature."""
    return 1.0 / (1.0 + np.exp(-value / temperature))


@njit(cache=True)
def _conduct(war, aim, months_at_war, exhaustion, will, draws, resolve, settle_level, adjust, hazard_rate,
             resolve_weight, wear, months):
    n = len(war)
    ended = np.zeros(n, dtype=np.int64)  # 0 going on or none, 1 negotiated ceasefire, 2 exhaustion
    for j in range(n):
        if war[j] == 0.0:
            continue
        begun = months_at_war[j] == 0.0
        months_at_war[j] += months
        exhaustion[j] += war[j] * wear  # both sides wear out with the war's intensity and length
        if begun:
            continue  # a war begun this step is fought for the step before it can be settled
        # negotiation: continuing loses value (1 - will), the ladder raises the price; the defender's
        # resolve holds it back until exhaustion wears it down
        settle = min(1.0, 1.0 - will[j] + settle_level)
        hazard = hazard_rate * settle * (1.0 - resolve_weight * resolve[j] * max(0.0, 1.0 - exhaustion[j]))
        if months > 1:
            hazard = 1.0 - (1.0 - hazard) ** months
        if draws[j] < hazard:
            ended[j] = 1
            continue
        war[j] += (aim[j] * will[j] - war[j]) * adjust
        if war[j] < FADED:
            ended[j] = 2
    return ended


@njit(cache=True)
def _conduct_runs(war, aim, months_at_war, exhaustion, war_will, logistic, draws, resolve, escalation_weight,
                  escalation, adjust, hazard_rate, resolve_weight, wear, months):
    # ``conduct``'s steps after its draws, run by run: a run without a war is left as it is; in a run at
    # war the will is the logistic where there is a war (0 elsewhere), then the wars are conducted
    runs, n = war.shape
    ended = np.zeros((runs, n), dtype=np.int64)
    for q in range(runs):
        at_war = False
        for j in range(n):
            if war[q, j] != 0.0:
                at_war = True
                break
        if not at_war:
            continue
        for j in range(n):
            war_will[q, j] = logistic[q, j] if war[q, j] > 0.0 else 0.0
        settle_level = escalation_weight[q] * escalation[q] / TOP_LEVEL
        ended[q] = _conduct(war[q], aim[q], months_at_war[q], exhaustion[q], war_will[q], draws[q], resolve[q],
                            settle_level, adjust[q], hazard_rate[q], resolve_weight[q], wear[q], months)
    return ended


#: the label of each way a war ends (the event's label says why)
ENDINGS = {1: "negotiated ceasefire", 2: "war ends in exhaustion: Russia's costs exceed its aims"}


def conduct(w: World, p, months: int, rng: np.random.Generator) -> list[tuple[str, str, list[str], str]]:
    """Advance every war one step; return the ceasefire events of the wars that end (the model applies them)."""
    draws = rng.random(w.n)
    if not np.count_nonzero(w.war):
        return []
    value = net_value(w, p)
    w.war_will = np.where(w.war > 0.0, will(value, p.decision_temperature), 0.0)
    settle_level = p.ceasefire_escalation_weight * w.escalation / TOP_LEVEL
    ended = _conduct(w.war, w.war_aim, w.war_months, w.exhaustion, w.war_will, draws, w.resolve, settle_level,
                     rate(p.war_adjustment_rate, months), p.ceasefire_rate, p.ceasefire_resolve_weight,
                     months / p.exhaustion_months, months)
    return [("ceasefire", "RUS", [w.codes[j]], ENDINGS[int(ended[j])]) for j in ended.nonzero()[0]]


def conduct_runs(W, P, months: int, draws: np.ndarray) -> list[tuple[int, list[tuple[str, str, list[str], str]]]]:
    """``conduct`` for every run of a lockstep ensemble; return (run, its ceasefire events) for the runs where a war ends.

    ``draws[q]`` are run q's n draws from its war stream (drawn at war or not, as ``conduct`` draws them);
    each run's events are in the order of its states, as ``conduct`` returns them.
    """
    if not W.war.any():
        return []
    value = _net_value_runs(W.war, W.member, W.prox_r, W.applicant, W.red_line, P.red_line_attraction, W.deterrence,
                            W.exhaustion, W.revisionism, W.strain, P.u_war, P.c_deterrence, P.c_force_strain,
                            P.c_war_alliance, P.c_war_exhaustion)
    ended = _conduct_runs(W.war, W.war_aim, W.war_months, W.exhaustion, W.war_will,
                          will(value, P.decision_temperature[:, None]), draws, W.resolve,
                          P.ceasefire_escalation_weight, W.escalation, P.rate("war_adjustment_rate", months),
                          P.ceasefire_rate, P.ceasefire_resolve_weight, months / P.exhaustion_months, months)
    codes = W.codes
    return [(int(q), [("ceasefire", "RUS", [codes[j]], ENDINGS[int(ended[q, j])]) for j in ended[q].nonzero()[0]])
            for q in np.flatnonzero(ended.any(axis=1))]


def start(w: World, j: int, intensity: float) -> None:
    """Russia uses force against state j: the war's intensity and aim rise to at least ``intensity``."""
    if w.war[j] == 0.0:  # a new war
        w.war_months[j] = 0
        w.exhaustion[j] = 0.0
    w.war[j] = max(w.war[j], intensity)
    w.war_aim[j] = max(w.war_aim[j], intensity)


def stop(w: World, j: int, residual: float) -> None:
    """A ceasefire: fighting falls to the residual (0 ends the war); the aim follows it."""
    w.war[j] = min(w.war[j], residual)
    w.war_aim[j] = min(w.war_aim[j], residual)
    if w.war[j] < FADED:
        w.war[j] = 0.0
        w.war_aim[j] = 0.0
