"""``qenergy models`` and ``qenergy model NAME``: the plug-in models."""

from __future__ import annotations

import argparse
import json
from typing import Any

from qenergy.app.cli.options import _int_at_least, _path
from qenergy.app.cli.output import _notice, _totals_text


def add_parser(sub: Any) -> None:
    """Add ``qenergy models`` to the subcommands."""
    sub.add_parser("models", help="list the plug-in models")
    mo = sub.add_parser("model", help="run a plug-in model on the ledger")
    mo.add_argument("name", help="model name (see qenergy models)")
    mo.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a model parameter (repeatable)")
    mo.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="integer >= 0 (default: 0)")
    mo.add_argument("--ledger", type=_path("--ledger"), default=None, help="JSON Lines ledger to create or append to")
    mo.add_argument("--json", action="store_true", help="print one JSON object")


def _cmd_models() -> int:
    from qenergy.models import discover_all, param_infos

    models, broken = discover_all()
    for name, cls in models.items():
        params = ", ".join(f"{p.name}={p.default}{' ' + p.unit if p.unit else ''}" for p in param_infos(cls))
        print(f"{name:16} {cls.summary}")
        print(f"{'':16} parameters: {params}")
    for name, why in sorted(broken.items()):
        print(f"{name:16} (unavailable: {why})")
    return 0


def _cmd_model(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.model_command import run_model_command
    from qenergy.models import parse_param_items

    report = run_model_command(args.name, parse_param_items(args.param), seed=args.seed, ledger=args.ledger, command=command, notify=_notice)
    if args.json:
        print(json.dumps(report.to_dict()))
        return 0
    print(f"model {args.name}: " + ", ".join(f"{k}={v}" for k, v in report.parameters.items()))
    for key, value in report.result.items():
        print(f"  {key}: {value:.6g}" if isinstance(value, float) else f"  {key}: {value}")
    print("ledger totals: " + _totals_text(report.totals_j))
    return 0
