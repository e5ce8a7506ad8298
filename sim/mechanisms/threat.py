"""Threat perception: each state's perceived threat from each other state.

Article: "NATO considers the Russian state the main danger to its member
states"; "Russia, on the one hand, sees NATO as a threat to its own security as
a result of the bloc's expansion".  Threat grows with the other side's
capability relative to one's own, closeness, the trust deficit and recent
hostile acts, and (for everyone looking at Russia) with Russia's wars nearby.

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


def matrix(w: World, p) -> np.ndarray:
    """Return the full threat matrix: row i's perceived threat from column j."""
    cap = w.cap
    ratio = cap / (cap + cap[:, None] + 1e-9)
    z = (p.threat_capability_weight * w.prox) * ratio
    z += np.maximum(-w.trust, 0.0) * p.threat_distrust_weight
    z += np.minimum(w.hostile, 1.0) * p.threat_hostile_weight
    if np.count_nonzero(w.war):
        z[:, w.r] += p.threat_war_weight * (w.prox * w.war).max(axis=1)
    z[w.r] += (p.threat_encirclement_weight * w.encirclement) * w.member
    threat = 1.0 - np.exp(-z)
    threat[w.diag, w.diag] = 0.0
    return threat


@njit(cache=True)
def _slices(cap, prox_r, prox, trust, hostile, war, member, r, capability_weight, distrust_weight,
            hostile_weight, war_weight, encirclement_pressure):
    n = len(cap)
    from_russia, of_russia = np.empty(n), np.empty(n)
    for i in range(n):
        if i == r:
            from_russia[i], of_russia[i] = 0.0, 0.0
            continue
        # capability: the other side's share of the pair's capability, times closeness
        pair = cap[i] + cap[r] + 1e-9
        z0 = prox_r[i] * (capability_weight * cap[r]) / pair
        z1 = capability_weight * prox_r[i] * cap[i] / pair
        # distrust and recent hostile acts
        z0 += min(trust[i, r], 0.0) * -distrust_weight + min(hostile[i, r], 1.0) * hostile_weight
        z1 += min(trust[r, i], 0.0) * -distrust_weight + min(hostile[r, i], 1.0) * hostile_weight
        # Russia's wars nearby: the closest war weighed by its intensity
        near = 0.0
        for k in range(n):
            if war[k] != 0.0:
                near = max(near, prox[i, k] * war[k])
        z0 += near * war_weight
        # the security dilemma: Russia's threat from members rises with encirclement
        if member[i]:
            z1 += encirclement_pressure
        from_russia[i] = 1.0 - np.exp(-z0)
        of_russia[i] = 1.0 - np.exp(-z1)
    return from_russia, of_russia


def update(w: World, p) -> None:
    """Recompute every state's threat from Russia and Russia's threat from every state.

    Both slices follow the formula of ``matrix`` term by term: each state looking at
    Russia (Russia's column of the relations) and Russia looking at each state (its row).
    """
    w.threat_from_russia, w.russia_threat = _slices(
        w.cap, w.prox_r, w.prox, w.trust, w.hostile, w.war, w.member, w.r,
        p.threat_capability_weight, p.threat_distrust_weight, p.threat_hostile_weight, p.threat_war_weight,
        p.threat_encirclement_weight * w.encirclement,
    )


def from_russia(w: World) -> np.ndarray:
    """Return every state's perceived threat from Russia."""
    return w.threat_from_russia
