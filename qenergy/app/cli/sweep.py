"""``qenergy sweep``: real runs at each n on both sides, with report, plot and the grid's carbon range."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from qenergy.app.cli.options import _add_energy_options, _checked, _int_at_least, _path, _positive_seconds, parse_n_range
from qenergy.app.cli.output import _notice
from qenergy.app.reports import grid_carbon
from qenergy.errors import InputError
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
    from qenergy.app.sweep import SweepSpec, resume_sweep, run_sweep
    from qenergy.errors import Interrupted

    grid = _grid_model(args.grid) if args.grid is not None else None  # checked before anything runs
    where = {"command": command, "workers": args.workers, "scheduler": args.scheduler, "progress": not args.json and sys.stderr.isatty(),
             "force": args.force, "scheduler_timeout_s": args.scheduler_timeout, "notify": _notice}
    directory: Path = args.resume if args.resume is not None else args.out
    try:
        if args.resume is not None:
            res = resume_sweep(args.resume, **where)
        else:
            algorithm = args.classical if args.classical is not None else ("weight-cover" if args.secret_weight is not None else "birthday")
            spec = SweepSpec(tuple(args.n), args.repeats, seed=args.seed, backend=args.backend, algorithm=algorithm, oracle=args.oracle,
                             temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
                             classical_model=args.classical_model.spec, success=str(args.success),
                             noise=args.noise or "none", shots_budget=args.shots_budget, secret_weight=args.secret_weight)
            res = run_sweep(spec, args.out, **where)
        carbon = grid_carbon(grid, res) if grid is not None else None
    except Interrupted as exc:  # Ctrl-C: one line saying how to go on, exit status 130
        print(redact(f"qenergy: {exc}"), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:  # after the points were recorded (e.g. in the grid model)
        print(redact(f"qenergy: interrupted; resume with: qenergy sweep --resume {shlex.quote(str(directory))}"), file=sys.stderr)
        return Interrupted.exit_status
    if args.json:
        print(json.dumps({"instances": res.instances, "solved": res.solved, "resumed_points": res.resumed_points, "crossover_n": res.crossover,
                          "ledger_run": res.ledger_run, "files": {k: str(v) for k, v in res.files.items()}, "rows": [r.to_dict() for r in res.bounds],
                          "own_energy_j": res.own_energy_j if res.own_energy_basis else None, "own_energy_basis": res.own_energy_basis,
                          "own_energy_by_basis": res.own_energy_by_basis, "carbon_across_weather_years": carbon, "nts": res.nts}))
        return 0
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


def _grid_model(spec: str) -> Any:
    """The grid model built (and checked) from ``--grid KEY=VALUE,...``."""
    from qenergy.models import build_model

    if any("=" not in item for item in spec.split(",") if item.strip()):
        raise InputError(f"--grid {spec!r}: allowed: KEY=VALUE pairs separated by commas (see qenergy models)")
    params = dict(item.split("=", 1) for item in spec.split(",") if item.strip())
    return build_model("grid", {k.strip(): v.strip() for k, v in params.items()})
