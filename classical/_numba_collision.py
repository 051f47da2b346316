"""A compiled set of answers for collision search (imported only when numba is installed).

[`SeenHash`][SeenHash] has the interface of [qenergy.classical.collision.SeenAnswers][] (``add`` returns the
index of the first answer of a batch equal to one seen before or earlier in the batch, −1 if none)
and the same results; it keeps the answers in an open-addressing hash table (linear probing,
multiplicative hashing, at most 3/4 full; 0 marks an empty slot and is tracked apart), so each
answer costs one probe sequence instead of a sort and a merge of everything seen so far.
Memory: 8 bytes per slot, 10.7–21 bytes per answer (32 while the table doubles).
"""
# mypy: disallow-untyped-decorators=False

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["SeenHash"]

#: 2^64 / φ, odd: Knuth's multiplicative hash.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: Smallest table (slots, a power of two).
_MIN_SLOTS = 1 << 10


@numba.njit(cache=True)
def _insert(table, state, out, bits):
    """Insert ``out`` in order up to its first repeat; returns that repeat's index (−1: none). state = [count, has_zero].

    A repeat is an answer found in the table (inserted by an earlier batch, or earlier in this one). The
    probes go straight to the table in the batch's order: on this machine (AMD EPYC, 32 MiB L3) that was
    1.3-1.9x faster than first sorting the batch by table region, the cache-friendly order used before
    (2^20 to 2^24 answers into fresh 16-256 MiB tables; `benchmarks/RESULTS.md`): the out-of-order core
    overlaps independent probes, and the extra passes over the batch cost more than the misses they save.
    """
    count = out.size
    mask = np.uint64(table.size - 1)
    shift = np.uint64(64 - bits)
    for i in range(count):
        v = out[i]
        if v == 0:
            if state[1]:
                return i
            state[1] = 1
            state[0] += 1
            continue
        h = (v * _GOLDEN) >> shift
        while True:
            t = table[h]
            if t == 0:
                table[h] = v
                state[0] += 1
                break
            if t == v:
                return i
            h = (h + np.uint64(1)) & mask
    return -1


@numba.njit(cache=True)
def _rehash(old, bits):
    """A table of 2^bits slots holding the answers of ``old`` (0 excepted: it is tracked apart).

    The old table is read in slot order, which is (but for probe runs wrapping at its end) the order of the
    hashes' top bits, so the new table, indexed by more top bits of the same hashes, is written nearly in
    sequence: a stream through both tables, not a random probe per answer.
    """
    table = np.zeros(1 << bits, dtype=np.uint64)
    mask = np.uint64(table.size - 1)
    shift = np.uint64(64 - bits)
    for j in range(old.size):
        v = old[j]
        if v != 0:
            h = (v * _GOLDEN) >> shift
            while table[h] != 0:
                h = (h + np.uint64(1)) & mask
            table[h] = v
    return table


class SeenHash:
    """The distinct answers seen so far, in a compiled hash set (see the module docstring).

    ``expected``: answers the search expects to see (the table is sized for 4/3 of it at once, so a
    typical search never rehashes); it grows by doubling beyond.
    """

    def __init__(self, expected: int = 0) -> None:
        bits = _MIN_SLOTS.bit_length() - 1
        while expected * 4 > 3 * (1 << bits):
            bits += 1
        self._bits = bits
        self._table = np.zeros(1 << bits, dtype=np.uint64)
        self._state = np.zeros(2, dtype=np.int64)

    @property
    def size(self) -> int:
        """Answers inserted so far."""
        return int(self._state[0])

    def add(self, out: NDArray[np.uint64]) -> int:
        """Index of the first answer of ``out`` equal to one seen before or earlier in ``out`` (−1 if none); inserts
        ``out`` up to that answer (a search stops at its first repeat)."""
        need = self.size + out.size
        bits = self._bits
        while need * 4 > 3 * (1 << bits):
            bits += 1
        if bits != self._bits:
            self._table = _rehash(self._table, bits)
            self._bits = bits
        return int(_insert(self._table, self._state, np.ascontiguousarray(out, dtype=np.uint64), self._bits))


def warm() -> None:
    """Load the kernels here (compiling them the first time on a machine)."""
    s = SeenHash()
    s.add(np.arange(4, dtype=np.uint64))
    _rehash(s._table, s._bits + 1)
