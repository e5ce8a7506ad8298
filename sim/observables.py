"""What the model records: one table of its outputs, read by the recorders, the tables, the plots and the docs.

Each output is declared once, with its name (the column of the ``states`` or ``timeseries`` table), its
unit, whether it is per state or model-level, what it means and how it is computed:

* a **state output** is read from the world every step (``read``: the world → one value per state);
* a **recorded** model output is read from the world every step too (``read``: the world → one number);
* a **derived** model output is computed from the recorded rows afterwards (``derive``: the rows → one
  number per step), e.g. members' mean trust in Russia from the per-state trust column.

Every ``read`` and ``derive`` is written over the trailing axes only, so the same declaration serves a
single run (a ``World``: values of shape ``(n,)``), a lockstep ensemble (``WorldArrays``: ``(runs, n)``)
and a whole record (``(steps, n)``); reductions run along the last, contiguous axis, so all three give
the same bits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.world import ACTIONS


@dataclass(frozen=True)
class Output:
    """One output of the model: a column of the ``states`` or ``timeseries`` table."""

    name: str
    unit: str
    meaning: str
    #: "state" (one value per state and step) or "model" (one value per step)
    level: str
    #: how the value is computed, as the docs print it
    formula: str
    #: the world → its value now (state outputs and recorded model outputs)
    read: Callable[[Any], Any] | None = None
    #: the recorded rows → the value per step (derived model outputs)
    derive: Callable[[Rows], np.ndarray] | None = None
    #: the column's type in the tables: "float", "int" or "bool"
    dtype: str = "float"
    #: the axis label of plots showing it
    label: str = ""
    #: undefined for Russia itself (recorded as NaN in Russia's column)
    not_for_russia: bool = False


class Rows:
    """Recorded rows of one run or several: state rows ``S (..., state outputs, n)``, scalars ``X (..., recorded)``."""

    def __init__(self, S: np.ndarray, X: np.ndarray, east: np.ndarray, west: np.ndarray, russia: int) -> None:
        self.S, self.X, self.east, self.west, self.russia = S, X, east, west, russia
        self.member = S[..., STATE_INDEX["member"], :] > 0.5
        self.members = self.member.sum(axis=-1)

    def state(self, name: str) -> np.ndarray:
        """Return the state output's values, ``(..., n)``."""
        return self.S[..., STATE_INDEX[name], :]

    def recorded(self, name: str) -> np.ndarray:
        """Return the recorded model output's values, ``(...)``."""
        return self.X[..., RECORDED_INDEX[name]]

    def mean(self, name: str, among: np.ndarray | None = None) -> np.ndarray:
        """Return the state output's mean over a set of states (the members by default; 0 over none)."""
        mask = self.member if among is None else np.broadcast_to(among, self.member.shape)
        return np.where(mask, self.state(name), 0.0).sum(axis=-1) / np.maximum(mask.sum(axis=-1), 1)


def _state(name: str, unit: str, meaning: str, read: Callable[[Any], Any], formula: str, dtype: str = "float",
           label: str = "", not_for_russia: bool = False) -> Output:
    return Output(name, unit, meaning, "state", formula, read=read, dtype=dtype, label=label,
                  not_for_russia=not_for_russia)


def _recorded(name: str, unit: str, meaning: str, read: Callable[[Any], Any], formula: str, dtype: str = "float",
              label: str = "") -> Output:
    return Output(name, unit, meaning, "model", formula, read=read, dtype=dtype, label=label)


def _derived(name: str, unit: str, meaning: str, derive: Callable[[Rows], np.ndarray], formula: str,
             dtype: str = "float", label: str = "") -> Output:
    return Output(name, unit, meaning, "model", formula, derive=derive, dtype=dtype, label=label)


#: the per-state outputs, in the column order of ``states`` (and of the state record)
STATE: tuple[Output, ...] = (
    _state("member", "bool", "NATO member now", lambda w: w.member, "`member`", "bool"),
    _state("applicant", "bool", "has applied, awaits ratification", lambda w: w.applicant, "`applicant`", "bool"),
    _state("defence_spending_pct_gdp", "% of GDP", "defence spending", lambda w: w.spend, "`spend`",
           label="Defence spending (% of GDP)"),
    _state("trust_in_russia", "-1..1", "its trust in Russia", lambda w: w.trust[..., :, w.r], "T[i,R]"),
    _state("russia_trust_in_state", "-1..1", "Russia's trust in it", lambda w: w.trust[..., w.r, :], "T[R,i]"),
    _state("threat_from_russia", "0..1", "the threat it perceives from Russia", lambda w: w.threat_from_russia,
           "Θ[i,R] (§3.5)", label="Threat perceived from Russia (0 none … 1 extreme)"),
    _state("russia_threat_from_state", "0..1", "the threat Russia perceives from it", lambda w: w.russia_threat,
           "Θ[R,i] (§3.5)"),
    _state("deterrence_credibility", "0..1", "credibility of the deterrence protecting it (NaN for Russia)",
           lambda w: w.deterrence, "`deterrence` (§3.6)", label="Deterrence credibility (0 none … 1 full)",
           not_for_russia=True),
    _state("forward_presence", "0..1", "allied forward presence on its territory", lambda w: w.presence,
           "`presence`"),
    _state("sanctions", "0..1", "breadth of its sanctions on Russia", lambda w: w.sanctions, "`sanctions`"),
    _state("military_aid", "0..1", "military aid it gives to Russia's war victim", lambda w: w.aid, "`aid`"),
    _state("stocks", "0.05..1", "ammunition and equipment stocks and readiness", lambda w: w.stocks, "`stocks`"),
    _state("energy_dependence", "0..1", "share of its gas from Russia", lambda w: w.dependence, "`dependence`"),
    _state("military_capability", "US$ bn (2000 prices)", "military capability", lambda w: w.cap, "`cap`"),
    _state("solidarity", "0..1", "solidarity with the alliance", lambda w: w.solidarity, "`solidarity`"),
    _state("war_intensity", "0..1", "intensity of Russia's war against it", lambda w: w.war, "`war`"),
    _state("prospective", "0/1", "promised future membership by a summit (§3.12)", lambda w: w.prospective,
           "`prospective`"),
    _state("article5_contribution", "0..1", "its contribution to collective defence while Russia fights a member",
           lambda w: w.contribution, "`contribution` (§3.15)"),
)

_EAST_MEMBERS = "eastern-flank members (class border/frontline)"

#: the model-level outputs, in the column order of ``timeseries`` (recorded and derived interleaved)
MODEL: tuple[Output, ...] = (
    _recorded("relations_index", "-1..1", "the NATO–Russia relations index", lambda w: w.relations,
              "the relations index below (`w.relations`, computed in `_derive`)",
              label="Relations index (−1 hostile … +1 cooperative)"),
    _derived("nato_trust_in_russia", "-1..1", "members' mean trust in Russia",
             lambda x: x.mean("trust_in_russia"), "`mean_{i∈M} T[i,R]`"),
    _derived("russia_trust_in_nato", "-1..1", "Russia's mean trust in the members",
             lambda x: x.mean("russia_trust_in_state"), "`mean_{i∈M} T[R,i]`"),
    _recorded("escalation_level", "level 0..5", "the escalation ladder's level", lambda w: w.escalation,
              "ladder level 0..5 (§3.16)", "int", label="Escalation level"),
    _derived("nato_members", "count", "number of members", lambda x: x.members, "number of members", "int"),
    _derived("applicants", "count", "applicants that are not yet members",
             lambda x: ((x.state("applicant") > 0.5) & ~x.member).sum(axis=-1),
             "applicants that are not yet members", "int"),
    _recorded("alliance_cohesion", "0..1", "the alliance's cohesion", lambda w: w.cohesion, "K (§3.13)"),
    _derived("mean_threat_from_russia", "0..1", "members' mean threat from Russia",
             lambda x: x.mean("threat_from_russia"), "`mean_{i∈M} Θ[i,R]`"),
    _derived("eastern_threat_from_russia", "0..1", "eastern-flank members' mean threat from Russia",
             lambda x: x.mean("threat_from_russia", x.member & x.east), f"same mean over {_EAST_MEMBERS}"),
    _derived("frontline_deterrence", "0..1", "eastern-flank members' mean deterrence credibility",
             lambda x: np.where(x.member & x.east, np.nan_to_num(x.state("deterrence_credibility")), 0.0)
             .sum(axis=-1) / np.maximum((x.member & x.east).sum(axis=-1), 1),
             f"mean deterrence credibility over {_EAST_MEMBERS}"),
    _derived("mean_defence_spending", "% of GDP", "members' mean defence spending (unweighted)",
             lambda x: x.mean("defence_spending_pct_gdp"), "unweighted mean of members' `spend` (% GDP)"),
    _derived("members_at_2pct", "count", "members spending at least 2 % of GDP",
             lambda x: (x.member & (x.state("defence_spending_pct_gdp") >= 2.0)).sum(axis=-1),
             "members with `spend ≥ 2.0`", "int"),
    _derived("forward_presence_total", "0..N", "allied forward presence summed over states",
             lambda x: x.state("forward_presence").sum(axis=-1), "`Σ_i presence[i]`"),
    _derived("sanctions_level", "0..1", "the West's mean sanctions on Russia",
             lambda x: x.mean("sanctions", x.west), "mean over West of `sanctions`"),
    _derived("military_aid_level", "0..1", "the West's mean military aid to Russia's war victim",
             lambda x: x.mean("military_aid", x.west), "mean over West of `aid`"),
    _recorded("russia_revisionism", "0..1", "Russia's revisionism", lambda w: w.revisionism, "ρ"),
    _recorded("russia_encirclement", "0..1", "Russia's sense of encirclement", lambda w: w.encirclement, "E"),
    _recorded("russia_hostility", "0..1", "Russia's hostility", lambda w: w.hostility, "h"),
    _recorded("russia_economic_strain", "0..1", "Russia's economic strain", lambda w: w.strain, "Σ"),
    _recorded("russia_energy_leverage", "0..1", "Russia's energy leverage", lambda w: w.leverage, "Λ"),
    _recorded("red_line_violation", "0..1", "1 while a red-line state is a member or applicant",
              lambda w: w.red_line_violation, "V: 1 while a red-line state is a member or applicant"),
    _derived("war_intensity_max", "0..1", "intensity of Russia's most intense war",
             lambda x: np.delete(x.state("war_intensity"), x.russia, axis=-1).max(axis=-1), "`max_{i≠R} war[i]`"),
    _recorded("cooperation_areas", "count 0..5", "open NATO–Russia cooperation areas",
              lambda w: w.areas.sum(axis=-1), "number of open cooperation areas, 0..5", "int"),
    _recorded("founding_act_in_force", "bool", "the NATO–Russia Founding Act is in force",
              lambda w: w.founding_act, "bool", "bool"),
    _recorded("article5_in_force", "0/1", "Article 5 is invoked and in force", lambda w: w.article5,
              "1 while Article 5 is invoked and in force, else 0 (§3.15)"),
    _recorded("russia_conciliation", "0..1", "Russia's conciliation record", lambda w: w.conciliation,
              "C, Russia's conciliation record, 0..1 (§3.3, §3.11)"),
    _recorded("members_trust_trend", "per month", "smoothed monthly change of members' mean trust in Russia",
              lambda w: w.trust_trend, "smoothed monthly change of members' mean trust in Russia (§3.11)"),
    _recorded("nuclear_fear", "0..1", "the allies' fear of nuclear escalation", lambda w: w.nuclear_fear,
              "the allies' fear of nuclear escalation, 0..1 (§3.16)"),
) + tuple(
    _recorded(f"p_{a}", "probability", f"Russia's logit probability of {a} this step",
              lambda w, i=i: w.action_probs[..., i], "Russia's logit probability of this action this step")
    for i, a in enumerate(ACTIONS)
)

MODEL_NAMES: tuple[str, ...] = tuple(o.name for o in MODEL)
#: the model outputs' declared types, in ``MODEL`` order
MODEL_TYPES: tuple[str, ...] = tuple(o.dtype for o in MODEL)
#: every output by name
BY_NAME: dict[str, Output] = {o.name: o for o in STATE + MODEL}
#: the model outputs read from the world every step, in the order of the scalar record
RECORDED: tuple[Output, ...] = tuple(o for o in MODEL if o.read is not None)
#: the model outputs computed from the record
DERIVED: tuple[Output, ...] = tuple(o for o in MODEL if o.derive is not None)
STATE_INDEX: dict[str, int] = {o.name: i for i, o in enumerate(STATE)}
RECORDED_INDEX: dict[str, int] = {o.name: i for i, o in enumerate(RECORDED)}
#: state columns recorded as NaN in Russia's column
NOT_FOR_RUSSIA: tuple[int, ...] = tuple(i for i, o in enumerate(STATE) if o.not_for_russia)


def state_values(w: Any) -> list[Any]:
    """Return the world's state outputs now, in ``STATE`` order (each ``(n,)`` or ``(runs, n)``)."""
    return [o.read(w) for o in STATE]


def recorded_values(w: Any) -> list[Any]:
    """Return the world's recorded model outputs now, in ``RECORDED`` order (each a number or ``(runs,)``)."""
    return [o.read(w) for o in RECORDED]


def model_values(rows: Rows) -> dict[str, np.ndarray]:
    """Return every model output, in ``MODEL`` order, from recorded rows."""
    return {o.name: rows.recorded(o.name) if o.derive is None else o.derive(rows) for o in MODEL}


def label(name: str) -> str:
    """Return the axis label of an output (its meaning and unit when it declares none)."""
    o = BY_NAME[name]
    return o.label or f"{o.meaning[0].upper()}{o.meaning[1:]} ({o.unit})"


def markdown(level: str) -> str:
    """Return the docs' table of the outputs of one level ("state" or "model")."""
    head = "| Column | Unit | Meaning | Computed as |\n|---|---|---|---|\n"
    rows = [o for o in (STATE if level == "state" else MODEL) if not o.name.startswith("p_")]
    body = "".join(f"| `{o.name}` | {o.unit} | {o.meaning} | {o.formula} |\n" for o in rows)
    if level == "model":
        body += ("| `p_<action>` | probability | Russia's logit probability of each of the ten actions this step, "
                 "before the fallback to `status_quo` when an action finds no target | recorded |\n")
    return head + body


if __name__ == "__main__":  # python -m sim.observables: print the docs' tables
    sys.stdout.write(markdown("state") + "\n" + markdown("model"))
