"""``qenergy sweep`` in the application layer: a [`SweepRequest`][SweepRequest] in, a new or resumed sweep
(`qenergy.app.sweep`) and optionally the grid model's carbon range of its own energy, a
[`SweepReport`][SweepReport] out.

[`run_sweep_command`][run_sweep_command] does everything the command does apart from parsing and printing:
it builds (and so checks) the grid model of ``--grid`` before anything runs, chooses the default classical
search (``weight-cover`` with a secret weight, else ``birthday``), runs or resumes the sweep, and converts
a Ctrl-C or SIGTERM that arrives after the sweep's points were recorded (e.g. in the grid model) into
[`Interrupted`][qenergy.errors.Interrupted] naming the ``--resume`` command, like the sweep's own (exit status
130 for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from qenergy.app.reports import grid_carbon
from qenergy.app.sweep import SCHEDULER_TIMEOUT_S, SweepResult, SweepSpec, _interrupted, resume_sweep, run_sweep
from qenergy.energy.bounds import DEFAULT_SUCCESS
from qenergy.errors import InputError

__all__ = ["SweepReport", "SweepRequest", "grid_model", "run_sweep_command"]


@dataclass(frozen=True)
class SweepRequest:
    """The options of one ``qenergy sweep`` (the command line's, by name; units in the field names).

    Exactly one of ``out`` (a new sweep into that directory) and ``resume`` (continue the sweep in that
    directory with its own settings; the sweep settings here are then ignored) is given. ``classical``
    None is ``weight-cover`` with ``secret_weight``, else ``birthday``; ``noise`` None is no noise.
    ``grid``: None runs no grid model; else the grid model's ``KEY=VALUE,...`` parameters ("" for its
    defaults). ``classical_model`` is the spec text of the classical lower bound; ``progress`` shows a
    progress bar on standard error.
    """

    n: Sequence[int]
    out: Path | None = None
    resume: Path | None = None
    repeats: int = 3
    backend: str = "auto"
    secret_weight: int | None = None
    classical: str | None = None
    oracle: str = "linear"
    noise: str | None = None
    shots_budget: int | None = None
    seed: int = 0
    workers: int | None = None
    scheduler: str | None = None
    scheduler_timeout_s: float = SCHEDULER_TIMEOUT_S
    force: bool = False
    grid: str | None = None
    temperature_k: float = 300.0
    epsilon: float = 1e-6
    steps: int = 1000
    gate_energy_j: float = 0.0
    classical_model: str = "irreversible"
    success: Fraction = DEFAULT_SUCCESS
    command: str = ""
    progress: bool = False


@dataclass(frozen=True)
class SweepReport:
    """What one ``qenergy sweep`` did; [`to_dict`][to_dict] is the command's ``--json`` object.

    Attributes:
        directory: the sweep's directory (``--out`` or ``--resume``).
        result: the sweep's rows, bounds, crossover, own energy per basis and files (`qenergy.app.sweep.SweepResult`).
        carbon: with ``--grid``, the grid model's intensity range (g CO2e/kWh) and this sweep's own energy
            (joules) and CO2e (kg) per basis (`qenergy.app.reports.grid_carbon`); else None.
    """

    directory: Path
    result: SweepResult
    carbon: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy sweep --json`` object (keys in the command's order)."""
        res = self.result
        return {"instances": res.instances, "solved": res.solved, "resumed_points": res.resumed_points, "crossover_n": res.crossover,
                "ledger_run": res.ledger_run, "files": {k: str(v) for k, v in res.files.items()}, "rows": [r.to_dict() for r in res.bounds],
                "own_energy_j": res.own_energy_j if res.own_energy_basis else None, "own_energy_basis": res.own_energy_basis,
                "own_energy_by_basis": res.own_energy_by_basis, "carbon_across_weather_years": self.carbon, "nts": res.nts}


def grid_model(spec: str) -> Any:
    """The grid model (`qenergy.models`, name ``grid``) built, and so checked, from ``KEY=VALUE,...`` (``--grid``).

    Empty items are skipped; keys and values are stripped; a key given twice keeps its last value.

    Raises:
        InputError: an item without ``=``, an unknown parameter or a value the model does not allow.
    """
    from qenergy.models import build_model

    if any("=" not in item for item in spec.split(",") if item.strip()):
        raise InputError(f"--grid {spec!r}: allowed: KEY=VALUE pairs separated by commas (see qenergy models)")
    params = dict(item.split("=", 1) for item in spec.split(",") if item.strip())
    return build_model("grid", {k.strip(): v.strip() for k, v in params.items()})


def run_sweep_command(request: SweepRequest, notify: Callable[[str], None] = lambda _text: None) -> SweepReport:
    """Run (``request.out``) or resume (``request.resume``) a sweep as ``qenergy sweep`` does, and report it.

    The grid model of ``request.grid`` is built first, so that a bad ``--grid`` refuses the sweep before
    anything runs or is written. ``notify`` receives one-line notices (an incomplete ledger line set aside).

    Raises:
        InputError: neither or both of ``out`` and ``resume``, a bad ``--grid``, or anything
            `qenergy.app.sweep.run_sweep` refuses (before anything is written).
        LedgerError: the ledger cannot be opened or appended to.
        Interrupted: Ctrl-C (exit status 130) or SIGTERM (143); the message says how to resume (every finished point is in the ledger).
    """
    r = request
    if (r.out is None) == (r.resume is None):
        raise InputError("one of --out DIR and --resume DIR is required; allowed: exactly one of them")
    grid = grid_model(r.grid) if r.grid is not None else None  # checked before anything runs
    where: dict[str, Any] = {"command": r.command, "workers": r.workers, "scheduler": r.scheduler, "progress": r.progress,
                             "force": r.force, "scheduler_timeout_s": r.scheduler_timeout_s, "notify": notify}
    directory = r.resume if r.resume is not None else r.out
    assert directory is not None
    try:
        if r.resume is not None:
            res = resume_sweep(r.resume, **where)
        else:
            algorithm = r.classical if r.classical is not None else ("weight-cover" if r.secret_weight is not None else "birthday")
            spec = SweepSpec(tuple(r.n), r.repeats, seed=r.seed, backend=r.backend, algorithm=algorithm, oracle=r.oracle,
                             temperature_k=r.temperature_k, epsilon=r.epsilon, steps=r.steps, gate_energy_j=r.gate_energy_j,
                             classical_model=r.classical_model, success=str(r.success),
                             noise=r.noise or "none", shots_budget=r.shots_budget, secret_weight=r.secret_weight)
            res = run_sweep(spec, directory, **where)
        carbon = grid_carbon(grid, res) if grid is not None else None
    except KeyboardInterrupt as exc:  # after the points were recorded (e.g. in the grid model): they stay, resumable
        raise _interrupted(directory, True, exc) from None
    return SweepReport(directory, res, carbon)
