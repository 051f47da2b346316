"""What a device must reach: the largest error scale of a device twin at which the practical mid crossover is ≤ N.

For ``--noise device:fake:NAME`` (with its modifiers) and a target N, [`find_requirements`][find_requirements]
scans the twin at each error scale of [`REQUIREMENT_SCALES`][REQUIREMENT_SCALES] from the best device
(``scale:0``, the ideal device on the same routing) upward, computes the practical comparison on
each scan and takes the mid crossover. The answer is made monotone by construction: the crossover
is replaced by its running maximum over the scales tried (a better device is never credited with a
later crossover than a worse one), and the answer is the largest scale before that maximum first
exceeds N. So a smaller N never needs a worse device, whatever the sampling noise of the scans.

Where 2n exceeds the device's qubits, the twin cannot be built: the shots there come from the
scan's fit (`qenergy.hardware.noise_fit`), extrapolated, and the result says so.

It also gives, with the noise as given (today's device), the QPU wall-plug power below which the mid
crossover would be at most N: min over n ≥ N of classical_mid(n) × power(2n) ÷ quantum_mid(n), the
power at which the QPU's energy equals the classical one at every n from N on (the preset's
utilisation included, as in every QPU figure). None when the QPU does not reach success P at some
n ≥ N (no power suffices).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from qenergy.app.noise_scan import NoiseScan, device_units
from qenergy.hardware.noise import NoiseSpec

__all__ = ["REQUIREMENT_SCALES", "Requirements", "find_requirements", "power_for_crossover"]

#: Error scales tried, best device first (scale:0 is the ideal device, 1 today's calibration).
REQUIREMENT_SCALES = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class Requirements:
    """The answer of ``--requirements N``.

    Attributes:
        target_n: N.
        device: ``fake:NAME``.
        scale: the largest scale tried whose (monotone) mid crossover is ≤ N; None when even the ideal device's is not.
        units: what ``scale`` means on the device ([qenergy.app.noise_scan.device_units][]), None without a scale.
        steps: per scale tried: crossover, its running maximum, the scan's stop reason and its largest scanned n.
        beyond_device: how sizes beyond the twin are handled (one sentence).
        power_w_max: today's noise: QPU power below which the crossover is ≤ N (None: no power suffices).
        power_w_preset: the preset's mid power at the device's qubits, for comparison.
    """

    target_n: int
    device: str
    scale: float | None
    units: dict[str, Any] | None
    steps: tuple[dict[str, Any], ...]
    beyond_device: str
    power_w_max: float | None
    power_w_preset: float

    def to_dict(self) -> dict[str, Any]:
        return {"target_n": self.target_n, "device": self.device, "scale": self.scale, "device_units": self.units,
                "scan": list(self.steps), "beyond_device": self.beyond_device, "basis": "estimated",
                "monotone": "crossover replaced by its running maximum over the scales, best device first",
                "qpu_power_w_max_today": self.power_w_max, "qpu_power_w_preset_mid": self.power_w_preset}


def power_for_crossover(result: Any, target_n: int) -> float | None:
    """QPU wall-plug power (W) below which ``result``'s mid crossover is ≤ ``target_n`` (see the module docstring)."""
    best = math.inf
    for r in result.rows:
        if r.n < target_n:
            continue
        q = r.quantum_j["mid"]
        if q is None or not q > 0:
            return None
        power = result.preset.power(2 * r.n, "mid").total_w
        best = min(best, r.classical_j["mid"] * power / q)
    return None if not math.isfinite(best) else best


def find_requirements(target_n: int, noise: NoiseSpec, *, scan_at: Callable[[NoiseSpec], NoiseScan],
                      compare: Callable[[NoiseScan, NoiseSpec], Any], today: Any, scales: Sequence[float] = REQUIREMENT_SCALES) -> Requirements:
    """Search the twin's scale (see the module docstring).

    ``scan_at(spec)`` scans a spec; ``compare(scan, spec)`` computes the practical comparison on it (an
    [`AdvantageResult`][qenergy.app.practical.AdvantageResult]); ``today`` is that comparison for ``noise`` as given.
    """
    assert noise.device is not None
    steps: list[dict[str, Any]] = []
    envelope = 0.0
    best: float | None = None
    qubits = None
    for x in sorted(scales):
        spec = dataclasses.replace(noise, scale=float(x))
        scan = scan_at(spec)
        qubits = scan.device_qubits
        cross = compare(scan, spec).practical_crossover["mid"]
        envelope = max(envelope, math.inf if cross is None else float(cross))
        steps.append({"scale": x, "crossover_mid": cross, "crossover_mid_monotone": None if math.isinf(envelope) else int(envelope),
                      "scan_stopped": scan.stopped, "scanned_n": [p.n for p in scan.points]})
        if envelope <= target_n:
            best = float(x)
        else:
            break
    limit = (qubits or 0) // 2
    beyond = (f"the twin holds n <= {limit} (2n <= {qubits} qubits); beyond, the shots are the scan's fit, extrapolated "
              "(the twin is not extended)")
    return Requirements(target_n, noise.device, best, device_units(noise.device, best) if best is not None else None, tuple(steps),
                        beyond, power_for_crossover(today, target_n),
                        today.preset.power(int(today.preset.value("device_qubits")), "mid").total_w)
