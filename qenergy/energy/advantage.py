"""Quantum upper against classical lower bound: tables over n, the crossover, and the experimental criterion.

Ratios are classical ÷ quantum: above 1 the quantum side needs less energy. The
classical side grows as 2^(n/2) and leaves the float range: the query count q_min(n, 2/3)
from n = 2049, the ratio from n = 2074, the joules from n = 2163 (``irreversible``, 300 K).
So its joules, query counts and the ratios are [`Magnitude`][qenergy.energy.magnitude.Magnitude] values:
exact integers, floats while they fit, base-10 logarithms beyond (``to_dict`` writes
``null`` and a ``log10_`` field there, never ``Infinity``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from qenergy.energy.bounds import DEFAULT_SUCCESS, ClassicalLowerBound, QuantumUpperBound
from qenergy.energy.counts import classical_min_queries
from qenergy.energy.magnitude import Magnitude

__all__ = ["BoundRow", "Crossover", "Verdict", "bound_table", "bounds_crossover", "criterion", "crossover_n", "first_lasting_n",
           "lasting_crossover"]


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
    (``secret_weight`` W: the restricted problem's counts, [qenergy.energy.counts][])."""
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
class Crossover:
    """Where the quantum figure drops below the classical one for good: a property of the two curves, not of
    the range of n a command was asked to show.

    ``n`` is the smallest size from which the quantum figure stays below the classical one at every
    integer size up to ``n_max`` (every size was computed, also those below ``n_min`` and between the
    steps of a range); None when it is not below at ``n_max`` (the crossover, if any, lies above the
    range). ``exact`` is False when the downward scan stopped at ``n`` for lack of time, so the
    crossover lies at or below ``n``.

    Attributes:
        n: the crossover size (see above), or None.
        n_min, n_max: the range the command was asked for.
        exact: whether every size below ``n`` down to the smallest possible one was checked.
    """

    n: int | None
    n_min: int
    n_max: int
    exact: bool = True

    @property
    def where(self) -> str:
        """``in_range``, ``below_range``, ``at_or_below`` (the scan stopped early) or ``above_range``."""
        if self.n is None:
            return "above_range"
        if not self.exact:
            return "at_or_below"
        return "below_range" if self.n < self.n_min else "in_range"

    def text(self) -> str:
        """The crossover for people: ``n = 12``, ``n = 12 (below the range 50..64)``, ``at or below n = 40``, ``above n = 64``."""
        where = self.where
        if where == "above_range":
            return f"above n = {self.n_max} (not reached in the range)"
        if where == "at_or_below":
            return f"at or below n = {self.n} (sizes below were not computed)"
        if where == "below_range":
            return f"n = {self.n} (below the range {self.n_min}..{self.n_max})"
        return f"n = {self.n}"

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n if self.exact else None, "at_or_below_n": None if self.exact else self.n, "where": self.where, "text": self.text()}


def lasting_crossover(holds: Callable[[int], bool], n_min: int, n_max: int, *, floor: int = 1,
                      cost_s: Callable[[int], float] | None = None, budget_s: float = math.inf) -> Crossover:
    """The [`Crossover`][Crossover] of ``holds(n)`` (quantum below classical at n) over every integer n in floor..n_max.

    Scans down from ``n_max`` and stops at the first size where ``holds`` is false (the crossover is the
    size above it) or at ``floor``. ``cost_s(n)``: estimated seconds to evaluate ``holds(n)``; once the
    scan would spend more than ``budget_s`` it stops and the crossover is reported as at or below the
    last size checked (never guessed).
    """
    if not holds(n_max):
        return Crossover(None, n_min, n_max)
    spent = cost_s(n_max) if cost_s is not None else 0.0
    n = n_max
    while n > floor:
        step = cost_s(n - 1) if cost_s is not None else 0.0
        if spent + step > budget_s:
            return Crossover(n, n_min, n_max, exact=False)
        spent += step
        if not holds(n - 1):
            return Crossover(n, n_min, n_max)
        n -= 1
    return Crossover(n, n_min, n_max)


def bounds_crossover(ns: Sequence[int], quantum: QuantumUpperBound, classical: ClassicalLowerBound, temperature_k: float,
                     success: float | str | Fraction = DEFAULT_SUCCESS, *, budget_s: float = 2.0) -> Crossover:
    """The crossover of the two bounds over every n from 1 up to max(ns) (see [`lasting_crossover`][lasting_crossover]),
    within about ``budget_s`` seconds of exact arithmetic (q_min(n) costs ~2.6e-13·n² s)."""

    def holds(n: int) -> bool:
        q = classical_min_queries(n, success)
        return classical.energy_for_queries(n, q, temperature_k) > quantum.energy_j(n, temperature_k, success)

    return lasting_crossover(holds, min(ns), max(ns), floor=1, cost_s=lambda n: 2.6e-13 * n * n + 2e-5, budget_s=budget_s)


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
