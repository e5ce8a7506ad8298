"""Names a package imports on first use (PEP 562), so that importing it, and every command line, stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports each public name from its module the first time it is asked for."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value  # found directly from now on
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
