"""The analytic noise multiplier: a model estimate of the shots a noisy QPU needs for Simon's problem.

Each shot is clean with probability F, the product of the survival probabilities of every gate's
depolarising channel and every measured bit's flip (one- and two-qubit gates of the circuit the noise
acts on: the logical one for ``depolarize``/``readout``, the routed one for a device twin). A corrupted
shot is *assumed* to give a uniformly random y, so y·s = 1 with probability η = (1 − F)/2: each shot is a
use of a binary symmetric channel with capacity 1 − H2(η), and certifying s takes n + log2(P/(1 − P))
bits (log2 N_W bits instead of n for the restricted problem, N_W = Σ_{k≤W} C(n, k)). The model's shots
are that ÷ the capacity, at least the noiseless count.

This is an **estimate**, never a bound: measured against the noisy solver (``qenergy advantage --noise``
runs it and shows this model beside the measurement, with their ratio) it overstates depolarising noise
and understates readout noise. Core module: imports the energy layer, the weight promise and the
noise specification only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from qenergy.energy.counts import weight_shots_for_failure
from qenergy.energy.physics import binary_entropy
from qenergy.hardware.noise import NoiseSpec
from qenergy.weight import log2_weight_space

__all__ = ["MAX_SHOTS", "NoiseEstimate", "noise_multiplier", "noiseless_shots"]

#: Shots beyond which a target is called unreachable (about a year of a QPU at 4,000 shots/s).
MAX_SHOTS = 1e11


def noiseless_shots(n: int, success: float) -> int:
    """n − 1 + ⌈log2(1/(1 − P))⌉: shots whose samples span y·s = 0 with probability ≥ P (at least 1)."""
    return max(1, n - 1 + math.ceil(-math.log2(1.0 - success)))


@dataclass(frozen=True)
class NoiseEstimate:
    """The noise multiplier at one n (see the module docstring)."""

    clean_probability: float
    corruption: float
    shots: float | None
    multiplier: float | None


def noise_multiplier(noise: NoiseSpec, n: int, success: float, *, one_qubit_gates: float, two_qubit_gates: float,
                     median_errors: tuple[float, float, float] | None = None, secret_weight: int | None = None) -> NoiseEstimate:
    """Shots multiplier for ``noise`` at n: analytic, from the clean-shot probability and the channel capacity.

    ``one_qubit_gates``/``two_qubit_gates``: gates the noise acts on (logical circuit for
    ``depolarize``/``readout``, routed for a device twin); ``median_errors``: the device's
    median depolarising strength after a one- and a two-qubit gate and its median readout
    flip probability. Never below 1; ``multiplier`` None when more than `MAX_SHOTS` shots.
    ``secret_weight`` W: the restricted problem, whose noiseless shots are t_δ
    ([qenergy.energy.counts.weight_shots_for_failure][]) and whose samples must carry log2 N_W bits instead of n.
    """
    base = noiseless_shots(n, success) if secret_weight is None else max(1, weight_shots_for_failure(n, secret_weight, Fraction(1.0 - success)))
    bits = float(n) if secret_weight is None else log2_weight_space(n, secret_weight)
    if noise.is_ideal:
        return NoiseEstimate(1.0, 0.0, float(base), 1.0)
    log_clean = 0.0
    if noise.depolarize:
        p = noise.depolarize
        log_clean += one_qubit_gates * math.log1p(-0.75 * p) + two_qubit_gates * math.log1p(-15 / 16 * p) if p < 1 else -math.inf
    if noise.readout:
        log_clean += n * math.log1p(-noise.readout) if noise.readout < 1 else -math.inf
    if noise.device is not None and median_errors is not None:
        e1, e2, r = median_errors
        log_clean += one_qubit_gates * math.log1p(-0.75 * e1) + two_qubit_gates * math.log1p(-15 / 16 * e2) + n * math.log1p(-min(r, 0.999999))
    clean = math.exp(log_clean)
    eta = (1.0 - clean) / 2.0
    capacity = 1.0 - binary_entropy(min(max(eta, 0.0), 1.0), bits=True)
    need = (bits + math.log2(success / (1.0 - success))) / capacity if capacity > 0 else math.inf
    shots = max(float(base), need)
    if not shots <= MAX_SHOTS:
        return NoiseEstimate(clean, eta, None, None)
    return NoiseEstimate(clean, eta, shots, max(1.0, shots / base))
