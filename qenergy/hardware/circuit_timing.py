"""How long a Simon circuit lasts on a device, and how many physical gates it has, at any n.

A [`CircuitTiming`][CircuitTiming] holds the measured points of routed circuits (n, duration in
seconds, two-qubit and one-qubit gate counts) and quadratic least-squares fits of each column
against n, used beyond the routed sizes: a routed Simon circuit with the linear oracle has ~2n
Hadamards and ~2n CNOTs before routing, and routing on a heavy-hex or square lattice adds SWAP
chains whose length grows with the distance between the two registers, so duration and gate
counts grow between linearly and quadratically in n (a quadratic is the assumption; with fewer
than three points the fit is a line or a constant). A fitted value is never below the smallest
measured one.

The points themselves are measured on the quantum side
([qenergy.circuits.timing.circuit_timing][]: Qiskit's preset pass manager and
``QuantumCircuit.estimate_duration`` on the device's target); this module only holds and fits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qenergy.errors import InputError

__all__ = ["CircuitTiming", "timing_from_points"]

#: (n, duration s, two-qubit gates, one-qubit gates) of one routed circuit.
TimingPoint = tuple[int, float, int, int]


@dataclass(frozen=True)
class CircuitTiming:
    """Routed Simon circuits (linear oracle) on a device: measured points and the quadratic fits.

    Attributes:
        device: the timing device (``fake:NAME``).
        points: (n, duration s, two-qubit gates, one-qubit gates) of each routed size.
        duration_fit: coefficients (c, b, a) of duration ≈ c·n² + b·n + a (seconds).
        cz_fit: the same for the routed two-qubit gate count.
        oneq_fit: the same for the routed one-qubit gate count.
    """

    device: str
    points: tuple[TimingPoint, ...]
    duration_fit: tuple[float, float, float]
    cz_fit: tuple[float, float, float]
    oneq_fit: tuple[float, float, float]

    def _eval(self, fit: tuple[float, float, float], n: int, column: int) -> float:
        measured = {p[0]: p[column] for p in self.points}
        if n in measured:
            return float(measured[n])
        return max(float(np.polyval(fit, n)), float(min(p[column] for p in self.points)))

    def duration_s(self, n: int) -> float:
        """Routed circuit duration at n in seconds (measured where routed, else the fit)."""
        return self._eval(self.duration_fit, n, 1)

    def two_qubit_gates(self, n: int) -> float:
        """Routed two-qubit gates at n (measured where routed, else the fit)."""
        return self._eval(self.cz_fit, n, 2)

    def one_qubit_gates(self, n: int) -> float:
        """Routed one-qubit (sx, x) gates at n (measured where routed, else the fit)."""
        return self._eval(self.oneq_fit, n, 3)

    def to_dict(self) -> dict[str, Any]:
        """The points, the duration fit and how they were obtained (JSON-ready)."""
        return {"device": self.device, "points": [list(p) for p in self.points], "duration_fit_s": list(self.duration_fit),
                "method": "routed with Qiskit's preset pass manager; duration by QuantumCircuit.estimate_duration on the device "
                          "target; quadratic least-squares fit beyond the routed sizes"}


def timing_from_points(device: str, points: Sequence[TimingPoint]) -> CircuitTiming:
    """Fit duration and gate counts of routed circuits at the measured ``points``.

    Returns:
        the timing: a quadratic in n per column (a line with two points, a constant with one).

    Raises:
        InputError: no points (the device holds none of the routed sizes).
    """
    if not points:
        raise InputError(f"timing device {device} holds none of the routed sizes; allowed: a device with at least 4 qubits")
    ns = np.array([p[0] for p in points], dtype=float)
    degree = min(2, len(points) - 1)  # a quadratic needs three routed sizes; fewer give a line or a constant

    def fit(col: int) -> tuple[float, float, float]:
        c = np.concatenate((np.zeros(2 - degree), np.polyfit(ns, np.array([p[col] for p in points], dtype=float), degree)))
        return float(c[0]), float(c[1]), float(c[2])

    return CircuitTiming(device, tuple(points), fit(1), fit(2), fit(3))
