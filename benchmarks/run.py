"""qenergy benchmarks: our paths against the baselines a user would otherwise use, in one run.

    python benchmarks/run.py            # full run (about 15-25 minutes on 2 cores)
    python benchmarks/run.py --quick    # shared sizes only, no largest-n search, smaller classical sizes

Prints one table:
  A. Simon end to end (build, shots, solve, verify) at shared sizes n = 8, 14, 100, 500,
     each path in its own subprocess with a 60 s limit; ratio = path time / qenergy stim time;
     and the largest n on a ladder that each path finishes within 60 s.
  B. Classical query rates for birthday and rho; rho's search state (tracemalloc peak).
  C. Ledger overhead: a birthday search charging a real ledger file against the same
     search with charging switched off; and GF(2) elimination, ours against Python ints.
  D. Plug-in models: the Hebbian memory's standard setting.
  E. Calibration of the noisy solver: confidence and forecast against observed success over seeded
     noisy runs, with reliability tables (benchmarks/bench_calibration.py; --quick: heavy noise only).
  F. Compiled (numba) against numpy kernels per algorithm, parallel-rho in this process and on 1 and 2
     Dask workers at n = 60 and 64, the largest n in 10 minutes, n = 80 projected (benchmarks/bench_kernels.py;
     --quick: kernels and one core only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_gf2 import python_int_null_space  # noqa: E402
from common import best_of  # noqa: E402
from simon_paths import PATHS  # noqa: E402

LIMIT_S = 60.0
SHARED = (8, 14, 100, 500)
LADDER = (8, 14, 15, 32, 64, 100, 200, 500, 1000, 2048, 4096, 8192)


def time_path(path: str, n: int) -> dict:
    """Run one path at one n in a subprocess; seconds is None when it failed or ran out of time."""
    try:
        out = subprocess.run([sys.executable, str(HERE / "simon_paths.py"), path, str(n)], capture_output=True, text=True, timeout=LIMIT_S + 30, cwd=HERE)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "why": f"> {LIMIT_S:.0f} s"}
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        last = (out.stderr.strip().splitlines() or ["crashed"])[-1]
        return {"seconds": None, "why": last[:60]}
    res = json.loads(lines[-1])
    if not res["ok"]:
        return {"seconds": None, "why": res["error"] or "wrong secret"}
    if res["seconds"] > LIMIT_S:
        return {"seconds": None, "why": f"{res['seconds']:.0f} s > {LIMIT_S:.0f} s"}
    return {"seconds": res["seconds"], "why": ""}


def section_a(quick: bool) -> list[str]:
    lines = ["A. Simon end to end, linear oracle, same instance and circuit on every path (seconds; ratio = path / qenergy stim)"]
    head = f"{'path':44}" + "".join(f"{'n=' + str(n):>20}" for n in SHARED) + (f"{'largest n <= 60 s':>20}" if not quick else "")
    lines.append(head)
    base = {n: time_path("qenergy stim", n)["seconds"] for n in SHARED}
    for path in PATHS:
        cells = []
        for n in SHARED:
            r = time_path(path, n) if path != "qenergy stim" else {"seconds": base[n], "why": ""}
            if r["seconds"] is None:
                cells.append(f" {('fails: ' + r['why'])[:19]:>19}")
            else:
                ratio = r["seconds"] / base[n] if base[n] else float("nan")
                cells.append(f"{r['seconds']:>9.3f} ({ratio:>6.1f}x)")
        line = f"{path:44}" + "".join(cells)
        if not quick:
            largest = "-"
            for n in LADDER:
                r = time_path(path, n)
                if r["seconds"] is None:
                    break
                largest = f"{n} ({r['seconds']:.1f} s)"
            line += f"{largest:>20}"
        lines.append(line)
        print(line, flush=True)
    return lines


def section_b(quick: bool) -> list[str]:
    from qenergy.classical import birthday_search, rho_search

    from qenergy.ledger.book import Ledger
    from qenergy.problem.instance import make_instance

    lines = ["", "B. Classical search (random oracle): queries, seconds, queries per second"]
    for name, fn, sizes in (("birthday", birthday_search, (32, 40) if quick else (32, 40, 48)), ("rho", rho_search, (32, 36) if quick else (32, 40, 48))):
        for n in sizes:
            inst = make_instance(n, None, "random", seed=n)
            ledger = Ledger()
            t0 = time.perf_counter()
            r = fn(inst, ledger, rng=np.random.default_rng(n))
            dt = time.perf_counter() - t0
            ok = "ok" if r.found == inst.secret else "WRONG"
            lines.append(f"  {name:9} n={n:<3} queries {r.queries:>12,}  {dt:8.2f} s  {r.queries / dt:>12,.0f} q/s  {ok}")
            print(lines[-1], flush=True)
    n = 32 if quick else 40
    inst = make_instance(n, None, "random", seed=n)
    ledger = Ledger()  # built first: its header reads package metadata, not search state
    tracemalloc.start()
    r = rho_search(inst, ledger, rng=np.random.default_rng(n))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    lines.append(f"  rho search state at n={n}: tracemalloc peak {peak / 1024:.1f} KiB over {r.queries:,} queries (target < 1 MiB)")
    print(lines[-1], flush=True)
    if not quick:  # tracemalloc slows every Python int operation; at n = 48 measure the process's peak RSS growth
        probe = (
            "import resource, numpy as np\n"
            "from qenergy.classical import rho_search\nfrom qenergy.ledger.book import Ledger\nfrom qenergy.problem.instance import make_instance\n"
            "rho_search(make_instance(20, None, 'random', seed=1), Ledger(), rng=np.random.default_rng(1))\n"
            "inst = make_instance(48, None, 'random', seed=48); led = Ledger()\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "r = rho_search(inst, led, rng=np.random.default_rng(48))\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, r.queries)\n"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=1800).stdout.split()
        lines.append(f"  rho at n=48: peak RSS grew by {out[0]} KiB over {int(out[1]):,} queries (target < 1 MiB of search state)")
        print(lines[-1], flush=True)
    return lines


class _NoCharge:
    """A policy that charges nothing: the search alone, for measuring ledger overhead."""

    name = "none"

    def charge_shots(self, *args, **kwargs) -> None:
        pass

    def charge_queries(self, *args, **kwargs) -> None:
        pass


def section_c(quick: bool) -> list[str]:
    import tempfile

    from qenergy.classical import birthday_search

    from qenergy.ledger.book import Ledger
    from qenergy.ledger.charging import BoundsPolicy
    from qenergy.problem.gf2 import null_space
    from qenergy.problem.instance import make_instance

    lines = ["", "C. Ledger overhead and GF(2) elimination"]
    n = 40
    inst = make_instance(n, None, "random", seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        counter = iter(range(10**6))

        def charged() -> None:
            with Ledger.open(Path(tmp) / f"l{next(counter)}.jsonl", 300.0) as led:
                birthday_search(inst, led, rng=np.random.default_rng(1), policy=BoundsPolicy())

        t_null = best_of(lambda: birthday_search(inst, Ledger(), rng=np.random.default_rng(1), policy=_NoCharge()), repeat=5)
        t_led = best_of(charged, repeat=5)
        q = birthday_search(inst, Ledger(), rng=np.random.default_rng(1)).queries
        lines.append(f"  birthday n={n} ({q:,} queries): search {t_null:.3f} s, with file ledger {t_led:.3f} s, overhead {100 * (t_led - t_null) / t_null:+.1f} % (target < 5 %)")
        with Ledger.open(Path(tmp) / "bulk.jsonl", 300.0) as led:
            t_bulk = best_of(lambda: BoundsPolicy().charge_queries(led, 48, 10**6), repeat=5)
        lines.append(f"  charging 1,000,000 queries in bulk to a file ledger: {1e3 * t_bulk:.2f} ms")
    for m in (256, 1024) if quick else (256, 1024, 4096):
        a = np.random.default_rng(m).integers(0, 2, size=(m + 10, m), dtype=np.uint8)
        ours = best_of(lambda: null_space(a, m), repeat=3)
        base = best_of(lambda: python_int_null_space(a), repeat=1)
        lines.append(f"  GF(2) null space {m + 10}x{m}: ours {ours:.3f} s, Python ints {base:.3f} s, ratio {base / ours:.1f}x")
        print(lines[-1], flush=True)
    return lines


def section_d(quick: bool) -> list[str]:
    from qenergy.ledger.book import Ledger
    from qenergy.models.hebbian import HebbianMemory

    lines = ["", "D. Plug-in models"]
    for messages in (50_000, 150_000):
        model = HebbianMemory(messages=messages, tests=1000)
        t0 = time.perf_counter()
        r = model.run(Ledger(), seed=1)
        dt = time.perf_counter() - t0
        lines.append(f"  hebbian chi=100 l=64 c=12 M={messages:,} (1,000 tests, 4 iterations, guided): {dt:.2f} s (target < 60 s), "
                     f"density {r['density']:.4f} (formula {r['expected_density']:.4f}), error {r['error_rate']:.3f}")
        print(lines[-1], flush=True)
    return lines


def section_e(quick: bool) -> list[str]:
    args = [sys.executable, str(HERE / "bench_calibration.py")] + (["--quick", "--seeds", "20"] if quick else [])
    out = subprocess.run(args, capture_output=True, text=True, timeout=1800, cwd=HERE)
    lines = ["", "E. Calibration of the noisy solver (benchmarks/bench_calibration.py)"]
    lines += out.stdout.splitlines() if out.returncode == 0 else [f"  failed: {(out.stderr.strip().splitlines() or ['crashed'])[-1][:120]}"]
    print("\n".join(lines), flush=True)
    return lines


def section_f(quick: bool) -> list[str]:
    args = [sys.executable, str(HERE / "bench_kernels.py")] + (["--quick"] if quick else ["--n64"])
    out = subprocess.run(args, capture_output=True, text=True, timeout=1800, cwd=HERE)
    lines = ["", "F. Compiled kernels against numpy, and parallel-rho on Dask (benchmarks/bench_kernels.py)"]
    lines += out.stdout.splitlines() if out.returncode == 0 else [f"  failed: {(out.stderr.strip().splitlines() or ['crashed'])[-1][:120]}"]
    print("\n".join(lines), flush=True)
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="shared sizes only and smaller classical sizes")
    ap.add_argument("--sections", default="ABCDEF", help="which sections to run (default: ABCDEF)")
    args = ap.parse_args()
    print(f"qenergy benchmarks on {machine()}\n", flush=True)
    runners = {"A": section_a, "B": section_b, "C": section_c, "D": section_d, "E": section_e, "F": section_f}
    lines = [line for key in args.sections.upper() if key in runners for line in runners[key](args.quick)]
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
