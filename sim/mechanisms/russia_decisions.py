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

import numpy as np
from numba import njit

from sim.mechanisms.institutions import channel_strength
from sim.world import ACTIONS, World

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
    """Return the mask of non-members close enough for Russia to attack."""
    return w.eligible & ~w.member & (w.prox_r >= p.aggression_min_proximity)


def attack_candidates(w: World, p) -> np.ndarray:
    """Return the mask of members close enough for Russia to attack."""
    return w.member & (w.prox_r >= p.aggression_min_proximity)


def _reach(w: World, p) -> np.ndarray:
    """Return the mask of states other than Russia close enough to attack (cached per threshold)."""
    key = p.aggression_min_proximity
    cached = w.__dict__.get("_reach")
    if cached is None or cached[0] != key:
        cached = (key, (w.prox_r >= key) & w.not_r)
        w._reach = cached
    return cached[1]


@njit(cache=True)
def _appeal(deterrence, prox_r, applicant, red_line, reach, attraction):
    n = len(deterrence)
    appeal = np.zeros(n)
    for i in range(n):
        if reach[i]:
            # weak defence and closeness tempt; red lines attract: 1 + attraction * red line * (1 + applicant)
            appeal[i] = (1.0 - deterrence[i]) * prox_r[i] * (1.0 + attraction * red_line[i] * (applicant[i] + 1.0))
    return appeal


@njit(cache=True)
def _best_targets(appeal, member, eligible):
    best_member, best_nonmember = 0.0, 0.0
    for i in range(len(appeal)):
        if member[i]:
            best_member = max(best_member, appeal[i])
        elif eligible[i]:
            best_nonmember = max(best_nonmember, appeal[i])
    return best_member, best_nonmember


def aggression_appeal(w: World, p) -> np.ndarray:
    """Return how tempting each state is as a target of force (0 where it is too far)."""
    return _appeal(w.deterrence, w.prox_r, w.applicant, w.red_line, _reach(w, p), p.red_line_attraction)


def utilities(w: World, p) -> np.ndarray:
    """Return the utility of every action in the menu for Russia this step."""
    chan = channel_strength(w, p)
    drive = (
        p.drive_revisionism * w.revisionism
        + p.drive_hostility * w.hostility
        + p.drive_encirclement * w.encirclement
    )
    war_max = float(w.war.max())
    # the most tempting member and non-member (appeal is never negative)
    best_member, best_nonmember = _best_targets(aggression_appeal(w, p), w.member, w.eligible)
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
        p.u_aggression * w.revisionism * best_nonmember
        - p.c_aggression * (1.0 + w.strain)
        - p.c_aggression_at_war * war_max,
        p.u_attack * w.revisionism * best_member - p.c_attack,
    )
    return np.array(u, dtype=float)


def probabilities(u: np.ndarray, temperature: float) -> np.ndarray:
    """Return logit choice probabilities of utilities at a temperature."""
    z = u / temperature
    z = np.exp(z - z.max())
    return z / z.sum()


def _draw(rng: np.random.Generator, weights: np.ndarray) -> int:
    """Draw an index with probability proportional to non-negative weights."""
    total = weights.sum()
    if total <= 0.0:
        return -1
    return int(weights.cumsum().searchsorted(rng.random() * total, side="right"))


def choose_target(w: World, p, action: int, rng: np.random.Generator) -> list[int]:
    """Draw the target(s) of an action; an empty list means the alliance as a whole."""
    if action == AGGRESSION:
        weights = np.where(aggression_candidates(w, p), aggression_appeal(w, p), 0.0)
    elif action == ATTACK:
        weights = np.where(attack_candidates(w, p), aggression_appeal(w, p), 0.0)
    elif action in (CYBER, ELECTION, SABOTAGE):
        weights = np.where(
            w.eligible, w.prox_r * (1.0 - w.trust[w.r]) * (1.0 + w.aid + w.applicant), 0.0
        )
    elif action == ENERGY:
        weights = np.where(w.eligible, w.dependence * w.gdp, 0.0)
    else:
        return []
    weights = np.where(weights > 0.0, weights**p.target_focus, 0.0)
    k = _draw(rng, weights)
    return [] if k < 0 else [k]


def decide(w: World, p, rng: np.random.Generator) -> tuple[int, list[int], np.ndarray]:
    """Choose Russia's action and its targets; return (action, targets, probabilities)."""
    probs = probabilities(utilities(w, p), p.decision_temperature)
    action = _draw(rng, probs)
    targets = choose_target(w, p, action, rng)
    if action in (AGGRESSION, ATTACK, CYBER, ELECTION, SABOTAGE, ENERGY) and not targets:
        action = STATUS_QUO
    return action, targets, probs
