"""``qenergy twin`` in the application layer: a device twin (stim) against Aer's full device model on the same
routed, scheduled Simon circuits, width by width ([`TwinReport`][TwinReport]).

The device spec, the widths against the device's qubits and the Aer reference model are checked before the
first width runs. The comparison itself is the quantum side's ([qenergy.circuits.twin.compare_twin][]).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qenergy.circuits.noise import DeviceSummary
from qenergy.circuits.twin import TwinRow
from qenergy.errors import InputError
from qenergy.hardware.noise import NoiseSpec

__all__ = ["TwinReport", "run_twin"]


@dataclass(frozen=True)
class TwinReport:
    """The twin against its reference at each width (fractions of good shots, basis ``measured``).

    Attributes:
        spec: the device spec (``fake:NAME`` with its modifiers).
        summary: the device's medians at the spec's error scale.
        noise_model: ``noise_model`` fields of the twin (device, idle, readout asymmetry, dd, mitigation, scale).
        reference: ``aer`` or ``none``; shots: per width on each simulator; seed: of instances and routing.
        dd, mitigate: dynamical decoupling and readout mitigation asked for.
        rows: one [qenergy.circuits.twin.TwinRow][] per width.
    """

    spec: NoiseSpec
    summary: DeviceSummary
    noise_model: dict[str, Any] | None
    reference: str
    shots: int
    seed: int
    dd: str
    mitigate: str
    rows: list[TwinRow]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy twin --json`` object."""
        return {"device": self.spec.describe(), "noise_model": self.noise_model, "reference": self.reference, "shots": self.shots,
                "seed": self.seed, "basis": "measured", "summary": self.summary.to_dict(), "rows": [r.to_dict() for r in self.rows]}


def run_twin(device: str, ns: Sequence[int], *, shots: int, seed: int = 0, reference: str = "aer", dd: str = "none", mitigate: str = "none",
             progress: Callable[[str], None] | None = None) -> TwinReport:
    """Compare the twin of ``device`` (``fake:NAME`` with modifiers, e.g. ``fake:sherbrooke,idle:off``) with its reference
    at every width n of ``ns`` (2n qubits each), ``shots`` shots a side; ``progress`` hears of each width as it starts.

    Raises:
        InputError: an unknown or malformed device spec, a width above half the device's qubits, a spec the Aer
            reference cannot model (a scaled one), a bad ``dd`` or ``mitigate``.
    """
    from qenergy.circuits.noise import aer_reference_model, device_calibration
    from qenergy.circuits.twin import compare_twin, noise_model_fields, parse_device_spec

    spec = parse_device_spec(device)
    cal = device_calibration(spec.device or "")
    if 2 * max(ns) > cal.num_qubits:
        raise InputError(f"--n {max(ns)} is not allowed on {spec.device} ({cal.num_qubits} qubits); allowed: n <= {cal.num_qubits // 2}")
    if reference == "aer":
        aer_reference_model(spec)  # a scaled spec is refused before any run
    rows = []
    for n in ns:
        if progress is not None:
            progress(f"twin n={n}: routing, twin{', Aer reference' if reference == 'aer' else ''}…")
        rows.append(compare_twin(spec, n, shots=shots, seed=seed, reference=reference, dd=dd, mitigate=mitigate))
    model = noise_model_fields(None, spec, dd=dd, mitigation=mitigate)
    return TwinReport(spec, cal.summary(spec.scale), model, reference, shots, seed, dd, mitigate, rows)
