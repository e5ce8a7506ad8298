"""Allied decisions: forward presence, sanctions and aid to a victim (spending: ``defence_spending``).

Article: "member states agreed on the need to commit to increasing defense
investments"; NATO "decided to establish five multinational battle groups in
Estonia, Latvia, Lithuania, Poland, and Romania, expanded its air policing
capabilities"; "despite the sanctions it was subjected to, continued its plan";
"The supply of weapons and ammunition to Ukraine has significantly reduced the
stocks available to NATO member states".

Summit commitments (battlegroups, air policing) are scheduled events; how far
and how fast each state follows them is decided here from the threat it
perceives, its solidarity, its energy dependence and its stocks.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.institutions import Emitted, presence_cap
from sim.mechanisms.trust import rate
from sim.world import World


@njit(cache=True)
def _presence(presence, commit, threat, solidarity, member, ceiling, threat_reference, surge_threshold,
              surge_gain, adjust, reinforcement):
    n = len(presence)
    willing, k = 0.0, 0  # members' mean of solidarity * min(1, threat / reference)
    for i in range(n):
        if member[i]:
            willing += min(threat[i] / threat_reference, 1.0) * solidarity[i]
            k += 1
    willing /= max(k, 1)
    for i in range(n):
        target = 0.0
        if member[i]:
            # rotational forces the commitments call for (battlegroups, air policing), as willing as the members
            rotational = commit[i] * (0.5 + willing)
            # and the forces a high threat adds above them; the Founding Act caps these on new members
            surge = min(rotational * max(threat[i] - surge_threshold, 0.0) * surge_gain, ceiling[i])
            target = max(min(rotational + surge, 1.0), reinforcement[i])  # Article 5 reinforcements
        presence[i] += (target - presence[i]) * adjust


def presence(w: World, p, months: int) -> None:
    """Move allied forward presence in each host toward what commitments and threat call for.

    The Founding Act bars "additional permanent stationing of substantial combat forces": it caps the
    forces a high threat would add, not the rotational battlegroups and air policing the allies commit.
    """
    commit = p.air_policing_weight * w.air_commit
    commit += w.presence_commit
    if not commit.any() and not w.presence.any() and not w.reinforcement.any():
        return
    _presence(w.presence, commit, w.threat_from_russia, w.solidarity, w.member, presence_cap(w, p),
              p.presence_threat_reference, p.presence_surge_threshold, p.presence_surge,
              rate(p.presence_adjustment_rate, months), w.reinforcement)


@njit(cache=True)
def _presence_runs(active, presence, commit, threat, solidarity, member, ceiling, threat_reference, surge_threshold,
                   surge_gain, adjust, reinforcement):
    for q in range(presence.shape[0]):
        if active[q]:
            _presence(presence[q], commit[q], threat[q], solidarity[q], member[q], ceiling[q], threat_reference[q],
                      surge_threshold[q], surge_gain[q], adjust[q], reinforcement[q])


def presence_runs(W, P, months: int) -> None:
    """``presence`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    commit = P.air_policing_weight[:, None] * W.air_commit
    commit += W.presence_commit
    active = commit.any(axis=1) | W.presence.any(axis=1) | W.reinforcement.any(axis=1)
    if not active.any():
        return
    ceiling = np.where(W.founding_act[:, None] & W.new_member, P.founding_act_presence_cap[:, None], 1.0)
    _presence_runs(active, W.presence, commit, W.threat_from_russia, W.solidarity, W.member, ceiling,
                   P.presence_threat_reference, P.presence_surge_threshold, P.presence_surge,
                   P.rate("presence_adjustment_rate", months), W.reinforcement)


@njit(cache=True)
def _sanctions(sanctions, hostile, war, solidarity, dependence, trust, west, west_weights, r, hostility_weight,
               drive, energy_cost, coordination, trust_threshold, package, lift):
    n = len(sanctions)
    top_war, mean = 0.0, 0.0
    for i in range(n):
        top_war = max(top_war, war[i])
        mean += sanctions[i] * west_weights[i]
    new = np.empty(n)
    jump = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        # provocation = largest war + hostility weight * min(1, recent hostility);
        # target = drive * provocation * solidarity - energy cost * dependence, within 0..1
        target = (min(hostile[i, r], 1.0) * hostility_weight + top_war) * drive * solidarity[i]
        target = min(max(target - energy_cost * dependence[i], 0.0), 1.0)
        target += coordination * solidarity[i] * (mean - target)  # allies coordinate on the mean
        if not (west[i] and trust[i, r] < trust_threshold):
            target = 0.0
        gap = target - sanctions[i]
        jump[i] = gap > package  # a new package; otherwise sanctions are lifted slowly, never raised
        new[i] = target if jump[i] else sanctions[i] + lift * min(0.0, gap)
    return new, jump


def sanctions(w: World, p, months: int) -> list[Emitted]:
    """Let Western states impose sanction packages on Russia or lift them slowly."""
    w.sanctions, jump = _sanctions(
        w.sanctions, w.hostile, w.war, w.solidarity, w.dependence, w.trust, w.west_nr, w.west_weights, w.r,
        p.sanctions_hostility_weight, p.sanctions_drive, p.sanctions_energy_cost, p.sanctions_coordination,
        p.sanctions_trust_threshold, p.sanctions_package, rate(p.sanctions_lift_rate, months),
    )
    return [("impose_sanctions", w.codes[i], ["RUS"], "sanctions package") for i in jump.nonzero()[0]]


@njit(cache=True)
def _sanctions_runs(sanctions, hostile, war, solidarity, dependence, trust, west, west_weights, r, hostility_weight,
                    drive, energy_cost, coordination, trust_threshold, package, lift, new, jump):
    for q in range(sanctions.shape[0]):
        new_q, jump_q = _sanctions(sanctions[q], hostile[q], war[q], solidarity[q], dependence[q], trust[q], west,
                                   west_weights[q], r, hostility_weight[q], drive[q], energy_cost[q], coordination[q],
                                   trust_threshold[q], package[q], lift[q])
        new[q] = new_q
        jump[q] = jump_q


def sanctions_runs(W, P, months: int) -> list[tuple[int, list[Emitted]]]:
    """``sanctions`` for every run of a lockstep ensemble; return (run, its events) for the runs that emit any."""
    new = np.empty(W.sanctions.shape)
    jump = np.empty(W.sanctions.shape, dtype=np.bool_)
    _sanctions_runs(
        W.sanctions, W.hostile, W.war, W.solidarity, W.dependence, W.trust, W.west_nr, W.west_weights, W.r,
        P.sanctions_hostility_weight, P.sanctions_drive, P.sanctions_energy_cost, P.sanctions_coordination,
        P.sanctions_trust_threshold, P.sanctions_package, P.rate("sanctions_lift_rate", months), new, jump,
    )
    W.sanctions = new
    codes = W.codes
    return [(q, [("impose_sanctions", codes[i], ["RUS"], "sanctions package") for i in jump[q].nonzero()[0]])
            for q in np.flatnonzero(jump.any(axis=1)).tolist()]


def victim(w: World) -> int:
    """Return the non-member Russia is fighting hardest, or -1."""
    if not np.count_nonzero(w.war):
        return -1
    war = np.where(w.member, 0.0, w.war)
    k = int(war.argmax())
    return k if war[k] > 0.0 else -1


def aid(w: World, p, months: int) -> tuple[np.ndarray, list[Emitted]]:
    """Decide military aid to Russia's war victim; return aid received per state and events."""
    received = np.zeros(w.n)
    k = victim(w)
    if k < 0 or w.war[k] < p.aid_war_threshold:
        if np.count_nonzero(w.aid):  # aid winds down (nothing to do once it is gone)
            w.aid += rate(p.aid_adjustment_rate, months) * (0.0 - w.aid)
        return received, []
    donors = w.west_nr
    distrust = (1.0 - w.trust[:, w.r]) / 2.0
    readiness = np.minimum(1.0, w.stocks / p.aid_stock_floor)
    target = p.aid_drive * w.war[k] * w.solidarity * distrust * readiness
    target *= 1.0 - p.nuclear_aid_restraint * w.nuclear_fear  # self-deterrence after nuclear signals
    np.clip(target, 0.0, 1.0, out=target)
    target = np.where(donors, target, 0.0)
    target[k] = 0.0
    before = w.aid.copy()
    w.aid += rate(p.aid_adjustment_rate, months) * (target - w.aid)
    started = (before < p.aid_event_threshold) & (w.aid >= p.aid_event_threshold)
    emitted = [
        ("provide_military_aid", w.codes[i], [w.codes[k]], "military aid") for i in started.nonzero()[0]
    ]
    received[k] = float((w.aid * w.cap).sum()) * p.aid_capability_share
    return received, emitted


def aid_runs(W, P, months: int) -> tuple[np.ndarray, list[tuple[int, list[Emitted]]]]:
    """``aid`` for every run of a lockstep ensemble: aid received (one row per run), (run, its events) where any."""
    runs, n = W.aid.shape
    received = np.zeros((runs, n))
    war = np.where(W.member, 0.0, W.war)
    k = war.argmax(axis=1)
    at = np.arange(runs)
    active = (war[at, k] > 0.0) & ~(W.war[at, k] < P.aid_war_threshold)
    winding = ~active & W.aid.any(axis=1)  # aid winds down (nothing to do once it is gone)
    if winding.any():
        aid = W.aid[winding]
        W.aid[winding] = aid + rate(P.aid_adjustment_rate[winding], months)[:, None] * (0.0 - aid)
    q = np.flatnonzero(active)
    if not len(q):
        return received, []
    kq, at = k[q], np.arange(len(q))
    distrust = (1.0 - W.trust[q, :, W.r]) / 2.0
    readiness = np.minimum(1.0, W.stocks[q] / P.aid_stock_floor[q, None])
    target = (P.aid_drive[q] * W.war[q, kq])[:, None] * W.solidarity[q] * distrust * readiness
    target *= (1.0 - P.nuclear_aid_restraint[q] * W.nuclear_fear[q])[:, None]  # self-deterrence after nuclear signals
    np.clip(target, 0.0, 1.0, out=target)
    target = np.where(W.west_nr, target, 0.0)
    target[at, kq] = 0.0
    before = W.aid[q]
    after = before + rate(P.aid_adjustment_rate[q], months)[:, None] * (target - before)
    W.aid[q] = after
    threshold = P.aid_event_threshold[q, None]
    started = (before < threshold) & (after >= threshold)
    received[q, kq] = (after * W.cap[q]).sum(axis=1) * P.aid_capability_share[q]
    codes = W.codes
    emitted = [
        (int(q[a]), [("provide_military_aid", codes[i], [codes[kq[a]]], "military aid") for i in started[a].nonzero()[0]])
        for a in np.flatnonzero(started.any(axis=1)).tolist()
    ]
    return received, emitted
