"""``qenergy demo``: n = 2..10 on the local Aer simulator against birthday search (run by [qenergy.app.demo_command][]; printed here)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qenergy.app.cli.options import _int_at_least, _path
from qenergy.app.cli.output import _notice, _print_table, _totals_text
from qenergy.app.demo_command import DEMO_SEED
from qenergy.app.experiment import format_secret as _fmt_secret


def add_parser(sub: Any) -> None:
    """Add ``qenergy demo`` to the subcommands."""
    d = sub.add_parser("demo", help="n = 2..10 on the local Aer simulator against birthday search")
    d.add_argument("--seed", type=_int_at_least("--seed", 0), default=DEMO_SEED, help=f"integer >= 0 (default: {DEMO_SEED})")
    d.add_argument("--dir", type=_path("--dir"), default=Path("qenergy-demo"), help="where the ledger is written (default: ./qenergy-demo)")
    d.add_argument("--json", action="store_true", help="print one JSON object")


def _cmd_demo(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.demo_command import run_demo
    from qenergy.app.experiment import energy_ratio

    report = run_demo(args.dir, seed=args.seed, command=command, notify=_notice)
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    print("qenergy demo: Simon's problem on Qiskit Aer against randomised birthday search, T = 300 K")
    print(f"quantum charged as an upper bound ({report.quantum_model}); classical as a lower bound ({report.classical_model})")
    rows = [("n", "secret", "found Q/C", "Q queries", "C queries", "Q charged [J]", "C charged [J]", "C/Q")]
    for r in report.runs:
        assert r.quantum is not None and r.classical is not None
        ok = f"{'ok' if r.quantum.found == r.secret else 'WRONG'}/{'ok' if r.classical.found == r.secret else 'WRONG'}"
        rows.append((str(r.n), _fmt_secret(r.secret, r.n), ok, str(r.quantum.queries), str(r.classical.queries),
                     f"{r.quantum_energy_j:.3e}", f"{r.classical_energy_j:.3e}", f"{energy_ratio(r):.2f}"))
    _print_table(rows)
    print("ledger totals: " + _totals_text(report.totals_j, report.totals_kTln2))
    print(f"bounds crossover (quantum upper below classical lower from then on, n <= 64): n = {report.crossover_n}")
    print(f"ledger: {report.ledger_path} (run {report.ledger_run}); next: qenergy bounds, qenergy sweep --out DIR")
    return 0
