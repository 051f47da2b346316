"""Charging policy: what one quantum shot or one classical query costs, in one replaceable place.

Algorithms never price anything themselves; they tell a :class:`ChargePolicy` how many
shots or queries they made, and the policy writes the ledger rows. Swap the policy to
change the physics without touching any algorithm.

:class:`LandauerPolicy` (``landauer-v1``) is a placeholder built only on Landauer's
principle, k_B·T·ln 2 per erased bit, with these counts (our assumptions, not the
Meier–Yamasaki theorem, whose text was not available):

* quantum shot (one oracle query): the 2n-qubit query register is reset (2n resets)
  and the n-bit measurement record is erased after use (n bits);
* classical query: the 2n-bit query register (x, f(x)) is overwritten (2n bits erased);
* the oracle itself is assumed energy-conserving and is charged 0 J per call.

Every figure is a ``lower_bound``: an irreversible implementation dissipates at least
this much. Reversible classical computing could avoid the classical erasures
(Perlner & Liu, arXiv:1709.10510); the full assumption sets come with the energy framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .ledger import Ledger
from .physics import landauer_bit_energy

__all__ = ["ChargePolicy", "LandauerPolicy"]


class ChargePolicy(Protocol):
    """Prices the resources of Simon runs and writes them to a ledger."""

    name: str

    def charge_shots(self, ledger: Ledger, n: int, shots: int, *, account: str = "quantum", label: str = "") -> None:
        """Charge ``shots`` quantum oracle queries on a 2n-qubit register."""

    def charge_queries(self, ledger: Ledger, n: int, queries: int, *, account: str = "classical", label: str = "") -> None:
        """Charge ``queries`` classical oracle queries on n-bit inputs."""


@dataclass(frozen=True)
class LandauerPolicy:
    """k_B·T·ln 2 per erased bit or reset qubit, at the ledger's temperature (see module docstring)."""

    name: str = "landauer-v1"

    def charge_shots(self, ledger: Ledger, n: int, shots: int, *, account: str = "quantum", label: str = "") -> None:
        if shots == 0:
            return
        u = landauer_bit_energy(ledger.temperature_k)
        tag = f"policy {self.name}"
        ledger.charge_many(
            [
                (account, "query", shots, 0.0, "lower_bound", f"quantum oracle call; oracle assumed energy-conserving ({tag})"),
                (account, "qubit_reset", 2 * n * shots, u, "lower_bound", f"Landauer k_B T ln 2 per reset of the 2n-qubit query register ({tag})"),
                (account, "bit_erased", n * shots, u, "lower_bound", f"Landauer k_B T ln 2 per bit of the n-bit measurement record ({tag})"),
            ],
            label=label,
        )

    def charge_queries(self, ledger: Ledger, n: int, queries: int, *, account: str = "classical", label: str = "") -> None:
        if queries == 0:
            return
        u = landauer_bit_energy(ledger.temperature_k)
        tag = f"policy {self.name}"
        ledger.charge_many(
            [
                (account, "query", queries, 0.0, "lower_bound", f"classical oracle call; oracle assumed energy-conserving ({tag})"),
                (account, "bit_erased", 2 * n * queries, u, "lower_bound", f"Landauer k_B T ln 2 per bit of the 2n-bit query register overwritten ({tag})"),
            ],
            label=label,
        )
