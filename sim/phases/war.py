"""Batched ``_phase_war``: wars go on or end, the escalation ladder moves, forces are committed to deterrence."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import deterrence, escalation, war


@batched_phase("_phase_war")
def war_phase(ens: Lockstep) -> None:
    """Conduct every run's wars, move its ladder and commit its forces (``NatoRussiaModel._phase_war``)."""
    W, P, months, models = ens.world, ens.p, ens.months, ens.models
    wars, ladders = ens.draws("war"), ens.draws("escalation")
    # the few runs where a war ends emit their events through their model (faster than Lockstep.decide's
    # grouping for a scattered event or two), applied at once: their ladder below sees the war ended
    for q, specs in war.conduct_runs(W, P, months, wars.draw(W.war.shape[1])):
        m = models[q]
        for spec in specs:
            m.decided(*spec, "model: war termination")
    escalation.update_runs(W, P, months, ladders.draw())  # one draw a run, whatever its ladder does
    deterrence.commit_forces_runs(W, P, months)
