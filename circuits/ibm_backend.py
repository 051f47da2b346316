"""IBM Quantum backends through qiskit-ibm-runtime: ``ibm:NAME`` (a real device) and
``fake:NAME`` (its offline twin in the runtime's local mode, with the device's noise model).

Both take the same path: the Simon circuit is compiled to an ISA circuit for the
device's target by ``generate_preset_pass_manager``, sampled by the runtime's current
sampler (``qiskit_ibm_runtime.executor_sampler.Sampler``; ``SamplerV2`` is deprecated
since 0.50), in a ``Batch`` when many circuits go at once, and every job is kept as a
[`JobRecord`][qenergy.hardware.qpu.JobRecord] (id, status, usage seconds or their estimate).

Credentials for ``ibm:`` come from ``QISKIT_IBM_TOKEN`` (with optional
``QISKIT_IBM_INSTANCE`` and ``QISKIT_IBM_CHANNEL``) or the account saved with
``QiskitRuntimeService.save_account``; they are handed to the runtime and never stored,
printed or put in an error message.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, QenergyError
from qenergy.hardware.qpu import JobRecord, estimate_usage_seconds
from qenergy.problem.instance import SimonInstance
from qenergy.secrets import redact

from .base import PreparedSimon, SimonBackend, bitstrings_to_array, circuit_gate_counts, logical_gate_count
from .qiskit_builder import simon_circuit
from .reversible import oracle_network

__all__ = ["IBMRuntimeBackend", "fake_backend_names", "sample_batch"]

#: Repetition delay assumed when a device does not report one (IBM's usual default), seconds.
DEFAULT_REP_DELAY_S = 250e-6


def _fake_classes() -> dict[str, type]:
    import qiskit_ibm_runtime.fake_provider as fp
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    out = {}
    for cls_name, obj in vars(fp).items():
        if inspect.isclass(obj) and issubclass(obj, FakeBackendV2) and obj is not FakeBackendV2 and cls_name.startswith("Fake"):
            short = cls_name[len("Fake"):]
            short = short[:-2] if short.endswith("V2") else short
            if short != "FractionalBackend":
                out[short.lower()] = obj
    return out


def fake_backend_names() -> list[str]:
    """Every ``fake:NAME`` available (the runtime's fake provider)."""
    return sorted(f"fake:{name}" for name in _fake_classes())


def _ibm_service() -> Any:
    from qiskit_ibm_runtime import QiskitRuntimeService
    from qiskit_ibm_runtime.accounts.exceptions import AccountNotFoundError

    token = os.environ.get("QISKIT_IBM_TOKEN")
    quiet = logging.getLogger("qiskit_ibm_runtime")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its account-discovery warnings would add lines to our one-line errors
    try:
        if token:
            kwargs = {"channel": os.environ.get("QISKIT_IBM_CHANNEL", "ibm_quantum_platform"), "token": token}
            if os.environ.get("QISKIT_IBM_INSTANCE"):
                kwargs["instance"] = os.environ["QISKIT_IBM_INSTANCE"]
            return QiskitRuntimeService(**kwargs)
        return QiskitRuntimeService()
    except AccountNotFoundError:
        raise InputError(
            "no IBM Quantum credentials: set QISKIT_IBM_TOKEN (and QISKIT_IBM_INSTANCE) or save an account "
            "with QiskitRuntimeService.save_account(...); allowed offline: --backend fake:NAME"
        ) from None
    except Exception as exc:  # the message may come from the service: mask any secret before showing it
        raise InputError(redact(f"IBM Quantum service unavailable ({type(exc).__name__}: {exc})", token)[:300]) from None
    finally:
        quiet.setLevel(level)


def load_device(spec: str) -> Any:
    """The BackendV2 for ``fake:NAME`` or ``ibm:NAME``."""
    kind, _, name = spec.partition(":")
    if kind == "fake":
        classes = _fake_classes()
        key = name.lower().removeprefix("ibm_").removeprefix("fake_")
        if key not in classes:
            raise InputError(f"backend {spec!r} is unknown; allowed fake devices: {', '.join(fake_backend_names())}")
        return classes[key]()
    if kind == "ibm":
        if not name:
            raise InputError("backend 'ibm:' needs a device name, e.g. ibm:ibm_fez")
        service = _ibm_service()
        try:
            return service.backend(name)
        except Exception as exc:
            raise InputError(redact(f"IBM device {name!r} is not available to this account ({type(exc).__name__})")) from None
    raise InputError(f"backend {spec!r} is unknown; allowed: fake:NAME or ibm:NAME")


class PreparedIBM(PreparedSimon):
    """An ISA Simon circuit for one device; every sampling call is one runtime job."""

    noisy = True

    def __init__(self, device: Any, spec: str, isa: Any, n: int, rng: np.random.Generator, local: bool, logical_gates: int | None = None) -> None:
        counts = {k: int(v) for k, v in isa.count_ops().items()}
        super().__init__(spec, "qpu" if not local else "local-noisy", 2 * n, isa.depth(), counts, logical_gates=logical_gates)
        self.device = device
        self.isa = isa
        self.n = n
        self.local = local
        self._rng = rng
        try:
            self.duration_s = float(isa.estimate_duration(device.target, unit="s"))
        except Exception:  # a target without durations: no per-shot time beyond the delay
            self.duration_s = 0.0
        self.rep_delay_s = float(getattr(device, "default_rep_delay", None) or DEFAULT_REP_DELAY_S)
        self.reset_s = _reset_s(device.target)
        self.dd = "none"

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        return sample_batch([self], shots)[0]


def sample_batch(prepared: Sequence[PreparedIBM], shots: int) -> list[NDArray[np.uint8]]:
    """Sample several prepared circuits on one device in one job (a ``Batch``); records the job on each."""
    from qiskit_ibm_runtime import Batch
    from qiskit_ibm_runtime.executor_sampler import Sampler

    first = prepared[0]
    if any(p.device.name != first.device.name for p in prepared):
        raise ValueError("sample_batch needs circuits prepared for one device")
    seed = int(first._rng.integers(0, 2**31 - 1))
    with Batch(backend=first.device) as batch:
        sampler = Sampler(mode=batch)
        if first.local:
            sampler.options.simulator.seed_simulator = seed
        if first.dd != "none":
            sampler.options.dynamical_decoupling.enable = True
            sampler.options.dynamical_decoupling.sequence_type = first.dd
        job = sampler.run([p.isa for p in prepared], shots=shots)
        status = "ERROR"
        try:
            result = job.result()
            status = str(job.status()).split(".")[-1].upper()
        finally:
            usage = _usage(job)
            estimate = estimate_usage_seconds(shots * len(prepared), max(p.duration_s for p in prepared), first.rep_delay_s, first.reset_s)
            record = JobRecord(str(job.job_id()), first.device.name, status if status != "ERROR" else _status(job),
                               shots * len(prepared), len(prepared), int(first.device.num_qubits), usage, estimate)
            for p in prepared:
                p.jobs.append(record)
    if not record.succeeded:
        raise QenergyError(f"job {record.job_id} on {record.backend} ended {record.status}")
    out = []
    for p, pub in zip(prepared, result):
        out.append(bitstrings_to_array(pub.data.y.get_bitstrings(), p.n))
    return out


def _reset_s(target: Any) -> float:
    """The device's reset duration in seconds (the median over its qubits; 0 when the target reports none)."""
    try:
        durations = [p.duration for p in target["reset"].values() if p is not None and p.duration]
    except KeyError:
        return 0.0
    return float(np.median(durations)) if durations else 0.0


def _usage(job: Any) -> float | None:
    try:
        value = float(job.usage())
    except Exception:
        return None
    return value if value > 0 else None


def _status(job: Any) -> str:
    try:
        return str(job.status()).split(".")[-1].upper()
    except Exception:
        return "UNKNOWN"


class IBMRuntimeBackend(SimonBackend):
    """``fake:NAME`` or ``ibm:NAME``; circuits are compiled for the device and run through the runtime."""

    def __init__(self, spec: str, *, optimization_level: int = 2) -> None:
        self.name = spec
        self.device = load_device(spec)
        self.local = spec.startswith("fake:")
        self.optimization_level = optimization_level
        #: Dynamical decoupling by the runtime sampler's own option (``none``, ``XX``, ``XY4``).
        self.dd = "none"

    @property
    def is_device(self) -> bool:
        """Always true: shots run on the device (or its local twin) as runtime jobs."""
        return True

    def sample_many(self, prepared: Sequence[PreparedSimon], shots: int) -> list[NDArray[np.uint8]]:
        """Every circuit in one runtime job ([`sample_batch`][sample_batch]), charged once."""
        return sample_batch([p for p in prepared if isinstance(p, PreparedIBM)], shots)

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedIBM:
        from qiskit.transpiler import generate_preset_pass_manager

        need, have = 2 * instance.n, int(self.device.num_qubits)
        if need > have:
            raise InputError(f"the Simon circuit needs {need} qubits (2n for n = {instance.n}); device {self.name} has {have}")
        from qiskit.transpiler.exceptions import TranspilerError

        network = oracle_network(instance.oracle)
        circuit = simon_circuit(instance, network)
        logical = logical_gate_count(circuit_gate_counts(network))
        error: Exception | None = None
        for attempt in range(4):  # some older targets trip the gate-direction pass for some layouts
            level = self.optimization_level if attempt < 2 else 1
            pm = generate_preset_pass_manager(backend=self.device, optimization_level=level, seed_transpiler=int(rng.integers(0, 2**31 - 1)))
            try:
                prepared = PreparedIBM(self.device, self.name, pm.run(circuit), instance.n, rng, self.local, logical)
                prepared.dd = self.dd
                return prepared
            except TranspilerError as exc:
                error = exc
        raise QenergyError(f"could not compile the circuit for {self.name}: {str(error)[:200]}")


class DeviceFactory:
    """A prefix factory of the ``qenergy.backends`` registry: ``fake:NAME`` or ``ibm:NAME`` → [`IBMRuntimeBackend`][IBMRuntimeBackend]."""

    prefix = True
    device_factory = True

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, name: str) -> IBMRuntimeBackend:
        return IBMRuntimeBackend(f"{self.kind}:{name}")


#: The registered ``fake`` and ``ibm`` entries.
FAKE = DeviceFactory("fake")
IBM = DeviceFactory("ibm")
