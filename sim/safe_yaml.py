"""YAML read safely, and fast: the C (libyaml) safe loader where PyYAML has it, the Python one otherwise.

Both build plain data only (no Python objects from tags).  The C loader was measured at about ten times the
speed of the pure-Python one on the scenario files; it mattered because every seminar command and every run
reads the registry, the roster, the event catalogue, the scenario chain and the calibration.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, with dates left as text: the schema parses them and names the field of a bad one.

    PyYAML would turn ``2026-02-30`` into a date itself and fail with a bare ValueError, before any field
    or file could be named.
    """


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def load(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Parse YAML text (or a stream) with the safe loader; raise ``yaml.YAMLError`` on bad YAML."""
    return yaml.load(source, Loader=SafeLoader)


def describe(exc: yaml.YAMLError) -> tuple[str, str]:
    """Return where a YAML error is (``line L, column C`` or ``(file)``) and what is wrong, for an input error."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        return where, (f"is refused: {problem}; the file is read with a safe YAML loader and must hold plain data "
                       "only (mappings, lists, text, numbers), no tags such as !!python/...")
    return where, f"is not valid YAML: {problem}"
