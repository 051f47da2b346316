"""Routed Simon circuits on a device: their duration and physical gate counts, measured.

[`circuit_timing`][circuit_timing] routes the linear-oracle Simon circuit onto a fake device
(Qiskit's preset pass manager, [qenergy.circuits.noise.route_on_device][]) at a ladder of sizes,
reads each routed circuit's duration (``QuantumCircuit.estimate_duration`` on the device's target)
and gate counts, and returns the fitted [qenergy.hardware.circuit_timing.CircuitTiming][].
Routing is deterministic for a seed and a Qiskit version, so the points may be cached in a
[qenergy.hardware.classical_machine.MeasurementCache][] under a key naming both versions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qenergy.errors import InputError
from qenergy.hardware.circuit_timing import CircuitTiming, timing_from_points
from qenergy.hardware.classical_machine import MeasurementCache

__all__ = ["circuit_timing"]


def circuit_timing(device: str, *, sizes: Sequence[int] = (2, 4, 8, 16, 24, 32, 48, 64), seed: int = 1,
                   cache: MeasurementCache | None = None) -> CircuitTiming:
    """Route the linear-oracle Simon circuit onto ``device`` at ``sizes`` (those that fit) and fit duration and gate counts.

    Routing is deterministic for a seed and a Qiskit version, so with ``cache`` the routed points are
    kept under that key and reused (about 1.5 s saved per command); a damaged or implausible entry is
    routed again (and said so in ``cache.rejected``).

    Raises:
        InputError: qiskit-ibm-runtime is missing (its fake devices), or ``device`` holds none of ``sizes``.
    """
    from qenergy.problem.instance import make_instance

    from .noise import _load_fake, route_on_device
    from .qiskit_builder import simon_circuit

    key = ""
    if cache is not None:
        from importlib import metadata

        key = f"timing|{device}|{','.join(map(str, sizes))}|{seed}|qiskit {metadata.version('qiskit')}|" \
              f"runtime {metadata.version('qiskit-ibm-runtime')}"
        entry = cache.load_entry(key)
        if entry is not None:
            try:
                cached = [(int(a), float(b), int(c), int(d)) for a, b, c, d in entry["points"]]
                # a routed Simon circuit lasts between a nanosecond and a second; its gate counts are >= 0
                if cached and all(n >= 1 and math.isfinite(t) and 1e-9 <= t <= 1.0 and c >= 0 and d >= 0 for n, t, c, d in cached):
                    return timing_from_points(device, cached)
            except (KeyError, TypeError, ValueError, OverflowError):
                pass
            cache.rejected.append(f"the cached circuit timing for {device} in {cache.path} is damaged or not plausible; routed again")
    try:
        backend = _load_fake(device)
    except ImportError:
        raise InputError(f"the QPU preset's timing device {device} needs qiskit-ibm-runtime (its fake devices); "
                         "allowed: install the ibm extra (pip install -e '.[ibm]')") from None
    points = []
    for n in (n for n in sizes if 2 * n <= int(backend.num_qubits)):
        isa = route_on_device(simon_circuit(make_instance(n, None, "linear", seed=seed)), device, seed)
        ops = isa.count_ops()
        two = sum(v for k, v in ops.items() if k in ("cz", "ecr", "cx"))
        one = sum(v for k, v in ops.items() if k in ("sx", "x"))
        points.append((n, float(isa.estimate_duration(backend.target, unit="s")), int(two), int(one)))
    if cache is not None:
        try:
            cache.store_entry(key, {"points": [list(p) for p in points]})
        except OSError:  # a read-only cache directory costs a re-routing next time, nothing else
            pass
    return timing_from_points(device, points)
