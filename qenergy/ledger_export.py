"""Reading ledgers for people and dashboards: summaries, a CSV of charges, and a
CodeCarbon-compatible ``emissions.csv``.

The ``emissions.csv`` export has exactly the columns, in order, of CodeCarbon 3.x's
``emissions.csv``: the fields of ``codecarbon.output_methods.emissions_data.EmissionsData``
(CodeCarbon 3.3.2, file ``codecarbon/output_methods/emissions_data.py`` of
github.com/mlco2/codecarbon; CodeCarbon writes one column per field in field order,
``output_methods/file.py``), so dashboards that read CodeCarbon runs read ours. Only
energy that was ``measured`` or ``estimated`` is consumption; theoretical bounds
(``lower_bound``, ``upper_bound``) are left out of it (they are in the charges CSV), and
so is the ``host`` account of :mod:`qenergy.meter` (whole-host energy that contains the
``meter`` account's share: with it the rows could not be summed). One row per run and
account: ``energy_consumed`` in kWh (× PUE, as CodeCarbon does), ``emissions`` in kg
CO2e at the chosen grid intensity (:mod:`qenergy.carbon`: a bundled country average, or
CodeCarbon's own fallback, the world average of 475 g/kWh), ``water_consumed`` in litres
= WUE [L/kWh] × ``energy_consumed`` (CodeCarbon's rule; WUE defaults to 0 as in
CodeCarbon). What a ledger does not record is left empty rather than guessed: the
duration and power of a run, the split of energy into CPU, GPU and RAM, utilisation, the
machine's hardware, OS and Python version (the exporting machine need not be the one
that ran), location and cloud.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .errors import InputError
from .ledger import Ledger
from .carbon import WORLD_AVERAGE, GridIntensity, co2e_kg
from .physics import convert_energy, landauer_units

__all__ = ["CARBON_COLUMNS", "CHARGE_COLUMNS", "CODECARBON_COLUMNS", "CODECARBON_SKIPPED_ACCOUNTS", "export_carbon", "export_charges_csv", "export_codecarbon", "summary_rows", "write_csv_atomic"]

CHARGE_COLUMNS = ("run", "account", "resource", "count", "unit_j", "energy_j", "basis", "provenance", "label", "model")

#: CodeCarbon 3.x ``emissions.csv`` columns written by :func:`export_codecarbon`: the fields of
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


def write_csv_atomic(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` to ``path`` through a temporary file and a rename: readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    return path


def export_charges_csv(ledger: Ledger, path: Path) -> Path:
    """Every charge as one CSV row (columns :data:`CHARGE_COLUMNS`)."""
    return write_csv_atomic(path, CHARGE_COLUMNS, [{**asdict(c), "energy_j": c.energy_j} for c in ledger.charges])


def export_codecarbon(ledger: Ledger, path: Path, *, intensity: GridIntensity = WORLD_AVERAGE, pue: float = 1.0,
                      wue_l_per_kwh: float = 0.0, project_name: str = "qenergy") -> Path:
    """A CodeCarbon 3.x ``emissions.csv`` (columns :data:`CODECARBON_COLUMNS`) at ``path``; returns ``path``.

    One row per run and account with measured or estimated energy (bounds and the
    ``host`` account left out): ``energy_consumed`` [kWh] = joules × ``pue``,
    ``emissions`` [kg CO2e] at ``intensity``, ``water_consumed`` [L] =
    ``wue_l_per_kwh`` × ``energy_consumed``. Columns the ledger cannot fill are empty.

    Raises:
        InputError: ``pue`` < 1 (from :func:`qenergy.carbon.co2e_kg`) or ``wue_l_per_kwh`` negative or not finite.
        OSError: ``path`` cannot be written.
    """
    if not (math.isfinite(wue_l_per_kwh) and wue_l_per_kwh >= 0):
        raise InputError(f"WUE {wue_l_per_kwh!r} L/kWh is not allowed; allowed: a finite number >= 0")
    rows = []
    for run_index, run in enumerate(ledger.runs):
        for account in ledger.accounts():
            if account in CODECARBON_SKIPPED_ACCOUNTS:
                continue
            real = [c for c in ledger.select(run=run_index, account=account) if c.basis in ("measured", "estimated")]
            joules = math.fsum(c.energy_j for c in real)
            if not real or joules == 0.0:
                continue
            kwh = convert_energy(joules * pue, "J", "kWh")
            rows.append({
                "timestamp": run.started, "project_name": project_name, "run_id": f"{run_index}-{account}",
                "experiment_id": account, "emissions": co2e_kg(joules, intensity, pue=pue),
                "energy_consumed": kwh, "water_consumed": wue_l_per_kwh * kwh,
                "country_name": intensity.name, "country_iso_code": intensity.code,
                "tracking_mode": "qenergy-ledger", "pue": pue, "wue": wue_l_per_kwh,
                # Not in a ledger, so left empty (not 0, which would claim a value): duration and
                # emissions_rate (charges carry no times), cpu/gpu/ram power and energy (charges are
                # not split by component), utilisation and RAM use, region, cloud, OS, Python and
                # CodeCarbon version, hardware and location (the ledger does not record the machine).
            })
    return write_csv_atomic(path, CODECARBON_COLUMNS, rows)


CARBON_COLUMNS = ("account", "energy_j", "energy_kwh", "pue", "intensity_g_per_kwh", "intensity_source", "co2e_kg")


def export_carbon(ledger: Ledger, path: Path, *, intensity: GridIntensity = WORLD_AVERAGE, pue: float = 1.0) -> Path:
    """Per account: measured or estimated energy, PUE, intensity (with its source) and CO2e."""
    rows = []
    for account in ledger.accounts():
        joules = math.fsum(c.energy_j for c in ledger.select(account=account) if c.basis in ("measured", "estimated"))
        rows.append({"account": account, "energy_j": joules, "energy_kwh": convert_energy(joules, "J", "kWh"), "pue": pue,
                     "intensity_g_per_kwh": intensity.g_per_kwh, "intensity_source": intensity.describe(),
                     "co2e_kg": co2e_kg(joules, intensity, pue=pue)})
    return write_csv_atomic(path, CARBON_COLUMNS, rows)
