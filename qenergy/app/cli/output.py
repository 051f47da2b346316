"""What every command prints: secrets, totals per account and basis, aligned tables, notices."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...ledger import Ledger
from ...secrets import redact


def _totals_text(totals: dict[str, dict[str, float]], kt: dict[str, dict[str, float]] | None = None) -> str:
    """Totals per account and basis, e.g. ``quantum 1.2e-19 J upper_bound; meter 3.4e-02 J estimated`` (bases never summed)."""
    parts = []
    for account, by_basis in totals.items():
        for basis, joules in by_basis.items():
            extra = f" ({kt[account][basis]:.0f} k_B T ln 2)" if kt is not None else ""
            parts.append(f"{account} {joules:.4e} J{extra} {basis}")
    return "; ".join(parts)


def _print_table(rows: Sequence[Sequence[str]], left: int = 0) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip())


def _notice(message: str) -> None:
    """One ``qenergy: note: …`` line on standard error (something the user should know; not an error)."""
    print(redact(f"qenergy: note: {message}"), file=sys.stderr)


def _open_ledger(path: Path, temperature_k: float, *, seed: int | None, command: str) -> Ledger:
    """:meth:`Ledger.open`, announcing on standard error an incomplete line it set aside."""
    ledger = Ledger.open(path, temperature_k, seed=seed, command=command)
    note = ledger.recovery_note()
    if note:
        _notice(note)
    return ledger


class _RedactingStream:
    """A text stream that masks secrets (:func:`qenergy.secrets.redact`) in everything written to it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
