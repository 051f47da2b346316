"""A counting oracle: classical access to an instance's f, every query charged to the ledger in bulk.

Both sides use it: classical algorithms for their search, Simon's algorithm for the
classical confirmation f(0) = f(s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy, ChargePolicy, QueryRole
from qenergy.problem.instance import SimonInstance
from qenergy.problem.oracles import evaluate_with

__all__ = ["CountingOracle"]


class CountingOracle:
    """Evaluates f and charges each query (one query = one input) to ``account``.

    ``role`` tells the policy whose query it is: a classical algorithm's ``search`` or a
    quantum algorithm's classical ``check``.

    Attributes:
        queries: queries charged so far through this object.
    """

    def __init__(
        self,
        instance: SimonInstance,
        ledger: Ledger,
        *,
        account: str = "classical",
        policy: ChargePolicy | None = None,
        label: str = "",
        role: QueryRole = "search",
    ) -> None:
        self.instance = instance
        self.ledger = ledger
        self.account = account
        self.policy: ChargePolicy = policy if policy is not None else BoundsPolicy()
        self.label = label
        self.role: QueryRole = role
        self.queries = 0

    @property
    def n(self) -> int:
        return self.instance.n

    def _charge(self, count: int) -> None:
        self.policy.charge_queries(self.ledger, self.n, count, account=self.account, label=self.label, role=self.role)
        self.queries += count

    def scalar_function(self) -> Callable[[int], int]:
        """The oracle's fast scalar f for sequential walks. Calls through it are NOT charged:
        count them and pass the count to [`record`][record] (at least once per walk)."""
        return self.instance.oracle.scalar_function()

    def record(self, count: int) -> None:
        """Charge ``count`` queries made through [`scalar_function`][scalar_function], in one bulk charge."""
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}")
        self._charge(count)

    def query(self, xs: ArrayLike) -> NDArray[np.uint64]:
        """f at every input of ``xs`` (n ≤ 64), charged as ``len(xs)`` queries in one call."""
        out = self.instance.oracle.evaluate(xs)
        self._charge(int(out.size))
        return out

    def query_ints(self, xs: Sequence[int]) -> list[int]:
        """f at Python-int inputs (any n), charged as ``len(xs)`` queries."""
        out = [self.instance.oracle.evaluate_int(int(x)) for x in xs]
        self._charge(len(out))
        return out

    def query_prefix(self, xs: ArrayLike, used: Callable[[NDArray[np.uint64]], int], *, kernel: str | None = None) -> NDArray[np.uint64]:
        """Evaluate a batch that a sequential algorithm would query in order, and charge only
        the queries it really makes.

        For non-adaptive input sequences (fixed before any answer is seen) the batch is
        the sequential algorithm's next queries; ``used(outputs)`` returns how many of
        them it makes before stopping (e.g. up to and including the first collision).
        Only that prefix is charged and returned. ``kernel``: as in
        [qenergy.problem.oracles.evaluate_with][] (the same answers either way).
        """
        out = evaluate_with(self.instance.oracle, xs, kernel)
        k = int(used(out))
        if not 0 <= k <= out.size:
            raise ValueError(f"used() returned {k}, outside 0..{out.size}")
        self._charge(k)
        return out[:k]
