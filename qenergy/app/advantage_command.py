"""``qenergy advantage`` as one call: a typed request in, a typed report out (the CLI parses and prints).

[`run_advantage_command`][run_advantage_command] checks every input before any work or any byte written
(the ledger to place, the output directory, the target ledger, the requirements' range, the device),
then measures this machine's classical joules per query on every installed kernel
([qenergy.app.practical.measure_classical][], [qenergy.app.practical.measure_kernels][]), routes the
circuit timing ([qenergy.circuits.timing.circuit_timing][]), runs the measured noise scan when there is
noise (`qenergy.app.noise_scan.run_noise_scan`), computes the comparison
([qenergy.app.practical.compute_advantage][]), and, as asked, the device requirements, the placed QPU
run, the sensitivity, the report files and the ledger note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from qenergy.app.practical import AdvantageResult
from qenergy.energy.bounds import DEFAULT_SUCCESS, ClassicalLowerBound
from qenergy.errors import InputError
from qenergy.hardware.classical_machine import EnergyFit
from qenergy.hardware.noise import NoiseSpec
from qenergy.hardware.qpu import DEFAULT_QPU_PRESET

__all__ = ["AdvantageReport", "AdvantageRequest", "run_advantage_command"]


@dataclass(frozen=True)
class AdvantageRequest:
    """The options of one ``qenergy advantage`` run (the command line's, by name; units in the field names)."""

    ns: Sequence[int]
    qpu: str = DEFAULT_QPU_PRESET
    noise: NoiseSpec = field(default_factory=NoiseSpec)
    success: Fraction = DEFAULT_SUCCESS
    classical: str = "birthday"
    secret_weight: int | None = None
    seeds: int = 16
    scan_seconds: float = 300.0
    requirements: int | None = None
    remeasure: bool = False
    from_ledger: Path | None = None
    run: int | None = None
    sensitivity: bool = False
    out: Path | None = None
    force: bool = False
    ledger: Path | None = None
    temperature_k: float = 300.0
    epsilon: float = 1e-6
    steps: int = 1000
    gate_energy_j: float = 0.0
    classical_model: str | ClassicalLowerBound = "irreversible"
    command: str = ""


@dataclass(frozen=True)
class AdvantageReport:
    """What one ``qenergy advantage`` run found.

    Attributes:
        result: the comparison ([qenergy.app.practical.AdvantageResult][]), with the placed QPU run if any.
        fit_cached: this machine's fit came from the cache (else it was measured in this run).
        requirements: the device requirements (``--requirements``), or None.
        sensitivity: the sensitivity rows (``--sensitivity``), else empty.
        paths: the report files written (``--out``), or None.
        secret_weight: the restricted problem's W, or None.
    """

    result: AdvantageResult
    fit_cached: bool
    requirements: Any = None
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    paths: dict[str, Path] | None = None
    secret_weight: int | None = None

    @property
    def fit(self) -> EnergyFit:
        """This machine's fit used by the comparison (the fastest installed kernel)."""
        return self.result.fit

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        out = self.result.to_dict()
        out["secret_weight"] = self.secret_weight
        if self.sensitivity:
            out["sensitivity"] = self.sensitivity
        if self.requirements is not None:
            out["requirements"] = self.requirements.to_dict()
        return out


def check_ledger_target(path: Path, temperature_k: float) -> None:
    """Refuse a ledger that [qenergy.ledger.book.Ledger.open][] would refuse, before any work.

    Raises:
        LedgerError: the ledger was recorded at another temperature (or is not a ledger).
        InputError: its directory does not exist.
    """
    from qenergy.errors import LedgerError
    from qenergy.ledger.book import Ledger

    if path.exists() or path.is_symlink():
        existing = Ledger.load(path)
        if existing.temperature_k != temperature_k:
            raise LedgerError(f"ledger {path} was recorded at T = {existing.temperature_k:g} K; --temperature {temperature_k:g} differs "
                              "(use another ledger path)")
    elif not path.parent.is_dir():
        raise InputError(f"--ledger {str(path)!r}: {str(path.parent)!r} is not a directory; allowed: a path in an existing directory")


def run_advantage_command(request: AdvantageRequest, notify: Callable[[str], None] = lambda _text: None,
                          progress: Callable[[str], None] | None = None) -> AdvantageReport:
    """Run ``qenergy advantage`` for ``request``; ``notify`` receives one-line notices (cache repairs, a set-aside
    ledger line), ``progress`` what is being measured or scanned.

    Raises:
        InputError: a bad combination of options (found before any work), or a measurement that cannot be fitted.
        LedgerError: the ``--ledger`` or ``--from-ledger`` file cannot be used.
    """
    from qenergy.app.experiment import open_ledger
    from qenergy.app.practical import (
        advantage_note,
        check_out_dir,
        compute_advantage,
        logical_cnot_counts,
        measure_classical,
        measure_kernels,
        place_ledger_run,
        read_ledger_run,
        sensitivity,
        write_outputs,
    )
    from qenergy.circuits.timing import circuit_timing
    from qenergy.hardware.classical_machine import MeasurementCache
    from qenergy.hardware.qpu import get_qpu_preset
    from qenergy.ledger.charging import BoundsPolicy

    r = request
    ns = list(r.ns)
    preset = get_qpu_preset(r.qpu)
    noise = r.noise
    # everything that can fail on the user's input is checked before any work or any byte written
    if r.from_ledger is not None and not Path(r.from_ledger).is_file():
        raise InputError(f"--from-ledger {str(r.from_ledger)!r} is not a file; allowed: a ledger file")
    if r.run is not None and r.from_ledger is None:
        raise InputError("--run without --from-ledger is not allowed; allowed: --from-ledger PATH --run K")
    qpu_run = read_ledger_run(Path(r.from_ledger), r.run) if r.from_ledger is not None else None
    if r.ledger is not None:  # refused now, not after the measurement: a foreign or damaged file, another temperature, no directory
        check_ledger_target(Path(r.ledger), r.temperature_k)
    paths = check_out_dir(Path(r.out), force=r.force, inputs=[Path(r.from_ledger)] if r.from_ledger else []) if r.out else None
    if r.requirements is not None and noise.device is None:
        raise InputError(f"--requirements {r.requirements} without a device twin is not allowed; allowed: --requirements N "
                         "with --noise device:fake:NAME")
    if r.requirements is not None and not ns[0] <= r.requirements <= ns[-1]:
        raise InputError(f"--requirements {r.requirements} is not allowed for --n {ns[0]}..{ns[-1]}; allowed: "
                         "N within the --n range")
    if noise.device is not None:
        from qenergy.circuits.noise import device_calibration

        device_calibration(noise.device)
    policy = BoundsPolicy.from_settings(epsilon=r.epsilon, steps=r.steps, gate_energy_j=r.gate_energy_j,
                                        classical_model=r.classical_model, family="linear")
    cache = MeasurementCache.default()
    fit, cached = measure_classical(r.classical, cache=cache, remeasure=r.remeasure, progress=progress)
    kernel_fits = measure_kernels(fit, cache=cache, remeasure=r.remeasure, progress=progress)  # numpy beside compiled
    timing = circuit_timing(preset.timing_device, cache=cache)
    for line in cache.rejected:
        notify(line)
    cnots = logical_cnot_counts(range(2, max(ns) + 1)) if noise.depolarize and noise.device is None else None

    from qenergy.app.noise_scan import run_noise_scan

    def scan_at(spec: NoiseSpec) -> Any:
        return run_noise_scan(spec, n_max=ns[-1], seeds=r.seeds, secret_weight=r.secret_weight,
                              time_budget_s=r.scan_seconds, cache=cache, progress=progress)

    scan = None if noise.is_ideal else scan_at(noise)

    def compute(p: Any, spec: NoiseSpec = noise, measured: Any = scan) -> Any:
        return compute_advantage(ns, p, noise=spec, success=r.success, algorithm=r.classical, fit=fit, fit_cached=cached,
                                 timing=timing, quantum=policy.quantum, classical=policy.classical, temperature_k=r.temperature_k,
                                 logical_cnots=cnots, scan=measured, secret_weight=r.secret_weight, kernel_fits=kernel_fits)

    result = compute(preset)
    reqs = None
    if r.requirements is not None:
        from qenergy.app.requirements import find_requirements

        reqs = find_requirements(r.requirements, noise, scan_at=scan_at, compare=lambda sc, sp: compute(preset, sp, sc), today=result)
    if qpu_run is not None:
        result = dataclasses.replace(result, ledger_run=place_ledger_run(qpu_run, result))
    sens = sensitivity(result, compute) if r.sensitivity else []
    if paths is not None:
        write_outputs(result, paths, sens, r.command, reqs.to_dict() if reqs is not None else None, force=r.force)
    if r.ledger is not None:
        with open_ledger(Path(r.ledger), r.temperature_k, seed=None, command=r.command, notify=notify) as ledger:
            ledger.note("advantage", advantage_note(result))
    return AdvantageReport(result, cached, reqs, sens, paths, r.secret_weight)
