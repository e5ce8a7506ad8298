"""Allied decisions: defence spending, forward presence, sanctions and aid to a victim.

Article: "member states agreed on the need to commit to increasing defense
investments"; NATO "decided to establish five multinational battle groups in
Estonia, Latvia, Lithuania, Poland, and Romania, expanded its air policing
capabilities"; "despite the sanctions it was subjected to, continued its plan";
"The supply of weapons and ammunition to Ukraine has significantly reduced the
stocks available to NATO member states".

Summit commitments (the 2 % guideline, battlegroups, air policing) are
scheduled events; how far and how fast each state follows them is decided
here from the threat it perceives, its solidarity, its energy dependence and
its stocks.  Spending rises faster than it falls (a ratchet).
"""

from __future__ import annotations

import math

import numpy as np

from sim.mechanisms.institutions import Emitted, presence_cap
from sim.mechanisms.trust import rate
from sim.world import ONE, ZERO, World, constant

_SPEND_MAX, _HUNDRED, _TWO = constant(12.0), constant(100.0), constant(2.0)


def spending(w: World, p, months: int, rng: np.random.Generator) -> None:
    """Move every state's defence spending toward the level its threat and pledges call for."""
    threat = w.threat_from_russia
    target = p.spending_threat_response * threat
    target += w.spend_base
    if w.guideline_pct > 0.0:
        # members' pull toward the guideline:
        # pledge * pull * solidarity * min(1, threat / reference) * max(0, guideline - spending)
        pull = (w.pledge * p.pledge_pull) * w.solidarity
        pull *= np.minimum(threat / p.pledge_threat_reference, ONE)
        gap = np.subtract(w.guideline_pct, w.spend)
        pull *= np.maximum(gap, ZERO, out=gap)
        target += np.where(w.member, pull, ZERO)
    r = w.r
    members = w.members().idx
    target[r] = (
        w.spend_base[r]
        + p.spending_threat_response * float(w.russia_threat[members].max(initial=0.0))
        + p.russia_war_spending * float(w.war.max())
    )
    gap = target
    gap -= w.spend
    speed = np.where(gap > ZERO, rate(p.spending_rise_rate, months), rate(p.spending_fall_rate, months))
    noise = rng.normal(0.0, p.spending_noise * math.sqrt(months), w.n)
    speed *= gap
    speed += w.spend  # spend + speed * gap
    speed += noise
    w.spend = np.minimum(np.maximum(speed, ZERO, out=speed), _SPEND_MAX, out=speed)
    milex = w.gdp * w.spend
    milex /= _HUNDRED
    milex *= w.cap_factor
    milex[r] += w.partner_capability
    milex -= w.cap
    milex *= rate(p.capability_adjustment_rate, months)
    w.cap += milex


def presence(w: World, p, months: int) -> None:
    """Move allied forward presence in each host toward what commitments and threat call for."""
    commit = p.air_policing_weight * w.air_commit
    commit += w.presence_commit
    if not np.count_nonzero(commit) and not np.count_nonzero(w.presence):
        return
    threat = w.threat_from_russia
    ms = w.members()
    # members' willingness: mean over members of solidarity * min(1, threat / reference)
    willing = threat / p.presence_threat_reference
    np.minimum(willing, ONE, out=willing)
    willing *= w.solidarity
    willing = float(willing @ ms.f) / max(ms.k, 1)
    # surge: 1 + surge * max(0, threat - threshold)
    surge = threat - p.presence_surge_threshold
    np.maximum(surge, ZERO, out=surge)
    surge *= p.presence_surge
    surge += ONE
    commit *= surge
    commit *= (0.5 + willing) * ms.f
    target = np.minimum(commit, presence_cap(w, p), out=commit)
    np.minimum(target, ONE, out=target)
    target -= w.presence
    target *= rate(p.presence_adjustment_rate, months)
    w.presence += target


def sanctions(w: World, p, months: int) -> list[Emitted]:
    """Let Western states impose sanction packages on Russia or lift them slowly."""
    r = w.r
    # provocation = max war + hostility weight * min(1, recent hostility)
    target = np.minimum(w.hostile[:, r], ONE)
    target *= p.sanctions_hostility_weight
    target += float(w.war.max())
    # target = drive * provocation * solidarity - energy cost * dependence, within 0..1
    target *= p.sanctions_drive
    target *= w.solidarity
    target -= p.sanctions_energy_cost * w.dependence
    np.minimum(np.maximum(target, ZERO, out=target), ONE, out=target)
    mean = float(w.sanctions @ w.west_weights)
    coordination = p.sanctions_coordination * w.solidarity
    coordination *= np.subtract(mean, target)
    target += coordination
    willing = w.trust[:, r] < p.sanctions_trust_threshold
    willing &= w.west_nr
    target *= willing
    gap = target - w.sanctions
    jump = gap > p.sanctions_package
    if not np.count_nonzero(jump):
        if gap.min() < 0.0:
            w.sanctions = w.sanctions + rate(p.sanctions_lift_rate, months) * np.minimum(0.0, gap)
        return []
    emitted = [("impose_sanctions", w.codes[i], ["RUS"], "sanctions package") for i in jump.nonzero()[0]]
    w.sanctions = np.where(jump, target, w.sanctions + rate(p.sanctions_lift_rate, months) * np.minimum(0.0, gap))
    return emitted


def victim(w: World) -> int:
    """Return the non-member Russia is fighting hardest, or -1."""
    if not np.count_nonzero(w.war):
        return -1
    war = np.where(w.member, ZERO, w.war)
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
    distrust = (ONE - w.trust[:, w.r]) / _TWO
    readiness = np.minimum(ONE, w.stocks / p.aid_stock_floor)
    target = p.aid_drive * w.war[k] * w.solidarity * distrust * readiness
    np.minimum(np.maximum(target, ZERO, out=target), ONE, out=target)
    target = np.where(donors, target, ZERO)
    target[k] = 0.0
    before = w.aid.copy()
    w.aid += rate(p.aid_adjustment_rate, months) * (target - w.aid)
    started = (before < p.aid_event_threshold) & (w.aid >= p.aid_event_threshold)
    emitted = [
        ("provide_military_aid", w.codes[i], [w.codes[k]], "military aid") for i in started.nonzero()[0]
    ]
    received[k] = float((w.aid * w.cap).sum()) * p.aid_capability_share
    return received, emitted
