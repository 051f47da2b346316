"""Energy of a classical machine per oracle query: measured here, fitted, cached, extrapolated; and presets.

A classical collision search on n bits makes, to succeed with probability P,

    Q_P(n) = κ · 2^(n/2) · sqrt(4 ln(1/(1−P)) / π)

queries: its query count is (asymptotically) Rayleigh-distributed, P(Q > k) = exp(−k²/(2σ²)),
with mean κ·2^(n/2) = σ·sqrt(π/2), and the P-quantile is the mean times the factor above.
Birthday search has κ = sqrt(π/2) ≈ 1.2533 (module `qenergy.classical.birthday`), so
Q_P = sqrt(2 ln(1/(1−P))) · 2^(n/2); for other algorithms κ is measured (mean queries ÷ 2^(n/2)
over the calibration runs) and the Rayleigh shape is an assumption.

Joules per query come from measuring the algorithm on this machine (RAPL where readable,
the per-process CPU-time estimate otherwise; the basis says which), over several sizes that
finish in about a second, fitted as ``E = fixed_j + j_per_query · Q`` by least squares
([`fit_energy`][fit_energy]). The fit is cached per machine and algorithm in the user's cache
directory with its date ([`MeasurementCache`][MeasurementCache]); a cached fit older than
`CACHE_MAX_AGE_DAYS` is measured again.

Presets for better classical hardware (`CLASSICAL_PRESETS`) take one oracle query as
one SHA-256-class hash (an assumption: our oracle is a 64-bit keyed mixing function, cheaper
than SHA-256 on a CPU, so the presets are if anything pessimistic for dedicated hardware):

* ``gpu-rtx4090``: 450 W ÷ 21.98 GH/s (hashcat mode 1400) = 2.05e-8 J/query [relayed benchmark, derived];
* ``asic-antminer-s21``: 17.5 J/TH = 1.75e-11 J/query [vendor figure, relayed]; a fixed-function
  Bitcoin ASIC cannot evaluate another function, so this is the optimistic floor.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import math
import os
import platform
import stat
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qenergy.errors import InputError

__all__ = [
    "CACHE_MAX_AGE_DAYS", "CLASSICAL_PRESETS", "ClassicalMachine", "EnergyFit", "MeasurementCache", "cache_dir",
    "collision_queries", "fit_energy", "rayleigh_quantile_factor",
]

#: A cached measurement older than this is taken again.
CACHE_MAX_AGE_DAYS = 30
#: The field by which qenergy recognises its own cache file (any other file at that path is never replaced).
CACHE_MARKER = "qenergy_cache"
#: Joules per query a measurement of a real CPU can give (a cached figure outside is re-measured):
#: 1e-15 J is below any CPU's energy for one 64-bit mixing function, 1e-3 J above a slow one's by far.
PLAUSIBLE_J_PER_QUERY = (1e-15, 1e-3)
#: κ of birthday search: mean queries = sqrt(π/2) · 2^(n/2).
BIRTHDAY_KAPPA = math.sqrt(math.pi / 2)


@dataclass(frozen=True)
class ClassicalMachine:
    """Joules per oracle query of one classical machine.

    Attributes:
        name: ``this-machine`` or a preset name.
        j_per_query: joules per query.
        basis: ``measured`` (RAPL/NVML), ``estimated`` (CPU-time estimate, or a preset's arithmetic).
        source: where the figure comes from.
    """

    name: str
    j_per_query: float
    basis: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Better classical hardware (see the module docstring for the sources and the assumption).
CLASSICAL_PRESETS: dict[str, ClassicalMachine] = {
    "gpu-rtx4090": ClassicalMachine(
        "gpu-rtx4090", 450.0 / 21.98e9, "estimated",
        "NVIDIA RTX 4090: 21.98 GH/s SHA-256 (hashcat v6.2.6 mode 1400, Chick3nman's published benchmark, relayed) at ~450 W "
        "board power (relayed); one query taken as one hash"),
    "asic-antminer-s21": ClassicalMachine(
        "asic-antminer-s21", 17.5e-12, "estimated",
        "Bitmain Antminer S21: 200 TH/s at 17.5 J/TH (vendor specification, relayed); one query taken as one SHA-256d hash; "
        "a fixed-function ASIC, so an optimistic floor"),
}


def rayleigh_quantile_factor(success: float) -> float:
    """Queries to succeed with probability ``success`` ÷ the mean, for a Rayleigh-distributed count: sqrt(4 ln(1/(1−P))/π)."""
    if not 0.0 < success < 1.0:
        raise InputError(f"success probability {success!r} is not allowed; allowed: 0 < P < 1")
    return math.sqrt(4.0 * -math.log1p(-success) / math.pi)


def collision_queries(n: int, success: float, kappa: float = BIRTHDAY_KAPPA) -> float:
    """Q_P(n) = κ·2^(n/2)·sqrt(4 ln(1/(1−P))/π): queries of a collision search to succeed with probability P (float)."""
    return kappa * 2.0 ** (n / 2) * rayleigh_quantile_factor(success)


@dataclass(frozen=True)
class EnergyFit:
    """``E = fixed_j + j_per_query · Q`` fitted to measured (queries, joules) points.

    Attributes:
        algorithm: the classical algorithm measured.
        j_per_query: slope, joules per query.
        fixed_j: intercept, joules per search (start-up).
        kappa: mean queries ÷ 2^(n/2) over the runs.
        basis: ``measured`` or ``estimated`` (the meter's basis).
        meter: the meter's description.
        points: (n, queries, joules, seconds) per run.
        date: ISO date of the measurement.
        machine: [`machine_fingerprint`][machine_fingerprint] of the machine measured.
        kernel: the kernel the algorithm ran on (``numba``: compiled, the fastest this machine has; ``numpy``).
    """

    algorithm: str
    j_per_query: float
    fixed_j: float
    kappa: float
    basis: str
    meter: str
    points: tuple[tuple[int, int, float, float], ...]
    date: str
    machine: str
    kernel: str = "numpy"

    @property
    def law_kappa(self) -> float:
        """κ of the query law: sqrt(π/2) exactly for birthday search, the measured mean for other algorithms."""
        return BIRTHDAY_KAPPA if self.algorithm == "birthday" else self.kappa

    def implausible(self) -> str | None:
        """Why this fit cannot be a measurement of this machine (a damaged or edited cache entry), or None.

        Checked: every figure finite; joules per query within `PLAUSIBLE_J_PER_QUERY`; the
        intercept >= 0; κ within 0.1..100; each point with n >= 1, queries >= 1, joules >= 0, seconds >= 0.
        """
        lo, hi = PLAUSIBLE_J_PER_QUERY
        numbers = [self.j_per_query, self.fixed_j, self.kappa] + [float(x) for p in self.points for x in p]
        if not all(math.isfinite(x) for x in numbers):
            return "a figure is not finite"
        if not lo <= self.j_per_query <= hi:
            return f"j_per_query {self.j_per_query:.3g} J is outside {lo:g}..{hi:g} J"
        if self.fixed_j < 0 or not 0.1 <= self.kappa <= 100:
            return f"fixed_j {self.fixed_j:.3g} J or kappa {self.kappa:.3g} is out of range"
        if len(self.points) < 2 or any(n < 1 or q < 1 or j < 0 or t < 0 for n, q, j, t in self.points):
            return "a measured point is out of range"
        return None

    @property
    def queries_per_s(self) -> float:
        """Queries per second of wall time over all the measured points."""
        return sum(p[1] for p in self.points) / max(1e-12, sum(p[3] for p in self.points))

    def predict_j(self, queries: float) -> float:
        """Joules of a search making ``queries`` queries (the fit; used to check it against the points)."""
        return self.fixed_j + self.j_per_query * queries

    def machine_entry(self) -> ClassicalMachine:
        """This machine as a [`ClassicalMachine`][ClassicalMachine]."""
        sizes = sorted({p[0] for p in self.points})
        return ClassicalMachine(
            "this-machine", self.j_per_query, self.basis,
            f"{self.algorithm} ({self.kernel} kernel) measured on this machine ({self.machine}) on {self.date}, n = {sizes[0]}..{sizes[-1]}, "
            f"{len(self.points)} runs, least-squares fit E = {self.fixed_j:.3g} J + {self.j_per_query:.3g} J x queries; meter: {self.meter}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["points"] = [list(p) for p in self.points]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EnergyFit:
        return cls(str(d["algorithm"]), float(d["j_per_query"]), float(d["fixed_j"]), float(d["kappa"]), str(d["basis"]),
                   str(d["meter"]), tuple((int(a), int(b), float(c), float(e)) for a, b, c, e in d["points"]), str(d["date"]),
                   str(d["machine"]), str(d.get("kernel", "numpy")))


def fit_energy(algorithm: str, points: Sequence[tuple[int, int, float, float]], *, basis: str, meter: str,
               date: str | None = None, machine: str | None = None, kernel: str = "numpy") -> EnergyFit:
    """Least-squares ``E = fixed_j + j_per_query·Q`` over (n, queries, joules, seconds) points.

    The intercept is kept non-negative (refitted through the origin when it comes out
    negative). Raises [`InputError`][InputError] with fewer than two distinct query counts or a
    non-positive slope (the measurement could not resolve the cost of a query).
    """
    if len({p[1] for p in points}) < 2:
        raise InputError(f"classical energy fit needs runs at two or more query counts; got {len(points)} run(s)")
    q = np.array([p[1] for p in points], dtype=float)
    e = np.array([p[2] for p in points], dtype=float)
    slope, intercept = np.polyfit(q, e, 1)
    if intercept < 0:
        slope, intercept = float(q @ e / (q @ q)), 0.0
    if not slope > 0:
        raise InputError(f"classical energy fit for {algorithm}: the measured energy does not grow with the queries "
                         f"(slope {slope:.3g} J/query); allowed: a meter that resolves the runs (use larger sizes)")
    kappa = float(np.mean([p[1] / 2.0 ** (p[0] / 2) for p in points]))
    return EnergyFit(algorithm, float(slope), float(intercept), kappa, basis, meter, tuple(tuple(p) for p in points),  # type: ignore[misc]
                     date or _dt.date.today().isoformat(), machine or machine_fingerprint(), kernel)


def machine_fingerprint() -> str:
    """A short description of this machine: CPU model, logical cores, OS, Python and numpy versions."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu or platform.machine()}, {os.cpu_count()} logical cores, {platform.system()}, Python {platform.python_version()}, numpy {np.__version__}"


def cache_dir() -> Path:
    """The user's cache directory for qenergy: ``$QENERGY_CACHE_DIR``, else ``$XDG_CACHE_HOME/qenergy``, else ``~/.cache/qenergy``."""
    if os.environ.get("QENERGY_CACHE_DIR"):
        return Path(os.environ["QENERGY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qenergy"


def _finite_json(value: Any) -> bool:
    """True when ``value`` is strict JSON (no nan or infinity anywhere in it)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class MeasurementCache:
    """Energy fits cached per machine and algorithm in one JSON file of the cache directory (and other
    deterministic results worth keeping between commands, such as routed circuit timings, by key)."""

    directory: Path
    #: Why cached entries were not used (damaged or implausible figures): one line each, for a notice.
    rejected: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def default(cls) -> MeasurementCache:
        return cls(cache_dir())

    @property
    def path(self) -> Path:
        return self.directory / "classical-energy.json"

    @staticmethod
    def key(algorithm: str, meter: str, kernel: str = "numpy") -> str:
        """The cache key of a fit: machine, algorithm, meter, and the kernel when it is not numpy (numpy fits keep their old keys)."""
        extra = "" if kernel == "numpy" else f"|{kernel}"
        return hashlib.sha256(f"{machine_fingerprint()}|{algorithm}|{meter}{extra}".encode()).hexdigest()[:16]

    def load_entry(self, key: str) -> dict[str, Any] | None:
        """A cached JSON object stored under ``key`` by [`store_entry`][store_entry] (None when absent or unreadable)."""
        entry = (self._entries() or {}).get(key)
        return entry if isinstance(entry, dict) else None

    def store_entry(self, key: str, entry: dict[str, Any]) -> Path:
        """Store a JSON object under ``key`` (the file is written whole, then renamed; other entries holding nan or
        infinity, which only a damaged file has, are dropped). Returns the file's path.

        Raises:
            OSError: the cache file exists and is not qenergy's (unreadable, or without the
                `CACHE_MARKER` field): it is left untouched and nothing is cached.
        """
        from qenergy.ledger.export import write_atomic

        self.directory.mkdir(parents=True, exist_ok=True)
        with self._locked():  # read-modify-write under one lock: concurrent writers keep every entry
            entries = self._entries()
            if entries is None:
                raise OSError(f"{self.path} exists and is not a qenergy cache; it is left untouched")
            entries = {k: v for k, v in entries.items() if _finite_json(v)}  # a damaged entry (nan, inf) is dropped, not kept
            entries[key] = entry
            return write_atomic(self.path, json.dumps({CACHE_MARKER: 1, **entries}, indent=1, allow_nan=False).encode("utf-8"),
                                replace=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """An exclusive ``flock`` on ``classical-energy.json.lock`` beside the cache (never blocks on a special file).

        Raises:
            OSError: the lock file is not a regular file or cannot be opened.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: unlocked
            yield
            return
        lock = self.directory / "classical-energy.json.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(f"{lock} is not a regular file; nothing is cached")
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _entries(self) -> dict[str, Any] | None:
        """The cached entries; {} when there is no cache file; None when a file is there that is not qenergy's
        (a FIFO, device or socket included: refused at once, never opened in a blocking way)."""
        from qenergy.files import read_regular

        if not os.path.lexists(self.path):
            return {}
        try:
            data = json.loads(read_regular(self.path, what="measurement cache").decode("utf-8"))
        except (OSError, ValueError, InputError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get(CACHE_MARKER) != 1:
            return None
        return {k: v for k, v in data.items() if k != CACHE_MARKER}

    def load(self, algorithm: str, meter: str, *, today: _dt.date | None = None, kernel: str = "numpy") -> EnergyFit | None:
        """The cached fit for this machine, algorithm, meter and kernel, if there is one younger than `CACHE_MAX_AGE_DAYS`."""
        entry = self.load_entry(self.key(algorithm, meter, kernel))
        if entry is None:
            return None
        try:
            fit = EnergyFit.from_dict(entry)
            age = ((today or _dt.date.today()) - _dt.date.fromisoformat(fit.date)).days
        except (KeyError, TypeError, ValueError, OverflowError):
            self.rejected.append(f"the cached {algorithm} measurement in {self.path} is damaged; measured again")
            return None
        why = fit.implausible()
        if why is not None:
            self.rejected.append(f"the cached {algorithm} measurement in {self.path} is not plausible ({why}); measured again")
            return None
        return fit if 0 <= age <= CACHE_MAX_AGE_DAYS else None

    def store(self, fit: EnergyFit) -> Path:
        """Add or replace this machine's fit (the file is written whole, then renamed). Returns the file's path."""
        return self.store_entry(self.key(fit.algorithm, fit.meter, fit.kernel), fit.to_dict())
