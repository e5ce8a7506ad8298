"""Numerics the lockstep forms need to give each run the bits its per-run form gives.

``pairwise_sum`` is numpy's own summation of a contiguous float64 array
(``np.add.reduce``: pairwise, with eight accumulators over blocks of up to 128
values), written out as a compiled function: a compiled loop over runs can then
sum a run's members the way ``array.sum()`` sums them in that run alone (a
masked sum over all states groups the terms differently and may differ in the
last bit).  ``tests/test_lockstep_trust_enlargement.py`` holds it equal to
numpy's sum.  The recursion of numpy's splitting is an explicit stack here
(numba's cache cannot reload a recursive function).  A change to this file
recompiles the kernels that call it (``sim.kernel_cache``).

``at`` lets one kernel serve a run alone and an ensemble: ``at(x, q)`` is run q's
value of a parameter, ``x[q]`` when the kernel is given an array over runs and
``x`` itself when it is given a run's own number, so a run alone calls the
ensemble's kernel over a run axis of one without packing its parameters.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

import sim.kernel_cache  # noqa: F401  (numba keeps this package's kernels fresh)

#: numpy's block size of the pairwise summation
_BLOCK = 128
#: the deepest split of a sum (log2 of any length an array can have, with room to spare)
_DEPTH = 64


@njit(cache=True)
def _block_sum(a, lo, n):
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    top = n - n % 8
    while i < top:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum(a, n):
    """Return ``a[:n].sum()`` as numpy computes it (its reduction starts from 0.0)."""
    if n <= _BLOCK:
        return 0.0 + _block_sum(a, 0, n)
    # numpy splits a longer run at half its length (rounded down to a multiple of 8) and adds the
    # halves' sums: the same tree, walked with a stack of (start, length, halves pushed) frames
    los = np.empty(_DEPTH, dtype=np.int64)
    ns = np.empty(_DEPTH, dtype=np.int64)
    split = np.zeros(_DEPTH, dtype=np.bool_)
    sums = np.empty(_DEPTH)
    sp, vp = 1, 0
    los[0], ns[0], split[0] = 0, n, False
    while sp > 0:
        t = sp - 1
        if split[t]:  # both halves summed: add them
            vp -= 1
            sums[vp - 1] = sums[vp - 1] + sums[vp]
            sp -= 1
        elif ns[t] <= _BLOCK:
            sums[vp] = _block_sum(a, los[t], ns[t])
            vp += 1
            sp -= 1
        else:
            half = ns[t] // 2
            half -= half % 8
            split[t] = True
            los[sp], ns[sp], split[sp] = los[t], half, False
            los[sp + 1], ns[sp + 1], split[sp + 1] = los[t] + half, ns[t] - half, False
            sp += 2
    return 0.0 + sums[0]


def at(x, q):
    """Return run q's value of a parameter: ``x[q]`` of an array over runs, ``x`` itself of a number."""
    return x[q] if isinstance(x, np.ndarray) else x


@overload(at)
def _at(x, q):
    if isinstance(x, types.Array):
        return lambda x, q: x[q]
    return lambda x, q: x
