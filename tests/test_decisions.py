"""Russia's logit choice, allied decisions, applications and ratification."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import defence_spending, enlargement, member_decisions, russia_decisions
from sim.mechanisms.russia_decisions import AGGRESSION, ATTACK, COOPERATE, DIALOGUE
from sim.world import ACTIONS, ACTIVE, FROZEN


def _probs(model):
    return russia_decisions.probabilities(russia_decisions.utilities(model.world, model.p), model.p.decision_temperature)


def test_probabilities_are_a_distribution(model):
    probs = _probs(model)
    assert probs.shape == (len(ACTIONS),)
    assert probs.sum() == pytest.approx(1.0)
    assert (probs > 0).all()


def test_high_temperature_makes_choice_nearly_uniform():
    u = np.array([3.0, 0.0, -2.0, -5.0])
    probs = russia_decisions.probabilities(u, 1e6)
    assert np.allclose(probs, 0.25, atol=1e-5)


def test_revisionism_raises_aggression_and_lowers_cooperation(model):
    w = model.world
    w.revisionism = 0.1
    calm = _probs(model)
    w.revisionism = 0.9
    ambitious = _probs(model)
    assert ambitious[AGGRESSION] > calm[AGGRESSION]
    assert ambitious[COOPERATE] < calm[COOPERATE]


def test_credible_deterrence_lowers_attack_probability(model):
    w = model.world
    for code in ("EST", "LVA", "LTU"):
        w.member[w.idx(code)] = True
    w.revisionism = 0.9
    w.deterrence[:] = 0.3
    weak = _probs(model)[ATTACK]
    w.deterrence[:] = 0.95
    strong = _probs(model)[ATTACK]
    assert strong < weak


def test_strain_makes_dialogue_more_likely(model):
    w = model.world
    w.channel = ACTIVE
    w.strain = 0.0
    easy = _probs(model)[DIALOGUE]
    w.strain = 0.9
    assert _probs(model)[DIALOGUE] > easy


def test_frozen_channel_makes_cooperation_rare(model):
    w = model.world
    w.channel = ACTIVE
    open_ = _probs(model)[COOPERATE]
    w.channel = FROZEN
    assert _probs(model)[COOPERATE] < 0.5 * open_


def test_decide_draws_an_action_and_a_legal_target(model):
    rng = np.random.default_rng(3)
    w = model.world
    w.revisionism = 1.0
    w.hostility = 1.0
    seen = set()
    for _ in range(300):
        action, targets, _ = russia_decisions.decide(w, model.p, rng)
        seen.add(ACTIONS[action])
        if action == AGGRESSION:
            assert targets and not w.member[targets[0]] and w.eligible[targets[0]]
        if action == ATTACK:
            assert targets and w.member[targets[0]]
    assert len(seen) >= 4


def test_spending_rises_with_threat(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(0)
    p.spending_noise = 0.0
    w.threat_from_russia[:] = 0.05
    start = w.spend.copy()
    for _ in range(60):
        defence_spending.update(w, p, 1, 2010.0, rng)
    calm = w.spend.copy()
    w.spend = start.copy()
    w.threat_from_russia[:] = 0.9
    for _ in range(60):
        defence_spending.update(w, p, 1, 2010.0, rng)
    armed = w.member & w.armed_forces  # Iceland, with no armed forces, keeps its civil budget
    assert (w.spend[armed] > calm[armed]).all()
    assert w.spend[w.idx("ISL")] == calm[w.idx("ISL")]


def test_pledge_pulls_threatened_members_toward_the_guideline(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(0)
    p.spending_noise = 0.0
    w.threat_from_russia[:] = 0.7  # above the threshold: members honour the pledge in part
    w.spend[:] = 1.0
    base = w.spend.copy()
    for _ in range(36):
        defence_spending.update(w, p, 1, 2010.0, rng)
    without = w.spend.copy()
    w.spend = base.copy()
    w.guideline_pct, w.pledge = 2.0, 1.0
    for _ in range(36):
        defence_spending.update(w, p, 1, 2010.0, rng)
    assert w.spend[w.member].mean() > without[w.member].mean() + 0.05


def test_aggression_brings_sanctions_and_energy_dependence_holds_them_back(model):
    w, p = model.world, model.p
    w.war[w.idx("UKR")] = 1.0
    w.trust[:, w.r] = -0.5
    w.dependence[w.idx("DEU")] = 0.9
    w.dependence[w.idx("GBR")] = 0.0
    events = member_decisions.sanctions(w, p, 1)
    assert events and all(e[0] == "impose_sanctions" for e in events)
    assert w.sanctions[w.idx("GBR")] > w.sanctions[w.idx("DEU")] > 0


def test_aid_goes_to_the_victim_and_depletes_stocks(model):
    from sim.mechanisms import economy

    w, p = model.world, model.p
    ukr = w.idx("UKR")
    w.war[ukr] = 1.0
    w.trust[:, w.r] = -0.6
    stocks = w.stocks.copy()
    for _ in range(24):
        received, _ = member_decisions.aid(w, p, 1)
        economy.update(w, p, 1)
    assert received[ukr] > 0
    assert w.aid[w.idx("POL")] > 0.1
    assert w.stocks[w.idx("POL")] < stocks[w.idx("POL")]


def test_high_threat_leads_a_neutral_to_apply(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(1)
    fin = w.idx("FIN")
    w.threat_from_russia[:] = 0.0
    for step in range(24):
        assert not enlargement.applications(w, p, step, 1, rng)
    w.threat_from_russia[fin] = 0.99
    applied = []
    for step in range(24, 60):
        applied += enlargement.applications(w, p, step, 1, rng)
    assert w.applicant[fin]
    assert any(e[1] == "FIN" for e in applied)


def test_neutrality_raises_the_bar_for_applying(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(1)
    for code in ("AUT", "FIN"):
        w.threat_from_russia[w.idx(code)] = 0.86
    w.neutrality[w.idx("AUT")] = 1.0
    w.neutrality[w.idx("FIN")] = 0.0
    for step in range(24):
        enlargement.applications(w, p, step, 1, rng)
    assert w.applicant[w.idx("FIN")] and not w.applicant[w.idx("AUT")]


def _ratify_until_done(model, candidate, months=120, seed=5):
    w, p = model.world, model.p
    rng = np.random.default_rng(seed)
    w.applicant[candidate] = True
    w.applied_step[candidate] = 0
    w.threat_from_russia[:] = 0.8
    for step in range(1, months):
        emitted = enlargement.ratifications(w, p, step, 1, rng)
        if any(e[0] == "accession" and e[2] == [w.codes[candidate]] for e in emitted):
            return step
    return None


def test_accession_needs_every_members_ratification(model):
    w = model.world
    swe = w.idx("SWE")
    w.grievance[:, swe] = 0.0
    done = _ratify_until_done(model, swe)
    assert done is not None and w.ratified[w.member, swe].all()


def test_a_grievance_delays_ratification(historical):
    from sim.model import NatoRussiaModel

    delays = {}
    for grievance in (0.0, 0.6):
        m = NatoRussiaModel(historical.setup(), rng=0)
        swe = m.world.idx("SWE")
        m.world.grievance[:, swe] = 0.0
        m.world.grievance[m.world.idx("TUR"), swe] = grievance
        delays[grievance] = _ratify_until_done(m, swe, seed=0)
    assert delays[0.0] is not None
    assert delays[0.6] is None or delays[0.6] > delays[0.0] + 6


def test_a_candidate_at_war_is_not_admitted(model):
    w = model.world
    geo = w.idx("GEO")
    w.red_line[geo] = False
    w.war[geo] = 1.0
    assert _ratify_until_done(model, geo, months=60) is None


@pytest.mark.parametrize("compiled", [True, False])
def test_a_draw_at_the_top_of_the_range_picks_the_last_weighted_index_not_past_the_end(compiled):
    """u * total can round past the last cumulative sum (u near 1): the pick is the last weighted index."""
    import numpy as np

    from sim.mechanisms.russia_decisions import _pick as kernel

    pick = kernel if compiled else kernel.py_func
    weights = np.array([0.1, 0.2, 0.3, 0.0])
    u = np.nextafter(1.0, 0.0)
    for scale in (1.0, 1e-300, 3.0):  # totals that do and do not round past the last sum
        w = weights * scale
        assert pick(u, w) == 2
        assert pick(0.0, w) == 0
    # ten weights whose pairwise sum exceeds their last cumulative sum: u * total lands past it (was index 10)
    ten = np.array([0.6884467305709401, 0.3889214239791038, 0.13509650502241122, 0.7214883401940817,
                    0.5253543224757259, 0.31024187555895566, 0.4858353588317891, 0.8894878343490003,
                    0.9340435159562497, 0.35779519670907023])
    assert ten.cumsum()[-1] < u * ten.sum()
    assert pick(u, ten) == 9
    assert pick(0.5, np.array([np.nan, 1.0])) == -1 and pick(0.5, np.zeros(3)) == -1
    # a level on a cumulative sum picks the next index (searchsorted, side "right"): 0.5 * 2 = 1 = the first sum
    assert pick(0.5, np.array([1.0, 1.0])) == 1
