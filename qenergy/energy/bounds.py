"""Energy bounds for Simon's problem as named assumption sets.

**These are this project's models**, built on the framework announced by Meier &
Yamasaki ("Energy-Consumption Advantage of Quantum Computation", PRX Energy 2025,
arXiv:2305.11212) — an achievable quantum upper bound and classical lower bounds from
energy conservation and Landauer's principle — whose theorems and constants were not
available to us (digest ``simon-energy.md``). Every constant is a parameter.

Each assumption set has a ``name``, lists its physical assumptions and citations in its
docstring, and gives joules with ``energy_j(n, temperature_k, success)``. The same
objects price the charges of real runs (`qenergy.ledger.charging.BoundsPolicy`).

Common assumptions: a heat bath at temperature T > 0; the oracle conserves energy and
is charged nothing; Landauer's principle (erasing one bit of entropy into the bath
dissipates at least k_B·T·ln 2; Landauer 1961, Reeb & Wolf arXiv:1306.4352).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar, Literal

from qenergy.energy.counts import classical_min_queries, expected_runs, expected_weight_shots, parse_probability, runs_for_failure, weight_shots_for_failure
from qenergy.energy.erasure import FiniteStepErasure
from qenergy.energy.magnitude import Magnitude
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError, shorten
from qenergy.numbers import parse_int

__all__ = [
    "MEMORY",
    "MemoryBoundFactory",
    "QuantumBound",
    "classical_models",
    "ClassicalLowerBound",
    "IrreversibleRegisterReuse",
    "MemoryBounded",
    "MinimalErasure",
    "OracleFamily",
    "QuantumUpperBound",
    "ReversibleComputation",
    "parse_classical_model",
]

DEFAULT_SUCCESS = Fraction(2, 3)

#: Oracle families whose circuits the quantum bound can price: ``linear`` (CNOT networks)
#: and ``anf`` (any other oracle, built from its algebraic normal form).
OracleFamily = Literal["linear", "anf"]

#: Largest n at which an ``anf`` oracle (a truth table) can exist here.
MAX_ANF_N = 64


def oracle_family(oracle: str) -> OracleFamily:
    """The family of an oracle spec: ``linear`` for ``linear``, ``anf`` for ``random`` and ``table:PATH``."""
    return "linear" if oracle == "linear" else "anf"


class QuantumBound(ABC):
    """A model of the quantum side's energy for Simon's problem, registered in ``qenergy.bounds``.

    Subclasses say what one run costs ([`per_run_j`][per_run_j]), how many runs are charged
    ([`run_count`][run_count]) and what the classical check costs; [`energy_j`][energy_j] combines
    them. The charging policy prices real runs through the same object
    ([`reset_j`][reset_j], ``gate_energy_j``), so a run and its bound never disagree.
    """

    name: str = ""
    kind: ClassVar[str] = "quantum"
    gate_energy_j: float = 0.0
    check_queries: int = 2

    @abstractmethod
    def reset_j(self, temperature_k: float) -> float:
        """Joules of one qubit reset or one bit erasure at T."""

    @abstractmethod
    def run_count(self, n: int, success: float | str | Fraction = DEFAULT_SUCCESS) -> float:
        """Runs charged at size n."""

    @abstractmethod
    def per_run_j(self, n: int, temperature_k: float) -> float:
        """Joules of one run at size n."""

    @abstractmethod
    def describe(self) -> str:
        """One line naming the model and its parameters."""

    def weight_run_count(self, n: int, secret_weight: int, success: float | str | Fraction = DEFAULT_SUCCESS) -> float:
        """Runs charged at size n under the promise wt(s) ≤ W: the restricted shot count
        ([qenergy.energy.counts.expected_weight_shots][], or t_δ when the model charges a budget), at most [`run_count`][run_count]."""
        full = self.run_count(n, success)
        if getattr(self, "runs", "expected") == "expected":
            return min(full, expected_weight_shots(n, secret_weight))
        p = parse_probability(success, name="success")
        return min(full, float(weight_shots_for_failure(n, secret_weight, 1 - p)))

    def energy_j(self, n: int, temperature_k: float, success: float | str | Fraction = DEFAULT_SUCCESS, *,
                 secret_weight: int | None = None) -> float:
        """Upper bound on the energy to solve Simon's problem at size n, in joules
        (``secret_weight`` W: the restricted problem, [`weight_run_count`][weight_run_count] runs)."""
        checks = self.check_queries * 2 * n * self.reset_j(temperature_k)
        runs = self.run_count(n, success) if secret_weight is None else self.weight_run_count(n, secret_weight, success)
        return runs * self.per_run_j(n, temperature_k) + checks


@dataclass(frozen=True)
class QuantumUpperBound(QuantumBound):
    """Achievable energy of Simon's algorithm (``quantum-upper``): an upper bound.

    Assumptions:

    * each run prepares the 2n-qubit query register from an unknown state by the
      finite-step erasure protocol ([qenergy.energy.erasure][], digest §2.3): N steps,
      final error ε, work W_N(ε) per qubit, p_0 = 1/2 (an upper bound for any p_0 ≤ 1/2);
    * the n measured bits are erased after use, each by the same protocol;
    * gates and the oracle conserve energy (degenerate qubit Hamiltonian), plus an
      optional imperfection energy ``gate_energy_j`` per gate, at most
      [`gates_per_run`][gates_per_run] gates a run for the oracle ``family`` actually run: 2n
      Hadamards plus at most n² X/CNOT gates for ``linear`` oracles (the network has
      2(n − 1) + ⌊n/2⌋(⌈log2 n⌉ + 1) ≤ n² of them), and at most n·2^n multi-controlled X
      gates for ``anf`` oracles (random and table oracles: one gate per monomial of each
      of the n output bits' algebraic normal form, at most 2^n monomials each);
    * the classical check f(0) = f(c) makes ``check_queries`` classical queries, each
      resetting a 2n-bit register by the same protocol;
    * runs: the expected number E[R](n) (success 1) or the fixed budget R_δ with
      δ = 1 − success (``runs="budget"``).

    A reference model after digest §2.4/§4.3, not the paper's theorem.
    """

    erasure: FiniteStepErasure = field(default_factory=FiniteStepErasure)
    gate_energy_j: float = 0.0
    runs: Literal["expected", "budget"] = "expected"
    check_queries: int = 2
    family: OracleFamily = "linear"
    name: str = "quantum-upper"

    def __post_init__(self) -> None:
        if not math.isfinite(self.gate_energy_j) or self.gate_energy_j < 0:
            raise InputError(f"gate energy {self.gate_energy_j!r} J is not allowed; allowed: a finite value >= 0")
        if self.runs not in ("expected", "budget"):
            raise InputError(f"runs {self.runs!r} is unknown; allowed: expected, budget")
        if self.family not in ("linear", "anf"):
            raise InputError(f"oracle family {self.family!r} is unknown; allowed: linear, anf")

    def gates_per_run(self, n: int) -> int:
        """Most gates one run applies for the bound's oracle family: 2n H plus n² (linear) or n·2^n (anf).

        Raises:
            InputError: an ``anf`` family above n = 64, where no truth-table oracle exists.
        """
        if self.family == "linear":
            return 2 * n + n * n
        if n > MAX_ANF_N:
            raise InputError(f"n = {n} is not allowed for random or table oracles; allowed: n <= {MAX_ANF_N}")
        return 2 * n + n * (1 << n)

    def reset_j(self, temperature_k: float) -> float:
        """Work of one qubit reset or one bit erasure, W_N(ε), in joules."""
        return self.erasure.work_j(temperature_k)

    def run_count(self, n: int, success: float | str | Fraction = DEFAULT_SUCCESS) -> float:
        """Runs charged at size n: E[R](n), or R_δ with δ = 1 − success."""
        if self.runs == "expected":
            return expected_runs(n)
        p = parse_probability(success, name="success")
        if p >= 1:
            raise InputError("success 1 needs runs='expected'; a fixed budget only reaches success < 1")
        return float(runs_for_failure(n, 1 - p))

    def per_run_j(self, n: int, temperature_k: float) -> float:
        """One run: 3n erasures (2n resets, n measured bits) plus gate imperfections, in joules."""
        gates = self.gates_per_run(n) * self.gate_energy_j if self.gate_energy_j else 0.0
        return 3 * n * self.reset_j(temperature_k) + gates

    def describe(self) -> str:
        family = "" if self.family == "linear" else f", {self.family} oracle gates"
        return f"{self.name} ({self.erasure.describe()}, gate energy {self.gate_energy_j:g} J{family}, runs {self.runs})"


class ClassicalLowerBound(ABC):
    """A classical lower bound: bits that any algorithm in the model must erase, times k_B·T·ln 2.

    Subclasses say how many bits a run of q queries must erase at size n
    ([`erased_bits`][erased_bits]); the bound takes q = q_min(n, p) from the collision bound
    ([qenergy.energy.counts.classical_min_queries][]), the fewest queries any classical
    algorithm needs for success probability p.
    """

    name: str = ""
    kind: ClassVar[str] = "classical"

    @property
    @abstractmethod
    def spec(self) -> str:
        """The text [`parse_classical_model`][parse_classical_model] turns back into this model."""

    @abstractmethod
    def erased_bits(self, n: int, queries: int) -> int:
        """Bits the model says a run of ``queries`` queries must erase at size n."""

    def energy(self, n: int, temperature_k: float, success: float | str | Fraction = DEFAULT_SUCCESS, *,
               secret_weight: int | None = None) -> Magnitude:
        """Lower bound on the energy of any classical algorithm in the model, in joules, at any n
        (``secret_weight`` W: the restricted problem's query bound, [qenergy.energy.counts][])."""
        return self.energy_for_queries(n, classical_min_queries(n, success, secret_weight=secret_weight), temperature_k)

    def energy_for_queries(self, n: int, queries: int, temperature_k: float) -> Magnitude:
        """Joules the model charges a run of ``queries`` queries at size n (exact bits × k_B·T·ln 2)."""
        return Magnitude.of_int(self.erased_bits(n, queries)).scaled(landauer_bit_energy(temperature_k))

    def energy_j(self, n: int, temperature_k: float, success: float | str | Fraction = DEFAULT_SUCCESS, *,
                 secret_weight: int | None = None) -> float:
        """[`energy`][energy] as a float: ``math.inf`` beyond the float range (``irreversible`` at 300 K from
        n = 2163, although q_min already overflows a double at n = 2049); use [`energy`][energy] for its logarithm there."""
        return self.energy(n, temperature_k, success, secret_weight=secret_weight).value

    def describe(self) -> str:
        return self.name


@dataclass(frozen=True)
class IrreversibleRegisterReuse(ClassicalLowerBound):
    """``irreversible``: every query's answer register is reset before reuse.

    Assumptions: a classical computer reuses its query register; after each query the
    answer f(x) is overwritten (reset to a standard state), erasing its entropy. For a
    random two-to-one f the answer is uniform over 2^(n−1) values: n − 1 bits, so
    (n − 1)·k_B·T·ln 2 per query (Landauer's principle). Energy conservation of the
    oracle means the answer's entropy cannot be returned to it. Our reading of the
    framework, not the paper's theorem.
    """

    name: str = "irreversible"

    @property
    def spec(self) -> str:
        return "irreversible"

    def erased_bits(self, n: int, queries: int) -> int:
        return (n - 1) * queries


@dataclass(frozen=True)
class MemoryBounded(ClassicalLowerBound):
    """``memory:BITS``: a machine with M bits of memory must erase at least q·b − M bits.

    Assumptions: the computer holds at most ``memory_bits`` M bits; each query brings in
    ``bits_per_query`` b bits that the model says must be forgotten once memory is full
    (b = 1 is the floor: x given f(x) of a two-to-one function carries one bit); by
    Landauer's principle each forgotten bit costs k_B·T·ln 2. Our model.
    """

    memory_bits: int = 0
    bits_per_query: int = 1
    name: str = "memory"

    def __post_init__(self) -> None:
        if self.memory_bits < 0 or self.bits_per_query < 0:
            raise InputError(f"memory {self.memory_bits} bits and {self.bits_per_query} bits per query are not allowed; allowed: integers >= 0")

    @property
    def spec(self) -> str:
        return f"memory:{self.memory_bits}"

    def erased_bits(self, n: int, queries: int) -> int:
        return max(0, queries * self.bits_per_query - self.memory_bits)

    def describe(self) -> str:
        return f"memory:{self.memory_bits} ({self.bits_per_query} bit(s) forgotten per query)"


@dataclass(frozen=True)
class MinimalErasure(ClassicalLowerBound):
    """``minimal``: one bit erased per query, no memory to keep it (b = 1, M = 0).

    Assumptions: the least any irreversible query machine forgets, one bit per query —
    which of the two preimages x, x ⊕ s produced f(x) — at k_B·T·ln 2 each. The
    floor of the memory-bounded model; our model.
    """

    name: str = "minimal"

    @property
    def spec(self) -> str:
        return "minimal"

    def erased_bits(self, n: int, queries: int) -> int:
        return queries


@dataclass(frozen=True)
class ReversibleComputation(ClassicalLowerBound):
    """``reversible``: Bennett-style reversible classical computation erases only its output.

    Assumptions: the classical algorithm runs reversibly (Bennett 1973, IBM J. Res. Dev.
    17, 525), uncomputing all intermediate data, so nothing is erased except the n-bit
    output register at the end. Perlner & Liu (arXiv:1709.10510) show that classical
    search can then match quantum energy asymptotically: the exponential gap
    disappears. Shown so that users see the advantage is a statement about the model.
    """

    name: str = "reversible"

    @property
    def spec(self) -> str:
        return "reversible"

    def erased_bits(self, n: int, queries: int) -> int:
        return n if queries > 0 else 0


class MemoryBoundFactory:
    """The ``memory`` entry of ``qenergy.bounds``: a prefix factory, ``memory:BITS`` → [`MemoryBounded`][MemoryBounded]."""

    prefix: ClassVar[bool] = True
    kind: ClassVar[str] = "classical"

    def __call__(self, raw: str) -> MemoryBounded:
        try:
            bits = parse_int(raw, "memory", 0, 2**63 - 1) if raw else -1
        except InputError:
            bits = -1
        if bits < 0:
            raise InputError(f"classical model 'memory:{shorten(raw)}': memory {shorten(raw)!r} is not allowed; "
                             "allowed: memory:BITS with an integer BITS >= 0")
        return MemoryBounded(memory_bits=bits)


#: The registered ``memory`` entry.
MEMORY = MemoryBoundFactory()


def classical_models() -> list[str]:
    """Classical lower-bound models selectable by name (from the ``qenergy.bounds`` registry)."""
    from qenergy.registry import BOUNDS

    loaded, _ = BOUNDS.load_all()
    return [f"{name}:BITS" if getattr(obj, "prefix", False) else name
            for name, obj in loaded.items() if getattr(obj, "kind", "") == "classical"]


def parse_classical_model(text: str) -> ClassicalLowerBound:
    """A classical lower-bound model by its spec (``irreversible``, ``memory:BITS``, ``minimal``,
    ``reversible`` or any registered in ``qenergy.bounds``).

    Raises:
        InputError: an unknown name (the message lists the registered ones) or a bad argument.
    """
    from qenergy.registry import BOUNDS

    try:
        obj, arg = BOUNDS.resolve(text)
    except InputError:
        obj, arg = None, None
    if obj is None or getattr(obj, "kind", "") != "classical":
        raise InputError(f"classical model {shorten(text)!r} is unknown; allowed: {', '.join(classical_models())}")
    model = obj(arg) if arg is not None else obj()
    if not isinstance(model, ClassicalLowerBound):
        raise InputError(f"classical model {shorten(text)!r} is not a classical lower bound")
    return model
