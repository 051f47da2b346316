"""Ranking Simon candidates by their agreement with noisy samples (the scoring half of
[qenergy.circuits.noisy_solver][], kept as a small stand-alone API).

Every candidate c is scored by how well the samples agree with it,

    score(c) = (1/S) Σ_shots (−1)^{y·c} = 1 − 2·(fraction of shots with y·c = 1):

about 1 − 2η for the true s (η: the corrupted fraction), about 0 for any other candidate.
For n ≤ `WHT_MAX_BITS` all 2^n scores come from one
Walsh–Hadamard transform of the outcome histogram; beyond, candidates come from pooled
Gaussian elimination on random (n − 1)-subsets of the samples (every subset free of
corrupted shots yields s) and are scored against all samples. The full solver — shot
rounds, posteriors, confirmations and honest ``unresolved`` outcomes — is
[qenergy.circuits.noisy_solver.solve_noisy][].
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qenergy.problem.gf2 import int_to_bits

from .noisy_solver import WHT_MAX_BITS, SamplePool, pooled_gauss_candidates, walsh_mismatches

__all__ = ["WHT_MAX_BITS", "agreement", "rank_candidates"]


def agreement(ys: NDArray[np.uint8], candidate: int) -> float:
    """Fraction of samples with y·c = 0."""
    if ys.shape[0] == 0:
        return 1.0
    cbits = int_to_bits(candidate, ys.shape[1]).astype(np.int64)
    return float(np.mean((ys.astype(np.int64) @ cbits) % 2 == 0))


def rank_candidates(ys: NDArray[np.uint8], n: int, *, limit: int = 8, rng: np.random.Generator | None = None,
                    subsets: int = 4096) -> list[tuple[int, float]]:
    """Up to ``limit`` non-zero candidates with positive score, best first, as (candidate, score).

    Exhaustive for n ≤ `WHT_MAX_BITS`; beyond, ``subsets`` random (n − 1)-subsets of the
    samples are eliminated (pooled Gauss) and their null vectors scored.
    """
    if ys.shape[0] == 0:
        return []
    total = ys.shape[0]
    if n <= WHT_MAX_BITS:
        k = walsh_mismatches(ys).astype(np.float64)
        scores = 1.0 - 2.0 * k / total
        scores[0] = -np.inf
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(c), float(scores[c])) for c in order if scores[c] > 0]
    pool = SamplePool(n)
    pool.add(ys)
    cands = pooled_gauss_candidates(pool, subsets, rng if rng is not None else np.random.default_rng(0))
    if cands.shape[0] == 0:
        return []
    scores = 1.0 - 2.0 * pool.mismatches(cands) / total
    order = np.argsort(-scores, kind="stable")[:limit]
    values = [int.from_bytes(np.ascontiguousarray(cands[i], dtype="<u8").tobytes(), "little") for i in order]
    return [(v, float(scores[i])) for v, i in zip(values, order) if scores[i] > 0]
