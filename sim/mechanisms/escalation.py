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

from sim.mechanisms.trust import rate
from sim.world import World


def implied_level(w: World, p) -> int:
    """Return the rung implied by current wars and recent hostility toward members."""
    war = float(w.war.max())
    ms = w.members()
    if war > p.conflict_level_threshold and (w.war[ms.idx] > p.conflict_level_threshold).any():
        return 5
    if war >= p.war_level_threshold:
        return 4
    if war > p.conflict_level_threshold:
        return 3
    k = ms.k
    hostility = float((np.minimum(1.0, w.hostile[:, w.r]) * ms.f).sum()) / k if k else 0.0
    if hostility > p.crisis_threshold:
        return 2
    if hostility > p.tension_threshold:
        return 1
    return 0


def update(w: World, p, months: int, rng: np.random.Generator) -> None:
    """Move the ladder: up at once, down one rung with the de-escalation probability; nuclear fear fades."""
    w.nuclear_fear *= 1.0 - rate(p.hostile_memory_decay, months)
    implied = implied_level(w, p)
    draw = rng.random()
    if implied >= w.escalation:
        w.escalation = implied
    elif draw < rate(p.deescalation_rate, months):
        w.escalation -= 1


def implied_level_runs(W, P) -> np.ndarray:
    """``implied_level`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    war = W.war.max(axis=1)
    conflict = P.conflict_level_threshold
    member = W.member
    hostility = np.zeros(len(war))
    calm = np.flatnonzero(war <= conflict)  # the runs whose rung the hostility toward members sets
    if len(calm):
        ms = member if len(calm) == len(war) else member[calm]
        k = ms.sum(axis=1)
        toward = W.hostile[:, :, W.r] if len(calm) == len(war) else W.hostile[calm, :, W.r]
        hostility[calm] = np.where(k > 0, (np.minimum(1.0, toward) * ms).sum(axis=1) / np.maximum(k, 1), 0.0)
    return np.select(
        [(war > conflict) & ((W.war > conflict[:, None]) & member).any(axis=1),
         war >= P.war_level_threshold, war > conflict, hostility > P.crisis_threshold, hostility > P.tension_threshold],
        [5, 4, 3, 2, 1], 0,
    )


def update_runs(W, P, months: int, draws: np.ndarray) -> None:
    """``update`` for every run of a lockstep ensemble (``draws[q]`` run q's one draw from its escalation stream)."""
    W.nuclear_fear *= 1.0 - P.rate("hostile_memory_decay", months)
    implied = implied_level_runs(W, P)
    down = (draws < P.rate("deescalation_rate", months)).astype(np.int64)
    W.escalation = np.where(implied >= W.escalation, implied, W.escalation - down)
