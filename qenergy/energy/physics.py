"""Physical constants and Landauer's bound.

All constants come from [scipy.constants][] (CODATA / exact SI 2019 values).
"""

from __future__ import annotations

import math

from scipy import constants as _c

from qenergy.errors import InputError

#: Boltzmann constant k_B in J/K (exact, SI 2019).
BOLTZMANN_J_PER_K: float = _c.Boltzmann

#: ln 2: nats per bit.
LN2: float = math.log(2.0)


def check_temperature(temperature_k: float) -> float:
    """Return ``temperature_k`` as a float, or raise [`InputError`][InputError] unless it is a finite T > 0 (kelvin)."""
    try:
        t = float(temperature_k)
    except (TypeError, ValueError):
        raise InputError(f"temperature {temperature_k!r} is not a number; allowed: a temperature > 0 kelvin") from None
    if not math.isfinite(t) or not MIN_TEMPERATURE_K <= t <= MAX_TEMPERATURE_K:
        raise InputError(f"temperature {temperature_k!r} K is not allowed; allowed: {MIN_TEMPERATURE_K:g} <= T <= {MAX_TEMPERATURE_K:g} kelvin")
    return t


#: Temperatures accepted (kelvin): wide enough for any bath, narrow enough that k_B·T·ln 2 and
#: every energy built on it stay normal floats (5e-324 K would make k_B·T·ln 2 zero).
MIN_TEMPERATURE_K = 1e-200
MAX_TEMPERATURE_K = 1e200


def landauer_bit_energy(temperature_k: float) -> float:
    """Landauer's bound k_B·T·ln 2 in joules: the least heat dissipated to erase one bit at T (kelvin)."""
    return BOLTZMANN_J_PER_K * check_temperature(temperature_k) * LN2


#: Joules per unit for [`convert_energy`][convert_energy].
ENERGY_UNITS: dict[str, float] = {
    "J": 1.0,
    "eV": _c.electron_volt,
    "erg": _c.erg,
    "kWh": _c.kilo * _c.hour,
}


def convert_energy(value: float, from_unit: str, to_unit: str) -> float:
    """Convert an energy between J, eV, erg and kWh."""
    for unit in (from_unit, to_unit):
        if unit not in ENERGY_UNITS:
            raise InputError(f"energy unit {unit!r} is unknown; allowed: {', '.join(ENERGY_UNITS)}")
    return value * ENERGY_UNITS[from_unit] / ENERGY_UNITS[to_unit]


def mass_equivalent_kg(energy_j: float) -> float:
    """The mass equivalent E/c² of an energy, in kilograms."""
    return energy_j / _c.c**2


def landauer_units(energy_j: float, temperature_k: float) -> float:
    """An energy expressed in units of k_B·T·ln 2 (bits erased at Landauer's bound)."""
    return energy_j / landauer_bit_energy(temperature_k)


def binary_entropy(p: float, *, bits: bool = False) -> float:
    """h(p) = −p ln p − (1−p) ln(1−p) in nats (in bits with ``bits=True``); h(0) = h(1) = 0."""
    if not 0.0 <= p <= 1.0:
        raise InputError(f"probability {p!r} is outside [0, 1]")
    h = -sum(q * math.log(q) for q in (p, 1.0 - p) if q > 0.0)
    return h / LN2 if bits else h
