"""``qenergy ledger show | summary | export | import``: reading a ledger, writing it out for other tools, reading theirs in
(computed by [qenergy.app.ledger_command][]; printed here)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from qenergy.app.cli.options import _checked, _nonnegative, _path
from qenergy.app.cli.output import _notice, _print_table, _totals_text, print_json
from qenergy.errors import one_line

if TYPE_CHECKING:
    from qenergy.app.ledger_command import ExportedOutput
    from qenergy.ledger.book import TornTail


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
    from qenergy.app.ledger_command import run_ledger_show, run_ledger_summary

    if args.ledger_command == "import":
        return _cmd_import(args)
    if args.ledger_command == "export":
        return _cmd_export(args)
    if args.ledger_command == "summary":
        summary = run_ledger_summary(args.path)
        if args.json:
            print_json(summary.to_dict())
            return 0
        print(one_line(f"{args.path}: {summary.runs} run(s), {summary.charges} charges, T = {summary.temperature_k:g} K"))
        if summary.interrupted:
            print(f"interrupted runs (did not finish; their charges cover the work done until then): {', '.join(map(str, summary.interrupted))}")
        table: list[tuple[str, ...]] = [("account", "resource", "basis", "count", "energy [J]", "[k_B T ln 2]")]
        table += [(r["account"], r["resource"], r["basis"], str(r["count"]), f"{r['energy_j']:.4e}", f"{r['kTln2']:.4g}") for r in summary.rows]
        _print_table(table, left=3)
        print("totals: " + _totals_text(summary.totals_j))
        torn = summary.torn_tail
    else:
        show = run_ledger_show(args.path)
        if args.json:
            print_json(show.to_dict())
            return 0
        interrupted = show.interrupted
        print(one_line(f"{args.path}: T = {show.temperature_k:g} K, schema {show.header['schema']}"))
        for i, r in enumerate(show.runs):
            mark = f"  INTERRUPTED ({_interruption_text(interrupted[i])})" if i in interrupted else ""
            print(one_line(f"run {i}: {r.started}  seed {r.seed}  {r.command}{mark}"))
        table = [("run", "account", "resource", "count", "unit [J]", "basis", "label", "provenance")]
        table += [(str(c.run), c.account, c.resource, str(c.count), f"{c.unit_j:.4e}", c.basis, c.label, c.provenance[:70]) for c in show.charges]
        _print_table(table, left=8)
        torn = show.torn_tail
    if torn:
        print(_torn_note(torn))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """``qenergy ledger export``: each output's line is printed as soon as it is written (so a later failure hides none)."""
    from qenergy.app.ledger_command import LedgerExportRequest, run_ledger_export

    request = LedgerExportRequest(args.path, csv=args.csv, codecarbon=args.codecarbon, carbon=args.carbon, openmetrics=args.openmetrics,
                                  prometheus=args.prometheus, country=args.country, intensity_g_per_kwh=args.intensity, pue=args.pue,
                                  force=args.force)

    def written(output: ExportedOutput) -> None:
        if output.path is None:
            sys.stdout.write(output.stdout_bytes.decode("utf-8"))
        elif output.kind == "carbon":
            print(f"carbon: {output.path} at {output.intensity}, PUE {args.pue:g}")
        else:
            print(f"{output.kind}: {output.path}")

    report = run_ledger_export(request, written)
    if report.torn_tail:
        print(_torn_note(report.torn_tail))
    return 0


def _torn_note(torn: TornTail) -> str:
    """The stdout note on the incomplete last line a crash left in a ledger."""
    return f"note: line {torn.line} is an incomplete write left by a crash ({torn.size} bytes); it is ignored"


def _cmd_import(args: argparse.Namespace) -> int:
    """``qenergy ledger import FILE --ledger L``: the whole file is checked before the ledger is opened."""
    from qenergy.app.ledger_command import LedgerImportRequest, run_ledger_import

    report = run_ledger_import(LedgerImportRequest(args.path, args.ledger, basis=args.basis, command=args.command_line), notify=_notice)
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    print(f"imported {report.rows} CodeCarbon row(s) into {report.ledger} (run {report.run}), account {report.account}: "
          + "; ".join(f"{j:.4g} J {b}" for b, j in report.energy_j.items()))
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
