"""Trust: a directed trust matrix between all states, moved by events.

Article: "Even if Russia were to cease aggression in the near future, it would
take a long time for this state to regain international trust" and "Over time,
NATO began to lose confidence in Russia".  Hostile events cut trust harder than
friendly events of equal size restore it (negativity bias); trust relaxes to a
baseline, slowly when betrayals are remembered (hysteresis); allies consult, so
members' views converge on the alliance's, weighted by their solidarity.

Trust ``T[i, j]`` is how far state i trusts state j, in [-1, 1].

The arithmetic runs in small compiled kernels (numba), one loop over observers
each: a 45-state step is a few hundred tiny array operations otherwise, and their
call overhead, not the arithmetic, was the model's cost.  Each public function
below reads the world and the parameters and hands plain arrays and numbers to
its kernel; the kernels state the equations of ``docs/ODD.md`` element by element.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.numerics import pairwise_sum
from sim.world import World

#: the ceiling of the hostility memory (``hostile``), in accumulated severity
HOSTILE_MAX = 3.0


def rate(per_month: float | np.ndarray, months: int) -> float | np.ndarray:
    """Convert a monthly rate into the rate of one step of ``months`` months (also each run's, from an array).

    An array's power is taken value by value as a float's is: numpy's vectorised power may
    differ from the scalar one in the last bit, and a run must get the rate it gets alone.
    """
    if months != 1 and isinstance(per_month, np.ndarray):
        return 1.0 - np.array([(1.0 - x) ** months for x in per_month.ravel().tolist()]).reshape(per_month.shape)
    return 1.0 - (1.0 - per_month) ** months


def severity(goldstein: float, exponent: float) -> float:
    """Return an event's impact, -1..1: Goldstein/10 raised to a power, sign kept."""
    x = goldstein / 10.0
    if x > 0.0:
        return float(x**exponent)
    if x < 0.0:
        return -float((-x) ** exponent)
    return 0.0


@njit(cache=True)
def _regard_salience(regard: float, audience: float, ally: float) -> float:
    """Salience of an act against a state the observer regards at ``regard`` (-1..1).

    The world audience cares in proportion to its regard for the target: nobody
    minds much an act against a state it distrusts; friends and allies care more.
    """
    s = audience * 0.5 * (1.0 + regard)
    return max(s, max(regard, 0.0) * ally)


@njit(cache=True)
def _salience_of(trust, i, targets, audience, ally, collective, member, solidarity):
    """Salience observer i gives an act aimed at ``targets`` (the highest regard among several).

    An armed attack (``collective``) on a fellow member counts for a member as an attack on
    itself, in proportion to its solidarity (Article 5).
    """
    if len(targets) == 0:
        return audience
    regard = trust[i, targets[0]]
    allied = 0.0
    for t in targets:
        if t == i:
            return 1.0
        regard = max(regard, trust[i, t])
        if collective and member[i] and member[t]:
            allied = solidarity[i]
    return max(_regard_salience(regard, audience, ally), allied)


@njit(cache=True)
def _apply_event(trust, hostile, memory, actors, targets, c, reading, has_reading, r,
                 negative_gain, positive_gain, betrayal_at, memory_gain, audience, ally,
                 russia_negative_gain, russia_positive_gain, russia_betrayal_at, enmity, collective, member,
                 solidarity):
    n = trust.shape[0]
    for i in range(n):
        s = _salience_of(trust, i, targets, audience, ally, collective, member, solidarity)
        x = c
        if has_reading and i == r:
            s, x = 1.0, reading  # Russia reads the event its own way, and registers it fully
        for a in actors:
            if a == i:
                s = 0.0  # actors do not judge themselves
        xs = x * s
        if xs == 0.0:
            continue
        hostile_act = x < 0.0
        if i == r:  # Russia's own negativity bias and memory
            gain = russia_negative_gain if hostile_act else russia_positive_gain
            remembered = x <= russia_betrayal_at
        else:
            gain = negative_gain if hostile_act else positive_gain
            remembered = x <= betrayal_at
        delta = xs * gain
        for a in actors:
            t = trust[i, a]
            # toward -1 for hostile acts, toward +1 for friendly ones, never past them
            trust[i, a] = t + ((t + 1.0) if hostile_act else (1.0 - t)) * delta
            if hostile_act:
                hostile[i, a] = min(hostile[i, a] - xs, HOSTILE_MAX)
                if remembered:
                    memory[i, a] = min(memory[i, a] - xs * memory_gain, 1.0)
    if c <= betrayal_at and enmity > 0.0:
        # the aggressor comes to see its victims as enemies: its trust in them falls
        for a in actors:
            for t in targets:
                if t != a:
                    trust[a, t] -= (trust[a, t] + 1.0) * (-c) * enmity
                    memory[a, t] = min(memory[a, t] - c * enmity * memory_gain, 1.0)  # and it bears a grudge
    for a in actors:
        trust[a, a] = 1.0


def apply_event(
    w: World,
    p,
    actors: np.ndarray,
    targets: np.ndarray,
    goldstein: float,
    russia_reading: float | None = None,
    collective: bool = False,
    scale: float = 1.0,
) -> None:
    """Move every observer's trust in the actors by an event's Goldstein severity.

    Observer i's impact is ``x_i`` (the event's severity, or Russia's own reading of
    it), its salience ``s_i`` and gain ``g_i`` (negative or positive; Russia has its
    own); trust moves by ``x_i s_i g_i`` of the distance to -1 (hostile acts) or +1
    (friendly ones).  Hostile acts add ``-x_i s_i`` to the observer's hostility memory,
    and acts at or beyond the observer's betrayal threshold add ``-x_i s_i`` times the
    memory gain to its betrayal memory.  An act at or beyond the betrayal threshold
    also lowers the actor's own trust in its targets (``aggressor_enmity``).
    ``collective`` marks an armed attack, which members read as one on themselves
    when it strikes an ally; ``scale`` (0..1, an event's ``level``) scales the impact
    of an act that comes in degrees (a build-up, a nuclear signal).
    """
    if len(actors) == 0 or goldstein == 0.0 and russia_reading is None:
        return
    exponent = p.severity_exponent
    has_reading = russia_reading is not None
    _apply_event(
        w.trust, w.hostile, w.memory, actors, targets,
        severity(goldstein, exponent) * scale,
        severity(russia_reading, exponent) * scale if has_reading else 0.0, has_reading, w.r,
        p.trust_negative_gain, p.trust_positive_gain,
        -severity(p.betrayal_threshold, exponent), p.betrayal_memory_gain,
        p.trust_audience_salience, p.trust_ally_salience,
        p.russia_trust_negative_gain, p.russia_trust_positive_gain,
        -severity(p.russia_betrayal_threshold, exponent), p.aggressor_enmity, collective, w.member, w.solidarity,
    )


@njit(cache=True)
def _war_pressure(trust, war, member, solidarity, r, audience, ally, pressure, months, negative_gain,
                  russia_negative_gain):
    n = trust.shape[0]
    for i in range(n):
        if i == r:
            continue
        push = 0.0  # the strongest of Russia's wars as observer i sees it (same salience as events)
        for k in range(n):
            if war[k] != 0.0:
                s = 1.0 if i == k else _regard_salience(trust[i, k], audience, ally)
                if member[i] and member[k]:
                    s = max(s, solidarity[i])  # a war on an ally (Article 5)
                push = max(push, s * war[k])
        push *= pressure
        push *= months
        # trust only: the war itself enters threat and the ladder on its own, so the memory of
        # hostile acts (``hostile``) keeps the acts (the invasion, a sabotage), not the war's months
        trust[i, r] -= push * negative_gain * (1.0 + trust[i, r])
    for k in range(n):
        if war[k] != 0.0 and k != r:
            # Russia's enemy image of the states it fights hardens while the war goes on
            trust[r, k] -= pressure * months * war[k] * russia_negative_gain * (1.0 + trust[r, k])


@njit(cache=True)
def _war_pressure_runs(trust, war, member, solidarity, r, audience, ally, pressure, months, negative_gain,
                       russia_negative_gain):
    for q in range(trust.shape[0]):
        at_war = False
        for k in range(war.shape[1]):
            if war[q, k] != 0.0:
                at_war = True
                break
        if at_war:
            _war_pressure(trust[q], war[q], member[q], solidarity[q], r, audience[q], ally[q], pressure[q],
                          months, negative_gain[q], russia_negative_gain[q])


def war_pressure(w: World, p, months: int) -> None:
    """Lower every observer's trust in Russia, and Russia's in its victims, while Russia's wars go on."""
    if not w.war.any():
        return
    _war_pressure(w.trust, w.war, w.member, w.solidarity, w.r, p.trust_audience_salience,
                  p.trust_ally_salience, p.war_trust_pressure, float(months), p.trust_negative_gain,
                  p.russia_trust_negative_gain)


def war_pressure_runs(W, P, months: int) -> None:
    """``war_pressure`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    _war_pressure_runs(W.trust, W.war, W.member, W.solidarity, W.r, P.trust_audience_salience,
                       P.trust_ally_salience, P.war_trust_pressure, float(months), P.trust_negative_gain,
                       P.russia_trust_negative_gain)


@njit(cache=True)
def _baseline(trust_base, memory, member, r, memory_weight, spiral):
    n = trust_base.shape[0]
    base = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            b = trust_base[i, j] - memory[i, j] * memory_weight
            if i == r and member[j]:
                b -= spiral  # security dilemma: Russia's baseline toward members falls with encirclement
            base[i, j] = max(b, -1.0)
    return base


def baseline(w: World, p) -> np.ndarray:
    """Return the trust each pair relaxes to: the roster baseline less remembered betrayals."""
    return _baseline(w.trust_base, w.memory, w.member, w.r, p.betrayal_baseline_weight,
                     p.spiral_trust_weight * w.encirclement)


@njit(cache=True)
def _relax(trust, memory, hostile, base, recovery, slowdown, decay, memory_keep, hostile_keep):
    n = trust.shape[0]
    for i in range(n):
        for j in range(n):
            gap = base[i, j] - trust[i, j]
            if gap > 0.0:  # upward, slowed by remembered betrayals
                trust[i, j] += recovery / (1.0 + memory[i, j] * slowdown) * gap
            else:
                trust[i, j] += decay * gap
            memory[i, j] *= memory_keep
            hostile[i, j] *= hostile_keep


@njit(cache=True, error_model="numpy")
def _relax_runs(trust, memory, hostile, trust_base, member, r, memory_weight, spiral, recovery, slowdown, decay,
                memory_keep, hostile_keep):
    # ``_baseline`` and ``_relax`` fused, pair by pair, with the same arithmetic: the baseline reads the
    # memory before it fades, as there; both moves are computed and one kept (no branch, so the loop
    # vectorises: the unused upward move is never a division by zero, memory and slowdown being >= 0)
    n = trust.shape[1]
    for q in range(trust.shape[0]):
        t, m, h, tb = trust[q], memory[q], hostile[q], trust_base[q]
        weight, sp, up_rate, slow = memory_weight[q], spiral[q], recovery[q], slowdown[q]
        down_rate, m_keep, h_keep = decay[q], memory_keep[q], hostile_keep[q]
        for i in range(n):
            own = i == r
            for j in range(n):
                b = tb[i, j] - m[i, j] * weight
                if own and member[q, j]:
                    b -= sp
                b = max(b, -1.0)
                gap = b - t[i, j]
                up = up_rate / (1.0 + m[i, j] * slow) * gap
                down = down_rate * gap
                t[i, j] += up if gap > 0.0 else down
                m[i, j] *= m_keep
                h[i, j] *= h_keep


def relax(w: World, p, months: int) -> None:
    """Relax trust toward its baseline: slowly upward after betrayals, faster downward."""
    _relax(w.trust, w.memory, w.hostile, baseline(w, p),
           rate(p.trust_recovery_rate, months), p.betrayal_recovery_slowdown, rate(p.trust_decay_rate, months),
           1.0 - rate(p.betrayal_memory_decay, months), 1.0 - rate(p.hostile_memory_decay, months))


def relax_runs(W, P, months: int) -> None:
    """``relax`` (with ``baseline``) for every run of a lockstep ensemble."""
    _relax_runs(W.trust, W.memory, W.hostile, W.trust_base, W.member, W.r, P.betrayal_baseline_weight,
                P.spiral_trust_weight * W.encirclement,
                P.rate("trust_recovery_rate", months), P.betrayal_recovery_slowdown, P.rate("trust_decay_rate", months),
                1.0 - P.rate("betrayal_memory_decay", months), 1.0 - P.rate("hostile_memory_decay", months))


@njit(cache=True)
def _consult(trust, idx, weights, weights_sum, solidarity, consultation):
    n = trust.shape[1]
    view = np.zeros(n)  # the alliance's view: members' rows weighted by sqrt(GDP)
    for m in range(len(idx)):
        for j in range(n):
            view[j] += weights[m] * trust[idx[m], j]
    for m in range(len(idx)):
        i = idx[m]
        pull = consultation * solidarity[i]
        for j in range(n):
            trust[i, j] += (view[j] / weights_sum - trust[i, j]) * pull
        trust[i, i] = 1.0


@njit(cache=True, error_model="numpy")
def _consult_runs(trust, member, sqrt_gdp, solidarity, consultation):
    # ``_consult`` for each run, with the same arithmetic: the alliance's view divided by the weights'
    # sum once per state rather than once per member and state (the same quotient)
    n = member.shape[1]
    idx = np.empty(n, dtype=np.int64)
    weights = np.empty(n)
    view = np.empty(n)
    for q in range(trust.shape[0]):
        k = 0  # the members' rows and square-root GDP weights, as ``World.members`` gives them
        for i in range(n):
            if member[q, i]:
                idx[k] = i
                weights[k] = sqrt_gdp[q, i]
                k += 1
        if k < 2:
            continue
        t = trust[q]
        weights_sum = pairwise_sum(weights, k)
        view[:] = 0.0
        for a in range(k):
            for j in range(n):
                view[j] += weights[a] * t[idx[a], j]
        for j in range(n):
            view[j] = view[j] / weights_sum
        pull = consultation[q]
        for a in range(k):
            i = idx[a]
            share = pull * solidarity[q, i]
            for j in range(n):
                t[i, j] += (view[j] - t[i, j]) * share
            t[i, i] = 1.0


def consult(w: World, p, months: int) -> None:
    """Pull members' trust rows toward the alliance mean, weighted by solidarity."""
    ms = w.members()
    if ms.k < 2:
        return
    _consult(w.trust, ms.idx, ms.gdp_weights, ms.gdp_weights_sum, w.solidarity, rate(p.consultation_rate, months))


def consult_runs(W, P, months: int) -> None:
    """``consult`` for every run of a lockstep ensemble."""
    _consult_runs(W.trust, W.member, W.sqrt_gdp, W.solidarity, P.rate("consultation_rate", months))


@njit(cache=True)
def _cooperation_dividend(trust, member, r, gain):
    for i in range(trust.shape[0]):
        if member[i]:
            trust[i, r] += gain * (1.0 - trust[i, r])
            trust[r, i] += gain * (1.0 - trust[r, i])


@njit(cache=True)
def _cooperation_dividend_runs(trust, member, r, gain, on):
    for q in range(trust.shape[0]):
        if on[q]:
            _cooperation_dividend(trust[q], member[q], r, gain[q])


def cooperation_dividend(w: World, p, months: int, strength: float) -> None:
    """Raise NATO–Russia trust a little while cooperation areas run in an active channel."""
    if strength <= 0.0:
        return
    _cooperation_dividend(w.trust, w.member, w.r, p.cooperation_dividend * strength * months)


def cooperation_dividend_runs(W, P, months: int, strength: np.ndarray) -> None:
    """``cooperation_dividend`` for every run of a lockstep ensemble (``strength`` each run's, as an array)."""
    _cooperation_dividend_runs(W.trust, W.member, W.r, P.cooperation_dividend * strength * months, strength > 0.0)


@njit(cache=True)
def _clip(trust):
    n = trust.shape[0]
    for i in range(n):
        for j in range(n):
            trust[i, j] = 1.0 if i == j else min(max(trust[i, j], -1.0), 1.0)


@njit(cache=True)
def _clip_runs(trust):
    for q in range(trust.shape[0]):
        _clip(trust[q])


def clip(w: World) -> None:
    """Keep trust in [-1, 1] with full self-trust."""
    _clip(w.trust)


def clip_runs(W) -> None:
    """``clip`` for every run of a lockstep ensemble."""
    _clip_runs(W.trust)
