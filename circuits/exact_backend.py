"""``exact`` backend: samples the ideal Simon output distribution directly.

Every valid Simon oracle gives the same ideal distribution of measured y: uniform over
{y : y·s = 0 (mod 2)} (the oracle's output bijection acts only on the unmeasured
register). This backend draws from it without a circuit: uniform random bits, then,
when y·s = 1, flip bit j (the lowest set bit of s) — a bijection between the two
halves. It reads the secret, so it is a reference (the speed limit our circuit paths
are measured against, and the noiseless baseline for noise studies), not an algorithm.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qenergy.problem.gf2 import int_to_bits
from qenergy.problem.instance import SimonInstance

from .base import PreparedSimon, SimonBackend, check_clifford_size

__all__ = ["ExactBackend", "sample_s_perp"]


def sample_s_perp(secret: int, n: int, shots: int, rng: np.random.Generator) -> NDArray[np.uint8]:
    """``shots`` independent y uniform on s^⊥ (all of {0,1}^n for s = 0), as a ``(shots, n)`` uint8 array."""
    raw = rng.integers(0, 256, size=(shots, -(-n // 8)), dtype=np.uint8)
    ys = np.unpackbits(raw, axis=1, bitorder="little")[:, :n]
    if secret:
        support = np.flatnonzero(int_to_bits(secret, n))
        odd = np.bitwise_xor.reduce(ys[:, support], axis=1).astype(bool)
        ys[odd, support[0]] ^= 1
    return ys


class _PreparedExact(PreparedSimon):
    def __init__(self, instance: SimonInstance, rng: np.random.Generator) -> None:
        super().__init__("exact", "exact", 2 * instance.n, 0, {})
        self._secret = instance.secret
        self._n = instance.n
        self._rng = rng

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        return sample_s_perp(self._secret, self._n, shots, self._rng)


class ExactBackend(SimonBackend):
    """Draws y uniformly from s^⊥: the ideal distribution of every Simon circuit."""

    name = "exact"

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        check_clifford_size(instance, "exact")  # the same measurement table and GF(2) solve as a circuit path
        return _PreparedExact(instance, rng)
