"""What a model run is made of, as plain data: roster, parameters, event types, events, calendar.

The scenario layer (``sim.scenario``) reads files and builds a ``ModelSetup``;
the model (``sim.model``) only ever receives one, so the model does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from types import SimpleNamespace
from typing import Any

from sim.events import Event, EventType


class Params(SimpleNamespace):
    """Resolved parameter values, read as attributes (``p.trust_negative_gain``)."""


@dataclass(frozen=True)
class ModelSetup:
    """Everything one model run needs, already validated."""

    roster: list[dict[str, Any]]
    params: dict[str, float]
    event_types: dict[str, EventType]
    events: list[Event]
    bloc_trust: dict[str, Any]
    start: date
    end: date
    months_per_step: int = 1
    name: str = "unnamed"
    #: real GDP growth, % a year, per state code and year (years not given grow at the normal rate)
    gdp_growth: dict[str, dict[int, float]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def with_params(self, **overrides: float) -> ModelSetup:
        """Return a copy with some parameter values replaced (names must exist)."""
        unknown = sorted(set(overrides) - set(self.params))
        if unknown:
            raise KeyError(f"unknown parameter(s): {', '.join(unknown)}")
        # as floats: a whole number given as an int would compile the kernels for ints, and round differently
        return replace(self, params={**self.params, **{k: float(v) for k, v in overrides.items()}})
