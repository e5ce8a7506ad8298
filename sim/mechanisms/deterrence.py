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


def commit_forces_runs(W, P, months: int) -> None:
    """``commit_forces`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    target = np.minimum(P.max_war_commitment, P.war_commitment * W.war.sum(axis=1))
    committed = W.committed
    W.committed = np.where(target >= committed, target,
                           committed + P.rate("reconstitution_rate", months) * (target - committed))


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
    pool = float((ready * w.members().f).sum())  # a sum, not a BLAS dot: the same bits in a lockstep ensemble
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


@njit(cache=True)
def _credibility_runs(capacity, aid_received, russian_power, member, presence, resolve, r, local_weight,
                      intercept, article5, presence_weight, resolve_weight, out):
    for q in range(capacity.shape[0]):
        out[q] = _credibility(capacity[q], aid_received[q], russian_power[q], member[q], presence[q], resolve[q], r,
                              local_weight[q], intercept[q], article5[q], presence_weight[q], resolve_weight[q])


def update(w: World, p, aid_received: np.ndarray) -> None:
    """Recompute the deterrence credibility of every state against Russia."""
    capacity = w.cap * w.stocks
    w.deterrence = _credibility(
        capacity, aid_received, russian_local_power(w, p), w.member, w.presence, w.resolve, w.r,
        p.det_local_weight, p.det_intercept,
        p.det_article5_weight * w.cohesion * reinforcement(w, p, capacity),
        p.deterrence_presence_weight, p.det_resolve_weight,
    )


def reinforcement_runs(W, P, capacity: np.ndarray) -> np.ndarray:
    """``reinforcement(w, p, capacity)`` for every run of a lockstep ensemble (``capacity`` is ``W.cap * W.stocks``)."""
    ready = capacity * W.solidarity
    pool = (ready * W.member.astype(float)).sum(axis=1)
    us = W.us
    if us >= 0:
        pool = np.where(W.member[:, us], pool - (1.0 - P.us_commitment) * ready[:, us], pool)
    return np.minimum(1.0, pool / (P.reinforcement_ratio_ref * W.cap[:, W.r] + 1e-9))


def update_runs(W, P, aid_received: np.ndarray) -> None:
    """``update`` for every run of a lockstep ensemble (``aid_received`` the runs' rows, shape (R, n))."""
    capacity = W.cap * W.stocks
    r = W.r
    power = W.cap[:, r, None] * (1.0 - W.committed)[:, None] * W.prox_r
    article5 = P.det_article5_weight * W.cohesion * reinforcement_runs(W, P, capacity)
    _credibility_runs(capacity, aid_received, power, W.member, W.presence, W.resolve, r, P.det_local_weight,
                      P.det_intercept, article5, P.deterrence_presence_weight, P.det_resolve_weight, W.deterrence)
