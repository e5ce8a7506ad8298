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

from sim.world import ONE, ZERO, World, constant

_MINUS_ONE, _HOSTILE_MAX = constant(-1.0), constant(3.0)


def rate(per_month: float, months: int) -> float:
    """Convert a monthly rate into the rate of one step of ``months`` months."""
    return 1.0 - (1.0 - per_month) ** months


def severity(goldstein: float, exponent: float) -> float:
    """Return an event's impact, -1..1: Goldstein/10 raised to a power, sign kept."""
    x = goldstein / 10.0
    if x > 0.0:
        return float(x**exponent)
    if x < 0.0:
        return -float((-x) ** exponent)
    return 0.0


def salience(w: World, p, targets: np.ndarray) -> np.ndarray:
    """Return how strongly each state registers an act aimed at ``targets`` (0..1)."""
    if len(targets) == 0:
        return np.full(w.n, p.trust_audience_salience)
    # one target (the usual case) reads its column directly; several take the highest regard
    regard = w.trust[:, targets[0]] if len(targets) == 1 else w.trust[:, targets].max(axis=1)
    # the world audience cares in proportion to its regard for the target: nobody
    # minds much an act against a state it distrusts; friends and allies care more
    s = (p.trust_audience_salience * 0.5) * (ONE + regard)
    np.maximum(s, np.maximum(regard, ZERO) * p.trust_ally_salience, out=s)
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
    """Move every observer's trust in the actors by an event's Goldstein severity.

    Observer i's impact is ``x_i`` (the event's severity, or Russia's own reading of
    it), its salience ``s_i`` and gain ``g_i`` (negative or positive); trust moves by
    ``x_i s_i g_i`` of the distance to -1 (hostile acts) or +1 (friendly ones).
    """
    if len(actors) == 0 or goldstein == 0.0 and russia_reading is None:
        return
    r = w.r
    exponent = p.severity_exponent
    c = severity(goldstein, exponent)
    neg = c < 0.0
    s = salience(w, p, targets)
    if russia_reading is not None:
        s[r] = 1.0
    s[actors] = 0.0
    xs = s * c  # x_i * s_i (x is c for every observer but Russia when it reads the event its own way)
    delta = xs * (p.trust_negative_gain if neg else p.trust_positive_gain)
    negative: np.ndarray | bool = neg
    betrayal_at = -severity(p.betrayal_threshold, exponent)
    betrayed = c <= betrayal_at
    betrayed_r = betrayed
    if russia_reading is not None:
        cr = severity(russia_reading, exponent)
        xs_r = cr * float(s[r])
        xs[r] = xs_r
        neg_r = cr < 0.0
        delta[r] = xs_r * (p.trust_negative_gain if neg_r else p.trust_positive_gain)
        betrayed_r = cr <= betrayal_at
        if neg_r != neg:
            negative = np.full(w.n, neg)
            negative[r] = neg_r
    single = len(actors) == 1
    # move toward -1 for hostile acts, toward +1 for friendly ones, never past them
    sub = w.trust[:, actors[0]] if single else w.trust[:, actors]
    if negative is True:
        pull = sub + ONE
    elif negative is False:
        pull = ONE - sub
    else:
        sign = np.where(negative, -1.0, 1.0)
        pull = 1.0 - (sign * sub if single else sign[:, None] * sub)
    if single:
        pull *= delta
        sub += pull  # a view: writes the column in place
    else:
        pull *= delta[:, None]
        sub += pull
        w.trust[:, actors] = sub
    if negative is not False:
        if negative is True:
            hostile = np.negative(xs)
        else:
            hostile = np.where(negative, np.negative(xs), 0.0)
        if single:
            column = w.hostile[:, actors[0]]
            column += hostile
            np.minimum(column, _HOSTILE_MAX, out=column)
        else:
            w.hostile[:, actors] = np.minimum(3.0, w.hostile[:, actors] + hostile[:, None])
        if betrayed or betrayed_r:
            if betrayed and betrayed_r:
                betrayal = hostile
            elif betrayed:
                betrayal = hostile.copy()
                betrayal[r] = 0.0
            else:
                betrayal = np.zeros(w.n)
                betrayal[r] = hostile[r]
            if np.count_nonzero(betrayal):
                gain = betrayal * p.betrayal_memory_gain
                if single:
                    column = w.memory[:, actors[0]]
                    column += gain
                    np.minimum(column, ONE, out=column)
                else:
                    w.memory[:, actors] = np.minimum(1.0, w.memory[:, actors] + gain[:, None])
    if single:
        w.trust[actors[0], actors[0]] = 1.0
    else:
        w.trust[actors, actors] = 1.0


def war_pressure(w: World, p, months: int) -> None:
    """Lower every observer's trust in Russia while Russia's wars go on."""
    war = w.war
    if not np.count_nonzero(war):
        return
    r = w.r
    at_war = war.nonzero()[0]
    if len(at_war) == 1:
        k = at_war[0]
        regard = w.trust[:, k]  # same salience rule as for events
        s = (p.trust_audience_salience * 0.5) * (ONE + regard)
        np.maximum(s, np.maximum(regard, ZERO) * p.trust_ally_salience, out=s)
        s[k] = 1.0
        push = s * war[k]
    else:
        regard = w.trust[:, at_war]  # same salience rule as for events, per war
        s = (p.trust_audience_salience * 0.5) * (ONE + regard)
        np.maximum(s, np.maximum(regard, ZERO) * p.trust_ally_salience, out=s)
        s[at_war, np.arange(len(at_war))] = 1.0
        s *= war[at_war]
        push = s.max(axis=1)
    push *= p.war_trust_pressure
    push *= months
    push[r] = 0.0
    col = w.trust[:, r]
    drop = push * p.trust_negative_gain
    drop *= ONE + col
    col -= drop  # a view: writes the column in place
    hostile = w.hostile[:, r]
    hostile += push
    np.minimum(hostile, _HOSTILE_MAX, out=hostile)


def baseline(w: World, p) -> np.ndarray:
    """Return the trust each pair relaxes to: the roster baseline less remembered betrayals."""
    base = w.memory * p.betrayal_baseline_weight
    np.subtract(w.trust_base, base, out=base)
    # security dilemma: Russia's baseline toward members falls with encirclement
    base[w.r] -= (p.spiral_trust_weight * w.encirclement) * w.members().f
    return np.maximum(base, _MINUS_ONE, out=base)


def relax(w: World, p, months: int) -> None:
    """Relax trust toward its baseline: slowly upward after betrayals, faster downward."""
    gap = baseline(w, p)
    up = w.memory * p.betrayal_recovery_slowdown
    up += ONE
    np.divide(rate(p.trust_recovery_rate, months), up, out=up)
    np.subtract(gap, w.trust, out=gap)
    speed = np.where(gap > ZERO, up, rate(p.trust_decay_rate, months))
    speed *= gap
    w.trust += speed
    w.memory *= 1.0 - rate(p.betrayal_memory_decay, months)
    w.hostile *= 1.0 - rate(p.hostile_memory_decay, months)


def consult(w: World, p, months: int) -> None:
    """Pull members' trust rows toward the alliance mean, weighted by solidarity."""
    ms = w.members()
    if ms.k < 2:
        return
    idx = ms.idx
    rows = w.trust[idx]
    view = ms.gdp_weights @ rows / ms.gdp_weights_sum
    pull = rate(p.consultation_rate, months) * w.solidarity[idx]
    gap = view - rows
    gap *= pull[:, None]
    rows += gap
    rows[ms.at, idx] = 1.0
    w.trust[idx] = rows


def cooperation_dividend(w: World, p, months: int, strength: float) -> None:
    """Raise NATO–Russia trust a little while cooperation areas run in an active channel."""
    if strength <= 0.0:
        return
    gain = p.cooperation_dividend * strength * months
    idx, r = w.members().idx, w.r
    col = w.trust[idx, r]
    col += gain * (ONE - col)
    w.trust[idx, r] = col
    row = w.trust[r, idx]
    row += gain * (ONE - row)
    w.trust[r, idx] = row


def clip(w: World) -> None:
    """Keep trust in [-1, 1] with full self-trust."""
    np.minimum(np.maximum(w.trust, _MINUS_ONE, out=w.trust), ONE, out=w.trust)
    np.fill_diagonal(w.trust, 1.0)
