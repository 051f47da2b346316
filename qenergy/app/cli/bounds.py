"""``qenergy bounds``: quantum upper against classical lower bound over a range of n (computed by [qenergy.app.bounds_command][]; printed here)."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from qenergy.app.cli.options import _add_energy_options, _checked, parse_n_range
from qenergy.app.cli.output import _print_table, print_json
from qenergy.energy.magnitude import Magnitude


def add_parser(sub: Any) -> None:
    """Add ``qenergy bounds`` to the subcommands."""
    b = sub.add_parser("bounds", help="quantum upper against classical lower bound over a range of n")
    b.add_argument("--n", type=_checked("--n", parse_n_range), default=parse_n_range("2:64"), help="range A:B[:STEP] (default: 2:64)")
    fmt = b.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    _add_energy_options(b)


def _cmd_bounds(args: argparse.Namespace) -> int:
    from qenergy.app.bounds_command import bounds_report

    report = bounds_report(args.n, temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
                           classical_model=args.classical_model, success=args.success)
    if args.json:
        print_json(report.to_dict())
        return 0
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["n", "quantum_upper_j", "classical_lower_j", "ratio", "classical_queries"])
        w.writerows([r.n, repr(r.quantum_upper_j), r.classical_lower.csv(), r.ratio_magnitude.csv(), Magnitude.of_int(r.classical_queries).csv()]
                    for r in report.rows)
        return 0
    print(f"T = {args.temperature:g} K, success {args.success}; quantum: {report.quantum_model}; classical: {report.classical_model}")
    table = [("n", "q_min", "quantum upper [J]", "classical lower [J]", "C/Q")]
    table += [(str(r.n), Magnitude.of_int(r.classical_queries).text() if r.classical_queries >= 10**15 else str(r.classical_queries),
               f"{r.quantum_upper_j:.4e}", r.classical_lower.text(), r.ratio_magnitude.short(3)) for r in report.rows]
    _print_table(table)
    print(f"crossover: {report.crossover.text()}")
    return 0
