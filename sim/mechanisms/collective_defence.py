"""Collective defence: an armed attack on a member brings the alliance's response under Article 5.

Article: NATO's forces on the eastern flank "in the event of an attack from
Russia, they will respond quickly"; "to maintain a climate of peace and ensure
collective security"; some members "are not in solidarity with other member
states facing certain problems".  Public fact: North Atlantic Treaty, Article 5
("an armed attack against one or more of them ... shall be considered an attack
against them all"); Article 5 was invoked once, on 12 September 2001 (NATO).

While Russia's war on a member goes on, each member decides how far it stands by
the attacked ally: its contribution is its solidarity times its own sense of the
danger (threat from Russia against the reference), the United States' scaled by its
commitment.  The alliance invokes Article 5 (an event in the log) when the members
willing to contribute hold at least a quorum of the alliance's weight; a member whose
contribution falls short of the hesitation threshold is seen to hesitate (an event:
its allies' trust in it falls).  Once invoked, the members' contributions reinforce
the attacked state and the eastern flank (forward presence, free of the Founding
Act's limits) and raise their defence spending; when the war on the alliance ends,
the reinforcements stay as standing presence commitments (an event); the attack's weight on every
member's threat and trust comes from the threat and trust submodels, which read an
armed attack on an ally as an attack on oneself, in proportion to solidarity.
"""

from __future__ import annotations

import numpy as np

from sim.world import World

#: (event type, actor, targets, label, event parameters)
Decision = tuple[str, str, list[str], str, dict]


def attacked(w: World, p) -> np.ndarray:
    """Return the mask of members Russia is fighting above the armed-confrontation threshold."""
    return w.member & (w.war > p.conflict_level_threshold)


def contributions(w: World, p) -> np.ndarray:
    """Return each member's willingness to stand by an attacked ally, 0..1 (0 for non-members)."""
    c = w.solidarity * np.minimum(1.0, w.threat_from_russia / p.presence_threat_reference)
    c = np.where(w.member, c, 0.0)
    if w.us >= 0:
        c[w.us] *= p.us_commitment
    return c


def respond(w: World, p) -> list[Decision]:
    """Decide the alliance's response to an attack on a member this step; return the events it emits."""
    victims = attacked(w, p)
    emitted: list[Decision] = []
    if not victims.any():
        if w.article5:
            # the war on the alliance is over: the reinforcements stay as standing commitments
            emitted.extend(_made_permanent(w.codes, w.reinforcement, w.presence_commit))
        w.article5 = False
        w.contribution[:] = 0.0
        w.reinforcement[:] = 0.0
        w.hesitant[:] = False
        return emitted
    c = contributions(w, p)
    w.contribution = c
    names = [w.codes[j] for j in victims.nonzero()[0]]
    hesitating = w.member & (c < p.article5_hesitation) & ~victims
    for i in (hesitating & ~w.hesitant).nonzero()[0]:
        emitted.append(("withhold_support", w.codes[i], names, "hesitates over Article 5", {}))
    w.hesitant = hesitating | w.hesitant
    weights = np.where(w.member & ~victims, w.gdp, 0.0)
    # sums over every state (zeros kept in place), so that one run and a lockstep ensemble give the same bits
    willing = float(np.where(hesitating, 0.0, weights).sum()) / max(float(weights.sum()), 1e-9)
    if not w.article5 and willing >= p.article5_quorum:
        w.article5 = True
        emitted.append(("invoke_article_5", "NATO", ["RUS"], "Article 5 invoked: " + ", ".join(names), {}))
    if w.article5:
        # reinforcement: the members' mean contribution (weighted by their weight), full on the attacked state
        level = float((c * weights).sum()) / max(float(weights.sum()), 1e-9)
        flank = w.member & np.isin(w.proximity_class, ("border", "frontline"))
        w.reinforcement = np.where(victims, level, np.where(flank, p.flank_reinforcement * level, 0.0))
    return emitted


def _made_permanent(codes: list[str], reinforcement: np.ndarray, commit: np.ndarray) -> list[Decision]:
    """Return the events that keep a run's Article 5 reinforcements as standing commitments (war over)."""
    raised = reinforcement > commit  # a commitment is only ever raised
    emitted: list[Decision] = []
    for level in np.unique(reinforcement[raised]):
        hosts = [codes[j] for j in (raised & (reinforcement == level)).nonzero()[0]]
        emitted.append(("forward_presence_commitment", "NATO", hosts, "reinforcements made permanent",
                        {"hosts": hosts, "level": float(level)}))
    return emitted


def respond_runs(W, P) -> list[tuple[int, list[Decision]]]:
    """``respond`` for every run of a lockstep ensemble; return (run, its events) for the runs that emit any."""
    codes = W.codes
    victims = W.member & (W.war > P.conflict_level_threshold[:, None])
    at_war = victims.any(axis=1)
    out: list[tuple[int, list[Decision]]] = []
    calm = ~at_war
    if calm.any():
        for q in np.flatnonzero(calm & W.article5).tolist():
            emitted = _made_permanent(codes, W.reinforcement[q], W.presence_commit[q])
            if emitted:
                out.append((q, emitted))
        W.article5[calm] = False
        W.contribution[calm] = 0.0
        W.reinforcement[calm] = 0.0
        W.hesitant[calm] = False
    runs = np.flatnonzero(at_war)
    if not len(runs):
        return out
    v, member = victims[runs], W.member[runs]
    c = W.solidarity[runs] * np.minimum(1.0, W.threat_from_russia[runs] / P.presence_threat_reference[runs, None])
    c = np.where(member, c, 0.0)
    if W.us >= 0:
        c[:, W.us] *= P.us_commitment[runs]
    W.contribution[runs] = c
    hesitating = member & (c < P.article5_hesitation[runs, None]) & ~v
    hesitant = W.hesitant[runs]
    newly = hesitating & ~hesitant
    W.hesitant[runs] = hesitating | hesitant
    weights = np.where(member & ~v, W.gdp[runs], 0.0)
    total = np.maximum(weights.sum(axis=1), 1e-9)
    willing = np.where(hesitating, 0.0, weights).sum(axis=1) / total
    before = W.article5[runs]
    invoked = ~before & (willing >= P.article5_quorum[runs])
    in_force = before | invoked
    W.article5[runs] = in_force
    level = ((c * weights).sum(axis=1) / total)[:, None]
    flank = member & np.isin(W.proximity_class, ("border", "frontline"))
    reinforcement = np.where(v, level, np.where(flank, P.flank_reinforcement[runs, None] * level, 0.0))
    W.reinforcement[runs] = np.where(in_force[:, None], reinforcement, W.reinforcement[runs])
    for a in np.flatnonzero(newly.any(axis=1) | invoked).tolist():
        names = [codes[j] for j in v[a].nonzero()[0]]
        emitted = [("withhold_support", codes[i], names, "hesitates over Article 5", {}) for i in newly[a].nonzero()[0]]
        if invoked[a]:
            emitted.append(("invoke_article_5", "NATO", ["RUS"], "Article 5 invoked: " + ", ".join(names), {}))
        out.append((int(runs[a]), emitted))
    out.sort(key=lambda item: item[0])
    return out


def war_on_members_runs(W) -> np.ndarray:
    """``war_on_members`` for every run of a lockstep ensemble."""
    return np.where(W.member.any(axis=1), np.where(W.member, W.war, 0.0).max(axis=1), 0.0)


def war_on_members(w: World) -> float:
    """Return the intensity of Russia's most intense war on a member (0 if none)."""
    return float(np.where(w.member, w.war, 0.0).max()) if w.member.any() else 0.0
