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

import numpy as np

from sim.mechanisms.trust import rate
from sim.world import World


def update_solidarity(w: World, p, months: int) -> None:
    """Move each state's solidarity toward its baseline, raised by the threat it perceives."""
    threat = w.threat_from_russia
    target = w.solidarity0 + p.solidarity_rally * threat * (1.0 - w.solidarity0)
    w.solidarity += rate(p.solidarity_rate, months) * (target - w.solidarity)
    np.minimum(np.maximum(w.solidarity, 0.0, out=w.solidarity), 1.0, out=w.solidarity)


def cohesion(w: World, p) -> None:
    """Recompute the cohesion index: members' mean solidarity less their disagreement on Russia."""
    m = w.member
    k = int(m.sum())
    if k == 0:
        w.cohesion = 0.0
        return
    mean_solidarity = float(w.solidarity @ m) / k
    views = w.trust[m, w.r]
    spread = float(np.sqrt(((views - views.sum() / k) ** 2).sum() / k))
    w.cohesion = min(1.0, max(0.0, mean_solidarity * (1.0 - p.cohesion_spread_weight * spread)))
