"""qenergy: the energy costs of Simon's problem, quantum against classical, on one cost ledger.

The core (this package's modules except ``experiment``, ``sweep`` and ``cli``) imports
neither the quantum side (``circuits``) nor the classical side (``classical``).
"""

from __future__ import annotations

import sys as _sys

if _sys.argv and _sys.argv[0].rsplit("/", 1)[-1] in ("qenergy", "-m"):  # the qenergy command (or python -m qenergy),
    from qenergy.interrupts import quiet_start as _quiet_start  # before the heavy imports below: Ctrl-C while starting is one line

    _quiet_start()

from importlib import metadata as _metadata

from qenergy.energy.bounds import (
    ClassicalLowerBound,
    IrreversibleRegisterReuse,
    MemoryBounded,
    MinimalErasure,
    QuantumUpperBound,
    ReversibleComputation,
    parse_classical_model,
)
from qenergy.energy.erasure import FiniteStepErasure
from qenergy.energy.physics import binary_entropy, convert_energy, landauer_bit_energy, mass_equivalent_kg
from qenergy.errors import InputError, LedgerCorruptError, LedgerError, QenergyError, ResourceLimitError
from qenergy.ledger.book import BASES, Charge, Ledger
from qenergy.ledger.charging import BoundsPolicy, ChargePolicy
from qenergy.ledger.meter import measure
from qenergy.problem.instance import SimonInstance, make_instance

try:
    __version__ = _metadata.version("qenergy")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BASES",
    "BoundsPolicy",
    "Charge",
    "ChargePolicy",
    "ClassicalLowerBound",
    "FiniteStepErasure",
    "InputError",
    "IrreversibleRegisterReuse",
    "Ledger",
    "LedgerCorruptError",
    "LedgerError",
    "MemoryBounded",
    "MinimalErasure",
    "QenergyError",
    "QuantumUpperBound",
    "ResourceLimitError",
    "ReversibleComputation",
    "SimonInstance",
    "binary_entropy",
    "convert_energy",
    "landauer_bit_energy",
    "make_instance",
    "mass_equivalent_kg",
    "measure",
    "parse_classical_model",
]
