import math

import numpy as np
import pytest

from qenergy.energy.erasure import (
    FiniteStepErasure,
    erasure_level_j,
    finite_step_work_j,
    finite_step_work_lower_j,
    finite_step_work_upper_j,
)
from qenergy.energy.physics import BOLTZMANN_J_PER_K, landauer_bit_energy
from qenergy.errors import InputError

# digest simon-energy.md §6.2: W_N / (k_B T ln 2), columns N = 1, 10, 100, 1000, then the N → ∞ limit
TABLE = {
    1e-2: (3.248385, 1.087733, 0.935510, 0.920832, 0.919207),
    1e-3: (4.972206, 1.251542, 1.013596, 0.991080, 0.988592),
    1e-6: (9.965764, 1.556657, 1.050381, 1.004967, 0.999979),
    1e-9: (14.948676, 1.882624, 1.076035, 1.007487, 1.000000),
}
UPPER_1E6 = {1: 10.965742, 10: 1.996555, 100: 1.099636, 1000: 1.009944}


@pytest.mark.parametrize("eps", sorted(TABLE))
def test_work_matches_digest_table(eps):
    u = landauer_bit_energy(300.0)
    for steps, expected in zip((1, 10, 100, 1000), TABLE[eps][:4]):
        assert finite_step_work_j(eps, steps, 300.0) / u == pytest.approx(expected, abs=2e-6)
    assert finite_step_work_lower_j(eps, 300.0) / u == pytest.approx(TABLE[eps][4], abs=2e-6)


def test_upper_bound_matches_digest():
    u = landauer_bit_energy(300.0)
    for steps, expected in UPPER_1E6.items():
        assert finite_step_work_upper_j(1e-6, steps, 300.0) / u == pytest.approx(expected, abs=2e-6)


@pytest.mark.parametrize("temperature", [0.02, 4.2, 300.0])
def test_bounds_hold_over_a_grid(temperature):
    for eps in np.geomspace(1e-12, 0.4, 9):
        lower = finite_step_work_lower_j(eps, temperature)
        for steps in (1, 2, 7, 50, 333, 5000):
            w = finite_step_work_j(eps, steps, temperature)
            assert lower * (1 - 1e-12) <= w <= finite_step_work_upper_j(eps, steps, temperature) * (1 + 1e-12)


def test_converges_to_the_landauer_limit():
    limit = finite_step_work_lower_j(1e-3, 1.0)
    gaps = [finite_step_work_j(1e-3, steps, 1.0) - limit for steps in (10, 100, 1000, 10000, 100000)]
    assert all(a > b > 0 for a, b in zip(gaps, gaps[1:]))
    assert gaps[-1] / limit < 1e-4


def test_work_scales_linearly_in_temperature():
    assert finite_step_work_j(1e-4, 40, 600.0) == pytest.approx(2 * finite_step_work_j(1e-4, 40, 300.0))


def test_lower_initial_population_costs_less():
    assert finite_step_work_j(1e-3, 30, 1.0, p0=0.1) < finite_step_work_j(1e-3, 30, 1.0, p0=0.5)
    assert finite_step_work_j(1e-3, 30, 1.0, p0=0.1) <= finite_step_work_upper_j(1e-3, 30, 1.0)


def test_level():
    assert erasure_level_j(0.25, 2.0) == pytest.approx(BOLTZMANN_J_PER_K * 2.0 * math.log(3))


@pytest.mark.parametrize("eps", [0.0, 0.5, -0.1, 0.7, "x"])
def test_bad_epsilon(eps):
    with pytest.raises(InputError, match="epsilon"):
        finite_step_work_j(eps, 10, 300.0)


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_bad_steps(steps):
    with pytest.raises(InputError, match="steps"):
        finite_step_work_j(1e-3, steps, 300.0)


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_bad_temperature(temperature):
    with pytest.raises(InputError, match="temperature"):
        finite_step_work_j(1e-3, 10, temperature)
    with pytest.raises(InputError, match="temperature"):
        FiniteStepErasure().work_j(temperature)


def test_protocol_object():
    p = FiniteStepErasure(1e-6, 1000)
    assert p.work_j(300.0) / landauer_bit_energy(300.0) == pytest.approx(1.004967, abs=2e-6)
    with pytest.raises(InputError):
        FiniteStepErasure(0.6, 10)
