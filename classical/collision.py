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
    if instance.n > MAX_VECTOR_BITS:
        raise InputError(f"classical search at n = {instance.n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")
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

        def used(out: NDArray[np.uint64]) -> int:
            nonlocal hit
            hit = first_repeat(sorted_f, out)
            return out.size if hit < 0 else hit + 1

        out = oracle.query_prefix(xs, used)
        total += out.size
        seen_x.append(xs[: out.size])
        seen_f.append(out)
        if hit >= 0:
            j = int(np.flatnonzero(np.concatenate(seen_f) == out[hit])[0])
            x, x2 = int(np.concatenate(seen_x)[j]), int(xs[hit])
            return ClassicalResult(algorithm=algorithm, found=x ^ x2, queries=oracle.queries, collision=(x, x2))
        sorted_f = np.sort(np.concatenate((sorted_f, out)))
        if total >= cap:
            break
    return ClassicalResult(algorithm=algorithm, found=0, queries=oracle.queries, collision=None)


def first_repeat(sorted_seen: NDArray[np.uint64], out: NDArray[np.uint64]) -> int:
    """Index of the first value of ``out`` equal to a value in ``sorted_seen`` or earlier in ``out``; −1 if none."""
    if sorted_seen.size:
        pos = np.minimum(np.searchsorted(sorted_seen, out), sorted_seen.size - 1)
        repeat = sorted_seen[pos] == out
    else:
        repeat = np.zeros(out.size, dtype=bool)
    _, first = np.unique(out, return_index=True)
    within = np.ones(out.size, dtype=bool)
    within[first] = False
    idx = np.flatnonzero(repeat | within)
    return int(idx[0]) if idx.size else -1


def doubling_sizes(n: int) -> Iterator[int]:
    """Batch sizes: the first near the expected collision point, then doubling."""
    size = first_batch_size(n)
    while True:
        yield size
        size *= 2
