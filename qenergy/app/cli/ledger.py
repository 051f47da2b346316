"""``qenergy ledger show | summary | export``: reading a ledger."""

from __future__ import annotations

import argparse
from typing import Any

from ...errors import InputError, one_line
from ...ledger import Ledger
from .options import _checked, _nonnegative, _path
from .output import _print_table, _totals_text, print_json


def add_parser(sub: Any) -> None:
    """Add ``qenergy ledger`` to the subcommands."""
    lg = sub.add_parser("ledger", help="read a ledger: show, summary, export")
    lsub = lg.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    show = lsub.add_parser("show", help="the header, runs and every charge")
    show.add_argument("path", type=_path("path"))
    show.add_argument("--json", action="store_true", help="print one JSON object")
    summ = lsub.add_parser("summary", help="totals per account, resource and basis")
    summ.add_argument("path", type=_path("path"))
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    exp = lsub.add_parser("export", help="write the charges as CSV and/or a CodeCarbon-style emissions.csv")
    exp.add_argument("path", type=_path("path"))
    exp.add_argument("--csv", type=_path("--csv"), default=None, help="file for every charge as a CSV row")
    exp.add_argument("--codecarbon", type=_path("--codecarbon"), default=None, help="file for CodeCarbon's emissions.csv columns")
    exp.add_argument("--carbon", type=_path("--carbon"), default=None, help="file for energy, PUE, intensity and CO2e per account")
    exp.add_argument("--country", default=None, help="ISO-3 country code for the bundled grid intensity (default: world average)")
    exp.add_argument("--intensity", type=_checked("--intensity", _nonnegative), default=None,
                     help="grid intensity in g CO2e/kWh, overriding --country (default: the country's, else 475 world average)")
    exp.add_argument("--pue", type=_checked("--pue", _nonnegative), default=1.0, help="facility PUE for measured energy (default: 1)")
    exp.add_argument("--force", action="store_true", help="replace output files that already exist (never the ledger itself)")


def _cmd_ledger(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from ...ledger_export import (
        check_export_options,
        check_output_paths,
        export_carbon,
        export_charges_csv,
        export_codecarbon,
        summary_rows,
    )

    ledger = Ledger.load(args.path)
    interrupted = ledger.interrupted_runs()
    torn = ledger.torn_tail
    note = f"note: line {torn.line} is an incomplete write left by a crash ({torn.size} bytes); it is ignored" if torn else ""
    if args.ledger_command == "export":
        from ...carbon import grid_intensity

        targets = [(flag, path) for flag, path in (("--csv", args.csv), ("--codecarbon", args.codecarbon), ("--carbon", args.carbon))
                   if path is not None]
        if not targets:
            raise InputError("ledger export needs --csv FILE, --codecarbon FILE and/or --carbon FILE")
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
