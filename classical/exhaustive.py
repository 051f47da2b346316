"""Deterministic exhaustive search: query x = 0, 1, 2, … until f repeats; s = x ⊕ x'.

At most 2^(n−1) + 1 queries, which also decides s = 0.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance

from .base import SearchFunction
from .collision import batch_sizes, collision_search
from .result import ClassicalResult


def sequential_inputs(n: int) -> Iterator[NDArray[np.uint64]]:
    """Batches 0, 1, 2, … of consecutive inputs."""
    start = 0
    for size in batch_sizes(n):
        yield np.arange(start, start + size, dtype=np.uint64)
        start += size


def exhaustive_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator | None = None,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
) -> ClassicalResult:
    """Find s by querying inputs in order, charging every query to ``account``. ``rng`` is unused."""
    return collision_search("exhaustive", instance, ledger, sequential_inputs, policy=policy, account=account, label=label)


#: The registered ``exhaustive`` entry of ``qenergy.classical``.
EXHAUSTIVE = SearchFunction("exhaustive", "deterministic exhaustive search over x = 0, 1, 2, ...", exhaustive_search)
