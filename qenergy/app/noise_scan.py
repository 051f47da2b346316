"""The noise scan: the real noisy solver on the stim twin over a ladder of n, cached; and a device's own units.

For a noise spec (``depolarize:P``, ``readout:P``, ``device:fake:NAME`` with its modifiers),
`run_noise_scan` solves ``seeds`` seeded linear-oracle Simon instances at each n of a
ladder (default every 4 bits from 8) exactly as ``qenergy simon --backend stim --noise SPEC``
does ([qenergy.app.experiment.plan_simon][] and [`run_planned`][qenergy.app.experiment.run_planned]:
the robust strategy, the solver's default shot budget 20·n + 100) and records every run
([qenergy.hardware.noise_fit.RunOutcome][]). The ladder stops

* when more than half of the runs at an n end ``unresolved`` (that n is recorded, and the
  remaining seeds there are not run: the outcome is settled);
* when the time budget is spent (checked before each run; an n left part-done is recorded from
  the runs made, so a failure there still stops the extrapolation, but it is not cached);
* at the largest n asked for, or at the device twin's size (2n qubits ≤ the device's).

Each completed n is cached ([qenergy.hardware.classical_machine.MeasurementCache][], which never
replaces a foreign file and writes atomically) under a key holding the spec, the secret
weight, the seeds and the solver's version (a hash of the solver's and the twin's source
files), so a repeated command reruns nothing and an interrupted scan resumes.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qenergy.errors import InputError
from qenergy.hardware.classical_machine import MeasurementCache
from qenergy.hardware.noise import NoiseSpec
from qenergy.hardware.noise_fit import RunOutcome, ScanPoint, ShotsFit, fit_shots
from qenergy.ledger.book import Ledger

__all__ = ["DEFAULT_SCAN_SECONDS", "DEFAULT_SCAN_SEEDS", "NoiseScan", "device_units", "run_noise_scan", "scan_ladder", "solver_version"]

#: Runs per n of a scan.
DEFAULT_SCAN_SEEDS = 16
#: Wall-clock budget of the fresh (uncached) runs of one scan, seconds.
DEFAULT_SCAN_SECONDS = 300.0
#: First n and step of the ladder.
SCAN_START = 8
SCAN_STEP = 4


@dataclass(frozen=True)
class NoiseScan:
    """A scan's points and why it stopped.

    Attributes:
        spec: the noise spec scanned (canonical text).
        secret_weight: Hamming weight of the secrets (None: uniformly random secrets).
        seeds: runs asked per n.
        points: the completed n, ascending.
        stopped: why the ladder ended (one sentence).
        device_qubits: qubits of the device twin (None without a device).
        fresh_seconds: wall-clock seconds of the runs made by this call (0 when every point was cached).
        cached_points: points read from the cache.
        solver_version: [`solver_version`][solver_version] at the time of the scan.
    """

    spec: str
    secret_weight: int | None
    seeds: int
    points: tuple[ScanPoint, ...]
    stopped: str
    device_qubits: int | None
    fresh_seconds: float
    cached_points: int
    solver_version: str

    def fit(self, success: float) -> ShotsFit | None:
        """[qenergy.hardware.noise_fit.fit_shots][] over the points."""
        return fit_shots(self.points, success)

    def point(self, n: int) -> ScanPoint | None:
        return next((p for p in self.points if p.n == n), None)

    @property
    def last_n(self) -> int | None:
        return self.points[-1].n if self.points else None

    def first_unreached(self, success: float) -> int | None:
        """The smallest scanned n at which success P was not reached (None when reached at every n)."""
        return next((p.n for p in self.points if p.shots_quantile(success) is None), None)

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "secret_weight": self.secret_weight, "seeds": self.seeds, "stopped": self.stopped,
                "device_qubits": self.device_qubits, "fresh_seconds": round(self.fresh_seconds, 3), "cached_points": self.cached_points,
                "solver_version": self.solver_version,
                "method": "qenergy simon --backend stim --noise SPEC (robust strategy, default shot budget 20n+100) on linear-oracle "
                          "instances, seeds n*1000+i"}


def scan_ladder(n_max: int, *, start: int = SCAN_START, step: int = SCAN_STEP, device_qubits: int | None = None) -> list[int]:
    """The n of a scan: start, start + step, … up to ``n_max`` and, on a twin, 2n ≤ its qubits."""
    top = n_max if device_qubits is None else min(n_max, device_qubits // 2)
    return list(range(start, top + 1, step))


def solver_version() -> str:
    """A short hash of the source of the noisy solver, the twin and the Simon runner (a cache key: any change reruns the scans)."""
    import qenergy.circuits.noise
    import qenergy.circuits.noisy_solver
    import qenergy.circuits.simon

    h = hashlib.sha256()
    for mod in (qenergy.circuits.noisy_solver, qenergy.circuits.noise, qenergy.circuits.simon):
        h.update(Path(str(mod.__file__)).read_bytes())
    return h.hexdigest()[:12]


def _run_one(n: int, seed: int, spec: str, secret_weight: int | None) -> RunOutcome:
    from qenergy.app.experiment import plan_simon, run_planned

    t0 = time.perf_counter()
    extra: dict[str, Any] = {} if secret_weight is None else {"secret_weight": secret_weight}
    plan = plan_simon(n, oracle="linear", backend="stim", algorithm=None, seed=seed, noise=spec, **extra)
    run = run_planned(plan, Ledger())
    q = run.quantum
    assert q is not None
    return RunOutcome(seed, q.status, q.status == "solved" and q.found == run.secret, int(q.shots), int(q.confirmation_queries),
                      time.perf_counter() - t0)


def _key(spec: str, secret_weight: int | None, seeds: int, version: str, n: int) -> str:
    return f"noise-scan|{spec}|weight {secret_weight}|seeds {seeds}|solver {version}|n {n}"


def run_noise_scan(noise: NoiseSpec, *, n_max: int, seeds: int = DEFAULT_SCAN_SEEDS, secret_weight: int | None = None,
                   time_budget_s: float = DEFAULT_SCAN_SECONDS, cache: MeasurementCache | None = None,
                   progress: Callable[[str], None] | None = None, ladder: Sequence[int] | None = None) -> NoiseScan:
    """Scan ``noise`` (see the module docstring). ``ladder`` replaces the default n (each still capped by the twin's size).

    Raises [`InputError`][InputError] for an ideal spec, seeds < 1 or a negative budget; an unknown device fails
    (naming the fake devices) before any run.
    """
    if noise.is_ideal:
        raise InputError("a noise scan of the ideal spec 'none' is not allowed; allowed: a noise spec (depolarize:P, readout:P, device:fake:NAME)")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError(f"--seeds {seeds!r} is not allowed; allowed: an integer >= 1")
    if not (isinstance(time_budget_s, (int, float)) and time_budget_s >= 0 and math.isfinite(time_budget_s)):
        raise InputError(f"--scan-seconds {time_budget_s!r} is not allowed; allowed: a number of seconds >= 0")
    device_qubits = None
    if noise.device is not None:
        from qenergy.circuits.noise import device_calibration

        device_qubits = device_calibration(noise.device).num_qubits
    spec = noise.describe()
    version = solver_version()
    ns = [n for n in (ladder if ladder is not None else scan_ladder(n_max, device_qubits=device_qubits))
          if device_qubits is None or 2 * n <= device_qubits]
    points: list[ScanPoint] = []
    fresh = 0.0
    cached = 0
    stopped = (f"reached n = {ns[-1]}, " + ("the twin's size (2n qubits)" if device_qubits is not None and ns[-1] + SCAN_STEP > device_qubits // 2
                                              else "the largest n asked for")) if ns else "no n to scan"
    for n in ns:
        key = _key(spec, secret_weight, seeds, version, n)
        entry = cache.load_entry(key) if cache is not None else None
        runs: list[RunOutcome] = []
        if entry is not None:
            try:
                runs = [RunOutcome.from_list(v) for v in entry["runs"]]
                cached += 1
            except (KeyError, TypeError, ValueError, IndexError):
                runs = []
        if not runs:
            out_of_time = False
            for i in range(seeds):
                if fresh >= time_budget_s:
                    out_of_time = True
                    break
                if progress is not None:
                    progress(f"noise scan {spec}: n = {n}, run {i + 1}/{seeds}")
                r = _run_one(n, n * 1000 + i, spec, secret_weight)
                fresh += r.seconds
                runs.append(r)
                if sum(1 for x in runs if x.status != "solved") * 2 > seeds:
                    break  # more than half unresolved whatever the remaining seeds do
            if out_of_time:
                stopped = (f"time budget of {time_budget_s:g} s spent during n = {n} (recorded from {len(runs)} of {seeds} runs, "
                           "not cached)") if runs else f"time budget of {time_budget_s:g} s spent before n = {n}"
                if runs:
                    points.append(ScanPoint(n, tuple(runs)))
                break
            if cache is not None:
                try:
                    cache.store_entry(key, {"runs": [r.to_list() for r in runs]})
                except OSError:  # a read-only or foreign cache file costs a rerun next time, nothing else
                    pass
        point = ScanPoint(n, tuple(runs))
        points.append(point)
        if point.unresolved * 2 > seeds:
            stopped = f"more than half of the runs at n = {n} ended unresolved ({point.unresolved} of {point.seeds} run)"
            break
    return NoiseScan(spec, secret_weight, seeds, tuple(points), stopped, device_qubits, fresh, cached, version)


def device_units(device: str, scale: float) -> dict[str, Any]:
    """What ``scale:X`` means on ``fake:NAME`` in the device's own units: median two-qubit gate error and median
    readout error × X, median T1 and T2 ÷ X (seconds; None for X = 0, an ideal device), from the twin's calibration
    ([qenergy.circuits.noise.DeviceCalibration.summary][], the one implementation)."""
    import math

    from qenergy.circuits.noise import device_calibration

    cal = device_calibration(device)

    def units(x: float) -> dict[str, Any]:
        s = cal.summary(x)
        return {"two_qubit_error_median": s.median_two_qubit_error, "readout_error_median": s.median_readout_error,
                "t1_median_s": s.median_t1_s if math.isfinite(s.median_t1_s) else None,
                "t2_median_s": s.median_t2_s if math.isfinite(s.median_t2_s) else None}

    return {"device": device, "scale": scale, **units(scale), "today": units(1.0)}
