"""``qenergy advantage``: the practical energy crossover (real QPU power, measured classical joules) beside the theoretical one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...qpu import DEFAULT_QPU_PRESET, QPU_PRESETS
from .options import _add_energy_options, _checked, _int_at_least, _path, _policy, parse_n_range
from .output import _notice, _print_table, print_json


def _n_range(text: str) -> list[int]:
    from ..practical import MAX_ADVANTAGE_N

    ns = parse_n_range(text)
    if ns[0] < 2 or ns[-1] > MAX_ADVANTAGE_N:
        raise InputError(f"range {text} is not allowed; allowed: 2 <= n <= {MAX_ADVANTAGE_N}")
    return ns


def _preset(text: str) -> str:
    from ...qpu import get_qpu_preset

    return get_qpu_preset(text).name


def _noise(text: str) -> Any:
    from ...noise import parse_noise

    return parse_noise(text)


def _algorithm(text: str) -> str:
    from ..practical import PRACTICAL_ALGORITHMS

    if text not in PRACTICAL_ALGORITHMS:
        raise InputError(f"{text!r} is not allowed; allowed: {', '.join(PRACTICAL_ALGORITHMS)}")
    return text


def add_parser(sub: Any) -> None:
    """Add ``qenergy advantage`` to the subcommands."""
    a = sub.add_parser("advantage", help="practical energy crossover: a real QPU's wall-plug energy against a real classical machine")
    a.add_argument("--n", type=_checked("--n", _n_range), default=_n_range("2:128"), help="range A:B[:STEP], 2 <= n <= 1024 (default: 2:128)")
    a.add_argument("--qpu", type=_checked("--qpu", _preset), default=DEFAULT_QPU_PRESET,
                   help=f"QPU preset: {' | '.join(QPU_PRESETS)} (default: {DEFAULT_QPU_PRESET})")
    a.add_argument("--noise", type=_checked("--noise", _noise), default=None, metavar="SPEC",
                   help="noise on the QPU: depolarize:P, readout:P, device:fake:NAME, comma-separated (default: none)")
    a.add_argument("--classical", type=_checked("--classical", _algorithm), default="birthday",
                   help="classical algorithm measured on this machine: birthday | parallel-rho (default: birthday)")
    a.add_argument("--remeasure", action="store_true", help="measure the classical joules per query again instead of using the cached figure")
    a.add_argument("--from-ledger", type=_path("--from-ledger"), default=None, metavar="PATH",
                   help="place a QPU run (a ledger written by `qenergy simon --backend fake:NAME|ibm:NAME --ledger PATH`) on the comparison")
    a.add_argument("--run", type=_int_at_least("--run", 0), default=None, metavar="K",
                   help="with --from-ledger: the ledger's run K (needed when several runs hold QPU jobs)")
    a.add_argument("--sensitivity", action="store_true", help="also vary each QPU parameter over its range (in --out's report and --json)")
    a.add_argument("--out", type=_path("--out"), default=None, metavar="DIR", help="write report.md, advantage.csv and advantage.png into DIR")
    a.add_argument("--force", action="store_true", help="with --out: replace files there that qenergy advantage did not write")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    _add_energy_options(a)


def _cmd_advantage(args: argparse.Namespace, command: str) -> int:
    from ...classical_machine import MeasurementCache
    from ...noise import NoiseSpec
    from ...qpu import get_qpu_preset
    from ..practical import (
        check_out_dir,
        circuit_timing,
        compute_advantage,
        cross_text,
        logical_cnot_counts,
        measure_classical,
        place_ledger_run,
        read_ledger_run,
        sensitivity,
        write_outputs,
    )

    preset = get_qpu_preset(args.qpu)
    noise = args.noise if args.noise is not None else NoiseSpec()
    # everything that can fail on the user's input is checked before any work or any byte written
    if args.from_ledger is not None and not Path(args.from_ledger).is_file():
        raise InputError(f"--from-ledger {str(args.from_ledger)!r} is not a file; allowed: a ledger file")
    if args.run is not None and args.from_ledger is None:
        raise InputError("--run without --from-ledger is not allowed; allowed: --from-ledger PATH --run K")
    qpu_run = read_ledger_run(Path(args.from_ledger), args.run) if args.from_ledger is not None else None
    paths = check_out_dir(Path(args.out), force=args.force, inputs=[Path(args.from_ledger)] if args.from_ledger else []) if args.out else None
    if noise.device is not None:
        from circuits.noise import device_calibration

        device_calibration(noise.device)
    policy = _policy(args)
    progress = (lambda text: print(f"qenergy: {text}", file=sys.stderr)) if not args.json and sys.stderr.isatty() else None
    cache = MeasurementCache.default()
    fit, cached = measure_classical(args.classical, cache=cache, remeasure=args.remeasure, progress=progress)
    timing = circuit_timing(preset.timing_device, cache=cache)
    for line in cache.rejected:
        _notice(line)
    cnots = logical_cnot_counts(range(2, max(args.n) + 1)) if noise.depolarize and noise.device is None else None

    def compute(p: Any) -> Any:
        return compute_advantage(args.n, p, noise=noise, success=args.success, algorithm=args.classical, fit=fit, fit_cached=cached,
                                 timing=timing, quantum=policy.quantum, classical=policy.classical, temperature_k=args.temperature,
                                 logical_cnots=cnots)

    result = compute(preset)
    if qpu_run is not None:
        import dataclasses

        result = dataclasses.replace(result, ledger_run=place_ledger_run(qpu_run, result))
    sens = sensitivity(result, compute) if args.sensitivity else []
    if paths is not None:
        write_outputs(result, paths, sens, command, force=args.force)
    if args.json:
        out = result.to_dict()
        if args.sensitivity:
            out["sensitivity"] = sens
        print_json(out)
        return 0
    this = fit.machine_entry()
    print(f"QPU preset {preset.name}: {preset.title}; noise {noise.describe()}; success {result.success:.4g}")
    print(f"classical: {args.classical}, this machine {this.j_per_query:.3g} J/query ({this.basis}, "
          f"{'cached ' + fit.date if cached else 'measured now'}); presets " +
          ", ".join(f"{m.name} {m.j_per_query:.3g}" for m in result.machines if m.name != "this-machine"))
    rows = [("n", "shots", "QPU J low/mid/high (estimated)", "classical J low/mid/high", "quantum upper [J]", "classical lower [J]")]
    step = max(1, len(result.rows) // 24)
    for r in result.rows[::step] + ([result.rows[-1]] if (len(result.rows) - 1) % step else []):
        q = "/".join("–" if r.quantum_j[s] is None else f"{r.quantum_j[s]:.2e}" for s in ("low", "mid", "high"))
        c = "/".join(f"{r.classical_j[s]:.2e}" for s in ("low", "mid", "high"))
        rows.append((str(r.n), "–" if r.shots is None else f"{r.shots:.0f}", q, c, f"{r.bound.quantum_upper_j:.2e}", r.bound.classical_lower.text()))
    _print_table(rows)
    print(f"crossover: theoretical {result.crossover_text('theoretical')}; practical low {result.crossover_text('low')}, "
          f"mid {result.crossover_text('mid')}, high {result.crossover_text('high')}")
    if result.ledger_run is not None:
        print(result.ledger_run.statement)
    if sens:
        print("sensitivity of the mid practical crossover (parameter: low → n, high → n):")
        for s in sens:
            print(f"  {s['parameter']}: {s['low']:g} → {cross_text(s['crossover_at_low'])}, {s['high']:g} → {cross_text(s['crossover_at_high'])}")
    if paths is not None:
        print(f"wrote {paths['report']}, {paths['csv']} and {paths['plot']}")
    return 0
