"""Simon's algorithm: sample until n − 1 independent equations, solve over GF(2), confirm classically.

Shots are drawn adaptively: while the equations miss k independent rows, draw exactly
k more shots (no fewer can complete them, so this makes the same number of queries as
drawing one shot at a time, in far fewer backend calls). The candidate c is confirmed
with two classical queries, f(0) = f(c); if they differ, f is one-to-one and s = 0.
Every shot and query is charged to the ledger through the charging policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qenergy.charging import BoundsPolicy, ChargePolicy
from qenergy.errors import QenergyError
from qenergy.gf2 import EchelonBasis
from qenergy.ledger import Ledger
from qenergy.problem import SimonInstance
from qenergy.queries import CountingOracle

from .backends import PreparedSimon, RunMetadata, SimonBackend

__all__ = ["QuantumResult", "run_simon"]


@dataclass(frozen=True)
class QuantumResult:
    """Outcome of one run of Simon's algorithm.

    Attributes:
        found: the secret reported (0: one-to-one).
        candidate: the non-zero null vector of the equations, before confirmation.
        shots: quantum oracle queries (circuit shots).
        confirmation_queries: classical queries for the check f(0) = f(candidate).
        rank: rank of the measured equations (n − 1 when solved).
        batches: backend calls made.
        metadata: backend, method, qubits, depth, gate counts, wall time.
    """

    found: int
    candidate: int
    shots: int
    confirmation_queries: int
    rank: int
    batches: int
    metadata: RunMetadata

    @property
    def queries(self) -> int:
        """All oracle queries: quantum shots plus classical confirmations."""
        return self.shots + self.confirmation_queries


def run_simon(
    instance: SimonInstance,
    backend: SimonBackend | PreparedSimon,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "quantum",
    label: str = "",
    max_shots: int | None = None,
) -> QuantumResult:
    """Run Simon's algorithm on ``backend``, charging shots and confirmations to ``account``.

    ``backend`` may be a backend or a circuit it already prepared for ``instance``.

    ``max_shots`` (default 20·n + 100) stops a backend that never yields enough
    independent equations (for an ideal simulator the chance of reaching it is < 2^−(19n+101)).
    """
    pol: ChargePolicy = policy if policy is not None else BoundsPolicy()
    n = instance.n
    limit = max_shots if max_shots is not None else 20 * n + 100
    prepared = backend if isinstance(backend, PreparedSimon) else backend.prepare(instance, rng=rng)
    gates = sum(v for k, v in prepared.metadata.gate_counts.items() if k != "measure")
    basis = EchelonBasis(n)
    shots = batches = 0
    while basis.rank < n - 1:
        k = n - 1 - basis.rank
        if shots + k > limit:
            raise QenergyError(
                f"{prepared.metadata.backend} gave only rank {basis.rank} of {n - 1} after {shots} shots "
                f"(limit {limit}); the samples are not those of an ideal Simon circuit"
            )
        sample = prepared.sample(k)
        pol.charge_shots(ledger, n, k, gates=gates, account=account, label=label)
        shots += k
        batches += 1
        basis.add(sample.ys)
    estimate = basis.solve_secret()
    candidate = estimate.candidate
    assert candidate is not None
    checker = CountingOracle(instance, ledger, account=account, policy=pol, label=label, role="check")
    f0, fc = checker.query_ints([0, candidate])
    found = candidate if candidate and f0 == fc else 0
    return QuantumResult(
        found=found,
        candidate=candidate,
        shots=shots,
        confirmation_queries=checker.queries,
        rank=estimate.rank,
        batches=batches,
        metadata=prepared.metadata,
    )
