"""Allied decisions and the economic paths, strategy-test style: exact answers worked out by hand.

Each test sets the arrays and parameters it relies on (so calibrated values do not
matter), writes the hand computation in a comment, and checks the model's answer
against it.  Covered: allied and Russian spending targets term by term (anchor and
austerity, threat intensity times exposure, the pledge with its honour, urgency and
burden sharing, the Article 5 war term, a state without armed forces; Russia's threat,
war and ambition terms), the pledge's urgency, partial adjustment of spending and
capability, growth and fiscal stress, the spending-guideline event; rotational forward
presence and the Founding Act's cap on the surge; gas dependence between commerce and
diversification; candidates bargaining down grievances; the SIPRI anchors, the GDP
growth record, growth paths and start GDP, and the scenario's anchor year.
"""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim
from sim import economic_paths
from sim.events import Event, apply
from sim.mechanisms import defence_spending, economy, enlargement, member_decisions
from sim.mechanisms.trust import rate
from sim.model import NatoRussiaModel, growth_paths, start_gdp

# -- helpers ------------------------------------------------------------------------------------------


def _set(p, **values: float) -> None:
    """Set parameters on model.p; refuse names the model does not have (a typo would test nothing)."""
    for name, value in values.items():
        assert hasattr(p, name), f"no parameter {name}"
        setattr(p, name, value)


def _calm_spending(model):
    """A world where no spending term is on but the anchor: no threat, stress, war, pledge or Article 5."""
    w, p = model.world, model.p
    w.threat_from_russia[:] = 0.0
    w.russia_threat[:] = 0.0
    w.war[:] = 0.0
    w.fiscal_stress[:] = 0.0
    w.contribution[:] = 0.0
    w.guideline_pct = 0.0
    w.pledge = 0.0
    w.pledge_since = 0.0
    w.pledge_horizon = 0.0
    w.pledge_floor = False
    w.article5 = False
    w.revisionism = 0.0
    _set(p, russia_ambition_spending=0.0, spending_threat_threshold=0.55, pledge_threat_reference=0.65, spending_threat_response=1.3,
         austerity_weight=0.03, pledge_pull=1.0, burden_sharing_weight=1.0, us_commitment=1.0,
         pledge_early_urgency=0.3, alliance_war_spending=3.0, russia_spending_threat_response=0.9,
         russia_war_spending=3.0)
    return w, p


def _ally(w, code: str, anchor: float = 1.2, spend: float = 1.5, resolve: float = 0.9, prox: float = 1.0,
          solidarity: float = 0.8):
    """Give one state the spending facts a test relies on; return its row."""
    i = w.idx(code)
    w.spend_base[i] = anchor
    w.spend[i] = spend
    w.resolve[i] = resolve
    w.prox_r[i] = prox
    w.solidarity[i] = solidarity
    return i


def _target(model, i: int, year: float = 2015.0) -> float:
    return float(defence_spending.targets(model.world, model.p, year)[i])


def _event(model, when: date, type_: str, actor: str, targets, **params):
    ev = Event(when, type_, actor, tuple(targets), params=params)
    apply(model.world, model.p, ev, model.event_types[type_], 0)


# -- 1. spending targets, term by term --------------------------------------------------------------------


def test_an_ally_at_or_below_the_threshold_gets_exactly_its_anchor(model):
    w, _p = _calm_spending(model)
    deu = _ally(w, "DEU", anchor=1.2, spend=1.0)
    assert w.member[deu]
    w.guideline_pct, w.pledge, w.pledge_floor = 2.0, 1.0, True  # a pledge in force, pressing in full
    w.threat_from_russia[deu] = 0.5
    # threat 0.5 <= theta 0.55: no threat term and no pledge (it is honoured only above theta): 1.2
    assert _target(model, deu) == 1.2
    w.threat_from_russia[deu] = 0.55
    # at theta exactly: still nothing beyond the anchor (the terms need threat > theta)
    assert _target(model, deu) == 1.2


def test_austerity_cuts_the_anchor_and_never_below_zero(model):
    w, _p = _calm_spending(model)
    deu = _ally(w, "DEU", anchor=1.2)
    w.fiscal_stress[deu] = 4.0
    # 1.2 * (1 - 0.03 * 4) = 1.2 * 0.88 = 1.056
    assert _target(model, deu) == pytest.approx(1.056, abs=1e-12)
    w.fiscal_stress[deu] = 50.0
    # 1.2 * max(1 - 0.03 * 50, 0) = 1.2 * max(-0.5, 0) = 0
    assert _target(model, deu) == 0.0


def test_threat_above_the_threshold_adds_its_intensity_times_exposure(model):
    w, _p = _calm_spending(model)
    deu = _ally(w, "DEU", anchor=1.2, resolve=0.9, prox=1.0)
    w.threat_from_russia[deu] = 0.7
    # 1.2 + 1.3 * 0.9 * 1.0 * ln((1 - 0.55) / (1 - 0.7)) = 1.2 + 1.17 * ln(1.5) = 1.2 + 0.4743942 = 1.6743942
    assert _target(model, deu) == pytest.approx(1.2 + 1.17 * math.log(1.5), abs=1e-12)
    assert _target(model, deu) == pytest.approx(1.6743942, abs=1e-7)
    w.prox_r[deu] = 0.3  # a rear state: exposure 0.9 * 0.3
    # 1.2 + 1.3 * 0.27 * ln(1.5) = 1.2 + 0.1423183 = 1.3423183
    assert _target(model, deu) == pytest.approx(1.3423183, abs=1e-7)


def test_pledge_in_full_at_the_reference_threat(model):
    w, p = _calm_spending(model)
    _set(p, spending_threat_response=0.0)  # the threat term off: only the pledge
    deu = _ally(w, "DEU", anchor=1.2, spend=1.5, solidarity=0.8)
    w.threat_from_russia[deu] = 0.7
    w.guideline_pct, w.pledge, w.pledge_floor = 2.0, 1.0, True  # a floor: urgency 1
    # honour = min((0.7 - 0.55) / (0.65 - 0.55), 1) = min(1.5, 1) = 1; pull = 1 * 1 * (1 + 1 * (1 - 1)) = 1
    # 1.2 + 1 * 0.8 * 1 * max(1, 1) * max(2 - 1.5, 0) = 1.2 + 0.4 = 1.6
    assert _target(model, deu) == pytest.approx(1.6, abs=1e-12)
    w.spend[deu] = 2.4  # already above the guideline: the pledge adds nothing
    assert _target(model, deu) == 1.2


def test_pledge_half_honoured_presses_by_urgency_or_honour_whichever_is_larger(model):
    w, p = _calm_spending(model)
    _set(p, spending_threat_response=0.0, pledge_early_urgency=0.3)
    deu = _ally(w, "DEU", anchor=1.2, spend=1.5, solidarity=0.8)
    w.threat_from_russia[deu] = 0.6
    w.guideline_pct, w.pledge = 2.0, 1.0
    w.pledge_since, w.pledge_horizon = 2014.75, 2024.75
    # honour = (0.6 - 0.55) / (0.65 - 0.55) = 0.5
    # just made (urgency 0.3): press = 0.5 * max(0.3, 0.5) = 0.25 -> 1.2 + 0.8 * 0.25 * 0.5 = 1.3
    assert _target(model, deu, year=2014.75) == pytest.approx(1.3, abs=1e-12)
    # at the horizon (urgency 1): press = 0.5 * max(1, 0.5) = 0.5 -> 1.2 + 0.8 * 0.5 * 0.5 = 1.4
    assert _target(model, deu, year=2024.75) == pytest.approx(1.4, abs=1e-12)


def test_pledge_pull_grows_as_us_commitment_weakens(model):
    w, p = _calm_spending(model)
    _set(p, spending_threat_response=0.0, pledge_pull=1.0, burden_sharing_weight=1.5, us_commitment=0.4)
    deu = _ally(w, "DEU", anchor=1.2, spend=1.5, solidarity=1.0)
    w.threat_from_russia[deu] = 0.8
    w.guideline_pct, w.pledge, w.pledge_floor = 2.0, 0.3, True  # an informal guideline's strength
    # pull = 0.3 * 1 * (1 + 1.5 * (1 - 0.4)) = 0.3 * 1.9 = 0.57; honour 1, urgency 1
    # 1.2 + 0.57 * 1 * 1 * 1 * 0.5 = 1.485
    assert _target(model, deu) == pytest.approx(1.485, abs=1e-12)
    _set(p, us_commitment=1.0)
    # full commitment: pull 0.3 -> 1.2 + 0.15 = 1.35
    assert _target(model, deu) == pytest.approx(1.35, abs=1e-12)


def test_a_non_member_feels_no_pledge(model):
    w, p = _calm_spending(model)
    _set(p, spending_threat_response=0.0)
    pol = _ally(w, "POL", anchor=1.8, spend=1.0, solidarity=1.0)
    assert not w.member[pol]  # 1991: Poland is not yet a member
    w.threat_from_russia[pol] = 0.8
    w.guideline_pct, w.pledge, w.pledge_floor = 2.0, 1.0, True
    # the pledge binds members only: 1.8
    assert _target(model, pol) == 1.8
    w.member[pol] = True
    # as a member: 1.8 + 1 * 1 * 1 * 1 * (2 - 1) = 2.8
    assert _target(model, pol) == pytest.approx(2.8, abs=1e-12)


def test_war_on_an_ally_under_article_5_adds_the_contribution(model):
    w, _p = _calm_spending(model)
    deu = _ally(w, "DEU", anchor=1.2)
    nor = w.idx("NOR")
    assert w.member[nor]
    w.war[nor] = 0.5
    w.war[w.idx("UKR")] = 0.9  # a non-member's war does not count
    w.contribution[deu] = 0.4
    # Article 5 not invoked: 1.2
    assert _target(model, deu) == 1.2
    w.article5 = True
    # 1.2 + 3 * max member war 0.5 * 1 * 0.4 = 1.2 + 0.6 = 1.8
    assert _target(model, deu) == pytest.approx(1.8, abs=1e-12)


def test_iceland_keeps_its_civil_budget_whatever_the_threat_and_pledge(model):
    w, _p = _calm_spending(model)
    isl = w.idx("ISL")
    assert w.member[isl] and not w.armed_forces[isl]
    assert w.spend_base[isl] == pytest.approx(0.13, abs=1e-12)  # the roster's explicit anchor
    _ally(w, "ISL", anchor=0.13, spend=0.0, solidarity=1.0)
    w.fiscal_stress[isl] = 2.0
    # 0.13 * (1 - 0.03 * 2) = 0.1222
    assert _target(model, isl) == pytest.approx(0.1222, abs=1e-12)
    w.threat_from_russia[isl] = 0.9
    w.guideline_pct, w.pledge, w.pledge_floor = 2.0, 1.0, True
    w.war[w.idx("NOR")] = 0.5
    w.article5 = True
    w.contribution[isl] = 1.0
    # threat, pledge and war terms all skipped: still 0.1222
    assert _target(model, isl) == pytest.approx(0.1222, abs=1e-12)
    w.armed_forces[isl] = True  # the same facts with armed forces: well above it
    assert _target(model, isl) > 1.0


def test_russia_responds_to_its_highest_threat_from_a_member_and_its_largest_war(model):
    w, p = _calm_spending(model)
    r = w.r
    w.spend_base[r] = 2.0
    w.fiscal_stress[r] = 5.0  # no austerity term for Russia
    w.russia_threat[w.idx("USA")] = 0.6
    w.russia_threat[w.idx("DEU")] = 0.4
    w.russia_threat[w.idx("UKR")] = 0.95  # not a member: ignored
    w.war[w.idx("UKR")] = 0.4
    # 2 + 0.9 * 0.6 + 3 * 0.4 = 2 + 0.54 + 1.2 = 3.74
    assert _target(model, r) == pytest.approx(3.74, abs=1e-12)
    _set(p, russia_ambition_spending=2.0)
    w.revisionism = 0.25
    # rearmament with ambition: 3.74 + 2 * 0.25 = 4.24
    assert _target(model, r) == pytest.approx(4.24, abs=1e-12)


# -- 2. the pledge's urgency --------------------------------------------------------------------------------


def test_pledge_urgency_is_linear_from_early_to_full_at_the_horizon(model):
    w, p = model.world, model.p
    _set(p, pledge_early_urgency=0.3)
    w.pledge_floor = False
    w.pledge_since, w.pledge_horizon = 2014.75, 2024.75
    # 0.3 + 0.7 * elapsed share, clipped to 0..1
    assert defence_spending.pledge_urgency(w, p, 2014.75) == pytest.approx(0.3, abs=1e-12)
    assert defence_spending.pledge_urgency(w, p, 2019.75) == pytest.approx(0.65, abs=1e-12)  # halfway
    assert defence_spending.pledge_urgency(w, p, 2010.0) == pytest.approx(0.3, abs=1e-12)  # before: clipped
    assert defence_spending.pledge_urgency(w, p, 2030.0) == pytest.approx(1.0, abs=1e-12)  # after: clipped
    w.pledge_floor = True
    assert defence_spending.pledge_urgency(w, p, 2014.75) == 1.0  # a floor presses in full
    w.pledge_floor = False
    w.pledge_horizon = 0.0
    assert defence_spending.pledge_urgency(w, p, 2014.75) == 1.0  # no horizon


# -- 3. partial adjustment ---------------------------------------------------------------------------------------


def test_spending_rises_and_falls_at_their_rates_and_capability_follows(model):
    w, p = _calm_spending(model)
    _set(p, spending_noise=0.0, spending_rise_rate=0.04, spending_fall_rate=0.012, capability_adjustment_rate=0.02)
    deu = _ally(w, "DEU", anchor=2.0, spend=1.0)
    fra = _ally(w, "FRA", anchor=2.0, spend=3.0)
    w.gdp[deu], w.cap[deu], w.cap_factor[deu] = 1000.0, 10.0, 1.0
    assert rate(0.04, 3) == pytest.approx(0.115264, abs=1e-12)  # a monthly rate compounded over 3 months
    defence_spending.update(w, p, 3, 2000.0, np.random.default_rng(0))
    # up: rate(0.04, 3) = 1 - 0.96^3 = 0.115264 -> 1 + 0.115264 * (2 - 1) = 1.115264
    assert w.spend[deu] == pytest.approx(1.115264, abs=1e-12)
    # down: rate(0.012, 3) = 1 - 0.988^3 = 0.035569728 -> 3 - 0.035569728 = 2.964430272
    assert w.spend[fra] == pytest.approx(2.964430272, abs=1e-12)
    # capability: milex = 1000 * 1.115264 / 100 * 1 = 11.15264; rate(0.02, 3) = 0.058808
    # cap = 10 + 0.058808 * (11.15264 - 10) = 10.06778445312
    assert w.cap[deu] == pytest.approx(10.06778445312, abs=1e-10)


def test_spending_is_clipped_at_twelve_percent(model):
    w, p = _calm_spending(model)
    _set(p, spending_noise=0.0, spending_rise_rate=1.0)
    deu = _ally(w, "DEU", anchor=20.0, spend=1.0)
    defence_spending.update(w, p, 1, 2000.0, np.random.default_rng(0))
    # 1 + 1 * (20 - 1) = 20 -> min(20, 12) = 12
    assert w.spend[deu] == 12.0


def test_russian_capability_adds_its_partners_arms(model):
    w, p = _calm_spending(model)
    _set(p, spending_noise=0.0, spending_rise_rate=0.04, spending_fall_rate=0.012, capability_adjustment_rate=1.0)
    r = w.r
    w.spend_base[r], w.spend[r] = 4.0, 4.0  # at its target: no move
    w.gdp[r], w.cap_factor[r], w.partner_capability = 500.0, 2.8, 7.0
    defence_spending.update(w, p, 1, 2000.0, np.random.default_rng(0))
    # cap = 500 * 4 / 100 * 2.8 + 7 = 56 + 7 = 63 (adjustment rate 1: all the way)
    assert w.spend[r] == 4.0
    assert w.cap[r] == pytest.approx(63.0, abs=1e-12)


# -- 4. growth, budgets set in money, fiscal stress -----------------------------------------------------------------


def test_a_recession_month_lifts_the_share_and_builds_fiscal_stress(model):
    w, p = model.world, model.p
    _set(p, normal_growth=2.0, budget_stickiness=1.0, fiscal_stress_rate=0.03)
    deu, usa = w.idx("DEU"), w.idx("USA")
    w.gdp[deu], w.spend[deu], w.fiscal_stress[deu] = 1000.0, 1.2, 0.0
    w.gdp[usa], w.spend[usa], w.fiscal_stress[usa] = 500.0, 1.2, 1.0
    growth = np.full(w.n, 0.02)
    growth[deu] = -0.05
    growth[usa] = 0.04
    fra = w.idx("FRA")
    gdp_fra, spend_fra = float(w.gdp[fra]), float(w.spend[fra])
    defence_spending.grow(w, p, 1, growth)
    # DEU: gdp = 1000 * 0.95^(1/12) = 995.7346812; spend = 1.2 / (0.95 / 1.02)^(1/12) = 1.2071307
    assert w.gdp[deu] == pytest.approx(1000.0 * 0.95 ** (1 / 12), rel=1e-12)
    assert w.spend[deu] == pytest.approx(1.2071306947817266, rel=1e-12)
    # stress: 0 + rate(0.03, 1) * (max(2 - (-5), 0) - 0) = 0.03 * 7 = 0.21
    assert w.fiscal_stress[deu] == pytest.approx(0.21, abs=1e-12)
    # USA, above normal: spend = 1.2 / (1.04 / 1.02)^(1/12) = 1.1980598; stress 1 + 0.03 * (0 - 1) = 0.97
    assert w.spend[usa] == pytest.approx(1.198059761659109, rel=1e-12)
    assert w.fiscal_stress[usa] == pytest.approx(0.97, abs=1e-12)
    # FRA at normal growth: the share does not move, gdp * 1.02^(1/12)
    assert w.spend[fra] == spend_fra
    assert w.gdp[fra] == pytest.approx(gdp_fra * 1.02 ** (1 / 12), rel=1e-12)


def test_budget_stickiness_scales_the_share_s_move(model):
    w, p = model.world, model.p
    _set(p, normal_growth=2.0, budget_stickiness=0.5, fiscal_stress_rate=0.03)
    deu = w.idx("DEU")
    w.spend[deu] = 1.2
    growth = np.full(w.n, 0.02)
    growth[deu] = -0.05
    defence_spending.grow(w, p, 1, growth)
    # 1.2 / (0.95 / 1.02)^(0.5 / 12) = 1.2035601
    assert w.spend[deu] == pytest.approx(1.2035600665268318, rel=1e-12)
    _set(p, budget_stickiness=0.0)
    before = float(w.spend[deu])
    defence_spending.grow(w, p, 1, growth)
    assert w.spend[deu] == before  # stickiness 0: the share ignores the move of GDP


def test_a_year_of_recession_in_one_step_compounds_the_stress_rate(model):
    w, p = model.world, model.p
    _set(p, normal_growth=2.0, budget_stickiness=1.0, fiscal_stress_rate=0.03)
    deu = w.idx("DEU")
    w.gdp[deu], w.fiscal_stress[deu] = 1000.0, 0.0
    growth = np.full(w.n, 0.02)
    growth[deu] = -0.05
    defence_spending.grow(w, p, 12, growth)
    # gdp = 1000 * 0.95 = 950; stress = (1 - 0.97^12) * 7 = 0.3061576 * 7 = 2.1431035
    assert w.gdp[deu] == pytest.approx(950.0, rel=1e-12)
    assert w.fiscal_stress[deu] == pytest.approx((1 - 0.97**12) * 7.0, abs=1e-12)
    assert w.fiscal_stress[deu] == pytest.approx(2.1431035, abs=1e-7)


# -- 5. the spending-guideline event ---------------------------------------------------------------------------


def test_spending_guideline_events_set_the_pledge_its_horizon_and_floor(model):
    w, p = model.world, model.p
    _set(p, informal_pledge_strength=0.3)
    w.guideline_pct, w.pledge, w.pledge_since, w.pledge_horizon, w.pledge_floor = 0.0, 0.0, 0.0, 0.0, False
    _event(model, date(2006, 11, 29), "spending_guideline", "NATO", ["NATO"], pct=2.0, binding=False)
    # informal: pledge 0.3, since 2006 + 10/12, no horizon
    assert w.guideline_pct == 2.0
    assert w.pledge == pytest.approx(0.3, abs=1e-12)
    assert w.pledge_since == pytest.approx(2006 + 10 / 12, abs=1e-12)
    assert w.pledge_horizon == 0.0
    assert not w.pledge_floor
    _event(model, date(2014, 9, 5), "spending_guideline", "NATO", ["NATO"], pct=2.0, binding=True, target_year=2024)
    # binding: pledge max(0.3, 1) = 1, since 2014 + 8/12, horizon 2024
    assert w.pledge == 1.0
    assert w.pledge_since == pytest.approx(2014 + 8 / 12, abs=1e-12)
    assert w.pledge_horizon == 2024.0
    assert not w.pledge_floor
    _event(model, date(2023, 7, 11), "spending_guideline", "NATO", ["NATO"], pct=2.0, binding=True, floor=True)
    # a floor: no horizon, floor set, since 2023 + 6/12
    assert w.pledge_floor
    assert w.pledge_horizon == 0.0
    assert w.pledge_since == pytest.approx(2023.5, abs=1e-12)
    _event(model, date(2024, 1, 1), "spending_guideline", "NATO", ["NATO"], pct=2.5, binding=False)
    # a later informal guideline keeps the binding pledge (max) and the floor (once set, it holds)
    assert w.guideline_pct == 2.5
    assert w.pledge == 1.0
    assert w.pledge_floor


# -- 6. forward presence ---------------------------------------------------------------------------------------------


def _presence_world(model):
    """DEU and EST the only members; EST a post-1997 member under the Founding Act."""
    w, p = model.world, model.p
    _set(p, air_policing_weight=0.4, presence_threat_reference=0.5, presence_surge_threshold=0.5,
         presence_surge=2.0, founding_act_presence_cap=0.2, presence_adjustment_rate=0.08)
    w.member[:] = False
    w.new_member[:] = False
    deu, est = w.idx("DEU"), w.idx("EST")
    w.member[[deu, est]] = True
    w.new_member[est] = True
    w.founding_act = True
    w.threat_from_russia[:] = 0.0
    w.threat_from_russia[deu], w.threat_from_russia[est] = 0.25, 0.8
    w.solidarity[deu], w.solidarity[est] = 0.8, 1.0
    w.presence[:] = 0.0
    w.presence_commit[:] = 0.0
    w.air_commit[:] = 0.0
    w.reinforcement[:] = 0.0
    return w, p, deu, est


def test_forward_presence_moves_toward_rotational_plus_capped_surge(model):
    w, p, deu, est = _presence_world(model)
    w.air_commit[est], w.presence_commit[est] = 0.25, 0.3
    w.presence[est] = 0.1
    w.presence[deu] = 0.2
    member_decisions.presence(w, p, 1)
    # willing = mean(min(0.25 / 0.5, 1) * 0.8, min(0.8 / 0.5, 1) * 1) = (0.4 + 1) / 2 = 0.7
    # commitment = 0.4 * 0.25 + 0.3 = 0.4; rotational = 0.4 * (0.5 + 0.7) = 0.48
    # surge = min(0.48 * (0.8 - 0.5) * 2, 0.2) = min(0.288, 0.2) = 0.2; target = min(0.68, 1) = 0.68
    # presence = 0.1 + 0.08 * (0.68 - 0.1) = 0.1464
    assert w.presence[est] == pytest.approx(0.1464, abs=1e-12)
    # DEU hosts nothing: 0.2 + 0.08 * (0 - 0.2) = 0.184
    assert w.presence[deu] == pytest.approx(0.184, abs=1e-12)
    w.founding_act = False
    w.presence[est] = 0.1
    member_decisions.presence(w, p, 1)
    # no cap: target = 0.48 + 0.288 = 0.768 -> 0.1 + 0.08 * 0.668 = 0.15344
    assert w.presence[est] == pytest.approx(0.15344, abs=1e-12)


def test_founding_act_caps_the_surge_not_the_rotational_forces(model):
    w, p, _deu, est = _presence_world(model)
    _set(p, presence_adjustment_rate=1.0)  # presence reaches its target in one step
    w.threat_from_russia[est] = 0.5  # at the surge threshold: no surge; willing (0.4 + 1) / 2 = 0.7
    w.presence_commit[est] = 0.5
    member_decisions.presence(w, p, 1)
    # rotational = 0.5 * (0.5 + 0.7) = 0.6, surge 0: 0.6, three times the 0.2 cap
    assert w.presence[est] == pytest.approx(0.6, abs=1e-12)
    assert w.presence[est] > p.founding_act_presence_cap
    w.presence_commit[est] = 0.9
    member_decisions.presence(w, p, 1)
    # rotational = 0.9 * 1.2 = 1.08 -> min(1.08, 1) = 1
    assert w.presence[est] == 1.0


def test_article_5_reinforcements_set_a_floor_to_presence(model):
    w, p, _deu, est = _presence_world(model)
    _set(p, presence_adjustment_rate=1.0)
    w.presence_commit[est] = 0.1
    w.threat_from_russia[est] = 0.5
    w.reinforcement[est] = 0.9
    member_decisions.presence(w, p, 1)
    # rotational 0.1 * 1.2 = 0.12 < reinforcement 0.9: target max(0.12, 0.9) = 0.9
    assert w.presence[est] == pytest.approx(0.9, abs=1e-12)


# -- 7. gas dependence ---------------------------------------------------------------------------------------------


def _gas_world(model):
    w, p = model.world, model.p
    _set(p, diversification_rate=0.2, diversification_threshold=0.7, gas_return_rate=0.02, coercion_memory_decay=0.05)
    w.threat_from_russia[:] = 0.0
    w.coerced[:] = 0.0
    deu = w.idx("DEU")
    w.dependence0[deu] = 0.4
    return w, p, deu


def test_a_calm_buyer_drifts_back_to_its_commercial_share(model):
    w, p, deu = _gas_world(model)
    w.threat_from_russia[deu] = 0.3
    w.dependence[deu] = 0.1
    economy.update(w, p, 1)
    # keep 1 (threat below 0.7): 0.1 + 0.02 * (0.4 - 0.1) = 0.106
    assert w.dependence[deu] == pytest.approx(0.106, abs=1e-12)
    w.dependence[deu] = 0.1
    economy.update(w, p, 3)
    # three months: 0.1 + rate(0.02, 3) * 0.3 = 0.1 + 0.058808 * 0.3 = 0.1176424
    assert w.dependence[deu] == pytest.approx(0.1176424, abs=1e-12)


def test_a_frightened_buyer_diversifies(model):
    w, p, deu = _gas_world(model)
    w.threat_from_russia[deu] = 0.9
    w.dependence[deu] = 0.4
    economy.update(w, p, 1)
    # keep = 1 - min(0.2 * (0.9 - 0.7), 1) = 0.96: 0.4 * 0.96 + 0.02 * (0.4 - 0.4) = 0.384
    assert w.dependence[deu] == pytest.approx(0.384, abs=1e-12)
    w.dependence[deu] = 0.4
    economy.update(w, p, 3)
    # keep 0.96^3 = 0.884736: 0.4 * 0.884736 + 0.058808 * 0 = 0.3538944
    assert w.dependence[deu] == pytest.approx(0.3538944, abs=1e-12)


def test_a_cut_off_spurs_diversification_and_its_spur_fades(model):
    w, p, deu = _gas_world(model)
    w.threat_from_russia[deu] = 0.3
    w.dependence[deu] = 0.4
    w.coerced[deu] = 0.5
    economy.update(w, p, 1)
    # keep = 1 - 0.2 * (0 + 0.5) = 0.9: 0.36; coerced 0.5 * (1 - 0.05) = 0.475
    assert w.dependence[deu] == pytest.approx(0.36, abs=1e-12)
    assert w.coerced[deu] == pytest.approx(0.475, abs=1e-12)
    _set(p, diversification_rate=1.0)
    w.threat_from_russia[deu] = 1.0
    w.coerced[deu] = 1.0
    w.dependence[deu] = 0.3
    economy.update(w, p, 1)
    # keep = 1 - min(1 * (0.3 + 1), 1) = 0: 0 + 0.02 * (0.4 - 0.3) = 0.002
    assert w.dependence[deu] == pytest.approx(0.002, abs=1e-12)


def test_dependence_settles_where_commerce_and_fear_balance(model):
    w, p, deu = _gas_world(model)
    w.threat_from_russia[deu] = 0.8
    w.dependence[deu] = 0.4
    for _ in range(1000):
        economy.update(w, p, 1)
    # balance: 0.02 * 0.4 / (0.02 + 0.2 * 0.1) = 0.008 / 0.04 = 0.2 (the gap shrinks by 0.96 a month)
    assert w.dependence[deu] == pytest.approx(0.2, abs=1e-12)


# -- 8. accession bargaining ------------------------------------------------------------------------------------------


def _bargain_world(model):
    """SWE a pending candidate; TUR (member) holds a grievance of 0.6 against it, HUN (not a member) 0.4."""
    w, p = model.world, model.p
    _set(p, grievance_bargaining_rate=0.03)
    tur, hun, swe, fin = w.idx("TUR"), w.idx("HUN"), w.idx("SWE"), w.idx("FIN")
    w.applicant[:] = False
    w.accession_scheduled[:] = False
    w.applicant[swe] = True
    w.grievance[:] = 0.0
    w.grievance[tur, swe], w.grievance[hun, swe], w.grievance[hun, fin] = 0.6, 0.4, 0.2
    w.grievance0[:] = w.grievance
    w.ratified[:, swe] = False
    w.threat_from_russia[swe] = 0.5
    return w, p, tur, hun, swe, fin


def test_a_pending_candidate_buys_down_a_member_s_grievance(model):
    w, p, tur, hun, swe, fin = _bargain_world(model)
    assert w.member[tur] and not w.member[hun]
    assert list(enlargement.pending(w)) == [swe]
    events = enlargement.bargain(w, p, 1)
    # keep = (1 - 0.03)^0.5 = 0.9848858: 0.6 * 0.9848858 = 0.5909315; not yet half: no event
    assert w.grievance[tur, swe] == pytest.approx(0.6 * 0.97**0.5, abs=1e-12)
    assert w.grievance[tur, swe] == pytest.approx(0.5909315, abs=1e-7)
    assert events == []
    # a non-member's grievance and one against a non-pending state stay
    assert w.grievance[hun, swe] == 0.4
    assert w.grievance[hun, fin] == 0.2
    w.grievance[tur, swe] = 0.6
    enlargement.bargain(w, p, 3)
    # three months: keep = (1 - rate(0.03, 3))^0.5 = (0.97^3)^0.5 -> 0.6 * 0.97^1.5 = 0.5731983
    assert w.grievance[tur, swe] == pytest.approx(0.6 * 0.97**1.5, abs=1e-12)


def test_a_ratifying_member_and_a_scheduled_or_fearless_candidate_concede_nothing(model):
    w, p, tur, _hun, swe, _fin = _bargain_world(model)
    w.ratified[tur, swe] = True
    assert enlargement.bargain(w, p, 1) == []
    assert w.grievance[tur, swe] == 0.6  # TUR has ratified: nothing left to buy
    w.ratified[tur, swe] = False
    w.accession_scheduled[swe] = True
    assert list(enlargement.pending(w)) == []
    enlargement.bargain(w, p, 1)
    assert w.grievance[tur, swe] == 0.6  # a scheduled accession is not pending
    w.accession_scheduled[swe] = False
    w.threat_from_russia[swe] = 0.0
    enlargement.bargain(w, p, 1)
    assert w.grievance[tur, swe] == 0.6  # keep = 0.97^0 = 1: a candidate that fears nothing concedes nothing


def test_the_concession_event_comes_once_at_the_halving_step(model):
    w, p, tur, _hun, swe, _fin = _bargain_world(model)
    w.threat_from_russia[swe] = 1.0  # keep 0.97
    w.grievance[tur, swe] = 0.32  # of 0.6 at the start: half is 0.3
    # 0.32 * 0.97 = 0.3104, * 0.97 = 0.301088, * 0.97 = 0.29205536 (<= 0.3: the event), * 0.97 = 0.283294
    assert enlargement.bargain(w, p, 1) == []
    assert enlargement.bargain(w, p, 1) == []
    assert w.grievance[tur, swe] == pytest.approx(0.301088, abs=1e-12)
    assert enlargement.bargain(w, p, 1) == [("diplomatic_cooperation", "SWE", ["TUR"], "concessions to TUR")]
    assert w.grievance[tur, swe] == pytest.approx(0.29205536, abs=1e-12)
    assert enlargement.bargain(w, p, 1) == []
    assert w.grievance[tur, swe] == pytest.approx(0.2832937, abs=1e-7)


# -- 9. the economic paths ----------------------------------------------------------------------------------------------


def _sipri(code: str, year: int) -> float:
    df = pd.read_csv(economic_paths.REFERENCE)
    row = df[(df.series == "sipri") & (df.code == code) & (df.year == year)]
    assert len(row) == 1
    return float(row.value.iloc[0])


def test_anchored_fills_the_sipri_level_and_keeps_an_explicit_one():
    roster = [{"code": "POL"}, {"code": "ISL", "spending_anchor_pct": 0.13}, {"code": "XXX"}]
    out = economic_paths.anchored(roster, 2013)
    pol = _sipri("POL", 2013)
    assert pol == pytest.approx(1.790058, abs=1e-6)
    assert out[0]["spending_anchor_pct"] == pol
    assert "SIPRI" in out[0]["sources"]["spending_anchor_pct"]
    assert "2013" in out[0]["sources"]["spending_anchor_pct"]
    assert out[1] == {"code": "ISL", "spending_anchor_pct": 0.13}  # explicit: kept, no source added
    assert out[2] == {"code": "XXX"}  # no record: left without an anchor
    assert roster[0] == {"code": "POL"}  # the input is not changed
    assert economic_paths.anchored(roster, 1950) == roster  # a year without figures fills nothing


def test_gdp_growth_reads_the_world_bank_figures():
    growth = economic_paths.gdp_growth()
    assert growth["DEU"][2009] == pytest.approx(-5.694, abs=1e-9)
    growth["DEU"][2009] = 0.0  # the caller gets a copy
    assert economic_paths.gdp_growth()["DEU"][2009] == pytest.approx(-5.694, abs=1e-9)


def test_growth_paths_fill_missing_years_at_the_normal_rate():
    setup = SimpleNamespace(start=date(1995, 1, 1), end=date(2003, 12, 1),
                            gdp_growth={"AAA": {1992: 3.0, 2001: -1.0, 1980: 5.0, 2050: 1.0}})
    out, year0 = growth_paths(setup, ["AAA", "BBB"], SimpleNamespace(normal_growth=2.0))
    # years 1991 .. max(2003, 2000) = 13 columns; AAA 1992 = 0.03 and 2001 = -0.01, the rest 0.02
    assert year0 == 1991
    expected = np.full((2, 13), 0.02)
    expected[0, 1992 - 1991] = 0.03
    expected[0, 2001 - 1991] = -0.01
    assert out == pytest.approx(expected, abs=1e-15)
    early = SimpleNamespace(start=date(1989, 6, 1), end=date(1995, 12, 1), gdp_growth={})
    out, year0 = growth_paths(early, ["AAA"], SimpleNamespace(normal_growth=2.5))
    # from 1989 to 2000 (the roster's GDP year): 12 years at 0.025
    assert year0 == 1989
    assert out.shape == (1, 12)
    assert out == pytest.approx(np.full((1, 12), 0.025), abs=1e-15)


def test_start_gdp_runs_back_and_forth_from_2000():
    year0 = 1996  # columns 1996 .. 2003
    growth = np.array([
        [0.0, 0.01, 0.03, -0.02, 0.05, 0.04, -0.01, 0.0],  # AAA
        [0.0, 0.00, 0.00, 0.02, 0.00, 0.00, 0.10, 0.0],  # BBB
    ])
    gdp_2000 = np.array([100.0, 50.0])
    # back to 1998: divide by the growth of 1999 and 2000: AAA 100 / (0.98 * 1.05) = 97.1817298; BBB 50 / 1.02
    assert start_gdp(gdp_2000, growth, year0, 1998) == pytest.approx([100.0 / 1.029, 50.0 / 1.02], rel=1e-12)
    assert start_gdp(gdp_2000, growth, year0, 1998)[0] == pytest.approx(97.1817298, abs=1e-6)
    # forward to 2002: multiply by 2001 and 2002: AAA 100 * 1.04 * 0.99 = 102.96; BBB 50 * 1.1 = 55
    assert start_gdp(gdp_2000, growth, year0, 2002) == pytest.approx([102.96, 55.0], rel=1e-12)
    # 2000 itself: unchanged
    assert start_gdp(gdp_2000, growth, year0, 2000) == pytest.approx([100.0, 50.0], rel=1e-15)


# -- 10. the scenario's anchor year -------------------------------------------------------------------------------------


def test_the_anchor_year_sets_the_allies_peacetime_spending(historical):
    sc = sim.load_scenario("historical", anchor_year=2010)
    assert sc.to_dict()["spending_anchor_year"] == 2010
    pol_2010 = _sipri("POL", 2010)
    assert pol_2010 == pytest.approx(1.838518, abs=1e-6)
    assert next(s for s in sc.roster if s["code"] == "POL")["spending_anchor_pct"] == pol_2010
    w = NatoRussiaModel(sc.setup(), rng=7, mesa_collect=False).world
    assert w.spend_base[w.idx("POL")] == pol_2010
    assert w.spend_base[w.idx("ISL")] == 0.13  # the explicit anchor, whatever the year
    # the default scenario: 2013
    assert historical.to_dict()["spending_anchor_year"] == 2013
    assert next(s for s in historical.roster if s["code"] == "POL")["spending_anchor_pct"] == _sipri("POL", 2013)


def test_a_cut_off_lowers_the_commercial_share_for_good(model):
    w, p, deu = _gas_world(model)
    _set(p, coercion_supply_loss=0.5, coercion_lasting_loss=0.3)
    w.dependence[deu] = 0.4
    economy.coerce(w, p, np.array([deu]), 0.6)
    # at once: 0.4 * (1 - 0.6 * 0.5) = 0.28; for good: the commercial share 0.4 * (1 - 0.6 * 0.3) = 0.328
    assert w.dependence[deu] == pytest.approx(0.28, abs=1e-12)
    assert w.dependence0[deu] == pytest.approx(0.328, abs=1e-12)
    assert w.coerced[deu] == pytest.approx(0.6, abs=1e-12)
    for _ in range(600):  # calm for fifty years: commerce pulls it back to the lowered share, not to 0.4
        economy.update(w, p, 1)
    assert w.dependence[deu] == pytest.approx(0.328, abs=1e-4)  # the spur of the cut has all but faded
