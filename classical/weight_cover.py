"""Classical search for Simon's problem under the promise wt(s) ≤ W: query a difference cover.

A collision f(x) = f(x') reveals s = x ⊕ x', and a set Q of queries can reveal exactly the secrets
among its pairwise XORs. [qenergy.weight.cover_inputs][] builds a Q whose pairwise XORs
contain every string of weight ≤ W (t = ⌊W/2⌋: all strings of weight ≤ t, plus, for odd W, the
strings of weight t + 1 inside one half of the bits). The search queries Q in a random order
(``rng``) and stops at the first collision; no collision in all of Q proves s = 0 under the
promise. The inputs never depend on answers, so batches are evaluated and cut at the first
collision ([qenergy.problem.queries.CountingOracle.query_prefix][]): charges equal evaluations made.

Query law (ours): worst case |Q| = [qenergy.weight.cover_size][] (also s = 0), e.g. n + 1 for
W = 1 and W = 2, about n²/2 for W = 4, about n + n²/4 for W = 3. The order is random, so for a
secret covered by a single pair the first collision comes after about 2|Q|/3 queries on average
(the later of two uniform positions). The lower bound it is compared with
([qenergy.energy.counts.classical_min_queries][] with ``secret_weight``): for s uniform over the
N_W − 1 non-zero weight-≤W strings and f otherwise random, any q-query algorithm succeeds with
probability ≤ (C(q, 2) + 1)/(N_W − 1 − C(q, 2)), so q ≳ sqrt(2·p·N_W). Against it: W = 2 meets it
(the C(n + 1, 2) pairs of Q are exactly the N_2 − 1 non-zero targets); W = 4 within a factor
sqrt(3); W = 1 needs n + 1 queries for a deterministic answer (a connected set of queries spans at
most |Q| − 1 directions of the cube), above the pair-counting bound sqrt(2n); odd W ≥ 3 stays a
factor ~sqrt(n) above it. Whether a better construction exists for odd W is open here.
The bound assumes the oracle reveals nothing but equalities (the ``random`` and ``table``
families); a ``linear`` oracle also leaks s through linearity (n + 1 queries find its kernel),
which this search, like every collision search in qenergy, does not use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance
from qenergy.problem.queries import CountingOracle
from qenergy.weight import cover_inputs, cover_size

from .base import SearchFunction
from .collision import MAX_BATCH, MAX_COLLISION_QUERIES, SeenAnswers, _earlier_input, check_collision_memory, require_vector_n
from .result import ClassicalResult

__all__ = ["WEIGHT_COVER", "WeightCoverSearch", "weight_cover_search"]


def _weight(instance: SimonInstance) -> int:
    if instance.secret_weight is None:
        raise InputError("classical algorithm weight-cover needs --secret-weight; allowed: --secret-weight W with W >= 1, "
                         "or another --classical algorithm")
    return instance.secret_weight


def weight_cover_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "classical",
    label: str = "",
) -> ClassicalResult:
    """Query the weight-≤W difference cover in a random order until f repeats; s = x ⊕ x' (0 when none does).

    Raises:
        InputError: no weight promise on ``instance``, n > 64 or a cover above the query cap.
    """
    WEIGHT_COVER.check(instance)
    w = _weight(instance)
    cover = cover_inputs(instance.n, w)
    order: NDArray[np.uint64] = cover[rng.permutation(cover.size)]
    oracle = CountingOracle(instance, ledger, account=account, policy=policy, label=label)
    seen_x: list[NDArray[np.uint64]] = []
    seen_f: list[NDArray[np.uint64]] = []
    seen = SeenAnswers()
    size = 64
    start = 0
    while start < order.size:
        xs = order[start:start + size]
        hit = -1

        def used(out: NDArray[np.uint64]) -> int:
            nonlocal hit
            hit = seen.add(out)
            return out.size if hit < 0 else hit + 1

        out = oracle.query_prefix(xs, used)
        seen_x.append(xs[: out.size])
        seen_f.append(out)
        if hit >= 0:
            x, x2 = _earlier_input(seen_x, seen_f, out[hit]), int(xs[hit])
            return ClassicalResult(algorithm="weight-cover", found=x ^ x2, queries=oracle.queries, collision=(x, x2))
        start += xs.size
        size = min(2 * size, MAX_BATCH)
    return ClassicalResult(algorithm="weight-cover", found=0, queries=oracle.queries, collision=None)


@dataclass(frozen=True)
class WeightCoverSearch(SearchFunction):
    """The registered ``weight-cover`` entry of ``qenergy.classical`` (the default with ``--secret-weight``): the
    shared search-function adapter with its own check (the cover's size depends on W, not on the secret)."""

    def check(self, instance: SimonInstance) -> None:
        """Refuse an instance without a weight promise, n > 64, or a cover above the collision searches' cap."""
        w = _weight(instance)
        require_vector_n(instance.n)
        size = cover_size(instance.n, w)
        if size > MAX_COLLISION_QUERIES:
            raise InputError(f"classical weight-cover search at n = {instance.n}, W = {w} would make up to {size:,} queries; "
                             f"allowed: at most {MAX_COLLISION_QUERIES:,} planned queries (a smaller W)")
        check_collision_memory("weight-cover", instance.n, size)


#: The registered ``weight-cover`` entry of ``qenergy.classical``.
WEIGHT_COVER = WeightCoverSearch(
    "weight-cover", "queries a set whose pairwise XORs cover every weight-<=W secret (needs --secret-weight)", weight_cover_search)
