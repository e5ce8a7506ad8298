"""The NATO–Russia relations index: attitudes, contact and conflict in one number.

Article: "Things worked relatively well until 2014"; "The moment of February 24,
2022, was the one that closed even the last gate of dialogue"; "Neither NATO nor
Russia rules out the outbreak of a conflict between the two forces".

Relations are what the two sides think of each other and what they do with each
other.  The index (-1 hostile .. +1 cooperative) weighs three parts, each in -1..1:
trust both ways (members' mean trust in Russia and Russia's mean trust in members),
contact (the dialogue channel's openness, 0..1, mapped to -1..1) and peace (the
escalation ladder, level 0 peace .. 5 NATO–Russia war, mapped to +1..-1 by the
severity transform of events, so that the top rungs weigh most).  A
renewed dialogue, a ceasefire and a direct war therefore each move it, whatever
trust has saturated at.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.institutions import channel_strength
from sim.world import ACTIVE, ESCALATION_LEVELS, NONE, SUSPENDED, World

TOP_LEVEL = len(ESCALATION_LEVELS) - 1


def mutual_trust(w: World) -> float:
    """Return the mean of members' trust in Russia and Russia's trust in members."""
    ms = w.members()
    if ms.k == 0:
        return 0.0
    # sums, not BLAS dots: the same bits in one run and in a lockstep ensemble
    return 0.5 * float((w.trust[:, w.r] * ms.f).sum() + (w.trust[w.r] * ms.f).sum()) / ms.k


def peace(level: float | np.ndarray, exponent: float | np.ndarray) -> float | np.ndarray:
    """Return the peace part of the index for a rung of the ladder: +1 at peace .. -1 at a NATO–Russia war.

    ``1 - 2 (level / 5) ** exponent``, the severity transform of events (``severity_exponent``):
    the top rungs weigh far more than the lower ones, as a war weighs more than a crisis.
    The power is numpy's (on one rung or an array of them alike), so one run and a lockstep
    ensemble give the same bits.
    """
    return 1.0 - 2.0 * np.power(level / TOP_LEVEL, exponent)


def combine(trust: float | np.ndarray, openness: float | np.ndarray, level: float | np.ndarray,
            p) -> float | np.ndarray:
    """Return the index from mutual trust (-1..1), channel openness (0..1) and escalation level (0..5)."""
    contact, conflict = p.relations_contact_weight, p.relations_conflict_weight
    return ((1.0 - contact - conflict) * trust + contact * (2.0 * openness - 1.0)
            + conflict * peace(level, p.severity_exponent))


def index(w: World, p) -> float:
    """Return the relations index of the world now."""
    return float(combine(mutual_trust(w), channel_strength(w, p), w.escalation, p))


def index_runs(W, P) -> np.ndarray:
    """Return ``index`` of every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    r = W.r
    f = W.member.astype(float)
    k = W.member.sum(axis=1)
    both = (W.trust[:, :, r] * f).sum(axis=1) + (W.trust[:, r, :] * f).sum(axis=1)
    trust = np.where(k == 0, 0.0, 0.5 * both / np.maximum(k, 1))
    channel = W.channel
    openness = np.where(
        channel == ACTIVE, P.channel_strength_act + (1.0 - P.channel_strength_act) * W.nrc,
        np.where(channel == NONE, P.channel_strength_none,
                 np.where(channel == SUSPENDED, P.channel_strength_suspended, 0.0)),
    )
    return combine(trust, openness, W.escalation, P)
