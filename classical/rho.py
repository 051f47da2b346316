"""Pollard-rho collision search with Brent's cycle finding: O(n) memory.

Walk x_{i+1} = g(x_i) = π(f(x_i)) from a random start, π a keyed pseudorandom
permutation drawn afresh for every walk (a new seed). π is a bijection, so g(a) = g(b)
exactly when f(a) = f(b); it makes the walk behave like a random mapping even when f
has structure (iterating a linear f directly gives cycles of length up to 2^(n−1)).
Each step is one query of f. Brent's method finds the cycle length λ and
then the tail length μ; when μ > 0 the walk entered its cycle from outside, so the two
predecessors of the entry point, x_{μ−1} (on the tail) and x_{μ+λ−1} (on the cycle),
are different inputs with the same output: s = x_{μ−1} ⊕ x_{μ+λ−1}. When μ = 0 the start
lay on its own cycle and no collision is seen: restart with a new start and a new π.

For one-to-one f (s = 0) every walk returns to its start. A two-to-one g maps onto
2^(n−1) values, so at most half the inputs lie on its cycles; after ``max_walks`` walks
that all returned to their start, s = 0 is reported with error probability below
2^−max_walks. Each walk around a permutation's cycle costs O(2^n) queries, so rho is
meant for the two-to-one case; birthday search decides s = 0 exactly.

Every evaluation of f is a query; counts are charged in bulk at the end of each walk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance
from qenergy.problem.oracles import KeyedPermutation
from qenergy.problem.queries import CountingOracle

from .base import SearchFunction
from .collision import check_search
from .result import ClassicalResult

__all__ = ["RhoWalk", "brent_walk", "rho_search"]


@dataclass(frozen=True)
class RhoWalk:
    """One walk: cycle length λ, tail length μ, the colliding pair (None when μ = 0), queries made."""

    start: int
    cycle: int
    tail: int
    collision: tuple[int, int] | None
    queries: int


def brent_walk(f: Callable[[int], int], start: int) -> RhoWalk:
    """Brent's cycle detection from ``start`` under ``f``, then the tail and the collision at the cycle entry.

    ``queries`` counts every call of ``f``.
    """
    power = lam = 1
    tortoise = start
    hare = f(start)
    q = 1
    while tortoise != hare:
        if power == lam:
            tortoise = hare
            power *= 2
            lam = 0
        hare = f(hare)
        q += 1
        lam += 1
    tortoise = hare = start
    for _ in range(lam):
        hare = f(hare)
    q += lam
    mu = 0
    prev_t = prev_h = start
    while tortoise != hare:
        prev_t, prev_h = tortoise, hare
        tortoise = f(tortoise)
        hare = f(hare)
        q += 2
        mu += 1
    return RhoWalk(start, lam, mu, (prev_t, prev_h) if mu else None, q)


def rho_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
    max_walks: int = 40,
) -> ClassicalResult:
    """Find s by Pollard-rho walks, restarting when a walk starts on its own cycle."""
    n = instance.n
    check_search("rho", instance)
    oracle = CountingOracle(instance, ledger, account=account, policy=policy, label=label)
    f = oracle.scalar_function()
    t0 = time.perf_counter()
    for _ in range(max_walks):
        pi = KeyedPermutation.from_rng(n, rng).scalar()
        start = int(rng.integers(0, 2**64 - 1, dtype=np.uint64, endpoint=True)) & ((1 << n) - 1)
        walk = brent_walk(lambda x: pi(f(x)), start)
        oracle.record(walk.queries)
        if walk.collision is not None:
            x, x2 = walk.collision
            return ClassicalResult(algorithm="rho", found=x ^ x2, queries=oracle.queries, collision=(x, x2), kernel="python",
                                   search_s=time.perf_counter() - t0)
    return ClassicalResult(algorithm="rho", found=0, queries=oracle.queries, collision=None, kernel="python", search_s=time.perf_counter() - t0)


#: The registered ``rho`` entry of ``qenergy.classical``.
RHO = SearchFunction("rho", "Pollard rho with Brent's cycle finding, O(n) memory", rho_search)
