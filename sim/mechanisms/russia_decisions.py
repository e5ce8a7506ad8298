"""Russia's decisions: a stochastic (logit) choice from an action menu each step.

Article: "Several times, Russia wanted to impose its own vision on the
evolution of other states by getting involved in internal elections,
sabotaging the activity of financial institutions, attacking civil
infrastructure, and cyber-attacks"; "the Russians were using their energy
advantage to manipulate NATO member states"; "Neither NATO nor Russia rules out
the outbreak of a conflict between the two forces."

Each action's utility weighs its gains (revisionist ambition, hostility,
encirclement, energy leverage, weakness of the target's defence) against its
expected costs (sanctions strain, deterrence credibility, the value of an open
dialogue channel).  Choice probabilities are the logit (softmax) of utilities
divided by a temperature; the action and its target are drawn with the model's
seeded generator.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.mechanisms.institutions import channel_strength
from sim.numerics import pairwise_sum
from sim.world import ACTIONS, ACTIVE, NONE, SUSPENDED, World

if TYPE_CHECKING:
    from sim.lockstep import RunParams, WorldArrays

COOPERATE, DIALOGUE, STATUS_QUO, CYBER, ELECTION, SABOTAGE, ENERGY, NUCLEAR, AGGRESSION, ATTACK = (
    range(len(ACTIONS))
)

#: the event type each action emits (status quo emits none)
ACTION_EVENT: dict[str, str] = {
    "cooperate": "diplomatic_cooperation",
    "dialogue": "consult",
    "cyber_attack": "cyber_attack",
    "election_interference": "election_interference",
    "sabotage": "sabotage",
    "energy_coercion": "energy_coercion",
    "nuclear_signalling": "nuclear_signalling",
    "aggression_nonmember": "military_aggression",
    "attack_member": "military_aggression",
}


#: the parameters the decision reads, packed in this order into one row per run (``packed_parameters``)
DECISION_PARAMETERS: tuple[str, ...] = (
    "aggression_min_proximity", "conflict_level_threshold", "red_line_attraction",
    "u_aggression", "u_attack", "c_aggression", "c_attack", "c_deterrence", "c_force_strain", "c_aggression_at_war",
    "decision_temperature", "channel_strength_act", "channel_strength_none", "channel_strength_suspended",
    "drive_revisionism", "drive_hostility", "drive_encirclement", "u_hybrid", "c_hybrid",
    "u_cooperate", "c_cooperate_revisionism", "c_cooperate", "u_dialogue",
    "bias_cyber", "bias_election", "bias_sabotage", "u_energy", "c_energy", "u_nuclear", "c_nuclear",
    "target_focus",
)
(_MIN_PROXIMITY, _CONFLICT_LEVEL, _ATTRACTION, _U_AGGRESSION, _U_ATTACK, _C_AGGRESSION, _C_ATTACK, _C_DETERRENCE,
 _C_STRAIN, _C_AT_WAR, _TEMPERATURE, _CHANNEL_ACT, _CHANNEL_NONE, _CHANNEL_SUSPENDED, _DRIVE_REVISIONISM,
 _DRIVE_HOSTILITY, _DRIVE_ENCIRCLEMENT, _U_HYBRID, _C_HYBRID, _U_COOPERATE, _C_COOPERATE_REVISIONISM,
 _C_COOPERATE, _U_DIALOGUE, _BIAS_CYBER, _BIAS_ELECTION, _BIAS_SABOTAGE, _U_ENERGY, _C_ENERGY, _U_NUCLEAR,
 _C_NUCLEAR, _TARGET_FOCUS) = range(len(DECISION_PARAMETERS))
_read_parameters = operator.attrgetter(*DECISION_PARAMETERS)

#: Russia's scalar state the decision reads, packed in this order into one row per run (``packed_state``)
DECISION_STATE: tuple[str, ...] = (
    "revisionism", "strain", "hostility", "encirclement", "leverage", "red_line_violation", "channel", "nrc",
)
_REVISIONISM, _STRAIN, _HOSTILITY, _ENCIRCLEMENT, _LEVERAGE, _RED_LINE_VIOLATION, _CHANNEL, _NRC = (
    range(len(DECISION_STATE))
)
_read_state = operator.attrgetter(*DECISION_STATE)


def packed_parameters(p) -> np.ndarray:
    """Return one run's decision parameters as a (1, parameters) row in ``DECISION_PARAMETERS`` order."""
    return np.array([_read_parameters(p)], dtype=float)


def packed_state(w: World) -> np.ndarray:
    """Return one run's scalar state as a (1, values) row in ``DECISION_STATE`` order."""
    return np.array([_read_state(w)], dtype=float)


def packed_state_runs(W: WorldArrays) -> np.ndarray:
    """Return every run's scalar state as an (R, values) array in ``DECISION_STATE`` order."""
    return np.stack([getattr(W, name) for name in DECISION_STATE], axis=1).astype(float, copy=False)


def aggression_candidates(w: World, p) -> np.ndarray:
    """Return the mask of non-members Russia could attack: close enough and not already at war."""
    return w.eligible & ~w.member & (w.prox_r >= p.aggression_min_proximity) & (w.war <= p.conflict_level_threshold)


def attack_candidates(w: World, p) -> np.ndarray:
    """Return the mask of members Russia could attack: close enough and not already at war."""
    return w.member & (w.prox_r >= p.aggression_min_proximity) & (w.war <= p.conflict_level_threshold)


@njit(cache=True)
def _stakes(prox_r, applicant, red_line, attraction):
    n = len(prox_r)
    stakes = np.empty(n)
    for i in range(n):
        # closeness, and Russia's red lines: 1 + attraction * red line * (1 + applicant or member)
        stakes[i] = prox_r[i] * (1.0 + attraction * red_line[i] * (applicant[i] + 1.0))
    return stakes


def stakes(w: World, p) -> np.ndarray:
    """Return what force against each state is worth to Russia per unit of ambition (closeness, red lines)."""
    formal = w.applicant | w.member
    return _stakes(w.prox_r, formal, w.red_line, p.red_line_attraction)


@njit(cache=True)
def _force_utilities(candidates, member, stakes, deterrence, revisionism, strain, at_war, u_aggression,
                     u_attack, c_aggression, c_attack, c_deterrence, c_strain, c_at_war):
    n = len(stakes)
    u = np.full(n, -np.inf)
    for i in range(n):
        if not candidates[i]:
            continue
        gain = (u_attack if member[i] else u_aggression) * revisionism * stakes[i]
        # expected cost: the war itself, the target's credible defence, a strained economy, wars under way
        cost = (c_attack if member[i] else c_aggression) + c_deterrence * deterrence[i]
        u[i] = gain - cost - c_strain * strain - c_at_war * at_war
    return u


@njit(cache=True)
def _inclusive_value(u, take, want, temperature):
    """``T log Σ exp(u_j / T)`` over the j with ``take[j] == want`` and a finite ``u[j]`` (-inf if none)."""
    n = len(u)
    finite = np.empty(n)
    k = 0
    for j in range(n):
        if take[j] == want and np.isfinite(u[j]):
            finite[k] = u[j]
            k += 1
    if k == 0:
        return -np.inf
    top = finite[0]
    for j in range(1, k):
        top = max(top, finite[j])
    for j in range(k):
        finite[j] = np.exp((finite[j] - top) / temperature)
    return top + temperature * np.log(pairwise_sum(finite, k))


@njit(cache=True)
def _probabilities(u, temperature):
    """Logit choice probabilities of utilities at a temperature (NaN throughout if a utility is NaN)."""
    n = len(u)
    z = np.empty(n)
    top = -np.inf
    for a in range(n):
        z[a] = u[a] / temperature
        top = z[a] if np.isnan(z[a]) or np.isnan(top) else max(top, z[a])
    for a in range(n):
        z[a] = np.exp(z[a] - top)
    total = pairwise_sum(z, n)
    for a in range(n):
        z[a] = z[a] / total
    return z


@njit(cache=True)
def _pick(u, weights):
    """The index a uniform number u picks with probability proportional to weights (-1 if none)."""
    n = len(weights)
    total = pairwise_sum(weights, n)
    if not total > 0.0:  # none, or NaN weights
        return -1
    level = u * total
    cumulative = 0.0
    for k in range(n):  # the first cumulative sum past the level (searchsorted, side "right")
        cumulative += weights[k]
        if cumulative > level:
            return k
    for k in range(n - 1, -1, -1):  # u * total past the last cumulative sum, by rounding (u near 1)
        if weights[k] > 0.0:
            return k
    return -1


@njit(cache=True)
def _decision_utilities(pv, ws, prox_r, war, member, applicant, red_line, deterrence, eligible, force, u):
    # every run's force utilities (R, n) and action utilities (R, actions), written into ``force`` and ``u``
    n = prox_r.shape[1]
    candidates = np.empty(n, dtype=np.bool_)
    formal = np.empty(n, dtype=np.bool_)
    for q in range(prox_r.shape[0]):
        p, s = pv[q], ws[q]
        war_max = war[q, 0]
        for i in range(n):
            war_max = max(war_max, war[q, i])
            reach = prox_r[q, i] >= p[_MIN_PROXIMITY] and war[q, i] <= p[_CONFLICT_LEVEL]
            candidates[i] = reach and (member[q, i] or eligible[i])
            formal[i] = applicant[q, i] or member[q, i]
        revisionism, strain, hostility = s[_REVISIONISM], s[_STRAIN], s[_HOSTILITY]
        force[q] = _force_utilities(
            candidates, member[q], _stakes(prox_r[q], formal, red_line[q], p[_ATTRACTION]), deterrence[q],
            revisionism, strain, war_max, p[_U_AGGRESSION], p[_U_ATTACK], p[_C_AGGRESSION], p[_C_ATTACK],
            p[_C_DETERRENCE], p[_C_STRAIN], p[_C_AT_WAR])
        channel = int(s[_CHANNEL])
        if channel == ACTIVE:
            chan = p[_CHANNEL_ACT] + (1.0 - p[_CHANNEL_ACT]) * s[_NRC]
        elif channel == NONE:
            chan = p[_CHANNEL_NONE]
        elif channel == SUSPENDED:
            chan = p[_CHANNEL_SUSPENDED]
        else:
            chan = 0.0
        drive = (p[_DRIVE_REVISIONISM] * revisionism + p[_DRIVE_HOSTILITY] * hostility
                 + p[_DRIVE_ENCIRCLEMENT] * s[_ENCIRCLEMENT])
        hybrid = p[_U_HYBRID] * drive - p[_C_HYBRID] * (1.0 + chan)
        v = u[q]
        v[COOPERATE] = p[_U_COOPERATE] * chan * (1.0 - hostility) - p[_C_COOPERATE_REVISIONISM] * revisionism \
            - p[_C_COOPERATE]
        v[DIALOGUE] = p[_U_DIALOGUE] * chan * (0.5 + strain) - p[_C_COOPERATE_REVISIONISM] * 0.5 * revisionism \
            - p[_C_COOPERATE]
        v[STATUS_QUO] = 0.0
        v[CYBER] = hybrid + p[_BIAS_CYBER]
        v[ELECTION] = hybrid + p[_BIAS_ELECTION]
        v[SABOTAGE] = hybrid + p[_BIAS_SABOTAGE]
        v[ENERGY] = p[_U_ENERGY] * drive * s[_LEVERAGE] - p[_C_ENERGY] * (1.0 + strain)
        v[NUCLEAR] = p[_U_NUCLEAR] * (s[_ENCIRCLEMENT] + war_max + s[_RED_LINE_VIOLATION]) - p[_C_NUCLEAR]
        # force: a choice among targets, each weighed by its own deterrence (nested logit)
        v[AGGRESSION] = _inclusive_value(force[q], member[q], False, p[_TEMPERATURE])
        v[ATTACK] = _inclusive_value(force[q], member[q], True, p[_TEMPERATURE])


@njit(cache=True)
def _target_weights(action, p, force, member, applicant, prox_r, trust_r, aid, dependence, gdp, eligible):
    """One run's weights of the targets of ``action`` (zeros for an action without a target)."""
    n = len(force)
    weights = np.zeros(n)
    if action == AGGRESSION or action == ATTACK:
        # the target of force: each candidate with its logit weight exp(u_j / T)
        for i in range(n):
            if np.isfinite(force[i]) and member[i] == (action == ATTACK):
                weights[i] = np.exp(force[i] / p[_TEMPERATURE])
    elif action == CYBER or action == ELECTION or action == SABOTAGE or action == ENERGY:
        for i in range(n):
            if not eligible[i]:
                continue
            if action == ENERGY:
                x = dependence[i] * gdp[i]
            else:
                x = prox_r[i] * (1.0 - trust_r[i]) * (1.0 + aid[i] + applicant[i])
            if x > 0.0:
                weights[i] = x ** p[_TARGET_FOCUS]
    return weights



@njit(cache=True)
def _decision_choices(pv, u, force, member, applicant, prox_r, trust_r, aid, dependence, gdp, eligible, uniforms,
                 probs, action, target):
    # every run's probabilities, action and target (-1: none), written into ``probs``, ``action``, ``target``
    for q in range(u.shape[0]):
        p = pv[q]
        probs[q] = _probabilities(u[q], p[_TEMPERATURE])
        a = _pick(uniforms[q, 0], probs[q])
        if a < 0:  # no action has a probability (NaN utilities): the status quo, never the last action
            a = STATUS_QUO
        # the target's number is drawn whatever the action, so every step draws alike (common random numbers)
        t = _pick(uniforms[q, 1], _target_weights(a, p, force[q], member[q], applicant[q], prox_r[q], trust_r[q],
                                                   aid[q], dependence[q], gdp[q], eligible))
        if t < 0 and (a == AGGRESSION or a == ATTACK or a == CYBER or a == ELECTION or a == SABOTAGE
                      or a == ENERGY):
            a = STATUS_QUO
        action[q] = a
        target[q] = t


def _evaluate(w: World, p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return one run's packed parameters, its force utilities and its action utilities (``_decision_utilities``)."""
    pv = packed_parameters(p)
    force, u = np.empty((1, w.n)), np.empty((1, len(ACTIONS)))
    _decision_utilities(pv, packed_state(w), w.prox_r[None], w.war[None], w.member[None], w.applicant[None],
                    w.red_line[None], w.deterrence[None], w.eligible, force, u)
    return pv, force, u


def force_utilities(w: World, p) -> np.ndarray:
    """Return Russia's utility of using force against each state (-inf where it is no candidate).

    ``u_j = u * ρ * stakes_j - c - c_deterrence * credibility_j - c_force_strain * Σ - c_aggression_at_war * W``
    with ``u, c`` those of an attack on a member or of aggression against a non-member.
    """
    return _evaluate(w, p)[1][0]


def inclusive_value(u: np.ndarray, temperature: float) -> float:
    """Return ``T log Σ exp(u_j / T)``: the utility of a choice among targets (-inf if there is none)."""
    u = np.asarray(u, dtype=float)
    return float(_inclusive_value(u, np.ones(len(u), dtype=np.bool_), True, temperature))


def aggression_appeal(w: World, p) -> np.ndarray:
    """Return how tempting each state is as a target of force: exp(u_j / T), 0 where it is no candidate."""
    force = force_utilities(w, p)
    finite = np.isfinite(force)
    out = np.zeros(w.n)
    out[finite] = np.exp(force[finite] / p.decision_temperature)
    return out


def utilities(w: World, p) -> np.ndarray:
    """Return the utility of every action in the menu for Russia this step."""
    return _evaluate(w, p)[2][0]


def utility_terms(w: World, p) -> dict[str, dict[str, float]]:
    """Return each action's utility split into its named terms (they sum to ``utilities``), for explanations."""
    chan = channel_strength(w, p)
    drive = {
        "ambition": p.drive_revisionism * w.revisionism,
        "hostility": p.drive_hostility * w.hostility,
        "encirclement": p.drive_encirclement * w.encirclement,
    }
    war_max = float(w.war.max())
    u = utilities(w, p)
    hybrid = {f"drive: {k}": p.u_hybrid * v for k, v in drive.items()}
    hybrid["cost, more with an open channel"] = -p.c_hybrid * (1.0 + chan)
    terms = {
        "cooperate": {
            "open channel, less hostility": p.u_cooperate * chan * (1.0 - w.hostility),
            "ambition's cost": -p.c_cooperate_revisionism * w.revisionism,
            "cost": -p.c_cooperate,
        },
        "dialogue": {
            "open channel, economic strain": p.u_dialogue * chan * (0.5 + w.strain),
            "ambition's cost": -p.c_cooperate_revisionism * 0.5 * w.revisionism,
            "cost": -p.c_cooperate,
        },
        "status_quo": {},
        "cyber_attack": {**hybrid, "bias": p.bias_cyber},
        "election_interference": {**hybrid, "bias": p.bias_election},
        "sabotage": {**hybrid, "bias": p.bias_sabotage},
        "energy_coercion": {
            **{f"drive: {k} x leverage": p.u_energy * v * w.leverage for k, v in drive.items()},
            "cost, more under strain": -p.c_energy * (1.0 + w.strain),
        },
        "nuclear_signalling": {
            "encirclement": p.u_nuclear * w.encirclement,
            "wars under way": p.u_nuclear * war_max,
            "red lines crossed": p.u_nuclear * w.red_line_violation,
            "cost": -p.c_nuclear,
        },
    }
    # force: the inclusive value of the targets, split at the most tempting target's own terms
    force = force_utilities(w, p)
    st = stakes(w, p)
    for name, members in (("aggression_nonmember", False), ("attack_member", True)):
        mask = np.isfinite(force) & (w.member == members)
        if not mask.any():
            terms[name] = {"no target within reach": float(u[ACTIONS.index(name)])}
            continue
        j = int(np.flatnonzero(mask)[np.argmax(force[mask])])
        gain = (p.u_attack if members else p.u_aggression) * w.revisionism * st[j]
        parts = {
            f"gain: ambition x stakes in {w.codes[j]}": gain,
            "cost of the war": -(p.c_attack if members else p.c_aggression),
            f"deterrence of {w.codes[j]}": -p.c_deterrence * w.deterrence[j],
            "economic strain": -p.c_force_strain * w.strain,
            "wars under way": -p.c_aggression_at_war * war_max,
        }
        parts["other targets"] = float(u[ACTIONS.index(name)]) - sum(parts.values())
        terms[name] = parts
    return {a: {k: float(v) for k, v in terms[a].items()} for a in ACTIONS}


def probabilities(u: np.ndarray, temperature: float) -> np.ndarray:
    """Return logit choice probabilities of utilities at a temperature."""
    return _probabilities(np.asarray(u, dtype=float), float(temperature))


def choose_target(w: World, p, action: int, rng: np.random.Generator) -> list[int]:
    """Draw the target(s) of an action; an empty list means the alliance as a whole.

    One number is drawn whatever the action, so every step draws alike (common random numbers).
    """
    u = rng.random()
    if action not in TARGETED:
        return []
    pv, force, _ = _evaluate(w, p)
    weights = _target_weights(action, pv[0], force[0], w.member, w.applicant, w.prox_r, w.trust[w.r], w.aid,
                              w.dependence, w.gdp, w.eligible)
    k = _pick(u, weights)
    return [] if k < 0 else [k]


def decide(w: World, p, rng: np.random.Generator) -> tuple[int, list[int], np.ndarray]:
    """Choose Russia's action and its targets; return (action, targets, probabilities).

    The decision of a run alone is ``decide_runs`` over a run axis of one: the same kernels, the same draws.
    """
    uniforms = np.array([[rng.random(), rng.random()]])  # the action's draw, then the target's
    pv, force, u = _evaluate(w, p)
    probs = np.empty((1, len(ACTIONS)))
    action, target = np.empty(1, dtype=np.int64), np.empty(1, dtype=np.int64)
    _decision_choices(pv, u, force, w.member[None], w.applicant[None], w.prox_r[None], w.trust[w.r][None], w.aid[None],
                 w.dependence[None], w.gdp[None], w.eligible, uniforms, probs, action, target)
    t = int(target[0])
    return int(action[0]), [] if t < 0 else [t], probs[0]


# -- every run of a lockstep ensemble at once: the same kernels over a run axis ---------------------------

#: the actions whose target is drawn (an action left without a target becomes the status quo)
TARGETED: tuple[int, ...] = (AGGRESSION, ATTACK, CYBER, ELECTION, SABOTAGE, ENERGY)


def decide_runs(W: WorldArrays, P: RunParams, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``decide`` for every run; ``uniforms[q]`` are run q's two draws (the action's, the target's).

    Return (action, target, probabilities): arrays over runs, target -1 for none (the alliance as a whole).
    """
    pv = P.packed(DECISION_PARAMETERS)
    R, n = W.prox_r.shape
    force, u, probs = np.empty((R, n)), np.empty((R, len(ACTIONS))), np.empty((R, len(ACTIONS)))
    action, target = np.empty(R, dtype=np.int64), np.empty(R, dtype=np.int64)
    _decision_utilities(pv, packed_state_runs(W), W.prox_r, W.war, W.member, W.applicant, W.red_line, W.deterrence,
                    W.eligible, force, u)
    _decision_choices(pv, u, force, W.member, W.applicant, W.prox_r, W.trust[:, W.r], W.aid, W.dependence, W.gdp,
                 W.eligible, np.ascontiguousarray(uniforms), probs, action, target)
    return action, target, probs
