"""Noisy Simon circuits on every simulator path: stim Pauli channels, Aer noise models, device twins.

A [`NoiseSpec`][qenergy.hardware.noise.NoiseSpec] (``--noise SPEC``) becomes

* on ``stim`` (Clifford oracles, any width): Pauli channels in the stim circuit,
  ``DEPOLARIZE1(3P/4)`` after every one-qubit gate, ``DEPOLARIZE2(15P/16)`` after every
  two-qubit gate, ``X_ERROR(p)`` before each measurement;
* on ``aer`` (any oracle, small n): a Qiskit Aer ``NoiseModel`` with the same channels
  (``depolarizing_error(P, k)`` after every gate, a symmetric ``ReadoutError``); circuits
  with gates on three or more qubits are first decomposed into one- and two-qubit gates,
  so that "after every gate" means what it means on hardware;
* on ``exact``: ``readout:P`` only (the ideal distribution with flipped bits);
* ``device:fake:NAME``: a fake device's calibration ([`DeviceCalibration`][DeviceCalibration]). The
  circuit is compiled and routed onto the device by ``generate_preset_pass_manager`` as a
  real run would be (optimisation level 1, which keeps a Clifford circuit Clifford gate by
  gate), and each physical gate gets a depolarising channel whose average gate infidelity
  is the device's reported error for that gate on those qubits (λ = 2r on one qubit,
  4r/3 on two, capped at 1; a missing entry takes the gate's median), each measured qubit
  its reported readout error. On stim the routed circuit is converted gate by gate (a
  127- or 156-qubit twin samples in seconds); on Aer it runs with the equivalent noise
  model (stabilizer method for Clifford circuits).

Device twins model, besides gate and readout errors (see [`build_twin`][build_twin]):

* **idle decoherence** (``idle:on``, the default): the routed circuit is scheduled ALAP with
  the device's instruction durations (Qiskit's ``ALAPScheduleAnalysis`` and ``PadDelay``), and
  every qubit gets, for each interval it waits (a ``Delay``) and for the duration of each gate
  it takes part in, the Pauli twirl of amplitude and phase damping from its calibrated T1 and
  T2: p_x = p_y = (1 − e^(−t/T1))/4, p_z = (1 − e^(−t/T2))/2 − p_x, T2 capped at 2·T1
  (Ghosh, Fowler & Geller, Phys. Rev. A 86, 062318 (2012), eq. 10; the twirl keeps the
  channel's average gate fidelity). On stim this is ``PAULI_CHANNEL_1``; on Aer Aer's own
  ``thermal_relaxation_error``. A qubit that has not yet been touched is in |0⟩, on which
  amplitude and phase damping act trivially, so waits before a qubit's first gate carry no
  channel (on Aer as on stim). As Aer's ``NoiseModel.from_backend`` does
  (``_device_depolarizing_error``), the depolarising part of each gate is reduced so that,
  composed with the relaxation during the gate, the average gate infidelity is the reported
  error (no double counting); with ``idle:off`` the depolarising channel carries all of it;
* **asymmetric readout**: P(1|0) and P(0|1) per qubit from the backend's properties
  (``prob_meas1_prep0``, ``prob_meas0_prep1``), the target's symmetric ``measure`` error where
  they are missing. stim draws ideal measurements and the twin flips each bit with the
  probability for the value read (exact: the flips are independent per qubit);
* ``scale:X``: every error probability times X (gate errors capped at d/(d+1), readout at
  1/2), T1 and T2 divided by X; ``scale:0`` is the ideal device;
* dynamical decoupling (``dd``: ``XX`` or ``XY4``, Qiskit's ``PadDynamicalDecoupling`` in the
  idle windows; Y as rz(−π/2)·X·rz(π/2), rz being virtual). A Markovian twin cannot show
  the refocusing of coherent or slow noise that DD gives on hardware: on a twin DD only adds
  gates (and their errors).

Leakage, crosstalk, coherent and non-Markovian errors are not modelled. The runtime's own
``fake:NAME`` local mode is Aer's ``NoiseModel.from_backend`` on the unscheduled circuit: its
idle qubits do not decay (Aer applies relaxation to ``Delay`` instructions only).

``fake:NAME`` backends keep the runtime's own device noise model, ``ibm:NAME`` is a real
device, ``cirq`` runs ideal circuits: a SPEC other than ``none`` is refused for them.
Every prepared noisy circuit has ``noisy = True`` (Simon's noise-aware strategy) and
``noise`` (its [`NoiseSpec`][NoiseSpec]).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
import stim
from numpy.typing import NDArray

from qenergy.errors import InputError, QenergyError
from qenergy.hardware.noise import NoiseSpec, parse_noise
from qenergy.problem.instance import SimonInstance

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
    "DD_SEQUENCES",
    "DeviceCalibration",
    "DeviceSummary",
    "DeviceTwin",
    "NoisyAerBackend",
    "NoisyExactBackend",
    "NoisyStimBackend",
    "PreparedNoisy",
    "aer_idle_circuit",
    "aer_noise_model",
    "aer_reference_model",
    "as_noise_spec",
    "build_twin",
    "check_dd",
    "device_calibration",
    "device_noise",
    "noisy_backend",
    "noisy_stim_circuit",
    "route_on_device",
    "schedule_on_device",
    "stim_from_qiskit",
    "twirled_relaxation",
]

#: Backends that accept a noise SPEC (``auto`` resolves to stim or aer).
NOISY_BACKENDS = ("auto", "stim", "aer", "exact")
#: Optimisation level used to route onto a device twin: level 1 keeps Clifford circuits
#: Clifford gate by gate (level 2 resynthesises two-qubit blocks with arbitrary angles).
ROUTING_LEVEL = 1


def as_noise_spec(noise: NoiseSpec | str | None) -> NoiseSpec:
    """A [`NoiseSpec`][NoiseSpec] from a spec, SPEC text or None (ideal)."""
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


#: The dynamical-decoupling sequences ``--dd`` accepts (``none``: idle windows stay delays).
DD_SEQUENCES = ("none", "XX", "XY4")
#: Largest readout flip probability after ``scale:X`` (a flip of 1/2 is a random outcome).
MAX_READOUT_FLIP = 0.5


def _max_gate_error(qubits: int) -> float:
    """Largest average gate infidelity of a k-qubit channel, d/(d + 1) (the completely depolarising one)."""
    d = 2**qubits
    return d / (d + 1)


def twirled_relaxation(t_s: float, t1_s: float, t2_s: float) -> tuple[float, float, float]:
    """(p_x, p_y, p_z) of the Pauli-twirled amplitude and phase damping over ``t_s`` seconds
    (Ghosh, Fowler & Geller 2012, eq. 10), T2 capped at 2·T1; infinite T1/T2 give no error."""
    if t_s <= 0:
        return 0.0, 0.0, 0.0
    t2_s = min(t2_s, 2.0 * t1_s)
    decay1 = -math.expm1(-t_s / t1_s) if math.isfinite(t1_s) else 0.0
    decay2 = -math.expm1(-t_s / t2_s) if math.isfinite(t2_s) else 0.0
    px = decay1 / 4.0
    return px, px, max(0.0, decay2 / 2.0 - px)


def _reduced_depolarizing(error: float, qubits: int, relax_process_fidelity: float) -> float:
    """Depolarising strength λ which, composed with a relaxation of process fidelity ``relax_process_fidelity``,
    has average gate infidelity ``error`` (Aer's ``_device_depolarizing_error``); 0 when relaxation alone exceeds it."""
    d = 2**qubits
    relax_fid = (d * relax_process_fidelity + 1) / (d + 1)  # average gate fidelity of the relaxation
    error = min(max(0.0, error), _max_gate_error(qubits))
    if error <= 1.0 - relax_fid:
        return 0.0
    lam = d * (error - (1.0 - relax_fid)) / (d * relax_fid - 1)
    return float(min(lam, 4**qubits / (4**qubits - 1)))


@dataclass(frozen=True)
class DeviceSummary:
    """A device twin described in its own units at an error scale (what ``scale:X`` makes of it).

    Attributes:
        device: ``fake:NAME``.
        scale: the error scale X (errors × X, T1 and T2 ÷ X).
        two_qubit_gate: name of the device's two-qubit gate (``ecr``, ``cz``, ``cx``), or None.
        median_two_qubit_error: median reported two-qubit gate error (average infidelity) × X.
        median_one_qubit_error: median ``sx`` error × X.
        median_readout_error: median readout error (mean of P(0|1) and P(1|0)) × X.
        median_t1_s: median T1 ÷ X, seconds (inf at X = 0).
        median_t2_s: median T2 ÷ X (capped at 2·T1 per qubit), seconds (inf at X = 0).
    """

    device: str
    scale: float
    two_qubit_gate: str | None
    median_two_qubit_error: float
    median_one_qubit_error: float
    median_readout_error: float
    median_t1_s: float
    median_t2_s: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (an infinite T1/T2 as None)."""
        out: dict[str, Any] = dict(self.__dict__)
        for k in ("median_t1_s", "median_t2_s"):
            out[k] = out[k] if math.isfinite(out[k]) else None
        return out


@dataclass(frozen=True)
class DeviceCalibration:
    """A device's error rates, durations and coherence times as its target and properties report them.

    Attributes:
        name: ``fake:NAME``.
        num_qubits: physical qubits.
        basis_gates: the device's gates (names).
        coupling_map: directed two-qubit edges.
        gate_error: reported error (average gate infidelity) of each gate on each qubit tuple.
        readout_error: reported readout (assignment) error of each qubit.
        median_gate_error: median reported error per gate name (used where an entry is missing).
        median_readout_error: median readout error.
        gate_duration_s: duration of each gate on each qubit tuple, seconds.
        t1_s, t2_s: each qubit's T1 and T2 (as reported; T2 is capped at 2·T1 where used), seconds.
        readout_p1_given0, readout_p0_given1: each qubit's asymmetric readout errors P(1|0) and
            P(0|1) where the device reports them (``prob_meas1_prep0``, ``prob_meas0_prep1``).
        dt_s: the device's time step (delay durations in ``dt``), seconds.
    """

    name: str
    num_qubits: int
    basis_gates: tuple[str, ...]
    coupling_map: tuple[tuple[int, int], ...]
    gate_error: dict[tuple[str, tuple[int, ...]], float] = field(repr=False)
    readout_error: dict[int, float] = field(repr=False)
    median_gate_error: dict[str, float]
    median_readout_error: float
    gate_duration_s: dict[tuple[str, tuple[int, ...]], float] = field(default_factory=dict, repr=False)
    t1_s: dict[int, float] = field(default_factory=dict, repr=False)
    t2_s: dict[int, float] = field(default_factory=dict, repr=False)
    readout_p1_given0: dict[int, float] = field(default_factory=dict, repr=False)
    readout_p0_given1: dict[int, float] = field(default_factory=dict, repr=False)
    dt_s: float | None = None

    def error(self, gate: str, qubits: tuple[int, ...], scale: float = 1.0) -> float:
        """Reported error of ``gate`` on ``qubits`` (either direction; else the gate's median) × ``scale``, capped at d/(d+1)."""
        err = self.gate_error.get((gate, qubits))
        if err is None:
            err = self.gate_error.get((gate, qubits[::-1]), self.median_gate_error.get(gate, 0.0))
        return float(min(_max_gate_error(len(qubits)), max(0.0, err) * scale))

    def depolarizing(self, gate: str, qubits: tuple[int, ...]) -> float:
        """Depolarising strength λ after ``gate`` on physical ``qubits`` (0 for virtual gates such as rz),
        carrying the whole reported error (no relaxation)."""
        err = self.gate_error.get((gate, qubits))
        if err is None:
            err = self.gate_error.get((gate, qubits[::-1]), self.median_gate_error.get(gate, 0.0))
        return _depolarizing_from_error(err, len(qubits))

    def readout(self, qubit: int) -> float:
        """Probability that a measurement of physical ``qubit`` is flipped."""
        return float(min(1.0, max(0.0, self.readout_error.get(qubit, self.median_readout_error))))

    def readout_pair(self, qubit: int, scale: float = 1.0) -> tuple[float, float]:
        """(P(1|0), P(0|1)) of ``qubit`` × ``scale`` (capped at 1/2); the symmetric error where no pair is reported."""
        sym = self.readout(qubit)
        a = self.readout_p1_given0.get(qubit, sym)
        b = self.readout_p0_given1.get(qubit, sym)
        return float(min(MAX_READOUT_FLIP, a * scale)), float(min(MAX_READOUT_FLIP, b * scale))

    @property
    def readout_asymmetric(self) -> bool:
        """True when the device reports P(1|0) and P(0|1) separately."""
        return bool(self.readout_p1_given0) and bool(self.readout_p0_given1)

    def duration_s(self, gate: str, qubits: tuple[int, ...]) -> float:
        """Duration of ``gate`` on ``qubits`` in seconds (either direction; 0 when unknown)."""
        d = self.gate_duration_s.get((gate, qubits))
        if d is None:
            d = self.gate_duration_s.get((gate, qubits[::-1]), 0.0)
        return d

    def coherence(self, qubit: int, scale: float = 1.0) -> tuple[float, float]:
        """(T1, T2) of ``qubit`` ÷ ``scale`` in seconds, T2 capped at 2·T1; inf when unknown or at scale 0."""
        t1 = self.t1_s.get(qubit, math.inf)
        t2 = min(self.t2_s.get(qubit, math.inf), 2.0 * t1)
        if scale <= 0:
            return math.inf, math.inf
        return t1 / scale, t2 / scale

    def relaxation(self, qubit: int, t_s: float, scale: float = 1.0) -> tuple[float, float, float]:
        """(p_x, p_y, p_z) of ``qubit`` idling or inside a gate for ``t_s`` seconds ([`twirled_relaxation`][twirled_relaxation])."""
        t1, t2 = self.coherence(qubit, scale)
        return twirled_relaxation(t_s, t1, t2)

    def gate_depolarizing(self, gate: str, qubits: tuple[int, ...], *, scale: float = 1.0, idle: bool = True) -> float:
        """Depolarising strength λ after ``gate`` on ``qubits`` at ``scale``: with ``idle``, reduced so that together
        with the relaxation during the gate it has the reported average infidelity (as Aer does); without, all of it."""
        err = self.error(gate, qubits, scale)
        k = len(qubits)
        if not idle:
            d = 2**k
            return float(min(4**k / (4**k - 1), err * d / (d - 1)))
        t = self.duration_s(gate, qubits)
        fid = 1.0
        for q in qubits:
            fid *= 1.0 - sum(self.relaxation(q, t, scale))
        return _reduced_depolarizing(err, k, fid)

    def median_depolarizing(self, scale: float = 1.0) -> tuple[float, float, float]:
        """Median one-qubit (sx, x) and two-qubit (cz, ecr, cx) depolarising strengths λ and the median readout
        flip, each from the reported errors × ``scale`` (readout capped at 1/2): the device in three numbers,
        as the analytic noise multiplier uses it ([qenergy.hardware.noise_model.noise_multiplier][])."""
        one = [v for k, v in self.median_gate_error.items() if k in ("sx", "x")]
        two = [v for k, v in self.median_gate_error.items() if k in ("cz", "ecr", "cx")]
        e1 = _depolarizing_from_error(scale * float(np.median(one)) if one else 0.0, 1)
        e2 = _depolarizing_from_error(scale * float(np.median(two)) if two else 0.0, 2)
        return e1, e2, min(0.5, scale * self.median_readout_error)

    @property
    def two_qubit_gate(self) -> str | None:
        """The device's two-qubit gate (``ecr``, ``cz`` or ``cx``), None when it has none."""
        return next((g for g in ("ecr", "cz", "cx") if g in self.basis_gates), None)

    def summary(self, scale: float = 1.0) -> DeviceSummary:
        """Medians of the device at error scale ``scale`` (see [`DeviceSummary`][DeviceSummary])."""
        two = self.two_qubit_gate
        t1s = [self.coherence(q, scale)[0] for q in self.t1_s] or [math.inf]
        t2s = [self.coherence(q, scale)[1] for q in self.t1_s] or [math.inf]
        pairs = [self.readout_pair(q, scale) for q in range(self.num_qubits)]
        return DeviceSummary(
            device=self.name,
            scale=float(scale),
            two_qubit_gate=two,
            median_two_qubit_error=min(_max_gate_error(2), self.median_gate_error.get(two, 0.0) * scale) if two else 0.0,
            median_one_qubit_error=min(_max_gate_error(1), self.median_gate_error.get("sx", 0.0) * scale),
            median_readout_error=float(np.median([(a + b) / 2 for a, b in pairs])) if pairs else 0.0,
            median_t1_s=float(np.median(t1s)),
            median_t2_s=float(np.median(t2s)),
        )


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
    """The calibration of ``fake:NAME`` from its target (median or per-qubit errors); [`InputError`][InputError]
    names the fake devices when it is unknown."""
    device = _load_fake(name)
    target = device.target
    gate_error: dict[tuple[str, tuple[int, ...]], float] = {}
    medians: dict[str, float] = {}
    readout: dict[int, float] = {}
    durations: dict[tuple[str, tuple[int, ...]], float] = {}
    t1: dict[int, float] = {}
    t2: dict[int, float] = {}
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
            if qargs is not None and p is not None and p.duration is not None:
                durations[(gate, tuple(int(q) for q in qargs))] = float(p.duration)
        medians[gate] = float(np.median(errs)) if errs else 0.0
    for q, qp in enumerate(target.qubit_properties or ()):
        if qp is not None and qp.t1 is not None and qp.t1 > 0:
            t1[q] = float(qp.t1)
        if qp is not None and qp.t2 is not None and qp.t2 > 0:
            t2[q] = float(qp.t2)
    p10, p01 = _asymmetric_readout(device)
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
        gate_duration_s=durations,
        t1_s=t1,
        t2_s=t2,
        readout_p1_given0=p10,
        readout_p0_given1=p01,
        dt_s=float(target.dt) if target.dt else None,
    )


def _asymmetric_readout(device: Any) -> tuple[dict[int, float], dict[int, float]]:
    """Per-qubit P(1|0) and P(0|1) from the backend's properties, where it reports both (else empty)."""
    try:
        props = device.properties()
    except Exception:  # a backend without properties: the target's symmetric error serves
        return {}, {}
    p10: dict[int, float] = {}
    p01: dict[int, float] = {}
    if props is None:
        return p10, p01
    for q in range(int(device.num_qubits)):
        try:
            qp = props.qubit_property(q)
        except Exception:
            continue
        a, b = qp.get("prob_meas1_prep0"), qp.get("prob_meas0_prep1")
        if a is not None and b is not None:
            p10[q], p01[q] = float(a[0]), float(b[0])
    return p10, p01


def route_on_device(circuit: Any, device_name: str, seed: int, *, clifford: bool = False) -> Any:
    """``circuit`` compiled and routed onto ``fake:NAME`` (ISA gates on physical qubits) with
    ``generate_preset_pass_manager`` at [`ROUTING_LEVEL`][ROUTING_LEVEL]; ``clifford`` snaps the rz angles of a
    Clifford circuit to exact multiples of π/2 ([`InputError`][InputError] if one is not)."""
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


def _dd_sequence(dd: str) -> list[Any]:
    """The gates of a DD sequence in the device's basis: XX, or XY4 with Y as rz(−π/2)·x·rz(π/2) (rz is virtual)."""
    from qiskit.circuit.library import RZGate, XGate

    if dd == "XX":
        return [XGate(), XGate()]
    y = [RZGate(-math.pi / 2), XGate(), RZGate(math.pi / 2)]
    return [XGate(), *y, XGate(), *y]


def check_dd(dd: str) -> str:
    """``dd`` checked against [`DD_SEQUENCES`][DD_SEQUENCES] (case-insensitive); [`InputError`][InputError] otherwise."""
    for name in DD_SEQUENCES:
        if isinstance(dd, str) and dd.strip().lower() == name.lower():
            return name
    raise InputError(f"--dd {dd!r} is not allowed; allowed: {', '.join(DD_SEQUENCES)}")


def schedule_on_device(isa: Any, device_name: str, *, dd: str = "none") -> Any:
    """The routed ISA circuit ``isa`` scheduled ALAP with ``fake:NAME``'s durations, its idle windows
    filled with delays (``dd="none"``) or a DD sequence (``XX``, ``XY4``: Qiskit's ``PadDynamicalDecoupling``,
    which leaves qubits still in |0⟩ alone). Delays before a qubit's first operation are dropped
    (it is in |0⟩, on which relaxation acts trivially, so a simulator need not carry it)."""
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import ALAPScheduleAnalysis, PadDelay, PadDynamicalDecoupling

    dd = check_dd(dd)
    target = _load_fake(device_name).target
    pad = PadDelay(target=target) if dd == "none" else PadDynamicalDecoupling(target=target, dd_sequence=_dd_sequence(dd))
    scheduled = PassManager([ALAPScheduleAnalysis(target=target), pad]).run(isa)
    out = scheduled.copy_empty_like()
    started: set[Any] = set()
    for inst in scheduled.data:
        if inst.operation.name == "delay" and inst.qubits[0] not in started:
            continue
        started.update(inst.qubits)
        out._append(inst)  # already validated by the pass manager; append() would re-check 10^4 instructions
    return out


def _delay_s(op: Any, dt_s: float | None) -> float:
    """A Delay's length in seconds."""
    unit = getattr(op, "unit", "dt")
    value = float(op.duration if op.duration is not None else op.params[0])
    if unit == "dt":
        if dt_s is None:
            raise QenergyError("a delay in dt on a device without dt")
        return value * dt_s
    return value * {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12}[unit]


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
    relaxation: Callable[[int, float], tuple[float, float, float]] | None = None,
    duration_s: Callable[[str, tuple[int, ...]], float] | None = None,
    dt_s: float | None = None,
) -> stim.Circuit:
    """A Clifford Qiskit circuit (e.g. a routed ISA circuit) as a stim circuit, gate by gate.

    ``gate_noise(name, qubits)`` is the depolarising strength λ after that gate (a
    ``DEPOLARIZE1(3λ/4)`` or ``DEPOLARIZE2(15λ/16)`` follows it); ``readout_noise(q)`` the
    flip probability of a measurement of qubit q (``X_ERROR`` before it). With
    ``relaxation(q, t_s)`` (a scheduled circuit: [`schedule_on_device`][schedule_on_device]), each ``Delay`` on
    a qubit already in use, and each gate of ``duration_s(name, qubits)`` seconds, is followed
    by ``PAULI_CHANNEL_1(p_x, p_y, p_z)`` on each of its qubits (delays in ``dt`` need ``dt_s``).
    Measurements are emitted last, in classical-bit order, so sample column i is classical
    bit i; a gate on a qubit after its measurement is refused. Non-Clifford gates raise
    [`InputError`][InputError].
    """
    index = {q: i for i, q in enumerate(circuit.qubits)}
    cindex = {c: i for i, c in enumerate(circuit.clbits)}
    lines: list[str] = []
    measured: dict[int, int] = {}
    done: set[int] = set()
    channels: dict[tuple[int, float], str] = {}

    def relax(q: int, t: float) -> None:
        assert relaxation is not None
        key = (q, t)
        text = channels.get(key)
        if text is None:
            px, py, pz = relaxation(q, t)
            text = channels[key] = f"PAULI_CHANNEL_1({px!r}, {py!r}, {pz!r}) {q}" if px + py + pz > 0 else ""
        if text:
            lines.append(text)

    for inst in circuit.data:
        op = inst.operation
        name = op.name
        qs = tuple(index[q] for q in inst.qubits)
        if name == "delay" and relaxation is not None:
            if qs[0] not in done:
                relax(qs[0], _delay_s(op, dt_s))
            continue
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
        if relaxation is not None and duration_s is not None:
            t = duration_s(name, qs)
            if t > 0:
                for q in qs:
                    relax(q, t)
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
    [qenergy.hardware.noise][]) and every measurement preceded by ``X_ERROR(readout)``; this is
    gate for gate the circuit Aer runs with `aer_noise_model` for the same spec.
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
    """A prepared noisy Simon circuit: ``noisy = True`` and the [`NoiseSpec`][NoiseSpec] it runs with.

    ``physical_qubits`` is the width actually simulated (a device twin's whole device).
    """

    noisy = True

    def __init__(self, backend: str, method: str, n: int, depth: int, gate_counts: dict[str, int], noise: NoiseSpec, sampler: Callable[[int], NDArray[np.uint8]],
                 *, logical_gates: int, physical_qubits: int, circuit: Any = None) -> None:
        super().__init__(backend, method, 2 * n, depth, gate_counts, logical_gates=logical_gates)
        self.noise = noise
        self.physical_qubits = physical_qubits
        self.circuit = circuit
        self.twin: DeviceTwin | None = None
        self._sampler = sampler

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        return self._sampler(shots)


def device_noise(noise: NoiseSpec) -> tuple[Callable[[str, tuple[int, ...]], float], Callable[[int], float]]:
    """``(gate_noise, readout_noise)`` of a device spec: the depolarising strength after each physical
    gate (the device's at ``scale:X``, reduced for the relaxation during the gate when ``idle`` is on,
    combined with any ``depolarize:P``; rz is virtual) and each qubit's symmetric flip probability
    (the mean of its P(0|1) and P(1|0) at the scale, combined with any ``readout:P``), for
    `stim_from_qiskit`. The twins themselves read asymmetrically ([`DeviceTwin`][DeviceTwin])."""
    assert noise.device is not None
    cal = device_calibration(noise.device)

    @cache
    def gate(name: str, qs: tuple[int, ...]) -> float:
        lam = cal.gate_depolarizing(name, qs, scale=noise.scale, idle=noise.idle) if noise.scale > 0 else 0.0
        if noise.depolarize and name not in ("rz",):
            lam = _combine(lam, noise.depolarize)
        return lam

    def readout(q: int) -> float:
        a, b = cal.readout_pair(q, noise.scale)
        return _combine_flips((a + b) / 2, noise.readout)

    return gate, readout


@dataclass
class DeviceTwin:
    """A Simon circuit on a device twin: routed, scheduled (idle noise or DD) and converted to stim.

    Attributes:
        spec: the noise spec (its ``device``, ``idle``, ``scale``; ``depolarize``/``readout`` on top).
        dd: the DD sequence in the idle windows (``none``, ``XX``, ``XY4``).
        isa: the routed (and, with idle noise or DD, scheduled) Qiskit circuit on the device's qubits.
        circuit: the stim circuit with gate and idle noise, measurements ideal.
        measured: the physical qubit of each classical bit.
        p1_given0, p0_given1: each classical bit's readout errors (asymmetric, with ``readout:P`` added).
    """

    spec: NoiseSpec
    dd: str
    isa: Any
    circuit: stim.Circuit
    measured: tuple[int, ...]
    p1_given0: NDArray[np.float64]
    p0_given1: NDArray[np.float64]

    def sampler(self, rng: np.random.Generator) -> Callable[[int], NDArray[np.uint8]]:
        """``sample(shots)``: a ``(shots, bits)`` uint8 array, each bit flipped with the probability for the value read."""
        compiled = self.circuit.compile_sampler(seed=int(rng.integers(0, 2**63 - 1)))
        p10, p01 = self.p1_given0, self.p0_given1
        noisy = bool(p10.any() or p01.any())

        def sample(shots: int) -> NDArray[np.uint8]:
            ideal = compiled.sample(shots).view(np.uint8)
            if not noisy:
                return ideal
            flip = rng.random(ideal.shape) < np.where(ideal == 1, p01, p10)
            out: NDArray[np.uint8] = ideal ^ flip.astype(np.uint8)
            return out

        return sample


def build_twin(circuit: Any, spec: NoiseSpec, seed: int, *, dd: str = "none", isa: Any = None, scheduled: bool = False) -> DeviceTwin:
    """The Clifford Qiskit ``circuit`` on the device twin ``spec`` (see the module docstring).

    Routed with ``seed`` (`route_on_device`; or ``isa``, a circuit already routed, and already
    scheduled with ``dd`` when ``scheduled``), scheduled ALAP when ``spec.idle`` or ``dd`` asks for it
    ([`schedule_on_device`][schedule_on_device]), converted with
    `stim_from_qiskit`: gate depolarising ([DeviceCalibration.gate_depolarizing][]),
    relaxation during gates and waits ([DeviceCalibration.relaxation][]); readout flips are
    applied at sampling time, per value ([DeviceTwin.sampler][]).
    Raises [`InputError`][InputError] for an unknown device, a circuit too wide for it, a non-Clifford gate or a bad ``dd``.
    """
    assert spec.device is not None
    dd = check_dd(dd)
    cal = device_calibration(spec.device)
    if isa is None:
        isa = route_on_device(circuit, spec.device, seed, clifford=True)
    live = spec.idle and spec.scale > 0
    if (live or dd != "none") and not scheduled:
        isa = schedule_on_device(isa, spec.device, dd=dd)
    gate, _ = device_noise(spec)
    scale = spec.scale

    def relaxation(q: int, t: float) -> tuple[float, float, float]:
        return cal.relaxation(q, t, scale)

    stim_circuit = stim_from_qiskit(isa, gate_noise=gate, relaxation=relaxation if live else None, duration_s=cal.duration_s, dt_s=cal.dt_s)
    index = {q: i for i, q in enumerate(isa.qubits)}
    cindex = {c: i for i, c in enumerate(isa.clbits)}
    by_bit: dict[int, int] = {}
    for inst in isa.data:
        if inst.operation.name == "measure":
            by_bit[cindex[inst.clbits[0]]] = index[inst.qubits[0]]
    measured = tuple(by_bit[c] for c in sorted(by_bit))
    pairs = [cal.readout_pair(q, scale) for q in measured]
    p10 = np.array([_combine_flips(a, spec.readout) for a, _ in pairs], dtype=np.float64)
    p01 = np.array([_combine_flips(b, spec.readout) for _, b in pairs], dtype=np.float64)
    return DeviceTwin(spec, dd, isa, stim_circuit, measured, p10, p01)


class NoisyStimBackend(SimonBackend):
    """stim with Pauli noise: Clifford oracles at any width, optionally routed onto a device twin
    (``dd``: a DD sequence in its idle windows, see [`schedule_on_device`][schedule_on_device])."""

    name = "stim"

    def __init__(self, noise: NoiseSpec, *, dd: str = "none") -> None:
        self.noise = noise
        self.dd = check_dd(dd)

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        if not instance.oracle.is_clifford:
            raise InputError("stim backend needs a Clifford (linear) oracle; allowed: --oracle linear, or --backend aer")
        check_clifford_size(instance, "stim")
        network = oracle_network(instance.oracle)
        n = instance.n
        logical = logical_gate_count(circuit_gate_counts(network))
        if self.noise.device is not None:
            from .qiskit_builder import simon_circuit

            twin = build_twin(simon_circuit(instance, network), self.noise, int(rng.integers(0, 2**31 - 1)), dd=self.dd)
            isa = twin.isa
            counts = {k: int(v) for k, v in isa.count_ops().items() if k != "delay"}
            prepared = PreparedNoisy("stim", "stabilizer", n, int(isa.depth(lambda i: i.operation.name != "delay")), counts, self.noise,
                                     twin.sampler(rng), logical_gates=logical, physical_qubits=int(isa.num_qubits), circuit=twin.circuit)
            prepared.twin = twin
            return prepared
        if self.dd != "none":
            raise InputError(f"--dd {self.dd} is not allowed without a device twin; allowed: --dd with --noise device:fake:NAME, "
                             f"or --backend fake:NAME / ibm:NAME")
        circuit = noisy_stim_circuit(network, self.noise.depolarize, self.noise.readout)
        counts = circuit_gate_counts(network)
        sampler = circuit.compile_sampler(seed=int(rng.integers(0, 2**63 - 1)))
        return PreparedNoisy("stim", "stabilizer", n, len(circuit), counts, self.noise, lambda k: sampler.sample(k).view(np.uint8),
                             logical_gates=logical, physical_qubits=2 * n, circuit=circuit)


_AER_1Q = ("h", "x", "y", "z", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz", "p", "u", "id")
_AER_2Q = ("cx", "cz", "ecr", "swap")


def aer_noise_model(noise: NoiseSpec, isa: Any = None) -> Any:
    """The Aer ``NoiseModel`` of ``noise``: uniform channels on every one- and two-qubit gate, or,
    with a device, per physical gate and qubit for the gates of the routed circuit ``isa``: the
    depolarising part ([DeviceCalibration.gate_depolarizing][]) followed, when ``idle`` is on,
    by Aer's ``thermal_relaxation_error`` for the gate's duration on each of its qubits, and each
    measured qubit's asymmetric ``ReadoutError``. Waits (delays) get their relaxation from
    [`aer_idle_circuit`][aer_idle_circuit]."""
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
    cal = device_calibration(noise.device)
    gate, _ = device_noise(noise)
    live = noise.idle and noise.scale > 0
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
        error = depolarizing_error(lam, len(qs)) if lam > 0 else None
        t = cal.duration_s(name, qs) if live else 0.0
        if t > 0:
            relax = _aer_relaxation(cal, qs, t, noise.scale)
            error = relax if error is None else error.compose(relax)
        if error is not None:
            model.add_quantum_error(error, name, list(qs))
    for q in sorted(measured):
        a, b = cal.readout_pair(q, noise.scale)
        a, b = _combine_flips(a, noise.readout), _combine_flips(b, noise.readout)
        if a > 0 or b > 0:
            model.add_readout_error(ReadoutError([[1 - a, a], [b, 1 - b]]), [q])
    return model


def _aer_relaxation(cal: DeviceCalibration, qs: tuple[int, ...], t_s: float, scale: float) -> Any:
    """Aer's ``thermal_relaxation_error`` over ``t_s`` on each of ``qs`` (a tensor product, first qubit lowest)."""
    from qiskit_aer.noise import thermal_relaxation_error

    error = None
    for q in qs:
        t1, t2 = cal.coherence(q, scale)
        single = thermal_relaxation_error(t1, t2, t_s)
        error = single if error is None else error.expand(single)
    return error


def aer_idle_circuit(isa: Any, noise: NoiseSpec) -> Any:
    """A scheduled circuit with each ``Delay`` on a qubit already in use (and not yet measured)
    replaced by Aer's ``thermal_relaxation_error`` for that wait (at ``scale:X``); unchanged with ``idle:off``."""
    assert noise.device is not None
    if not (noise.idle and noise.scale > 0):
        return isa
    cal = device_calibration(noise.device)
    index = {q: i for i, q in enumerate(isa.qubits)}
    out = isa.copy_empty_like()
    done: set[int] = set()
    cache: dict[tuple[int, float], Any] = {}
    for inst in isa.data:
        name = inst.operation.name
        if name == "delay":
            q = index[inst.qubits[0]]
            if q not in done:
                t = _delay_s(inst.operation, cal.dt_s)
                key = (q, t)
                if key not in cache:
                    cache[key] = _aer_relaxation(cal, (q,), t, noise.scale).to_instruction()
                out.append(cache[key], inst.qubits)
            continue
        if name == "measure":
            done.add(index[inst.qubits[0]])
        out.append(inst)
    return out


def aer_reference_model(spec: NoiseSpec) -> Any:
    """The reference a twin is compared with: Aer's own ``NoiseModel.from_backend`` of the fake device
    (gate depolarising tuned against thermal relaxation, relaxation on every ``Delay`` by Aer's
    ``RelaxationNoisePass``; ``thermal_relaxation`` follows ``idle``), with the device's asymmetric
    readout errors (``from_backend`` reads only the target's symmetric one) and any ``readout:P``.
    Only at ``scale:1`` without ``depolarize:P``: Aer has no scaled device model ([`InputError`][InputError])."""
    from qiskit_aer.noise import NoiseModel, ReadoutError

    assert spec.device is not None
    if spec.scale != 1.0 or spec.depolarize:
        raise InputError(f"--reference aer with {spec.describe()} is not allowed (Aer's device model has no scale:X or depolarize:P); "
                         f"allowed: --reference none, or a device spec at scale:1")
    backend = _load_fake(spec.device)
    cal = device_calibration(spec.device)
    model = NoiseModel.from_backend(backend, thermal_relaxation=spec.idle, readout_error=False)
    for q in range(cal.num_qubits):
        a, b = (_combine_flips(p, spec.readout) for p in cal.readout_pair(q))
        if a > 0 or b > 0:
            model.add_readout_error(ReadoutError([[1 - a, a], [b, 1 - b]]), [q])
    return model


class NoisyAerBackend(SimonBackend):
    """Qiskit Aer with a noise model: any oracle (small n), stabilizer method for Clifford circuits
    without relaxation; a device twin with idle noise runs the scheduled circuit with Aer's thermal
    relaxation (statevector method)."""

    name = "aer"

    def __init__(self, noise: NoiseSpec, *, dd: str = "none") -> None:
        self.noise = noise
        self.dd = check_dd(dd)

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
        device = self.noise.device
        live = device is not None and self.noise.idle and self.noise.scale > 0
        if self.dd != "none" and device is None:
            raise InputError(f"--dd {self.dd} is not allowed without a device twin; allowed: --dd with --noise device:fake:NAME, "
                             f"or --backend fake:NAME / ibm:NAME")
        if clifford and not live:
            check_clifford_size(instance, "aer", MAX_AER_CLIFFORD_BITS)
        else:
            check_statevector_memory(instance, bytes_per_amplitude=16)
            # a noisy statevector run simulates each shot separately: price a few hundred shots
            check_statevector_work(instance, (len(network.gates) + 2 * n) * 256, "aer")
        circuit = simon_circuit(instance, network)
        logical = logical_gate_count(circuit_gate_counts(network))
        if device is not None:
            circuit = route_on_device(circuit, device, int(rng.integers(0, 2**31 - 1)), clifford=clifford)
            if live or self.dd != "none":
                circuit = schedule_on_device(circuit, device, dd=self.dd)
        elif not clifford:  # gates on 3+ qubits become 1- and 2-qubit gates, each followed by its channel
            circuit = transpile(circuit, basis_gates=[*_AER_1Q, "cx"], optimization_level=0)
        model = aer_noise_model(self.noise, circuit)
        counts = {k: int(v) for k, v in circuit.count_ops().items() if k != "delay"}
        depth = int(circuit.depth(lambda i: i.operation.name != "delay"))
        run_circuit = aer_idle_circuit(circuit, self.noise) if device is not None else circuit
        method = "stabilizer" if clifford and not live else "statevector"
        sim = AerSimulator(method=method, noise_model=model)

        def sample(shots: int) -> NDArray[np.uint8]:
            seed = int(rng.integers(0, 2**31 - 1))
            result = sim.run(run_circuit, shots=shots, memory=True, seed_simulator=seed).result()
            return bitstrings_to_array(result.get_memory(run_circuit), n)

        return PreparedNoisy("aer", method, n, depth, counts, self.noise, sample, logical_gates=logical,
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


def noisy_backend(name: str, instance: SimonInstance | None, noise: NoiseSpec | str | None, *, dd: str = "none") -> SimonBackend:
    """The backend ``name`` running with ``noise``; an ideal spec gives the ordinary backend.

    ``auto`` is stim for Clifford oracles and aer otherwise. ``dd`` (``none``, ``XX``, ``XY4``) fills the
    idle windows of a device twin with dynamical decoupling. [`InputError`][InputError] for a
    backend that takes no noise spec (cirq, fake:NAME and ibm:NAME, whose devices carry
    their own noise), for an unknown device and for DD without a device twin.
    """
    spec = as_noise_spec(noise)
    dd = check_dd(dd)
    if spec.is_ideal:
        if dd != "none":
            raise InputError(f"--dd {dd} is not allowed without a device twin; allowed: --dd with --noise device:fake:NAME, "
                             f"or --backend fake:NAME / ibm:NAME")
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
        return NoisyStimBackend(spec, dd=dd)
    if name == "aer":
        return NoisyAerBackend(spec, dd=dd)
    if name == "exact":
        return NoisyExactBackend(spec)
    if name == "cirq":
        raise InputError(f"--noise {spec.describe()} with --backend cirq is not allowed; allowed: --noise with --backend {', '.join(NOISY_BACKENDS)}")
    return construct_backend(name, instance)  # raises the unknown-backend error
