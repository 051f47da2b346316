"""``qenergy simon``: one instance on both sides, the bounds and the criterion."""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
from typing import Any

from qenergy.app.cli.options import MAX_N, _add_energy_options, _checked, _int_at_least, _path, _policy
from qenergy.app.cli.output import _notice, _open_ledger, _print_table, print_json
from qenergy.app.cli.twin import add_dd_options
from qenergy.app.experiment import format_secret as _fmt_secret
from qenergy.energy.bounds import oracle_family
from qenergy.energy.physics import convert_energy, landauer_bit_energy
from qenergy.errors import InputError, QenergyError, one_line
from qenergy.interrupts import signal_name
from qenergy.ledger.book import Ledger
from qenergy.ledger.meter import measure
from qenergy.registry import CLASSICAL


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
    from qenergy.app.experiment import plan_simon, run_note, run_planned
    from qenergy.energy.advantage import criterion

    if args.n is None and not args.oracle.startswith("table:"):
        raise InputError("--n is required for the linear and random oracles; allowed: n >= 1")
    plan = plan_simon(args.n, secret=args.secret, oracle=args.oracle, backend=args.backend, algorithm=args.classical, seed=args.seed,
                      noise=args.noise, shots_budget=args.shots_budget, dd=args.dd, mitigate=args.mitigate, max_minutes=args.max_minutes,
                      secret_weight=args.secret_weight)
    if plan.local_estimate_s is not None and plan.local_estimate_s > 10 and not args.json:
        _notice(f"{args.backend}: Aer's device model is estimated to take about {plan.local_estimate_s:.0f} s a round (estimated)")
    if args.workers is not None or args.scheduler is not None:
        if args.classical != "parallel-rho" or plan.algorithm is None:
            raise InputError(f"--workers/--scheduler with --classical {plan.algorithm.name if plan.algorithm else args.classical} is not allowed; allowed: --classical parallel-rho")
        workers = args.workers
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if workers is not None and args.scheduler is None and workers > max(2, cpus):
            _notice(f"--workers {workers} capped to {max(2, cpus)}: this machine runs {cpus} process(es) at once, and more "
                    "local Dask workers than that only compete for it")
            workers = max(2, cpus)
        algorithm = dataclasses.replace(plan.algorithm, workers=workers, scheduler=args.scheduler,  # type: ignore[type-var]
                                        progress=not args.json and sys.stderr.isatty())
        algorithm.check(plan.instance)
        if args.scheduler is not None:  # reached (handshake included) before the ledger is opened: no phantom run
            from qenergy.classical.parallel_rho import probe_scheduler

            probe_scheduler(args.scheduler)
        plan.algorithm = algorithm
    n, t = plan.instance.n, args.temperature
    policy = _policy(args, oracle_family(args.oracle))
    # everything that can fail is computed before the first charge is written
    w = plan.instance.secret_weight
    quantum_upper_j = policy.quantum.energy_j(n, t, secret_weight=w)
    classical_lower = policy.classical.energy(n, t, args.success, secret_weight=w)
    unit = landauer_bit_energy(t)
    if args.ledger is not None:
        ledger = _open_ledger(args.ledger, t, seed=plan.seed, command=command)
    else:
        ledger = Ledger(t, seed=plan.seed, command=command)
    # walks sent to a cluster given by address run on other processes (maybe other machines), which no meter here reads
    excludes = (f"excludes the energy of the remote Dask workers of --scheduler {args.scheduler} (not measured)"
                if args.scheduler is not None else "")
    with ledger:
        try:
            # its own-energy charge is written also when the run stops early
            with measure(ledger, "simon", note=excludes) as window:
                run = run_planned(plan, ledger, policy=policy)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the ledger says this run did not finish
            ledger.mark_interrupted(signal_name(exc), getattr(exc, "qenergy_details", {}))
            raise
        except QenergyError as exc:
            ledger.mark_interrupted("error", {"error": one_line(str(exc))})
            raise
        verdict = criterion(run.quantum_energy_j, n, classical_lower) if run.quantum_energy_j else None
        # what the charges alone do not say (the instance, each side's answer, the criterion), for `qenergy report`
        ledger.note("simon", run_note(run, success=args.success, criterion=verdict.to_dict() if verdict else None))
    out = run.to_dict()
    if out["quantum"] is not None:
        from qenergy.circuits.twin import noise_model_fields, readout_mitigation

        spec = getattr(plan.prepared, "noise", None)
        out["quantum"]["noise_model"] = noise_model_fields(args.backend, spec, dd=plan.dd, mitigation=plan.mitigate)
        if plan.mitigate == "readout":
            out["quantum"]["readout_mitigation"] = readout_mitigation(plan.prepared, run.quantum.found if run.quantum and run.quantum.solved else None)
    # the run's own energy against each basis of the theoretical charges, never against their sum
    theory = {b: math.fsum(c.energy_j for c in ledger.select(run=ledger.current_run) if c.basis == b) for b in ("upper_bound", "lower_bound")}
    out["measured"] = {"basis": window.basis, "joules": window.exclusive_j, "source": ledger.charges[-1].provenance,
                       "apportioned": window.apportioned, "excludes": excludes or None,
                       "theoretical_j": theory,
                       **{f"ratio_to_{b}": window.exclusive_j / j if j > 0 else None for b, j in theory.items()}}
    out["bounds"] = {
        "quantum_model": policy.quantum.describe(),
        "classical_model": policy.classical.describe(),
        "success": str(args.success),
        "secret_weight": w,
        "quantum_upper_j": quantum_upper_j,
        **classical_lower.fields("classical_lower_j"),
        "criterion": verdict.to_dict() if verdict else None,
    }
    out["ledger"] = {
        "path": str(args.ledger) if args.ledger is not None else None,
        "run": ledger.current_run,
        "totals_j": ledger.totals_j(run=ledger.current_run),
        "totals_kTln2": ledger.totals_kTln2(run=ledger.current_run),
    }
    if args.json:
        print_json(out)
        return 0
    weight = f"  wt(s)<={w}" if w is not None else ""
    print(f"Simon's problem  n={n}  s={_fmt_secret(run.secret, n)}{f' ({run.secret})' if n <= 64 else ''}{weight}  oracle={run.oracle}  seed={run.seed}  T={t:g} K")
    rows: list[tuple[str, ...]] = [("side", "method", "secret found", "correct", "queries", "charged [J]", "[k_B T ln 2]", "basis")]
    rows += run.table_rows(unit)
    rows.append(("this run", "own energy", "", "", "", f"{window.exclusive_j:.4e}", f"{window.exclusive_j / unit:.4g}", window.basis))
    _print_table(rows, left=4)
    print(f"quantum: {policy.quantum.describe()}; classical: {policy.classical.describe()}")
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
    q_nts, c_nts = out["quantum"] and out["quantum"]["nts"], out["classical"] and out["classical"]["nts"]
    if q_nts is not None or c_nts is not None:
        print(f"queries to solution (NTS): quantum {q_nts if q_nts is not None else '-'}, classical {c_nts if c_nts is not None else '-'}")
    if verdict is not None:
        word = "quantum advantage" if verdict.advantage else "no advantage"
        print(f"criterion at n={n}: quantum upper-bound charge {verdict.quantum_j:.4e} J vs classical lower bound {verdict.classical_lower.text()} J "
              f"(success {args.success}): {word}, margin {verdict.margin.short(3)}")
    ratios = [f"{out['measured'][f'ratio_to_{b}']:.3g} x the {b.replace('_', '-')} charges" for b in theory if out["measured"][f"ratio_to_{b}"]]
    print(f"this run's own energy ({window.basis}{', apportioned' if window.apportioned else ''}): {window.exclusive_j:.4e} J"
          + (f" = {', '.join(ratios)}" if ratios else "") + f" [{out['measured']['source']}]")
    if args.ledger is not None:
        print(f"ledger: {args.ledger} (run {ledger.current_run})")
    return 0
