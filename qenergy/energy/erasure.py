"""Finite-step, finite-precision Landauer erasure (reference model, digest simon-energy.md §2.3).

A qubit with Hamiltonian H_k = E_k |1⟩⟨1| is reset by raising its excited level in N
equal steps E_k = k·E_max/N, thermalising at temperature T after each step, then
quenching back to 0. The final excited population (the reset error) is
ε = 1/(1 + exp(E_max/k_B T)), i.e. E_max = k_B T ln((1−ε)/ε).

Work, with p_k = 1/(1 + exp(E_k/k_B T)) and p_0 the initial excited population::

    W_N = Σ_{k=1..N} p_{k−1}·E_max/N − ε·E_max

Bounds for p_0 = 1/2 (the upper one holds for any p_0 ≤ 1/2)::

    k_B T [ln 2 − h(ε)]  ≤  W_N  ≤  k_B T [ln 2 − h(ε)] + k_B T (1/2 − ε) ln((1−ε)/ε) / N

with h the binary entropy in nats; W_N → k_B T (ln 2 − h(ε)) as N → ∞. This is the
standard level-raising construction (Browne et al., arXiv:1311.7612; Anders &
Giovannetti, arXiv:1211.0183; Taranto et al., PRX Quantum 4, 010332), used here as a
stand-in for the Meier–Yamasaki protocol, whose text was not available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from qenergy.energy.physics import BOLTZMANN_J_PER_K, LN2, binary_entropy, check_temperature
from qenergy.errors import InputError
from qenergy.numbers import shown_value

__all__ = [
    "FiniteStepErasure",
    "check_epsilon",
    "EXACT_SUM_MAX_STEPS",
    "MAX_STEPS",
    "MIN_EPSILON",
    "check_steps",
    "erasure_level_j",
    "finite_step_work_j",
    "finite_step_work_lower_j",
    "finite_step_work_upper_j",
]

_CHUNK = 1 << 20
#: Smallest reset error accepted: ln((1−ε)/ε) stays finite (about 691) down to here.
MIN_EPSILON = 1e-300
#: Largest N summed term by term; above, [`finite_step_work_j`][finite_step_work_j] uses the Euler–Maclaurin expansion.
EXACT_SUM_MAX_STEPS = 1_000_000
#: Largest N accepted (``--steps``): at 10^18 steps W_N already equals its N → ∞ limit to double
#: precision, and larger integers would no longer convert to a float in the formulas.
MAX_STEPS = 10**18


def check_epsilon(epsilon: float) -> float:
    """ε as a float, or [`InputError`][InputError] unless `MIN_EPSILON` ≤ ε < 1/2.

    The floor keeps E_max/k_B T = ln((1−ε)/ε) finite (below 691); smaller ε (subnormal
    doubles) would make the level infinite and the work NaN.
    """
    try:
        e = float(epsilon)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"epsilon {shown_value(epsilon)} is not a number; allowed: 0 < epsilon < 0.5") from None
    if not MIN_EPSILON <= e < 0.5:
        floor = f", at least {MIN_EPSILON:g}" if 0.0 < e < MIN_EPSILON else ""
        raise InputError(f"epsilon {shown_value(epsilon)} is not allowed; allowed: 0 < epsilon < 0.5 (the reset error{floor})")
    return e


def check_steps(steps: int) -> int:
    """N as an int, or [`InputError`][InputError] unless 1 ≤ N ≤ `MAX_STEPS`."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        shown = shown_value(int(steps)) if isinstance(steps, (int, np.integer)) and not isinstance(steps, bool) else shown_value(steps)
        raise InputError(f"steps {shown} is not allowed; allowed: an integer 1 <= N <= 10^{len(str(MAX_STEPS)) - 1} "
                         "(beyond, W_N equals its N -> infinity limit to double precision)")
    return int(steps)


def erasure_level_j(epsilon: float, temperature_k: float) -> float:
    """E_max = k_B T ln((1−ε)/ε) in joules: the level that leaves excited population ε."""
    e = check_epsilon(epsilon)
    return BOLTZMANN_J_PER_K * check_temperature(temperature_k) * math.log((1.0 - e) / e)


def finite_step_work_j(epsilon: float, steps: int, temperature_k: float, p0: float = 0.5) -> float:
    """Work W_N in joules of the N-step protocol from initial excited population p0 to error ε.

    For N ≤ `EXACT_SUM_MAX_STEPS` the N terms are summed (vectorised). For larger N the sum
    Σ_{k=1}^{N−1} p_k, a trapezoidal sum of g(x) = 1/(1 + e^x) on [0, L] with step h = L/N
    (L = ln((1−ε)/ε)), is replaced by its Euler–Maclaurin expansion through the h³ term
    (`_work_euler_maclaurin`), which takes constant time at any N. Its truncation error is
    below 2ζ(6)/(2π)⁶ · h⁶ · ∫₀^∞ |g⁽⁶⁾| ≤ 3.3e-5 · h⁶ k_B T (the integral is below 1), which for
    N > 10⁶ and any ε the checks allow (L < 745, so h < 7.5e-4) is below 6e-24 k_B T; with rounding
    the result is within 1e-15 k_B T of the exact sum (relative 1e-15 unless ε is within 1e-3 of
    1/2, where W itself vanishes like 2(1/2 − ε)²). N is limited to `MAX_STEPS` (10^18).
    """
    e, n, t = check_epsilon(epsilon), check_steps(steps), check_temperature(temperature_k)
    if not 0.0 <= p0 <= 1.0:
        raise InputError(f"p0 {p0!r} is outside [0, 1]")
    per_kt = _work_sum_exact(e, n, p0) if n <= EXACT_SUM_MAX_STEPS else _work_euler_maclaurin(e, n, p0)
    return BOLTZMANN_J_PER_K * t * per_kt


def _work_sum_exact(e: float, n: int, p0: float) -> float:
    """W_N / k_B T by summing the N terms (vectorised in chunks of 2^20)."""
    level = math.log((1.0 - e) / e)  # E_max / k_B T
    step = level / n
    total = p0
    for start in range(1, n, _CHUNK):  # Σ_{k=1}^{N−1} p_k
        k = np.arange(start, min(n, start + _CHUNK), dtype=np.float64)
        total += float(expit(-k * step).sum())
    return step * total - e * level


def _work_euler_maclaurin(e: float, n: int, p0: float) -> float:
    """W_N / k_B T from the Euler–Maclaurin expansion of Σ_{k=1}^{N−1} g(kh), g(x) = 1/(1+e^x), h = L/N.

    Σ_{k=0}^{N} g(kh) = (1/h)∫₀^L g + (g(0) + g(L))/2 + (h/12)(g′(L) − g′(0)) − (h³/720)(g‴(L) − g‴(0)) + R,
    with ∫₀^L g = ln 2 + ln(1 − ε), g(0) = 1/2, g(L) = ε, g′ = −u and g‴ = −u(1 − 6u) for u = g(1 − g).
    Then W/k_B T = h(p0 + Σ_{k=1}^{N−1}) − εL = ln 2 − h(ε) + h(p0 − (1/2 + ε)/2)
    + (h²/12)(g′(L) − g′(0)) − (h⁴/720)(g‴(L) − g‴(0)) + h·R (see [`finite_step_work_j`][finite_step_work_j] for |h·R|).
    """
    level = math.log((1.0 - e) / e)
    h = level / n
    u0, u_l = 0.25, e * (1.0 - e)
    d1 = -u_l + u0  # g′(L) − g′(0)
    d3 = -u_l * (1.0 - 6.0 * u_l) + u0 * (1.0 - 6.0 * u0)  # g‴(L) − g‴(0)
    return (LN2 - binary_entropy(e)) + h * (p0 - (0.5 + e) / 2.0) + h * h / 12.0 * d1 - h**4 / 720.0 * d3


def finite_step_work_lower_j(epsilon: float, temperature_k: float) -> float:
    """k_B T (ln 2 − h(ε)) in joules: the N → ∞ limit and a lower bound on W_N (p0 = 1/2)."""
    e = check_epsilon(epsilon)
    return BOLTZMANN_J_PER_K * check_temperature(temperature_k) * (LN2 - binary_entropy(e))


def finite_step_work_upper_j(epsilon: float, steps: int, temperature_k: float) -> float:
    """Upper bound on W_N in joules: the limit plus k_B T (1/2 − ε) ln((1−ε)/ε)/N (p0 ≤ 1/2)."""
    e, n = check_epsilon(epsilon), check_steps(steps)
    excess = BOLTZMANN_J_PER_K * check_temperature(temperature_k) * (0.5 - e) * math.log((1.0 - e) / e) / n
    return finite_step_work_lower_j(e, temperature_k) + excess


@dataclass(frozen=True)
class FiniteStepErasure:
    """The reset protocol as parameters: final error ``epsilon``, ``steps`` N."""

    epsilon: float = 1e-6
    steps: int = 1000

    def __post_init__(self) -> None:
        check_epsilon(self.epsilon)
        check_steps(self.steps)

    def work_j(self, temperature_k: float, p0: float = 0.5) -> float:
        """Exact work per reset at T, in joules."""
        return finite_step_work_j(self.epsilon, self.steps, temperature_k, p0)

    def describe(self) -> str:
        return f"finite-step erasure eps={self.epsilon:g}, N={self.steps}"
