"""Batched ``_phase_trust``: war pressure, the cooperation dividend, relaxation to baseline, consultation."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import institutions, trust


@batched_phase("_phase_trust")
def trust_phase(ens: Lockstep) -> None:
    """Move every run's trust matrix (``NatoRussiaModel._phase_trust``)."""
    W, P, months = ens.world, ens.p, ens.months
    trust.war_pressure_runs(W, P, months)
    trust.cooperation_dividend_runs(W, P, months, institutions.dividend_strength_runs(W, P))
    trust.relax_runs(W, P, months)
    trust.consult_runs(W, P, months)
    trust.clip_runs(W)
