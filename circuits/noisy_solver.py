"""Recovering Simon's secret from noisy samples: search, score, plan shots, confirm, or say ``unresolved``.

Noisy Simon samples are LPN samples: an ideal y lies in s^⊥ (y·s = 0), a corrupted one
breaks it, so y·s = 1 for a fraction η of the shots. For every candidate c ∉ {0, s} the
bit y·c is uniform whatever the noise (y is uniform on s^⊥ before the noise, which is
independent of it), so

    k_c = #{shots with y·c = 1}  ~  Binomial(N, 1/2) for c ≠ s,   Binomial(N, η) for c = s.

**Search.** For n ≤ :data:`WHT_MAX_BITS` every k_c comes at once from a fast
Walsh–Hadamard transform of the outcome histogram (exhaustive, exact). Beyond, candidates
come from *pooled Gaussian elimination*: random subsets of n − 1 samples of the pool are
eliminated together (vectorised over thousands of subsets, rows bit-packed in uint64
words), and every non-zero vector of each null space of dimension ≤ 3 is a candidate. A
subset free of corrupted samples yields s, which happens with probability ≈ (1 − η)^(n−1);
candidates are scored against *all* samples (packed AND + popcount parity).

**Evidence.** Each candidate's Bayes factor against "y·c uniform" integrates the unknown
corruption rate over a uniform prior on [0, 1/2]:

    BF(k; N) = 2^(N+1) · B(k+1, N−k+1) · I_{1/2}(k+1, N−k+1),

and with a uniform prior on the 2^n secrets (s = 0 has factor 1) the posterior of c is
BF(k_c)/Z. For n ≤ :data:`WHT_MAX_BITS`, Z is the exact sum over all candidates. Beyond,
candidates not listed by the search enter as the sum of 2^n Binomial(N, 1/2) counts
weighted by min(1, 2^n·P[K ≤ k]) (the counts a set of 2^n candidates typically holds: the
far tail, which no candidate reaches, is left out; its full expectation would be 2^n).

**Rounds.** A first round of shots is drawn; when the best candidate's posterior reaches
``check_threshold`` it is confirmed with the charged classical check f(0) = f(c). Otherwise
the corruption rate is estimated from the best candidate (posterior 75 % quantile of its
mismatch rate) and the next round draws the shots that model says reach posterior
``target_success`` (at least half the pool again, doubling when nothing credible was found),
up to ``shots_budget``. At the end, the remaining candidates with posterior ≥
``min_check_posterior`` are checked, at most ``max_candidates`` checks in all.

**Honest outcomes.** A run is ``solved`` only when a classical check proves it: f(0) = f(c)
for c ≠ 0 proves s = c (f is 2-to-1 with period s, or 1-to-1); s = 0 is proven only by
2^(n−1) + 1 distinct inputs without a collision (pigeonhole: a 2-to-1 f has only 2^(n−1)
values), run when that fits ``max_proof_queries`` (a collision found on the way gives s).
Everything else is ``unresolved``. The ``confidence`` is the probability, from the samples
alone, that the candidates checked contain s (the sum of their posteriors; 1 when the
proof ran): the predicted chance of ending ``solved``, checked empirically in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from qenergy.counts import expected_runs
from qenergy.errors import InputError
from qenergy.gf2 import rank as gf2_rank

__all__ = [
    "WHT_MAX_BITS",
    "NoisySolution",
    "clean_subset_probability",
    "NoisySolverConfig",
    "SamplePool",
    "default_first_round",
    "default_shots_budget",
    "Evidence",
    "log_likelihood_ratios",
    "log_unlisted_mass",
    "noise_multiplier",
    "pooled_gauss_candidates",
    "shots_for_target",
    "solve_noisy",
    "supported_corruption",
    "walsh_mismatches",
    "weigh_evidence",
]

#: Largest n scored exhaustively with the Walsh–Hadamard transform (2^n scores, exact posterior).
WHT_MAX_BITS = 20
#: Candidates kept between rounds by the large-n search (the lowest mismatch counts).
KEEP_CANDIDATES = 256
#: Work unit of the search: one word operation per column of one subset row (n·(n−1)·⌈n/64⌉ per subset);
#: ~2.5 ns each here (2 cores), so the default 4e9 is about 10 s of search.
DEFAULT_SEARCH_WORK = 4e9
_LN2 = math.log(2.0)


def default_shots_budget(n: int) -> int:
    """Default cap on quantum shots: 20·n + 100 (about 20 times the ideal E[R](n) ≈ n)."""
    return 20 * n + 100


def default_first_round(n: int) -> int:
    """Shots of the first round: n + 8 + ⌈n/4⌉, enough for posterior 0.99 on noiseless samples."""
    return n + 8 + -(-n // 4)


@dataclass(frozen=True)
class NoisySolverConfig:
    """Knobs of :func:`solve_noisy` (all validated; bad values raise :class:`InputError`).

    Attributes:
        shots_budget: cap on quantum shots (None: :func:`default_shots_budget`).
        first_round: shots of the first round (None: :func:`default_first_round`), at most the budget.
        target_success: posterior the shot planner aims at before a check.
        check_threshold: posterior from which the best candidate is checked classically.
        min_check_posterior: candidates below this posterior are never checked.
        max_candidates: classical candidate checks at most (the one query f(0) comes on top).
        max_proof_queries: the one-to-one proof (2^(n−1) + 1 queries in all) runs only within this many.
        search_work: cap on the large-n search (word operations, see :data:`DEFAULT_SEARCH_WORK`).
    """

    shots_budget: int | None = None
    first_round: int | None = None
    target_success: float = 0.99
    check_threshold: float = 0.5
    min_check_posterior: float = 0.01
    max_candidates: int = 8
    max_proof_queries: int = 1025
    search_work: float = DEFAULT_SEARCH_WORK

    def __post_init__(self) -> None:
        for name in ("shots_budget", "first_round"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise InputError(f"{name.replace('_', ' ')} {v!r} is not allowed; allowed: an integer >= 1")
        for name in ("target_success", "check_threshold"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0.0 < v < 1.0):
                raise InputError(f"{name.replace('_', ' ')} {v!r} is not allowed; allowed: 0 < value < 1")
        if not (isinstance(self.min_check_posterior, (int, float)) and 0.0 <= self.min_check_posterior < 1.0):
            raise InputError(f"min check posterior {self.min_check_posterior!r} is not allowed; allowed: 0 <= value < 1")
        for name in ("max_candidates", "max_proof_queries"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InputError(f"{name.replace('_', ' ')} {v!r} is not allowed; allowed: an integer >= 0")
        if not (isinstance(self.search_work, (int, float)) and self.search_work >= 0):
            raise InputError(f"search work {self.search_work!r} is not allowed; allowed: a number >= 0")


@dataclass(frozen=True)
class NoisySolution:
    """What :func:`solve_noisy` concluded.

    Attributes:
        status: ``solved`` (proven by a classical check) or ``unresolved``.
        found: the secret when solved (0: f proven one-to-one), else None.
        candidate: the best candidate from the samples (0 when there was none).
        confidence: probability, from the samples alone, that the checked candidates contain s
            (1 when the one-to-one proof ran); calibrated against how often runs end solved.
        posterior: the best candidate's posterior at the end.
        shots: quantum shots drawn (≤ the budget).
        rounds: sampling rounds (backend calls).
        candidates_tried: candidates checked classically.
        check_queries: classical queries (f(0), the candidate checks and any proof).
        corruption_rate: estimated fraction of corrupted shots (the found or best candidate's
            mismatch rate), None when no candidate was credible.
        rank: GF(2) rank of all samples.
        resolved_by: ``check`` (f(0) = f(c)), ``proof`` (no collision among 2^(n−1) + 1 inputs:
            one-to-one), ``collision`` (the proof's queries found s), or ``""``.
        search_subsets: subsets eliminated by the large-n search (0 for the exhaustive transform).
        budget: the shot budget that applied.
    """

    status: Literal["solved", "unresolved"]
    found: int | None
    candidate: int
    confidence: float
    posterior: float
    shots: int
    rounds: int
    candidates_tried: int
    check_queries: int
    corruption_rate: float | None
    rank: int
    resolved_by: str
    search_subsets: int
    budget: int


# --- packed samples ------------------------------------------------------------------------


def _pack(bits: NDArray[np.uint8], words: int) -> NDArray[np.uint64]:
    """(k, n) 0/1 rows as (k, words) little-endian uint64 words."""
    k, n = bits.shape
    padded = np.zeros((k, words * 64), dtype=np.uint8)
    padded[:, :n] = bits
    return np.packbits(padded, axis=1, bitorder="little").view("<u8").astype(np.uint64, copy=False).reshape(k, words)


def _to_int(words: NDArray[np.uint64]) -> int:
    return int.from_bytes(np.ascontiguousarray(words, dtype="<u8").tobytes(), "little")


def _from_int(value: int, words: int) -> NDArray[np.uint64]:
    return np.frombuffer(value.to_bytes(8 * words, "little"), dtype="<u8").astype(np.uint64)


class SamplePool:
    """All samples drawn so far, bit-packed: ``words`` is ``(N, ⌈n/64⌉)`` uint64."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.width = max(1, -(-n // 64))
        self.words = np.zeros((0, self.width), dtype=np.uint64)
        self.bits = np.zeros((0, n), dtype=np.uint8)

    @property
    def size(self) -> int:
        return int(self.words.shape[0])

    def add(self, ys: NDArray[np.uint8]) -> None:
        """Append a ``(k, n)`` 0/1 array of samples."""
        ys = np.asarray(ys, dtype=np.uint8).reshape(-1, self.n)
        self.bits = np.concatenate((self.bits, ys))
        self.words = np.concatenate((self.words, _pack(ys, self.width)))

    def mismatches(self, candidates: NDArray[np.uint64]) -> NDArray[np.int64]:
        """k_c = #{y : y·c = 1} for each packed candidate row, vectorised (AND, popcount, parity)."""
        c = np.asarray(candidates, dtype=np.uint64).reshape(-1, self.width)
        out = np.zeros(c.shape[0], dtype=np.int64)
        if self.size == 0 or c.shape[0] == 0:
            return out
        chunk = max(1, (1 << 22) // (self.size * self.width))
        for i in range(0, c.shape[0], chunk):
            block = self.words[None, :, :] & c[i:i + chunk, None, :]
            parity = np.bitwise_count(block).sum(axis=2, dtype=np.int64) & 1
            out[i:i + chunk] = parity.sum(axis=1)
        return out


def walsh_mismatches(bits: NDArray[np.uint8]) -> NDArray[np.int64]:
    """k_c for every c in 0…2^n − 1 (index c), from one Walsh–Hadamard transform of the histogram."""
    count, n = bits.shape
    values = bits.astype(np.int64) @ (1 << np.arange(n, dtype=np.int64))
    a = np.bincount(values, minlength=1 << n).astype(np.int64)
    for i in range(n):  # in-place fast Walsh–Hadamard transform
        v = a.reshape(-1, 2, 1 << i)
        x, y = v[:, 0].copy(), v[:, 1].copy()
        v[:, 0], v[:, 1] = x + y, x - y
    return (count - a) // 2  # a_c = N − 2·k_c


# --- evidence ------------------------------------------------------------------------------


#: Corruption rates the type-II maximum likelihood searches (finer near 0, where ideal-like samples sit).
ETA_GRID = np.concatenate((np.geomspace(1e-5, 0.01, 25, endpoint=False), np.linspace(0.01, 0.495, 195)))


def log_likelihood_ratios(shots: int, eta: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """ln L(k; N, η) = ln[2^N (1 − η)^(N−k) η^k] for k = 0…N (rows) and each η (columns when an array):
    the likelihood of the bits y·c under "s = c with corruption rate η" against "y·c uniform"."""
    N = int(shots)
    k = np.arange(N + 1, dtype=np.float64)[:, None]
    e = np.atleast_1d(np.asarray(eta, dtype=np.float64))[None, :]
    out = N * _LN2 + (N - k) * np.log1p(-e) + k * np.log(e)
    return out[:, 0] if np.ndim(eta) == 0 else out


def log_unlisted_mass(n: int, shots: int, eta: float | NDArray[np.float64]) -> NDArray[np.float64] | float:
    """ln of the summed likelihood ratios of 2^n candidates with Binomial(N, 1/2) counts at rate η, each
    count weighted by min(1, 2^n·P[K ≤ k]) (the far tail, which no candidate typically reaches, left
    out): 2^n · E_{K ~ Bin(N, η)}[min(1, 2^n·F_{1/2}(K))]."""
    N = int(shots)
    k = np.arange(N + 1)
    weight = np.minimum(0.0, n * _LN2 + stats.binom.logcdf(k, N, 0.5))[:, None]
    e = np.atleast_1d(np.asarray(eta, dtype=np.float64))[None, :]
    out = n * _LN2 + special.logsumexp(stats.binom.logpmf(k[:, None], N, e) + weight, axis=0)
    return float(out[0]) if np.ndim(eta) == 0 else out


@dataclass(frozen=True)
class Evidence:
    """Candidates ranked by the samples, with the corruption rate estimated from them.

    Attributes:
        candidates: candidate secrets, fewest mismatches first.
        mismatches: k_c of each on the pool.
        posterior: P(s = c | samples) at the estimated rate.
        corruption_rate: η̂, the type-II maximum-likelihood rate (the η maximising the summed
            likelihood of all hypotheses, s = 0 included).
        shots: pool size N.
    """

    candidates: list[int]
    mismatches: NDArray[np.int64]
    posterior: NDArray[np.float64]
    corruption_rate: float
    shots: int


def weigh_evidence(n: int, shots: int, candidates: list[int], mismatches: NDArray[np.int64], *,
                   histogram: NDArray[np.int64] | None = None) -> Evidence:
    """Posteriors of ``candidates`` (with counts ``mismatches``) at the type-II ML corruption rate.

    ``histogram`` (k → number of non-zero candidates with that count) makes the normaliser exact
    (the exhaustive transform); without it, candidates not listed enter through
    :func:`log_unlisted_mass`.
    """
    N = int(shots)
    logl = log_likelihood_ratios(N, ETA_GRID)  # (N+1, G)
    if histogram is not None:
        with np.errstate(divide="ignore"):
            logh = np.log(histogram.astype(np.float64))
        total = special.logsumexp(logl + logh[:, None], axis=0)
    else:
        parts = [log_unlisted_mass(n, N, ETA_GRID)[None, :]]
        if len(candidates):
            parts.append(logl[np.asarray(mismatches, dtype=np.int64)])
        total = special.logsumexp(np.concatenate(parts, axis=0), axis=0)
    log_t = np.logaddexp(0.0, total)  # s = 0 has ratio 1
    j = int(np.argmax(log_t))
    ks = np.asarray(mismatches, dtype=np.int64)
    post = np.exp(np.minimum(0.0, logl[ks, j] - log_t[j])) if len(candidates) else np.zeros(0)
    return Evidence(list(candidates), ks, post, float(ETA_GRID[j]), N)


def _certifies(n: int, shots: int, eta: float, odds: float) -> bool:
    k = int(round(eta * shots))
    return float(log_likelihood_ratios(shots, eta)[k]) - float(np.logaddexp(0.0, log_unlisted_mass(n, shots, eta))) >= odds


def shots_for_target(n: int, eta: float, target: float, *, start: int, limit: int) -> int:
    """Fewest shots N in [start, limit] at which a secret with corruption rate ``eta`` reaches posterior
    ``target`` against 2^n other candidates (:func:`log_unlisted_mass`); ``limit`` when none does."""
    odds = math.log(target / (1.0 - target))
    if start >= limit or _certifies(n, start, eta, odds):
        return min(start, limit)
    lo, hi = start, start
    while hi < limit:
        lo, hi = hi, min(limit, 2 * hi)
        if _certifies(n, hi, eta, odds):
            break
    else:
        return limit
    while hi - lo > max(1, lo // 50):
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if _certifies(n, mid, eta, odds) else (mid, hi)
    return hi


def supported_corruption(n: int, shots: int, target: float) -> float:
    """Largest corruption rate η at which N = ``shots`` samples give the secret posterior ``target``
    (the rate the current pool can certify; beyond it more shots are needed anyway)."""
    odds = math.log(target / (1.0 - target))
    logl = log_likelihood_ratios(shots, ETA_GRID)
    k = np.rint(ETA_GRID * shots).astype(np.int64)
    margin = logl[k, np.arange(ETA_GRID.size)] - np.logaddexp(0.0, log_unlisted_mass(n, shots, ETA_GRID))
    ok = np.flatnonzero(margin >= odds)
    return float(ETA_GRID[ok[-1]]) if ok.size else 0.0


# --- large-n search: pooled Gaussian elimination -----------------------------------------------


def _eliminate_batch(planes: list[NDArray[np.uint64]], n: int) -> tuple[list[NDArray[np.uint64]], NDArray[np.int64]]:
    """Reduced row echelon form of B systems at once; ``planes[w]`` is word w of every row, (B, m).

    Returns the reduced planes and ``pivrow`` (B, n): the row holding column c's pivot, −1 for a free column.
    """
    planes = [p.copy() for p in planes]
    B, m = planes[0].shape
    one, zero = np.uint64(1), np.uint64(0)
    free_rows = np.ones((B, m), dtype=np.uint64)
    pivrow = np.full((B, n), -1, dtype=np.int64)
    ar = np.arange(B)
    for c in range(n):
        w, b = divmod(c, 64)
        bits = (planes[w] >> np.uint64(b)) & one
        cand = bits & free_rows
        piv = cand.argmax(axis=1)
        has = cand[ar, piv]
        bits[ar, piv] = zero
        bits *= has[:, None]
        mask = zero - bits  # all ones on the rows to clear
        for p in planes:
            p ^= mask & p[ar, piv][:, None]
        free_rows[ar, piv] &= one - has
        pivrow[:, c] = np.where(has.astype(bool), piv, -1)
    return planes, pivrow


def _null_vectors(planes: list[NDArray[np.uint64]], pivrow: NDArray[np.int64], n: int, max_dim: int = 3) -> NDArray[np.uint64]:
    """Every non-zero vector of each null space of dimension 1…``max_dim``, packed, (K, W)."""
    B = pivrow.shape[0]
    W = len(planes)
    is_free = pivrow < 0
    dim = is_free.sum(axis=1)
    keep = (dim >= 1) & (dim <= max_dim)
    if not keep.any():
        return np.zeros((0, W), dtype=np.uint64)
    idx = np.flatnonzero(keep)
    pr = pivrow[idx]
    free_first = np.argsort(~is_free[idx], axis=1, kind="stable")[:, :max_dim]  # free columns first, in order
    basis = []
    for j in range(max_dim):
        f = free_first[:, j]
        valid = dim[idx] > j
        wj, bj = f // 64, (f % 64).astype(np.uint64)
        rows_words = np.stack([planes[w][idx] for w in range(W)], axis=2)  # (K, m, W)
        fbits = (rows_words[np.arange(idx.size), :, wj] >> bj[:, None]) & np.uint64(1)  # bit f of every row, (K, m)
        v = np.take_along_axis(fbits, np.maximum(pr, 0), axis=1).astype(np.uint8) * (pr >= 0)  # (K, n)
        v[np.arange(idx.size), f] = 1
        v[~valid] = 0
        basis.append(_pack(v, W))
    out = []
    for mask in range(1, 1 << max_dim):
        combo = np.zeros((idx.size, W), dtype=np.uint64)
        ok = np.ones(idx.size, dtype=bool)
        for j in range(max_dim):
            if mask >> j & 1:
                combo ^= basis[j]
                ok &= dim[idx] > j
        out.append(combo[ok])
    vecs = np.concatenate(out)
    return vecs[vecs.any(axis=1)]


def pooled_gauss_candidates(pool: SamplePool, subsets: int, rng: np.random.Generator, *, batch: int | None = None) -> NDArray[np.uint64]:
    """Unique packed candidates from ``subsets`` random (n − 1)-row subsets of the pool (see module doc)."""
    n, N, W = pool.n, pool.size, pool.width
    m = max(1, n - 1)
    if N < m or subsets <= 0:
        return np.zeros((0, W), dtype=np.uint64)
    B = batch if batch is not None else max(64, min(4096, (1 << 20) // (m * W)))
    found = []
    done = 0
    while done < subsets:
        b = min(B, subsets - done)
        perms = np.argsort(rng.random((-(-b * m // N) + 1, N)), axis=1).reshape(-1)[: b * m].reshape(b, m)
        planes = [pool.words[:, w][perms] for w in range(W)]
        reduced, pivrow = _eliminate_batch(planes, n)
        found.append(_null_vectors(reduced, pivrow, n))
        done += b
    vecs = np.concatenate(found) if found else np.zeros((0, W), dtype=np.uint64)
    return np.unique(vecs, axis=0) if vecs.shape[0] else vecs


def clean_subset_probability(n: int, shots: int, eta: float) -> float:
    """Probability that n − 1 distinct samples drawn from a pool of N with ⌊(1 − η)N⌋ clean ones are all clean."""
    m = max(1, n - 1)
    clean = math.floor((1.0 - eta) * shots + 1e-9)
    if clean < m:
        return 0.0
    return math.exp(math.lgamma(clean + 1) - math.lgamma(clean - m + 1) - math.lgamma(shots + 1) + math.lgamma(shots - m + 1))


def _subset_work(n: int) -> float:
    return float(n) * max(1, n - 1) * max(1, -(-n // 64))


# --- the solver ------------------------------------------------------------------------------


class _Ledger:
    """Candidates seen, their mismatch counts on the current pool and which were checked."""

    def __init__(self, pool: SamplePool) -> None:
        self.pool = pool
        self.values: list[int] = []
        self.k = np.zeros(0, dtype=np.int64)

    def merge(self, packed: NDArray[np.uint64]) -> None:
        new = [v for v in (_to_int(r) for r in packed) if v]
        known = set(self.values)
        new = [v for v in dict.fromkeys(new) if v not in known]
        if not new:
            return
        words = np.stack([_from_int(v, self.pool.width) for v in new])
        k_new = self.pool.mismatches(words)
        self.values += new
        self.k = np.concatenate((self.k, k_new))
        if len(self.values) > KEEP_CANDIDATES:
            order = np.argsort(self.k, kind="stable")[:KEEP_CANDIDATES]
            self.values = [self.values[i] for i in order]
            self.k = self.k[order]

    def rescore(self) -> None:
        if self.values:
            self.k = self.pool.mismatches(np.stack([_from_int(v, self.pool.width) for v in self.values]))


def _eta_quantile(k: int, N: int, q: float = 0.75) -> float:
    return float(stats.beta.ppf(q, k + 1, N - k + 1))


def solve_noisy(
    n: int,
    sample: Callable[[int], NDArray[np.uint8]],
    check: Callable[[Sequence[int]], list[int]],
    *,
    rng: np.random.Generator,
    config: NoisySolverConfig | None = None,
    check_many: Callable[[NDArray[np.uint64]], NDArray[np.uint64]] | None = None,
) -> NoisySolution:
    """Recover s from noisy Simon samples (see the module docstring for the method).

    Args:
        n: number of bits.
        sample: ``sample(k)`` draws and charges k shots, returning a ``(k, n)`` 0/1 array.
        check: ``check(xs)`` evaluates (and charges) f at Python-int inputs.
        rng: drives the search's random subsets.
        config: budget, targets and caps (:class:`NoisySolverConfig`).
        check_many: vectorised f on uint64 inputs (charged), used by the one-to-one proof (n ≤ 64).
    """
    cfg = config if config is not None else NoisySolverConfig()
    budget = cfg.shots_budget if cfg.shots_budget is not None else default_shots_budget(n)
    first = min(budget, cfg.first_round if cfg.first_round is not None else default_first_round(n))
    pool = SamplePool(n)
    pool.add(sample(first))
    rounds = 1
    exhaustive = n <= WHT_MAX_BITS
    listed = _Ledger(pool)
    work_cap = float(cfg.search_work)
    work_per_subset = _subset_work(n)
    subsets_done = 0
    f0: int | None = None
    checked: list[int] = []
    check_queries = 0
    solved: int | None = None
    resolved_by = ""

    def evidence() -> Evidence:
        """Candidates (best first) with their posteriors on the current pool."""
        N = pool.size
        if exhaustive:
            k_all = walsh_mismatches(pool.bits)
            hist = np.bincount(k_all[1:], minlength=N + 1)
            order = np.argsort(k_all[1:], kind="stable")[:KEEP_CANDIDATES] + 1
            return weigh_evidence(n, N, [int(c) for c in order], k_all[order], histogram=hist)
        order = np.argsort(listed.k, kind="stable")
        return weigh_evidence(n, N, [listed.values[i] for i in order], listed.k[order])

    def search(allotment: float) -> None:
        nonlocal subsets_done
        if exhaustive:
            return
        listed.rescore()
        spent = 0.0
        batch = max(64, min(4096, int((1 << 20) // (max(1, n - 1) * pool.width))))
        while spent < allotment and subsets_done * work_per_subset < work_cap:
            room = int(min(allotment - spent, work_cap - subsets_done * work_per_subset) // work_per_subset)
            b = max(1, min(batch, room))
            listed.merge(pooled_gauss_candidates(pool, b, rng, batch=batch))
            subsets_done += b
            spent += b * work_per_subset
            ev = evidence()
            if ev.candidates and ev.posterior[0] >= cfg.check_threshold:
                return

    queried: dict[int, int] = {}

    def do_check(c: int) -> bool:
        nonlocal f0, check_queries
        if f0 is None:
            (f0,) = check([0])
            queried[0] = int(f0)
            check_queries += 1
        (fc,) = check([c])
        queried[c] = int(fc)
        check_queries += 1
        checked.append(c)
        return fc == f0

    while True:
        if not exhaustive:
            # search as hard as the pool's evidence can use: enough subsets to find s (95 %) at the largest
            # corruption rate this many shots could certify; a higher rate needs more shots first
            remaining = max(0.0, work_cap - subsets_done * work_per_subset)
            q = clean_subset_probability(n, pool.size, supported_corruption(n, pool.size, cfg.target_success))
            wanted = (3.0 / q if q > 0 else math.inf) * work_per_subset
            search(max(work_per_subset * 64, min(wanted, remaining if pool.size >= budget else remaining / 2)))
        ev = evidence()
        cands, ks, post = ev.candidates, ev.mismatches, ev.posterior
        todo = [i for i, c in enumerate(cands) if c not in checked]
        if todo and post[todo[0]] >= cfg.check_threshold and len(checked) < cfg.max_candidates:
            c = cands[todo[0]]
            if do_check(c):
                solved, resolved_by = c, "check"
                break
            continue  # refuted: the next candidate, or more shots
        search_left = exhaustive or subsets_done * work_per_subset < work_cap
        if pool.size >= budget or not search_left or len(checked) >= cfg.max_candidates:
            break
        N = pool.size
        best = todo[0] if todo else None
        if best is not None and post[best] >= 1e-3:
            eta = min(0.49, max(ev.corruption_rate, _eta_quantile(int(ks[best]), N)))
            want = shots_for_target(n, eta, cfg.target_success, start=N, limit=budget)
            more = max(want - N, -(-N // 2))
        else:
            more = N  # nothing credible yet: double the pool (evidence and the search both grow with it)
        more = min(more, budget - N)
        pool.add(sample(more))
        rounds += 1

    ev = evidence()
    cands, ks, post = ev.candidates, ev.mismatches, ev.posterior
    if solved is None:
        for i, c in enumerate(cands):
            if len(checked) >= cfg.max_candidates or post[i] < cfg.min_check_posterior:
                break
            if c in checked:
                continue
            if do_check(c):
                solved, resolved_by = c, "check"
                break
    by_value = {c: float(p) for c, p in zip(cands, post)}
    confidence = min(1.0, sum(by_value.get(c, 0.0) for c in checked))
    if solved is None:
        proof_total = (1 << (n - 1)) + 1 if n <= 62 else None
        if proof_total is not None and proof_total <= cfg.max_proof_queries and check_many is not None:
            result = _one_to_one_proof(proof_total, queried, check_many)
            check_queries += result[1]
            solved, resolved_by = result[0], ("proof" if result[0] == 0 else "collision")
            confidence = 1.0
    best_c = cands[0] if cands else 0
    best_k = int(ks[0]) if cands else None
    if solved:
        i = cands.index(solved) if solved in cands else None
        k_found = int(ks[i]) if i is not None else int(pool.mismatches(_from_int(solved, pool.width)[None, :])[0])
        eta_hat: float | None = k_found / pool.size if resolved_by == "check" else None
    else:
        eta_hat = ev.corruption_rate if best_k is not None and post[0] >= 0.5 else None
    return NoisySolution(
        status="solved" if solved is not None else "unresolved",
        found=solved,
        candidate=best_c,
        confidence=float(confidence),
        posterior=float(post[0]) if cands else 0.0,
        shots=pool.size,
        rounds=rounds,
        candidates_tried=len(checked),
        check_queries=check_queries,
        corruption_rate=eta_hat,
        rank=gf2_rank(pool.bits, n) if pool.size else 0,
        resolved_by=resolved_by,
        search_subsets=subsets_done,
        budget=budget,
    )


def _one_to_one_proof(total: int, known: dict[int, int], check_many: Callable[[NDArray[np.uint64]], NDArray[np.uint64]]) -> tuple[int, int]:
    """Query fresh inputs until ``total`` = 2^(n−1) + 1 distinct inputs are known (``known``: inputs already
    queried and their values); returns (s, new queries): s = a ⊕ b for a collision f(a) = f(b), else 0."""
    fresh = []
    x = 0
    while len(known) + len(fresh) < total:
        if x not in known:
            fresh.append(x)
        x += 1
    new = np.asarray(fresh, dtype=np.uint64)
    values = np.asarray(check_many(new), dtype=np.uint64) if new.size else np.zeros(0, dtype=np.uint64)
    inputs = np.concatenate((new, np.asarray(list(known), dtype=np.uint64)))
    outputs = np.concatenate((values, np.asarray(list(known.values()), dtype=np.uint64)))
    order = np.argsort(outputs, kind="stable")
    same = np.flatnonzero(outputs[order][1:] == outputs[order][:-1])
    if same.size:
        a, b = int(inputs[order][same[0]]), int(inputs[order][same[0] + 1])
        return a ^ b, int(new.size)
    return 0, int(new.size)


def noise_multiplier(shots: int, n: int) -> float:
    """Shots used ÷ the ideal expected shots E[R](n) (at least 1, so n = 1 stays finite)."""
    return shots / max(1.0, expected_runs(n))
