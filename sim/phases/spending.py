"""Batched ``_phase_spending``: economies grow, allies set defence spending and forward presence, directives apply."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import defence_spending, member_decisions
from sim.world import reweigh_runs


@batched_phase("_phase_spending")
def spending_phase(ens: Lockstep) -> None:
    """Grow every run's economies and move its spending and presence (``NatoRussiaModel._phase_spending``)."""
    W, P, months, models = ens.world, ens.p, ens.months, ens.models
    date = models[0].date  # the runs share one calendar
    year = date.year
    defence_spending.grow_runs(W, P, months, W.growth[:, :, year - W.growth_year0])
    if date.month == 1 or ens.k == 0:
        reweigh_runs(W)
        for m in models:
            m.world._members = None  # the members' cache holds square-root GDP weights
    defence_spending.update_runs(W, P, months, year + (date.month - 1) / 12.0, ens.draws("spending"))
    member_decisions.presence_runs(W, P, months)
    ens.direct("allies")
