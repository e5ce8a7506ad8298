"""Writing files so that nothing is half-written, and the words for the machine's failures.

Every file natosim writes goes through ``atomic_path``: written to a temporary file beside
it and moved onto its name only when complete, so a crash, a kill or a full disk never
leaves a half-written file under the real name.  An OS error that means the machine cannot
take the output (a full disk, a read-only folder, permissions) is an *environment* failure:
the command line ends it with exit 3 and a message, never as an internal error.  Kept free
of numpy and pandas, so that light commands (the seminar's) can write without them.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


#: permissions of written files (mkstemp creates them private; give them the usual mode)
FILE_MODE = _file_mode()


# -- failures of the machine -----------------------------------------------------------
#: OS errors that say the machine cannot take the output (not that the input or the program is wrong)
ENVIRONMENT_ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "the file is larger than a file-size limit (of the process or the file system) allows",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EIO: "input/output error (a failing disk or network mount)",
}


class EnvironmentFailure(Exception):
    """A failure of the machine or its setup, not of the input or the program (exit 3 on the command line).

    The message names the resource, what is wrong with it and what to do.
    """

    def __init__(self, resource: str, problem: str, advice: str):
        self.resource, self.problem, self.advice = resource, problem, advice
        super().__init__(f"{resource}: {problem}; {advice}")


def is_environment_error(exc: BaseException) -> bool:
    """Return whether an exception is an OS error of the machine (disk full, read-only, permissions, I/O)."""
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS


def os_reason(exc: OSError) -> str:
    """Return what an OS error means, in words (the errno's meaning where known, else its own text)."""
    return ENVIRONMENT_ERRNOS.get(exc.errno) or exc.strerror or str(exc) or type(exc).__name__


# -- writing -----------------------------------------------------------------------------
@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary path next to path; move it onto path if the block succeeds.

    An OS error while writing is raised again with the path it concerns (a library writing
    the temporary file may not say which file it was); the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            raise OSError(exc.errno, os_reason(exc), str(path)) from exc
        raise


def write_text(text: str, path: str | os.PathLike[str]) -> str:
    """Write text (UTF-8) to path atomically; return the path."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return str(path)


def write_with(writer: Callable[[str], Any], path: str | os.PathLike[str]) -> str:
    """Call writer(temporary_path) and move the result onto path atomically; return the path."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return str(path)
