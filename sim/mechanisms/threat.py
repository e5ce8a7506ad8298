"""Threat perception: each state's perceived threat from each other state.

Article: "NATO considers the Russian state the main danger to its member
states"; "Russia, on the one hand, sees NATO as a threat to its own security as
a result of the bloc's expansion".  Threat grows with the other side's
capability relative to one's own, closeness, the trust deficit and recent
hostile acts, and (for everyone looking at Russia) with Russia's wars nearby.

``threat[i, j]`` is state i's perceived threat from state j, in [0, 1).
"""

from __future__ import annotations

import numpy as np

from sim.world import World


def update(w: World, p) -> None:
    """Recompute the threat matrix from capability, proximity, distrust and hostility."""
    cap = w.cap
    ratio = cap / (cap + cap[:, None] + 1e-9)
    z = (p.threat_capability_weight * w.prox) * ratio
    z += np.maximum(w.trust, 0.0) * p.threat_distrust_weight - w.trust * p.threat_distrust_weight
    z += np.minimum(w.hostile, 1.0) * p.threat_hostile_weight
    if w.war.any():
        z[:, w.r] += p.threat_war_weight * (w.prox * w.war).max(axis=1)
    z[w.r] += (p.threat_encirclement_weight * w.encirclement) * w.member
    threat = 1.0 - np.exp(-z)
    threat[w.diag, w.diag] = 0.0
    w.threat = threat


def from_russia(w: World) -> np.ndarray:
    """Return every state's perceived threat from Russia."""
    return w.threat[:, w.r]
