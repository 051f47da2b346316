"""``qenergy bounds``: quantum upper against classical lower bound over a range of n."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from qenergy.app.cli.options import MAX_BOUNDS_WORK_S, _add_energy_options, _checked, _policy, bounds_work_s, parse_n_range
from qenergy.app.cli.output import _print_table, print_json
from qenergy.energy.magnitude import Magnitude
from qenergy.errors import InputError


def add_parser(sub: Any) -> None:
    """Add ``qenergy bounds`` to the subcommands."""
    b = sub.add_parser("bounds", help="quantum upper against classical lower bound over a range of n")
    b.add_argument("--n", type=_checked("--n", parse_n_range), default=parse_n_range("2:64"), help="range A:B[:STEP] (default: 2:64)")
    fmt = b.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    _add_energy_options(b)


def _cmd_bounds(args: argparse.Namespace) -> int:
    from qenergy.energy.advantage import bound_table, bounds_crossover

    work = bounds_work_s(args.n)
    if work > MAX_BOUNDS_WORK_S:
        raise InputError(f"--n range of {len(args.n):,} sizes up to n = {max(args.n):,} needs about {work:.0f} s of exact arithmetic; "
                         f"allowed: at most {MAX_BOUNDS_WORK_S:.0f} s (use a STEP or a smaller range)")
    policy = _policy(args)
    rows = bound_table(args.n, policy.quantum, policy.classical, args.temperature, args.success)
    # the crossover is where the curves cross, wherever that is: every n from 1 up to the range's end is computed
    cross = bounds_crossover(args.n, policy.quantum, policy.classical, args.temperature, args.success)
    if args.json:
        print_json({
            "temperature_k": args.temperature, "epsilon": args.epsilon, "steps": args.steps, "success": str(args.success),
            "quantum_model": policy.quantum.describe(), "classical_model": policy.classical.describe(),
            "rows": [r.to_dict() for r in rows], "crossover_n": cross.n if cross.exact else None, "crossover": cross.to_dict(),
        })
        return 0
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["n", "quantum_upper_j", "classical_lower_j", "ratio", "classical_queries"])
        w.writerows([r.n, repr(r.quantum_upper_j), r.classical_lower.csv(), r.ratio_magnitude.csv(), Magnitude.of_int(r.classical_queries).csv()]
                    for r in rows)
        return 0
    print(f"T = {args.temperature:g} K, success {args.success}; quantum: {policy.quantum.describe()}; classical: {policy.classical.describe()}")
    table = [("n", "q_min", "quantum upper [J]", "classical lower [J]", "C/Q")]
    table += [(str(r.n), Magnitude.of_int(r.classical_queries).text() if r.classical_queries >= 10**15 else str(r.classical_queries),
               f"{r.quantum_upper_j:.4e}", r.classical_lower.text(), r.ratio_magnitude.short(3)) for r in rows]
    _print_table(table)
    print(f"crossover: {cross.text()}")
    return 0
