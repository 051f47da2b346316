"""The practical energy advantage: a real QPU's wall-plug energy against a real classical machine's, per n.

Joins the core models ([qenergy.hardware.qpu][], [qenergy.hardware.classical_machine][], the bounds of
`qenergy.energy.advantage`) with the two sides: the quantum circuit's routed duration and gate
counts ([qenergy.circuits.timing.circuit_timing][], fitted in [qenergy.hardware.circuit_timing][]),
the device's median errors ([qenergy.circuits.noise.DeviceCalibration.median_depolarizing][]), and the
classical algorithms measured on this machine (`qenergy.classical`). It composes; the physics is in
those modules. Per n:

* **quantum** (basis ``estimated``): the preset's wall-plug power for 2n qubits × the busy
  time of one job of ``shots`` shots, with ``shots = (n − 1 + ⌈log2 1/(1−P)⌉) × noise
  multiplier``: the noiseless count makes n − 1 uniformly random vectors of the
  (n−1)-dimensional space y·s = 0 span it with probability ≥ P (the chance that n − 1 + k
  vectors do not is below 2^−k). The circuit is the linear oracle family (2n H, ~2n CNOTs)
  routed onto the preset's timing device; its duration is fitted (a + b·n + c·n²) over
  routed sizes and extrapolated beyond them.
* **measured shots** (with ``--noise``, method ``measured``): the real noisy solver on the
  stim twin over a ladder of n (`qenergy.app.noise_scan`), the P-quantile of its shots
  to solution at each scanned n, and a log-linear fit with a widening band elsewhere
  (`qenergy.hardware.noise_fit`); from the first scanned n where success P was not reached, no
  QPU figure (nothing is extrapolated past a measured failure). See [`measured_shots`][measured_shots].
* **noise multiplier** (method ``analytic``, a model *estimate* shown beside the measurement,
  never a bound): it assumes a shot is clean with probability F (no depolarising Pauli after
  any gate, no readout flip, from the noise spec or the device twin's median calibration ×
  the routed gate counts) and that a corrupted shot is uniformly random, so y·s ≠ 0 with
  probability η = (1 − F)/2; each shot then carries 1 − H2(η) bits about s (a binary
  symmetric channel), and certification needs n + log2(P/(1−P)) bits, so the model's shots
  are (n + log2(P/(1−P))) / (1 − H2(η)). The multiplier is that ÷ the noiseless count, at
  least 1; null (unreachable) above `MAX_SHOTS`. Measured against the solver it is off
  in both directions (tenfold too many shots for depolarising noise at n = 20, too few for
  readout noise): hence the scan. It counts shots only: decoding work is not charged.
* **classical** (basis of the measurement): joules per query × queries to succeed with P
  ([qenergy.hardware.classical_machine.collision_queries][]), for this machine (measured, fitted,
  cached) and the GPU and ASIC presets; low / mid / high are the smallest, middle and largest.
* **theoretical**: the bounds of ``qenergy bounds`` (a bound has no range: low = mid = high).

Crossovers: the first n from which the quantum figure stays below the classical one for the
rest of the range; practical ``low`` pairs the quantum low with the classical high (the
earliest the QPU could win), ``mid`` mid with mid, ``high`` the quantum high with the
classical low (the latest).
"""

from __future__ import annotations

import csv
import io
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qenergy.energy.advantage import BoundRow, Crossover, bound_table, first_lasting_n, lasting_crossover
from qenergy.energy.bounds import ClassicalLowerBound, QuantumUpperBound
from qenergy.errors import InputError
from qenergy.hardware.circuit_timing import CircuitTiming
from qenergy.hardware.classical_machine import CLASSICAL_PRESETS, ClassicalMachine, EnergyFit, MeasurementCache, collision_queries, fit_energy
from qenergy.hardware.noise import NoiseSpec
from qenergy.hardware.noise_fit import ShotsFit
from qenergy.hardware.noise_model import MAX_SHOTS, NoiseEstimate, noise_multiplier, noiseless_shots
from qenergy.hardware.qpu import SCENARIOS, QPUPreset
from qenergy.ledger.book import Ledger
from qenergy.ledger.export import check_output_paths, write_atomic
from qenergy.plotting import figure, integer_axis, render_png
from qenergy.problem.kernels import kernel_note
from qenergy.secrets import redact
from qenergy.weight import cover_queries

if TYPE_CHECKING:
    from qenergy.app.noise_scan import NoiseScan

__all__ = [
    "ADVANTAGE_SOFTWARE", "CSV_COLUMNS", "PRACTICAL_ALGORITHMS", "REPORT_TITLE", "AdvantageResult",
    "LedgerRun", "QPURunRecord", "compute_advantage", "kernel_rows", "logical_cnot_counts", "measure_classical", "measure_kernels", "measured_shots",
    "plot_practical", "read_ledger_run", "sensitivity", "write_outputs",
]

#: Classical algorithms the practical comparison can measure.
PRACTICAL_ALGORITHMS = ("birthday", "parallel-rho")
#: Sizes measured per algorithm: each run takes 0.05–0.6 s here, enough for the CPU-time meter's resolution.
CALIBRATION_SIZES: dict[str, tuple[int, ...]] = {"birthday": (40, 42, 44, 45, 46), "parallel-rho": (44, 46, 48, 49, 50)}
#: The same with the compiled kernels (numba), about 4x faster: parallel-rho two bits larger for the same run times.
CALIBRATION_SIZES_COMPILED: dict[str, tuple[int, ...]] = {"birthday": (40, 42, 44, 45, 46), "parallel-rho": (46, 48, 50, 51, 52)}
#: Largest n the command accepts (2n qubits; the classical side stays within a double).
MAX_ADVANTAGE_N = 1024
REPORT_TITLE = "# qenergy advantage report"
ADVANTAGE_SOFTWARE = "qenergy advantage"
CSV_COLUMNS = ["n", "qubits", "shots", "noise_multiplier", "circuit_duration_s", "classical_queries",
               "quantum_upper_j", "classical_lower_j",
               "quantum_j_low", "quantum_j_mid", "quantum_j_high", "classical_j_low", "classical_j_mid", "classical_j_high"]


# --- classical side: measured on this machine ---------------------------------------------------------

def measure_classical(algorithm: str, *, cache: MeasurementCache | None, remeasure: bool = False,
                      sizes: Sequence[int] | None = None, progress: Callable[[str], None] | None = None,
                      kernel: str | None = None) -> tuple[EnergyFit, bool]:
    """Joules per query of ``algorithm`` on this machine: the cached fit, or a new measurement (then cached).

    Runs the algorithm on the random oracle at each of ``sizes`` (default
    `CALIBRATION_SIZES`) inside a meter window (`qenergy.ledger.meter.measure`, RAPL where
    readable, else the CPU-time estimate) and fits [qenergy.hardware.classical_machine.fit_energy][],
    on ``kernel`` (None: the fastest installed, numba with the ``fast`` extra: the classical machine at
    its best). Returns ``(fit, from_cache)``.

    Raises:
        InputError: an algorithm not in `PRACTICAL_ALGORITHMS`, or a kernel that is unknown or not installed.
    """
    if algorithm not in PRACTICAL_ALGORITHMS:
        raise InputError(f"--classical {algorithm!r} is not allowed here; allowed: {', '.join(PRACTICAL_ALGORITHMS)}")
    import dataclasses

    from qenergy.ledger.meter import Meter, measure
    from qenergy.problem.kernels import resolve_kernel

    kernel = resolve_kernel(kernel)
    meter = Meter()
    described = meter.source.describe()
    if cache is not None and not remeasure:
        cached = cache.load(algorithm, _meter_kind(described), kernel=kernel)
        if cached is not None:
            return cached, True
    from qenergy.classical import get_algorithm
    from qenergy.problem.instance import make_instance

    algo = dataclasses.replace(get_algorithm(algorithm), kernel=kernel)  # type: ignore[type-var]
    points = []
    basis = "estimated"
    sizes = tuple(sizes or (CALIBRATION_SIZES_COMPILED if kernel == "numba" else CALIBRATION_SIZES)[algorithm])
    # one untimed run first: imports, numpy's first calls and the first touch of memory are not a query's cost
    algo.search(make_instance(sizes[0], None, "random", seed=999), Ledger(), rng=np.random.default_rng(0))
    for n in sizes:
        if progress is not None:
            progress(f"measuring {algorithm} at n = {n}")
        inst = make_instance(n, None, "random", seed=1000 + n)
        ledger = Ledger()
        t0 = time.perf_counter()
        with measure(ledger, f"calibration n={n}", meter=meter) as window:
            result = algo.search(inst, ledger, rng=np.random.default_rng(n))
        wall = time.perf_counter() - t0
        basis = next((c.basis for c in ledger.charges if c.account == "meter"), basis)
        points.append((n, int(result.queries), float(window.exclusive_j), wall))
    fit = fit_energy(algorithm, points, basis=basis, meter=_meter_kind(described), kernel=kernel)
    if cache is not None:
        try:
            cache.store(fit)
        except OSError:  # a read-only cache directory costs a re-measurement next time, nothing else
            pass
    return fit, False


def measure_kernels(fit: EnergyFit, *, cache: MeasurementCache | None, remeasure: bool = False,
                    progress: Callable[[str], None] | None = None) -> tuple[EnergyFit, ...]:
    """This machine's fit of ``fit.algorithm`` on every installed kernel, ``fit`` (the one used) first.

    The others are measured (or loaded from ``cache``) as [`measure_classical`][measure_classical] does, so a
    report can show numpy and compiled side by side; with numba missing the result is ``(fit,)``.
    """
    from qenergy.problem.kernels import KERNELS, numba_available

    fits = [fit]
    for kernel in KERNELS:
        if kernel != fit.kernel and (kernel != "numba" or numba_available()):
            fits.append(measure_classical(fit.algorithm, cache=cache, remeasure=remeasure, progress=progress, kernel=kernel)[0])
    return tuple(fits)


def kernel_rows(fits: Sequence[EnergyFit], crossovers: Mapping[str, Crossover] | None = None) -> list[dict[str, Any]]:
    """One row per kernel: joules per query and queries per second (wall, over all measured points), each against
    the first fit's (the one the comparison uses), the meter's basis, and with ``crossovers`` the first lasting n
    where the QPU's mid figure is below this machine's on that kernel (``crossover_this_machine``)."""
    if not fits:
        return []
    used = fits[0]
    rows = []
    for f in fits:
        rows.append({"kernel": f.kernel, "used": f is used, "j_per_query": f.j_per_query, "basis": f.basis, "queries_per_s": f.queries_per_s,
                     "j_per_query_over_used": f.j_per_query / used.j_per_query,
                     "queries_per_s_over_used": f.queries_per_s / used.queries_per_s if used.queries_per_s > 0 else None, "date": f.date,
                     "sizes": sorted({p[0] for p in f.points}),
                     "crossover_this_machine": None if crossovers is None or f.kernel not in crossovers else crossovers[f.kernel].n})
    return rows


def _meter_kind(description: str) -> str:
    """The meter's description without run-dependent notes (the cache key)."""
    return description.split(" (", 1)[0]


# --- the comparison ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdvantageRow:
    """One n: theoretical bounds, practical energies (low/mid/high), and what they rest on."""

    n: int
    bound: BoundRow
    shots: float | None
    noise: NoiseEstimate
    duration_s: float
    classical_queries: float
    quantum_j: dict[str, float | None]
    classical_j: dict[str, float]

    #: where ``shots`` comes from: ``noiseless`` (no noise), ``model`` (the analytic multiplier, no scan), ``measured``
    #: (the scan's quantile at this n), ``unreached`` (the scan did not reach success P here or at a smaller n), ``fit``
    #: (extrapolated beyond the scan, with ``shots_band``)
    shots_source: str = "noiseless"
    shots_band: dict[str, float | None] | None = None

    @property
    def model_shots(self) -> float | None:
        """The analytic model's shots (an estimate, beside the measurement)."""
        return None if self.noise.shots is None else float(math.ceil(self.noise.shots))

    def to_dict(self) -> dict[str, Any]:
        qub = self.bound.quantum_upper_j
        clb = self.bound.classical_lower_j
        return {
            "n": self.n,
            "theoretical": {"quantum_upper_j": {s: qub for s in SCENARIOS}, "classical_lower_j": {s: clb for s in SCENARIOS}},
            "practical": {"quantum_j": dict(self.quantum_j), "classical_j": dict(self.classical_j)},
            "qubits": 2 * self.n, "shots": self.shots, "shots_source": self.shots_source, "shots_band": self.shots_band,
            "model_shots": self.model_shots, "noise_multiplier": self.noise.multiplier,
            "noise_corruption": self.noise.corruption, "circuit_duration_s": self.duration_s, "classical_queries": self.classical_queries,
        }


@dataclass(frozen=True)
class AdvantageResult:
    """Everything ``qenergy advantage`` reports."""

    rows: list[AdvantageRow]
    preset: QPUPreset
    noise: NoiseSpec
    success: float
    algorithm: str
    fit: EnergyFit
    fit_cached: bool
    machines: list[ClassicalMachine]
    timing: CircuitTiming
    theoretical_crossover: int | None
    practical_crossover: dict[str, int | None]
    quantum_model: str
    classical_model: str
    temperature_k: float
    ledger_run: LedgerRun | None = None
    scan: NoiseScan | None = None
    shots_fit: ShotsFit | None = None
    #: The crossovers with where they lie ("theoretical", "low", "mid", "high"): computed over every n from 2 up to
    #: the range's end, so one below the range is reported as such, never as the range's first n.
    crossovers: Mapping[str, Crossover] | None = None
    #: This machine's fit on every installed kernel, the one used first ([`measure_kernels`][measure_kernels]); empty: not measured.
    kernel_fits: tuple[EnergyFit, ...] = ()
    #: Per kernel of ``kernel_fits``: the first lasting n where the QPU's mid figure is below this machine's on that kernel.
    kernel_crossovers: Mapping[str, Crossover] | None = None

    def crossover_text(self, key: str) -> str:
        """``key``'s crossover for people (``n = 65 (below the range 100..128)``, ``above n = 64 …``)."""
        if self.crossovers is not None and key in self.crossovers:
            return self.crossovers[key].text()
        return cross_text(self.theoretical_crossover if key == "theoretical" else self.practical_crossover[key])

    def kernel_table(self) -> list[dict[str, Any]]:
        """This machine per kernel, the one used first ([`kernel_rows`][kernel_rows] of ``kernel_fits``, or of ``fit`` alone)."""
        return kernel_rows(self.kernel_fits or (self.fit,), self.kernel_crossovers)

    def model_vs_measured(self) -> list[dict[str, Any]]:
        """Per scanned n: the analytic model's shots (estimate) beside the measured quantile, and model ÷ measured."""
        if self.scan is None:
            return []
        out = []
        by_n = {r.n: r for r in self.rows}
        for pt in self.scan.points:
            measured = pt.shots_quantile(self.success)
            row = by_n.get(pt.n)
            model = row.model_shots if row is not None else None
            out.append({"n": pt.n, "model_shots": model, "model_basis": "estimated", "measured_shots": measured,
                        "measured_basis": "measured", "ratio_model_over_measured": (model / measured) if model and measured else None})
        return out

    def to_dict(self) -> dict[str, Any]:
        power = {s: self.preset.power(int(self.preset.value("device_qubits", s)), s).total_w for s in SCENARIOS}
        this = self.fit.machine_entry()
        out: dict[str, Any] = {
            "rows": [r.to_dict() for r in self.rows],
            "crossover": {"theoretical": self.theoretical_crossover, "practical": dict(self.practical_crossover)},
            "crossover_detail": {k: c.to_dict() for k, c in (self.crossovers or {}).items()},
            "qpu": {"preset": self.preset.name, "title": self.preset.title, "power_w": power,
                    "power_at_device_qubits": int(self.preset.value("device_qubits")), "note": self.preset.note,
                    "specific_power_4k_w_per_w": self.preset.specific_power_4k(), "basis": "estimated",
                    "utilisation": {s: self.preset.utilisation(s) for s in SCENARIOS},
                    "components": {s: self.preset.options(s) for s in SCENARIOS},
                    "sources": self.preset.sources(), "timing": self.timing.to_dict()},
            "classical_machine": {"j_per_query": this.j_per_query, "basis": this.basis, "source": this.source,
                                  "algorithm": self.algorithm, "kernel": self.fit.kernel, "cached": self.fit_cached, "fit": self.fit.to_dict(),
                                  "kernels": self.kernel_table(), "kernel_note": kernel_note(self.fit.kernel),
                                  "machines": [m.to_dict() for m in self.machines]},
            "noise": {"spec": self.noise.describe(),
                      "method": "none" if self.noise.is_ideal else "measured" if self.scan is not None else "analytic",
                      "model": "analytic estimate, not a bound: a shot is clean with probability F (no error on any gate or readout); "
                               "a corrupted shot is uniformly random; shots = (n + log2(P/(1-P))) / (1 - H2((1-F)/2)) "
                               "(qenergy.hardware.noise_model.noise_multiplier)"},
            "success": self.success,
            "theoretical": {"temperature_k": self.temperature_k, "quantum_model": self.quantum_model,
                            "classical_model": self.classical_model, "basis": {"quantum": "upper_bound", "classical": "lower_bound"}},
        }
        if self.ledger_run is not None:
            out["from_ledger"] = self.ledger_run.to_dict()
        if self.scan is not None:
            out["noise_measurement"] = [p.row(self.success) for p in self.scan.points]
            out["noise_scan"] = self.scan.to_dict()
            out["noise_fit"] = None if self.shots_fit is None else self.shots_fit.to_dict()
            out["model_vs_measured"] = self.model_vs_measured()
        return out


def practical_crossovers(rows: Sequence[AdvantageRow]) -> dict[str, int | None]:
    """First lasting n with quantum ≤ classical: low (quantum low vs classical high), mid, high (quantum high vs classical low)."""
    ns = [r.n for r in rows]
    out: dict[str, int | None] = {}
    for key, (q, c) in _PAIRS.items():
        below = [(r.quantum_j[q] is not None and r.quantum_j[q] <= r.classical_j[c]) for r in rows]  # type: ignore[operator]
        out[key] = first_lasting_n(ns, below)
    return out


#: Which quantum scenario is compared with which classical one for each practical crossover.
_PAIRS = {"low": ("low", "high"), "mid": ("mid", "mid"), "high": ("high", "low")}


def _crossovers(all_rows: Sequence[AdvantageRow], ns: Sequence[int]) -> dict[str, Crossover]:
    """Every crossover over ``all_rows`` (each n from 2 up to max(ns)), placed relative to the range ``ns`` asked for."""
    by_n = {r.n: r for r in all_rows}
    lo, hi, floor = min(ns), max(ns), min(by_n)
    out = {"theoretical": lasting_crossover(lambda n: by_n[n].bound.quantum_below, lo, hi, floor=floor)}
    for key, (q, c) in _PAIRS.items():
        def holds(n: int, q: str = q, c: str = c) -> bool:
            qj = by_n[n].quantum_j[q]
            return qj is not None and qj <= by_n[n].classical_j[c]

        out[key] = lasting_crossover(holds, lo, hi, floor=floor)
    return out


def compute_advantage(ns: Sequence[int], preset: QPUPreset, *, noise: NoiseSpec, success: Fraction | float, algorithm: str,
                      fit: EnergyFit, fit_cached: bool, timing: CircuitTiming, quantum: QuantumUpperBound,
                      classical: ClassicalLowerBound, temperature_k: float,
                      logical_cnots: Mapping[int, int] | None = None, scan: NoiseScan | None = None,
                      secret_weight: int | None = None, kernel_fits: Sequence[EnergyFit] = ()) -> AdvantageResult:
    """The comparison over ``ns`` (see the module docstring); pure arithmetic once ``fit``, ``timing`` and ``scan`` are known.

    ``logical_cnots``: CNOTs of the logical circuit per n ([`logical_cnot_counts`][logical_cnot_counts]), needed only for
    ``depolarize`` noise; computed here when missing (callers repeating the comparison pass them once).
    ``scan``: the measured noise scan (`qenergy.app.noise_scan.run_noise_scan`); with it the QPU's shots are the
    measured ones ([`measured_shots`][measured_shots]), the analytic model only beside them.
    ``secret_weight`` W: the restricted problem: restricted bounds (`bound_table`),
    ``kernel_fits``: ``fit`` and this machine's fits on the other installed kernels ([`measure_kernels`][measure_kernels]),
    shown side by side; the comparison itself uses ``fit``.
    restricted shots, and the weight-cover search's estimated queries (`qenergy.weight.cover_queries`)
    priced at the measured joules per query of ``algorithm`` (the same evaluate-and-sort kernel).
    """
    p = float(success)
    if not 0.0 < p < 1.0:
        raise InputError(f"--success {success} is too close to 0 or 1 for the practical comparison (a double cannot hold 1 - P); "
                         "allowed: 1e-300 < P <= 1 - 1e-15")
    asked = list(ns)
    ns = list(range(2, max(asked) + 1))  # every n up to the range's end: a crossover is found wherever it lies
    bounds = bound_table(ns, quantum, classical, temperature_k, Fraction(success), secret_weight=secret_weight)
    machines = sorted([fit.machine_entry(), *CLASSICAL_PRESETS.values()], key=lambda m: m.j_per_query)
    median_errors = None
    if noise.device is not None:
        from qenergy.circuits.noise import device_calibration

        median_errors = device_calibration(noise.device).median_depolarizing(noise.scale)
    shots_fit = scan.fit(p) if scan is not None else None
    if noise.depolarize and noise.device is None and (logical_cnots is None or any(n not in logical_cnots for n in ns)):
        logical_cnots = {**(logical_cnots or {}), **logical_cnot_counts([n for n in ns if n not in (logical_cnots or {})])}
    rows = []
    for n, b in zip(ns, bounds, strict=True):
        if noise.device is not None:
            g1, g2 = timing.one_qubit_gates(n), timing.two_qubit_gates(n)
        else:
            g1, g2 = 2.0 * n, float(logical_cnots[n]) if logical_cnots is not None else 0.0
        w = None if secret_weight is None else min(secret_weight, n)
        est = noise_multiplier(noise, n, p, one_qubit_gates=g1, two_qubit_gates=g2, median_errors=median_errors, secret_weight=w)
        duration = timing.duration_s(n)
        if scan is not None:
            source, band = measured_shots(scan, shots_fit, n, p)
        else:
            source = "noiseless" if noise.is_ideal else "model"
            band = {s: None if est.shots is None else float(math.ceil(est.shots)) for s in SCENARIOS}
        qj: dict[str, float | None] = {}
        for s in SCENARIOS:
            shots_s = band[s]
            qj[s] = None if shots_s is None else float(preset.energy_j(2 * n, math.ceil(shots_s), duration, s))
        queries = collision_queries(n, p, kappa=fit.law_kappa) if w is None else cover_queries(n, w, p)
        cj: dict[str, float] = {s: m.j_per_query * queries for s, m in zip(SCENARIOS, machines, strict=True)}
        mid = band["mid"]
        rows.append(AdvantageRow(n, b, None if mid is None else float(math.ceil(mid)), est, duration, queries, qj, cj, source,
                                 dict(band) if source == "fit" else None))
    for r in rows:  # a damaged input (a cached figure, a preset) must not reach the output as inf or nan
        figures = [r.duration_s, r.classical_queries, *r.classical_j.values(), *(v for v in r.quantum_j.values() if v is not None)]
        if not all(math.isfinite(x) and x >= 0 for x in figures):
            raise InputError(f"the practical comparison at n = {r.n} gives a figure that is not a finite energy "
                             f"(quantum {r.quantum_j}, classical {r.classical_j}); allowed: finite positive inputs "
                             "(run again with --remeasure if the cached measurement is damaged)")
    cross = _crossovers(rows, asked)
    by_n = {r.n: r for r in rows}
    fits = tuple(kernel_fits) or (fit,)
    kernel_cross = {}
    for f in fits:  # against this machine alone on each kernel: the QPU's mid against f's joules per query

        def below(n: int, j: float = f.j_per_query) -> bool:
            qj = by_n[n].quantum_j["mid"]
            return qj is not None and qj <= by_n[n].classical_queries * j

        kernel_cross[f.kernel] = lasting_crossover(below, min(asked), max(asked), floor=min(by_n))
    wanted = set(asked)
    rows = [r for r in rows if r.n in wanted]
    return AdvantageResult(rows, preset, noise, p, algorithm, fit, fit_cached, machines, timing, cross["theoretical"].n,
                           {k: cross[k].n for k in _PAIRS}, quantum.describe(), classical.describe(), temperature_k,
                           scan=scan, shots_fit=shots_fit, crossovers=cross, kernel_fits=fits,
                           kernel_crossovers=kernel_cross)


def measured_shots(scan: NoiseScan, shots_fit: ShotsFit | None, n: int, success: float) -> tuple[str, dict[str, float | None]]:
    """Shots at n (low / mid / high) from a scan: the measured P-quantile at a scanned n (the same in every scenario);
    none from the first scanned n where P was not reached onwards (``unreached``: no success is extrapolated beyond a
    measured failure); at any other n (between, below or beyond the scanned sizes) the fit with its band (``fit``), at
    least the noiseless count."""
    point = scan.point(n)
    unreached = scan.first_unreached(success)
    none: dict[str, float | None] = {s: None for s in SCENARIOS}
    if unreached is not None and n >= unreached:
        return "unreached", none
    if point is not None:
        q = point.shots_quantile(success)
        return ("measured", {s: q for s in SCENARIOS}) if q is not None else ("unreached", none)
    if shots_fit is None:
        return "unreached", none  # nothing to fit: not claimed
    floor = float(noiseless_shots(n, success))
    return "fit", {s: max(floor, shots_fit.shots(n, s)) if shots_fit.shots(n, s) <= MAX_SHOTS else None for s in SCENARIOS}


def logical_cnot_counts(ns: Sequence[int]) -> dict[int, int]:
    """CNOTs of the linear-oracle circuit at each n (its exact network, seed 1; other seeds differ in the mixing only)."""
    from qenergy.circuits.reversible import oracle_network
    from qenergy.problem.instance import make_instance

    return {n: sum(1 for g in oracle_network(make_instance(n, None, "linear", seed=1).oracle).gates if len(g.controls) == 1)
            for n in ns}


def sensitivity(result: AdvantageResult, compute: Callable[[QPUPreset], AdvantageResult]) -> list[dict[str, Any]]:
    """How far each parameter with a range moves the mid practical crossover of ``result``: each set to its low and
    its high value alone (``compute`` reruns the comparison for a preset), then each classical machine as the mid."""
    preset, base = result.preset, result.practical_crossover["mid"]
    out = []
    grouped = {name for c in preset.components for name in c.parameters}
    for comp in preset.components:  # a component varies as whole machines, never one of its parameters alone
        q = int(preset.value("device_qubits"))
        by_power = sorted(comp.options, key=lambda o: preset.with_option(comp.name, o.name).power(q).total_w)
        lo_opt, hi_opt = by_power[0], by_power[-1]
        lo_p, hi_p = (preset.with_option(comp.name, o.name) for o in (lo_opt, hi_opt))
        at_low = compute(lo_p).practical_crossover["mid"]
        at_high = compute(hi_p).practical_crossover["mid"]
        shift = [abs(x - base) for x in (at_low, at_high) if x is not None and base is not None]
        out.append({"parameter": f"component {comp.name}: {lo_opt.name} / {hi_opt.name}", "unit": "kW at the device's qubits (whole option)",
                    "low": lo_p.power(q).total_w / 1e3, "mid": preset.power(q).total_w / 1e3, "high": hi_p.power(q).total_w / 1e3,
                    "crossover_at_low": at_low, "crossover_mid": base, "crossover_at_high": at_high,
                    "max_shift": max(shift) if shift else None})
    for name, prm in preset.parameters.items():
        if prm.low == prm.high or name in grouped:
            continue
        at_low = compute(preset.with_values(**{name: prm.low})).practical_crossover["mid"]
        at_high = compute(preset.with_values(**{name: prm.high})).practical_crossover["mid"]
        shift = [abs(x - base) for x in (at_low, at_high) if x is not None and base is not None]
        out.append({"parameter": name, "unit": prm.unit, "low": prm.low, "mid": prm.value, "high": prm.high,
                    "crossover_at_low": at_low, "crossover_mid": base, "crossover_at_high": at_high,
                    "max_shift": max(shift) if shift else None})
    ns = [r.n for r in result.rows]
    for m in result.machines:
        at = first_lasting_n(ns, [r.quantum_j["mid"] is not None and r.quantum_j["mid"] <= m.j_per_query * r.classical_queries
                                  for r in result.rows])
        out.append({"parameter": f"classical machine: {m.name}", "unit": "J/query", "low": m.j_per_query, "mid": m.j_per_query,
                    "high": m.j_per_query, "crossover_at_low": at, "crossover_mid": at, "crossover_at_high": at,
                    "max_shift": abs(at - base) if at is not None and base is not None else None})
    out.sort(key=lambda d: -(d["max_shift"] if isinstance(d["max_shift"], int) else math.inf))
    return out


# --- a real run placed on the plot -----------------------------------------------------------------------

@dataclass(frozen=True)
class QPURunRecord:
    """What a ledger says of a QPU run: its size, jobs and QPU energy in its one basis."""

    path: str
    n: int
    jobs: int
    qpu_j: float
    basis: str


@dataclass(frozen=True)
class LedgerRun:
    """A QPU run read from a ledger: its size, QPU energy and what it demonstrates."""

    path: str
    n: int
    jobs: int
    qpu_j: float
    basis: str
    success: float
    classical_j: dict[str, float]
    margin: dict[str, float]
    statement: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "n": self.n, "jobs": self.jobs, "qpu_j": self.qpu_j, "qpu_basis": self.basis, "success": self.success,
                "classical_j": self.classical_j, "margin": self.margin, "statement": self.statement}


def read_ledger_run(path: Path, run: int | None = None) -> QPURunRecord:
    """The QPU run in a ledger file (its ``qpu`` account): n, jobs and the QPU energy in its one basis.

    ``run``: the ledger's run index to read (needed when several runs hold QPU jobs). n comes from
    that run's ``simon`` note, else the ``--n`` of that run's command line, and must lie in
    2..`MAX_ADVANTAGE_N`. Bases are never added: the energy is that of the one basis holding
    joules (``estimated`` for qenergy's own job charges). Raises [`InputError`][InputError] for a ledger
    without QPU job charges, several QPU runs and no ``run``, a ``run`` without QPU jobs, an n not
    recorded or out of range, QPU joules on more than one basis, or no QPU joules at all (failed or
    cancelled jobs charge nothing: such a run cannot be placed).
    """
    from qenergy.errors import shorten

    where = f"--from-ledger {shorten(str(path))!r}"
    ledger = Ledger.load(path)
    with_jobs = sorted({c.run for c in ledger.charges if c.account == "qpu" and c.resource == "qpu_job"})
    if not with_jobs:
        raise InputError(f"{where} holds no QPU job charges (account qpu, resource qpu_job); "
                         "allowed: a ledger written by `qenergy simon --backend fake:NAME|ibm:NAME --ledger PATH`")
    if run is None:
        if len(with_jobs) > 1:
            raise InputError(f"{where} holds {len(with_jobs)} QPU runs (runs {', '.join(map(str, with_jobs))}); "
                             "allowed: --run K naming one of them")
        run = with_jobs[0]
    elif run not in with_jobs:
        raise InputError(f"--run {run} is not allowed for {where}; allowed: {', '.join(map(str, with_jobs))} (its runs with QPU jobs)")
    jobs = ledger.counts("qpu", "qpu_job", run=run)
    n: object = None
    for note in ledger.notes:
        if note.run == run and isinstance(note.data, dict) and "n" in note.data:
            n = note.data["n"]
    if n is None:
        words = str(ledger.runs[run].command).split()
        for i, w in enumerate(words[:-1]):
            if w == "--n" and words[i + 1].isdigit():
                n = int(words[i + 1])
        for w in words:
            if w.startswith("--n=") and w[4:].isdigit():
                n = int(w[4:])
    if n is None:
        raise InputError(f"{where}: the run's n is not recorded (no simon note, no --n in its command); "
                         "allowed: a ledger written by `qenergy simon --n N --backend fake:NAME|ibm:NAME --ledger PATH`")
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_ADVANTAGE_N:
        raise InputError(f"{where}: the run's n = {shorten(repr(n))} is not allowed; allowed: 2 <= n <= {MAX_ADVANTAGE_N}")
    # one QPU run: every qpu joule of the ledger is about it (a meter reading appended later included); several: its own
    scope = None if len(with_jobs) == 1 else run
    holding = {b: j for b, j in ledger.totals_j(run=scope).get("qpu", {}).items() if j > 0}
    if len(holding) > 1:
        raise InputError(f"{where}: its QPU energy is on several bases ({', '.join(sorted(holding))}), which are "
                         "never added; allowed: a ledger whose qpu account holds joules on one basis")
    if not holding:
        raise InputError(f"{where}: run {run}'s {jobs} QPU job(s) charged no energy (failed or cancelled jobs charge nothing), "
                         "so the run cannot be compared; allowed: a run whose jobs completed")
    basis, qpu_j = next(iter(holding.items()))
    if not math.isfinite(qpu_j):
        raise InputError(f"{where}: run {run}'s QPU energy is not finite; allowed: a finite energy")
    return QPURunRecord(str(path), int(n), jobs, float(qpu_j), basis)


def place_ledger_run(run: QPURunRecord, result: AdvantageResult) -> LedgerRun:
    """The run against the classical energy at its n and the command's success probability."""
    n, jobs, qpu_j, basis = run.n, run.jobs, run.qpu_j, run.basis
    queries = collision_queries(n, result.success, kappa=result.fit.law_kappa)
    classical: dict[str, float] = {s: m.j_per_query * queries for s, m in zip(SCENARIOS, result.machines, strict=True)}
    margin: dict[str, float] = {s: classical[s] / qpu_j if qpu_j > 0 else math.inf for s in SCENARIOS}
    best = max(margin.values())
    verdict = ("the QPU spent less energy than even the most efficient classical machine considered would need" if margin["low"] > 1 else
               "the QPU spent more energy than even the least efficient classical machine considered would need" if best < 1 else
               "the QPU spent less than some classical machines would need and more than others")
    statement = (f"n = {n}: the QPU run spent {qpu_j:.3g} J ({basis}, {jobs} job(s)); a classical {result.algorithm} search "
                 f"succeeding with probability {result.success:.3g} needs {queries:.3g} queries, {classical['low']:.3g}-"
                 f"{classical['high']:.3g} J; margin classical/quantum {margin['low']:.3g}-{margin['high']:.3g}: {verdict}. "
                 "The run demonstrates a practical energy advantage only where the margin exceeds 1 at the lowest classical figure.")
    return LedgerRun(run.path, n, jobs, qpu_j, basis, result.success, classical, margin, statement)


# --- outputs -------------------------------------------------------------------------------------------

def _ours(path: Path) -> bool:
    """Whether an existing output file was written by ``qenergy advantage``."""
    from qenergy.files import read_regular

    try:  # never blocks: a FIFO, device or socket is not ours (read_regular refuses it at once)
        if path.name == "report.md":
            return read_regular(path, limit=4096).split(b"\n", 1)[0].rstrip(b"\r") == REPORT_TITLE.encode()
        if path.name == "advantage.csv":
            return read_regular(path, limit=4096).split(b"\n", 1)[0].rstrip(b"\r") == ",".join(CSV_COLUMNS).encode()
        if path.name == "advantage.png":
            from qenergy.app.plots import png_software

            return png_software(path) == ADVANTAGE_SOFTWARE
    except (OSError, ValueError):
        return False
    return False


def check_out_dir(out: Path, *, force: bool, inputs: Sequence[Path] = ()) -> dict[str, Path]:
    """The three output paths in ``out``, checked before anything is written.

    ``out`` may be missing (it is created) or a directory; an existing output file is
    replaced only when ``qenergy advantage`` wrote it, or with ``force``; an input is never
    an output. Raises [`InputError`][InputError] otherwise.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {str(out)!r} is not a directory; allowed: a new or existing directory")
    if not out.exists() and not out.parent.is_dir():
        raise InputError(f"--out {str(out)!r}: its parent directory does not exist; allowed: a path in an existing directory")
    paths = {"report": out / "report.md", "csv": out / "advantage.csv", "plot": out / "advantage.png"}
    for p in paths.values():
        if p.exists() and not force and not _ours(p):
            raise InputError(f"--out: {str(p)!r} exists and was not written by qenergy advantage; allowed: another directory, or --force")
    if out.is_dir():
        check_output_paths([(f"--out {k}", p) for k, p in paths.items()], force=True, inputs=inputs)
    return paths


def write_outputs(result: AdvantageResult, paths: dict[str, Path], sensitivity_rows: list[dict[str, Any]], command: str,
                  requirements: dict[str, Any] | None = None, *, force: bool = False) -> None:
    """Write ``report.md``, ``advantage.csv`` and ``advantage.png`` (each whole; the directory is created if missing).

    Ownership is checked again at write time: a file that appeared in the directory while the command
    ran, or was replaced by someone else's, is never written over (unless ``force``); a name still free
    is taken exclusively (`qenergy.ledger.export.write_atomic` without ``replace``). Raises
    [`InputError`][InputError] then, before any of the three is written when it can be seen in advance.
    """
    paths["report"].parent.mkdir(parents=True, exist_ok=True)
    replace = {}
    for key, p in paths.items():
        exists = os.path.lexists(p)
        if exists and not force and not _ours(p):
            raise InputError(f"--out: {str(p)!r} appeared or changed while qenergy advantage ran and was not written by it; "
                             "refusing to replace it (allowed: another directory, or --force)")
        replace[key] = exists
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in result.rows:
        w.writerow([r.n, 2 * r.n, _num(r.shots), _num(r.noise.multiplier), repr(r.duration_s), repr(r.classical_queries),
                    repr(r.bound.quantum_upper_j), r.bound.classical_lower.csv(),
                    *(_num(r.quantum_j[s]) for s in SCENARIOS), *(repr(r.classical_j[s]) for s in SCENARIOS)])
    write_atomic(paths["csv"], buf.getvalue().encode(), replace=replace["csv"])
    plot_practical(paths["plot"], result, software=ADVANTAGE_SOFTWARE, replace=replace["plot"])
    write_atomic(paths["report"], report_markdown(result, sensitivity_rows, redact(command), requirements).encode(), replace=replace["report"])


def plot_practical(path: str | Path, result: AdvantageResult, *, software: str, replace: bool = True) -> Path:
    """Energy (J, log axis) against n: practical quantum and classical bands (low–high, mid line), both bounds
    (dashed), the crossovers (vertical lines) and, when present, the run read from a ledger (a star).

    Readable without the report: the title names the QPU preset, the classical machines and the success
    probability; the legend names every line. Written whole (`qenergy.ledger.export.write_atomic`).
    """
    fig, ax = figure(figsize=(11, 5.5), dpi=120)
    fig.subplots_adjust(right=0.68)
    ns = np.array([r.n for r in result.rows])

    def col(get: object) -> np.ndarray:
        return np.array([np.nan if v is None or not v > 0 else v for v in (get(r) for r in result.rows)], dtype=float)  # type: ignore[operator]

    for side, color, getter in (("QPU (practical, estimated)", "tab:blue", lambda r, s: r.quantum_j[s]),
                                ("classical (practical)", "tab:red", lambda r, s: r.classical_j[s])):
        lo, mid, hi = (col(lambda r, s=s: getter(r, s)) for s in SCENARIOS)
        ax.fill_between(ns, lo, hi, color=color, alpha=0.2, lw=0)
        ax.plot(ns, mid, "-", color=color, lw=2, label=f"{side}: mid, band low–high")
    ax.plot(ns, col(lambda r: r.bound.quantum_upper_j), "--", color="tab:blue", lw=1.2, label="quantum upper bound (Landauer scale)")
    ax.plot(ns, col(lambda r: r.bound.classical_lower_j), "--", color="tab:red", lw=1.2, label="classical lower bound (Landauer scale)")
    marks = [("theoretical crossover", result.theoretical_crossover, "k", ":")]
    marks += [(f"practical crossover ({k})", v, "tab:purple", ls) for (k, v), ls in zip(result.practical_crossover.items(), ("-.", "--", ":"))]
    for label, n, color, ls in marks:
        if n is not None:
            ax.axvline(n, color=color, ls=ls, lw=1, label=f"{label}: n = {n}")
    if all(v is None for v in result.practical_crossover.values()):
        ax.plot([], [], " ", label="no practical crossover in range")
    run = result.ledger_run
    if run is not None and run.qpu_j > 0:
        ax.scatter([run.n], [run.qpu_j], marker="*", s=160, color="tab:green", zorder=5, label=f"QPU run from ledger (n = {run.n})")
    ax.set_yscale("log")
    integer_axis(ax)
    ax.set_xlabel("problem size n (bits)")
    ax.set_ylabel("energy per solved instance (J)")
    ax.set_title(f"Simon's problem: QPU preset {result.preset.name} vs classical {result.algorithm} "
                 f"(success {result.success:.3g}, noise {result.noise.describe()})", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return write_atomic(Path(path), render_png(fig, software=software), replace=replace)


def _num(x: float | None) -> str:
    return "" if x is None else repr(float(x))


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def report_markdown(result: AdvantageResult, sensitivity_rows: list[dict[str, Any]], command: str,
                    requirements: dict[str, Any] | None = None) -> str:
    """The Markdown report: question, crossovers, parameters with sources, classical measurement, sensitivity, rows."""
    pre, fit = result.preset, result.fit
    this = fit.machine_entry()
    lines = [REPORT_TITLE, "", f"`{command}`", "",
             "Practical: wall-plug energy of the QPU preset (basis estimated) against the classical machines "
             f"(this machine: basis {this.basis}); theoretical: the Landauer-scale bounds of `qenergy bounds` "
             "(quantum upper bound, classical lower bound). Bases are never added together.", "",
             "![Energy against n](advantage.png)", "",
             "*Figure: both practical bands (quantum blue, classical red; line = mid, band = low to high) and both bounds "
             "(dashed) against n; vertical lines mark the crossovers. Look for where the blue band drops below the red one.*", "",
             "## Crossovers", "",
             f"- theoretical (bounds): {result.crossover_text('theoretical')}",
             f"- practical, low (optimistic for the QPU): {result.crossover_text('low')}",
             f"- practical, mid: {result.crossover_text('mid')}",
             f"- practical, high (pessimistic for the QPU): {result.crossover_text('high')}", "",
             f"Success probability {result.success:.4g}; noise {result.noise.describe()}"
             + ("; QPU shots measured on the twin (see Noise)" if result.scan is not None else
                " (shots multiplier: analytic model estimate, see below)" if not result.noise.is_ideal else "")
             + f"; utilisation {pre.utilisation():g} (low/high {pre.utilisation('low'):g}/{pre.utilisation('high'):g}).", "",
             f"## QPU preset: {pre.name}", "", pre.title + ". " + pre.note, "",
             "| parameter | value | low | high | unit | how known | source |", "|---|---|---|---|---|---|---|"]
    for prm in pre.parameters.values():
        lines.append(f"| {prm.name} | {prm.value:g} | {prm.low:g} | {prm.high:g} | {prm.unit} | {prm.how} | {prm.source} |")
    spec = pre.specific_power_4k()
    lines += ["", f"Power at {int(pre.value('device_qubits'))} qubits: " + ", ".join(
        f"{s} {pre.power(int(pre.value('device_qubits', s)), s).total_w / 1e3:.3g} kW" for s in SCENARIOS) + " (including PUE)."
        + (f" Implied cryogenic efficiency at 4 K: {spec:,.0f} W of electricity per W of cooling." if spec else ""), "",
        f"Circuit timing: linear-oracle Simon circuits routed onto {result.timing.device} at n = "
        f"{', '.join(str(p[0]) for p in result.timing.points)}; durations {', '.join(f'{p[1] * 1e6:.3g}' for p in result.timing.points)} µs; "
        "a quadratic fit beyond.", "",
        "## Classical machines", "", "| machine | J per query | basis | source |", "|---|---|---|---|"]
    for m in result.machines:
        lines.append(f"| {m.name} | {m.j_per_query:.3g} | {m.basis} | {m.source} |")
    lines += ["", f"Measured points ({fit.algorithm}; n, queries, J, s): "
              + "; ".join(f"{n}, {q:,}, {j:.3g}, {s:.2f}" for n, q, j, s in fit.points)
              + f". {'Cached' if result.fit_cached else 'Measured in this run'} ({fit.date}). Queries to succeed with probability P: "
              f"{fit.law_kappa:.4g}·2^(n/2)·sqrt(4 ln(1/(1−P))/π) ("
              + ("κ = sqrt(π/2), exact for birthday search" if fit.algorithm == "birthday" else
                 "κ measured over the runs; a Rayleigh-distributed query count assumed") + f"; κ measured here: {fit.kappa:.3g}).", ""]
    lines += ["### This machine by kernel", "",
              f"The comparison uses the {fit.kernel} kernel, the fastest installed. Each kernel is measured with the same meter on "
              "random oracles at its own sizes (the compiled one at larger n, for run times the meter resolves); ratios are against "
              "the kernel used. The last column is the first n from which the QPU's mid figure stays below this machine alone "
              "on that kernel (the same queries at every n).", "",
              "| kernel | used | J per query | basis | queries/s (wall) | J/query ÷ used | queries/s ÷ used | sizes n | measured "
              "| QPU (mid) below this machine from |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in result.kernel_table():
        ratio = row["queries_per_s_over_used"]
        cross = (result.kernel_crossovers or {}).get(row["kernel"])
        lines.append(f"| {row['kernel']} | {'yes' if row['used'] else 'no'} | {row['j_per_query']:.3g} | {row['basis']} | "
                     f"{row['queries_per_s'] / 1e6:.3g} M | {row['j_per_query_over_used']:.3g} | {'-' if ratio is None else format(ratio, '.3g')} "
                     f"| {', '.join(map(str, row['sizes']))} | {row['date']} | {'-' if cross is None else cross.text()} |")
    note = kernel_note(fit.kernel)
    lines += ["", note + ".", ""] if note else [""]
    if not result.noise.is_ideal:
        lines += ["## Noise", ""]
        if result.scan is not None:
            sc = result.scan
            lines += [f"Measured: the noisy solver on the stim twin ({sc.spec}), {sc.seeds} runs per n; {sc.stopped}.", "",
                      f"| n | runs | solved | wrong | shots median | shots at P = {result.success:.3g} (measured) | model shots (estimate) | "
                      "model ÷ measured |", "|---|---|---|---|---|---|---|---|"]
            mvm = {m["n"]: m for m in result.model_vs_measured()}
            for pt in sc.points:
                mm = mvm.get(pt.n, {})
                lines.append(f"| {pt.n} | {pt.seeds} | {pt.solved} | {pt.wrong} | {_fmt(pt.shots_median)} | "
                             f"{_fmt(pt.shots_quantile(result.success))} | {_fmt(mm.get('model_shots'))} | {_fmt(mm.get('ratio_model_over_measured'))} |")
            f = result.shots_fit
            lines += ["", "Beyond the scanned sizes: " + ("no fit (fewer than two sizes reached success P)." if f is None else
                      f"ln(shots/n) = {f.a:.3g} + {f.b:.3g}·n (an estimate), with a 90 % band that widens with the distance "
                      "extrapolated; no figure past a size where success P was not reached."), ""]
        lines += ["Model (an estimate, not a bound): a shot is clean with probability F (no error on any gate or readout, from the "
                  "spec or the device's median calibration); a corrupted shot is assumed uniformly random, so η = (1 − F)/2; the model's "
                  "shots are (n + log2(P/(1−P))) / (1 − H2(η)). Decoding work for noisy samples is not included.", ""]
    if sensitivity_rows:
        lines += ["## Sensitivity of the mid practical crossover", "",
                  "| parameter | low → crossover | mid → crossover | high → crossover |", "|---|---|---|---|"]
        for srow in sensitivity_rows:
            lines.append(f"| {srow['parameter']} | {srow['low']:g} → {cross_text(srow['crossover_at_low'])} | {srow['mid']:g} → "
                         f"{cross_text(srow['crossover_mid'])} | {srow['high']:g} → {cross_text(srow['crossover_at_high'])} |")
        lines.append("")
    if result.ledger_run is not None:
        lines += ["## The run from the ledger", "", result.ledger_run.statement, ""]
    if requirements is not None:
        lines += [f"## What the device must reach (mid crossover at n <= {requirements['target_n']})", "",
                  "| error scale | mid crossover | monotone | scanned n | scan stopped |", "|---|---|---|---|---|"]
        for st in requirements["scan"]:
            ns_ = st["scanned_n"]
            lines.append(f"| {st['scale']:g} | {_fmt(st['crossover_mid'])} | {_fmt(st['crossover_mid_monotone'])} | "
                         f"{f'{ns_[0]}…{ns_[-1]}' if ns_ else '–'} | {st['scan_stopped']} |")
        u = requirements["device_units"]
        lines += ["", "Largest scale: " + ("none of the scales tried." if u is None else
                  f"{u['scale']:g}: median two-qubit error {u['two_qubit_error_median']:.3g} (today {u['today']['two_qubit_error_median']:.3g}), "
                  f"median readout error {u['readout_error_median']:.3g} (today {u['today']['readout_error_median']:.3g}), median T1 "
                  f"{_fmt(u['t1_median_s'])} s, T2 {_fmt(u['t2_median_s'])} s (None: an ideal device)."),
                  "", requirements["beyond_device"] + ".", "",
                  "With today's noise: " + ("no QPU power suffices." if requirements["qpu_power_w_max_today"] is None else
                                            f"a QPU drawing at most {requirements['qpu_power_w_max_today']:.3g} W would cross by then."), ""]
    lines += ["## Rows", "", "| n | shots | quantum J (low / mid / high) | classical J (low / mid / high) | quantum upper bound J | "
              "classical lower bound J |", "|---|---|---|---|---|---|"]
    for r in result.rows:
        lines.append(f"| {r.n} | {_fmt(r.shots)} | {' / '.join(_fmt(r.quantum_j[s]) for s in SCENARIOS)} | "
                     f"{' / '.join(_fmt(r.classical_j[s]) for s in SCENARIOS)} | {r.bound.quantum_upper_j:.3g} | {r.bound.classical_lower.text()} |")
    return "\n".join(lines) + "\n"


def cross_text(n: int | None) -> str:
    """``n = 12`` or ``none in this range``."""
    return "none in this range" if n is None else f"n = {n}"


def advantage_note(result: AdvantageResult) -> dict[str, Any]:
    """What ``qenergy advantage --ledger`` records: ``{"advantage": {...}}`` (strict JSON, non-finite numbers as None).

    The QPU preset, noise, success, classical algorithm and machine, both crossovers and, per n,
    the practical energies (low/mid/high, basis ``estimated`` for the QPU) beside both bounds
    (the classical one also as log10, for sizes beyond the float range).
    """
    from qenergy.app.experiment import json_safe

    rows = [{"n": r.n, "quantum_j": dict(r.quantum_j), "classical_j": dict(r.classical_j), "quantum_upper_j": r.bound.quantum_upper_j,
             **r.bound.classical_lower.fields("classical_lower_j")} for r in result.rows]
    this = result.fit.machine_entry()
    data = {"preset": result.preset.name, "title": result.preset.title, "noise": result.noise.describe(), "success": result.success,
            "algorithm": result.algorithm, "classical_j_per_query": this.j_per_query, "classical_basis": this.basis,
            "theoretical_crossover": result.theoretical_crossover, "practical_crossover": dict(result.practical_crossover),
            "quantum_model": result.quantum_model, "classical_model": result.classical_model, "temperature_k": result.temperature_k,
            "from_ledger": result.ledger_run.statement if result.ledger_run is not None else None, "rows": rows}
    return {"advantage": json_safe(data)}
