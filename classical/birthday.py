"""Randomised birthday search: distinct uniformly random inputs until f(x) = f(x'); s = x ⊕ x'.

Expected queries about sqrt(π/2 · 2^(n−1))·… ≈ 1.25·2^(n/2) for a two-to-one f; deciding
s = 0 takes 2^(n−1) + 1 queries.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from numpy.typing import NDArray

from qenergy.charging import ChargePolicy
from qenergy.ledger import Ledger
from qenergy.problem import SimonInstance

from .collision import collision_search, doubling_sizes
from .result import ClassicalResult

#: Up to this n the inputs come from one random permutation of all 2^n strings.
_PERMUTATION_MAX_BITS = 22


def random_distinct_inputs(n: int, rng: np.random.Generator) -> Iterator[NDArray[np.uint64]]:
    """Batches of distinct uniformly random n-bit inputs, never repeating across batches."""
    if n <= _PERMUTATION_MAX_BITS:
        perm = rng.permutation(1 << n).astype(np.uint64)
        start = 0
        for size in doubling_sizes(n):
            yield perm[start : start + size]
            start += size
            if start >= perm.size:
                return
    seen = np.empty(0, dtype=np.uint64)
    mask = np.uint64((1 << n) - 1) if n < 64 else np.uint64(2**64 - 1)
    for size in doubling_sizes(n):
        draw = rng.integers(0, 2**64, size=size + 16, dtype=np.uint64, endpoint=False) & mask
        _, first = np.unique(draw, return_index=True)
        draw = draw[np.sort(first)]
        draw = draw[~np.isin(draw, seen)][:size]
        seen = np.concatenate((seen, draw))
        yield draw


def birthday_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
) -> ClassicalResult:
    """Find s by random collision search, charging every query to ``account``."""
    return collision_search(
        "birthday", instance, ledger, lambda n: random_distinct_inputs(n, rng), policy=policy, account=account, label=label
    )
