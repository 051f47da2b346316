"""Command line: ``qenergy simon`` and ``qenergy demo``.

Bad input exits with status 2 and one plain line naming the bad value and what is
allowed; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Callable, NoReturn, Sequence

from .charging import LandauerPolicy
from .errors import InputError, QenergyError
from .ledger import Ledger
from .physics import check_temperature, landauer_bit_energy

DEMO_NS = range(2, 11)
DEMO_SEED = 2026


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors on one line (no usage block) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"qenergy: error: {message}\n")


def _int_option(flag: str, minimum: int) -> Callable[[str], int]:
    """An argparse type for an integer option ``flag`` that must be >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {text!r} is not an integer; allowed: an integer >= {minimum}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{flag} {value} is not allowed; allowed: an integer >= {minimum}")
        return value

    return parse


def _temperature(text: str) -> float:
    try:
        return check_temperature(float(text))
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"--temperature {text!r} is not allowed; allowed: a temperature > 0 kelvin") from None


def build_parser() -> argparse.ArgumentParser:
    """The ``qenergy`` argument parser (also the source of the CLI reference)."""
    p = _Parser(prog="qenergy", description="Energy costs of Simon's problem, quantum against classical, on one ledger.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("simon", help="run Simon's algorithm and a classical search on one instance")
    s.add_argument("--n", type=_int_option("--n", 1), default=None, help="number of bits n >= 1 (a table file may set it)")
    s.add_argument("--secret", default=None, help="hidden period s: decimal, 0b... or 0x... (default: random non-zero from the seed)")
    s.add_argument("--oracle", default="linear", help="linear | random | table:PATH (default: linear)")
    s.add_argument("--backend", default="aer", help="aer | cirq | none (default: aer)")
    s.add_argument("--classical", default="birthday", help="birthday | exhaustive | none (default: birthday)")
    s.add_argument("--seed", type=_int_option("--seed", 0), default=None, help="integer >= 0 (default: fresh, recorded in the ledger)")
    s.add_argument("--temperature", type=_temperature, default=300.0, help="bath temperature in kelvin (default: 300)")
    s.add_argument("--ledger", type=Path, default=None, help="JSON Lines ledger to create or append to")
    s.add_argument("--json", action="store_true", help="print one JSON object")

    d = sub.add_parser("demo", help="n = 2..10 on the local Aer simulator against birthday search")
    d.add_argument("--seed", type=_int_option("--seed", 0), default=DEMO_SEED, help=f"integer >= 0 (default: {DEMO_SEED})")
    d.add_argument("--dir", type=Path, default=Path("qenergy-demo"), help="where the ledger is written (default: ./qenergy-demo)")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _fmt_secret(value: int | None, n: int) -> str:
    return "-" if value is None else f"{value:#0{n + 2}b}"


def _cmd_simon(args: argparse.Namespace, command: str) -> int:
    from .experiment import plan_simon, run_planned

    if args.n is None and not args.oracle.startswith("table:"):
        raise InputError("--n is required for the linear and random oracles; allowed: n >= 1")
    plan = plan_simon(args.n, secret=args.secret, oracle=args.oracle, backend=args.backend, algorithm=args.classical, seed=args.seed)
    if args.ledger is not None:
        ledger = Ledger.open(args.ledger, args.temperature, seed=plan.seed, command=command)
    else:
        ledger = Ledger(args.temperature, seed=plan.seed, command=command)
    with ledger:
        run = run_planned(plan, ledger, policy=LandauerPolicy())
    out = run.to_dict()
    out["ledger"] = {
        "path": str(args.ledger) if args.ledger is not None else None,
        "run": ledger.current_run,
        "totals_j": ledger.totals_j(run=ledger.current_run),
        "totals_kTln2": ledger.totals_kTln2(run=ledger.current_run),
    }
    if args.json:
        print(json.dumps(out))
        return 0
    n = run.n
    unit = landauer_bit_energy(run.temperature_k)
    print(f"Simon's problem  n={n}  s={_fmt_secret(run.secret, n)} ({run.secret})  oracle={run.oracle}  seed={run.seed}  T={run.temperature_k:g} K  policy={run.policy}")
    rows = [("side", "method", "secret found", "correct", "queries", "energy [J]", "[k_B T ln 2]")]
    if run.quantum is not None:
        q = run.quantum
        e = run.quantum_energy_j or 0.0
        rows.append(("quantum", f"{q.metadata.backend}/{q.metadata.method}", _fmt_secret(q.found, n), "yes" if q.found == run.secret else "NO",
                     f"{q.queries} ({q.shots} shots + {q.confirmation_queries})", f"{e:.4e}", f"{e / unit:.4g}"))
    if run.classical is not None:
        c = run.classical
        e = run.classical_energy_j or 0.0
        rows.append(("classical", c.algorithm, _fmt_secret(c.found, n), "yes" if c.found == run.secret else "NO", str(c.queries), f"{e:.4e}", f"{e / unit:.4g}"))
    _print_table(rows)
    if args.ledger is not None:
        print(f"ledger: {args.ledger} (run {ledger.current_run})")
    return 0


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) if i < 4 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip())


def _cmd_demo(args: argparse.Namespace, command: str) -> int:
    from .experiment import energy_ratio, plan_simon, run_planned

    plans = [plan_simon(n, oracle="linear", backend="aer", algorithm="birthday", seed=args.seed + n) for n in DEMO_NS]
    directory: Path = args.dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--dir {str(directory)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    path = directory / "ledger.jsonl"
    policy = LandauerPolicy()
    with Ledger.open(path, 300.0, seed=args.seed, command=command) as ledger:
        runs = [run_planned(plan, ledger, policy=policy, label=f"n={plan.instance.n}") for plan in plans]
    if args.json:
        print(json.dumps({"runs": [r.to_dict() for r in runs], "ledger": {"path": str(path), "run": ledger.current_run,
                          "totals_j": ledger.totals_j(run=ledger.current_run)}}))
        return 0
    print("qenergy demo: Simon's problem, Qiskit Aer against randomised birthday search, T = 300 K, "
          f"charging policy {policy.name} (Landauer k_B T ln 2 per erased bit)")
    rows = [("n", "secret", "found Q/C", "Q queries", "C queries", "Q energy [J]", "C energy [J]", "C/Q energy")]
    for r in runs:
        assert r.quantum is not None and r.classical is not None
        ok = f"{'ok' if r.quantum.found == r.secret else 'WRONG'}/{'ok' if r.classical.found == r.secret else 'WRONG'}"
        rows.append((str(r.n), _fmt_secret(r.secret, r.n), ok, str(r.quantum.queries), str(r.classical.queries),
                     f"{r.quantum_energy_j:.3e}", f"{r.classical_energy_j:.3e}", f"{energy_ratio(r):.2f}"))
    _print_demo_table(rows)
    totals = ledger.totals_j(run=ledger.current_run)
    kt = ledger.totals_kTln2(run=ledger.current_run)
    print("ledger totals: " + ", ".join(f"{a} {totals[a]:.4e} J ({kt[a]:.0f} k_B T ln 2)" for a in totals))
    print(f"ledger: {path} (run {ledger.current_run})")
    return 0


def _print_demo_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(r, widths)))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qenergy`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    command = "qenergy " + shlex.join(argv)
    try:
        if args.command == "simon":
            return _cmd_simon(args, command)
        return _cmd_demo(args, command)
    except QenergyError as exc:
        print(f"qenergy: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
