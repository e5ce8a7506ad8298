"""The world state: every agent attribute held as numpy arrays on the model.

States are Mesa agents (see ``sim.agents``), but their numbers live here, one
array per attribute and one matrix per directed relation, so that each
mechanism is a handful of array operations rather than a Python loop over
agents.  Agents read and write their own row through properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np

ACTIONS: tuple[str, ...] = (
    "cooperate",
    "dialogue",
    "status_quo",
    "cyber_attack",
    "election_interference",
    "sabotage",
    "energy_coercion",
    "nuclear_signalling",
    "aggression_nonmember",
    "attack_member",
)

COOPERATION_AREAS: tuple[str, ...] = (
    "counter_terrorism",
    "defence_reform",
    "counter_piracy",
    "crisis_management",
    "non_proliferation",
)

CHANNEL_STATES: tuple[str, ...] = ("none", "active", "suspended", "frozen")
NONE, ACTIVE, SUSPENDED, FROZEN = range(4)

ESCALATION_LEVELS: tuple[str, ...] = (
    "peace",
    "tension",
    "crisis",
    "armed confrontation",
    "war with a non-member",
    "NATO–Russia war",
)

PROXIMITY_CLASSES: tuple[str, ...] = ("border", "frontline", "rear", "distant")


@dataclass
class World:
    """All state variables of the model, as arrays indexed by state."""

    codes: list[str]
    names: list[str]
    bloc: np.ndarray  # str, per state
    gdp: np.ndarray
    proximity_class: np.ndarray  # str, per state
    prox_r: np.ndarray  # closeness to Russia 0..1 (from the proximity class)
    prox: np.ndarray  # N x N closeness between capitals 0..1
    border: np.ndarray  # bool, land border with Russia
    neutrality: np.ndarray
    solidarity0: np.ndarray
    resolve: np.ndarray
    red_line: np.ndarray  # bool, Russia's red line on this state's membership
    grievance: np.ndarray  # N x N, member i's grievance against candidate j
    grievance0: np.ndarray  # N x N, the grievances as the run began (what bargaining has bought down from)
    armed_forces: np.ndarray  # bool: the state has armed forces (Iceland has none)
    dependence0: np.ndarray  # commercial share of gas from Russia (the roster's 2010-13 share)
    spend_base: np.ndarray  # peacetime defence spending, % GDP
    milex0: np.ndarray  # military expenditure at the roster year, US$ bn
    spend0: np.ndarray
    trust_base: np.ndarray  # N x N

    # dynamic state -------------------------------------------------------
    member: np.ndarray = field(default=None)  # bool
    accession_step: np.ndarray = field(default=None)  # int, -1 when not a member by model
    applicant: np.ndarray = field(default=None)  # bool
    applied_step: np.ndarray = field(default=None)  # int, -1 when never applied
    ratified: np.ndarray = field(default=None)  # N x N bool: member i ratified candidate j
    withheld: np.ndarray = field(default=None)  # N x N bool: member i withholds ratifying j (a seminar veto)
    accession_scheduled: np.ndarray = field(default=None)  # bool: a scheduled accession awaits
    new_member: np.ndarray = field(default=None)  # bool: joined after the Founding Act
    spend: np.ndarray = field(default=None)
    cap: np.ndarray = field(default=None)  # military capability, US$ bn a year (Russia's at purchasing power)
    cap_factor: np.ndarray = field(default=None)  # market-rate spending to capability (PPP) factor
    solidarity: np.ndarray = field(default=None)
    trust: np.ndarray = field(default=None)
    memory: np.ndarray = field(default=None)
    hostile: np.ndarray = field(default=None)
    threat_from_russia: np.ndarray = field(default=None)  # each state's threat from Russia
    russia_threat: np.ndarray = field(default=None)  # Russia's threat from each state
    deterrence: np.ndarray = field(default=None)
    presence: np.ndarray = field(default=None)
    presence_commit: np.ndarray = field(default=None)  # battlegroup commitments per host
    air_commit: np.ndarray = field(default=None)  # air-policing commitments per host
    sanctions: np.ndarray = field(default=None)
    aid: np.ndarray = field(default=None)
    stocks: np.ndarray = field(default=None)
    dependence: np.ndarray = field(default=None)
    coerced: np.ndarray = field(default=None)
    war: np.ndarray = field(default=None)  # intensity of Russia's war on each state
    war_aim: np.ndarray = field(default=None)  # the intensity Russia committed to each war
    war_months: np.ndarray = field(default=None)  # months each war has lasted
    war_will: np.ndarray = field(default=None)  # Russia's will to go on with each war, 0..1
    exhaustion: np.ndarray = field(default=None)  # what each war has worn out (intensity x months / scale)
    prospective: np.ndarray = field(default=None)  # bool: promised future membership (not an application)
    contribution: np.ndarray = field(default=None)  # each member's contribution to collective defence, 0..1
    reinforcement: np.ndarray = field(default=None)  # Article 5 reinforcement each host receives, 0..1
    hesitant: np.ndarray = field(default=None)  # bool: the member has been seen to hesitate over Article 5
    threat_opinion: np.ndarray = field(default=None)  # threat from Russia as the public feels it (lagged)
    fiscal_stress: np.ndarray = field(default=None)  # smoothed growth shortfall, percentage points a year
    growth: np.ndarray = field(default=None)  # N x years: real GDP growth, fraction a year, from growth_year0 on
    growth_year0: int = 0

    # Russia ----------------------------------------------------------------
    revisionism: float = 0.0
    revisionism_anchor: float = 0.0
    encirclement: float = 0.0
    red_line_violation: float = 0.0
    strain: float = 0.0
    leverage: float = 0.0
    partner_support: float = 0.0  # military and economic support from partners (e.g. China), 0..1
    partner_capability: float = 0.0  # capability partners' arms add to Russia's, US$ bn a year
    hostility: float = 0.0
    conciliation: float = 0.0  # Russia's recent record of conduct toward others, 0 (hostile) .. 1
    committed: float = 0.0  # share of Russia's forces its wars tie down (freed slowly after a war)
    nuclear_fear: float = 0.0  # the allies' fear of nuclear escalation after Russia's nuclear signals, 0..1

    # institutions -----------------------------------------------------------
    channel: int = NONE
    nrc: bool = False
    founding_act: bool = False
    areas: np.ndarray = field(default=None)  # bool per cooperation area
    guideline_pct: float = 0.0
    pledge: float = 0.0
    pledge_since: float = 0.0  # year (fractional) the pledge in force was made
    pledge_horizon: float = 0.0  # year by which it is to be met (0: no horizon)
    pledge_floor: bool = False  # the guideline is a floor to hold now (Vilnius 2023)
    article5: bool = False  # collective defence invoked and in force
    trust_trend: float = 0.0  # smoothed monthly change of members' mean trust in Russia
    trust_seen: float | None = None  # members' mean trust in Russia at the last update

    # escalation and decisions -------------------------------------------------
    escalation: int = 0
    action: str = "status_quo"
    action_target: str = ""
    action_probs: np.ndarray = field(default=None)
    cohesion: float = 1.0
    relations: float = 0.0

    @property
    def n(self) -> int:
        """Number of states."""
        return len(self.codes)

    def idx(self, code: str) -> int:
        """Return the row of a state code."""
        return self._index[code]

    def __post_init__(self) -> None:
        self._index = {c: i for i, c in enumerate(self.codes)}
        self.r = self._index["RUS"]
        n = len(self.codes)
        self.not_r = np.ones(n, dtype=bool)
        self.not_r[self.r] = False
        self.west = self.bloc == "west"
        self.partners = np.isin(self.bloc, ("russia_aligned", "non_aligned"))
        self.eligible = np.isin(self.bloc, ("west", "contested")) & self.not_r
        self.eye = np.eye(n, dtype=bool)
        self.diag = np.arange(n)
        self.west_nr = self.west & self.not_r
        self.partner_idx = np.flatnonzero(self.partners & self.not_r)
        self.reweigh()  # the GDP shares of the West and of Russia's partners (again each year as GDP moves)
        self.us = self._index.get("USA", -1)
        closeness = self.prox_r * self.not_r
        self.closeness_share = closeness / max(closeness.sum(), 1e-9)
        self._members: SimpleNamespace | None = None
        self._rows = {c: np.array([i]) for c, i in self._index.items()}

    def reweigh(self) -> None:
        """Recompute the GDP weights after GDP has moved (the GDP shares of the West and of Russia's partners)."""
        gdp_west = np.where(self.west_nr, self.gdp, 0.0)
        self.west_weights = gdp_west / max(gdp_west.sum(), 1e-9)
        gdp_part = np.where(self.partners & self.not_r, self.gdp, 0.0)
        self.partner_weights = gdp_part / max(gdp_part.sum(), 1e-9)
        self.sqrt_gdp = np.sqrt(self.gdp)
        self._members = None

    def row_array(self, code: str) -> np.ndarray:
        """Return the one-element index array of a state code (shared: use it as an index only)."""
        return self._rows[code]

    def members(self) -> SimpleNamespace:
        """Return the current membership in the forms the mechanisms use, recomputed when it changes.

        ``idx`` the members' rows, ``k`` their number, ``f`` membership as 0/1 floats,
        ``at`` ``arange(k)``, ``gdp_weights`` the members' square-root GDP weights and
        ``gdp_weights_sum`` their sum.  The cache is keyed on the membership's bytes,
        so any change to ``member`` (an accession, a directive) is seen at once.
        """
        key = self.member.tobytes()
        cached = self._members
        if cached is not None and cached.key == key:
            return cached
        idx = np.flatnonzero(self.member)
        weights = self.sqrt_gdp[idx]
        cached = SimpleNamespace(
            key=key,
            idx=idx,
            k=len(idx),
            f=self.member.astype(float),
            at=np.arange(len(idx)),
            gdp_weights=weights,
            gdp_weights_sum=weights.sum(),
        )
        self._members = cached
        return cached


def reweigh_runs(W) -> None:
    """``World.reweigh`` for every run of a lockstep ensemble (``W`` its world arrays; the views' caches apart)."""
    gdp_west = np.where(W.west_nr, W.gdp, 0.0)
    W.west_weights = gdp_west / np.maximum(gdp_west.sum(axis=1), 1e-9)[:, None]
    gdp_part = np.where(W.partners & W.not_r, W.gdp, 0.0)
    W.partner_weights = gdp_part / np.maximum(gdp_part.sum(axis=1), 1e-9)[:, None]
    W.sqrt_gdp = np.sqrt(W.gdp)
