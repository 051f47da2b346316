"""Simon's problem with a restricted-weight secret: the promise wt(s) ≤ W, its candidates and counts.

The restricted problem (after Singkanipa, Kasatkin, Zhou, Quiroz & Lidar, "Demonstration of
algorithmic quantum speedup for an Abelian hidden subgroup problem", arXiv:2401.07934, Phys.
Rev. X; only its abstract was available here): Simon's promise f(x) = f(x') ⇔ x' ∈ {x, x ⊕ s},
plus the promise that the Hamming weight of s is **at most** W (W ≥ 1). Whether the paper fixes
the weight exactly or bounds it could not be read; qenergy assumes "at most W" (it contains
"exactly W" as its hardest layer), draws a random secret uniformly among the N_W − 1 non-zero
strings of weight ≤ W (s = 0 only when given), and counts hypotheses over all of them.

Counting (our derivation, not the paper's): N_W = Σ_{k=0}^{W} C(n, k) strings of weight ≤ W.

* Quantum: an ideal sample y is uniform on s^⊥, so each wrong non-zero candidate c ∉ {0, s}
  survives a sample (y·c = 0) with probability 1/2; after t samples the expected number of
  survivors is (N_W − 2)·2^−t, and by the union bound P(T > t) ≤ (N_W − 2)·2^−t. So about
  log2 N_W + O(1) samples identify s instead of n − 1 (n = 64, W = 2: N_W = 2,081, about 11).
* Classical: a collision f(x) = f(x') gives s = x ⊕ x'; a set Q of queries can only reveal the
  secrets among its pairwise XORs, so with s uniform over the N_W − 1 non-zero candidates and f
  otherwise random, P_succ(q) ≤ (C(q, 2) + 1)/(N_W − 1 − C(q, 2)) (Simon's argument restricted to
  the candidates; [qenergy.energy.counts.classical_min_queries][]), i.e. q ≳ sqrt(2·p·N_W).

Post-processing cost ([`WeightCandidates`][WeightCandidates]): the candidates are enumerated once, N_W of
them (memory 8·N_W bytes for n ≤ 64, plus 2·W·N_W bytes for their supports), and each sample
filters the survivors (one AND + popcount per survivor): about 2·N_W word operations over a
run, since the survivors halve with each sample. [`MAX_WEIGHT_CANDIDATES`][MAX_WEIGHT_CANDIDATES] caps N_W.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, ResourceLimitError

__all__ = [
    "MAX_WEIGHT_CANDIDATES",
    "WeightCandidates",
    "check_secret_weight",
    "cover_inputs",
    "cover_queries",
    "cover_size",
    "draw_secret",
    "log2_weight_space",
    "weight_space",
]

#: Most candidates (N_W = Σ_{k≤W} C(n, k)) the post-processing enumerates: 2^24, about 130 MiB of
#: candidates and supports at W = 4 and a second or two of numpy work.
MAX_WEIGHT_CANDIDATES = 1 << 24


def check_secret_weight(w: object, n: int | None = None) -> int:
    """W as an int ≥ 1 (at most n when n is given); raises [`InputError`][InputError] otherwise."""
    if isinstance(w, bool) or not isinstance(w, int) or w < 1:
        raise InputError(f"secret weight {w!r} is not allowed; allowed: an integer W >= 1")
    if n is not None and w > n:
        raise InputError(f"secret weight {w} is not allowed for n = {n}; allowed: 1 <= W <= n")
    return w


def weight_space(n: int, w: int) -> int:
    """N_W = Σ_{k=0}^{W} C(n, k): the strings of weight ≤ W, 0 included (exact, any n)."""
    return sum(math.comb(n, k) for k in range(min(w, n) + 1))


def log2_weight_space(n: int, w: int) -> float:
    """log2 N_W, exact to float precision for any n (N_W may exceed a float)."""
    total = weight_space(n, w)
    shift = max(0, total.bit_length() - 60)
    return math.log2(total >> shift) + shift


def draw_secret(rng: np.random.Generator, n: int, w: int) -> int:
    """A secret uniform over the N_W − 1 non-zero strings of weight ≤ W (any n).

    The weight k is drawn with probability C(n, k)/(N_W − 1), then a uniform k-subset of the bits.
    """
    check_secret_weight(w, n)
    counts = [math.comb(n, k) for k in range(1, w + 1)]
    total = sum(counts)
    # the weight by an exact integer draw (counts may exceed 2^63): a uniform integer below total
    r = _uniform_below(rng, total)
    k = 1
    for c in counts:
        if r < c:
            break
        r -= c
        k += 1
    bits = rng.choice(n, size=k, replace=False)
    return sum(1 << int(b) for b in bits)


def _uniform_below(rng: np.random.Generator, bound: int) -> int:
    """A uniform integer in 0…bound − 1 for any bound ≥ 1 (rejection on 32-bit words)."""
    if bound < (1 << 62):
        return int(rng.integers(0, bound))
    words = -(-bound.bit_length() // 32)
    top = 1 << (32 * words)
    limit = top - top % bound
    while True:
        v = sum(int(x) << (32 * i) for i, x in enumerate(rng.integers(0, 1 << 32, size=words, dtype=np.uint64)))
        if v < limit:
            return v % bound


def _supports(n: int, w: int) -> NDArray[np.uint16]:
    """Every subset of size ≤ W of the n bits as a row of W bit indices, padded with n (0 first)."""
    total = weight_space(n, w)
    out = np.full((total, max(w, 1)), n, dtype=np.uint16)
    row = 1  # row 0 is the empty set (the string 0)
    for k in range(1, w + 1):
        count = math.comb(n, k)
        flat = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), k)), dtype=np.uint16, count=count * k)
        out[row:row + count, :k] = flat.reshape(count, k)
        row += count
    return out


class WeightCandidates:
    """The strings of weight ≤ W consistent with the samples seen so far (0 included).

    ``supports`` holds each survivor as W bit indices (padded with n); for n ≤ 64 ``values`` holds
    them packed in uint64 (bit i = x_i) and filtering is one AND + popcount per survivor.

    Raises:
        ResourceLimitError: N_W above [`MAX_WEIGHT_CANDIDATES`][MAX_WEIGHT_CANDIDATES].
    """

    @staticmethod
    def check_size(n: int, w: int) -> int:
        """N_W, after refusing W outside 1…n, N_W above [`MAX_WEIGHT_CANDIDATES`][MAX_WEIGHT_CANDIDATES] or n ≥ 65535."""
        check_secret_weight(w, n)
        if n >= np.iinfo(np.uint16).max:
            raise InputError(f"--secret-weight at n = {n} is not supported; allowed: n < 65535")
        total = weight_space(n, w)
        if total > MAX_WEIGHT_CANDIDATES:
            raise ResourceLimitError(f"--secret-weight {w} at n = {n} has {total:,} candidates; "
                                     f"allowed: at most {MAX_WEIGHT_CANDIDATES:,} (a smaller W or n)")
        return total

    def __init__(self, n: int, w: int) -> None:
        total = self.check_size(n, w)
        self.n = n
        self.w = w
        self.total = total
        self.supports = _supports(n, w)
        self.values: NDArray[np.uint64] | None = None
        if n <= 64:
            weights = np.zeros(n + 1, dtype=np.uint64)
            weights[:n] = np.left_shift(np.uint64(1), np.arange(n, dtype=np.uint64))
            vals = np.zeros(total, dtype=np.uint64)
            for j in range(self.supports.shape[1]):
                vals |= weights[self.supports[:, j]]
            self.values = vals

    @property
    def count(self) -> int:
        """Survivors, 0 included."""
        return int(self.supports.shape[0])

    @property
    def nonzero(self) -> int:
        """Non-zero survivors (0 satisfies every sample and stays first)."""
        return self.count - 1

    def parities(self, ys: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """y·c mod 2 for each sample row of ``ys`` (k, n) and each survivor c: a (k, survivors) array."""
        ys = np.asarray(ys, dtype=np.uint8).reshape(-1, self.n)
        if self.values is not None:
            packed = _pack64(ys)
            return (np.bitwise_count(self.values[None, :] & packed[:, None]) & 1).astype(np.uint8)
        pad = np.concatenate((ys, np.zeros((ys.shape[0], 1), dtype=np.uint8)), axis=1)
        return (pad[:, self.supports].sum(axis=2) & 1).astype(np.uint8)

    def keep_consistent(self, ys: NDArray[np.uint8]) -> None:
        """Drop the survivors c with y·c = 1 for some sample y (ideal samples all satisfy y·s = 0)."""
        ys = np.asarray(ys, dtype=np.uint8).reshape(-1, self.n)
        for y in ys:
            keep = self.parities(y[None, :])[0] == 0
            self.supports = self.supports[keep]
            if self.values is not None:
                self.values = self.values[keep]

    def as_ints(self) -> list[int]:
        """The survivors as Python ints (bit i = x_i)."""
        if self.values is not None:
            return [int(v) for v in self.values]
        return [sum(1 << int(b) for b in row if b < self.n) for row in self.supports]


def _pack64(ys: NDArray[np.uint8]) -> NDArray[np.uint64]:
    """Rows of 64 bits packed into uint64 (bit i = column i)."""
    out = np.zeros(ys.shape[0], dtype=np.uint64)
    for i in range(ys.shape[1]):
        out |= ys[:, i].astype(np.uint64) << np.uint64(i)
    return out


def cover_size(n: int, w: int) -> int:
    """|Q| of [`cover_inputs`][cover_inputs]: N_t + (C(⌈n/2⌉, t+1) + C(⌊n/2⌋, t+1) when W = 2t + 1 is odd), t = ⌊W/2⌋."""
    t = w // 2
    size = weight_space(n, t)
    if w % 2:
        size += math.comb((n + 1) // 2, t + 1) + math.comb(n // 2, t + 1)
    return size


def cover_inputs(n: int, w: int) -> NDArray[np.uint64]:
    """A query set Q (n ≤ 64) whose pairwise XORs contain every string of weight ≤ W (a difference cover).

    Construction (ours): t = ⌊W/2⌋; Q holds every string of weight ≤ t, and for odd W = 2t + 1 also
    the strings of weight t + 1 lying entirely in one half of the bits (bits 0…⌈n/2⌉−1 or the rest).
    A string of weight ≤ 2t splits into two disjoint parts of weight ≤ t; a string of weight 2t + 1
    has t + 1 of its bits in one half (pigeonhole), which with the other t bits splits it into a
    member of each part. So Q ⊕ Q covers the ball and a search over Q meets a collision unless s = 0.
    """
    if n > 64:
        raise InputError(f"a classical cover search at n = {n} is not supported; allowed: n <= 64")
    t = w // 2
    shifts = np.left_shift(np.uint64(1), np.arange(n, dtype=np.uint64))
    parts = [np.zeros(1, dtype=np.uint64)]
    for k in range(1, t + 1):
        combos = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), k)), dtype=np.int64, count=math.comb(n, k) * k)
        parts.append(np.bitwise_or.reduce(shifts[combos.reshape(-1, k)], axis=1))
    if w % 2:
        half = (n + 1) // 2
        for lo, hi in ((0, half), (half, n)):
            m = math.comb(hi - lo, t + 1)
            if m:
                combos = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(lo, hi), t + 1)), dtype=np.int64, count=m * (t + 1))
                parts.append(np.bitwise_or.reduce(shifts[combos.reshape(-1, t + 1)], axis=1))
    return np.concatenate(parts)


def cover_queries(n: int, w: int, success: float) -> float:
    """Estimated queries of the weight-cover search (random order) to succeed with probability ``success``:
    ⌈sqrt(P)·|Q|⌉, at most |Q| (an estimate: a secret covered by one pair of Q is met within the first q
    queries of a random order with probability ≈ (q/|Q|)²; secrets covered by several pairs come sooner)."""
    size = cover_size(n, w)
    return float(min(size, math.ceil(math.sqrt(success) * size)))
