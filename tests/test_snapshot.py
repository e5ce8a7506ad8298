"""Model snapshots: restoring a snapshot continues exactly as the uninterrupted run."""

import numpy as np

from sim.model import NatoRussiaModel
from sim.world import ACTIONS


def _outputs_equal(a: dict, b: dict) -> bool:
    return all(np.array_equal(a[k], b[k]) for k in a)


def test_restore_continues_identically(historical):
    setup = historical.setup()
    reference = NatoRussiaModel(setup, rng=3, mesa_collect=False).run()
    m = NatoRussiaModel(setup, rng=3, mesa_collect=False)
    for _ in range(200):
        m.step()
    snap = m.snapshot()
    m.run()
    assert _outputs_equal(m.outputs(), reference.outputs())
    m.restore(snap)  # rewind the same model
    m.run()
    assert _outputs_equal(m.outputs(), reference.outputs())
    assert m.event_log == reference.event_log
    other = NatoRussiaModel(setup, rng=99, mesa_collect=False)  # another model, another seed
    other.restore(snap)
    other.run()
    assert _outputs_equal(other.outputs(), reference.outputs())
    assert other.action_records == reference.action_records


def test_snapshot_is_not_aliased(historical):
    m = NatoRussiaModel(historical.setup(), rng=0, mesa_collect=False)
    for _ in range(12):
        m.step()
    snap = m.snapshot()
    trust = snap.world.trust.copy()
    for _ in range(12):
        m.step()
    assert np.array_equal(snap.world.trust, trust)


class _ForceStatusQuo:
    phase = "russia"

    def apply(self, model):
        model.russia_choice = (ACTIONS.index("status_quo"), [], model.russia_choice[2])


def test_directive_replaces_russias_choice(historical):
    m = NatoRussiaModel(historical.setup(), rng=0, mesa_collect=False)
    m.directives.append(_ForceStatusQuo())
    for _ in range(60):
        m.step()
    assert set(m.action_records) == {"status_quo"}
    assert not [e for e in m.event_log if e[5] == "emergent" and e[1] == "RUS"]
