"""Classical search past one core: query rates, parallel-rho speed-up, memory, and projections to n = 64 and 80.

    python benchmarks/bench_parallel_rho.py            # full run (about 3–5 minutes on 2 cores)
    python benchmarks/bench_parallel_rho.py --quick    # n = 40, 48 only, one seed

Prints Markdown tables:

  1. Oracle kernels: ``KeyedPermutation.apply`` and ``RandomOracle.evaluate`` on 2^22 inputs, the
     blocked in-place apply against the textbook form it replaced (same outputs, checked).
  2. Queries/s per core of birthday, rho and parallel-rho (random oracle, serial, this process)
     at n = 40 and 48.
  3. parallel-rho at n = 48, 52, 56 with 1 worker (this process) and 2 Dask workers
     (``LocalCluster``; start-up reported apart): queries, wall time, queries/s, speed-up (the
     same seeds give the same queries on 1 and 2 workers, so speed-up = wall-time ratio), peak
     resident memory (``resource.getrusage``: the search's own process, and its largest child,
     a Dask worker).
  4. Projections at n = 64 and 80 on K workers from the measured rates: expected queries
     (measured mean queries/T × T(n), T = 1.2533·2^(n/2)), time = queries / (K × rate per
     worker), energy = CPU-seconds × W per core of :class:`qenergy.ledger.meter.CpuTimeEstimate`
     (85 W per package over this machine's logical cores; an estimate, not a measurement). n = 80
     needs 128-bit words (this code stops at n = 64): its row assumes the n ≤ 64 rate.

Every measurement runs in its own subprocess, so each peak memory is that configuration's own.
The machine's load average is printed: other processes on a shared machine slow every figure.
"""

from __future__ import annotations

import argparse
import contextlib
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
ROOT = HERE.parent
BLOCK_BENCH_SIZE = 1 << 22


def _textbook_apply(p, v):
    """The KeyedPermutation.apply this work replaced (allocating form), for the before/after figure."""
    from qenergy.problem.oracles import _mask

    mask, shift = _mask(p.n), np.uint64(p.shift)
    for a, m in zip(p.adds, p.muls):
        v = (v + np.uint64(a)) & mask
        v = v ^ (v >> shift)
        v = (v * np.uint64(m)) & mask
    return v



def kernels() -> dict:
    """Rates in inputs per second on 2^22 random inputs at n = 48 and 64."""
    from qenergy.problem.oracles import RandomOracle

    out = {}
    for n in (48, 64):
        o = RandomOracle(n, 12345, rng=np.random.default_rng(1))
        xs = np.random.default_rng(2).integers(0, 2**n, size=BLOCK_BENCH_SIZE, dtype=np.uint64)
        p = o.permutation
        assert np.array_equal(p.apply(xs), _textbook_apply(p, xs))
        old = best_of(lambda p=p, xs=xs: _textbook_apply(p, xs), 5)
        new = best_of(lambda p=p, xs=xs: p.apply(xs), 5)
        ev = best_of(lambda o=o, xs=xs: o.evaluate(xs), 5)
        # the oracle as it was: the textbook permutation after min(x, x ^ s)
        ev_old = best_of(lambda o=o, xs=xs: _textbook_apply(o.permutation, np.minimum(xs, xs ^ np.uint64(o.secret))), 5)
        out[n] = {"apply_before": xs.size / old, "apply_after": xs.size / new, "evaluate_before": xs.size / ev_old, "evaluate_after": xs.size / ev}
    return out


def one(algorithm: str, n: int, seed: int, workers: int | None) -> dict:
    """One search in this process; returns its figures (run by the parent in a subprocess)."""
    from qenergy.classical import birthday_search, rho_search
    from qenergy.classical.parallel_rho import parallel_rho_search

    from qenergy.ledger.book import Ledger
    from qenergy.problem.instance import make_instance

    inst = make_instance(n, None, "random", seed=seed)
    ledger = Ledger()
    rng = np.random.default_rng(seed)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    extra: dict = {}
    with contextlib.ExitStack() as stack:
        scheduler = None
        if workers:
            import logging

            from dask.distributed import Client, LocalCluster

            t_start = time.perf_counter()
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                                       silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
            scheduler = cluster.scheduler_address
            extra["cluster_start_s"] = time.perf_counter() - t_start
            worker_cpu0 = client.run(time.process_time)
        cpu0, t0 = os.times(), time.perf_counter()
        if algorithm == "parallel-rho":
            r = parallel_rho_search(inst, ledger, rng=rng, workers=workers, scheduler=scheduler)
            extra.update({"search_wall_s": r.wall_s, "rounds": r.rounds, "dps": r.distinguished_points})
        elif algorithm == "birthday":
            r = birthday_search(inst, ledger, rng=rng)
        elif algorithm == "rho-steps":
            r = _rho_steps(inst, ledger, rng)
        else:
            r = rho_search(inst, ledger, rng=rng)
        wall = time.perf_counter() - t0
        cpu1 = os.times()
        if workers:
            after = client.run(time.process_time)
            extra["worker_cpu_s"] = sum(after[a] - worker_cpu0.get(a, 0.0) for a in after)
            extra["maxrss_worker_mib"] = max(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values()) / 1024
    assert (r.found == inst.secret or algorithm == "rho-steps") and ledger.counts("classical", "query") == r.queries
    return {"algorithm": algorithm, "n": n, "seed": seed, "workers": workers or 1, "queries": r.queries, "wall_s": wall,
            "cpu_s": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), "maxrss_before_mib": rss0,
            "maxrss_self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}


#: Walk steps timed for rho where a full search takes minutes (n = 48: ~5e7 queries).
RHO_STEPS = 1 << 22


def _rho_steps(inst, ledger, rng):
    """rho's own walk (qenergy.classical.rho.brent_walk on π(f(x)), f the counting oracle's scalar f) stopped after
    :data:`RHO_STEPS` steps, each charged: the rate of a full search without its minutes."""
    from qenergy.classical.result import ClassicalResult
    from qenergy.classical.rho import brent_walk

    from qenergy.problem.oracles import KeyedPermutation
    from qenergy.problem.queries import CountingOracle

    class Stop(Exception):
        pass

    oracle = CountingOracle(inst, ledger)
    f, pi = oracle.scalar_function(), KeyedPermutation.from_rng(inst.n, rng).scalar()
    count = 0

    def g(x: int) -> int:
        nonlocal count
        count += 1
        if count > RHO_STEPS:
            raise Stop
        return pi(f(x))

    with contextlib.suppress(Stop):
        brent_walk(g, int(rng.integers(0, 2**inst.n)))
    oracle.record(min(count, RHO_STEPS))
    return ClassicalResult("rho-steps", 0, oracle.queries, None)


def run_one(algorithm: str, n: int, seed: int, workers: int | None = None, timeout: float = 600) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", algorithm, str(n), str(seed), str(workers or 0)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 40, 48 only, one seed")
    ap.add_argument("--one", nargs=4, metavar=("ALGORITHM", "N", "SEED", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        alg, n, seed, workers = args.one
        print(json.dumps(one(alg, int(n), int(seed), int(workers) or None)))
        return

    from qenergy.classical.parallel_rho import default_parameters, expected_collision_queries

    from qenergy.ledger.meter import CpuTimeEstimate

    cores = os.cpu_count() or 1
    est = CpuTimeEstimate()
    print(f"# parallel-rho benchmark\n\n{time.strftime('%Y-%m-%d %H:%M')}, {cores} logical cores, Python {sys.version.split()[0]}, "
          f"numpy {np.__version__}, load average before: {os.getloadavg()[0]:.2f}\n")

    print("## 1. Oracle kernels (2^22 random inputs, best of 5)\n")
    print("| n | KeyedPermutation.apply before | after | speed-up | RandomOracle.evaluate before | after |")
    print("|---|---|---|---|---|---|")
    for n, k in kernels().items():
        print(f"| {n} | {k['apply_before'] / 1e6:.1f} M/s | {k['apply_after'] / 1e6:.1f} M/s | {k['apply_after'] / k['apply_before']:.1f}x | "
              f"{k['evaluate_before'] / 1e6:.1f} M/s | {k['evaluate_after'] / 1e6:.1f} M/s |")

    seeds = (0,) if args.quick else (0, 1, 2)
    print("\n## 2. Queries/s per core (random oracle, this process, one core)\n")
    print("| algorithm | n | runs | queries (mean) | wall s (mean) | queries/s | queries per CPU-s | peak RSS MiB | load avg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in (40, 48):
        for alg in ("birthday", "rho", "parallel-rho"):
            name = "rho-steps" if alg == "rho" and n >= 48 else alg
            runs = [run_one(name, n, s) for s in seeds]
            if name != alg:
                alg = f"rho ({RHO_STEPS} walk steps timed, not a full search)"
            q, w, c = sum(r["queries"] for r in runs), sum(r["wall_s"] for r in runs), sum(r["cpu_s"] for r in runs)
            print(f"| {alg} | {n} | {len(runs)} | {q / len(runs):.3g} | {w / len(runs):.2f} | {q / w / 1e6:.1f} M | {q / c / 1e6:.1f} M | "
                  f"{max(r['maxrss_self_mib'] for r in runs):.0f} | {os.getloadavg()[0]:.1f} |", flush=True)

    print("\n## 3. parallel-rho in this process, on 1 and on 2 Dask workers (same seeds: same queries, so speed-up = time ratio)\n")
    print("Workers are the processes of a Dask LocalCluster (one thread each) started before the search and reached with "
          "`scheduler=`; their CPU time is read in each worker (time.process_time) before and after the search. workers 0: the search in this "
          "process, no Dask. Speed-up: against the in-process run / against 1 Dask worker.\n")
    print("| n | d, W, S | workers | runs | queries (mean) | queries/T | search wall s (mean) | queries/s (wall) | speed-up | "
          "CPU-s client + workers (mean) | queries per worker CPU-s | cluster start s | peak RSS MiB: before search → after (client) / worker | "
          "load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ns = (48,) if args.quick else (48, 52, 56)
    measured: dict[tuple[int, int], dict] = {}
    for n in ns:
        serial = dask1 = None
        for k in (0, 1, 2):  # 0: in this process (no Dask); 1, 2: Dask workers
            runs = [run_one("parallel-rho", n, s, k or None) for s in seeds]
            q = sum(r["queries"] for r in runs)
            ws = sum(r["search_wall_s"] for r in runs)
            client_cpu = sum(r["cpu_s"] for r in runs)
            work_cpu = sum(r.get("worker_cpu_s", r["cpu_s"]) for r in runs)
            serial = ws if k == 0 else serial
            dask1 = ws if k == 1 else dask1
            measured[(n, k)] = {"wall_rate": q / ws, "cpu_rate": q / work_cpu, "q_over_t": q / len(runs) / expected_collision_queries(n),
                                "client_share": client_cpu / (client_cpu + work_cpu) if k else 0.0}
            p = default_parameters(n, max(1, k))
            rss = f"{max(r['maxrss_before_mib'] for r in runs):.0f} → {max(r['maxrss_self_mib'] for r in runs):.0f}"
            if k:
                rss += f" / {max(r['maxrss_worker_mib'] for r in runs):.0f}"
            cpu = f"{client_cpu / len(runs):.2f}" + (f" + {work_cpu / len(runs):.2f}" if k else "")
            start = f"{sum(r['cluster_start_s'] for r in runs) / len(runs):.1f}" if k else "–"
            print(f"| {n} | {p.distinguished_bits}, {p.walks_per_round}, {p.steps_per_round} | {k} | {len(runs)} | {q / len(runs):.3g} | "
                  f"{q / len(runs) / expected_collision_queries(n):.2f} | {ws / len(runs):.2f} | {q / ws / 1e6:.1f} M | "
                  f"{serial / ws:.2f}x / {(dask1 / ws) if dask1 else float('nan'):.2f}x | {cpu} | {q / work_cpu / 1e6:.1f} M | {start} | {rss} | {os.getloadavg()[0]:.1f} |",
                  flush=True)

    print(f"\n## 4. Projections (energy: CPU-s × {est.per_core_w:.3g} W/core, qenergy.ledger.meter.CpuTimeEstimate: "
          f"{est.package_w:g} W per package over {est.cores} logical cores; an estimate, not a measurement)\n")
    n_top = max(ns)
    core_rate = measured[(n_top, 2)]["cpu_rate"]
    q_over_t = sum(v["q_over_t"] for v in measured.values()) / len(measured)
    print(f"Per-core rate: {core_rate / 1e6:.1f} M queries per worker CPU-second (n = {n_top}, 2 workers). K workers on K dedicated "
          f"cores are assumed to run at K times that: the client's own CPU (merges, replays, Dask messages; "
          f"{100 * measured[(n_top, 2)]['client_share']:.0f} % of all CPU at n = {n_top} with 2 workers) and the round barrier are left "
          f"out, so these times are lower bounds. Energy counts the workers' CPU-seconds only. Expected queries = {q_over_t:.2f}·T (mean "
          "over the runs above). n = 80 needs 128-bit words (this code stops at n = 64); its rows assume the same rate.\n")
    print("| n | expected queries | K workers | wall time | CPU energy (estimate) | DPs stored (default d) | store memory |")
    print("|---|---|---|---|---|---|---|")
    for n in (64, 80):
        q = q_over_t * expected_collision_queries(n)
        d = default_parameters(64, 2).distinguished_bits + (n - 64) // 2
        for k in (1, 2, 64, 1024):
            secs = q / (core_rate * k)
            t = f"{secs:.3g} s" if secs < 7200 else (f"{secs / 3600:.3g} h" if secs < 3 * 86400 else f"{secs / 86400:.3g} days")
            kwh = q / core_rate * est.per_core_w / 3.6e6
            print(f"| {n} | {q:.3g} | {k} | {t} | {kwh:.3g} kWh | {q / 2**d:.3g} (d = {d}) | {24 * q / 2**d / 2**20:.3g} MiB |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
