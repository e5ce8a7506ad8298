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

from sim.mechanisms.trust import rate
from sim.world import ONE, ZERO, World


def update_solidarity(w: World, p, months: int) -> None:
    """Move each state's solidarity toward its baseline, raised by the threat it perceives."""
    # target = solidarity0 + rally * threat * (1 - solidarity0)
    target = p.solidarity_rally * w.threat_from_russia
    target *= ONE - w.solidarity0
    target += w.solidarity0
    target -= w.solidarity
    target *= rate(p.solidarity_rate, months)
    w.solidarity += target
    np.minimum(np.maximum(w.solidarity, ZERO, out=w.solidarity), ONE, out=w.solidarity)


def cohesion(w: World, p) -> None:
    """Recompute the cohesion index: members' mean solidarity less their disagreement on Russia."""
    ms = w.members()
    k = ms.k
    if k == 0:
        w.cohesion = 0.0
        return
    mean_solidarity = float(w.solidarity @ ms.f) / k
    views = w.trust[ms.idx, w.r]
    views -= views.sum() / k
    views *= views
    spread = math.sqrt(float(views.sum()) / k)
    w.cohesion = min(1.0, max(0.0, mean_solidarity * (1.0 - p.cohesion_spread_weight * spread)))
