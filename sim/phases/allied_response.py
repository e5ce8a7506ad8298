"""Batched ``_phase_allied_response``: collective defence, sanctions and military aid in every run."""

from __future__ import annotations

import weakref

import numpy as np

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import collective_defence, member_decisions

ARTICLE5 = "model: collective defence (Article 5)"
ALLIED = "model: allied decision"

#: per ensemble, the runs whose models were last given a non-zero ``aid_received`` (the others hold zeros)
_PAID: weakref.WeakKeyDictionary[Lockstep, np.ndarray] = weakref.WeakKeyDictionary()


@batched_phase("_phase_allied_response")
def allied_response_phase(ens: Lockstep) -> None:
    """Every run's allies answer what Russia did (``NatoRussiaModel._phase_allied_response``)."""
    W, P, months, models = ens.world, ens.p, ens.months, ens.models
    # each part's events are applied before the next part reads the world, as in one run
    for q, events in collective_defence.respond_runs(W, P):
        m = models[q]
        for etype, actor, targets, label, params in events:
            m.decided(etype, actor, targets, label, ARTICLE5, params)
    ens.decide_some(member_decisions.sanctions_runs(W, P, months), ALLIED)
    received, aid_events = member_decisions.aid_runs(W, P, months)
    # a run that receives no aid this step and received none the last keeps its zeros (the same values)
    paid = received.any(axis=1)
    last = _PAID.get(ens)
    for q in (range(len(models)) if last is None else np.flatnonzero(paid | last).tolist()):
        models[q].aid_received = received[q]
    _PAID[ens] = paid
    ens.decide_some(aid_events, ALLIED)
