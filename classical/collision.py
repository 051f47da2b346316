"""Streaming collision search: query fixed batches of distinct inputs until f repeats.

Shared by the birthday and exhaustive algorithms, which differ only in the order of
their inputs. The inputs never depend on answers, so evaluating a batch and cutting it
at the first collision is exactly the sequential algorithm; only that prefix is charged.
If 2^(n−1) + 1 distinct inputs show no collision, f cannot be two-to-one (pigeonhole on
the 2^(n−1) cosets), so s = 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

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


#: Most queries a collision search (birthday, exhaustive) may plan: about a minute at the
#: ~4.5 million queries/s measured here, holding ~:data:`COLLISION_BYTES_PER_QUERY` bytes each.
MAX_COLLISION_QUERIES = 1 << 28
#: Most queries a Pollard-rho search may plan: about a minute at ~1.1 million queries/s (O(n) memory).
MAX_RHO_QUERIES = 1 << 26
#: Memory a collision search holds per query (inputs, outputs and their sorted copy; measured ~36).
COLLISION_BYTES_PER_QUERY = 40


def planned_queries(algorithm: str, n: int, secret: int) -> float:
    """Queries ``algorithm`` will (exhaustive) or is expected to (birthday, rho) make on n bits with period ``secret``.

    exhaustive: the first collision in the order 0, 1, 2, … is at input 2^t (t the highest set bit
    of s), so exactly 2^t + 1 queries; birthday: ≈ 1.2533·2^(n/2) (module :mod:`classical.birthday`);
    rho: ≈ 3·2^(n/2) (Brent's walk and its tail); s = 0 (one-to-one): 2^(n−1) + 1 queries for the
    collision searches, ~40 walks around cycles of length ~2^n for rho.
    """
    cap = 2.0 ** (n - 1) + 1
    if algorithm == "exhaustive":
        return float((1 << (secret.bit_length() - 1)) + 1) if secret else cap
    if algorithm == "birthday":
        return min(cap, 1.2533 * 2.0 ** (n / 2)) if secret else cap
    if algorithm == "rho":
        return 3.0 * 2.0 ** (n / 2) if secret else 40.0 * 2.0**n
    raise InputError(f"classical algorithm {algorithm!r} is unknown; allowed: birthday, exhaustive, rho")


def _largest_n(algorithm: str, limit: int, *, one_to_one: bool) -> int:
    """Largest n whose planned queries stay within ``limit`` (for the message), s with its top bit at n − 1."""
    best = 0
    for n in range(1, MAX_VECTOR_BITS + 1):
        if planned_queries(algorithm, n, 0 if one_to_one else 1 << (n - 1)) <= limit:
            best = n
    return best


def check_search(algorithm: str, instance: SimonInstance) -> float:
    """Refuse a classical search that cannot finish in about a minute or fit in memory; returns the planned queries.

    Checks n ≤ 64 (:func:`require_vector_n`), then the queries :func:`planned_queries` gives for this
    instance's n and secret against :data:`MAX_COLLISION_QUERIES` (:data:`MAX_RHO_QUERIES` for rho),
    then a collision search's memory against 80 % of the available memory. Called before the first
    query is charged; callers that plan a run should call it before anything is charged at all.
    """
    n, s = instance.n, instance.secret
    require_vector_n(n)
    queries = planned_queries(algorithm, n, s)
    limit = MAX_RHO_QUERIES if algorithm == "rho" else MAX_COLLISION_QUERIES
    if queries > limit:
        rate = 1.1e6 if algorithm == "rho" else 4.5e6
        case = " (s = 0, one-to-one)" if not s else ""
        hint = (f"n <= {_largest_n(algorithm, limit, one_to_one=False)} for a random secret, "
                f"n <= {_largest_n(algorithm, limit, one_to_one=True)} for s = 0")
        if algorithm == "exhaustive":
            hint = f"n <= {_largest_n(algorithm, limit, one_to_one=False)}, or a secret below 2^{limit.bit_length() - 1}"
        raise InputError(f"classical {algorithm} search at n = {n}{case} would make ~{queries:.3g} queries ({_duration(queries / rate)}); "
                         f"allowed: at most {limit:,} planned queries ({hint})")
    if algorithm != "rho":
        from qenergy.errors import ResourceLimitError
        from qenergy.oracles import available_memory_bytes

        need, have = COLLISION_BYTES_PER_QUERY * queries, available_memory_bytes()
        if need > 0.8 * have:
            raise ResourceLimitError(f"classical {algorithm} search at n = {n} would hold ~{need / 2**30:.3g} GiB of queries; "
                                     f"this machine has {have / 2**30:.3g} GiB available")
    return queries


def _duration(seconds: float) -> str:
    """A rough duration for messages: ``about 40 s``, ``about 12 minutes``, ``about 3 hours``, ``about 2e+05 years``."""
    if seconds < 120:
        return f"about {seconds:.0f} s"
    if seconds < 7200:
        return f"about {seconds / 60:.0f} minutes"
    if seconds < 86400 * 365:
        return f"about {seconds / 3600:.2g} hours"
    return f"about {seconds / (86400 * 365):.2g} years"


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
    Refuses (:func:`check_search`) a search that would not finish in about a minute.
    """
    check_search(algorithm, instance)
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
