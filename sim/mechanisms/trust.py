"""Trust: a directed trust matrix between all states, moved by events.

Article: "Even if Russia were to cease aggression in the near future, it would
take a long time for this state to regain international trust" and "Over time,
NATO began to lose confidence in Russia".  Hostile events cut trust harder than
friendly events of equal size restore it (negativity bias); trust relaxes to a
baseline, slowly when betrayals are remembered (hysteresis); allies consult, so
members' views converge on the alliance's, weighted by their solidarity.

Trust ``T[i, j]`` is how far state i trusts state j, in [-1, 1].
"""

from __future__ import annotations

import numpy as np

from sim.world import World


def rate(per_month: float, months: int) -> float:
    """Convert a monthly rate into the rate of one step of ``months`` months."""
    return 1.0 - (1.0 - per_month) ** months


def severity(goldstein: float, exponent: float) -> float:
    """Return an event's impact, -1..1: Goldstein/10 raised to a power, sign kept."""
    x = goldstein / 10.0
    return float(np.sign(x) * abs(x) ** exponent)


def salience(w: World, p, targets: np.ndarray) -> np.ndarray:
    """Return how strongly each state registers an act aimed at ``targets`` (0..1)."""
    if len(targets) == 0:
        return np.full(w.n, p.trust_audience_salience)
    regard = w.trust[:, targets].max(axis=1)
    # the world audience cares in proportion to its regard for the target: nobody
    # minds much an act against a state it distrusts; friends and allies care more
    s = (p.trust_audience_salience * 0.5) * (1.0 + regard)
    np.maximum(s, np.maximum(regard, 0.0) * p.trust_ally_salience, out=s)
    s[targets] = 1.0
    return s


def apply_event(
    w: World,
    p,
    actors: np.ndarray,
    targets: np.ndarray,
    goldstein: float,
    russia_reading: float | None = None,
) -> None:
    """Move every observer's trust in the actors by an event's Goldstein severity."""
    if len(actors) == 0 or goldstein == 0.0 and russia_reading is None:
        return
    x = np.full(w.n, severity(goldstein, p.severity_exponent))
    s = salience(w, p, targets)
    if russia_reading is not None:
        x[w.r] = severity(russia_reading, p.severity_exponent)
        s[w.r] = 1.0
    s[actors] = 0.0
    negative = x < 0.0
    gain = np.where(negative, p.trust_negative_gain, p.trust_positive_gain)
    delta = (x * s * gain)[:, None]
    sub = w.trust[:, actors]
    # move toward -1 for hostile acts, toward +1 for friendly ones, never past them
    sub += delta * (1.0 - np.where(negative, -1.0, 1.0)[:, None] * sub)
    w.trust[:, actors] = sub
    if negative.any():
        hostile = np.where(negative, -x * s, 0.0)
        w.hostile[:, actors] = np.minimum(3.0, w.hostile[:, actors] + hostile[:, None])
        betrayal = np.where(x <= -severity(p.betrayal_threshold, p.severity_exponent), hostile, 0.0)
        if betrayal.any():
            w.memory[:, actors] = np.minimum(
                1.0, w.memory[:, actors] + p.betrayal_memory_gain * betrayal[:, None]
            )
    w.trust[actors, actors] = 1.0


def war_pressure(w: World, p, months: int) -> None:
    """Lower every observer's trust in Russia while Russia's wars go on."""
    at_war = np.flatnonzero(w.war > 0.0)
    if len(at_war) == 0:
        return
    regard = w.trust[:, at_war]  # same salience rule as for events, per war
    s = np.maximum((p.trust_audience_salience * 0.5) * (1.0 + regard), np.maximum(regard, 0.0) * p.trust_ally_salience)
    s[at_war, np.arange(len(at_war))] = 1.0
    push = (s * w.war[at_war]).max(axis=1) * p.war_trust_pressure * months
    push[w.r] = 0.0
    col = w.trust[:, w.r]
    w.trust[:, w.r] = col - push * p.trust_negative_gain * (1.0 + col)
    w.hostile[:, w.r] = np.minimum(3.0, w.hostile[:, w.r] + push)


def baseline(w: World, p) -> np.ndarray:
    """Return the trust each pair relaxes to: the roster baseline less remembered betrayals."""
    base = w.trust_base - p.betrayal_baseline_weight * w.memory
    # security dilemma: Russia's baseline toward members falls with encirclement
    base[w.r] -= (p.spiral_trust_weight * w.encirclement) * w.member
    return np.maximum(base, -1.0, out=base)


def relax(w: World, p, months: int) -> None:
    """Relax trust toward its baseline: slowly upward after betrayals, faster downward."""
    base = baseline(w, p)
    up = rate(p.trust_recovery_rate, months) / (1.0 + p.betrayal_recovery_slowdown * w.memory)
    gap = base - w.trust
    w.trust += np.where(gap > 0.0, up, rate(p.trust_decay_rate, months)) * gap
    w.memory *= 1.0 - rate(p.betrayal_memory_decay, months)
    w.hostile *= 1.0 - rate(p.hostile_memory_decay, months)


def consult(w: World, p, months: int) -> None:
    """Pull members' trust rows toward the alliance mean, weighted by solidarity."""
    m = w.member
    if m.sum() < 2:
        return
    idx = np.flatnonzero(m)
    rows = w.trust[idx]
    weights = w.sqrt_gdp[idx]
    view = weights @ rows / weights.sum()
    pull = rate(p.consultation_rate, months) * w.solidarity[idx]
    rows += pull[:, None] * (view - rows)
    rows[np.arange(len(idx)), idx] = 1.0
    w.trust[idx] = rows


def cooperation_dividend(w: World, p, months: int, strength: float) -> None:
    """Raise NATO–Russia trust a little while cooperation areas run in an active channel."""
    if strength <= 0.0:
        return
    gain = p.cooperation_dividend * strength * months
    m, r = w.member, w.r
    w.trust[m, r] += gain * (1.0 - w.trust[m, r])
    w.trust[r, m] += gain * (1.0 - w.trust[r, m])


def clip(w: World) -> None:
    """Keep trust in [-1, 1] with full self-trust."""
    np.minimum(np.maximum(w.trust, -1.0, out=w.trust), 1.0, out=w.trust)
    w.trust[w.diag, w.diag] = 1.0
