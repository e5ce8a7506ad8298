"""The lockstep engine's record buffers: large ones in small pages, zeroed, writable, and reused once free."""

from __future__ import annotations

from sim import lockstep


def test_a_large_buffer_is_zeroed_writable_and_not_numpys_own() -> None:
    shape = (10, 8, 16, 45)  # 461 kB: numpy's
    small = lockstep.fresh_zeros(shape)
    assert small.base is None and not small.any()
    big_shape = (100, 20, 16, 45)  # 11.5 MB: mapped by hand
    big = lockstep.fresh_zeros(big_shape)
    assert big.shape == big_shape and big.dtype == float and big.flags.writeable and big.flags.c_contiguous
    assert not big.any()
    big[3, 2] = 1.5
    assert big.sum() == 1.5 * 16 * 45
    assert big.base is not None  # the mapping it views


def test_a_spare_buffer_is_handed_out_again_zeroed_once_nothing_holds_it() -> None:
    shape = (7, 9, 16, 45 * 20)  # 7.3 MB
    lockstep._SPARE.clear()
    first = lockstep._zeros(shape)
    first[:] = 2.0
    held = lockstep._zeros(shape)  # the first is still held: a new one
    assert held is not first
    address = first.__array_interface__["data"][0]
    del first
    again = lockstep._zeros(shape)
    assert again.__array_interface__["data"][0] == address and not again.any()
    lockstep._SPARE.clear()


def test_numpys_huge_pages_are_off_within_small_pages_and_put_back_after() -> None:
    from numpy._core import multiarray

    before = multiarray._get_madvise_hugepage()
    try:
        for setting in (True, False):
            multiarray._set_madvise_hugepage(setting)
            with lockstep.small_pages():
                assert multiarray._get_madvise_hugepage() is False
            assert multiarray._get_madvise_hugepage() is setting
    finally:
        multiarray._set_madvise_hugepage(before)


def test_a_mapping_the_machine_refuses_is_a_memory_error(monkeypatch) -> None:
    import mmap

    import pytest

    def refuse(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refuse)
    with pytest.raises(MemoryError, match="lockstep record of shape"):
        lockstep.fresh_zeros((100, 20, 16, 45))


def test_frozen_heap_freezes_for_the_block_only_and_leaves_a_frozen_heap_alone():
    import gc

    from sim.lockstep import _FROZEN_AT_IMPORT, frozen_heap

    assert gc.get_freeze_count() <= _FROZEN_AT_IMPORT  # at most what the interpreter froze itself at start
    with frozen_heap():
        assert gc.get_freeze_count() > _FROZEN_AT_IMPORT + 1000
    assert gc.get_freeze_count() == 0  # unfrozen: what became garbage meanwhile can be collected
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == before  # the caller's freeze is kept
    finally:
        gc.unfreeze()
