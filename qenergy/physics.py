"""Physical constants and Landauer's bound.

All constants come from :mod:`scipy.constants` (CODATA / exact SI 2019 values).
"""

from __future__ import annotations

import math

from scipy import constants as _c

from .errors import InputError

#: Boltzmann constant k_B in J/K (exact, SI 2019).
BOLTZMANN_J_PER_K: float = _c.Boltzmann

#: ln 2: nats per bit.
LN2: float = math.log(2.0)


def check_temperature(temperature_k: float) -> float:
    """Return ``temperature_k`` as a float, or raise :class:`InputError` unless it is a finite T > 0 (kelvin)."""
    try:
        t = float(temperature_k)
    except (TypeError, ValueError):
        raise InputError(f"temperature {temperature_k!r} is not a number; allowed: a temperature > 0 kelvin") from None
    if not math.isfinite(t) or t <= 0.0:
        raise InputError(f"temperature {temperature_k!r} K is not allowed; allowed: a finite temperature > 0 kelvin")
    return t


def landauer_bit_energy(temperature_k: float) -> float:
    """Landauer's bound k_B·T·ln 2 in joules: the least heat dissipated to erase one bit at T (kelvin)."""
    return BOLTZMANN_J_PER_K * check_temperature(temperature_k) * LN2
