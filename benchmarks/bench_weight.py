"""Restricted-weight Simon: queries to solution (NTS) against n, both sides, ideal and on a device twin.

Usage: python benchmarks/bench_weight.py [--ns 12,24,36,48,60] [--weights 1,2,3,4] [--repeats 3]
       [--noise device:fake:sherbrooke] [--seed 0]        (prints Markdown; about 3-5 minutes)

For each W and n: the quantum side on stim, ideal (adaptive, weight-<=W post-processing) and with
``--noise`` (robust solver with the weight prior; on the 127-qubit twin 2n <= 127, so n <= 63), and
the classical ``weight-cover`` search, every query charged; NTS = quantum shots + confirmation
queries (None when unresolved), classical queries. Per point: the median over repeats (an unresolved
run counts as never solved) beside the classical lower bound q_min (success 2/3, restricted count).
Fitted exponents: least-squares slope of log2(median NTS) against log2 n (NTS ~ n^k) and against n
(NTS ~ 2^(b·n)), :func:`qenergy.app.plots.fit_scaling`. "Largest n with Q < C": the largest n of the
grid at which the noisy quantum median is below the classical median.

A device twin has idle decoherence by default (``idle:off`` in the spec turns it off); ``--dd XY4|XX``
adds dynamical decoupling in the idle windows. On a Markovian twin DD cannot refocus anything, so it
only adds gates (docs/concepts/noise.md): the hardware gains the paper reports cannot show here.
"""

from __future__ import annotations

import argparse
import platform
import time

from qenergy.circuits import get_backend, run_simon
from qenergy.classical import weight_cover_search

from qenergy.app.plots import fit_scaling
from qenergy.energy.counts import classical_min_queries
from qenergy.hardware.noise import parse_noise
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance, seed_streams


def median_nts(values: list[int | None]) -> float | None:
    """Median with unresolved runs (None) counted as infinitely many queries; None if that is the median."""
    ordered = sorted(v for v in values if v is not None)
    k = (len(values) + 1) // 2  # the lower median's rank
    return float(ordered[k - 1]) if k <= len(ordered) else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", default="12,24,36,48,60")
    ap.add_argument("--weights", default="1,2,3,4")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--noise", default="device:fake:sherbrooke")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dd", default="none", choices=("none", "XY4", "XX"))
    args = ap.parse_args()
    ns = [int(x) for x in args.ns.split(",")]
    weights = [int(x) for x in args.weights.split(",")]
    spec = parse_noise(args.noise)
    t_start = time.perf_counter()
    print(f"# bench_weight ({platform.python_version()}, noise {args.noise}, dd {args.dd}, {args.repeats} repeats, seed {args.seed})\n")
    summary = []
    for w in weights:
        print(f"## W = {w}\n")
        print("| n | ideal Q NTS | noisy Q NTS (unresolved) | C NTS | C lower bound q_min | noisy wall s |")
        print("|---|---|---|---|---|---|")
        med = {"ideal": [], "noisy": [], "classical": []}
        for n in ns:
            ideal, noisy, classical = [], [], []
            unresolved, wall = 0, 0.0
            for r in range(args.repeats):
                seed = args.seed + 1000 * w + 10 * n + r
                inst = make_instance(n, None, "linear", seed=seed, secret_weight=w)
                q = run_simon(inst, get_backend("stim", inst), Ledger(), rng=seed_streams(seed)["quantum"])
                assert q.found == inst.secret
                ideal.append(q.queries)
                t0 = time.perf_counter()
                qn = run_simon(inst, get_backend("stim", inst, noise=spec, dd=args.dd), Ledger(), rng=seed_streams(seed)["quantum"])
                wall += time.perf_counter() - t0
                assert qn.found in (None, inst.secret), "a wrong secret reported"
                noisy.append(qn.queries if qn.status == "solved" else None)
                unresolved += qn.status != "solved"
                c = weight_cover_search(inst, Ledger(), rng=seed_streams(seed)["classical"])
                assert c.found == inst.secret
                classical.append(c.queries)
            row = {"ideal": median_nts(ideal), "noisy": median_nts(noisy), "classical": median_nts(classical)}
            for k, v in row.items():
                med[k].append(v)
            qmin = classical_min_queries(n, "2/3", secret_weight=w)
            print(f"| {n} | {row['ideal']:g} | {row['noisy'] if row['noisy'] is not None else '-'} ({unresolved}/{args.repeats}) | "
                  f"{row['classical']:g} | {qmin} | {wall / args.repeats:.2f} |")
        fits = {}
        for k, vals in med.items():
            pts = [(n, v) for n, v in zip(ns, vals) if v is not None]
            fits[k] = fit_scaling([p[0] for p in pts], [p[1] for p in pts])
        better = [n for n, qv, cv in zip(ns, med["noisy"], med["classical"]) if qv is not None and cv is not None and qv < cv]
        print()
        for k, f in fits.items():
            print(f"* {k}: " + (f"NTS ~ n^{f['power']:.2f}, ~ 2^({f['exponential']:.4f}·n)" if f else "too few solved points to fit"))
        print(f"* largest n with noisy quantum NTS < classical NTS: {max(better) if better else 'none on this grid'}\n")
        summary.append((w, fits, max(better) if better else None))
    print(f"total wall time {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
