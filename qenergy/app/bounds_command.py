"""``qenergy bounds`` in the application layer: the quantum upper bound against the classical lower bound over a
range of n, and where the two curves cross ([`BoundsReport`][BoundsReport]).

The figures are the core's (`qenergy.energy.advantage.bound_table`, `qenergy.energy.advantage.bounds_crossover`);
here the settings become a policy and a range whose exact arithmetic would take too long is refused first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from qenergy.energy.advantage import BoundRow, Crossover, bound_table, bounds_crossover
from qenergy.energy.bounds import DEFAULT_SUCCESS, ClassicalLowerBound
from qenergy.errors import InputError
from qenergy.ledger.charging import BoundsPolicy

__all__ = ["MAX_BOUNDS_WORK_S", "BoundsReport", "bounds_report", "bounds_work_s"]

#: Seconds of exact arithmetic ``bounds`` may take: q_min(n) needs an integer square root of
#: an n-bit number, about 0.26 s at n = 10⁶ and quadratic in n.
MAX_BOUNDS_WORK_S = 60.0


def bounds_work_s(ns: Sequence[int]) -> float:
    """Estimated seconds of exact arithmetic for the bounds at every n of ``ns``."""
    return math.fsum(2.6e-13 * n * n + 2e-6 for n in ns)


@dataclass(frozen=True)
class BoundsReport:
    """Both bounds at every n asked for, and their crossover.

    Attributes:
        temperature_k, epsilon, steps, success: the settings (kelvin; the erasure's error and steps; the classical success probability).
        quantum_model, classical_model: the policy's bounds, described.
        rows: one `qenergy.energy.advantage.BoundRow` per n (joules; the quantum figure an upper bound, the classical a lower bound).
        crossover: where the curves cross, computed over every n from 1 up to the range's end.
    """

    temperature_k: float
    epsilon: float
    steps: int
    success: Fraction
    quantum_model: str
    classical_model: str
    rows: list[BoundRow]
    crossover: Crossover

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy bounds --json`` object."""
        cross = self.crossover
        return {
            "temperature_k": self.temperature_k, "epsilon": self.epsilon, "steps": self.steps, "success": str(self.success),
            "quantum_model": self.quantum_model, "classical_model": self.classical_model,
            "rows": [r.to_dict() for r in self.rows], "crossover_n": cross.n if cross.exact else None, "crossover": cross.to_dict(),
        }


def bounds_report(ns: Sequence[int], *, temperature_k: float = 300.0, epsilon: float = 1e-6, steps: int = 1000, gate_energy_j: float = 0.0,
                  classical_model: str | ClassicalLowerBound = "irreversible", success: Fraction = DEFAULT_SUCCESS) -> BoundsReport:
    """Both bounds at every n of ``ns`` (linear oracles) and their crossover.

    Raises:
        InputError: the range needs more than `MAX_BOUNDS_WORK_S` seconds of exact arithmetic, or a bad setting.
    """
    work = bounds_work_s(ns)
    if work > MAX_BOUNDS_WORK_S:
        raise InputError(f"--n range of {len(ns):,} sizes up to n = {max(ns):,} needs about {work:.0f} s of exact arithmetic; "
                         f"allowed: at most {MAX_BOUNDS_WORK_S:.0f} s (use a STEP or a smaller range)")
    policy = BoundsPolicy.from_settings(epsilon=epsilon, steps=steps, gate_energy_j=gate_energy_j, classical_model=classical_model)
    rows = bound_table(ns, policy.quantum, policy.classical, temperature_k, success)
    # the crossover is where the curves cross, wherever that is: every n from 1 up to the range's end is computed
    cross = bounds_crossover(ns, policy.quantum, policy.classical, temperature_k, success)
    return BoundsReport(temperature_k, epsilon, steps, success, policy.quantum.describe(), policy.classical.describe(), rows, cross)
