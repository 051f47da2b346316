"""``qenergy simon``: one instance on both sides, the bounds and the criterion (run by [qenergy.app.simon_command][]; printed here)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from qenergy.app.cli.options import MAX_N, _add_energy_options, _checked, _int_at_least, _path
from qenergy.app.cli.output import _notice, _print_table, print_json
from qenergy.app.cli.twin import add_dd_options
from qenergy.app.experiment import format_secret as _fmt_secret
from qenergy.energy.physics import convert_energy
from qenergy.errors import InputError
from qenergy.registry import CLASSICAL

if TYPE_CHECKING:
    from qenergy.app.simon_command import SimonReport


def add_parser(sub: Any) -> None:
    """Add ``qenergy simon`` to the subcommands."""
    s = sub.add_parser("simon", help="run Simon's algorithm and a classical search on one instance")
    s.add_argument("--n", type=_int_at_least("--n", 1, MAX_N), default=None, help="number of bits n >= 1 (a table file may set it)")
    s.add_argument("--secret", default=None, help="hidden period s: decimal, 0b... or 0x... (default: random non-zero from the seed)")
    s.add_argument("--oracle", default="linear", help="linear | random | table:PATH (default: linear)")
    s.add_argument("--backend", default="auto", help="auto | aer | cirq | stim | exact | fake:NAME | ibm:NAME | none (default: auto = stim for linear oracles, else aer)")
    s.add_argument("--secret-weight", type=_int_at_least("--secret-weight", 1, MAX_N), default=None, metavar="W",
                   help="restricted problem: the secret has Hamming weight at most W >= 1 (random secrets drawn among those)")
    s.add_argument("--classical", default="default", help=f"{CLASSICAL.help()} (default: weight-cover with --secret-weight, else birthday)")
    s.add_argument("--seed", type=_int_at_least("--seed", 0), default=None, help="integer >= 0 (default: fresh, recorded in the ledger)")
    s.add_argument("--noise", default=None, metavar="SPEC",
                   help="noise on the simulator: depolarize:P, readout:P, device:fake:NAME, comma-separated (default: none)")
    s.add_argument("--shots-budget", type=_int_at_least("--shots-budget", 1, 10**9), default=None, metavar="K",
                   help="cap on quantum shots; a run that cannot confirm an answer within it ends unresolved (default: 20n + 100)")
    s.add_argument("--workers", type=_int_at_least("--workers", 1, 1024), default=None,
                   help="run the classical search's walks on a Dask LocalCluster of K workers (parallel-rho); the same result "
                        "and charges as the serial run for K <= 2 or n < 50, else other default walk parameters (see --json)")
    s.add_argument("--scheduler", default=None, help="run the classical search's walks on an existing Dask cluster (parallel-rho); "
                   "the remote workers' energy is not in this run's own energy figure (the output says so)")
    s.add_argument("--ledger", type=_path("--ledger"), default=None, help="JSON Lines ledger to create or append to")
    add_dd_options(s)
    s.add_argument("--max-minutes", type=_checked("--max-minutes", _minutes), default=2.0, metavar="M",
                   help="refuse a fake:NAME run whose Aer simulation is estimated to take longer than M minutes (default: 2)")
    s.add_argument("--json", action="store_true",
                   help="print one JSON object (README: --json); quantum.status solved | solved_classically (found by the "
                        "classical one-to-one proof, not the quantum samples) | unresolved, quantum.resolved_by check | proof | "
                        "collision | \"\"; measured.apportioned true when the run's own energy is a CPU-time share of a "
                        "whole-host reading; measured.excludes what it leaves out")
    _add_energy_options(s)


def _minutes(text: str) -> float:
    from qenergy.numbers import parse_float

    value = parse_float(text, "--max-minutes", 0.0)
    if value <= 0:
        raise InputError(f"--max-minutes {text} is not allowed; allowed: minutes > 0")
    return value


def _cmd_simon(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.simon_command import SimonRequest, run_simon_command

    request = SimonRequest(
        args.n, secret=args.secret, oracle=args.oracle, backend=args.backend, classical=args.classical, seed=args.seed, noise=args.noise,
        shots_budget=args.shots_budget, workers=args.workers, scheduler=args.scheduler, ledger=args.ledger, dd=args.dd, mitigate=args.mitigate,
        max_minutes=args.max_minutes, secret_weight=args.secret_weight, temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps,
        gate_energy_j=args.gate_energy, classical_model=args.classical_model, success=args.success, command=command,
        announce_estimate=not args.json, progress=not args.json and sys.stderr.isatty())
    report = run_simon_command(request, notify=_notice)
    if args.json:
        print_json(report.to_dict())
        return 0
    _print_report(report)
    return 0


def _print_report(report: SimonReport) -> None:
    """The text output of ``qenergy simon``."""
    run, verdict = report.run, report.verdict
    n, t, w, unit = run.n, run.temperature_k, run.secret_weight, report.unit_j
    own_j, basis = report.own_energy_j, report.own_energy_basis
    weight = f"  wt(s)<={w}" if w is not None else ""
    print(f"Simon's problem  n={n}  s={_fmt_secret(run.secret, n)}{f' ({run.secret})' if n <= 64 else ''}{weight}  oracle={run.oracle}  seed={run.seed}  T={t:g} K")
    rows: list[tuple[str, ...]] = [("side", "method", "secret found", "correct", "queries", "charged [J]", "[k_B T ln 2]", "basis")]
    rows += run.table_rows(unit)
    rows.append(("this run", "own energy", "", "", "", f"{own_j:.4e}", f"{own_j / unit:.4g}", basis))
    _print_table(rows, left=4)
    print(f"quantum: {report.quantum_model}; classical: {report.classical_model}")
    if run.quantum is not None and run.quantum.job_ids:
        q = run.quantum
        bound_q = run.quantum_energy_j or 0.0
        ratio = f"{q.qpu_energy_j / bound_q:.3g}" if bound_q > 0 else "-"
        print(f"QPU: job(s) {', '.join(q.job_ids)}; estimated wall-plug energy {q.qpu_energy_j:.4e} J "
              f"({convert_energy(q.qpu_energy_j, 'J', 'kWh'):.3g} kWh, basis estimated, account qpu), {ratio} x the upper-bound charge of the same shots; "
              f"{q.strategy} strategy, confidence {q.confidence:.3f}, {q.candidates_tried} candidate(s) tried")
    if run.quantum is not None and (run.quantum.status != "solved" or run.quantum.noise != "none"):
        q = run.quantum
        state = {
            "solved": "solved (the samples' candidate, confirmed by the classical check f(0) = f(c))",
            "solved_classically": f"SOLVED CLASSICALLY, not by the quantum samples: the charged classical one-to-one proof found s "
                                  f"(resolved_by {q.resolved_by})",
        }.get(q.status, "UNRESOLVED: no candidate could be confirmed within the budget; no answer is reported")
        print(f"quantum status: {state} (noise {q.noise}, {q.shots} shots = {q.noise_multiplier:.3g} x the ideal expectation, "
              f"{q.confirmation_queries} classical check queries charged, confidence {q.confidence:.3f})")
    q_nts, c_nts = run.quantum_nts, run.classical_nts
    if q_nts is not None or c_nts is not None:
        print(f"queries to solution (NTS): quantum {q_nts if q_nts is not None else '-'}, classical {c_nts if c_nts is not None else '-'}")
    if verdict is not None:
        word = "quantum advantage" if verdict.advantage else "no advantage"
        print(f"criterion at n={n}: quantum upper-bound charge {verdict.quantum_j:.4e} J vs classical lower bound {verdict.classical_lower.text()} J "
              f"(success {report.success}): {word}, margin {verdict.margin.short(3)}")
    ratios = [f"{r:.3g} x the {b.replace('_', '-')} charges" for b, r in report.ratios.items() if r]
    print(f"this run's own energy ({basis}{', apportioned' if report.apportioned else ''}): {own_j:.4e} J"
          + (f" = {', '.join(ratios)}" if ratios else "") + f" [{report.own_energy_source}]")
    if report.ledger_path is not None:
        print(f"ledger: {report.ledger_path} (run {report.ledger_run})")
