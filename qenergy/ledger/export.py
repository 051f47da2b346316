"""Reading ledgers for people and dashboards: summaries, a CSV of charges, and a
CodeCarbon-compatible ``emissions.csv``.

The ``emissions.csv`` export has exactly the columns, in order, of CodeCarbon 3.x's
``emissions.csv``: the fields of ``codecarbon.output_methods.emissions_data.EmissionsData``
(CodeCarbon 3.3.2, file ``codecarbon/output_methods/emissions_data.py`` of
github.com/mlco2/codecarbon; CodeCarbon writes one column per field in field order,
``output_methods/file.py``), so dashboards that read CodeCarbon runs read ours. Only
energy that was ``measured`` or ``estimated`` is consumption; theoretical bounds
(``lower_bound``, ``upper_bound``) are left out of it (they are in the charges CSV), and
so is the ``host`` account of [qenergy.ledger.meter][] (whole-host energy that contains the
``meter`` account's share: with it the rows could not be summed). One row per run and
account (and, for the ``codecarbon`` account of rows ``qenergy ledger import`` read, one
row per imported row with the project, run id, timestamp and tracking mode it came with):
``energy_consumed`` in kWh (× PUE, as CodeCarbon does), ``emissions`` in kg
CO2e at the chosen grid intensity ([qenergy.ledger.carbon][]: a bundled country average, or
CodeCarbon's own fallback, the world average of 475 g/kWh), ``water_consumed`` in litres
= WUE [L/kWh] × ``energy_consumed`` (CodeCarbon's rule; WUE defaults to 0 as in
CodeCarbon). What a ledger does not record is left empty rather than guessed: the
duration and power of a run, the split of energy into CPU, GPU and RAM, utilisation, the
machine's hardware, OS and Python version (the exporting machine need not be the one
that ran), location and cloud.

Output files are never written over by accident: [`check_output_paths`][check_output_paths] refuses,
before anything is written, an output that is the input ledger (also under another name
or through a link, even when replacing is allowed), two outputs naming one file, a
directory, a path in a missing directory, and an existing file unless replacing was asked
for (``force``). `write_atomic` writes through a temporary file created exclusively
under a unique name beside the target and a rename, and without ``replace`` never
replaces a file that appeared meanwhile.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from qenergy.energy.physics import convert_energy, landauer_units
from qenergy.errors import InputError
from qenergy.ledger.book import Charge, Ledger
from qenergy.ledger.carbon import WORLD_AVERAGE, GridIntensity, co2e_kg
from qenergy.secrets import redact_bytes

__all__ = ["CARBON_COLUMNS", "CHARGE_COLUMNS", "CODECARBON_COLUMNS", "CODECARBON_SKIPPED_ACCOUNTS", "check_export_options", "check_finite_rows",
           "check_output_path", "check_output_paths",
           "export_carbon", "export_charges_csv", "export_codecarbon", "summary_rows", "write_atomic", "write_csv_atomic"]

CHARGE_COLUMNS = ("run", "account", "resource", "count", "unit_j", "energy_j", "basis", "provenance", "label", "model")

#: CodeCarbon 3.x ``emissions.csv`` columns written by [`export_codecarbon`][export_codecarbon]: the fields of
#: ``EmissionsData`` in order, pinned from codecarbon 3.3.2 ``codecarbon/output_methods/emissions_data.py``
#: (tests/test_export_codecarbon.py checks them against CodeCarbon itself when it is installed).
CODECARBON_COLUMNS = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
    "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed", "water_consumed",
    "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os", "python_version",
    "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude", "latitude",
    "ram_total_size", "tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent", "ram_utilization_percent",
    "ram_used_gb", "on_cloud", "pue", "wue",
)

#: Accounts never written to ``emissions.csv``: ``host`` holds whole-host energy that contains the ``meter`` share.
CODECARBON_SKIPPED_ACCOUNTS = ("host",)


def summary_rows(ledger: Ledger) -> list[dict[str, Any]]:
    """Totals per (account, resource, basis): units, joules and k_B·T·ln 2."""
    acc: dict[tuple[str, str, str], list[Any]] = {}
    for c in ledger.charges:
        key = (c.account, c.resource, c.basis)
        entry = acc.setdefault(key, [0, []])
        entry[0] += c.count
        entry[1].append(c.energy_j)
    rows = []
    for (account, resource, basis), (count, energies) in acc.items():
        joules = math.fsum(energies)
        rows.append({"account": account, "resource": resource, "basis": basis, "count": count, "energy_j": joules,
                     "kTln2": landauer_units(joules, ledger.temperature_k)})
    return rows


def _same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: the same resolved path, or (both existing) the same inode."""
    try:
        if os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def check_output_path(path: Path, *, flag: str = "output", force: bool = False, inputs: Sequence[Path] = ()) -> bool:
    """Refuse an output path that must not be written; returns True when it exists (and may be replaced).

    Refused ([`InputError`][InputError], naming ``flag`` and the path): one of ``inputs`` (even
    with ``force``: an input is never an output), a directory or other non-regular file, a
    path whose directory is missing, and an existing file unless ``force``.
    """
    p = Path(path)
    for source in inputs:
        if source is not None and _same_file(p, Path(source)):
            raise InputError(f"{flag} {str(p)!r} is the input ledger {str(source)!r}; an input is never an output "
                             "(choose another path; --force does not change this)")
    parent = p.parent
    if p.is_dir():
        raise InputError(f"{flag} {str(p)!r} is a directory; allowed: a file path in an existing directory")
    if not parent.is_dir():
        what = "does not exist" if not os.path.lexists(parent) else "is not a directory"
        raise InputError(f"{flag} {str(p)!r}: {str(parent)!r} {what}; allowed: a file path in an existing directory")
    if os.path.lexists(p):
        if not p.is_file():
            raise InputError(f"{flag} {str(p)!r} exists and is not a regular file; refusing to replace it (choose another path)")
        if not force:
            raise InputError(f"{flag} {str(p)!r} exists; refusing to replace it (choose another path, or add --force to replace it)")
        return True
    return False


def check_output_paths(targets: Sequence[tuple[str, Path]], *, force: bool = False, inputs: Sequence[Path] = ()) -> dict[str, bool]:
    """[`check_output_path`][check_output_path] for each ``(flag, path)``, and no two naming the same file.

    Returns ``{flag: exists}``. Everything is checked before the caller writes anything.
    """
    for i, (flag_a, a) in enumerate(targets):
        for flag_b, b in targets[i + 1:]:
            if _same_file(Path(a), Path(b)):
                raise InputError(f"{flag_a} and {flag_b} both name {str(a)!r}; allowed: a different file for each")
    return {flag: check_output_path(Path(path), flag=flag, force=force, inputs=inputs) for flag, path in targets}


def _exclusive_temp(path: Path) -> tuple[Path, int]:
    """A new temporary file beside ``path`` (exclusive creation, unique name): its path and descriptor."""
    while True:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - a 48-bit clash
            continue
        except OSError as exc:
            raise InputError(f"{str(path)!r} cannot be written ({exc.strerror}); allowed: a writable directory") from None


def write_atomic(path: Path, write: Callable[[IO[bytes]], None] | bytes, *, replace: bool = False) -> Path:
    """Write ``path`` whole: into a new temporary file beside it, synced, then renamed onto it.

    Secrets ([qenergy.secrets.redact_bytes][]) are masked in the content, whatever the file.

    ``write`` is the content (bytes) or a function writing it to a binary file. Readers
    never see half a file; concurrent writers never share a temporary file. Without
    ``replace`` a file that exists at ``path`` when the rename comes is left untouched
    and [`InputError`][InputError] is raised (the new file is linked into place, which fails
    when the name is taken); with ``replace`` it is replaced.
    """
    path = Path(path)
    if not isinstance(write, (bytes, bytearray)):  # built in memory first: every file qenergy writes is redacted
        buf = io.BytesIO()
        write(buf)
        write = buf.getvalue()
    content = redact_bytes(bytes(write))
    tmp, fd = _exclusive_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic, and never over an existing name
            except FileExistsError:
                raise InputError(f"{str(path)!r} appeared while it was being written; refusing to replace it (choose another path)") from None
            except OSError:  # a file system without hard links
                if os.path.lexists(path):
                    raise InputError(f"{str(path)!r} appeared while it was being written; refusing to replace it (choose another path)") from None
                os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        os.unlink(tmp)  # the link's other name
    return path


def check_finite_rows(rows: list[dict[str, Any]], what: str) -> None:
    """Refuse rows holding a non-finite number (an ``inf`` or ``nan`` in a file would pass for a figure).

    Raises:
        InputError: naming ``what``, the column and the value.
    """
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise InputError(f"{what}: {key} would be {value} (beyond the range of a double); nothing was written. "
                                 "allowed: options whose results stay finite (e.g. a smaller --pue or --intensity)")


def write_csv_atomic(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]], *, replace: bool = False) -> Path:
    """Write ``rows`` to ``path`` with `write_atomic` (header ``columns``): readers never see half a file.

    Raises:
        InputError: a row holds a non-finite number (nothing is written).
    """
    check_finite_rows(rows, str(path))

    def write(fh: IO[bytes]) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        w = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        text.flush()
        text.detach()

    return write_atomic(path, write, replace=replace)


def check_export_options(ledger: Ledger, *, intensity: GridIntensity, pue: float) -> None:
    """Check, before any file is written, that the carbon exports give finite figures for this ledger.

    Raises:
        InputError: ``pue`` below 1 or not finite, or a CO2e or kWh figure beyond the range of a double.
    """
    if not (math.isfinite(pue) and pue >= 1.0):
        raise InputError(f"--pue {pue!r} is not allowed; allowed: a finite value >= 1")
    if not math.isfinite(intensity.g_per_kwh):
        raise InputError(f"--intensity {intensity.g_per_kwh!r} g/kWh is not allowed; allowed: a finite value >= 0")
    rows = []
    for account in ledger.accounts():
        for joules in _real_energy_by_basis(ledger.select(account=account)).values():
            rows.append({"energy_kwh": convert_energy(joules * pue, "J", "kWh"), "co2e_kg": co2e_kg(joules, intensity, pue=pue)})
    check_finite_rows(rows, "ledger export")


def _checked_target(ledger: Ledger, path: Path, force: bool) -> bool:
    inputs = [ledger.path] if ledger.path is not None else []
    return check_output_path(Path(path), force=force, inputs=inputs)


def export_charges_csv(ledger: Ledger, path: Path, *, force: bool = False) -> Path:
    """Every charge as one CSV row (columns [`CHARGE_COLUMNS`][CHARGE_COLUMNS]) in ``path``; returns ``path``.

    Raises:
        InputError: ``path`` is the ledger's own file, a directory, in a missing directory,
            or exists and ``force`` is False (see [`check_output_path`][check_output_path]).
    """
    _checked_target(ledger, path, force)
    return write_csv_atomic(path, CHARGE_COLUMNS, [{**asdict(c), "energy_j": c.energy_j} for c in ledger.charges], replace=force)


def export_codecarbon(ledger: Ledger, path: Path, *, intensity: GridIntensity = WORLD_AVERAGE, pue: float = 1.0,
                      wue_l_per_kwh: float = 0.0, project_name: str = "qenergy", force: bool = False) -> Path:
    """A CodeCarbon 3.x ``emissions.csv`` (columns `CODECARBON_COLUMNS`) at ``path``; returns ``path``.

    One row per run and account with measured or estimated energy (bounds and the
    ``host`` account left out): ``energy_consumed`` [kWh] = joules × ``pue``,
    ``emissions`` [kg CO2e] at ``intensity``, ``water_consumed`` [L] =
    ``wue_l_per_kwh`` × ``energy_consumed``. Columns the ledger cannot fill are empty.

    Raises:
        InputError: ``pue`` < 1 (from [qenergy.ledger.carbon.co2e_kg][]) or ``wue_l_per_kwh`` negative or not finite;
            ``path`` refused by [`check_output_path`][check_output_path] (an existing file only replaced with ``force``).
        OSError: ``path`` cannot be written.
    """
    if not (math.isfinite(wue_l_per_kwh) and wue_l_per_kwh >= 0):
        raise InputError(f"WUE {wue_l_per_kwh!r} L/kWh is not allowed; allowed: a finite number >= 0")
    _checked_target(ledger, path, force)
    rows = []
    imported = _imported_codecarbon_rows(ledger)
    for run_index, run in enumerate(ledger.runs):
        for account in ledger.accounts():
            if account in CODECARBON_SKIPPED_ACCOUNTS:
                continue
            if account == "codecarbon" and (run_index, account) in imported:  # imported rows go back out as they came in
                rows += _reexported(ledger.select(run=run_index, account=account), imported[(run_index, account)], intensity, pue, wue_l_per_kwh)
                continue
            by_basis = _real_energy_by_basis(ledger.select(run=run_index, account=account))
            for basis, joules in by_basis.items():  # a measurement and an estimate are never added into one row
                kwh = convert_energy(joules * pue, "J", "kWh")
                run_id = f"{run_index}-{account}" if len(by_basis) == 1 else f"{run_index}-{account}-{basis}"
                rows.append({
                    "timestamp": run.started, "project_name": project_name, "run_id": run_id,
                    "experiment_id": account, "emissions": co2e_kg(joules, intensity, pue=pue),
                    "energy_consumed": kwh, "water_consumed": wue_l_per_kwh * kwh,
                    "country_name": intensity.name, "country_iso_code": intensity.code,
                    "tracking_mode": "qenergy-ledger", "pue": pue, "wue": wue_l_per_kwh,
                    # Not in a ledger, so left empty (not 0, which would claim a value): duration and
                    # emissions_rate (charges carry no times), cpu/gpu/ram power and energy (charges are
                    # not split by component), utilisation and RAM use, region, cloud, OS, Python and
                    # CodeCarbon version, hardware and location (the ledger does not record the machine).
                })
    return write_csv_atomic(path, CODECARBON_COLUMNS, rows, replace=force)


def _imported_codecarbon_rows(ledger: Ledger) -> dict[tuple[int, str], dict[str, list[dict[str, Any]]]]:
    """The CodeCarbon rows ``qenergy ledger import`` recorded ([qenergy.ledger.codecarbon_import][]): {(run, "codecarbon"): {run_id: [fields]}}."""
    out: dict[tuple[int, str], dict[str, list[dict[str, Any]]]] = {}
    for note in ledger.notes:
        imp = note.data.get("codecarbon_import")
        if isinstance(imp, dict) and isinstance(imp.get("rows"), list):
            by_id = out.setdefault((note.run, "codecarbon"), {})
            for row in imp["rows"]:
                if isinstance(row, dict):
                    by_id.setdefault(str(row.get("run_id", "")), []).append(row)
    return out


def _reexported(charges: list[Charge], fields: dict[str, list[dict[str, Any]]], intensity: GridIntensity, pue: float,
                wue_l_per_kwh: float) -> list[dict[str, Any]]:
    """One emissions.csv row per imported charge, with the project, run id, experiment id, timestamp and tracking mode it came with."""
    rows = []
    pending = {k: list(v) for k, v in fields.items()}
    for c in charges:
        meta = pending.get(c.label, [])
        f = meta.pop(0) if meta else {}
        kwh = convert_energy(c.energy_j * pue, "J", "kWh")
        rows.append({"timestamp": f.get("timestamp", ""), "project_name": f.get("project_name", ""), "run_id": f.get("run_id", c.label),
                     "experiment_id": f.get("experiment_id", ""), "emissions": co2e_kg(c.energy_j, intensity, pue=pue), "energy_consumed": kwh,
                     "water_consumed": wue_l_per_kwh * kwh, "country_name": intensity.name, "country_iso_code": intensity.code,
                     "tracking_mode": f.get("tracking_mode", ""), "pue": pue, "wue": wue_l_per_kwh})
    return rows


CARBON_COLUMNS = ("account", "basis", "energy_j", "energy_kwh", "pue", "intensity_g_per_kwh", "intensity_source", "co2e_kg")


def _real_energy_by_basis(charges: list[Charge]) -> dict[str, float]:
    """Joules of ``measured`` and of ``estimated`` charges, each basis apart, leaving out zero totals."""
    out = {b: math.fsum(c.energy_j for c in charges if c.basis == b) for b in ("measured", "estimated")}
    return {b: j for b, j in out.items() if j != 0.0}


def export_carbon(ledger: Ledger, path: Path, *, intensity: GridIntensity = WORLD_AVERAGE, pue: float = 1.0, force: bool = False) -> Path:
    """Per account: measured or estimated energy, PUE, intensity (with its source) and CO2e, in ``path``.

    Raises:
        InputError: ``path`` refused by [`check_output_path`][check_output_path] (an existing file only replaced with ``force``).
    """
    _checked_target(ledger, path, force)
    rows = []
    for account in ledger.accounts():
        # one row per basis (measured and estimated are never added); an account of bounds only gets 0 J
        for basis, joules in (_real_energy_by_basis(ledger.select(account=account)) or {"": 0.0}).items():
            rows.append({"account": account, "basis": basis, "energy_j": joules, "energy_kwh": convert_energy(joules, "J", "kWh"), "pue": pue,
                         "intensity_g_per_kwh": intensity.g_per_kwh, "intensity_source": intensity.describe(),
                         "co2e_kg": co2e_kg(joules, intensity, pue=pue)})
    return write_csv_atomic(path, CARBON_COLUMNS, rows, replace=force)
