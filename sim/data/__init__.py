"""Packaged data files: roster, parameter registry, event types, bloc trust."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sim import safe_yaml


def data_path(name: str) -> Path:
    """Return the path of a packaged data file."""
    return Path(str(resources.files("sim.data").joinpath(name)))


@cache
def read_yaml(name: str) -> Any:
    """Load a packaged YAML data file safely (cached; treat the result as read-only)."""
    with open(data_path(name), encoding="utf-8") as fh:
        return safe_yaml.load(fh)
