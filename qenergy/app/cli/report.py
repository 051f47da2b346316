"""``qenergy report LEDGER``: a self-contained HTML page and a Markdown file of a ledger."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from qenergy.app.cli.options import _path


def add_parser(sub: Any) -> None:
    """Add ``qenergy report`` to the subcommands."""
    r = sub.add_parser("report", help="write report.html (self-contained, figures inline) and report.md of a ledger")
    r.add_argument("path", type=_path("path"), help="the ledger (JSON Lines)")
    r.add_argument("--out", type=_path("--out"), default=None, metavar="DIR",
                   help="directory for report.html and report.md (default: STEM-report beside the ledger)")
    r.add_argument("--force", action="store_true",
                   help="replace report.html and report.md that an earlier qenergy report wrote (a file qenergy did not write is never replaced)")
    r.add_argument("--json", action="store_true", help="print one JSON object")


def _cmd_report(args: argparse.Namespace) -> int:
    from qenergy.app.ledger_report import check_report_dir, default_report_dir, write_report
    from qenergy.ledger.book import Ledger

    out: Path = args.out if args.out is not None else default_report_dir(Path(args.path))
    check_report_dir(out, force=args.force, inputs=[args.path])  # before the ledger is read: a refused directory fails fast
    ledger = Ledger.load(args.path)
    files = write_report(ledger, out, force=args.force)
    if args.json:
        print(json.dumps({"files": {k: str(v) for k, v in files.items()}, "runs": len(ledger.runs), "charges": len(ledger.charges)}))
        return 0
    print(f"report of {args.path}: {len(ledger.runs)} run(s), {len(ledger.charges):,} charges")
    for key, path in files.items():
        print(f"{key}: {path}")
    return 0
