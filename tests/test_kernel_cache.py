"""Numba's cache of the kernels: a kernel's stamp holds every kernel file's hash, so an edit anywhere recompiles."""

from __future__ import annotations

import hashlib

from sim import kernel_cache, numerics
from sim.mechanisms import trust


def test_every_kernel_file_is_hashed_and_the_locators_come_first():
    """numerics, draws, events and every mechanism module are in the stamp; sim's locators precede numba's."""
    names = [name for name, _ in kernel_cache.kernel_hashes()]
    assert {
        "numerics.py",
        "draws.py",
        "events.py",
        "mechanisms/trust.py",
        "mechanisms/threat.py",
    } <= set(names)
    digest = dict(kernel_cache.kernel_hashes())["numerics.py"]
    assert digest == hashlib.sha256((kernel_cache.PACKAGE / "numerics.py").read_bytes()).hexdigest()
    assert kernel_cache.INSTALLED
    classes = kernel_cache.caching.CacheImpl._locator_classes
    assert classes[:2] == [kernel_cache.UserDirLocator, kernel_cache.InTreeLocator]


def test_a_kernel_calling_another_files_helper_is_stamped_with_that_helpers_hash(monkeypatch):
    """trust's kernels call numerics.pairwise_sum: changing numerics' hash changes their stamp, so the cache misses."""
    kernel = trust._baseline
    locator = kernel._cache._impl.locator
    assert isinstance(locator, (kernel_cache.UserDirLocator, kernel_cache.InTreeLocator))
    before = locator.get_source_stamp()
    assert before[1] == kernel_cache.kernel_hashes()
    assert kernel._cache._cache_file._source_stamp == before  # the index numba reads and writes

    edited = tuple(
        (name, "0" * 64 if name == "numerics.py" else digest) for name, digest in before[1]
    )
    monkeypatch.setattr(kernel_cache, "kernel_hashes", lambda: edited)
    after = locator.get_source_stamp()
    assert after != before
    assert after[0] == before[0]  # trust.py itself did not change


def test_functions_outside_the_package_keep_numbas_own_locators(tmp_path):
    """A kernel of the user's own file is cached by numba's locators, unchanged."""
    assert (
        kernel_cache.InTreeLocator.from_function(
            numerics.pairwise_sum.py_func, str(tmp_path / "theirs.py")
        )
        is None
    )
    assert (
        kernel_cache.UserDirLocator.from_function(
            numerics.pairwise_sum.py_func, str(tmp_path / "theirs.py")
        )
        is None
    )
