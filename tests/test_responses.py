"""Model responses, strategy-test style: exact answers worked out by hand on worlds set up here.

Each test sets the arrays and parameters it relies on (so calibrated values do not
matter), writes the hand computation in a comment, and checks the model's answer
against it.  Covered: deterrence in Russia's choice of force (nested logit), stakes
and red lines, wars as processes (will, conduct, endings, start/stop), collective
defence (Article 5), the Article 5 term of threat, trust both ways (Russia's own
gains and memory, aggressor enmity, collective salience, war pressure), the
relations index, dialogue above the calm level, red-line restraint on applications,
events (leadership change, membership perspective, conciliation) and common random
numbers.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import numpy as np
import pytest

from sim.events import Event, apply
from sim.mechanisms import (
    collective_defence,
    enlargement,
    institutions,
    relations,
    russia_decisions,
    threat,
    trust,
    war,
)
from sim.mechanisms.russia_decisions import AGGRESSION, ATTACK
from sim.model import NatoRussiaModel
from sim.scenario import ScenarioError, load_scenario
from sim.world import ACTIVE, FROZEN

from .conftest import SCENARIOS, reset_trust, write

# -- helpers ------------------------------------------------------------------------------------------


def _set(p, **values: float) -> None:
    """Set parameters on model.p; refuse names the model does not have (a typo would test nothing)."""
    for name, value in values.items():
        assert hasattr(p, name), f"no parameter {name}"
        setattr(p, name, value)


class _Draws:
    """A stand-in generator whose every uniform draw is one fixed number."""

    def __init__(self, value: float):
        self.value = value

    def random(self, size=None):
        return self.value if size is None else np.full(size, self.value)


def _force_world(model):
    """Russia's choice of force with GEO (frontline non-member, red line) the only candidate."""
    w, p = model.world, model.p
    _set(p, u_aggression=2.0, u_attack=3.0, c_aggression=4.5, c_attack=4.0, c_deterrence=4.0, c_force_strain=2.0,
         c_aggression_at_war=3.0, decision_temperature=0.5, red_line_attraction=1.0, aggression_min_proximity=0.55,
         conflict_level_threshold=0.05)
    w.prox_r[:] = 0.0  # nobody else is close enough to be a candidate
    w.war[:] = 0.0
    w.war_aim[:] = 0.0
    w.applicant[:] = False
    w.prospective[:] = False
    w.red_line[:] = False
    w.deterrence[:] = 0.5
    w.revisionism = 0.6
    w.strain = 0.25
    geo = w.idx("GEO")
    w.prox_r[geo] = 0.8
    w.red_line[geo] = True
    w.deterrence[geo] = 0.2
    return w, p, geo


def _probs(model):
    return russia_decisions.probabilities(russia_decisions.utilities(model.world, model.p),
                                          model.p.decision_temperature)


# -- 1. deterrence decides --------------------------------------------------------------------------------


def test_force_utility_of_a_frontline_non_member_is_the_formula(model):
    w, p, geo = _force_world(model)
    w.war[w.idx("UKR")] = 0.5  # a war under way elsewhere: W = 0.5 (UKR is no candidate: prox_r 0)
    u = russia_decisions.force_utilities(w, p)
    # stakes = 0.8 * (1 + 1 * 1 * (0 + 1)) = 1.6
    # u = 2 * 0.6 * 1.6 - 4.5 - 4 * 0.2 - 2 * 0.25 - 3 * 0.5 = 1.92 - 4.5 - 0.8 - 0.5 - 1.5 = -5.38
    assert u[geo] == pytest.approx(-5.38, abs=1e-12)
    others = np.ones(w.n, dtype=bool)
    others[geo] = False
    assert np.isneginf(u[others]).all()


def test_credibility_from_0_2_to_0_9_cuts_aggression_by_the_logit_ratio(model):
    w, p, geo = _force_world(model)
    T = p.decision_temperature
    weak_u = russia_decisions.utilities(w, p)
    weak = _probs(model)[AGGRESSION]
    w.deterrence[geo] = 0.9
    strong_u = russia_decisions.utilities(w, p)
    strong = _probs(model)[AGGRESSION]
    # the only target: the action's utility is GEO's, -3.88 (W = 0) weak, -3.88 - 4 * 0.7 = -6.68 strong
    assert weak_u[AGGRESSION] == pytest.approx(2 * 0.6 * 1.6 - 4.5 - 0.8 - 0.5, abs=1e-12)
    assert strong_u[AGGRESSION] == pytest.approx(weak_u[AGGRESSION] - 2.8, abs=1e-12)
    assert weak / strong >= 10.0
    # exact logit ratio: exp(c_det * 0.7 / T) * (S + e_strong) / (S + e_weak), S = the other actions' weights
    rest = np.delete(weak_u, AGGRESSION)
    assert np.allclose(rest, np.delete(strong_u, AGGRESSION))  # nothing else depends on GEO's deterrence
    S = np.exp(rest / T).sum()
    exact = math.exp(4.0 * 0.7 / 0.5) * (S + math.exp(strong_u[AGGRESSION] / T)) / (S + math.exp(weak_u[AGGRESSION] / T))
    assert weak / strong == pytest.approx(exact, rel=1e-9)
    # aggression is rare (exp(-3.88 / 0.5) ~ 4e-4 of the status quo's weight): the ratio is exp(5.6) = 270.43
    assert weak / strong == pytest.approx(270.42640742615254, rel=1e-3)


def test_inclusive_value_is_the_log_sum_of_exponentials():
    # 0.5 * log(exp(0.6) + exp(-2.4)) = 0.5 * log(1.8221188 + 0.0907180) = 0.3242937
    assert russia_decisions.inclusive_value(np.array([0.3, -1.2]), 0.5) == pytest.approx(
        0.5 * math.log(math.exp(0.3 / 0.5) + math.exp(-1.2 / 0.5)), abs=1e-12)
    assert russia_decisions.inclusive_value(np.array([0.3, -1.2]), 0.5) == pytest.approx(0.324293675786871, abs=1e-12)
    # -inf entries (no candidate) drop out; all -inf is -inf
    assert russia_decisions.inclusive_value(np.array([0.3, -np.inf, -1.2]), 0.5) == pytest.approx(0.324293675786871,
                                                                                                  abs=1e-12)
    assert russia_decisions.inclusive_value(np.array([-np.inf, -np.inf]), 0.5) == -np.inf


def test_force_probabilities_are_the_flat_logit_over_action_target_pairs(model):
    w, p, geo = _force_world(model)
    mda, est = w.idx("MDA"), w.idx("EST")
    w.prox_r[mda], w.deterrence[mda] = 0.6, 0.1
    w.member[est] = True
    w.prox_r[est], w.deterrence[est] = 1.0, 0.7
    u = russia_decisions.force_utilities(w, p)
    # GEO: 2 * 0.6 * 1.6 - 4.5 - 0.8 - 0.5 = -3.88; MDA: 2 * 0.6 * 0.6 - 4.5 - 0.4 - 0.5 = -4.68
    # EST (member, attack): 3 * 0.6 * 1.0 - 4.0 - 2.8 - 0.5 = -5.5
    assert u[[geo, mda, est]] == pytest.approx([-3.88, -4.68, -5.5], abs=1e-12)
    T = p.decision_temperature
    uu = russia_decisions.utilities(w, p)
    probs = russia_decisions.probabilities(uu, T)
    # flat logit over (non-force actions) + (aggression, GEO), (aggression, MDA), (attack, EST)
    flat = np.exp(np.delete(uu, [AGGRESSION, ATTACK]) / T).sum()
    pairs = np.exp(np.array([-3.88, -4.68, -5.5]) / T)
    D = flat + pairs.sum()
    assert probs[AGGRESSION] == pytest.approx((pairs[0] + pairs[1]) / D, rel=1e-12)
    assert probs[ATTACK] == pytest.approx(pairs[2] / D, rel=1e-12)
    # the target's weight among GEO and MDA is its own logit weight exp(u_j / T)
    appeal = russia_decisions.aggression_appeal(w, p)
    assert appeal[[geo, mda, est]] == pytest.approx(pairs, rel=1e-12)


# -- 2. stakes -----------------------------------------------------------------------------------------------


def test_stakes_count_red_lines_and_formal_status_not_a_promise(model):
    w, p = model.world, model.p
    _set(p, red_line_attraction=1.5)
    geo, mda = w.idx("GEO"), w.idx("MDA")
    w.applicant[:] = False
    w.prospective[:] = False
    w.red_line[geo], w.red_line[mda] = True, False
    w.prox_r[geo], w.prox_r[mda] = 0.8, 0.6
    assert russia_decisions.stakes(w, p)[geo] == pytest.approx(0.8 * (1 + 1.5 * 1), abs=1e-12)  # 2.0
    w.prospective[geo] = True  # promised future membership (Bucharest): not an application
    assert russia_decisions.stakes(w, p)[geo] == pytest.approx(2.0, abs=1e-12)
    w.applicant[geo] = True  # 0.8 * (1 + 1.5 * (1 + 1)) = 3.2
    assert russia_decisions.stakes(w, p)[geo] == pytest.approx(3.2, abs=1e-12)
    w.applicant[geo], w.member[geo] = False, True  # a member counts as an applicant does
    assert russia_decisions.stakes(w, p)[geo] == pytest.approx(3.2, abs=1e-12)
    w.applicant[mda] = True  # no red line: closeness only
    assert russia_decisions.stakes(w, p)[mda] == pytest.approx(0.6, abs=1e-12)


# -- 3. war as a process ---------------------------------------------------------------------------------------


def _war_world(model):
    w, p = model.world, model.p
    _set(p, u_war=5.0, c_deterrence=4.0, c_force_strain=2.0, c_war_alliance=2.0, c_war_exhaustion=2.0,
         decision_temperature=0.5, war_adjustment_rate=0.1, exhaustion_months=60.0, ceasefire_rate=0.04,
         ceasefire_resolve_weight=0.5, ceasefire_escalation_weight=0.5)
    w.war[:] = 0.0
    w.war_aim[:] = 0.0
    w.war_months[:] = 0.0
    w.exhaustion[:] = 0.0
    w.applicant[:] = False
    w.red_line[:] = False
    w.revisionism = 0.5
    w.strain = 0.0
    w.escalation = 0
    return w, p


def test_net_value_of_a_war_on_a_member_includes_the_alliance(model):
    w, p = _war_world(model)
    est = w.idx("EST")
    w.strain = 0.2
    w.prox_r[est], w.deterrence[est], w.exhaustion[est], w.war[est] = 1.0, 0.6, 0.1, 0.4
    # non-member: 5 * 0.5 * 1 - 4 * 0.6 - 2 * 0.2 - 2 * 0.1 = 2.5 - 2.4 - 0.4 - 0.2 = -0.5
    w.member[est] = False
    assert war.net_value(w, p)[est] == pytest.approx(-0.5, abs=1e-12)
    # member: -0.5 - c_war_alliance 2 = -2.5
    w.member[est] = True
    value = war.net_value(w, p)
    assert value[est] == pytest.approx(-2.5, abs=1e-12)
    assert np.count_nonzero(value) == 1  # 0 where there is no war


def test_will_is_the_logistic_of_value_over_temperature():
    # 1 / (1 + e^5) = 0.0066928509; 1 / 2; 1 / (1 + e^-2) = 0.8807970780
    assert war.will(np.array([-2.5, 0.0, 1.0]), 0.5) == pytest.approx(
        [0.0066928509242848554, 0.5, 0.8807970779778823], abs=1e-12)


def test_conduct_moves_intensity_toward_aim_times_will_and_wears_out(model):
    w, p = _war_world(model)
    geo = w.idx("GEO")
    w.prox_r[geo], w.deterrence[geo], w.war[geo], w.war_aim[geo], w.exhaustion[geo] = 1.0, 0.3, 0.5, 0.8, 0.05
    w.war_months[geo] = 4
    ended = war.conduct(w, p, 2, _Draws(1.0))  # a draw of 1.0: no ceasefire, whatever the hazard
    assert ended == []
    # value = 5 * 0.5 * 1 - 4 * 0.3 - 0 - 2 * 0.05 = 1.2; will = 1 / (1 + e^-2.4) = 0.9168273035
    assert w.war_will[geo] == pytest.approx(0.9168273035060777, abs=1e-12)
    # two months: rate = 1 - 0.9^2 = 0.19; 0.5 + (0.8 * 0.9168273 - 0.5) * 0.19 = 0.5443577501
    assert w.war[geo] == pytest.approx(0.5443577501329238, abs=1e-12)
    # exhaustion += war * months / exhaustion_months = 0.05 + 0.5 * 2 / 60 = 0.0666667; months 4 + 2
    assert w.exhaustion[geo] == pytest.approx(0.05 + 0.5 * 2 / 60, abs=1e-12)
    assert w.war_months[geo] == 6
    assert w.war_aim[geo] == 0.8


def test_a_war_scaled_below_faded_ends_in_exhaustion(model):
    w, p = _war_world(model)
    geo = w.idx("GEO")
    w.war[geo], w.war_aim[geo] = 0.011, 0.0  # aim 0: 0.011 * (1 - 0.1) = 0.0099 < FADED 0.01
    w.war_months[geo] = 6.0  # a war under way
    ended = war.conduct(w, p, 1, _Draws(1.0))
    assert ended == [("ceasefire", "RUS", ["GEO"], war.ENDINGS[2])]
    assert "exhaustion" in ended[0][3]
    assert w.war[geo] == pytest.approx(0.0099, abs=1e-15)


def test_a_draw_of_zero_is_a_negotiated_ceasefire(model):
    w, p = _war_world(model)
    geo = w.idx("GEO")
    w.prox_r[geo], w.deterrence[geo], w.war[geo], w.war_aim[geo] = 1.0, 0.3, 0.5, 0.8
    w.resolve[geo] = 0.0  # hazard = 0.04 * (1 - will) > 0
    w.war_months[geo] = 6.0  # a war under way
    ended = war.conduct(w, p, 1, _Draws(0.0))
    assert ended == [("ceasefire", "RUS", ["GEO"], "negotiated ceasefire")]
    assert w.war[geo] == 0.5  # the model applies the ceasefire; conduct does not move the war
    assert w.exhaustion[geo] == pytest.approx(0.5 / 60, abs=1e-15)


def test_a_war_begun_this_step_is_fought_before_it_can_end(model):
    # regression: a scheduled attack ended by a ceasefire in its own month never reached the ladder
    w, p = _war_world(model)
    geo = w.idx("GEO")
    w.prox_r[geo], w.deterrence[geo], w.resolve[geo] = 1.0, 0.3, 0.0
    war.start(w, geo, 0.5)  # months at war 0: begun this step
    assert war.conduct(w, p, 1, _Draws(0.0)) == []  # even a zero draw does not end it
    assert w.war[geo] == 0.5 and w.war_months[geo] == 1.0
    assert war.conduct(w, p, 1, _Draws(0.0)) == [("ceasefire", "RUS", ["GEO"], "negotiated ceasefire")]


def test_no_war_returns_nothing_but_draws_n_numbers(model):
    w, p = _war_world(model)
    rng, twin, untouched = np.random.default_rng(3), np.random.default_rng(3), np.random.default_rng(3)
    assert war.conduct(w, p, 1, rng) == []
    twin.random(w.n)  # n doubles
    assert rng.bit_generator.state == twin.bit_generator.state
    assert rng.bit_generator.state != untouched.bit_generator.state
    assert rng.random() == twin.random()


def test_start_resets_a_new_war_not_an_escalation_and_stop_ends_it(model):
    w, _ = _war_world(model)
    geo = w.idx("GEO")
    w.war_months[geo], w.exhaustion[geo] = 7, 0.3  # left over from an earlier war
    war.start(w, geo, 0.6)
    assert (w.war[geo], w.war_aim[geo], w.war_months[geo], w.exhaustion[geo]) == (0.6, 0.6, 0, 0.0)
    w.war_months[geo], w.exhaustion[geo] = 7, 0.3
    war.start(w, geo, 0.9)  # an escalation of the war under way
    assert (w.war[geo], w.war_aim[geo], w.war_months[geo], w.exhaustion[geo]) == (0.9, 0.9, 7, 0.3)
    war.start(w, geo, 0.4)  # less force than already committed changes nothing
    assert (w.war[geo], w.war_aim[geo]) == (0.9, 0.9)
    war.stop(w, geo, 0.2)  # residual fighting
    assert (w.war[geo], w.war_aim[geo]) == (0.2, 0.2)
    war.stop(w, geo, 0.0)
    assert (w.war[geo], w.war_aim[geo]) == (0.0, 0.0)


# -- 4. collective defence ----------------------------------------------------------------------------------------


def _alliance(model):
    """Five members (USA, DEU, PRT, POL, EST) with round GDPs; Russia at war with EST."""
    w, p = model.world, model.p
    _set(p, conflict_level_threshold=0.05, presence_threat_reference=0.5, us_commitment=0.5,
         article5_hesitation=0.3, article5_quorum=0.5, flank_reinforcement=0.5)
    w.member[:] = False
    w.war[:] = 0.0
    for code, gdp, solidarity in (("USA", 4.0, 0.8), ("DEU", 3.0, 0.6), ("PRT", 1.0, 0.2), ("POL", 2.0, 0.9),
                                  ("EST", 0.5, 0.95)):
        i = w.idx(code)
        w.member[i] = True
        w.gdp[i] = gdp
        w.solidarity[i] = solidarity
    w.threat_from_russia[:] = 0.5
    w.threat_from_russia[w.idx("DEU")] = 0.4  # below the reference: 0.8 of its solidarity
    w.presence_commit[:] = 0.0
    w.article5 = False
    w.hesitant[:] = False
    w.war[w.idx("EST")] = 0.6
    return w, p


def test_article5_invoked_once_hesitation_once_reinforcement_is_the_weighted_mean(model):
    w, p = _alliance(model)
    est, pol = w.idx("EST"), w.idx("POL")
    first = collective_defence.respond(w, p)
    kinds = [e[0] for e in first]
    # PRT: 0.2 * min(1, 0.5 / 0.5) = 0.2 < 0.3 hesitates; willing weight (4 + 3 + 2) / 10 = 0.9 >= 0.5
    assert kinds.count("withhold_support") == 1 and kinds.count("invoke_article_5") == 1
    assert [e[1:3] for e in first if e[0] == "withhold_support"] == [("PRT", ["EST"])]
    assert w.article5
    # contributions: USA 0.8 * 1 * 0.5 = 0.4, DEU 0.6 * 0.4 / 0.5 = 0.48, PRT 0.2, POL 0.9, EST 0.95
    expected = np.zeros(w.n)
    for code, c in (("USA", 0.4), ("DEU", 0.48), ("PRT", 0.2), ("POL", 0.9), ("EST", 0.95)):
        expected[w.idx(code)] = c
    assert w.contribution == pytest.approx(expected, abs=1e-12)
    # level = (0.4 * 4 + 0.48 * 3 + 0.2 * 1 + 0.9 * 2) / 10 = 5.04 / 10 = 0.504 (EST, the victim, out)
    assert w.reinforcement[est] == pytest.approx(0.504, abs=1e-12)
    assert w.reinforcement[pol] == pytest.approx(0.5 * 0.504, abs=1e-12)  # frontline ally: 0.252
    assert np.count_nonzero(w.reinforcement) == 2  # DEU, PRT rear, USA distant, non-members: none
    second = collective_defence.respond(w, p)
    assert [e[0] for e in second] == []  # neither invoked again nor hesitation repeated
    assert w.article5


def test_reinforcements_become_presence_commitments_when_the_war_ends(model):
    w, p = _alliance(model)
    collective_defence.respond(w, p)
    given = w.reinforcement.copy()
    w.war[w.idx("EST")] = 0.0
    events = collective_defence.respond(w, p)
    # one event per level, in increasing order: POL 0.252, EST 0.504
    assert [(e[0], e[2], e[4]["level"]) for e in events] == [
        ("forward_presence_commitment", ["POL"], given[w.idx("POL")]),
        ("forward_presence_commitment", ["EST"], given[w.idx("EST")]),
    ]
    assert [e[4]["level"] for e in events] == pytest.approx([0.252, 0.504], abs=1e-12)
    assert not w.article5
    assert not w.reinforcement.any() and not w.hesitant.any()
    assert collective_defence.respond(w, p) == []


def test_no_invocation_below_the_quorum(model):
    w, p = _alliance(model)
    _set(p, article5_quorum=0.95)  # willing share 0.9
    events = collective_defence.respond(w, p)
    assert [e[0] for e in events] == ["withhold_support"]
    assert not w.article5
    assert not w.reinforcement.any()


# -- 5. threat: the Article 5 term --------------------------------------------------------------------------------


def test_attack_on_a_far_ally_raises_a_members_threat_by_the_alliance_term(model):
    w, p = model.world, model.p
    _set(p, threat_war_weight=0.0, threat_alliance_war_weight=2.0, conflict_level_threshold=0.05)
    prt, est, aut = w.idx("PRT"), w.idx("EST"), w.idx("AUT")
    w.member[est] = True
    w.member[aut] = False
    w.solidarity[prt] = 0.7
    w.war[:] = 0.0
    threat.update(w, p)
    before = w.threat_from_russia.copy()
    w.war[est] = 0.04  # below the armed-confrontation threshold: no armed attack
    threat.update(w, p)
    assert w.threat_from_russia[prt] == before[prt]
    w.war[est] = 0.6
    threat.update(w, p)
    after = w.threat_from_russia
    # z rises by solidarity * weight = 0.7 * 2 = 1.4: 1 - exp(-(z + 1.4)) = 1 - (1 - t) * exp(-1.4)
    assert after[prt] == pytest.approx(1.0 - (1.0 - before[prt]) * math.exp(-1.4), abs=1e-12)
    assert after[prt] - before[prt] == pytest.approx((1.0 - before[prt]) * 0.7534030360583935, abs=1e-12)
    # the attacked member: an attack on itself, weight 1 * 2 = 2
    assert after[est] == pytest.approx(1.0 - (1.0 - before[est]) * math.exp(-2.0), abs=1e-12)
    assert after[aut] == before[aut]  # a non-member: no alliance term


# -- 6. trust ---------------------------------------------------------------------------------------------------------


def test_russia_uses_its_own_negative_gain_as_observer(model):
    w, p = reset_trust(model.world), model.p
    _set(p, trust_negative_gain=0.2, russia_trust_negative_gain=0.7, severity_exponent=2.5, betrayal_threshold=9.0,
         russia_betrayal_threshold=6.0, trust_audience_salience=0.15, trust_ally_salience=0.5)
    r, pol, deu = w.r, w.idx("POL"), w.idx("DEU")
    w.member[pol] = True
    trust.apply_event(w, p, np.array([pol]), np.array([r]), -5.0)
    # x = -(0.5 ** 2.5) = -0.1767767; Russia is the target: salience 1; 0 + (0 + 1) * (-0.1767767 * 0.7)
    assert w.trust[r, pol] == pytest.approx(-0.12374368670764582, abs=1e-12)
    # another observer: salience 0.15 * 0.5 * (1 + 0) = 0.075, gain 0.2: -0.1767767 * 0.075 * 0.2
    assert w.trust[deu, pol] == pytest.approx(-0.1767766952966369 * 0.075 * 0.2, abs=1e-12)
    assert w.memory[r, pol] == 0.0  # -0.177 is short of Russia's threshold -(0.6 ** 2.5) = -0.279


def test_an_act_past_russias_betrayal_threshold_only_is_remembered_by_russia_only(model):
    w, p = reset_trust(model.world), model.p
    _set(p, trust_negative_gain=0.4, russia_trust_negative_gain=0.4, severity_exponent=2.5, betrayal_threshold=9.0,
         russia_betrayal_threshold=5.0, betrayal_memory_gain=0.5, aggressor_enmity=0.3)
    r, pol = w.r, w.idx("POL")
    trust.apply_event(w, p, np.array([pol]), np.array([r]), -7.0)
    # x = -(0.7 ** 2.5) = -0.4099634: past -(0.5 ** 2.5) = -0.177 (Russia), short of -(0.9 ** 2.5) = -0.768
    # Russia (salience 1): memory = 0.4099634 * 1 * 0.5 = 0.2049817
    assert w.memory[r, pol] == pytest.approx(0.2049817065008485, abs=1e-12)
    assert w.memory.sum() == pytest.approx(w.memory[r, pol], abs=1e-15)  # nobody else remembers it
    assert w.hostile[w.idx("DEU"), pol] > 0.0  # though others saw it


def test_aggressor_enmity_lowers_russias_trust_in_its_victim(model):
    w, p = reset_trust(model.world), model.p
    _set(p, severity_exponent=2.5, betrayal_threshold=9.0, aggressor_enmity=0.3, betrayal_memory_gain=0.5)
    r, ukr = w.r, w.idx("UKR")
    w.trust[r, ukr] = 0.2
    trust.apply_event(w, p, np.array([r]), np.array([ukr]), -10.0, collective=True)
    # severity -1; 0.2 - (0.2 + 1) * 1 * 0.3 = -0.16; grudge 1 * 0.3 * 0.5 = 0.15
    assert w.trust[r, ukr] == pytest.approx(-0.16, abs=1e-12)
    assert w.memory[r, ukr] == pytest.approx(0.15, abs=1e-12)


def test_an_armed_attack_on_an_ally_is_registered_with_solidarity_as_salience(model):
    w, p = reset_trust(model.world), model.p
    _set(p, trust_negative_gain=0.4, severity_exponent=2.5, trust_audience_salience=0.15, trust_ally_salience=0.5)
    r, est, prt, aut = w.r, w.idx("EST"), w.idx("PRT"), w.idx("AUT")
    w.member[est], w.member[prt], w.member[aut] = True, True, False
    w.solidarity[prt] = 0.9
    trust.apply_event(w, p, np.array([r]), np.array([est]), -10.0, collective=True)
    # PRT: regard salience 0.15 * 0.5 * (1 + 0) = 0.075 < solidarity 0.9: 0 - 1 * 1 * 0.9 * 0.4 = -0.36
    assert w.trust[prt, r] == pytest.approx(-0.36, abs=1e-12)
    assert w.trust[aut, r] == pytest.approx(-0.075 * 0.4, abs=1e-12)  # non-member: -0.03
    assert w.trust[est, r] == pytest.approx(-0.4, abs=1e-12)  # the victim: salience 1
    # not an armed attack: PRT's salience is its regard's, 0.075: -0.03
    w = reset_trust(w)
    trust.apply_event(w, p, np.array([r]), np.array([est]), -10.0, collective=False)
    assert w.trust[prt, r] == pytest.approx(-0.03, abs=1e-12)
    # regard above solidarity: trust 1 in EST gives max(0.15 * 0.5 * 2, 1 * 0.5) = 0.5 > 0.3: -0.2
    w = reset_trust(w)
    w.trust[prt, est] = 1.0
    w.solidarity[prt] = 0.3
    trust.apply_event(w, p, np.array([r]), np.array([est]), -10.0, collective=True)
    assert w.trust[prt, r] == pytest.approx(-0.2, abs=1e-12)


def test_war_pressure_lowers_russias_trust_in_the_state_it_fights(model):
    w, p = reset_trust(model.world), model.p
    _set(p, war_trust_pressure=0.02, russia_trust_negative_gain=0.7)
    r, ukr = w.r, w.idx("UKR")
    w.war[:] = 0.0
    w.war[ukr] = 0.5
    w.trust[r, ukr] = 0.2
    trust.war_pressure(w, p, 1)
    # 0.2 - 0.02 * 1 * 0.5 * 0.7 * (1 + 0.2) = 0.2 - 0.0084 = 0.1916
    assert w.trust[r, ukr] == pytest.approx(0.1916, abs=1e-12)
    others = w.not_r.copy()
    others[ukr] = False
    assert (w.trust[r, others] == 0.0).all()


# -- 7. relations index -------------------------------------------------------------------------------------------------


def test_peace_and_combine_are_the_hand_formulas(model):
    p = model.p
    _set(p, relations_contact_weight=0.2, relations_conflict_weight=0.3, severity_exponent=2.5)
    assert relations.peace(0, 2.5) == 1.0
    assert relations.peace(5, 2.5) == -1.0
    assert relations.peace(4, 2.5) == pytest.approx(1 - 2 * 0.8**2.5, abs=1e-15)  # -0.1448668
    # (1 - 0.2 - 0.3) * 0.3 + 0.2 * (2 * 0.25 - 1) + 0.3 * (-0.1448668) = 0.15 - 0.1 - 0.0434600 = 0.0065400
    assert relations.combine(0.3, 0.25, 4, p) == pytest.approx(0.006539958656032262, abs=1e-12)


def test_model_relations_index_is_relations_index_of_the_world(model):
    w, p = model.world, model.p
    _set(p, relations_contact_weight=0.2, relations_conflict_weight=0.3, severity_exponent=2.5,
         channel_strength_act=0.6)
    w.trust[w.member, w.r] = -0.4
    w.trust[w.r, w.member] = -0.2
    w.channel, w.nrc, w.escalation = ACTIVE, False, 3
    model._derive()
    # mutual trust 0.5 * (-0.4 - 0.2) = -0.3; openness 0.6; peace(3) = 1 - 2 * 0.6 ** 2.5 = 0.4422904
    # 0.5 * (-0.3) + 0.2 * (2 * 0.6 - 1) + 0.3 * 0.4422904 = -0.15 + 0.04 + 0.1326871 = 0.0226871
    assert model.relations_index == relations.index(w, p)
    assert w.relations == model.relations_index
    assert model.relations_index == pytest.approx(0.02268711944383961, abs=1e-12)


# -- 8. dialogue --------------------------------------------------------------------------------------------------------


def _dialogue(model, escalation: int):
    w, p = model.world, model.p
    _set(p, reopen_max_level=1.0, reopen_conciliation=0.3, reopen_rate=0.08, reopen_trend_reference=0.002)
    w.channel, w.escalation = FROZEN, escalation
    w.trust[w.member, w.r] = -0.9
    rng = np.random.default_rng(0)
    for _ in range(200):
        w.trust[w.member, w.r] += 0.003  # rising trust
        w.conciliation = 1.0  # and Russia conciliatory
        institutions.update(w, p, 1, rng)
    return w


def test_nothing_reopens_above_the_calm_level(model, historical):
    assert _dialogue(model, escalation=2).channel == FROZEN
    # the same months at the calm level: the channel thaws
    calm = NatoRussiaModel(historical.setup(), rng=7, mesa_collect=False)
    assert _dialogue(calm, escalation=1).channel != FROZEN


# -- 9. applications: red-line restraint ----------------------------------------------------------------------------------


def _applies(model, opinion: float, red_line: bool, aim: float, draw: float) -> list[str]:
    """Who applies this month when UKR's public feels ``opinion`` and every draw is ``draw``."""
    w, p = model.world, model.p
    _set(p, application_threat_threshold=0.62, application_neutrality_weight=0.35, application_peer_weight=0.15,
         application_steepness=60.0, application_max_rate=0.25, red_line_restraint=0.3, freeze_war_threshold=0.9,
         opinion_adjustment_rate=0.2)
    ukr = w.idx("UKR")
    w.applicant[:] = False
    w.member[ukr] = False
    w.threat_from_russia[:] = 0.0
    w.threat_opinion[:] = 0.0
    w.threat_from_russia[ukr] = w.threat_opinion[ukr] = opinion  # opinion stays where it is
    w.neutrality[ukr] = 0.0
    w.red_line[ukr] = red_line
    w.war_aim[ukr] = aim
    return [e[1] for e in enlargement.applications(w, p, 0, 1, _Draws(draw))]


def test_red_line_restraint_raises_the_threshold_until_full_scale_war(model):
    # opinion 0.8: no red line, threshold 0.62: hazard 0.25 / (exp(-0.18 * 60) + 1) = 0.2499949 > 0.1
    assert _applies(model, 0.8, red_line=False, aim=0.5, draw=0.1) == ["UKR"]
    # red line, aim 0.5 < 0.9: threshold 0.92: hazard 0.25 / (exp(0.12 * 60) + 1) = 1.865072e-4
    assert _applies(model, 0.8, red_line=True, aim=0.5, draw=0.1) == []
    h = 0.0001865072084591744
    assert _applies(model, 0.8, red_line=True, aim=0.5, draw=h * (1 - 1e-9)) == ["UKR"]
    assert _applies(model, 0.8, red_line=True, aim=0.5, draw=h * (1 + 1e-9)) == []
    # a higher opinion, 0.99, clears the raised bar: 0.25 / (exp(-0.07 * 60) + 1) = 0.2463065 > 0.1
    assert _applies(model, 0.99, red_line=True, aim=0.5, draw=0.1) == ["UKR"]
    # full-scale war (aim 1.0, or exactly the freeze threshold 0.9): the restraint is gone
    assert _applies(model, 0.8, red_line=True, aim=1.0, draw=0.1) == ["UKR"]
    assert _applies(model, 0.8, red_line=True, aim=0.9, draw=0.1) == ["UKR"]


# -- 10. events -------------------------------------------------------------------------------------------------------------


LEADER = """
name: leader
extends: {base}
events:
  - id: leader-test
    date: 2030-01-01
    type: leadership_change
    actor: RUS
    label: a new leader
    source: "assumption: test"
{params}
"""


def test_leadership_change_without_revisionism_delta_is_refused(tmp_path):
    base = (SCENARIOS / "baseline.yaml").resolve()
    path = write(tmp_path, "leader.yaml", LEADER.format(base=base, params=""))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert any(field.endswith("params.revisionism_delta") for _, field, _ in info.value.problems)
    assert "revisionism_delta" in str(info.value)
    ok = write(tmp_path, "leader_ok.yaml", LEADER.format(base=base, params="    params: {revisionism_delta: -0.1}"))
    assert any(ev.type == "leadership_change" for ev in load_scenario(ok).setup().events)


def _event(model, type_, actor, targets, **params):
    ev = Event(model.dates[0], type_, actor, tuple(targets), params=params)
    apply(model.world, model.p, ev, model.event_types[type_], 0)


def test_membership_perspective_makes_prospective_not_applicant(model):
    w = model.world
    w.prospective[:] = False
    w.applicant[:] = False
    _event(model, "diplomatic_cooperation", "NATO", ["UKR", "GEO"], membership_perspective=True)
    assert w.prospective[w.idx("UKR")] and w.prospective[w.idx("GEO")]
    assert w.prospective.sum() == 2
    assert not w.applicant.any()
    _event(model, "diplomatic_cooperation", "NATO", ["MDA"])  # political support, no promise
    assert not w.prospective[w.idx("MDA")]


def test_russian_conduct_moves_conciliation(model):
    w = model.world
    w.conciliation = 0.25
    g_consult = model.event_types["consult"].goldstein
    g_cyber = model.event_types["cyber_attack"].goldstein
    _event(model, "consult", "RUS", ["NATO"])
    # 0.25 + goldstein / 10 (consult: +1.0 -> 0.35)
    assert w.conciliation == pytest.approx(0.25 + g_consult / 10.0, abs=1e-12)
    assert w.conciliation > 0.25
    _event(model, "consult", "NATO", ["RUS"])  # not Russia's act: no change
    assert w.conciliation == pytest.approx(0.25 + g_consult / 10.0, abs=1e-12)
    _event(model, "cyber_attack", "RUS", ["EST"])
    # max(0, 0.35 + goldstein / 10) (cyber attack: -7.0 -> max(0, -0.35) = 0)
    assert g_cyber < 0
    assert w.conciliation == max(0.0, 0.25 + g_consult / 10.0 + g_cyber / 10.0) == 0.0


# -- 11. common random numbers ------------------------------------------------------------------------------------------------


def test_an_extra_event_leaves_the_decision_streams_in_step(historical):
    setup = historical.setup()
    extra = Event(date(1995, 3, 15), "cyber_attack", "RUS", ("EST",), "an extra cyber attack", "assumption: test",
                  id="extra-cyber")
    other = dataclasses.replace(setup, events=list(setup.events) + [extra])
    a = NatoRussiaModel(setup, rng=11, mesa_collect=False)
    b = NatoRussiaModel(other, rng=11, mesa_collect=False)
    for _ in range(60):  # December 1991 to November 1996: the event falls in step 39
        a.step()
        b.step()
    assert any(row[-1] == "extra-cyber" for row in b.event_log)
    assert not np.array_equal(a.world.trust, b.world.trust)  # the worlds differ
    for name in ("war", "escalation", "russia", "spending", "applications", "institutions"):
        assert getattr(a.streams, name).bit_generator.state == getattr(b.streams, name).bit_generator.state, name
    assert np.array_equal(a.streams.war.random(8), b.streams.war.random(8))
    assert np.array_equal(a.streams.escalation.random(8), b.streams.escalation.random(8))


def test_reinforcements_never_lower_a_higher_standing_commitment(model):
    # regression (found by review): a host already committed above its reinforcement keeps its commitment
    w, p = model.world, model.p
    for code in ("EST", "LVA", "POL"):
        w.member[w.idx(code)] = True
    w.threat_from_russia[:] = 1.0
    w.war[w.idx("EST")] = 0.6
    collective_defence.respond(w, p)
    lva = w.idx("LVA")
    assert 0.0 < w.reinforcement[lva] < 0.9
    w.presence_commit[lva] = 0.9
    w.war[:] = 0.0
    events = collective_defence.respond(w, p)
    assert events and all("LVA" not in e[2] for e in events)
