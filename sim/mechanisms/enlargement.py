"""Enlargement: neutrals decide to apply; every member must ratify; then accession.

Article: "the outbreak of the conflict in Ukraine opened a quick access gate to
NATO for Sweden and Finland, given the concerns of the two states about their
own security after the Russian invasion of Ukraine"; "Sweden is following the
same path, even if there are and have been some differences of opinion on what
it stands for Turkey, which does not fully support the idea of accepting this
state into NATO"; Ukraine "still does not fully meet the conditions to become a
NATO member state".

A non-member's monthly hazard of applying rises steeply once its threat from
Russia, as its public comes to feel it (threat smoothed over months), passes a threshold raised by its tradition of neutrality and lowered
when a close, trusted neighbour has applied.  Each member
ratifies a pending candidate with a monthly probability set by its solidarity
and threat, lowered by a bilateral grievance and by the candidate being at war.
Accession follows the last ratification.  A state whose accession the
scenario schedules (the enlargement waves of the record) joins on that date
instead: the alliance's timing of those waves is an exogenous shock.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.institutions import Emitted
from sim.mechanisms.trust import rate
from sim.world import ONE, ZERO, World


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def applications(w: World, p, step: int, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let eligible non-members decide whether to apply for membership."""
    draws = rng.random(w.n)
    # the public's sense of threat follows events with a lag: a spike does not make a policy
    lag = w.threat_from_russia - w.threat_opinion
    lag *= rate(p.opinion_adjustment_rate, months)
    w.threat_opinion += lag
    inside = w.member | w.applicant
    can = w.eligible & ~inside
    if not np.count_nonzero(can):
        return []
    threshold = p.application_neutrality_weight * w.neutrality
    threshold += p.application_threat_threshold
    pending = w.applicant & ~w.member
    if np.count_nonzero(pending):
        # a trusted neighbour's application lowers the bar (Sweden "following the same path")
        peer = np.maximum(w.trust[:, pending], ZERO)
        peer *= w.prox[:, pending]
        peer = peer.max(axis=1)
        peer *= p.application_peer_weight
        threshold -= peer
    # hazard = max rate / (1 + exp(steepness * (threshold - opinion)))
    threshold -= w.threat_opinion
    threshold *= p.application_steepness
    hazard = np.exp(threshold, out=threshold)
    hazard += ONE
    np.divide(p.application_max_rate, hazard, out=hazard)
    if months > 1:
        hazard = 1.0 - (1.0 - hazard) ** months
    chosen = draws < hazard
    chosen &= can
    if not np.count_nonzero(chosen):
        return []
    new = chosen.nonzero()[0]
    for i in new:
        w.applicant[i] = True
        w.applied_step[i] = step
    return [("membership_application", w.codes[i], ["NATO"], "applies to join NATO") for i in new]


def ratifications(w: World, p, step: int, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let each member ratify pending candidates; admit a candidate once all have.

    All candidates are handled at once: row c of the work arrays is candidate c, column i
    member i (the same arithmetic, element by element, as one candidate at a time).
    """
    pending = (w.applicant & ~(w.member | w.accession_scheduled)).nonzero()[0]
    if len(pending) == 0:
        return []  # no draw either: an empty draw leaves the generator as it is
    draws = rng.random((len(pending), w.n))
    # members ratify a candidate once the delay has passed, and not while Russia is fighting it
    ready = (step - w.applied_step[pending]) >= p.ratification_delay_months / months
    ready &= w.war[pending] <= p.conflict_level_threshold
    if not np.count_nonzero(ready):
        return []
    rows = ready.nonzero()[0]
    candidates = pending[rows]
    # x = base + solidarity + threat - grievance - war - red line (each weighted)
    x = p.ratification_solidarity_weight * w.solidarity
    x += p.ratification_base
    x += p.ratification_threat_weight * w.threat_from_russia
    x = x - (p.ratification_grievance_weight * w.grievance[:, candidates]).T
    x -= (p.ratification_war_weight * w.war[candidates])[:, None]
    x -= (p.ratification_red_line_weight * w.red_line[candidates])[:, None]
    # q = 1 - (1 - max rate * sigmoid(x)) ** months
    q = _sigmoid(x)
    q *= p.ratification_max_rate
    np.subtract(ONE, q, out=q)
    if months != 1:
        q **= months
    np.subtract(ONE, q, out=q)
    newly = draws[rows] < q
    newly &= w.member
    ratified = w.ratified[:, candidates]
    ratified |= newly.T
    w.ratified[:, candidates] = ratified
    complete = ratified[w.member].all(axis=0)
    # the accession event (applied next by the model) admits the state
    return [("accession", "NATO", [w.codes[j]], f"{w.codes[j]} joins NATO") for j in candidates[complete]]


def admit(w: World, j: int, step: int) -> None:
    """Make state j a member now."""
    w.member[j] = True
    w.applicant[j] = False
    w.accession_step[j] = step
    w.new_member[j] = True
    w.ratified[:, j] = True
