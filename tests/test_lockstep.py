"""The lockstep engine: R runs stepped together give each run exactly what it gives alone.

Three layers: the views (a run's world inside the ensemble's arrays reads and
writes that run's rows only), the ensemble with every phase run model by model
(equal to separate models, bit for bit), and each batched phase (equal, step by
step, to the same phase run model by model; ``tests/lockstep_check.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.lockstep import BATCHED, Lockstep, WorldArrays, chunks, run_lockstep
from sim.model import NatoRussiaModel
from tests.lockstep_check import SCENARIOS, assert_same_runs


@pytest.fixture(scope="module")
def setups():
    """The setups of the checked scenarios, loaded once."""
    return {name: sim.load_scenario(name).setup() for name in SCENARIOS}


def test_views_read_and_write_their_own_run(setups):
    models = [NatoRussiaModel(setups["historical"], rng=s, mesa_collect=False) for s in (1, 2)]
    arrays = WorldArrays([m.world for m in models])
    a, b = arrays.view(0), arrays.view(1)
    a.trust[3, 4] = 0.25
    a.revisionism = 0.75
    a.trust_seen = 0.5
    assert arrays.arrays["trust"][0, 3, 4] == 0.25 and b.trust[3, 4] != 0.25
    assert a.revisionism == 0.75 and type(a.revisionism) is float and b.revisionism != 0.75
    assert a.trust_seen == 0.5 and b.trust_seen is None
    assert type(a.channel) is int and type(a.article5) is bool and type(a.action) is str
    a.spend = np.full(a.n, 2.5)  # assigning an array copies it into the run's row
    assert arrays.arrays["spend"][0].tolist() == [2.5] * a.n and b.spend[0] != 2.5
    assert a.codes is b.codes and a.r == b.r  # the roster's constants are shared


def test_arrays_assignment_writes_in_place(setups):
    models = [NatoRussiaModel(setups["historical"], rng=s, mesa_collect=False) for s in (1, 2)]
    arrays = WorldArrays([m.world for m in models])
    view = arrays.view(1)
    arrays.strain = np.array([0.1, 0.2])
    assert view.strain == 0.2 and arrays.arrays["strain"].tolist() == [0.1, 0.2]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ensemble_run_model_by_model_equals_separate_models(setups, scenario):
    setup = setups[scenario]
    ens = Lockstep(setup, [0, 52], batched=False).run()
    for q, seed in enumerate((0, 52)):
        alone = NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
        got = ens.models[q]
        assert np.array_equal(got.state_records, alone.state_records, equal_nan=True)
        assert np.array_equal(got.scalar_records, alone.scalar_records)
        assert got.event_log == alone.event_log and got.action_records == alone.action_records


@pytest.mark.parametrize("phase", sorted(BATCHED) or ["none"])
@pytest.mark.parametrize("scenario", ["historical", "baltic_incursion"])
def test_batched_phase_equals_phase_run_model_by_model(scenario, phase):
    """Each phase alone (to say which one differs); all of them together over every checked scenario below."""
    assert phase in BATCHED, "no phase is batched yet"
    assert_same_runs(scenario, [0, 52], [phase])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_batched_phase_together(scenario):
    assert_same_runs(scenario, [3, 11], sorted(BATCHED))


@pytest.mark.parametrize("scenario", ["historical", "baltic_incursion"])
def test_every_batched_phase_together_with_quarterly_steps(scenario):
    """Steps of three months take every rate to a power: the batched powers must give the per-run bits too."""
    assert_same_runs(scenario, [2, 52], sorted(BATCHED), months_per_step=3)


def test_results_do_not_depend_on_the_chunk_size(setups):
    setup = setups["baseline"]
    seeds = [5, 6, 7, 8, 9]
    one = run_lockstep(setup, seeds, chunk=1)
    five = run_lockstep(setup, seeds, chunk=5)
    two = run_lockstep(setup, seeds, chunk=2)
    for a, b, c in zip(one, five, two, strict=True):
        assert np.array_equal(a.state_records, b.state_records, equal_nan=True)
        assert np.array_equal(a.state_records, c.state_records, equal_nan=True)
        assert a.event_log == b.event_log == c.event_log


def test_per_run_parameters(setups):
    setup = setups["baseline"]
    ens = Lockstep(setup, [4, 4], params=[{}, {"trust_negative_gain": 0.05}]).run()
    alone = NatoRussiaModel(setup, rng=4, mesa_collect=False, trust_negative_gain=0.05).run()
    assert np.array_equal(ens.models[1].state_records, alone.state_records, equal_nan=True)
    assert not np.array_equal(ens.models[0].state_records, alone.state_records, equal_nan=True)


def test_chunks():
    assert chunks(5, 2) == [range(2), range(2, 4), range(4, 5)]
    assert chunks(0, 3) == []


def test_record_buffers_are_reused_only_when_nothing_holds_them(setups):
    setup = setups["baseline"]
    a = Lockstep(setup, [1, 2, 3, 4]).run()
    kept = a.models[0].state_records.copy()
    b = Lockstep(setup, [5, 6, 7, 8]).run()
    assert not np.shares_memory(a.state_records, b.state_records)  # a's models still hold theirs
    assert np.array_equal(a.models[0].state_records, kept, equal_nan=True)
    address = b.state_records.ctypes.data
    del a, b
    c = Lockstep(setup, [9, 10, 11, 12])
    assert c.state_records.ctypes.data == address and not c.state_records.any()  # reused, and zeroed


def test_the_compiled_severity_gives_the_bits_of_trust_severity():
    from sim.events import _severity
    from sim.mechanisms.trust import severity

    rng = np.random.default_rng(3)
    for g, e in zip(rng.uniform(-10, 10, 5000).tolist(), rng.uniform(0.3, 3.0, 5000).tolist(), strict=True):
        assert _severity(g, e) == severity(g, e)
    assert _severity(0.0, 1.5) == severity(0.0, 1.5) == 0.0


@pytest.mark.parametrize("scenario", ["historical", "baltic_incursion"])
def test_without_states_the_model_outputs_are_those_of_separate_models(setups, scenario):
    """``states=False``: each step's model outputs computed over the runs, the same bits and types as a run's record."""
    setup = setups[scenario]
    ens = Lockstep(setup, [3, 4, 5, 6], states=False).run()
    assert ens.models[0].state_records is None
    for q, seed in enumerate((3, 4, 5, 6)):
        alone = NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
        want, got = alone.outputs(), ens.models[q].outputs()
        assert list(got) == list(want)
        for name in want:
            assert got[name].dtype == want[name].dtype, name
            assert np.array_equal(got[name], want[name], equal_nan=True), name
        assert ens.models[q].event_log == alone.event_log


def test_without_states_needs_the_batched_recorder(setups):
    with pytest.raises(ValueError, match="batched record phase"):
        Lockstep(setups["historical"], [1, 2], batched=False, states=False)


def test_without_states_outputs_read_mid_run_are_complete_and_the_blocks_give_the_same_bits(setups):
    """Model outputs derived a block of steps at a time equal those of a run's whole record, also when
    ``outputs()`` is read mid-block (the block is then completed in two parts)."""
    from sim.lockstep import DERIVE_BLOCK

    setup = setups["historical"]
    ens = Lockstep(setup, [7, 8], states=False)
    alone = NatoRussiaModel(setup, rng=8, mesa_collect=False)
    for _ in range(DERIVE_BLOCK + 5):  # into the second block
        ens.step()
        alone.step()
    k = DERIVE_BLOCK + 5
    assert ens.derived == DERIVE_BLOCK and ens.recorded == k  # the second block is pending
    got, want = ens.models[1].outputs(), alone.outputs()
    assert ens.derived == k
    for name in want:
        assert np.array_equal(got[name][:k], want[name][:k], equal_nan=True), name
    ens.run()
    alone.run()
    got, want = ens.models[1].outputs(), alone.outputs()
    for name in want:
        assert np.array_equal(got[name], want[name], equal_nan=True), name
