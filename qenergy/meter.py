"""Measuring the energy of our own runs: ``with qenergy.measure(ledger, "label"):`` or ``@measure(ledger, "label")``.

Sources, tried in order:

* **RAPL** (Linux powercap, ``/sys/class/powercap/intel-rapl*``): every package domain
  and every ``dram`` subdomain (core/uncore are inside the package; ``psys`` would count
  the platform twice and is left out; ``intel-rapl-mmio`` zones duplicate packages and are
  used only when no MSR zone exists). Each counter's wrap-around at
  ``max_energy_range_uj`` is handled. Basis ``measured``.
* **NVML** (NVIDIA GPUs, when ``pynvml`` is importable): the total-energy counter of
  every device is added. Basis ``measured``.
* Otherwise an **estimate**: process CPU time (user + system, children included) × a
  per-core power, plus resident memory × a power per GB × wall time. Defaults: 85 W per
  CPU package spread over its logical cores (CodeCarbon's figure for an unknown CPU) and
  0.375 W per GB (CodeCarbon 2.x's memory constant); both are parameters. Basis ``estimated``.

Windows may nest and overlap. Energy between two window events is charged to the
innermost window open at the time (the one opened last), so nested windows charge their
own exclusive energy and the ledger total equals the energy of the union of all
windows: nested totals add up and nothing is counted twice. The state lives on the
ledger (one meter per ledger), never in a global.
"""

from __future__ import annotations

import functools
import os
import re
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar

from .ledger import Ledger

__all__ = ["CpuTimeEstimate", "EnergySource", "EnergyWindow", "RaplSource", "default_source", "measure"]

F = TypeVar("F", bound=Callable[..., Any])

_ZONE = re.compile(r"^intel-rapl(-mmio)?:\d+(:\d+)?$")


class EnergySource(Protocol):
    """A cumulative energy counter."""

    basis: str

    def read_j(self) -> float:
        """Energy in joules since the source was created (monotone)."""

    def describe(self) -> str: ...


class RaplSource:
    """Sum of RAPL package and DRAM counters under ``root``, with wrap-around handling."""

    basis = "measured"

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
        for z in self.zones:
            now, span = self._raw(z)
            before = self._last[z][0]
            self._total_uj += now - before if now >= before else now + span - before  # the counter wrapped
            self._last[z] = (now, span)
        return self._total_uj * 1e-6

    def describe(self) -> str:
        return f"RAPL {', '.join(z.name for z in self.zones)}"


class NvmlSource:
    """Total energy counters of every NVIDIA device (``pynvml``)."""

    basis = "measured"

    def __init__(self) -> None:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
        self._nvml = pynvml
        self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        if not self._handles:
            raise OSError("no NVIDIA device")
        self._start = self._mj()

    def _mj(self) -> int:
        return sum(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h) for h in self._handles)

    def read_j(self) -> float:
        return (self._mj() - self._start) * 1e-3

    def describe(self) -> str:
        return f"NVML {len(self._handles)} device(s)"


@dataclass
class CpuTimeEstimate:
    """Process CPU time × per-core power + resident memory × power per GB × wall time (estimated)."""

    package_w: float = 85.0
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    memory_w_per_gb: float = 0.375
    basis: str = "estimated"

    def __post_init__(self) -> None:
        self._cpu0 = self._cpu_s()
        self._wall0 = time.perf_counter()
        self._mem_j = 0.0
        self._last_wall = self._wall0

    @property
    def per_core_w(self) -> float:
        return self.package_w / self.cores

    @staticmethod
    def _cpu_s() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def read_j(self) -> float:
        now = time.perf_counter()
        rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB → GB (peak, an upper estimate)
        self._mem_j += rss_gb * self.memory_w_per_gb * (now - self._last_wall)
        self._last_wall = now
        return (self._cpu_s() - self._cpu0) * self.per_core_w + self._mem_j

    def describe(self) -> str:
        return f"estimate: CPU time x {self.per_core_w:.3g} W/core ({self.package_w:g} W over {self.cores} cores) + memory x {self.memory_w_per_gb:g} W/GB"


def default_source(rapl_root: str | os.PathLike[str] = "/sys/class/powercap") -> EnergySource:
    """RAPL (+ NVML) when readable, NVML alone, or the CPU-time estimate."""
    try:
        return RaplSource(rapl_root)
    except OSError:
        pass
    try:
        return NvmlSource()
    except Exception:  # pynvml missing, no driver, no device
        return CpuTimeEstimate()


class _MeterState:
    """Per-ledger bookkeeping: the open windows and the last reading."""

    def __init__(self, source: EnergySource) -> None:
        self.source = source
        self.open: list[EnergyWindow] = []
        self.last = source.read_j()

    def advance(self) -> float:
        now = self.source.read_j()
        if self.open:
            self.open[-1].exclusive_j += now - self.last
        self.last = now
        return now


class EnergyWindow:
    """One measured window; a context manager and a decorator. Charges its exclusive energy on exit."""

    def __init__(self, ledger: Ledger, label: str, *, account: str = "meter", source: EnergySource | None = None) -> None:
        self.ledger = ledger
        self.label = label
        self.account = account
        self._source = source
        self.exclusive_j = 0.0
        self.inclusive_j = 0.0
        self.basis = ""
        self._start = 0.0

    def _state(self) -> _MeterState:
        state = getattr(self.ledger, "meter_state", None)
        if state is None or (self._source is not None and state.source is not self._source and not state.open):
            state = _MeterState(self._source or default_source())
            self.ledger.meter_state = state
        return state

    def __enter__(self) -> "EnergyWindow":
        state = self._state()
        self._start = state.advance()
        state.open.append(self)
        self.basis = state.source.basis
        return self

    def __exit__(self, *exc: object) -> None:
        state = self._state()
        end = state.advance()
        state.open.remove(self)
        self.inclusive_j = end - self._start
        micro = max(0, int(round(self.exclusive_j * 1e6)))
        self.ledger.charge(self.account, "energy_uj", micro, 1e-6, state.source.basis,  # type: ignore[arg-type]
                           f"{state.source.describe()}; window '{self.label}'", label=self.label, model="meter")

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with EnergyWindow(self.ledger, self.label, account=self.account, source=self._source):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def measure(ledger: Ledger, label: str, *, account: str = "meter", source: EnergySource | None = None) -> EnergyWindow:
    """Measure the enclosed work (``with``) or every call of a function (decorator) and charge ``ledger``."""
    return EnergyWindow(ledger, label, account=account, source=source)
