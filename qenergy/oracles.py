"""Simon oracle families: functions f: {0,1}^n -> {0,1}^n with f(x) = f(x') iff x' ∈ {x, x ⊕ s}.

Every oracle evaluates vectorised over a numpy ``uint64`` array of inputs (n ≤ 64), and
exactly over Python integers for any n (:meth:`Oracle.evaluate_int`). Integers encode
bit strings with bit i (weight 2**i) standing for x_i, the i-th input qubit.

Families:

* ``linear``: f(x) = M x over GF(2) with kernel {0, s}; M = R·G_s where G_s x = x ⊕ x_j·s
  (j the lowest set bit of s) and R seeded random layers of CNOTs. Clifford, any n.
* ``random``: f(x) = π(min(x, x ⊕ s)) with π a seeded keyed pseudorandom permutation
  of n-bit strings (:class:`KeyedPermutation`), so no 2^n table is ever stored (n ≤ 64).
* ``table``: a user's truth table, checked to have period s and to be exactly two-to-one.
"""

from __future__ import annotations

import json
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError

__all__ = [
    "KeyedPermutation",
    "LinearOracle",
    "Oracle",
    "RandomOracle",
    "TableOracle",
    "check_simon_table",
    "infer_period",
    "load_table",
]

#: Largest n for which the uint64 vectorised path and truth tables are defined.
MAX_VECTOR_BITS = 64


def _mask(n: int) -> np.uint64:
    return np.uint64((1 << n) - 1)


def _as_inputs(x: ArrayLike, n: int) -> NDArray[np.uint64]:
    if n > MAX_VECTOR_BITS:
        raise ValueError(f"vectorised evaluation needs n <= {MAX_VECTOR_BITS}; use evaluate_int for n = {n}")
    a = np.asarray(x)
    if a.dtype.kind not in "ui":
        raise TypeError(f"oracle inputs must be integers, got dtype {a.dtype}")
    if a.dtype.kind == "i" and a.size and a.min() < 0:
        raise ValueError("oracle inputs must be non-negative")
    a = a.astype(np.uint64, copy=False)
    if n < MAX_VECTOR_BITS and a.size and int(a.max()) >> n:
        raise ValueError(f"oracle input {int(a.max())} does not fit in n = {n} bits")
    return a


class Oracle(ABC):
    """A Simon function on n bits with hidden period ``secret`` (0: one-to-one)."""

    #: Family name as given on the command line (``linear``, ``random``, ``table``).
    kind: str = ""

    def __init__(self, n: int, secret: int) -> None:
        if n < 1:
            raise InputError(f"n = {n} is not allowed; allowed: n >= 1")
        if not 0 <= secret < (1 << n):
            raise InputError(f"secret {secret} is outside 0..2^{n}-1 = 0..{(1 << n) - 1}")
        self.n = n
        self.secret = secret

    @property
    def is_clifford(self) -> bool:
        """True when the reversible oracle circuit uses only CNOT/X gates."""
        return False

    @abstractmethod
    def evaluate(self, x: ArrayLike) -> NDArray[np.uint64]:
        """f(x) for an array of inputs (n ≤ 64); returns ``uint64`` of the same shape."""

    def evaluate_int(self, x: int) -> int:
        """f(x) for one input given as a Python int (any n)."""
        if not 0 <= x < (1 << self.n):
            raise ValueError(f"oracle input {x} does not fit in n = {self.n} bits")
        return int(self.evaluate(np.array([x], dtype=np.uint64))[0])

    def truth_table(self) -> NDArray[np.uint64]:
        """All 2^n outputs, ``table[x] = f(x)``; memory 8·2^n bytes."""
        return self.evaluate(np.arange(1 << self.n, dtype=np.uint64))

    def scalar_function(self) -> Callable[[int], int]:
        """A fast unchecked f for one Python-int input at a time (for sequential walks such as rho).

        Calls through it are not charged: callers count them and charge the ledger themselves.
        """
        return self.evaluate_int

    def describe(self) -> str:
        return self.kind


class LinearOracle(Oracle):
    """f(x) = M x over GF(2) with kernel exactly {0, s}: f = R ∘ G_s.

    G_s x = x ⊕ x_j·s (j the lowest set bit of s; the identity for s = 0) is the
    textbook oracle. R is a seeded random invertible linear map on the output register
    made of ⌈log2 n⌉ + 1 layers of CNOTs between randomly paired output bits, so M
    looks random while the circuit keeps O(n log n) gates at any n.

    Attributes:
        pivot: j, or None for s = 0.
        mixing: R's CNOTs as (control, target) output-bit pairs, applied in order.
        rows: M's rows as integers; bit i of ``rows[k]`` is M[k, i].
    """

    kind = "linear"

    def __init__(self, n: int, secret: int, *, rng: np.random.Generator | None = None, scramble: bool = True) -> None:
        super().__init__(n, secret)
        self.pivot = (secret & -secret).bit_length() - 1 if secret else None
        self.mixing: tuple[tuple[int, int], ...] = (
            _random_cnot_layers(n, rng if rng is not None else np.random.default_rng()) if scramble else ()
        )
        if self.pivot is None:
            rows = [1 << k for k in range(n)]
        else:
            rows = [(1 << k) ^ (((secret >> k) & 1) << self.pivot) for k in range(n)]
        for c, t in self.mixing:
            rows[t] ^= rows[c]
        self.rows = rows
        self._cols_u64: NDArray[np.uint64] | None = None
        self._byte_tables: list[list[int]] = []
        if n <= MAX_VECTOR_BITS:
            cols = [sum(((rows[k] >> i) & 1) << k for k in range(n)) for i in range(n)]
            self._cols_u64 = np.array(cols, dtype=np.uint64)
            self._byte_tables = _byte_tables(cols)

    @property
    def is_clifford(self) -> bool:
        return True

    def matrix(self) -> NDArray[np.uint8]:
        """M as an ``(n, n)`` 0/1 array, ``M[k, i]`` = 1 when output bit k depends on x_i."""
        from .gf2 import int_to_bits

        return np.array([int_to_bits(r, self.n) for r in self.rows], dtype=np.uint8).reshape(self.n, self.n)

    def evaluate(self, x: ArrayLike) -> NDArray[np.uint64]:
        xs = _as_inputs(x, self.n)
        assert self._cols_u64 is not None
        out = np.zeros(xs.shape, dtype=np.uint64)
        one = np.uint64(1)
        for i, col in enumerate(self._cols_u64):
            out ^= ((xs >> np.uint64(i)) & one) * col
        return out

    def evaluate_int(self, x: int) -> int:
        if not 0 <= x < (1 << self.n):
            raise ValueError(f"oracle input {x} does not fit in n = {self.n} bits")
        out = 0
        for k, row in enumerate(self.rows):
            out |= ((row & x).bit_count() & 1) << k
        return out

    def scalar_function(self) -> Callable[[int], int]:
        if not self._byte_tables:
            return self.evaluate_int
        tables = self._byte_tables

        def f(x: int) -> int:
            out = 0
            for table in tables:
                out ^= table[x & 255]
                x >>= 8
            return out

        return f


def _byte_tables(columns: list[int]) -> list[list[int]]:
    """For each byte of x, the XOR of the columns its set bits select, for all 256 values."""
    tables = []
    for start in range(0, len(columns), 8):
        cols = columns[start : start + 8]
        table = [0] * 256
        for v in range(1, 256):
            low = (v & -v).bit_length() - 1
            table[v] = table[v & (v - 1)] ^ (cols[low] if low < len(cols) else 0)
        tables.append(table)
    return tables


def _random_cnot_layers(n: int, rng: np.random.Generator) -> tuple[tuple[int, int], ...]:
    """⌈log2 n⌉ + 1 layers, each pairing the n output bits at random into CNOTs (control, target)."""
    if n < 2:
        return ()
    pairs: list[tuple[int, int]] = []
    for _ in range((n - 1).bit_length() + 1):
        p = rng.permutation(n)
        half = n // 2
        pairs.extend(zip(p[0 : 2 * half : 2].tolist(), p[1 : 2 * half : 2].tolist()))
    return tuple(pairs)


@dataclass(frozen=True)
class KeyedPermutation:
    """A seeded pseudorandom permutation of n-bit strings (n ≤ 64).

    Four rounds of (add a key mod 2^n, xor-shift right by ⌈n/2⌉, multiply by an odd key
    mod 2^n); each step is a bijection. Vectorised over uint64 arrays, and as a plain
    Python closure for sequential walks.
    """

    n: int
    adds: tuple[int, ...]
    muls: tuple[int, ...]

    ROUNDS = 4

    @classmethod
    def from_rng(cls, n: int, rng: np.random.Generator) -> "KeyedPermutation":
        if not 1 <= n <= MAX_VECTOR_BITS:
            raise InputError(f"a keyed permutation needs 1 <= n <= {MAX_VECTOR_BITS}, got n = {n}")
        top = 1 << n
        keys = rng.integers(0, 2**63, size=2 * cls.ROUNDS, dtype=np.int64).tolist()
        return cls(n, tuple(k % top for k in keys[: cls.ROUNDS]), tuple((k % top) | 1 for k in keys[cls.ROUNDS :]))

    @property
    def shift(self) -> int:
        return max(1, (self.n + 1) // 2)

    def apply(self, v: NDArray[np.uint64]) -> NDArray[np.uint64]:
        """π(v) for an array of n-bit values."""
        mask = _mask(self.n)
        shift = np.uint64(self.shift)
        with np.errstate(over="ignore"):
            for a, m in zip(self.adds, self.muls):
                v = (v + np.uint64(a)) & mask
                v = v ^ (v >> shift)
                v = (v * np.uint64(m)) & mask
        return v

    def scalar(self) -> Callable[[int], int]:
        """π as a closure on Python ints."""
        mask, shift, rounds = (1 << self.n) - 1, self.shift, tuple(zip(self.adds, self.muls))

        def pi(v: int) -> int:
            for a, m in rounds:
                v = (v + a) & mask
                v ^= v >> shift
                v = (v * m) & mask
            return v

        return pi


class RandomOracle(Oracle):
    """A seeded pseudorandom two-to-one function with period s (one-to-one for s = 0).

    f(x) = π(min(x, x ⊕ s)) with π a :class:`KeyedPermutation`, so f is exactly
    two-to-one on the cosets {x, x ⊕ s}. Needs n ≤ 64; no table is stored.
    """

    kind = "random"

    def __init__(self, n: int, secret: int, *, rng: np.random.Generator | None = None) -> None:
        super().__init__(n, secret)
        if n > MAX_VECTOR_BITS:
            raise InputError(f"random oracle at n = {n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")
        self.permutation = KeyedPermutation.from_rng(n, rng if rng is not None else np.random.default_rng())

    def evaluate(self, x: ArrayLike) -> NDArray[np.uint64]:
        xs = _as_inputs(x, self.n)
        return self.permutation.apply(np.minimum(xs, xs ^ np.uint64(self.secret)))

    def scalar_function(self) -> Callable[[int], int]:
        pi, s = self.permutation.scalar(), self.secret

        def f(x: int) -> int:
            return pi(min(x, x ^ s))

        return f


class TableOracle(Oracle):
    """A user's truth table ``table[x] = f(x)``, checked to be a valid Simon function."""

    kind = "table"

    def __init__(self, table: ArrayLike, secret: int | None = None, *, n: int | None = None, source: str = "table") -> None:
        t = np.asarray(table)
        size = t.shape[0] if t.ndim == 1 else -1
        width = size.bit_length() - 1 if size > 0 else -1
        if n is None:
            if size < 2 or size != 1 << width:
                raise InputError(f"{source} has {size} entries; allowed: 2^n entries (2, 4, 8, ...), one output per input")
            n = width
        elif size != 1 << n:
            raise InputError(f"{source} has {size} entries; n = {n} needs 2^{n} = {1 << n}, one output per input")
        if n > 30:
            raise InputError(f"{source} with n = {n} is too large; allowed: n <= 30 for a truth table")
        if t.dtype.kind not in "ui":
            raise InputError(f"{source} must hold integers, got {t.dtype}")
        if t.dtype.kind == "i" and t.min() < 0:
            raise InputError(f"{source}: outputs must lie in 0..{(1 << n) - 1}; f({int(np.argmin(t))}) = {int(t.min())}")
        if secret is None:
            secret = infer_period(t)
        super().__init__(n, secret)
        self.source = source
        self.table = t.astype(np.uint64)
        check_simon_table(self.table, n, secret, source=source)

    def evaluate(self, x: ArrayLike) -> NDArray[np.uint64]:
        return self.table[_as_inputs(x, self.n)]

    def truth_table(self) -> NDArray[np.uint64]:
        return self.table.copy()

    def scalar_function(self) -> Callable[[int], int]:
        return self.table.tolist().__getitem__

    def describe(self) -> str:
        return f"table:{self.source}"


def infer_period(table: ArrayLike) -> int:
    """The x ≠ 0 with f(x) = f(0), or 0 when f(0) occurs once (the one-to-one case)."""
    t = np.asarray(table)
    hits = np.flatnonzero(t[1:] == t[0])
    return int(hits[0]) + 1 if hits.size else 0


def check_simon_table(table: NDArray[np.uint64], n: int, secret: int, *, source: str = "table", show: int = 3) -> None:
    """Raise :class:`InputError` unless ``table`` is two-to-one with period ``secret`` (one-to-one for 0).

    The message names up to ``show`` inputs that break the promise.
    """
    t = np.asarray(table)
    size = 1 << n
    if t.shape != (size,):
        raise InputError(f"{source} has {t.size} entries; n = {n} needs 2^{n} = {size}")
    bad = np.flatnonzero(t >= size)[:show]
    if bad.size:
        shown = ", ".join(f"f({int(x)})={int(t[x])}" for x in bad)
        raise InputError(f"{source}: outputs must lie in 0..{size - 1} for n = {n}; breaking: {shown}")
    xs = np.arange(size, dtype=np.uint64)
    if secret:
        partner = xs ^ np.uint64(secret)
        bad = np.flatnonzero(t != t[partner])[:show]
        if bad.size:
            shown = "; ".join(f"f({int(x)})={int(t[x])} but f({int(x)}⊕s)=f({int(partner[x])})={int(t[partner[x]])}" for x in bad)
            raise InputError(f"{source} does not have period s={secret:#b}: {shown}")
    order = np.argsort(t, kind="stable")
    st = t[order]
    same = np.flatnonzero(st[1:] == st[:-1])
    if same.size:
        a, b = order[same], order[same + 1]
        wrong = np.flatnonzero((a ^ b) != np.uint64(secret))[:show] if secret else np.arange(min(show, same.size))
        if wrong.size:
            shown = "; ".join(f"f({int(a[i])})=f({int(b[i])})={int(st[same[i]])}" for i in wrong)
            what = f"two-to-one with period s={secret:#b}" if secret else "one-to-one (s = 0)"
            raise InputError(f"{source} is not {what}: colliding inputs {shown}")


def load_table(path: str | os.PathLike[str]) -> NDArray[np.uint64]:
    """Read a truth table: a JSON list of integers, or one integer a line (decimal, 0x…, 0b…)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"truth-table file {str(p)!r} does not exist; allowed: an existing file with one output per input")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"truth-table file {str(p)!r} cannot be read: {exc.__class__.__name__}") from None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(f"truth-table file {str(p)!r} is not valid JSON at line {exc.lineno}: {exc.msg}") from None
        if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise InputError(f"truth-table file {str(p)!r} must be a JSON list of integers")
    else:
        values = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            tok = line.strip()
            if not tok or tok.startswith("#"):
                continue
            try:
                values.append(int(tok, 0))
            except ValueError:
                raise InputError(f"truth-table file {str(p)!r} line {lineno}: {tok[:40]!r} is not an integer") from None
    if not values:
        raise InputError(f"truth-table file {str(p)!r} is empty; allowed: 2^n outputs")
    if min(values) < 0 or max(values) >= 2**63:
        raise InputError(f"truth-table file {str(p)!r} has an output outside 0..2^63-1")
    return np.array(values, dtype=np.uint64)
