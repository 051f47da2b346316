"""Noisy Simon circuits on every simulator path: stim Pauli channels, Aer noise models, device twins.

A :class:`~qenergy.noise.NoiseSpec` (``--noise SPEC``) becomes

* on ``stim`` (Clifford oracles, any width): Pauli channels in the stim circuit,
  ``DEPOLARIZE1(3P/4)`` after every one-qubit gate, ``DEPOLARIZE2(15P/16)`` after every
  two-qubit gate, ``X_ERROR(p)`` before each measurement;
* on ``aer`` (any oracle, small n): a Qiskit Aer ``NoiseModel`` with the same channels
  (``depolarizing_error(P, k)`` after every gate, a symmetric ``ReadoutError``); circuits
  with gates on three or more qubits are first decomposed into one- and two-qubit gates,
  so that "after every gate" means what it means on hardware;
* on ``exact``: ``readout:P`` only (the ideal distribution with flipped bits);
* ``device:fake:NAME``: a fake device's calibration (:class:`DeviceCalibration`). The
  circuit is compiled and routed onto the device by ``generate_preset_pass_manager`` as a
  real run would be (optimisation level 1, which keeps a Clifford circuit Clifford gate by
  gate), and each physical gate gets a depolarising channel whose average gate infidelity
  is the device's reported error for that gate on those qubits (λ = 2r on one qubit,
  4r/3 on two, capped at 1; a missing entry takes the gate's median), each measured qubit
  its reported readout error. On stim the routed circuit is converted gate by gate (a
  127- or 156-qubit twin samples in seconds); on Aer it runs with the equivalent noise
  model (stabilizer method for Clifford circuits). Idle (delay) errors, leakage and
  crosstalk are not modelled.

``fake:NAME`` backends keep the runtime's own device noise model, ``ibm:NAME`` is a real
device, ``cirq`` runs ideal circuits: a SPEC other than ``none`` is refused for them.
Every prepared noisy circuit has ``noisy = True`` (Simon's noise-aware strategy) and
``noise`` (its :class:`NoiseSpec`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import stim
from numpy.typing import NDArray

from qenergy.errors import InputError, QenergyError
from qenergy.noise import NoiseSpec, parse_noise
from qenergy.problem import SimonInstance

from .base import (
    MAX_AER_CLIFFORD_BITS,
    PreparedSimon,
    SimonBackend,
    check_clifford_size,
    check_statevector_memory,
    check_statevector_work,
    circuit_gate_counts,
    construct_backend,
    logical_gate_count,
)
from .reversible import ReversibleCircuit, oracle_network

__all__ = [
    "DeviceCalibration",
    "NoisyAerBackend",
    "NoisyExactBackend",
    "NoisyStimBackend",
    "PreparedNoisy",
    "aer_noise_model",
    "as_noise_spec",
    "device_calibration",
    "device_noise",
    "noisy_backend",
    "noisy_stim_circuit",
    "route_on_device",
    "stim_from_qiskit",
]

#: Backends that accept a noise SPEC (``auto`` resolves to stim or aer).
NOISY_BACKENDS = ("auto", "stim", "aer", "exact")
#: Optimisation level used to route onto a device twin: level 1 keeps Clifford circuits
#: Clifford gate by gate (level 2 resynthesises two-qubit blocks with arbitrary angles).
ROUTING_LEVEL = 1


def as_noise_spec(noise: NoiseSpec | str | None) -> NoiseSpec:
    """A :class:`NoiseSpec` from a spec, SPEC text or None (ideal)."""
    if noise is None:
        return NoiseSpec()
    if isinstance(noise, NoiseSpec):
        return noise
    return parse_noise(noise)


def _depolarizing_from_error(error: float, qubits: int) -> float:
    """Depolarising strength λ whose average gate infidelity is ``error`` (λ = r·d/(d−1)), capped at 1."""
    d = 2**qubits
    return float(min(1.0, max(0.0, error) * d / (d - 1)))


def _combine(p: float, q: float) -> float:
    """Strength of two independent channels of the same kind in sequence: 1 − (1−p)(1−q) (depolarising)."""
    return 1.0 - (1.0 - p) * (1.0 - q)


def _combine_flips(p: float, q: float) -> float:
    """Probability that exactly one of two independent bit flips happens."""
    return p * (1.0 - q) + q * (1.0 - p)


@dataclass(frozen=True)
class DeviceCalibration:
    """A device's error rates as its target reports them.

    Attributes:
        name: ``fake:NAME``.
        num_qubits: physical qubits.
        basis_gates: the device's gates (names).
        coupling_map: directed two-qubit edges.
        gate_error: reported error (average gate infidelity) of each gate on each qubit tuple.
        readout_error: reported readout (assignment) error of each qubit.
        median_gate_error: median reported error per gate name (used where an entry is missing).
        median_readout_error: median readout error.
    """

    name: str
    num_qubits: int
    basis_gates: tuple[str, ...]
    coupling_map: tuple[tuple[int, int], ...]
    gate_error: dict[tuple[str, tuple[int, ...]], float] = field(repr=False)
    readout_error: dict[int, float] = field(repr=False)
    median_gate_error: dict[str, float]
    median_readout_error: float

    def depolarizing(self, gate: str, qubits: tuple[int, ...]) -> float:
        """Depolarising strength λ after ``gate`` on physical ``qubits`` (0 for virtual gates such as rz)."""
        err = self.gate_error.get((gate, qubits))
        if err is None:
            err = self.gate_error.get((gate, qubits[::-1]), self.median_gate_error.get(gate, 0.0))
        return _depolarizing_from_error(err, len(qubits))

    def readout(self, qubit: int) -> float:
        """Probability that a measurement of physical ``qubit`` is flipped."""
        return float(min(1.0, max(0.0, self.readout_error.get(qubit, self.median_readout_error))))


@lru_cache(maxsize=8)
def _load_fake(name: str) -> Any:
    try:
        from .ibm_backend import load_device
    except ImportError:  # pragma: no cover - the [ibm] extra is part of the test set-up
        raise InputError(f"noise device:{name} is not allowed without qiskit-ibm-runtime; allowed: install qenergy[ibm], "
                         f"or depolarize:P and readout:P") from None
    try:
        return load_device(name)
    except InputError as exc:
        raise InputError(f"noise device:{name} is not allowed; {str(exc).split('; ', 1)[-1]}") from None


@lru_cache(maxsize=8)
def device_calibration(name: str) -> DeviceCalibration:
    """The calibration of ``fake:NAME`` from its target (median or per-qubit errors); :class:`InputError`
    names the fake devices when it is unknown."""
    device = _load_fake(name)
    target = device.target
    gate_error: dict[tuple[str, tuple[int, ...]], float] = {}
    medians: dict[str, float] = {}
    readout: dict[int, float] = {}
    basis = []
    for gate in target.operation_names:
        props = target[gate]
        if gate in ("measure", "reset", "delay", "barrier") or gate in ("for_loop", "while_loop", "if_else", "switch_case"):
            if gate == "measure":
                for qargs, p in props.items():
                    if qargs is not None and p is not None and p.error is not None:
                        readout[int(qargs[0])] = float(p.error)
            continue
        basis.append(gate)
        errs = []
        for qargs, p in props.items():
            if qargs is not None and p is not None and p.error is not None:
                gate_error[(gate, tuple(int(q) for q in qargs))] = float(p.error)
                errs.append(float(p.error))
        medians[gate] = float(np.median(errs)) if errs else 0.0
    edges = tuple((int(a), int(b)) for a, b in device.coupling_map.get_edges()) if device.coupling_map is not None else ()
    return DeviceCalibration(
        name=name,
        num_qubits=int(device.num_qubits),
        basis_gates=tuple(basis),
        coupling_map=edges,
        gate_error=gate_error,
        readout_error=readout,
        median_gate_error=medians,
        median_readout_error=float(np.median(list(readout.values()))) if readout else 0.0,
    )


def route_on_device(circuit: Any, device_name: str, seed: int, *, clifford: bool = False) -> Any:
    """``circuit`` compiled and routed onto ``fake:NAME`` (ISA gates on physical qubits) with
    ``generate_preset_pass_manager`` at :data:`ROUTING_LEVEL`; ``clifford`` snaps the rz angles of a
    Clifford circuit to exact multiples of π/2 (:class:`InputError` if one is not)."""
    from qiskit.transpiler import generate_preset_pass_manager

    device = _load_fake(device_name)
    if circuit.num_qubits > int(device.num_qubits):
        n = circuit.num_qubits // 2
        raise InputError(f"noise device:{device_name} is not allowed for n = {n}: the Simon circuit needs {circuit.num_qubits} qubits (2n) "
                         f"and the device has {device.num_qubits}; allowed: n <= {int(device.num_qubits) // 2}")
    pm = generate_preset_pass_manager(backend=device, optimization_level=ROUTING_LEVEL, seed_transpiler=seed)
    isa = pm.run(circuit)
    return _snap_clifford_angles(isa) if clifford else isa


def _snap_clifford_angles(isa: Any) -> Any:
    """Round the rz angles of a routed Clifford circuit to exact multiples of π/2 (the transpiler leaves
    them a few ulps off, which Aer's stabilizer method refuses)."""
    from qiskit.circuit.library import RZGate

    out = isa.copy_empty_like()
    for inst in isa.data:
        if inst.operation.name == "rz":
            k = _rz_quarter_turns(float(inst.operation.params[0]))
            inst = inst.replace(operation=RZGate([0.0, math.pi / 2, math.pi, -math.pi / 2][k]))
        out.append(inst)
    return out


# --- stim -------------------------------------------------------------------------------

_STIM_1Q = {"x": "X", "y": "Y", "z": "Z", "h": "H", "s": "S", "sdg": "S_DAG", "sx": "SQRT_X", "sxdg": "SQRT_X_DAG", "id": "I"}
_STIM_2Q = {"cx": "CX", "cz": "CZ", "swap": "SWAP", "cy": "CY"}
_RZ = {0: None, 1: "S", 2: "Z", 3: "S_DAG"}
_NOT_GATES = ("barrier", "delay")


class NonCliffordError(InputError):
    """A circuit holds a gate stim cannot simulate."""


@lru_cache(maxsize=32)
def _clifford_decomposition(name: str, params: tuple[float, ...]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """stim gates (name, relative targets) equal to a Qiskit Clifford gate up to global phase."""
    from qiskit.circuit import library
    from qiskit.quantum_info import Operator

    cls = {"ecr": library.ECRGate, "iswap": library.iSwapGate, "dcx": library.DCXGate}.get(name)
    if cls is None:
        raise NonCliffordError(f"gate {name} is not allowed on stim; allowed: Clifford gates (h, s, sx, x, rz(k·π/2), cx, cz, ecr, swap)")
    try:
        tableau = stim.Tableau.from_unitary_matrix(Operator(cls(*params)).data, endian="little")
    except ValueError:
        raise NonCliffordError(f"gate {name} is not allowed on stim; allowed: Clifford gates") from None
    return tuple((ins.name, tuple(t.value for t in ins.targets_copy())) for ins in tableau.to_circuit("elimination"))


def _rz_quarter_turns(theta: float) -> int:
    k = theta / (math.pi / 2)
    r = round(k)
    if abs(k - r) > 1e-6:
        raise NonCliffordError(f"gate rz({theta:.6g}) is not allowed on stim; allowed: rz at multiples of π/2 (Clifford circuits)")
    return int(r) % 4


def stim_from_qiskit(
    circuit: Any,
    *,
    gate_noise: Callable[[str, tuple[int, ...]], float] | None = None,
    readout_noise: Callable[[int], float] | None = None,
) -> stim.Circuit:
    """A Clifford Qiskit circuit (e.g. a routed ISA circuit) as a stim circuit, gate by gate.

    ``gate_noise(name, qubits)`` is the depolarising strength λ after that gate (a
    ``DEPOLARIZE1(3λ/4)`` or ``DEPOLARIZE2(15λ/16)`` follows it); ``readout_noise(q)`` the
    flip probability of a measurement of qubit q (``X_ERROR`` before it). Measurements are
    emitted last, in classical-bit order, so sample column i is classical bit i; a gate on
    a qubit after its measurement is refused. Non-Clifford gates raise :class:`InputError`.
    """
    index = {q: i for i, q in enumerate(circuit.qubits)}
    cindex = {c: i for i, c in enumerate(circuit.clbits)}
    lines: list[str] = []
    measured: dict[int, int] = {}
    done: set[int] = set()
    for inst in circuit.data:
        op = inst.operation
        name = op.name
        qs = tuple(index[q] for q in inst.qubits)
        if name in _NOT_GATES:
            continue
        if name == "measure":
            measured[cindex[inst.clbits[0]]] = qs[0]
            done.add(qs[0])
            continue
        if done and any(q in done for q in qs):
            raise QenergyError(f"gate {name} acts on qubit {qs} after its measurement; only terminal measurements are supported")
        tq = " ".join(map(str, qs))
        if name == "rz":
            g = _RZ[_rz_quarter_turns(float(op.params[0]))]
            if g:
                lines.append(f"{g} {tq}")
        elif name in _STIM_1Q:
            lines.append(f"{_STIM_1Q[name]} {tq}")
        elif name in _STIM_2Q:
            lines.append(f"{_STIM_2Q[name]} {tq}")
        else:
            for g, rel in _clifford_decomposition(name, tuple(float(p) for p in op.params)):
                lines.append(f"{g} {' '.join(str(qs[r]) for r in rel)}")
        if gate_noise is not None:
            lam = gate_noise(name, qs)
            if lam > 0:
                if len(qs) == 1:
                    lines.append(f"DEPOLARIZE1({0.75 * lam!r}) {tq}")
                elif len(qs) == 2:
                    lines.append(f"DEPOLARIZE2({0.9375 * lam!r}) {tq}")
                else:
                    raise QenergyError(f"gate {name} on {len(qs)} qubits has no stim noise channel")
    order = [measured[c] for c in sorted(measured)]
    if sorted(measured) != list(range(len(circuit.clbits))):
        raise QenergyError("every classical bit must be measured exactly once")
    if readout_noise is not None:
        for q in order:
            p = readout_noise(q)
            if p > 0:
                lines.append(f"X_ERROR({p!r}) {q}")
    lines.append("M " + " ".join(map(str, order)))
    return stim.Circuit("\n".join(lines))


def noisy_stim_circuit(network: ReversibleCircuit, depolarize: float, readout: float) -> stim.Circuit:
    """The logical Simon circuit (H, the oracle's X/CNOTs, H, measure) with uniform noise.

    Every gate is followed by its depolarising channel (strength ``depolarize``, see
    :mod:`qenergy.noise`) and every measurement preceded by ``X_ERROR(readout)``; this is
    gate for gate the circuit Aer runs with :func:`aer_noise_model` for the same spec.
    """
    n = network.n
    xs = " ".join(map(str, range(n)))
    d1 = f"DEPOLARIZE1({0.75 * depolarize!r}) " if depolarize > 0 else None
    d2 = f"DEPOLARIZE2({0.9375 * depolarize!r}) " if depolarize > 0 else None
    lines = [f"H {xs}"]
    if d1:
        lines.append(d1 + xs)
    for g in network.gates:
        if not g.controls:
            lines.append(f"X {g.target}")
            if d1:
                lines.append(f"{d1}{g.target}")
        elif len(g.controls) == 1:
            lines.append(f"CX {g.controls[0]} {g.target}")
            if d2:
                lines.append(f"{d2}{g.controls[0]} {g.target}")
        else:
            raise InputError("stim backend needs a Clifford (linear) oracle; allowed: --oracle linear, or --backend aer")
    lines.append(f"H {xs}")
    if d1:
        lines.append(d1 + xs)
    if readout > 0:
        lines.append(f"X_ERROR({readout!r}) {xs}")
    lines.append(f"M {xs}")
    return stim.Circuit("\n".join(lines))


class PreparedNoisy(PreparedSimon):
    """A prepared noisy Simon circuit: ``noisy = True`` and the :class:`NoiseSpec` it runs with.

    ``physical_qubits`` is the width actually simulated (a device twin's whole device).
    """

    noisy = True

    def __init__(self, backend: str, method: str, n: int, depth: int, gate_counts: dict[str, int], noise: NoiseSpec, sampler: Callable[[int], NDArray[np.uint8]],
                 *, logical_gates: int, physical_qubits: int, circuit: Any = None) -> None:
        super().__init__(backend, method, 2 * n, depth, gate_counts, logical_gates=logical_gates)
        self.noise = noise
        self.physical_qubits = physical_qubits
        self.circuit = circuit
        self._sampler = sampler

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        return self._sampler(shots)


def device_noise(noise: NoiseSpec) -> tuple[Callable[[str, tuple[int, ...]], float], Callable[[int], float]]:
    """``(gate_noise, readout_noise)`` of a device spec: the depolarising strength after each physical
    gate (the device's, combined with any ``depolarize:P``; rz is virtual) and each qubit's flip
    probability (the device's, combined with any ``readout:P``), for :func:`stim_from_qiskit`."""
    assert noise.device is not None
    cal = device_calibration(noise.device)

    def gate(name: str, qs: tuple[int, ...]) -> float:
        lam = cal.depolarizing(name, qs)
        if noise.depolarize and name not in ("rz",):
            lam = _combine(lam, noise.depolarize)
        return lam

    def readout(q: int) -> float:
        return _combine_flips(cal.readout(q), noise.readout)

    return gate, readout


class NoisyStimBackend(SimonBackend):
    """stim with Pauli noise: Clifford oracles at any width, optionally routed onto a device twin."""

    name = "stim"

    def __init__(self, noise: NoiseSpec) -> None:
        self.noise = noise

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        if not instance.oracle.is_clifford:
            raise InputError("stim backend needs a Clifford (linear) oracle; allowed: --oracle linear, or --backend aer")
        check_clifford_size(instance, "stim")
        network = oracle_network(instance.oracle)
        n = instance.n
        logical = logical_gate_count(circuit_gate_counts(network))
        if self.noise.device is not None:
            from .qiskit_builder import simon_circuit

            isa = route_on_device(simon_circuit(instance, network), self.noise.device, int(rng.integers(0, 2**31 - 1)), clifford=True)
            gate, readout = device_noise(self.noise)
            circuit = stim_from_qiskit(isa, gate_noise=gate, readout_noise=readout)
            counts = {k: int(v) for k, v in isa.count_ops().items()}
            depth, physical = int(isa.depth()), int(isa.num_qubits)
        else:
            circuit = noisy_stim_circuit(network, self.noise.depolarize, self.noise.readout)
            counts = circuit_gate_counts(network)
            depth, physical = len(circuit), 2 * n
        sampler = circuit.compile_sampler(seed=int(rng.integers(0, 2**63 - 1)))
        return PreparedNoisy("stim", "stabilizer", n, depth, counts, self.noise, lambda k: sampler.sample(k).view(np.uint8),
                             logical_gates=logical, physical_qubits=physical, circuit=circuit)


_AER_1Q = ("h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz", "p", "u", "id")
_AER_2Q = ("cx", "cz", "ecr", "swap")


def aer_noise_model(noise: NoiseSpec, isa: Any = None) -> Any:
    """The Aer ``NoiseModel`` of ``noise``: uniform channels on every one- and two-qubit gate, or,
    with a device, per physical gate and qubit for the gates of the routed circuit ``isa``."""
    from qiskit_aer.noise import NoiseModel, ReadoutError, depolarizing_error

    model = NoiseModel()
    if noise.device is None:
        if noise.depolarize > 0:
            model.add_all_qubit_quantum_error(depolarizing_error(noise.depolarize, 1), list(_AER_1Q))
            model.add_all_qubit_quantum_error(depolarizing_error(noise.depolarize, 2), list(_AER_2Q))
        if noise.readout > 0:
            p = noise.readout
            model.add_all_qubit_readout_error(ReadoutError([[1 - p, p], [p, 1 - p]]))
        return model
    assert isa is not None
    gate, readout = device_noise(noise)
    index = {q: i for i, q in enumerate(isa.qubits)}
    seen: set[tuple[str, tuple[int, ...]]] = set()
    measured: set[int] = set()
    for inst in isa.data:
        name = inst.operation.name
        qs = tuple(index[q] for q in inst.qubits)
        if name == "measure":
            measured.add(qs[0])
            continue
        if name in _NOT_GATES or (name, qs) in seen:
            continue
        seen.add((name, qs))
        lam = gate(name, qs)
        if lam > 0:
            model.add_quantum_error(depolarizing_error(lam, len(qs)), name, list(qs))
    for q in sorted(measured):
        p = readout(q)
        if p > 0:
            model.add_readout_error(ReadoutError([[1 - p, p], [p, 1 - p]]), [q])
    return model


class NoisyAerBackend(SimonBackend):
    """Qiskit Aer with a noise model: any oracle (small n), stabilizer method for Clifford circuits."""

    name = "aer"

    def __init__(self, noise: NoiseSpec) -> None:
        self.noise = noise

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        from qiskit import transpile
        from qiskit_aer import AerSimulator

        from .base import bitstrings_to_array
        from .qiskit_builder import simon_circuit

        n = instance.n
        if not instance.oracle.is_clifford:  # refused before the oracle network (n·2^n gates for a random oracle) is built
            check_statevector_memory(instance, bytes_per_amplitude=16)
        network = oracle_network(instance.oracle)
        clifford = network.is_clifford
        if clifford:
            check_clifford_size(instance, "aer", MAX_AER_CLIFFORD_BITS)
        else:
            check_statevector_memory(instance, bytes_per_amplitude=16)
            # a noisy statevector run simulates each shot separately: price a few hundred shots
            check_statevector_work(instance, (len(network.gates) + 2 * n) * 256, "aer")
        circuit = simon_circuit(instance, network)
        logical = logical_gate_count(circuit_gate_counts(network))
        if self.noise.device is not None:
            circuit = route_on_device(circuit, self.noise.device, int(rng.integers(0, 2**31 - 1)), clifford=clifford)
        elif not clifford:  # gates on 3+ qubits become 1- and 2-qubit gates, each followed by its channel
            circuit = transpile(circuit, basis_gates=[*_AER_1Q, "cx"], optimization_level=0)
        model = aer_noise_model(self.noise, circuit)
        method = "stabilizer" if clifford else "statevector"
        sim = AerSimulator(method=method, noise_model=model)
        counts = {k: int(v) for k, v in circuit.count_ops().items()}

        def sample(shots: int) -> NDArray[np.uint8]:
            seed = int(rng.integers(0, 2**31 - 1))
            result = sim.run(circuit, shots=shots, memory=True, seed_simulator=seed).result()
            return bitstrings_to_array(result.get_memory(circuit), n)

        return PreparedNoisy("aer", method, n, int(circuit.depth()), counts, self.noise, sample, logical_gates=logical,
                             physical_qubits=int(circuit.num_qubits), circuit=circuit)


class NoisyExactBackend(SimonBackend):
    """The ideal distribution (uniform on s^⊥) with each measured bit flipped with probability ``readout``."""

    name = "exact"

    def __init__(self, noise: NoiseSpec) -> None:
        if noise.depolarize or noise.device is not None:
            raise InputError(f"noise {noise.describe()} is not allowed on --backend exact (it has no circuit); allowed: readout:P, "
                             f"or --backend stim|aer for depolarize:P and device:fake:NAME")
        self.noise = noise

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        from .exact_backend import sample_s_perp

        check_clifford_size(instance, "exact")
        n, s, p = instance.n, instance.secret, self.noise.readout

        def sample(shots: int) -> NDArray[np.uint8]:
            ys = sample_s_perp(s, n, shots, rng)
            return ys ^ (rng.random(ys.shape) < p).astype(np.uint8)

        return PreparedNoisy("exact", "exact", n, 0, {}, self.noise, sample, logical_gates=0, physical_qubits=2 * n)


def noisy_backend(name: str, instance: SimonInstance | None, noise: NoiseSpec | str | None) -> SimonBackend:
    """The backend ``name`` running with ``noise``; an ideal spec gives the ordinary backend.

    ``auto`` is stim for Clifford oracles and aer otherwise. :class:`InputError` for a
    backend that takes no noise spec (cirq, fake:NAME and ibm:NAME, whose devices carry
    their own noise) and for an unknown device.
    """
    spec = as_noise_spec(noise)
    if spec.is_ideal:
        return construct_backend(name, instance)
    if name == "auto":
        if instance is None:
            raise ValueError("backend 'auto' needs the instance to choose")
        name = "stim" if instance.oracle.is_clifford else "aer"
    if name.startswith(("fake:", "ibm:")):
        raise InputError(f"--noise {spec.describe()} with --backend {name} is not allowed (a device backend carries its own noise); "
                         f"allowed: --noise with --backend {', '.join(NOISY_BACKENDS)}, or device:{name if name.startswith('fake:') else 'fake:NAME'} on stim/aer")
    if spec.device is not None:
        device_calibration(spec.device)  # unknown devices fail here, before any circuit is built
    if name == "stim":
        return NoisyStimBackend(spec)
    if name == "aer":
        return NoisyAerBackend(spec)
    if name == "exact":
        return NoisyExactBackend(spec)
    if name == "cirq":
        raise InputError(f"--noise {spec.describe()} with --backend cirq is not allowed; allowed: --noise with --backend {', '.join(NOISY_BACKENDS)}")
    return construct_backend(name, instance)  # raises the unknown-backend error
