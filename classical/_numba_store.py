"""The distinguished-point store of parallel-rho as a compiled hash table (imported only when numba is installed).

[`merge_lookup`][merge_lookup] and [`merge_commit`][merge_commit] do what
[qenergy.classical.parallel_rho._Store.merge][] does with sorts, searches and inserts on sorted arrays,
with the same results (the same replays, collision and store), in time linear in the round's walks
instead of the store's size: the store is an open-addressing table (linear probing, multiplicative
hashing, at most half full; each slot four words: point, start, length and an occupancy word, so
the point 0 is a key like any other, and a probe touches one cache line) of point → (start,
length) of the longest trail seen ending there. The round's walks are visited
in any order; the walk of lowest index reaching a new point is its group's head (as the numpy
merge's ordering by (point, walk index) makes it), and ties keep the reference, then the lowest
walk index. Memory: 32
bytes per slot, at most 2.5 slots per point (80 bytes per stored point, more while the table doubles).
"""
# mypy: disallow-untyped-decorators=False

from __future__ import annotations

import numba
import numpy as np

__all__ = ["grow", "merge_commit", "merge_lookup", "new_table", "warm"]

#: 2^64 / φ, odd: Knuth's multiplicative hash.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def new_table(bits: int) -> np.ndarray:
    """An empty table of 2^bits slots of four words each: point, start, length, occupied (one slot: half a cache line)."""
    return np.zeros(4 << bits, dtype=np.uint64)


@numba.njit(cache=True, inline="always")
def _find(table, bits, point):
    """The word index of the slot holding ``point``, or of the empty slot where it would go."""
    mask = np.uint64((1 << bits) - 1)
    h = (point * _GOLDEN) >> np.uint64(64 - bits)
    while table[4 * h + 3] and table[4 * h] != point:
        h = (h + np.uint64(1)) & mask
    return 4 * h


@numba.njit(cache=True)
def grow(table, bits, new_table, new_bits):
    """Copy every entry of the table into the (empty, larger) new one."""
    for h in range(0, table.size, 4):
        if table[h + 3]:
            g = _find(new_table, new_bits, table[h])
            new_table[g : g + 4] = table[h : h + 4]


@numba.njit(cache=True)
def merge_lookup(table, bits, ids, starts, points, lengths):
    """Group a round's completed walks by point against the store (read only).

    Returns (group, groups, group_slot, group_point, ref_start, ref_len, head, events): ``group[i]`` walk i's
    group; per group (the first ``groups`` entries) its store slot (−1 when new), point, reference trail (the
    stored one, else its head's) and head (the walk of lowest index reaching it; −1 for a stored point);
    ``events`` the walks to replay against their group's reference: every walk of a stored group, every
    walk but the head of a new one (in no particular order: the caller picks the collision of lowest walk
    index, and the replays' queries do not depend on their order).
    """
    m = ids.size
    rbits = 4
    while (1 << rbits) < 2 * m:
        rbits += 1
    rtable = np.zeros(4 << rbits, dtype=np.uint64)  # this round's points: word 1 holds the group
    group = np.empty(m, dtype=np.int64)
    group_slot = np.empty(m, dtype=np.int64)
    group_point = np.empty(m, dtype=np.uint64)
    ref_start = np.empty(m, dtype=np.uint64)
    ref_len = np.empty(m, dtype=np.int64)
    head = np.empty(m, dtype=np.int64)
    groups = 0
    for i in range(m):
        p = points[i]
        r = _find(rtable, rbits, p)
        if rtable[r + 3]:
            g = np.int64(rtable[r + 1])
            if head[g] >= 0 and ids[i] < ids[head[g]]:  # a new point's head is its walk of lowest index
                head[g] = i
                ref_start[g], ref_len[g] = starts[i], lengths[i]
        else:
            g = np.int64(groups)
            groups += 1
            rtable[r], rtable[r + 1], rtable[r + 3] = p, np.uint64(g), 1
            h = _find(table, bits, p)
            group_point[g] = p
            if table[h + 3]:
                group_slot[g] = np.int64(h)
                head[g] = -1
                ref_start[g], ref_len[g] = table[h + 1], np.int64(table[h + 2])
            else:
                group_slot[g] = -1
                head[g] = i
                ref_start[g], ref_len[g] = starts[i], lengths[i]
        group[i] = g
    events = np.empty(m, dtype=np.int64)
    n_events = 0
    for i in range(m):
        if head[group[i]] != i:
            events[n_events] = i
            n_events += 1
    return group, groups, group_slot, group_point, ref_start, ref_len, head, events[:n_events]


@numba.njit(cache=True)
def merge_commit(table, bits, group, groups, group_slot, group_point, ref_start, ref_len, head, ids, starts,
                 lengths):
    """Keep per group the longest trail (ties: the reference, then the lowest walk index) and write the store;
    returns (Σ lengths added to the covered inputs, new points). The table must have room for ``groups`` more."""
    best_start = ref_start[:groups].copy()
    best_len = ref_len[:groups].copy()
    best = head[:groups].copy()  # the walk holding the best trail; −1: the stored reference
    for i in range(ids.size):
        g = group[i]
        if lengths[i] > best_len[g] or (lengths[i] == best_len[g] and best[g] >= 0 and ids[i] < ids[best[g]]):
            best_len[g], best_start[g], best[g] = lengths[i], starts[i], i
    covered = 0
    added = 0
    for g in range(groups):
        h = group_slot[g]
        if h >= 0:
            covered += best_len[g] - ref_len[g]
            table[h + 1], table[h + 2] = best_start[g], np.uint64(best_len[g])
        else:
            covered += best_len[g]
            s = _find(table, bits, group_point[g])
            table[s], table[s + 1], table[s + 2], table[s + 3] = group_point[g], best_start[g], np.uint64(best_len[g]), 1
            added += 1
    return covered, added


def warm() -> None:
    """Load every kernel here (compiling it the first time on a machine)."""
    a, e = new_table(4), new_table(5)
    ids = np.arange(3, dtype=np.int64)
    st = np.arange(3, dtype=np.uint64)
    pts = np.array([0, 8, 0], dtype=np.uint64)
    ln = np.ones(3, dtype=np.int64)
    grp, groups, slot, gpoint, rstart, rlen, head, _ = merge_lookup(a, 4, ids, st, pts, ln)
    merge_commit(a, 4, grp, groups, slot, gpoint, rstart, rlen, head, ids, st, ln)
    grow(a, 4, e, 5)
