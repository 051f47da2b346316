"""Recovering Simon's secret from noisy samples: search, score, plan shots, confirm, or say ``unresolved``.

Noisy Simon samples are LPN samples: an ideal y lies in s^⊥ (y·s = 0), a corrupted one
breaks it, so y·s = 1 for a fraction η of the shots. For every candidate c ∉ {0, s} the
bit y·c is uniform whatever the noise (y is uniform on s^⊥ before the noise, which is
independent of it), so

    k_c = #{shots with y·c = 1}  ~  Binomial(N, 1/2) for c ≠ s,   Binomial(N, η) for c = s.

**Search.** For n ≤ `WHT_MAX_BITS` every k_c comes at once from a fast
Walsh–Hadamard transform of the outcome histogram (exhaustive, exact). Beyond, candidates
come from *pooled Gaussian elimination*: random subsets of n − 1 samples of the pool are
eliminated together (vectorised over thousands of subsets, rows bit-packed in uint64
words, with their transformation). Every non-zero vector of each null space of dimension
≤ 3 is a candidate (right when the subset is clean), and so is every solution violating
exactly one row (Lee–Brickell with p = 1: right when exactly one row is corrupted), so a
subset yields s with probability ≈ (1 − η)^(n−1)·(1 + 0.58·(n − 1)·η/(1 − η))
(`clean_subset_probability`). Candidates are pre-scored on 64 bit-sliced test samples
outside their subset, then scored against *all* samples (packed AND + popcount parity).
Each round searches as many subsets as would find s (95 %) at the largest corruption rate
the pool's size could certify, within a work cap (`DEFAULT_SEARCH_WORK`).

**Evidence.** Assumptions: the corruption is a bit-flip vector e added to the ideal y,
independent of it (true of Pauli noise on a Clifford circuit and of readout errors: a Pauli
error anywhere propagates to a fixed Pauli at the end), so a sample is 2^(1−n)(1 − η) likely
when y·s = 0 and 2^(1−n)η when y·s = 1, with η = P(e·s = 1) < 1/2; shots are independent;
the prior on s is uniform on the 2^n secrets (``log2_hypotheses`` = n). Then the likelihood
ratio of "s = c" against "y uniform" (which is what s = 0 gives) is exactly
L(k; N, η) = 2^N (1 − η)^(N−k) η^k. η is not known, and plugging in an estimate (the η that
maximises the evidence, as an earlier version did) favours whichever candidate happens to
have few mismatches: at heavy noise that overstated the best candidate's posterior (mean
confidence 0.27 against 0.06 solved at n = 16, depolarize 0.08). So η is integrated out:
M(k) = E_η[L(k; N, η)] under a prior on the bias b = 1 − 2η that is log-uniform on
[`MIN_BIAS`, 1] (bit flips of rate p on the w bits where s is 1 give b = (1 − 2p)^w, so
ln b falls linearly with the secret's weight and the noise; the floor 0.05, η ≤ 0.475, is a
choice checked against seeded runs, not derived: a lower floor lowers every posterior at
heavy noise, a higher one raises them), and P(s = c | samples) = M(k_c)/T, T = 1 + Σ M(k)
over every non-zero hypothesis (`weigh_evidence`). A candidate refuted by a classical
check is known not to be s: it leaves the candidates and T, which renormalises the rest.
For n ≤ `WHT_MAX_BITS`, T is exact; beyond, candidates not found by the search enter
as 2^n Binomial(N, 1/2) counts weighted by min(1, 2^n·P[K ≤ k]) (the counts a set of 2^n
candidates typically holds: the far tail, which no candidate reaches, left out; its full
expectation would be 2^n), `log_unlisted_marginal`. The corruption rate reported is
E[η | samples, s = the candidate] (`eta_posterior_mean`; k/N once a check proved s).

**Rounds.** A first round of shots is drawn; when the best candidate's posterior reaches
``check_threshold`` it is confirmed with the charged classical check f(0) = f(c). Otherwise
the corruption rate is estimated (the larger of E[η | s = best candidate] and the best
candidate's 75 % posterior quantile) and the next round draws the shots that reach posterior
``target_success`` at that rate (at least half the pool again; doubling when nothing credible
was found), up to ``shots_budget``. At the end, the remaining candidates with posterior ≥
``min_check_posterior`` are checked, best first (each refutation renormalises the rest), at
most ``max_candidates`` checks in all.

**Honest outcomes.** A run is ``solved`` only when a classical check proves it: f(0) = f(c)
for c ≠ 0 proves s = c (f is 2-to-1 with period s, or 1-to-1); s = 0 is proven only by
2^(n−1) + 1 distinct inputs without a collision (pigeonhole: a 2-to-1 f has only 2^(n−1)
values), run when that fits ``max_proof_queries`` (a collision found on the way gives s).
Everything else is ``unresolved``.

**Confidence and forecast.** ``confidence`` is the probability, given the samples *and*
every check's outcome, that the run's answer is s: 1 for a solved run (proven), and for an
unresolved run the posterior of the best candidate still standing (``candidate``; refuted
ones conditioned out), the chance one more check of it would have solved the run: below
``min_check_posterior`` when checks were left (a candidate above it gets checked), so above
1/2 only if all ``max_candidates`` checks were refuted and the next candidate still holds
more than half the posterior (not seen in the seeded runs of the tests and benchmark).
``forecast`` is the probability, made *before* their outcomes, that the checks on the final
pool contain s (their posteriors given the samples and the refutations made on earlier
pools, plus those the final checks would have taken next had the successful one failed):
the predicted chance of ending ``solved`` (1 when the one-to-one proof is within
``max_proof_queries``: the run then always resolves). A forecast cannot also keep unresolved
runs low: a run forecast at 0.9 ends unresolved one time in ten. Both are checked against seeded runs
(tests/test_noisy_solver.py, benchmarks/bench_calibration.py). The forecast leaves out the
shots later rounds would add, so it errs low when a check succeeds mid-run; it also errs low
with few shots at moderate noise (notebook 6: n = 10, 30–90 shots, 0.34 against 0.53 solved)
and high where s is hopeless (n = 16, η ≈ 0.48: up to 0.13 above): the prior's weight on
rates near 1/2 is the compromise between the two.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from qenergy.energy.counts import expected_runs
from qenergy.errors import InputError
from qenergy.problem.gf2 import rank as gf2_rank
from qenergy.weight import WeightCandidates, cover_inputs, cover_size, log2_weight_space

__all__ = [
    "MIN_BIAS",
    "WHT_MAX_BITS",
    "NoisySolution",
    "clean_subset_probability",
    "NoisySolverConfig",
    "SamplePool",
    "default_first_round",
    "default_shots_budget",
    "eta_posterior_mean",
    "Evidence",
    "log_likelihood_ratios",
    "log_marginal_ratios",
    "log_unlisted_marginal",
    "log_unlisted_mass",
    "noise_multiplier",
    "pooled_gauss_candidates",
    "shots_for_target",
    "solve_noisy",
    "supported_corruption",
    "walsh_mismatches",
    "weigh_evidence",
    "WeightPrior",
]

#: Largest n scored exhaustively with the Walsh–Hadamard transform (2^n scores, exact posterior).
WHT_MAX_BITS = 20
#: Candidates kept between rounds by the large-n search (the lowest mismatch counts).
KEEP_CANDIDATES = 256
#: Work unit of the search: one word operation per pivot step on one subset row, rows of ⌈n/64⌉ words
#: plus ⌈(n−1)/64⌉ words of transformation (see [`_subset_work`][_subset_work]); ~3–4 ns each measured here
#: (2 cores, numpy), so the default is about 10 s of search.
DEFAULT_SEARCH_WORK = 2.5e9
_LN2 = math.log(2.0)


def default_shots_budget(n: int) -> int:
    """Default cap on quantum shots: 20·n + 100 (about 20 times the ideal E[R](n) ≈ n)."""
    return 20 * n + 100


def default_first_round(n: int) -> int:
    """Shots of the first round: n + 8 + ⌈n/4⌉, enough for posterior 0.99 on noiseless samples."""
    return n + 8 + -(-n // 4)


@dataclass(frozen=True)
class NoisySolverConfig:
    """Knobs of [`solve_noisy`][solve_noisy] (all validated; bad values raise [`InputError`][InputError]).

    Attributes:
        shots_budget: cap on quantum shots (None: [`default_shots_budget`][default_shots_budget]).
        first_round: shots of the first round (None: `default_first_round`), at most the budget.
        target_success: posterior the shot planner aims at before a check.
        check_threshold: posterior from which the best candidate is checked classically.
        min_check_posterior: candidates below this posterior are never checked.
        max_candidates: classical candidate checks at most (the one query f(0) comes on top).
        max_proof_queries: the one-to-one proof (2^(n−1) + 1 queries in all) runs only within this many.
        search_work: cap on the large-n search (word operations, see `DEFAULT_SEARCH_WORK`).
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
    """What [`solve_noisy`][solve_noisy] concluded.

    Attributes:
        status: ``solved`` (proven by a classical check) or ``unresolved``.
        found: the secret when solved (0: f proven one-to-one), else None.
        candidate: the best candidate from the samples that no check refuted (0 when there was none).
        confidence: probability, given the samples and every check's outcome, that the answer is s:
            1 when solved; unresolved, the posterior of ``candidate`` (refuted candidates conditioned out).
        posterior: the best unrefuted candidate's posterior at the end.
        shots: quantum shots drawn (≤ the budget).
        rounds: sampling rounds (backend calls).
        candidates_tried: candidates checked classically.
        check_queries: classical queries (f(0), the candidate checks and any proof).
        corruption_rate: estimated fraction of corrupted shots (the found candidate's mismatch rate, or
            E[η | s = the best candidate] when its posterior is ≥ 0.5), None otherwise.
        rank: GF(2) rank of all samples.
        resolved_by: ``check`` (f(0) = f(c)), ``proof`` (no collision among 2^(n−1) + 1 inputs:
            one-to-one), ``collision`` (the proof's queries found s), or ``""``.
        search_subsets: subsets eliminated by the large-n search (0 for the exhaustive transform).
        budget: the shot budget that applied.
        forecast: probability, made before their outcomes, that the checks on the final pool contain s
            (from the samples and earlier refutations; 1 when the one-to-one proof was within reach): the
            predicted chance of ending solved.
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
    forecast: float


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


#: Corruption rates the shot planner scans ([`supported_corruption`][supported_corruption]; finer near 0, where ideal-like samples sit).
ETA_GRID = np.concatenate((np.geomspace(1e-5, 0.01, 25, endpoint=False), np.linspace(0.01, 0.495, 195)))


def log_likelihood_ratios(shots: int, eta: float | NDArray[np.float64]) -> NDArray[np.float64]:
    """ln L(k; N, η) = ln[2^N (1 − η)^(N−k) η^k] for k = 0…N (rows) and each η (columns when an array):
    the likelihood of the bits y·c under "s = c with corruption rate η" against "y·c uniform"."""
    N = int(shots)
    k = np.arange(N + 1, dtype=np.float64)[:, None]
    e = np.atleast_1d(np.asarray(eta, dtype=np.float64))[None, :]
    out = N * _LN2 + (N - k) * np.log1p(-e) + k * np.log(e)
    return out[:, 0] if np.ndim(eta) == 0 else out


def log_unlisted_mass(n: int, shots: int, eta: NDArray[np.float64]) -> NDArray[np.float64]:
    """ln of the summed likelihood ratios of 2^n candidates with Binomial(N, 1/2) counts at each rate η
    of ``eta``, each count weighted by min(1, 2^n·P[K ≤ k]) (the far tail, which no candidate typically
    reaches, left out): 2^n · E_{K ~ Bin(N, η)}[min(1, 2^n·F_{1/2}(K))]."""
    N = int(shots)
    k = np.arange(N + 1)
    weight = np.minimum(0.0, n * _LN2 + stats.binom.logcdf(k, N, 0.5))[:, None]
    e = np.atleast_1d(np.asarray(eta, dtype=np.float64))[None, :]
    out: NDArray[np.float64] = n * _LN2 + special.logsumexp(stats.binom.logpmf(k[:, None], N, e) + weight, axis=0)
    return out


#: Smallest bias b = 1 − 2η the corruption-rate prior allows (η ≤ 0.4995); see [`log_marginal_ratios`][log_marginal_ratios].
MIN_BIAS = 0.05
#: Quadrature nodes u = ln b of the prior, from ln `MIN_BIAS` to 0 (fine near 0, where η ≈ −u/2 is tiny).
_U_NODES = np.unique(np.concatenate((np.linspace(math.log(MIN_BIAS), -0.02, 300), -np.geomspace(1e-9, 0.02, 160))))
_U_WEIGHTS = np.diff(_U_NODES, prepend=_U_NODES[0], append=0.0)  # trapezoid weights (the last interval reaches u = 0)
_U_WEIGHTS = (_U_WEIGHTS[:-1] + _U_WEIGHTS[1:]) / 2.0 / -math.log(MIN_BIAS)
_ETA_NODES = -np.expm1(_U_NODES) / 2.0


def _log_l_on_nodes(shots: int, k: NDArray[np.int64]) -> NDArray[np.float64]:
    """ln L(k; N, η) + ln(prior weight) on the quadrature nodes, one row per count in ``k``."""
    N = int(shots)
    kk = np.asarray(k, dtype=np.float64)[:, None]
    out: NDArray[np.float64] = N * _LN2 + (N - kk) * np.log1p(-_ETA_NODES)[None, :] + kk * np.log(_ETA_NODES)[None, :] + np.log(_U_WEIGHTS)[None, :]
    return out


@functools.lru_cache(maxsize=32)
def _log_marginal_cached(shots: int) -> NDArray[np.float64]:
    N = int(shots)
    k = np.arange(N + 1, dtype=np.int64)
    out = np.concatenate([special.logsumexp(_log_l_on_nodes(N, k[i:i + 1024]), axis=1) for i in range(0, N + 1, 1024)])
    out.setflags(write=False)
    return out


def log_marginal_ratios(shots: int) -> NDArray[np.float64]:
    """ln M(k) for k = 0…N: the likelihood ratio of "s = c" against "y·c uniform" with the corruption
    rate integrated out, M(k) = E_η[L(k; N, η)] = E_η[2^N (1 − η)^(N−k) η^k].

    The prior: the bias b = 1 − 2η is log-uniform on [`MIN_BIAS`, 1] (bit flips of rate p on the
    w bits where s is 1 give b = (1 − 2p)^w, so ln b falls linearly with the secret's weight and the
    noise; the prior is flat in it). Integrated by the trapezoid rule on fixed nodes in ln b (cached per N).
    """
    return np.array(_log_marginal_cached(int(shots)))


def log_unlisted_marginal(shots: int, log2_hypotheses: float) -> float:
    """ln of the summed marginal ratios M(k) ([`log_marginal_ratios`][log_marginal_ratios]) of 2^``log2_hypotheses``
    candidates with Binomial(N, ½) counts, each count weighted by min(1, H·P[K ≤ k]) (H the number of
    candidates; the far tail, which no candidate typically reaches, left out): H·Σ_k P[Bin(N, ½) = k]·M(k)·w(k)."""
    N = int(shots)
    k = np.arange(N + 1)
    log_h = log2_hypotheses * _LN2
    log_w = np.minimum(0.0, log_h + stats.binom.logcdf(k, N, 0.5))
    return float(log_h + special.logsumexp(stats.binom.logpmf(k, N, 0.5) + _log_marginal_cached(N) + log_w))


def eta_posterior_mean(k: int, shots: int) -> float:
    """E[η | k of N shots break y·c = 0, s = c]: the corruption rate's posterior mean under the prior of
    [`log_marginal_ratios`][log_marginal_ratios]."""
    logl = _log_l_on_nodes(int(shots), np.array([int(k)], dtype=np.int64))[0]
    w = np.exp(logl - logl.max())
    return float(np.dot(w, _ETA_NODES) / w.sum())


@dataclass(frozen=True)
class Evidence:
    """Candidates ranked by the samples, with their posteriors and the corruption rate they imply.

    Attributes:
        candidates: candidate secrets, fewest mismatches first (refuted candidates left out).
        mismatches: k_c of each on the pool.
        posterior: P(s = c | samples, s is none of the refuted candidates), η integrated out.
        corruption_rate: E[η | samples, s = the best candidate] (`eta_posterior_mean`);
            0.5 when there is no candidate.
        shots: pool size N.
    """

    candidates: list[int]
    mismatches: NDArray[np.int64]
    posterior: NDArray[np.float64]
    corruption_rate: float
    shots: int


def weigh_evidence(n: int, shots: int, candidates: list[int], mismatches: NDArray[np.int64], *,
                   histogram: NDArray[np.int64] | None = None, log2_hypotheses: float | None = None) -> Evidence:
    """Posteriors of ``candidates`` (with counts ``mismatches``), the corruption rate integrated out.

    P(s = c | samples) = M(k_c)/T, T = 1 + Σ M(k) over every non-zero hypothesis (s = 0 has ratio 1).
    ``histogram`` (k → number of non-zero hypotheses with that count) makes T exact (the exhaustive
    transform); without it, hypotheses not listed enter through `log_unlisted_marginal` over
    2^``log2_hypotheses`` candidates (default n: the uniform prior on all 2^n secrets). Refuted
    candidates are conditioned out by leaving them out of both ``candidates`` and ``histogram``.
    """
    N = int(shots)
    log_m = log_marginal_ratios(N)
    ks = np.asarray(mismatches, dtype=np.int64)
    if histogram is not None:
        with np.errstate(divide="ignore"):
            logh = np.log(np.asarray(histogram, dtype=np.float64))
        total = float(special.logsumexp(log_m + logh))
    else:
        log2_h = float(n) if log2_hypotheses is None else float(log2_hypotheses)
        total = float(np.logaddexp(log_unlisted_marginal(N, log2_h), special.logsumexp(log_m[ks]) if ks.size else -np.inf))
    log_t = float(np.logaddexp(0.0, total))  # s = 0 has ratio 1
    post = np.exp(np.minimum(0.0, log_m[ks] - log_t)) if ks.size else np.zeros(0)
    eta = eta_posterior_mean(int(ks[0]), N) if ks.size else 0.5
    return Evidence(list(candidates), ks, post, eta, N)


def _certifies(n: int, shots: int, eta: float, odds: float) -> bool:
    k = int(round(eta * shots))
    return float(log_likelihood_ratios(shots, eta)[k]) - float(np.logaddexp(0.0, log_unlisted_mass(n, shots, np.array([eta]))[0])) >= odds


def shots_for_target(n: int, eta: float, target: float, *, start: int, limit: int) -> int:
    """Fewest shots N in [start, limit] at which a secret with corruption rate ``eta`` reaches posterior
    ``target`` against 2^n other candidates ([`log_unlisted_mass`][log_unlisted_mass]); ``limit`` when none does."""
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

    Pivots are sought in the first n bit columns (the planes beyond carry the transformation).
    Returns the reduced planes and ``pivrow`` (B, n): the row holding column c's pivot, −1 for a free
    column. Rows are never swapped, so row r of the result is row r's combination.
    """
    planes = [p.copy() for p in planes]
    B, m = planes[0].shape
    free = np.ones((B, m), dtype=bool)
    pivrow = np.full((B, n), -1, dtype=np.int64)
    ar = np.arange(B)
    bits = np.empty((B, m), dtype=bool)
    cand = np.empty((B, m), dtype=bool)
    tmp = np.empty((B, m), dtype=np.uint64)
    zero = np.uint64(0)
    for c in range(n):
        w, b = divmod(c, 64)
        np.bitwise_and(planes[w], np.uint64(1 << b), out=tmp)
        np.not_equal(tmp, zero, out=bits)
        np.logical_and(bits, free, out=cand)
        piv = cand.argmax(axis=1)
        has = cand[ar, piv]
        bits[ar, piv] = False
        bits &= has[:, None]  # rows to clear
        for p in planes:
            np.multiply(bits, p[ar, piv][:, None], out=tmp)
            p ^= tmp
        free[ar[has], piv[has]] = False
        pivrow[:, c] = np.where(has, piv, -1)
    return planes, pivrow


def _null_vectors(planes: list[NDArray[np.uint64]], pivrow: NDArray[np.int64], n: int, max_dim: int = 3) -> tuple[NDArray[np.uint64], NDArray[np.int64]]:
    """Every non-zero vector of each null space of dimension 1…``max_dim``, packed (K, W), and the system it came from."""
    W = len(planes)
    is_free = pivrow < 0
    dim = is_free.sum(axis=1)
    keep = (dim >= 1) & (dim <= max_dim)
    if not keep.any():
        return np.zeros((0, W), dtype=np.uint64), np.zeros(0, dtype=np.int64)
    idx = np.flatnonzero(keep)
    pr = pivrow[idx]
    free_first = np.argsort(~is_free[idx], axis=1, kind="stable")[:, :max_dim]  # free columns first, in order
    rows_words = np.stack([planes[w][idx] for w in range(W)], axis=2)  # (K, m, W)
    basis = []
    for j in range(max_dim):
        f = free_first[:, j]
        valid = dim[idx] > j
        wj, bj = f // 64, (f % 64).astype(np.uint64)
        fbits = (rows_words[np.arange(idx.size), :, wj] >> bj[:, None]) & np.uint64(1)  # bit f of every row, (K, m)
        v = np.take_along_axis(fbits, np.maximum(pr, 0), axis=1).astype(np.uint8) * (pr >= 0)  # (K, n)
        v[np.arange(idx.size), f] = 1
        v[~valid] = 0
        basis.append(_pack(v, W))
    out, owner = [], []
    for mask in range(1, 1 << max_dim):
        combo = np.zeros((idx.size, W), dtype=np.uint64)
        ok = np.ones(idx.size, dtype=bool)
        for j in range(max_dim):
            if mask >> j & 1:
                combo ^= basis[j]
                ok &= dim[idx] > j
        out.append(combo[ok])
        owner.append(idx[ok])
    return np.concatenate(out), np.concatenate(owner)


def _bit_matrix(planes: list[NDArray[np.uint64]], bits: int) -> NDArray[np.bool_]:
    """The low ``bits`` bits of rows stored as word planes (B, m) each, as a (B, m, bits) bool array."""
    words = np.stack(planes, axis=2)  # (B, m, W)
    raw = np.unpackbits(np.ascontiguousarray(words.astype("<u8")).view(np.uint8), axis=2, bitorder="little")
    return raw[:, :, :bits].astype(bool)


def _test_words(bits: NDArray[np.uint8]) -> NDArray[np.uint64]:
    """Bit-sliced test samples: word i has bit τ = bit i of test sample τ (at most 64 samples)."""
    t, n = bits.shape
    padded = np.zeros((64, n), dtype=np.uint8)
    padded[:t] = bits
    return np.ascontiguousarray(np.packbits(padded, axis=0, bitorder="little").T).view("<u8").astype(np.uint64).reshape(n)


def _parity_words(cands: NDArray[np.uint64], z: NDArray[np.uint64], n: int) -> NDArray[np.uint64]:
    """For packed candidates c: the word whose bit τ is (test sample τ)·c."""
    bits = np.unpackbits(np.ascontiguousarray(cands.astype("<u8")).view(np.uint8), axis=1, bitorder="little")[:, :n].astype(bool)
    return np.bitwise_xor.reduce(np.where(bits, z[None, :], np.uint64(0)), axis=1)


def _filter_thresholds(eta: float) -> NDArray[np.int64]:
    """Most test mismatches (out of t' = 0…64 usable test samples) a candidate may have to be scored in
    full: the 99th percentile at corruption rate ``eta``, below half of t' (random candidates sit at t'/2)."""
    t = np.arange(65)
    thr = stats.binom.ppf(0.99, t, eta)
    thr = np.minimum(thr, np.floor(t / 2) - 1)
    return np.where(t < 16, t, thr).astype(np.int64)


def pooled_gauss_candidates(pool: SamplePool, subsets: int, rng: np.random.Generator, *, batch: int | None = None,
                            filter_eta: float = 0.2) -> NDArray[np.uint64]:
    """Unique packed candidates from ``subsets`` random (n − 1)-row subsets of the pool.

    Each subset is eliminated with its transformation (Lee–Brickell, p = 1): besides the null
    vectors of null spaces of dimension ≤ 3 (right when the subset is clean), every solution that
    violates exactly one row (right when exactly one row is corrupted) is a candidate. Candidates are
    pre-scored on up to 64 test samples not in their subset (bit-sliced, linear in the candidate)
    and kept when they pass [`_filter_thresholds`][_filter_thresholds] at ``filter_eta``.
    """
    n, N, W = pool.n, pool.size, pool.width
    m = max(1, n - 1)
    if m > N or subsets <= 0 or n < 2:
        return np.zeros((0, W), dtype=np.uint64)
    B = batch if batch is not None else _batch_size(n)
    wt = -(-m // 64)
    thresholds = _filter_thresholds(filter_eta)
    t_row = np.arange(m)
    tplanes0 = [np.where(t_row // 64 == p, np.left_shift(np.uint64(1), (t_row % 64).astype(np.uint64)), np.uint64(0)) for p in range(wt)]
    found = []
    done = 0
    while done < subsets:
        b = min(B, subsets - done)
        done += b
        perms = np.argsort(rng.random((-(-b * m // N) + 1, N)), axis=1).reshape(-1)[: b * m].reshape(b, m)
        t = min(64, N)
        test_idx = rng.choice(N, size=t, replace=False)
        z = _test_words(pool.bits[test_idx])
        member = np.zeros((b, N), dtype=bool)
        member[np.arange(b)[:, None], perms] = True
        in_subset = np.zeros((b, 64), dtype=np.uint8)
        in_subset[:, :t] = member[:, test_idx]
        mask = np.packbits(in_subset, axis=1, bitorder="little").view("<u8").astype(np.uint64).reshape(b)
        usable = t - np.bitwise_count(mask).astype(np.int64)
        limit = thresholds[usable]
        planes = [pool.words[:, w][perms] for w in range(W)] + [np.broadcast_to(p, (b, m)).copy() for p in tplanes0]
        reduced, pivrow = _eliminate_batch(planes, n)
        a_planes = reduced[:W]
        # clean subsets: the null vectors
        vecs, owner = _null_vectors(a_planes, pivrow, n)
        if vecs.shape[0]:
            counts = np.bitwise_count(_parity_words(vecs, z, n) & ~mask[owner]).astype(np.int64)
            found.append(vecs[counts <= limit[owner]])
        # one corrupted row: the solutions violating exactly row j, for systems of rank n − 1
        one = np.flatnonzero((pivrow < 0).sum(axis=1) == 1)
        if one.size:
            found.append(_lee_brickell(a_planes, reduced[W:], pivrow, one, z, mask, limit, n, m))
    vecs = np.concatenate(found) if found else np.zeros((0, W), dtype=np.uint64)
    vecs = vecs[vecs.any(axis=1)]
    return np.unique(vecs, axis=0) if vecs.shape[0] else vecs


def _lee_brickell(a_planes: list[NDArray[np.uint64]], t_planes: list[NDArray[np.uint64]], pivrow: NDArray[np.int64], sel: NDArray[np.int64],
                  z: NDArray[np.uint64], mask: NDArray[np.uint64], limit: NDArray[np.int64], n: int, m: int) -> NDArray[np.uint64]:
    """Candidates u_j and u_j ⊕ v (A u_j = e_j; v the null vector) of the rank-(n − 1) systems ``sel`` that pass the test filter."""
    W = len(a_planes)
    K = sel.size
    pr = pivrow[sel]
    free = np.argmax(pr < 0, axis=1)
    ii, cc = np.nonzero(pr >= 0)
    pc_of_row = np.zeros((K, m), dtype=np.int64)
    pc_of_row[ii, pr[ii, cc]] = cc  # every row holds one pivot at rank m = n − 1
    g = z[pc_of_row]  # (K, m): test-parity word of basis vector e_{pc(r)}
    tbits = _bit_matrix([p[sel] for p in t_planes], m)  # (K, m rows, m columns j)
    pu = _gf2_combine(tbits, g)
    abits = _bit_matrix([p[sel] for p in a_planes], n)  # (K, m, n)
    vrow = abits[np.arange(K), :, free]  # bit f of every row: v at the row's pivot column
    pv = z[free] ^ np.bitwise_xor.reduce(np.where(vrow, g, np.uint64(0)), axis=1)
    unmasked = ~mask[sel][:, None]
    out = []
    for variant, words in ((0, pu), (1, pu ^ pv[:, None])):
        counts = np.bitwise_count(words & unmasked).astype(np.int64)
        kb, kj = np.nonzero(counts <= limit[sel][:, None])
        if kb.size == 0:
            continue
        bits = np.zeros((kb.size, n), dtype=np.uint8)
        bits[np.arange(kb.size)[:, None], pc_of_row[kb]] = tbits[kb, :, kj]
        if variant:
            vb = np.zeros((kb.size, n), dtype=np.uint8)
            vb[np.arange(kb.size)[:, None], pc_of_row[kb]] = vrow[kb]
            vb[np.arange(kb.size), free[kb]] = 1
            bits ^= vb
        out.append(_pack(bits, W))
    return np.concatenate(out) if out else np.zeros((0, W), dtype=np.uint64)


def _gf2_combine(select: NDArray[np.bool_], words: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """out[b, j] = XOR over r of ``words[b, r]`` where ``select[b, r, j]``: (K, m, m') bool with (K, m) words,
    by the method of four Russians (tables of the 256 combinations of each 8 rows)."""
    K, m, cols = select.shape
    chunks = -(-m // 8)
    sel = np.zeros((K, chunks * 8, cols), dtype=bool)
    sel[:, :m] = select
    index = np.packbits(sel.reshape(K, chunks, 8, cols), axis=2, bitorder="little")[:, :, 0, :].astype(np.intp)  # (K, chunks, cols)
    w = np.zeros((K, chunks * 8), dtype=np.uint64)
    w[:, :m] = words
    out = np.zeros((K, cols), dtype=np.uint64)
    table = np.zeros((K, 256), dtype=np.uint64)
    for c in range(chunks):
        for i in range(8):
            half = 1 << i
            np.bitwise_xor(table[:, :half], w[:, 8 * c + i, None], out=table[:, half:2 * half])
        out ^= np.take_along_axis(table, index[:, c, :], axis=1)
    return out


def _batch_size(n: int) -> int:
    m = max(1, n - 1)
    return max(64, min(2048, (1 << 19) // (m * max(1, -(-n // 64)))))


def clean_subset_probability(n: int, shots: int, eta: float) -> float:
    """Probability that one random subset of the search yields s: its n − 1 rows, drawn from a pool of N
    with ⌊(1 − η)N⌋ clean ones, hold no corrupted row (and span s^⊥ up to 3 dimensions, ≈ 1), or exactly
    one (Lee–Brickell; the other rows then have full rank with probability ≈ 0.58)."""
    m = max(1, n - 1)
    clean = math.floor((1.0 - eta) * shots + 1e-9)
    bad = shots - clean

    def log_choose(a: int, b: int) -> float:
        return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)

    total = log_choose(shots, m)
    p0 = math.exp(log_choose(clean, m) - total) if clean >= m else 0.0
    p1 = math.exp(log_choose(clean, m - 1) + math.log(bad) - total) if clean >= m - 1 and bad >= 1 else 0.0
    return p0 + 0.58 * p1


def _subset_work(n: int) -> float:
    """Work units of one subset: n pivot steps over n − 1 rows of ⌈n/64⌉ + ⌈(n−1)/64⌉ words."""
    m = max(1, n - 1)
    return float(n) * m * (max(1, -(-n // 64)) + -(-m // 64))


# --- the solver ------------------------------------------------------------------------------


class _Candidates:
    """Candidates found by the search (packed rows, at most [`KEEP_CANDIDATES`][KEEP_CANDIDATES], the fewest
    mismatches kept) with their mismatch counts on the current pool."""

    def __init__(self, pool: SamplePool) -> None:
        self.pool = pool
        self.words = np.zeros((0, pool.width), dtype=np.uint64)
        self.k = np.zeros(0, dtype=np.int64)

    def merge(self, packed: NDArray[np.uint64]) -> None:
        if packed.shape[0] == 0:
            return
        both = np.concatenate((self.words, packed))
        _, first = np.unique(both, axis=0, return_index=True)
        fresh = np.sort(first[first >= self.words.shape[0]])
        if fresh.size == 0:
            return
        new = both[fresh]
        self.words = np.concatenate((self.words, new))
        self.k = np.concatenate((self.k, self.pool.mismatches(new)))
        if self.k.size > KEEP_CANDIDATES:
            order = np.argsort(self.k, kind="stable")[:KEEP_CANDIDATES]
            self.words, self.k = self.words[order], self.k[order]

    def rescore(self) -> None:
        if self.k.size:
            self.k = self.pool.mismatches(self.words)

    def ranked(self) -> tuple[list[int], NDArray[np.int64]]:
        order = np.argsort(self.k, kind="stable")
        return [_to_int(self.words[i]) for i in order], self.k[order]


def _plan_mass(ev: Evidence, done: list[int], slots: int, min_posterior: float) -> float:
    """P(s is among the checks made on the final pool, had they all failed | samples, earlier refutations):
    the posterior (``ev``) of the candidates ``done`` there, then of those the final checks would take next
    (best first, within ``slots`` checks, while a candidate's posterior renormalised by the mass already
    taken stays ≥ ``min_posterior``)."""
    post = dict(zip(ev.candidates, (float(p) for p in ev.posterior)))
    mass = sum(post.get(c, 0.0) for c in done)
    taken = len(done)
    for c, p in post.items():
        if taken >= slots or p < min_posterior * (1.0 - mass):
            break
        if c not in done:
            mass += p
            taken += 1
    return min(1.0, mass)


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
    prior: WeightPrior | None = None,
) -> NoisySolution:
    """Recover s from noisy Simon samples (see the module docstring for the method).

    Args:
        n: number of bits.
        sample: ``sample(k)`` draws and charges k shots, returning a ``(k, n)`` 0/1 array.
        check: ``check(xs)`` evaluates (and charges) f at Python-int inputs.
        rng: drives the search's random subsets.
        config: budget, targets and caps ([`NoisySolverConfig`][NoisySolverConfig]).
        check_many: vectorised f on uint64 inputs (charged), used by the one-to-one proof (n ≤ 64).
        prior: the promise wt(s) ≤ W (`WeightPrior`): candidates are the weight-≤W strings, scored
            exhaustively, the posterior and the shot planner count Σ_{k≤W} C(n, k) hypotheses instead of
            2^n, and s = 0 is proven by a query set covering the weight-≤W strings.
    """
    cfg = config if config is not None else NoisySolverConfig()
    budget = cfg.shots_budget if cfg.shots_budget is not None else default_shots_budget(n)
    # log2 of the hypotheses the planner weighs: n, or ⌈log2 N_W⌉ under a weight prior (rounded up: conservative)
    hypothesis_bits = n if prior is None else math.ceil(prior.log2_hypotheses)
    first = min(budget, cfg.first_round if cfg.first_round is not None else default_first_round(hypothesis_bits))
    pool = SamplePool(n)
    pool.add(sample(first))
    rounds = 1
    exhaustive = n <= WHT_MAX_BITS or prior is not None
    listed = _Candidates(pool)
    work_cap = float(cfg.search_work)
    work_per_subset = _subset_work(n)
    subsets_done = 0
    f0: int | None = None
    checked: list[int] = []
    check_queries = 0
    solved: int | None = None
    resolved_by = ""

    refuted: dict[int, int] = {}  # refuted candidate → pool size when its check failed
    # the prior's size: uniform on all 2^n secrets, or on the N_W strings of weight <= W under a weight prior (set here only)
    log2_hypotheses = float(n) if prior is None else prior.log2_hypotheses

    def evidence(before: int | None = None) -> Evidence:
        """Candidates (best first) with their posteriors on the current pool, conditioned on the refutations
        (all of them, or only those made on pools smaller than ``before``)."""
        N = pool.size
        out = [c for c, at in refuted.items() if before is None or at < before]
        if prior is not None:
            return prior.evidence(pool, out)
        if exhaustive:
            k_all = walsh_mismatches(pool.bits)
            keep = np.ones(k_all.size, dtype=bool)
            keep[0] = False
            keep[out] = False  # a refuted candidate is known not to be s: out of the candidates and of T
            idx = np.flatnonzero(keep)
            hist = np.bincount(k_all[idx], minlength=N + 1)
            order = idx[np.argsort(k_all[idx], kind="stable")[:KEEP_CANDIDATES]]
            return weigh_evidence(n, N, [int(c) for c in order], k_all[order], histogram=hist)
        values, ks = listed.ranked()
        kept = [i for i, c in enumerate(values) if c not in out]
        return weigh_evidence(n, N, [values[i] for i in kept], ks[np.asarray(kept, dtype=np.int64)], log2_hypotheses=log2_hypotheses)

    def search(allotment: float, filter_eta: float) -> None:
        nonlocal subsets_done
        if exhaustive:
            return
        listed.rescore()
        spent = 0.0
        batch = _batch_size(n)
        if credible(evidence()):
            return  # a credible candidate already: more shots, not more search, will settle it
        while spent < allotment and subsets_done * work_per_subset < work_cap:
            room = int(min(allotment - spent, work_cap - subsets_done * work_per_subset) // work_per_subset)
            b = max(1, min(batch, room))
            listed.merge(pooled_gauss_candidates(pool, b, rng, batch=batch, filter_eta=filter_eta))
            subsets_done += b
            spent += b * work_per_subset
            if credible(evidence()):
                return

    def credible(ev: Evidence) -> bool:
        """An unchecked candidate with posterior ≥ ``min_check_posterior`` (a refuted one no longer counts)."""
        return any(p >= cfg.min_check_posterior for c, p in zip(ev.candidates, ev.posterior) if c not in checked)

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
        if fc != f0:
            refuted[c] = pool.size
        return fc == f0

    while True:
        if not exhaustive:
            # search as hard as the pool's evidence can use: enough subsets to find s (95 %) at the largest
            # corruption rate this many shots could certify; a higher rate needs more shots first
            remaining = max(0.0, work_cap - subsets_done * work_per_subset)
            eta_sup = supported_corruption(n, pool.size, cfg.target_success)
            q = clean_subset_probability(n, pool.size, eta_sup)
            wanted = (3.0 / q if q > 0 else math.inf) * work_per_subset
            search(max(work_per_subset * 64, min(wanted, remaining if pool.size >= budget else remaining / 4)), min(0.25, max(0.15, eta_sup)))
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
        if pool.size >= budget or len(checked) >= cfg.max_candidates or not (search_left or credible(ev)):
            break  # (with the search spent, more shots help only a candidate already found)
        N = pool.size
        best = todo[0] if todo else None
        if best is not None and post[best] >= 1e-3:
            eta = min(0.49, max(ev.corruption_rate, _eta_quantile(int(ks[best]), N)))
            want = shots_for_target(hypothesis_bits, eta, cfg.target_success, start=N, limit=budget)
            more = max(want - N, -(-N // 2))
        else:
            more = N  # nothing credible yet: double the pool (evidence and the search both grow with it)
        more = min(more, budget - N)
        pool.add(sample(more))
        rounds += 1

    ev = evidence()
    cands, ks, post = ev.candidates, ev.mismatches, ev.posterior
    if solved is None:
        out_mass = 0.0  # posterior of the candidates refuted here: conditioning on them renormalises the rest
        for i, c in enumerate(cands):
            if len(checked) >= cfg.max_candidates or post[i] < cfg.min_check_posterior * (1.0 - out_mass):
                break
            if do_check(c):
                solved, resolved_by = c, "check"
                break
            out_mass += float(post[i])
    N_final = pool.size
    on_final = [c for c in checked if refuted.get(c, N_final) == N_final]
    prior_ev = evidence(before=N_final)  # the final pool, conditioned on the refutations made on earlier pools
    forecast = _plan_mass(prior_ev, on_final, cfg.max_candidates - (len(checked) - len(on_final)), cfg.min_check_posterior)
    after = evidence()  # conditioned on every refutation
    confidence = 1.0 if solved is not None else (float(after.posterior[0]) if after.candidates else 0.0)
    proof_total = (1 << (n - 1)) + 1 if n <= 62 else None
    provable = proof_total is not None and proof_total <= cfg.max_proof_queries and check_many is not None
    if prior is not None:  # under the weight promise a query set covering the weight-<=W strings is the proof
        provable = check_many is not None and cover_size(n, prior.w) <= cfg.max_proof_queries
    if provable:
        forecast = 1.0  # whatever the checks give, the one-to-one proof (or its collision) resolves the run
    if solved is None and check_many is not None and provable:
        if prior is not None:
            result = _cover_proof(prior, queried, check_many)
        else:
            assert proof_total is not None
            result = _one_to_one_proof(proof_total, queried, check_many)
        check_queries += result[1]
        solved, resolved_by = result[0], ("proof" if result[0] == 0 else "collision")
        confidence = 1.0
    best_c = after.candidates[0] if after.candidates else 0
    if solved and resolved_by == "check":
        at = cands.index(solved) if solved in cands else None
        k_found = int(ks[at]) if at is not None else int(pool.mismatches(_from_int(solved, pool.width)[None, :])[0])
        eta_hat: float | None = k_found / pool.size
    elif solved is None:
        eta_hat = after.corruption_rate if after.candidates and after.posterior[0] >= 0.5 else None
    else:  # proven classically: the samples' best candidate may be anything, so no estimate from it
        eta_hat = None
    return NoisySolution(
        status="solved" if solved is not None else "unresolved",
        found=solved,
        candidate=best_c,
        confidence=float(confidence),
        posterior=float(after.posterior[0]) if after.candidates else 0.0,
        shots=pool.size,
        rounds=rounds,
        candidates_tried=len(checked),
        check_queries=check_queries,
        corruption_rate=eta_hat,
        rank=gf2_rank(pool.bits, n) if pool.size else 0,
        resolved_by=resolved_by,
        search_subsets=subsets_done,
        budget=budget,
        forecast=float(forecast),
    )


def _one_to_one_proof(total: int, known: dict[int, int], check_many: Callable[[NDArray[np.uint64]], NDArray[np.uint64]]) -> tuple[int, int]:
    """Query fresh inputs until ``total`` = 2^(n−1) + 1 distinct inputs are known (``known``: inputs already
    queried and their values); returns (s, new queries): s = a ⊕ b for a collision f(a) = f(b), else 0."""
    fresh: list[int] = []
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


# --- weight prior: the promise wt(s) <= W (qenergy.weight) ---------------------------------------


class WeightPrior:
    """The restricted-weight promise wt(s) ≤ W as the solver's prior (n ≤ 64).

    Hypotheses are the N_W = Σ_{k≤W} C(n, k) strings of weight ≤ W (s = 0 included), uniform a priori;
    every non-zero one is scored exhaustively (k_c kept per candidate and updated with each new sample:
    one AND + popcount per candidate per sample), so the posterior's normaliser is exact. The shot
    planner weighs log2 N_W hypothesis bits instead of n. A set of [qenergy.weight.cover_size][]
    queries whose pairwise XORs cover every weight-≤W string proves s = 0 when no collision shows.

    Raises:
        InputError: n > 64; ResourceLimitError: N_W above [qenergy.weight.MAX_WEIGHT_CANDIDATES][].
    """

    def __init__(self, n: int, w: int) -> None:
        if n > 64:
            raise InputError(f"a noisy run with --secret-weight at n = {n} is not supported; allowed: n <= 64")
        self.n = n
        self.w = w
        self.log2_hypotheses = log2_weight_space(n, w)
        self._cands = WeightCandidates(n, w)
        assert self._cands.values is not None
        self.values: NDArray[np.uint64] = self._cands.values
        self.k = np.zeros(self.values.size, dtype=np.int64)
        self._seen = 0

    def evidence(self, pool: SamplePool, refuted: Sequence[int] = ()) -> Evidence:
        """The non-zero candidates, best first (at most [`KEEP_CANDIDATES`][KEEP_CANDIDATES]), with their exact posteriors;
        ``refuted`` candidates (known not to be s) are left out of the candidates and of the normaliser."""
        new = pool.bits[self._seen:]
        rows = max(1, (1 << 24) // max(1, self.values.size))
        for i in range(0, new.shape[0], rows):
            self.k += self._cands.parities(new[i:i + rows]).sum(axis=0, dtype=np.int64)
        self._seen = pool.size
        N = pool.size
        keep = np.ones(self.values.size, dtype=bool)
        keep[0] = False
        if len(refuted):
            keep &= ~np.isin(self.values, np.asarray(list(refuted), dtype=np.uint64))
        idx = np.flatnonzero(keep)
        hist = np.bincount(self.k[idx], minlength=N + 1)
        order = idx[np.argsort(self.k[idx], kind="stable")[:KEEP_CANDIDATES]]
        return weigh_evidence(self.n, N, [int(c) for c in self.values[order]], self.k[order], histogram=hist)


def _cover_proof(prior: WeightPrior, known: dict[int, int], check_many: Callable[[NDArray[np.uint64]], NDArray[np.uint64]]) -> tuple[int, int]:
    """Query the weight cover ([qenergy.weight.cover_inputs][]) not yet ``known``; returns (s, new queries):
    s = a ⊕ b for a collision f(a) = f(b), else 0 (no collision among a cover proves s = 0 under the promise)."""
    cover = cover_inputs(prior.n, prior.w)
    fresh = cover[~np.isin(cover, np.asarray(list(known), dtype=np.uint64))]
    values = np.asarray(check_many(fresh), dtype=np.uint64) if fresh.size else np.zeros(0, dtype=np.uint64)
    inputs = np.concatenate((fresh, np.asarray(list(known), dtype=np.uint64)))
    outputs = np.concatenate((values, np.asarray(list(known.values()), dtype=np.uint64)))
    order = np.argsort(outputs, kind="stable")
    same = np.flatnonzero(outputs[order][1:] == outputs[order][:-1])
    if same.size:
        a, b = int(inputs[order][same[0]]), int(inputs[order][same[0] + 1])
        return a ^ b, int(fresh.size)
    return 0, int(fresh.size)


def noise_multiplier(shots: int, n: int) -> float:
    """Shots used ÷ the ideal expected shots E[R](n) (at least 1, so n = 1 stays finite)."""
    return shots / max(1.0, expected_runs(n))
