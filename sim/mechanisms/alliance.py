"""Alliance solidarity and cohesion.

Article: "some member states ... are not in solidarity with other member
states facing certain problems"; "NATO still has to deal with the
collaborative policies that Turkey maintains in some places with Russia"; the
crisis tested "whether states can set aside individual differences in favor of
cooperation to eliminate the common enemy".

Each member's solidarity relaxes toward its own baseline, raised by the threat
it perceives (a common enemy rallies the alliance).  Cohesion is mean
solidarity discounted by the spread of members' views of Russia.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.world import World


@njit(cache=True)
def _rally(solidarity, solidarity0, threat, rally, adjust):
    for i in range(len(solidarity)):
        # target = solidarity0 + rally * threat * (1 - solidarity0)
        target = rally * threat[i] * (1.0 - solidarity0[i]) + solidarity0[i]
        solidarity[i] = min(max(solidarity[i] + (target - solidarity[i]) * adjust, 0.0), 1.0)


@njit(cache=True)
def _rally_runs(solidarity, solidarity0, threat, rally, adjust):
    for q in range(solidarity.shape[0]):
        _rally(solidarity[q], solidarity0[q], threat[q], rally[q], adjust[q])


def update_solidarity(w: World, p, months: int) -> None:
    """Move each state's solidarity toward its baseline, raised by the threat it perceives."""
    _rally(w.solidarity, w.solidarity0, w.threat_from_russia, p.solidarity_rally, rate(p.solidarity_rate, months))


def update_solidarity_runs(W, P, months: int) -> None:
    """``update_solidarity`` for every run of a lockstep ensemble."""
    _rally_runs(W.solidarity, W.solidarity0, W.threat_from_russia, P.solidarity_rally, P.rate("solidarity_rate", months))


@njit(cache=True)
def _cohesion(solidarity, views, spread_weight):
    k = len(views)
    mean_solidarity = solidarity.sum() / k
    mean_view = views.sum() / k
    spread = 0.0
    for v in views:
        spread += (v - mean_view) ** 2
    spread = math.sqrt(spread / k)
    return min(1.0, max(0.0, mean_solidarity * (1.0 - spread_weight * spread)))


@njit(cache=True)
def _cohesion_runs(solidarity, trust, member, r, spread_weight, out):
    for q in range(member.shape[0]):
        idx = np.flatnonzero(member[q])
        out[q] = _cohesion(solidarity[q][idx], trust[q][idx, r], spread_weight[q]) if len(idx) else 0.0


def cohesion(w: World, p) -> None:
    """Recompute the cohesion index: members' mean solidarity less their disagreement on Russia."""
    ms = w.members()
    if ms.k == 0:
        w.cohesion = 0.0
        return
    w.cohesion = _cohesion(w.solidarity[ms.idx], w.trust[ms.idx, w.r], p.cohesion_spread_weight)


def cohesion_runs(W, P) -> None:
    """``cohesion`` for every run of a lockstep ensemble."""
    _cohesion_runs(W.solidarity, W.trust, W.member, W.r, P.cohesion_spread_weight, W.cohesion)
