"""Reading other tools' files into a ledger: CodeCarbon's ``emissions.csv``.

Each row of a CodeCarbon ``emissions.csv`` (the columns of
``codecarbon.output_methods.emissions_data.EmissionsData``; see
`qenergy.ledger.export.CODECARBON_COLUMNS`) becomes one charge to the account
`CODECARBON_ACCOUNT`: resource ``energy_consumed``, count 1, ``unit_j`` =
``energy_consumed`` [kWh] × 3.6 × 10⁶ J/kWh (CodeCarbon's figure as it is, PUE included),
basis ``measured`` (CodeCarbon's energy comes from RAPL/NVML counters or, without them, from
its own TDP-based fallback; the row does not say which, and ``--basis estimated`` records
the rows as estimates instead), the label its ``run_id``, and a provenance naming its
project, run id, timestamp and tracking mode. A note written in the same write keeps each
row's project, run id, experiment id, timestamp, tracking mode and kWh, so that
``qenergy ledger export --codecarbon`` writes the same rows back (a round trip).

Rows that ``qenergy ledger export --codecarbon`` wrote (tracking mode ``qenergy-ledger``)
carry no basis unless their run id ends in ``-measured`` or ``-estimated``; such a row
without it is refused unless the basis is given.

The whole file is read and checked before anything is written: a file that is not a
UTF-8 CSV with the columns ``timestamp``, ``project_name``, ``run_id`` and
``energy_consumed``, a row whose energy is not a finite number of kWh ≥ 0 or whose
timestamp or run id is empty, or a file without rows raises
[`InputError`][qenergy.errors.InputError] naming the row (its line in the file) and column.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qenergy.energy.physics import convert_energy
from qenergy.errors import InputError, shorten
from qenergy.ledger.book import Charge, Ledger, Note

__all__ = ["CODECARBON_ACCOUNT", "CODECARBON_IMPORT_KEY", "CODECARBON_REQUIRED", "MAX_IMPORT_BYTES", "CodeCarbonRow", "import_codecarbon",
           "read_codecarbon_csv"]

#: The account imported CodeCarbon energy is charged to.
CODECARBON_ACCOUNT = "codecarbon"
#: Key of the note that keeps each imported row's CodeCarbon fields.
CODECARBON_IMPORT_KEY = "codecarbon_import"
#: Columns an ``emissions.csv`` must have.
CODECARBON_REQUIRED = ("timestamp", "project_name", "run_id", "energy_consumed")
#: Largest file read (bytes): about 200,000 CodeCarbon rows.
MAX_IMPORT_BYTES = 128 << 20
_BASES = ("measured", "estimated")


@dataclass(frozen=True)
class CodeCarbonRow:
    """One ``emissions.csv`` row: what the ledger keeps of it; ``line`` is its line in the file (1-based)."""

    line: int
    timestamp: str
    project_name: str
    run_id: str
    experiment_id: str
    tracking_mode: str
    energy_consumed_kwh: float
    basis: str

    @property
    def energy_j(self) -> float:
        """``energy_consumed`` in joules."""
        return convert_energy(self.energy_consumed_kwh, "kWh", "J")

    def to_dict(self) -> dict[str, Any]:
        return {"timestamp": self.timestamp, "project_name": self.project_name, "run_id": self.run_id, "experiment_id": self.experiment_id,
                "tracking_mode": self.tracking_mode, "energy_consumed_kwh": self.energy_consumed_kwh, "basis": self.basis}


def read_codecarbon_csv(path: str | os.PathLike[str], *, basis: str | None = None) -> list[CodeCarbonRow]:
    """Every row of the CodeCarbon ``emissions.csv`` at ``path``, checked (see the module docstring).

    ``basis`` (``measured`` or ``estimated``) overrides the basis of every row; None: ``measured``,
    except rows of a qenergy export whose run id names their basis.

    Raises:
        InputError: one line naming the file, the row and column, and what is allowed.
    """
    if basis is not None and basis not in _BASES:
        raise InputError(f"--basis {basis!r} is not allowed; allowed: {', '.join(_BASES)}")
    p = Path(path)
    where = f"CodeCarbon file {shorten(str(p))!r}"
    if not p.is_file():
        what = "does not exist" if not os.path.lexists(p) else "is not a regular file"
        raise InputError(f"{where} {what}; allowed: a CodeCarbon emissions.csv")
    try:
        size = p.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputError(f"{where} has {size:,} bytes; allowed: at most {MAX_IMPORT_BYTES:,}")
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where} is not UTF-8 text; allowed: a CodeCarbon emissions.csv") from None
    except OSError as exc:
        raise InputError(f"{where} cannot be read ({exc.strerror or type(exc).__name__})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{where} is empty; allowed: a CodeCarbon emissions.csv with a header and rows")
        missing = [c for c in CODECARBON_REQUIRED if c not in header]
        if missing:
            raise InputError(f"{where} has no column {missing[0]!r}; allowed: a CodeCarbon emissions.csv (columns {', '.join(CODECARBON_REQUIRED)}, ...)")
        col = {name: header.index(name) for name in header}
        rows: list[CodeCarbonRow] = []
        for values in reader:
            line = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise InputError(f"{where} line {line} has {len(values)} fields; allowed: {len(header)}, one per column of the header")
            rows.append(_row(values, col, line, where, basis))
    except csv.Error as exc:
        raise InputError(f"{where} line {reader.line_num} is not valid CSV ({shorten(str(exc))}); allowed: a CodeCarbon emissions.csv") from None
    if not rows:
        raise InputError(f"{where} holds no rows; allowed: a CodeCarbon emissions.csv with at least one row")
    return rows


def _row(values: list[str], col: dict[str, int], line: int, where: str, basis: str | None) -> CodeCarbonRow:
    def get(name: str) -> str:
        return values[col[name]].strip() if name in col else ""

    raw = get("energy_consumed")
    try:
        kwh = float(raw)
    except ValueError:
        kwh = math.nan
    if not math.isfinite(kwh) or kwh < 0 or not math.isfinite(convert_energy(kwh, "kWh", "J")):
        raise InputError(f"{where} line {line}: energy_consumed {shorten(raw)!r} is not allowed; allowed: a finite number of kWh >= 0")
    for name in ("timestamp", "run_id"):
        if not get(name):
            raise InputError(f"{where} line {line}: {name} is empty; allowed: the value CodeCarbon wrote")
    tracking = get("tracking_mode")
    run_id = get("run_id")
    row_basis = basis
    if row_basis is None:
        suffix = next((b for b in _BASES if run_id.endswith(f"-{b}")), None)
        if tracking == "qenergy-ledger" and suffix is None:
            raise InputError(f"{where} line {line}: a row of qenergy ledger export (run_id {shorten(run_id)!r}) does not say whether its "
                             "energy was measured or estimated; allowed: --basis measured or --basis estimated")
        row_basis = suffix if tracking == "qenergy-ledger" and suffix else "measured"
    return CodeCarbonRow(line, get("timestamp"), get("project_name"), run_id, get("experiment_id"), tracking, kwh, row_basis)


def import_codecarbon(ledger: Ledger, rows: list[CodeCarbonRow], *, source: str = "") -> Note:
    """Charge ``rows`` to the account `CODECARBON_ACCOUNT` of ``ledger`` with the note keeping their fields, in one write.

    ``source`` (the file's name) goes into the note. Returns the note.

    Raises:
        InputError: a charge the ledger refuses (then nothing is written).
    """
    charges = [Charge(CODECARBON_ACCOUNT, "energy_consumed", 1, r.energy_j, r.basis,
                      f"CodeCarbon emissions.csv: project {r.project_name or '-'}, run {r.run_id}, {r.timestamp}, "
                      f"tracking mode {r.tracking_mode or 'not recorded'}", label=r.run_id, model="codecarbon") for r in rows]
    bases = sorted({r.basis for r in rows})
    data = {CODECARBON_IMPORT_KEY: {"file": source, "basis": bases[0] if len(bases) == 1 else ", ".join(bases), "rows": [r.to_dict() for r in rows]}}
    return ledger.extend_and_note(charges, "codecarbon import", data)
