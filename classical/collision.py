"""Streaming collision search: query fixed batches of distinct inputs until f repeats.

Shared by the birthday and exhaustive algorithms, which differ only in the order of
their inputs. The inputs never depend on answers, so evaluating a batch and cutting it
at the first collision is exactly the sequential algorithm; only that prefix is charged.
If 2^(n−1) + 1 distinct inputs show no collision, f cannot be two-to-one (pigeonhole on
the 2^(n−1) cosets), so s = 0.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError
from qenergy.oracles import MAX_VECTOR_BITS
from qenergy.queries import CountingOracle

from .result import ClassicalResult


def query_cap(n: int) -> int:
    """Distinct queries after which no collision proves s = 0: 2^(n−1) + 1."""
    return (1 << (n - 1)) + 1


def first_batch_size(n: int) -> int:
    """A first batch near the expected collision point, ~1.25·2^(n/2), at least 2."""
    return max(2, int(1.25 * 2.0 ** (n / 2)))


def check_classical_n(n: int) -> None:
    if n > MAX_VECTOR_BITS:
        raise InputError(f"classical search at n = {n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")


def collision_search(algorithm: str, oracle: CountingOracle, batches: Iterator[NDArray[np.uint64]]) -> ClassicalResult:
    """Query ``batches`` (distinct inputs, never repeating earlier ones) until two outputs collide.

    Stops at the first collision or after :func:`query_cap` queries; returns s = x ⊕ x'.
    """
    cap = query_cap(oracle.n)
    seen_x: list[NDArray[np.uint64]] = []
    seen_f: list[NDArray[np.uint64]] = []
    sorted_f = np.empty(0, dtype=np.uint64)
    total = 0
    for xs in batches:
        xs = xs[: cap - total]
        if xs.size == 0:
            break
        hit: list[int] = []

        def used(out: NDArray[np.uint64]) -> int:
            pos = np.searchsorted(sorted_f, out)
            in_seen = (pos < sorted_f.size) & (sorted_f[np.minimum(pos, max(sorted_f.size - 1, 0))] == out) if sorted_f.size else np.zeros(out.size, bool)
            _, first = np.unique(out, return_index=True)
            repeat = np.ones(out.size, dtype=bool)
            repeat[first] = False
            candidates = np.flatnonzero(in_seen | repeat)
            if candidates.size == 0:
                return out.size
            hit.append(int(candidates[0]))
            return hit[0] + 1

        out = oracle.query_prefix(xs, used)
        total += out.size
        seen_x.append(xs[: out.size])
        seen_f.append(out)
        if hit:
            i = hit[0]
            value = out[i]
            all_f = np.concatenate(seen_f)
            all_x = np.concatenate(seen_x)
            j = int(np.flatnonzero(all_f == value)[0])
            x, x2 = int(all_x[j]), int(xs[i])
            return ClassicalResult(algorithm=algorithm, found=x ^ x2, queries=oracle.queries, collision=(x, x2))
        sorted_f = np.sort(np.concatenate((sorted_f, out)))
        if total >= cap:
            break
    return ClassicalResult(algorithm=algorithm, found=0, queries=oracle.queries, collision=None)


def doubling_sizes(n: int) -> Iterator[int]:
    """Batch sizes: the first near the expected collision point, then doubling."""
    size = first_batch_size(n)
    while True:
        yield size
        size *= 2
