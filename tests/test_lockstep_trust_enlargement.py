"""The batched trust and enlargement phases beyond the common check: their numerics, longer steps, per-run values.

``tests/test_lockstep.py`` holds each batched phase equal to its per-run form on
five scenarios at a monthly step with the registry's values.  Here: the
numerics the batched forms rely on (numpy's pairwise sum rebuilt in numba, a
rate's power taken value by value), a quarterly step (where a vectorised power
would differ from a float's), and runs of one ensemble with different parameter
values, chosen so that every event the enlargement phase can emit is emitted
(suspensions of the channel among them, which the registry's values never give).
"""

from __future__ import annotations

import collections
from dataclasses import replace

import numpy as np
import pytest

import sim
from sim.draws import Draws, uniforms
from sim.lockstep import Lockstep
from sim.mechanisms.trust import rate
from sim.numerics import pairwise_sum
from tests.lockstep_check import _equal

#: per-run values that make the phases' rarer branches happen (a suspension, fast applications and ratifications)
VARIED = (
    {},
    {"suspend_trust_threshold": 0.0, "reopen_rate": 0.3},
    {"application_max_rate": 0.6, "ratification_max_rate": 0.8, "grievance_bargaining_rate": 0.2},
    {"cooperation_dividend": 0.02, "consultation_rate": 0.3, "war_trust_pressure": 0.05},
)


def test_pairwise_sum_is_numpys_sum():
    rng = np.random.default_rng(3)
    for n in [*range(300), 511, 1000, 1024, 4097, 20000]:
        a = rng.random(n) * 10.0 ** rng.uniform(-4, 4, n)
        assert pairwise_sum(a, n) == a.sum(), n
        assert pairwise_sum(np.concatenate([a, rng.random(7)]), n) == a.sum(), n  # a prefix of a longer array


def _same_state(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


#: every bit generator numpy provides, one after another in an ensemble's generators
BIT_GENERATORS = (np.random.PCG64, np.random.MT19937, np.random.Philox, np.random.SFC64, np.random.PCG64DXSM)


def test_uniforms_are_each_generator_s_random_and_leave_its_state():
    def gens():
        return [np.random.Generator(BIT_GENERATORS[k % 5](k)) for k in range(12)]

    got, ref = gens(), gens()
    for n in (None, 1, 45, 0, 3):
        draws = uniforms(got, n)
        expected = np.array([g.random() for g in ref]) if n is None else np.stack([g.random(n) for g in ref])
        assert np.array_equal(draws, expected), n
        assert all(_same_state(a.bit_generator.state, b.bit_generator.state) for a, b in zip(got, ref, strict=True))
    source = Draws(got)
    runs = np.array([1, 2, 4, 5, 7, 8, 11])
    lengths = np.array([6, 2, 1, 0, 4, 5, 6])
    for _ in range(2):  # drawn from the same generators again: on from where they are
        rows = source.rows(runs, lengths, 6)
        for a, q in enumerate(runs):
            assert np.array_equal(rows[a, :lengths[a]], ref[q].random(lengths[a])) and not rows[a, lengths[a]:].any()
        assert all(_same_state(a.bit_generator.state, b.bit_generator.state) for a, b in zip(got, ref, strict=True))
    assert np.array_equal(source.draw(3), np.stack([g.random(3) for g in ref]))
    with pytest.raises(ValueError):
        source.rows(runs, lengths, 5)  # a row longer than the array's width


def test_normals_are_each_generator_s_normal_and_leave_its_state():
    from sim import draws

    assert draws._RANDOM_NORMAL is not None  # numpy exports it here: the compiled path is the one tested

    def gens():
        return [np.random.Generator(BIT_GENERATORS[k % 5](k)) for k in range(12)]

    got, ref = gens(), gens()
    source = Draws(got)
    scale = np.linspace(0.0, 2.0, 12)
    for n in (45, 1, 0, 300):  # 300 normals a generator: the ziggurat's rare tail and wedge branches too
        expected = np.stack([g.normal(0.0, sd, n) for g, sd in zip(ref, scale.tolist(), strict=True)])
        assert np.array_equal(source.normals(scale, n), expected), n
        assert all(_same_state(a.bit_generator.state, b.bit_generator.state) for a, b in zip(got, ref, strict=True))
    assert np.array_equal(source.draw(2), np.stack([g.random(2) for g in ref]))  # uniforms go on from there
    with pytest.raises(ValueError, match="scale"):  # numpy's own error for a negative scale
        source.normals(-scale, 3)


@pytest.mark.parametrize("months", [1, 2, 3, 12])
def test_rate_of_an_array_is_each_value_s_rate(months):
    per_month = np.random.default_rng(months).random(500) * 0.3
    got = rate(per_month, months)
    assert got.shape == per_month.shape
    assert np.array_equal(got, np.array([rate(float(x), months) for x in per_month]))


def _same_runs(setup, seeds, params, phases) -> collections.Counter:
    """Step an ensemble with ``phases`` batched beside one run model by model; fail at the first difference.

    Return the counts of the enlargement phase's events (by label) across the reference runs.
    """
    batched = Lockstep(setup, seeds, params=params, batched=phases)
    reference = Lockstep(setup, seeds, params=params, batched=False)
    k = 0
    while reference.running:
        batched.step()
        reference.step()
        for name, ref in reference.world.arrays.items():
            got = batched.world.arrays[name]
            assert _equal(got, ref), f"step {k}: world.{name} differs"
        assert np.array_equal(batched.state_records, reference.state_records, equal_nan=True), f"step {k}"
        for mb, mr in zip(batched.models, reference.models, strict=True):
            assert mb.event_log == mr.event_log, f"step {k}: event logs differ"
            for stream in vars(mr.streams):
                assert getattr(mb.streams, stream).bit_generator.state == \
                    getattr(mr.streams, stream).bit_generator.state, f"step {k}: stream {stream}"
        k += 1
    sources = {"model: state's decision", "model: a candidate's concessions to a holdout",
               "model: ratification by every member", "model: alliance decision"}
    return collections.Counter(ev[6].split(" ")[0] if ev[7] == "model: a candidate's concessions to a holdout"
                               else ev[6] for m in reference.models for ev in m.event_log if ev[7] in sources)


@pytest.fixture(scope="module")
def baseline():
    """The baseline scenario's setup."""
    return sim.load_scenario("baseline").setup()


@pytest.mark.parametrize("months", [1, 3])
def test_trust_and_enlargement_batched_with_per_run_values(baseline, months):
    setup = replace(baseline, months_per_step=months)
    seeds = [11, 12, 13, 14]
    events = _same_runs(setup, seeds, list(VARIED), ["_phase_trust", "_phase_enlargement"])
    if months == 1:  # the values make every kind of event of the phase happen
        for label in ("applies to join NATO", "concessions", "NATO suspends cooperation",
                      "NATO–Russia dialogue resumes"):
            assert events[label] > 0, (label, events)
        assert any(label.endswith("joins NATO") for label in events), events


def _random_trust_world(rng, runs, n):
    """Trust, memory and hostility matrices of ``runs`` runs, with pairs at, above and below their baseline."""
    trust = rng.uniform(-1.0, 1.0, (runs, n, n))
    base = rng.uniform(-1.0, 1.0, (runs, n, n))
    base[:, :3] = trust[:, :3]  # gaps of exactly 0
    memory = rng.random((runs, n, n)) * (rng.random((runs, n, n)) < 0.3)
    hostile = rng.random((runs, n, n)) * 3.0
    member = rng.random((runs, n)) < 0.6
    member[0] = False  # a run without members
    member[1, :] = False
    member[1, 4] = True  # and one with a single member
    return trust, base, memory, hostile, member


def test_fused_relax_is_baseline_then_relax_run_by_run():
    from sim.mechanisms.trust import _baseline, _relax, _relax_runs

    rng = np.random.default_rng(8)
    runs, n, r = 6, 30, 5
    trust, base, memory, hostile, member = _random_trust_world(rng, runs, n)
    values = [rng.random(runs) * s for s in (1.0, 0.5, 0.1, 3.0, 0.1)] + [1.0 - rng.random(runs) * 0.1 for _ in "ab"]
    weight, spiral, recovery, slowdown, decay, m_keep, h_keep = values
    got = [trust.copy(), memory.copy(), hostile.copy()]
    _relax_runs(*got, base, member, r, weight, spiral, recovery, slowdown, decay, m_keep, h_keep)
    for q in range(runs):
        t, m, h = trust[q].copy(), memory[q].copy(), hostile[q].copy()
        _relax(t, m, h, _baseline(base[q], m, member[q], r, weight[q], spiral[q]), recovery[q], slowdown[q],
               decay[q], m_keep[q], h_keep[q])
        for a, b in zip((t, m, h), got, strict=True):
            assert np.array_equal(a, b[q])


def test_consult_runs_is_consult_run_by_run():
    from sim.mechanisms.trust import _consult, _consult_runs

    rng = np.random.default_rng(9)
    runs, n = 6, 40
    trust, _, _, _, member = _random_trust_world(rng, runs, n)
    sqrt_gdp = np.sqrt(rng.random((runs, n)) * 1e4)
    solidarity = rng.random((runs, n))
    pull = rng.random(runs) * 0.3
    got = trust.copy()
    _consult_runs(got, member, sqrt_gdp, solidarity, pull)
    for q in range(runs):
        t = trust[q].copy()
        idx = np.flatnonzero(member[q])
        if len(idx) >= 2:
            weights = sqrt_gdp[q][idx]
            _consult(t, idx, weights, weights.sum(), solidarity[q], pull[q])
        assert np.array_equal(t, got[q])
