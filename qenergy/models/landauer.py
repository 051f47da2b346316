"""Landauer's bound at any temperature, with its mass equivalent (models.md §8, Alfonso-Faus 2013).

k_B·T·ln 2 per erased bit in J, eV and erg, and E/c² in grams. The paper's speculative
scenario, a cosmic background Bose condensate at about 1e-29 K (≈ 1e-45 erg and 1e-66 g
per bit), is a preset flagged as a conjecture, never mixed with physical lower bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypedDict

from qenergy.energy.physics import convert_energy, landauer_bit_energy, mass_equivalent_kg
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = ["PRESETS", "LandauerModel", "LandauerResult"]

#: Named temperatures (kelvin) and whether each is physical or a conjecture.
PRESETS: dict[str, tuple[float, str]] = {
    "room": (300.0, "physical: room temperature"),
    "cmb": (2.725, "physical: cosmic microwave background (not from the paper)"),
    "cbbc": (1e-29, "CBBC-conjecture: Alfonso-Faus's cosmic background Bose condensate, speculative"),
}


class LandauerResult(TypedDict):
    """What [LandauerModel.run][] returns."""

    temperature_k: float
    scenario: str
    bits: int
    joules_per_bit: float
    erg_per_bit: float
    ev_per_bit: float
    grams_per_bit: float
    total_j: float


@dataclass(frozen=True)
class LandauerModel(Model):
    """k_B·T·ln 2 per bit at any T > 0, in J, eV, erg, and as a mass."""

    name: ClassVar[str] = "landauer"
    summary: ClassVar[str] = "Landauer's k_B T ln 2 per bit at any temperature, in J, eV, erg and grams (Alfonso-Faus 2013)"
    account: ClassVar[str] = "landauer"

    temperature: float = param(300.0, unit="K", help="bath temperature", low=1e-300, high=1e32)
    bits: int = param(1, unit="bit", help="bits erased", low=0, high=10**30)
    preset: str = param("none", help="use a named temperature instead", choices=("none", "room", "cmb", "cbbc"))

    def run(self, ledger: Ledger, seed: int = 0) -> LandauerResult:
        t, scenario = (self.temperature, "physical") if self.preset == "none" else PRESETS[self.preset]
        joules = landauer_bit_energy(t)
        ledger.charge(self.account, "bit_erased", self.bits, joules, "lower_bound",
                      f"Landauer k_B T ln 2 at T = {t:g} K ({scenario})", model=self.name)
        return {
            "temperature_k": t,
            "scenario": scenario,
            "bits": self.bits,
            "joules_per_bit": joules,
            "erg_per_bit": convert_energy(joules, "J", "erg"),
            "ev_per_bit": convert_energy(joules, "J", "eV"),
            "grams_per_bit": mass_equivalent_kg(joules) * 1e3,
            "total_j": joules * self.bits,
        }
