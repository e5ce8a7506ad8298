"""YAML read safely, and fast: the C (libyaml) safe loader where PyYAML has it, the Python one otherwise.

Both build plain data only (no Python objects from tags).  The C loader was measured at about ten times the
speed of the pure-Python one on the scenario files; it mattered because every seminar command and every run
reads the registry, the roster, the event catalogue, the scenario chain and the calibration.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

#: the safe loader used everywhere in natosim
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse YAML text (or a stream) with the safe loader; raise ``yaml.YAMLError`` on bad YAML."""
    return yaml.load(source, Loader=SafeLoader)
