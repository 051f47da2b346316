"""Parallel collision search with distinguished points (classical/parallel_rho.py), serial and on Dask."""

import os
from pathlib import Path

import numpy as np
import pytest
from qenergy.classical import exhaustive_search
from qenergy.classical import parallel_rho as pr
from qenergy.classical.collision import query_cap
from qenergy.classical.parallel_rho import ParallelRhoResult, default_parameters, expected_collision_queries, parallel_rho_search
from qenergy.classical.result import ClassicalResult

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy
from qenergy.problem.instance import SimonInstance, make_instance
from qenergy.problem.oracles import KeyedPermutation, Oracle, _mask


class CountedOracle(Oracle):
    """Delegates to ``inner`` and counts every input it evaluates (the independent count of queries)."""

    def __init__(self, inner: Oracle) -> None:
        super().__init__(inner.n, inner.secret)
        self.inner = inner
        self.kind = inner.kind
        self.evaluations = 0

    def evaluate(self, x):
        out = self.inner.evaluate(x)
        self.evaluations += int(out.size)
        return out


class KillingOracle(Oracle):
    """Delegates to ``inner``; in a process other than ``parent``, once ``armed`` exists, the 10th evaluation
    of this copy exits its process (a worker dying mid-chunk). Only one process ever dies (``killed`` is created
    exclusively)."""

    def __init__(self, inner: Oracle, armed: Path, killed: Path, parent: int) -> None:
        super().__init__(inner.n, inner.secret)
        self.inner, self.armed, self.killed, self.parent = inner, str(armed), str(killed), parent
        self.kind = inner.kind
        self.calls = 0

    def evaluate(self, x):
        self.calls += 1
        if self.calls >= 10 and os.getpid() != self.parent and os.path.exists(self.armed):
            try:
                fd = os.open(self.killed, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                os._exit(1)
        return self.inner.evaluate(x)


class ArmingPolicy(BoundsPolicy):
    """Charges like :class:`BoundsPolicy`; after the first charge (the first merged round) creates ``armed``."""

    def __init__(self, armed: Path) -> None:
        super().__init__()
        self.armed = armed

    def charge_queries(self, ledger, n, queries, **kw):
        super().charge_queries(ledger, n, queries, **kw)
        self.armed.touch()


def instance(n, s, family, seed, tmp_path):
    if family == "table":
        path = tmp_path / f"t{n}_{s}_{seed}.txt"
        path.write_text("\n".join(str(int(v)) for v in make_instance(n, s, "random", seed=seed).oracle.truth_table()))
        inst = make_instance(n, None, f"table:{path}")
        assert inst.secret == (s or 0)
        return inst
    return make_instance(n, s, family, seed=seed)


def charges(ledger):
    return [(c.account, c.resource, c.count, c.unit_j, c.basis, c.label) for c in ledger.charges]


@pytest.mark.parametrize("family", ["linear", "random", "table"])
@pytest.mark.parametrize("n", range(2, 17))
def test_finds_what_exhaustive_search_finds_and_charges_every_evaluation(family, n, tmp_path):
    for seed in range(3):
        secret = int(np.random.default_rng(100 * n + seed).integers(1, 1 << n))
        for s in (secret, 0):
            inst = instance(n, s, family, seed, tmp_path)
            counted = CountedOracle(inst.oracle)
            ledger = Ledger()
            r = parallel_rho_search(SimonInstance(counted), ledger, rng=np.random.default_rng(seed))
            assert isinstance(r, ParallelRhoResult) and isinstance(r, ClassicalResult) and r.algorithm == "parallel-rho"
            assert r.found == exhaustive_search(inst, Ledger()).found == s
            # every evaluation of f is charged, in bulk, and nothing else is
            assert r.queries == counted.evaluations == ledger.counts("classical", "query")
            assert ledger.counts("classical", "bit_erased") == (n - 1) * r.queries
            if s:
                x, x2 = r.collision
                assert x != x2 and x ^ x2 == s and inst.oracle.evaluate_int(x) == inst.oracle.evaluate_int(x2)
                assert r.decided_by in ("collision", "exhaustive")
            else:
                assert r.collision is None and r.one_to_one
                assert r.decided_by in ("coverage", "exhaustive")
                if r.decided_by == "coverage":  # the proof: 2^(n−1) + 1 distinct inputs with distinct outputs
                    assert r.certified_distinct >= query_cap(n)
                else:
                    assert r.queries >= query_cap(n)


def test_one_bit():
    for s in (0, 1):
        ledger = Ledger()
        r = parallel_rho_search(make_instance(1, s, "random", seed=0), ledger, rng=np.random.default_rng(0))
        assert r.found == s and r.queries == 2 == ledger.counts("classical", "query") and r.decided_by == "exhaustive"


def test_two_to_one_runs_are_decided_by_collisions_near_the_birthday_bound():
    """Mean queries of 60 runs at n = 20 lie within [0.8, 2]·T (T = 1.2533·2^10 ≈ 1283; observed ≈ 1.16·T, sd/√60 ≈ 0.07·T).

    A walk that lost its randomness (e.g. without π, iterating a linear f) or a detection that missed
    merges would need far more; a search that stopped before a real collision would be caught above.
    """
    t = expected_collision_queries(20)
    for family in ("linear", "random"):
        runs = [parallel_rho_search(make_instance(20, None, family, seed=s), Ledger(), rng=np.random.default_rng(s)) for s in range(60)]
        assert all(r.found == make_instance(20, None, family, seed=s).secret and r.decided_by == "collision" for s, r in enumerate(runs))
        assert 0.8 * t < np.mean([r.queries for r in runs]) < 2.0 * t


def test_result_figures_and_determinism():
    inst = make_instance(30, None, "random", seed=4)
    a = parallel_rho_search(inst, Ledger(), rng=np.random.default_rng(7))
    b = parallel_rho_search(inst, Ledger(), rng=np.random.default_rng(7))
    assert (a.found, a.queries, a.collision, a.rounds, a.distinguished_points) == (b.found, b.queries, b.collision, b.rounds, b.distinguished_points)
    p = default_parameters(30)
    assert (a.distinguished_bits, a.walks_per_round, a.steps_per_round) == (p.distinguished_bits, p.walks_per_round, p.steps_per_round)
    assert a.workers == 1 and a.rounds >= 1 and a.distinguished_points > 0 and a.queries_per_s > 0 and a.wall_s > 0
    # a round is W·S walk queries plus its replays; every round but the last found no collision
    assert a.queries >= a.rounds * a.walks_per_round * a.steps_per_round


class ChunkedSerial(pr._Serial):
    """Runs a round's chunks in this process, like the Dask runner, with ``workers`` chunks."""

    def __init__(self, workers):
        self.workers = workers

    def finish(self, handle, tally=None):
        spec, chunks = handle
        assert len(chunks) == min(self.workers, spec.lanes)
        return super().finish(handle, tally)


@pytest.mark.parametrize("family", ["linear", "random"])
def test_results_do_not_depend_on_how_the_lanes_are_split(family):
    """Any number of chunks (lanes 37, uneven splits, more than one block) gives the same search."""
    inst = make_instance(24, None, family, seed=2)
    results = []
    for k, lanes in [(1, 37), (2, 37), (5, 37), (1, pr.LANE_BLOCK + 3), (3, pr.LANE_BLOCK + 3)]:
        ledger = Ledger()
        spec = pr._Spec(inst.oracle, KeyedPermutation.from_rng(24, np.random.default_rng(1)), KeyedPermutation.from_rng(24, np.random.default_rng(2)),
                        lanes, 5, 20 << 5, 7)
        from qenergy.problem.queries import CountingOracle

        r = pr._search(spec, CountingOracle(inst, ledger), ChunkedSerial(k), 24, None, 1.0)
        assert r.found == inst.secret and r.workers == k
        results.append(((lanes, r.found, r.queries, r.collision, r.rounds, r.distinguished_points), charges(ledger)))
    assert results[0] == results[1] == results[2]
    assert results[3] == results[4]


def test_replay_of_nested_trails_costs_the_offset_and_finds_no_collision():
    inst = make_instance(16, 0, "random", seed=1)  # one-to-one: every merge is nested
    spec = pr._Spec(inst.oracle, KeyedPermutation.from_rng(16, np.random.default_rng(3)), KeyedPermutation.from_rng(16, np.random.default_rng(4)),
                    1, 16, 1 << 30, 1)
    trail = [np.uint64(12345)]
    for _ in range(30):
        trail.append(spec.walk.apply(inst.oracle.evaluate(np.array([trail[-1]], dtype=np.uint64)))[0])
    # trail A from trail[0] (length 30), trail B from trail[i] (length 30 - i): both end at trail[30]
    a_start = np.array([trail[0]] * 3, dtype=np.uint64)
    b_start = np.array([trail[0], trail[4], trail[11]], dtype=np.uint64)
    q, collided, _, _ = pr._replay(spec, a_start, np.array([30, 30, 30]), b_start, np.array([30, 26, 19]))
    assert q == 0 + 4 + 11 and not collided.any()


def test_replay_of_merging_trails_finds_the_collision():
    inst = make_instance(16, 0b1011000000000001, "random", seed=1)
    s = inst.secret
    spec = pr._Spec(inst.oracle, KeyedPermutation.from_rng(16, np.random.default_rng(3)), KeyedPermutation.from_rng(16, np.random.default_rng(4)),
                    1, 16, 1 << 30, 1)
    x = np.uint64(777)
    # trails x → … (length 5) and x ⊕ s → … (length 5) merge after one step: f(x) = f(x ⊕ s)
    q, collided, xa, xb = pr._replay(spec, np.array([x], dtype=np.uint64), np.array([5]), np.array([x ^ np.uint64(s)], dtype=np.uint64), np.array([5]))
    assert collided[0] and {int(xa[0]), int(xb[0])} == {777, 777 ^ s} and q == 2


def test_keyed_permutation_apply_matches_the_textbook_rounds():
    """The in-place, blocked apply is bit-identical to v = (v + a) & mask; v ^= v >> shift; v = (v * m) & mask."""
    rng = np.random.default_rng(0)

    def textbook(p, v):
        mask, shift = _mask(p.n), np.uint64(p.shift)
        for a, m in zip(p.adds, p.muls):
            v = (v + np.uint64(a)) & mask
            v = v ^ (v >> shift)
            v = (v * np.uint64(m)) & mask
        return v

    for n in (1, 2, 7, 31, 32, 33, 48, 63, 64):
        p = KeyedPermutation.from_rng(n, rng)
        for size in (0, 1, 5, KeyedPermutation.BLOCK + 17):
            xs = rng.integers(0, 2**n, size=size, dtype=np.uint64)
            before = xs.copy()
            assert np.array_equal(p.apply(xs), textbook(p, xs)) and np.array_equal(xs, before)
            inplace = xs.copy()
            assert p.apply(inplace, out=inplace) is inplace and np.array_equal(inplace, textbook(p, xs))
        grid = rng.integers(0, 2**n, size=(3, 4), dtype=np.uint64)
        assert np.array_equal(p.apply(grid), textbook(p, grid))
        if n <= 12:
            assert np.unique(p.apply(np.arange(2**n, dtype=np.uint64))).size == 2**n
    # the scalar closure agrees too
    p = KeyedPermutation.from_rng(40, rng)
    xs = rng.integers(0, 2**40, size=50, dtype=np.uint64)
    assert [p.scalar()(int(v)) for v in xs] == p.apply(xs).tolist()
    with pytest.raises(ValueError, match="out must be"):
        p.apply(xs, out=np.empty(3, dtype=np.uint64))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"distinguished_bits": 0}, "distinguished_bits = 0 is not allowed; allowed: 1 <= distinguished_bits <= n - 1 = 9"),
    ({"distinguished_bits": 10}, "distinguished_bits = 10 is not allowed"),
    ({"distinguished_bits": -3}, "distinguished_bits = -3 is not allowed"),
    ({"distinguished_bits": True}, "distinguished_bits = True is not allowed"),
    ({"distinguished_bits": 2.0}, "distinguished_bits = 2.0 is not allowed"),
    ({"workers": 0}, "workers = 0 is not allowed; allowed: an integer >= 1"),
    ({"workers": -2}, "workers = -2 is not allowed"),
    ({"workers": True}, "workers = True is not allowed"),
    ({"walks_per_round": 0}, "walks_per_round = 0 is not allowed; allowed: 1 <= walks_per_round"),
    ({"steps_per_round": 0}, "steps_per_round = 0 is not allowed"),
    ({"scheduler": "not an address"}, "is not allowed"),
])
def test_bad_values_raise_input_error_before_any_charge(kwargs, match):
    ledger = Ledger()
    with pytest.raises(InputError, match=match) as err:
        parallel_rho_search(make_instance(10, 5, "random", seed=0), ledger, rng=np.random.default_rng(0), **kwargs)
    assert "\n" not in str(err.value) and ledger.charges == ()


def test_refuses_n_above_64_and_hopeless_plans():
    ledger = Ledger()
    with pytest.raises(InputError, match=r"n = 65 is not allowed; allowed: n <= 64"):
        parallel_rho_search(make_instance(65, 3, "linear", seed=0), ledger, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match=r"n = 29 \(s = 0, one-to-one\).*allowed: n <= 28 for s = 0"):  # 2^28 + 1 queries to prove s = 0
        parallel_rho_search(make_instance(29, 0, "random", seed=0), ledger, rng=np.random.default_rng(0))
    with pytest.raises(InputError, match=r"n = 64 would make ~.* queries; allowed: at most 8,589,934,592 planned queries"):
        # detection delay W·2.5·2^d = 2^12·2.5·2^20 ≈ 1.1e10 queries
        parallel_rho_search(make_instance(64, 5, "random", seed=0), ledger, rng=np.random.default_rng(0), walks_per_round=1 << 12,
                            distinguished_bits=20)
    pr.check_parallel_rho(make_instance(64, 5, "random", seed=0))  # n = 64 with the defaults fits one worker
    pr.check_parallel_rho(make_instance(28, 0, "random", seed=0))
    with pytest.raises(InputError, match="distinguished_bits = 1 is not allowed at n = 1"):
        parallel_rho_search(make_instance(1, 1, "random", seed=0), ledger, rng=np.random.default_rng(0), distinguished_bits=1)
    assert ledger.charges == ()
    with pytest.raises(InputError, match="n = 65"):
        default_parameters(65)


def test_progress_bar_goes_to_stderr_only_when_asked(capsys):
    inst = make_instance(24, None, "random", seed=1)
    parallel_rho_search(inst, Ledger(), rng=np.random.default_rng(1))
    assert capsys.readouterr() == ("", "")
    parallel_rho_search(inst, Ledger(), rng=np.random.default_rng(1), progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "parallel-rho" in err and "q/s" in err


distributed = pytest.importorskip("dask.distributed")


def test_dask_local_cluster_equals_serial():
    for family, seed in (("random", 3), ("linear", 5)):
        inst = make_instance(28, None, family, seed=seed)
        serial_ledger, dask_ledger = Ledger(), Ledger()
        serial = parallel_rho_search(inst, serial_ledger, rng=np.random.default_rng(seed), walks_per_round=64)
        on_dask = parallel_rho_search(inst, dask_ledger, rng=np.random.default_rng(seed), walks_per_round=64, workers=2)
        assert on_dask.workers == 2 and serial.workers == 1
        assert (on_dask.found, on_dask.queries, on_dask.collision, on_dask.rounds) == (serial.found, serial.queries, serial.collision, serial.rounds)
        assert on_dask.found == inst.secret and serial.rounds > 1
        assert charges(dask_ledger) == charges(serial_ledger)


@pytest.mark.parametrize("allowed_failures", [3, 0])
def test_existing_scheduler_and_a_killed_worker(tmp_path, allowed_failures):
    """A worker process dies in the middle of a chunk of round 2; the chunk is rerun and every charge is the serial run's.

    allowed_failures = 3 (Dask's default): the scheduler reruns the chunk itself; 0: Dask gives the chunk up
    (KilledWorker) and the search resubmits it.
    """
    import dask

    inst = make_instance(32, None, "random", seed=9)
    params = {"walks_per_round": 64, "distinguished_bits": 4, "steps_per_round": 16}  # ~80 rounds of 1024 queries
    serial_ledger = Ledger()
    serial = parallel_rho_search(inst, serial_ledger, rng=np.random.default_rng(9), **params)
    armed, killed = tmp_path / "armed", tmp_path / "killed"
    killer = SimonInstance(KillingOracle(inst.oracle, armed, killed, os.getpid()))
    with dask.config.set({"distributed.scheduler.allowed-failures": allowed_failures}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            pids = set(client.run(os.getpid).values())
        ledger = Ledger()
        r = parallel_rho_search(killer, ledger, rng=np.random.default_rng(9), policy=ArmingPolicy(armed), scheduler=cluster.scheduler_address, **params)
    assert killed.exists() and int(killed.read_text()) in pids  # a worker really died, during the search
    assert r.resubmitted_chunks == (1 if allowed_failures == 0 else 0)
    assert r.workers == 2 and r.rounds == serial.rounds > 2
    assert (r.found, r.queries, r.collision) == (serial.found, serial.queries, serial.collision) and r.found == inst.secret
    assert charges(ledger) == charges(serial_ledger)  # nothing charged twice, nothing lost


def test_cli_with_a_scheduler_says_the_remote_workers_energy_is_missing(capsys):
    """simon --scheduler measures only this process: the JSON and the meter charge's provenance say what is left out."""
    import json as _json

    from qenergy.app.cli import main

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        args = ["simon", "--backend", "none", "--classical", "parallel-rho", "--oracle", "random", "--n", "14", "--seed", "5",
                "--scheduler", cluster.scheduler_address]
        assert main([*args, "--json"]) == 0
        data = _json.loads(capsys.readouterr().out)
        assert main(args) == 0
        text = capsys.readouterr().out
    measured = data["measured"]
    assert data["classical"]["correct"] is True
    assert measured["excludes"] == f"excludes the energy of the remote Dask workers of --scheduler {cluster.scheduler_address} (not measured)"
    assert measured["source"].endswith(measured["excludes"]) and measured["excludes"] in text


def test_unreachable_scheduler(monkeypatch):
    monkeypatch.setattr(pr, "SCHEDULER_TIMEOUT_S", 1.0)
    ledger = Ledger()
    with pytest.raises(InputError, match="cannot be reached"):
        parallel_rho_search(make_instance(10, 5, "random", seed=0), ledger, rng=np.random.default_rng(0), scheduler="tcp://127.0.0.1:9")
    assert ledger.charges == ()


def test_as_a_classical_algorithm():
    import dataclasses

    from qenergy.classical.base import ClassicalAlgorithm
    from qenergy.classical.parallel_rho import ParallelRhoSearch

    alg = ParallelRhoSearch()
    assert isinstance(alg, ClassicalAlgorithm) and alg.name == "parallel-rho" and alg.summary
    inst = make_instance(20, None, "random", seed=3)
    alg.check(inst)
    ledger = Ledger()
    r = alg.search(inst, ledger, rng=np.random.default_rng(3), label="x")
    assert r.found == inst.secret and ledger.counts("classical", "query", label="x") == r.queries
    assert r == dataclasses.replace(r, queries_per_s=r.queries_per_s)  # a frozen dataclass
    with pytest.raises(InputError, match="workers = 0 is not allowed"):
        dataclasses.replace(alg, workers=0).check(inst)
    with pytest.raises(InputError, match="s = 0, one-to-one"):
        alg.check(make_instance(40, 0, "random", seed=0))


def test_cli_runs_parallel_rho_and_refuses_workers_for_other_algorithms(capsys):
    import json as _json

    from qenergy.app.cli import main

    assert main(["simon", "--backend", "none", "--classical", "parallel-rho", "--oracle", "random", "--n", "14", "--seed", "5", "--json"]) == 0
    c = _json.loads(capsys.readouterr().out)["classical"]
    assert c["algorithm"] == "parallel-rho" and c["correct"] is True and c["queries"] > 0
    assert c["queries_per_s"] > 0 and c["distinguished_points"] >= 0 and c["rounds"] >= 1
    # the walk parameters used: what decides whether a --workers K run reproduces the serial one
    assert (c["distinguished_bits"], c["walks_per_round"], c["steps_per_round"]) == tuple(vars(default_parameters(14)).values())
    assert main(["simon", "--n", "5", "--classical", "birthday", "--workers", "2"]) == 2
    assert "allowed: --classical parallel-rho" in capsys.readouterr().err
    assert main(["simon", "--backend", "none", "--classical", "parallel-rho", "--oracle", "random", "--n", "70"]) == 2


def test_default_parameters_depend_on_workers_only_where_the_readme_says():
    """--workers K reproduces the serial run only with the same (d, W, S): the defaults depend on n alone for K <= 2
    and for n < 50; from n = 50 with K >= 3 they change with K, and the README says so with the issue's figures."""
    serial = {n: default_parameters(n) for n in range(2, 65)}
    assert all(default_parameters(n, 2) == serial[n] for n in serial)
    differs = [n for n in serial if any(default_parameters(n, k) != serial[n] for k in range(3, 65))]
    assert differs == list(range(50, 65))
    assert tuple(vars(default_parameters(56, 1)).values()) == (9, 32768, 1284)
    assert tuple(vars(default_parameters(56, 4)).values()) == (8, 65536, 642)
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    section = readme[readme.index("## Classical search on many cores"):readme.index("## Practical energy advantage")]
    assert "for K ≤ 2 and for n < 50" in section and "(9, 32768, 1284)" in section and "(8, 65536, 642)" in section
