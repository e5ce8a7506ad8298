"""Why, for the room: what drove the model's decisions in a turn, and what each move and inject changed.

Brief: the seminar's teams "choose moves, injects are added"; the room must be
told why the model answered as it did.  Three kinds of reasons, all read from the
model's own rules, none invented for the text:

- **Russia's choice**: its action probabilities (the logit of its utilities) before
  the turn, at its end, and at its end had no team moved and no inject come; and the
  named terms of the likeliest action's utility (``russia_decisions.utility_terms``),
  with the terms that moved most over the turn;
- **the allies' decisions**: the allies whose spending target moved most, split into
  its terms (``defence_spending.target_terms``: anchor, austerity, threat, pledge, war);
- **each move and inject**: the turn played again from the same snapshot and the
  same random numbers without it; the difference is its effect, and a move or an
  inject whose removal changes no headline figure is said to have had none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.mechanisms import defence_spending, russia_decisions
from sim.world import ACTIONS

#: the headline figures an effect is measured on: (summary key, plain label, format)
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("relations_index", "relations", "+.2f"),
    ("nato_trust_in_russia", "members' trust in Russia", "+.2f"),
    ("russia_trust_in_nato", "Russia's trust in members", "+.2f"),
    ("escalation_level", "escalation level", "+.0f"),
    ("war_intensity_max", "war intensity", "+.2f"),
    ("mean_threat_from_russia", "members' threat", "+.2f"),
    ("frontline_deterrence", "frontline deterrence", "+.2f"),
    ("mean_defence_spending", "allied spending (% GDP)", "+.2f"),
    ("forward_presence_total", "forward presence", "+.2f"),
    ("sanctions_level", "sanctions", "+.2f"),
    ("military_aid_level", "military aid", "+.2f"),
    ("russia_economic_strain", "Russia's economic strain", "+.2f"),
)
#: below this change (in the figure's own unit) a move is said to have had no effect on a figure
NO_EFFECT = 0.005


def plain(action: str) -> str:
    """Return an action's name in plain words."""
    return action.replace("_", " ").replace("nonmember", "a non-member").replace("attack member", "attack on a member")


@dataclass
class Observation:
    """What the model's decision rules say at one moment: Russia's probabilities and terms, the allies' targets."""

    probs: dict[str, float]
    terms: dict[str, dict[str, float]]
    spend_terms: dict[str, np.ndarray]
    codes: list[str]
    members: np.ndarray


def observe(model) -> Observation:
    """Read the decision rules' state from the model as it stands (no change to it)."""
    w, p = model.world, model.p
    u = russia_decisions.utilities(w, p)
    probs = russia_decisions.probabilities(u, p.decision_temperature)
    year = model.date.year + (model.date.month - 1) / 12.0
    return Observation(
        {a: float(probs[i]) for i, a in enumerate(ACTIONS)},
        russia_decisions.utility_terms(w, p),
        defence_spending.target_terms(w, p, year),
        list(w.codes),
        w.member.copy(),
    )


def _probs(probs: dict[str, float], actions: list[str]) -> str:
    return ", ".join(f"{plain(a)} {probs[a]:.2f}" for a in actions)


def russia_lines(before: Observation, after: Observation, untouched: Observation, directed: str | None) -> list[str]:
    """Return the lines on Russia's choice: its probabilities, and the terms behind its likeliest course."""
    shown = sorted(ACTIONS, key=lambda a: -max(before.probs[a], after.probs[a], untouched.probs[a]))[:4]
    lines = [
        (f"Russia's choice, by the model's rules: before the turn {_probs(before.probs, shown)}; at its end "
         f"{_probs(after.probs, shown)}; at its end without the turn's moves and injects "
         f"{_probs(untouched.probs, shown)}.")
    ]
    if directed:
        lines.append(f"Red's move ({directed}) set Russia's course for the turn; the probabilities are what the "
                     "model's Russia would have weighed.")
    top = max((a for a in ACTIONS if a != "status_quo"), key=lambda a: after.probs[a])
    terms = after.terms[top]
    largest = sorted(terms, key=lambda k: -abs(terms[k]))[:3]
    moved = sorted(terms, key=lambda k: -abs(terms[k] - before.terms[top].get(k, 0.0)))
    moved = [k for k in moved if abs(terms[k] - before.terms[top].get(k, 0.0)) >= NO_EFFECT][:2]
    text = (f"Its likeliest course other than the status quo, {plain(top)} ({after.probs[top]:.2f}), weighs "
            + "; ".join(f"{k} {terms[k]:+.2f}" for k in largest))
    text += ("; over the turn " + "; ".join(f"{k} {terms[k] - before.terms[top].get(k, 0.0):+.2f}" for k in moved)
             if moved else "; none of these moved over the turn")
    lines.append(text + " (utility terms; the status quo weighs 0).")
    return lines


def ally_lines(before: Observation, after: Observation, n: int = 3) -> list[str]:
    """Return the line on the allies whose spending targets moved most, with the terms that moved them."""
    total_before = sum(before.spend_terms.values())
    total_after = sum(after.spend_terms.values())
    d = np.where(after.members, total_after - total_before, 0.0)
    order = [i for i in np.argsort(-np.abs(d)) if abs(d[i]) >= NO_EFFECT][:n]
    if not order:
        return ["Allies' spending targets: none moved by 0.005 % of GDP or more this turn."]
    parts = []
    for i in order:
        deltas = {k: float(after.spend_terms[k][i] - before.spend_terms[k][i]) for k in after.spend_terms}
        why = ", ".join(f"{k} {v:+.2f}" for k, v in sorted(deltas.items(), key=lambda kv: -abs(kv[1]))
                        if abs(v) >= NO_EFFECT)
        parts.append(f"{after.codes[i]} {d[i]:+.2f} ({why})")
    return ["Allies' spending targets (% GDP) moved most: " + "; ".join(parts) + "."]


def effect_line(what: str, actual: dict[str, Any], without: dict[str, Any]) -> str:
    """Return the line on one move's or inject's effect: the turn with it against the turn without it."""
    changes = []
    for key, label, fmt in HEADLINE:
        diff = float(actual.get(key, 0.0)) - float(without.get(key, 0.0))
        if abs(diff) >= NO_EFFECT:
            changes.append(f"{label} {diff:{fmt}}")
    if actual.get("russia_action") != without.get("russia_action"):
        changes.append(f"Russia's last action {plain(str(actual.get('russia_action')))} instead of "
                       f"{plain(str(without.get('russia_action')))}")
    if not changes:
        return (f"{what}: no effect this turn (no headline figure moved by {NO_EFFECT} or more against the same "
                "turn without it).")
    return f"{what}: " + ", ".join(changes) + " (against the same turn without it)."
