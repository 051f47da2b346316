"""Simon's algorithm: sample, solve over GF(2), confirm classically; adaptive on ideal
backends, noise-robust on noisy ones; every outcome proven (``solved``, or
``solved_classically`` when the classical one-to-one proof found s and the quantum samples
did not) or ``unresolved``.

* ``adaptive`` (ideal simulators): while the equations miss k independent rows, draw
  exactly k more shots (no fewer can complete them, so this makes the same number of
  queries as drawing one shot at a time, in far fewer backend calls); the candidate c is
  confirmed with two classical queries, f(0) = f(c); if they differ, f is one-to-one and
  s = 0 (sound for ideal samples, which lie in s^⊥: s ∈ {0, c}). On a noisy backend forced
  to run ``adaptive`` that last step proves nothing, and the run ends ``unresolved``.
* ``robust`` (noisy simulators, devices and their twins): [qenergy.circuits.noisy_solver.solve_noisy][]
  draws shots in rounds (planned from the estimated corruption rate and a target posterior,
  capped by ``shots_budget``, default 20·n + 100), ranks candidates by their agreement with
  all samples (an exhaustive Walsh–Hadamard transform for n ≤ 20, pooled Gaussian
  elimination beyond), and confirms the best with f(0) = f(c). s = 0 is reported only after
  the classical proof that f is one-to-one (2^(n−1) + 1 inputs without a collision, when it
  fits ``max_proof_queries``); anything not proven is ``unresolved`` with ``found = None``.
  When that proof settles the run (s = 0 proven, or its queries hit a collision that gives
  s) the answer is the classical side's, so the status is ``solved_classically`` and
  ``resolved_by`` says which (``proof`` or ``collision``); ``solved`` means the samples'
  candidate passed the check f(0) = f(c) (``resolved_by`` ``check``).
  ``confidence`` is the posterior probability, given the samples and the checks, that the
  answer is s (1 when solved); ``forecast`` is the samples' prediction, before the checks,
  that the run ends solved.

Every shot, every confirmation query and every QPU job is charged to the ledger: shots
and confirmations to the quantum account as ``upper_bound`` charges, QPU jobs (their
``estimated`` wall-plug energy) to an account of their own (``qpu`` by default), so a
bound and an estimate are never summed in one account. ``noise_multiplier`` is the
shots used ÷ the ideal expected shots E[R](n) ([qenergy.energy.counts.expected_runs][]).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, QenergyError
from qenergy.hardware.qpu import QPUPowerModel
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy, ChargePolicy
from qenergy.problem.gf2 import EchelonBasis
from qenergy.problem.instance import SimonInstance
from qenergy.problem.queries import CountingOracle
from qenergy.weight import WeightCandidates

from .base import PreparedSimon, RunMetadata, SimonBackend, check_noisy_budget
from .noisy_solver import NoisySolution, NoisySolverConfig, WeightPrior, default_shots_budget, noise_multiplier, solve_noisy

__all__ = ["CLASSICAL_RESOLUTIONS", "QuantumResult", "Status", "default_robust_shots", "default_shots_budget", "run_simon", "run_simon_batch"]

Status = Literal["solved", "solved_classically", "unresolved"]

#: ``resolved_by`` values that mean the classical one-to-one proof, not the quantum samples, found s.
CLASSICAL_RESOLUTIONS = ("proof", "collision")

Strategy = Literal["auto", "adaptive", "robust"]
#: Draws and charges k shots, returning a ``(k, n)`` 0/1 array.
Sampler = Callable[[int], NDArray[np.uint8]]


@dataclass(frozen=True)
class StrategyOutcome:
    """What a strategy (``adaptive`` or ``robust``) found, before the run's metadata and jobs are added.

    The fields mean what [`QuantumResult`][QuantumResult]'s fields of the same name mean.
    """

    found: int | None
    candidate: int
    shots: int
    confirmation_queries: int
    rank: int
    batches: int
    strategy: str
    status: Status
    confidence: float
    noise_multiplier: float
    candidates_tried: int = 1
    corruption_rate: float | None = None
    resolved_by: str = ""
    shots_budget: int | None = None
    forecast: float | None = None

    def result(self, *, metadata: RunMetadata, job_ids: tuple[str, ...] = (), qpu_energy_j: float = 0.0, noise: str = "none") -> QuantumResult:
        """The [`QuantumResult`][QuantumResult] of this outcome on a run with ``metadata``."""
        return QuantumResult(
            found=self.found, candidate=self.candidate, shots=self.shots, confirmation_queries=self.confirmation_queries, rank=self.rank,
            batches=self.batches, metadata=metadata, strategy=self.strategy, confidence=self.confidence, candidates_tried=self.candidates_tried,
            job_ids=job_ids, qpu_energy_j=qpu_energy_j, status=self.status, noise_multiplier=self.noise_multiplier, noise=noise,
            corruption_rate=self.corruption_rate, resolved_by=self.resolved_by, shots_budget=self.shots_budget, forecast=self.forecast,
        )


@dataclass(frozen=True)
class QuantumResult:
    """Outcome of one run of Simon's algorithm.

    Attributes:
        found: the secret when solved (0: f shown one-to-one); None when unresolved.
        candidate: the best candidate from the samples (robust strategy: the best one no check refuted; 0 when there was none).
        shots: quantum oracle queries (circuit shots).
        confirmation_queries: classical queries for the checks f(0) = f(c) (and any one-to-one proof).
        rank: rank of the measured equations.
        batches: backend calls made (sampling rounds).
        metadata: backend, method, qubits, depth, gate counts, wall time.
        strategy: ``adaptive`` or ``robust``.
        confidence: probability, given the samples and every check's outcome, that the answer is s: 1 when
            solved (and for ideal samples); for an unresolved run the posterior of the best candidate no
            check refuted (``candidate``).
        candidates_tried: candidates confirmed or refuted by classical queries.
        job_ids: QPU jobs run (empty for simulators).
        qpu_energy_j: energy charged for QPU jobs (estimated).
        status: ``solved`` (the samples' candidate, proven by the classical check f(0) = f(c)),
            ``solved_classically`` (the quantum samples did not give s: the classical one-to-one
            proof found it, ``resolved_by`` ``proof`` or ``collision``) or ``unresolved``.
        noise_multiplier: shots ÷ E[R](n), the ideal expected shots (at least 1 in the denominator).
        noise: the noise SPEC the circuit ran with (``none`` for ideal simulators; devices carry their own).
        corruption_rate: estimated fraction of corrupted shots (robust strategy), None when unknown.
        resolved_by: who found the answer: ``check`` (the samples' candidate, confirmed), ``proof`` (the
            classical proof that f is one-to-one: s = 0), ``collision`` (the proof's classical queries found s),
            ``samples`` (s = 0 under a weight promise: ideal samples ruled out every non-zero weight-≤W candidate)
            or ``""`` (unresolved).
        shots_budget: the cap on shots that applied (robust strategy).
        forecast: robust strategy: the probability, made before their outcomes, that the final checks
            contain s (the predicted chance of ending solved; [`NoisySolution`][qenergy.circuits.noisy_solver.NoisySolution]);
            None otherwise.
    """

    found: int | None
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
    status: Status = "solved"
    noise_multiplier: float = 1.0
    noise: str = "none"
    corruption_rate: float | None = None
    resolved_by: str = "check"
    shots_budget: int | None = None
    forecast: float | None = None

    @property
    def queries(self) -> int:
        """All oracle queries: quantum shots plus classical confirmations."""
        return self.shots + self.confirmation_queries

    @property
    def solved(self) -> bool:
        """True when the answer is proven (``solved`` or ``solved_classically``)."""
        return self.status != "unresolved"


def _gates_per_shot(prepared: PreparedSimon) -> int:
    """Logical gates a shot applies (H and the oracle network; measurements are not gates)."""
    return prepared.logical_gates


def default_robust_shots(n: int) -> int:
    """First round of the robust strategy on device backends (one job, which costs seconds of QPU
    time whatever its size): 64 shots per outcome bit, at least 512."""
    return max(512, 64 * n)


def _is_device(prepared: PreparedSimon) -> bool:
    return prepared.metadata.method in ("qpu", "local-noisy")


def _solver_config(n: int, prepared: PreparedSimon, *, shots_budget: int | None, robust_shots: int | None, max_candidates: int,
                   target_success: float, max_proof_queries: int, solver: NoisySolverConfig | None) -> NoisySolverConfig:
    """The solver's settings: ``solver`` (else ``max_candidates``, ``target_success`` and ``max_proof_queries``),
    with ``shots_budget`` and ``robust_shots`` overriding its budget and first round; device backends draw
    [`default_robust_shots`][default_robust_shots] in their first round and their default budget is at least that."""
    base = solver if solver is not None else NoisySolverConfig(max_candidates=max_candidates, target_success=target_success,
                                                               max_proof_queries=max_proof_queries)
    first = robust_shots if robust_shots is not None else base.first_round
    if first is None and _is_device(prepared):
        first = default_robust_shots(n)
    budget = shots_budget if shots_budget is not None else base.shots_budget
    if budget is None:
        budget = max(default_shots_budget(n), first or 0)
    return replace(base, shots_budget=budget, first_round=first)


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
    shots_budget: int | None = None,
    target_success: float = 0.99,
    max_proof_queries: int = 1025,
    solver: NoisySolverConfig | None = None,
) -> QuantumResult:
    """Run Simon's algorithm on ``backend``, charging shots and confirmations to ``account``
    and QPU jobs to ``qpu_account``.

    ``backend`` may be a backend or a circuit it already prepared for ``instance``.
    ``strategy="auto"`` is ``robust`` on noisy backends and ``adaptive`` otherwise.
    ``max_shots`` (adaptive; default 20·n + 100) stops a backend that never yields enough
    independent equations (for an ideal simulator the chance of reaching it is < 2^−(19n+101)).

    Robust strategy: ``shots_budget`` caps the quantum shots (default
    [`default_shots_budget`][qenergy.circuits.noisy_solver.default_shots_budget], 20·n + 100, and at least the first
    round), ``robust_shots`` sets the first round, ``max_candidates`` caps the candidate checks,
    ``target_success`` is the posterior the shot planner aims at, ``max_proof_queries`` allows
    the one-to-one proof (2^(n−1) + 1 queries) up to that many queries; ``solver``
    ([`NoisySolverConfig`][qenergy.circuits.noisy_solver.NoisySolverConfig]) gives every knob at once and then replaces
    those three (``shots_budget`` and ``robust_shots`` still override its budget and first round).
    """
    pol: ChargePolicy = policy if policy is not None else BoundsPolicy()
    prepared = backend if isinstance(backend, PreparedSimon) else backend.prepare(instance, rng=rng)
    mode = ("robust" if prepared.noisy else "adaptive") if strategy == "auto" else strategy
    if mode not in ("adaptive", "robust"):
        raise InputError(f"strategy {mode!r} is not allowed; allowed: auto, adaptive, robust")
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
    if mode == "adaptive" and instance.secret_weight is not None:
        result = _adaptive_weight(instance, prepared, sample, checker, max_shots)
    elif mode == "adaptive":
        result = _adaptive(instance, prepared, sample, checker, max_shots, shots_budget)
    else:
        cfg = _solver_config(instance.n, prepared, shots_budget=shots_budget, robust_shots=robust_shots, max_candidates=max_candidates,
                             target_success=target_success, max_proof_queries=max_proof_queries, solver=solver)
        if not _is_device(prepared):  # a simulator's time and memory grow with the budget: estimated before the first shot
            ops = sum(v for k, v in prepared.metadata.gate_counts.items() if k != "barrier")  # the simulator's operations per shot
            check_noisy_budget(instance, int(cfg.shots_budget or 0), method=prepared.metadata.method, gates=max(1, gates, ops),
                               backend=prepared.metadata.backend)
        result = _robust(instance, sample, checker, cfg, rng)
    return result.result(metadata=prepared.metadata, job_ids=tuple(j.job_id for j in prepared.jobs), qpu_energy_j=qpu_j,
                         noise=_noise_text(prepared))


def _noise_text(prepared: PreparedSimon) -> str:
    spec = getattr(prepared, "noise", None)
    if spec is not None:
        return str(spec)
    return "device" if _is_device(prepared) else "none"


def _adaptive(instance: SimonInstance, prepared: PreparedSimon, sample: Sampler, checker: CountingOracle, max_shots: int | None,
              shots_budget: int | None = None) -> StrategyOutcome:
    n = instance.n
    limit = shots_budget if shots_budget is not None else max_shots if max_shots is not None else 20 * n + 100
    basis = EchelonBasis(n)
    shots = batches = 0
    while basis.rank < n - 1:
        k = n - 1 - basis.rank
        if shots + k > limit and shots_budget is not None and shots < limit:
            k = limit - shots  # the user's budget is spent whole ...
        elif shots + k > limit and shots_budget is not None:  # ... and then the run ends unresolved, as documented
            return StrategyOutcome(found=None, candidate=0, shots=shots, confirmation_queries=checker.queries, rank=basis.rank,
                                   batches=batches, strategy="adaptive", status="unresolved", confidence=0.0,
                                   noise_multiplier=noise_multiplier(shots, n), candidates_tried=0, shots_budget=shots_budget)
        elif shots + k > limit:  # an internal cap on an ideal backend: its samples are not those of Simon's circuit
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
    return _checked_outcome(prepared, candidate, bool(candidate) and f0 == fc, shots, batches, basis.rank, checker, n, "check")


def _checked_outcome(prepared: PreparedSimon, candidate: int, confirmed: bool, shots: int, batches: int, rank: int,
                     checker: CountingOracle, n: int, solved_by: str) -> StrategyOutcome:
    """The adaptive strategies' outcome once the candidate was checked: f(0) = f(c) proves s = c; otherwise s = 0
    is proven only when every sample lies in s^⊥ (an ideal backend), and a noisy one ends ``unresolved``.
    ``solved_by`` is ``resolved_by`` when solved."""
    status: Status = "solved" if confirmed or not prepared.noisy else "unresolved"
    return StrategyOutcome(
        found=(candidate if confirmed else 0) if status == "solved" else None,
        candidate=candidate,
        shots=shots,
        confirmation_queries=checker.queries,
        rank=rank,
        batches=batches,
        strategy="adaptive",
        status=status,
        confidence=1.0 if not prepared.noisy or confirmed else 0.0,
        noise_multiplier=noise_multiplier(shots, n),
        resolved_by=solved_by if status == "solved" else "",
    )


def _adaptive_weight(instance: SimonInstance, prepared: PreparedSimon, sample: Sampler, checker: CountingOracle,
                     max_shots: int | None) -> StrategyOutcome:
    """The adaptive strategy under the promise wt(s) ≤ W: one shot at a time until at most one non-zero
    weight-≤W string satisfies every sample ([qenergy.weight.WeightCandidates][]), then the check.

    One remaining candidate c is checked with f(0) = f(c) (2 charged queries): equal proves s = c, unequal
    proves s = 0 (ideal samples leave s ∈ {0, c}); none remaining means s = 0 for ideal samples under the
    promise, and is checked by nothing more (as today, a noisy backend ends ``unresolved`` instead).
    About log2 N_W + 2 shots (`qenergy.weight`); stops at n − 1 independent equations at the latest.
    """
    n = instance.n
    assert instance.secret_weight is not None
    limit = max_shots if max_shots is not None else 20 * n + 100
    cands = WeightCandidates(n, instance.secret_weight)
    basis = EchelonBasis(n)
    shots = batches = 0
    while cands.nonzero > 1:
        if shots + 1 > limit:
            raise QenergyError(
                f"{prepared.metadata.backend} left {cands.nonzero} weight-<={instance.secret_weight} candidates after {shots} shots "
                f"(limit {limit}); the samples are not those of an ideal Simon circuit (try a noise-aware run)"
            )
        ys = sample(1)
        basis.add(ys)
        cands.keep_consistent(ys)
        shots += 1
        batches += 1
    candidate = cands.as_ints()[1] if cands.nonzero == 1 else 0
    confirmed = False
    if candidate:
        f0, fc = checker.query_ints([0, candidate])
        confirmed = f0 == fc
    return _checked_outcome(prepared, candidate, confirmed, shots, batches, basis.rank, checker, n, "check" if candidate else "samples")


def _robust(instance: SimonInstance, sample: Sampler, checker: CountingOracle, cfg: NoisySolverConfig, rng: np.random.Generator) -> StrategyOutcome:
    n = instance.n
    prior = WeightPrior(n, instance.secret_weight) if instance.secret_weight is not None else None
    sol: NoisySolution = solve_noisy(n, sample, checker.query_ints, rng=rng, config=cfg, check_many=checker.query if n <= 62 else None,
                                     prior=prior)
    assert sol.check_queries == checker.queries
    return StrategyOutcome(
        found=sol.found,
        candidate=sol.candidate,
        shots=sol.shots,
        confirmation_queries=checker.queries,
        rank=sol.rank,
        batches=sol.rounds,
        strategy="robust",
        confidence=sol.confidence,
        candidates_tried=sol.candidates_tried,
        status="solved_classically" if sol.status == "solved" and sol.resolved_by in CLASSICAL_RESOLUTIONS else sol.status,
        noise_multiplier=noise_multiplier(sol.shots, n),
        corruption_rate=sol.corruption_rate,
        resolved_by=sol.resolved_by,
        shots_budget=sol.budget,
        forecast=sol.forecast,
    )


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
    max_proof_queries: int = 1025,
) -> list[QuantumResult]:
    """The robust strategy for many instances whose circuits go to a device in one job.

    ``sample_all(prepared, shots)`` samples every circuit at once (e.g.
    [qenergy.circuits.ibm_backend.sample_batch][]); the job is charged once, labelled
    ``batch``, and each instance's shots and confirmations under its own label. Every
    instance is solved from that one job's ``shots`` samples (its budget; no further rounds).
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
    cfg = NoisySolverConfig(shots_budget=k, first_round=k, max_candidates=max_candidates, max_proof_queries=max_proof_queries)
    for inst, prep, ys, label in zip(instances, prepared, samples, names):
        gates = _gates_per_shot(prep)

        def sample(count: int, ys: np.ndarray = ys, n: int = inst.n, gates: int = gates, label: str = label) -> np.ndarray:
            if count != ys.shape[0]:
                raise AssertionError(f"a batched instance has {ys.shape[0]} samples, not {count}")
            pol.charge_shots(ledger, n, count, gates=gates, account=account, label=label)
            return ys

        checker = CountingOracle(inst, ledger, account=account, policy=pol, label=label, role="check")
        out = _robust(inst, sample, checker, cfg, rng)
        results.append(out.result(metadata=prep.metadata, job_ids=tuple(j.job_id for j in prep.jobs), noise=_noise_text(prep)))
    return results
