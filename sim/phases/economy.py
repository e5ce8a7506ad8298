"""Batched ``_phase_economy``: Russia's economy and energy leverage, its revisionist ambition, allied solidarity."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import alliance, economy, security_dilemma


@batched_phase("_phase_economy")
def economy_phase(ens: Lockstep) -> None:
    """Move every run's economy, ambition and solidarity (``NatoRussiaModel._phase_economy``)."""
    W, P, months = ens.world, ens.p, ens.months
    economy.update_runs(W, P, months)
    security_dilemma.update_ambition_runs(W, P, months)
    alliance.update_solidarity_runs(W, P, months)
