"""Reading ledgers for people and dashboards: summaries, a CSV of charges, and a
CodeCarbon-compatible ``emissions.csv``.

The ``emissions.csv`` export uses CodeCarbon's column names (a subset of its 3.x
schema) so dashboards that read CodeCarbon runs read ours. Only energy that was
``measured`` or ``estimated`` is consumption; theoretical bounds (``lower_bound``,
``upper_bound``) are left out of it (they are in the charges CSV). One row per run and
account: ``energy_consumed`` in kWh (× PUE, as CodeCarbon does), ``emissions`` in kg CO2e
at the chosen grid intensity (:mod:`qenergy.carbon`: a bundled country average, or
CodeCarbon's own fallback, the world average of 475 g/kWh).
"""

from __future__ import annotations

import csv
import math
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .ledger import Ledger
from .carbon import WORLD_AVERAGE, GridIntensity, co2e_kg
from .physics import convert_energy, landauer_units

__all__ = ["CARBON_COLUMNS", "CHARGE_COLUMNS", "CODECARBON_COLUMNS", "export_carbon", "export_charges_csv", "export_codecarbon", "summary_rows", "write_csv_atomic"]

CHARGE_COLUMNS = ("run", "account", "resource", "count", "unit_j", "energy_j", "basis", "provenance", "label", "model")

#: CodeCarbon 3.x ``emissions.csv`` columns written by :func:`export_codecarbon`.
CODECARBON_COLUMNS = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
    "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
    "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os", "python_version",
    "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude", "latitude",
    "ram_total_size", "tracking_mode", "on_cloud", "pue",
)

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
                      project_name: str = "qenergy") -> Path:
    """A CodeCarbon-style ``emissions.csv``: one row per run and account with measured or estimated energy."""
    rows = []
    for run_index, run in enumerate(ledger.runs):
        for account in ledger.accounts():
            real = [c for c in ledger.select(run=run_index, account=account) if c.basis in ("measured", "estimated")]
            joules = math.fsum(c.energy_j for c in real)
            if not real or joules == 0.0:
                continue
            rows.append({
                "timestamp": run.started, "project_name": project_name, "run_id": f"{run_index}-{account}",
                "experiment_id": account, "duration": 0, "emissions": co2e_kg(joules, intensity, pue=pue), "emissions_rate": 0,
                "cpu_power": 0, "gpu_power": 0, "ram_power": 0, "cpu_energy": 0, "gpu_energy": 0, "ram_energy": 0,
                "energy_consumed": convert_energy(joules * pue, "J", "kWh"), "country_name": intensity.name,
                "country_iso_code": intensity.code, "region": "", "cloud_provider": "", "cloud_region": "",
                "os": platform.platform(), "python_version": platform.python_version(), "codecarbon_version": "",
                "cpu_count": os.cpu_count() or 0, "cpu_model": "", "gpu_count": 0, "gpu_model": "", "longitude": "", "latitude": "",
                "ram_total_size": 0, "tracking_mode": "qenergy-ledger", "on_cloud": "N", "pue": pue,
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
