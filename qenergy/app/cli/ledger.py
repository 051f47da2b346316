"""``qenergy ledger show | summary | export | import``: reading a ledger, writing it out for other tools, reading theirs in."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qenergy.app.cli.options import _checked, _nonnegative, _path
from qenergy.app.cli.output import _print_table, _totals_text, print_json
from qenergy.errors import InputError, one_line
from qenergy.ledger.book import Ledger


def add_parser(sub: Any) -> None:
    """Add ``qenergy ledger`` to the subcommands."""
    lg = sub.add_parser("ledger", help="read a ledger: show, summary, export; import CodeCarbon runs")
    lsub = lg.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    show = lsub.add_parser("show", help="the header, runs and every charge")
    show.add_argument("path", type=_path("path"))
    show.add_argument("--json", action="store_true", help="print one JSON object")
    summ = lsub.add_parser("summary", help="totals per account, resource and basis")
    summ.add_argument("path", type=_path("path"))
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    exp = lsub.add_parser("export", help="write the charges as CSV, a CodeCarbon-style emissions.csv, carbon figures and/or OpenMetrics counters")
    exp.add_argument("path", type=_path("path"))
    exp.add_argument("--csv", type=_path("--csv"), default=None, help="file for every charge as a CSV row")
    exp.add_argument("--codecarbon", type=_path("--codecarbon"), default=None, help="file for CodeCarbon's emissions.csv columns")
    exp.add_argument("--carbon", type=_path("--carbon"), default=None, help="file for energy, PUE, intensity and CO2e per account")
    exp.add_argument("--openmetrics", type=_path("--openmetrics"), default=None, metavar="FILE",
                     help="file (- for standard output) for cumulative counters in the OpenMetrics text format: "
                          "qenergy_energy_joules_total{account,basis}, qenergy_queries_total{side}, qenergy_runs_total")
    exp.add_argument("--prometheus", type=_path("--prometheus"), default=None, metavar="FILE",
                     help="file (- for standard output) for the same counters in the classic Prometheus text format "
                          "(the one node_exporter's textfile collector reads)")
    exp.add_argument("--country", default=None, help="ISO-3 country code for the bundled grid intensity (default: world average)")
    exp.add_argument("--intensity", type=_checked("--intensity", _nonnegative), default=None,
                     help="grid intensity in g CO2e/kWh, overriding --country (default: the country's, else 475 world average)")
    exp.add_argument("--pue", type=_checked("--pue", _nonnegative), default=1.0, help="facility PUE for measured energy (default: 1)")
    exp.add_argument("--force", action="store_true", help="replace output files that already exist (never the ledger itself)")
    imp = lsub.add_parser("import", help="charge the rows of a CodeCarbon emissions.csv to account codecarbon of a ledger")
    imp.add_argument("path", type=_path("path"), help="CodeCarbon emissions.csv")
    imp.add_argument("--ledger", type=_path("--ledger"), required=True, help="JSON Lines ledger to create or append to")
    imp.add_argument("--basis", choices=("measured", "estimated"), default=None,
                     help="basis of the imported energy (default: measured; rows of qenergy's own export keep the basis their run id names)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")


def _cmd_ledger(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from qenergy.ledger.export import (
        check_export_options,
        check_output_paths,
        export_carbon,
        export_charges_csv,
        export_codecarbon,
        summary_rows,
        write_atomic,
    )
    from qenergy.ledger.metrics import metrics_text

    if args.ledger_command == "import":
        return _cmd_import(args)
    ledger = Ledger.load(args.path)
    interrupted = ledger.interrupted_runs()
    torn = ledger.torn_tail
    note = f"note: line {torn.line} is an incomplete write left by a crash ({torn.size} bytes); it is ignored" if torn else ""
    if args.ledger_command == "export":
        from qenergy.ledger.carbon import grid_intensity

        outputs = (("--csv", args.csv), ("--codecarbon", args.codecarbon), ("--carbon", args.carbon), ("--openmetrics", args.openmetrics),
                   ("--prometheus", args.prometheus))
        if all(path is None for _, path in outputs):
            raise InputError("ledger export needs --csv FILE, --codecarbon FILE, --carbon FILE, --openmetrics FILE|- and/or --prometheus FILE|-")
        stdout_flags = [flag for flag, path in outputs if path is not None and str(path) == "-"]
        if len(stdout_flags) > 1 or (stdout_flags and stdout_flags[0] not in ("--openmetrics", "--prometheus")):
            raise InputError(f"{' and '.join(stdout_flags)} -: allowed: standard output (-) for one of --openmetrics, --prometheus")
        targets = [(flag, path) for flag, path in outputs if path is not None and str(path) != "-"]
        intensity = grid_intensity(args.country, g_per_kwh=args.intensity)
        # every option and every output is checked before the first file is written: PUE and intensity giving
        # finite figures, never the ledger itself, never two options naming one file, an existing file only with --force
        check_export_options(ledger, intensity=intensity, pue=args.pue)
        check_output_paths(targets, force=args.force, inputs=[args.path])
        if args.csv is not None:
            print(f"charges: {export_charges_csv(ledger, args.csv, force=args.force)}")
        if args.codecarbon is not None:
            print(f"emissions: {export_codecarbon(ledger, args.codecarbon, intensity=intensity, pue=args.pue, force=args.force)}")
        if args.carbon is not None:
            print(f"carbon: {export_carbon(ledger, args.carbon, intensity=intensity, pue=args.pue, force=args.force)} "
                  f"at {intensity.describe()}, PUE {args.pue:g}")
        for flag, path, openmetrics in (("--openmetrics", args.openmetrics, True), ("--prometheus", args.prometheus, False)):
            if path is None:
                continue
            text = metrics_text(ledger, openmetrics=openmetrics)
            if str(path) == "-":
                sys.stdout.write(text.decode("utf-8"))
            else:
                print(f"{flag.lstrip('-')}: {write_atomic(path, text, replace=args.force)}")
        if note:
            print(note)
        return 0
    if args.ledger_command == "summary":
        rows = summary_rows(ledger)
        if args.json:
            print_json({"temperature_k": ledger.temperature_k, "runs": len(ledger.runs), "totals_j": ledger.totals_j(),
                        "totals_kTln2": ledger.totals_kTln2(), "rows": rows, "torn_tail_line": torn.line if torn else None,
                        "interrupted_runs": interrupted})
            return 0
        print(one_line(f"{args.path}: {len(ledger.runs)} run(s), {len(ledger.charges)} charges, T = {ledger.temperature_k:g} K"))
        if interrupted:
            print(f"interrupted runs (did not finish; their charges cover the work done until then): {', '.join(map(str, interrupted))}")
        table: list[tuple[str, ...]] = [("account", "resource", "basis", "count", "energy [J]", "[k_B T ln 2]")]
        table += [(r["account"], r["resource"], r["basis"], str(r["count"]), f"{r['energy_j']:.4e}", f"{r['kTln2']:.4g}") for r in rows]
        _print_table(table, left=3)
        print("totals: " + _totals_text(ledger.totals_j()))
    else:
        if args.json:
            print_json({"header": ledger.header(), "runs": [asdict(r) for r in ledger.runs],
                        "charges": [asdict(c) for c in ledger.charges], "torn_tail_line": torn.line if torn else None,
                        "interrupted_runs": {str(k): v for k, v in interrupted.items()}})
            return 0
        print(one_line(f"{args.path}: T = {ledger.temperature_k:g} K, schema {ledger.header()['schema']}"))
        for i, r in enumerate(ledger.runs):
            mark = f"  INTERRUPTED ({_interruption_text(interrupted[i])})" if i in interrupted else ""
            print(one_line(f"run {i}: {r.started}  seed {r.seed}  {r.command}{mark}"))
        table = [("run", "account", "resource", "count", "unit [J]", "basis", "label", "provenance")]
        table += [(str(c.run), c.account, c.resource, str(c.count), f"{c.unit_j:.4e}", c.basis, c.label, c.provenance[:70]) for c in ledger.charges]
        _print_table(table, left=8)
    if note:
        print(note)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    """``qenergy ledger import FILE --ledger L``: the whole file is checked before the ledger is opened."""
    from pathlib import Path

    from qenergy.app.cli.output import _open_ledger
    from qenergy.errors import LedgerError
    from qenergy.ledger.codecarbon_import import CODECARBON_ACCOUNT, import_codecarbon, read_codecarbon_csv

    rows = read_codecarbon_csv(args.path, basis=args.basis)
    target = Path(args.ledger)
    temperature_k = 300.0
    if target.exists() or target.is_symlink():
        if Path(args.path).exists() and target.resolve() == Path(args.path).resolve():
            raise InputError(f"--ledger {str(target)!r} is the file being imported; allowed: another path")
        temperature_k = Ledger.load(target).temperature_k  # the imported joules do not depend on it: join the ledger as it is
    elif not target.parent.is_dir():
        raise LedgerError(f"ledger directory {target.parent} does not exist; allowed: a path in an existing directory")
    with _open_ledger(target, temperature_k, seed=None, command=args.command_line) as ledger:
        import_codecarbon(ledger, rows, source=Path(args.path).name)
        run = ledger.current_run
    total_j = {b: sum(r.energy_j for r in rows if r.basis == b) for b in sorted({r.basis for r in rows})}
    if args.json:
        print(json.dumps({"ledger": str(target), "run": run, "rows": len(rows), "account": CODECARBON_ACCOUNT, "energy_j": total_j}))
        return 0
    print(f"imported {len(rows)} CodeCarbon row(s) into {target} (run {run}), account {CODECARBON_ACCOUNT}: "
          + "; ".join(f"{j:.4g} J {b}" for b, j in total_j.items()))
    return 0
def _interruption_text(data: dict[str, Any]) -> str:
    """``SIGINT; 11911168 queries charged`` from a run-interrupted note's data."""
    parts = [str(data.get("reason", "stopped"))]
    if "error" in data:
        parts.append(str(data["error"]))
    if "queries_charged" in data:
        parts.append(f"{data['queries_charged']} classical queries charged")
    if data.get("chunks_not_charged"):
        parts.append(f"{data['chunks_not_charged']} chunk(s) of the last round not charged")
    return "; ".join(parts)
