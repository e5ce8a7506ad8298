"""Institutions: the NATO–Russia dialogue channel, the Founding Act and cooperation areas.

Article: NATO built relations "through the mechanism of the NATO-Russia Council
(CNR), based on the NATO-Russia Founding Act and of the Rome Declaration"; under
the Act NATO "committed itself not to place nuclear weapons ... and not to
strengthen its permanent troops on their territory"; "Things worked relatively
well until 2014"; "Officially, this council did not dissolve ... it remained
only a document with a symbolic meaning"; areas of joint work: "the fight
against terrorism, defense reform, counter-piracy, crisis management, the
non-proliferation of weapons of mass destruction".

The channel is ``none`` before the Founding Act, then ``active``,
``suspended`` or ``frozen``.  Aggression suspends it (a full-scale war freezes
it); it thaws and reopens one rung at a time when both sides choose to: Russia's
recent conduct toward others is conciliatory, the escalation ladder has come down
and members' trust in Russia is rising (its change, not its level, matters: a post-2022 world never
returns to the trust of 1997).  While active, each open cooperation area pays a
small trust dividend to both sides.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.numerics import at, pairwise_sum
from sim.world import ACTIVE, COOPERATION_AREAS, FROZEN, NONE, SUSPENDED, World

Emitted = tuple[str, str, list[str], str]  # (event type, actor, targets, label)


def channel_strength(w: World, p) -> float:
    """Return how open the dialogue channel is, 0 (frozen) .. 1 (active council)."""
    if w.channel == ACTIVE:
        return p.channel_strength_act + (1.0 - p.channel_strength_act) * w.nrc
    if w.channel == NONE:
        return p.channel_strength_none
    if w.channel == SUSPENDED:
        return p.channel_strength_suspended
    return 0.0


def channel_strength_runs(W, P) -> np.ndarray:
    """``channel_strength`` of every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    ch = W.channel
    return np.where(ch == ACTIVE, P.channel_strength_act + (1.0 - P.channel_strength_act) * W.nrc,
                    np.where(ch == NONE, P.channel_strength_none,
                             np.where(ch == SUSPENDED, P.channel_strength_suspended, 0.0)))


def open_institution(w: World, name: str | None, areas: list[str]) -> None:
    """Apply a signed agreement: create an institution and open cooperation areas."""
    if name == "founding_act":
        w.founding_act = True
        if w.channel in (NONE, SUSPENDED):
            w.channel = ACTIVE
    elif name == "nato_russia_council":
        w.nrc = True
        if w.channel != FROZEN:
            w.channel = ACTIVE
    for area in areas:
        w.areas[COOPERATION_AREAS.index(area)] = True


def on_aggression(w: World, p, intensity: float, against_member: bool) -> None:
    """React to Russian force: suspend the channel, or freeze it for a full-scale war."""
    if against_member or intensity >= p.freeze_war_threshold:
        w.channel = FROZEN
        w.founding_act = False
        w.areas[:] = False
    elif intensity >= p.suspend_war_threshold and w.channel == ACTIVE:
        w.channel = SUSPENDED


def nato_trust_in_russia(w: World) -> float:
    """Return members' mean trust in Russia."""
    ms = w.members()
    # a sum, not a BLAS dot product: one run and many runs at once give the same bits
    return float((w.trust[:, w.r] * ms.f).sum()) / ms.k if ms.k else 0.0


#: what ``_channel`` did in a run: nothing, suspend the channel, reopen it, thaw it; with each move's event
NO_MOVE, SUSPEND, RESUME, THAW = range(4)
_MOVE_EVENTS: dict[int, Emitted] = {
    SUSPEND: ("reduce_relations", "NATO", ["RUS"], "NATO suspends cooperation"),
    RESUME: ("consult", "NATO", ["RUS"], "NATO–Russia dialogue resumes"),
    THAW: ("consult", "NATO", ["RUS"], "NATO–Russia channel thaws"),
}


@njit(cache=True)
def _channel(trust, member, r, seen, trend, conciliation, escalation, channel, draws, months, trend_rate,
             conciliation_keep, reopen_max_level, reopen_conciliation, reopen_trend_reference, reopen_rate,
             suspend_trust_threshold, moves):
    # every run's channel (a run alone: a run axis of one, its parameters as numbers), moved in place; each
    # run's move (``NO_MOVE`` .. ``THAW``) written into ``moves``
    n = member.shape[1]
    weighted = np.empty(n)
    for q in range(trust.shape[0]):
        k = 0  # members' mean trust in Russia (``nato_trust_in_russia``, summed as numpy sums it)
        for i in range(n):
            weighted[i] = trust[q, i, r] * (1.0 if member[q, i] else 0.0)
            k += member[q, i]
        level = pairwise_sum(weighted, n) / k if k else 0.0
        # the smoothed monthly change of that trust, and Russia's record of conduct fading (``follow_trust``)
        if not np.isnan(seen[q]):
            change = (level - seen[q]) / months
            trend[q] += at(trend_rate, q) * (change - trend[q])
        seen[q] = level
        conciliation[q] *= at(conciliation_keep, q)
        calm = escalation[q] <= at(reopen_max_level, q)  # the ladder has come down: no war, no crisis
        willing = calm and conciliation[q] >= at(reopen_conciliation, q) and trend[q] > 0.0
        pace = min(1.0, trend[q] / at(reopen_trend_reference, q)) if willing else 0.0
        moves[q] = NO_MOVE
        if channel[q] == ACTIVE and level < at(suspend_trust_threshold, q) and trend[q] < 0.0:
            channel[q] = SUSPENDED
            moves[q] = SUSPEND
        elif willing and draws[q] < 1.0 - (1.0 - at(reopen_rate, q) * pace) ** float(months):
            if channel[q] == SUSPENDED:
                channel[q] = ACTIVE
                moves[q] = RESUME
            elif channel[q] == FROZEN:
                channel[q] = SUSPENDED
                moves[q] = THAW


def update(w: World, p, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let the alliance suspend or reopen the channel; return the events this emits.

    The channel is suspended when members' trust in Russia is below a level and falling.  It
    thaws (frozen to suspended) or reopens (suspended to active) one rung at a time,
    by both sides' choices: Russia's recent conduct must be conciliatory
    (``conciliation`` above its threshold), the escalation ladder down to
    ``reopen_max_level`` (no war, no crisis), and members' trust in Russia rising;
    the monthly probability grows with the pace of that rise.  A run alone is ``update_runs``'s
    kernel over a run axis of one.
    """
    seen = np.array([np.nan if w.trust_seen is None else w.trust_seen])
    trend, conciliation = np.array([w.trust_trend]), np.array([w.conciliation])
    channel, moves = np.array([w.channel], dtype=np.int64), np.empty(1, dtype=np.int64)
    _channel(w.trust[None], w.member[None], w.r, seen, trend, conciliation, np.array([w.escalation]), channel,
             np.array([rng.random()]), months, rate(p.trust_trend_rate, months), 1.0 - rate(p.hostile_memory_decay, months),
             p.reopen_max_level, p.reopen_conciliation, p.reopen_trend_reference, p.reopen_rate,
             p.suspend_trust_threshold, moves)
    w.trust_seen, w.trust_trend, w.conciliation = float(seen[0]), float(trend[0]), float(conciliation[0])
    w.channel = int(channel[0])
    move = int(moves[0])
    return [] if move == NO_MOVE else [_MOVE_EVENTS[move]]


def update_runs(W, P, months: int, draws: np.ndarray) -> list[tuple[int, Emitted]]:
    """``update`` for every run of a lockstep ensemble; ``draws`` holds each run's one draw.

    Return (run, event) for the runs whose channel moved, in run order (at most one event a run).
    """
    moves = np.empty(W.runs, dtype=np.int64)
    _channel(W.trust, W.member, W.r, W.trust_seen, W.trust_trend, W.conciliation, W.escalation, W.channel, draws,
             months, P.rate("trust_trend_rate", months), 1.0 - P.rate("hostile_memory_decay", months),
             P.reopen_max_level, P.reopen_conciliation, P.reopen_trend_reference, P.reopen_rate,
             P.suspend_trust_threshold, moves)
    return [(q, _MOVE_EVENTS[m]) for q, m in enumerate(moves.tolist()) if m != NO_MOVE]


def dividend_strength(w: World, p) -> float:
    """Return the share of cooperation running: open areas times channel openness."""
    if w.channel != ACTIVE:
        return 0.0
    return float(w.areas.mean()) * channel_strength(w, p)


def presence_cap(w: World, p) -> np.ndarray:
    """Return the ceiling on allied presence per state set by the Founding Act."""
    cap = np.ones(w.n)
    if w.founding_act:
        cap[w.new_member] = p.founding_act_presence_cap
    return cap


def dividend_strength_runs(W, P) -> np.ndarray:
    """``dividend_strength`` of every run of a lockstep ensemble."""
    return np.where(W.channel == ACTIVE, W.areas.mean(axis=1) * channel_strength_runs(W, P), 0.0)
