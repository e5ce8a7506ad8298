"""Security dilemma: Russia reads enlargement and forward deployment as threat.

Article: Russia "sees NATO as a threat to its own security as a result of the
bloc's expansion"; it "considers NATO guilty for expanding its borders and
getting closer to its territories"; "The Russian president believes that the
'red line' he established was violated by NATO. He criticizes and accuses the
organization of supplying equipment and weapons to Ukraine."

Perceived encirclement rises with members close to Russia, allied forward
presence near it (``spiral_presence_sensitivity``), membership moves by states
behind Russia's red lines, and allied military aid to its war victims.  It feeds
Russia's threat perception, lowers its baseline trust in members, and pushes its
revisionist ambition up.  The same presence raises deterrence credibility
(``deterrence_presence_weight`` in ``deterrence``): the balance of the two is
the deterrence-versus-spiral question, and both weights are parameters.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.world import World


@njit(cache=True)
def _exposure(closeness, member, presence, aid, red_line, applicant):
    """Members' and forward presence's closeness shares, a crossed red line, members' mean aid."""
    members = forward = aid_total = 0.0
    k = 0
    crossed = False
    for i in range(len(member)):
        forward += closeness[i] * presence[i]
        if red_line[i] and (member[i] or applicant[i]):
            crossed = True
        if member[i]:
            members += closeness[i]
            aid_total += aid[i]
            k += 1
    return members, forward, 1.0 if crossed else 0.0, aid_total / k if k else 0.0


@njit(cache=True)
def _exposure_runs(closeness, member, presence, aid, red_line, applicant, enlargement_weight, presence_weight,
                   red_line_weight, aid_weight, encirclement, crossed):
    """``_exposure`` run by run, and the encirclement it makes (``encirclement``'s formula, ``math.exp``)."""
    for q in range(member.shape[0]):
        members, forward, crossed[q], aid_mean = _exposure(closeness[q], member[q], presence[q], aid[q], red_line[q],
                                                           applicant[q])
        raw = (
            enlargement_weight[q] * members
            + presence_weight[q] * forward
            + red_line_weight[q] * crossed[q]
            + aid_weight[q] * aid_mean
        )
        encirclement[q] = 1.0 - math.exp(-max(0.0, raw))


def encirclement(w: World, p) -> float:
    """Return Russia's perceived encirclement (0..1) from enlargement, presence, red lines, aid."""
    members, presence, w.red_line_violation, aid = _exposure(
        w.closeness_share, w.member, w.presence, w.aid, w.red_line, w.applicant
    )
    raw = (
        p.encirclement_enlargement_weight * members
        + p.spiral_presence_sensitivity * presence
        + p.encirclement_red_line_weight * w.red_line_violation
        + p.encirclement_aid_weight * aid
    )
    # saturating, never capped: one more member or battlegroup always registers
    return 1.0 - math.exp(-max(0.0, raw))


def hostility(w: World) -> float:
    """Return Russia's hostility to the alliance: its distrust of members, 0..1."""
    ms = w.members()
    if ms.k == 0:
        return 0.0
    # a sum, not a BLAS dot: the same bits in one run and in a lockstep ensemble
    return min(1.0, max(0.0, -float((w.trust[w.r] * ms.f).sum()) / ms.k))


def perceive(w: World, p) -> None:
    """Recompute Russia's perceived encirclement and its hostility to the alliance."""
    w.encirclement = encirclement(w, p)
    w.hostility = hostility(w)


def perceive_runs(W, P) -> None:
    """``perceive`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    _exposure_runs(W.closeness_share, W.member, W.presence, W.aid, W.red_line, W.applicant,
                   P.encirclement_enlargement_weight, P.spiral_presence_sensitivity, P.encirclement_red_line_weight,
                   P.encirclement_aid_weight, W.encirclement, W.red_line_violation)
    k = W.member.sum(axis=1)
    total = (W.trust[:, W.r, :] * W.member.astype(float)).sum(axis=1)
    W.hostility = np.where(k == 0, 0.0, np.minimum(1.0, np.maximum(0.0, -total / np.maximum(k, 1))))


def update_ambition(w: World, p, months: int) -> None:
    """Move Russia's revisionist ambition toward what encirclement, hostility and strain call for."""
    target = (
        w.revisionism_anchor
        + p.revisionism_encirclement_weight * w.encirclement
        + p.revisionism_hostility_weight * w.hostility
        - p.revisionism_strain_weight * w.strain
    )
    w.revisionism += rate(p.revisionism_adjustment_rate, months) * (target - w.revisionism)
    w.revisionism = min(1.0, max(0.0, float(w.revisionism)))


def update_ambition_runs(W, P, months: int) -> None:
    """``update_ambition`` for every run of a lockstep ensemble."""
    target = (
        W.revisionism_anchor
        + P.revisionism_encirclement_weight * W.encirclement
        + P.revisionism_hostility_weight * W.hostility
        - P.revisionism_strain_weight * W.strain
    )
    W.revisionism += P.rate("revisionism_adjustment_rate", months) * (target - W.revisionism)
    W.revisionism = np.minimum(1.0, np.maximum(0.0, W.revisionism))
