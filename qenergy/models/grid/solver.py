"""Weather-robust grid design on PyPSA: design per weather year, operate in every year (models.md §4).

Follows the paper (Gøtske, Andresen, Neumann, Victoria 2024, Nat. Commun. 15, 10680):

* a capacity-expansion LP (investment + dispatch) is solved **separately for each weather year**
  ("design year") under a **global CO2 constraint**;
* each design is then **frozen** (``p_nom = p_nom_opt``, not extendable, likewise stores and
  links) and **dispatch is re-optimised in every weather year** ("operation year"), with
  load-shedding generators at 1e5 EUR/MWh and the design's CO2 shadow price μ added to the
  emitters' marginal cost (μ × t CO2/MWh), as in the authors' code; no CO2 cap in operation;
* results are **Y×Y matrices** (design × operation year) of system cost, unserved energy,
  CO2 and average emission intensity; CO2-emitting **backup generation** (gas) is what keeps a
  frozen design adequate in other years at a CO2 cost.

Simplifications (this is a toy, not PyPSA-Eur-Sec; its numbers are [DERIVED], never the paper's):

* **synthetic weather** ([.grid_weather][]), not the 62 ERA5 years 1960–2021 (a CSV loader
  accepts real capacity factors);
* 1–3 nodes connected by extendable HVDC-like links (lossless, 500 km), not 37 nodes;
* carriers: onshore wind, utility solar, gas (OCGT, the only emitter), 4-h batteries, and
  optionally hydrogen (electrolysis, steel-tank store, fuel cell); the heat sector is
  electrified **exogenously** (heat-pump load inside demand, COP from temperature), no
  transport/industry/biomass, no hydro, no net-negative options;
* the CO2 cap is a fraction of a reference (all demand of the mean year served by gas), not
  net-zero vs 1990 (the paper's cap 0 needs negative-emission options this toy lacks);
* costs are rough 2030-ish annuitised figures (7 % discount), see [`COSTS`][COSTS];
* the HiGHS open solver, coarse time resolution (default 3-hourly), and a partial year is
  allowed for tests (capital costs scaled by the modelled fraction of the year).

Reported quantities: ``cost`` is annualised capital cost plus fuel/variable cost per year
(EUR/yr, without the shedding penalty and without the CO2 price, which is a transfer);
``unserved`` is load shed (MWh/yr); ``co2`` is gas emissions (t/yr); ``intensity`` is CO2 per
kWh of load served (g/kWh). All are per year (scaled by 8760 h / modelled hours).

Failures: an LP that HiGHS reports infeasible or unsolved, or any error raised by the solver
(PyPSA/linopy/HiGHS), becomes [qenergy.errors.ModelError][] naming the LP (design or
dispatch, weather year); the plug-in model adds its parameters and what to try, so the command
line prints one line and exits with status 2 instead of a traceback. (Design LPs have unlimited
extendable capacity, so infeasibility needs weather with too little renewable output to replace
capped gas, e.g. a loaded CSV of zero capacity factors with a CO2 cap of 0; dispatch LPs can shed
load. Numerical trouble in the solver can still leave any LP unsolved.)

Ledger: the model's subject (a power system's energy) is not energy this computation used, so
none of it is charged. One row, account ``grid`` resource ``lp_solve``, counts the LPs solved
(basis ``estimated``); its energy per solve is ``cpu_watts`` × mean process CPU seconds per
solve, which is 0 J unless ``cpu_watts`` is given (no meter is read here).
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from qenergy.errors import InputError, ModelError
from qenergy.ledger.carbon import GridIntensity
from qenergy.models.grid.weather import WeatherYear

__all__ = ["COSTS", "CrossResult", "Design", "DesignSummary", "Operation", "cross_matrix", "design", "grid_intensity_for", "intensity_distribution", "operate",
           "reference_emissions_t"]

log = logging.getLogger(__name__)


def _annuity(rate: float, years: float) -> float:
    return rate / (1.0 - (1.0 + rate) ** -years)


_R = 0.07
#: Annualised capital cost (EUR per MW or MWh per year), efficiencies and marginal costs.
#: Rough 2030-ish values in the spirit of PyPSA technology-data; assumptions, not paper inputs.
COSTS: dict[str, dict[str, float]] = {
    "wind": {"capital": 1.10e6 * (_annuity(_R, 30) + 0.012), "marginal": 1.5},
    "solar": {"capital": 0.40e6 * (_annuity(_R, 40) + 0.017), "marginal": 0.01},
    # OCGT: 450 kEUR/MW, eff 0.41, gas 20 EUR/MWh_th + 4.5 EUR/MWh VOM; 0.2 t CO2/MWh_th
    "gas": {"capital": 0.45e6 * (_annuity(_R, 25) + 0.018), "marginal": 20.0 / 0.41 + 4.5, "efficiency": 0.41, "co2_th": 0.2},
    # 4-h battery: 160 kEUR/MW inverter + 4 × 150 kEUR/MWh cells, 15 yr
    "battery": {"capital": (0.16e6 + 4 * 0.15e6) * (_annuity(_R, 15) + 0.01), "max_hours": 4.0, "eff": 0.95},
    "electrolysis": {"capital": 0.50e6 * (_annuity(_R, 25) + 0.02), "eff": 0.66},
    "fuel_cell": {"capital": 0.80e6 * (_annuity(_R, 20) + 0.03), "eff": 0.50},
    "h2_store": {"capital": 11.0e3 * _annuity(_R, 30)},
    # 500 km HVDC-like link: 400 EUR/MW/km + converters 150 kEUR/MW, 40 yr
    "link": {"capital": (400.0 * 500 + 150e3) * (_annuity(_R, 40) + 0.02)},
}
VOLL = 1e5  # EUR/MWh, the paper's load-shedding cost
GAS_T_PER_MWH_EL = COSTS["gas"]["co2_th"] / COSTS["gas"]["efficiency"]


class DesignSummary(TypedDict):
    """[Design.summary][]: the design's CO2 price, cap and emissions, and capacities (component -> name -> MW or MWh)."""

    label: str
    co2_price_eur_per_t: float
    co2_cap_t: float
    co2_t: float
    capacities: dict[str, dict[str, float]]


@dataclass
class Design:
    """A capacity layout optimised for one weather year."""

    label: str
    capacities: dict[str, dict[str, float]]  # component -> name -> MW (or MWh for stores)
    co2_price: float  # EUR/t, |μ| of the design's CO2 constraint
    co2_cap_t: float  # cap over the modelled period (t)
    objective: float
    hydrogen: bool
    nodes: list[str]
    co2_t: float = 0.0  # emissions of the design LP's own dispatch over the modelled period (t)

    def summary(self) -> DesignSummary:
        return {"label": self.label, "co2_price_eur_per_t": self.co2_price, "co2_cap_t": self.co2_cap_t, "co2_t": self.co2_t,
                "capacities": {c: {k: round(v, 3) for k, v in d.items()} for c, d in self.capacities.items()}}


@dataclass
class Operation:
    """A frozen design operated in one weather year (per-year figures)."""

    design: str
    year: str
    cost_eur: float
    capex_eur: float
    opex_eur: float
    unserved_mwh: float
    co2_t: float
    served_mwh: float
    intensity_g_per_kwh: float
    intensity_series: pd.Series = field(repr=False)  # g/kWh per snapshot
    shed_series: pd.Series = field(repr=False)  # MW shed per snapshot


def _quiet() -> None:
    for name in ("pypsa", "linopy", "highspy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning, module="pypsa")
    warnings.filterwarnings("ignore", category=UserWarning, module="pypsa")
    warnings.filterwarnings("ignore", category=UserWarning, module="linopy")
    try:
        import pypsa
        pypsa.options.api.legacy_string_dtype = True
    except Exception:  # pragma: no cover - option name may change
        pass


def _year_fraction(year: WeatherYear) -> float:
    return len(year.snapshots) * year.resolution_h / 8760.0


def _build(year: WeatherYear, *, caps: dict[str, dict[str, float]] | None, hydrogen: bool, co2_cap_t: float | None,
           co2_price: float = 0.0, voll: float = VOLL) -> Any:
    import pypsa
    _quiet()
    frac = _year_fraction(year)
    n = pypsa.Network()
    n.set_snapshots(year.snapshots)
    n.snapshot_weightings.loc[:, :] = year.resolution_h
    n.add("Carrier", ["wind", "solar", "battery", "shed", "H2", "electricity"])
    n.add("Carrier", "gas", co2_emissions=COSTS["gas"]["co2_th"])
    ext = caps is None

    def sized(comp: str, name: str) -> dict[str, Any]:
        if caps is None:
            return {"p_nom_extendable": True}
        return {"p_nom_extendable": False, "p_nom": caps[comp].get(name, 0.0)}

    g = COSTS["gas"]
    for node in year.nodes:
        n.add("Bus", node, carrier="electricity")
        n.add("Load", f"{node} load", bus=node, p_set=year.demand_mw[node])
        n.add("Generator", f"{node} wind", bus=node, carrier="wind", p_max_pu=year.wind[node],
              capital_cost=COSTS["wind"]["capital"] * frac, marginal_cost=COSTS["wind"]["marginal"], **sized("Generator", f"{node} wind"))
        n.add("Generator", f"{node} solar", bus=node, carrier="solar", p_max_pu=year.solar[node],
              capital_cost=COSTS["solar"]["capital"] * frac, marginal_cost=COSTS["solar"]["marginal"], **sized("Generator", f"{node} solar"))
        n.add("Generator", f"{node} gas", bus=node, carrier="gas", efficiency=g["efficiency"],
              capital_cost=g["capital"] * frac, marginal_cost=g["marginal"] + co2_price * GAS_T_PER_MWH_EL, **sized("Generator", f"{node} gas"))
        if not ext:  # load shedding only when operating a frozen design, as in the paper
            n.add("Generator", f"{node} shed", bus=node, carrier="shed", p_nom=float(year.demand_mw[node].max()) * 1.01 + 1.0,
                  marginal_cost=voll)
        b = COSTS["battery"]
        n.add("StorageUnit", f"{node} battery", bus=node, carrier="battery", max_hours=b["max_hours"], capital_cost=b["capital"] * frac,
              efficiency_store=b["eff"], efficiency_dispatch=b["eff"], cyclic_state_of_charge=True, marginal_cost=0.1,
              **sized("StorageUnit", f"{node} battery"))
        if hydrogen:
            n.add("Bus", f"{node} H2", carrier="H2")
            n.add("Link", f"{node} electrolysis", bus0=node, bus1=f"{node} H2", efficiency=COSTS["electrolysis"]["eff"],
                  capital_cost=COSTS["electrolysis"]["capital"] * frac, marginal_cost=0.1, **sized("Link", f"{node} electrolysis"))
            n.add("Link", f"{node} fuel cell", bus0=f"{node} H2", bus1=node, efficiency=COSTS["fuel_cell"]["eff"],
                  capital_cost=COSTS["fuel_cell"]["capital"] * COSTS["fuel_cell"]["eff"] * frac, marginal_cost=0.1,
                  **sized("Link", f"{node} fuel cell"))
            store = {"e_nom_extendable": True} if caps is None else {"e_nom_extendable": False, "e_nom": caps["Store"].get(f"{node} H2 store", 0.0)}
            n.add("Store", f"{node} H2 store", bus=f"{node} H2", carrier="H2", e_cyclic=True,
                  capital_cost=COSTS["h2_store"]["capital"] * frac, **store)
    for a, b2 in zip(year.nodes, year.nodes[1:]):
        n.add("Link", f"{a}-{b2}", bus0=a, bus1=b2, p_min_pu=-1.0, efficiency=1.0, carrier="electricity",
              capital_cost=COSTS["link"]["capital"] * frac, marginal_cost=0.01, **sized("Link", f"{a}-{b2}"))
    if co2_cap_t is not None:
        n.add("GlobalConstraint", "CO2Limit", type="primary_energy", carrier_attribute="co2_emissions", sense="<=",
              constant=float(co2_cap_t))
    return n


@contextlib.contextmanager
def _silenced_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints its banner there even with output_flag off)."""
    try:
        sys.stdout.flush()
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # pytest capture or no real stdout
        fd = 1
    try:
        saved = os.dup(fd)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)


def _one_line(text: object, limit: int = 160) -> str:
    """The first line of ``text``, shortened to ``limit`` characters (error messages are one line)."""
    lines = str(text).strip().splitlines()
    line = lines[0].strip() if lines else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _solve(n: Any, *, what: str = "the grid LP", threads: int = 1, ipm: bool = False) -> None:
    """Optimise ``n`` with HiGHS; any solver failure becomes a [`ModelError`][ModelError] naming ``what`` was solved.

    PyPSA/linopy report an infeasible or unfinished LP as a status other than ``ok`` and raise on other
    failures (a crashed or missing solver); both end here, so no bare solver exception leaves the model.
    """
    # HiGHS: silence the log; interior point without crossover for the (harder) design LPs.
    opts: dict[str, Any] = {"output_flag": False, "threads": threads}
    if ipm:
        opts.update(solver="ipm", run_crossover="off")
    try:
        with warnings.catch_warnings(), _silenced_stdout():
            warnings.simplefilter("ignore")
            status, condition = n.optimize(solver_name="highs", solver_options=opts, log_to_console=False, progress=False,
                                           include_objective_constant=False)
    except Exception as exc:  # the solver boundary: linopy/HiGHS errors of any type
        raise ModelError(f"{what} failed in the solver ({type(exc).__name__}: {_one_line(exc)})") from exc
    if status != "ok":
        raise ModelError(f"{what} was not solved (HiGHS status {status}, condition {condition})")


def _check_years(years: Sequence[WeatherYear]) -> None:
    if not years:
        raise InputError("weather years: none given; allowed: at least one WeatherYear")
    ref = years[0]
    for y in years[1:]:
        if y.nodes != ref.nodes or len(y.snapshots) != len(ref.snapshots) or y.resolution_h != ref.resolution_h:
            raise InputError(f"weather year {y.label} has nodes {y.nodes} / {len(y.snapshots)} snapshots of {y.resolution_h:g} h; "
                             f"allowed: the same as {ref.label} ({ref.nodes}, {len(ref.snapshots)} × {ref.resolution_h:g} h)")


def reference_emissions_t(years: Sequence[WeatherYear]) -> float:
    """CO2 (t over the modelled period) of serving the mean year's demand entirely with gas."""
    return float(np.mean([y.demand_mwh() for y in years])) * GAS_T_PER_MWH_EL


def design(year_data: WeatherYear, *, co2_cap_t: float, hydrogen: bool = True, voll: float = VOLL, threads: int = 1) -> Design:
    """Optimise capacities and dispatch for one weather year under a CO2 cap (t over the modelled period)."""
    if not (co2_cap_t >= 0 and math.isfinite(co2_cap_t)):
        raise InputError(f"co2_cap_t = {co2_cap_t!r} is not allowed; allowed: a finite number >= 0 (t CO2)")
    n = _build(year_data, caps=None, hydrogen=hydrogen, co2_cap_t=co2_cap_t, voll=voll)
    _solve(n, what=f"the design LP of weather year {year_data.label} (CO2 cap {co2_cap_t:.6g} t)", threads=threads, ipm=True)
    caps = {
        "Generator": {k: float(v) for k, v in n.generators.p_nom_opt.items() if not k.endswith(" shed")},
        "StorageUnit": {k: float(v) for k, v in n.storage_units.p_nom_opt.items()},
        "Link": {k: float(v) for k, v in n.links.p_nom_opt.items()},
        "Store": {k: float(v) for k, v in n.stores.e_nom_opt.items()},
    }
    mu = float(n.global_constraints.mu.get("CO2Limit", 0.0))
    p = n.generators_t.p
    gas = p[[c for c in p.columns if c.endswith(" gas")]].to_numpy().sum()
    return Design(label=year_data.label, capacities=caps, co2_price=abs(mu), co2_cap_t=float(co2_cap_t),
                  objective=float(n.objective), hydrogen=hydrogen, nodes=list(year_data.nodes),
                  co2_t=float(gas * year_data.resolution_h * GAS_T_PER_MWH_EL))


def _capex(d: Design) -> float:
    """Annualised capital cost of a design (EUR/yr)."""
    total = 0.0
    for name, mw in d.capacities["Generator"].items():
        total += mw * COSTS[name.rsplit(" ", 1)[1]]["capital"]
    for mw in d.capacities["StorageUnit"].values():
        total += mw * COSTS["battery"]["capital"]
    for name, mw in d.capacities["Link"].items():
        if name.endswith(" electrolysis"):
            total += mw * COSTS["electrolysis"]["capital"]
        elif name.endswith(" fuel cell"):
            total += mw * COSTS["fuel_cell"]["capital"] * COSTS["fuel_cell"]["eff"]
        else:
            total += mw * COSTS["link"]["capital"]
    for mwh in d.capacities["Store"].values():
        total += mwh * COSTS["h2_store"]["capital"]
    return total


def operate(design: Design, year_data: WeatherYear, *, voll: float = VOLL, co2_price: float | None = None, threads: int = 1) -> Operation:
    """Dispatch a frozen ``design`` in ``year_data`` (shedding at ``voll``, CO2 priced at the design's μ)."""
    if list(year_data.nodes) != list(design.nodes):
        raise InputError(f"weather year {year_data.label} has nodes {year_data.nodes}; allowed: the design's nodes {design.nodes}")
    price = design.co2_price if co2_price is None else co2_price
    n = _build(year_data, caps=design.capacities, hydrogen=design.hydrogen, co2_cap_t=None, co2_price=price, voll=voll)
    _solve(n, what=f"the dispatch LP of design {design.label} in weather year {year_data.label}", threads=threads)
    w = year_data.resolution_h
    scale = 1.0 / _year_fraction(year_data)
    p = n.generators_t.p
    gas_cols = [c for c in p.columns if c.endswith(" gas")]
    shed_cols = [c for c in p.columns if c.endswith(" shed")]
    gas = p[gas_cols].sum(axis=1)
    shed = p[shed_cols].sum(axis=1)
    load = year_data.demand_mw.sum(axis=1)
    served = (load - shed).clip(lower=0.0)
    co2_t = float(gas.sum() * w * GAS_T_PER_MWH_EL)
    served_mwh = float(served.sum() * w)
    opex = 0.0
    for c in p.columns:
        if c.endswith(" shed"):
            continue
        opex += float(p[c].sum()) * w * COSTS[c.rsplit(" ", 1)[1]]["marginal"]
    series = pd.Series(np.where(served > 1e-9, gas * GAS_T_PER_MWH_EL * 1e6 / (served * 1e3).where(served > 1e-9, 1.0), 0.0),
                       index=year_data.snapshots, name="g_per_kwh")
    capex = _capex(design)
    return Operation(design=design.label, year=year_data.label, cost_eur=capex + opex * scale, capex_eur=capex, opex_eur=opex * scale,
                     unserved_mwh=float(shed.sum() * w) * scale, co2_t=co2_t * scale, served_mwh=served_mwh * scale,
                     intensity_g_per_kwh=co2_t * 1e6 / (served_mwh * 1e3) if served_mwh > 0 else 0.0,
                     intensity_series=series, shed_series=shed)


@dataclass
class CrossResult:
    """Design × operation-year results; matrices are indexed [design][operation year]."""

    labels: list[str]
    designs: list[Design]
    operations: list[list[Operation]]
    co2_cap_t: float
    reference_t: float
    seconds: float
    solves: int
    cpu_seconds: float

    def matrix(self, attr: str) -> list[list[float]]:
        return [[float(getattr(o, attr)) for o in row] for row in self.operations]


def _design_task(args: tuple[WeatherYear, float, bool, float]) -> tuple[Design, float]:
    c0 = time.process_time()
    y, cap_t, h2, voll = args
    return design(y, co2_cap_t=cap_t, hydrogen=h2, voll=voll), time.process_time() - c0


def _operate_task(args: tuple[Design, WeatherYear, float]) -> tuple[Operation, float]:
    c0 = time.process_time()
    d, y, voll = args
    return operate(d, y, voll=voll), time.process_time() - c0


def _map(fn: Any, tasks: list[Any], workers: int) -> list[Any]:
    if workers <= 1 or len(tasks) <= 1:
        return [fn(t) for t in tasks]
    # "spawn", not "fork": forking a process that has run linopy/HiGHS threads can deadlock.
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
            return list(pool.map(fn, tasks))
    except BrokenProcessPool:  # e.g. an unguarded __main__ script under spawn: solve serially instead
        log.warning("grid: worker processes failed to start; solving serially")
        return [fn(t) for t in tasks]


def cross_matrix(years: Sequence[WeatherYear], *, co2_cap: float = 0.05, hydrogen: bool = True, voll: float = VOLL,
                 workers: int = 1) -> CrossResult:
    """Design for each year, operate each design in every year (the paper's Y×Y experiment).

    ``co2_cap`` is a fraction of [`reference_emissions_t`][reference_emissions_t] (all demand of the mean year from gas).
    ``workers`` > 1 solves the independent LPs in that many spawned processes (one HiGHS thread each).
    """
    _check_years(years)
    if not (0.0 <= co2_cap <= 1.0):
        raise InputError(f"co2_cap = {co2_cap!r} is not allowed; allowed: a fraction in 0..1 of the all-gas reference")
    t0, c0 = time.perf_counter(), time.process_time()
    ref = reference_emissions_t(years)
    cap_t = co2_cap * ref
    if not (isinstance(workers, int) and workers >= 1):
        raise InputError(f"workers = {workers!r} is not allowed; allowed: an integer >= 1")
    done = _map(_design_task, [(y, cap_t, hydrogen, voll) for y in years], workers)
    designs = [d for d, _ in done]
    cpu = sum(c for _, c in done) if workers > 1 else 0.0
    flat = _map(_operate_task, [(d, y, voll) for d in designs for y in years], workers)
    cpu += sum(c for _, c in flat) if workers > 1 else 0.0
    k = len(years)
    ops = [[flat[i * k + j][0] for j in range(k)] for i in range(k)]
    if workers <= 1:
        cpu = time.process_time() - c0
    return CrossResult(labels=[y.label for y in years], designs=designs, operations=ops, co2_cap_t=cap_t, reference_t=ref,
                       seconds=time.perf_counter() - t0, solves=k + k * k, cpu_seconds=cpu)


def intensity_distribution(result: CrossResult | Sequence[Operation], design_index: int | None = None) -> tuple[float, float, float]:
    """(min, median, max) average intensity in g CO2e/kWh of one design across operation years.

    Pass a [`CrossResult`][CrossResult] and ``design_index``, or a sequence of [`Operation`][Operation] s.
    """
    if isinstance(result, CrossResult):
        if design_index is None or not (-len(result.designs) <= design_index < len(result.designs)):
            raise InputError(f"design_index = {design_index!r} is not allowed; allowed: 0..{len(result.designs) - 1}")
        ops = result.operations[design_index]
    else:
        ops = list(result)
    vals = np.array([o.intensity_g_per_kwh for o in ops], dtype=float)
    if vals.size == 0:
        raise InputError("operations: none given; allowed: at least one operation year")
    return float(vals.min()), float(np.median(vals)), float(vals.max())


def grid_intensity_for(result: CrossResult, design_index: int, year_index: int) -> GridIntensity:
    """The average intensity of design ``design_index`` operated in ``year_index``, for the ledger's kWh → CO2e."""
    y = len(result.labels)
    for name, v in (("design_index", design_index), ("year_index", year_index)):
        if not (isinstance(v, int) and -y <= v < y):
            raise InputError(f"{name} = {v!r} is not allowed; allowed: an integer in 0..{y - 1}")
    op = result.operations[design_index][year_index]
    return GridIntensity(code=f"GRID-D{op.design}-W{op.year}", name=f"grid model: design {op.design} operated in weather {op.year}",
                         g_per_kwh=float(op.intensity_g_per_kwh), year=None,
                         source="qenergy grid model (toy PyPSA network, synthetic weather; derived, not measured, not the paper's)")


# --- plots ---------------------------------------------------------------------------------------







# --- plug-in model ------------------------------------------------------------------------------

