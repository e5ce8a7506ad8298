"""Threat perception: each state's perceived threat from each other state.

Article: "NATO considers the Russian state the main danger to its member
states"; "Russia, on the one hand, sees NATO as a threat to its own security as
a result of the bloc's expansion".  Threat grows with the other side's
capability relative to one's own, closeness, the trust deficit and recent
hostile acts, and (for everyone looking at Russia) with Russia's wars nearby; a member
also feels an armed attack on the alliance (on itself, or on an ally in proportion to
its solidarity: Article 5) wherever it is fought and whatever its intensity.

``matrix(w, p)[i, j]`` is state i's perceived threat from state j, in [0, 1):
``1 - exp(-z)`` with ``z`` the weighted sum of those terms.  Each step the model
keeps the two slices its agents act on — every state's threat from Russia and
Russia's threat from every state — computed by the same formula; the full
matrix is available on demand for analysis.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.world import World


@njit(cache=True, inline="always")  # inlined into the loops below: no call (and array refcounts) per pair
def _threat(i, j, cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
            hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure):
    """State i's perceived threat from state j: ``1 - exp(-z)``."""
    if i == j:
        return 0.0
    # capability: the other side's share of the pair's capability, times closeness
    z = capability_weight * prox[i, j] * cap[j] / (cap[i] + cap[j] + 1e-9)
    # distrust and recent hostile acts
    z += max(-trust[i, j], 0.0) * distrust_weight + min(hostile[i, j], 1.0) * hostile_weight
    if j == r:
        # Russia's wars nearby: the closest war weighed by its intensity; and, for a member,
        # a war on the alliance itself (Article 5), weighed by its solidarity
        near, allied = 0.0, 0.0
        for k in range(len(war)):
            if war[k] != 0.0:
                # closeness to the war, or, for Russia's neighbours, its lesson: a neighbour of Russia invaded;
                # weighed by the war's severity (intensity to the events' severity exponent)
                closeness = max(prox[i, k], prox[i, j] * prox[k, j])
                near = max(near, closeness * war[k] ** exponent)
                if member[i] and member[k] and war[k] > armed_attack:
                    # an armed attack on one is an attack on all, whatever its intensity (Article 5)
                    allied = max(allied, 1.0 if k == i else solidarity[i])
        z += near * war_weight + allied * alliance_war_weight
    if i == r and member[j]:
        z += encirclement_pressure  # the security dilemma: Russia's threat from members rises with encirclement
    return 1.0 - np.exp(-z)


# the weights are named, not ``*weights``: a star-argument call is not inlined
@njit(cache=True)
def _matrix(cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
            hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure):
    n = len(cap)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = _threat(i, j, cap, prox, trust, hostile, war, member, solidarity, r, capability_weight,
                                distrust_weight, hostile_weight, war_weight, alliance_war_weight, armed_attack,
                                exponent, encirclement_pressure)
    return out


@njit(cache=True)
def _slices(cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
            hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure):
    n = len(cap)
    from_russia, of_russia = np.empty(n), np.empty(n)
    _slices_into(cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
                 hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure,
                 from_russia, of_russia)
    return from_russia, of_russia


@njit(cache=True, inline="always")
def _slices_into(cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
                 hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure,
                 from_russia, of_russia):
    """``_threat`` for Russia's column and row, with the wars found once rather than once per state.

    The same arithmetic in the same order as ``_threat`` (tested bit for bit against ``_matrix``): the states
    at war, their severities and whether each is an armed attack are read once per call, so the loop over
    the wars for each state looking at Russia visits the few states at war, not all of them.
    """
    n = len(cap)
    at_war = np.empty(n, dtype=np.int64)
    severity = np.empty(n)
    attacked = np.empty(n, dtype=np.bool_)
    wars = 0
    for k in range(n):
        if war[k] != 0.0:
            at_war[wars] = k
            severity[wars] = war[k] ** exponent
            attacked[wars] = member[k] and war[k] > armed_attack
            wars += 1
    for i in range(n):
        # state i looking at Russia (j = r): ``_threat(i, r, ...)``
        if i == r:
            from_russia[i] = 0.0
        else:
            z = capability_weight * prox[i, r] * cap[r] / (cap[i] + cap[r] + 1e-9)
            z += max(-trust[i, r], 0.0) * distrust_weight + min(hostile[i, r], 1.0) * hostile_weight
            near, allied = 0.0, 0.0
            for a in range(wars):
                k = at_war[a]
                closeness = max(prox[i, k], prox[i, r] * prox[k, r])
                near = max(near, closeness * severity[a])
                if member[i] and attacked[a]:
                    allied = max(allied, 1.0 if k == i else solidarity[i])
            z += near * war_weight + allied * alliance_war_weight
            from_russia[i] = 1.0 - np.exp(-z)
        # Russia looking at state i: ``_threat(r, i, ...)`` (no war term: that is for a state looking at Russia)
        of_russia[i] = _threat(r, i, cap, prox, trust, hostile, war, member, solidarity, r, capability_weight,
                               distrust_weight, hostile_weight, war_weight, alliance_war_weight, armed_attack,
                               exponent, encirclement_pressure)


@njit(cache=True)
def _slices_runs(cap, prox, trust, hostile, war, member, solidarity, r, capability_weight, distrust_weight,
                 hostile_weight, war_weight, alliance_war_weight, armed_attack, exponent, encirclement_pressure,
                 from_russia, of_russia):
    for q in range(cap.shape[0]):
        _slices_into(cap[q], prox[q], trust[q], hostile[q], war[q], member[q], solidarity[q], r,
                     capability_weight[q], distrust_weight[q], hostile_weight[q], war_weight[q],
                     alliance_war_weight[q], armed_attack[q], exponent[q], encirclement_pressure[q],
                     from_russia[q], of_russia[q])


def _arguments(w: World, p) -> tuple:
    return (w.cap, w.prox, w.trust, w.hostile, w.war, w.member, w.solidarity, w.r, p.threat_capability_weight,
            p.threat_distrust_weight, p.threat_hostile_weight, p.threat_war_weight, p.threat_alliance_war_weight,
            p.conflict_level_threshold, p.severity_exponent, p.threat_encirclement_weight * w.encirclement)


def matrix(w: World, p) -> np.ndarray:
    """Return the full threat matrix: row i's perceived threat from column j."""
    return _matrix(*_arguments(w, p))


def update(w: World, p) -> None:
    """Recompute every state's threat from Russia and Russia's threat from every state.

    The two slices of ``matrix`` the agents act on, by the same formula: each state
    looking at Russia (Russia's column) and Russia looking at each state (its row).
    """
    w.threat_from_russia, w.russia_threat = _slices(*_arguments(w, p))


def update_runs(W, P) -> None:
    """``update`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    _slices_runs(W.cap, W.prox, W.trust, W.hostile, W.war, W.member, W.solidarity, W.r, P.threat_capability_weight,
                 P.threat_distrust_weight, P.threat_hostile_weight, P.threat_war_weight, P.threat_alliance_war_weight,
                 P.conflict_level_threshold, P.severity_exponent, P.threat_encirclement_weight * W.encirclement,
                 W.threat_from_russia, W.russia_threat)


def from_russia(w: World) -> np.ndarray:
    """Return every state's perceived threat from Russia."""
    return w.threat_from_russia
