"""ML training energy and CO2e after Patterson et al. (models.md §5).

Accounting of Patterson et al. 2021, *Carbon Emissions and Large Neural Network
Training* (arXiv:2104.10350, §2 and §2.5), which the 2022 paper *The Carbon Footprint of
Machine Learning Training Will Plateau, Then Shrink* (arXiv:2204.05149, IEEE Computer
55(7)) builds on:

* energy (kWh) = hours to train × processors × average power per processor (W) × PUE / 1000;
* gross t CO2e = energy (kWh) × grid intensity (kg CO2e/kWh) / 1000;
* net t CO2e = the same with a net intensity (the grid after hour-matched carbon-free
  energy purchases; Google's 24/7 CFE accounting).

Average system power per processor can come from the paper's Table 3 (measured means,
`PROCESSOR_POWER`) when ``watts`` = 0. Note that the paper's Table 4 rows use
their own per-run wattages (e.g. 310 W for T5 on TPUv3, 330 W for GPT-3 on V100), not the
Table 3 means; ``watts`` reproduces a Table 4 row.

**Defaults: the inputs of the GPT-3 row of Table 4** (arXiv:2104.10350): 10,000 V100,
14.8 days, 330 W per processor, PUE 1.10, 0.429 kg CO2e/kWh. The formula gives
355.2 h × 10,000 × 330 W × 1.10 = 1,289.4 MWh and 553.1 t; the paper prints 1,287 MWh and
552.1 t, which its rounded "14.8 days" covers (14.77 days give 1,287 MWh). With ``watts`` = 0
the V100's Table 3 mean (325 W) is used instead and gives 1,269.8 MWh, which is not the
paper's GPT-3 figure.

The "4M" counterfactual (2022 paper; Model, Machine, Mechanization, Map) is **this
project's reading of the digest**, not a formula printed in the papers: energy is divided
by the model × machine × mechanization factors and CO2e additionally by the map factor,
each factor a multiplicative reduction (1 = no change). The factor ranges quoted by the
authors' blog (Model 3–10×, Machine 2–5×, Mechanization 1.4–2×, Map 5–10×) are secondary
sources; no factor has a default other than 1. The counterfactual is reported only; the
ledger is charged with the actual (baseline) training energy.

Ledger (account ``ml-training``): one charge, resource ``training_energy``, counted in
joules (``count`` = energy rounded to the nearest joule, ``unit_j`` = 1 J, so short
classical runs of the testbed are not rounded to zero), basis ``estimated``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, TypedDict

from scipy import constants as _c

from qenergy.energy.physics import convert_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = [
    "PROCESSOR_POWER",
    "FourMResult",
    "PattersonResult",
    "PattersonTraining",
    "ProcessorPower",
    "four_m_counterfactual",
    "processor_watts",
    "training_co2e_t",
    "training_energy_kwh",
    "training_hours",
]

#: Hours in a day (from scipy.constants: 86400 s / 3600 s).
HOURS_PER_DAY: float = _c.day / _c.hour
#: Watt-hours per kilowatt-hour, kWh per MWh and kg per tonne (all 1000, from scipy.constants).
_KILO: float = _c.kilo

_SOURCE = "Patterson et al. 2021, arXiv:2104.10350"


@dataclass(frozen=True)
class ProcessorPower:
    """Measured average system power of one processor type (W), with its spread and source."""

    name: str
    mean_w: float
    std_fraction: float
    measured_on: str
    source: str


#: Table 3 of Patterson et al. 2021 (arXiv:2104.10350): measured mean system power per processor.
PROCESSOR_POWER: Mapping[str, ProcessorPower] = MappingProxyType({
    "TPUv2": ProcessorPower("TPUv2", 221.0, 0.05, "Transformer, Evolved Transformer, NAS", f"{_SOURCE}, Table 3"),
    "TPUv3": ProcessorPower("TPUv3", 283.0, 0.10, "T5, Meena, GShard, Switch", f"{_SOURCE}, Table 3"),
    "P100": ProcessorPower("P100", 271.0, 0.11, "Transformer, Evolved Transformer, NAS", f"{_SOURCE}, Table 3"),
    "V100": ProcessorPower("V100", 325.0, 0.02, "Transformer, GPT-3", f"{_SOURCE}, Table 3"),
})


def processor_watts(processor: str) -> float:
    """Mean measured system power (W) of ``processor`` from `PROCESSOR_POWER` (paper's Table 3)."""
    if processor not in PROCESSOR_POWER:
        raise InputError(f"processor {processor!r} is unknown; allowed: {', '.join(PROCESSOR_POWER)}")
    return PROCESSOR_POWER[processor].mean_w


def training_hours(days: float = 0.0, hours: float = 0.0) -> float:
    """Wall-clock training time in hours: ``hours`` if > 0, else ``days`` × 24."""
    if hours < 0 or days < 0:
        raise InputError(f"training time days = {days!r}, hours = {hours!r} is not allowed; allowed: values >= 0")
    return hours if hours > 0 else days * HOURS_PER_DAY


def training_energy_kwh(hours: float, processors: int, watts: float, pue: float) -> float:
    """Training energy in kWh = hours × processors × watts (W per processor) × PUE / 1000."""
    return hours * processors * watts * pue / _KILO


def training_co2e_t(energy_kwh: float, intensity_kg_per_kwh: float) -> float:
    """Emissions in tonnes CO2e = energy (kWh) × intensity (kg CO2e/kWh) / 1000."""
    return energy_kwh * intensity_kg_per_kwh / _KILO


def four_m_counterfactual(energy_kwh: float, intensity_kg_per_kwh: float, *, model: float = 1.0, machine: float = 1.0,
                          mechanization: float = 1.0, map: float = 1.0) -> tuple[float, float]:
    """(energy kWh, gross t CO2e) after dividing energy by model × machine × mechanization and CO2e also by map.

    Each factor is a multiplicative reduction > 0 (1 = unchanged). This combination is the
    project's reading of the 4M practices, not a formula printed in the papers.
    """
    for label, f in (("model", model), ("machine", machine), ("mechanization", mechanization), ("map", map)):
        if not f > 0:
            raise InputError(f"4M factor {label} = {f!r} is not allowed; allowed: a factor > 0 (1 = no change)")
    energy = energy_kwh / (model * machine * mechanization)
    return energy, training_co2e_t(energy, intensity_kg_per_kwh / map)


class FourMResult(TypedDict):
    """The 4M counterfactual: the factors, the energy and CO2e after them, and the reductions (None if 0)."""

    model: float
    machine: float
    mechanization: float
    map: float
    energy_mwh: float
    co2e_t: float
    energy_reduction: float | None
    co2e_reduction: float | None


class PattersonResult(TypedDict):
    """What [PattersonTraining.run][] returns; the net fields are None when no net intensity is given."""

    processors: int
    processor: str
    hours: float
    processor_hours: float
    watts_per_processor: float
    watts_source: str
    pue: float
    energy_j: float
    energy_kwh: float
    energy_mwh: float
    intensity_kg_per_kwh: float
    co2e_t: float
    net_intensity_kg_per_kwh: float | None
    co2e_net_t: float | None
    four_m: FourMResult
    charged_j: int
    source: str


@dataclass(frozen=True)
class PattersonTraining(Model):
    """Energy, gross and net CO2e of one ML training run, with a 4M counterfactual (Patterson et al.).

    Defaults are the inputs of Table 4's GPT-3 row (10,000 V100, 14.8 days, 330 W, PUE 1.10, 0.429 kg/kWh):
    1,289.4 MWh from the formula, against the printed 1,287 MWh (the 14.8 days are rounded).
    """

    name: ClassVar[str] = "patterson"
    summary: ClassVar[str] = "ML training energy = hours x processors x W x PUE, and CO2e gross/net with a 4M counterfactual (Patterson et al. 2021/2022)"
    account: ClassVar[str] = "ml-training"

    processors: int = param(10_000, unit="processors", help="number of accelerators (default: GPT-3's 10,000 V100, Table 4)", low=1)
    days: float = param(14.8, unit="day", help="training time in days (used when hours = 0; default GPT-3's 14.8, Table 4)", low=0.0)
    hours: float = param(0.0, unit="h", help="training time in hours; 0 = use days", low=0.0)
    watts: float = param(330.0, unit="W", help="average system power per processor (default GPT-3's 330 W, Table 4); "
                                              "0 = the processor's Table 3 mean", low=0.0)
    processor: str = param("V100", help="processor type; its Table 3 mean power is used only when watts = 0 (default GPT-3's V100)",
                           choices=("none", *PROCESSOR_POWER))
    pue: float = param(1.10, help="datacenter power usage effectiveness (default GPT-3's 1.10, Table 4)", low=1.0)
    intensity: float = param(0.429, unit="kg CO2e/kWh", help="gross grid carbon intensity (default GPT-3's, the US average 0.429, Table 4)", low=0.0)
    net_intensity: float = param(-1.0, unit="kg CO2e/kWh", help="net intensity after carbon-free energy purchases; negative = not given")
    model_factor: float = param(1.0, help="4M Model: energy reduction from a more efficient model (1 = none)", low=0.0)
    machine_factor: float = param(1.0, help="4M Machine: energy reduction from ML-optimized processors (1 = none)", low=0.0)
    mechanization_factor: float = param(1.0, help="4M Mechanization: energy reduction from a better PUE (1 = none)", low=0.0)
    map_factor: float = param(1.0, help="4M Map: CO2e reduction from a cleaner grid (1 = none)", low=0.0)

    def __post_init__(self) -> None:
        # the declared ranges and choices are checked by Model.check_params first; a factor's 0 is refused here (param's low is inclusive)
        for label in ("model_factor", "machine_factor", "mechanization_factor", "map_factor"):
            if getattr(self, label) <= 0:
                raise InputError(f"parameter {label} = {getattr(self, label)!r} is out of range; allowed: a factor > 0 (1 = no change)")
        if self.watts == 0 and self.processor == "none":
            raise InputError("parameter watts = 0 needs a processor; allowed: watts > 0 or processor = " + " | ".join(PROCESSOR_POWER))
        if self.pue / self.mechanization_factor < 1.0:
            raise InputError(f"parameter mechanization_factor = {self.mechanization_factor!r} would bring PUE {self.pue:g} below 1; "
                             f"allowed: mechanization_factor <= pue = {self.pue:g}")
        self._check_finite()

    def _check_finite(self) -> None:
        """Refuse parameters whose energy or CO2e would overflow a double (each may be huge on its own)."""
        hours = training_hours(self.days, self.hours)
        kwh = training_energy_kwh(hours, self.processors, self.watts_per_processor, self.pue)
        e4m, co2e4m = four_m_counterfactual(kwh, self.intensity, model=self.model_factor, machine=self.machine_factor,
                                            mechanization=self.mechanization_factor, map=self.map_factor)
        values = (kwh, convert_energy(kwh, "kWh", "J"), training_co2e_t(kwh, self.intensity), e4m, co2e4m,
                  training_co2e_t(kwh, max(self.net_intensity, 0.0)), hours * self.processors)
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"parameters processors = {self.processors}, hours = {hours:g}, watts = {self.watts_per_processor:g}, "
                             f"pue = {self.pue:g}, intensity = {self.intensity:g} give an energy or CO2e beyond the range of a double; "
                             "allowed: values whose products stay below about 1e300")

    @property
    def watts_per_processor(self) -> float:
        """Average power per processor (W): ``watts`` if set, else the Table 3 mean of ``processor``."""
        return self.watts if self.watts > 0 else processor_watts(self.processor)

    def run(self, ledger: Ledger, seed: int = 0) -> PattersonResult:
        hours = training_hours(self.days, self.hours)
        watts = self.watts_per_processor
        if self.watts > 0:
            watts_source = "watts parameter (default: GPT-3's 330 W, Table 4)"
        else:
            watts_source = f"{PROCESSOR_POWER[self.processor].source} mean for {self.processor}"
        kwh = training_energy_kwh(hours, self.processors, watts, self.pue)
        joules = convert_energy(kwh, "kWh", "J")
        net_given = self.net_intensity >= 0
        e4m, co2e4m = four_m_counterfactual(kwh, self.intensity, model=self.model_factor, machine=self.machine_factor,
                                            mechanization=self.mechanization_factor, map=self.map_factor)
        gross = training_co2e_t(kwh, self.intensity)
        count = round(joules)
        ledger.charge(self.account, "training_energy", count, 1.0, "estimated",
                      f"{_SOURCE} formula: {hours:g} h x {self.processors} processors x {watts:g} W ({watts_source}) x PUE {self.pue:g}; "
                      f"gross {gross:.6g} t CO2e at {self.intensity:g} kg/kWh",
                      model=self.name)
        return {
            "processors": self.processors,
            "processor": self.processor,
            "hours": hours,
            "processor_hours": hours * self.processors,
            "watts_per_processor": watts,
            "watts_source": watts_source,
            "pue": self.pue,
            "energy_j": joules,
            "energy_kwh": kwh,
            "energy_mwh": kwh / _KILO,
            "intensity_kg_per_kwh": self.intensity,
            "co2e_t": gross,
            "net_intensity_kg_per_kwh": self.net_intensity if net_given else None,
            "co2e_net_t": training_co2e_t(kwh, self.net_intensity) if net_given else None,
            "four_m": {
                "model": self.model_factor,
                "machine": self.machine_factor,
                "mechanization": self.mechanization_factor,
                "map": self.map_factor,
                "energy_mwh": e4m / _KILO,
                "co2e_t": co2e4m,
                "energy_reduction": kwh / e4m if e4m > 0 else None,
                "co2e_reduction": gross / co2e4m if co2e4m > 0 else None,
            },
            "charged_j": count,
            "source": _SOURCE,
        }
