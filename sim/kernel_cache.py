"""Numba's on-disk cache of the compiled kernels, kept fresh when a shared helper changes.

Numba stamps a cached kernel with the hash of the file that defines it, but a kernel that calls a
compiled function of another file (``numerics.pairwise_sum``, ``draws.Draws``' intrinsics, the
mechanisms' kernels that ``events`` calls) carries that function's code inside it.  Left alone, an edit
of the callee's file would leave the callers' cached kernels as they were, computing with the old code.
Here the stamp of every kernel defined in ``sim`` holds the hashes of all the package's kernel files, so
an edit of any of them recompiles every kernel at its next call (about 5 s, once).  Imported before any
``sim`` kernel is declared.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from numba.core import caching

PACKAGE = Path(__file__).resolve().parent
# the files that may declare compiled kernels, relative to the package (every mechanism module: a new kernel
# in one is covered without a change here)
KERNEL_FILES = ("numerics.py", "draws.py", "events.py", "mechanisms/*.py")


def kernel_files() -> list[Path]:
    """Return the package's kernel files, sorted."""
    return sorted({path for pattern in KERNEL_FILES for path in PACKAGE.glob(pattern)})


@functools.lru_cache(maxsize=1)
def kernel_hashes() -> tuple[tuple[str, str], ...]:
    """Return each kernel file's name and the SHA-256 of its source, read once a process."""
    return tuple(
        (str(path.relative_to(PACKAGE)), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in kernel_files()
    )


def _in_package(py_file: str) -> bool:
    """Whether ``py_file`` is one of ``sim``'s own sources."""
    return Path(py_file).resolve().is_relative_to(PACKAGE)


class _WithHelpers:
    """A locator mixin: numba's stamp of the kernel's own file, with the hashes of all kernel files."""

    def get_source_stamp(self):  # numba's interface: any picklable object, compared by equality
        return (super().get_source_stamp(), kernel_hashes())

    @classmethod
    def from_function(cls, py_func, py_file):  # numba's interface: None passes to the next locator
        return super().from_function(py_func, py_file) if _in_package(py_file) else None


class UserDirLocator(_WithHelpers, caching.UserProvidedCacheLocator):
    """Numba's locator for ``NUMBA_CACHE_DIR``, for ``sim``'s kernels."""


class InTreeLocator(_WithHelpers, caching.InTreeCacheLocator):
    """Numba's locator beside the sources (``__pycache__``), for ``sim``'s kernels."""


def install() -> bool:
    """Put the two locators first in numba's list, once; False when this numba has no such list."""
    classes = getattr(getattr(caching, "CacheImpl", None), "_locator_classes", None)
    if not isinstance(classes, list):
        return False
    for locator in (InTreeLocator, UserDirLocator):  # user dir first, as numba orders its own
        if locator not in classes:
            classes.insert(0, locator)
    return True


INSTALLED = install()
