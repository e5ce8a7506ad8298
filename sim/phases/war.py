"""Batched ``_phase_war``: wars go on or end, the escalation ladder moves, forces are committed to deterrence."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sim.draws import Uniforms
from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import deterrence, escalation, war

#: each ensemble's draws from its runs' war and escalation streams (a model keeps its generators for its life)
_STREAMS: WeakKeyDictionary[Lockstep, tuple[Uniforms, Uniforms]] = WeakKeyDictionary()


@batched_phase("_phase_war")
def war_phase(ens: Lockstep) -> None:
    """Conduct every run's wars, move its ladder and commit its forces (``NatoRussiaModel._phase_war``)."""
    W, P, months, models = ens.world, ens.p, ens.months, ens.models
    streams = _STREAMS.get(ens)
    if streams is None:
        streams = _STREAMS[ens] = (Uniforms([m.streams.war for m in models]),
                                   Uniforms([m.streams.escalation for m in models]))
    wars, ladders = streams
    # the few runs where a war ends emit their events through their model (faster than Lockstep.decide's
    # grouping for a scattered event or two), applied at once: their ladder below sees the war ended
    for q, specs in war.conduct_runs(W, P, months, wars.draw(W.war.shape[1])):
        m = models[q]
        for spec in specs:
            m.decided(*spec, "model: war termination")
    escalation.update_runs(W, P, months, ladders.draw())  # one draw a run, whatever its ladder does
    deterrence.commit_forces_runs(W, P, months)
