"""Threat perception, deterrence credibility and the security dilemma."""

from __future__ import annotations

import numpy as np

from sim.mechanisms import deterrence, security_dilemma, threat, trust


def _credibility(model):
    deterrence.update(model.world, model.p, np.zeros(model.world.n))
    return model.world.deterrence


def test_threat_rises_with_hostile_acts(model):
    w, p = model.world, model.p
    threat.update(w, p)
    before = threat.from_russia(w).copy()
    trust.apply_event(w, p, np.array([w.r]), np.array([w.idx("POL")]), -9.0)
    threat.update(w, p)
    after = threat.from_russia(w)
    assert after[w.idx("POL")] > before[w.idx("POL")]
    assert (after >= before - 1e-12).all()


def test_closer_states_perceive_more_threat(model):
    w, p = model.world, model.p
    w.trust[:, w.r] = 0.0
    threat.update(w, p)
    t = threat.from_russia(w)
    assert t[w.idx("EST")] > t[w.idx("DEU")] > t[w.idx("USA")]


def test_a_war_nearby_raises_threat(model):
    w, p = model.world, model.p
    threat.update(w, p)
    before = threat.from_russia(w)[w.idx("FIN")]
    w.war[w.idx("UKR")] = 1.0
    threat.update(w, p)
    assert threat.from_russia(w)[w.idx("FIN")] > before + 0.05


def test_threat_stays_in_unit_interval(model):
    w, p = model.world, model.p
    w.trust[:] = -1.0
    w.hostile[:] = 3.0
    w.war[:] = 1.0
    full = threat.matrix(w, p)
    assert (full >= 0).all() and (full < 1).all()


def test_per_step_slices_match_the_full_matrix(model):
    w, p = model.world, model.p
    w.war[w.idx("UKR")] = 0.7
    w.hostile[w.idx("POL"), w.r] = 0.5
    w.encirclement = 0.6
    threat.update(w, p)
    full = threat.matrix(w, p)
    assert np.allclose(full[:, w.r], w.threat_from_russia)
    assert np.allclose(full[w.r, :], w.russia_threat)
    assert full[w.idx("DEU"), w.idx("FRA")] > 0  # every pair has a threat, not only Russia's


def test_more_forward_presence_raises_credibility(model):
    w = model.world
    est = w.idx("EST")
    w.member[est] = True
    w.presence[est] = 0.0
    low = _credibility(model)[est]
    w.presence[est] = 0.8
    high = _credibility(model)[est]
    assert high > low + 0.05


def test_article_5_raises_credibility_and_cohesion_matters(model):
    w = model.world
    fin = w.idx("FIN")
    w.member[fin] = False
    outside = _credibility(model)[fin]
    w.member[fin] = True
    inside = _credibility(model)[fin]
    w.cohesion = 0.2
    divided = _credibility(model)[fin]
    assert inside > outside + 0.1
    assert divided < inside


def test_depleted_stocks_lower_credibility(model):
    w = model.world
    w.member[w.idx("LTU")] = True
    full = _credibility(model)[w.idx("LTU")]
    w.stocks[:] = 0.1
    assert _credibility(model)[w.idx("LTU")] < full


def test_russia_at_war_elsewhere_is_weaker_locally(model):
    w = model.world
    mda = w.idx("MDA")
    calm = _credibility(model)[mda]
    w.war[w.idx("UKR")] = 1.0
    deterrence.commit_forces(w, model.p, 1)  # Russia commits forces to the war at once
    at_war = _credibility(model)[mda]
    assert at_war > calm
    w.war[:] = 0.0
    deterrence.commit_forces(w, model.p, 1)  # ... and gets them back only slowly
    assert calm < _credibility(model)[mda] < at_war


def test_enlargement_raises_perceived_encirclement(model):
    w, p = model.world, model.p
    before = security_dilemma.encirclement(w, p)
    for code in ("POL", "EST", "LVA", "LTU"):
        w.member[w.idx(code)] = True
    assert security_dilemma.encirclement(w, p) > before


def test_presence_feeds_the_spiral_only_through_its_parameter(model):
    w, p = model.world, model.p
    base = security_dilemma.encirclement(w, p)
    w.presence[w.idx("NOR")] = 1.0
    with_spiral = security_dilemma.encirclement(w, p)
    p.spiral_presence_sensitivity = 0.0
    without_spiral = security_dilemma.encirclement(w, p)
    assert with_spiral > base
    assert without_spiral == base


def test_encirclement_lowers_russias_baseline_trust_in_members(model):
    w, p = model.world, model.p
    w.encirclement = 0.0
    low = trust.baseline(w, p)[w.r, w.member].mean()
    w.encirclement = 1.0
    assert trust.baseline(w, p)[w.r, w.member].mean() < low - 0.1


def test_red_line_membership_counts_as_violation(model):
    w, p = model.world, model.p
    security_dilemma.encirclement(w, p)
    assert w.red_line_violation == 0.0
    w.applicant[w.idx("UKR")] = True
    e = security_dilemma.encirclement(w, p)
    assert w.red_line_violation == 1.0
    w.applicant[w.idx("UKR")] = False
    assert security_dilemma.encirclement(w, p) < e


def test_encirclement_feeds_revisionism(model):
    w, p = model.world, model.p
    for code in ("POL", "EST", "LVA", "LTU", "ROU", "FIN", "SWE"):
        w.member[w.idx(code)] = True
    w.presence[w.member] = 1.0
    start = w.revisionism
    for _ in range(60):
        security_dilemma.perceive(w, p)
        security_dilemma.update_ambition(w, p, 1)
    assert w.revisionism > start
