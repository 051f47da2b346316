"""Parallel collision search with distinguished points (van Oorschot & Wiener), in this process or on Dask.

Source: P. C. van Oorschot and M. J. Wiener, "Parallel collision search with cryptanalytic
applications", J. Cryptology 12 (1999) 1–28. Their method, applied to Simon's problem:

* **The walk.** x → g(x) = π(f(x)), π a seeded keyed pseudorandom permutation
  ([qenergy.problem.oracles.KeyedPermutation][], as in [qenergy.classical.rho][]). π is a bijection, so
  g(a) = g(b) exactly when f(a) = f(b): every merge of two walks with different predecessors is a
  collision of f, there are no "collisions of π" to throw away, and π makes the walk behave like a
  random mapping even for a linear f. Each step is one query of f.
* **Lanes and rounds.** W walks ("lanes", ``walks_per_round``) are advanced together as numpy
  vectors, S steps each per round (``steps_per_round``). A walk stops at its first distinguished
  point (DP): a point x_i, i ≥ 1, whose low d bits are zero (``distinguished_bits``); its lane then
  starts a fresh walk. Lane ℓ's k-th walk starts at π_start(k·W + ℓ mod 2^n), π_start a second keyed
  permutation: starts are fixed by the seed and never depend on answers. A walk longer than
  20·2^d steps (vOW's 20/θ) is abandoned (it is caught in a cycle without a DP); its queries stay charged.
* **The store** (on the client) maps each DP to one trail ending there: (start, length). After each
  round the new DPs are merged in a fixed order (by point, then walk index). A DP reached again is
  **replayed**: the longer trail is advanced by the difference of the lengths, then both step
  together until their next points agree. If the two current points differ there, they are a
  collision x ≠ x', f(x) = f(x'), so s = x ⊕ x'. If the points are already equal after the
  alignment, one trail's start lay on the other ("Robin Hood" in vOW): no collision, nothing to
  restart; the longer trail is kept. All replays of a round run together (vectorised); when several
  find a collision, the one of the lowest walk index is reported.
* **Deciding s = 0 (a proof, not a probability).** After a budget of B = max(16·T, 64) queries
  without a collision (T below), the search queries the exhaustive order 0, 1, …, 2^(n−1): 2^(n−1) + 1
  distinct inputs without a repeat of f prove s = 0 (pigeonhole on the 2^(n−1) cosets {x, x ⊕ s}),
  the proof birthday search uses; a repeat there gives s. For a two-to-one f the walks fail to
  collide within B with probability below exp(−(0.7·16·1.25)²/2) < 10^−40 even if only 70 % of their
  points were distinct, so the fallback decides s = 0 in practice, at B + 2^(n−1) + 1 queries (at
  n = 2, 3 the walks often end in cycles without a DP and the fallback also finds s ≠ 0). n = 1 is
  decided that way directly (2 queries). The store can also prove s = 0 earlier:
  trails ending at *different* DPs share no input and no value of f (from a shared point or value
  the walks coincide up to the next DP), and the inputs of one trail are distinct with distinct
  values of f (a repeated point before a DP would be a cycle without one), so the longest stored
  trail per DP together give C = Σ lengths distinct inputs with pairwise distinct outputs; once
  C ≥ 2^(n−1) + 1, s = 0. That happens only for tiny n (C grows by about 2^(n−1) per 2.6·2^(n−1)
  queries, so it needs B ≳ 2^n).
* **Costs.** Expected queries for a two-to-one f: T ≈ 1.2533·2^(n/2) distinct points until the
  first collision (as birthday search), plus the detection delay (≈ W·2.5·2^d: every lane keeps
  walking until the colliding walk reaches its DP), plus up to a round (W·S), plus the replays.
  The defaults keep W·2^d ≈ T/16 and W·S ≈ T/8, so ≈ 1.2·T in all (measured means 1.09–1.26·T,
  ±0.05·T, over 100–200 runs at each of n = 12, 16, 20, 24, 28, 36; one run's spread ≈ ±0.55·T). Memory: ≈ 24 bytes per stored DP (≈ 1.2·T/2^d of them; 48 during a merge; the compiled store's hash table ≈ 80) and
  32 bytes per lane.

**Every evaluation of f is a charged query.** Walks and replays evaluate f on uncharged vectors
(the oracle itself) and count every input evaluated; each round's count (its walks and its
replays) is charged in one bulk charge through [`CountingOracle`][qenergy.problem.queries.CountingOracle]
after the round is merged, and the fallback's batches likewise. ``queries`` of the result equals
the number of evaluations of f.

**Dask.** ``workers=K`` starts a ``LocalCluster`` of K single-threaded worker processes,
``scheduler=ADDR`` uses a running cluster. The lanes are split into K contiguous chunks; every
round each chunk is one task that receives its lanes' state and returns their new state and the
walks they completed, so the client holds all state and the DP store. A lane's walks depend only
on the seed, never on which chunk ran it, and the client merges in a fixed order, so the secret,
the collision, the rounds and every charge are those of the serial run (``workers=None``/``1``)
for the same seed and the same ``distinguished_bits``, ``walks_per_round``, ``steps_per_round``
(whose defaults depend on n and, beyond two workers, on K). A chunk lost with its worker is
resubmitted (up to 3 times); only merged results are charged, each once. A lost chunk's partial
work is not charged (it is repeated in full by the resubmitted task, which is charged).
The next round is submitted as soon as a round's lanes are back, so the workers walk while the
client merges; when that merge decides the search, the round started ahead is cancelled and never
charged (``discarded_rounds``; on an existing cluster its tasks may still run to their end).

**Kernels.** With numba installed (the ``fast`` extra) the walks and replays on the random oracle
run as compiled kernels ([qenergy.classical._numba_walks][]; the permutations are compiled for the other
oracles too), bit-identical to the numpy code here: the same walks complete in the same order, so
the secret, rounds and charges do not depend on the kernel (``kernel="numpy"`` or
``QENERGY_KERNEL=numpy`` forces numpy). Loading the kernels (in this process and on every Dask
worker) and starting a cluster are timed as ``startup_s``, apart from the search (``search_s``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from qenergy.errors import InputError, ResourceLimitError
from qenergy.interrupts import signals_deferred
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance
from qenergy.problem.kernels import kernel_note, resolve_kernel
from qenergy.problem.kernels import warm_up as warm_up_core
from qenergy.problem.oracles import MAX_VECTOR_BITS, KeyedPermutation, Oracle, RandomOracle, available_memory_bytes, evaluate_with
from qenergy.problem.queries import CountingOracle
from qenergy.scheduler_address import check_scheduler_address

from .collision import SeenAnswers, query_cap
from .result import ClassicalResult

__all__ = [
    "MAX_PLANNED_QUERIES_PER_WORKER",
    "ParallelRhoResult",
    "ParallelRhoSearch",
    "RhoParameters",
    "check_parallel_rho",
    "check_scheduler_address",
    "default_parameters",
    "expected_collision_queries",
    "parallel_rho_search",
    "planned_queries",
    "probe_scheduler",
]

#: Expected distinct points until the first collision of a two-to-one f: T = c·2^(n/2) (birthday search's constant).
BIRTHDAY_CONSTANT = 1.2533
#: Walks longer than this many times 2^d are abandoned (van Oorschot & Wiener's 20/θ).
CAP_FACTOR = 20
#: Lanes advanced as one numpy vector inside a chunk: 128 KiB arrays; fewer lanes pay numpy's per-call cost more
#: often (8192: ~25 % fewer queries per CPU-second measured here), more leave the L2 cache.
LANE_BLOCK = 1 << 14
#: Lanes per chunk in the defaults (one block); the default W is at most this times max(2, workers).
LANES_PER_CHUNK = LANE_BLOCK
#: Lanes the defaults allow at small n, as long as W ≤ T/64 (numpy's per-call cost dominates a one-lane walk).
SMALL_N_LANES = 64
#: Most lanes a search may ask for (32 bytes of state each: 512 MiB).
MAX_WALKS_PER_ROUND = 1 << 24
#: Most steps per lane per round a search may ask for.
MAX_STEPS_PER_ROUND = 1 << 32
#: Most planned queries per worker: about 90 s at the ~100 M queries per CPU-second measured here (random oracle,
#: n ≥ 52; n = 64 fits one worker), longer for a slower oracle (linear: ~n numpy passes per query) or a busy machine.
MAX_PLANNED_QUERIES_PER_WORKER = 1 << 33
#: Most queries of the exhaustive proof of s = 0 (sort-based like birthday search, ~5 M/s here: about a minute;
#: 16 bytes each, 4 GiB), so s = 0 is accepted up to n = 28.
MAX_FALLBACK_QUERIES = 1 << 28
#: Bytes per stored distinguished point (point, start, length, and the merge's temporaries; the compiled hash table
#: holds about 2.5 slots of 32 bytes per expected point, more while it doubles).
STORE_BYTES_PER_POINT = 100
#: Times a chunk lost with its worker is resubmitted before the search gives up.
MAX_RESUBMITS = 3
#: Seconds to wait for a Dask scheduler given by address (connection and handshake).
SCHEDULER_TIMEOUT_S = 10.0
#: Seconds an interrupted search waits for the chunks running on Dask workers, to charge what they evaluated.
INTERRUPT_GRACE_S = 5.0
#: First and largest batch of the exhaustive fallback.
_FALLBACK_FIRST, _FALLBACK_MAX = 1 << 10, 1 << 20


@dataclass(frozen=True)
class ParallelRhoResult(ClassicalResult):
    """A [`ClassicalResult`][ClassicalResult] with the parallel search's own figures.

    Attributes:
        distinguished_points: distinguished points in the store at the end (each the end of a trail).
        queries_per_s: charged queries per second of wall time of the search (cluster start-up excluded).
        workers: chunks the lanes were split into (1: this process).
        rounds: rounds run.
        distinguished_bits: d; a DP has its low d bits zero.
        walks_per_round: W, the walks (lanes) advanced together.
        steps_per_round: S, steps per lane per round.
        certified_distinct: C, inputs queried with pairwise distinct values of f that the store
            certifies (the s = 0 proof needs 2^(n−1) + 1).
        decided_by: ``collision`` (a replay found x ≠ x' with f(x) = f(x')), ``coverage`` (C reached
            2^(n−1) + 1: s = 0), or ``exhaustive`` (the fallback scan decided).
        wall_s: wall time of the search in seconds (cluster start-up excluded; the same as ``search_s``).
        resubmitted_chunks: chunks this search resubmitted after Dask gave them up as lost
            (a chunk the scheduler itself reran after a worker died is not counted here).
        discarded_rounds: rounds started ahead on Dask (while the previous round was merged) and
            discarded because that merge decided the search; never charged (0 or 1).
    """

    distinguished_points: int = 0
    queries_per_s: float = 0.0
    workers: int = 1
    rounds: int = 0
    distinguished_bits: int = 0
    walks_per_round: int = 0
    steps_per_round: int = 0
    certified_distinct: int = 0
    decided_by: str = ""
    wall_s: float = 0.0
    resubmitted_chunks: int = 0
    discarded_rounds: int = 0


@dataclass(frozen=True)
class RhoParameters:
    """d (distinguished bits), W (walks per round) and S (steps per walk and round) of a search."""

    distinguished_bits: int
    walks_per_round: int
    steps_per_round: int


def expected_collision_queries(n: int) -> float:
    """T = 1.2533·2^(n/2): expected distinct points before two-to-one f repeats (queries, dimensionless)."""
    return float(BIRTHDAY_CONSTANT * 2.0 ** (n / 2))


def default_parameters(n: int, workers: int = 1) -> RhoParameters:
    """The default d, W, S for n bits and ``workers`` chunks (2 ≤ n ≤ 64, workers ≥ 1).

    W = min(2^14·max(2, workers), max(T/1024, min(T/64, 64))) lanes (at least 1; the T/64 term keeps small n
    from walking one lane at a time), d = round(log2(T/(16·W))) clamped to
    1..n−1 (detection delay W·2^d ≈ T/16), S = ⌈T/(8·W)⌉ (a round ≈ T/8, so about eight rounds
    for an expected search). Up to two workers the defaults depend on n only, so serial and
    two-worker runs agree. Raises [`InputError`][InputError] for n outside 2..64 or workers < 1.
    """
    if not 2 <= n <= MAX_VECTOR_BITS:
        raise InputError(f"parallel-rho parameters at n = {n} are not defined; allowed: 2 <= n <= {MAX_VECTOR_BITS}")
    if workers < 1:
        raise InputError(f"workers = {workers} is not allowed; allowed: an integer >= 1")
    t = expected_collision_queries(n)
    w = int(max(1, min(LANES_PER_CHUNK * max(2, workers), max(t // 1024, min(t // 64, SMALL_N_LANES)))))
    d = int(min(n - 1, max(1, round(math.log2(t / (16 * w))))))
    s = int(max(1, math.ceil(t / (8 * w))))
    return RhoParameters(d, w, s)


def planned_queries(n: int, secret: int, params: RhoParameters) -> float:
    """Queries the search is expected to make (s ≠ 0) or plans at most (s = 0) on n bits.

    s ≠ 0: T + W·(2.5·2^d + S) (first collision, detection delay, a round) + 4·2^d (the replay
    of two trails of mean length 2^d, both advanced). s = 0: the budget B = max(16·T, 64) of
    the walks plus the exhaustive fallback's 2^(n−1) + 1.
    n = 1: 2.
    """
    if n == 1:
        return 2.0
    t = expected_collision_queries(n)
    d, w, s = params.distinguished_bits, params.walks_per_round, params.steps_per_round
    if secret:
        return t + w * (2.5 * 2.0**d + s) + 4 * 2.0**d
    return _budget(n) + 2.0 ** (n - 1) + 1


def _budget(n: int) -> float:
    """Queries after which the walks give up and the exhaustive fallback decides: B = max(16·T, 64)."""
    return max(16 * expected_collision_queries(n), 64.0)


# ---------------------------------------------------------------------------------------------
# The walks: run on a worker (or in this process), state carried by the client between rounds.


@dataclass(frozen=True)
class _Spec:
    """What every chunk needs, fixed for the whole search."""

    oracle: Oracle
    walk: KeyedPermutation
    starts: KeyedPermutation
    lanes: int
    dbits: int
    cap: int
    steps: int
    #: ``numba`` (compiled walks and replays for the random oracle, compiled permutations otherwise) or ``numpy``.
    kernel: str = "numpy"

    def f(self) -> Callable[[NDArray[np.uint64]], NDArray[np.uint64]]:
        """f on uint64 vectors with this search's kernel (the random oracle's; any other oracle evaluates as it does)."""
        oracle, kernel = self.oracle, self.kernel
        return lambda x: evaluate_with(oracle, x, kernel)

    @property
    def compiled_walks(self) -> bool:
        """True when the walks and replays run as compiled kernels (numba and the random oracle)."""
        return self.kernel == "numba" and type(self.oracle) is RandomOracle

    #: Name of the Dask ``Event`` the client sets when it is interrupted (chunks on workers then stop early and
    #: return the work done, so that it is charged); "" in this process.
    stop_event: str = ""


#: Seconds of work between a chunk's checks of the client's stop event (one message to the scheduler each).
STOP_CHECK_S = 0.5


def _stop_check(name: str) -> Callable[[], bool] | None:
    """On a Dask worker: a function telling (at most every [`STOP_CHECK_S`][STOP_CHECK_S] s) whether the client asked chunks to
    stop; None elsewhere."""
    if not name:
        return None
    try:
        import distributed

        dist: Any = distributed  # untyped library
        dist.get_worker()
        event = dist.Event(name)
    except (ImportError, ValueError, RuntimeError):
        return None
    last = [time.monotonic()]
    stopped = [False]

    def stop() -> bool:
        now = time.monotonic()
        if stopped[0] or now - last[0] < STOP_CHECK_S:
            return stopped[0]
        last[0] = now
        try:
            stopped[0] = bool(event.is_set())
        except Exception:
            pass
        return stopped[0]

    return stop


@dataclass(frozen=True)
class _Lanes:
    """State of the contiguous lanes first … first + len − 1 between rounds."""

    first: int
    cur: NDArray[np.uint64]
    start: NDArray[np.uint64]
    k: NDArray[np.int64]
    length: NDArray[np.int64]


@dataclass(frozen=True)
class _ChunkOut:
    """A chunk's round: its lanes' new state, the walks completed (at a DP), the queries made."""

    lanes: _Lanes
    ids: NDArray[np.int64]
    starts: NDArray[np.uint64]
    points: NDArray[np.uint64]
    lengths: NDArray[np.int64]
    queries: int
    aborted: int


def _start_points(spec: _Spec, ids: NDArray[np.int64]) -> NDArray[np.uint64]:
    """π_start(j mod 2^n) for walk indices j."""
    j = ids.astype(np.uint64)
    if spec.oracle.n < MAX_VECTOR_BITS:
        j &= np.uint64((1 << spec.oracle.n) - 1)
    return spec.starts.apply(j, out=j, kernel=spec.kernel)


def _initial_lanes(spec: _Spec, first: int, count: int) -> _Lanes:
    lane = np.arange(first, first + count, dtype=np.int64)
    start = _start_points(spec, lane)
    return _Lanes(first, start.copy(), start, np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64))


#: glibc mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, and glibc's default for the latter.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _GLIBC_MMAP_THRESHOLD = -1, -3, 128 * 1024
#: Thresholds while a chunk runs in a process started with MALLOC_TRIM_THRESHOLD_ set (a Dask worker).
_CHUNK_MALLOC_THRESHOLD = 1 << 26


@contextlib.contextmanager
def _steady_malloc() -> Any:
    """While a chunk runs in a Dask worker, keep glibc from returning and re-mapping its per-step temporaries.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (``distributed.nanny.pre-spawn-environ``),
    which also freezes glibc's mmap threshold at 128 KiB: every step's 64–128 KiB temporaries are then
    unmapped and mapped again (page faults), measured 1.2–3x slower than in a plain process. Here the
    trim and mmap thresholds are raised to 64 MiB for the chunk and set back to the environment's values
    (glibc defaults when unset) afterwards, so the worker returns memory as configured between chunks.
    Does nothing outside such a process or without glibc. Results do not depend on it.
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        yield
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_TRIM_THRESHOLD, _CHUNK_MALLOC_THRESHOLD)
        libc.mallopt(_M_MMAP_THRESHOLD, _CHUNK_MALLOC_THRESHOLD)
    except (OSError, AttributeError):  # not glibc
        yield
        return
    try:
        yield
    finally:
        def env_int(name: str, default: int) -> int:
            try:
                return int(os.environ.get(name, default))
            except ValueError:
                return default

        libc.mallopt(_M_TRIM_THRESHOLD, env_int("MALLOC_TRIM_THRESHOLD_", 128 * 1024))
        libc.mallopt(_M_MMAP_THRESHOLD, env_int("MALLOC_MMAP_THRESHOLD_", _GLIBC_MMAP_THRESHOLD))


def _advance_chunk(spec: _Spec, lanes: _Lanes, tally: list[int] | None = None) -> _ChunkOut:
    """Advance every lane of ``lanes`` by ``spec.steps`` steps (one query each), in blocks of [`LANE_BLOCK`][LANE_BLOCK].

    Pure: the result depends only on ``spec`` and ``lanes`` (so a lost chunk can be rerun).
    ``tally`` (in this process only): ``tally[0]`` grows by each step's evaluations as they are made, so an
    interrupted round can still charge every query it evaluated.
    """
    count = lanes.cur.size
    parts: list[_ChunkOut] = []
    stop = _stop_check(spec.stop_event)
    with _steady_malloc():
        for lo in range(0, count, LANE_BLOCK):
            if stop is not None and stop():  # the client was interrupted: return the work done, to be charged
                break
            hi = min(count, lo + LANE_BLOCK)
            block = _Lanes(lanes.first + lo, lanes.cur[lo:hi].copy(), lanes.start[lo:hi].copy(), lanes.k[lo:hi].copy(),
                           lanes.length[lo:hi].copy())
            parts.append(_advance_block(spec, block, tally, stop))
    if not parts:
        empty_u, empty_i = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        return _ChunkOut(lanes, empty_i, empty_u, empty_u, empty_i, 0, 0)
    state = _Lanes(lanes.first, np.concatenate([p.lanes.cur for p in parts]), np.concatenate([p.lanes.start for p in parts]),
                   np.concatenate([p.lanes.k for p in parts]), np.concatenate([p.lanes.length for p in parts]))
    return _ChunkOut(state, np.concatenate([p.ids for p in parts]), np.concatenate([p.starts for p in parts]),
                     np.concatenate([p.points for p in parts]), np.concatenate([p.lengths for p in parts]),
                     queries=sum(p.queries for p in parts), aborted=sum(p.aborted for p in parts))


def _advance_block(spec: _Spec, lanes: _Lanes, tally: list[int] | None = None, stop: Callable[[], bool] | None = None) -> _ChunkOut:
    """One block of lanes, ``spec.steps`` steps (fewer once ``stop()`` says so); modifies the arrays of ``lanes``
    (the caller's copies)."""
    if spec.compiled_walks:
        with signals_deferred():  # one compiled call: its queries are tallied with it (an interrupt waits for the block)
            out = _advance_block_compiled(spec, lanes)
            if tally is not None:
                tally[0] += out.queries
        return out
    f, pi, w, cap = spec.f(), spec.walk, spec.lanes, spec.cap
    cur, start, k, length = lanes.cur, lanes.start, lanes.k, lanes.length
    lane = np.arange(lanes.first, lanes.first + cur.size, dtype=np.int64)
    dmask = np.uint64((1 << spec.dbits) - 1)
    low = np.empty_like(cur)
    ids: list[NDArray[np.int64]] = []
    starts: list[NDArray[np.uint64]] = []
    points: list[NDArray[np.uint64]] = []
    lengths: list[NDArray[np.int64]] = []
    bound = int(length.max()) if cur.size else 0  # an upper bound of max(length), exact after each check
    queries = aborted = 0
    for _ in range(spec.steps):
        if stop is not None and stop():
            break
        y = f(cur)
        queries += cur.size
        if tally is not None:
            tally[0] += cur.size
        pi.apply(y, out=cur, kernel=spec.kernel)
        length += 1
        bound += 1
        np.bitwise_and(cur, dmask, out=low)
        hit = low == 0
        done = np.flatnonzero(hit)
        if done.size:
            ids.append(k[done] * w + lane[done])
            starts.append(start[done])
            points.append(cur[done])
            lengths.append(length[done])
        restart = done
        if bound >= cap:
            over = np.flatnonzero((length >= cap) & ~hit)
            if over.size:
                aborted += int(over.size)
                restart = np.concatenate((done, over))
        if restart.size:
            k[restart] += 1
            fresh = _start_points(spec, k[restart] * w + lane[restart])
            start[restart] = fresh
            cur[restart] = fresh
            length[restart] = 0
        if bound >= cap:
            bound = int(length.max())
    return _ChunkOut(lanes, _cat(ids, np.int64), _cat(starts, np.uint64), _cat(points, np.uint64), _cat(lengths, np.int64), queries, aborted)


def _advance_block_compiled(spec: _Spec, lanes: _Lanes) -> _ChunkOut:
    """[`_advance_block`][_advance_block] as one compiled kernel ([qenergy.classical._numba_walks.advance_block][]; same results)."""
    assert isinstance(spec.oracle, RandomOracle)
    walks = _compiled_walks()
    expected = 2 * (lanes.cur.size * spec.steps >> spec.dbits) + 16
    ids, starts, points, lengths, queries, aborted = walks.advance_block(
        lanes.cur, lanes.start, lanes.k, lanes.length, lanes.first, spec.lanes, spec.steps, np.uint64((1 << spec.dbits) - 1), spec.cap,
        np.uint64(spec.oracle.secret), spec.oracle.permutation.packed_keys(), spec.walk.packed_keys(), spec.starts.packed_keys(), expected)
    return _ChunkOut(lanes, ids, starts, points, lengths, int(queries), int(aborted))


def _compiled_walks() -> Any:
    """The compiled walks ([qenergy.classical._numba_walks][]; imported once per process)."""
    import importlib

    return importlib.import_module(f"{__package__}._numba_walks")


def warm_up(kernel: str) -> float:
    """Load (the first time on a machine: compile) parallel-rho's compiled kernels in this process; returns seconds (0 for numpy)."""
    if kernel != "numba":
        return 0.0
    t0 = time.perf_counter()
    _compiled_walks().warm()
    import importlib

    importlib.import_module(f"{__package__}._numba_store").warm()
    return time.perf_counter() - t0


def _cat(parts: list[NDArray[Any]], dtype: type[np.generic]) -> NDArray[Any]:
    """The parts joined (an empty array of ``dtype`` when there are none)."""
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


# ---------------------------------------------------------------------------------------------
# The client: replays, the store, the proof of s = 0, the fallback.


def _replay(spec: _Spec, a_start: NDArray[np.uint64], a_len: NDArray[np.int64], b_start: NDArray[np.uint64],
            b_len: NDArray[np.int64], tally: list[int] | None = None) -> tuple[int, NDArray[np.bool_], NDArray[np.uint64], NDArray[np.uint64]]:
    """Replay pairs of trails that end at the same DP, all pairs at once.

    Returns (queries made, collided[i], x[i], x'[i]) with x ≠ x', f(x) = f(x') where collided[i].
    A pair that does not collide is nested (one start lies on the other trail).
    """
    if spec.compiled_walks:
        assert isinstance(spec.oracle, RandomOracle)
        q, collided, xa, xb = _compiled_walks().replay_pairs(a_start, a_len, b_start, b_len, np.uint64(spec.oracle.secret),
                                                            spec.oracle.permutation.packed_keys(), spec.walk.packed_keys())
        return int(q), collided, xa, xb
    f, pi, kernel = spec.f(), spec.walk, spec.kernel
    swap = b_len > a_len
    a = np.where(swap, b_start, a_start)
    b = np.where(swap, a_start, b_start)
    delta = np.abs(a_len - b_len)
    queries = 0
    act = np.flatnonzero(delta > 0)
    while act.size:
        y = f(a[act])
        queries += act.size
        if tally is not None:
            tally[0] += act.size
        a[act] = pi.apply(y, out=y, kernel=kernel)
        delta[act] -= 1
        act = act[delta[act] > 0]
    collided = np.zeros(a.size, dtype=bool)
    xa, xb = np.zeros(a.size, dtype=np.uint64), np.zeros(a.size, dtype=np.uint64)
    act = np.flatnonzero(a != b)
    while act.size:
        fa, fb = f(a[act]), f(b[act])
        queries += 2 * act.size
        if tally is not None:
            tally[0] += 2 * act.size
        eq = fa == fb
        hit = act[eq]
        collided[hit], xa[hit], xb[hit] = True, a[hit], b[hit]
        keep = ~eq
        act = act[keep]
        a[act] = pi.apply(fa[keep], kernel=kernel)
        b[act] = pi.apply(fb[keep], kernel=kernel)
    return queries, collided, xa, xb


def _replay_events(spec: _Spec, ev: NDArray[np.int64], group: NDArray[np.int64], ref_start: NDArray[np.uint64], ref_len: NDArray[np.int64],
                   ids: NDArray[np.int64], starts: NDArray[np.uint64], lengths: NDArray[np.int64],
                   tally: list[int] | None) -> tuple[int, tuple[int, int] | None]:
    """Replay the walks ``ev`` of a round against their group's reference trail; returns (queries, the collision of
    the lowest walk index, or None). The lowest index makes the answer independent of how the round was chunked."""
    g = group[ev]  # fancy indexing: copies, which _replay may modify
    queries, collided, xa, xb = _replay(spec, ref_start[g], ref_len[g], starts[ev], lengths[ev], tally)
    if not collided.any():
        return queries, None
    hits = np.flatnonzero(collided)
    first = hits[np.argmin(ids[ev][hits])]
    return queries, (int(xa[first]), int(xb[first]))


class _Store:
    """Distinguished points, sorted, each with the longest trail (start, length) seen ending there."""

    def __init__(self) -> None:
        self.points = np.empty(0, dtype=np.uint64)
        self.starts = np.empty(0, dtype=np.uint64)
        self.lengths = np.empty(0, dtype=np.int64)
        self.covered = 0  # Σ lengths: distinct inputs with distinct outputs

    def __len__(self) -> int:
        return int(self.points.size)

    def merge(self, spec: _Spec, ids: NDArray[np.int64], starts: NDArray[np.uint64], points: NDArray[np.uint64],
              lengths: NDArray[np.int64], tally: list[int] | None = None) -> tuple[int, tuple[int, int] | None]:
        """Merge a round's completed walks; replay every DP reached twice. Returns (replay queries, collision).

        The store is updated only when no collision was found.
        """
        if ids.size == 0:
            return 0, None
        order = np.argsort(points)  # by point (SIMD sort); only when a point repeats in the round, then by walk index:
        if (np.diff(points[order]) == 0).any():
            order = np.argsort(ids)
            order = order[np.argsort(points[order], kind="stable")]
        ids, starts, points, lengths = ids[order], starts[order], points[order], lengths[order]
        head = np.ones(points.size, dtype=bool)
        head[1:] = points[1:] != points[:-1]
        group = np.cumsum(head) - 1  # group index of every walk
        heads = np.flatnonzero(head)
        gpts = points[heads]
        pos = np.searchsorted(self.points, gpts)
        pos_c = np.minimum(pos, max(0, self.points.size - 1))
        stored = (pos < self.points.size) & (self.points[pos_c] == gpts) if self.points.size else np.zeros(gpts.size, dtype=bool)
        ref_start = np.where(stored, self.starts[pos_c] if self.points.size else 0, starts[heads]).astype(np.uint64)
        ref_len = np.where(stored, self.lengths[pos_c] if self.points.size else 0, lengths[heads]).astype(np.int64)
        event = stored[group] | ~head
        queries = 0
        collision: tuple[int, int] | None = None
        if event.any():
            queries, collision = _replay_events(spec, np.flatnonzero(event), group, ref_start, ref_len, ids, starts, lengths, tally)
            if collision is not None:
                return queries, collision
        # longest trail per group (ties: the reference, then the lowest walk index)
        best_len = ref_len.copy()
        best_start = ref_start.copy()
        longer = lengths > best_len[group]
        if longer.any():
            cand = np.flatnonzero(longer)
            # for each group, the longest candidate; lexsort by (−length, id) inside the group
            o = np.lexsort((ids[cand], -lengths[cand], group[cand]))
            cand = cand[o]
            first_of_group = np.ones(cand.size, dtype=bool)
            first_of_group[1:] = group[cand][1:] != group[cand][:-1]
            win = cand[first_of_group]
            best_len[group[win]] = lengths[win]
            best_start[group[win]] = starts[win]
        old = np.where(stored, ref_len, 0)
        self.covered += int((best_len - old).sum())
        if stored.any():
            self.lengths[pos[stored]] = best_len[stored]
            self.starts[pos[stored]] = best_start[stored]
        new = ~stored
        if new.any():  # gpts is sorted, so inserting at the search positions keeps the store sorted (linear time)
            at = pos[new]
            self.points = np.insert(self.points, at, gpts[new])
            self.starts = np.insert(self.starts, at, best_start[new])
            self.lengths = np.insert(self.lengths, at, best_len[new])
        return queries, None


class _CompiledStore:
    """[`_Store`][_Store] as a compiled hash table ([qenergy.classical._numba_store][]): the same merges, replays,
    collisions and store, in time linear in a round's walks (the sorted store costs a pass over all its
    points per round). Used with the compiled walks."""

    def __init__(self, expected_points: float = 0.0) -> None:
        import importlib

        self._k = importlib.import_module(f"{__package__}._numba_store")
        self._bits = 10
        while (1 << self._bits) < min(2.5 * expected_points, 2.0**27):  # sized for the points a search expects: rarely doubles
            self._bits += 1
        self._table = self._k.new_table(self._bits)
        self._count = 0
        self.covered = 0

    def __len__(self) -> int:
        return self._count

    def _reserve(self, more: int) -> None:
        """Grow (double until) the table stays at most half full with ``more`` points."""
        bits = self._bits
        while 2 * (self._count + more) > (1 << bits):
            bits += 1
        if bits != self._bits:
            new = self._k.new_table(bits)
            self._k.grow(self._table, self._bits, new, bits)
            self._table, self._bits = new, bits

    def merge(self, spec: _Spec, ids: NDArray[np.int64], starts: NDArray[np.uint64], points: NDArray[np.uint64],
              lengths: NDArray[np.int64], tally: list[int] | None = None) -> tuple[int, tuple[int, int] | None]:
        """As [`_Store.merge`][_Store.merge]: merge a round's completed walks, replay every DP reached twice; returns
        (replay queries, collision); the store is updated only when no collision was found."""
        if ids.size == 0:
            return 0, None
        self._reserve(int(ids.size))  # before the lookup: its slots stay valid for the commit
        group, groups, slot, gpoint, ref_start, ref_len, head, ev = self._k.merge_lookup(self._table, self._bits, ids, starts, points, lengths)
        queries = 0
        if ev.size:
            queries, collision = _replay_events(spec, ev, group, ref_start, ref_len, ids, starts, lengths, tally)
            if collision is not None:
                return queries, collision
        covered, added = self._k.merge_commit(self._table, self._bits, group, groups, slot, gpoint, ref_start, ref_len, head,
                                              ids, starts, lengths)
        self.covered += int(covered)
        self._count += int(added)
        return queries, None


def _exhaustive(oracle: Oracle, charge: Callable[[int], None], n: int) -> tuple[int, tuple[int, int] | None]:
    """Query 0, 1, …, 2^(n−1) in batches until f repeats; charge every batch evaluated. Returns (queries, collision).

    The inputs are 0, 1, 2, … in order, so the earlier input of a repeat is its index; memory: 16
    bytes per query (the values in order and sorted).
    """
    cap = query_cap(n)
    seen_f: list[NDArray[np.uint64]] = []
    seen = SeenAnswers()
    total, size = 0, _FALLBACK_FIRST
    while total < cap:
        xs = np.arange(total, min(cap, total + size), dtype=np.uint64)
        with signals_deferred():  # a batch evaluated is a batch charged, also when interrupted
            out = oracle.evaluate(xs)
            charge(int(xs.size))
        hit = seen.add(out)
        if hit >= 0:
            earlier = np.concatenate((*seen_f, out[:hit]))
            return total + int(xs.size), (int(np.flatnonzero(earlier == out[hit])[0]), total + hit)
        seen_f.append(out)
        total += int(xs.size)
        size = min(2 * size, _FALLBACK_MAX)
    return total, None


# ---------------------------------------------------------------------------------------------
# Running chunks: in this process or on Dask.


class _Serial:
    """Runs the chunks of a round one after another in this process (when the round is finished)."""

    workers = 1
    resubmitted = 0
    #: False: a round runs only when it is finished, so nothing is started ahead of the merge.
    ahead = False
    #: What an interrupted round could not charge (nothing here: every evaluation is tallied as it is made).
    uncharged: dict[str, Any] = {}

    def start(self, spec: _Spec, chunks: list[_Lanes]) -> Any:
        return spec, chunks

    def finish(self, handle: Any, tally: list[int] | None = None) -> list[_ChunkOut]:
        spec, chunks = handle
        return [_advance_chunk(spec, c, tally) for c in chunks]

    def abandon(self, handle: Any, tally: list[int] | None) -> None:
        pass

    def discard(self, handle: Any) -> None:
        pass


class _OnDask:
    """Runs the chunks of a round as Dask tasks; a chunk lost with its worker is resubmitted.

    The next round is started ([`start`][start]) as soon as the lanes of a round are back, before the
    client merges that round's distinguished points, so the merge runs while the workers walk. When
    the merge decides the search, the round started ahead is discarded ([`discard`][discard]): it is
    never charged, so the charges are those of the serial run.
    """

    ahead = True

    def __init__(self, client: Any, workers: int) -> None:
        self.client = client
        self.workers = workers
        self.resubmitted = 0
        #: What an interrupted round could not charge: chunks still running on workers when it stopped.
        self.uncharged: dict[str, Any] = {}
        import uuid

        self.stop_event = f"qenergy-parallel-rho-stop-{uuid.uuid4().hex}"

    def start(self, spec: _Spec, chunks: list[_Lanes]) -> Any:
        spec = replace(spec, stop_event=self.stop_event)
        return spec, chunks, [self.client.submit(_advance_chunk, spec, c, pure=False) for c in chunks]

    def discard(self, handle: Any) -> None:
        self.client.cancel(handle[2])

    def abandon(self, handle: Any, tally: list[int] | None) -> None:
        """Interrupted with a round started ahead: tally its chunks that finish within the grace period (charged), cancel the rest."""
        self._collect_after_interrupt(handle[2], tally)

    def finish(self, handle: Any, tally: list[int] | None = None) -> list[_ChunkOut]:
        from concurrent.futures import CancelledError

        from distributed.scheduler import KilledWorker

        lost = (KilledWorker, CancelledError, OSError, TimeoutError)
        spec, chunks, futures = handle
        out: list[_ChunkOut] = []
        try:
            for i in range(len(futures)):
                for attempt in range(MAX_RESUBMITS + 1):
                    try:
                        out.append(futures[i].result())
                        if tally is not None:
                            tally[0] += out[-1].queries
                        break
                    except lost as exc:
                        if attempt == MAX_RESUBMITS:
                            raise RuntimeError(f"parallel-rho chunk {i} was lost {MAX_RESUBMITS + 1} times ({type(exc).__name__}: {exc})") from exc
                        futures[i] = self.client.submit(_advance_chunk, spec, chunks[i], pure=False)
                        self.resubmitted += 1
        except KeyboardInterrupt:
            self._collect_after_interrupt(futures[len(out):], tally)
            raise
        return out

    def _collect_after_interrupt(self, pending: list[Any], tally: list[int] | None) -> None:
        """Interrupted while chunks ran on workers: give them [`INTERRUPT_GRACE_S`][INTERRUPT_GRACE_S] seconds to finish and tally
        those that did (their evaluations get charged); cancel the rest and record what they were."""
        import distributed

        dist: Any = distributed  # untyped library
        with signals_deferred():  # a second Ctrl-C waits for the grace period, which is bounded
            with contextlib.suppress(Exception):  # running chunks stop within STOP_CHECK_S and return their work
                dist.Event(self.stop_event, client=self.client).set()
            try:
                dist.wait(pending, timeout=INTERRUPT_GRACE_S)
            except Exception:
                pass
            unfinished = 0
            for fut in pending:
                try:
                    if fut.status == "finished":
                        if tally is not None:
                            tally[0] += fut.result(timeout=INTERRUPT_GRACE_S).queries
                        continue
                except Exception:
                    pass
                unfinished += 1
                with contextlib.suppress(Exception):
                    fut.cancel()
            if unfinished:
                self.uncharged = {"chunks_not_charged": unfinished,
                                  "why": f"{unfinished} chunk(s) were still running on Dask workers {INTERRUPT_GRACE_S:g} s after "
                                         "the interruption (or their workers stopped); their evaluations are not known here and are not charged"}


def _connect(stack: contextlib.ExitStack, workers: int | None, scheduler: str | None) -> tuple[Any, int]:
    """A Dask client and the number of chunks per round: ``workers`` if given, else the cluster's worker count."""
    try:
        import dask.distributed
    except ImportError:
        raise InputError("parallel-rho on Dask needs dask[distributed]; allowed: pip install 'qenergy[dask]', or workers=None") from None
    dd: Any = dask.distributed  # untyped library
    stack.enter_context(_quiet_dask_logs())
    if scheduler is not None:
        probe_scheduler(scheduler)  # the handshake too, under the timeout: a non-Dask service is refused at once
        try:
            client = stack.enter_context(dd.Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s"))
        except Exception as exc:
            raise InputError(f"scheduler {scheduler!r} cannot be reached within {SCHEDULER_TIMEOUT_S:g} s ({type(exc).__name__}); "
                             "allowed: the address of a running Dask scheduler, e.g. tcp://HOST:8786") from None
        count = workers if workers is not None else max(1, len(client.scheduler_info().get("workers", {})))
        return client, count
    assert workers is not None
    cluster = stack.enter_context(dd.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                                  silence_logs=logging.CRITICAL))
    return stack.enter_context(dd.Client(cluster)), workers


def _warm_worker(kernel: str) -> float:
    """Run on every Dask worker before the search: load the kernels there (start-up, not search); returns seconds,
    or −1 when numba cannot be imported on that worker (an existing cluster's workers may lack the ``fast`` extra)."""
    from qenergy.problem.kernels import numba_available

    if kernel == "numba" and not numba_available():
        return -1.0
    return warm_up_core(kernel) + warm_up(kernel)
@contextlib.contextmanager
def _quiet_dask_logs() -> Any:
    """Keep Dask's own log lines (e.g. ``CommClosedError`` tracebacks while a cluster shuts down) out of the
    user's terminal for the duration of the search; errors that matter reach the user as exceptions."""
    loggers = [logging.getLogger(name) for name in ("distributed", "dask", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def probe_scheduler(address: str, timeout_s: float | None = None) -> None:
    """Check that a Dask scheduler answers at ``address``: connect and complete Dask's handshake within ``timeout_s``.

    Dask's own connection applies its timeout to the connection only, not to the handshake that follows,
    so a service of another kind on the port (which accepts and then stays silent, or answers with
    something else) would block or fail deep inside Dask; here it is refused within the timeout.

    Raises:
        InputError: a malformed address, ``tls://`` (qenergy passes no TLS certificates), or no Dask
            scheduler answering there within ``timeout_s`` (the message names the address).
    """
    import asyncio

    check_scheduler_address(address, flag="scheduler")
    timeout_s = SCHEDULER_TIMEOUT_S if timeout_s is None else timeout_s
    if address.startswith("inproc://"):
        return
    if address.startswith("tls://"):
        raise InputError(f"scheduler {address!r} is not allowed: tls:// needs TLS certificates, which qenergy does not take; "
                         "allowed: tcp://HOST:PORT (or HOST:PORT)")
    import distributed.comm

    connect: Any = getattr(distributed.comm, "connect")  # noqa: B009 - untyped library

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout_s), timeout_s)
        await comm.close()

    try:
        with _quiet_dask_logs():
            asyncio.run(handshake())
    except Exception as exc:
        raise InputError(f"scheduler {address!r} cannot be reached within {timeout_s:g} s (no Dask scheduler answered: {type(exc).__name__}); "
                         "allowed: the address of a running Dask scheduler, e.g. tcp://HOST:8786") from None


def _split(total: int, parts: int) -> list[tuple[int, int]]:
    """``total`` lanes as ``parts`` contiguous (first, count) ranges, sizes differing by at most one."""
    parts = max(1, min(parts, total))
    base, extra = divmod(total, parts)
    out, first = [], 0
    for i in range(parts):
        count = base + (1 if i < extra else 0)
        out.append((first, count))
        first += count
    return out


# ---------------------------------------------------------------------------------------------
# Input checks and the public entry point.


def _check_int(name: str, value: object, lo: int, hi: int, allowed: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= int(value) <= hi:
        raise InputError(f"{name} = {value!r} is not allowed; allowed: {allowed}")
    return int(value)


def check_parallel_rho(instance: SimonInstance, *, workers: int | None = None, scheduler: str | None = None,
                       distinguished_bits: int | None = None, walks_per_round: int | None = None,
                       steps_per_round: int | None = None) -> RhoParameters:
    """Check the inputs of [`parallel_rho_search`][parallel_rho_search] before anything is charged; returns the parameters used.

    Raises [`InputError`][InputError] for n > 64, workers < 1, a malformed scheduler address, d outside
    1..n−1, W outside 1..2^24, S outside 1..2^32, s = 0 with an exhaustive proof above
    [`MAX_FALLBACK_QUERIES`][MAX_FALLBACK_QUERIES] (n > 28), or planned queries above `MAX_PLANNED_QUERIES_PER_WORKER`
    per worker; [`ResourceLimitError`][ResourceLimitError] when the store
    (and the fallback's table for s = 0) would not fit in 80 % of the available memory.
    """
    n = instance.n
    if n > MAX_VECTOR_BITS:
        raise InputError(f"parallel-rho search at n = {n} is not allowed; allowed: n <= {MAX_VECTOR_BITS}")
    k = 1
    if workers is not None:
        k = _check_int("workers", workers, 1, 1 << 16, "an integer >= 1 (or None: this process)")
    if scheduler is not None:
        check_scheduler_address(scheduler, flag="scheduler")
    if n == 1:
        if distinguished_bits is not None:
            raise InputError(f"distinguished_bits = {distinguished_bits!r} is not allowed at n = 1; allowed: None "
                             "(n = 1 is decided by querying both inputs)")
        return RhoParameters(0, 1, 1)
    base = default_parameters(n, k)
    w = base.walks_per_round if walks_per_round is None else _check_int(
        "walks_per_round", walks_per_round, 1, MAX_WALKS_PER_ROUND, f"1 <= walks_per_round <= {MAX_WALKS_PER_ROUND}")
    d = base.distinguished_bits if distinguished_bits is None else _check_int(
        "distinguished_bits", distinguished_bits, 1, n - 1, f"1 <= distinguished_bits <= n - 1 = {n - 1}")
    s = base.steps_per_round if steps_per_round is None else _check_int(
        "steps_per_round", steps_per_round, 1, MAX_STEPS_PER_ROUND, f"1 <= steps_per_round <= {MAX_STEPS_PER_ROUND}")
    if walks_per_round is not None and distinguished_bits is None:
        t = expected_collision_queries(n)
        d = int(min(n - 1, max(1, round(math.log2(max(1.0, t / (16 * w)))))))
    if walks_per_round is not None and steps_per_round is None:
        s = int(max(1, math.ceil(expected_collision_queries(n) / (8 * w))))
    params = RhoParameters(d, w, s)
    planned = planned_queries(n, instance.secret, params)
    limit = MAX_PLANNED_QUERIES_PER_WORKER * k
    if not instance.secret and query_cap(n) > MAX_FALLBACK_QUERIES:
        largest = max(m for m in range(2, MAX_VECTOR_BITS + 1) if query_cap(m) <= MAX_FALLBACK_QUERIES)
        raise InputError(f"parallel-rho search at n = {n} (s = 0, one-to-one) would need {query_cap(n):,} queries in its exhaustive proof "
                         f"(~{query_cap(n) / 5e6:.3g} s at ~5 M/s); allowed: n <= {largest} for s = 0")
    if planned > limit:
        case = " (s = 0, one-to-one)" if not instance.secret else ""
        raise InputError(f"parallel-rho search at n = {n}{case} would make ~{planned:.3g} queries; allowed: at most {limit:,} planned "
                         f"queries ({MAX_PLANNED_QUERIES_PER_WORKER:,} per worker with {k} worker{'s' if k > 1 else ''})")
    points = planned / 2**d
    need = STORE_BYTES_PER_POINT * points + 32 * w + (16 * 2.0 ** (n - 1) if not instance.secret else 0.0)
    have = available_memory_bytes()
    if need > 0.8 * have:
        raise ResourceLimitError(f"parallel-rho search at n = {n} would hold ~{need / 2**30:.3g} GiB (distinguished points, lanes"
                                 f"{', the fallback table' if not instance.secret else ''}); this machine has {have / 2**30:.3g} GiB available")
    return params


def parallel_rho_search(
    instance: SimonInstance,
    ledger: Ledger,
    *,
    rng: np.random.Generator,
    policy: ChargePolicy | None = None,
    label: str = "",
    account: str = "classical",
    workers: int | None = None,
    scheduler: str | None = None,
    distinguished_bits: int | None = None,
    walks_per_round: int | None = None,
    steps_per_round: int | None = None,
    progress: bool = False,
    kernel: str | None = None,
) -> ParallelRhoResult:
    """Find s by parallel collision search with distinguished points, charging every query to ``account``.

    Args:
        instance: the Simon instance (n ≤ 64).
        ledger: where each round's queries are charged, in one bulk charge per round.
        rng: draws the walk permutation π and the start permutation (nothing else).
        policy: prices the queries (default `BoundsPolicy`).
        label: label of every charge.
        account: account of every charge.
        workers: None or 1: run in this process; K ≥ 2: a Dask ``LocalCluster`` of K worker
            processes (one thread each), closed at the end. With ``scheduler``: the number of
            chunks per round (default: the cluster's workers at connection).
        scheduler: address of a running Dask scheduler (``tcp://HOST:PORT``).
        distinguished_bits: d, 1 ≤ d ≤ n − 1; default from n and ``workers`` (`default_parameters`;
            ``workers=None`` counts as 1, also with a scheduler, whose size is not known before connecting).
        walks_per_round: W walks advanced together, 1 ≤ W ≤ 2^24; default from n and ``workers``.
        steps_per_round: S steps per walk and round, 1 ≤ S ≤ 2^32; default ⌈T/(8W)⌉.
        progress: show a tqdm bar on stderr (queries, queries/s, expected queries left).
        kernel: ``numba``, ``numpy`` or None (`qenergy.problem.kernels.resolve_kernel`: numba when installed);
            the same secret, queries and charges either way.

    Returns:
        `ParallelRhoResult`; ``found`` is s (0 when f is one-to-one, proven), ``queries`` the
        queries charged (= evaluations of f), ``collision`` (x, x') with x ⊕ x' = s, or None for s = 0.

    Raises:
        InputError: n > 64, a bad ``workers``/``scheduler``/``distinguished_bits``/``walks_per_round``/
            ``steps_per_round``, a scheduler that cannot be reached, Dask missing, or a search
            planned beyond `MAX_PLANNED_QUERIES_PER_WORKER` queries per worker.
        ResourceLimitError: the store would not fit in memory.
        RuntimeError: a chunk was lost with its worker more than `MAX_RESUBMITS` times.
    """
    n = instance.n
    params = check_parallel_rho(instance, workers=workers, scheduler=scheduler, distinguished_bits=distinguished_bits,
                                walks_per_round=walks_per_round, steps_per_round=steps_per_round)
    kernel = resolve_kernel(kernel)
    oracle = CountingOracle(instance, ledger, account=account, policy=policy, label=label)
    if n == 1:
        t0 = time.perf_counter()
        q, pair = _exhaustive(instance.oracle, oracle.record, n)
        wall = time.perf_counter() - t0
        return ParallelRhoResult("parallel-rho", pair[0] ^ pair[1] if pair else 0, oracle.queries, pair, kernel="numpy", search_s=wall,
                                 distinguished_points=0, queries_per_s=q / wall if wall > 0 else 0.0, workers=1, rounds=0,
                                 distinguished_bits=0, walks_per_round=1, steps_per_round=1, certified_distinct=0 if pair else q,
                                 decided_by="exhaustive", wall_s=wall)
    d, w, s = params.distinguished_bits, params.walks_per_round, params.steps_per_round
    spec = _Spec(instance.oracle, KeyedPermutation.from_rng(n, rng), KeyedPermutation.from_rng(n, rng), w, d, CAP_FACTOR << d, s, kernel)
    with contextlib.ExitStack() as stack:
        t0 = time.perf_counter()
        warm_up_core(kernel)  # the client replays trails: its kernels too (and the disk cache the workers load from)
        warm_up(kernel)
        runner: _Serial | _OnDask
        if scheduler is not None or (workers is not None and workers > 1):
            client, k = _connect(stack, workers, scheduler)
            runner = _OnDask(client, k)
            if kernel == "numba" and min(client.run(_warm_worker, kernel).values(), default=0.0) < 0:
                spec = dataclasses.replace(spec, kernel="numpy")  # a worker of the cluster has no numba: every lane walks on numpy
        else:
            runner = _Serial()
        startup = time.perf_counter() - t0
        bar = None
        expected = planned_queries(n, 1, params)
        if progress:
            from tqdm import tqdm

            bar = stack.enter_context(tqdm(total=int(expected), unit="q", unit_scale=True, file=sys.stderr, desc="parallel-rho",
                                           dynamic_ncols=True))
        return _search(spec, oracle, runner, n, bar, expected, startup)


def _search(spec: _Spec, oracle: CountingOracle, runner: _Serial | _OnDask, n: int, bar: Any, expected: float,
            startup_s: float = 0.0) -> ParallelRhoResult:
    t0 = time.perf_counter()
    store: _Store | _CompiledStore = _CompiledStore(expected / 2**spec.dbits) if spec.compiled_walks else _Store()
    chunks = [_initial_lanes(spec, first, count) for first, count in _split(spec.lanes, runner.workers)]
    cap, budget = query_cap(n), _budget(n)
    rounds = discarded = 0
    pair: tuple[int, int] | None = None
    decided = ""
    tally = [0]  # evaluations of the round in progress not yet charged
    running: Any = None
    try:
        running = runner.start(spec, chunks)
        while True:
            outs = runner.finish(running, tally)
            running = None
            chunks = [o.lanes for o in outs]
            # on Dask the next round starts now and walks while this one is merged; discarded (never charged) if the merge decides
            running = runner.start(spec, chunks)
            replay_q, pair = store.merge(spec, np.concatenate([o.ids for o in outs]), np.concatenate([o.starts for o in outs]),
                                         np.concatenate([o.points for o in outs]), np.concatenate([o.lengths for o in outs]), tally)
            q = sum(o.queries for o in outs) + replay_q
            with signals_deferred():  # the round's charge and the tally's reset land together
                oracle.record(q)
                tally[0] = 0
                rounds += 1
            if bar is not None:  # postfix first: update() redraws the line with it
                bar.set_postfix(dp=len(store), left=f"{max(0.0, expected - oracle.queries):.3g}", refresh=False)
                bar.update(q)
            if pair is not None:
                decided = "collision"
            elif store.covered >= cap:
                decided = "coverage"
            elif oracle.queries >= budget:
                decided = "exhaustive"
            if decided:
                if runner.ahead:
                    discarded += 1
                runner.discard(running)
                running = None
                if decided == "exhaustive":
                    _, pair = _exhaustive(spec.oracle, oracle.record, n)
                break
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: charge what the interrupted rounds evaluated, say what was not
        if running is not None and runner.ahead:
            runner.abandon(running, tally)  # the round started ahead walked too: its finished chunks are charged
        with signals_deferred():
            if tally[0]:
                oracle.record(tally[0])
            exc.qenergy_details = {"algorithm": "parallel-rho", "rounds_completed": rounds,  # type: ignore[attr-defined]
                                   "queries_charged": oracle.queries, "charged_from_interrupted_round": tally[0], **getattr(runner, "uncharged", {})}
            tally[0] = 0
        raise
    wall = time.perf_counter() - t0
    # the replay compared f(x) with f(x') for x != x' (π is a bijection, so the points stay distinct until then)
    assert pair is None or pair[0] != pair[1]
    return ParallelRhoResult(
        algorithm="parallel-rho",
        found=(pair[0] ^ pair[1]) if pair else 0,
        queries=oracle.queries,
        collision=pair,
        distinguished_points=len(store),
        queries_per_s=oracle.queries / wall if wall > 0 else 0.0,
        workers=runner.workers,
        rounds=rounds,
        distinguished_bits=spec.dbits,
        walks_per_round=spec.lanes,
        steps_per_round=spec.steps,
        certified_distinct=store.covered,
        decided_by=decided,
        wall_s=wall,
        resubmitted_chunks=runner.resubmitted,
        kernel=spec.kernel,
        startup_s=startup_s,
        search_s=wall,
        kernel_note=kernel_note(spec.kernel),
        discarded_rounds=discarded,
    )


@dataclass(frozen=True)
class ParallelRhoSearch:
    """``parallel-rho``: parallel collision search with distinguished points, numpy lanes, optionally on Dask.

    A [qenergy.classical.base.ClassicalAlgorithm][]; the registry instantiates it without arguments
    (this process, default parameters). Configure a copy with [dataclasses.replace][], e.g.
    ``replace(get_algorithm("parallel-rho"), workers=2)``; the fields are the options of
    [`parallel_rho_search`][parallel_rho_search], checked by [`check`][check].
    """

    workers: int | None = None
    scheduler: str | None = None
    distinguished_bits: int | None = None
    walks_per_round: int | None = None
    steps_per_round: int | None = None
    progress: bool = False
    kernel: str | None = None

    name: ClassVar[str] = "parallel-rho"
    summary: ClassVar[str] = "parallel collision search with distinguished points (van Oorschot-Wiener), numpy lanes, Dask workers"

    def check(self, instance: SimonInstance) -> None:
        """Refuse, before anything is charged, a search that cannot run ([`check_parallel_rho`][check_parallel_rho])."""
        check_parallel_rho(instance, workers=self.workers, scheduler=self.scheduler, distinguished_bits=self.distinguished_bits,
                           walks_per_round=self.walks_per_round, steps_per_round=self.steps_per_round)

    def search(
        self,
        instance: SimonInstance,
        ledger: Ledger,
        *,
        rng: np.random.Generator,
        policy: ChargePolicy | None = None,
        account: str = "classical",
        label: str = "",
    ) -> ParallelRhoResult:
        """[`parallel_rho_search`][parallel_rho_search] with this object's options."""
        return parallel_rho_search(instance, ledger, rng=rng, policy=policy, account=account, label=label, workers=self.workers,
                                   scheduler=self.scheduler, distinguished_bits=self.distinguished_bits,
                                   walks_per_round=self.walks_per_round, steps_per_round=self.steps_per_round, progress=self.progress,
                                   kernel=self.kernel)
