"""Batched ``_phase_events``: the date, the end of holds, and the period's scheduled events in every run."""

from __future__ import annotations

from sim.lockstep import Lockstep, batched_phase


@batched_phase("_phase_events")
def events_phase(ens: Lockstep) -> None:
    """Set every run's date, end its holds that ran out, and apply the scheduled events (``_phase_events``)."""
    k = ens.k
    for m in ens.models:
        m.date = m.dates[k]
        if m.standing:
            m._end_holds()
    scheduled = ens.models[0].scheduled.get(k)
    if scheduled:
        ens.apply_scheduled(scheduled)
