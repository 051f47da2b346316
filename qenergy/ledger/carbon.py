"""kWh → kg CO2e through a grid carbon intensity and the facility's PUE.

Intensities are bundled per country (annual averages with their year and source, see
``qenergy/data/README.md``); offline by default. Without a country, CodeCarbon's
fallback world average of 475 g CO2e/kWh is used, and every result says which figure
it used and where it comes from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from qenergy.energy.physics import convert_energy
from qenergy.errors import InputError

__all__ = ["GridIntensity", "IntensityRange", "WORLD_AVERAGE", "co2e_kg", "grid_intensity", "load_intensities"]

_SOURCE = "Our World in Data (Ember, Energy Institute) via CodeCarbon 3.3.2 global_energy_mix.json"


@dataclass(frozen=True)
class GridIntensity:
    """Carbon intensity of electricity: g CO2e per kWh, for a place and year, with its source."""

    code: str
    name: str
    g_per_kwh: float
    year: int | None
    source: str

    def describe(self) -> str:
        year = f" {self.year}" if self.year else ""
        return f"{self.g_per_kwh:g} g CO2e/kWh ({self.name}{year}; {self.source})"


#: CodeCarbon's fallback when the location is unknown.
WORLD_AVERAGE = GridIntensity("WORLD", "world average", 475.0, None, "CodeCarbon carbon_intensity_per_source.json world_average")


def load_intensities() -> dict[str, GridIntensity]:
    """The bundled per-country annual averages, by ISO-3 code."""
    text = resources.files("qenergy").joinpath("data/grid_intensity.csv").read_text(encoding="utf-8")
    out = {}
    for row in csv.DictReader(text.splitlines()):
        out[row["iso3"]] = GridIntensity(row["iso3"], row["country"], float(row["g_co2e_per_kwh"]),
                                         int(row["year"]) if row["year"] else None, _SOURCE)
    return out


def grid_intensity(country: str | None = None, *, g_per_kwh: float | None = None) -> GridIntensity:
    """The intensity for an ISO-3 country code, an explicit value, or the world average."""
    if g_per_kwh is not None:
        if not g_per_kwh >= 0:
            raise InputError(f"intensity {g_per_kwh!r} g/kWh is not allowed; allowed: a value >= 0")
        return GridIntensity("USER", "given", float(g_per_kwh), None, "given by the user")
    if country is None:
        return WORLD_AVERAGE
    table = load_intensities()
    key = country.upper()
    if key not in table:
        raise InputError(f"country {country!r} has no bundled intensity; allowed: an ISO-3 code such as FRA, DEU, USA ({len(table)} available)")
    return table[key]


def co2e_kg(energy_j: float, intensity: GridIntensity, *, pue: float = 1.0) -> float:
    """kg CO2e of ``energy_j`` joules of IT energy at a facility with ``pue`` (≥ 1) and grid ``intensity``."""
    if not pue >= 1.0:
        raise InputError(f"PUE {pue!r} is not allowed; allowed: a value >= 1")
    return convert_energy(energy_j * pue, "J", "kWh") * intensity.g_per_kwh / 1000.0


@dataclass(frozen=True)
class IntensityRange:
    """A distribution of intensities (e.g. one design's across weather years), g CO2e/kWh."""

    min: float
    median: float
    max: float
    source: str

    def co2e_kg(self, energy_j: float, *, pue: float = 1.0) -> dict[str, float]:
        """CO2e of ``energy_j`` at the minimum, median and maximum intensity."""
        return {k: co2e_kg(energy_j, GridIntensity("RANGE", k, v, None, self.source), pue=pue)
                for k, v in (("min", self.min), ("median", self.median), ("max", self.max))}
