"""Device twins checked against a reference, readout mitigation, and the price of a ``fake:`` run.

* [`compare_twin`][compare_twin]: one Simon instance at width n, routed and scheduled once
  ([qenergy.circuits.noise.build_twin][]), sampled on the stim twin and on Aer with Aer's full
  device model (``NoiseModel.from_backend`` with thermal relaxation on every ``Delay``,
  [qenergy.circuits.noise.aer_reference_model][]) on the *same* scheduled circuit; the fraction of
  good shots (y·s = 0) on each, their difference with its standard error, and the seconds each
  took. This is what ``qenergy twin`` prints.
* [`mitigated_good_fraction`][mitigated_good_fraction]: readout mitigation from the calibrated per-qubit confusion
  matrices. For independent readout errors P(1|0) = a_i, P(0|1) = b_i, the variable
  z_i = ((−1)^(m_i) − (b_i − a_i)) / (1 − a_i − b_i) has expectation (−1)^(x_i) given the bit x_i
  before readout, so the product of z_i over the bits of s is an unbiased estimate of the parity
  (−1)^(y·s) before readout: the tensor-product inverse of the confusion matrix restricted to one
  parity, which is what a matrix-inversion or M3 correction gives for this observable (mthree's
  M3 corrects whole distributions; one parity needs no solver). It corrects an *estimate*
  (the good-shot fraction, hence the corruption rate); it cannot make a single shot cleaner, so
  a solver that reads raw shots needs as many of them as before (the variance grows by
  Π 1/(1 − a_i − b_i)²).
* [`estimate_local_seconds`][estimate_local_seconds]: Aer's time for a ``fake:`` run in the runtime's local mode,
  from the routed circuit's active width and instruction count (a fitted rate, an estimate),
  so that a run that would take hours is refused before it starts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError
from qenergy.hardware.noise import NoiseSpec
from qenergy.problem.instance import make_instance

from .noise import aer_reference_model, build_twin, check_dd, device_calibration

__all__ = [
    "MITIGATIONS",
    "REFERENCES",
    "TwinRow",
    "check_mitigation",
    "compare_twin",
    "estimate_local_seconds",
    "estimate_local_seconds_before_routing",
    "good_fraction",
    "mitigated_good_fraction",
]

#: What ``--mitigate`` accepts.
MITIGATIONS = ("none", "readout")
#: What ``qenergy twin --reference`` accepts.
REFERENCES = ("aer", "none")

#: Seconds per (shot × instruction × amplitude) of Aer's noisy statevector trajectories, fitted on
#: fake:sherbrooke runs of the Simon circuit at n = 6, 7 in the runtime's local mode (benchmarks/bench_twin.py,
#: section E, on 2 shared cores); an estimate.
AER_SECONDS_PER_AMPLITUDE_OP = 4.0e-9
#: Seconds Aer's local mode spends on a run whatever its size (noise model and circuit set-up, measured at n = 3, 4).
AER_LOCAL_OVERHEAD_S = 8.0
#: Aer's density-matrix method is used at up to this many active qubits (its per-run cost is shot-independent).
AER_DENSITY_MATRIX_QUBITS = 10


def check_mitigation(value: str) -> str:
    """``value`` checked against `MITIGATIONS`; [`InputError`][InputError] otherwise."""
    if isinstance(value, str) and value.strip().lower() in MITIGATIONS:
        return value.strip().lower()
    raise InputError(f"--mitigate {value!r} is not allowed; allowed: {', '.join(MITIGATIONS)}")


def _secret_bits(secret: int, n: int) -> NDArray[np.bool_]:
    return np.array([(secret >> i) & 1 for i in range(n)], dtype=bool)


def good_fraction(ys: NDArray[np.uint8], secret: int) -> float:
    """Fraction of shots with y·s = 0 (mod 2)."""
    mask = _secret_bits(secret, ys.shape[1])
    if not len(ys):
        return math.nan
    return float(np.mean(ys[:, mask].sum(axis=1) % 2 == 0))


def mitigated_good_fraction(ys: NDArray[np.uint8], secret: int, p1_given0: NDArray[np.float64],
                            p0_given1: NDArray[np.float64]) -> tuple[float, float]:
    """Readout-mitigated fraction of good shots (y·s = 0 before readout) and its standard error.

    ``p1_given0``/``p0_given1``: each measured bit's readout errors (column order of ``ys``);
    unbiased when readout errors are independent per bit (see the module docstring).
    Raises [`InputError`][InputError] when a bit of s has a + b ≥ 1 (its readout carries no information).
    """
    mask = _secret_bits(secret, ys.shape[1])
    a = np.asarray(p1_given0, dtype=float)[mask]
    b = np.asarray(p0_given1, dtype=float)[mask]
    if np.any(a + b >= 1.0):
        raise InputError("readout mitigation is not allowed where P(1|0) + P(0|1) >= 1; allowed: readout errors below 1/2")
    signs = 1.0 - 2.0 * ys[:, mask].astype(float)
    z = np.prod((signs - (b - a)) / (1.0 - a - b), axis=1)
    k = len(z)
    mean = float(z.mean()) if k else math.nan
    se = float(z.std(ddof=1) / math.sqrt(k)) if k > 1 else math.nan
    return (1.0 + mean) / 2.0, se / 2.0


@dataclass(frozen=True)
class TwinRow:
    """One width of ``qenergy twin`` (fractions are of good shots, y·s = 0; basis ``measured``).

    ``reference_*`` are None with ``--reference none``; ``*_mitigated`` None without ``--mitigate readout``.
    ``stderr`` is the standard error of ``difference`` (binomial, both sides); ``twin_s`` the stim
    conversion and sampling, ``reference_s`` Aer's model building and run, ``route_s`` the shared
    routing and scheduling, in seconds.
    """

    n: int
    secret: int
    shots: int
    physical_qubits: int
    twin_good: float
    reference_good: float | None
    difference: float | None
    stderr: float | None
    twin_s: float
    reference_s: float | None
    route_s: float
    twin_good_mitigated: float | None = None
    reference_good_mitigated: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return dict(self.__dict__)


def compare_twin(spec: NoiseSpec, n: int, *, shots: int, seed: int, reference: str = "aer", dd: str = "none",
                 mitigate: str = "none") -> TwinRow:
    """The stim twin of ``spec`` against Aer's device model on one routed, scheduled Simon circuit of width n.

    The instance (a linear oracle, its secret from ``seed`` and n) and the routing are seeded; both
    simulators run the same scheduled ISA circuit. Raises [`InputError`][InputError] for a bad reference,
    DD or mitigation value, a device too small for 2n qubits, or ``--reference aer`` with a scaled spec.
    """
    if spec.device is None:
        raise InputError(f"--device {spec.describe()} is not allowed; allowed: a device spec such as fake:sherbrooke")
    if reference not in REFERENCES:
        raise InputError(f"--reference {reference!r} is not allowed; allowed: {', '.join(REFERENCES)}")
    dd = check_dd(dd)
    mitigate = check_mitigation(mitigate)
    from .qiskit_builder import simon_circuit

    model = aer_reference_model(spec) if reference == "aer" else None  # refuses a scaled spec before any work
    rng = np.random.default_rng([seed, n])
    inst = make_instance(n, None, "linear", seed=int(rng.integers(0, 2**31 - 1)))
    route_seed = int(rng.integers(0, 2**31 - 1))
    t0 = time.perf_counter()
    from .noise import route_on_device, schedule_on_device

    isa = route_on_device(simon_circuit(inst), spec.device, route_seed, clifford=True)
    scheduled = schedule_on_device(isa, spec.device, dd=dd) if (spec.idle or dd != "none") else isa
    route_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    timed = spec.idle or dd != "none"  # the circuit both run: scheduled when idle noise or DD needs the schedule
    circuit = scheduled if timed else isa
    twin = build_twin(None, spec, route_seed, dd=dd, isa=circuit, scheduled=timed)
    ys = twin.sampler(rng)(shots)
    twin_s = time.perf_counter() - t0
    tg = good_fraction(ys, inst.secret)
    tm = mitigated_good_fraction(ys, inst.secret, twin.p1_given0, twin.p0_given1)[0] if mitigate == "readout" else None
    rg = rm = diff = se = ref_s = None
    if model is not None:
        from qiskit_aer import AerSimulator

        from .base import bitstrings_to_array

        t0 = time.perf_counter()
        result = AerSimulator(noise_model=model).run(circuit, shots=shots, memory=True,
                                                     seed_simulator=int(rng.integers(0, 2**31 - 1))).result()
        ya = bitstrings_to_array(result.get_memory(circuit), n)
        ref_s = time.perf_counter() - t0
        rg = good_fraction(ya, inst.secret)
        diff = tg - rg
        se = math.sqrt((tg * (1 - tg) + rg * (1 - rg)) / shots)
        if mitigate == "readout":
            rm = mitigated_good_fraction(ya, inst.secret, twin.p1_given0, twin.p0_given1)[0]
    return TwinRow(n, inst.secret, shots, int(twin.isa.num_qubits), tg, rg, diff, se, twin_s, ref_s, route_s, tm, rm)


def _active_qubits(isa: Any) -> int:
    used: set[Any] = set()
    for inst in isa.data:
        if inst.operation.name not in ("delay", "barrier"):
            used.update(inst.qubits)
    return len(used)


def estimate_local_seconds(isa: Any, shots: int) -> float:
    """Estimated seconds Aer needs for ``shots`` shots of the routed circuit ``isa`` with a device noise model
    (the runtime's local mode): `AER_LOCAL_OVERHEAD_S` plus statevector trajectories, shots × instructions ×
    2^(active qubits) × `AER_SECONDS_PER_AMPLITUDE_OP`; up to `AER_DENSITY_MATRIX_QUBITS` active qubits,
    one density-matrix run (instructions × 4^(active qubits)). An estimate (basis ``estimated``), not a bound."""
    k = _active_qubits(isa)
    ops = sum(1 for inst in isa.data if inst.operation.name not in ("delay", "barrier"))
    if k <= AER_DENSITY_MATRIX_QUBITS:
        return AER_LOCAL_OVERHEAD_S + ops * 4.0**k * AER_SECONDS_PER_AMPLITUDE_OP
    return AER_LOCAL_OVERHEAD_S + shots * ops * 2.0**k * AER_SECONDS_PER_AMPLITUDE_OP


def device_readout(spec: NoiseSpec, qubits: tuple[int, ...]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """P(1|0) and P(0|1) of the measured physical ``qubits`` of a device (at the spec's scale)."""
    assert spec.device is not None
    cal = device_calibration(spec.device)
    pairs = [cal.readout_pair(q, spec.scale) for q in qubits]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


def noise_model_fields(backend: str | None, spec: NoiseSpec | None, *, dd: str = "none", mitigation: str = "none") -> dict[str, Any] | None:
    """``quantum.noise_model`` of a run: {``device``, ``idle``, ``readout_asymmetric``, ``dd``, ``mitigation``, ``scale``}.

    A device twin reports its spec; ``fake:NAME`` the runtime's local mode (Aer's device model on the
    unscheduled circuit: no idle decay, the target's symmetric readout); ``ibm:NAME`` the device itself
    (idle and asymmetric readout are physics there, not a model); uniform channels report no device.
    None for an ideal simulator without DD or mitigation."""
    if backend is not None and backend.startswith(("fake:", "ibm:")):
        real = backend.startswith("ibm:")
        return {"device": backend, "idle": real, "readout_asymmetric": real, "dd": dd, "mitigation": mitigation, "scale": 1.0}
    if spec is None or spec.is_ideal:
        return None if dd == "none" and mitigation == "none" else {"device": None, "idle": False, "readout_asymmetric": False, "dd": dd,
                                                                 "mitigation": mitigation, "scale": None}
    if spec.device is None:
        return {"device": None, "idle": False, "readout_asymmetric": False, "dd": dd, "mitigation": mitigation, "scale": None}
    cal = device_calibration(spec.device)
    return {"device": spec.device, "idle": spec.idle and spec.scale > 0, "readout_asymmetric": cal.readout_asymmetric and spec.scale > 0,
            "dd": dd, "mitigation": mitigation, "scale": spec.scale}


def parse_device_spec(text: str) -> NoiseSpec:
    """``qenergy twin --device``: ``fake:NAME`` with its modifiers (``idle:on|off``, ``scale:X``, ``readout:P``,
    ``depolarize:P``), with or without a leading ``device:``; [`InputError`][InputError] otherwise."""
    from qenergy.hardware.noise import parse_noise

    body = text.strip()
    spec = parse_noise(body if body.lower().startswith("device:") else f"device:{body}")
    if spec.device is None:
        raise InputError(f"--device {text!r} is not allowed; allowed: fake:NAME[,idle:on|off][,scale:X]")
    device_calibration(spec.device)  # an unknown device fails here, naming the known ones
    return spec


def prepared_readout(prepared: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """P(1|0) and P(0|1) of each measured bit of a prepared circuit: a device twin's (asymmetric, scaled), a
    ``fake:``/``ibm:`` device's from its properties (the target's symmetric error where they are missing), a
    uniform ``readout:P`` as both; None when the backend reports nothing."""
    twin = getattr(prepared, "twin", None)
    if twin is not None:
        return twin.p1_given0, twin.p0_given1
    device = getattr(prepared, "device", None)
    isa = getattr(prepared, "isa", None)
    if device is not None and isa is not None:
        from .noise import _asymmetric_readout

        p10, p01 = _asymmetric_readout(device)
        index = {q: i for i, q in enumerate(isa.qubits)}
        cindex = {c: i for i, c in enumerate(isa.clbits)}
        by_bit = {cindex[inst.clbits[0]]: index[inst.qubits[0]] for inst in isa.data if inst.operation.name == "measure"}
        measure = device.target["measure"] if "measure" in device.target.operation_names else {}
        a, b = [], []
        for c in sorted(by_bit):
            q = by_bit[c]
            props = measure.get((q,)) if measure else None
            sym = float(props.error) if props is not None and props.error is not None else 0.0
            a.append(p10.get(q, sym))
            b.append(p01.get(q, sym))
        return np.array(a), np.array(b)
    spec = getattr(prepared, "noise", None)
    if isinstance(spec, NoiseSpec) and spec.device is None:
        bits = prepared.metadata.qubits // 2
        return np.full(bits, spec.readout), np.full(bits, spec.readout)
    return None


def readout_mitigation(prepared: Any, secret: int | None) -> dict[str, Any]:
    """``quantum.readout_mitigation`` of a run with ``--mitigate readout``: the corruption rate (shots with
    y·s = 1) raw and corrected for readout errors ([`mitigated_good_fraction`][mitigated_good_fraction]) over every shot drawn, at the
    secret the run proved; ``status`` says why there are no figures (no proven secret, no confusion data)."""
    kept = getattr(prepared, "kept", None) or []
    if secret is None:
        return {"status": "no secret proven: nothing to measure the corruption against"}
    confusion = prepared_readout(prepared)
    if confusion is None:
        return {"status": "the backend reports no readout errors"}
    ys = np.concatenate(kept) if kept else np.zeros((0, len(confusion[0])), dtype=np.uint8)
    if len(ys) < 2:
        return {"status": "fewer than 2 shots"}
    mitigated, se = mitigated_good_fraction(ys, secret, *confusion)
    return {"status": "ok", "shots": int(len(ys)), "basis": "measured", "corruption_rate_raw": 1.0 - good_fraction(ys, secret),
            "corruption_rate_mitigated": 1.0 - mitigated, "stderr": se,
            "note": "readout-corrected estimate of the corruption before readout; the solver drew and read the raw shots"}


def estimate_local_seconds_before_routing(n: int, logical_gates: int, shots: int) -> float:
    """[`estimate_local_seconds`][estimate_local_seconds] from what is known before compiling: 2n active qubits and the logical
    circuit's gates (routing only adds qubits and gates, so this is below the routed estimate)."""
    k = 2 * n
    ops = logical_gates + n  # and the n measurements
    if k <= AER_DENSITY_MATRIX_QUBITS:
        return AER_LOCAL_OVERHEAD_S + ops * 4.0**k * AER_SECONDS_PER_AMPLITUDE_OP
    return AER_LOCAL_OVERHEAD_S + shots * ops * 2.0**k * AER_SECONDS_PER_AMPLITUDE_OP
