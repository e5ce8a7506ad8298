"""The parameter registry: every number of the model with its range, unit, meaning and source."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from sim.data import read_yaml

#: parameters read only when the model is built; changing them mid-run has no effect
SETUP_ONLY: frozenset[str] = frozenset(
    {
        "proximity_border",
        "proximity_frontline",
        "proximity_rear",
        "proximity_distant",
        "proximity_distance_scale",
        "neighbour_distrust",
        "peace_dividend",
        "initial_stocks",
        "initial_revisionism",
        "russia_capability_factor",
    }
)


@dataclass(frozen=True)
class Parameter:
    """One model parameter and where its value comes from."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    mechanism: str
    meaning: str
    source: str

    @property
    def source_kind(self) -> str:
        """Return 'article', 'public fact' or 'assumption'."""
        s = self.source.strip().lower()
        if s.startswith("article"):
            return "article"
        if s.startswith("public fact"):
            return "public fact"
        return "assumption"


@lru_cache(maxsize=1)
def registry() -> dict[str, Parameter]:
    """Return the packaged parameter registry, by name."""
    raw = read_yaml("parameters.yaml")["parameters"]
    return {
        name: Parameter(
            name=name,
            value=float(e["value"]),
            low=float(e["range"][0]),
            high=float(e["range"][1]),
            unit=str(e["unit"]),
            mechanism=str(e["mechanism"]),
            meaning=str(e["meaning"]),
            source=str(e["source"]),
        )
        for name, e in raw.items()
    }


def defaults() -> dict[str, float]:
    """Return every parameter's default value."""
    return {name: p.value for name, p in registry().items()}


def check_value(name: str, value: object) -> str | None:
    """Return why a parameter value is not allowed, or None when it is."""
    reg = registry()
    if name not in reg:
        return "unknown parameter (see `natosim params` for the list)"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {value!r}"
    p = reg[name]
    if not p.low <= float(value) <= p.high:
        return f"{value} is out of range; allowed {p.low} .. {p.high} ({p.unit})"
    return None


def table() -> pd.DataFrame:
    """Return the registry as a table: name, value, range, unit, mechanism, meaning, source."""
    rows = [
        {
            "name": p.name,
            "value": p.value,
            "min": p.low,
            "max": p.high,
            "unit": p.unit,
            "mechanism": p.mechanism,
            "source_kind": p.source_kind,
            "meaning": p.meaning,
            "source": p.source,
        }
        for p in registry().values()
    ]
    return pd.DataFrame(rows).sort_values(["mechanism", "name"], kind="stable").reset_index(drop=True)
