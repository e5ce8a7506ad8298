"""Decisions held from outside the agents' rules: a level held, a ratification withheld, the channel kept.

Article: "some member states ... are not in solidarity with other member states" -- a member may
leave the sanctions regime or withhold a candidate's ratification, whatever its own rule would
decide.  A *directive* imposes such a decision on the model at one phase of a step
(``sim.model.Directive``) and may suppress the events of the decision it replaces (a member
holding its sanctions at zero emits no package).  The seminar's moves hold them for a turn;
a scenario's ``hold_policy`` event holds one from its date until a month it names
(``from_event``), so a scenario can say what a seminar can: Hungary out of the sanctions
regime from 2024 to 2026, Turkey withholding Sweden's ratification until 2024-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.world import World

#: the event of the decision a held level replaces
HELD_EVENTS = {"sanctions": "impose_sanctions", "aid": "provide_military_aid"}


@dataclass
class HoldLevel:
    """Hold one allied array (sanctions or aid) of some states at a level while it is in force."""

    attribute: str
    rows: list[int]
    level: float
    codes: tuple[str, ...] = ()
    phase: str = "allies"

    def apply(self, model: Any) -> None:
        """Set the attribute of the rows to the level."""
        getattr(model.world, self.attribute)[self.rows] = self.level

    def suppresses(self, etype: str, actor: str, targets: list[str]) -> bool:
        """Withhold the held states' own sanctions packages or aid decisions."""
        return etype == HELD_EVENTS[self.attribute] and actor in self.codes


@dataclass
class HoldChannel:
    """Keep the NATO–Russia dialogue channel open or closed while it is in force."""

    channel: int
    phase: str = "institutions"

    def apply(self, model: Any) -> None:
        """Set the channel state."""
        model.world.channel = self.channel

    def suppresses(self, etype: str, actor: str, targets: list[str]) -> bool:
        """Withhold the alliance's own decision to suspend or reopen the channel."""
        return actor == "NATO" and etype in ("reduce_relations", "consult") and "RUS" in targets


@dataclass
class BlockRatification:
    """A member withholds its ratification of a candidate while it is in force."""

    member: int
    candidate: int
    phase: str = "allies"

    def apply(self, model: Any) -> None:
        """Withhold the member's ratification of the candidate (``World.withheld``) for this step.

        An accession the scenario schedules (the record's date) is taken off the
        schedule: the candidate then joins only once every member has ratified.
        """
        w = model.world
        if w.accession_scheduled[self.candidate]:
            code = w.codes[self.candidate]
            for k, events in model.scheduled.items():
                if k >= model.steps - 1:
                    events[:] = [
                        e for e in events if not (e.type == "accession" and code in e.targets)
                    ]
            w.accession_scheduled[self.candidate] = False
            if not w.applicant[self.candidate]:
                w.applicant[self.candidate] = True
                w.applied_step[self.candidate] = model.steps - 1
        w.withheld[self.member, self.candidate] = True
        w.ratified[self.member, self.candidate] = False

    def end(self, model: Any) -> None:
        """Lift the veto when the hold ends (a turn, or a scenario's month): the member decides by its own rule again."""
        model.world.withheld[self.member, self.candidate] = False


#: what a scenario's ``hold_policy`` may hold: the policy, its meaning, and the parameters it needs
POLICIES: dict[str, str] = {
    "sanctions": "the actor's sanctions on Russia held at `level` (0 none .. 1 the full regime)",
    "aid": "the actor's military aid to Ukraine held at `level` (0 none .. 1 the most)",
    "ratification": "the actor withholds its ratification of `candidate` (a state code)",
}


def from_event(params: dict[str, Any], actor: str, w: World) -> Any:
    """Return the directive a ``hold_policy`` event's parameters hold for its actor."""
    policy = params["policy"]
    row = w.idx(actor)
    if policy in ("sanctions", "aid"):
        return HoldLevel(policy, [row], float(params["level"]), (actor,))
    if policy == "ratification":
        return BlockRatification(row, w.idx(str(params["candidate"])))
    raise ValueError(f"hold_policy: unknown policy {policy!r}; allowed: {', '.join(POLICIES)}")
