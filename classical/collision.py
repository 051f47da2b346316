"""Streaming collision search: query fixed batches of distinct inputs until f repeats.

Shared by the birthday and exhaustive algorithms, which differ only in the order of
their inputs. The inputs never depend on answers, so evaluating a batch and cutting it
at the first collision is exactly the sequential algorithm; only that prefix is charged.
If 2^(n−1) + 1 distinct inputs show no collision, f cannot be two-to-one (pigeonhole on
the 2^(n−1) cosets), so s = 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, rough_duration
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance
from qenergy.problem.kernels import kernel_note, resolve_kernel
from qenergy.problem.oracles import MAX_VECTOR_BITS
from qenergy.problem.queries import CountingOracle

from .result import ClassicalResult


def require_vector_n(n: int) -> None:
    """Classical search evaluates f on uint64 inputs: refuse n > 64 with the allowed range."""
    if n > MAX_VECTOR_BITS:
        raise InputError(f"classical search at n = {n} is not supported; allowed: n <= {MAX_VECTOR_BITS}")


#: Most queries a collision search (birthday, exhaustive) may plan: under a minute at the
#: ~20 million queries/s measured here (benchmarks/RESULTS.md), holding ~[`COLLISION_BYTES_PER_QUERY`][COLLISION_BYTES_PER_QUERY] bytes each.
MAX_COLLISION_QUERIES = 1 << 28
#: Most queries a Pollard-rho search may plan: about a minute at ~1.1 million queries/s (O(n) memory).
MAX_RHO_QUERIES = 1 << 26
#: Memory a collision search holds per query (inputs, outputs and their sorted copy; measured ~36).
COLLISION_BYTES_PER_QUERY = 40


def planned_queries(algorithm: str, n: int, secret: int) -> float:
    """Queries ``algorithm`` will (exhaustive) or is expected to (birthday, rho) make on n bits with period ``secret``.

    exhaustive: the first collision in the order 0, 1, 2, … is at input 2^t (t the highest set bit
    of s), so exactly 2^t + 1 queries; birthday: ≈ 1.2533·2^(n/2) (module `qenergy.classical.birthday`);
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

    Checks n ≤ 64 ([`require_vector_n`][require_vector_n]), then the queries [`planned_queries`][planned_queries] gives for this
    instance's n and secret against [`MAX_COLLISION_QUERIES`][MAX_COLLISION_QUERIES] ([`MAX_RHO_QUERIES`][MAX_RHO_QUERIES] for rho),
    then a collision search's memory against 80 % of the available memory. Called before the first
    query is charged; callers that plan a run should call it before anything is charged at all.
    """
    n, s = instance.n, instance.secret
    require_vector_n(n)
    queries = planned_queries(algorithm, n, s)
    limit = MAX_RHO_QUERIES if algorithm == "rho" else MAX_COLLISION_QUERIES
    if queries > limit:
        rate = 1.1e6 if algorithm == "rho" else 2e7
        case = " (s = 0, one-to-one)" if not s else ""
        hint = (f"n <= {_largest_n(algorithm, limit, one_to_one=False)} for a random secret, "
                f"n <= {_largest_n(algorithm, limit, one_to_one=True)} for s = 0")
        if algorithm == "exhaustive":
            hint = f"n <= {_largest_n(algorithm, limit, one_to_one=False)}, or a secret below 2^{limit.bit_length() - 1}"
        raise InputError(f"classical {algorithm} search at n = {n}{case} would make ~{queries:.3g} queries ({rough_duration(queries / rate)}); "
                         f"allowed: at most {limit:,} planned queries ({hint})")
    if algorithm != "rho":
        check_collision_memory(algorithm, n, queries)
    return queries


def check_collision_memory(algorithm: str, n: int, queries: float) -> None:
    """Refuse a collision search whose ``queries`` stored inputs and answers ([`COLLISION_BYTES_PER_QUERY`][COLLISION_BYTES_PER_QUERY]
    bytes each) would take more than 80 % of the available memory (``ResourceLimitError``)."""
    from qenergy.errors import ResourceLimitError
    from qenergy.problem.oracles import available_memory_bytes

    need, have = COLLISION_BYTES_PER_QUERY * queries, available_memory_bytes()
    if need > 0.8 * have:
        raise ResourceLimitError(f"classical {algorithm} search at n = {n} would hold ~{need / 2**30:.3g} GiB of queries; "
                                 f"this machine has {have / 2**30:.3g} GiB available")


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
    kernel: str | None = None,
) -> ClassicalResult:
    """Query the batches of ``inputs(n)`` (distinct inputs, never repeating earlier ones) until two
    outputs collide, charging each query to ``account``.

    Stops at the first collision or after [`query_cap`][query_cap] queries; returns s = x ⊕ x'.
    Refuses ([`check_search`][check_search]) a search that would not finish in about a minute.
    ``kernel``: ``numba`` (the compiled oracle and [qenergy.classical._numba_collision.SeenHash][]),
    ``numpy`` ([`SeenAnswers`][SeenAnswers]) or None (`qenergy.problem.kernels.resolve_kernel`); the same
    answer, queries and charges either way.
    """
    planned = check_search(algorithm, instance)
    kernel = resolve_kernel(kernel)
    t0 = time.perf_counter()
    seen = _seen_answers(kernel, planned)
    started = time.perf_counter()
    oracle = CountingOracle(instance, ledger, account=account, policy=policy, label=label)
    cap = query_cap(instance.n)
    seen_x: list[NDArray[np.uint64]] = []
    seen_f: list[NDArray[np.uint64]] = []
    total = 0
    timing = {"kernel": kernel, "startup_s": started - t0, "kernel_note": kernel_note(kernel)}
    for xs in inputs(instance.n):
        xs = xs[: cap - total]
        if xs.size == 0:
            break
        hit = -1

        def used(out: NDArray[np.uint64]) -> int:
            nonlocal hit
            hit = seen.add(out)
            return out.size if hit < 0 else hit + 1

        out = oracle.query_prefix(xs, used, kernel=kernel)
        total += out.size
        seen_x.append(xs[: out.size])
        seen_f.append(out)
        if hit >= 0:
            x, x2 = _earlier_input(seen_x, seen_f, out[hit]), int(xs[hit])
            return ClassicalResult(algorithm=algorithm, found=x ^ x2, queries=oracle.queries, collision=(x, x2),
                                   search_s=time.perf_counter() - started, **timing)  # type: ignore[arg-type]
        if total >= cap:
            break
    return ClassicalResult(algorithm=algorithm, found=0, queries=oracle.queries, collision=None, search_s=time.perf_counter() - started,
                           **timing)  # type: ignore[arg-type]


def _seen_answers(kernel: str, expected: float) -> SeenAnswers | Any:
    """The set of answers of a search: compiled (numba, sized for ``expected`` answers; its kernels loaded) or numpy."""
    if kernel != "numba":
        return SeenAnswers()
    from qenergy.problem.kernels import warm_up

    from ._numba_collision import SeenHash
    from ._numba_collision import warm as warm_seen

    warm_up(kernel)  # the oracle's kernels, then the set's: loaded (or compiled) before the search is timed
    warm_seen()
    return SeenHash(int(min(expected, 1 << 30)))


def _earlier_input(seen_x: list[NDArray[np.uint64]], seen_f: list[NDArray[np.uint64]], value: np.uint64) -> int:
    """The first input queried whose answer is ``value`` (batch by batch: no copy of all queries)."""
    for xs, fs in zip(seen_x, seen_f):
        where = np.flatnonzero(fs == value)
        if where.size:
            return int(xs[where[0]])
    raise AssertionError("a repeated answer has an earlier query")  # SeenAnswers.add found it among them


class SeenAnswers:
    """The distinct answers seen so far, sorted, in one buffer that grows by doubling.

    [`add`][add] finds the first repeat of a batch of answers and merges the batch in. The common
    case (no repeat) costs one vectorised sort of the batch (SIMD quicksort where numpy has it),
    one linear merge of two sorted runs in place and one comparison of neighbours: a repeat
    anywhere shows as two equal neighbours in the merged run. Only when there is one is the exact
    first index found, among the few positions holding a repeated value. The buffer is reused, so
    a search touches fresh memory (page faults) only when it grows.
    """

    def __init__(self) -> None:
        self._buf = np.empty(0, dtype=np.uint64)
        self.size = 0

    @property
    def values(self) -> NDArray[np.uint64]:
        """The answers merged so far, sorted (a view of the buffer)."""
        return self._buf[: self.size]

    def add(self, out: NDArray[np.uint64]) -> int:
        """Index of the first answer of ``out`` equal to one seen before or earlier in ``out`` (−1 if
        none); merges ``out`` in. After a repeat the buffer holds the batch too but answers are no
        longer distinct: a search stops at its first repeat."""
        need = self.size + out.size
        if need > self._buf.size:
            grown = np.empty(max(need, 2 * self._buf.size), dtype=np.uint64)
            grown[: self.size] = self._buf[: self.size]
            self._buf = grown
        merged = self._buf[:need]
        merged[self.size :] = np.sort(out)
        if self.size:
            merged.sort(kind="stable")  # two sorted runs: one linear merge
        before, self.size = self.size, need
        equal = merged[1:] == merged[:-1]
        if not equal.any():
            return -1
        repeated = np.unique(merged[1:][equal])
        where = np.flatnonzero(np.isin(out, repeated))  # positions in out holding a repeated value, in order
        values = out[where]
        batch_values, first, in_batch = np.unique(values, return_index=True, return_counts=True)
        in_merged = np.searchsorted(merged, batch_values, "right") - np.searchsorted(merged, batch_values, "left")
        seen_before = (in_merged > in_batch) if before else np.zeros(batch_values.size, dtype=bool)
        is_repeat = seen_before[np.searchsorted(batch_values, values)]
        later = np.ones(where.size, dtype=bool)
        later[first] = False
        hits = where[is_repeat | later]
        return int(hits[0])


#: Largest batch evaluated at once: keeps sorting cache-friendly and memory bounded.
MAX_BATCH = 1 << 21


def batch_sizes(n: int) -> Iterator[int]:
    """Batch sizes: the first near the expected collision point, then doubling, at most [`MAX_BATCH`][MAX_BATCH]."""
    size = min(first_batch_size(n), MAX_BATCH)
    while True:
        yield size
        size = min(2 * size, MAX_BATCH)
