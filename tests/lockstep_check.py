"""The check every batched phase must pass: the lockstep ensemble equals its phases run model by model.

``assert_same_runs(scenario, seeds, phases)`` steps two ensembles of the same
seeds side by side, one with ``phases`` batched and one with every phase run
model by model, and after every step requires every array of the world, the
records, the event logs and the models' reported attributes to be equal, bit for
bit (NaN equal to NaN).  The first difference fails with the step, the run and
the attribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

import sim
from sim.lockstep import Lockstep

#: the scenarios the checks run: the record, the baseline, and hypotheticals that exercise the
#: responses (an attack on a member, a ceasefire, a smaller US commitment, a policy hold)
SCENARIOS: tuple[str, ...] = ("historical", "baseline", "baltic_incursion", "ceasefire", "us_reduced")

#: model attributes compared after every step, besides the world and the records
MODEL_ATTRIBUTES: tuple[str, ...] = ("relations_index", "escalation_level", "nato_members", "russia_action",
                                     "date", "running")


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            return a.shape == b.shape and all(x == y for x, y in zip(a.ravel(), b.ravel(), strict=True))
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    return a == b


def assert_same_runs(scenario: str, seeds: Iterable[int], phases: Iterable[str], steps: int | None = None,
                     months_per_step: int = 1) -> None:
    """Fail at the first step where batching ``phases`` changes anything of any run."""
    setup = sim.load_scenario(scenario).setup()
    if months_per_step != 1:
        setup = replace(setup, months_per_step=months_per_step)
    seeds = list(seeds)
    batched = Lockstep(setup, seeds, batched=list(phases))
    reference = Lockstep(setup, seeds, batched=False)
    k = 0
    while reference.running and (steps is None or k < steps):
        batched.step()
        reference.step()
        for name, ref in reference.world.arrays.items():
            got = batched.world.arrays[name]
            if not _equal(got, ref):
                runs = [q for q in range(len(seeds)) if not _equal(got[q], ref[q])]
                raise AssertionError(f"{scenario} step {k}: world.{name} differs in runs {runs} (seeds "
                                     f"{[seeds[q] for q in runs]}): {got[runs[0]]!r} != {ref[runs[0]]!r}")
        assert np.array_equal(batched.state_records, reference.state_records, equal_nan=True), \
            f"{scenario} step {k}: state records differ"
        assert np.array_equal(batched.scalar_records, reference.scalar_records), \
            f"{scenario} step {k}: scalar records differ"
        for q, (mb, mr) in enumerate(zip(batched.models, reference.models, strict=True)):
            assert mb.event_log == mr.event_log, f"{scenario} step {k} seed {seeds[q]}: event logs differ"
            for name in ("action_records", "target_records", "channel_records"):
                assert getattr(mb, name) == getattr(mr, name), f"{scenario} step {k} seed {seeds[q]}: {name}"
            for name in MODEL_ATTRIBUTES:
                assert _equal(getattr(mb, name), getattr(mr, name)), f"{scenario} step {k} seed {seeds[q]}: {name}"
            assert np.array_equal(mb.aid_received, mr.aid_received), f"{scenario} step {k}: aid_received"
            for stream in vars(mr.streams):
                assert getattr(mb.streams, stream).bit_generator.state == \
                    getattr(mr.streams, stream).bit_generator.state, \
                    f"{scenario} step {k} seed {seeds[q]}: stream {stream} drew differently"
        k += 1
    assert batched.running == reference.running
