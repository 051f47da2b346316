"""Streaming collision search: query fixed batches of distinct inputs until f repeats.

Shared by the birthday and exhaustive algorithms, which differ only in the order of
their inputs. The inputs never depend on answers, so evaluating a batch and cutting it
at the first collision is exactly the sequential algorithm; only that prefix is charged.
If 2^(n−1) + 1 distinct inputs show no collision, f cannot be two-to-one (pigeonhole on
the 2^(n−1) cosets), so s = 0.
"""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from qenergy.charging import ChargePolicy
from qenergy.errors import InputError
from qenergy.ledger import Ledger
from qenergy.oracles import MAX_VECTOR_BITS
from qenergy.problem import SimonInstance
from qenergy.queries import CountingOracle

from .result import ClassicalResult


def require_vector_n(n: int) -> None:
    """Classical search evaluates f on uint64 inputs: refuse n > 64 with the allowed range."""
    if n > MAX_VECTOR_BITS:
        raise InputError(f"classical search at n = {n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")


def query_cap(n: int) -> int:
    """Distinct queries after which no collision proves s = 0: 2^(n−1) + 1."""
    return (1 << (n - 1)) + 1


def first_batch_size(n: int) -> int:
    """A first batch near the expected collision point, ~1.25·2^(n/2), at least 2."""
    return max(2, int(1.25 * 2.0 ** (n / 2)))


def collision_search(
    algorithm: str,
    instance: SimonInstance,
    ledger: Ledger,
    inputs: Callable[[int], Iterator[NDArray[np.uint64]]],
    *,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
) -> ClassicalResult:
    """Query the batches of ``inputs(n)`` (distinct inputs, never repeating earlier ones) until two
    outputs collide, charging each query to ``account``.

    Stops at the first collision or after :func:`query_cap` queries; returns s = x ⊕ x'.
    """
    require_vector_n(instance.n)
    oracle = CountingOracle(instance, ledger, account=account, policy=policy, label=label)
    cap = query_cap(instance.n)
    seen_x: list[NDArray[np.uint64]] = []
    seen_f: list[NDArray[np.uint64]] = []
    sorted_f = np.empty(0, dtype=np.uint64)
    total = 0
    for xs in inputs(instance.n):
        xs = xs[: cap - total]
        if xs.size == 0:
            break
        hit = -1
        batch_sorted = sorted_f

        def used(out: NDArray[np.uint64]) -> int:
            nonlocal hit, batch_sorted
            hit, batch_sorted = first_repeat(sorted_f, out)
            return out.size if hit < 0 else hit + 1

        out = oracle.query_prefix(xs, used)
        total += out.size
        seen_x.append(xs[: out.size])
        seen_f.append(out)
        if hit >= 0:
            j = int(np.flatnonzero(np.concatenate(seen_f) == out[hit])[0])
            x, x2 = int(np.concatenate(seen_x)[j]), int(xs[hit])
            return ClassicalResult(algorithm=algorithm, found=x ^ x2, queries=oracle.queries, collision=(x, x2))
        sorted_f = np.concatenate((sorted_f, batch_sorted))
        sorted_f.sort(kind="stable")  # merges two sorted runs in linear time
        if total >= cap:
            break
    return ClassicalResult(algorithm=algorithm, found=0, queries=oracle.queries, collision=None)


def first_repeat(sorted_seen: NDArray[np.uint64], out: NDArray[np.uint64]) -> tuple[int, NDArray[np.uint64]]:
    """Index of the first value of ``out`` equal to a value in ``sorted_seen`` or earlier in ``out``
    (−1 if none), and ``out`` sorted (to merge into ``sorted_seen``).

    One stable sort of the batch; membership in ``sorted_seen`` by a sorted (cache-friendly)
    binary search.
    """
    order = np.argsort(out, kind="stable")
    sv = out[order]
    best = out.size
    eq = np.flatnonzero(sv[1:] == sv[:-1])
    if eq.size:  # equal runs are in input order, so each later member is a repeat
        best = min(best, int(order[eq + 1].min()))
    if sorted_seen.size:
        pos = np.searchsorted(sorted_seen, sv)
        np.minimum(pos, sorted_seen.size - 1, out=pos)
        hit = np.flatnonzero(sorted_seen[pos] == sv)
        if hit.size:
            best = min(best, int(order[hit].min()))
    return (best if best < out.size else -1), sv


#: Largest batch evaluated at once: keeps sorting cache-friendly and memory bounded.
MAX_BATCH = 1 << 21


def batch_sizes(n: int) -> Iterator[int]:
    """Batch sizes: the first near the expected collision point, then doubling, at most :data:`MAX_BATCH`."""
    size = min(first_batch_size(n), MAX_BATCH)
    while True:
        yield size
        size = min(2 * size, MAX_BATCH)
