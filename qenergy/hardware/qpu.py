"""Energy of a superconducting QPU: a full-stack power model with sourced presets, and job charging.

Wall-plug power of a system holding ``Q`` physical qubits (watts)::

    lines      = ceil(Q / qubits_per_readout_line)                    readout lines (multiplexed)
    heat_4k_w  = Q · heat_4k_w_per_qubit + lines · hemt_w_per_line     heat into the 4 K stage
    cryostats  = max(ceil(Q / qubits_per_cryostat), ceil(heat_4k_w / cooling_4k_w))
    cryo_w     = cryostats · compressor_w + ceil(cryostats / 2) · gas_handling_w
    power_w    = pue · (cryo_w + Q · control_w_per_qubit + classical_control_w)

or, for a preset that only has a published whole-system figure,
``pue · ceil(Q / device_qubits) · whole_system_w``. A job of ``shots`` shots of a circuit
lasting ``duration_s`` keeps the system busy for (IBM's documented usage estimate, plus the
reset that starts each shot; [`estimate_usage_seconds`][estimate_usage_seconds], the one formula for presets and for
IBM and fake jobs alike)::

    time_s = job_overhead_s + shots · (rep_delay_s + reset_s + duration_s)

and costs ``power_w · time_s / utilisation`` joules: the *utilisation* is the fraction of
wall-clock time the system spends on user jobs, so that calibration, maintenance and idle
time (when the system draws its power for no job) are charged to the jobs in proportion
(no source found for it: an assumption, labelled as such). A preset whose source gives the
whole shot period (Sycamore's 200 µs per shot) uses ``shot_period_s`` instead, which already
contains the circuit: ``time_s = job_overhead_s + shots · max(shot_period_s, duration_s)``.

**Whole components.** Parameters that belong to one machine are grouped
([`Component`][Component]: a cryocooler model's compressor power *with* its 4 K capacity; a control
stack's power per qubit *with* its qubits per readout line), and each option of a component is
one machine a source describes. ``mid`` takes the component's stated option; ``low`` and
``high`` take the combination of whole options that gives the lowest and the highest power
(other parameters at their own ends), never the compressor of one cryocooler with the
capacity of another. The cryostat's efficiency at 4 K is implied by its
parameters: ``(compressor_w + gas_handling_w / 2) / cooling_4k_w`` watts of electricity per
watt of cooling ([QPUPreset.specific_power_4k][]).

Every parameter is declared as data ([`Parameter`][Parameter]: value, low, high, unit, source and
how we know it: ``text`` read in the source, ``abstract`` read in its abstract only, ``code`` read in a published model's code,
``device`` read from Qiskit's fake-backend snapshot, ``secondary`` relayed by another page,
``claim`` a vendor's statement, ``derived`` our arithmetic from those, ``assumption`` ours,
no source found). ``low``/``high`` are the ends of the range the sources support; the low
and high *energies* put every parameter at the end that lowers or raises the energy.

Three presets (`QPU_PRESETS`): ``ibm-heron`` (a current Heron-class system, modelled
bottom-up), ``google-sycamore`` (a published whole-system figure) and
``projected-cryo-cmos`` (a projection, not a system). Literature not read in full: the
per-stage figures of Fellous-Asiani et al., PRX Quantum 4, 040319 (2023) and Martin et al.,
arXiv:2103.16726 could not be checked in their text, so no number is taken from them; the
model's shape (cooling per stage, electronics per qubit, PUE) follows their description.

Job charging ([`QPUPowerModel`][QPUPowerModel]): usage seconds come from the service
(``job.usage()``, the quantum seconds IBM bills) when it reports them, else from the
estimate above, ÷ the preset's utilisation, and the charge's provenance says which and names
the preset. Every QPU row of a job is ``estimated`` (the job count too, at 0 J), so a job's
``qpu`` account holds one basis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qenergy.errors import InputError, shorten
from qenergy.ledger.book import Ledger

__all__ = [
    "Component", "DEFAULT_QPU_PRESET", "JobRecord", "Option", "Parameter", "PowerBreakdown", "QPUPowerModel", "QPUPreset", "QPU_PRESETS",
    "Scenario", "estimate_usage_seconds", "get_qpu_preset",
]

#: Classical overhead IBM's usage estimate adds per sub-job, seconds.
SUBJOB_OVERHEAD_S = 2.0

Scenario = Literal["low", "mid", "high"]
SCENARIOS: tuple[Scenario, ...] = ("low", "mid", "high")

#: How a parameter's value is known (see the module docstring).
HOW = ("text", "abstract", "code", "device", "secondary", "claim", "derived", "assumption")


def _usage_s(shots: ArrayLike, duration_s: ArrayLike, rep_delay_s: float, reset_s: float, overhead_s: float) -> NDArray[np.float64]:
    """overhead_s + shots · (rep_delay_s + reset_s + duration_s), seconds (arrays broadcast): the one usage formula."""
    per_shot = rep_delay_s + reset_s + np.asarray(duration_s, dtype=float)
    return np.asarray(overhead_s + np.asarray(shots, dtype=float) * per_shot, dtype=float)


def estimate_usage_seconds(shots: int, circuit_duration_s: float, rep_delay_s: float, reset_s: float, subjobs: int = 1) -> float:
    """Estimated QPU usage of one job, seconds: 2 s per sub-job + (rep_delay + reset + circuit duration) × shots.

    IBM's documented estimate (IBM Quantum documentation, 'Estimate job run time') with the reset that starts each shot added, the
    same formula as [QPUPreset.run_time_s][] (``reset_s``: the device's reset duration, 0 if unknown).
    """
    return float(_usage_s(shots, circuit_duration_s, rep_delay_s, reset_s, SUBJOB_OVERHEAD_S * subjobs))


@dataclass(frozen=True)
class Parameter:
    """One model parameter, declared as data.

    Attributes:
        name: the parameter's name (with its unit suffix).
        value: the preset's central value.
        low: lowest value the sources support (≤ value).
        high: highest value the sources support (≥ value).
        unit: unit of value, low and high.
        raises_energy: True when a larger value means more energy (decides which end the
            low- and high-energy scenarios take).
        how: how it is known, one of `HOW`.
        source: where it comes from (citation, file and line, or "assumption: …").
    """

    name: str
    value: float
    low: float
    high: float
    unit: str
    raises_energy: bool
    how: str
    source: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.value <= self.high):
            raise ValueError(f"parameter {self.name}: need finite low <= value <= high, got {self.low}, {self.value}, {self.high}")
        if self.how not in HOW:
            raise ValueError(f"parameter {self.name}: how={self.how!r}; allowed: {', '.join(HOW)}")

    def at(self, scenario: Scenario) -> float:
        """The value in a scenario: ``mid`` the central value, ``low``/``high`` the end that lowers/raises the energy."""
        if scenario == "mid":
            return self.value
        lower_end = (scenario == "low") == self.raises_energy
        return self.low if lower_end else self.high

    def to_dict(self) -> dict[str, Any]:
        """JSON form: every field."""
        return {"name": self.name, "value": self.value, "low": self.low, "high": self.high, "unit": self.unit,
                "raises_energy": self.raises_energy, "how": self.how, "source": self.source}


@dataclass(frozen=True)
class Option:
    """One whole machine for a component: the values of its parameters together, as one source describes them.

    Attributes:
        name: short name (e.g. ``PT420``).
        values: parameter name → value.
        how: how it is known (one of `HOW`).
        source: where the values come from.
    """

    name: str
    values: Mapping[str, float]
    how: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "values": dict(self.values), "how": self.how, "source": self.source}


@dataclass(frozen=True)
class Component:
    """Parameters that belong to one machine, and the machines (options) the sources describe.

    Attributes:
        name: the component (``cryocooler``, ``control stack``).
        options: the whole machines.
        mid: the name of the option ``mid`` takes.
    """

    name: str
    options: tuple[Option, ...]
    mid: str

    def __post_init__(self) -> None:
        names = [set(o.values) for o in self.options]
        if not self.options or any(n != names[0] for n in names) or self.mid not in {o.name for o in self.options}:
            raise ValueError(f"component {self.name}: options must set the same parameters and include the mid option {self.mid!r}")

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(self.options[0].values)

    def option(self, name: str) -> Option:
        return next(o for o in self.options if o.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mid": self.mid, "options": [o.to_dict() for o in self.options]}


def _p(name: str, value: float, low: float | None, high: float | None, unit: str, raises: bool, how: str, source: str) -> Parameter:
    return Parameter(name, float(value), float(value if low is None else low), float(value if high is None else high), unit, raises, how, source)


# --- sources (cited once, used by several presets) -------------------------------------------------
_QC_ENV = ("qc_env_impact, qc_env_impact/constants/power.py (COMPRESSOR_POWER_KW = 10.7, GHS_POWER_KW = 1.8 'Each GHS operates "
           "2 compressors', QEC_CRYOSTAT_POWER_W = 36.0, QEC_RACK_POWER_W = 209.0) and models/quantum_computer.py "
           "(multiplexing_factor = 4); the package attributes them to Cordier et al. (2024), whose text we could not read")
_WMI = ("Walther-Meissner-Institut cryogenics page (wmi.badw.de/research/cryogenics.htm): Cryomech PT405, 0.5 W at 4 K, "
        "compressor 4.6 kW")
_PT420 = ("Bluefors SD250 with a Cryomech PT420: cooling capacity 1.8 W at 4 K and 250 µW at 0.1 K, as tabulated in the "
          "README of github.com/ahryciuk/Thermal-Budgeting-of-SPT-4-Cryostat (a thermal budget for the SPT-4 cryostat; it "
          "takes the pulse-tube temperatures from Cryomech's PT420-RM capacity curve, which we did not read)")
_HEMT = ("Schleeh et al., 'Ultralow-power cryogenic InP HEMT with minimum noise temperature of 1 K at 6 GHz', IEEE EDL "
         "(abstract: 4.2 mW dc for a 3-stage amplifier); 35 mW for a GaAs C-band cryogenic LNA (abstract)")
_MUX = "Heinsoo et al., arXiv:1801.07904 (abstract: five qubits read out on one line); qc_env_impact multiplexing_factor = 4"
_AQS = "Aqsolotl, 'Power consumption: the blind spot of quantum computing' (vendor blog: controllers 'of 8 to 15 W per qubit')"
_UPTIME = ("Uptime Institute Intelligence, 'Large data centers are mostly more efficient, analysis confirms' (2023): industry "
           "average PUE 1.58 in 2023, 1.55-1.59 since 2020; hyperscale 1.1-1.2 (relayed)")
_IBM_USAGE = ("IBM Quantum documentation, 'Estimate job run time' / 'Workload usage': ~2 s per sub-job + (rep_delay + circuit "
              "length) x executions")
_FEZ = "qiskit_ibm_runtime FakeFez (ibm_fez, Heron r2) snapshot: 156 qubits, default_rep_delay 250 µs (range 0-500 µs), reset 1.584 µs"
_UTILISATION = ("assumption: no source found for the fraction of wall-clock time a system spends on user jobs (calibration, "
                "maintenance and idle time charged to the jobs); mid 0.5, range 0.25 (a lightly used system) to 0.9 (a fully booked one)")
_GOOGLE_CMOS = ("Bardin & Lucero, Google AI blog 'On the path to cryogenic control of quantum processors' (2019): controller at "
                "3 K 'consumes less than 2 milliwatts'")


def _heron() -> dict[str, Parameter]:
    return {p.name: p for p in (
        _p("device_qubits", 156, None, None, "qubits", True, "device", _FEZ),
        _p("compressor_w", 10_700, 4_600, 10_700, "W", True, "code", f"component cryocooler (with cooling_4k_w): {_QC_ENV}; {_WMI}"),
        _p("gas_handling_w", 1_800, None, None, "W per gas-handling system (one per two cryostats)", True, "code", _QC_ENV),
        _p("qubits_per_cryostat", 156, 117, 156, "qubits", False, "derived",
           "one Heron device per cryostat (ibm_fez is one device); low: qc_env_impact's 29.17 QEC setups x 4 qubits per cryostat"),
        _p("cooling_4k_w", 1.8, 0.5, 1.8, "W", False, "secondary", f"component cryocooler (with compressor_w): {_PT420}; {_WMI}"),
        _p("heat_4k_w_per_qubit", 0.0, None, None, "W", True, "assumption", "control electronics at room temperature: no cold control heat"),
        _p("hemt_w_per_line", 0.0042, 0.0042, 0.035, "W", True, "abstract", _HEMT),
        _p("qubits_per_readout_line", 4, 4, 5, "qubits", False, "abstract", f"component control stack (with control_w_per_qubit): {_MUX}"),
        _p("control_w_per_qubit", 61.25, 8.0, 245.0, "W", True, "derived",
           f"component control stack (with qubits_per_readout_line): 245 W (36 W cryostat + 209 W rack) per multiplexed group of 4 "
           f"qubits, {_QC_ENV}; {_AQS}; 245 W per qubit without multiplexing"),
        _p("classical_control_w", 1_000, 300, 3_000, "W", True, "assumption", "assumption: one or two control servers; no source found"),
        _p("pue", 1.58, 1.1, 1.59, "-", True, "text", _UPTIME),
        _p("job_overhead_s", 2.0, None, None, "s", True, "text", _IBM_USAGE),
        _p("rep_delay_s", 250e-6, 50e-6, 500e-6, "s", True, "device",
           f"{_FEZ}; low: 50 µs, an assumption for active reset (the device allows 0)"),
        _p("reset_s", 1.584e-6, None, None, "s", True, "device", _FEZ),
        _p("utilisation", 0.5, 0.25, 0.9, "-", False, "assumption", _UTILISATION),
    )}


def _cryocoolers() -> Component:
    return Component("cryocooler", (
        Option("PT420-class", {"compressor_w": 10_700, "cooling_4k_w": 1.8}, "secondary",
               f"compressor: {_QC_ENV}; 4 K capacity: {_PT420} (the compressor figure is qc_env_impact's, matched to the PT420-class "
               "capacity it is used with: an assumption that they describe one machine)"),
        Option("PT405", {"compressor_w": 4_600, "cooling_4k_w": 0.5}, "text", _WMI),
    ), "PT420-class")


def _control_stacks() -> Component:
    return Component("control stack", (
        Option("qc_env rack, 4 qubits per line", {"control_w_per_qubit": 61.25, "qubits_per_readout_line": 4}, "code",
               f"245 W per multiplexed group of 4 qubits, {_QC_ENV}"),
        Option("qc_env rack per qubit", {"control_w_per_qubit": 245.0, "qubits_per_readout_line": 4}, "derived",
               f"the same 245 W rack for every qubit instead of every 4 (control not shared; readout still 4 per line), {_QC_ENV}"),
        Option("vendor controller", {"control_w_per_qubit": 8.0, "qubits_per_readout_line": 5}, "claim",
               f"{_AQS} (low end); 5 qubits per line: {_MUX} (assumption: the vendor's line multiplexing is not stated)"),
    ), "qc_env rack, 4 qubits per line")


def _sycamore() -> dict[str, Parameter]:
    relayed = ("26 kW whole-system electrical power of Google's Sycamore as relayed by secondary pages (The Conversation/phys.org "
               "article on quantum energy advantage); 25 kW in another relay; the primary sentence (Arute et al. 2019 or "
               "Villalonga et al. 2020) was not found")
    return {p.name: p for p in (
        _p("device_qubits", 53, None, None, "qubits", True, "secondary", "Arute et al., Nature 574, 505 (2019): 53 working qubits (relayed)"),
        _p("whole_system_w", 26_000, 25_000, 26_000, "W", True, "secondary", relayed),
        _p("pue", 1.58, 1.1, 1.59, "-", True, "text", f"{_UPTIME}; assumption: the 26 kW excludes facility overhead"),
        _p("job_overhead_s", 2.0, 0.0, 2.0, "s", True, "assumption", f"assumption: IBM's per-sub-job figure ({_IBM_USAGE})"),
        _p("shot_period_s", 200e-6, None, None, "s", True, "secondary",
           "'about 200 seconds to sample one instance of a quantum circuit a million times' (Arute et al. 2019, relayed): "
           "200 µs per shot, the whole shot period (circuit, readout and reset included; a longer circuit sets the period)"),
        _p("utilisation", 0.5, 0.25, 0.9, "-", False, "assumption", _UTILISATION),
    )}


def _projected() -> dict[str, Parameter]:
    base = _heron()
    changes = (
        _p("device_qubits", 1_000, None, None, "qubits", True, "assumption", "assumption: a 1,000-qubit device"),
        _p("qubits_per_cryostat", 1_000, 500, 2_000, "qubits", False, "assumption", "assumption: one large dilution refrigerator per 1,000 qubits"),
        _p("heat_4k_w_per_qubit", 0.002, 0.001, 0.002, "W", True, "text", f"{_GOOGLE_CMOS}; low: an assumed factor 2 improvement"),
        _p("control_w_per_qubit", 0.5, 0.15, 2.0, "W", True, "assumption",
           "assumption: 0.5 W per qubit of room-temperature digital electronics beside cryo-CMOS control (no source found); "
           "low 0.15 W, high 2 W (Google's room-temperature drive electronics, ~1000 x 2 mW, derived)"),
        _p("qubits_per_readout_line", 5, 4, 5, "qubits", False, "abstract", _MUX),
        _p("pue", 1.2, 1.1, 1.2, "-", True, "secondary", _UPTIME + " (hyperscale facilities)"),
    )
    return {**base, **{p.name: p for p in changes}}


@dataclass(frozen=True)
class PowerBreakdown:
    """Wall-plug power of a system, by part (watts; ``total_w`` includes the PUE)."""

    qubits: int
    cryostats: int
    cryo_w: float
    control_w: float
    classical_control_w: float
    pue: float
    total_w: float

    def to_dict(self) -> dict[str, Any]:
        return {"qubits": self.qubits, "cryostats": self.cryostats, "cryo_w": self.cryo_w, "control_w": self.control_w,
                "classical_control_w": self.classical_control_w, "pue": self.pue, "total_w": self.total_w}


@dataclass(frozen=True)
class QPUPreset:
    """A QPU system: its parameters (data) and the power and time model of the module docstring.

    Attributes:
        name: registry name (``ibm-heron``, …).
        title: one line for reports.
        parameters: name → [`Parameter`][Parameter].
        timing_device: the fake device whose routing and gate times give the circuit duration.
        note: what the preset is and is not.
    """

    name: str
    title: str
    parameters: Mapping[str, Parameter]
    timing_device: str = "fake:fez"
    note: str = ""
    components: tuple[Component, ...] = ()

    def __post_init__(self) -> None:
        for c in self.components:
            missing = [n for n in c.parameters if n not in self.parameters]
            if missing:
                raise ValueError(f"preset {self.name}: component {c.name} sets unknown parameters {missing}")

    def _choice(self, scenario: Scenario, qubits: int | None = None) -> dict[str, Option]:
        """The whole option of each component in a scenario: mid the stated one; low/high the combination giving the
        lowest/highest power at ``qubits`` (default the device's; other parameters at that scenario's ends)."""
        if not self.components:
            return {}
        if scenario == "mid":
            return {c.name: c.option(c.mid) for c in self.components}
        import itertools

        combos = [dict(zip((c.name for c in self.components), opts, strict=True))
                  for opts in itertools.product(*(c.options for c in self.components))]
        q = int(self.parameters["device_qubits"].at(scenario)) if qubits is None else int(qubits)
        watts = [self._power(q, scenario, combo).total_w for combo in combos]
        return combos[int(np.argmin(watts) if scenario == "low" else np.argmax(watts))]

    def _value(self, name: str, scenario: Scenario, choice: Mapping[str, Option]) -> float:
        for c in self.components:
            if name in c.parameters:
                return float(choice[c.name].values[name])
        return self.parameters[name].at(scenario)

    def value(self, name: str, scenario: Scenario = "mid") -> float:
        """A parameter's value in a scenario (a component's parameter from its chosen whole option). Raises
        [`InputError`][InputError] for an unknown name."""
        if name not in self.parameters:
            raise InputError(f"parameter {shorten(name)!r} of QPU preset {self.name} is unknown; allowed: {', '.join(self.parameters)}")
        if any(name in c.parameters for c in self.components):
            return self._value(name, scenario, self._choice(scenario))
        return self.parameters[name].at(scenario)

    def options(self, scenario: Scenario) -> dict[str, str]:
        """Component → the name of the whole option a scenario takes."""
        return {k: o.name for k, o in self._choice(scenario).items()}

    def with_values(self, **values: float) -> QPUPreset:
        """A copy with some central values replaced (ranges collapse onto the new value): for sensitivity studies.
        A component's parameter replaced alone leaves its component (the component keeps its other parameters)."""
        params = dict(self.parameters)
        comps: list[Component | None] = list(self.components)
        for name, v in values.items():
            old = params.get(name)
            if old is None:
                raise InputError(f"parameter {shorten(name)!r} of QPU preset {self.name} is unknown; allowed: {', '.join(params)}")
            params[name] = Parameter(name, float(v), float(v), float(v), old.unit, old.raises_energy, old.how, old.source)
            comps = [c if c is None or name not in c.parameters else _without(c, name) for c in comps]
        return QPUPreset(self.name, self.title, params, self.timing_device, self.note, tuple(c for c in comps if c is not None))

    def with_option(self, component: str, option: str) -> QPUPreset:
        """A copy whose ``component`` is fixed to one whole ``option`` in every scenario."""
        comps = tuple(Component(c.name, (c.option(option),), option) if c.name == component else c for c in self.components)
        return QPUPreset(self.name, self.title, self.parameters, self.timing_device, self.note, comps)

    def power(self, qubits: int, scenario: Scenario = "mid") -> PowerBreakdown:
        """Wall-plug power of a system holding ``qubits`` physical qubits (at least the preset device's)."""
        return self._power(qubits, scenario, self._choice(scenario, qubits))

    def _power(self, qubits: int, scenario: Scenario, choice: Mapping[str, Option]) -> PowerBreakdown:
        v = lambda name: self._value(name, scenario, choice)  # noqa: E731
        q = max(int(qubits), int(v("device_qubits")))
        pue = v("pue")
        if "whole_system_w" in self.parameters:
            systems = math.ceil(q / v("device_qubits"))
            cryo = systems * v("whole_system_w")
            return PowerBreakdown(q, systems, cryo, 0.0, 0.0, pue, pue * cryo)
        lines = math.ceil(q / v("qubits_per_readout_line"))
        heat_4k = q * v("heat_4k_w_per_qubit") + lines * v("hemt_w_per_line")
        cryostats = max(math.ceil(q / v("qubits_per_cryostat")), math.ceil(heat_4k / v("cooling_4k_w")))
        cryo = cryostats * v("compressor_w") + math.ceil(cryostats / 2) * v("gas_handling_w")
        control = q * v("control_w_per_qubit")
        classical = v("classical_control_w")
        return PowerBreakdown(q, cryostats, cryo, control, classical, pue, pue * (cryo + control + classical))

    def specific_power_4k(self, scenario: Scenario = "mid") -> float | None:
        """Watts of electricity per watt of cooling at 4 K implied by the cryostat parameters (None for a whole-system preset)."""
        if "cooling_4k_w" not in self.parameters:
            return None
        return (self.value("compressor_w", scenario) + self.value("gas_handling_w", scenario) / 2) / self.value("cooling_4k_w", scenario)

    def run_time_s(self, shots: ArrayLike, duration_s: ArrayLike, scenario: Scenario = "mid") -> NDArray[np.float64]:
        """Busy time of one job of ``shots`` shots of a circuit lasting ``duration_s`` (seconds; arrays broadcast).

        Per shot: ``rep_delay_s + reset_s + duration_s`` (the one usage formula, `_usage_s`, which IBM jobs use
        too), or, for a preset giving the whole shot period, ``max(shot_period_s, duration_s)`` (the period already holds
        the circuit)."""
        if "shot_period_s" in self.parameters:
            per_shot = np.maximum(self.value("shot_period_s", scenario), np.asarray(duration_s, dtype=float))
            return self.value("job_overhead_s", scenario) + np.asarray(shots, dtype=float) * per_shot
        return _usage_s(shots, duration_s, self.value("rep_delay_s", scenario), self.value("reset_s", scenario),
                        self.value("job_overhead_s", scenario))

    def utilisation(self, scenario: Scenario = "mid") -> float:
        """Fraction of wall-clock time on user jobs (1 for a preset without the parameter)."""
        return self.value("utilisation", scenario) if "utilisation" in self.parameters else 1.0

    def energy_j(self, qubits: ArrayLike, shots: ArrayLike, duration_s: ArrayLike, scenario: Scenario = "mid") -> NDArray[np.float64]:
        """Wall-plug joules of one job per element: power at ``qubits`` × [`run_time_s`][run_time_s] ÷ utilisation (arrays broadcast)."""
        q, s, d = np.broadcast_arrays(np.asarray(qubits), np.asarray(shots, dtype=float), np.asarray(duration_s, dtype=float))
        power = np.array([self.power(int(x), scenario).total_w for x in q.ravel()], dtype=float).reshape(q.shape)
        return power * self.run_time_s(s, d, scenario) / self.utilisation(scenario)

    def sources(self) -> list[dict[str, Any]]:
        """Every parameter as JSON (value, range, unit, how known, source), a component's with its component and options."""
        out = []
        for p in self.parameters.values():
            d = p.to_dict()
            comp = next((c for c in self.components if p.name in c.parameters), None)
            if comp is not None:
                d["component"] = comp.to_dict()
                d["chosen"] = {sc: self.options(sc)[comp.name] for sc in SCENARIOS}
            out.append(d)
        return out


def _without(c: Component, name: str) -> Component | None:
    """``c`` without parameter ``name`` (None when nothing is left of it); options that become identical merge."""
    left = [n for n in c.parameters if n != name]
    if not left:
        return None
    seen: dict[tuple[float, ...], Option] = {}
    for o in c.options:
        key = tuple(float(o.values[n]) for n in left)
        seen.setdefault(key, Option(o.name, {n: o.values[n] for n in left}, o.how, o.source))
    opts = tuple(seen.values())
    mid = c.option(c.mid)
    mid_name = seen[tuple(float(mid.values[n]) for n in left)].name
    return Component(c.name, opts, mid_name)


#: The built-in presets by name.
QPU_PRESETS: dict[str, QPUPreset] = {
    "ibm-heron": QPUPreset(
        "ibm-heron", "IBM Heron-class system (156 qubits), modelled bottom-up", _heron(), "fake:fez",
        "IBM publishes no power figure for its systems: every part is modelled from the sources of its parameters; "
        "low and high take whole cryocoolers and whole control stacks.", (_cryocoolers(), _control_stacks())),
    "google-sycamore": QPUPreset(
        "google-sycamore", "Google Sycamore (53 qubits), published whole-system power", _sycamore(), "fake:fez",
        "Circuit durations use heavy-hex routing with Heron gate times (an assumption: Sycamore's own are not in our sources); "
        "beyond 53 qubits the power scales as whole copies of the system (an assumption)."),
    "projected-cryo-cmos": QPUPreset(
        "projected-cryo-cmos", "Projected efficient system: 1,000 qubits, cryo-CMOS control, PUE 1.2", _projected(), "fake:fez",
        "A projection, not a system: cold control at Google's 2 mW per qubit, one large cryostat per 1,000 qubits; "
        "low and high take whole cryocoolers.", (_cryocoolers(),)),
}
#: The preset used when none is named.
DEFAULT_QPU_PRESET = "ibm-heron"


def get_qpu_preset(name: str) -> QPUPreset:
    """The preset called ``name``. Raises [`InputError`][InputError] listing the presets for an unknown name."""
    try:
        return QPU_PRESETS[name]
    except KeyError:
        raise InputError(f"QPU preset {shorten(name)!r} is unknown; allowed: {', '.join(QPU_PRESETS)}") from None


@dataclass(frozen=True)
class JobRecord:
    """One job sent to a QPU (or its local twin).

    Attributes:
        job_id: the service's job id.
        backend: device name.
        status: final status (``DONE``, ``ERROR``, ``CANCELLED``, …).
        shots: shots requested (all PUBs together).
        circuits: PUBs in the job.
        device_qubits: physical qubits of the device.
        usage_s: usage seconds reported by the service, or None when it reported none.
        estimated_s: usage estimated from the device's timing.
    """

    job_id: str
    backend: str
    status: str
    shots: int
    circuits: int
    device_qubits: int
    usage_s: float | None
    estimated_s: float

    @property
    def succeeded(self) -> bool:
        return self.status.upper() in ("DONE", "COMPLETED", "JOBSTATUS.DONE")


@dataclass(frozen=True)
class QPUPowerModel:
    """Charges QPU jobs with a preset's power (central values) × usage seconds, basis ``estimated``.

    Attributes:
        preset: name of the `QPU_PRESETS` entry giving the power (default ``ibm-heron``).
        pue: overrides the preset's PUE when given.
        overrides_w: system power before PUE per backend name, replacing the model for that device.
    """

    preset: str = DEFAULT_QPU_PRESET
    pue: float | None = None
    overrides_w: dict[str, float] = field(default_factory=dict)

    def system_power_w(self, backend: str, device_qubits: int) -> float:
        """Power drawn by the system in watts, before PUE: an override for the device, or the preset's model."""
        if backend in self.overrides_w:
            return self.overrides_w[backend]
        b = get_qpu_preset(self.preset).power(device_qubits)
        return b.total_w / b.pue

    def effective_pue(self) -> float:
        """The PUE applied: `pue` or the preset's central value."""
        return self.pue if self.pue is not None else get_qpu_preset(self.preset).value("pue")

    def charge_job(self, ledger: Ledger, job: JobRecord, *, account: str = "quantum", label: str = "") -> float:
        """Record the job and charge its estimated energy; failed or cancelled jobs charge nothing.

        Returns the joules charged.
        """
        rows = [(account, "qpu_job", 1, 0.0, "estimated", f"job {job.job_id} on {job.backend}: {job.status}, {job.circuits} circuit(s), {job.shots} shots")]
        joules = 0.0
        if job.succeeded:
            seconds, source = (job.usage_s, "usage seconds reported by the service") if job.usage_s else (
                job.estimated_s, "usage estimated: 2 s per sub-job + (rep_delay + reset + circuit duration) x shots (service reported none)")
            power = self.system_power_w(job.backend, job.device_qubits)
            pue = self.effective_pue()
            util = get_qpu_preset(self.preset).utilisation()
            micro = int(round(seconds * 1e6))
            unit = power * pue * 1e-6 / util
            joules = micro * unit
            origin = f"override for {job.backend}" if job.backend in self.overrides_w else f"preset {self.preset}, central values"
            rows.append((account, "qpu_time_us", micro, unit, "estimated",
                         f"{source}; system power {power:.0f} W x PUE {pue:g} / utilisation {util:g} (calibration and idle time "
                         f"charged to the jobs) ({origin}; sources: qenergy.hardware.qpu)"))
        ledger.charge_many(rows, label=label, model="qpu-power")
        return joules
