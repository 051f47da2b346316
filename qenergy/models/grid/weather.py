"""Weather years for the ``grid`` model: a seeded synthetic generator and a CSV loader.

Context (models.md §4, Gøtske et al. 2024): the paper drives PyPSA-Eur-Sec with 62 historical
ERA5 weather years (1960–2021, via atlite). Those data need GB-scale downloads, so this module
**synthesises** weather years instead. Nothing produced here is historical weather or a paper
result; it is a structured stand-in with the features the paper's argument depends on
(seasonality, multi-day wind lulls, temperature-driven electrified heat demand, and cold, dark,
windless compound events whose frequency can be dialled up or down).

Modelling choices (all simplifications, chosen for plausibility, not calibrated to a region):

* **Calendar.** Every year uses the non-leap calendar of 2001 (PyPSA-Eur's ``drop_leap_day``),
  so the snapshots of all years are identical and one design can be operated in any year.
  Weather is generated hourly and averaged to ``resolution_h`` hours (a divisor of 24);
  ``days`` keeps the first N days (from 1 January) for small test instances.
* **Nodes.** Up to three nodes with fixed, stylised climates: ``north`` (lat 56°, windy,
  cold), ``central`` (lat 51°) and ``south`` (lat 44°, sunny, mild, less wind). One node means
  ``central``.
* **Temperature.** Annual cosine (coldest on 15 January), a ±3 K diurnal cycle (warmest at
  15:00), and a synoptic anomaly: AR(1) with hourly coefficient 0.99 (e-folding ≈ 4 days), 3 K
  stationary s.d., 70 % shared between nodes.
* **Solar.** Clear-sky shape from the solar elevation (declination/hour-angle formula at the node
  latitude), times a cloudiness factor: logistic transform of an AR(1) process (hourly
  coefficient 0.97), partly shared between nodes and cloudier in winter. Scaled so that a
  sunny-site annual capacity factor is about 0.10–0.15, as for European utility PV.
* **Wind.** A Gaussian AR(1) process (hourly coefficient 0.985, e-folding ≈ 3 days, 60 %
  shared between nodes) mapped through the normal CDF to a Weibull (k = 2) wind speed whose
  scale is higher in winter, then through a generic power curve (cut-in 3 m/s, rated 12 m/s,
  cut-out 25 m/s, cubic in between) times 0.95 availability. The transformed-AR(1) keeps the
  Weibull marginal while giving realistic multi-day lulls. Annual CF ≈ 0.25–0.4.
* **Demand.** Base electricity demand with a daily shape (night trough, morning and evening
  peaks), 10 % lower at weekends and slightly higher in winter (lighting), plus an **electrified
  heat sector**: heat demand proportional to heating degrees below 15.5 °C, served by air-source
  heat pumps with COP(ΔT) = 6.08 − 0.09 ΔT + 0.0005 ΔT² (ΔT = 55 °C sink − air temperature;
  the Staffell et al. 2012 fit that PyPSA-Eur uses). Heat-pump load therefore rises faster than
  linearly in cold spells. ``heat_share`` is the heat pumps' share of annual electricity at the
  reference climate.
* **Compound events** (``severity`` in 0..1, deterministic given the seed): the number of events
  is ``round(events_per_year × severity)``; each lasts ``3 + 7 × severity`` days, starts in
  winter (15 Nov – 15 Feb, or anywhere in a shorter window) at a seeded date, and applies a
  smooth (half-sine-tapered) anomaly to all nodes: temperature −(4 + 8 × severity) K, wind
  capacity factor multiplied by (1 − 0.85 × ramp) and solar by (1 − 0.5 × ramp). Severity 0
  gives a mild year without injected events; severity 1 a harsh one. Natural lulls from the
  AR(1) processes occur in all years.

CSV format (``load_csv`` / ``write_csv``), one row per snapshot and node, header required::

    snapshot,node,solar,wind,demand_mw
    2001-01-01T00:00,central,0.0,0.41,1093.2

``snapshot`` is an ISO date-time, equally spaced, the same set for every node; ``solar`` and
``wind`` are capacity factors in 0..1; ``demand_mw`` is the total electricity demand (including
any electrified heat) at that node, ≥ 0. Errors name the file and the 1-based line.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from qenergy.errors import InputError

__all__ = ["CSV_COLUMNS", "NODE_CLIMATES", "WeatherEvent", "WeatherSummary", "WeatherYear", "heat_pump_cop", "load_csv", "synthetic_year",
           "weather_years", "write_csv"]

CSV_COLUMNS = ("snapshot", "node", "solar", "wind", "demand_mw")

#: Stylised node climates: latitude (deg), mean temperature (°C), seasonal amplitude (K), wind
#: Weibull scale (m/s), solar cloud bias (higher = sunnier), share of base demand.
NODE_CLIMATES: dict[str, dict[str, float]] = {
    "north": {"lat": 56.0, "t_mean": 7.0, "t_amp": 9.0, "wind_scale": 8.6, "sun": -0.3, "demand": 0.30},
    "central": {"lat": 51.0, "t_mean": 10.0, "t_amp": 9.0, "wind_scale": 7.6, "sun": 0.0, "demand": 0.40},
    "south": {"lat": 44.0, "t_mean": 14.0, "t_amp": 8.0, "wind_scale": 6.6, "sun": 0.6, "demand": 0.30},
}
_NODE_ORDER = {1: ("central",), 2: ("north", "south"), 3: ("north", "central", "south")}
_BASE_YEAR = 2001
_ALLOWED_RES = (1, 2, 3, 4, 6, 8, 12, 24)


class WeatherEvent(TypedDict):
    """An injected compound cold-dark-windless event: start (ISO time), length in days, temperature drop (K)."""

    start: str
    days: float
    temperature_drop_k: float


class WeatherSummary(TypedDict):
    """[WeatherYear.summary][]: what the year is, its events and its mean capacity factors (by node) and demand."""

    label: str
    severity: float | None
    events: list[WeatherEvent]
    source: str
    snapshots: int
    resolution_h: float
    nodes: list[str]
    solar_cf: dict[str, float]
    wind_cf: dict[str, float]
    demand_mean_mw: float
    demand_peak_mw: float


@dataclass
class WeatherYear:
    """One weather year: capacity factors and demand per snapshot (rows) and node (columns)."""

    label: str
    solar: pd.DataFrame
    wind: pd.DataFrame
    demand_mw: pd.DataFrame
    resolution_h: float
    temperature_c: pd.DataFrame | None = None
    severity: float | None = None
    events: list[WeatherEvent] = field(default_factory=list)
    source: str = "synthetic"

    @property
    def snapshots(self) -> pd.DatetimeIndex:
        return self.solar.index

    @property
    def nodes(self) -> list[str]:
        return list(self.solar.columns)

    def demand_mwh(self) -> float:
        """Total demand over the modelled period (MWh)."""
        return float(self.demand_mw.to_numpy().sum() * self.resolution_h)

    def summary(self) -> WeatherSummary:
        return {"label": self.label, "severity": self.severity, "events": self.events, "source": self.source,
                "snapshots": len(self.snapshots), "resolution_h": self.resolution_h, "nodes": self.nodes,
                "solar_cf": {n: round(float(self.solar[n].mean()), 4) for n in self.nodes},
                "wind_cf": {n: round(float(self.wind[n].mean()), 4) for n in self.nodes},
                "demand_mean_mw": round(float(self.demand_mw.sum(axis=1).mean()), 2),
                "demand_peak_mw": round(float(self.demand_mw.sum(axis=1).max()), 2)}


def heat_pump_cop(t_air_c: np.ndarray, t_sink_c: float = 55.0) -> np.ndarray:
    """Air-source heat-pump COP (Staffell et al. 2012 quadratic fit, as in PyPSA-Eur)."""
    dt = np.maximum(t_sink_c - np.asarray(t_air_c, dtype=float), 15.0)
    return 6.08 - 0.09 * dt + 0.0005 * dt**2


def _ar1(rng: np.random.Generator, n: int, phi: float, shape: tuple[int, ...] = ()) -> np.ndarray:
    """Stationary AR(1) with unit variance: x_t = φ x_{t-1} + sqrt(1-φ²) ε_t (time on axis 0)."""
    eps = rng.standard_normal((n, *shape))
    out = np.empty_like(eps)
    out[0] = eps[0]
    s = math.sqrt(1.0 - phi * phi)
    for t in range(1, n):
        out[t] = phi * out[t - 1] + s * eps[t]
    return out


def _mixed_ar1(rng: np.random.Generator, n: int, phi: float, k: int, shared: float) -> np.ndarray:
    common = _ar1(rng, n, phi)[:, None]
    local = _ar1(rng, n, phi, (k,))
    return math.sqrt(shared) * common + math.sqrt(1.0 - shared) * local


def _norm_cdf(z: np.ndarray) -> np.ndarray:
    from math import erf
    return 0.5 * (1.0 + np.vectorize(erf)(z / math.sqrt(2.0)))


def _power_curve(u: np.ndarray) -> np.ndarray:
    cf = np.clip((u**3 - 3.0**3) / (12.0**3 - 3.0**3), 0.0, 1.0)
    cf[u >= 25.0] = 0.0
    return 0.95 * cf


def _check_common(resolution_h: int, days: int, nodes: int) -> None:
    if resolution_h not in _ALLOWED_RES:
        raise InputError(f"resolution_h = {resolution_h!r} is not allowed; allowed: one of {', '.join(map(str, _ALLOWED_RES))} hours")
    if not (isinstance(days, int) and 1 <= days <= 365):
        raise InputError(f"days = {days!r} is not allowed; allowed: an integer in 1..365")
    if nodes not in _NODE_ORDER:
        raise InputError(f"nodes = {nodes!r} is not allowed; allowed: 1, 2 or 3")


def synthetic_year(seed: int = 0, *, severity: float = 0.0, nodes: int = 2, resolution_h: int = 3, days: int = 365,
                   events_per_year: float = 3.0, mean_demand_mw: float = 1000.0, heat_share: float = 0.25,
                   label: str | None = None) -> WeatherYear:
    """A synthetic weather year (see the module docstring for every modelling choice).

    ``seed`` fixes the random weather; ``severity`` (0 mild … 1 harsh) fixes the number, length and
    depth of injected compound cold–dark–windless events, deterministically for a given seed.
    """
    _check_common(resolution_h, days, nodes)
    if not (0.0 <= severity <= 1.0):
        raise InputError(f"severity = {severity!r} is not allowed; allowed: a number in 0..1")
    if not (events_per_year >= 0.0 and math.isfinite(events_per_year)):
        raise InputError(f"events_per_year = {events_per_year!r} is not allowed; allowed: a number >= 0")
    if not (0.0 <= heat_share < 1.0):
        raise InputError(f"heat_share = {heat_share!r} is not allowed; allowed: a number in 0..1 (exclusive of 1)")
    if not (mean_demand_mw > 0.0 and math.isfinite(mean_demand_mw)):
        raise InputError(f"mean_demand_mw = {mean_demand_mw!r} is not allowed; allowed: a number > 0")
    names = _NODE_ORDER[nodes]
    clim = [NODE_CLIMATES[n] for n in names]
    k = len(names)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 20240])
    hours = 8760
    idx = pd.date_range(f"{_BASE_YEAR}-01-01", periods=hours, freq="h")
    doy = (idx.dayofyear.to_numpy() - 1) + idx.hour.to_numpy() / 24.0
    hod = idx.hour.to_numpy() + 0.5

    # --- temperature --------------------------------------------------------------------------
    season = -np.cos(2 * math.pi * (doy - 14.0) / 365.0)  # -1 on 15 January, +1 mid July
    t_mean = np.array([c["t_mean"] for c in clim])
    t_amp = np.array([c["t_amp"] for c in clim])
    diurnal = 3.0 * np.cos(2 * math.pi * (hod - 15.0) / 24.0)
    temp = t_mean + t_amp * season[:, None] + diurnal[:, None] + 3.0 * _mixed_ar1(rng, hours, 0.99, k, 0.7)

    # --- solar --------------------------------------------------------------------------------
    lat = np.radians([c["lat"] for c in clim])
    decl = np.radians(23.44) * np.sin(2 * math.pi * (doy - 80.0) / 365.0)
    hour_angle = np.radians(15.0 * (hod - 12.0))
    sin_el = (np.sin(lat)[None, :] * np.sin(decl)[:, None]
              + np.cos(lat)[None, :] * np.cos(decl)[:, None] * np.cos(hour_angle)[:, None])
    clear = np.clip(sin_el, 0.0, None) ** 1.15
    cloud_z = _mixed_ar1(rng, hours, 0.97, k, 0.5)
    sun = np.array([c["sun"] for c in clim])
    clear_frac = 1.0 / (1.0 + np.exp(-(1.2 * cloud_z + 0.3 + sun + 0.6 * season[:, None])))
    solar = np.clip(0.85 * clear * (0.25 + 0.75 * clear_frac), 0.0, 1.0)

    # --- wind ---------------------------------------------------------------------------------
    wind_z = _mixed_ar1(rng, hours, 0.985, k, 0.6)
    scale = np.array([c["wind_scale"] for c in clim])[None, :] * (1.0 - 0.18 * season[:, None])
    uq = np.clip(_norm_cdf(wind_z), 1e-9, 1 - 1e-9)
    speed = scale * np.sqrt(-np.log(1.0 - uq))  # Weibull k = 2 inverse CDF

    # --- compound events ----------------------------------------------------------------------
    events: list[WeatherEvent] = []
    n_events = int(round(events_per_year * severity))
    ramp = np.zeros(hours)
    t_drop = np.zeros(hours)
    if n_events:
        length_h = int(round((3.0 + 7.0 * severity) * 24))
        window_h = days * 24
        winter = [h for h in range(0, window_h - length_h + 1, 24)
                  if (idx[h].month in (12, 1) or (idx[h].month == 11 and idx[h].day >= 15) or (idx[h].month == 2 and idx[h].day <= 15))]
        candidates = winter or list(range(0, max(window_h - length_h, 0) + 1, 24))
        erng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 777])
        starts = sorted(int(s) for s in erng.choice(candidates, size=min(n_events, len(candidates)), replace=False))
        depth = 4.0 + 8.0 * severity
        for s in starts:
            e = min(s + length_h, hours)
            x = np.linspace(0.0, 1.0, e - s)
            shape = np.clip(np.minimum(x, 1.0 - x) / 0.15, 0.0, 1.0)  # 15 % taper at each end
            shape = np.sin(0.5 * math.pi * shape) ** 2
            ramp[s:e] = np.maximum(ramp[s:e], shape)
            t_drop[s:e] = np.maximum(t_drop[s:e], depth * shape)
            events.append({"start": idx[s].isoformat(), "days": round((e - s) / 24, 2), "temperature_drop_k": round(depth, 2)})
    temp = temp - t_drop[:, None]
    wind = _power_curve(speed) * (1.0 - 0.85 * ramp[:, None])
    solar = solar * (1.0 - 0.5 * ramp[:, None])

    # --- demand -------------------------------------------------------------------------------
    daily = (0.85 + 0.10 * np.exp(-((hod - 9.0) ** 2) / 8.0) + 0.18 * np.exp(-((hod - 19.0) ** 2) / 6.0)
             - 0.10 * np.exp(-((hod - 3.5) ** 2) / 6.0))
    weekend = np.where(idx.dayofweek.to_numpy() >= 5, 0.9, 1.0)
    base_shape = daily * weekend * (1.0 + 0.06 * -season)
    shares = np.array([c["demand"] for c in clim])
    shares = shares / shares.sum()
    base = (1.0 - heat_share) * mean_demand_mw * (base_shape / base_shape.mean())[:, None] * shares[None, :]
    # heat: degrees below 15.5 °C over a COP; normalised on the reference climate (no anomalies,
    # no events) so that heat pumps are ``heat_share`` of annual electricity there.
    ref_temp = t_mean + t_amp * season[:, None] + diurnal[:, None]
    ref_hp = np.maximum(15.5 - ref_temp, 0.0) / heat_pump_cop(ref_temp)
    hp = np.maximum(15.5 - temp, 0.0) / heat_pump_cop(temp)
    hp_norm = heat_share * mean_demand_mw * shares / np.maximum(ref_hp.mean(axis=0), 1e-9)
    demand = base + hp * hp_norm[None, :]

    # --- aggregate to the resolution and window -------------------------------------------------
    keep = days * 24

    def agg(a: np.ndarray) -> pd.DataFrame:
        a = a[:keep].reshape(keep // resolution_h, resolution_h, k).mean(axis=1)
        return pd.DataFrame(a, index=idx[:keep:resolution_h], columns=list(names))

    return WeatherYear(label=label if label is not None else f"seed{seed}-sev{severity:g}", solar=agg(solar),
                       wind=agg(wind), demand_mw=agg(demand), resolution_h=float(resolution_h),
                       temperature_c=agg(temp), severity=float(severity), events=events, source="synthetic")


def weather_years(years: int = 5, *, seed: int = 0, severities: list[float] | None = None, mild_severity: float = 0.0,
                  harsh_severity: float = 1.0, **kwargs: Any) -> list[WeatherYear]:
    """``years`` synthetic years, labelled Y1..Y<n>; year i uses seed ``seed·1000 + i``.

    Severities default to evenly spaced from ``mild_severity`` (Y1) to ``harsh_severity`` (last
    year), so which year is harshest does not depend on the seed.
    """
    if not (isinstance(years, int) and years >= 1):
        raise InputError(f"years = {years!r} is not allowed; allowed: an integer >= 1")
    if severities is None:
        severities = [float(v) for v in np.linspace(mild_severity, harsh_severity, years)] if years > 1 else [float(harsh_severity)]
    if len(severities) != years:
        raise InputError(f"severities has {len(severities)} values; allowed: exactly years = {years} values")
    return [synthetic_year(seed * 1000 + i, severity=sev, label=f"Y{i + 1}", **kwargs) for i, sev in enumerate(severities)]


# --- CSV ------------------------------------------------------------------------------------------

def write_csv(year: WeatherYear, path: str | Path) -> Path:
    """Write ``year`` in the documented CSV format (snapshot, node, solar, wind, demand_mw)."""
    p = Path(path)
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for ts in year.snapshots:
            for node in year.nodes:
                w.writerow([ts.strftime("%Y-%m-%dT%H:%M"), node, repr(float(year.solar.at[ts, node])),
                            repr(float(year.wind.at[ts, node])), repr(float(year.demand_mw.at[ts, node]))])
    return p


def load_csv(path: str | Path, *, label: str | None = None) -> WeatherYear:
    """Read a weather year from the documented CSV format; errors name the file and line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"weather file {p} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"weather file {p} is not UTF-8 text; allowed: a CSV with columns {','.join(CSV_COLUMNS)}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"weather file {p} line 1: empty file; allowed: a header {','.join(CSV_COLUMNS)} and data rows")
    header = [h.strip() for h in rows[0]]
    if sorted(header) != sorted(CSV_COLUMNS) or len(header) != len(CSV_COLUMNS):
        raise InputError(f"weather file {p} line 1: header {','.join(header)!r} is not allowed; allowed: the columns {','.join(CSV_COLUMNS)}")
    col = {name: header.index(name) for name in CSV_COLUMNS}
    data: dict[tuple[pd.Timestamp, str], tuple[float, float, float]] = {}
    first_line: dict[tuple[pd.Timestamp, str], int] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(CSV_COLUMNS):
            raise InputError(f"weather file {p} line {lineno}: {len(row)} fields; allowed: {len(CSV_COLUMNS)} ({','.join(header)})")
        raw_ts = row[col["snapshot"]].strip()
        try:
            ts = pd.Timestamp(raw_ts)
            if pd.isna(ts):
                raise ValueError
        except (ValueError, TypeError):
            raise InputError(f"weather file {p} line {lineno}: snapshot {raw_ts!r} is not allowed; allowed: an ISO date-time such as 2001-01-01T00:00") from None
        node = row[col["node"]].strip()
        if not node:
            raise InputError(f"weather file {p} line {lineno}: node is empty; allowed: a node name")
        vals = []
        for name, lo, hi in (("solar", 0.0, 1.0), ("wind", 0.0, 1.0), ("demand_mw", 0.0, math.inf)):
            raw = row[col[name]].strip()
            try:
                v = float(raw)
            except ValueError:
                v = math.nan
            if not (math.isfinite(v) and lo <= v <= hi):
                allowed = "a number in 0..1" if hi == 1.0 else "a finite number >= 0"
                raise InputError(f"weather file {p} line {lineno}: {name} = {raw!r} is not allowed; allowed: {allowed}")
            vals.append(v)
        key = (ts, node)
        if key in data:
            raise InputError(f"weather file {p} line {lineno}: snapshot {raw_ts} node {node} repeats line {first_line[key]}; allowed: one row per snapshot and node")
        data[key] = (vals[0], vals[1], vals[2])
        first_line[key] = lineno
    if not data:
        raise InputError(f"weather file {p} line 2: no data rows; allowed: at least one row per node")
    snaps = sorted({k[0] for k in data})
    nodes = list(dict.fromkeys(k[1] for k in data))
    for s in snaps:
        for n in nodes:
            if (s, n) not in data:
                last = max(first_line.values())
                raise InputError(f"weather file {p} line {last}: node {n} has no row for snapshot {s.isoformat()}; allowed: every node at every snapshot")
    if len(snaps) > 1:
        steps = pd.DatetimeIndex(snaps).to_series().diff().dt.total_seconds().to_numpy()[1:] / 3600.0
        if not np.allclose(steps, steps[0]) or steps[0] <= 0:
            bad = int(np.argmax(~np.isclose(steps, steps[0]))) + 1
            line = min(first_line[(snaps[bad], n)] for n in nodes)
            raise InputError(f"weather file {p} line {line}: snapshot {snaps[bad].isoformat()} breaks the regular spacing of {steps[0]:g} h; allowed: equally spaced snapshots")
        res = float(steps[0])
    else:
        res = 1.0
    index = pd.DatetimeIndex(snaps)

    def frame(i: int) -> pd.DataFrame:
        return pd.DataFrame([[data[(s, n)][i] for n in nodes] for s in snaps], index=index, columns=nodes)

    return WeatherYear(label=label if label is not None else p.stem, solar=frame(0), wind=frame(1), demand_mw=frame(2),
                       resolution_h=res, source=f"csv:{p.name}")
