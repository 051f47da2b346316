"""Is the noisy solver's confidence calibrated? Seeded noisy Simon runs on stim, light to heavy noise.

Usage: python benchmarks/bench_calibration.py [--quick] [--seeds K]   (prints Markdown; ~2 min with defaults)

Each run follows the path of ``qenergy simon --n N --backend stim --noise SPEC --seed S``: the instance
and circuit from :func:`qenergy.app.experiment.plan_simon`, the shots and classical checks charged to a
ledger through the same CountingOracle, :func:`qenergy.circuits.noisy_solver.solve_noisy` with the default
configuration (budget 20·n + 100, at most 8 checks, the one-to-one proof up to 1025 queries).

Per noise level and n: the mean ``confidence`` (probability, given the samples and every check's
outcome, that the run's answer is s: 1 for a solved run, the best unrefuted candidate's posterior for an
unresolved one) against the observed fraction whose answer is s (solved, or unresolved with the reported
candidate right), and the mean
``forecast`` (the probability, from the samples and the refutations made on earlier pools, that the
checks on the final pool contain s: made before their outcomes) against the observed fraction solved.
Then the reliability tables: runs binned by forecast and by confidence, against observed success.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
from qenergy.circuits.noisy_solver import NoisySolution, NoisySolverConfig, default_shots_budget, solve_noisy

from qenergy.app.experiment import plan_simon
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import seed_streams
from qenergy.problem.queries import CountingOracle

LEVELS = ["depolarize:0.01", "depolarize:0.05", "depolarize:0.08", "depolarize:0.1", "readout:0.05", "readout:0.15"]
NS = [8, 12, 16]
EDGES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def run_one(n: int, spec: str, seed: int) -> tuple[NoisySolution, bool]:
    """One seeded run as the CLI makes it; (solution, whether its answer is the secret: ``found`` when solved,
    the reported best unrefuted ``candidate`` when unresolved)."""
    plan = plan_simon(n, backend="stim", algorithm="none", seed=seed, noise=spec)
    assert plan.prepared is not None
    inst, prepared = plan.instance, plan.prepared
    checker = CountingOracle(inst, Ledger(), account="quantum", role="check")
    sol = solve_noisy(n, lambda k: prepared.sample(k).ys, checker.query_ints, rng=seed_streams(seed)["quantum"],
                      config=NoisySolverConfig(shots_budget=default_shots_budget(n)), check_many=checker.query)
    assert sol.status == "unresolved" or sol.found == inst.secret  # never a wrong answer
    return sol, (sol.found if sol.status == "solved" else sol.candidate) == inst.secret


def reliability(values: np.ndarray, outcome: np.ndarray, label: str) -> list[str]:
    known = np.isfinite(values)
    if not known.any():
        return [f"(no {label}: this solver does not report one)"]
    values, outcome = values[known], outcome[known]
    out = [f"| {label} bin | runs | mean {label} | observed success | difference |", "|---|---|---|---|---|"]
    which = np.clip(np.digitize(values, EDGES) - 1, 0, len(EDGES) - 2)
    for b in range(len(EDGES) - 1):
        m = which == b
        if m.any():
            out.append(f"| [{EDGES[b]:.1f}, {EDGES[b + 1]:.1f}{']' if b == len(EDGES) - 2 else ')'} | {int(m.sum())} | "
                       f"{values[m].mean():.3f} | {outcome[m].mean():.3f} | {outcome[m].mean() - values[m].mean():+.3f} |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="heavy noise at n = 12 and 16 only")
    ap.add_argument("--seeds", type=int, default=40, help="seeded runs per cell (default 40)")
    args = ap.parse_args()
    levels = ["depolarize:0.08", "depolarize:0.1", "readout:0.15"] if args.quick else LEVELS
    ns = [12, 16] if args.quick else NS
    print(f"# Confidence calibration of the noisy solver ({platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {args.seeds} seeds per cell)\n")
    print("| noise | n | runs | mean confidence | answer is s | mean forecast | solved | mean shots | max confidence, unresolved | s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    conf, fore, right, solved = [], [], [], []
    for spec in levels:
        for n in ns:
            t0 = time.perf_counter()
            rows = [run_one(n, spec, seed) for seed in range(args.seeds)]
            c = np.array([r[0].confidence for r in rows])
            f = np.array([getattr(r[0], "forecast", np.nan) for r in rows])  # nan: a solver without a forecast (older versions)
            ok = np.array([r[1] for r in rows], dtype=float)
            sv = np.array([r[0].status == "solved" for r in rows], dtype=float)
            un = c[sv == 0]
            conf += list(c)
            fore += list(f)
            right += list(ok)
            solved += list(sv)
            print(f"| {spec} | {n} | {len(rows)} | {c.mean():.3f} | {ok.mean():.3f} | {f.mean():.3f} | {sv.mean():.3f} | "
                  f"{np.mean([r[0].shots for r in rows]):.0f} | {(f'{un.max():.3f}' if un.size else '-')} | {time.perf_counter() - t0:.1f} |", flush=True)
    print()
    print("\n".join(reliability(np.array(fore), np.array(solved), "forecast")))
    print()
    print("\n".join(reliability(np.array(conf), np.array(right), "confidence")))
    print(f"\nAll runs: mean forecast {np.mean(fore):.3f} against {np.mean(solved):.3f} solved; mean confidence {np.mean(conf):.3f} "
          f"against {np.mean(right):.3f} with the answer right; {len(conf)} runs.")


if __name__ == "__main__":
    main()
