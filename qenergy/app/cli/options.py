"""Option parsing shared by every command: one-line argparse errors, number checks, ranges, the energy options."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

from qenergy.energy.bounds import OracleFamily, classical_models, parse_classical_model
from qenergy.energy.counts import parse_probability
from qenergy.energy.erasure import check_epsilon
from qenergy.energy.physics import check_temperature
from qenergy.errors import InputError, one_line, shorten
from qenergy.ledger.charging import BoundsPolicy
from qenergy.numbers import parse_float, parse_int
from qenergy.secrets import redact


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors on one line (no usage block) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        text = one_line(" ".join(message.split()))
        if len(text) > 300:
            text = text[:299] + "…"
        self.exit(2, redact(f"qenergy: error: {text}\n"))


def _checked(flag: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type that turns an [`InputError`][InputError] into a one-line message naming ``flag``."""

    def run(text: str) -> Any:
        try:
            return parse(text)
        except InputError as exc:
            message = str(exc)
            named = text in message or shorten(text) in message or message.startswith(flag)
            raise argparse.ArgumentTypeError(message if named else f"{shorten(text)!r}: {message}") from None

    return run


#: Largest value of an integer option without a stated limit of its own (a seed fits 63 bits).
INT_OPTION_MAX = 2**63 - 1


def _int_at_least(flag: str, minimum: int, maximum: int = INT_OPTION_MAX) -> Callable[[str], int]:
    """An integer option under the project's number rule ([qenergy.numbers][]), in minimum..maximum."""

    def parse(text: str) -> int:
        return parse_int(text, flag, minimum, maximum)

    return _checked(flag, parse)


def _path(flag: str) -> Callable[[str], Path]:
    """A path option: not empty, no NUL byte, no component over 255 bytes, at most 4,095 bytes in all."""

    def parse(text: str) -> Path:
        raw = text.encode("utf-8", "surrogateescape")
        if not text:
            raise InputError(f"{flag} path '' is empty; allowed: a file-system path (use . for the current directory)")
        if "\0" in text:
            raise InputError(f"{flag} path contains a NUL byte; allowed: a file-system path")
        if len(raw) > 4095 or any(len(part.encode("utf-8", "surrogateescape")) > 255 for part in text.split("/")):
            raise InputError(f"{flag} path {shorten(text)!r} is too long; allowed: at most 4,095 bytes, 255 per name")
        return Path(text)

    return _checked(flag, parse)


def parse_n_range(text: str) -> list[int]:
    """``A:B`` (inclusive), ``A:B:STEP`` or a single ``N``, every n >= 1."""
    parts = text.split(":")
    nums = [parse_int(p, "--n", allowed="N, A:B or A:B:STEP with integers n >= 1") for p in parts] if len(parts) <= 3 else []
    if len(nums) == 1:
        nums = [nums[0], nums[0]]
    if len(nums) not in (2, 3) or nums[0] < 1 or nums[1] < nums[0] or (len(nums) == 3 and nums[2] < 1):
        raise InputError("allowed: N, A:B or A:B:STEP with 1 <= A <= B and STEP >= 1")
    if nums[1] > MAX_N:
        raise InputError(f"n = {nums[1]} is too large; allowed: n <= {MAX_N:,}")
    values = range(nums[0], nums[1] + 1, nums[2] if len(nums) == 3 else 1)
    if len(values) > MAX_RANGE_VALUES:
        raise InputError(f"the range holds {len(values):,} values; allowed: at most {MAX_RANGE_VALUES:,}")
    return list(values)


#: Largest n any range accepts, and most values in one range.
MAX_N = 1_000_000


MAX_RANGE_VALUES = 100_000


def _add_energy_options(p: argparse.ArgumentParser, *, success: bool = True) -> None:
    g = p.add_argument_group("energy model")
    g.add_argument("--temperature", type=_checked("--temperature", lambda t: check_temperature(_float(t))), default=300.0,
                   help="bath temperature in kelvin, > 0 (default: 300)")
    g.add_argument("--epsilon", type=_checked("--epsilon", lambda t: check_epsilon(_float(t))), default=1e-6,
                   help="reset error of the finite-step erasure, 0 < epsilon < 0.5 (default: 1e-6)")
    g.add_argument("--steps", type=_int_at_least("--steps", 1, 10**18), default=1000, help="steps N of the finite-step erasure (default: 1000)")
    g.add_argument("--gate-energy", type=_checked("--gate-energy", _gate_energy), default=0.0,
                   help="imperfection energy per quantum gate in joules (default: 0)")
    g.add_argument("--classical-model", type=_checked("--classical-model", parse_classical_model), default="irreversible",
                   help=f"classical lower bound: {' | '.join(classical_models())} (default: irreversible)")
    if success:
        g.add_argument("--success", type=_checked("--success", lambda t: parse_probability(t, name="success")), default=Fraction(2, 3),
                       help="success probability for the classical lower bound, e.g. 2/3 (default)")


def _float(text: str) -> float:
    """A finite number under the project's number rule (ASCII float syntax, no ``_``)."""
    return parse_float(text, "value")


def _nonnegative(text: str) -> float:
    return parse_float(text, "value", 0.0)


def _gate_energy(text: str) -> float:
    """Joules per gate: 0 to 1 J (a bound whose every gate costs more is not a model of a computer)."""
    return parse_float(text, "--gate-energy", 0.0, 1.0)


def _positive_seconds(text: str) -> float:
    """A duration in seconds: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number; allowed: seconds > 0") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{text!r} is not allowed; allowed: seconds > 0")
    return value


def _policy(args: argparse.Namespace, family: OracleFamily = "linear") -> BoundsPolicy:
    return BoundsPolicy.from_settings(epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
                                      classical_model=args.classical_model, family=family)


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string, in the parser and its subparsers, that takes a value."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _value_options(sub)
        elif action.option_strings and action.nargs != 0:
            found.update(action.option_strings)
    return found


def _looks_negative_number(text: str) -> bool:
    if not text.startswith("-") or len(text) < 2 or text.startswith("--"):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _attach_negative_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--epsilon -1e-3`` → ``--epsilon=-1e-3``: argparse would read ``-1e-3`` as an option and
    say "expected one argument"; attached, the value reaches its check and the message names it."""
    options = _value_options(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in options and i + 1 < len(argv) and _looks_negative_number(argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out
