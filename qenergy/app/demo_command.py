"""``qenergy demo`` in the application layer: Simon's problem at n = 2..10 on the local Aer simulator against
randomised birthday search, on one ledger file, with the criterion of each run and the bounds' crossover
([`DemoReport`][DemoReport]).

Every instance is planned (checked, circuit built) before the directory is made and the ledger opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qenergy.app.experiment import SimonRun, open_ledger, plan_simon, run_note, run_planned
from qenergy.energy.advantage import bound_table, criterion, crossover_n
from qenergy.energy.bounds import DEFAULT_SUCCESS
from qenergy.errors import InputError
from qenergy.ledger.charging import BoundsPolicy

__all__ = ["DEMO_NS", "DEMO_SEED", "DEMO_TEMPERATURE_K", "DemoReport", "run_demo"]

#: The problem sizes of the demo.
DEMO_NS = range(2, 11)

#: The demo's default seed (instance n uses seed + n).
DEMO_SEED = 2026

#: The demo's bath temperature, in kelvin.
DEMO_TEMPERATURE_K = 300.0


@dataclass(frozen=True)
class DemoReport:
    """The demo's runs (one per n, both sides), the bounds' crossover at n <= 64 and the ledger.

    Attributes:
        runs: one `qenergy.app.experiment.SimonRun` per n of `DEMO_NS`.
        crossover_n: the n from which the quantum upper bound stays below the classical lower bound (None: none up to 64).
        quantum_model, classical_model: the policy's bounds, described.
        ledger_path: the ledger file; ledger_run: this run's index in it.
        totals_j, totals_kTln2: this run's ledger totals per account and basis.
    """

    runs: list[SimonRun]
    crossover_n: int | None
    quantum_model: str
    classical_model: str
    ledger_path: Path
    ledger_run: int
    totals_j: dict[str, dict[str, float]]
    totals_kTln2: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy demo --json`` object."""
        return {"runs": [r.to_dict() for r in self.runs], "crossover_n": self.crossover_n,
                "ledger": {"path": str(self.ledger_path), "run": self.ledger_run, "totals_j": self.totals_j}}


def run_demo(directory: Path, *, seed: int = DEMO_SEED, command: str = "", notify: Callable[[str], None] = lambda _text: None) -> DemoReport:
    """Run the demo into ``directory`` (made if missing; the ledger is ``ledger.jsonl`` there, appended to) and report it.

    Instance n has seed ``seed + n``; each run's note holds its criterion at the default success probability.
    ``notify`` hears of an incomplete ledger line set aside.

    Raises:
        InputError: ``directory`` cannot be created.
        LedgerError: the ledger cannot be opened or appended to.
    """
    plans = [plan_simon(n, oracle="linear", backend="aer", algorithm="birthday", seed=seed + n) for n in DEMO_NS]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--dir {str(directory)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    path = directory / "ledger.jsonl"
    t = DEMO_TEMPERATURE_K
    policy = BoundsPolicy()
    with open_ledger(path, t, seed=seed, command=command, notify=notify) as ledger:
        runs = []
        for plan in plans:
            run = run_planned(plan, ledger, policy=policy, label=f"n={plan.instance.n}")
            verdict = criterion(run.quantum_energy_j, run.n, policy.classical, t) if run.quantum_energy_j else None
            ledger.note(run.label, run_note(run, success=DEFAULT_SUCCESS, criterion=verdict.to_dict() if verdict else None))
            runs.append(run)
    cross = crossover_n(bound_table(range(2, 65), policy.quantum, policy.classical, t))
    return DemoReport(runs, cross, policy.quantum.describe(), policy.classical.describe(), path, ledger.current_run,
                      ledger.totals_j(run=ledger.current_run), ledger.totals_kTln2(run=ledger.current_run))
