"""Energy of QPU jobs: usage seconds × system power × PUE, charged with basis ``estimated``.

IBM publishes no energy figure per job, so the energy is modelled. Usage seconds come
from the service (``job.usage()``, the quantum seconds IBM bills) when it reports them;
local mode reports none, so they are then estimated from the device's timing the way
IBM's documentation estimates usage: about 2 s per sub-job plus
(repetition delay + circuit duration) × shots, and the charge says so.

System power defaults (illustrative, override per device with :class:`QPUPowerModel`):

* cryogenics ``cryo_w`` = 12.5 kW: a pulse-tube compressor (10.7 kW) and gas handling
  (1.8 kW) of a dilution refrigerator, the figures used by the public LCA package
  ``qc_env_impact`` (digest energy-tools.md §6); D-Wave reports its whole 2X system
  below 25 kW, mostly refrigeration;
* control electronics ``electronics_w_per_qubit`` = 245 W per physical qubit of the
  device (36 W in the cryostat wiring and amplification, 209 W of room-temperature
  rack, same source);
* ``pue`` = 1.2 for the facility.

Every figure is a parameter; the charge's provenance names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ledger import Ledger

__all__ = ["JobRecord", "QPUPowerModel", "estimate_usage_seconds"]

#: Classical overhead IBM's usage estimate adds per sub-job, seconds.
SUBJOB_OVERHEAD_S = 2.0


def estimate_usage_seconds(shots: int, circuit_duration_s: float, rep_delay_s: float, subjobs: int = 1) -> float:
    """IBM's documented estimate of QPU usage: 2 s per sub-job + (rep_delay + circuit duration) × shots."""
    return SUBJOB_OVERHEAD_S * subjobs + (rep_delay_s + circuit_duration_s) * shots


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
    """System power of a superconducting QPU while it runs a job (see module docstring for sources)."""

    cryo_w: float = 12_500.0
    electronics_w_per_qubit: float = 245.0
    pue: float = 1.2
    overrides_w: dict[str, float] = field(default_factory=dict)

    def system_power_w(self, backend: str, device_qubits: int) -> float:
        """Power drawn by the system in watts (before PUE): an override for the device, or cryo + electronics."""
        if backend in self.overrides_w:
            return self.overrides_w[backend]
        return self.cryo_w + self.electronics_w_per_qubit * device_qubits

    def charge_job(self, ledger: Ledger, job: JobRecord, *, account: str = "quantum", label: str = "") -> float:
        """Record the job and charge its estimated energy; failed or cancelled jobs charge nothing.

        Returns the joules charged.
        """
        rows = [(account, "qpu_job", 1, 0.0, "measured", f"job {job.job_id} on {job.backend}: {job.status}, {job.circuits} circuit(s), {job.shots} shots")]
        joules = 0.0
        if job.succeeded:
            seconds, source = (job.usage_s, "usage seconds reported by the service") if job.usage_s else (
                job.estimated_s, "usage estimated: 2 s per sub-job + (rep_delay + circuit duration) x shots (service reported none)")
            power = self.system_power_w(job.backend, job.device_qubits)
            micro = int(round(seconds * 1e6))
            unit = power * self.pue * 1e-6
            joules = micro * unit
            rows.append((account, "qpu_time_us", micro, unit, "estimated",
                         f"{source}; system power {power:.0f} W x PUE {self.pue:g} (qenergy.qpu defaults, illustrative)"))
        ledger.charge_many(rows, label=label, model="qpu-power")
        return joules
