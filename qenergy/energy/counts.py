"""Query counts for Simon's problem: quantum runs and the classical collision bound.

Quantum (digest simon-energy.md §4.3): the measured y are uniform on s^⊥ (dimension
n − 1), so the expected number of runs to collect n − 1 independent ones is
E[R](n) = Σ_{k=0}^{n−2} 1/(1 − 2^{k−n+1}); a fixed budget R_δ = n − 1 + ⌈log2(1/δ)⌉
fails with probability below δ.

Classical (digest §3.2, the standard argument): for s uniform over non-zero strings
and f uniformly random with that period, any adaptive algorithm making q queries
succeeds with probability P_succ(q) ≤ (C(q,2) + 1)/(2^n − 1 − C(q,2)) while
C(q,2) < 2^n − 1. [`classical_min_queries`][classical_min_queries] is the least q that this bound allows
for success probability p, in exact integer/rational arithmetic (any n).

Restricted weight (``secret_weight`` W, `qenergy.weight`; our derivation): the same
argument with s uniform over the N_W − 1 non-zero strings of weight ≤ W replaces 2^n − 1 by
N_W − 1 (assumes f reveals nothing but equalities, as a random oracle). The quantum side needs
T shots until no wrong non-zero candidate survives, P(T > t) ≤ (N_W − 2)·2^−t (union bound), so
E[T] ≤ Σ_t min(1, (N_W − 2)·2^−t) ([`expected_weight_shots`][expected_weight_shots]) and
t_δ = ⌈log2((N_W − 2)/δ)⌉ fails with probability below δ ([`weight_shots_for_failure`][weight_shots_for_failure]);
both capped by the unrestricted counts, which also end the restricted run.
"""

from __future__ import annotations

import math
from fractions import Fraction

from qenergy.errors import InputError, shorten

__all__ = ["classical_min_queries", "classical_success_bound", "expected_runs", "expected_weight_shots", "parse_probability", "runs_for_failure",
           "weight_shots_for_failure"]


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"n = {n!r} is not allowed; allowed: an integer n >= 1")
    return n


def parse_probability(p: float | str | Fraction, *, name: str = "probability", low_open: bool = True) -> Fraction:
    """p as an exact fraction in (0, 1]; accepts floats, ``"2/3"`` or ``"0.9"``."""
    try:
        if isinstance(p, str):
            from qenergy.numbers import parse_float, parse_int

            num, sep, den = p.partition("/")
            if sep:  # "a/b": two integers of at most 18 digits
                f = Fraction(parse_int(num, name, 0, 10**18), parse_int(den, name, 1, 10**18))
            else:  # decimal text through the float rule (no Fraction of 1e-99999999, which would take minutes)
                f = Fraction(parse_float(p, name)).limit_denominator(10**12)
        else:
            f = Fraction(p) if not isinstance(p, float) else Fraction(p).limit_denominator(10**12)
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        raise InputError(f"{name} {shorten(str(p))!r} is not a number; allowed: 0 < {name} <= 1 (e.g. 2/3)") from None
    if not (0 < f <= 1 if low_open else 0 <= f <= 1):
        raise InputError(f"{name} {p} is not allowed; allowed: 0 < {name} <= 1")
    return f


def expected_runs(n: int) -> float:
    """E[R](n): expected Simon runs until n − 1 independent equations (s ≠ 0)."""
    _check_n(n)
    # term j = n − 1 − k is 1/(1 − 2^−j); for j > 60 it is exactly 1.0 in floating point, so
    # those terms enter as one exact integer (fsum rounds the exact sum once: same result, O(1) at any n).
    head = min(n - 1, 60)
    return math.fsum([*(1.0 / (1.0 - 2.0**-j) for j in range(1, head + 1)), float(n - 1 - head)])


def runs_for_failure(n: int, delta: float | str | Fraction) -> int:
    """R_δ = n − 1 + ⌈log2(1/δ)⌉: runs after which Simon fails with probability below δ (0 < δ < 1)."""
    _check_n(n)
    d = parse_probability(delta, name="delta")
    if d >= 1:
        raise InputError(f"delta {delta} is not allowed; allowed: 0 < delta < 1")
    inv = 1 / d  # exact ⌈log2(1/δ)⌉
    k = 0
    while 2**k < inv:
        k += 1
    return n - 1 + k


def _space(n: int, secret_weight: int | None) -> int:
    """Non-zero candidate secrets: 2^n − 1, or N_W − 1 under the promise wt(s) ≤ W."""
    if secret_weight is None:
        return (1 << n) - 1
    from qenergy.weight import check_secret_weight, weight_space

    return weight_space(n, check_secret_weight(secret_weight, n)) - 1


def expected_weight_shots(n: int, w: int) -> float:
    """Upper bound on the expected shots of the restricted adaptive run: min(E[R](n), Σ_t min(1, (N_W − 2)·2^−t))."""
    wrong = _space(_check_n(n), w) - 1
    total, t = 0.0, 0
    while wrong > (1 << t):
        total += 1.0
        t += 1
    total += math.fsum(wrong / 2.0**j for j in range(t, t + 80)) if wrong > 0 else 0.0
    return min(expected_runs(n), total)


def weight_shots_for_failure(n: int, w: int, delta: float | str | Fraction) -> int:
    """t_δ = ⌈log2((N_W − 2)/δ)⌉ (at most R_δ): shots after which the restricted run fails with probability below δ."""
    full = runs_for_failure(n, delta)
    wrong = _space(n, w) - 1
    if wrong <= 0:
        return min(full, 1)
    d = parse_probability(delta, name="delta")
    t = 0
    while Fraction(wrong, 1 << t) > d:
        t += 1
    return min(full, t)


def classical_success_bound(n: int, q: int, *, secret_weight: int | None = None) -> float:
    """Upper bound on the success probability of any q-query classical algorithm (1 once vacuous);
    ``secret_weight`` W counts only the N_W − 1 non-zero strings of weight ≤ W."""
    _check_n(n)
    if q < 0:
        raise InputError(f"q = {q} is not allowed; allowed: q >= 0")
    pairs = q * (q - 1) // 2
    space = _space(n, secret_weight)
    if pairs >= space or space - pairs <= pairs + 1:
        return 1.0
    return (pairs + 1) / (space - pairs)


def classical_min_queries(n: int, p: float | str | Fraction = Fraction(2, 3), *, secret_weight: int | None = None) -> int:
    """Least q with (C(q,2)+1)/(2^n − 1 − C(q,2)) ≥ p: the fewest queries the collision bound
    allows for success probability p. Exact for any n (n = 64 gives 3,841,535,535 at p = 2/3).
    ``secret_weight`` W replaces 2^n − 1 by N_W − 1 (the restricted problem, module docstring)."""
    _check_n(n)
    prob = parse_probability(p, name="success")
    space = _space(n, secret_weight)
    # (C + 1) >= p (space - C)  <=>  C >= (p·space − 1)/(1 + p) = (a·space − b)/(a + b) for p = a/b;
    # integer arithmetic only (no gcd of n-bit numbers), so large n stays fast
    a, b = prob.numerator, prob.denominator
    num = a * space - b
    if num <= 0:
        return 0  # a blind guess among 2^n − 1 candidates already reaches p
    target = -(-num // (a + b))  # ⌈num / (a + b)⌉: C(q,2) must reach this integer
    q = (1 + math.isqrt(1 + 8 * target)) // 2
    while q * (q - 1) // 2 < target:
        q += 1
    while q > 0 and (q - 1) * (q - 2) // 2 >= target:
        q -= 1
    return q
