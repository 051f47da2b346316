"""Compiled (numba) against numpy kernels, and parallel-rho on 1 and 2 Dask workers against this process.

    python benchmarks/bench_kernels.py              # about 2–4 minutes on 2 cores
    python benchmarks/bench_kernels.py --quick      # sections 1 and 2 only (seconds)
    python benchmarks/bench_kernels.py --n64        # also n = 64 (one more minute)

Prints Markdown tables:

  1. Oracle kernels on 2^22 random inputs at n = 48: ``KeyedPermutation.apply`` and
     ``RandomOracle.evaluate``, numpy and numba (same outputs, checked).
  2. Queries per second of search and per CPU-second of birthday and parallel-rho (random oracle,
     this process, one core) at n = 40 and 48 on each kernel; both kernels make the same queries.
  3. parallel-rho at n = 60 (and 64 with ``--n64``) in this process, on 1 Dask worker (a LocalCluster of
     one, by address) and on 2 (``workers=2``), numba: start-up (kernels loaded, cluster started) apart
     from search seconds, queries/s, speed-up over this process (same seed: same queries, so the ratio
     of search times); then the largest n solved in 10 minutes and n = 80 projected onto K workers.

Every search runs in its own subprocess (fresh process: the kernels' loading counts as start-up).
The load average is printed before and after: this machine is shared, and other processes slow
every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import best_of  # benchmarks/ is on sys.path when a script here runs

HERE = Path(__file__).resolve().parent


def oracle_kernels() -> list[str]:
    from qenergy.problem.oracles import RandomOracle

    n = 48
    o = RandomOracle(n, 12345, rng=np.random.default_rng(1))
    xs = np.random.default_rng(2).integers(0, 2**n, size=1 << 22, dtype=np.uint64)
    assert np.array_equal(o.permutation.apply(xs, kernel="numba"), o.permutation.apply(xs, kernel="numpy"))
    assert np.array_equal(o.evaluate(xs, kernel="numba"), o.evaluate(xs, kernel="numpy"))
    rows = ["| kernel | KeyedPermutation.apply (M/s) | RandomOracle.evaluate (M/s) |", "|---|---|---|"]
    for k in ("numpy", "numba"):
        ap = best_of(lambda k=k: o.permutation.apply(xs, kernel=k), 5)
        ev = best_of(lambda k=k: o.evaluate(xs, kernel=k), 5)
        rows.append(f"| {k} | {xs.size / ap / 1e6:.0f} | {xs.size / ev / 1e6:.0f} |")
    return rows


def one(algorithm: str, n: int, seed: int, workers: int | None, kernel: str) -> dict:
    """One search in this process (run by the parent in a subprocess)."""
    from qenergy.classical.birthday import birthday_search
    from qenergy.classical.parallel_rho import parallel_rho_search

    from qenergy.ledger.book import Ledger
    from qenergy.problem.instance import make_instance

    inst = make_instance(n, None, "random", seed=seed)
    if kernel == "numba":  # load the kernels first, so that the CPU time below is the search's (the search still times its own start-up)
        from qenergy.classical import _numba_collision, parallel_rho

        from qenergy.problem.kernels import warm_up

        warm_up(kernel)
        parallel_rho.warm_up(kernel)
        _numba_collision.warm()
    ledger = Ledger()  # made before the clock starts: reading package versions is not the search's cost
    cluster = None
    if workers == "1-dask":  # one Dask worker (workers=1 alone runs in this process): a LocalCluster of one, by address
        from dask.distributed import LocalCluster

        t_cluster = time.perf_counter()
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None)
        cluster_s = time.perf_counter() - t_cluster
    cpu0 = time.process_time()
    if algorithm == "birthday":
        r = birthday_search(inst, ledger, rng=np.random.default_rng(seed), kernel=kernel)
    elif cluster is not None:
        r = parallel_rho_search(inst, ledger, rng=np.random.default_rng(seed), kernel=kernel, scheduler=cluster.scheduler_address)
    else:
        r = parallel_rho_search(inst, ledger, rng=np.random.default_rng(seed), kernel=kernel, workers=workers)
    cpu = time.process_time() - cpu0
    startup_s = r.startup_s
    if cluster is not None:
        cluster.close()
        startup_s += cluster_s  # the cluster's start, as a search started with --workers counts it
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"ok": r.found == inst.secret, "queries": r.queries, "kernel": r.kernel, "startup_s": startup_s, "search_s": r.search_s,
            "cpu_s": cpu, "workers_cpu_s": children.ru_utime + children.ru_stime}


def run(algorithm: str, n: int, seed: int, workers: int | None, kernel: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", json.dumps([algorithm, n, seed, workers, kernel])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=HERE)
    return json.loads(done.stdout.strip().splitlines()[-1])


def per_core() -> list[str]:
    rows = ["| algorithm | n | kernel | queries | search s | queries/s (search) | queries per CPU-s of the search |", "|---|---|---|---|---|---|---|"]
    for algorithm in ("birthday", "parallel-rho"):
        for n in (40, 48):
            seen = {}
            for kernel in ("numpy", "numba"):
                r = run(algorithm, n, 7, None, kernel)
                assert r["ok"]
                seen[kernel] = r["queries"]
                rows.append(f"| {algorithm} | {n} | {kernel} | {r['queries']:,} | {r['search_s']:.3f} | {r['queries'] / r['search_s'] / 1e6:.1f} M "
                            f"| {r['queries'] / r['cpu_s'] / 1e6:.1f} M |")
            assert seen["numpy"] == seen["numba"], seen
    return rows


def dask_rows(sizes: tuple[int, ...], measured: dict[tuple[int, str], dict]) -> list[str]:
    """parallel-rho in this process, on 1 Dask worker (a LocalCluster of one, by address) and on 2 (``--workers 2``);
    every run is kept in ``measured`` by (n, where)."""
    rows = ["| n | where | start-up s | search s | queries | queries/s (search) | speed-up over this process | CPU-s client + workers |",
            "|---|---|---|---|---|---|---|---|"]
    for n in sizes:
        base = None
        for workers, where in ((None, "this process"), ("1-dask", "1 Dask worker"), (2, "2 Dask workers")):
            r = run("parallel-rho", n, 3, workers, "numba")
            assert r["ok"]
            measured[(n, where)] = r
            if workers is None:
                base = r["search_s"]
            speed = f"{base / r['search_s']:.2f}x" if base else "–"
            rows.append(f"| {n} | {where} | {r['startup_s']:.2f} | {r['search_s']:.2f} | {r['queries']:.3g} | {r['queries'] / r['search_s'] / 1e6:.0f} M "
                        f"| {speed} | {r['cpu_s']:.1f} + {r['workers_cpu_s']:.1f} |")
    return rows


def projection_rows(measured: dict[tuple[int, str], dict]) -> list[str]:
    """The largest n solved within 10 minutes on this machine's 2 cores, and n = 80 projected onto K workers (estimates)."""
    from qenergy.classical.parallel_rho import expected_collision_queries

    from qenergy.ledger.meter import CpuTimeEstimate

    n_top = max(n for n, _ in measured)
    two = measured[(n_top, "2 Dask workers")]
    here = measured[(n_top, "this process")]
    per_cpu = here["queries"] / here["cpu_s"]  # one core, compiled, in this process: the walks' rate
    two_rate = two["queries"] / two["search_s"]  # two workers on this machine, measured
    ratio = here["queries"] / expected_collision_queries(n_top)  # this run's queries / T (one run: a rough mean)
    watts = CpuTimeEstimate().per_core_w
    lines = ["", f"Largest n solved in 10 minutes on 2 cores: n = {n_top} (measured: {two['search_s']:.1f} s of search + "
             f"{two['startup_s']:.1f} s start-up on 2 Dask workers; 64-bit words stop at n = 64).", "",
             f"Projection (estimates, not measurements): expected queries 1.16·T(n) (T = 1.2533·2^(n/2); this run made {ratio:.2f}·T); "
             f"K workers at {per_cpu / 1e6:.0f} M queries per CPU-second each (measured in this process at n = {n_top}); 2 workers "
             f"on this machine at the measured {two_rate / 1e6:.0f} M/s; energy = CPU-seconds × {watts:.1f} W per core "
             "(CpuTimeEstimate); the client's merges, the round barrier and n = 80's 128-bit words (this code stops at 64) left out.", "",
             "| n | expected queries | K workers | wall time | CPU energy (estimate) |", "|---|---|---|---|---|"]
    for n in (n_top, 80):
        q = 1.16 * expected_collision_queries(n)
        for k in (1, 2, 64, 1024):
            rate = two_rate if k == 2 else k * per_cpu
            wall = q / rate
            span = f"{wall:.3g} s" if wall < 120 else f"{wall / 60:.3g} min" if wall < 7200 else f"{wall / 3600:.3g} h"
            lines.append(f"| {n} | {q:.3g} | {k} | {span} | {q / per_cpu * watts / 3.6e6:.3g} kWh |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n64", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(*json.loads(args.one))))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[1]:.2f} (5 min); {os.cpu_count()} logical cores\n")
    print("### 1. Oracle kernels, 2^22 inputs, n = 48\n")
    print("\n".join(oracle_kernels()), "\n")
    print("### 2. One core: queries per second by kernel (random oracle, seed 7)\n")
    print("\n".join(per_core()), "\n")
    if not args.quick:
        print("### 3. parallel-rho on Dask (numba kernels, seed 3)\n")
        measured: dict[tuple[int, str], dict] = {}
        print("\n".join(dask_rows((60, 64) if args.n64 else (60,), measured)), "\n")
        print("\n".join(projection_rows(measured)), "\n")
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
