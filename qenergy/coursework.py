"""Self-checking coursework: ``check("nb01-anf-gates", answer)`` says whether an exercise's answer is right.

Every exercise of the notebooks in ``notebooks/`` ends in a call of ``check``. The
exercises are declared as data in ``EXERCISES``: an id, a one-line summary of the
prompt, what kind of answer is expected (a whole number, a real number with its unit and a
stated relative tolerance, or a tuple of these), a *checker* that computes the right answer
independently of the code the exercise practises (from the definitions, with this package's
core only), and a hint that points at the concept, never at the answer.

``check`` never raises for a bad answer:

* right: it prints one ``correct`` line and returns True;
* wrong: it prints the hint and returns False;
* malformed (wrong type or shape, None, ``...``, NaN, ±inf): it prints what was expected
  and returns False.

Only an unknown exercise id is an error (``qenergy.errors.InputError``, naming the
allowed ids). Nothing is kept between calls (no module state): the notebook tests read the
line each ``check`` prints in the exercise's own cell.

Like the rest of the core, this module imports neither ``circuits`` nor ``classical``: each
checker recomputes its answer from the problem's definition (the instance, the formulas).
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib import resources

import numpy as np

from qenergy.errors import InputError, shorten

__all__ = [
    "EXERCISES",
    "Answer",
    "Exercise",
    "Integer",
    "Real",
    "Tuple",
    "check",
    "exercise_ids",
]


class _Malformed(Exception):
    """An answer of the wrong type or shape; the message says what was expected."""


# --- answer kinds -------------------------------------------------------------------------------


class Answer:
    """What kind of value an exercise expects: converts an answer and compares it with the right one."""

    def describe(self) -> str:
        """What is expected, for a person (e.g. "a whole number (gates)")."""
        raise NotImplementedError

    def coerce(self, value: object) -> object:
        """``value`` as this kind's canonical Python value; raises ``_Malformed`` when it is not one."""
        raise NotImplementedError

    def same(self, got: object, right: object) -> bool:
        """True when the coerced answer ``got`` equals the right answer ``right`` (within tolerance)."""
        raise NotImplementedError


def _shown(value: object) -> str:
    if value is Ellipsis:
        return "... (the placeholder: replace it with your answer)"
    return shorten(repr(value))


@dataclass(frozen=True)
class Integer(Answer):
    """A whole number, compared exactly.

    Attributes:
        unit: what it counts (e.g. "gates", "queries"), shown in messages.
    """

    unit: str = ""

    def describe(self) -> str:
        return f"a whole number ({self.unit})" if self.unit else "a whole number"

    def coerce(self, value: object) -> object:
        if isinstance(value, bool | np.bool_) or value is None:
            raise _Malformed(f"expected {self.describe()}, got {_shown(value)}")
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and math.isfinite(float(value)) and float(value).is_integer():
            return int(float(value))
        raise _Malformed(f"expected {self.describe()}, got {_shown(value)}")

    def same(self, got: object, right: object) -> bool:
        return got == right


@dataclass(frozen=True)
class Real(Answer):
    """A finite real number in ``unit``, right when within ``rel_tol`` of the right answer (relative).

    Attributes:
        unit: its unit (e.g. "J", "t CO2e"; "" for a pure number).
        rel_tol: relative tolerance: right when |answer − right| ≤ rel_tol·|right|.
    """

    unit: str = ""
    rel_tol: float = 1e-6

    def describe(self) -> str:
        what = f"a finite number in {self.unit}" if self.unit else "a finite number"
        return f"{what} (compared with relative tolerance {self.rel_tol:g})"

    def coerce(self, value: object) -> object:
        if isinstance(value, bool | np.bool_) or value is None:
            raise _Malformed(f"expected {self.describe()}, got {_shown(value)}")
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if not isinstance(value, numbers.Real):
            raise _Malformed(f"expected {self.describe()}, got {_shown(value)}")
        x = float(value)
        if not math.isfinite(x):
            raise _Malformed(f"expected {self.describe()}, got {x!r}, which is not finite")
        return x

    def same(self, got: object, right: object) -> bool:
        assert isinstance(got, float) and isinstance(right, float)
        return math.isclose(got, right, rel_tol=self.rel_tol, abs_tol=0.0)


@dataclass(frozen=True)
class Tuple(Answer):
    """A tuple (or list) of answers, one per named part, each of its own kind.

    Attributes:
        parts: (name, kind) of each element, in order.
    """

    parts: tuple[tuple[str, Answer], ...]

    def describe(self) -> str:
        inner = ", ".join(f"{name}: {kind.describe()}" for name, kind in self.parts)
        return f"a tuple of {len(self.parts)} ({inner})"

    def coerce(self, value: object) -> object:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != len(self.parts):
            raise _Malformed(f"expected {self.describe()}, got {_shown(value)}")
        out = []
        for (name, kind), item in zip(self.parts, value):
            try:
                out.append(kind.coerce(item))
            except _Malformed as exc:
                raise _Malformed(f"in {name}: {exc}") from None
        return tuple(out)

    def same(self, got: object, right: object) -> bool:
        assert isinstance(got, tuple) and isinstance(right, tuple)
        return all(kind.same(g, r) for (_, kind), g, r in zip(self.parts, got, right))


# --- exercises ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise, declared as data.

    Attributes:
        id: ``nbXX-name``, the notebook number and a short name.
        summary: one line saying what is asked (with the parameters the checker assumes).
        answer: the kind of answer expected (``Integer``, ``Real`` or ``Tuple``).
        right: computes the right answer, independently of the library code the exercise practises.
        hint: shown for a wrong answer; points at the concept, never at the answer.
    """

    id: str
    summary: str
    answer: Answer
    right: Callable[[], object] = field(repr=False)
    hint: str


# The checkers. Each recomputes its answer from the problem's definition with core modules only.


def _truth_table(n: int, secret: int, oracle: str, seed: int) -> list[int]:
    from qenergy.problem.instance import make_instance

    inst = make_instance(n, secret, oracle, seed=seed)
    return [int(v) for v in inst.f(np.arange(1 << n, dtype=np.uint64))]


def _multi_controlled_gates() -> int:
    """Monomials of degree ≥ 2 in the algebraic normal form of f (n = 5, s = 0b10010, random, seed 1):
    the coefficient of monomial m in output bit j is the XOR of f(x)_j over the x whose bits lie in m."""
    n = 5
    table = _truth_table(n, 0b10010, "random", 1)
    count = 0
    for m in range(1 << n):
        if bin(m).count("1") < 2:
            continue
        for j in range(n):
            if sum((table[x] >> j) & 1 for x in range(1 << n) if x & m == x) % 2:
                count += 1
    return count


def _one_to_one_outcome() -> tuple[int, int]:
    """For f one-to-one (n = 6, s = 0, linear, seed 2) the candidate c ≠ 0 fails f(0) = f(c): s = 0 is
    reported after exactly the two check queries f(0) and f(c)."""
    table = _truth_table(6, 0, "linear", 2)
    if len(set(table)) != len(table):  # pragma: no cover - the instance is one-to-one by construction
        raise AssertionError("the exercise's instance is not one-to-one")
    return (0, 2)


def _expected_runs(n: int) -> Fraction:
    """E[R](n), exact: the (k+1)-th independent y arrives after 1/(1 − 2^k/2^(n−1)) shots on average, k = 0…n−2."""
    return sum((Fraction(1) / (1 - Fraction(2**k, 2 ** (n - 1))) for k in range(n - 1)), Fraction(0))


def _expected_shots() -> float:
    """E[R](8), exact."""
    return float(_expected_runs(8))


def _birthday_limit() -> float:
    """lim E[Q]/2^(n/2) for random distinct queries: P(Q > k) ≈ exp(−k²/2^(n+1)), so E[Q] ≈ √(π/2)·2^(n/2)."""
    return math.sqrt(math.pi / 2)


def _collision_bound_reached(n: int, q: int, p: Fraction) -> bool:
    """True when (C(q,2) + 1)/(2^n − 1 − C(q,2)) ≥ p, or the pairs already cover the space."""
    space = (1 << n) - 1
    pairs = q * (q - 1) // 2
    return pairs >= space - pairs - 1 or Fraction(pairs + 1, space - pairs) >= p


def _q_min_20() -> int:
    """Least q with (C(q,2) + 1)/(2^20 − 1 − C(q,2)) ≥ 2/3, by direct search over q."""
    q = 0
    while not _collision_bound_reached(20, q, Fraction(2, 3)):
        q += 1
    return q


def _q_min_two_thirds(n: int) -> int:
    """Least q reaching 2/3 at any n ≥ 2: the bound is ≥ 2/3 when 5·C(q,2) ≥ 2^(n+1) − 5, so q ≈ √(2·C) from
    integer square roots, then settled by checking the bound itself on either side."""
    need = max(0, -(-((1 << (n + 1)) - 5) // 5))  # C(q,2) ≥ ⌈(2^(n+1) − 5)/5⌉
    q = (1 + math.isqrt(1 + 8 * need)) // 2
    while q > 0 and _collision_bound_reached(n, q - 1, Fraction(2, 3)):
        q -= 1
    while not _collision_bound_reached(n, q, Fraction(2, 3)):
        q += 1
    return q


def _crossover_4k() -> int:
    """First n (2…64) from which the quantum upper bound stays below the irreversible classical lower bound at 4.2 K,
    both from their definitions: quantum E[R](n) runs of 3n erasures plus two check queries of 2n erased bits, each
    W_N(1e-6) at N = 1000; classical q_min(n, 2/3) queries of n − 1 erased bits, each k_B·T·ln 2."""
    from qenergy.energy.physics import BOLTZMANN_J_PER_K

    t = 4.2
    w = _finite_step_work(1e-6, 1000, t)
    bit = BOLTZMANN_J_PER_K * t * math.log(2)
    ns = range(2, 65)
    below = [float(_expected_runs(n)) * 3 * n * w + 2 * 2 * n * w < (n - 1) * _q_min_two_thirds(n) * bit for n in ns]
    return next(n for i, n in enumerate(ns) if all(below[i:]))


def _erasure_limit() -> float:
    """W_∞ / (k_B T ln 2) for ε = 0.01: (ln 2 − h(ε))/ln 2 = 1 − H₂(ε), H₂ the binary entropy in bits."""
    e = 0.01
    return 1.0 + e * math.log2(e) + (1 - e) * math.log2(1 - e)


def _finite_step_work(epsilon: float, steps: int, temperature_k: float) -> float:
    """W_N(ε) in J, summed from its definition: N level raises of E_max/N, each after thermalisation at T."""
    from qenergy.energy.physics import BOLTZMANN_J_PER_K

    kt = BOLTZMANN_J_PER_K * temperature_k
    e_max = kt * math.log((1 - epsilon) / epsilon)
    k = np.arange(steps, dtype=np.float64)  # p_{k} for k = 0…N−1; p_0 = 1/2
    p = 1.0 / (1.0 + np.exp(k * e_max / steps / kt))
    return float(p.sum() * e_max / steps - epsilon * e_max)


def _weight_cover_counts() -> tuple[int, int]:
    """n = 64, W = 2: N_W = Σ_{k≤2} C(64, k) strings, and the least q with C(q, 2) ≥ N_W − 1 (pairs covering every non-zero one)."""
    n_w = sum(math.comb(64, k) for k in range(3))
    q = 1
    while q * (q - 1) // 2 < n_w - 1:
        q += 1
    return n_w, q


def _theory_per_shot() -> float:
    """One shot at n = 3: 2n qubit resets and n erased measurement bits, each W_N(1e-6) at N = 1000, 300 K."""
    n = 3
    return 3 * n * _finite_step_work(1e-6, 1000, 300.0)


def _largest_n_on_guadalupe() -> int:
    """Simon's circuit needs 2n qubits; IBM's Guadalupe (and its fake twin) has 16."""
    return 16 // 2


@cache
def _bundled_intensity(iso3: str) -> float:
    text = resources.files("qenergy").joinpath("data/grid_intensity.csv").read_text(encoding="utf-8")
    return next(float(row["g_co2e_per_kwh"]) for row in csv.DictReader(text.splitlines()) if row["iso3"] == iso3)


def _training_in_france() -> float:
    """14.8 days × 24 h × 10,000 processors × 330 W × PUE 1.10 in kWh, times France's bundled intensity (g/kWh), in t."""
    kwh = 14.8 * 24 * 10_000 * 330 * 1.10 / 1000
    return kwh * _bundled_intensity("FRA") / 1e6


def _hebbian_density() -> float:
    """d = 1 − (1 − c(c−1)/(χ(χ−1)l²))^M with χ = 100 clusters, l = 64 neurons, c = 12 active, M = 50,000."""
    chi, l, c, m = 100, 64, 12, 50_000
    return 1.0 - (1.0 - c * (c - 1) / (chi * (chi - 1) * l * l)) ** m


def _readout_corruption() -> float:
    """P(y·s flips) when each of the n = 8 measured bits flips with p = 0.05 and s = 0b10110101: an odd number
    of flips among the bits where s is 1."""
    p, w = 0.05, bin(0b10110101).count("1")
    return sum(math.comb(w, k) * p**k * (1 - p) ** (w - k) for k in range(1, w + 1, 2))


def _depolarize2() -> float:
    """E(ρ) = (1 − P)ρ + P·I/4 on two qubits is the mixture of all 16 Paulis with weight P/16 each: a
    non-identity Pauli with probability 15P/16, for P = 0.02."""
    p, paulis = 0.02, 16
    return p * (paulis - 1) / paulis


def _unresolved_energy() -> float:
    """An unresolved run at n = 10 with the one-to-one proof switched off (``max_proof_queries=0``; with the default
    the proof's 2^(n−1) + 1 = 513 charged queries always run at n = 10 and the run ends solved) that spent its budget
    20n + 100 = 300 shots and refuted 8 candidates (9 check queries, f(0) included): per shot 3n erasures, per check
    query 2n, each W_N(1e-6) at N = 1000, 300 K."""
    n, shots, checks = 10, 20 * 10 + 100, 9
    return (3 * n * shots + 2 * n * checks) * _finite_step_work(1e-6, 1000, 300.0)


def _heron_power_168_kw() -> float:
    """ibm-heron at its central values for 2n = 168 qubits: ceil(168/156) = 2 cryostats (4 K heat 34 lines x 4.2 mW
    is far below 1.8 W), one gas-handling system per two cryostats, 61.25 W per qubit, 1 kW of servers, PUE 1.58."""
    q, per_cryostat = 168, 156
    cryostats = -(-q // per_cryostat)
    cryo = cryostats * 10_700 + -(-cryostats // 2) * 1_800
    return 1.58 * (cryo + q * 61.25 + 1_000) / 1e3


def _birthday_queries_64() -> float:
    """Q_P = sqrt(2 ln(1/(1 − P))) · 2^(n/2) for birthday search (P(Q > k) ≈ exp(−k²/2^(n+1))), n = 64, P = 0.9."""
    return math.sqrt(2 * math.log(1 / (1 - 0.9))) * 2.0**32


def _crossover_shift_16x() -> int:
    """The classical energy grows by 2 per 2 bits (2^(n/2)); a QPU 16 = 2^4 times dearer, flat in n, is met 2·4 bits later."""
    return 2 * round(math.log2(16))


def _noisy_shots() -> float:
    """(n + log2(P/(1 − P))) / (1 − H2(η)) at n = 20, P = 0.99 for shots clean with probability F = 0.8: a corrupted
    shot's y is uniformly random, so y·s is wrong with probability η = (1 − F)/2 (the definition of
    ``qenergy.hardware.noise_model.noise_multiplier``), and 1 − H2(η) is the capacity of that binary symmetric channel."""
    n, p, clean = 20, 0.99, 0.8
    eta = (1 - clean) / 2
    h2 = -(eta * math.log2(eta) + (1 - eta) * math.log2(1 - eta))
    return (n + math.log2(p / (1 - p))) / (1 - h2)

#: Every exercise of the notebooks, by id.
EXERCISES: dict[str, Exercise] = {
    ex.id: ex
    for ex in (
        Exercise(
            "nb01-anf-gates",
            "random oracle, n = 5, s = 0b10010, seed 1: how many multi-controlled gates (two or more controls) does its reversible network need?",
            Integer("gates"),
            _multi_controlled_gates,
            "A random oracle is built from the algebraic normal form of each output bit: one gate per monomial, "
            "with one control per variable of the monomial. Count the monomials with two or more variables, over all n output bits.",
        ),
        Exercise(
            "nb01-one-to-one",
            "one-to-one f (n = 6, s = 0, linear, seed 2): what does run_simon report as (found, confirmation_queries)?",
            Tuple((("found", Integer("the secret")), ("confirmation_queries", Integer("queries")))),
            _one_to_one_outcome,
            "When f is one-to-one every y is possible, so the equations still yield some candidate c. "
            "What does the classical check f(0) = f(c) say then, and how many classical queries does it take?",
        ),
        Exercise(
            "nb01-expected-shots",
            "the expected number of shots E[R](8) until n − 1 = 7 independent equations (exact, not sampled)",
            Real("shots", rel_tol=1e-6),
            _expected_shots,
            "Each shot is uniform on s^⊥, a space of 2^(n−1) vectors. With k independent equations in hand, what is the chance "
            "that the next shot adds a new one? The wait for it is geometric; add up the expected waits until n − 1 equations.",
        ),
        Exercise(
            "nb02-birthday-limit",
            "the limit of (mean birthday queries) / 2^(n/2) as n grows",
            Real("", rel_tol=0.01),
            _birthday_limit,
            "Each new distinct query collides only with its partner x ⊕ s among those already made: after k queries the "
            "next one collides with probability k/(2^n − k). Sum the survival probabilities P(Q > k) for a large n and "
            "divide by 2^(n/2); the pairs structure matters (it is not the birthday problem on 2^n values).",
        ),
        Exercise(
            "nb02-qmin-20",
            "q_min(20, 2/3): the fewest queries any classical algorithm needs at n = 20 for success probability 2/3",
            Integer("queries"),
            _q_min_20,
            "Use the collision bound: after q queries any algorithm succeeds with probability at most "
            "(C(q,2) + 1)/(2^n − 1 − C(q,2)). Find the least q for which it reaches 2/3; it is not simply 2^(n/2).",
        ),
        Exercise(
            "nb03-crossover-4k",
            "the crossover n at 4.2 K of the quantum upper bound against the irreversible classical lower bound (n = 2…64)",
            Integer("bits"),
            _crossover_4k,
            "The crossover is the first n from which the quantum upper bound stays below the classical lower bound. "
            "Compute both bounds at 4.2 K; ask yourself how each one depends on the temperature.",
        ),
        Exercise(
            "nb03-erasure-limit",
            "W_N(ε = 0.01) as N → ∞, in units of k_B·T·ln 2",
            Real("k_B T ln 2", rel_tol=1e-6),
            _erasure_limit,
            "A reset that leaves error ε does not remove all of the bit's entropy: as N grows, the work approaches the free "
            "energy of removing only the entropy that goes (the dotted lines of the first plot). Express it in units of k_B·T·ln 2.",
        ),
        Exercise(
            "nb04-theory-per-shot",
            "the upper-bound energy charged per quantum shot at n = 3 (ε = 1e-6, N = 1000, 300 K, gates free), in J",
            Real("J", rel_tol=1e-6),
            _theory_per_shot,
            "A shot resets the 2n-qubit register and erases the n measured bits, each by finite-step erasure W_N(ε). "
            "The confirmation queries are charged separately: leave them out.",
        ),
        Exercise(
            "nb04-largest-n",
            "the largest n whose Simon circuit fits on the 16-qubit Guadalupe",
            Integer("bits"),
            _largest_n_on_guadalupe,
            "Simon's circuit has an input register and an output register of n qubits each.",
        ),
        Exercise(
            "nb05-france-co2e",
            "the GPT-3-style training run (10,000 processors, 14.8 days, 330 W, PUE 1.10) on France's grid, in t CO2e",
            Real("t CO2e", rel_tol=1e-6),
            _training_in_france,
            "CO2e = energy (kWh) × grid intensity (g CO2e/kWh). Keep the training energy, change only the intensity to "
            "France's bundled figure, and convert grams to tonnes.",
        ),
        Exercise(
            "nb05-hebbian-density",
            "the predicted density of the Hebbian memory at M = 50,000 messages (χ = 100, l = 64, c = 12)",
            Real("", rel_tol=1e-6),
            _hebbian_density,
            "Each message writes c(c−1) directed edges among χ(χ−1)l² possible ones; an edge may be written twice, so the "
            "density saturates: it is the chance that an edge was written by at least one of the M messages.",
        ),
        Exercise(
            "nb06-readout-corruption",
            "readout:0.05 on n = 8, s = 0b10110101: the probability that a shot violates y·s = 0 (exact)",
            Real("", rel_tol=1e-6),
            _readout_corruption,
            "A flipped bit j changes y·s only when s_j = 1, and two such flips cancel. Count the ways an odd number of "
            "the bits where s is 1 flip.",
        ),
        Exercise(
            "nb06-depolarize2",
            "depolarize:0.02 (Qiskit's convention): the probability of stim's DEPOLARIZE2 channel after a two-qubit gate",
            Real("", rel_tol=1e-9),
            _depolarize2,
            "Qiskit's E(ρ) = (1 − P)ρ + P·I/d replaces the state by the maximally mixed one with probability P; the "
            "maximally mixed state is the average of all d² Paulis applied to ρ, the identity among them.",
        ),
        Exercise(
            "nb06-unresolved-energy",
            "upper-bound energy of an unresolved n = 10 run with the one-to-one proof off (max_proof_queries=0): default budget "
            "spent, 8 candidates refuted (300 K, ε = 1e-6, N = 1000), in J",
            Real("J", rel_tol=1e-6),
            _unresolved_energy,
            "Every shot is charged whether or not it helped, and so is every classical check query: count what each one "
            "resets or erases (the charging policy's qubit_reset and bit_erased charges), each priced W_N(ε). Nothing is refunded "
            "when the run ends unresolved.",
        ),
        Exercise(
            "nb06-weight-cover",
            "restricted weight, n = 64, W = 2: (N_W, the fewest queries whose pairwise XORs can cover every non-zero candidate)",
            Tuple((("candidates", Integer("strings of weight <= W, 0 included")), ("queries", Integer("queries")))),
            _weight_cover_counts,
            "Count the strings of each weight up to W with binomial coefficients. A collision between two queries reveals only "
            "their XOR, so q queries can test at most C(q, 2) non-zero candidates; find the least q for which that is enough.",
        ),
        Exercise(
            "nb07-heron-power",
            "wall-plug power of the ibm-heron preset (central values) holding the 2n = 168 qubits of Simon's circuit at n = 84, in kW",
            Real("kW", rel_tol=1e-6),
            _heron_power_168_kw,
            "Count the cryostats first: a cryostat holds a limited number of qubits, and gas-handling systems are shared "
            "between two cryostats. Then add the electronics per qubit and the servers, and apply the facility overhead (PUE) to the sum.",
        ),
        Exercise(
            "nb07-birthday-queries",
            "queries birthday search needs at n = 64 to succeed with probability 0.9 (the Rayleigh quantile, not the mean)",
            Real("queries", rel_tol=1e-6),
            _birthday_queries_64,
            "The chance that birthday search has not finished after k queries is about exp(−k²/2^(n+1)). Set it equal to "
            "1 − P and solve for k; the mean is a different quantile.",
        ),
        Exercise(
            "nb07-crossover-shift",
            "by how many bits does the practical crossover move if the QPU's energy per run is 16 times larger (flat in n)?",
            Integer("bits"),
            _crossover_shift_16x,
            "Near the crossover the QPU's energy hardly depends on n while the classical energy grows as 2^(n/2). How many "
            "more bits does the classical side need to grow by the same factor?",
        ),
        Exercise(
            "nb07-noisy-shots",
            "shots the noisy solver needs at n = 20 for success 0.99 when each shot is clean with probability F = 0.8 and a "
            "corrupted shot gives a uniformly random y (the capacity estimate)",
            Real("shots", rel_tol=1e-6),
            _noisy_shots,
            "A corrupted shot is uniformly random, so its y still satisfies y·s = 0 half of the time: the wrong-sample rate η "
            "is not the corruption rate. Each noisy shot is then a binary symmetric channel carrying at most 1 − H2(η) bits "
            "about s. Certifying s needs about n bits plus the log-odds of the target, in bits.",
        ),
    )
}

def exercise_ids() -> list[str]:
    """Every exercise id, in notebook order."""
    return list(EXERCISES)


def check(exercise_id: str, answer: object) -> bool:
    """Check ``answer`` to exercise ``exercise_id``, print one line, return whether it is right.

    Args:
        exercise_id: an id of ``EXERCISES`` (e.g. ``"nb01-anf-gates"``).
        answer: your answer: a whole number, a real number in the exercise's unit (compared with
            the relative tolerance the exercise states), or a tuple of these.

    Returns:
        True for a right answer (after printing ``correct``); False for a wrong one (after
            printing a hint that never gives the answer away) and for a malformed one (wrong type or
            shape, None, ``...``, NaN or infinite: after printing what was expected).

    Raises:
        InputError: ``exercise_id`` is not a known exercise id (the message lists the allowed ones).
    """
    if not isinstance(exercise_id, str) or exercise_id not in EXERCISES:
        raise InputError(f"exercise {shorten(repr(exercise_id))} is unknown; allowed: {', '.join(EXERCISES)}")
    ex = EXERCISES[exercise_id]
    try:
        got = ex.answer.coerce(answer)
        ok = ex.answer.same(got, ex.right())
    except _Malformed as exc:
        print(f"✗ {ex.id}: {exc}.")
        return False
    except OverflowError:  # a number beyond the range of a double (10**400, Fraction(10**400, 3)): far from any right answer
        ok = False
    except (ArithmeticError, ValueError, TypeError):  # a value whose own arithmetic fails: not an answer of the expected kind
        print(f"✗ {ex.id}: expected {ex.answer.describe()}, got {_shown(answer)}.")
        return False
    if ok:
        print(f"✓ {ex.id}: correct.")
    else:
        print(f"✗ {ex.id}: not yet. Hint: {ex.hint}")
    return ok
