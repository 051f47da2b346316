"""``qenergy twin``: a device twin against Aer's full device model, width by width (run by [qenergy.app.twin_command][]; printed here)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qenergy.app.cli.options import _checked, _int_at_least, parse_n_range
from qenergy.app.cli.output import _print_table

#: Shots per width by default (a difference of 0.03 is about 3 standard errors at 2,000 shots a side).
DEFAULT_TWIN_SHOTS = 2000


def _dd(text: str) -> str:
    from qenergy.circuits.noise import check_dd

    return check_dd(text)


def _mitigate(text: str) -> str:
    from qenergy.circuits.twin import check_mitigation

    return check_mitigation(text)


def add_dd_options(p: argparse.ArgumentParser) -> None:
    """``--dd`` and ``--mitigate`` (shared by ``simon`` and ``twin``)."""
    p.add_argument("--dd", type=_checked("--dd", _dd), default="none", metavar="XY4|XX|none",
                   help="dynamical decoupling in the idle windows of the scheduled circuit (device twins, fake:NAME, ibm:NAME); "
                        "on a twin it only adds gates: a Markovian model cannot show DD's refocusing (default: none)")
    p.add_argument("--mitigate", type=_checked("--mitigate", _mitigate), default="none", metavar="readout|none",
                   help="readout mitigation from the calibrated confusion matrices: the good-shot fraction and corruption rate "
                        "corrected for readout errors (default: none)")


def add_parser(sub: Any) -> None:
    """Add ``qenergy twin`` to the subcommands."""
    t = sub.add_parser("twin", help="a device twin (stim) against Aer's full device model on the same scheduled circuits")
    t.add_argument("--device", required=True, metavar="SPEC",
                   help="fake:NAME with modifiers, e.g. fake:sherbrooke or fake:sherbrooke,idle:off,scale:0.5")
    t.add_argument("--n", required=True, type=_checked("--n", parse_n_range), help="widths A:B[:STEP] (2n qubits each)")
    t.add_argument("--shots", type=_int_at_least("--shots", 2, 10**7), default=DEFAULT_TWIN_SHOTS, metavar="K",
                   help=f"shots per width on each simulator (default: {DEFAULT_TWIN_SHOTS})")
    t.add_argument("--reference", default="aer", choices=("aer", "none"),
                   help="aer: Aer with NoiseModel.from_backend (thermal relaxation on delays) on the same circuit; none: twin only (default: aer)")
    t.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help="integer >= 0: instances and routing (default: 0)")
    add_dd_options(t)
    t.add_argument("--json", action="store_true", help="print one JSON object with rows")


def _cmd_twin(args: argparse.Namespace) -> int:
    from qenergy.app.twin_command import run_twin

    def progress(text: str) -> None:
        print(f"qenergy: {text}", file=sys.stderr, flush=True)

    report = run_twin(args.device, args.n, shots=args.shots, seed=args.seed, reference=args.reference, dd=args.dd, mitigate=args.mitigate,
                      progress=progress if not args.json and sys.stderr.isatty() else None)
    if args.json:
        print(json.dumps(report.to_dict(), allow_nan=False))
        return 0
    s = report.summary
    print(f"twin {report.spec.describe()}  dd={args.dd}  mitigation={args.mitigate}  {args.shots} shots a side  seed={args.seed}")
    print(f"device: median {s.two_qubit_gate} error {s.median_two_qubit_error:.3g}, readout {s.median_readout_error:.3g}, "
          f"T1 {s.median_t1_s * 1e6:.4g} us, T2 {s.median_t2_s * 1e6:.4g} us (scale {s.scale:g})")
    head = ["n", "qubits", "twin good", "reference good", "difference", "twin [s]", "reference [s]"]
    if args.mitigate == "readout":
        head[3:3] = ["twin mitigated"]
        head.insert(5, "reference mitigated")
    table: list[tuple[str, ...]] = [tuple(head)]
    for r in report.rows:
        cells = [str(r.n), str(r.physical_qubits), f"{r.twin_good:.4f}",
                 f"{r.reference_good:.4f}" if r.reference_good is not None else "-",
                 f"{r.difference:+.4f} ± {r.stderr:.4f}" if r.difference is not None and r.stderr is not None else "-",
                 f"{r.twin_s:.3g}", f"{r.reference_s:.3g}" if r.reference_s is not None else "-"]
        if args.mitigate == "readout":
            cells[3:3] = [f"{r.twin_good_mitigated:.4f}" if r.twin_good_mitigated is not None else "-"]
            cells.insert(5, f"{r.reference_good_mitigated:.4f}" if r.reference_good_mitigated is not None else "-")
        table.append(tuple(cells))
    _print_table(table)
    print("good = fraction of shots with y·s = 0 (basis measured); difference = twin − reference ± its standard error")
    if args.dd != "none":
        print("note: on a Markovian twin DD only adds gates; its refocusing of coherent errors shows on hardware only")
    return 0
