"""``qenergy report`` on a generated ledger of 10^5 charges: the target is <= 10 s end to end.

    python benchmarks/bench_report.py              # 100,000 charges (about 20 s on 2 cores, generation included)
    python benchmarks/bench_report.py --charges 20000

The ledger is written through the real API (:meth:`qenergy.ledger.book.Ledger.open`, one batch per
run): runs of Simon-like instances (quantum queries and resets as upper bounds, classical queries
and erased bits as lower bounds, the run's own energy estimated) with the run notes ``qenergy
simon`` writes, and sweep-like runs whose points carry the notes ``qenergy sweep`` writes. Timed,
each in a fresh subprocess (imports included, as a user runs them): ``qenergy report LEDGER``
against what a user would otherwise run to read the same ledger, ``qenergy ledger summary`` and
``qenergy ledger export --csv``; wall and CPU time (the child's user + system: on a shared
machine wall time counts the other processes too); ratio = report CPU time / that CPU time.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qenergy.energy.physics import landauer_bit_energy
from qenergy.ledger.book import Charge, Ledger

#: Charges per generated instance (quantum query, quantum reset, classical query, classical erasure).
_PER_INSTANCE = 4


def generate_ledger(path: Path, *, charges: int = 100_000, runs: int = 4, temperature_k: float = 300.0) -> None:
    """Write a ledger of about ``charges`` charges in ``runs`` runs to ``path`` (a new file).

    (Few runs: each :meth:`Ledger.open` reads the whole file back first.) Even runs look like ``qenergy simon``/``demo`` runs (instances labelled ``n=K #i`` with a
    ``simon_run`` note each, the run's own energy charged to ``meter`` as estimated); odd
    runs look like a ``qenergy sweep`` (each point's charges with a ``sweep`` note of its rows).
    """
    from qenergy.app.experiment import RUN_NOTE_KEY

    unit = landauer_bit_energy(temperature_k)
    per_run = max(1, charges // runs // _PER_INSTANCE)
    for r in range(runs):
        with Ledger.open(path, temperature_k, seed=r, command=f"generated run {r}") as led, led.batch():
            sweep = r % 2 == 1
            for i in range(per_run):
                n = 2 + i % 30
                label = f"n={n} repeat={i // 30}" if sweep else f"n={n} #{i}"
                q, c = 2 * n + 3, 2 ** (n // 2 + 1)
                rows = [("quantum", "query", q, 0.0, "upper_bound", "quantum oracle call"),
                        ("quantum", "qubit_reset", q * 2 * n, unit * 1.2, "upper_bound", "reset of a work qubit"),
                        ("classical", "query", c, 0.0, "lower_bound", "classical oracle call"),
                        ("classical", "bit_erased", c * n, unit, "lower_bound", "erased input register")]
                if sweep:
                    bound_q, bound_c = q * 2 * n * unit * 1.2, c * n * unit
                    led.extend_and_note([Charge(*row, label=label) for row in rows], label, {
                        "sweep": f"generated-{r}", "n": n, "repeat": i // 30, "rows": [
                            {"side": "quantum", "charged_j": bound_q, "bound_j": bound_q, "log10_bound_j": math.log10(bound_q), "success": True},
                            {"side": "classical", "charged_j": bound_c, "bound_j": bound_c, "log10_bound_j": math.log10(bound_c), "success": True}]})
                else:
                    led.charge_many(rows, label=label)
                    led.note(label, {RUN_NOTE_KEY: {"n": n, "secret": 1, "oracle": "linear", "seed": i, "label": label, "success": "2/3",
                                                    "sides": {}, "criterion": None}})
            if not sweep:
                led.charge("meter", "cpu_time", 1, 12.5, "estimated", "CPU time x TDP share (generated)")


def _time(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the child) of ``python -m qenergy ARGV``, in seconds."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qenergy", *argv], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--charges", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        t0 = time.perf_counter()
        generate_ledger(path, charges=args.charges)
        gen_s = time.perf_counter() - t0
        n = len(Ledger.load(path).charges)
        report_s, report_cpu_s = _time(["report", str(path), "--out", str(Path(tmp) / "r0")])
        summary_s, summary_cpu_s = _time(["ledger", "summary", str(path)])
        csv_s, csv_cpu_s = _time(["ledger", "export", str(path), "--csv", str(Path(tmp) / "c.csv")])
        size = (Path(tmp) / "r0" / "report.html").stat().st_size
    print(f"ledger: {n:,} charges (generated in {gen_s:.1f} s)")
    print("command                        wall [s]  CPU [s]  ratio report/this (CPU)")
    print(f"qenergy report                 {report_s:8.2f} {report_cpu_s:8.2f}  1.00   (report.html {size / 1024:.0f} KiB; target <= 10 s)")
    print(f"qenergy ledger summary         {summary_s:8.2f} {summary_cpu_s:8.2f}  {report_cpu_s / summary_cpu_s:.2f}")
    print(f"qenergy ledger export --csv    {csv_s:8.2f} {csv_cpu_s:8.2f}  {report_cpu_s / csv_cpu_s:.2f}")


if __name__ == "__main__":
    main()
