"""``qenergy demo``: n = 2..10 on the local Aer simulator against birthday search."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qenergy.app.cli.options import _int_at_least, _path
from qenergy.app.cli.output import _open_ledger, _print_table, _totals_text
from qenergy.app.experiment import format_secret as _fmt_secret
from qenergy.errors import InputError
from qenergy.ledger.charging import BoundsPolicy


def add_parser(sub: Any) -> None:
    """Add ``qenergy demo`` to the subcommands."""
    d = sub.add_parser("demo", help="n = 2..10 on the local Aer simulator against birthday search")
    d.add_argument("--seed", type=_int_at_least("--seed", 0), default=DEMO_SEED, help=f"integer >= 0 (default: {DEMO_SEED})")
    d.add_argument("--dir", type=_path("--dir"), default=Path("qenergy-demo"), help="where the ledger is written (default: ./qenergy-demo)")
    d.add_argument("--json", action="store_true", help="print one JSON object")


DEMO_NS = range(2, 11)


DEMO_SEED = 2026


def _cmd_demo(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.experiment import energy_ratio, plan_simon, run_note, run_planned
    from qenergy.energy.advantage import bound_table, criterion, crossover_n
    from qenergy.energy.bounds import DEFAULT_SUCCESS

    plans = [plan_simon(n, oracle="linear", backend="aer", algorithm="birthday", seed=args.seed + n) for n in DEMO_NS]
    directory: Path = args.dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--dir {str(directory)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    path = directory / "ledger.jsonl"
    policy = BoundsPolicy()
    with _open_ledger(path, 300.0, seed=args.seed, command=command) as ledger:
        runs = []
        for plan in plans:
            run = run_planned(plan, ledger, policy=policy, label=f"n={plan.instance.n}")
            verdict = criterion(run.quantum_energy_j, run.n, policy.classical, 300.0) if run.quantum_energy_j else None
            ledger.note(run.label, run_note(run, success=DEFAULT_SUCCESS, criterion=verdict.to_dict() if verdict else None))
            runs.append(run)
    cross = crossover_n(bound_table(range(2, 65), policy.quantum, policy.classical, 300.0))
    if args.json:
        print(json.dumps({"runs": [r.to_dict() for r in runs], "crossover_n": cross,
                          "ledger": {"path": str(path), "run": ledger.current_run, "totals_j": ledger.totals_j(run=ledger.current_run)}}))
        return 0
    print("qenergy demo: Simon's problem on Qiskit Aer against randomised birthday search, T = 300 K")
    print(f"quantum charged as an upper bound ({policy.quantum.describe()}); classical as a lower bound ({policy.classical.describe()})")
    rows = [("n", "secret", "found Q/C", "Q queries", "C queries", "Q charged [J]", "C charged [J]", "C/Q")]
    for r in runs:
        assert r.quantum is not None and r.classical is not None
        ok = f"{'ok' if r.quantum.found == r.secret else 'WRONG'}/{'ok' if r.classical.found == r.secret else 'WRONG'}"
        rows.append((str(r.n), _fmt_secret(r.secret, r.n), ok, str(r.quantum.queries), str(r.classical.queries),
                     f"{r.quantum_energy_j:.3e}", f"{r.classical_energy_j:.3e}", f"{energy_ratio(r):.2f}"))
    _print_table(rows)
    print("ledger totals: " + _totals_text(ledger.totals_j(run=ledger.current_run), ledger.totals_kTln2(run=ledger.current_run)))
    print(f"bounds crossover (quantum upper below classical lower from then on, n <= 64): n = {cross}")
    print(f"ledger: {path} (run {ledger.current_run}); next: qenergy bounds, qenergy sweep --out DIR")
    return 0
