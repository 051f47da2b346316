"""Command line: ``qenergy simon``, ``bounds``, ``sweep`` and ``demo``.

Bad input exits with status 2 and one plain line naming the bad value and what is
allowed; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import shlex
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

from .bounds import CLASSICAL_MODELS, ClassicalLowerBound, OracleFamily, QuantumUpperBound, oracle_family, parse_classical_model
from .charging import BoundsPolicy
from .counts import parse_probability
from .erasure import FiniteStepErasure, check_epsilon
from .errors import InputError, QenergyError, shorten
from .ledger import Ledger
from .magnitude import Magnitude
from .meter import measure
from .physics import check_temperature, convert_energy, landauer_bit_energy
from .secrets import redact

DEMO_NS = range(2, 11)
DEMO_SEED = 2026


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors on one line (no usage block) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        one_line = " ".join(message.split())
        if len(one_line) > 300:
            one_line = one_line[:299] + "…"
        self.exit(2, redact(f"qenergy: error: {one_line}\n"))


def _checked(flag: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type that turns an :class:`InputError` into a one-line message naming ``flag``."""

    def run(text: str) -> Any:
        try:
            return parse(text)
        except InputError as exc:
            message = str(exc)
            raise argparse.ArgumentTypeError(message if text in message else f"{shorten(text)!r}: {message}") from None

    return run


def _int_at_least(flag: str, minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise InputError(f"not an integer; allowed: an integer >= {minimum}") from None
        if value < minimum:
            raise InputError(f"not allowed; allowed: an integer >= {minimum}")
        return value

    return _checked(flag, parse)


def parse_n_range(text: str) -> list[int]:
    """``A:B`` (inclusive), ``A:B:STEP`` or a single ``N``, every n >= 1."""
    parts = text.split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise InputError("allowed: N, A:B or A:B:STEP with integers n >= 1") from None
    if len(nums) == 1:
        nums = [nums[0], nums[0]]
    if len(nums) not in (2, 3) or nums[0] < 1 or nums[1] < nums[0] or (len(nums) == 3 and nums[2] < 1):
        raise InputError("allowed: N, A:B or A:B:STEP with 1 <= A <= B and STEP >= 1")
    if nums[1] > MAX_N:
        raise InputError(f"n = {nums[1]} is too large; allowed: n <= {MAX_N:,}")
    values = range(nums[0], nums[1] + 1, nums[2] if len(nums) == 3 else 1)
    if len(values) > MAX_RANGE_VALUES:
        raise InputError(f"the range holds {len(values):,} values; allowed: at most {MAX_RANGE_VALUES:,}")
    return list(values)


#: Largest n any range accepts, and most values in one range.
MAX_N = 1_000_000
MAX_RANGE_VALUES = 100_000
#: Seconds of exact arithmetic ``bounds`` may take: q_min(n) needs an integer square root of
#: an n-bit number, about 0.26 s at n = 10⁶ and quadratic in n.
MAX_BOUNDS_WORK_S = 60.0


def bounds_work_s(ns: Sequence[int]) -> float:
    """Estimated seconds of exact arithmetic for the bounds at every n of ``ns``."""
    return math.fsum(2.6e-13 * n * n + 2e-6 for n in ns)


def _add_energy_options(p: argparse.ArgumentParser, *, success: bool = True) -> None:
    g = p.add_argument_group("energy model")
    g.add_argument("--temperature", type=_checked("--temperature", lambda t: check_temperature(_float(t))), default=300.0,
                   help="bath temperature in kelvin, > 0 (default: 300)")
    g.add_argument("--epsilon", type=_checked("--epsilon", lambda t: check_epsilon(_float(t))), default=1e-6,
                   help="reset error of the finite-step erasure, 0 < epsilon < 0.5 (default: 1e-6)")
    g.add_argument("--steps", type=_int_at_least("--steps", 1), default=1000, help="steps N of the finite-step erasure (default: 1000)")
    g.add_argument("--gate-energy", type=_checked("--gate-energy", _nonnegative), default=0.0,
                   help="imperfection energy per quantum gate in joules (default: 0)")
    g.add_argument("--classical-model", type=_checked("--classical-model", parse_classical_model), default="irreversible",
                   help=f"classical lower bound: {' | '.join(CLASSICAL_MODELS)} (default: irreversible)")
    if success:
        g.add_argument("--success", type=_checked("--success", lambda t: parse_probability(t, name="success")), default=Fraction(2, 3),
                       help="success probability for the classical lower bound, e.g. 2/3 (default)")


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError("not a number") from None


def _nonnegative(text: str) -> float:
    v = _float(text)
    if not math.isfinite(v) or v < 0:
        raise InputError("allowed: a finite value >= 0")
    return v


def build_parser() -> argparse.ArgumentParser:
    """The ``qenergy`` argument parser (also the source of the CLI reference)."""
    p = _Parser(prog="qenergy", description="Energy costs of Simon's problem, quantum against classical, on one ledger.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("simon", help="run Simon's algorithm and a classical search on one instance")
    s.add_argument("--n", type=_int_at_least("--n", 1), default=None, help="number of bits n >= 1 (a table file may set it)")
    s.add_argument("--secret", default=None, help="hidden period s: decimal, 0b... or 0x... (default: random non-zero from the seed)")
    s.add_argument("--oracle", default="linear", help="linear | random | table:PATH (default: linear)")
    s.add_argument("--backend", default="auto", help="auto | aer | cirq | stim | exact | fake:NAME | ibm:NAME | none (default: auto = stim for linear oracles, else aer)")
    s.add_argument("--classical", default="birthday", help="birthday | exhaustive | rho | none (default: birthday)")
    s.add_argument("--seed", type=_int_at_least("--seed", 0), default=None, help="integer >= 0 (default: fresh, recorded in the ledger)")
    s.add_argument("--ledger", type=Path, default=None, help="JSON Lines ledger to create or append to")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    _add_energy_options(s)

    b = sub.add_parser("bounds", help="quantum upper against classical lower bound over a range of n")
    b.add_argument("--n", type=_checked("--n", parse_n_range), default=parse_n_range("2:64"), help="range A:B[:STEP] (default: 2:64)")
    fmt = b.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    _add_energy_options(b)

    w = sub.add_parser("sweep", help="real runs at each n on both sides, with report and plot")
    w.add_argument("--n", type=_checked("--n", parse_n_range), default=parse_n_range("2:12"), help="range A:B[:STEP] (default: 2:12)")
    w.add_argument("--backend", default="auto", help="auto | aer | cirq | stim | exact | fake:NAME | ibm:NAME | none (default: auto)")
    w.add_argument("--classical", default="birthday", help="birthday | exhaustive | rho | none (default: birthday)")
    w.add_argument("--oracle", default="linear", help="linear | random (default: linear)")
    w.add_argument("--repeats", type=_int_at_least("--repeats", 1), default=3, help="instances per n (default: 3)")
    target = w.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="output directory (sweep.json, ledger.jsonl, results.csv, report.md, advantage.png)")
    target.add_argument("--resume", type=Path, metavar="DIR", help="continue the sweep in DIR with its own settings, skipping finished points")
    w.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="integer >= 0 (default: 0)")
    where = w.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_int_at_least("--workers", 1), default=None, help="run on a Dask LocalCluster with K worker processes")
    where.add_argument("--scheduler", default=None, help="run on an existing Dask cluster at tcp://HOST:PORT")
    w.add_argument("--scheduler-timeout", type=_checked("--scheduler-timeout", _positive_seconds), default=10.0, metavar="SECONDS",
                   help="how long to try reaching --scheduler before giving up, > 0 (default: 10)")
    w.add_argument("--force", action="store_true",
                   help="replace results.csv, report.md, advantage.png and sweep.json in the directory even when qenergy did not "
                        "write them (ledger.jsonl is only ever appended to)")
    w.add_argument("--json", action="store_true", help="print one JSON object (no progress bar)")
    w.add_argument("--grid", nargs="?", const="", default=None, metavar="KEY=VALUE,...",
                   help="also run the weather-year grid model (its parameters, e.g. years=3,days=28) and report the "
                        "carbon range of this sweep's own energy across weather years")
    _add_energy_options(w)

    sub.add_parser("models", help="list the plug-in models")
    mo = sub.add_parser("model", help="run a plug-in model on the ledger")
    mo.add_argument("name", help="model name (see qenergy models)")
    mo.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a model parameter (repeatable)")
    mo.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="integer >= 0 (default: 0)")
    mo.add_argument("--ledger", type=Path, default=None, help="JSON Lines ledger to create or append to")
    mo.add_argument("--json", action="store_true", help="print one JSON object")

    lg = sub.add_parser("ledger", help="read a ledger: show, summary, export")
    lsub = lg.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    show = lsub.add_parser("show", help="the header, runs and every charge")
    show.add_argument("path", type=Path)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    summ = lsub.add_parser("summary", help="totals per account, resource and basis")
    summ.add_argument("path", type=Path)
    summ.add_argument("--json", action="store_true", help="print one JSON object")
    exp = lsub.add_parser("export", help="write the charges as CSV and/or a CodeCarbon-style emissions.csv")
    exp.add_argument("path", type=Path)
    exp.add_argument("--csv", type=Path, default=None, help="file for every charge as a CSV row")
    exp.add_argument("--codecarbon", type=Path, default=None, help="file for CodeCarbon's emissions.csv columns")
    exp.add_argument("--carbon", type=Path, default=None, help="file for energy, PUE, intensity and CO2e per account")
    exp.add_argument("--country", default=None, help="ISO-3 country code for the bundled grid intensity (default: world average)")
    exp.add_argument("--intensity", type=_checked("--intensity", _nonnegative), default=None,
                     help="grid intensity in g CO2e/kWh, overriding --country (default: the country's, else 475 world average)")
    exp.add_argument("--pue", type=_checked("--pue", _nonnegative), default=1.0, help="facility PUE for measured energy (default: 1)")
    exp.add_argument("--force", action="store_true", help="replace output files that already exist (never the ledger itself)")

    d = sub.add_parser("demo", help="n = 2..10 on the local Aer simulator against birthday search")
    d.add_argument("--seed", type=_int_at_least("--seed", 0), default=DEMO_SEED, help=f"integer >= 0 (default: {DEMO_SEED})")
    d.add_argument("--dir", type=Path, default=Path("qenergy-demo"), help="where the ledger is written (default: ./qenergy-demo)")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _policy(args: argparse.Namespace, family: OracleFamily = "linear") -> BoundsPolicy:
    quantum = QuantumUpperBound(FiniteStepErasure(args.epsilon, args.steps), gate_energy_j=args.gate_energy, family=family)
    classical: ClassicalLowerBound = args.classical_model
    if isinstance(classical, str):  # argparse leaves string defaults unconverted only if type is skipped
        classical = parse_classical_model(classical)
    return BoundsPolicy(quantum, classical)


def _fmt_secret(value: int | None, n: int) -> str:
    """Binary up to n = 64; beyond, hex shortened to its first and last 8 digits (``--json`` has every digit)."""
    if value is None:
        return "-"
    if n <= 64:
        return f"{value:#0{n + 2}b}"
    digits = f"{value:0{(n + 3) // 4}x}"
    return f"0x{digits}" if len(digits) <= 20 else f"0x{digits[:8]}…{digits[-8:]}"


def _totals_text(totals: dict[str, dict[str, float]], kt: dict[str, dict[str, float]] | None = None) -> str:
    """Totals per account and basis, e.g. ``quantum 1.2e-19 J upper_bound; meter 3.4e-02 J estimated`` (bases never summed)."""
    parts = []
    for account, by_basis in totals.items():
        for basis, joules in by_basis.items():
            extra = f" ({kt[account][basis]:.0f} k_B T ln 2)" if kt is not None else ""
            parts.append(f"{account} {joules:.4e} J{extra} {basis}")
    return "; ".join(parts)


def _print_table(rows: Sequence[Sequence[str]], left: int = 0) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))).rstrip())


def _cmd_simon(args: argparse.Namespace, command: str) -> int:
    from .advantage import criterion
    from .experiment import plan_simon, run_planned

    if args.n is None and not args.oracle.startswith("table:"):
        raise InputError("--n is required for the linear and random oracles; allowed: n >= 1")
    plan = plan_simon(args.n, secret=args.secret, oracle=args.oracle, backend=args.backend, algorithm=args.classical, seed=args.seed)
    n, t = plan.instance.n, args.temperature
    policy = _policy(args, oracle_family(args.oracle))
    # everything that can fail is computed before the first charge is written
    quantum_upper_j = policy.quantum.energy_j(n, t)
    classical_lower = policy.classical.energy(n, t, args.success)
    unit = landauer_bit_energy(t)
    if args.ledger is not None:
        ledger = _open_ledger(args.ledger, t, seed=plan.seed, command=command)
    else:
        ledger = Ledger(t, seed=plan.seed, command=command)
    with ledger:
        with measure(ledger, "simon") as window:
            run = run_planned(plan, ledger, policy=policy)
    out = run.to_dict()
    theory = math.fsum(c.energy_j for c in ledger.select(run=ledger.current_run) if c.basis in ("lower_bound", "upper_bound"))
    out["measured"] = {"basis": window.basis, "joules": window.exclusive_j, "source": ledger.charges[-1].provenance,
                       "ratio_to_theoretical": window.exclusive_j / theory if theory > 0 else None}
    verdict = criterion(run.quantum_energy_j, n, classical_lower) if run.quantum_energy_j else None
    out["bounds"] = {
        "quantum_model": policy.quantum.describe(),
        "classical_model": policy.classical.describe(),
        "success": str(args.success),
        "quantum_upper_j": quantum_upper_j,
        **classical_lower.fields("classical_lower_j"),
        "criterion": verdict.to_dict() if verdict else None,
    }
    out["ledger"] = {
        "path": str(args.ledger) if args.ledger is not None else None,
        "run": ledger.current_run,
        "totals_j": ledger.totals_j(run=ledger.current_run),
        "totals_kTln2": ledger.totals_kTln2(run=ledger.current_run),
    }
    if args.json:
        print(json.dumps(out, allow_nan=False))
        return 0
    print(f"Simon's problem  n={n}  s={_fmt_secret(run.secret, n)}{f' ({run.secret})' if n <= 64 else ''}  oracle={run.oracle}  seed={run.seed}  T={t:g} K")
    rows = [("side", "method", "secret found", "correct", "queries", "charged [J]", "[k_B T ln 2]", "basis")]
    if run.quantum is not None:
        q = run.quantum
        e = run.quantum_energy_j or 0.0
        rows.append(("quantum", f"{q.metadata.backend}/{q.metadata.method}", _fmt_secret(q.found, n), "yes" if q.found == run.secret else "NO",
                     f"{q.queries} ({q.shots} shots + {q.confirmation_queries})", f"{e:.4e}", f"{e / unit:.4g}", "upper_bound"))
        if q.job_ids:
            rows.append(("qpu", f"{len(q.job_ids)} job(s)", "", "", "", f"{q.qpu_energy_j:.4e}", f"{q.qpu_energy_j / unit:.4g}", "estimated"))
    if run.classical is not None:
        c = run.classical
        e = run.classical_energy_j or 0.0
        rows.append(("classical", c.algorithm, _fmt_secret(c.found, n), "yes" if c.found == run.secret else "NO", str(c.queries),
                     f"{e:.4e}", f"{e / unit:.4g}", "lower_bound"))
    rows.append(("this run", "own energy", "", "", "", f"{window.exclusive_j:.4e}", f"{window.exclusive_j / unit:.4g}", window.basis))
    _print_table(rows, left=4)
    print(f"quantum: {policy.quantum.describe()}; classical: {policy.classical.describe()}")
    if run.quantum is not None and run.quantum.job_ids:
        q = run.quantum
        bound_q = run.quantum_energy_j or 0.0
        ratio = f"{q.qpu_energy_j / bound_q:.3g}" if bound_q > 0 else "-"
        print(f"QPU: job(s) {', '.join(q.job_ids)}; estimated wall-plug energy {q.qpu_energy_j:.4e} J "
              f"({convert_energy(q.qpu_energy_j, 'J', 'kWh'):.3g} kWh, basis estimated, account qpu), {ratio} x the upper-bound charge of the same shots; "
              f"{q.strategy} strategy, confidence {q.confidence:.3f}, {q.candidates_tried} candidate(s) tried")
    if verdict is not None:
        word = "quantum advantage" if verdict.advantage else "no advantage"
        print(f"criterion at n={n}: quantum upper-bound charge {verdict.quantum_j:.4e} J vs classical lower bound {verdict.classical_lower.text()} J "
              f"(success {args.success}): {word}, margin {verdict.margin.short(3)}")
    ratio_m = out["measured"]["ratio_to_theoretical"]
    print(f"this run's own energy ({window.basis}): {window.exclusive_j:.4e} J"
          + (f" = {ratio_m:.3g} x the theoretical charges above" if ratio_m else "") + f" [{out['measured']['source']}]")
    if args.ledger is not None:
        print(f"ledger: {args.ledger} (run {ledger.current_run})")
    return 0


def _cmd_bounds(args: argparse.Namespace) -> int:
    from .advantage import bound_table, crossover_n

    work = bounds_work_s(args.n)
    if work > MAX_BOUNDS_WORK_S:
        raise InputError(f"--n range of {len(args.n):,} sizes up to n = {max(args.n):,} needs about {work:.0f} s of exact arithmetic; "
                         f"allowed: at most {MAX_BOUNDS_WORK_S:.0f} s (use a STEP or a smaller range)")
    policy = _policy(args)
    rows = bound_table(args.n, policy.quantum, policy.classical, args.temperature, args.success)
    cross = crossover_n(rows)
    if args.json:
        print(json.dumps({
            "temperature_k": args.temperature, "epsilon": args.epsilon, "steps": args.steps, "success": str(args.success),
            "quantum_model": policy.quantum.describe(), "classical_model": policy.classical.describe(),
            "rows": [r.to_dict() for r in rows], "crossover_n": cross,
        }, allow_nan=False))
        return 0
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["n", "quantum_upper_j", "classical_lower_j", "ratio", "classical_queries"])
        w.writerows([r.n, repr(r.quantum_upper_j), r.classical_lower.csv(), r.ratio_magnitude.csv(), Magnitude.of_int(r.classical_queries).csv()]
                    for r in rows)
        return 0
    print(f"T = {args.temperature:g} K, success {args.success}; quantum: {policy.quantum.describe()}; classical: {policy.classical.describe()}")
    table = [("n", "q_min", "quantum upper [J]", "classical lower [J]", "C/Q")]
    table += [(str(r.n), Magnitude.of_int(r.classical_queries).text() if r.classical_queries >= 10**15 else str(r.classical_queries),
               f"{r.quantum_upper_j:.4e}", r.classical_lower.text(), r.ratio_magnitude.short(3)) for r in rows]
    _print_table(table)
    print(f"crossover n: {cross if cross is not None else 'none in this range'}")
    return 0


def _positive_seconds(text: str) -> float:
    """A duration in seconds: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number; allowed: seconds > 0") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{text!r} is not allowed; allowed: seconds > 0")
    return value


def _notice(message: str) -> None:
    """One ``qenergy: note: …`` line on standard error (something the user should know; not an error)."""
    print(redact(f"qenergy: note: {message}"), file=sys.stderr)


def _open_ledger(path: Path, temperature_k: float, *, seed: int | None, command: str) -> Ledger:
    """:meth:`Ledger.open`, announcing on standard error an incomplete line it set aside."""
    ledger = Ledger.open(path, temperature_k, seed=seed, command=command)
    note = ledger.recovery_note()
    if note:
        _notice(note)
    return ledger


def _cmd_sweep(args: argparse.Namespace, command: str) -> int:
    from .errors import Interrupted
    from .sweep import SweepSpec, resume_sweep, run_sweep

    grid = _grid_model(args.grid) if args.grid is not None else None  # checked before anything runs
    where = {"command": command, "workers": args.workers, "scheduler": args.scheduler, "progress": not args.json and sys.stderr.isatty(),
             "force": args.force, "scheduler_timeout_s": args.scheduler_timeout, "notify": _notice}
    directory: Path = args.resume if args.resume is not None else args.out
    try:
        if args.resume is not None:
            res = resume_sweep(args.resume, **where)
        else:
            spec = SweepSpec(tuple(args.n), args.repeats, seed=args.seed, backend=args.backend, algorithm=args.classical, oracle=args.oracle,
                             temperature_k=args.temperature, epsilon=args.epsilon, steps=args.steps, gate_energy_j=args.gate_energy,
                             classical_model=args.classical_model.spec, success=str(args.success))
            res = run_sweep(spec, args.out, **where)
        carbon = _grid_carbon(grid, res) if grid is not None else None
    except Interrupted as exc:  # Ctrl-C: one line saying how to go on, exit status 130
        print(redact(f"qenergy: {exc}"), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:  # after the points were recorded (e.g. in the grid model)
        print(redact(f"qenergy: interrupted; resume with: qenergy sweep --resume {shlex.quote(str(directory))}"), file=sys.stderr)
        return Interrupted.exit_status
    if args.json:
        print(json.dumps({"instances": res.instances, "solved": res.solved, "resumed_points": res.resumed_points, "crossover_n": res.crossover,
                          "ledger_run": res.ledger_run, "files": {k: str(v) for k, v in res.files.items()}, "rows": [r.to_dict() for r in res.bounds],
                          "own_energy_j": res.own_energy_j, "carbon_across_weather_years": carbon}))
        return 0
    if carbon is not None:
        i, c = carbon["intensity_g_per_kwh"], carbon["co2e_kg"]
        print(f"carbon across {carbon['weather_years']} weather years (design {carbon['design']}): intensity {i['min']:.3g}/{i['median']:.3g}/{i['max']:.3g} g/kWh "
              f"(min/median/max); this sweep's own {res.own_energy_j:.4g} J -> {c['min']:.3g}/{c['median']:.3g}/{c['max']:.3g} kg CO2e")
    print(f"sweep: {res.instances} instances ({res.resumed_points} already done before this run), {res.solved} solved on every side; "
          f"crossover n: {res.crossover if res.crossover is not None else 'none in range'}")
    for name, path in res.files.items():
        print(f"{name}: {path}")
    return 0


def _cmd_models() -> int:
    from .models import discover_all, param_infos

    models, broken = discover_all()
    for name, cls in models.items():
        params = ", ".join(f"{p.name}={p.default}{' ' + p.unit if p.unit else ''}" for p in param_infos(cls))
        print(f"{name:16} {cls.summary}")
        print(f"{'':16} parameters: {params}")
    for name, why in sorted(broken.items()):
        print(f"{name:16} (unavailable: {why})")
    return 0


def _cmd_model(args: argparse.Namespace, command: str) -> int:
    from .models import build_model

    raw = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--param {item!r} is not KEY=VALUE")
        raw[key.strip()] = value.strip()
    model = build_model(args.name, raw)
    temperature = float(getattr(model, "temperature", 300.0))
    ledger = _open_ledger(args.ledger, temperature, seed=args.seed, command=command) if args.ledger else Ledger(temperature, seed=args.seed, command=command)
    with ledger:
        result = model.run(ledger, seed=args.seed)
    out = {"model": args.name, "parameters": {k: v for k, v in vars(model).items()}, "result": result,
           "ledger": {"path": str(args.ledger) if args.ledger else None, "totals_j": ledger.totals_j(run=ledger.current_run)}}
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"model {args.name}: " + ", ".join(f"{k}={v}" for k, v in out["parameters"].items()))
    for key, value in result.items():
        print(f"  {key}: {value:.6g}" if isinstance(value, float) else f"  {key}: {value}")
    print("ledger totals: " + _totals_text(out["ledger"]["totals_j"]))
    return 0


def _cmd_ledger(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .ledger_export import check_output_paths, export_carbon, export_charges_csv, export_codecarbon, summary_rows

    ledger = Ledger.load(args.path)
    torn = ledger.torn_tail
    note = f"note: line {torn.line} is an incomplete write left by a crash ({torn.size} bytes); it is ignored" if torn else ""
    if args.ledger_command == "export":
        from .carbon import grid_intensity

        targets = [(flag, path) for flag, path in (("--csv", args.csv), ("--codecarbon", args.codecarbon), ("--carbon", args.carbon))
                   if path is not None]
        if not targets:
            raise InputError("ledger export needs --csv FILE, --codecarbon FILE and/or --carbon FILE")
        intensity = grid_intensity(args.country, g_per_kwh=args.intensity)
        # every output is checked before the first is written: never the ledger itself, never two
        # options naming one file, an existing file only with --force
        check_output_paths(targets, force=args.force, inputs=[args.path])
        if args.csv is not None:
            print(f"charges: {export_charges_csv(ledger, args.csv, force=args.force)}")
        if args.codecarbon is not None:
            print(f"emissions: {export_codecarbon(ledger, args.codecarbon, intensity=intensity, pue=args.pue, force=args.force)}")
        if args.carbon is not None:
            print(f"carbon: {export_carbon(ledger, args.carbon, intensity=intensity, pue=args.pue, force=args.force)} "
                  f"at {intensity.describe()}, PUE {args.pue:g}")
        return 0
    if args.ledger_command == "summary":
        rows = summary_rows(ledger)
        if args.json:
            print(json.dumps({"temperature_k": ledger.temperature_k, "runs": len(ledger.runs), "totals_j": ledger.totals_j(),
                              "totals_kTln2": ledger.totals_kTln2(), "rows": rows, "torn_tail_line": torn.line if torn else None}))
            return 0
        print(f"{args.path}: {len(ledger.runs)} run(s), {len(ledger.charges)} charges, T = {ledger.temperature_k:g} K")
        table = [("account", "resource", "basis", "count", "energy [J]", "[k_B T ln 2]")]
        table += [(r["account"], r["resource"], r["basis"], str(r["count"]), f"{r['energy_j']:.4e}", f"{r['kTln2']:.4g}") for r in rows]
        _print_table(table, left=3)
        print("totals: " + _totals_text(ledger.totals_j()))
    else:
        if args.json:
            print(json.dumps({"header": ledger.header(), "runs": [asdict(r) for r in ledger.runs],
                              "charges": [asdict(c) for c in ledger.charges], "torn_tail_line": torn.line if torn else None}))
            return 0
        print(f"{args.path}: T = {ledger.temperature_k:g} K, schema {ledger.header()['schema']}")
        for i, r in enumerate(ledger.runs):
            print(f"run {i}: {r.started}  seed {r.seed}  {r.command}")
        table = [("run", "account", "resource", "count", "unit [J]", "basis", "label", "provenance")]
        table += [(str(c.run), c.account, c.resource, str(c.count), f"{c.unit_j:.4e}", c.basis, c.label, c.provenance[:70]) for c in ledger.charges]
        _print_table(table, left=8)
    if note:
        print(note)
    return 0


def _grid_model(spec: str) -> Any:
    """The grid model built (and checked) from ``--grid KEY=VALUE,...``."""
    from .models import build_model

    if any("=" not in item for item in spec.split(",") if item.strip()):
        raise InputError(f"--grid {spec!r}: allowed: KEY=VALUE pairs separated by commas (see qenergy models)")
    params = dict(item.split("=", 1) for item in spec.split(",") if item.strip())
    return build_model("grid", {k.strip(): v.strip() for k, v in params.items()})


def _grid_carbon(model: Any, res: Any) -> dict[str, Any]:
    """Run the grid model and convert the sweep's own energy with the robust design's intensity range."""
    from .carbon import IntensityRange

    result = model.run(Ledger(300.0))
    robust = result["intensity_by_design"][-1]  # the design of the harshest weather year
    rng = IntensityRange(robust["min"], robust["median"], robust["max"], "qenergy grid model on synthetic weather years")
    carbon = {"design": robust["design"], "weather_years": len(result["years"]),
              "intensity_g_per_kwh": {"min": rng.min, "median": rng.median, "max": rng.max},
              "energy_j": res.own_energy_j, "co2e_kg": rng.co2e_kg(res.own_energy_j), "source": rng.source}
    report = res.files["report"]
    report.write_text(report.read_text(encoding="utf-8") + (
        f"\n## Carbon across weather years\n\nThe grid model's design for the harshest of {carbon['weather_years']} synthetic weather years "
        f"(design {carbon['design']}) gives an average emission intensity of {rng.min:.3g} / {rng.median:.3g} / {rng.max:.3g} g CO2e/kWh "
        f"(min / median / max over the operation years). This sweep's own energy, {res.own_energy_j:.4g} J, then carries "
        f"{carbon['co2e_kg']['min']:.3g} / {carbon['co2e_kg']['median']:.3g} / {carbon['co2e_kg']['max']:.3g} kg CO2e.\n"), encoding="utf-8")
    return carbon


def _cmd_demo(args: argparse.Namespace, command: str) -> int:
    from .advantage import bound_table, crossover_n
    from .experiment import energy_ratio, plan_simon, run_planned

    plans = [plan_simon(n, oracle="linear", backend="aer", algorithm="birthday", seed=args.seed + n) for n in DEMO_NS]
    directory: Path = args.dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--dir {str(directory)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    path = directory / "ledger.jsonl"
    policy = BoundsPolicy()
    with _open_ledger(path, 300.0, seed=args.seed, command=command) as ledger:
        runs = [run_planned(plan, ledger, policy=policy, label=f"n={plan.instance.n}") for plan in plans]
    cross = crossover_n(bound_table(range(2, 65), policy.quantum, policy.classical, 300.0))
    if args.json:
        print(json.dumps({"runs": [r.to_dict() for r in runs], "crossover_n": cross,
                          "ledger": {"path": str(path), "run": ledger.current_run, "totals_j": ledger.totals_j(run=ledger.current_run)}}))
        return 0
    print("qenergy demo: Simon's problem on Qiskit Aer against randomised birthday search, T = 300 K")
    print(f"quantum charged as an upper bound ({policy.quantum.describe()}); classical as a lower bound ({policy.classical.describe()})")
    rows = [("n", "secret", "found Q/C", "Q queries", "C queries", "Q charged [J]", "C charged [J]", "C/Q")]
    for r in runs:
        assert r.quantum is not None and r.classical is not None
        ok = f"{'ok' if r.quantum.found == r.secret else 'WRONG'}/{'ok' if r.classical.found == r.secret else 'WRONG'}"
        rows.append((str(r.n), _fmt_secret(r.secret, r.n), ok, str(r.quantum.queries), str(r.classical.queries),
                     f"{r.quantum_energy_j:.3e}", f"{r.classical_energy_j:.3e}", f"{energy_ratio(r):.2f}"))
    _print_table(rows)
    print("ledger totals: " + _totals_text(ledger.totals_j(run=ledger.current_run), ledger.totals_kTln2(run=ledger.current_run)))
    print(f"bounds crossover (quantum upper below classical lower from then on, n <= 64): n = {cross}")
    print(f"ledger: {path} (run {ledger.current_run}); next: qenergy bounds, qenergy sweep --out DIR")
    return 0


def reference_markdown() -> str:
    """The CLI reference (docs/cli.md), generated from the parser so that it cannot drift."""
    parser = build_parser()
    lines = ["# qenergy command reference", "", "Generated from the argument parser (`qenergy.cli.reference_markdown`); a test keeps this file in step.", ""]

    def walk(p: argparse.ArgumentParser, title: str) -> None:
        p.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=100)  # independent of the terminal
        lines.extend([f"## `{title}`", "", "```", p.format_help().rstrip(), "```", ""])
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{title} {name}")

    walk(parser, "qenergy")
    return "\n".join(lines)


def _value_options(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string, in the parser and its subparsers, that takes a value."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _value_options(sub)
        elif action.option_strings and action.nargs != 0:
            found.update(action.option_strings)
    return found


def _looks_negative_number(text: str) -> bool:
    if not text.startswith("-") or len(text) < 2 or text.startswith("--"):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _attach_negative_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--epsilon -1e-3`` → ``--epsilon=-1e-3``: argparse would read ``-1e-3`` as an option and
    say "expected one argument"; attached, the value reaches its check and the message names it."""
    options = _value_options(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in options and i + 1 < len(argv) and _looks_negative_number(argv[i + 1]):
            out.append(f"{token}={argv[i + 1]}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


class _RedactingStream:
    """A text stream that masks secrets (:func:`qenergy.secrets.redact`) in everything written to it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qenergy`` console script; returns the exit status.

    0 on success; 2 with one line on standard error for bad input, a damaged file or a
    closed output pipe; 130 when interrupted (Ctrl-C).
    """
    raw = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(_RedactingStream(stdout)):
            try:
                args = parser.parse_args(_attach_negative_values(raw, parser))
            except SystemExit as exc:  # --help (0) or a usage error (2, one line already printed)
                return exc.code if isinstance(exc.code, int) else 2
            return _dispatch(args, "qenergy " + shlex.join(raw))
    except QenergyError as exc:
        print(redact(f"qenergy: error: {exc}"), file=sys.stderr)
        return int(getattr(exc, "exit_status", 2))
    except BrokenPipeError:
        # the reader went away (``qenergy ledger show L | head -1``): stop writing, say so once
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        print("qenergy: error: standard output was closed before all output was written (broken pipe)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qenergy: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, command: str) -> int:
    if args.command == "simon":
        return _cmd_simon(args, command)
    if args.command == "bounds":
        return _cmd_bounds(args)
    if args.command == "sweep":
        return _cmd_sweep(args, command)
    if args.command == "ledger":
        return _cmd_ledger(args)
    if args.command == "models":
        return _cmd_models()
    if args.command == "model":
        return _cmd_model(args, command)
    return _cmd_demo(args, command)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
