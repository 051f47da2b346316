"""``qenergy simon`` in the application layer: a [`SimonRequest`][SimonRequest] in, one instance run on both
sides on one ledger, a [`SimonReport`][SimonReport] out.

[`run_simon_command`][run_simon_command] does everything the command does apart from parsing and printing:
it checks every input (`plan_simon`, the ``--workers``/``--scheduler``
options, the bounds of the policy) before the ledger is opened, so that a refused run writes
nothing; runs both sides inside a `measure` window (the run's own energy);
marks the run interrupted in the ledger on Ctrl-C, SIGTERM or an error; and computes the
criterion (`qenergy.energy.advantage.criterion`) and the run's own energy against each basis of
the theoretical charges (upper-bound and lower-bound apart: a bound is never added to another basis).

Notices meant for the person at the terminal (the Aer time estimate, ``--workers`` capped, an
incomplete ledger line set aside) go to a ``notify`` callable, in the order they arise.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from qenergy.app.experiment import SimonRun, open_ledger, plan_simon, run_note, run_planned
from qenergy.energy.advantage import Verdict, criterion
from qenergy.energy.bounds import DEFAULT_SUCCESS, ClassicalLowerBound, oracle_family
from qenergy.energy.magnitude import Magnitude
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError, QenergyError, one_line
from qenergy.interrupts import signal_name
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy
from qenergy.ledger.meter import measure

__all__ = ["THEORY_BASES", "SimonReport", "SimonRequest", "run_simon_command"]

#: The bases of the theoretical charges the run's own energy is set against, each on its own.
THEORY_BASES = ("upper_bound", "lower_bound")


@dataclass(frozen=True)
class SimonRequest:
    """The options of one ``qenergy simon`` run (the command line's, by name; units in the field names).

    ``n`` None is allowed only with a ``table:PATH`` oracle; ``classical`` ``"default"`` is ``weight-cover``
    with ``secret_weight``, else ``birthday``; ``ledger`` None keeps the charges in memory only.
    ``announce_estimate``: tell ``notify`` the Aer time estimate of a slow ``fake:NAME`` run (the text
    output does, ``--json`` does not); ``progress``: the parallel walks show progress on standard error.
    """

    n: int | None
    secret: int | str | None = None
    oracle: str = "linear"
    backend: str = "auto"
    classical: str = "default"
    seed: int | None = None
    noise: str | None = None
    shots_budget: int | None = None
    workers: int | None = None
    scheduler: str | None = None
    ledger: Path | None = None
    dd: str = "none"
    mitigate: str = "none"
    max_minutes: float = 2.0
    secret_weight: int | None = None
    temperature_k: float = 300.0
    epsilon: float = 1e-6
    steps: int = 1000
    gate_energy_j: float = 0.0
    classical_model: str | ClassicalLowerBound = "irreversible"
    success: Fraction = DEFAULT_SUCCESS
    command: str = ""
    announce_estimate: bool = True
    progress: bool = False


@dataclass(frozen=True)
class SimonReport:
    """What one ``qenergy simon`` run did and charged; [`to_dict`][to_dict] is the command's ``--json`` object.

    Attributes:
        run: both sides and their charges (`qenergy.app.experiment.SimonRun`).
        quantum_model, classical_model: the policy's bounds, described.
        success: the classical success probability of the lower bound and the criterion.
        quantum_upper_j: the quantum upper bound of one run at n, in joules (basis ``upper_bound``).
        classical_lower: the classical lower bound at n, in joules (basis ``lower_bound``; any size).
        verdict: the criterion (None when the quantum side was skipped or charged nothing).
        own_energy_j: the run's own energy (the measure window's exclusive joules), basis ``own_energy_basis``.
        apportioned: True when ``own_energy_j`` is a CPU-time share of a whole-host reading.
        own_energy_source: the provenance of the own-energy charge.
        excludes: what the own energy leaves out ("" when nothing).
        theoretical_j: the run's theoretical charges per basis (``upper_bound``, ``lower_bound``), never summed across bases.
        noise_model: ``quantum.noise_model`` (None without a quantum side).
        readout_mitigation: ``quantum.readout_mitigation`` with ``--mitigate readout`` (else None).
        ledger_path: the ledger file (None: in memory only); ledger_run: this run's index in it.
        totals_j, totals_kTln2: this run's ledger totals per account and basis.
    """

    run: SimonRun
    quantum_model: str
    classical_model: str
    success: Fraction
    quantum_upper_j: float
    classical_lower: Magnitude
    verdict: Verdict | None
    own_energy_j: float
    own_energy_basis: str
    apportioned: bool
    own_energy_source: str
    excludes: str
    theoretical_j: dict[str, float]
    noise_model: dict[str, Any] | None
    readout_mitigation: dict[str, Any] | None
    ledger_path: Path | None
    ledger_run: int
    totals_j: dict[str, dict[str, float]]
    totals_kTln2: dict[str, dict[str, float]]

    @property
    def unit_j(self) -> float:
        """k_B·T·ln 2 at the run's temperature, in joules."""
        return landauer_bit_energy(self.run.temperature_k)

    @property
    def ratios(self) -> dict[str, float | None]:
        """The run's own energy ÷ its theoretical charges of each basis (None where those charges are 0)."""
        return {b: self.own_energy_j / j if j > 0 else None for b, j in self.theoretical_j.items()}

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy simon --json`` object (keys in the command's order)."""
        out = self.run.to_dict()
        if out["quantum"] is not None:
            out["quantum"]["noise_model"] = self.noise_model
            if self.readout_mitigation is not None:
                out["quantum"]["readout_mitigation"] = self.readout_mitigation
        out["measured"] = {"basis": self.own_energy_basis, "joules": self.own_energy_j, "source": self.own_energy_source,
                           "apportioned": self.apportioned, "excludes": self.excludes or None,
                           "theoretical_j": dict(self.theoretical_j),
                           **{f"ratio_to_{b}": r for b, r in self.ratios.items()}}
        out["bounds"] = {
            "quantum_model": self.quantum_model,
            "classical_model": self.classical_model,
            "success": str(self.success),
            "secret_weight": self.run.secret_weight,
            "quantum_upper_j": self.quantum_upper_j,
            **self.classical_lower.fields("classical_lower_j"),
            "criterion": self.verdict.to_dict() if self.verdict else None,
        }
        out["ledger"] = {
            "path": str(self.ledger_path) if self.ledger_path is not None else None,
            "run": self.ledger_run,
            "totals_j": self.totals_j,
            "totals_kTln2": self.totals_kTln2,
        }
        return out


def _usable_cpus() -> int:
    """Processes this machine runs at once for this process (its CPU affinity where the OS tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_simon_command(request: SimonRequest, notify: Callable[[str], None] = lambda _text: None) -> SimonReport:
    """Run one Simon instance on both sides as ``qenergy simon`` does, and report it.

    Every input is checked, the instance and circuit built and the policy's bounds computed before
    the ledger (``request.ledger``) is opened: a refused run writes nothing. ``notify`` receives the
    notices, one line each without the ``qenergy: note:`` prefix, in order: the Aer time estimate of a
    slow ``fake:NAME`` run (with ``announce_estimate``), ``--workers`` capped to this machine, an
    incomplete ledger line set aside.

    Raises:
        InputError: a bad option (``--n`` missing for a generated oracle, ``--workers``/``--scheduler``
            without ``parallel-rho``, anything `plan_simon` refuses,
            no Dask scheduler at ``scheduler``).
        LedgerError: the ledger cannot be opened or appended to.
        QenergyError: a run that fails; the ledger then marks the run interrupted (``error``).
        KeyboardInterrupt: Ctrl-C or SIGTERM during the run; the ledger marks the run interrupted first.
    """
    r = request
    if r.n is None and not r.oracle.startswith("table:"):
        raise InputError("--n is required for the linear and random oracles; allowed: n >= 1")
    plan = plan_simon(r.n, secret=r.secret, oracle=r.oracle, backend=r.backend, algorithm=r.classical, seed=r.seed,
                      noise=r.noise, shots_budget=r.shots_budget, dd=r.dd, mitigate=r.mitigate, max_minutes=r.max_minutes,
                      secret_weight=r.secret_weight)
    if plan.local_estimate_s is not None and plan.local_estimate_s > 10 and r.announce_estimate:
        notify(f"{r.backend}: Aer's device model is estimated to take about {plan.local_estimate_s:.0f} s a round (estimated)")
    if r.workers is not None or r.scheduler is not None:
        if r.classical != "parallel-rho" or plan.algorithm is None:
            raise InputError(f"--workers/--scheduler with --classical {plan.algorithm.name if plan.algorithm else r.classical} is not allowed; allowed: --classical parallel-rho")
        workers = r.workers
        cpus = _usable_cpus()
        if workers is not None and r.scheduler is None and workers > max(2, cpus):
            notify(f"--workers {workers} capped to {max(2, cpus)}: this machine runs {cpus} process(es) at once, and more "
                   "local Dask workers than that only compete for it")
            workers = max(2, cpus)
        search: Any = plan.algorithm  # a dataclass (ParallelRho); the ClassicalAlgorithm protocol does not say so
        algorithm = dataclasses.replace(search, workers=workers, scheduler=r.scheduler, progress=r.progress)
        algorithm.check(plan.instance)
        if r.scheduler is not None:  # reached (handshake included) before the ledger is opened: no phantom run
            from qenergy.classical.parallel_rho import probe_scheduler

            probe_scheduler(r.scheduler)
        plan.algorithm = algorithm
    n, t = plan.instance.n, r.temperature_k
    policy = BoundsPolicy.from_settings(epsilon=r.epsilon, steps=r.steps, gate_energy_j=r.gate_energy_j,
                                        classical_model=r.classical_model, family=oracle_family(r.oracle))
    # everything that can fail is computed before the first charge is written
    w = plan.instance.secret_weight
    quantum_upper_j = policy.quantum.energy_j(n, t, secret_weight=w)
    classical_lower = policy.classical.energy(n, t, r.success, secret_weight=w)
    if r.ledger is not None:
        ledger = open_ledger(r.ledger, t, seed=plan.seed, command=r.command, notify=notify)
    else:
        ledger = Ledger(t, seed=plan.seed, command=r.command)
    # walks sent to a cluster given by address run on other processes (maybe other machines), which no meter here reads
    excludes = (f"excludes the energy of the remote Dask workers of --scheduler {r.scheduler} (not measured)"
                if r.scheduler is not None else "")
    with ledger:
        try:
            # its own-energy charge is written also when the run stops early
            with measure(ledger, "simon", note=excludes) as window:
                run = run_planned(plan, ledger, policy=policy)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the ledger says this run did not finish
            ledger.mark_interrupted(signal_name(exc), getattr(exc, "qenergy_details", {}))
            raise
        except QenergyError as exc:
            ledger.mark_interrupted("error", {"error": one_line(str(exc))})
            raise
        verdict = criterion(run.quantum_energy_j, n, classical_lower) if run.quantum_energy_j else None
        # what the charges alone do not say (the instance, each side's answer, the criterion), for `qenergy report`
        ledger.note("simon", run_note(run, success=r.success, criterion=verdict.to_dict() if verdict else None))
    noise_model = mitigation = None
    if run.quantum is not None:
        from qenergy.circuits.twin import noise_model_fields, readout_mitigation

        spec = getattr(plan.prepared, "noise", None)
        noise_model = noise_model_fields(r.backend, spec, dd=plan.dd, mitigation=plan.mitigate)
        if plan.mitigate == "readout":
            mitigation = readout_mitigation(plan.prepared, run.quantum.found if run.quantum.solved else None)
    # the run's own energy against each basis of the theoretical charges, never against their sum
    mine = ledger.select(run=ledger.current_run)
    theory = {b: math.fsum(c.energy_j for c in mine if c.basis == b) for b in THEORY_BASES}
    return SimonReport(
        run=run, quantum_model=policy.quantum.describe(), classical_model=policy.classical.describe(), success=r.success,
        quantum_upper_j=quantum_upper_j, classical_lower=classical_lower, verdict=verdict,
        own_energy_j=window.exclusive_j, own_energy_basis=window.basis, apportioned=window.apportioned,
        own_energy_source=ledger.charges[-1].provenance, excludes=excludes, theoretical_j=theory,
        noise_model=noise_model, readout_mitigation=mitigation, ledger_path=r.ledger, ledger_run=ledger.current_run,
        totals_j=ledger.totals_j(run=ledger.current_run), totals_kTln2=ledger.totals_kTln2(run=ledger.current_run),
    )
