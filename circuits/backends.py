"""Finding a backend by name: the ``qenergy.backends`` registry ([qenergy.registry][]).

Built-ins register in ``pyproject.toml`` exactly as a third-party package would:
``aer``, ``cirq``, ``stim``, ``exact`` name [`SimonBackend`][qenergy.circuits.base.SimonBackend]
subclasses, and ``fake`` / ``ibm`` are prefix factories (``fake:NAME``, ``ibm:NAME``).
``auto`` picks stim for a Clifford oracle and Aer otherwise. The interfaces live in
[qenergy.circuits.base][]; this module imports no backend (entries are loaded by name).
"""

from __future__ import annotations

from qenergy.errors import InputError
from qenergy.hardware.noise import NoiseSpec
from qenergy.problem.instance import SimonInstance
from qenergy.problem.oracles import available_memory_bytes
from qenergy.registry import BACKENDS

from .base import (
    PreparedSimon,
    RunMetadata,
    SampleResult,
    SimonBackend,
    check_statevector_memory,
    circuit_gate_counts,
    construct_backend,
    logical_gate_count,
)

__all__ = [
    "BACKEND_NAMES",
    "PreparedSimon",
    "RunMetadata",
    "SampleResult",
    "SimonBackend",
    "available_memory_bytes",
    "backend_names",
    "check_statevector_memory",
    "circuit_gate_counts",
    "get_backend",
    "is_device_spec",
    "logical_gate_count",
]

#: The built-in simulator backends and ``auto`` (the registry may hold more).
BACKEND_NAMES = ("auto", "aer", "cirq", "stim", "exact")


def backend_names() -> list[str]:
    """What ``--backend`` accepts, from the registry: names, ``PREFIX:NAME`` factories, ``auto``, ``none``."""
    return BACKENDS.choices()


def is_device_spec(name: str) -> bool:
    """True when ``name`` is registered as a device (a backend whose ``is_device`` is true),
    decided from the registry entry without connecting to anything."""
    try:
        obj, _ = BACKENDS.resolve(name)
    except InputError:
        return False
    return bool(getattr(obj, "device_factory", False))


def get_backend(name: str, instance: SimonInstance | None = None, *, noise: NoiseSpec | str | None = None, dd: str = "none") -> SimonBackend:
    """The backend called ``name`` (a registry entry, ``PREFIX:NAME`` or ``auto``).

    ``auto`` needs the instance: stim for a Clifford oracle, aer otherwise. ``noise`` (a
    [`NoiseSpec`][qenergy.hardware.noise.NoiseSpec] or SPEC text, see [qenergy.circuits.noise][]) makes its
    circuits noisy (stim, aer, exact); None or ``none`` keeps them ideal. ``dd`` (``none``,
    ``XX``, ``XY4``) adds dynamical decoupling on a device twin, ``fake:NAME`` or ``ibm:NAME``.

    Raises:
        InputError: an unknown name (the message lists the registered ones), DD without a device.
    """
    if dd != "none" and noise is None and is_device_spec(name):
        from .noise import check_dd

        backend = construct_backend(name, instance)
        backend.dd = check_dd(dd)  # type: ignore[attr-defined]  # the runtime sampler's own DD option
        return backend
    if noise is not None or dd != "none":
        from .noise import noisy_backend

        return noisy_backend(name, instance, noise, dd=dd)
    return construct_backend(name, instance)
