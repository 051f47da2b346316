"""Noise-aware recovery of Simon's secret from noisy samples.

On a noisy device some measured y break y·s = 0, and a single bad y makes plain
elimination return a wrong null space. Instead, every candidate c is scored by how
well the samples agree with it,

    score(c) = (1/S) Σ_shots (−1)^{y·c},

which is 1 − 2·(fraction of shots with y·c = 1): about 1 for the true s even under
noise, about 0 for other candidates. For n ≤ 22 all 2^n scores come at once from a fast
Walsh–Hadamard transform of the outcome histogram (a maximum-likelihood decoder for
symmetric noise). For larger n, candidates come from subsets of equations: distinct
outcomes are taken in order of frequency (rare ones, likely errors, last; and in
random orders for further candidates), added to a GF(2) basis unless they would make
it full rank, and each basis of rank n − 1 gives its null vector. Candidates are then
confirmed by the classical check f(0) = f(c), in order of score.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from qenergy.gf2 import EchelonBasis, int_to_bits

__all__ = ["WHT_MAX_BITS", "agreement", "rank_candidates"]

#: Largest n scored exhaustively with the Walsh–Hadamard transform (2^n scores).
WHT_MAX_BITS = 22


def agreement(ys: NDArray[np.uint8], candidate: int) -> float:
    """Fraction of samples with y·c = 0."""
    if ys.shape[0] == 0:
        return 1.0
    cbits = int_to_bits(candidate, ys.shape[1]).astype(np.int64)
    return float(np.mean((ys.astype(np.int64) @ cbits) % 2 == 0))


def _walsh_scores(ys: NDArray[np.uint8]) -> NDArray[np.float64]:
    n = ys.shape[1]
    values = ys.astype(np.int64) @ (1 << np.arange(n, dtype=np.int64))
    a = np.bincount(values, minlength=1 << n).astype(np.float64)
    for i in range(n):  # in-place fast Walsh–Hadamard transform
        v = a.reshape(-1, 2, 1 << i)
        x, y = v[:, 0].copy(), v[:, 1].copy()
        v[:, 0], v[:, 1] = x + y, x - y
    return a / ys.shape[0]


def rank_candidates(ys: NDArray[np.uint8], n: int, *, limit: int = 8, rng: np.random.Generator | None = None) -> list[tuple[int, float]]:
    """Up to ``limit`` non-zero candidates with positive score, best first, as (candidate, score)."""
    if ys.shape[0] == 0:
        return []
    if n <= WHT_MAX_BITS:
        scores = _walsh_scores(ys)
        scores[0] = -np.inf
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(int(c), float(scores[c])) for c in order if scores[c] > 0]
    gen = rng if rng is not None else np.random.default_rng(0)
    distinct, counts = np.unique(ys, axis=0, return_counts=True)
    by_freq = distinct[np.argsort(-counts, kind="stable")]
    found: dict[int, float] = {}
    for attempt in range(4 * limit):
        rows = by_freq if attempt == 0 else by_freq[gen.permutation(len(by_freq))]
        basis = EchelonBasis(n)
        for row in rows:
            trial = EchelonBasis(n)
            trial.add(np.vstack([basis.rows(), row[None, :]]))
            if trial.rank < n:
                basis = trial
            if basis.rank == n - 1:
                break
        est = basis.solve_secret()
        if est.candidate:
            found.setdefault(est.candidate, 1.0 - 2.0 * (1.0 - agreement(ys, est.candidate)))
        if len(found) >= limit:
            break
    ranked = sorted(found.items(), key=lambda kv: -kv[1])
    return [(c, s) for c, s in ranked if s > 0][:limit]
