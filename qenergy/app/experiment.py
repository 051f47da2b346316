"""The experiment runner: one Simon instance, the quantum and classical sides, one ledger.

This module (with the CLI) is where the quantum side (``circuits``) and the classical
side (``classical``) meet; qenergy's core modules import neither.

Use [`plan_simon`][plan_simon] to validate every input and build the instance and circuit
before anything is charged, then [`run_planned`][run_planned] to run both sides on a ledger.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qenergy import circuits, classical
from qenergy.circuits.base import PreparedSimon
from qenergy.circuits.simon import QuantumResult
from qenergy.classical.base import ClassicalAlgorithm
from qenergy.classical.result import ClassicalResult
from qenergy.energy.advantage import BoundRow
from qenergy.errors import InputError
from qenergy.hardware.noise import parse_noise
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy, ChargePolicy
from qenergy.problem.instance import SimonInstance, make_instance, seed_streams
from qenergy.problem.kernels import resolve_kernel
from qenergy.registry import BACKENDS

__all__ = ["RUN_NOTE_KEY", "PlannedSimon", "SimonRun", "fresh_seed", "json_safe", "open_ledger", "plan_simon", "run_note", "run_planned"]

#: Key of the note ``qenergy simon`` and ``qenergy demo`` record beside a run's charges (read by ``qenergy report``).
RUN_NOTE_KEY = "simon_run"


def format_secret(value: int | None, n: int) -> str:
    """Binary up to n = 64; beyond, hex shortened to its first and last 8 digits (``--json`` has every digit)."""
    if value is None:
        return "-"
    if n <= 64:
        return f"{value:#0{n + 2}b}"
    digits = f"{value:0{(n + 3) // 4}x}"
    return f"0x{digits}" if len(digits) <= 20 else f"0x{digits[:8]}…{digits[-8:]}"


def open_ledger(path: Path, temperature_k: float, *, seed: int | None, command: str,
                notify: Callable[[str], None] = lambda _text: None) -> Ledger:
    """[Ledger.open][], telling ``notify`` (one line) of an incomplete line it set aside.

    Raises:
        LedgerError: the file is not a qenergy ledger, was recorded at another temperature, or cannot be written.
    """
    ledger = Ledger.open(path, temperature_k, seed=seed, command=command)
    note = ledger.recovery_note()
    if note:
        notify(note)
    return ledger


def fresh_seed() -> int:
    """A new random seed (recorded in the ledger so the run can be repeated)."""
    entropy = np.random.SeedSequence().entropy
    assert isinstance(entropy, int)  # SeedSequence() without arguments draws one integer
    return entropy % (1 << 63)


@dataclass
class PlannedSimon:
    """A validated instance with its circuit prepared; nothing charged yet."""

    instance: SimonInstance
    seed: int
    prepared: PreparedSimon | None
    algorithm: ClassicalAlgorithm | None
    shots_budget: int | None = None
    dd: str = "none"
    mitigate: str = "none"
    #: Estimated seconds of Aer simulation for a ``fake:`` run's first round (None elsewhere).
    local_estimate_s: float | None = None


@dataclass(frozen=True)
class SimonRun:
    """Both sides of one Simon instance and what the ledger charged them.

    ``quantum`` / ``classical`` are None when that side was skipped. NTS (number of oracle queries to
    solution) is a side's ``queries``: shots plus confirmation queries for the quantum side (None when
    unresolved), queries for the classical side.
    ``quantum_energy_j`` is the quantum account's ``upper_bound`` charges,
    ``classical_energy_j`` the classical account's ``lower_bound`` charges; a QPU's
    ``estimated`` energy is apart ([`qpu_energy_j`][qpu_energy_j], account ``qpu``).
    """

    n: int
    secret: int
    oracle: str
    seed: int
    temperature_k: float
    policy: str
    label: str
    quantum: QuantumResult | None
    quantum_energy_j: float | None
    classical: ClassicalResult | None
    classical_energy_j: float | None
    secret_weight: int | None = None

    @property
    def quantum_bound_j(self) -> float | None:
        """The quantum side's upper-bound charges (the figure the criterion uses)."""
        return self.quantum_energy_j

    @property
    def qpu_energy_j(self) -> float:
        """Estimated QPU energy of the quantum side (0 on simulators)."""
        return self.quantum.qpu_energy_j if self.quantum is not None else 0.0

    def sweep_rows(self, repeat: int, bound: BoundRow) -> list[dict[str, Any]]:
        """One results.csv row per side of this run, beside the bound of its side at the same n."""
        out: list[dict[str, Any]] = []
        if self.quantum is not None:
            q = self.quantum
            out.append({"side": "quantum", "method": f"{q.metadata.backend}/{q.metadata.method}", "found": q.found, "queries": q.queries,
                        "shots": q.shots, "charged_j": self.quantum_energy_j, "bound_j": bound.quantum_upper_j, "bound_basis": "upper_bound",
                        "wall_time_s": q.metadata.wall_time_s, "log10_bound_j": math.log10(bound.quantum_upper_j)})
        if self.classical is not None:
            c = self.classical
            out.append({"side": "classical", "method": c.algorithm, "found": c.found, "queries": c.queries, "shots": 0,
                        "charged_j": self.classical_energy_j, "bound_j": bound.classical_lower.json(), "bound_basis": "lower_bound",
                        "wall_time_s": "", "log10_bound_j": bound.classical_lower.log10})
        for r in out:
            r.update({"n": self.n, "repeat": repeat, "seed": self.seed, "secret": self.secret, "success": r["found"] == self.secret})
        return out

    def table_rows(self, unit_j: float) -> list[tuple[str, ...]]:
        """Rows of the printed table (side, method, found, correct, queries, J, k_B T ln 2 units, basis):
        the quantum upper bound, the QPU's estimate and the classical lower bound on lines of their own."""
        n = self.n
        rows: list[tuple[str, ...]] = []
        if self.quantum is not None:
            q = self.quantum
            e = self.quantum_energy_j or 0.0
            rows.append(("quantum", f"{q.metadata.backend}/{q.metadata.method}", format_secret(q.found, n), "yes" if q.found == self.secret else "NO",
                         f"{q.queries} ({q.shots} shots + {q.confirmation_queries})", f"{e:.4e}", f"{e / unit_j:.4g}", "upper_bound"))
            if q.job_ids:
                rows.append(("qpu", f"{len(q.job_ids)} job(s)", "", "", "", f"{q.qpu_energy_j:.4e}", f"{q.qpu_energy_j / unit_j:.4g}", "estimated"))
        if self.classical is not None:
            c = self.classical
            e = self.classical_energy_j or 0.0
            rows.append(("classical", c.algorithm, format_secret(c.found, n), "yes" if c.found == self.secret else "NO", str(c.queries),
                         f"{e:.4e}", f"{e / unit_j:.4g}", "lower_bound"))
        return rows

    @property
    def quantum_nts(self) -> int | None:
        """Queries to solution of the quantum side: its queries when the samples solved it, else None."""
        q = self.quantum
        return q.queries if q is not None and q.status == "solved" else None

    @property
    def classical_nts(self) -> int | None:
        """Queries to solution of the classical side (None when it did not run)."""
        return self.classical.queries if self.classical is not None else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (secrets and results as integers)."""
        q = self.quantum
        c = self.classical
        return {
            "n": self.n,
            "secret": self.secret,
            "oracle": self.oracle,
            "secret_weight": self.secret_weight,
            "seed": self.seed,
            "temperature_k": self.temperature_k,
            "policy": self.policy,
            "quantum": None
            if q is None
            else {
                "backend": q.metadata.backend,
                "method": q.metadata.method,
                "found": q.found,
                "correct": q.found == self.secret,
                "queries": q.queries,
                "nts": self.quantum_nts,
                "shots": q.shots,
                "confirmation_queries": q.confirmation_queries,
                "rank": q.rank,
                "batches": q.batches,
                "qubits": q.metadata.qubits,
                "depth": q.metadata.depth,
                "gate_counts": q.metadata.gate_counts,
                "wall_time_s": q.metadata.wall_time_s,
                "energy_j": self.quantum_energy_j,
                "energy_basis": "upper_bound",
                "strategy": q.strategy,
                "confidence": q.confidence,
                "candidates_tried": q.candidates_tried,
                "job_ids": list(q.job_ids),
                "qpu_energy_j": q.qpu_energy_j,
                "qpu_energy_basis": "estimated",
                "status": q.status,
                "noise": q.noise,
                "noise_multiplier": q.noise_multiplier,
                "corruption_rate": q.corruption_rate,
                "resolved_by": q.resolved_by,
                "shots_budget": q.shots_budget,
            },
            "classical": None
            if c is None
            else {
                "algorithm": c.algorithm,
                "found": c.found,
                "correct": c.found == self.secret,
                "queries": c.queries,
                "nts": self.classical_nts,
                "collision": list(c.collision) if c.collision else None,
                "energy_j": self.classical_energy_j,
                "energy_basis": "lower_bound",
                # the kernel that ran the search (numba or numpy; a note when numba is missing), start-up apart from search
                "kernel": c.kernel,
                "kernel_note": c.kernel_note,
                "startup_s": c.startup_s,
                "search_s": c.search_s,
                "queries_per_s": c.queries_per_search_s,
                # what only some algorithms report (parallel-rho: rate, distinguished points and the walk parameters
                # used, which decide whether a run with --workers K reproduces the serial one)
                **{k: getattr(c, k) for k in ("queries_per_s", "distinguished_points", "workers", "rounds", "discarded_rounds", "distinguished_bits",
                                              "walks_per_round", "steps_per_round") if hasattr(c, k)},
            },
        }


def plan_simon(
    n: int | None,
    *,
    secret: int | str | None = None,
    oracle: str = "linear",
    backend: str | None = "auto",
    algorithm: str | None = "birthday",
    seed: int | None = None,
    noise: str | None = None,
    shots_budget: int | None = None,
    dd: str = "none",
    mitigate: str = "none",
    max_minutes: float = 2.0,
    secret_weight: int | None = None,
) -> PlannedSimon:
    """Check every input and build the instance (and its circuit); raises [`InputError`][InputError],
    [`ResourceLimitError`][qenergy.errors.ResourceLimitError] before anything is charged.

    ``noise`` is a noise SPEC ([qenergy.hardware.noise.parse_noise][]: ``depolarize:P``,
    ``readout:P``, ``device:fake:NAME``, comma-separated); ``shots_budget`` caps the quantum
    shots (default: 20·n + 100); ``dd`` adds dynamical decoupling (``XX``, ``XY4``) on a device or
    its twin; ``mitigate`` (``readout``) keeps the samples for the readout-corrected corruption rate.
    A ``fake:NAME`` run whose first round Aer is estimated to need more than ``max_minutes``
    ([qenergy.circuits.twin.estimate_local_seconds][]) is refused with [`InputError`][InputError], naming
    ``--backend stim --noise device:fake:NAME``. ``secret_weight`` W sets the promise wt(s) ≤ W
    (`qenergy.weight`): the secret is drawn among the weight-≤W strings, a heavier ``secret`` is
    refused, and ``algorithm`` None-or-``"default"`` becomes ``weight-cover`` (``birthday`` without W)."""
    if algorithm == "default":
        algorithm = "weight-cover" if secret_weight is not None else "birthday"
    spec = parse_noise(noise) if noise not in (None, "", "none") else None
    if shots_budget is not None and (isinstance(shots_budget, bool) or not isinstance(shots_budget, int) or shots_budget < 1):
        raise InputError(f"shots budget {shots_budget!r} is not allowed; allowed: an integer >= 1")
    if seed is None:
        seed = fresh_seed()
    elif isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed {seed!r} is not allowed; allowed: an integer >= 0")
    if backend not in (None, "none", "auto"):
        BACKENDS.resolve(backend)  # an unknown name fails here, naming the registered ones, before any work
    search = None if algorithm in (None, "none") else classical.get_algorithm(algorithm)
    if search is not None:
        resolve_kernel()  # a bad QENERGY_KERNEL (or numba asked for and missing) is refused before anything runs
    instance = make_instance(n, secret, oracle, seed=seed, secret_weight=secret_weight)
    if search is not None:
        search.check(instance)  # n, queries and memory of the classical side, before anything is charged
    if spec is not None and backend in (None, "none"):
        raise InputError("--noise without a quantum backend is not allowed; allowed: --noise with --backend stim, aer or exact")
    from qenergy.circuits.noise import check_dd
    from qenergy.circuits.twin import check_mitigation

    dd, mitigate = check_dd(dd), check_mitigation(mitigate)
    if not (isinstance(max_minutes, (int, float)) and math.isfinite(max_minutes) and max_minutes > 0):
        raise InputError(f"--max-minutes {max_minutes!r} is not allowed; allowed: minutes > 0")
    if (dd != "none" or mitigate != "none") and backend in (None, "none"):
        raise InputError("--dd/--mitigate without a quantum backend is not allowed; allowed: with a device twin, fake:NAME or ibm:NAME")
    _check_local_time(backend or "", None, instance, max_minutes)  # hopeless widths refused before compiling
    be = None if backend in (None, "none") else circuits.get_backend(backend, instance, noise=spec, dd=dd)
    if secret_weight is not None and be is not None:
        from qenergy.weight import WeightCandidates

        if spec is not None and instance.n > 64:
            raise InputError(f"--secret-weight with --noise at n = {instance.n} is not supported; allowed: n <= 64")
        WeightCandidates.check_size(instance.n, secret_weight)
    prepared = be.prepare(instance, rng=seed_streams(seed)["quantum"]) if be is not None else None
    estimate = _check_local_time(backend or "", prepared, instance, max_minutes)
    if prepared is not None and mitigate != "none":
        prepared.kept = []
    return PlannedSimon(instance, seed, prepared, search, shots_budget, dd, mitigate, estimate)


def _check_local_time(backend: str, prepared: PreparedSimon | None, instance: SimonInstance, max_minutes: float) -> float | None:
    """Seconds Aer is estimated to need for a ``fake:`` run's first round (from the compiled circuit, or before
    compiling from 2n qubits and the logical gates when ``prepared`` is None); [`InputError`][InputError] above ``max_minutes``."""
    if not backend.startswith("fake:") or (prepared is not None and not hasattr(prepared, "isa")):
        return None
    from qenergy.circuits.base import circuit_gate_counts, logical_gate_count
    from qenergy.circuits.reversible import oracle_network
    from qenergy.circuits.simon import default_robust_shots
    from qenergy.circuits.twin import estimate_local_seconds, estimate_local_seconds_before_routing
    from qenergy.errors import rough_duration

    n = instance.n
    shots = default_robust_shots(n)
    if prepared is None:
        gates = logical_gate_count(circuit_gate_counts(oracle_network(instance.oracle)))
        estimate = estimate_local_seconds_before_routing(n, gates, shots)
    else:
        estimate = estimate_local_seconds(prepared.isa, shots)
    if estimate > max_minutes * 60.0:
        raise InputError(f"--backend {backend} at n = {n} is estimated to need {rough_duration(estimate)} of Aer simulation "
                         f"(the runtime's local mode runs the full device noise model; {shots} shots in the first round), over the "
                         f"limit of {max_minutes:g} min; allowed: --backend stim --noise device:{backend} (the device twin, seconds), "
                         f"or --max-minutes M above the estimate")
    return estimate


def run_planned(
    plan: PlannedSimon, ledger: Ledger, *, policy: ChargePolicy | None = None, label: str = "", quantum: QuantumResult | None = None
) -> SimonRun:
    """Run the planned sides, charging accounts ``quantum`` and ``classical`` of ``ledger``.

    ``quantum`` is the quantum side's result when it already ran (in a batched device job,
    its charges already in ``ledger`` under ``label``); the quantum side is then not run again.
    """
    pol: ChargePolicy = policy if policy is not None else BoundsPolicy()
    rngs = seed_streams(plan.seed)
    inst = plan.instance
    run = ledger.current_run
    q = quantum
    if q is None and plan.prepared is not None:
        q = circuits.run_simon(inst, plan.prepared, ledger, rng=rngs["quantum"], policy=pol, label=label,
                               shots_budget=plan.shots_budget, max_shots=plan.shots_budget)
    if q is not None and quantum is None and q.job_ids:
        # what `qenergy advantage --from-ledger` needs to place this QPU run: its size and outcome
        ledger.note(label or "simon", {"n": inst.n, "jobs": len(q.job_ids), "status": q.status, "qpu_energy_j": q.qpu_energy_j})
    c = None
    if plan.algorithm is not None:
        c = plan.algorithm.search(inst, ledger, rng=rngs["classical"], policy=pol, label=label)
    return SimonRun(
        n=inst.n,
        secret=inst.secret,
        oracle=inst.oracle.describe(),
        seed=plan.seed,
        temperature_k=ledger.temperature_k,
        policy=pol.name,
        label=label,
        quantum=q,
        quantum_energy_j=ledger.energy_j("quantum", basis="upper_bound", run=run, label=label) if q else None,
        classical=c,
        classical_energy_j=ledger.energy_j("classical", basis="lower_bound", run=run, label=label) if c else None,
        secret_weight=inst.secret_weight,
    )


def energy_ratio(run: SimonRun) -> float:
    """Classical ÷ quantum energy of a run (nan when a side is missing or zero)."""
    if not run.quantum_energy_j or run.classical_energy_j is None:
        return math.nan
    return run.classical_energy_j / run.quantum_energy_j


def json_safe(value: Any) -> Any:
    """``value`` as strict JSON data for a ledger note: non-finite floats become None, tuples lists, keys
    strings, and any other object (a numpy integer, a model's helper object) its ``str``."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return str(value)


def run_note(run: SimonRun, *, success: Any = None, criterion: dict[str, Any] | None = None) -> dict[str, Any]:
    """The note recorded beside a run's charges: ``{RUN_NOTE_KEY: {...}}``.

    It holds what the charges alone do not: the instance (n, secret, oracle, seed), each
    side's method, answer and queries, the classical success probability and the criterion
    ([qenergy.energy.advantage.Verdict.to_dict][]), so that ``qenergy report`` can show the run.
    Non-finite numbers become None.
    """
    d = run.to_dict()
    q, c = d["quantum"], d["classical"]
    sides: dict[str, Any] = {}
    if q is not None:
        sides["quantum"] = {k: q[k] for k in ("backend", "method", "found", "correct", "queries", "shots", "confirmation_queries", "status",
                                               "noise", "job_ids")}
    if c is not None:
        sides["classical"] = {k: c[k] for k in ("algorithm", "found", "correct", "queries")}
    data = {"n": run.n, "secret": run.secret, "oracle": run.oracle, "seed": run.seed, "label": run.label, "policy": run.policy,
            "sides": sides, "success": None if success is None else str(success), "criterion": criterion}
    return {RUN_NOTE_KEY: json_safe(data)}
