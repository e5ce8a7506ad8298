"""Institutions (channel, Founding Act), economy and energy, the escalation ladder."""

from __future__ import annotations

import numpy as np
import pytest

from sim.events import Event, apply
from sim.mechanisms import economy, escalation, institutions
from sim.world import ACTIVE, FROZEN, NONE, SUSPENDED


def _event(model, type_, actor, targets, **params):
    ev = Event(model.dates[0], type_, actor, tuple(targets), params=params)
    apply(model.world, model.p, ev, model.event_types[type_], 0)


def test_founding_act_and_council_open_the_channel(model):
    w = model.world
    assert w.channel == NONE
    _event(model, "sign_formal_agreement", "NATO", ["RUS"], institution="founding_act", areas=["defence_reform"])
    assert w.channel == ACTIVE and w.founding_act and w.areas.sum() == 1
    _event(model, "sign_formal_agreement", "NATO", ["RUS"], institution="nato_russia_council")
    assert w.nrc and institutions.channel_strength(w, model.p) == 1.0


def test_limited_aggression_suspends_and_full_invasion_freezes(model):
    w = model.world
    _event(model, "sign_formal_agreement", "NATO", ["RUS"], institution="founding_act")
    _event(model, "occupy_territory", "RUS", ["UKR"], intensity=0.5)
    assert w.channel == SUSPENDED and w.war[w.idx("UKR")] == 0.5
    _event(model, "military_aggression", "RUS", ["UKR"], intensity=1.0)
    assert w.channel == FROZEN and not w.founding_act and not w.areas.any()


def _months(w, p, rng, n, trust_step=0.0, conciliation=None):
    """Run the channel's update n months, moving members' trust by trust_step a month."""
    for _ in range(n):
        w.trust[w.member, w.r] += trust_step
        if conciliation is not None:
            w.conciliation = conciliation
        institutions.update(w, p, 1, rng)


def test_channel_reopens_on_rising_trust_and_russian_conciliation_not_on_a_level(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(0)
    w.channel = FROZEN
    w.trust[w.member, w.r] = -0.9  # far below any level of the 1990s
    _months(w, p, rng, 60, trust_step=0.0, conciliation=1.0)  # Russia conciliatory, trust flat
    assert w.channel == FROZEN
    _months(w, p, rng, 60, trust_step=0.003, conciliation=0.0)  # trust rising, Russia not conciliatory
    assert w.channel == FROZEN
    w.war[w.idx("UKR")] = 0.5
    w.escalation = 4  # the ladder stands at war with a non-member
    _months(w, p, rng, 60, trust_step=0.003, conciliation=1.0)  # both, but a war goes on
    assert w.channel == FROZEN
    w.war[:] = 0.0
    w.escalation = 1  # the ladder has come down to tension
    _months(w, p, rng, 120, trust_step=0.003, conciliation=1.0)  # both, and calm: thaw, then reopen
    assert w.channel == ACTIVE
    assert float(w.trust[w.member, w.r].mean()) < 0.0  # reopened while trust is still negative


def test_trust_trend_follows_the_monthly_change(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(0)
    w.trust[w.member, w.r] = -0.5
    _months(w, p, rng, 1)
    _months(w, p, rng, 200, trust_step=0.002)
    assert w.trust_trend == pytest.approx(0.002, rel=1e-6)
    _months(w, p, rng, 200, trust_step=-0.001)
    assert w.trust_trend == pytest.approx(-0.001, rel=1e-6)


def test_founding_act_caps_presence_on_new_members_only(model):
    w, p = model.world, model.p
    w.founding_act = True
    w.new_member[w.idx("EST")] = True
    cap = institutions.presence_cap(w, p)
    assert cap[w.idx("EST")] == p.founding_act_presence_cap
    assert cap[w.idx("NOR")] == 1.0
    w.founding_act = False
    assert institutions.presence_cap(w, p)[w.idx("EST")] == 1.0


def test_cooperation_dividend_only_while_active(model):
    from sim.mechanisms import trust

    w, p = model.world, model.p
    w.areas[:] = True
    w.channel = SUSPENDED
    assert institutions.dividend_strength(w, p) == 0.0
    w.channel = ACTIVE
    before = w.trust[w.member, w.r].mean()
    trust.cooperation_dividend(w, p, 1, institutions.dividend_strength(w, p))
    assert w.trust[w.member, w.r].mean() > before


def test_sanctions_strain_russia_and_friendly_partners_relieve_it(model):
    w, p = model.world, model.p
    w.sanctions[w.west] = 1.0
    w.trust[w.partners, w.r] = 0.0
    for _ in range(60):
        economy.update(w, p, 1)
    alone = w.strain
    w.strain = 0.0
    w.trust[w.partners, w.r] = 1.0
    for _ in range(60):
        economy.update(w, p, 1)
    assert alone > 0.3 and w.strain < alone


def test_energy_leverage_falls_as_dependent_states_diversify_under_coercion(model):
    w, p = model.world, model.p
    economy.update(w, p, 1)
    start = w.leverage
    deu = np.array([w.idx("DEU")])
    economy.coerce(w, p, deu, 1.0)
    for _ in range(24):
        economy.update(w, p, 1)
    assert w.leverage < start
    assert w.coerced[deu[0]] > 0


def test_escalation_ladder_levels(model):
    w, p = model.world, model.p
    assert escalation.implied_level(w, p) == 0
    w.war[w.idx("GEO")] = 0.1
    assert escalation.implied_level(w, p) == 3
    w.war[w.idx("UKR")] = 1.0
    assert escalation.implied_level(w, p) == 4
    w.war[w.idx("EST")] = 0.2
    w.member[w.idx("EST")] = True
    assert escalation.implied_level(w, p) == 5


def test_escalation_jumps_up_and_steps_down_one_rung_at_a_time(model):
    w, p = model.world, model.p
    rng = np.random.default_rng(0)
    w.war[w.idx("UKR")] = 1.0
    escalation.update(w, p, 1, rng)
    assert w.escalation == 4
    w.war[:] = 0.0
    levels = []
    for _ in range(200):
        escalation.update(w, p, 1, rng)
        levels.append(w.escalation)
    steps = np.diff([4] + levels)
    assert steps.min() >= -1 and levels[-1] == 0
