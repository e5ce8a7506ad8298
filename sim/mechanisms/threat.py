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

from sim.world import ONE, ZERO, World, constant

_TINY = constant(1e-9)


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


def update(w: World, p) -> None:
    """Recompute every state's threat from Russia and Russia's threat from every state.

    Row 0 of the work array is each state looking at Russia (its column of the
    relations), row 1 Russia looking at each state (its row); both follow the
    formula of ``matrix`` term by term.
    """
    r, cap, n = w.r, w.cap, w.n
    cap_r = cap[r]
    z = np.empty((2, n))
    term = np.empty((2, n))
    # capability: the other side's share of the pair's capability, times closeness
    pair = cap + cap_r
    pair += _TINY
    np.divide(w.prox_r * (p.threat_capability_weight * cap_r), pair, out=z[0])
    np.divide((p.threat_capability_weight * w.prox_r) * cap, pair, out=z[1])
    # distrust: max(-trust, 0) * weight, written as min(trust, 0) * -weight
    np.minimum(w.trust[:, r], ZERO, out=term[0])
    np.minimum(w.trust[r], ZERO, out=term[1])
    term *= -p.threat_distrust_weight
    z += term
    np.minimum(w.hostile[:, r], ONE, out=term[0])
    np.minimum(w.hostile[r], ONE, out=term[1])
    term *= p.threat_hostile_weight
    z += term
    war = w.war
    if np.count_nonzero(war):
        # Russia's wars nearby: the closest war weighed by its intensity (other states add 0)
        at_war = war.nonzero()[0]
        if len(at_war) == 1:
            k = at_war[0]
            near = w.prox[:, k] * war[k]
        else:
            near = (w.prox[:, at_war] * war[at_war]).max(axis=1)
        near *= p.threat_war_weight
        z[0] += near
    # the security dilemma: Russia's threat from members rises with encirclement
    z[1] += (p.threat_encirclement_weight * w.encirclement) * w.members().f
    np.negative(z, out=z)
    np.exp(z, out=z)
    np.subtract(ONE, z, out=z)
    z[:, r] = 0.0
    w.threat_from_russia = z[0]
    w.russia_threat = z[1]


def from_russia(w: World) -> np.ndarray:
    """Return every state's perceived threat from Russia."""
    return w.threat_from_russia
