"""Simon's algorithm: sample, solve over GF(2), confirm classically; adaptive on ideal
backends, noise-aware on noisy ones.

* ``adaptive`` (ideal simulators): while the equations miss k independent rows, draw
  exactly k more shots (no fewer can complete them, so this makes the same number of
  queries as drawing one shot at a time, in far fewer backend calls); the candidate c is
  confirmed with two classical queries, f(0) = f(c); if they differ, f is one-to-one and
  s = 0.
* ``robust`` (devices and their noisy twins): draw a fixed budget of shots, rank
  candidates by their agreement with all samples (:mod:`circuits.robust`), and confirm
  them in order with f(0) = f(c) (one query for f(0), one per candidate tried); when no
  candidate confirms, s = 0. The confidence reported is the fraction of shots
  consistent with the answer (for s = 0: one minus the best candidate's score).

Every shot, every confirmation query and every QPU job is charged to the ledger: shots
and confirmations to the quantum account as ``upper_bound`` charges, QPU jobs (their
``estimated`` wall-plug energy) to an account of their own (``qpu`` by default), so a
bound and an estimate are never summed in one account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np

from qenergy.charging import BoundsPolicy, ChargePolicy
from qenergy.errors import QenergyError
from qenergy.gf2 import EchelonBasis
from qenergy.ledger import Ledger
from qenergy.problem import SimonInstance
from qenergy.qpu import QPUPowerModel
from qenergy.queries import CountingOracle

from .backends import PreparedSimon, RunMetadata, SimonBackend
from .robust import agreement, rank_candidates

__all__ = ["QuantumResult", "default_robust_shots", "run_simon", "run_simon_batch"]

Strategy = Literal["auto", "adaptive", "robust"]


@dataclass(frozen=True)
class QuantumResult:
    """Outcome of one run of Simon's algorithm.

    Attributes:
        found: the secret reported (0: one-to-one).
        candidate: the best candidate before confirmation (0 when there was none).
        shots: quantum oracle queries (circuit shots).
        confirmation_queries: classical queries for the checks f(0) = f(c).
        rank: rank of the measured equations.
        batches: backend calls made.
        metadata: backend, method, qubits, depth, gate counts, wall time.
        strategy: ``adaptive`` or ``robust``.
        confidence: fraction of shots consistent with the answer (1 for ideal samples).
        candidates_tried: candidates confirmed or refuted by classical queries.
        job_ids: QPU jobs run (empty for simulators).
        qpu_energy_j: energy charged for QPU jobs (estimated).
    """

    found: int
    candidate: int
    shots: int
    confirmation_queries: int
    rank: int
    batches: int
    metadata: RunMetadata
    strategy: str = "adaptive"
    confidence: float = 1.0
    candidates_tried: int = 1
    job_ids: tuple[str, ...] = ()
    qpu_energy_j: float = 0.0

    @property
    def queries(self) -> int:
        """All oracle queries: quantum shots plus classical confirmations."""
        return self.shots + self.confirmation_queries


def _gates_per_shot(prepared: PreparedSimon) -> int:
    """Logical gates a shot applies (H and the oracle network; measurements are not gates)."""
    return prepared.logical_gates


def default_robust_shots(n: int) -> int:
    """Shots of the noise-aware strategy: 64 per outcome bit, at least 512."""
    return max(512, 64 * n)


def run_simon(
    instance: SimonInstance,
    backend: SimonBackend | PreparedSimon,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "quantum",
    qpu_account: str = "qpu",
    label: str = "",
    max_shots: int | None = None,
    strategy: Strategy = "auto",
    robust_shots: int | None = None,
    max_candidates: int = 8,
    qpu_power: QPUPowerModel | None = None,
) -> QuantumResult:
    """Run Simon's algorithm on ``backend``, charging shots and confirmations to ``account``
    and QPU jobs to ``qpu_account``.

    ``backend`` may be a backend or a circuit it already prepared for ``instance``.
    ``strategy="auto"`` is ``robust`` on noisy backends and ``adaptive`` otherwise.
    ``max_shots`` (adaptive; default 20·n + 100) stops a backend that never yields enough
    independent equations (for an ideal simulator the chance of reaching it is < 2^−(19n+101)).
    """
    pol: ChargePolicy = policy if policy is not None else BoundsPolicy()
    prepared = backend if isinstance(backend, PreparedSimon) else backend.prepare(instance, rng=rng)
    mode = ("robust" if prepared.noisy else "adaptive") if strategy == "auto" else strategy
    gates = _gates_per_shot(prepared)
    charged_jobs = len(prepared.jobs)
    qpu = qpu_power if qpu_power is not None else QPUPowerModel()
    qpu_j = 0.0

    def sample(k: int) -> np.ndarray:
        nonlocal charged_jobs, qpu_j
        try:
            ys = prepared.sample(k).ys
        finally:  # jobs are charged even when they failed (failed ones charge nothing)
            for job in prepared.jobs[charged_jobs:]:
                qpu_j += qpu.charge_job(ledger, job, account=qpu_account, label=label)
            charged_jobs = len(prepared.jobs)
        pol.charge_shots(ledger, instance.n, k, gates=gates, account=account, label=label)
        return ys

    checker = CountingOracle(instance, ledger, account=account, policy=pol, label=label, role="check")
    if mode == "adaptive":
        result = _adaptive(instance, prepared, sample, checker, max_shots)
    else:
        result = _robust(instance, prepared, sample, checker, robust_shots, max_candidates, rng)
    return QuantumResult(**result, metadata=prepared.metadata, job_ids=tuple(j.job_id for j in prepared.jobs), qpu_energy_j=qpu_j)


def _adaptive(instance: SimonInstance, prepared: PreparedSimon, sample, checker: CountingOracle, max_shots: int | None) -> dict:  # type: ignore[no-untyped-def]
    n = instance.n
    limit = max_shots if max_shots is not None else 20 * n + 100
    basis = EchelonBasis(n)
    shots = batches = 0
    while basis.rank < n - 1:
        k = n - 1 - basis.rank
        if shots + k > limit:
            raise QenergyError(
                f"{prepared.metadata.backend} gave only rank {basis.rank} of {n - 1} after {shots} shots "
                f"(limit {limit}); the samples are not those of an ideal Simon circuit (try a noise-aware run)"
            )
        basis.add(sample(k))
        shots += k
        batches += 1
    candidate = basis.solve_secret().candidate
    assert candidate is not None
    f0, fc = checker.query_ints([0, candidate])
    return {
        "found": candidate if candidate and f0 == fc else 0,
        "candidate": candidate,
        "shots": shots,
        "confirmation_queries": checker.queries,
        "rank": basis.rank,
        "batches": batches,
        "strategy": "adaptive",
    }


def _robust(instance: SimonInstance, prepared: PreparedSimon, sample, checker: CountingOracle, shots: int | None,  # type: ignore[no-untyped-def]
            max_candidates: int, rng: np.random.Generator) -> dict:
    n = instance.n
    k = shots if shots is not None else default_robust_shots(n)
    ys = sample(k)
    basis = EchelonBasis(n)
    basis.add(ys)
    ranked = rank_candidates(ys, n, limit=max_candidates, rng=rng)
    found, tried = 0, 0
    (f0,) = checker.query_ints([0])
    for candidate, _score in ranked:
        tried += 1
        (fc,) = checker.query_ints([candidate])
        if fc == f0:
            found = candidate
            break
    if found:
        confidence = agreement(ys, found)
    else:
        confidence = 1.0 - (ranked[0][1] if ranked else 0.0)
    return {
        "found": found,
        "candidate": ranked[0][0] if ranked else 0,
        "shots": k,
        "confirmation_queries": checker.queries,
        "rank": basis.rank,
        "batches": 1,
        "strategy": "robust",
        "confidence": confidence,
        "candidates_tried": tried,
    }


def run_simon_batch(
    instances: Sequence[SimonInstance],
    prepared: Sequence[PreparedSimon],
    ledger: Ledger,
    *,
    sample_all: Callable[[Sequence[PreparedSimon], int], list[np.ndarray]],
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    account: str = "quantum",
    qpu_account: str = "qpu",
    labels: Sequence[str] | None = None,
    shots: int | None = None,
    max_candidates: int = 8,
    qpu_power: QPUPowerModel | None = None,
) -> list[QuantumResult]:
    """The noise-aware strategy for many instances whose circuits go to a device in one job.

    ``sample_all(prepared, shots)`` samples every circuit at once (e.g.
    :func:`circuits.ibm_backend.sample_batch`); the job is charged once, labelled
    ``batch``, and each instance's shots and confirmations under its own label.
    """
    pol: ChargePolicy = policy if policy is not None else BoundsPolicy()
    qpu = qpu_power if qpu_power is not None else QPUPowerModel()
    names = list(labels) if labels is not None else [f"instance {i}" for i in range(len(instances))]
    k = shots if shots is not None else max(default_robust_shots(inst.n) for inst in instances)
    before = len(prepared[0].jobs)
    try:
        samples = sample_all(prepared, k)
    finally:
        for job in prepared[0].jobs[before:]:
            qpu.charge_job(ledger, job, account=qpu_account, label="batch")
    results = []
    for inst, prep, ys, label in zip(instances, prepared, samples, names):
        gates = _gates_per_shot(prep)

        def sample(count: int, ys: np.ndarray = ys, n: int = inst.n, gates: int = gates, label: str = label) -> np.ndarray:
            pol.charge_shots(ledger, n, count, gates=gates, account=account, label=label)
            return ys

        checker = CountingOracle(inst, ledger, account=account, policy=pol, label=label, role="check")
        out = _robust(inst, prep, sample, checker, k, max_candidates, rng)
        results.append(QuantumResult(**out, metadata=prep.metadata, job_ids=tuple(j.job_id for j in prep.jobs)))
    return results
