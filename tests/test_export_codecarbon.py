"""The CodeCarbon ``emissions.csv`` export: CodeCarbon 3.x's columns in its order, honest values, no bounds."""

import csv
import dataclasses

import pytest

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.carbon import grid_intensity
from qenergy.ledger.export import CODECARBON_COLUMNS, export_codecarbon

#: The fields of ``EmissionsData`` in codecarbon 3.3.2 (codecarbon/output_methods/emissions_data.py in
#: github.com/mlco2/codecarbon), in order. Pinned here so that a change of our tuple fails on its own;
#: test_columns_are_codecarbons_own checks the pin against CodeCarbon itself (in the ``dev`` extra, so
#: ``make test`` runs the interop tests instead of skipping them).
CODECARBON_3_3_2_FIELDS = (
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate",
    "cpu_power", "gpu_power", "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed",
    "water_consumed", "country_name", "country_iso_code", "region", "cloud_provider", "cloud_region", "os",
    "python_version", "codecarbon_version", "cpu_count", "cpu_model", "gpu_count", "gpu_model", "longitude",
    "latitude", "ram_total_size", "tracking_mode", "cpu_utilization_percent", "gpu_utilization_percent",
    "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
)

#: Columns the export fills; every other one is left empty (a ledger does not record it).
FILLED = {"timestamp", "project_name", "run_id", "experiment_id", "emissions", "energy_consumed", "water_consumed",
          "country_name", "country_iso_code", "tracking_mode", "pue", "wue"}


def test_columns_are_the_pinned_codecarbon_3_fields():
    assert CODECARBON_COLUMNS == CODECARBON_3_3_2_FIELDS


def test_columns_are_codecarbons_own():
    from codecarbon.output_methods.emissions_data import EmissionsData

    assert tuple(f.name for f in dataclasses.fields(EmissionsData)) == CODECARBON_COLUMNS


def sample_ledger():
    ledger = Ledger(300.0)
    ledger.charge("meter", "energy_uj", 7_200_000, 1e-6, "measured", "RAPL share", label="a")
    ledger.charge("meter", "energy_uj", 3_600_000, 1e-6, "estimated", "CPU-time estimate", label="b")
    ledger.charge("meter", "bit_erased", 10**9, 1.0, "lower_bound", "a bound of absurd size")  # never exported
    ledger.charge("quantum", "qubit_reset", 100, 1e-3, "upper_bound", "bounds only: no row")
    ledger.charge("host", "energy_uj", 36_000_000, 1e-6, "measured", "whole host, contains the meter share")
    return ledger


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
        fh.seek(0)
        return next(csv.reader(fh)), rows


def test_export_writes_measured_and_estimated_energy_only(tmp_path):
    france = grid_intensity("FRA")
    path = export_codecarbon(sample_ledger(), tmp_path / "emissions.csv", intensity=france, pue=1.5, wue_l_per_kwh=2.0)
    header, rows = read(path)
    assert tuple(header) == CODECARBON_COLUMNS
    # no row for bounds-only or host accounts; the measured and the estimated energy of one account are
    # two rows, never one sum
    assert [r["run_id"] for r in rows] == ["0-meter-measured", "0-meter-estimated"]
    for row, joules in zip(rows, (7.2, 3.6)):
        kwh = joules * 1.5 / 3.6e6  # × PUE
        assert row["experiment_id"] == "meter" and row["tracking_mode"] == "qenergy-ledger"
        assert float(row["energy_consumed"]) == pytest.approx(kwh)
        assert float(row["emissions"]) == pytest.approx(kwh * france.g_per_kwh / 1000)
        assert float(row["water_consumed"]) == pytest.approx(2.0 * kwh) and float(row["wue"]) == 2.0 and float(row["pue"]) == 1.5
        assert row["country_iso_code"] == "FRA"
        assert {k for k, v in row.items() if v != ""} == FILLED  # unknowns are empty, not a made-up 0


def test_export_rejects_a_bad_wue(tmp_path):
    with pytest.raises(InputError, match=r"WUE -1.0 L/kWh is not allowed; allowed: a finite number >= 0"):
        export_codecarbon(sample_ledger(), tmp_path / "e.csv", wue_l_per_kwh=-1.0)
    assert not (tmp_path / "e.csv").exists()


def test_codecarbon_appends_to_our_file(tmp_path):
    """CodeCarbon's own file writer accepts our emissions.csv (one row per basis) as one of its own and appends to it."""
    from codecarbon.output_methods.emissions_data import EmissionsData
    from codecarbon.output_methods.file import FileOutput

    path = export_codecarbon(sample_ledger(), tmp_path / "emissions.csv")
    _, ours = read(path)
    assert [r["run_id"] for r in ours] == ["0-meter-measured", "0-meter-estimated"]
    theirs = EmissionsData(**{**ours[0], "run_id": "codecarbon", "energy_consumed": 1e-3, "water_consumed": 0.0})
    writer = FileOutput("emissions.csv", str(tmp_path))
    assert writer.has_valid_headers(theirs)
    writer.out(theirs, None)
    header, rows = read(path)
    assert tuple(header) == CODECARBON_COLUMNS
    assert [r["run_id"] for r in rows] == ["0-meter-measured", "0-meter-estimated", "codecarbon"]
    assert rows[:2] == ours  # ours kept as written
    assert float(rows[2]["energy_consumed"]) == 1e-3
