"""Batched ``_phase_record``: the derived quantities (threat, deterrence, indices) and the step's records."""

from __future__ import annotations

import numpy as np

from sim import observables
from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import alliance, deterrence, relations, security_dilemma, threat
from sim.world import CHANNEL_STATES


def derive_runs(ens: Lockstep) -> None:
    """Recompute every run's threat, deterrence and indices (``NatoRussiaModel._derive`` on the world arrays)."""
    W, P = ens.world, ens.p
    security_dilemma.perceive_runs(W, P)
    threat.update_runs(W, P)
    alliance.cohesion_runs(W, P)
    deterrence.update_runs(W, P, np.stack([m.aid_received for m in ens.models]))
    W.relations = relations.index_runs(W, P)


def record_runs(ens: Lockstep, k: int) -> None:
    """Store step k's state and recorded model outputs (``sim.observables``) of every run (``NatoRussiaModel._record``)."""
    W = ens.world
    states = ens.state_records[k % len(ens.state_records)]
    np.stack(observables.state_values(W), axis=1, out=states)
    states[:, observables.NOT_FOR_RUSSIA, W.r] = np.nan
    np.stack(observables.recorded_values(W), axis=1, out=ens.scalar_records[k])
    ens.recorded = k + 1
    # without states, the model-level outputs of a block of steps from its rows (the bits of the whole record)
    if not ens.states and (ens.recorded % len(ens.state_records) == 0 or ens.recorded == ens.steps):
        ens.derive_model_records()


@batched_phase("_phase_record")
def record_phase(ens: Lockstep) -> None:
    """Derive and record every run's step; end the runs at the calendar's end (``NatoRussiaModel._phase_record``)."""
    k = ens.k
    W = ens.world
    derive_runs(ens)
    record_runs(ens, k)
    relations_index = W.relations.tolist()
    escalation = W.escalation.tolist()
    members = W.member.sum(axis=1).tolist()
    action = W.action.tolist()
    target = W.action_target.tolist()
    channel = [CHANNEL_STATES[c] for c in W.channel.tolist()]
    last = k + 1 >= ens.steps
    # the models' own attributes and record lists: the one loop over runs
    for q, m in enumerate(ens.models):
        m.relations_index = relations_index[q]
        m.escalation_level = escalation[q]
        m.nato_members = members[q]
        m.russia_action = action[q]
        m.action_records.append(action[q])
        m.target_records.append(target[q])
        m.channel_records.append(channel[q])
        if m.mesa_collect:
            m.datacollector.collect(m)
        if last:
            m.running = False
