"""The weather-year grid model as a package: ``weather`` (synthetic years and CSV), ``solver``
(the PyPSA network, design and dispatch LPs, process pool), ``plots`` (through
`qenergy.plotting`) and the plug-in model `GridWeatherModel` here.

See `qenergy.models.grid.solver` for the model's assumptions and sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypedDict

from qenergy.errors import InputError, ModelError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, check_output_dir, param
from qenergy.models.grid.plots import plot_cross_matrices, plot_intensity
from qenergy.models.grid.solver import (
    COSTS,
    CrossResult,
    Design,
    DesignSummary,
    Operation,
    _year_fraction,
    cross_matrix,
    design,
    grid_intensity_for,
    intensity_distribution,
    operate,
    reference_emissions_t,
)
from qenergy.models.grid.weather import WeatherSummary, WeatherYear, weather_years
from qenergy.plotting import check_plot_targets

__all__ = ["COSTS", "CrossResult", "Design", "DesignIntensity", "GridMatrices", "GridResult", "GridWeatherModel", "IntensitySeries", "Operation",
           "WeatherYear", "cross_matrix", "design", "grid_intensity_for",
           "intensity_distribution", "operate", "plot_cross_matrices", "plot_intensity", "reference_emissions_t", "weather_years"]

#: The PNGs the model writes into ``plot_dir``.
PLOT_FILES = ("grid_cross_matrices.png", "grid_intensity.png")


class GridMatrices(TypedDict):
    """Design x operation-year matrices (rows = design year, columns = operation year)."""

    axes: str
    cost_meur: list[list[float]]
    unserved_gwh: list[list[float]]
    co2_kt: list[list[float]]
    intensity_g_per_kwh: list[list[float]]


class DesignIntensity(TypedDict):
    """(min, median, max) average intensity in g CO2e/kWh of one design across the operation years."""

    design: str
    min: float
    median: float
    max: float


class IntensitySeries(TypedDict):
    """The intensity per snapshot (g CO2e/kWh) of one design operated in one year."""

    design: str
    year: str
    start: str
    step_h: float
    g_per_kwh: list[float]


class GridResult(TypedDict):
    """What [GridWeatherModel.run][] returns; ``plots`` maps a plot's name to its PNG path (empty without ``plot_dir``)."""

    years: list[str]
    severities: list[float | None]
    weather: list[WeatherSummary]
    co2_cap_t_per_year: float
    reference_t_per_year: float
    matrices: GridMatrices
    intensity_by_design: list[DesignIntensity]
    designs: list[DesignSummary]
    intensity_series: IntensitySeries
    solves: int
    seconds: float
    cpu_seconds: float
    plots: dict[str, str]
    note: str


@dataclass(frozen=True)
class GridWeatherModel(Model):
    """Y synthetic weather years → Y designs → Y×Y cross-year dispatch (Gøtske et al. 2024, toy scale)."""

    name: ClassVar[str] = "grid"
    summary: ClassVar[str] = "Weather-robust grid design: design per weather year, operate in every year (Gotske et al. 2024, toy PyPSA)"
    account: ClassVar[str] = "grid"

    years: int = param(5, unit="years", help="number of weather years Y (Y designs, Y*Y dispatch runs)", low=1, high=12, aliases=("y",))
    nodes: int = param(2, unit="nodes", help="nodes (1 central; 2 north+south; 3 north+central+south)", low=1, high=3)
    resolution_h: int = param(6, unit="h", help="time step, a divisor of 24 (3 h is the paper's; 6 h keeps Y=5 under 3 min)", low=1, high=24, aliases=("resolution",))
    days: int = param(365, unit="days", help="days modelled from 1 January (fewer for quick runs)", low=7, high=365)
    co2_cap: float = param(0.05, unit="fraction", help="CO2 cap in design, as a fraction of an all-gas system", low=0.0, high=1.0)
    mild_severity: float = param(0.0, help="compound-event severity of the mildest year (Y1)", low=0.0, high=1.0)
    severity: float = param(1.0, help="compound-event severity of the harshest (last) year", low=0.0, high=1.0)
    events_per_year: float = param(3.0, unit="1/yr", help="compound events in a year of severity 1", low=0.0, high=12.0)
    heat_share: float = param(0.25, unit="fraction", help="heat pumps' share of electricity in an average climate", low=0.0, high=0.9)
    hydrogen: bool = param(True, help="allow hydrogen storage (electrolysis, tank, fuel cell)")
    voll: float = param(1e5, unit="EUR/MWh", help="load-shedding cost (paper: 1e5)", low=1e3, high=1e7)
    series_design: int = param(-1, help="design index for the intensity series (-1 = harshest year's design)", low=-12, high=11)
    series_year: int = param(-1, help="operation-year index for the intensity series (-1 = harshest)", low=-12, high=11)
    cpu_watts: float = param(0.0, unit="W", help="assumed CPU power to charge per solve (0 = count solves only)", low=0.0, high=1e4)
    workers: int = param(2, unit="processes", help="parallel LP solves (spawned processes, one HiGHS thread each)", low=1, high=64)
    plot_dir: str = param("", help="directory for cross-matrix and intensity PNGs (empty = no plots)")

    def __post_init__(self) -> None:
        check_output_dir(self.plot_dir, "parameter plot_dir")  # refused now, not after minutes of solving
        if self.plot_dir:  # and a file there that qenergy did not write is never overwritten
            check_plot_targets(Path(self.plot_dir) / name for name in PLOT_FILES)
        if 24 % self.resolution_h:
            raise InputError(f"parameter resolution_h = {self.resolution_h!r} is not allowed; allowed: a divisor of 24 (1, 2, 3, 4, 6, 8, 12, 24)")
        if self.mild_severity > self.severity:
            raise InputError(f"parameter mild_severity = {self.mild_severity!r} is not allowed; allowed: <= severity ({self.severity:g})")
        for nm in ("series_design", "series_year"):
            v = getattr(self, nm)
            if not -self.years <= v < self.years:
                raise InputError(f"parameter {nm} = {v!r} is not allowed; allowed: an integer in {-self.years}..{self.years - 1}")

    def run(self, ledger: Ledger, seed: int = 0) -> GridResult:
        ys = weather_years(self.years, seed=seed, mild_severity=self.mild_severity, harsh_severity=self.severity, nodes=self.nodes,
                           resolution_h=self.resolution_h, days=self.days, events_per_year=self.events_per_year, heat_share=self.heat_share)
        try:
            res = cross_matrix(ys, co2_cap=self.co2_cap, hydrogen=self.hydrogen, voll=self.voll, workers=self.workers)
        except ModelError as exc:  # one line for the user: what failed, with which parameters, what to try
            raise ModelError(
                f"grid model: {exc}; parameters years = {self.years}, nodes = {self.nodes}, days = {self.days}, "
                f"resolution_h = {self.resolution_h}, co2_cap = {self.co2_cap:g}, hydrogen = {str(self.hydrogen).lower()}, "
                f"severity = {self.severity:g}, seed = {seed}; try a larger co2_cap (more gas backup), hydrogen = true "
                f"(long-duration storage), or a coarser resolution_h / fewer days") from exc
        unit_j = self.cpu_watts * res.cpu_seconds / res.solves
        ledger.charge_many([(self.account, "lp_solve", res.solves, unit_j, "estimated",
                             f"HiGHS LP solves of the grid model ({self.years} designs + {self.years}^2 dispatches); "
                             f"energy per solve = {self.cpu_watts:g} W assumed x {res.cpu_seconds / res.solves:.3g} CPU s (not metered)")],
                           label=f"grid Y={self.years}", model=self.name)
        op = res.operations[self.series_design][self.series_year]
        dists = [intensity_distribution(res, i) for i in range(len(res.designs))]
        plots: dict[str, str] = {}
        if self.plot_dir:
            d = Path(self.plot_dir)
            d.mkdir(parents=True, exist_ok=True)
            plots["cross_matrices"] = str(plot_cross_matrices(res, d / PLOT_FILES[0]))
            plots["intensity"] = str(plot_intensity(op.intensity_series, d / PLOT_FILES[1],
                                                    title=f"Intensity: design {op.design} operated in {op.year}"))
        return {
            "years": res.labels,
            "severities": [y.severity for y in ys],
            "weather": [y.summary() for y in ys],
            "co2_cap_t_per_year": res.co2_cap_t / _year_fraction(ys[0]),
            "reference_t_per_year": res.reference_t / _year_fraction(ys[0]),
            "matrices": {
                "axes": "rows = design year, columns = operation year",
                "cost_meur": [[v / 1e6 for v in r] for r in res.matrix("cost_eur")],
                "unserved_gwh": [[v / 1e3 for v in r] for r in res.matrix("unserved_mwh")],
                "co2_kt": [[v / 1e3 for v in r] for r in res.matrix("co2_t")],
                "intensity_g_per_kwh": res.matrix("intensity_g_per_kwh"),
            },
            "intensity_by_design": [{"design": lab, "min": a, "median": b, "max": c} for lab, (a, b, c) in zip(res.labels, dists)],
            "designs": [d.summary() for d in res.designs],
            "intensity_series": {"design": op.design, "year": op.year, "start": op.intensity_series.index[0].isoformat(),
                                 "step_h": ys[0].resolution_h, "g_per_kwh": [round(float(v), 3) for v in op.intensity_series]},
            "solves": res.solves,
            "seconds": round(res.seconds, 3),
            "cpu_seconds": round(res.cpu_seconds, 3),
            "plots": plots,
            "note": "toy model on synthetic weather: derived numbers, not the paper's results",
        }
