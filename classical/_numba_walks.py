"""numba-compiled walks and replays of parallel-rho on the random oracle (imported only when numba is installed).

Bit-identical to [qenergy.classical.parallel_rho._advance_block][] and [qenergy.classical.parallel_rho._replay][]
(numpy) for f = π_f(min(x, x ⊕ s)): every lane is advanced step by step in the same order (all lanes
one step, then the distinguished points of that step in lane order), so the completed walks come
out in the same order, with the same queries and abandoned walks. One query is one evaluation of f.
Compiled with ``cache=True`` (once per machine, then loaded from numba's cache).
"""
# mypy: disallow-untyped-decorators=False

from __future__ import annotations

import numba
import numpy as np

from qenergy.problem._numba_kernels import permute

__all__ = ["advance_block", "replay_pairs", "warm"]


@numba.njit(cache=True)
def _grow(a, size):
    out = np.empty(size, dtype=a.dtype)
    out[: a.size] = a
    return out


@numba.njit(cache=True)
def _step(cur, secret, fkeys, wkeys):
    """cur[i] = π_w(f(cur[i])) for every lane: the hot loop, one array and no branch, so LLVM vectorises it
    (measured ~6x slower when fused with the length update and the distinguished-point scan)."""
    for i in range(cur.size):
        x = cur[i]
        y = x ^ secret
        cur[i] = permute(permute(x if x < y else y, fkeys), wkeys)


@numba.njit(cache=True)
def _scan(cur, start, k, length, first, w, dmask, cap, skeys, ids, starts, points, lengths, done):
    """After a step: record every lane at a distinguished point (from index ``done`` of the buffers, which have room
    for every lane), restart it and every lane whose walk reached ``cap`` steps. Returns (done, abandoned)."""
    nmask = skeys[8]
    aborted = 0
    for i in range(cur.size):
        c = cur[i]
        hit = (c & dmask) == 0
        if hit or length[i] >= cap:
            if hit:
                ids[done] = k[i] * w + first + i
                starts[done] = start[i]
                points[done] = c
                lengths[done] = length[i]
                done += 1
            else:
                aborted += 1
            k[i] += 1
            fresh = permute(np.uint64(k[i] * w + first + i) & nmask, skeys)
            start[i] = fresh
            cur[i] = fresh
            length[i] = 0
    return done, aborted


@numba.njit(cache=True)
def advance_block(cur, start, k, length, first, w, steps, dmask, cap, secret, fkeys, wkeys, skeys, expected):
    """Advance lanes first … first + len − 1 by ``steps`` steps x → π_w(f(x)); modifies cur, start, k, length.

    Returns (walk ids, starts, distinguished points, lengths, queries, abandoned walks): the walks that
    reached a distinguished point (low bits under ``dmask`` zero), in order of step then lane.
    ``expected``: a first guess of how many walks complete (the buffers grow as needed). The hot loop,
    the length update and the scan are separate functions: fused into one loop body, the kernel was
    measured 6x slower (LLVM did not vectorise it).
    """
    lanes = cur.size
    size = max(16, expected) + lanes
    ids = np.empty(size, dtype=np.int64)
    starts = np.empty(size, dtype=np.uint64)
    points = np.empty(size, dtype=np.uint64)
    lengths = np.empty(size, dtype=np.int64)
    done = 0
    aborted = 0
    for _ in range(steps):
        if size - done < lanes:
            size = 2 * size
            ids, starts, points, lengths = _grow(ids, size), _grow(starts, size), _grow(points, size), _grow(lengths, size)
        _step(cur, secret, fkeys, wkeys)
        _increment(length)
        done, more = _scan(cur, start, k, length, first, w, dmask, cap, skeys, ids, starts, points, lengths, done)
        aborted += more
    return ids[:done].copy(), starts[:done].copy(), points[:done].copy(), lengths[:done].copy(), lanes * steps, aborted


@numba.njit(cache=True)
def _increment(length):
    for i in range(length.size):
        length[i] += 1


@numba.njit(cache=True)
def replay_pairs(a, a_len, b, b_len, secret, fkeys, wkeys):
    """Replay pairs of trails (start, length) ending at the same point; returns (queries, collided, x, x').

    The longer trail is advanced by the difference of the lengths, then both step together until
    f(x) = f(x') (a collision, x ≠ x') or, when the aligned points are already equal, not at all (nested).
    """
    pairs = a.size
    collided = np.zeros(pairs, dtype=np.bool_)
    xa = np.zeros(pairs, dtype=np.uint64)
    xb = np.zeros(pairs, dtype=np.uint64)
    queries = 0
    for p in range(pairs):
        u, v = a[p], b[p]
        delta = a_len[p] - b_len[p]
        if delta < 0:
            u, v = v, u
            delta = -delta
        for _ in range(delta):
            y = u ^ secret
            u = permute(permute(u if u < y else y, fkeys), wkeys)
        queries += delta
        if u == v:
            continue
        while True:
            yu, yv = u ^ secret, v ^ secret
            fu = permute(u if u < yu else yu, fkeys)
            fv = permute(v if v < yv else yv, fkeys)
            queries += 2
            if fu == fv:
                collided[p], xa[p], xb[p] = True, u, v
                break
            u, v = permute(fu, wkeys), permute(fv, wkeys)
    return queries, collided, xa, xb


def warm() -> None:
    """Load every kernel here (compiling it the first time on a machine)."""
    from qenergy.problem._numba_kernels import pack_keys
    from qenergy.problem._numba_kernels import warm as warm_core

    warm_core()
    keys = pack_keys(8, (1, 2, 3, 4), (5, 7, 9, 11), 4)
    z = np.zeros(2, dtype=np.uint64)
    advance_block(np.arange(2, dtype=np.uint64), z.copy(), np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64), 0, 2, 1,
                  np.uint64(1), 40, np.uint64(3), keys, keys, keys, 4)
    one = np.ones(1, dtype=np.int64)  # two copies of one trail: nested, so the replay ends at once
    replay_pairs(np.ones(1, dtype=np.uint64), one, np.ones(1, dtype=np.uint64), one, np.uint64(3), keys, keys)
