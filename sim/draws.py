"""Draws from many generators in one compiled call: the numbers each run's ``Generator.random`` (and
``Generator.normal``) gives.

A lockstep phase draws from every run's own generator.  ``Generator.random``
costs a few microseconds a call in argument handling and locking, not in
drawing; over R runs that is the phase's largest cost.  ``uniforms`` calls
each generator's own C function for a double (the bit generator's
``next_double``, which ``Generator.random`` calls once per number) from one
compiled loop over the runs: the same numbers, in the same order, and each
generator left in the same state, as ``gens[q].random(n)`` for every q.

Normal draws call numpy's own C function for one (``random_normal``, exported by ``numpy.random._generator``:
``loc + scale *`` its ziggurat standard normal, which ``Generator.normal`` calls once per number) on each
generator's bit generator; where numpy does not export it, they fall back to ``Generator.normal`` run by run.

The generators' locks are not taken: the lockstep engine draws from one thread.
``Draws`` reads the addresses once for a fixed list of generators (an
ensemble's streams: a model keeps its generators for its life, ``restore``
setting their state in place).
``tests/test_lockstep_trust_enlargement.py`` holds the draws and the states
equal to ``Generator.random``'s for every bit generator numpy provides.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

import sim.kernel_cache  # noqa: F401  (numba keeps this package's kernels fresh)

#: the address of each bit generator class's ``next_double`` (one C function per class)
_NEXT_DOUBLE: dict[type, int] = {}


@intrinsic
def _next_double(typingctx, fn, state):
    """Call the C function at address ``fn`` (``double (*)(void *)``) on the state at address ``state``."""
    sig = types.float64(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        ptr = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.DoubleType(), [ptr])
        return builder.call(builder.inttoptr(args[0], fnty.as_pointer()), [builder.inttoptr(args[1], ptr)])

    return sig, codegen


@intrinsic
def _random_normal(typingctx, fn, bitgen, loc, scale):
    """Call the C function at address ``fn`` (``double (*)(bitgen_t *, double, double)``) on a bit generator."""
    sig = types.float64(types.uint64, types.uint64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        ptr = ir.IntType(8).as_pointer()
        fnty = ir.FunctionType(ir.DoubleType(), [ptr, ir.DoubleType(), ir.DoubleType()])
        return builder.call(builder.inttoptr(args[0], fnty.as_pointer()),
                            [builder.inttoptr(args[1], ptr), args[2], args[3]])

    return sig, codegen


@njit(cache=True)
def _fill_normal(fn, bitgens, scale, out):
    for q in range(out.shape[0]):
        bitgen, sd = bitgens[q], scale[q]
        for i in range(out.shape[1]):
            out[q, i] = _random_normal(fn, bitgen, 0.0, sd)


def _normal_address() -> int | None:
    """Return the address of numpy's ``random_normal`` (None where the library does not export it)."""
    try:
        from numpy.random import _generator

        return ctypes.cast(ctypes.CDLL(_generator.__file__).random_normal, ctypes.c_void_p).value
    except (AttributeError, OSError):
        return None


#: numpy's ``random_normal`` (None: draw through ``Generator.normal``)
_RANDOM_NORMAL: int | None = _normal_address()


@njit(cache=True)
def _fill(fns, states, out, lengths):
    for q in range(out.shape[0]):
        fn, state = fns[q], states[q]
        for i in range(lengths[q]):
            out[q, i] = _next_double(fn, state)


def _addresses(gens: Sequence[np.random.Generator]) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``next_double`` function and the state of each generator's bit generator, as addresses."""
    fns = np.empty(len(gens), dtype=np.uint64)
    states = np.empty(len(gens), dtype=np.uint64)
    for q, g in enumerate(gens):
        bits = g.bit_generator
        kind = type(bits)
        fn = _NEXT_DOUBLE.get(kind)
        if fn is None:
            fn = _NEXT_DOUBLE[kind] = ctypes.cast(bits.ctypes.next_double, ctypes.c_void_p).value
        fns[q] = fn
        states[q] = bits.ctypes.state_address
    return fns, states


class Draws:
    """Draws from a fixed list of generators, one per run (their addresses read once; they are kept alive here)."""

    def __init__(self, gens: Sequence[np.random.Generator]):
        """Hold the generators and the addresses of their bit generators' ``next_double`` and state."""
        self.gens = list(gens)
        self.fns, self.states = _addresses(self.gens)
        self.bitgens = np.array([g.bit_generator.ctypes.bit_generator.value for g in self.gens], dtype=np.uint64)

    def draw(self, n: int | None = None) -> np.ndarray:
        """Return ``gens[q].random(n)`` for every q as rows of one array (``gens[q].random()`` each, for n None)."""
        width = 1 if n is None else n
        out = np.empty((len(self.gens), width))
        _fill(self.fns, self.states, out, np.full(len(self.gens), width, dtype=np.int64))
        return out[:, 0] if n is None else out

    def normals(self, scale: np.ndarray, n: int) -> np.ndarray:
        """Return ``gens[q].normal(0.0, scale[q], n)`` for every q as rows of one array."""
        scale = np.asarray(scale, dtype=float)
        if _RANDOM_NORMAL is None or not (scale >= 0.0).all():  # numpy's own way (and its error for a negative scale)
            return np.stack([g.normal(0.0, sd, n) for g, sd in zip(self.gens, scale.tolist(), strict=True)])
        out = np.empty((len(self.gens), n))
        _fill_normal(_RANDOM_NORMAL, self.bitgens, scale, out)
        return out

    def rows(self, runs: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
        """Return a (len(runs), width) array whose row a starts with ``gens[runs[a]].random(lengths[a])`` (zeros after)."""
        runs = np.asarray(runs, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.shape != runs.shape or (len(lengths) and not 0 <= lengths.min() <= lengths.max() <= width):
            raise ValueError(f"one length in 0..{width} per run drawn from, got {lengths!r}")
        out = np.zeros((len(runs), width))
        _fill(self.fns[runs], self.states[runs], out, lengths)
        return out


def uniforms(gens: Sequence[np.random.Generator], n: int | None = None) -> np.ndarray:
    """Return ``gens[q].random(n)`` for every q as rows of one array (``gens[q].random()`` each, for n None)."""
    return Draws(gens).draw(n)
