"""What every command prints: secrets, totals per account and basis, aligned tables, notices."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qenergy.errors import QenergyError, one_line
from qenergy.ledger.book import Ledger
from qenergy.secrets import redact


def print_json(data: Any) -> None:
    """Print ``data`` as one strict JSON object; a non-finite number anywhere is one plain error line instead.

    Raises:
        QenergyError: ``data`` holds NaN or an infinity (nothing is printed).
    """
    try:
        text = json.dumps(data, allow_nan=False)
    except ValueError:
        raise QenergyError(f"a computed figure is not finite ({_first_non_finite(data)}); nothing was printed. "
                           "allowed: inputs whose figures stay within the range of a double") from None
    print(text)


def _first_non_finite(data: Any, path: str = "") -> str:
    """Where the first NaN or infinity in ``data`` sits, e.g. ``rows[3].quantum_j.low = inf``."""
    if isinstance(data, float) and data != data or data in (float("inf"), float("-inf")):
        return f"{path or 'value'} = {data}"
    if isinstance(data, dict):
        for k, v in data.items():
            found = _first_non_finite(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(data, (list, tuple)):
        for i, v in enumerate(data):
            found = _first_non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return ""


def _totals_text(totals: dict[str, dict[str, float]], kt: dict[str, dict[str, float]] | None = None) -> str:
    """Totals per account and basis, e.g. ``quantum 1.2e-19 J upper_bound; meter 3.4e-02 J estimated`` (bases never summed)."""
    parts = []
    for account, by_basis in totals.items():
        for basis, joules in by_basis.items():
            extra = f" ({kt[account][basis]:.0f} k_B T ln 2)" if kt is not None else ""
            parts.append(f"{account} {joules:.4e} J{extra} {basis}")
    return one_line("; ".join(parts))  # account names come from ledgers: their control characters are escaped


def _print_table(rows: Sequence[Sequence[str]], left: int = 0) -> None:
    """Aligned columns; every cell's control characters escaped (a ledger field cannot move the cursor or clear the screen)."""
    rows = [[one_line(str(cell)) for cell in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip())


def _notice(message: str) -> None:
    """One ``qenergy: note: …`` line on standard error (something the user should know; not an error)."""
    print(redact(f"qenergy: note: {message}"), file=sys.stderr)


def _open_ledger(path: Path, temperature_k: float, *, seed: int | None, command: str) -> Ledger:
    """[qenergy.app.experiment.open_ledger][], announcing on standard error an incomplete line it set aside."""
    from qenergy.app.experiment import open_ledger

    return open_ledger(path, temperature_k, seed=seed, command=command, notify=_notice)


class StdoutError(QenergyError):
    """Standard output could not be written (closed, full, broken pipe): the command stops with one line on stderr."""

    def __init__(self, error: OSError) -> None:
        super().__init__(f"standard output could not be written ({error.strerror or type(error).__name__})")
        self.error = error


class _RedactingStream:
    """A text stream that masks secrets ([qenergy.secrets.redact][]) in everything written to it; an I/O
    error of the stream (closed, full disk, broken pipe) is raised as [`StdoutError`][StdoutError], told apart from the
    I/O errors of files."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            self._stream.write(redact(text))
        except OSError as exc:
            raise StdoutError(exc) from None
        except ValueError as exc:  # "I/O operation on closed file"
            raise StdoutError(OSError(0, str(exc))) from None
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise StdoutError(exc) from None
        except ValueError as exc:
            raise StdoutError(OSError(0, str(exc))) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
