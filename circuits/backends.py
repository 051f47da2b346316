"""One interface for running Simon circuits: prepare an instance once, then sample shots.

Every backend returns the measured y's as a ``(shots, n)`` uint8 array (column i = y_i)
with plain-data metadata. Each shot is one oracle query; charging is the caller's job
(:func:`circuits.simon.run_simon`).
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, ResourceLimitError
from qenergy.problem import SimonInstance
from qenergy.qpu import JobRecord

from .reversible import ReversibleCircuit

__all__ = [
    "BACKEND_NAMES",
    "PreparedSimon",
    "RunMetadata",
    "SampleResult",
    "SimonBackend",
    "available_memory_bytes",
    "check_statevector_memory",
    "circuit_gate_counts",
    "get_backend",
    "logical_gate_count",
]

#: Backends selectable by name; ``auto`` picks stim for Clifford oracles and aer otherwise.
BACKEND_NAMES = ("auto", "aer", "cirq", "stim", "exact")


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
        """Build the circuit for ``instance``; raises :class:`ResourceLimitError` if it cannot fit."""

    def run(self, instance: SimonInstance, shots: int, *, seed: int = 0) -> SampleResult:
        """Prepare and sample in one call (no ledger)."""
        return self.prepare(instance, rng=np.random.default_rng(seed)).sample(shots)


def available_memory_bytes() -> int:
    """Memory available to new allocations (``MemAvailable`` of /proc/meminfo, else free pages)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _human_bytes(b: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if b < 1024 or unit == "EiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    raise AssertionError  # pragma: no cover


def check_statevector_memory(instance: SimonInstance, bytes_per_amplitude: int, *, fraction: float = 0.8) -> int:
    """Refuse a 2n-qubit statevector run that would not fit in ``fraction`` of available memory.

    Returns the estimate in bytes; raises :class:`ResourceLimitError` with the estimate.
    """
    qubits = 2 * instance.n
    need = bytes_per_amplitude * 2.0**qubits
    have = available_memory_bytes()
    if need > fraction * have:
        raise ResourceLimitError(
            f"{instance.oracle.describe()} oracle at n = {instance.n} needs a {qubits}-qubit statevector "
            f"(~{_human_bytes(need)}); this machine has {_human_bytes(have)} available; use --oracle linear "
            f"(Clifford, simulated by a stabilizer method at any n)"
        )
    return int(need)


def get_backend(name: str, instance: SimonInstance | None = None) -> SimonBackend:
    """The backend called ``name``; :class:`InputError` names the allowed ones.

    ``auto`` needs the instance: stim for a Clifford oracle, aer otherwise.
    """
    if name == "auto":
        if instance is None:
            raise ValueError("backend 'auto' needs the instance to choose")
        name = "stim" if instance.oracle.is_clifford else "aer"
    if name == "aer":
        from .aer_backend import AerBackend

        return AerBackend()
    if name == "cirq":
        from .cirq_backend import CirqBackend

        return CirqBackend()
    if name == "stim":
        from .stim_backend import StimBackend

        return StimBackend()
    if name == "exact":
        from .exact_backend import ExactBackend

        return ExactBackend()
    if name.startswith(("fake:", "ibm:")):
        from .ibm_backend import IBMRuntimeBackend

        return IBMRuntimeBackend(name)
    raise InputError(f"backend {name!r} is unknown; allowed: {', '.join(BACKEND_NAMES)}, none, ibm:NAME, fake:NAME ({_fake_list()})")


def _fake_list() -> str:
    try:
        from .ibm_backend import fake_backend_names

        return ", ".join(fake_backend_names())
    except ImportError:
        return "install qenergy[ibm]"
