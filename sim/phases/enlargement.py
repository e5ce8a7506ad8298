"""Batched ``_phase_enlargement``: applications, bargaining and ratifications; the dialogue channel."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import enlargement, institutions


@batched_phase("_phase_enlargement")
def enlargement_phase(ens: Lockstep) -> None:
    """Every run's applications, concessions, ratifications and channel (``NatoRussiaModel._phase_enlargement``).

    Each part runs for all runs, then each run's events of that part are applied, before the next
    part reads the world: as in one run, where a part's events are applied before the next begins.
    """
    W, P, months, k = ens.world, ens.p, ens.months, ens.k
    draws = ens.draws("applications").draw(W.member.shape[1])
    ens.decide_some(enlargement.applications_runs(W, P, k, months, draws), "model: state's decision")
    ens.decide_some(enlargement.bargain_runs(W, P, months), "model: a candidate's concessions to a holdout")
    ens.decide_some(enlargement.ratifications_runs(W, P, k, months, ens.draws("ratification")),
                    "model: ratification by every member")
    channel = ens.draws("institutions").draw()
    ens.decide_some([(q, [spec]) for q, spec in institutions.update_runs(W, P, months, channel)],
                    "model: alliance decision")
    ens.direct("institutions")
