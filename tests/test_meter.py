"""The energy meter (RAPL on a fake sysfs tree, the CPU-time estimate, nesting) and carbon conversion."""

import pytest

from qenergy.carbon import WORLD_AVERAGE, co2e_kg, grid_intensity, load_intensities
from qenergy.errors import InputError
from qenergy.ledger import Ledger
from qenergy.meter import CpuTimeEstimate, RaplSource, default_source, measure


def zone(root, name, label, energy, span=262143328850):
    d = root / name
    d.mkdir(parents=True)
    (d / "name").write_text(label + "\n")
    (d / "energy_uj").write_text(f"{energy}\n")
    (d / "max_energy_range_uj").write_text(f"{span}\n")
    return d


def fake_powercap(tmp_path):
    """The kernel's layout: packages intel-rapl:N with subzones intel-rapl:N:M (core, uncore, dram), psys, mmio."""
    root = tmp_path / "powercap"
    zone(root, "intel-rapl:0", "package-0", 1_000_000, span=10_000_000)
    zone(root, "intel-rapl:0:0", "core", 500_000)
    zone(root, "intel-rapl:0:1", "dram", 200_000)
    zone(root, "intel-rapl:1", "package-1", 3_000_000)
    zone(root, "intel-rapl:2", "psys", 9_000_000)  # platform: would double count
    zone(root, "intel-rapl-mmio:0", "package-0", 1_000_000)  # duplicate of package-0
    (root / "dtpm").mkdir()  # unrelated zone type
    return root


def set_energy(root, name, value):
    (root / name / "energy_uj").write_text(f"{value}\n")


def test_rapl_reads_packages_and_dram_with_wraparound(tmp_path):
    root = fake_powercap(tmp_path)
    src = RaplSource(root)
    assert [z.name for z in src.zones] == ["intel-rapl:0", "intel-rapl:0:1", "intel-rapl:1"]
    assert src.read_j() == 0.0
    set_energy(root, "intel-rapl:0", 9_500_000)  # +8.5 J
    set_energy(root, "intel-rapl:0:1", 700_000)  # +0.5 J
    set_energy(root, "intel-rapl:1", 4_000_000)  # +1.0 J
    set_energy(root, "intel-rapl:0:0", 9_999_999)  # core is inside the package: ignored
    set_energy(root, "intel-rapl:2", 99_000_000)  # psys: ignored
    assert src.read_j() == pytest.approx(10.0)
    set_energy(root, "intel-rapl:0", 500_000)  # wrapped at 10 J: +1.0 J
    assert src.read_j() == pytest.approx(11.0)
    assert src.basis == "measured" and "intel-rapl:0" in src.describe()


def test_measure_charges_rapl_as_measured(tmp_path):
    root = fake_powercap(tmp_path)
    ledger = Ledger()
    src = RaplSource(root)
    with measure(ledger, "work", source=src) as w:
        set_energy(root, "intel-rapl:1", 5_000_000)  # +2 J
    assert w.basis == "measured" and w.exclusive_j == pytest.approx(2.0) == w.inclusive_j
    (c,) = ledger.charges
    assert c.account == "meter" and c.basis == "measured" and c.energy_j == pytest.approx(2.0) and c.label == "work"


def test_nested_and_overlapping_windows_add_up(tmp_path):
    root = fake_powercap(tmp_path)
    ledger = Ledger()
    src = RaplSource(root)
    energy = [3_000_000]

    def burn(joules):
        energy[0] += int(joules * 1e6)
        set_energy(root, "intel-rapl:1", energy[0])

    with measure(ledger, "outer", source=src) as outer:
        burn(1.0)
        with measure(ledger, "inner", source=src) as inner:
            burn(2.0)
        burn(0.5)
    assert inner.exclusive_j == pytest.approx(2.0)
    assert outer.exclusive_j == pytest.approx(1.5) and outer.inclusive_j == pytest.approx(3.5)
    assert ledger.totals_j()["meter"] == pytest.approx(outer.inclusive_j)  # nothing counted twice

    a = measure(ledger, "a", source=src).__enter__()
    burn(1.0)
    b = measure(ledger, "b", source=src).__enter__()
    burn(1.0)
    a.__exit__(None, None, None)
    burn(1.0)
    b.__exit__(None, None, None)
    assert a.inclusive_j == pytest.approx(2.0) and b.inclusive_j == pytest.approx(2.0)
    assert a.exclusive_j + b.exclusive_j == pytest.approx(3.0)  # the union of both windows


def test_decorator_and_estimate():
    ledger = Ledger()
    est = CpuTimeEstimate(package_w=40.0, cores=4, memory_w_per_gb=0.0)

    @measure(ledger, "busy", source=est)
    def busy():
        return sum(i * i for i in range(300_000))

    busy()
    busy()
    charges = [c for c in ledger.charges if c.label == "busy"]
    assert len(charges) == 2 and all(c.basis == "estimated" for c in charges)
    assert sum(c.energy_j for c in charges) > 0 and "10 W/core" in charges[0].provenance


def test_default_source_falls_back_to_the_estimate(tmp_path):
    src = default_source(tmp_path / "nothing")
    assert src.basis in ("measured", "estimated")  # measured only if NVML is present
    with pytest.raises(OSError):
        RaplSource(tmp_path / "nothing")


def test_carbon_intensity_and_co2e():
    table = load_intensities()
    assert len(table) > 200 and table["FRA"].g_per_kwh == pytest.approx(56.039) and table["FRA"].year == 2023
    assert co2e_kg(3.6e6, grid_intensity("fra")) == pytest.approx(0.056039)
    assert co2e_kg(3.6e6, grid_intensity(), pue=1.5) == pytest.approx(1.5 * 0.475)
    assert grid_intensity() is WORLD_AVERAGE and "CodeCarbon" in WORLD_AVERAGE.source
    assert co2e_kg(3.6e6, grid_intensity(g_per_kwh=100.0)) == pytest.approx(0.1)
    with pytest.raises(InputError, match="ISO-3"):
        grid_intensity("Atlantis")
    with pytest.raises(InputError, match="PUE"):
        co2e_kg(1.0, WORLD_AVERAGE, pue=0.5)
