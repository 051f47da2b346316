import math

import pytest
from scipy import constants

from qenergy.errors import InputError
from qenergy.physics import check_temperature, landauer_bit_energy


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
