import math

import pytest
from scipy import constants

from qenergy.energy.physics import check_temperature, landauer_bit_energy
from qenergy.errors import InputError


@pytest.mark.parametrize(
    "temperature, joules",
    # digest simon-energy.md §6.2, u(T) = k_B T ln 2
    [(300, 2.870979e-21), (77, 7.368846e-22), (4.2, 4.019370e-23), (1.0, 9.569930e-24), (0.02, 1.913986e-25)],
)
def test_landauer_matches_digest_table(temperature, joules):
    assert landauer_bit_energy(temperature) == pytest.approx(joules, rel=1e-6)


def test_landauer_uses_exact_boltzmann():
    assert landauer_bit_energy(1.0) == constants.Boltzmann * math.log(2)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "warm"])
def test_bad_temperature_rejected(bad):
    with pytest.raises(InputError, match="temperature"):
        check_temperature(bad)


from qenergy.energy.physics import binary_entropy, convert_energy, landauer_units, mass_equivalent_kg


def test_energy_conversions():
    assert convert_energy(1.0, "eV", "J") == constants.electron_volt
    assert convert_energy(1.0, "kWh", "J") == 3.6e6
    assert convert_energy(1.0, "erg", "J") == pytest.approx(1e-7)
    assert convert_energy(convert_energy(2.5, "kWh", "eV"), "eV", "kWh") == pytest.approx(2.5)
    # digest §6.2: u(300 K) = 1.791924e-02 eV
    assert convert_energy(landauer_bit_energy(300), "J", "eV") == pytest.approx(1.791924e-2, rel=1e-6)
    with pytest.raises(InputError, match="allowed: J, eV, erg, kWh"):
        convert_energy(1.0, "cal", "J")


def test_mass_equivalent_and_landauer_units():
    assert mass_equivalent_kg(constants.c**2) == pytest.approx(1.0)
    # seed abstract: a 1e-45 erg quantum has a mass equivalent of about 1e-66 g
    assert mass_equivalent_kg(convert_energy(1e-45, "erg", "J")) * 1e3 == pytest.approx(1.1e-66, rel=0.02)
    assert landauer_units(landauer_bit_energy(4.2) * 7, 4.2) == pytest.approx(7)


def test_binary_entropy():
    assert binary_entropy(0.5) == pytest.approx(math.log(2))
    assert binary_entropy(0.5, bits=True) == pytest.approx(1.0)
    assert binary_entropy(0.0) == binary_entropy(1.0) == 0.0
    assert binary_entropy(0.11, bits=True) == pytest.approx(0.4999, abs=1e-3)
    with pytest.raises(InputError):
        binary_entropy(1.2)
