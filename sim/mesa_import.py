"""Mesa, imported without the cost of its loggers' look at the call stack.

At import, ``mesa.model`` names its loggers with ``inspect.stack()`` and
``inspect.getouterframes``, which read the source context of every frame on
the stack and, for the importer's frozen frames, scan ``sys.modules`` for
each one: 0.25-0.4 s of a command's start here (measured 2026-12-02, Mesa
3.5.1; it grows with the depth of the import and the modules loaded). Both
uses take only the caller's frame and function name. While Mesa is first
imported, the two functions are replaced by ones that return the same frames,
file names, line numbers and function names without the source context; they
are put back at once. If Mesa is already imported, nothing is replaced.

Use ``from sim.mesa_import import mesa`` where the model needs Mesa.
"""

from __future__ import annotations

import inspect
import sys
from types import FrameType


def frames_outward(frame: FrameType | None, context: int = 1) -> list[inspect.FrameInfo]:
    """Return the frames from ``frame`` outwards as ``inspect.FrameInfo``, without their source lines."""
    out = []
    while frame is not None:
        out.append(inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name,
                                     None, None))
        frame = frame.f_back
    return out


def _import_mesa():
    """Import Mesa with the cheap stack functions in place; return the module."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    saved = inspect.stack, inspect.getouterframes
    inspect.getouterframes = frames_outward
    inspect.stack = lambda context=1: frames_outward(sys._getframe(1), context)
    try:
        import mesa
    finally:
        inspect.stack, inspect.getouterframes = saved
    return mesa


mesa = _import_mesa()

__all__ = ["frames_outward", "mesa"]
