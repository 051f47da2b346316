"""Command line: ``qenergy simon``, ``bounds``, ``advantage``, ``sweep``, ``models``, ``model``, ``ledger``, ``report`` and ``demo``,
one module per command (each adds its parser and runs it).

Bad input exits with status 2 and one plain line naming the bad value and what is
allowed; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Sequence

from ...errors import QenergyError, one_line
from ...secrets import redact
from . import advantage as _advantage
from . import bounds as _bounds
from . import demo as _demo
from . import ledger as _ledger
from . import models as _models
from . import report as _report
from . import simon as _simon
from . import sweep as _sweep
from .options import _attach_negative_values, _Parser, parse_n_range
from .output import _RedactingStream

__all__ = ["build_parser", "main", "parse_n_range", "reference_markdown"]


def build_parser() -> argparse.ArgumentParser:
    """The ``qenergy`` argument parser (also the source of the CLI reference)."""
    p = _Parser(prog="qenergy", description="Energy costs of Simon's problem, quantum against classical, on one ledger.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (_simon, _bounds, _advantage, _sweep, _models, _ledger, _report, _demo):
        command.add_parser(sub)
    return p


def reference_markdown() -> str:
    """The CLI reference (docs/cli.md), generated from the parser so that it cannot drift."""
    parser = build_parser()
    lines = ["# qenergy command reference", "", "Generated from the argument parser (`qenergy.app.cli.reference_markdown`); a test keeps this file in step.", ""]

    def walk(p: argparse.ArgumentParser, title: str) -> None:
        p.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=100)  # independent of the terminal
        lines.extend([f"## `{title}`", "", "```", p.format_help().rstrip(), "```", ""])
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{title} {name}")

    walk(parser, "qenergy")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qenergy`` console script; returns the exit status.

    0 on success; 2 with one line on standard error for bad input, a damaged file or a
    closed output pipe; 130 when interrupted (Ctrl-C).
    """
    raw = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(_RedactingStream(stdout)):
            try:
                args = parser.parse_args(_attach_negative_values(raw, parser))
            except SystemExit as exc:  # --help (0) or a usage error (2, one line already printed)
                return exc.code if isinstance(exc.code, int) else 2
            return _dispatch(args, "qenergy " + shlex.join(raw))
    except QenergyError as exc:
        print(redact(f"qenergy: error: {one_line(str(exc))}"), file=sys.stderr)
        return int(getattr(exc, "exit_status", 2))
    except BrokenPipeError:
        # the reader went away (``qenergy ledger show L | head -1``): stop writing, say so once
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        print("qenergy: error: standard output was closed before all output was written (broken pipe)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qenergy: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, command: str) -> int:
    if args.command == "simon":
        return _simon._cmd_simon(args, command)
    if args.command == "bounds":
        return _bounds._cmd_bounds(args)
    if args.command == "advantage":
        return _advantage._cmd_advantage(args, command)
    if args.command == "sweep":
        return _sweep._cmd_sweep(args, command)
    if args.command == "ledger":
        args.command_line = command
        return _ledger._cmd_ledger(args)
    if args.command == "report":
        return _report._cmd_report(args)
    if args.command == "models":
        return _models._cmd_models()
    if args.command == "model":
        return _models._cmd_model(args, command)
    return _demo._cmd_demo(args, command)
