"""The ``natosim`` console script: picks the command line to load, and turns failures into messages.

``natosim seminar …`` loads only the seminar's command line (``sim.seminar.cli``), so a room's
command starts without importing the scenario layer, the model, pandas or numba; every other
command loads the whole command line (``sim.cli``).  Whatever runs, a failure ends as a message
and an exit code, never a traceback: 2 bad input (the commands' own checks), 3 the machine
(a full disk, a read-only folder, a dead worker, an unreachable cluster), 130 interrupted,
1 a bug ("internal error", with how to get the traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

EXIT_BAD_INPUT = 2
#: the machine failed, not the input: a folder that cannot be written, a full disk, a worker killed, an unreachable
#: Dask scheduler, a missing optional package
EXIT_ENVIRONMENT = 3
#: stopped by Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 130


def guarded(run: Callable[[], object]) -> None:
    """Run a command line; end any failure with its message and exit code."""
    import typer

    try:
        run()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        from sim.files import EnvironmentFailure, is_environment_error, os_reason

        if isinstance(exc, MemoryError) and not os.environ.get("NATOSIM_DEBUG"):  # the machine's memory
            typer.echo(f"error: out of memory ({exc or 'an allocation failed'}); run with fewer --workers or "
                       "fewer seeds at once, or on a machine with more memory, and run the command again", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        if isinstance(exc, EnvironmentFailure):  # the machine, not the input or a bug
            typer.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        if is_environment_error(exc) and not os.environ.get("NATOSIM_DEBUG"):
            typer.echo(f"error: {exc.filename or 'a file'}: {os_reason(exc)}; free some space or choose a folder "
                       "you can write to, and run the command again", err=True)
            sys.exit(EXIT_ENVIRONMENT)
        if os.environ.get("NATOSIM_DEBUG"):
            raise
        typer.echo(
            f"natosim: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug, not a problem with your input; rerun with NATOSIM_DEBUG=1 for the traceback "
            "and report it.",
            err=True,
        )
        sys.exit(1)


#: numpy asks the kernel for transparent huge pages for each array of 4 MB or more; with this machine's setting
#: (``defrag=madvise``) a first write into such an array waits for the kernel to compact memory.  Measured
#: 2026-12-02, ``natosim run historical --seeds 20 --workers 2``: the parent's kernel time while it receives the
#: runs' records fell from 0.53-0.63 s to 0.26-0.28 s, and the runs from 2.3 s to 1.9 s wall, without them; a
#: 1,000-run ensemble's figures are in ``sim.lockstep.small_pages``.  A user's own setting wins.
HUGEPAGE_ENV = ("NUMPY_MADVISE_HUGEPAGE", "0")


def main() -> None:
    """Entry point of the ``natosim`` console script."""
    os.environ.setdefault(*HUGEPAGE_ENV)  # before numpy is imported (read once, at its import)
    args = sys.argv[1:]
    if args[:1] == ["seminar"]:
        from sim.seminar.cli import app as seminar

        guarded(lambda: seminar(args=args[1:], prog_name="natosim seminar"))
        return
    from sim.cli import app

    guarded(app)
