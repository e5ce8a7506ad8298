"""Escalation: a discrete ladder from peace to a direct NATO–Russia war.

Article: "Neither NATO nor Russia rules out the outbreak of a conflict between
the two forces"; "NATO expects anything in the future, including a direct
confrontation with Russia".

Levels: 0 peace, 1 tension, 2 crisis, 3 armed confrontation (a frozen or
low-intensity conflict), 4 war between Russia and a non-member, 5 NATO–Russia
war.  The level implied by wars and recent hostile acts is computed each step;
the ladder jumps up at once and steps down one rung at a time, with a monthly
probability (escalation is quick, de-escalation slow).  How wars go on and end is
``sim.mechanisms.war``; the level feeds back into Russia's decisions there (a higher
rung raises the value of a ceasefire) and in its choice of force (a war under way
raises the cost of another).  Russia's nuclear signals leave the allies a fear of
nuclear escalation (``nuclear_fear``, raised by each signal's level, fading like the
memory of hostile acts) that holds back their military aid to Russia's victims.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.numerics import at, pairwise_sum
from sim.world import World


@njit(cache=True)
def _implied_level(war, member, hostile, r, conflict, war_level, crisis, tension):
    """One run's rung implied by its wars and the recent hostility toward its members."""
    n = len(war)
    top = war[0]
    member_at_war = False
    for i in range(n):
        top = max(top, war[i])
        if member[i] and war[i] > conflict:
            member_at_war = True
    if top > conflict and member_at_war:
        return 5
    if top >= war_level:
        return 4
    if top > conflict:
        return 3
    toward = np.zeros(n)  # each member's memory of Russia's hostile acts, at most 1, averaged over the members
    k = 0
    for i in range(n):
        if member[i]:
            toward[i] = min(1.0, hostile[i, r])
            k += 1
    hostility = pairwise_sum(toward, n) / k if k else 0.0
    if hostility > crisis:
        return 2
    if hostility > tension:
        return 1
    return 0


@njit(cache=True)
def _ladder(war, member, hostile, r, escalation, nuclear_fear, draws, conflict, war_level, crisis, tension,
            fear_keep, down_rate):
    # every run's ladder (a run alone: a run axis of one, its parameters as numbers), moved in place
    for q in range(war.shape[0]):
        nuclear_fear[q] *= at(fear_keep, q)
        implied = _implied_level(war[q], member[q], hostile[q], r, at(conflict, q), at(war_level, q),
                                 at(crisis, q), at(tension, q))
        if implied >= escalation[q]:
            escalation[q] = implied
        elif draws[q] < at(down_rate, q):
            escalation[q] -= 1


def implied_level(w: World, p) -> int:
    """Return the rung implied by current wars and recent hostility toward members."""
    return int(_implied_level(w.war, w.member, w.hostile, w.r, p.conflict_level_threshold, p.war_level_threshold,
                              p.crisis_threshold, p.tension_threshold))


def update(w: World, p, months: int, rng: np.random.Generator) -> None:
    """Move the ladder: up at once, down one rung with the de-escalation probability; nuclear fear fades.

    A run alone is ``update_runs``'s kernel over a run axis of one (its draw is taken whatever the ladder does).
    """
    escalation, fear = np.array([w.escalation], dtype=np.int64), np.array([w.nuclear_fear])
    _ladder(w.war[None], w.member[None], w.hostile[None], w.r, escalation, fear, np.array([rng.random()]),
            p.conflict_level_threshold, p.war_level_threshold, p.crisis_threshold, p.tension_threshold,
            1.0 - rate(p.hostile_memory_decay, months), rate(p.deescalation_rate, months))
    w.escalation, w.nuclear_fear = int(escalation[0]), float(fear[0])


def update_runs(W, P, months: int, draws: np.ndarray) -> None:
    """``update`` for every run of a lockstep ensemble (``draws[q]`` run q's one draw from its escalation stream)."""
    _ladder(W.war, W.member, W.hostile, W.r, W.escalation, W.nuclear_fear, draws, P.conflict_level_threshold,
            P.war_level_threshold, P.crisis_threshold, P.tension_threshold,
            1.0 - P.rate("hostile_memory_decay", months), P.rate("deescalation_rate", months))
