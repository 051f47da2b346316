"""Measuring the energy of our own runs: ``with qenergy.measure(ledger, "label"):`` or ``@measure(ledger, "label")``.

Sources ([`default_source`][default_source]), tried in order:

* **Host counters.** RAPL (Linux powercap, ``/sys/class/powercap/intel-rapl*``): every
  package domain and every ``dram`` subdomain (core/uncore are inside the package;
  ``psys`` would count the platform twice and is left out; ``intel-rapl-mmio`` zones
  duplicate packages and are used only when no MSR zone exists); each counter's
  wrap-around at ``max_energy_range_uj`` is handled (Linux kernel,
  Documentation/power/powercap/powercap.rst). NVML (NVIDIA GPUs, when ``pynvml`` is
  importable): ``nvmlDeviceGetTotalEnergyConsumption`` of every device, millijoules since
  the driver was loaded (NVML API reference; Volta and later). When both are readable
  their energies are **added** ([`CompositeSource`][CompositeSource]): RAPL sees the CPU packages
  and DRAM, NVML the GPUs, and neither includes the other. When only one is readable,
  that one alone.
* Otherwise a per-process **estimate** ([`CpuTimeEstimate`][CpuTimeEstimate]): process CPU time
  (user + system, children included) × a per-core power, plus resident memory × a power
  per GB × wall time. Defaults: 85 W per CPU package spread over its logical cores
  (CodeCarbon's figure for an unknown CPU) and 0.375 W per GB (CodeCarbon 2.x's memory
  constant); both are parameters. Basis ``estimated``.

**Apportioning.** RAPL and NVML count the whole machine: every process on it, and its
idle power. A window therefore charges to its account (``meter``) only this process's
share of the host energy: for each interval between two window events,

    charged energy = host energy in the interval × clamp(ΔP / ΔH, 0, 1)

where ΔP is this process's CPU time in the interval (``os.times``: user + system,
children included, a child's time counting when it is waited for) and ΔH is the CPU time the whole host spent busy in it (``/proc/stat``
first line: user + nice + system + irq + softirq + steal, in clock ticks of
``SC_CLK_TCK``; proc(5)). If the host was idle on the counters (ΔH = 0) the share is 1
when this process used CPU time and 0 otherwise. The provenance of each charge gives the
host energy, the share and both CPU times. Consequences and assumptions:

* K workers on one host (a Dask sweep) each charge their own share, so the host's
  energy is counted once, not K times: over a common interval the shares add up to at
  most 1, and to exactly 1 when the workers' CPU times make up all of the host's busy
  time. Each process apportions over the intervals between its own window events, so
  when windows of different processes overlap only partly, the sum is exact while the
  host's energy per busy CPU-second is steady and is off by its variation otherwise
  (each process's share is an average over its interval).
* The host's idle power and the energy of GPUs and DRAM are shared out by the same
  CPU-time rule (an assumption: a GPU-bound process with little CPU time is
  under-charged when CPU-busy processes share the host; a process alone on an idle host
  is charged the whole host).
* CPU times are counted in clock ticks (usually 10 ms), so the share of a window
  shorter than a few ticks is coarse (the rounding errors tend to average out over many
  windows); each share is clamped to [0, 1].
* The apportioned figure keeps basis ``measured`` and is labelled ``apportioned: true``: its
  provenance begins with those words, and [EnergyWindow.apportioned][] (``qenergy simon
  --json``: ``measured.apportioned``) is True. Every number in it is read from a counter
  (energy, process CPU time, host CPU time), but the split itself is a model: the host's
  idle, memory and GPU energy are shared out by CPU time (above), which no counter
  measures. ``estimated`` stays reserved for figures that rest on an assumed power (the
  CPU-time estimate); a ``measured`` charge without ``apportioned: true`` is a direct
  reading of a per-process source.
* When a host counter is readable but the host's CPU time is not (no ``/proc/stat``),
  the meter uses the per-process estimate instead and its provenance says why.
* Only this host is measured: work sent to other machines (a Dask cluster given by
  address, ``--scheduler``) is not in the window's figure. ``measure(..., note=...)`` adds
  such a statement to the charge's provenance; ``qenergy simon --scheduler`` does.

**The host account.** ``measure(..., host=True)`` also charges the window's whole-host
energy (inclusive of nested windows, every process on the host, idle power) to a
separate account ``host`` (basis ``measured``). It contains this host's ``meter``
charges: the two accounts must never be added. Only one process per host should open
such a window, and only one may be open per ledger at a time; sweep points (and Dask
workers) charge only their ``meter`` share and never ``host``. With the estimate source
there is no whole-host figure and nothing is charged to ``host``.

Windows may nest and overlap. Energy between two window events is charged to the
innermost window open at the time (the one opened last), so nested windows charge their
own exclusive energy and the ledger total equals the energy of the union of all
windows: nested totals add up and nothing is counted twice. That state (source, open windows,
last reading) is a `Meter`; `measure` uses the one attached to the ledger
([Meter.of][], through the ledger's [`attachment`][qenergy.ledger.book.Ledger.attachment] API:
one meter per ledger, made on first use), or the one passed as ``meter=``; never a
global.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger

__all__ = ["CompositeSource", "CpuTimeEstimate", "EnergySource", "EnergyWindow", "HostCpuTime", "Meter", "NvmlSource", "RaplSource",
           "cpu_share", "default_source", "measure", "process_cpu_s"]

F = TypeVar("F", bound=Callable[..., Any])

_ZONE = re.compile(r"^intel-rapl(-mmio)?:\d+(:\d+)?$")

#: /proc/stat fields (after "cpu") that count busy time: user nice system idle iowait irq softirq steal guest guest_nice.
#: guest and guest_nice are already inside user and nice (proc(5)), idle and iowait are not busy.
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)


class EnergySource(Protocol):
    """A cumulative energy counter.

    ``scope`` is ``"host"`` when the counter covers the whole machine (it is then
    apportioned to the process by CPU time) or ``"process"`` when it is already this
    process's own energy (also assumed for a source without ``scope``).
    """

    basis: str
    scope: str

    def read_j(self) -> float:
        """Energy in joules since the source was created (monotone)."""

    def describe(self) -> str: ...


def process_cpu_s() -> float:
    """This process's CPU time in seconds: user + system, terminated children included (``os.times``)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class RaplSource:
    """Sum of RAPL package and DRAM counters under ``root``, with wrap-around handling (whole host).

    Raises:
        OSError: no readable package or dram zone under ``root``.
    """

    basis = "measured"
    scope = "host"

    def __init__(self, root: str | os.PathLike[str] = "/sys/class/powercap") -> None:
        self.root = Path(root)
        self.zones = self._zones()
        if not self.zones:
            raise OSError(f"no readable RAPL package or dram zone under {self.root}")
        self._last = {z: self._raw(z) for z in self.zones}
        self._total_uj = 0

    def _zones(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found: dict[str, list[Path]] = {"msr": [], "mmio": []}
        for entry in sorted(self.root.iterdir()):
            m = _ZONE.match(entry.name)
            if not m:
                continue
            try:
                name = (entry / "name").read_text().strip()
                int((entry / "energy_uj").read_text())
                int((entry / "max_energy_range_uj").read_text())
            except (OSError, ValueError):
                continue
            sub = m.group(2) is not None
            if (not sub and name.startswith("package")) or (sub and name == "dram"):
                found["mmio" if m.group(1) else "msr"].append(entry)
        return found["msr"] or found["mmio"]

    @staticmethod
    def _raw(zone: Path) -> tuple[int, int]:
        return int((zone / "energy_uj").read_text()), int((zone / "max_energy_range_uj").read_text())

    def read_j(self) -> float:
        """Joules since creation, summed over the zones; a counter that went down wrapped once."""
        for z in self.zones:
            now, span = self._raw(z)
            before = self._last[z][0]
            self._total_uj += now - before if now >= before else now + span - before  # the counter wrapped
            self._last[z] = (now, span)
        return self._total_uj * 1e-6

    def describe(self) -> str:
        return f"RAPL {', '.join(z.name for z in self.zones)}"


class NvmlSource:
    """Total energy counters of every NVIDIA device (``pynvml``; whole devices, every process on them).

    Raises:
        ImportError: ``pynvml`` is not installed.
        OSError: no NVIDIA device.
        Exception: any ``pynvml.NVMLError`` (no driver, counter not supported).
    """

    basis = "measured"
    scope = "host"

    def __init__(self) -> None:
        import pynvml

        pynvml.nvmlInit()
        self._nvml = pynvml
        self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        if not self._handles:
            raise OSError("no NVIDIA device")
        self._start = self._mj()

    def _mj(self) -> int:
        return sum(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h) for h in self._handles)

    def read_j(self) -> float:
        """Joules since creation, summed over the devices (NVML counts millijoules)."""
        return (self._mj() - self._start) * 1e-3

    def describe(self) -> str:
        return f"NVML {len(self._handles)} device(s)"


class CompositeSource:
    """The sum of several whole-host sources that count disjoint hardware (RAPL CPU+DRAM, NVML GPUs)."""

    basis = "measured"
    scope = "host"

    def __init__(self, parts: Sequence[EnergySource]) -> None:
        if not parts or any(getattr(p, "scope", "process") != "host" or p.basis != "measured" for p in parts):
            raise InputError("CompositeSource parts are not allowed; allowed: one or more measured whole-host sources")
        self.parts = tuple(parts)

    def read_j(self) -> float:
        """Joules since creation: the sum of the parts."""
        return sum(p.read_j() for p in self.parts)

    def describe(self) -> str:
        return " + ".join(p.describe() for p in self.parts)


@dataclass
class CpuTimeEstimate:
    """Process CPU time × per-core power + resident memory × power per GB × wall time (estimated, this process only).

    ``note`` is added to the description (e.g. why a host counter was not used).
    """

    package_w: float = 85.0
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    memory_w_per_gb: float = 0.375
    note: str = ""
    basis: str = "estimated"
    scope: str = "process"

    def __post_init__(self) -> None:
        self._cpu0 = process_cpu_s()
        self._wall0 = time.perf_counter()
        self._mem_j = 0.0
        self._last_wall = self._wall0

    @property
    def per_core_w(self) -> float:
        """Watts charged per CPU-second: ``package_w / cores``."""
        return self.package_w / self.cores

    def read_j(self) -> float:
        """Estimated joules since creation: CPU-s × per-core W + peak RSS [GB] × W/GB × wall s."""
        now = time.perf_counter()
        rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB → GB (peak, an upper estimate)
        self._mem_j += rss_gb * self.memory_w_per_gb * (now - self._last_wall)
        self._last_wall = now
        return (process_cpu_s() - self._cpu0) * self.per_core_w + self._mem_j

    def describe(self) -> str:
        text = (f"estimate: this process's CPU time x {self.per_core_w:.3g} W/core ({self.package_w:g} W over {self.cores} cores)"
                f" + memory x {self.memory_w_per_gb:g} W/GB")
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class HostCpuTime:
    """Where the CPU times that apportion host energy come from.

    ``proc_stat``: the kernel's ``/proc/stat`` (the host's busy time is read from its
    first line); ``process_cpu_s``: this process's CPU time in seconds. Both are
    injectable for tests.
    """

    proc_stat: Path = Path("/proc/stat")
    process_cpu_s: Callable[[], float] = process_cpu_s

    def host_busy_s(self) -> float:
        """CPU-seconds the whole host has spent busy since boot (all CPUs).

        Raises:
            OSError: the file is unreadable or its first line is not an aggregate ``cpu`` line.
        """
        with open(self.proc_stat, encoding="ascii") as fh:
            first = fh.readline().split()
        try:
            if first[0] != "cpu":
                raise ValueError(first[0])
            ticks = sum(int(first[1 + i]) for i in _BUSY_FIELDS if 1 + i < len(first))
        except (IndexError, ValueError):
            raise OSError(f"{self.proc_stat}: first line is not the aggregate 'cpu' line") from None
        return ticks / os.sysconf("SC_CLK_TCK")

    def read(self) -> tuple[float, float]:
        """``(this process's CPU-s, host busy CPU-s)``, both cumulative. Raises OSError as [`host_busy_s`][host_busy_s]."""
        return self.process_cpu_s(), self.host_busy_s()


def cpu_share(process_s: float, host_busy_s: float) -> float:
    """This process's share of host energy: ``process_s / host_busy_s`` clamped to [0, 1] (CPU-seconds in one interval).

    A host busy time of 0 (or less) gives 1 when the process used CPU time and 0 otherwise.
    """
    if host_busy_s <= 0.0:
        return 1.0 if process_s > 0.0 else 0.0
    return min(1.0, max(0.0, process_s / host_busy_s))


def default_source(rapl_root: str | os.PathLike[str] = "/sys/class/powercap") -> EnergySource:
    """RAPL + NVML when both are readable (added), either alone, or else the per-process CPU-time estimate."""
    parts: list[EnergySource] = []
    try:
        parts.append(RaplSource(rapl_root))
    except OSError:
        pass
    try:
        parts.append(NvmlSource())
    except Exception:  # pynvml missing, no driver, no device, counter not supported
        pass
    if len(parts) > 1:
        return CompositeSource(parts)
    return parts[0] if parts else CpuTimeEstimate()


class Meter:
    """The state of one energy meter: its source, the windows open on it, the cumulative counters, the last reading.

    Energy between two window events is charged to the innermost window open on the
    meter (the one opened last). `measure` without ``meter=`` uses the meter
    attached to the ledger ([Meter.of][], through :meth:`Ledger.attachment
    <qenergy.ledger.book.Ledger.attachment>` under the key ``Meter``) and makes one on first
    use, so nested windows on one ledger share one meter and different ledgers have
    their own; ``measure(…, meter=m)`` uses ``m`` instead (a meter is not tied to a
    ledger: each window charges its own). No state is kept in a module global.

    ``source`` defaults to [`default_source`][default_source]; ``cpu_time`` to the real
    ``/proc/stat`` and ``os.times``. A whole-host source is apportioned by CPU time; when
    the host's CPU time cannot be read, the meter uses [`CpuTimeEstimate`][CpuTimeEstimate] instead
    (its description says why).
    """

    def __init__(self, source: EnergySource | None = None, cpu_time: HostCpuTime | None = None) -> None:
        #: What was asked for (before defaults and fallbacks): [`of`][of] compares it.
        self.requested: tuple[EnergySource | None, HostCpuTime | None] = (source, cpu_time)
        if source is None:
            source = default_source()
        self.cpu_time: HostCpuTime | None = None
        if getattr(source, "scope", "process") == "host":  # a source without a scope is taken as this process's own
            cpu_time = cpu_time or HostCpuTime()
            try:
                cpu_time.read()
                self.cpu_time = cpu_time
            except OSError as exc:
                source = CpuTimeEstimate(note=f"{source.describe()} readable but not the host's CPU time ({exc}); "
                                              "per-process estimate instead of an apportioned share")
        self.source: EnergySource = source
        #: The windows open on this meter, outermost first.
        self.open_windows: list[EnergyWindow] = []
        #: Cumulative joules: charged to this process (apportioned or estimated), and whole-host.
        self.charged_j = 0.0
        self.host_j = 0.0
        self._last = self._read()

    @classmethod
    def of(cls, ledger: Ledger, source: EnergySource | None = None, cpu_time: HostCpuTime | None = None) -> Meter:
        """The meter attached to ``ledger``, made from ``source`` and ``cpu_time`` on first use.

        A new meter replaces the attached one when ``source`` or ``cpu_time`` is given,
        either differs (by identity) from what that meter was made with, and no window is
        open on it; otherwise the attached meter is shared.
        """
        meter = ledger.attachment(cls, lambda: cls(source, cpu_time))
        explicit = source is not None or cpu_time is not None
        if explicit and not meter.open_windows and any(a is not b for a, b in zip(meter.requested, (source, cpu_time), strict=True)):
            ledger.detach(cls)
            meter = ledger.attachment(cls, lambda: cls(source, cpu_time))
        return meter

    @property
    def apportioned(self) -> bool:
        """True when a whole-host source is apportioned by CPU-time share (False for a per-process source)."""
        return self.cpu_time is not None

    def _read(self) -> tuple[float, float, float]:
        energy = self.source.read_j()
        proc, busy = self.cpu_time.read() if self.cpu_time is not None else (0.0, 0.0)
        return energy, proc, busy

    def advance(self) -> None:
        """Read the counters and charge the energy since the last reading to the innermost open window."""
        now = self._read()
        d_energy, d_proc, d_busy = (a - b for a, b in zip(now, self._last, strict=True))
        self._last = now
        charged = d_energy * cpu_share(d_proc, d_busy) if self.apportioned else d_energy
        self.charged_j += charged
        if self.apportioned:
            self.host_j += d_energy
        if self.open_windows:
            w = self.open_windows[-1]
            w.exclusive_j += charged
            if self.apportioned:
                w.host_exclusive_j += d_energy
                w.cpu_s += d_proc
                w.host_busy_s += d_busy


class EnergyWindow:
    """One measured window; a context manager and a decorator. Charges its exclusive energy on exit.

    After exit: ``exclusive_j`` (charged: this process's share, or the estimate),
    ``inclusive_j`` (the same with nested windows), ``host_exclusive_j`` /
    ``host_inclusive_j`` (whole-host energy, 0 with the estimate), ``cpu_s`` and
    ``host_busy_s`` (CPU-seconds of this process and of the host while it was innermost).
    ``meter`` is the `Meter` the window was entered on (None before entry);
    [`apportioned`][apportioned] says whether the charge is a CPU-time share of a whole-host reading
    (its provenance then begins ``apportioned: true``); ``note`` is appended to the provenance.
    """

    def __init__(self, ledger: Ledger, label: str, *, account: str = "meter", source: EnergySource | None = None,
                 cpu_time: HostCpuTime | None = None, host: bool = False, meter: Meter | None = None, note: str = "") -> None:
        if meter is not None and (source is not None or cpu_time is not None):
            raise InputError(f"measure(meter=…) for '{label}' with source or cpu_time is not allowed; "
                             "allowed: a meter, or a source and cpu_time to make one from")
        self.ledger = ledger
        self.label = label
        self.account = account
        self.host = host
        self.note = note
        self._source = source
        self._cpu_time = cpu_time
        self._meter = meter
        self.meter: Meter | None = None
        self.exclusive_j = 0.0
        self.inclusive_j = 0.0
        self.host_exclusive_j = 0.0
        self.host_inclusive_j = 0.0
        self.cpu_s = 0.0
        self.host_busy_s = 0.0
        self.basis = ""
        self._start = (0.0, 0.0)

    def __enter__(self) -> EnergyWindow:
        meter = self._meter if self._meter is not None else Meter.of(self.ledger, self._source, self._cpu_time)
        if self.host and any(w.host for w in meter.open_windows):
            raise InputError(f"measure(host=True) for '{self.label}' inside another host window is not allowed; "
                             "allowed: one host window at a time per ledger (and one process per host)")
        meter.advance()
        self._start = (meter.charged_j, meter.host_j)
        meter.open_windows.append(self)
        self.meter = meter
        self.basis = meter.source.basis
        return self

    def __exit__(self, *exc: object) -> None:
        meter = self.meter
        assert meter is not None, "__exit__ without __enter__"
        meter.advance()
        meter.open_windows.remove(self)
        self.inclusive_j = meter.charged_j - self._start[0]
        self.host_inclusive_j = meter.host_j - self._start[1]
        micro = max(0, int(round(self.exclusive_j * 1e6)))
        self.ledger.charge(self.account, "energy_uj", micro, 1e-6, meter.source.basis,  # type: ignore[arg-type]
                           self._provenance(meter), label=self.label, model="meter")
        if self.host and meter.apportioned:
            self.ledger.charge("host", "energy_uj", max(0, int(round(self.host_inclusive_j * 1e6))), 1e-6, "measured",
                               f"{meter.source.describe()}: whole-host energy of window '{self.label}' (nested windows "
                               f"included; every process on the host and its idle power; contains this host's "
                               f"'{self.account}' charges, never add the two)", label=self.label, model="meter")

    @property
    def apportioned(self) -> bool:
        """True when the charge is this process's CPU-time share of a whole-host reading, not a direct reading."""
        return self.meter is not None and self.meter.apportioned

    def _provenance(self, meter: Meter) -> str:
        note = f"; {self.note}" if self.note else ""
        if not meter.apportioned:
            return f"{meter.source.describe()}; window '{self.label}'{note}"
        share = self.exclusive_j / self.host_exclusive_j if self.host_exclusive_j > 0 else cpu_share(self.cpu_s, self.host_busy_s)
        return (f"apportioned: true (a CPU-time share of a whole-host reading, not a direct reading; qenergy.ledger.meter); "
                f"{meter.source.describe()}: {self.host_exclusive_j:.4g} J whole-host energy while window '{self.label}' "
                f"was innermost, apportioned by this process's CPU-time share {share:.3g} ({self.cpu_s:.3g} of "
                f"{self.host_busy_s:.3g} busy CPU-s on the host, /proc/stat) = {self.exclusive_j:.4g} J{note}")

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with EnergyWindow(self.ledger, self.label, account=self.account, source=self._source,
                              cpu_time=self._cpu_time, host=self.host, meter=self._meter, note=self.note):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def measure(ledger: Ledger, label: str, *, account: str = "meter", source: EnergySource | None = None,
            cpu_time: HostCpuTime | None = None, host: bool = False, meter: Meter | None = None, note: str = "") -> EnergyWindow:
    """Measure the enclosed work (``with``) or every call of a function (decorator) and charge ``ledger``.

    Charges, in joules as ``energy_uj`` units, this process's share of the host energy
    (or the estimate) to ``account``; with ``host=True`` also the window's whole-host
    energy to account ``host``. ``source`` defaults to [`default_source`][default_source],
    ``cpu_time`` to the real ``/proc/stat`` and ``os.times``. ``meter``: the
    `Meter` to measure on; by default the one attached to ``ledger``
    ([Meter.of][], made on first entry), shared by every window on that ledger.
    ``note``: appended to the charge's provenance (e.g. what the figure leaves out).

    Raises:
        InputError: ``meter`` given together with ``source`` or ``cpu_time``; on entry,
            ``host=True`` while another host window of this meter is open.
    """
    return EnergyWindow(ledger, label, account=account, source=source, cpu_time=cpu_time, host=host, meter=meter, note=note)
