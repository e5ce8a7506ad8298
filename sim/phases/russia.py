"""Batched ``_phase_russia``: Russia's logit choice of an action and its target, and the action's event."""

from __future__ import annotations

import numpy as np

from sim.lockstep import Lockstep, batched_phase
from sim.mechanisms import russia_decisions
from sim.world import ACTIONS

#: the model's own account of a choice it made (a directive may claim the choice instead)
_EMERGENT: tuple[str, str] = ("emergent", "model: Russia's decision")
_ACTIONS = np.array(ACTIONS, dtype=object)
#: each action's event type, its label, and whether it has one (the status quo has none)
_EVENT = [russia_decisions.ACTION_EVENT.get(a) for a in ACTIONS]
_LABEL = [a.replace("_", " ") for a in ACTIONS]
_HAS_EVENT = np.array([e is not None for e in _EVENT])


@batched_phase("_phase_russia")
def russia_phase(ens: Lockstep) -> None:
    """Choose every run's action and target, let directives replace them, emit the events (``_phase_russia``)."""
    W, P, models = ens.world, ens.p, ens.models
    uniforms = ens.draws("russia").draw(2)  # the action's draw, then the target's (drawn whatever the action)
    action, target, probs = russia_decisions.decide_runs(W, P, uniforms)
    directed = []
    for q, (m, a, t) in enumerate(zip(models, action.tolist(), target.tolist(), strict=True)):
        m.russia_choice = (a, [t] if t >= 0 else [], probs[q])
        m.russia_origin = _EMERGENT
        if m.directives or m.standing:
            directed.append(q)
    ens.direct("russia")
    codes = W.codes
    # target -1: the alliance as a whole (""); an index past the roster fails here as it does in one run
    chosen = np.where(target >= 0, np.array(codes, dtype=object)[np.maximum(target, 0)], "")
    targets: dict[int, list[str]] = {}
    for q in directed:  # a directive may have replaced the choice: read it back
        a, ts, p = models[q].russia_choice
        action[q] = a
        probs[q] = p
        targets[q] = [codes[t] for t in ts]
        chosen[q] = ",".join(targets[q])
    W.action_probs = probs
    W.action = _ACTIONS[action]
    W.action_target = chosen
    items: list[list[tuple]] = [[] for _ in models]
    for q in np.flatnonzero(_HAS_EVENT[action]).tolist():
        m = models[q]
        a = int(action[q])
        etype = _EVENT[a]
        names = targets.get(q)
        if names is None:
            names = [chosen[q]] if chosen[q] else []
        origin, source = m.russia_origin
        # Russia's own nuclear signal comes at the level the registry sets for it
        params = {"level": m.p.emergent_nuclear_level} if etype == "nuclear_signalling" else None
        items[q].append((etype, "RUS", names or ["NATO"], _LABEL[a], source, origin, params))
    ens.emit(items)  # the same events in the same runs, identical ones applied together
