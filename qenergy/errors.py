"""Exceptions that carry a message fit to show a user as one plain line."""

from __future__ import annotations

#: Longest user value quoted in a message; longer ones are cut with "…".
MAX_QUOTED = 60


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters with "…", so a huge bad value keeps its message one readable line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
