"""``qenergy sweep``: real Simon instances at each n on both sides, against the bounds.

Each sweep point (n, repeat) runs through :func:`run_point` into its own in-memory
ledger, serially or on a Dask cluster; on a device (``fake:``/``ibm:``) all the points'
circuits go in one batched job, charged once, and the points are then solved one by one (``workers`` for a ``LocalCluster``, ``scheduler``
for an existing one; Aer's own ``executor=`` option no longer fans jobs out). The
driver appends every point's charges to the file ledger in (n, repeat) order together
with a note holding the point's result rows, in one locked, synced write per point. So
a distributed sweep gives exactly the totals of a serial one with the same seed, and
the ledger alone says which points are done: ``--resume DIR`` runs only the others.

Writes, in the output directory: ``sweep.json`` (the sweep's settings, for resuming),
``ledger.jsonl`` (every charge and finished point; appended to when it already is a
qenergy ledger), and, rebuilt from the ledger at the end, ``results.csv`` (one row per
side and run of every sweep in the ledger), ``report.md`` and ``advantage.png`` (this sweep).
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import statistics
import sys
import uuid
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from tqdm import tqdm

from .advantage import BoundRow, bound_table, crossover_n
from .bounds import QuantumUpperBound, parse_classical_model
from .charging import BoundsPolicy
from .erasure import FiniteStepErasure
from .errors import InputError, LedgerError
from .experiment import PlannedSimon, SimonRun, plan_simon, run_planned
from .ledger import Charge, Ledger
from .ledger_export import write_csv_atomic
from .meter import measure

__all__ = ["RESULT_COLUMNS", "SweepResult", "SweepSpec", "resume_sweep", "run_point", "run_sweep"]

#: Columns of results.csv, in order.
RESULT_COLUMNS = (
    "ledger_run", "n", "repeat", "seed", "side", "method", "secret", "found", "success",
    "queries", "shots", "charged_j", "bound_j", "bound_basis", "wall_time_s", "log10_bound_j",
)
#: Columns written by earlier versions (a results.csv with them is ours and is rebuilt).
_OLD_RESULT_COLUMNS = RESULT_COLUMNS[:-1]
SPEC_FILE = "sweep.json"


@dataclass(frozen=True)
class SweepSpec:
    """Everything that defines a sweep (plain JSON-able data; also what a worker receives)."""

    ns: tuple[int, ...]
    repeats: int
    seed: int = 0
    backend: str = "auto"
    algorithm: str = "birthday"
    oracle: str = "linear"
    temperature_k: float = 300.0
    epsilon: float = 1e-6
    steps: int = 1000
    gate_energy_j: float = 0.0
    classical_model: str = "irreversible"
    success: str = "2/3"
    sweep_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def policy(self) -> BoundsPolicy:
        quantum = QuantumUpperBound(FiniteStepErasure(self.epsilon, self.steps), gate_energy_j=self.gate_energy_j)
        return BoundsPolicy(quantum, parse_classical_model(self.classical_model))

    @property
    def points(self) -> list[tuple[int, int]]:
        return [(n, r) for n in self.ns for r in range(self.repeats)]

    def save(self, directory: Path) -> None:
        tmp = directory / f".{SPEC_FILE}.tmp"
        tmp.write_text(json.dumps({**asdict(self), "ns": list(self.ns)}, indent=1), encoding="utf-8")
        os.replace(tmp, directory / SPEC_FILE)

    @classmethod
    def load(cls, directory: Path) -> "SweepSpec":
        path = directory / SPEC_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{**data, "ns": tuple(data["ns"])})
        except FileNotFoundError:
            raise InputError(f"--resume {str(directory)!r}: no {SPEC_FILE} there; allowed: the --out directory of an earlier sweep") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError(f"--resume {str(directory)!r}: {SPEC_FILE} is damaged ({type(exc).__name__})") from None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced: its result rows (from the ledger), the bounds, the crossover, the files."""

    rows: list[dict[str, Any]]
    bounds: list[BoundRow]
    crossover: int | None
    ledger_run: int
    resumed_points: int
    files: dict[str, Path]
    own_energy_j: float = 0.0
    theoretical_j: float = 0.0

    @property
    def instances(self) -> int:
        return len({(r["n"], r["repeat"]) for r in self.rows})

    @property
    def solved(self) -> int:
        """Instances every side of which found the secret."""
        by_point: dict[tuple[int, int], bool] = {}
        for r in self.rows:
            key = (r["n"], r["repeat"])
            by_point[key] = by_point.get(key, True) and bool(r["success"])
        return sum(by_point.values())


def run_seed(seed: int, n: int, repeat: int) -> int:
    """The seed of run ``repeat`` at size n, derived from the sweep's seed."""
    return int(np.random.SeedSequence([seed, n, repeat]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _plan(spec: SweepSpec, n: int, repeat: int) -> PlannedSimon:
    """The validated instance (and prepared circuit) of sweep point (n, repeat)."""
    return plan_simon(n, oracle=spec.oracle, backend=spec.backend, algorithm=spec.algorithm, seed=run_seed(spec.seed, n, repeat))


def run_point(spec: SweepSpec, n: int, repeat: int) -> tuple[SimonRun, list[Charge]]:
    """Run one sweep point into a fresh in-memory ledger; returns the run and its charges."""
    plan = _plan(spec, n, repeat)
    ledger = Ledger(spec.temperature_k, seed=plan.seed)
    label = f"n={n} repeat={repeat}"
    with measure(ledger, label):  # the point's own energy, measured or estimated, beside its bounds
        run = run_planned(plan, ledger, policy=spec.policy(), label=label)
    return run, list(ledger.charges)


def _point_rows(run: SimonRun, repeat: int, row: BoundRow) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if run.quantum is not None:
        q = run.quantum
        out.append({"side": "quantum", "method": f"{q.metadata.backend}/{q.metadata.method}", "found": q.found, "queries": q.queries,
                    "shots": q.shots, "charged_j": run.quantum_energy_j, "bound_j": row.quantum_upper_j, "bound_basis": "upper_bound",
                    "wall_time_s": q.metadata.wall_time_s, "log10_bound_j": math.log10(row.quantum_upper_j)})
    if run.classical is not None:
        c = run.classical
        out.append({"side": "classical", "method": c.algorithm, "found": c.found, "queries": c.queries, "shots": 0,
                    "charged_j": run.classical_energy_j, "bound_j": row.classical_lower.json(), "bound_basis": "lower_bound", "wall_time_s": "",
                    "log10_bound_j": row.classical_lower.log10})
    for r in out:
        r.update({"n": run.n, "repeat": repeat, "seed": run.seed, "secret": run.secret, "success": r["found"] == run.secret})
    return out


def _device_batch(spec: SweepSpec, points: list[tuple[int, int]], progress: Any) -> tuple[list[Charge], Iterator[tuple[SimonRun, list[Charge]]]]:
    """Device backends: every point's circuit in one batched job; returns the job's charges and the points."""
    from circuits.ibm_backend import sample_batch
    from circuits.simon import run_simon_batch

    plans = [_plan(spec, n, r) for n, r in points]
    labels = [f"n={n} repeat={r}" for n, r in points]
    policy = spec.policy()
    shared = Ledger(spec.temperature_k, seed=spec.seed)
    results = run_simon_batch([p.instance for p in plans], [p.prepared for p in plans], shared, sample_all=sample_batch,  # type: ignore[misc]
                              rng=np.random.default_rng(spec.seed), policy=policy, labels=labels)
    by_label: dict[str, list[Charge]] = {}
    for c in shared.charges:
        by_label.setdefault(c.label, []).append(c)

    def points_iter() -> Iterator[tuple[SimonRun, list[Charge]]]:
        for plan, label, q in zip(plans, labels, results):
            ledger = Ledger(spec.temperature_k, seed=plan.seed)
            ledger.extend(by_label.get(label, []))
            run = run_planned(plan, ledger, policy=policy, label=label, quantum=q)
            progress.update(1)
            yield run, list(ledger.charges)

    return by_label.get("batch", []), points_iter()


def _serial(spec: SweepSpec, points: list[tuple[int, int]], progress: Any) -> Iterator[tuple[SimonRun, list[Charge]]]:
    for n, r in points:
        yield run_point(spec, n, r)
        progress.update(1)


def _on_dask(spec: SweepSpec, points: list[tuple[int, int]], progress: Any, workers: int | None, scheduler: str | None) -> Iterator[tuple[SimonRun, list[Charge]]]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("distributed sweeps need Dask; allowed: pip install 'qenergy[dask]', or drop --workers/--scheduler") from None
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"--scheduler {scheduler!r} cannot be reached ({type(exc).__name__}); allowed: the address of a running Dask scheduler") from None
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
        with client:
            futures = {client.submit(run_point, spec, n, r, pure=False): (n, r) for n, r in points}
            done: dict[tuple[int, int], tuple[SimonRun, list[Charge]]] = {}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                progress.update(1)
        for key in points:
            yield done[key]
    finally:
        if cluster is not None:
            cluster.close()


def _check_csv(path: Path) -> None:
    """Refuse a results.csv that is not ours (before anything runs)."""
    if path.exists() and path.stat().st_size > 0:
        with open(path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
        if tuple(header) not in (RESULT_COLUMNS, _OLD_RESULT_COLUMNS):
            raise LedgerError(f"{path} exists with other columns; refusing to replace it (move it or choose another --out)")


def run_sweep(
    spec: SweepSpec,
    out: Path,
    *,
    command: str = "",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    resume: bool = False,
) -> SweepResult:
    """Run the sweep's points not yet in ``out``'s ledger; write results.csv, report.md and advantage.png.

    ``workers`` runs the points on a Dask ``LocalCluster`` of that many processes,
    ``scheduler`` on an existing Dask cluster; otherwise they run here, one by one.
    ``progress`` shows a progress bar on standard error. With ``resume`` the points
    already recorded for this sweep are skipped (never redone or charged twice).
    """
    if spec.repeats < 1:
        raise InputError(f"--repeats {spec.repeats} is not allowed; allowed: an integer >= 1")
    success = parse_success(spec.success)
    policy = spec.policy()
    for n in sorted(set(spec.ns)):  # every input error surfaces here, before anything runs or is written
        _plan(spec, n, 0)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {str(out)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    _check_csv(out / "results.csv")
    ledger_path = out / "ledger.jsonl"
    done: set[tuple[int, int]] = set()
    if resume and ledger_path.exists():
        done = {(nt.data["n"], nt.data["repeat"]) for nt in Ledger.load(ledger_path).notes if nt.data.get("sweep") == spec.sweep_id}
    if not resume:
        spec.save(out)
    todo = [p for p in spec.points if p not in done]
    bounds = bound_table(spec.ns, policy.quantum, policy.classical, spec.temperature_k, success)
    by_n = {row.n: row for row in bounds}
    bar = tqdm(total=len(todo), disable=not progress, file=sys.stderr, unit="run", desc="sweep")
    device = spec.backend.startswith(("fake:", "ibm:"))
    with bar, Ledger.open(ledger_path, spec.temperature_k, seed=spec.seed, command=command) as ledger:
        if device and todo:  # one batched job for all circuits; the job is charged once, to the sweep
            job_charges, source = _device_batch(spec, todo, bar)
            with ledger.batch():
                ledger.extend(job_charges)
        elif workers is None and scheduler is None:
            source = _serial(spec, todo, bar)
        else:
            source = _on_dask(spec, todo, bar, workers, scheduler)
        for (n, r), (run, charges) in zip(todo, source):
            with ledger.batch():  # the point's charges and its result rows land in one write
                ledger.extend(charges)
                ledger.note(f"n={n} repeat={r}", {"sweep": spec.sweep_id, "n": n, "repeat": r, "rows": _point_rows(run, r, by_n[n])})
        notes = ledger.notes
        run_index = ledger.current_run
        labels = {f"n={n} repeat={r}" for n, r in spec.points}
        mine = [c for c in ledger.charges if c.label in labels]
        own_j = math.fsum(c.energy_j for c in mine if c.account == "meter")
        theory_j = math.fsum(c.energy_j for c in mine if c.basis in ("lower_bound", "upper_bound"))
    all_rows = [dict(row, ledger_run=nt.run) for nt in notes if "sweep" in nt.data for row in nt.data["rows"]]
    this = [r for nt in notes if nt.data.get("sweep") == spec.sweep_id for r in (dict(row, ledger_run=nt.run) for row in nt.data["rows"])]
    this.sort(key=lambda r: (r["n"], r["repeat"], r["side"] != "quantum"))
    write_csv_atomic(out / "results.csv", RESULT_COLUMNS, all_rows)
    cross = crossover_n(bounds)
    from .plots import plot_advantage

    title = (f"Simon's problem, T = {spec.temperature_k:g} K, classical success {success}\n"
             f"quantum: {policy.quantum.erasure.describe()}; classical model: {policy.classical.describe()}")
    png = plot_advantage(out / "advantage.png", bounds, crossover=cross, runs=[(r["n"], r["side"], float(r["charged_j"])) for r in this],
                         title=title, quantum_label=f"quantum upper bound ({policy.quantum.name})",
                         classical_label=f"classical lower bound ({policy.classical.name})")
    report = out / "report.md"
    report.write_text(_report(bounds, cross, policy, spec, success, run_index, this, own_j, theory_j), encoding="utf-8")
    files = {"ledger": ledger_path, "results": out / "results.csv", "report": report, "plot": png, "spec": out / SPEC_FILE}
    return SweepResult(this, bounds, cross, run_index, len(done), files, own_j, theory_j)


def resume_sweep(out: Path, **kwargs: Any) -> SweepResult:
    """Continue the sweep recorded in ``out`` (``sweep.json`` and its ledger)."""
    return run_sweep(SweepSpec.load(out), out, resume=True, **kwargs)


def parse_success(text: str) -> Fraction:
    from .counts import parse_probability

    return parse_probability(text, name="success")


def _report(bounds: list[BoundRow], cross: int | None, policy: BoundsPolicy, spec: SweepSpec, success: Fraction,
            ledger_run: int, rows: list[dict[str, Any]], own_j: float, theory_j: float) -> str:
    lines = [
        "# qenergy sweep report",
        "",
        f"Sweep {spec.sweep_id}: n = {', '.join(map(str, spec.ns))}, {spec.repeats} repeat(s), seed {spec.seed}, "
        f"backend {spec.backend}, classical {spec.algorithm}, oracle {spec.oracle}.",
        f"Temperature {spec.temperature_k:g} K; success probability {success} for the classical lower bound; last ledger run {ledger_run}.",
        "",
        f"* Quantum: {policy.quantum.describe()}.",
        f"* Classical: {policy.classical.describe()}.",
        f"* Crossover n (quantum upper bound below the classical lower bound from there on): {cross if cross is not None else 'none in range'}.",
        f"* This testbed's own energy for these runs (account `meter`: each process's CPU-time share of its host's RAPL/NVML "
        f"energy, or estimated from CPU time; Dask workers each charge their own share): {own_j:.4g} J, {own_j / theory_j:.3g} x the theoretical charges "
        f"({theory_j:.4g} J)." if theory_j > 0 else "* No theoretical charges to compare the measured energy with.",
        "",
        "These bounds are qenergy's models built on the Meier–Yamasaki framework, not the paper's theorems; see the README.",
        "The classical bound holds for the success probability above over random instances; a single lucky run",
        "can make fewer queries than q_min and so be charged less than the bound.",
        "",
        "| n | runs | solved Q/C | mean Q queries | mean C queries | mean Q charged [J] | Q upper bound [J] | mean C charged [J] | C lower bound [J] | bound ratio C/Q |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in bounds:
        q = [r for r in rows if r["n"] == row.n and r["side"] == "quantum"]
        c = [r for r in rows if r["n"] == row.n and r["side"] == "classical"]

        def mean(rs: list[dict[str, Any]], key: str) -> str:
            return f"{statistics.fmean(float(r[key]) for r in rs):.4g}" if rs else "-"

        solved = f"{sum(bool(r['success']) for r in q)}/{sum(bool(r['success']) for r in c)}"
        lines.append(f"| {row.n} | {max(len(q), len(c))} | {solved} | {mean(q, 'queries')} | {mean(c, 'queries')} | {mean(q, 'charged_j')} | "
                     f"{row.quantum_upper_j:.4g} | {mean(c, 'charged_j')} | {row.classical_lower.short(4)} | {row.ratio_magnitude.short(3)} |")
    lines += ["", "Files: `results.csv` (one row per side and run), `ledger.jsonl` (every charge), `advantage.png`, `sweep.json`.", ""]
    return "\n".join(lines)
