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

from .errors import InputError
from .physics import BOLTZMANN_J_PER_K, LN2, binary_entropy, check_temperature

__all__ = [
    "FiniteStepErasure",
    "check_epsilon",
    "check_steps",
    "erasure_level_j",
    "finite_step_work_j",
    "finite_step_work_lower_j",
    "finite_step_work_upper_j",
]

_CHUNK = 1 << 20


def check_epsilon(epsilon: float) -> float:
    """ε as a float, or :class:`InputError` unless 0 < ε < 1/2."""
    try:
        e = float(epsilon)
    except (TypeError, ValueError):
        raise InputError(f"epsilon {epsilon!r} is not a number; allowed: 0 < epsilon < 0.5") from None
    if not 0.0 < e < 0.5:
        raise InputError(f"epsilon {epsilon!r} is not allowed; allowed: 0 < epsilon < 0.5 (the reset error)")
    return e


def check_steps(steps: int) -> int:
    """N as an int, or :class:`InputError` unless N ≥ 1."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InputError(f"steps {steps!r} is not allowed; allowed: an integer N >= 1")
    return int(steps)


def erasure_level_j(epsilon: float, temperature_k: float) -> float:
    """E_max = k_B T ln((1−ε)/ε) in joules: the level that leaves excited population ε."""
    e = check_epsilon(epsilon)
    return BOLTZMANN_J_PER_K * check_temperature(temperature_k) * math.log((1.0 - e) / e)


def finite_step_work_j(epsilon: float, steps: int, temperature_k: float, p0: float = 0.5) -> float:
    """Exact work W_N in joules of the N-step protocol from initial excited population p0 to error ε."""
    e, n, t = check_epsilon(epsilon), check_steps(steps), check_temperature(temperature_k)
    if not 0.0 <= p0 <= 1.0:
        raise InputError(f"p0 {p0!r} is outside [0, 1]")
    level = math.log((1.0 - e) / e)  # E_max / k_B T
    step = level / n
    total = p0
    for start in range(1, n, _CHUNK):  # Σ_{k=1}^{N−1} p_k, vectorised in chunks
        k = np.arange(start, min(n, start + _CHUNK), dtype=np.float64)
        total += float(expit(-k * step).sum())
    return BOLTZMANN_J_PER_K * t * (step * total - e * level)


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
