"""Quantum upper against classical lower bound: tables over n, the crossover, and the experimental criterion.

Ratios are classical ÷ quantum: above 1 the quantum side needs less energy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from .bounds import DEFAULT_SUCCESS, ClassicalLowerBound, QuantumUpperBound
from .counts import classical_min_queries

__all__ = ["BoundRow", "Verdict", "bound_table", "crossover_n", "criterion"]


@dataclass(frozen=True)
class BoundRow:
    """Both bounds at one n (joules) and the classical query count behind the lower one."""

    n: int
    quantum_upper_j: float
    classical_lower_j: float
    classical_queries: int

    @property
    def ratio(self) -> float:
        """classical_lower ÷ quantum_upper (inf when the quantum bound is 0)."""
        return self.classical_lower_j / self.quantum_upper_j if self.quantum_upper_j else math.inf

    def to_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "quantum_upper_j": self.quantum_upper_j,
            "classical_lower_j": self.classical_lower_j,
            "ratio": self.ratio,
            "classical_queries": self.classical_queries,
        }


def bound_table(
    ns: Iterable[int],
    quantum: QuantumUpperBound,
    classical: ClassicalLowerBound,
    temperature_k: float,
    success: float | str | Fraction = DEFAULT_SUCCESS,
) -> list[BoundRow]:
    """Quantum upper and classical lower bounds at each n, at temperature T (kelvin) and success p."""
    return [
        BoundRow(n, quantum.energy_j(n, temperature_k, success), classical.energy_j(n, temperature_k, success), classical_min_queries(n, success))
        for n in ns
    ]


def crossover_n(rows: Sequence[BoundRow]) -> int | None:
    """The smallest n from which the quantum bound stays below the classical one for the rest of the rows."""
    best = None
    for row in reversed(rows):
        if row.quantum_upper_j < row.classical_lower_j:
            best = row.n
        else:
            break
    return best


@dataclass(frozen=True)
class Verdict:
    """The experimental criterion for one run.

    Attributes:
        n: problem size.
        quantum_j: the run's quantum energy (charged upper bound or measured).
        classical_lower_j: the classical lower bound at the same n and success probability.
        advantage: True when quantum_j < classical_lower_j.
        margin: classical_lower_j ÷ quantum_j (> 1 is an advantage).
    """

    n: int
    quantum_j: float
    classical_lower_j: float
    advantage: bool
    margin: float

    def to_dict(self) -> dict[str, float | int | bool]:
        return {"n": self.n, "quantum_j": self.quantum_j, "classical_lower_j": self.classical_lower_j, "advantage": self.advantage, "margin": self.margin}


def criterion(
    quantum_j: float, n: int, classical: ClassicalLowerBound, temperature_k: float, success: float | str | Fraction = DEFAULT_SUCCESS
) -> Verdict:
    """Compare a run's quantum energy with the classical lower bound at the same n and success probability."""
    lower = classical.energy_j(n, temperature_k, success)
    margin = lower / quantum_j if quantum_j > 0 else math.inf
    return Verdict(n, quantum_j, lower, quantum_j < lower, margin)
