"""Randomised birthday search: distinct uniformly random inputs until f(x) = f(x'); s = x ⊕ x'.

Expected queries for a two-to-one f on N = 2^n inputs (2^(n−1) pairs {x, x ⊕ s}): after k
distinct queries none of which collide, the next one, uniform over the N − k inputs not yet
queried, collides exactly when it is the partner of one of the k, with probability k/(N − k).
So P(Q > k) = ∏_{i=0}^{k−1} (N − 2i)/(N − i) and

    E[Q] = Σ_{k=0}^{N/2} ∏_{i=0}^{k−1} (N − 2i)/(N − i) ≈ sqrt(π/2 · 2^n) ≈ 1.2533·2^(n/2)

(P(Q > k) ≈ exp(−k²/(2N)); exactly 40.12 at n = 10, 320.85 at n = 16). It is not
sqrt(π/2 · 2^(n−1)): that would be the birthday bound for outputs drawn *with* replacement
from the 2^(n−1) values, where a repeated input also counts as a collision. Deciding s = 0
takes 2^(n−1) + 1 queries.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance
from qenergy.problem.kernels import resolve_kernel
from qenergy.problem.oracles import KeyedPermutation

from .base import SearchFunction
from .collision import batch_sizes, collision_search
from .result import ClassicalResult

#: Up to this n the inputs come from one random permutation of all 2^n strings.
_PERMUTATION_MAX_BITS = 22


def random_distinct_inputs(n: int, rng: np.random.Generator, kernel: str | None = None) -> Iterator[NDArray[np.uint64]]:
    """Batches of distinct uniformly random n-bit inputs, never repeating across batches.

    Up to n = 22: one random permutation of all 2^n inputs. Beyond: π(0), π(1), π(2), …
    for a seeded keyed pseudorandom permutation π, so no input is drawn twice and no
    memory of earlier inputs is kept.
    """
    if n <= _PERMUTATION_MAX_BITS:
        perm = rng.permutation(1 << n).astype(np.uint64)
        start = 0
        for size in batch_sizes(n):
            yield perm[start : start + size]
            start += size
            if start >= perm.size:
                return
    pi = KeyedPermutation.from_rng(n, rng)
    start = 0
    for size in batch_sizes(n):
        xs = np.arange(start, start + size, dtype=np.uint64)
        yield pi.apply(xs, out=xs, kernel=kernel)  # in place: one fresh array per batch, not two
        start += size


def birthday_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
    kernel: str | None = None,
) -> ClassicalResult:
    """Find s by random collision search, charging every query to ``account``.

    ``kernel``: ``numba``, ``numpy`` or None (numba when installed); the same answer, queries and charges either way.
    """
    kernel = resolve_kernel(kernel)
    return collision_search(
        "birthday", instance, ledger, lambda n: random_distinct_inputs(n, rng, kernel), policy=policy, account=account, label=label,
        kernel=kernel,
    )


#: The registered ``birthday`` entry of ``qenergy.classical``.
BIRTHDAY = SearchFunction("birthday", "randomised birthday search, batched with sort-based collision detection", birthday_search)
