"""Command line: ``qenergy simon``, ``bounds``, ``advantage``, ``sweep``, ``twin``, ``models``, ``model``, ``ledger``, ``report`` and ``demo``,
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
from typing import Any

from qenergy.app.cli import advantage as _advantage
from qenergy.app.cli import bounds as _bounds
from qenergy.app.cli import demo as _demo
from qenergy.app.cli import ledger as _ledger
from qenergy.app.cli import models as _models
from qenergy.app.cli import report as _report
from qenergy.app.cli import simon as _simon
from qenergy.app.cli import sweep as _sweep
from qenergy.app.cli import twin as _twin
from qenergy.app.cli.options import _attach_negative_values, _Parser, parse_n_range
from qenergy.app.cli.output import StdoutError, _RedactingStream
from qenergy.errors import QenergyError, one_line
from qenergy.interrupts import Terminated, exit_status, raising_interrupts
from qenergy.secrets import redact

__all__ = ["build_parser", "main", "parse_n_range", "reference_markdown"]


def build_parser() -> argparse.ArgumentParser:
    """The ``qenergy`` argument parser (also the source of the CLI reference)."""
    p = _Parser(prog="qenergy", description="Energy costs of Simon's problem, quantum against classical, on one ledger.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (_simon, _bounds, _advantage, _sweep, _twin, _models, _ledger, _report, _demo):
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

    0 on success; 2 with one line on standard error for bad input, a damaged file, or standard
    output closed, full or broken (nothing more is written to it); 130 when interrupted (Ctrl-C),
    143 on SIGTERM (handled like Ctrl-C: the work in progress is charged and the run marked as
    interrupted in its ledger).
    """
    with raising_interrupts():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    if stdout is None or getattr(stdout, "closed", False):
        print("qenergy: error: standard output is closed; allowed: a terminal, a file or a pipe (e.g. > out.txt)", file=sys.stderr)
        return 2
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(_RedactingStream(stdout)):
            try:
                args = parser.parse_args(_attach_negative_values(raw, parser))
            except SystemExit as exc:  # --help (0) or a usage error (2, one line already printed)
                return exc.code if isinstance(exc.code, int) else 2
            status = _dispatch(args, "qenergy " + shlex.join(raw))
            sys.stdout.flush()  # a full disk or a closed pipe is found here, not at the interpreter's exit
            return status
    except StdoutError as exc:
        # the reader went away (``qenergy ledger show L | head -1``), the disk is full (``> /dev/full``), …:
        # stop writing, say so once, and let the interpreter's final flush go nowhere
        _silence(stdout)
        reason = "broken pipe" if isinstance(exc.error, BrokenPipeError) else (exc.error.strerror or type(exc.error).__name__)
        print(f"qenergy: error: standard output could not be written ({reason}); the output is incomplete", file=sys.stderr)
        return 2
    except QenergyError as exc:
        print(redact(f"qenergy: error: {one_line(str(exc))}"), file=sys.stderr)
        return int(getattr(exc, "exit_status", 2))
    except KeyboardInterrupt as exc:
        word = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(f"qenergy: {word}", file=sys.stderr)
        return exit_status(exc)


def _silence(stream: Any) -> None:
    """Point ``stream``'s descriptor at /dev/null and drop what its buffer holds, so nothing more fails on it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):
        stream.flush()


def _dispatch(args: argparse.Namespace, command: str) -> int:
    if args.command == "simon":
        return _simon._cmd_simon(args, command)
    if args.command == "bounds":
        return _bounds._cmd_bounds(args)
    if args.command == "advantage":
        return _advantage._cmd_advantage(args, command)
    if args.command == "sweep":
        return _sweep._cmd_sweep(args, command)
    if args.command == "twin":
        return _twin._cmd_twin(args)
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
