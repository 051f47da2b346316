"""Exceptions that carry a message fit to show a user as one plain line, and the helpers that format values in them."""

from __future__ import annotations

#: Longest user value quoted in a message; longer ones are cut with "…".
MAX_QUOTED = 60


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters with "…", so a huge bad value keeps its message one readable line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str) -> str:
    """``text`` with every non-printable character (newlines, record separators, other controls) escaped
    as in Python source (``\\n``, ``\\x1e``), so a message about any value stays one line."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def human_bytes(b: float) -> str:
    """A byte count for messages: ``512 B``, ``1.5 GiB``, … (binary units up to EiB)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if b < 1024 or unit == "EiB":
            return f"{b:.3g} {unit}"
        b /= 1024
    raise AssertionError  # pragma: no cover


def rough_duration(seconds: float) -> str:
    """A rough duration for messages: ``about 40 s``, ``about 12 minutes``, ``about 3.5 hours``, ``about 2e+07 years``."""
    if seconds < 120:
        return f"about {seconds:.0f} s"
    if seconds < 7200:
        return f"about {seconds / 60:.0f} minutes"
    if seconds < 86400 * 365:
        return f"about {seconds / 3600:.2g} hours"
    return f"about {seconds / (86400 * 365):.2g} years"


class QenergyError(Exception):
    """Base class: the CLI prints ``str(error)`` on one line and exits with status 2."""


class InputError(QenergyError, ValueError):
    """A value given by the user is outside what is allowed; the message names both."""


class ResourceLimitError(QenergyError):
    """A run would not fit this machine (memory); the message gives the estimate."""


class ModelError(QenergyError):
    """A model could not produce a result for valid parameters (e.g. its solver failed or found the
    problem infeasible); the message names the parameters and what to try."""


class LedgerError(QenergyError):
    """A ledger file cannot be used (wrong kind of file, mismatched settings)."""


class LedgerCorruptError(LedgerError):
    """A ledger file holds a line that is not a valid record.

    Attributes:
        path: the file.
        line: 1-based number of the first bad line.
    """

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"ledger {path} is corrupt at line {line}: {reason}")


class MixedBasisError(LedgerError):
    """A total was asked of charges of several bases (a bound and a measurement are never added)."""


class Interrupted(QenergyError):
    """The user interrupted a command (Ctrl-C); the message says how to continue. Exit status 130."""

    exit_status = 130
