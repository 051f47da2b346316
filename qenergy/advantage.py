"""Quantum upper against classical lower bound: tables over n, the crossover, and the experimental criterion.

Ratios are classical ÷ quantum: above 1 the quantum side needs less energy. The
classical side grows as 2^(n/2) and leaves the float range: the query count q_min(n, 2/3)
from n = 2049, the ratio from n = 2074, the joules from n = 2163 (``irreversible``, 300 K).
So its joules, query counts and the ratios are :class:`~qenergy.magnitude.Magnitude` values:
exact integers, floats while they fit, base-10 logarithms beyond (``to_dict`` writes
``null`` and a ``log10_`` field there, never ``Infinity``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .bounds import DEFAULT_SUCCESS, ClassicalLowerBound, QuantumUpperBound
from .counts import classical_min_queries
from .magnitude import Magnitude

__all__ = ["BoundRow", "Verdict", "bound_table", "criterion", "crossover_n", "first_lasting_n"]


@dataclass(frozen=True)
class BoundRow:
    """Both bounds at one n (joules) and the classical query count behind the lower one.

    Attributes:
        n: problem size.
        quantum_upper_j: the quantum upper bound in joules (always a finite float).
        classical_lower: the classical lower bound in joules, at any size.
        classical_queries: q_min(n, p), exact.
    """

    n: int
    quantum_upper_j: float
    classical_lower: Magnitude
    classical_queries: int

    def __post_init__(self) -> None:
        if not isinstance(self.classical_lower, Magnitude):  # a plain float of joules
            object.__setattr__(self, "classical_lower", Magnitude.of_float(float(self.classical_lower)))

    @property
    def classical_lower_j(self) -> float:
        """The classical lower bound as a float (``inf`` beyond the float range)."""
        return self.classical_lower.value

    @property
    def ratio_magnitude(self) -> Magnitude:
        """classical_lower ÷ quantum_upper at any size."""
        return self.classical_lower.over(self.quantum_upper_j)

    @property
    def ratio(self) -> float:
        """classical_lower ÷ quantum_upper as a float (inf beyond the float range or when the quantum bound is 0)."""
        return self.ratio_magnitude.value

    @property
    def quantum_below(self) -> bool:
        """True when the quantum upper bound lies strictly below the classical lower bound."""
        return self.classical_lower > self.quantum_upper_j

    def to_dict(self) -> dict[str, Any]:
        """Strict-JSON data: values beyond the float range are null beside their ``log10_`` field."""
        return {
            "n": self.n,
            "quantum_upper_j": self.quantum_upper_j,
            **self.classical_lower.fields("classical_lower_j"),
            **self.ratio_magnitude.fields("ratio"),
            **Magnitude.of_int(self.classical_queries).fields("classical_queries"),
        }


def bound_table(
    ns: Iterable[int],
    quantum: QuantumUpperBound,
    classical: ClassicalLowerBound,
    temperature_k: float,
    success: float | str | Fraction = DEFAULT_SUCCESS,
    *,
    secret_weight: int | None = None,
) -> list[BoundRow]:
    """Quantum upper and classical lower bounds at each n, at temperature T (kelvin) and success p
    (``secret_weight`` W: the restricted problem's counts, :mod:`qenergy.counts`)."""
    rows = []
    for n in ns:
        w = None if secret_weight is None else min(secret_weight, n)
        q = classical_min_queries(n, success, secret_weight=w)
        rows.append(BoundRow(n, quantum.energy_j(n, temperature_k, success, secret_weight=w), classical.energy_for_queries(n, q, temperature_k), q))
    return rows


def first_lasting_n(ns: Sequence[int], holds: Sequence[bool]) -> int | None:
    """The smallest n of ``ns`` (ascending) from which ``holds`` is true for every later n; None when it fails at the last."""
    best = None
    for n, ok in zip(reversed(ns), reversed(holds), strict=True):
        if not ok:
            break
        best = n
    return best


def crossover_n(rows: Sequence[BoundRow]) -> int | None:
    """The smallest n from which the quantum bound stays below the classical one for the rest of the rows."""
    return first_lasting_n([r.n for r in rows], [r.quantum_below for r in rows])


@dataclass(frozen=True)
class Verdict:
    """The experimental criterion for one run.

    Like is compared with like: ``quantum_j`` is the run's ``upper_bound`` charges on
    the quantum account (never a QPU's estimated or a measured energy) against the
    classical ``lower_bound``.

    Attributes:
        n: problem size.
        quantum_j: the run's quantum upper-bound charge in joules.
        classical_lower: the classical lower bound at the same n and success probability (any size).
        advantage: True when quantum_j < classical_lower.
        margin: classical_lower ÷ quantum_j (> 1 is an advantage).
        quantum_basis: the basis of ``quantum_j`` (``upper_bound``).
    """

    n: int
    quantum_j: float
    classical_lower: Magnitude
    advantage: bool
    margin: Magnitude
    quantum_basis: str = "upper_bound"

    @property
    def classical_lower_j(self) -> float:
        return self.classical_lower.value

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "quantum_j": self.quantum_j, "quantum_basis": self.quantum_basis,
                **self.classical_lower.fields("classical_lower_j"), "classical_basis": "lower_bound",
                "advantage": self.advantage, **self.margin.fields("margin")}


def criterion(
    quantum_j: float,
    n: int,
    classical: ClassicalLowerBound | Magnitude,
    temperature_k: float = 300.0,
    success: float | str | Fraction = DEFAULT_SUCCESS,
) -> Verdict:
    """Compare a run's quantum upper-bound charge with the classical lower bound at the same n and success.

    ``classical`` is the lower-bound model, or its value already computed (then
    ``temperature_k`` and ``success`` are not used), so that a caller can compute
    everything that can fail before it charges anything.
    """
    lower = classical if isinstance(classical, Magnitude) else classical.energy(n, temperature_k, success)
    margin = lower.over(quantum_j) if quantum_j > 0 else Magnitude(math.inf, math.inf)
    return Verdict(n, quantum_j, lower, lower > quantum_j, margin)
