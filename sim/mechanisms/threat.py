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

from sim.world import World


def matrix(w: World, p) -> np.ndarray:
    """Return the full threat matrix: row i's perceived threat from column j."""
    cap = w.cap
    ratio = cap / (cap + cap[:, None] + 1e-9)
    z = (p.threat_capability_weight * w.prox) * ratio
    z += np.maximum(-w.trust, 0.0) * p.threat_distrust_weight
    z += np.minimum(w.hostile, 1.0) * p.threat_hostile_weight
    if w.war.any():
        z[:, w.r] += p.threat_war_weight * (w.prox * w.war).max(axis=1)
    z[w.r] += (p.threat_encirclement_weight * w.encirclement) * w.member
    threat = 1.0 - np.exp(-z)
    threat[w.diag, w.diag] = 0.0
    return threat


def update(w: World, p) -> None:
    """Recompute every state's threat from Russia and Russia's threat from every state."""
    r, cap = w.r, w.cap
    # column: each state looking at Russia
    z = (p.threat_capability_weight * cap[r]) * w.prox_r / (cap[r] + cap + 1e-9)
    z += np.maximum(-w.trust[:, r], 0.0) * p.threat_distrust_weight
    z += np.minimum(w.hostile[:, r], 1.0) * p.threat_hostile_weight
    if w.war.any():
        z += p.threat_war_weight * (w.prox * w.war).max(axis=1)
    col = 1.0 - np.exp(-z)
    col[r] = 0.0
    # row: Russia looking at each state (the security dilemma adds encirclement)
    z = (p.threat_capability_weight * w.prox_r) * cap / (cap + cap[r] + 1e-9)
    z += np.maximum(-w.trust[r], 0.0) * p.threat_distrust_weight
    z += np.minimum(w.hostile[r], 1.0) * p.threat_hostile_weight
    z += (p.threat_encirclement_weight * w.encirclement) * w.member
    row = 1.0 - np.exp(-z)
    row[r] = 0.0
    w.threat_from_russia = col
    w.russia_threat = row


def from_russia(w: World) -> np.ndarray:
    """Return every state's perceived threat from Russia."""
    return w.threat_from_russia
