"""``qenergy sweep``: real Simon instances at each n on both sides, against the bounds.

Each sweep point (n, repeat) runs through :func:`run_point` into its own in-memory
ledger, serially or on a Dask cluster (``workers`` for a ``LocalCluster``, ``scheduler``
for an existing one; Aer's own ``executor=`` option no longer fans jobs out). The
driver then appends every point's charges to the file ledger in (n, repeat) order, one
batched write per point, so a distributed sweep gives exactly the totals of a serial
one with the same seed.

Writes, in the output directory: ``ledger.jsonl`` (every charge; appended to when it
already is a qenergy ledger), ``results.csv`` (one row per side and run; appended to
when present with the same columns), ``report.md`` and ``advantage.png`` (this sweep).
"""

from __future__ import annotations

import csv
import logging
import statistics
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from tqdm import tqdm

from .advantage import BoundRow, bound_table, crossover_n
from .bounds import ClassicalLowerBound, QuantumUpperBound
from .charging import BoundsPolicy
from .errors import InputError, LedgerError
from .experiment import SimonRun, plan_simon, run_planned
from .ledger import Charge, Ledger

__all__ = ["RESULT_COLUMNS", "SweepConfig", "SweepResult", "run_point", "run_sweep"]

#: Columns of results.csv, in order.
RESULT_COLUMNS = (
    "ledger_run", "n", "repeat", "seed", "side", "method", "secret", "found", "success",
    "queries", "shots", "charged_j", "bound_j", "bound_basis", "wall_time_s",
)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced."""

    runs: list[SimonRun]
    rows: list[BoundRow]
    crossover: int | None
    ledger_run: int
    files: dict[str, Path]


def run_seed(seed: int, n: int, repeat: int) -> int:
    """The seed of run ``repeat`` at size n, derived from the sweep's seed."""
    return int(np.random.SeedSequence([seed, n, repeat]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _result_rows(run: SimonRun, repeat: int, ledger_run: int, row: BoundRow) -> list[dict[str, object]]:
    out = []
    if run.quantum is not None:
        q = run.quantum
        out.append({"side": "quantum", "method": f"{q.metadata.backend}/{q.metadata.method}", "found": q.found, "queries": q.queries,
                    "shots": q.shots, "charged_j": run.quantum_energy_j, "bound_j": row.quantum_upper_j, "bound_basis": "upper_bound",
                    "wall_time_s": q.metadata.wall_time_s})
    if run.classical is not None:
        c = run.classical
        out.append({"side": "classical", "method": c.algorithm, "found": c.found, "queries": c.queries, "shots": 0,
                    "charged_j": run.classical_energy_j, "bound_j": row.classical_lower_j, "bound_basis": "lower_bound", "wall_time_s": ""})
    for r in out:
        r.update({"ledger_run": ledger_run, "n": run.n, "repeat": repeat, "seed": run.seed, "secret": run.secret, "success": r["found"] == run.secret})
    return out


def _csv_has_rows(path: Path) -> bool:
    """True when ``path`` already holds our results; :class:`LedgerError` when it holds something else."""
    if not (path.exists() and path.stat().st_size > 0):
        return False
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    if tuple(header) != RESULT_COLUMNS:
        raise LedgerError(f"{path} exists with other columns; refusing to append (move it or choose another --out)")
    return True


def _append_csv(path: Path, rows: list[dict[str, object]]) -> None:
    exists = _csv_has_rows(path)
    with open(path, "a", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=RESULT_COLUMNS)
        if not exists:
            w.writeheader()
        w.writerows(rows)


@dataclass(frozen=True)
class SweepConfig:
    """Everything a worker needs to run one sweep point (plain, picklable data)."""

    backend: str
    algorithm: str
    oracle: str
    temperature_k: float
    quantum: QuantumUpperBound
    classical: ClassicalLowerBound
    seed: int


def run_point(config: SweepConfig, n: int, repeat: int) -> tuple[SimonRun, list[Charge]]:
    """Run one sweep point into a fresh in-memory ledger; returns the run and its charges."""
    plan = plan_simon(n, oracle=config.oracle, backend=config.backend, algorithm=config.algorithm, seed=run_seed(config.seed, n, repeat))
    ledger = Ledger(config.temperature_k, seed=plan.seed)
    run = run_planned(plan, ledger, policy=BoundsPolicy(config.quantum, config.classical), label=f"n={n} repeat={repeat}")
    return run, list(ledger.charges)


def _serial(config: SweepConfig, points: list[tuple[int, int]], progress: Any) -> Iterator[tuple[SimonRun, list[Charge]]]:
    for n, r in points:
        yield run_point(config, n, r)
        progress.update(1)


def _on_dask(config: SweepConfig, points: list[tuple[int, int]], progress: Any, workers: int | None, scheduler: str | None) -> Iterator[tuple[SimonRun, list[Charge]]]:
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
            futures = {client.submit(run_point, config, n, r, pure=False): (n, r) for n, r in points}
            done: dict[tuple[int, int], tuple[SimonRun, list[Charge]]] = {}
            for future in as_completed(futures):
                done[futures[future]] = future.result()
                progress.update(1)
        for key in points:
            yield done[key]
    finally:
        if cluster is not None:
            cluster.close()


def run_sweep(
    ns: Sequence[int],
    *,
    repeats: int,
    out: Path,
    policy: BoundsPolicy,
    temperature_k: float,
    success: Fraction,
    backend: str = "auto",
    algorithm: str = "birthday",
    oracle: str = "linear",
    seed: int = 0,
    command: str = "",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> SweepResult:
    """Run ``repeats`` instances at each n and write the ledger, results.csv, report.md and advantage.png.

    ``workers`` runs the points on a Dask ``LocalCluster`` of that many processes,
    ``scheduler`` on an existing Dask cluster; otherwise they run here, one by one.
    ``progress`` shows a progress bar on standard error.
    """
    if repeats < 1:
        raise InputError(f"--repeats {repeats} is not allowed; allowed: an integer >= 1")
    config = SweepConfig(backend, algorithm, oracle, temperature_k, policy.quantum, policy.classical, seed)
    points = [(n, r) for n in ns for r in range(repeats)]
    for n in sorted(set(ns)):  # every input error surfaces here, before anything runs or is written
        plan_simon(n, oracle=oracle, backend=backend, algorithm=algorithm, seed=run_seed(seed, n, 0))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {str(out)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    _csv_has_rows(out / "results.csv")  # refuse a foreign file before anything runs
    rows = bound_table(ns, policy.quantum, policy.classical, temperature_k, success)
    by_n = {row.n: row for row in rows}
    runs: list[SimonRun] = []
    csv_rows: list[dict[str, object]] = []
    bar = tqdm(total=len(points), disable=not progress, file=sys.stderr, unit="run", desc="sweep")
    with bar, Ledger.open(out / "ledger.jsonl", temperature_k, seed=seed, command=command) as ledger:
        source = _serial(config, points, bar) if workers is None and scheduler is None else _on_dask(config, points, bar, workers, scheduler)
        for (n, r), (run, charges) in zip(points, source):
            with ledger.batch():
                ledger.extend(charges)
            runs.append(run)
            csv_rows.extend(_result_rows(run, r, ledger.current_run, by_n[n]))
    _append_csv(out / "results.csv", csv_rows)
    cross = crossover_n(rows)
    from .plots import plot_advantage

    points_j = [(int(r["n"]), str(r["side"]), float(r["charged_j"])) for r in csv_rows]  # type: ignore[arg-type]
    title = (f"Simon's problem, T = {temperature_k:g} K, classical success {success}\n"
             f"quantum: {policy.quantum.erasure.describe()}; classical model: {policy.classical.describe()}")
    png = plot_advantage(out / "advantage.png", rows, crossover=cross, runs=points_j, title=title,
                         quantum_label=f"quantum upper bound ({policy.quantum.name})",
                         classical_label=f"classical lower bound ({policy.classical.name})")
    report = out / "report.md"
    report.write_text(_report(runs, rows, cross, policy, temperature_k, success, ledger.current_run, csv_rows), encoding="utf-8")
    return SweepResult(runs, rows, cross, ledger.current_run, {"ledger": out / "ledger.jsonl", "results": out / "results.csv", "report": report, "plot": png})


def _report(runs: list[SimonRun], rows: list[BoundRow], cross: int | None, policy: BoundsPolicy, temperature_k: float,
            success: Fraction, ledger_run: int, csv_rows: list[dict[str, object]]) -> str:
    lines = [
        "# qenergy sweep report",
        "",
        f"Temperature {temperature_k:g} K; success probability {success} for the classical lower bound; ledger run {ledger_run}.",
        "",
        f"* Quantum: {policy.quantum.describe()}.",
        f"* Classical: {policy.classical.describe()}.",
        f"* Crossover n (quantum upper bound below the classical lower bound from there on): {cross if cross is not None else 'none in range'}.",
        "",
        "These bounds are qenergy's models built on the Meier–Yamasaki framework, not the paper's theorems; see the README.",
        "The classical bound holds for the success probability above over random instances; a single lucky run",
        "can make fewer queries than q_min and so be charged less than the bound.",
        "",
        "| n | runs | solved Q/C | mean Q queries | mean C queries | mean Q charged [J] | Q upper bound [J] | mean C charged [J] | C lower bound [J] | bound ratio C/Q |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        q = [r for r in csv_rows if r["n"] == row.n and r["side"] == "quantum"]
        c = [r for r in csv_rows if r["n"] == row.n and r["side"] == "classical"]

        def mean(rs: list[dict[str, object]], key: str) -> str:
            return f"{statistics.fmean(float(r[key]) for r in rs):.4g}" if rs else "-"  # type: ignore[arg-type]

        solved = f"{sum(bool(r['success']) for r in q)}/{sum(bool(r['success']) for r in c)}"
        lines.append(f"| {row.n} | {max(len(q), len(c))} | {solved} | {mean(q, 'queries')} | {mean(c, 'queries')} | {mean(q, 'charged_j')} | "
                     f"{row.quantum_upper_j:.4g} | {mean(c, 'charged_j')} | {row.classical_lower_j:.4g} | {row.ratio:.3g} |")
    lines += ["", "Files: `results.csv` (one row per side and run), `ledger.jsonl` (every charge), `advantage.png`.", ""]
    return "\n".join(lines)
