"""Wargame seminar mode: teams' moves, injects, turns, branches, the room dashboard and the report.

``Session`` (``sim.seminar.session``) is the entry point: it wraps the engine
(``sim.seminar.engine``: turns, snapshots, branches over one model) and keeps
the session file.  Moves are declared in ``sim.seminar.moves``; the after-action
report is built by ``sim.seminar.report``; the dashboard is ``sim.seminar.app``.
"""

from sim.lazy import lazy_names
from sim.seminar.errors import SessionError

#: the public names and their modules, imported on first use (the command line needs none of them to start)
_LAZY = {"Seminar": "sim.seminar.engine", "MOVES": "sim.seminar.moves", "TEAMS": "sim.seminar.moves",
         "Session": "sim.seminar.session"}


__getattr__ = lazy_names(__name__, _LAZY)

__all__ = ["MOVES", "TEAMS", "Seminar", "Session", "SessionError"]
