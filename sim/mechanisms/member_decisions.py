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

import numpy as np

from sim.mechanisms.institutions import Emitted, presence_cap
from sim.mechanisms.trust import rate
from sim.world import World


def spending(w: World, p, months: int, rng: np.random.Generator) -> None:
    """Move every state's defence spending toward the level its threat and pledges call for."""
    threat = w.threat_from_russia
    target = w.spend_base + p.spending_threat_response * threat
    if w.guideline_pct > 0.0:
        pull = (
            w.pledge
            * p.pledge_pull
            * w.solidarity
            * np.minimum(1.0, threat / p.pledge_threat_reference)
            * np.maximum(0.0, w.guideline_pct - w.spend)
        )
        target = target + np.where(w.member, pull, 0.0)
    r = w.r
    target[r] = (
        w.spend_base[r]
        + p.spending_threat_response * float(w.russia_threat[w.member].max(initial=0.0))
        + p.russia_war_spending * float(w.war.max())
    )
    gap = target - w.spend
    speed = np.where(gap > 0.0, rate(p.spending_rise_rate, months), rate(p.spending_fall_rate, months))
    noise = rng.normal(0.0, p.spending_noise * np.sqrt(months), w.n)
    w.spend = np.minimum(np.maximum(w.spend + speed * gap + noise, 0.0), 12.0)
    milex = w.gdp * w.spend / 100.0 * w.cap_factor
    milex[w.r] += w.partner_capability
    w.cap += rate(p.capability_adjustment_rate, months) * (milex - w.cap)


def presence(w: World, p, months: int) -> None:
    """Move allied forward presence in each host toward what commitments and threat call for."""
    commit = w.presence_commit + p.air_policing_weight * w.air_commit
    if not commit.any() and not w.presence.any():
        return
    threat = w.threat_from_russia
    m = w.member
    willing = float((w.solidarity * np.minimum(1.0, threat / p.presence_threat_reference)) @ m) / max(m.sum(), 1)
    surge = 1.0 + p.presence_surge * np.maximum(0.0, threat - p.presence_surge_threshold)
    target = np.minimum(commit * surge * ((0.5 + willing) * m), presence_cap(w, p))
    w.presence += rate(p.presence_adjustment_rate, months) * (np.minimum(target, 1.0) - w.presence)


def sanctions(w: World, p, months: int) -> list[Emitted]:
    """Let Western states impose sanction packages on Russia or lift them slowly."""
    r = w.r
    west = w.west_nr
    provocation = float(w.war.max()) + p.sanctions_hostility_weight * np.minimum(1.0, w.hostile[:, r])
    target = p.sanctions_drive * provocation * w.solidarity - p.sanctions_energy_cost * w.dependence
    target = np.minimum(np.maximum(target, 0.0), 1.0)
    mean = float(w.sanctions @ w.west_weights)
    target += p.sanctions_coordination * w.solidarity * (mean - target)
    target *= west & (w.trust[:, r] < p.sanctions_trust_threshold)
    gap = target - w.sanctions
    jump = gap > p.sanctions_package
    if not jump.any():
        if gap.min() < 0.0:
            w.sanctions = w.sanctions + rate(p.sanctions_lift_rate, months) * np.minimum(0.0, gap)
        return []
    emitted = [("impose_sanctions", w.codes[i], ["RUS"], "sanctions package") for i in np.flatnonzero(jump)]
    w.sanctions = np.where(jump, target, w.sanctions + rate(p.sanctions_lift_rate, months) * np.minimum(0.0, gap))
    return emitted


def victim(w: World) -> int:
    """Return the non-member Russia is fighting hardest, or -1."""
    war = np.where(w.member, 0.0, w.war)
    k = int(war.argmax())
    return k if war[k] > 0.0 else -1


def aid(w: World, p, months: int) -> tuple[np.ndarray, list[Emitted]]:
    """Decide military aid to Russia's war victim; return aid received per state and events."""
    received = np.zeros(w.n)
    k = victim(w)
    donors = w.west & w.not_r
    if k < 0 or w.war[k] < p.aid_war_threshold:
        w.aid += rate(p.aid_adjustment_rate, months) * (0.0 - w.aid)
        return received, []
    distrust = (1.0 - w.trust[:, w.r]) / 2.0
    readiness = np.minimum(1.0, w.stocks / p.aid_stock_floor)
    target = np.clip(p.aid_drive * w.war[k] * w.solidarity * distrust * readiness, 0.0, 1.0)
    target = np.where(donors, target, 0.0)
    target[k] = 0.0
    before = w.aid.copy()
    w.aid += rate(p.aid_adjustment_rate, months) * (target - w.aid)
    started = (before < p.aid_event_threshold) & (w.aid >= p.aid_event_threshold)
    emitted = [
        ("provide_military_aid", w.codes[i], [w.codes[k]], "military aid") for i in np.flatnonzero(started)
    ]
    received[k] = float((w.aid * w.cap).sum()) * p.aid_capability_share
    return received, emitted
