"""The agents: states, as Mesa agents whose numbers live in the model's arrays.

Each ``StateAgent`` is one state of the roster (ISO 3166 alpha-3 ``code``).
Its attributes are properties reading its row of ``model.world``, so Mesa's
own tools (AgentSet selection, SolaraViz, agent reporters) see ordinary
attributes while the mechanisms run as array operations.  ``RussiaAgent``
adds Russia's own state (revisionism, encirclement, strain, leverage) and its
decision step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.mechanisms import russia_decisions
from sim.mesa_import import mesa

if TYPE_CHECKING:
    from sim.model import NatoRussiaModel


class StateAgent(mesa.Agent):
    """A state: member, partner or neutral."""

    def __init__(self, model: NatoRussiaModel, row: int, code: str, name: str) -> None:
        super().__init__(model)
        self.row = row
        self.code = code
        self.name = name

    @property
    def member(self) -> bool:
        """Whether the state is a NATO member now."""
        return bool(self.model.world.member[self.row])

    @property
    def applicant(self) -> bool:
        """Whether the state has applied and awaits ratification."""
        return bool(self.model.world.applicant[self.row])

    @property
    def defence_spending(self) -> float:
        """Defence spending, % of GDP."""
        return float(self.model.world.spend[self.row])

    @property
    def trust_in_russia(self) -> float:
        """This state's trust in Russia, -1..1."""
        w = self.model.world
        return float(w.trust[self.row, w.r])

    @property
    def threat_from_russia(self) -> float:
        """Perceived threat from Russia, 0..1."""
        w = self.model.world
        return float(w.threat_from_russia[self.row])

    @property
    def deterrence_credibility(self) -> float:
        """Credibility of this state's defence as Russia perceives it, 0..1."""
        return float(self.model.world.deterrence[self.row])

    @property
    def forward_presence(self) -> float:
        """Allied forward presence on this state's territory, 0..1."""
        return float(self.model.world.presence[self.row])

    @property
    def solidarity(self) -> float:
        """Solidarity with the alliance, 0..1."""
        return float(self.model.world.solidarity[self.row])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code}>"


class RussiaAgent(StateAgent):
    """Russia: revisionist ambition, perceived encirclement, strain, and a logit decision."""

    @property
    def revisionism(self) -> float:
        """Revisionist ambition, 0..1."""
        return self.model.world.revisionism

    @property
    def encirclement(self) -> float:
        """Perceived encirclement by the alliance, 0..1."""
        return self.model.world.encirclement

    @property
    def economic_strain(self) -> float:
        """Economic strain under sanctions and war, 0..1."""
        return self.model.world.strain

    @property
    def energy_leverage(self) -> float:
        """GDP-weighted gas dependence of the West on Russia, 0..1."""
        return self.model.world.leverage

    def step(self) -> None:
        """Choose this step's action and target from the menu; the model applies it."""
        m = self.model
        m.russia_choice = russia_decisions.decide(m.world, m.p, m.streams.russia)
