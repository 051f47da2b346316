"""``qenergy sweep``: real runs at each n on both sides, with report, plot and the grid's carbon range (run by
[qenergy.app.sweep_command][]; printed here)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qenergy.app.cli.options import _add_energy_options, _checked, _int_at_least, _path, _positive_seconds, parse_n_range
from qenergy.app.cli.output import _notice
from qenergy.registry import CLASSICAL
from qenergy.secrets import redact


def add_parser(sub: Any) -> None:
    """Add ``qenergy sweep`` to the subcommands."""
    w = sub.add_parser("sweep", help="real runs at each n on both sides, with report and plot")
    w.add_argument("--n", type=_checked("--n", parse_n_range), default=parse_n_range("2:12"), help="range A:B[:STEP] (default: 2:12)")
    w.add_argument("--backend", default="auto", help="auto | aer | cirq | stim | exact | fake:NAME | ibm:NAME | none (default: auto)")
    w.add_argument("--secret-weight", type=_int_at_least("--secret-weight", 1, 1_000_000), default=None, metavar="W",
                   help="restricted problem: every secret has Hamming weight at most W >= 1 (W above n means any secret)")
    w.add_argument("--classical", default=None, help=f"{CLASSICAL.help()} (default: weight-cover with --secret-weight, else birthday)")
    w.add_argument("--oracle", default="linear", help="linear | random (default: linear)")
    w.add_argument("--noise", default=None, metavar="SPEC",
                   help="noise on the simulator: depolarize:P, readout:P, device:fake:NAME, comma-separated (default: none)")
    w.add_argument("--shots-budget", type=_int_at_least("--shots-budget", 1, 10**9), default=None, metavar="K",
                   help="cap on quantum shots per run; a run that cannot confirm an answer within it ends unresolved (default: 20n + 100)")
    w.add_argument("--repeats", type=_int_at_least("--repeats", 1, 1_000_000), default=3, help="instances per n (default: 3)")
    target = w.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=_path("--out"), help="output directory (sweep.json, ledger.jsonl, results.csv, report.md, advantage.png)")
    target.add_argument("--resume", type=_path("--resume"), metavar="DIR", help="continue the sweep in DIR with its own settings, skipping finished points")
    w.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="integer >= 0 (default: 0)")
    where = w.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_int_at_least("--workers", 1, 1024), default=None, help="run on a Dask LocalCluster with K worker processes")
    where.add_argument("--scheduler", default=None, help="run on an existing Dask cluster at tcp://HOST:PORT")
    w.add_argument("--scheduler-timeout", type=_checked("--scheduler-timeout", _positive_seconds), default=10.0, metavar="SECONDS",
                   help="how long to try reaching --scheduler before giving up, > 0 (default: 10)")
    w.add_argument("--force", action="store_true",
                   help="replace results.csv, report.md, advantage.png and sweep.json in the directory even when qenergy did not "
                        "write them (ledger.jsonl is only ever appended to)")
    w.add_argument("--json", action="store_true", help="print one JSON object (no progress bar)")
    w.add_argument("--grid", nargs="?", const="", default=None, metavar="KEY=VALUE,...",
                   help="also run the weather-year grid model (its parameters, e.g. years=3,days=28) and report the "
                        "carbon range of this sweep's own energy across weather years")
    _add_energy_options(w)


def _cmd_sweep(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.sweep_command import SweepRequest, run_sweep_command
    from qenergy.errors import Interrupted

    request = SweepRequest(
        tuple(args.n), out=args.out, resume=args.resume, repeats=args.repeats, backend=args.backend, secret_weight=args.secret_weight,
        classical=args.classical, oracle=args.oracle, noise=args.noise, shots_budget=args.shots_budget, seed=args.seed,
        workers=args.workers, scheduler=args.scheduler, scheduler_timeout_s=args.scheduler_timeout, force=args.force, grid=args.grid,
        temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
        classical_model=args.classical_model.spec, success=args.success, command=command,
        progress=not args.json and sys.stderr.isatty())
    try:
        report = run_sweep_command(request, notify=_notice)
    except Interrupted as exc:  # Ctrl-C: one line saying how to go on, exit status 130
        print(redact(f"qenergy: {exc}"), file=sys.stderr)
        return exc.exit_status
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    res, carbon = report.result, report.carbon
    if carbon is not None:
        i = carbon["intensity_g_per_kwh"]
        own = "; ".join(f"{v['energy_j']:.4g} J ({b}) -> {v['co2e_kg']['min']:.3g}/{v['co2e_kg']['median']:.3g}/{v['co2e_kg']['max']:.3g} kg CO2e"
                        for b, v in carbon["by_basis"].items())
        print(f"carbon across {carbon['weather_years']} weather years (design {carbon['design']}): intensity {i['min']:.3g}/{i['median']:.3g}/{i['max']:.3g} g/kWh "
              f"(min/median/max); this sweep's own {own}")
    print(f"sweep: {res.instances} instances ({res.resumed_points} already done before this run), {res.solved} solved on every side; "
          f"crossover n: {res.crossover if res.crossover is not None else 'none in range'}")
    for name, path in res.files.items():
        print(f"{name}: {path}")
    return 0
