"""Trust: negativity bias, relaxation, betrayal memory (hysteresis), consultation, salience."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms import trust

from .conftest import reset_trust


def _reset(model, value=0.0):
    return reset_trust(model.world, value)


def test_hostile_event_moves_trust_more_than_equal_friendly_event(model):
    w = _reset(model)
    r, pol = w.r, np.array([w.idx("POL")])
    actors = np.array([r])
    trust.apply_event(w, model.p, actors, pol, -6.0)
    drop = -w.trust[w.idx("POL"), r]
    w = _reset(model)
    trust.apply_event(w, model.p, actors, pol, +6.0)
    rise = w.trust[w.idx("POL"), r]
    assert drop > 0 and rise > 0
    assert drop > 1.5 * rise


def test_severity_grows_faster_than_goldstein():
    assert trust.severity(-10, 2.5) == pytest.approx(-1.0)
    assert abs(trust.severity(-7, 2.5)) < 0.7 * 0.7
    assert trust.severity(4, 2.5) > 0


def test_trust_relaxes_to_baseline_without_events(model):
    w = model.world
    for _ in range(600):
        trust.relax(w, model.p, 1)
    base = trust.baseline(w, model.p)
    assert np.allclose(w.trust, base, atol=0.01)


def test_recovery_after_betrayal_is_slow(model):
    w = _reset(model, 0.0)
    p = model.p
    r, est = w.r, w.idx("EST")
    trust.apply_event(w, p, np.array([r]), np.array([est]), -10.0)
    after_betrayal = w.trust[est, r]
    assert w.memory[est, r] > 0
    remembered = w.memory.copy()
    trust_copy = w.trust.copy()
    for _ in range(24):
        trust.relax(w, p, 1)
    with_memory = w.trust[est, r]
    # the same fall of trust without the betrayal memory recovers faster
    w.trust[:] = trust_copy
    w.memory[:] = 0.0
    for _ in range(24):
        trust.relax(w, p, 1)
    without_memory = w.trust[est, r]
    assert after_betrayal < 0.0
    assert with_memory < without_memory - 0.1  # memory slows and caps the return
    assert with_memory < 0.0 - 0.3  # two years on, far below the trust before the betrayal
    assert remembered[est, r] > 0


def test_betrayal_lowers_the_baseline_for_years(model):
    w = _reset(model, 0.0)
    p = model.p
    r, est = w.r, w.idx("EST")
    before = trust.baseline(w, p)[est, r]
    trust.apply_event(w, p, np.array([r]), np.array([est]), -10.0)
    for _ in range(120):
        trust.relax(w, p, 1)
    assert trust.baseline(w, p)[est, r] < before - 0.05
    assert w.trust[est, r] < before - 0.05


def test_minor_hostility_is_not_a_betrayal(model):
    w = _reset(model)
    trust.apply_event(w, model.p, np.array([w.r]), np.array([w.idx("POL")]), -2.0)
    assert w.memory.max() == 0.0
    assert w.hostile[w.idx("POL"), w.r] > 0.0


def test_allies_register_an_attack_on_a_member_more_than_outsiders(model):
    w = model.world
    w.trust[:] = 0.0
    np.fill_diagonal(w.trust, 1.0)
    est, deu, chn = w.idx("EST"), w.idx("DEU"), w.idx("CHN")
    w.trust[deu, est] = 0.8  # allies trust each other
    trust.apply_event(w, model.p, np.array([w.r]), np.array([est]), -9.0)
    assert w.trust[est, w.r] < w.trust[deu, w.r] < w.trust[chn, w.r] <= 0.0


def test_consultation_pulls_members_toward_alliance_view_by_solidarity(model):
    w = model.world
    m = np.flatnonzero(w.member)
    rng = np.random.default_rng(0)
    w.trust[m, w.r] = rng.uniform(-0.8, 0.8, len(m))
    loner = m[0]
    w.solidarity[loner] = 0.0
    spread_before = w.trust[m, w.r].std()
    loner_before = w.trust[loner, w.r]
    for _ in range(24):
        trust.consult(w, model.p, 1)
    assert w.trust[m, w.r].std() < 0.6 * spread_before
    assert w.trust[loner, w.r] == pytest.approx(loner_before)


def test_war_wears_trust_down_every_month(model):
    w = model.world
    w.war[w.idx("UKR")] = 1.0
    before = w.trust[:, w.r].copy()
    trust.war_pressure(w, model.p, 1)
    assert (w.trust[w.not_r, w.r] < before[w.not_r]).all()
    drop = before - w.trust[:, w.r]
    assert drop[w.idx("UKR")] > drop[w.idx("USA")]
