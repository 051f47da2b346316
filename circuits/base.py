"""The interfaces of the quantum side: a backend prepares an instance's circuit once, then samples shots.

Every backend returns the measured y's as a ``(shots, n)`` uint8 array (column i = y_i)
with plain-data metadata. Each shot is one oracle query; charging is the caller's job
([qenergy.circuits.simon.run_simon][]). This module holds the abstract classes, the result
types and the helpers every backend shares (gate counts, memory and size checks, bit
arrays); it imports no backend, and every backend imports it (never the registry,
[qenergy.circuits.backends][]).

A backend's capabilities are part of the interface, as in Qiskit's primitives: a public
[PreparedSimon.sample][] validates and calls ``_sample``; [SimonBackend.sample_many][]
samples several prepared circuits (a loop by default; a device backend overrides it to
send one batched job); [SimonBackend.is_device][] says whether shots run on (or
imitate) a real QPU, whose jobs are charged as QPU energy.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, ResourceLimitError, human_bytes, rough_duration
from qenergy.hardware.qpu import JobRecord
from qenergy.problem.instance import SimonInstance
from qenergy.problem.oracles import available_memory_bytes

from .reversible import ReversibleCircuit

__all__ = [
    "PreparedSimon",
    "RunMetadata",
    "SampleResult",
    "SimonBackend",
    "bitstrings_to_array",
    "check_clifford_size",
    "check_statevector_memory",
    "check_noisy_budget",
    "check_statevector_work",
    "circuit_gate_counts",
    "construct_backend",
    "logical_gate_count",
]


@dataclass(frozen=True)
class RunMetadata:
    """How a batch of shots was produced.

    Attributes:
        backend: backend name (``aer``, ``cirq``).
        method: simulation method (``stabilizer``, ``statevector``, ``clifford``).
        qubits: circuit width (2n).
        depth: circuit depth as the framework reports it (Cirq: moments).
        gate_counts: gates by name, before any transpilation.
        wall_time_s: seconds spent sampling (summed over batches).
        shots: shots drawn.
    """

    backend: str
    method: str
    qubits: int
    depth: int
    gate_counts: dict[str, int] = field(default_factory=dict)
    wall_time_s: float = 0.0
    shots: int = 0


@dataclass(frozen=True)
class SampleResult:
    """Measured y's, ``(shots, n)`` uint8, and the metadata of the run."""

    ys: NDArray[np.uint8]
    metadata: RunMetadata


def logical_gate_count(gate_counts: dict[str, int]) -> int:
    """Gates in a count by name (measurements, barriers and delays are not gates)."""
    return sum(v for k, v in gate_counts.items() if k not in ("measure", "barrier", "delay"))


def circuit_gate_counts(network: ReversibleCircuit) -> dict[str, int]:
    """Gate counts of the whole Simon circuit: the oracle's plus 2n H and n measurements."""
    return {"h": 2 * network.n, **network.gate_counts(), "measure": network.n}


class PreparedSimon(ABC):
    """A Simon circuit built and ready to sample; keeps running totals of shots and time.

    ``noisy`` backends (real devices and their twins) get the noise-aware Simon strategy;
    ``jobs`` collects the QPU jobs a backend ran (empty for simulators).
    """

    noisy: bool = False

    def __init__(self, backend: str, method: str, qubits: int, depth: int, gate_counts: dict[str, int], *, logical_gates: int | None = None) -> None:
        self._static = RunMetadata(backend, method, qubits, depth, gate_counts)
        #: Gates of the logical circuit a shot runs (2n H and the oracle network, before any
        #: transpilation): what the quantum upper bound prices. A device's routed ISA circuit
        #: has more (``gate_counts``); its physical cost is in the QPU's estimated energy.
        self.logical_gates = logical_gates if logical_gates is not None else logical_gate_count(gate_counts)
        self.shots = 0
        self.wall_time_s = 0.0
        self.jobs: list[JobRecord] = []
        #: Every batch of y's drawn, when a caller sets it to a list (readout mitigation reads them back).
        self.kept: list[NDArray[np.uint8]] | None = None

    @abstractmethod
    def _sample(self, shots: int) -> NDArray[np.uint8]:
        """Draw ``shots`` measured y's as a ``(shots, n)`` uint8 array."""

    def sample(self, shots: int) -> SampleResult:
        """Run the circuit for ``shots`` shots (≥ 0)."""
        if shots < 0:
            raise ValueError(f"shots must be >= 0, got {shots}")
        t0 = time.perf_counter()
        ys = self._sample(shots) if shots else np.zeros((0, self._static.qubits // 2), dtype=np.uint8)
        dt = time.perf_counter() - t0
        self.shots += shots
        self.wall_time_s += dt
        if self.kept is not None:
            self.kept.append(ys)
        meta = self._static
        return SampleResult(ys, RunMetadata(meta.backend, meta.method, meta.qubits, meta.depth, dict(meta.gate_counts), dt, shots))

    @property
    def metadata(self) -> RunMetadata:
        """Metadata with totals over every batch sampled so far."""
        m = self._static
        return RunMetadata(m.backend, m.method, m.qubits, m.depth, dict(m.gate_counts), self.wall_time_s, self.shots)


class SimonBackend(ABC):
    """A way to run Simon circuits."""

    name: str = ""

    @abstractmethod
    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        """Build the circuit for ``instance``; raises [`ResourceLimitError`][ResourceLimitError] if it cannot fit."""

    @property
    def is_device(self) -> bool:
        """True for a real QPU or its twin (``fake:``/``ibm:``): its jobs are charged as QPU energy
        and a sweep sends all its circuits in one batched job."""
        return False

    def run(self, instance: SimonInstance, shots: int, *, seed: int = 0) -> SampleResult:
        """Prepare and sample in one call (no ledger)."""
        return self.prepare(instance, rng=np.random.default_rng(seed)).sample(shots)

    def sample_many(self, prepared: Sequence[PreparedSimon], shots: int) -> list[NDArray[np.uint8]]:
        """Sample ``shots`` shots of every prepared circuit; a loop here, one job on a device."""
        return [p.sample(shots).ys for p in prepared]


def check_statevector_memory(instance: SimonInstance, bytes_per_amplitude: int, *, fraction: float = 0.8) -> int:
    """Refuse a 2n-qubit statevector run that would not fit in ``fraction`` of available memory.

    Returns the estimate in bytes; raises [`ResourceLimitError`][ResourceLimitError] with the estimate.
    """
    qubits = 2 * instance.n
    need = bytes_per_amplitude * 2.0**qubits
    have = available_memory_bytes()
    if need > fraction * have:
        raise ResourceLimitError(
            f"{instance.oracle.describe()} oracle at n = {instance.n} needs a {qubits}-qubit statevector "
            f"(~{human_bytes(need)}); this machine has {human_bytes(have)} available; use --oracle linear "
            f"(Clifford, simulated by a stabilizer method at any n)"
        )
    return int(need)


#: Largest n of a Clifford (linear-oracle) run on stim, exact and cirq (through stimcirq). Their
#: memory grows as n² ([`CLIFFORD_BYTES_PER_N2`][CLIFFORD_BYTES_PER_N2]) and time as n³ (the shots' measurement table
#: and the n×n GF(2) system): measured on 2 cores, stim 16 s and exact 6 s at n = 8192, stim ~2 min
#: and exact ~45 s at this n. Beyond it a run takes tens of minutes (n = 10⁶ would need ~15 TiB;
#: the linear oracle itself already stops at [qenergy.problem.oracles.MAX_LINEAR_BITS][]).
MAX_CLIFFORD_BITS = 16_384
#: Largest n of Aer's stabilizer method, which is much slower (~11 s at n = 512, minutes at 1024).
MAX_AER_CLIFFORD_BITS = 512
#: Measured seconds of a Clifford run (n, s) on 2 cores, scaled as n³ in messages.
CLIFFORD_REFERENCE_S = {"stim": (8192, 16.0), "exact": (8192, 6.0), "cirq": (8192, 20.0), "aer": (512, 11.0)}
#: Peak memory of a Clifford run per n² (measured ~14·n² bytes for stim and exact at n = 2048..8192).
CLIFFORD_BYTES_PER_N2 = 16
#: Most gate-amplitude updates (oracle gates × 4^n amplitudes) a statevector run may take: about a
#: minute at the rates measured here (Aer ~1e9/s on random oracles, n = 11 in 27 s; Cirq ~5e10/s,
#: n = 13 in 66 s).
MAX_STATEVECTOR_WORK = {"aer": 3e10, "cirq": 4e12}
#: Fixed cost of one operation of a noisy statevector shot, in amplitude updates: Aer spends ~1.4 µs
#: on each gate and its sampled noise channel whatever the size (measured at n = 3-4 on 2 cores), as
#: much as ~1,000 updates at its ~1.3 ns per update (n = 6-7).
NOISY_OP_OVERHEAD_UPDATES = 1000.0


def check_clifford_size(instance: SimonInstance, backend: str, limit: int = MAX_CLIFFORD_BITS, *, fraction: float = 0.8) -> int:
    """Refuse a Clifford run of ``backend`` above n = ``limit`` or beyond ``fraction`` of the available
    memory, with the estimate (before any circuit is built). Returns the memory estimate in bytes."""
    n = instance.n
    need = CLIFFORD_BYTES_PER_N2 * float(n) * n
    if n > limit:
        ref_n, ref_s = CLIFFORD_REFERENCE_S.get(backend, CLIFFORD_REFERENCE_S["stim"])
        raise InputError(f"--backend {backend} at n = {n:,} is not supported: it would need ~{human_bytes(need)} and "
                         f"{rough_duration(ref_s * (n / ref_n) ** 3)} (time grows as n³; {ref_s:g} s at n = {ref_n:,}); allowed: n <= {limit:,} "
                         f"for --backend {backend}" + (f" (stim and exact: n <= {MAX_CLIFFORD_BITS:,})" if limit < MAX_CLIFFORD_BITS else ""))
    have = available_memory_bytes()
    if need > fraction * have:
        raise ResourceLimitError(f"--backend {backend} at n = {n:,} needs ~{human_bytes(need)} (the shots' measurement table and "
                                 f"the n×n GF(2) system); this machine has {human_bytes(have)} available")
    return int(need)


def check_statevector_work(instance: SimonInstance, gates: int, backend: str) -> float:
    """Refuse a statevector run whose oracle network (``gates`` gates on 4^n amplitudes) would take
    more than [`MAX_STATEVECTOR_WORK`][MAX_STATEVECTOR_WORK] gate-amplitude updates; returns the estimate."""
    work = float(gates) * 4.0**instance.n
    limit = MAX_STATEVECTOR_WORK.get(backend, MAX_STATEVECTOR_WORK["aer"])
    if work > limit:
        raise InputError(f"{instance.oracle.describe()} oracle at n = {instance.n} on --backend {backend} needs {gates:,} gates on a "
                         f"{2 * instance.n}-qubit statevector (~{work:.2g} amplitude updates, {rough_duration(60.0 * work / limit)}); allowed: at most "
                         f"{limit:.0e} updates (a smaller n){', --backend cirq' if backend == 'aer' else ''} or --backend exact")
    return work


#: Bytes a noise-aware run holds per shot of its budget, beyond n: the sample as bits and bit-packed (twice
#: while the pool grows) plus the simulator's bitstring (a Python str of about 50 + n bytes).
NOISY_BYTES_PER_SHOT = 64


def noisy_budget_bytes(n: int, budget: int) -> float:
    """Bytes of samples a noise-aware run keeps when it spends its whole ``budget`` of shots at n bits (an estimate)."""
    return float(budget) * (2 * (n + 8 * -(-n // 64)) + n + NOISY_BYTES_PER_SHOT)


def check_noisy_budget(instance: SimonInstance, budget: int, *, method: str, gates: int, backend: str, fraction: float = 0.8) -> float:
    """Refuse, before the first shot, a noise-aware run whose shots budget would not fit in ``fraction`` of the
    available memory, or (a statevector simulation, one shot at a time) would take more than
    [`MAX_STATEVECTOR_WORK`][MAX_STATEVECTOR_WORK] gate-amplitude updates; returns the memory estimate in bytes.

    ``gates`` are the operations the simulator applies per shot (the transpiled circuit's, not the
    oracle network's logical gates); each costs 4^n amplitude updates plus
    [`NOISY_OP_OVERHEAD_UPDATES`][NOISY_OP_OVERHEAD_UPDATES] for its noise channel and dispatch.

    Raises:
        ResourceLimitError: the samples would not fit (the message gives the estimate and the largest budget that fits).
        InputError: the statevector work of ``budget`` shots, each simulated on its own (the message gives
            the largest budget that fits).
    """
    need = noisy_budget_bytes(instance.n, budget)
    have = available_memory_bytes()
    if need > fraction * have:
        fits = int(fraction * have / noisy_budget_bytes(instance.n, 1))
        raise ResourceLimitError(f"a noise-aware run at n = {instance.n} with a budget of {budget:,} shots would hold ~{human_bytes(need)} "
                                 f"of samples; this machine has {human_bytes(have)} available; allowed: --shots-budget at most {fits:,}")
    if method == "statevector":  # a noisy statevector simulation runs each shot on its own
        per_shot = float(gates) * (4.0**instance.n + NOISY_OP_OVERHEAD_UPDATES)
        work = per_shot * budget
        limit = MAX_STATEVECTOR_WORK.get(backend, MAX_STATEVECTOR_WORK["aer"])
        if work > limit:
            fits = int(limit // per_shot)
            allowed = f"--shots-budget at most {fits:,}, or a smaller n" if fits >= 1 else "a smaller n"
            raise InputError(f"a noise-aware statevector run at n = {instance.n} simulates each shot: up to {budget:,} shots x {gates:,} operations "
                             f"on a {2 * instance.n}-qubit statevector (~{work:.2g} amplitude updates, {rough_duration(60.0 * work / limit)}); "
                             f"allowed: at most {limit:.0e} updates ({allowed})")
    return need


def bitstrings_to_array(memory: list[str], n: int) -> NDArray[np.uint8]:
    """Qiskit little-endian bitstrings (clbit 0 rightmost) to a ``(shots, n)`` array, column i = clbit i."""
    if not memory:
        return np.zeros((0, n), dtype=np.uint8)
    raw = np.frombuffer("".join(memory).encode("ascii"), dtype=np.uint8).reshape(len(memory), n)
    return (raw[:, ::-1] - ord("0")).astype(np.uint8)


def construct_backend(name: str, instance: SimonInstance | None = None) -> SimonBackend:
    """The ideal backend registered as ``name`` in ``qenergy.backends`` (``auto``: stim for a
    Clifford oracle, Aer otherwise; needs the instance).

    Raises:
        InputError: an unknown name (the message lists the registered ones).
    """
    from qenergy.registry import BACKENDS

    if name == "auto":
        if instance is None:
            raise ValueError("backend 'auto' needs the instance to choose")
        name = "stim" if instance.oracle.is_clifford else "aer"
    obj, arg = BACKENDS.resolve(name)
    backend = obj(arg) if arg is not None else obj()
    if not isinstance(backend, SimonBackend):
        raise InputError(f"backend {name!r} is registered but is not a SimonBackend")
    return backend
