"""Compiled (numba) and numpy kernels give the same bits, searches the same secrets, queries and charges;
without numba everything runs on numpy and says so."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from qenergy.classical import parallel_rho as pr
from qenergy.classical.birthday import birthday_search
from qenergy.classical.collision import SeenAnswers
from qenergy.classical.exhaustive import exhaustive_search
from qenergy.classical.parallel_rho import parallel_rho_search

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance
from qenergy.problem.kernels import KERNEL_ENV, NO_NUMBA_NOTE, kernel_note, resolve_kernel
from qenergy.problem.oracles import KeyedPermutation, RandomOracle

ROOT = Path(__file__).resolve().parent.parent


def charges(ledger):
    return [(c.account, c.resource, c.count, c.unit_j, c.basis, c.label) for c in ledger.charges]


def test_kernel_choice(monkeypatch):
    monkeypatch.delenv(KERNEL_ENV, raising=False)
    assert resolve_kernel("numpy") == "numpy"
    assert resolve_kernel(None) in ("numba", "numpy")
    monkeypatch.setenv(KERNEL_ENV, "numpy")
    assert resolve_kernel(None) == "numpy"
    assert resolve_kernel("auto") in ("numba", "numpy")  # the caller's choice wins over the environment
    monkeypatch.setenv(KERNEL_ENV, "fast")
    with pytest.raises(InputError, match="kernel 'fast' is not allowed; allowed: numba, numpy, auto"):
        resolve_kernel(None)
    assert kernel_note("numba") is None


numba = pytest.importorskip("numba")


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16, 31, 32, 33, 47, 48, 63, 64])
def test_permutation_and_random_oracle_are_bit_identical(n):
    rng = np.random.default_rng(n)
    for _trial in range(3):
        oracle = RandomOracle(n, int(rng.integers(0, 2**n - 1, dtype=np.uint64, endpoint=True)), rng=rng)
        pi = oracle.permutation
        for shape in [(0,), (1,), (1000,), (37, 5)]:
            xs = rng.integers(0, 2**n - 1, size=shape, dtype=np.uint64, endpoint=True)
            assert np.array_equal(pi.apply(xs, kernel="numba"), pi.apply(xs, kernel="numpy"))
            assert np.array_equal(oracle.evaluate(xs, kernel="numba"), oracle.evaluate(xs, kernel="numpy"))
        xs = rng.integers(0, 2**n - 1, size=4096, dtype=np.uint64, endpoint=True)
        a, b = xs.copy(), xs.copy()
        pi.apply(a, out=a, kernel="numba")
        pi.apply(b, out=b, kernel="numpy")
        assert np.array_equal(a, b)
        # and both against the textbook rounds on Python integers
        scalar = pi.scalar()
        assert [scalar(int(x)) for x in xs[:50]] == a[:50].tolist()


def _lanes(spec, rng, count, first):
    lanes = pr._initial_lanes(spec, first, count)
    # lanes part-way through walks of random lengths, some near the cap
    length = rng.integers(0, spec.cap, size=count).astype(np.int64)
    return pr._Lanes(first, lanes.cur, lanes.start, rng.integers(0, 5, size=count).astype(np.int64), length)


@pytest.mark.parametrize("n, dbits", [(12, 2), (20, 5), (40, 3), (64, 6)])
def test_walk_blocks_are_bit_identical(n, dbits):
    """One block of lanes: the same completed walks in the same order, the same state, abandoned walks and queries."""
    rng = np.random.default_rng(n)
    inst = make_instance(n, None, "random", seed=n)
    walk, starts = KeyedPermutation.from_rng(n, rng), KeyedPermutation.from_rng(n, rng)
    for cap in (pr.CAP_FACTOR << dbits, 3):  # the default cap and one that abandons walks all the time
        base = pr._Spec(inst.oracle, walk, starts, 300, dbits, cap, 50, "numpy")
        lanes = _lanes(base, rng, 257, 11)
        outs = {}
        for kernel in ("numpy", "numba"):
            spec = pr._Spec(inst.oracle, walk, starts, 300, dbits, cap, 50, kernel)
            copy = pr._Lanes(lanes.first, lanes.cur.copy(), lanes.start.copy(), lanes.k.copy(), lanes.length.copy())
            outs[kernel] = pr._advance_block(spec, copy)
        a, b = outs["numpy"], outs["numba"]
        assert (a.queries, a.aborted) == (b.queries, b.aborted) and a.ids.size > 0
        assert cap > 3 or a.aborted > 0
        for field in ("ids", "starts", "points", "lengths"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field
        for field in ("cur", "start", "k", "length"):
            assert np.array_equal(getattr(a.lanes, field), getattr(b.lanes, field)), field


def test_parallel_rho_round_at_64_bits_is_bit_identical():
    """n = 64 (no mask): one round of 2^14 lanes, compared chunk by chunk (a full search there is a benchmark)."""
    inst = make_instance(64, None, "random", seed=4)
    oracle = inst.oracle
    assert isinstance(oracle, RandomOracle)
    walk, starts = KeyedPermutation.from_rng(64, np.random.default_rng(1)), KeyedPermutation.from_rng(64, np.random.default_rng(2))
    spec = {k: pr._Spec(oracle, walk, starts, 1 << 14, 10, pr.CAP_FACTOR << 10, 64, k) for k in ("numpy", "numba")}
    outs = {k: pr._advance_chunk(s, pr._initial_lanes(s, 0, 1 << 14)) for k, s in spec.items()}
    assert outs["numpy"].points.size > 0 and outs["numpy"].queries == outs["numba"].queries == 64 << 14
    for field in ("ids", "starts", "points", "lengths"):
        assert np.array_equal(getattr(outs["numpy"], field), getattr(outs["numba"], field)), field


@pytest.mark.parametrize("family", ["random", "linear"])
@pytest.mark.parametrize("n, secret", [(2, None), (5, 0), (12, None), (16, 0), (20, None), (28, None), (36, None)])
def test_parallel_rho_searches_agree(family, n, secret):
    results = {}
    for kernel in ("numpy", "numba"):
        inst = make_instance(n, secret, family, seed=n)
        ledger = Ledger()
        r = parallel_rho_search(inst, ledger, rng=np.random.default_rng(n), kernel=kernel)
        assert r.found == inst.secret
        results[kernel] = (r, charges(ledger))
    (a, ca), (b, cb) = results["numpy"], results["numba"]
    assert (a.found, a.queries, a.collision, a.rounds, a.distinguished_points, a.certified_distinct, a.decided_by) == \
        (b.found, b.queries, b.collision, b.rounds, b.distinguished_points, b.certified_distinct, b.decided_by)
    assert ca == cb
    assert a.kernel == "numpy" and b.kernel == ("numba" if n > 1 else "numpy")
    assert a.startup_s < 0.1 and b.search_s > 0 and a.search_s == a.wall_s


def _trails(spec, starts_, dbits):
    """(point, length) of the walk x -> pi(f(x)) from each start to its first distinguished point (numpy)."""
    f, pi = spec.f(), spec.walk
    cur, length = starts_.copy(), np.zeros(starts_.size, dtype=np.int64)
    done = np.zeros(starts_.size, dtype=bool)
    while not done.all():
        act = np.flatnonzero(~done)
        cur[act] = pi.apply(f(cur[act]))
        length[act] += 1
        done[act] = (cur[act] & np.uint64((1 << dbits) - 1)) == 0
    return cur, length


def test_compiled_store_merges_as_the_sorted_store():
    """Rounds of real trails in shuffled walk-index order, with points reached by many walks, points stored by earlier
    rounds and repeated starts (tied lengths): the hash-table store makes the same replays, collisions, coverage and
    store as the sorted one."""
    n, dbits = 12, 3
    inst = make_instance(n, None, "random", seed=4)
    rng = np.random.default_rng(4)
    walk, starts = KeyedPermutation.from_rng(n, rng), KeyedPermutation.from_rng(n, rng)
    specs = {k: pr._Spec(inst.oracle, walk, starts, 64, dbits, 1 << 10, 8, k) for k in ("numpy", "numba")}
    a, b = pr._Store(), pr._CompiledStore(4.0)  # starts small: the table doubles during the rounds
    next_id, collisions, replays = 0, 0, 0
    for _ in range(40):
        m = int(rng.integers(0, 120))
        ids = rng.permutation(np.arange(next_id, next_id + m)).astype(np.int64)
        next_id += m
        st = rng.integers(0, 2**n, size=m).astype(np.uint64)
        st[m // 2 :] = st[: m - m // 2]  # repeated starts: the same trail twice, nested, tied lengths
        pts, ln = _trails(specs["numpy"], st, dbits)
        got_a = a.merge(specs["numpy"], ids, st.copy(), pts, ln)
        got_b = b.merge(specs["numba"], ids, st.copy(), pts, ln)
        assert got_a == got_b
        collisions += got_a[1] is not None
        replays += got_a[0]
        assert a.covered == b.covered and len(a) == len(b)
    table = b._table.reshape(-1, 4)
    table = table[table[:, 3] != 0]
    stored = {int(p): (int(s), int(length)) for p, s, length, _ in table}
    assert stored == {int(p): (int(s), int(length)) for p, s, length in zip(a.points, a.starts, a.lengths)}
    assert collisions > 0 and replays > 0 and len(stored) > 10


def test_compiled_replays_are_bit_identical():
    """Pairs of trails that merge and pairs that are nested: the same collisions and queries."""
    n, dbits = 16, 4
    inst = make_instance(n, None, "random", seed=9)
    rng = np.random.default_rng(9)
    walk, starts = KeyedPermutation.from_rng(n, rng), KeyedPermutation.from_rng(n, rng)
    spec_np = pr._Spec(inst.oracle, walk, starts, 4096, dbits, 1 << 20, 400, "numpy")
    out = pr._advance_block(spec_np, pr._initial_lanes(spec_np, 0, 4096))
    order = np.argsort(out.points, kind="stable")
    pts = out.points[order]
    same = np.flatnonzero(pts[1:] == pts[:-1])
    assert same.size > 10
    i, j = order[same], order[same + 1]
    args = (out.starts[i], out.lengths[i], out.starts[j], out.lengths[j])
    results = []
    for kernel in ("numpy", "numba"):
        spec = pr._Spec(inst.oracle, walk, starts, 4096, dbits, 1 << 20, 400, kernel)
        results.append(pr._replay(spec, *(a.copy() for a in args)))
    (qa, ca, xa, ya), (qb, cb, xb, yb) = results
    assert qa == qb and np.array_equal(ca, cb) and np.array_equal(xa[ca], xb[cb]) and np.array_equal(ya[ca], yb[cb])
    assert ca.any()
    assert all((int(x) ^ int(y)) == inst.secret for x, y in zip(xa[ca], ya[ca]))


def test_seen_hash_finds_the_first_repeat_seen_answers_finds():
    from qenergy.classical._numba_collision import SeenHash

    rng = np.random.default_rng(7)
    for trial in range(300):
        universe = int(rng.integers(2, 200)) if trial % 2 else 2**64 - 1
        seen = np.unique(rng.integers(0, universe, size=int(rng.integers(0, 40)), dtype=np.uint64, endpoint=True))
        out = rng.integers(0, universe, size=int(rng.integers(1, 60)), dtype=np.uint64, endpoint=True)
        if trial % 3 == 0 and seen.size:
            out[int(rng.integers(0, out.size))] = seen[int(rng.integers(0, seen.size))]
        if trial % 5 == 0:
            out[int(rng.integers(0, out.size))] = 0  # 0 is tracked apart from the table
        parts = np.array_split(seen, int(rng.integers(1, 4)))
        a, b = SeenAnswers(), SeenHash(expected=int(rng.integers(0, 5000)))
        for part in parts:
            assert a.add(part) == b.add(part) == -1
        assert a.add(out) == b.add(out), trial
    # growth past the first table, across many batches
    big = SeenHash()
    values = np.random.default_rng(1).permutation(1 << 16).astype(np.uint64)
    for part in np.array_split(values, 40):
        assert big.add(part) == -1
    assert big.size == 1 << 16 and big.add(np.array([5, 1 << 20, 7], dtype=np.uint64)) == 0


@pytest.mark.parametrize("n, secret", [(1, None), (3, 0), (8, None), (16, None), (16, 0), (24, None), (30, None), (40, None)])
def test_birthday_and_exhaustive_agree(n, secret):
    for search in (birthday_search, exhaustive_search):
        if search is exhaustive_search and n > 24:
            continue
        results = {}
        for kernel in ("numpy", "numba"):
            inst = make_instance(n, secret, "random", seed=n + 100)
            ledger = Ledger()
            if search is birthday_search:
                r = search(inst, ledger, rng=np.random.default_rng(n), kernel=kernel)
            else:
                from qenergy.classical.collision import collision_search
                from qenergy.classical.exhaustive import sequential_inputs

                r = collision_search("exhaustive", inst, ledger, sequential_inputs, kernel=kernel)
            assert r.found == inst.secret and r.kernel == kernel
            results[kernel] = (r.found, r.queries, r.collision, charges(ledger))
        assert results["numpy"] == results["numba"]


def _without_numba(tmp_path):
    """An environment in which ``import numba`` fails (a package of that name that raises ImportError)."""
    block = tmp_path / "block"
    (block / "numba").mkdir(parents=True)
    (block / "numba" / "__init__.py").write_text("raise ImportError('numba is blocked for this test')\n")
    env = {k: v for k, v in os.environ.items() if k != KERNEL_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(block), str(ROOT), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.parametrize("algorithm", ["parallel-rho", "birthday"])
def test_without_numba_everything_runs_on_numpy_and_says_so(tmp_path, algorithm):
    env = _without_numba(tmp_path)
    cmd = [sys.executable, "-m", "qenergy", "simon", "--backend", "none", "--classical", algorithm, "--oracle", "random",
           "--n", "30", "--seed", "5", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    c = json.loads(done.stdout)["classical"]
    assert c["correct"] and c["kernel"] == "numpy" and c["kernel_note"] == NO_NUMBA_NOTE
    assert c["search_s"] > 0 and c["queries_per_s"] > 0 and c["startup_s"] < 0.5
    # asking for numba there is refused in one line, before anything runs
    env[KERNEL_ENV] = "numba"
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "numba is not installed" in done.stderr


def test_with_numba_the_cli_reports_the_compiled_kernel(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != KERNEL_ENV}
    cmd = [sys.executable, "-m", "qenergy", "simon", "--backend", "none", "--classical", "parallel-rho", "--oracle", "random",
           "--n", "30", "--seed", "5", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    c = json.loads(done.stdout)["classical"]
    assert c["correct"] and c["kernel"] == "numba" and c["kernel_note"] is None and c["startup_s"] > 0
