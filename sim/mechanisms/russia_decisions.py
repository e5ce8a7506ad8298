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

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.mechanisms.institutions import channel_strength
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


@njit(cache=True)
def _stakes_runs(prox_r, applicant, red_line, attraction):
    out = np.empty(prox_r.shape)
    for q in range(prox_r.shape[0]):
        out[q] = _stakes(prox_r[q], applicant[q], red_line[q], attraction[q])
    return out


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
def _force_utilities_runs(candidates, member, stakes, deterrence, revisionism, strain, at_war, u_aggression,
                          u_attack, c_aggression, c_attack, c_deterrence, c_strain, c_at_war):
    out = np.empty(stakes.shape)
    for q in range(stakes.shape[0]):
        out[q] = _force_utilities(candidates[q], member[q], stakes[q], deterrence[q], revisionism[q], strain[q],
                                  at_war[q], u_aggression[q], u_attack[q], c_aggression[q], c_attack[q],
                                  c_deterrence[q], c_strain[q], c_at_war[q])
    return out


def force_utilities(w: World, p) -> np.ndarray:
    """Return Russia's utility of using force against each state (-inf where it is no candidate).

    ``u_j = u * ρ * stakes_j - c - c_deterrence * credibility_j - c_force_strain * Σ - c_aggression_at_war * W``
    with ``u, c`` those of an attack on a member or of aggression against a non-member.
    """
    candidates = aggression_candidates(w, p) | attack_candidates(w, p)
    return _force_utilities(
        candidates, w.member, stakes(w, p), w.deterrence, w.revisionism, w.strain, float(w.war.max()),
        p.u_aggression, p.u_attack, p.c_aggression, p.c_attack, p.c_deterrence, p.c_force_strain,
        p.c_aggression_at_war,
    )


def inclusive_value(u: np.ndarray, temperature: float) -> float:
    """Return ``T log Σ exp(u_j / T)``: the utility of a choice among targets (-inf if there is none)."""
    finite = u[np.isfinite(u)]
    if len(finite) == 0:
        return -np.inf
    top = float(finite.max())
    return top + temperature * float(np.log(np.exp((finite - top) / temperature).sum()))


def aggression_appeal(w: World, p) -> np.ndarray:
    """Return how tempting each state is as a target of force: exp(u_j / T), 0 where it is no candidate."""
    u = force_utilities(w, p)
    finite = np.isfinite(u)
    out = np.zeros(w.n)
    out[finite] = np.exp(u[finite] / p.decision_temperature)
    return out


def utilities(w: World, p) -> np.ndarray:
    """Return the utility of every action in the menu for Russia this step."""
    chan = channel_strength(w, p)
    drive = (
        p.drive_revisionism * w.revisionism
        + p.drive_hostility * w.hostility
        + p.drive_encirclement * w.encirclement
    )
    war_max = float(w.war.max())
    force = force_utilities(w, p)
    hybrid = p.u_hybrid * drive - p.c_hybrid * (1.0 + chan)
    u = (
        p.u_cooperate * chan * (1.0 - w.hostility) - p.c_cooperate_revisionism * w.revisionism - p.c_cooperate,
        p.u_dialogue * chan * (0.5 + w.strain) - p.c_cooperate_revisionism * 0.5 * w.revisionism - p.c_cooperate,
        0.0,  # the status quo
        hybrid + p.bias_cyber,
        hybrid + p.bias_election,
        hybrid + p.bias_sabotage,
        p.u_energy * drive * w.leverage - p.c_energy * (1.0 + w.strain),
        p.u_nuclear * (w.encirclement + war_max + w.red_line_violation) - p.c_nuclear,
        # force: a choice among targets, each weighed by its own deterrence (nested logit)
        inclusive_value(np.where(w.member, -np.inf, force), p.decision_temperature),
        inclusive_value(np.where(w.member, force, -np.inf), p.decision_temperature),
    )
    return np.array(u, dtype=float)


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
    z = u / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


def _pick(u: float, weights: np.ndarray) -> int:
    """Return the index a uniform number u picks with probability proportional to weights (-1 if none)."""
    total = weights.sum()
    if not total > 0.0:  # none, or NaN weights
        return -1
    k = int(weights.cumsum().searchsorted(u * total, side="right"))
    if k >= len(weights):  # u * total past the last cumulative sum, by rounding (u near 1): the last weighted index
        k = int(np.flatnonzero(weights > 0.0)[-1])
    return k


def _draw(rng: np.random.Generator, weights: np.ndarray) -> int:
    """Draw an index with probability proportional to non-negative weights."""
    return _pick(rng.random(), weights)


def choose_target(w: World, p, action: int, rng: np.random.Generator) -> list[int]:
    """Draw the target(s) of an action; an empty list means the alliance as a whole.

    One number is drawn whatever the action, so every step draws alike (common random numbers).
    """
    u = rng.random()
    if action in (AGGRESSION, ATTACK):
        # the target of force: each candidate with its logit weight exp(u_j / T)
        appeal = aggression_appeal(w, p)
        weights = np.where(w.member if action == ATTACK else ~w.member, appeal, 0.0)
    elif action in (CYBER, ELECTION, SABOTAGE):
        weights = np.where(
            w.eligible, w.prox_r * (1.0 - w.trust[w.r]) * (1.0 + w.aid + w.applicant), 0.0
        )
        weights = np.where(weights > 0.0, weights**p.target_focus, 0.0)
    elif action == ENERGY:
        weights = np.where(w.eligible, w.dependence * w.gdp, 0.0)
        weights = np.where(weights > 0.0, weights**p.target_focus, 0.0)
    else:
        return []
    k = _pick(u, weights)
    return [] if k < 0 else [k]


def decide(w: World, p, rng: np.random.Generator) -> tuple[int, list[int], np.ndarray]:
    """Choose Russia's action and its targets; return (action, targets, probabilities)."""
    probs = probabilities(utilities(w, p), p.decision_temperature)
    action = _draw(rng, probs)
    if action < 0:  # no action has a probability (NaN utilities): the status quo, never ACTIONS[-1]
        action = STATUS_QUO
    targets = choose_target(w, p, action, rng)
    if action in (AGGRESSION, ATTACK, CYBER, ELECTION, SABOTAGE, ENERGY) and not targets:
        action = STATUS_QUO
    return action, targets, probs


# -- lockstep forms: every run of an ensemble at once ------------------------------------------------
# Each does for the (R, ...) arrays of ``WorldArrays`` and ``RunParams`` what its per-run function above
# does for one run, operation for operation, so that each run gets the bits it gets alone.

#: the actions whose target is drawn (an action left without a target becomes the status quo)
TARGETED: tuple[int, ...] = (AGGRESSION, ATTACK, CYBER, ELECTION, SABOTAGE, ENERGY)
_TARGETED = np.isin(np.arange(len(ACTIONS)), TARGETED)
_HYBRID = np.isin(np.arange(len(ACTIONS)), (CYBER, ELECTION, SABOTAGE))


def _channel_strength_runs(W: WorldArrays, P: RunParams) -> np.ndarray:
    """``channel_strength`` of every run."""
    ch = W.channel
    return np.where(ch == ACTIVE, P.channel_strength_act + (1.0 - P.channel_strength_act) * W.nrc,
                    np.where(ch == NONE, P.channel_strength_none,
                             np.where(ch == SUSPENDED, P.channel_strength_suspended, 0.0)))


def force_utilities_runs(W: WorldArrays, P: RunParams) -> np.ndarray:
    """``force_utilities`` of every run: an (R, n) array, -inf where a state is no candidate."""
    reach = (W.prox_r >= P.aggression_min_proximity[:, None]) & (W.war <= P.conflict_level_threshold[:, None])
    candidates = (W.eligible & ~W.member & reach) | (W.member & reach)
    st = _stakes_runs(W.prox_r, W.applicant | W.member, W.red_line, P.red_line_attraction)
    return _force_utilities_runs(
        candidates, W.member, st, W.deterrence, W.revisionism, W.strain, W.war.max(axis=1),
        P.u_aggression, P.u_attack, P.c_aggression, P.c_attack, P.c_deterrence, P.c_force_strain,
        P.c_aggression_at_war,
    )


def inclusive_values_runs(u: np.ndarray, mask: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """``inclusive_value`` of each run's utilities ``u[q][mask[q]]`` at its temperature (-inf where none).

    A run's terms are summed as its own compacted array is (numpy's pairwise sum groups terms by their
    count, so zeros in place of the others would change the last bit): runs with the same candidates
    are taken together, their candidates' columns; past a few such groups, the rest are packed, their
    terms first, and summed in groups of equal count.
    """
    out = np.full(len(u), -np.inf)
    rest = np.flatnonzero(mask.any(axis=1))
    for _ in range(_GROUPS):
        if len(rest) == 0:
            return out
        same = (mask[rest] == mask[rest[0]]).all(axis=1)
        rows, rest = rest[same], rest[~same]
        t = temperature[rows]
        finite = u[np.ix_(rows, np.flatnonzero(mask[rows[0]]))]
        top = finite.max(axis=1)
        out[rows] = top + t * np.log(np.exp((finite - top[:, None]) / t[:, None]).sum(axis=1))
    if len(rest) == 0:
        return out
    u, mask, temperature = u[rest], mask[rest], temperature[rest]
    counts = mask.sum(axis=1)
    top = np.where(mask, u, -np.inf).max(axis=1)
    packed = np.take_along_axis(u, np.argsort(~mask, axis=1, kind="stable"), axis=1)
    # places past a run's count hold no term of it: set to its top (finite), then left out of its sum
    packed = np.where(np.arange(u.shape[1]) < counts[:, None], packed, top[:, None])
    terms = np.exp((packed - top[:, None]) / temperature[:, None])
    sums = np.empty(len(rest))
    for count in np.unique(counts):
        runs = counts == count
        sums[runs] = terms[runs, :count].sum(axis=1)
    out[rest] = top + temperature * np.log(sums)
    return out


#: groups of runs with the same candidates that ``inclusive_values_runs`` takes one by one before packing
_GROUPS = 4


def utilities_runs(W: WorldArrays, P: RunParams, force: np.ndarray | None = None) -> np.ndarray:
    """``utilities`` of every run: an (R, actions) array (``force``: ``force_utilities_runs``, if known)."""
    chan = _channel_strength_runs(W, P)
    drive = (
        P.drive_revisionism * W.revisionism
        + P.drive_hostility * W.hostility
        + P.drive_encirclement * W.encirclement
    )
    war_max = W.war.max(axis=1)
    if force is None:
        force = force_utilities_runs(W, P)
    hybrid = P.u_hybrid * drive - P.c_hybrid * (1.0 + chan)
    u = np.empty((len(chan), len(ACTIONS)))
    u[:, COOPERATE] = P.u_cooperate * chan * (1.0 - W.hostility) - P.c_cooperate_revisionism * W.revisionism \
        - P.c_cooperate
    u[:, DIALOGUE] = P.u_dialogue * chan * (0.5 + W.strain) - P.c_cooperate_revisionism * 0.5 * W.revisionism \
        - P.c_cooperate
    u[:, STATUS_QUO] = 0.0
    u[:, CYBER] = hybrid + P.bias_cyber
    u[:, ELECTION] = hybrid + P.bias_election
    u[:, SABOTAGE] = hybrid + P.bias_sabotage
    u[:, ENERGY] = P.u_energy * drive * W.leverage - P.c_energy * (1.0 + W.strain)
    u[:, NUCLEAR] = P.u_nuclear * (W.encirclement + war_max + W.red_line_violation) - P.c_nuclear
    finite = np.isfinite(force)
    u[:, AGGRESSION] = inclusive_values_runs(force, finite & ~W.member, P.decision_temperature)
    u[:, ATTACK] = inclusive_values_runs(force, finite & W.member, P.decision_temperature)
    return u


def probabilities_runs(u: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """``probabilities`` of every run's utilities (rows of ``u``) at its temperature."""
    z = u / temperature[:, None]
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _pick_runs(uniform: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``_pick`` of every run: the index each row's uniform picks from its weights (-1 if none)."""
    total = weights.sum(axis=1)
    # weights >= 0: the cumulative sums are sorted, and searchsorted(side="right") counts those <= the value
    k = (weights.cumsum(axis=1) <= (uniform * total)[:, None]).sum(axis=1)
    n = weights.shape[1]
    last = n - 1 - np.argmax(weights[:, ::-1] > 0.0, axis=1)  # each row's last weighted index
    k = np.where(k >= n, last, k)
    return np.where(~(total > 0.0), -1, k)


def _focus_runs(weights: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """``np.where(weights > 0, weights ** focus, 0)`` per row, each run's exponent a Python float (as alone)."""
    if (focus == focus[0]).all():  # an ensemble of seeds: one value (numpy's scalar power, as in one run)
        powered = weights ** float(focus[0])
    else:
        powered = np.empty_like(weights)
        for value in np.unique(focus):
            rows = focus == value
            powered[rows] = weights[rows] ** float(value)
    return np.where(weights > 0.0, powered, 0.0)


def target_weights_runs(W: WorldArrays, P: RunParams, action: np.ndarray, force: np.ndarray) -> np.ndarray:
    """``choose_target``'s weights for each run's action: an (R, n) array, zeros for an untargeted action."""
    weights = np.zeros(force.shape)
    rows = np.flatnonzero((action == AGGRESSION) | (action == ATTACK))
    if len(rows):
        f = force[rows]
        finite = np.isfinite(f)
        appeal = np.zeros(f.shape)
        appeal[finite] = np.exp((f / P.decision_temperature[rows, None])[finite])
        own = np.where((action[rows] == ATTACK)[:, None], W.member[rows], ~W.member[rows])
        weights[rows] = np.where(own, appeal, 0.0)
    rows = np.flatnonzero(_HYBRID[action])
    if len(rows):
        exposure = np.where(
            W.eligible,
            W.prox_r[rows] * (1.0 - W.trust[rows, W.r]) * (1.0 + W.aid[rows] + W.applicant[rows]),
            0.0,
        )
        weights[rows] = _focus_runs(exposure, P.target_focus[rows])
    rows = np.flatnonzero(action == ENERGY)
    if len(rows):
        exposure = np.where(W.eligible, W.dependence[rows] * W.gdp[rows], 0.0)
        weights[rows] = _focus_runs(exposure, P.target_focus[rows])
    return weights


def decide_runs(W: WorldArrays, P: RunParams, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``decide`` for every run; ``uniforms[q]`` are run q's two draws (the action's, the target's).

    Return (action, target, probabilities): arrays over runs, target -1 for none (the alliance as a whole).
    """
    force = force_utilities_runs(W, P)
    probs = probabilities_runs(utilities_runs(W, P, force), P.decision_temperature)
    action = _pick_runs(uniforms[:, 0], probs)
    action = np.where(action < 0, STATUS_QUO, action)
    target = _pick_runs(uniforms[:, 1], target_weights_runs(W, P, action, force))
    action = np.where(_TARGETED[action] & (action >= 0) & (target < 0), STATUS_QUO, action)
    return action, target, probs
