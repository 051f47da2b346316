"""Simon oracle families: functions f: {0,1}^n -> {0,1}^n with f(x) = f(x') iff x' ∈ {x, x ⊕ s}.

Every oracle evaluates vectorised over a numpy ``uint64`` array of inputs (n ≤ 64), and
exactly over Python integers for any n ([Oracle.evaluate_int][]). Integers encode
bit strings with bit i (weight 2**i) standing for x_i, the i-th input qubit.

Families:

* ``linear``: f(x) = M x over GF(2) with kernel {0, s}; M = R·G_s where G_s x = x ⊕ x_j·s
  (j the lowest set bit of s) and R seeded random layers of CNOTs. Clifford, any n.
* ``random``: f(x) = π(min(x, x ⊕ s)) with π a seeded keyed pseudorandom permutation
  of n-bit strings ([`KeyedPermutation`][KeyedPermutation]), so no 2^n table is ever stored (n ≤ 64).
* ``table``: a user's truth table, checked to have period s and to be exactly two-to-one.
"""

from __future__ import annotations

import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qenergy.errors import InputError, ResourceLimitError, human_bytes, shorten
from qenergy.numbers import int_problem, int_value, short_int
from qenergy.problem.kernels import compiled, resolve_kernel

__all__ = [
    "KeyedPermutation",
    "LinearOracle",
    "Oracle",
    "RandomOracle",
    "TableOracle",
    "MAX_LINEAR_BITS",
    "MAX_TABLE_BITS",
    "MAX_VECTOR_BITS",
    "available_memory_bytes",
    "check_linear_size",
    "check_simon_table",
    "evaluate_with",
    "infer_period",
    "linear_oracle_bytes",
    "load_table",
    "max_table_bytes",
]

#: Largest n for which the uint64 vectorised path and truth tables are defined.
MAX_VECTOR_BITS = 64
#: Largest n of a linear oracle: its matrix M takes n²/8 bytes (512 MiB here) and building it
#: about n²·log2(n)/8 byte operations (a few seconds). The quantum paths stop earlier
#: ([qenergy.circuits.backends.MAX_CLIFFORD_BITS][]), classical search at [`MAX_VECTOR_BITS`][MAX_VECTOR_BITS].
MAX_LINEAR_BITS = 65_536


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
        check_linear_size(n)
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
        from qenergy.problem.gf2 import int_to_bits

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


def linear_oracle_bytes(n: int) -> int:
    """Memory of a linear oracle's rows (n Python integers of n bits each), in bytes."""
    return n * (n // 8 + 64)


def check_linear_size(n: int) -> None:
    """Refuse a linear oracle above [`MAX_LINEAR_BITS`][MAX_LINEAR_BITS] bits, or one whose matrix would not fit
    in 80 % of the available memory, naming the estimate (before anything is built)."""
    if n > MAX_LINEAR_BITS:
        need = f"~{human_bytes(linear_oracle_bytes(n))}" if n < 10**100 else "more than any machine has"
        raise InputError(f"linear oracle at n = {short_int(n)} is too large (its n×n matrix alone would take {need}); "
                         f"allowed: n <= {MAX_LINEAR_BITS:,} (classical search: n <= {MAX_VECTOR_BITS})")
    need_b, have = linear_oracle_bytes(n), available_memory_bytes()
    if need_b > 0.8 * have:
        raise ResourceLimitError(f"linear oracle at n = {n:,} needs ~{human_bytes(need_b)} for its n×n matrix; this machine has "
                                 f"{human_bytes(have)} available")


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
    def from_rng(cls, n: int, rng: np.random.Generator) -> KeyedPermutation:
        if not 1 <= n <= MAX_VECTOR_BITS:
            raise InputError(f"a keyed permutation needs 1 <= n <= {MAX_VECTOR_BITS}, got n = {n}")
        top = 1 << n
        keys = rng.integers(0, 2**63, size=2 * cls.ROUNDS, dtype=np.int64).tolist()
        return cls(n, tuple(k % top for k in keys[: cls.ROUNDS]), tuple((k % top) | 1 for k in keys[cls.ROUNDS :]))

    @property
    def shift(self) -> int:
        return max(1, (self.n + 1) // 2)

    #: Elements per block in [`apply`][apply]: the block and one temporary stay in the L2 cache
    #: (32768 was fastest of 4096…4194304 measured on 2^22 inputs here, ~4x the unblocked form).
    BLOCK = 1 << 15

    def packed_keys(self) -> NDArray[np.uint64]:
        """The keys as one uint64 array ``[a0..a3, m0..m3, mask, shift]`` (the compiled kernels' form)."""
        return np.array([*self.adds, *self.muls, (1 << self.n) - 1, self.shift], dtype=np.uint64)

    def apply(self, v: NDArray[np.uint64], *, out: NDArray[np.uint64] | None = None, kernel: str | None = None) -> NDArray[np.uint64]:
        """π(v) for an array of n-bit values (``uint64``, any shape); returns a new array, or ``out``.

        ``kernel``: ``numba``, ``numpy`` or None (`qenergy.problem.kernels.resolve_kernel`: numba when
        installed); both give the same bits.

        Bit-identical to the textbook form ``v = (v + a) & mask; v ^= v >> shift; v = (v * m) & mask``
        per round, computed in place in cache-sized blocks: the mask after a multiplication is
        dropped because the next round's mask after its addition removes the same high bits
        ((v·m mod 2^64 + a) mod 2^n = (v·m mod 2^n + a) mod 2^n), and for n = 64 no mask is
        applied at all. ``out`` (same shape, ``uint64``, may be ``v`` itself) receives the result.
        """
        src = np.asarray(v, dtype=np.uint64)
        if out is None:
            out = np.empty(src.shape, dtype=np.uint64)
        elif out.shape != src.shape or out.dtype != np.uint64:
            raise ValueError(f"out must be a uint64 array of shape {src.shape}, got {out.dtype} {out.shape}")
        flat_in, flat = src.reshape(-1), out.reshape(-1)
        if flat.size and not np.shares_memory(flat, out):
            raise ValueError("out must be contiguous")
        if self.ROUNDS == 4 and resolve_kernel(kernel) == "numba":
            compiled().apply_permutation(np.ascontiguousarray(flat_in), flat, self.packed_keys())
            return out
        masked = self.n < MAX_VECTOR_BITS
        mask, shift = _mask(self.n), np.uint64(self.shift)
        keys = [(np.uint64(a), np.uint64(m)) for a, m in zip(self.adds, self.muls)]
        tmp = np.empty(min(self.BLOCK, flat.size), dtype=np.uint64)
        for lo in range(0, flat.size, self.BLOCK):
            w = flat[lo : lo + self.BLOCK]
            t = tmp[: w.size]
            for r, (a, m) in enumerate(keys):
                np.add(flat_in[lo : lo + self.BLOCK] if r == 0 else w, a, out=w)
                if masked:
                    np.bitwise_and(w, mask, out=w)
                np.right_shift(w, shift, out=t)
                np.bitwise_xor(w, t, out=w)
                np.multiply(w, m, out=w)
            if masked:
                np.bitwise_and(w, mask, out=w)
        return out

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

    f(x) = π(min(x, x ⊕ s)) with π a [`KeyedPermutation`][KeyedPermutation], so f is exactly
    two-to-one on the cosets {x, x ⊕ s}. Needs n ≤ 64; no table is stored.
    """

    kind = "random"

    def __init__(self, n: int, secret: int, *, rng: np.random.Generator | None = None) -> None:
        super().__init__(n, secret)
        if n > MAX_VECTOR_BITS:
            raise InputError(f"random oracle at n = {n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")
        self.permutation = KeyedPermutation.from_rng(n, rng if rng is not None else np.random.default_rng())

    def evaluate(self, x: ArrayLike, *, kernel: str | None = None) -> NDArray[np.uint64]:
        """f(x) for an array of inputs; ``kernel`` as in [KeyedPermutation.apply][] (same bits either way)."""
        xs = _as_inputs(x, self.n)
        if resolve_kernel(kernel) == "numba":
            out = np.empty(xs.shape, dtype=np.uint64)
            compiled().evaluate_random(np.ascontiguousarray(xs).reshape(-1), out.reshape(-1), np.uint64(self.secret),
                                       self.permutation.packed_keys())
            return out
        return self.permutation.apply(np.minimum(xs, xs ^ np.uint64(self.secret)), kernel="numpy")

    def scalar_function(self) -> Callable[[int], int]:
        pi, s = self.permutation.scalar(), self.secret

        def f(x: int) -> int:
            return pi(min(x, x ^ s))

        return f


def evaluate_with(oracle: Oracle, x: ArrayLike, kernel: str | None) -> NDArray[np.uint64]:
    """``oracle.evaluate(x)`` with ``kernel`` where the family has a compiled kernel (the random oracle), else as it is."""
    if type(oracle) is RandomOracle:
        return oracle.evaluate(x, kernel=kernel)
    return oracle.evaluate(x)


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
        if n > MAX_TABLE_BITS:
            raise InputError(f"{source} with n = {n} is too large; allowed: n <= {MAX_TABLE_BITS} for a truth table")
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
    """Raise [`InputError`][InputError] unless ``table`` is two-to-one with period ``secret`` (one-to-one for 0).

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


#: Largest n of a truth table (2^n entries); [`TableOracle`][TableOracle] refuses larger ones.
MAX_TABLE_BITS = 30
#: Bytes a truth-table file may spend per entry: the longest output (``0b`` and 30 binary
#: digits) with its separator, indentation and room for comments, generously rounded.
TABLE_BYTES_PER_ENTRY = 64
#: Bytes every truth-table file may have besides its entries (a header of comments).
TABLE_SLACK_BYTES = 1 << 16
#: Bytes of memory a table entry needs while it is read and checked (the uint64 array, the
#: sort and the partner lookups of [`check_simon_table`][check_simon_table]).
TABLE_MEMORY_PER_ENTRY = 48
#: Characters read at a time; an entry longer than [`MAX_ENTRY_CHARS`][MAX_ENTRY_CHARS] is refused at once.
_READ_CHARS = 1 << 22
MAX_ENTRY_CHARS = 200


def available_memory_bytes() -> int:
    """Memory available to new allocations (``MemAvailable`` of /proc/meminfo, else free pages)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no sysconf
        return 1 << 34


def max_table_bytes(n: int | None = None) -> int:
    """Largest truth-table file accepted for n bits (any n up to [`MAX_TABLE_BITS`][MAX_TABLE_BITS] when None)."""
    bits = MAX_TABLE_BITS if n is None else max(1, min(n, MAX_TABLE_BITS))
    return (1 << bits) * TABLE_BYTES_PER_ENTRY + TABLE_SLACK_BYTES


def load_table(path: str | os.PathLike[str], n: int | None = None) -> NDArray[np.uint64]:
    """Read a truth table: a JSON list of integers, or one integer a line (decimal, 0x…, 0b…; ``#`` comments).

    Entries follow the project's integer rule ([qenergy.numbers][]) and must lie in
    0..2^63−1. The file is refused by its size before it is read when it is larger than any
    table of n bits can be ([`max_table_bytes`][max_table_bytes]; n ≤ [`MAX_TABLE_BITS`][MAX_TABLE_BITS] when ``n`` is
    None) or when reading and checking it would not fit in memory; it is then read in chunks
    (no recursion, so deeply nested JSON is just a malformed entry). Every problem is an
    [`InputError`][InputError] (or [`ResourceLimitError`][qenergy.errors.ResourceLimitError]) naming the file, the
    line or entry, and what is allowed.
    """
    p = Path(path)
    text = str(p)
    name = repr(text if len(text) <= 60 else f"{text[:20]}…{text[-39:]}")  # a long path keeps its file name
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"truth-table file {name} does not exist; allowed: an existing file with one output per input") from None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError(f"truth-table file {name} cannot be used ({why}); allowed: an existing file with one output per input") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"truth-table file {name} is not a regular file; allowed: an existing file with one output per input")
    limit = max_table_bytes(n)
    bits = MAX_TABLE_BITS if n is None else min(n, MAX_TABLE_BITS)
    if st.st_size > limit:
        raise InputError(f"truth-table file {name} has {st.st_size:,} bytes; allowed: at most {limit:,} bytes "
                         f"({TABLE_BYTES_PER_ENTRY} per entry for 2^{bits} entries, n <= {bits})")
    entries = min(1 << bits, st.st_size // 2 + 1)
    need, have = TABLE_MEMORY_PER_ENTRY * entries, available_memory_bytes()
    if need > 0.8 * have:
        raise ResourceLimitError(f"truth-table file {name} ({human_bytes(st.st_size)}) may hold {entries:,} entries, which need "
                                 f"~{human_bytes(need)} to read and check; this machine has {human_bytes(have)} available")
    try:
        with open(p, encoding="utf-8", newline="") as fh:
            head = fh.read(_READ_CHARS)
            is_json = head.lstrip().startswith("[")
            values = _read_json_table(fh, head, name) if is_json else _read_line_table(fh, head, name)
    except UnicodeDecodeError:
        raise InputError(f"truth-table file {name} is not UTF-8 text; allowed: a JSON list or one integer a line") from None
    except OSError as exc:
        raise InputError(f"truth-table file {name} cannot be read ({exc.strerror or type(exc).__name__})") from None
    if values.size == 0:
        raise InputError(f"truth-table file {name} is empty; allowed: 2^n outputs")
    return values


def _table_int(tok: str, name: str, where: str) -> int:
    """One entry under the integer rule, in 0..2^63−1, or an [`InputError`][InputError] naming ``where``."""
    value = int_value(tok)
    if value is None:
        problem = int_problem(tok)
        what = f" ({problem})" if problem and problem != "empty" else ""
        raise InputError(f"truth-table file {name} {where}: {shorten(tok)!r} is not an integer{what}; "
                         "allowed: an integer (decimal, 0x… or 0b…) in 0..2^63-1")
    if not 0 <= value < 2**63:
        raise InputError(f"truth-table file {name} {where}: {shorten(tok)!r} is outside 0..2^63-1; allowed: outputs 0..2^n-1")
    return value


def _to_array(tokens: list[str], name: str, where: Callable[[int], str]) -> NDArray[np.uint64]:
    """Tokens as uint64: plain decimal ones in bulk, any other through the integer rule one by one."""
    if all(len(t) <= 18 and t.isdigit() and t.isascii() for t in tokens):
        return np.fromiter(map(int, tokens), dtype=np.uint64, count=len(tokens))
    return np.fromiter((_table_int(tok, name, where(i)) for i, tok in enumerate(tokens)), dtype=np.uint64, count=len(tokens))


def _chunks(fh: TextIO, head: str) -> Iterator[str]:
    """``head``, then the rest of ``fh`` in pieces of [`_READ_CHARS`][_READ_CHARS] characters."""
    text = head
    while text:
        yield text
        text = fh.read(_READ_CHARS)


def _read_line_table(fh: TextIO, head: str, name: str) -> NDArray[np.uint64]:
    """One integer a line (blank lines and ``#`` comment lines skipped), read chunk by chunk."""
    parts: list[NDArray[np.uint64]] = []
    line = 0  # lines consumed so far
    buf = ""

    def take(body: str) -> None:
        nonlocal line
        tokens: list[str] = []
        where: list[int] = []
        for number, raw in enumerate(body.split("\n"), start=line + 1):
            tok = raw.strip()
            if tok and not tok.startswith("#"):
                if len(tok) > MAX_ENTRY_CHARS:
                    raise InputError(f"truth-table file {name} line {number}: {shorten(tok)!r} is not an integer "
                                     f"(longer than {MAX_ENTRY_CHARS} characters); allowed: one integer a line")
                tokens.append(tok)
                where.append(number)
        parts.append(_to_array(tokens, name, lambda i: f"line {where[i]}"))
        line += body.count("\n") + 1

    for chunk in _chunks(fh, head):
        buf += chunk
        cut = buf.rfind("\n")
        if cut < 0:
            if len(buf) > MAX_ENTRY_CHARS:
                raise InputError(f"truth-table file {name} line {line + 1} is longer than {MAX_ENTRY_CHARS} characters; "
                                 "allowed: one integer a line")
            continue
        take(buf[:cut])
        buf = buf[cut + 1:]
    take(buf)
    return np.concatenate(parts)


def _read_json_table(fh: TextIO, head: str, name: str) -> NDArray[np.uint64]:
    """A flat JSON list of integers, read chunk by chunk without a JSON parser (so nesting cannot recurse)."""
    stripped = head.lstrip()
    line = 1 + head[: len(head) - len(stripped)].count("\n")  # line of the opening bracket
    parts: list[NDArray[np.uint64]] = []
    count = 0
    buf = ""

    def take(body: str) -> None:
        nonlocal line, count
        raw = body.split(",")
        tokens = [t.strip() for t in raw]
        for i, tok in enumerate(tokens):
            if not tok:
                here = line + body.count("\n", 0, sum(len(r) + 1 for r in raw[:i]))  # computed only for the message
                raise InputError(f"truth-table file {name} is not valid JSON at line {here}: entry {count + i + 1} is missing "
                                 "(a stray comma); allowed: a JSON list of integers")
            if len(tok) > MAX_ENTRY_CHARS or not (tok[0].isdigit() or tok[0] in "+-."):
                _json_entry_error(tok, name, count + i + 1)
        parts.append(_to_array(tokens, name, lambda i: f"entry {count + i + 1}"))
        count += len(tokens)
        line += body.count("\n")

    for chunk in _chunks(fh, stripped[1:]):
        buf += chunk
        cut = buf.rfind(",")
        if cut < 0:
            entry = buf.split("]", 1)[0].strip()  # the entry being read; an over-long one (deep nesting) is refused at once
            if len(entry) > MAX_ENTRY_CHARS:
                _json_entry_error(entry, name, count + 1)
            continue
        take(buf[:cut])
        buf = buf[cut + 1:]
    end = buf.rfind("]")
    if end < 0:
        raise InputError(f"truth-table file {name} is not valid JSON at line {line + buf.count(chr(10))}: the list has no closing ']'; "
                         "allowed: a JSON list of integers")
    if buf[end + 1:].strip():
        raise InputError(f"truth-table file {name} is not valid JSON: {shorten(buf[end + 1:].strip(), 20)!r} after the closing ']'; "
                         "allowed: one JSON list of integers")
    if count or buf[:end].strip():
        take(buf[:end])
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def _json_entry_error(tok: str, name: str, index: int) -> NoReturn:
    """Raise the error for a JSON list entry that is not an integer (a string, a nested list, an object, …)."""
    kind = ("a nested list" if tok.startswith("[") else "an object" if tok.startswith("{") else
            "a string" if tok.startswith('"') else "not a number")
    raise InputError(f"truth-table file {name} must be a JSON list of integers; entry {index} is {kind}: {shorten(tok)!r}")
