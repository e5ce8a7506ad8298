"""Deterrence: the credibility of each state's defence as Russia perceives it.

Article: "This military component of deterrence is based on the response and
mobility of the force package with a high level of readiness and the
semi-permanent presence of forces deployed on the territory of the states on
NATO's eastern border with Russia"; "The main purpose of these forces is
deterrence".  Credibility weighs the defender's local capability and readiness,
allied forward presence (battlegroups, air policing), Article 5 coverage scaled
by alliance cohesion and reinforcing capability, and the defender's resolve,
against the capability Russia can bring to bear locally.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.world import World


def commit_forces(w: World, p, months: int) -> None:
    """Move the share of Russia's forces its wars tie down: at once into a war, slowly back out of one.

    Forces freed by a war's end return at ``reconstitution_rate`` (losses are rebuilt, units re-formed).
    """
    target = min(p.max_war_commitment, p.war_commitment * float(w.war.sum()))
    if target >= w.committed:
        w.committed = target
    else:
        w.committed += rate(p.reconstitution_rate, months) * (target - w.committed)


def russian_local_power(w: World, p) -> np.ndarray:
    """Return the capability Russia can bring against each state (US$ bn equivalent)."""
    return w.cap[w.r] * (1.0 - w.committed) * w.prox_r


def reinforcement(w: World, p, capacity: np.ndarray | None = None) -> float:
    """Return the alliance's reinforcing capability relative to Russia's, capped at 1.

    ``capacity`` is ``cap * stocks`` when the caller has it already.
    """
    ready = w.cap * w.stocks if capacity is None else capacity * w.solidarity
    if capacity is None:
        ready *= w.solidarity
    pool = float(ready @ w.members().f)
    us = w.us
    if us >= 0 and w.member[us]:
        pool -= (1.0 - p.us_commitment) * float(ready[us])
    return min(1.0, pool / (p.reinforcement_ratio_ref * w.cap[w.r] + 1e-9))


@njit(cache=True)
def _credibility(capacity, aid_received, russian_power, member, presence, resolve, r, local_weight,
                 intercept, article5, presence_weight, resolve_weight):
    n = len(capacity)
    cred = np.empty(n)
    for i in range(n):
        # local balance: the defender's ready capability (and aid) against Russia's locally available power
        x = np.log((capacity[i] + aid_received[i] + 0.1) / (russian_power[i] + 0.1)) * local_weight
        x += intercept
        if member[i]:
            x += article5  # Article 5: cohesion times the alliance's reinforcing capability
        x += presence_weight * presence[i] + resolve_weight * resolve[i]
        cred[i] = 1.0 / (1.0 + np.exp(-x))
    cred[r] = 1.0  # Russia does not deter itself; reported as NaN
    return cred


def update(w: World, p, aid_received: np.ndarray) -> None:
    """Recompute the deterrence credibility of every state against Russia."""
    capacity = w.cap * w.stocks
    w.deterrence = _credibility(
        capacity, aid_received, russian_local_power(w, p), w.member, w.presence, w.resolve, w.r,
        p.det_local_weight, p.det_intercept,
        p.det_article5_weight * w.cohesion * reinforcement(w, p, capacity),
        p.deterrence_presence_weight, p.det_resolve_weight,
    )
