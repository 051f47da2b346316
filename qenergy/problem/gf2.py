"""Linear algebra over GF(2) on bit-packed rows, and recovery of Simon's secret.

Rows are bit vectors of length n. Public functions take a ``(k, n)`` array of 0/1
values (any integer dtype); internally rows are packed little-endian into ``uint64``
words, so elimination costs about n·k·⌈n/64⌉ word operations, vectorised over rows.
Bit i of a vector is coefficient i; as an integer, bit i has weight 2**i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EchelonBasis",
    "SecretEstimate",
    "bits_to_int",
    "int_to_bits",
    "null_space",
    "rank",
    "rref",
    "solve_secret",
]

_WORD = 64


def _as_bit_matrix(rows: ArrayLike, n: int | None = None) -> NDArray[np.uint8]:
    a = np.asarray(rows)
    if a.ndim == 1:
        a = a.reshape(1, -1) if a.size else a.reshape(0, 0 if n is None else n)
    if a.ndim != 2:
        raise ValueError(f"expected a (k, n) array of bits, got shape {a.shape}")
    if n is not None and a.shape[1] != n:
        raise ValueError(f"expected rows of length {n}, got {a.shape[1]}")
    if a.size and not np.isin(a, (0, 1)).all():
        raise ValueError("rows must hold only 0 and 1")
    return a.astype(np.uint8, copy=False)


def _pack(bits: NDArray[np.uint8]) -> NDArray[np.uint64]:
    k, n = bits.shape
    words = max(1, -(-n // _WORD))
    padded = np.zeros((k, words * _WORD), dtype=np.uint8)
    padded[:, :n] = bits
    return np.packbits(padded, axis=1, bitorder="little").view("<u8").astype(np.uint64, copy=False)


def _unpack(words: NDArray[np.uint64], n: int) -> NDArray[np.uint8]:
    as_bytes = np.ascontiguousarray(words.astype("<u8", copy=False)).view(np.uint8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little")[:, :n]


def _eliminate(words: NDArray[np.uint64], n: int, *, full: bool) -> tuple[NDArray[np.uint64], list[int]]:
    """Gaussian elimination on packed rows, column by column.

    Each pivot row's lowest set bit is its pivot column, so XORs touch only the words
    from the pivot's word on. ``full`` also clears pivot columns above the pivot (RREF);
    otherwise only rows below are reduced (echelon form, about half the work).
    """
    m = words.copy()
    k = m.shape[0]
    r = 0
    pivots: list[int] = []
    for c in range(n):
        if r == k:
            break
        w, b = divmod(c, _WORD)
        mask = np.uint64(1 << b)
        below = np.flatnonzero(m[r:, w] & mask)
        if below.size == 0:
            continue
        p = r + int(below[0])
        if p != r:
            m[[r, p]] = m[[p, r]]
        if full:
            hit = np.flatnonzero(m[:, w] & mask)
            hit = hit[hit != r]
        else:
            hit = r + 1 + np.flatnonzero(m[r + 1 :, w] & mask)
        if hit.size:
            m[hit, w:] ^= m[r, w:]
        pivots.append(c)
        r += 1
    return m[:r], pivots


def rref(rows: ArrayLike, n: int | None = None) -> tuple[NDArray[np.uint8], list[int]]:
    """Reduced row echelon form over GF(2).

    Returns the non-zero reduced rows as an ``(r, n)`` uint8 array (r = rank) and the
    pivot column of each row, in increasing order.
    """
    bits = _as_bit_matrix(rows, n)
    width = bits.shape[1]
    reduced, pivots = _eliminate(_pack(bits), width, full=True)
    return _unpack(reduced, width), pivots


def rank(rows: ArrayLike, n: int | None = None) -> int:
    """Rank over GF(2) of the rows of a ``(k, n)`` 0/1 array."""
    bits = _as_bit_matrix(rows, n)
    return len(_eliminate(_pack(bits), bits.shape[1], full=False)[1])  # echelon form suffices


def null_space(rows: ArrayLike, n: int | None = None) -> NDArray[np.uint8]:
    """A basis of {v : A v = 0 over GF(2)} as a ``(n - rank, n)`` uint8 array (rows are basis vectors)."""
    bits = _as_bit_matrix(rows, n)
    width = bits.shape[1]
    reduced, pivots = rref(bits, width)
    free = np.setdiff1d(np.arange(width), pivots)
    basis = np.zeros((free.size, width), dtype=np.uint8)
    basis[np.arange(free.size), free] = 1
    if pivots:
        basis[:, pivots] = reduced[:, free].T
    return basis


def int_to_bits(x: int, n: int) -> NDArray[np.uint8]:
    """The n low bits of the non-negative integer x, bit i at index i."""
    if x < 0 or x >> n:
        raise ValueError(f"{x} does not fit in {n} bits")
    raw = np.frombuffer(x.to_bytes(max(1, -(-n // 8)), "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:n].copy()


def bits_to_int(bits: ArrayLike) -> int:
    """The integer whose bit i is ``bits[i]``."""
    v = np.asarray(bits, dtype=np.uint8)
    return int.from_bytes(np.packbits(v, bitorder="little").tobytes(), "little")


class EchelonBasis:
    """The row space of equations added so far, kept in echelon form for incremental rank.

    Adding k rows reduces them against the r pivots held (r vectorised steps over the k
    rows) and eliminates them among themselves; the rank is then read off for free.
    """

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        self.n = n
        self._rows = np.zeros((0, max(1, -(-n // _WORD))), dtype=np.uint64)
        self._pivots: list[int] = []

    @property
    def rank(self) -> int:
        return len(self._pivots)

    def add(self, rows: ArrayLike) -> int:
        """Add the rows of a ``(k, n)`` 0/1 array; returns how much the rank grew."""
        bits = _as_bit_matrix(rows, self.n) if np.asarray(rows).size else np.zeros((0, self.n), dtype=np.uint8)
        new = _pack(bits)
        for i, p in enumerate(self._pivots):
            w, b = divmod(p, _WORD)
            hit = np.flatnonzero(new[:, w] & np.uint64(1 << b))
            if hit.size:
                new[hit, w:] ^= self._rows[i, w:]
        reduced, pivots = _eliminate(new, self.n, full=False)
        if pivots:
            order = np.argsort(self._pivots + pivots, kind="stable")
            self._rows = np.concatenate((self._rows, reduced))[order]
            self._pivots = [(self._pivots + pivots)[i] for i in order]
        return len(pivots)

    def rows(self) -> NDArray[np.uint8]:
        """The basis as an ``(rank, n)`` 0/1 array (echelon form)."""
        return _unpack(self._rows, self.n)

    def solve_secret(self) -> SecretEstimate:
        """What the equations held say about s (see [`solve_secret`][solve_secret])."""
        return solve_secret(self.rows(), self.n)


@dataclass(frozen=True)
class SecretEstimate:
    """What a set of Simon equations y·s = 0 says about s.

    Attributes:
        n: number of bits.
        rank: rank of the equations over GF(2).
        candidate: the unique non-zero solution when rank = n − 1; 0 when rank = n
            (only s = 0 is consistent); None while the equations do not yet determine s.
        missing: independent equations still needed before s is determined (0 when it is).
    """

    n: int
    rank: int
    candidate: int | None
    missing: int

    @property
    def determined(self) -> bool:
        return self.candidate is not None

    def describe(self) -> str:
        """One line for humans."""
        if self.candidate is None:
            return f"rank {self.rank} of {self.n - 1} needed: {self.missing} more independent equation(s) missing"
        if self.rank == self.n:
            return f"rank {self.n}: only s = 0 solves the equations"
        return f"rank {self.rank}: unique non-zero solution s = {self.candidate:#0{self.n + 2}b}"


def solve_secret(ys: ArrayLike, n: int) -> SecretEstimate:
    """Solve the measured Simon equations ``y·s = 0 (mod 2)`` for s.

    Args:
        ys: ``(k, n)`` array of measured bits, column i the coefficient of s_i.
        n: number of bits.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    bits = _as_bit_matrix(ys, n) if np.asarray(ys).size else np.zeros((0, n), dtype=np.uint8)
    basis = null_space(bits, n)
    r = n - basis.shape[0]
    if r == n:
        return SecretEstimate(n=n, rank=r, candidate=0, missing=0)
    if r == n - 1:
        return SecretEstimate(n=n, rank=r, candidate=bits_to_int(basis[0]), missing=0)
    return SecretEstimate(n=n, rank=r, candidate=None, missing=n - 1 - r)
