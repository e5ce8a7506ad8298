"""Batched ``_phase_enlargement``: applications, bargaining and ratifications; the dialogue channel."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sim.draws import Uniforms
from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import enlargement, institutions
from sim.mechanisms.institutions import Emitted

#: each ensemble's draws from its runs' streams of this phase (a model keeps its generators for its life)
_STREAMS: WeakKeyDictionary[Lockstep, dict[str, Uniforms]] = WeakKeyDictionary()


def _decide(ens: Lockstep, runs: list[tuple[int, list[Emitted]]], source: str) -> None:
    """Emit the events of the runs that have any (``(run, events)`` pairs) through ``Lockstep.decide``."""
    if not runs:
        return
    specs: list[list[Emitted]] = [[] for _ in range(ens.runs)]
    for q, events in runs:
        specs[q] = events
    ens.decide(specs, source)


@batched_phase("_phase_enlargement")
def enlargement_phase(ens: Lockstep) -> None:
    """Every run's applications, concessions, ratifications and channel (``NatoRussiaModel._phase_enlargement``).

    Each part runs for all runs, then each run's events of that part are applied, before the next
    part reads the world: as in one run, where a part's events are applied before the next begins.
    """
    W, P, months, k = ens.world, ens.p, ens.months, ens.k
    streams = _STREAMS.get(ens)
    if streams is None:
        streams = _STREAMS[ens] = {name: Uniforms([getattr(m.streams, name) for m in ens.models])
                                   for name in ("applications", "ratification", "institutions")}
    draws = streams["applications"].draw(W.member.shape[1])
    _decide(ens, enlargement.applications_runs(W, P, k, months, draws), "model: state's decision")
    _decide(ens, enlargement.bargain_runs(W, P, months), "model: a candidate's concessions to a holdout")
    _decide(ens, enlargement.ratifications_runs(W, P, k, months, streams["ratification"]),
            "model: ratification by every member")
    channel = streams["institutions"].draw()
    _decide(ens, [(q, [spec]) for q, spec in institutions.update_runs(W, P, months, channel)],
            "model: alliance decision")
    ens.direct("institutions")
