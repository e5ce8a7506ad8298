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

from sim.mechanisms.trust import rate
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


def nato_trust_in_russia_runs(W) -> np.ndarray:
    """``nato_trust_in_russia`` of every run of a lockstep ensemble."""
    k = W.member.sum(axis=1)
    total = (W.trust[:, :, W.r] * W.member).sum(axis=1)
    return np.where(k > 0, total / np.maximum(k, 1), 0.0)


def follow_trust(w: World, p, months: int) -> None:
    """Update the smoothed monthly change of members' trust in Russia and let Russia's record of conduct fade."""
    trust = nato_trust_in_russia(w)
    if w.trust_seen is not None:
        change = (trust - w.trust_seen) / months
        w.trust_trend += rate(p.trust_trend_rate, months) * (change - w.trust_trend)
    w.trust_seen = trust
    w.conciliation *= 1.0 - rate(p.hostile_memory_decay, months)


def follow_trust_runs(W, P, months: int, trust: np.ndarray) -> None:
    """``follow_trust`` for every run of a lockstep ensemble (``trust`` each run's ``nato_trust_in_russia``)."""
    seen = W.trust_seen
    change = (trust - seen) / months
    trend = W.trust_trend
    W.trust_trend = np.where(np.isnan(seen), trend, trend + P.rate("trust_trend_rate", months) * (change - trend))
    W.trust_seen = trust
    W.conciliation *= 1.0 - P.rate("hostile_memory_decay", months)


def update(w: World, p, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let the alliance suspend or reopen the channel; return the events this emits.

    The channel is suspended when members' trust in Russia is below a level and falling.  It
    thaws (frozen to suspended) or reopens (suspended to active) one rung at a time,
    by both sides' choices: Russia's recent conduct must be conciliatory
    (``conciliation`` above its threshold), the escalation ladder down to
    ``reopen_max_level`` (no war, no crisis), and members' trust in Russia rising;
    the monthly probability grows with the pace of that rise.
    """
    emitted: list[Emitted] = []
    trust = nato_trust_in_russia(w)
    follow_trust(w, p, months)
    calm = w.escalation <= p.reopen_max_level  # the ladder has come down: no war, no crisis
    draw = rng.random()
    willing = calm and w.conciliation >= p.reopen_conciliation and w.trust_trend > 0.0
    pace = min(1.0, w.trust_trend / p.reopen_trend_reference) if willing else 0.0
    if w.channel == ACTIVE and trust < p.suspend_trust_threshold and w.trust_trend < 0.0:
        w.channel = SUSPENDED
        emitted.append(("reduce_relations", "NATO", ["RUS"], "NATO suspends cooperation"))
    elif willing and draw < rate(p.reopen_rate * pace, months):
        if w.channel == SUSPENDED:
            w.channel = ACTIVE
            emitted.append(("consult", "NATO", ["RUS"], "NATO–Russia dialogue resumes"))
        elif w.channel == FROZEN:
            w.channel = SUSPENDED
            emitted.append(("consult", "NATO", ["RUS"], "NATO–Russia channel thaws"))
    return emitted


def update_runs(W, P, months: int, draws: np.ndarray) -> list[tuple[int, Emitted]]:
    """``update`` for every run of a lockstep ensemble; ``draws`` holds each run's one draw.

    Return (run, event) for the runs whose channel moved, in run order (at most one event a run).
    """
    trust = nato_trust_in_russia_runs(W)
    follow_trust_runs(W, P, months, trust)
    trend = W.trust_trend
    calm = W.escalation <= P.reopen_max_level
    willing = calm & (W.conciliation >= P.reopen_conciliation) & (trend > 0.0)
    pace = np.where(willing, np.minimum(1.0, trend / np.where(willing, P.reopen_trend_reference, 1.0)), 0.0)
    channel = W.channel
    suspend = (channel == ACTIVE) & (trust < P.suspend_trust_threshold) & (trend < 0.0)
    move = ~suspend & willing & (draws < rate(P.reopen_rate * pace, months))
    resume = move & (channel == SUSPENDED)
    thaw = move & (channel == FROZEN)
    emitted: list[tuple[int, Emitted]] = []
    if not (suspend.any() or resume.any() or thaw.any()):
        return emitted
    for q in np.flatnonzero(suspend | resume | thaw).tolist():
        if suspend[q]:
            emitted.append((q, ("reduce_relations", "NATO", ["RUS"], "NATO suspends cooperation")))
        elif resume[q]:
            emitted.append((q, ("consult", "NATO", ["RUS"], "NATO–Russia dialogue resumes")))
        else:
            emitted.append((q, ("consult", "NATO", ["RUS"], "NATO–Russia channel thaws")))
    W.channel = np.where(suspend | thaw, SUSPENDED, np.where(resume, ACTIVE, channel))
    return emitted


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
