"""Wargame seminar mode: teams' moves, injects, turns, branches, the room dashboard and the report.

``Session`` (``sim.seminar.session``) is the entry point: it wraps the engine
(``sim.seminar.engine``: turns, snapshots, branches over one model) and keeps
the session file.  Moves are declared in ``sim.seminar.moves``; the after-action
report is built by ``sim.seminar.report``; the dashboard is ``sim.seminar.app``.
"""

from sim.seminar.engine import Seminar, SessionError
from sim.seminar.moves import MOVES, TEAMS
from sim.seminar.session import Session

__all__ = ["MOVES", "TEAMS", "Seminar", "Session", "SessionError"]
