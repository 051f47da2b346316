"""``qenergy advantage``: the practical energy crossover (real QPU power, measured classical joules) beside the theoretical one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from qenergy.app.cli.options import _add_energy_options, _checked, _int_at_least, _nonnegative, _path, parse_n_range
from qenergy.app.cli.output import _notice, _print_table, print_json
from qenergy.errors import InputError
from qenergy.hardware.qpu import DEFAULT_QPU_PRESET, QPU_PRESETS


def _n_range(text: str) -> list[int]:
    from qenergy.app.practical import MAX_ADVANTAGE_N

    ns = parse_n_range(text)
    if ns[0] < 2 or ns[-1] > MAX_ADVANTAGE_N:
        raise InputError(f"range {text} is not allowed; allowed: 2 <= n <= {MAX_ADVANTAGE_N}")
    return ns


def _preset(text: str) -> str:
    from qenergy.hardware.qpu import get_qpu_preset

    return get_qpu_preset(text).name


def _noise(text: str) -> Any:
    from qenergy.hardware.noise import parse_noise

    return parse_noise(text)


def _algorithm(text: str) -> str:
    from qenergy.app.practical import PRACTICAL_ALGORITHMS

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
    a.add_argument("--seeds", type=_int_at_least("--seeds", 1, 10_000), default=16, metavar="K",
                   help="with --noise: solver runs per n of the measured noise scan (default: 16)")
    a.add_argument("--scan-seconds", type=_checked("--scan-seconds", _nonnegative), default=300.0, metavar="S",
                   help="with --noise: wall-clock budget of the scan's new runs, per scan (default: 300; cached runs are free)")
    a.add_argument("--requirements", type=_int_at_least("--requirements", 2, 1024), default=None, metavar="N",
                   help="with --noise device:fake:NAME: the largest error scale of the twin at which the mid practical crossover is <= N")
    a.add_argument("--classical", type=_checked("--classical", _algorithm), default="birthday",
                   help="classical algorithm measured on this machine: birthday | parallel-rho (default: birthday)")
    a.add_argument("--secret-weight", type=_int_at_least("--secret-weight", 1, 1024), default=None, metavar="W",
                   help="restricted problem: the secret has Hamming weight at most W >= 1 (restricted shots, bounds and the weight-cover search's queries)")
    a.add_argument("--remeasure", action="store_true", help="measure the classical joules per query again instead of using the cached figure")
    a.add_argument("--from-ledger", type=_path("--from-ledger"), default=None, metavar="PATH",
                   help="place a QPU run (a ledger written by `qenergy simon --backend fake:NAME|ibm:NAME --ledger PATH`) on the comparison")
    a.add_argument("--run", type=_int_at_least("--run", 0), default=None, metavar="K",
                   help="with --from-ledger: the ledger's run K (needed when several runs hold QPU jobs)")
    a.add_argument("--sensitivity", action="store_true", help="also vary each QPU parameter over its range (in --out's report and --json)")
    a.add_argument("--out", type=_path("--out"), default=None, metavar="DIR", help="write report.md, advantage.csv and advantage.png into DIR")
    a.add_argument("--force", action="store_true", help="with --out: replace files there that qenergy advantage did not write")
    a.add_argument("--ledger", type=_path("--ledger"), default=None, metavar="PATH",
                   help="JSON Lines ledger to create or append to: the result is recorded as a note (shown by qenergy report)")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    _add_energy_options(a)


def _cmd_advantage(args: argparse.Namespace, command: str) -> int:
    from qenergy.app.advantage_command import AdvantageRequest, run_advantage_command
    from qenergy.app.practical import cross_text
    from qenergy.hardware.noise import NoiseSpec
    from qenergy.problem.kernels import kernel_note

    request = AdvantageRequest(
        args.n, qpu=args.qpu, noise=args.noise if args.noise is not None else NoiseSpec(), success=args.success, classical=args.classical,
        secret_weight=args.secret_weight, seeds=args.seeds, scan_seconds=args.scan_seconds, requirements=args.requirements,
        remeasure=args.remeasure, from_ledger=args.from_ledger, run=args.run, sensitivity=args.sensitivity, out=args.out, force=args.force,
        ledger=args.ledger, temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
        classical_model=args.classical_model, command=command)
    progress = (lambda text: print(f"qenergy: {text}", file=sys.stderr)) if not args.json and sys.stderr.isatty() else None
    report = run_advantage_command(request, notify=_notice, progress=progress)
    if args.json:
        print_json(report.to_dict())
        return 0
    result, fit, cached, reqs, sens, paths = report.result, report.fit, report.fit_cached, report.requirements, report.sensitivity, report.paths
    preset, noise, scan = result.preset, result.noise, result.scan
    this = fit.machine_entry()
    weight = (f"; restricted problem wt(s) <= {args.secret_weight} (restricted shots and bounds, weight-cover queries priced at "
              f"{args.classical}'s measured J/query)") if args.secret_weight is not None else ""
    print(f"QPU preset {preset.name}: {preset.title}; noise {noise.describe()}; utilisation {preset.value('utilisation'):.2g} "
          f"(low/high {preset.value('utilisation', 'low'):.2g}/{preset.value('utilisation', 'high'):.2g}); success {result.success:.4g}{weight}")
    if scan is not None:
        _print_scan(result)
    print(f"classical: {args.classical}, this machine {this.j_per_query:.3g} J/query ({this.basis}, "
          f"{'cached ' + fit.date if cached else 'measured now'}); presets " +
          ", ".join(f"{m.name} {m.j_per_query:.3g}" for m in result.machines if m.name != "this-machine"))
    note = kernel_note(fit.kernel)
    print("this machine by kernel: " + "; ".join(
        f"{k['kernel']}{' (used)' if k['used'] else ''} {k['j_per_query']:.3g} J/query, {k['queries_per_s'] / 1e6:.3g} M queries/s"
        + ("" if k["used"] else f" ({k['j_per_query_over_used']:.3g}x the J/query)")
        + ("" if k["crossover_this_machine"] is None else f", QPU (mid) below it from n = {k['crossover_this_machine']}")
        for k in result.kernel_table()) + (f" ({note})" if note else ""))
    rows = [("n", "shots (source)", "QPU J low/mid/high (estimated)", "classical J low/mid/high", "quantum upper [J]", "classical lower [J]")]
    step = max(1, len(result.rows) // 24)
    for r in result.rows[::step] + ([result.rows[-1]] if (len(result.rows) - 1) % step else []):
        q = "/".join("–" if r.quantum_j[s] is None else f"{r.quantum_j[s]:.2e}" for s in ("low", "mid", "high"))
        c = "/".join(f"{r.classical_j[s]:.2e}" for s in ("low", "mid", "high"))
        rows.append((str(r.n), ("–" if r.shots is None else f"{r.shots:.0f}") + f" ({r.shots_source})", q, c, f"{r.bound.quantum_upper_j:.2e}", r.bound.classical_lower.text()))
    _print_table(rows)
    print(f"crossover: theoretical {result.crossover_text('theoretical')}; practical low {result.crossover_text('low')}, "
          f"mid {result.crossover_text('mid')}, high {result.crossover_text('high')}")
    if result.ledger_run is not None:
        print(result.ledger_run.statement)
    if reqs is not None:
        _print_requirements(reqs)
    if sens:
        print("sensitivity of the mid practical crossover (parameter: low → n, high → n):")
        for s in sens:
            print(f"  {s['parameter']}: {s['low']:g} → {cross_text(s['crossover_at_low'])}, {s['high']:g} → {cross_text(s['crossover_at_high'])}")
    if paths is not None:
        print(f"wrote {paths['report']}, {paths['csv']} and {paths['plot']}")
    return 0


def _print_scan(result: Any) -> None:
    """The measured noise scan beside the analytic model (an estimate), with the fit beyond it."""
    scan, p = result.scan, result.success
    print(f"measured noise scan ({scan.spec}; {scan.seeds} runs per n; {scan.cached_points} n cached, "
          f"{scan.fresh_seconds:.0f} s of new runs): {scan.stopped}")
    model = {m["n"]: m for m in result.model_vs_measured()}
    rows = [("n", "runs", "solved", "wrong", f"shots median / P={p:.3g} quantile (measured)", "model shots (estimate)", "model ÷ measured", "s")]
    for pt in scan.points:
        m = model.get(pt.n, {})
        med, q = pt.shots_median, pt.shots_quantile(p)
        ratio = m.get("ratio_model_over_measured")
        rows.append((str(pt.n), str(pt.seeds), str(pt.solved), str(pt.wrong), f"{'–' if med is None else f'{med:.0f}'} / {'–' if q is None else f'{q:.0f}'}",
                     "–" if m.get("model_shots") is None else f"{m['model_shots']:.0f}", "–" if ratio is None else f"{ratio:.3g}",
                     f"{pt.seconds:.1f}"))
    _print_table(rows)
    f = result.shots_fit
    if f is not None:
        print(f"fit beyond the scan (estimate): ln(shots/n) = {f.a:.3g} + {f.b:.3g}·n over n = {', '.join(map(str, f.ns))}; "
              "90 % band widening with the distance extrapolated")
    print("model: the analytic multiplier (an estimate, not a bound; it assumes a corrupted shot is uniformly random and counts "
          "clean shots only); the QPU energy below uses the measured shots")


def _print_requirements(reqs: Any) -> None:
    d = reqs.to_dict()
    print(f"requirements for a mid practical crossover at n <= {reqs.target_n} on device:{reqs.device} (scales tried, best first):")
    for step in reqs.steps:
        cm = step["crossover_mid"]
        print(f"  scale {step['scale']:g}: crossover {'none in range' if cm is None else f'n = {cm}'}; scan n = "
              f"{step['scanned_n'][0] if step['scanned_n'] else '–'}..{step['scanned_n'][-1] if step['scanned_n'] else '–'} ({step['scan_stopped']})")
    u = d["device_units"]
    if reqs.scale is None:
        print(f"  no scale tried reaches it: even the best device tried (scale {min(s['scale'] for s in reqs.steps):g}) crosses later")
    else:
        def t(v: float | None) -> str:
            return "∞ (ideal)" if v is None else f"{v * 1e6:.3g} µs"

        print(f"  largest scale: {reqs.scale:g}: median two-qubit error {u['two_qubit_error_median']:.3g} (today "
              f"{u['today']['two_qubit_error_median']:.3g}), median readout error {u['readout_error_median']:.3g} (today "
              f"{u['today']['readout_error_median']:.3g}), median T1 {t(u['t1_median_s'])}, T2 {t(u['t2_median_s'])}")
    print(f"  {reqs.beyond_device}")
    pw = reqs.power_w_max
    print("  with today's noise: " + ("no QPU power suffices (success not reached at some n >= N)" if pw is None else
                                      f"a QPU drawing at most {pw / 1e3:.3g} kW (the preset draws {reqs.power_w_preset / 1e3:.3g} kW) "
                                      f"would cross by n = {reqs.target_n}"))
