"""Device twins against Aer's full device model: agreement, speed, idle noise, readout mitigation, the fake: price.

Usage: python benchmarks/bench_twin.py [--quick] [--aer-limit SECONDS]   (prints Markdown; a few minutes)

* A. Agreement and speed: ``qenergy.circuits.twin.compare_twin`` per n on fake:sherbrooke and fake:guadalupe:
  the stim twin and Aer with ``NoiseModel.from_backend`` (thermal relaxation on delays, asymmetric
  readout) run the *same* routed, ALAP-scheduled circuit; good-shot fractions (y·s = 0), their
  difference ± standard error, and seconds (twin: conversion + sampling; Aer: model + run). A device
  stops after the first n whose Aer run exceeds ``--aer-limit`` (default 60 s). The ratio at the
  largest n Aer finished within the limit is the issue's "≥ 100×" target.
* B. The 127-qubit twin at n = 60 with idle noise: routing + scheduling + conversion, then 1,300
  shots (the default budget 20n + 100), and one whole ``qenergy simon`` run (target ≤ 30 s).
* C. Idle noise and DD on the twin: good-shot fraction with idle on/off and XY4, n = 4…20.
* D. Readout mitigation: corruption raw and readout-corrected on the twin, and the shots the
  solver's planner would ask for at each rate (``shots_for_target``, an estimate): the saving
  mitigation would give a solver whose likelihood used readout-corrected rates. The current solver
  reads raw shots, so ``simon --mitigate readout`` reports the corrected rate but draws as many shots.
* E. The price of a fake: run: ``estimate_local_seconds`` against the runtime's local mode, measured.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from qenergy.circuits.noise import build_twin
from qenergy.circuits.noisy_solver import shots_for_target
from qenergy.circuits.qiskit_builder import simon_circuit
from qenergy.circuits.twin import compare_twin, estimate_local_seconds, good_fraction, mitigated_good_fraction

from qenergy.hardware.noise import parse_noise
from qenergy.problem.instance import make_instance


def section_a(devices: list[tuple[str, list[int]]], shots: int, aer_limit: float) -> list[str]:
    out = ["## A. Twin (stim) vs Aer's device model, same scheduled circuit", "",
           f"{shots} shots a side; seed 0. good = fraction of shots with y·s = 0 (measured).", "",
           "| device | n | twin good | Aer good | difference ± se | twin s | Aer s | Aer ÷ twin |", "|---|---|---|---|---|---|---|---|"]
    for device, ns in devices:
        spec = parse_noise(f"device:{device}")
        for n in ns:
            r = compare_twin(spec, n, shots=shots, seed=0)
            assert r.reference_s is not None and r.difference is not None and r.stderr is not None and r.reference_good is not None
            out.append(f"| {device} | {n} | {r.twin_good:.4f} | {r.reference_good:.4f} | {r.difference:+.4f} ± {r.stderr:.4f} | "
                       f"{r.twin_s:.3f} | {r.reference_s:.1f} | {r.reference_s / r.twin_s:,.0f}× |")
            print(out[-1], file=sys.stderr, flush=True)
            if r.reference_s > aer_limit:
                break
    return out + [""]


def section_b() -> list[str]:
    out = ["## B. The 127-qubit twin at n = 60 with idle noise", ""]
    inst = make_instance(60, None, "linear", seed=1)
    t0 = time.perf_counter()
    twin = build_twin(simon_circuit(inst), parse_noise("device:fake:sherbrooke"), seed=1)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    ys = twin.sampler(np.random.default_rng(1))(1300)
    sample = time.perf_counter() - t0
    cmd = [sys.executable, "-m", "qenergy", "simon", "--n", "60", "--backend", "stim", "--noise", "device:fake:sherbrooke",
           "--classical", "none", "--seed", "1", "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    whole = time.perf_counter() - t0
    status = "exit " + str(done.returncode)
    if done.returncode == 0:
        import json

        q = json.loads(done.stdout)["quantum"]
        status = f"{q['status']}, {q['shots']} shots"
    out += ["| step | seconds |", "|---|---|",
            f"| route + ALAP schedule + stim conversion ({len(twin.circuit)} stim instructions) | {build:.2f} |",
            f"| 1,300 shots (good fraction {good_fraction(ys, inst.secret):.3f}) | {sample:.3f} |",
            f"| whole `qenergy simon --n 60 --backend stim --noise device:fake:sherbrooke --classical none` ({status}) | {whole:.1f} |", ""]
    return out


def section_c(shots: int) -> list[str]:
    out = ["## C. Idle noise and DD on the twin (fake:sherbrooke, one instance per n, routing seed 5)", "",
           "| n | idle:off | idle:on | idle:on + XY4 | scale:0.2 idle:off | scale:0.2 idle:on |", "|---|---|---|---|---|---|"]
    for n in (4, 8, 12, 16, 20):
        inst = make_instance(n, None, "linear", seed=n)
        cells = []
        for text, dd in (("idle:off", "none"), ("", "none"), ("", "XY4"), ("scale:0.2,idle:off", "none"), ("scale:0.2", "none")):
            spec = parse_noise("device:fake:sherbrooke" + ("," + text if text else ""))
            twin = build_twin(simon_circuit(inst), spec, seed=5, dd=dd)
            cells.append(f"{good_fraction(twin.sampler(np.random.default_rng(2))(shots), inst.secret):.3f}")
        out.append(f"| {n} | " + " | ".join(cells) + " |")
    return out + ["", f"{shots} shots each (standard error ≤ {0.5 / math.sqrt(shots):.3f})", ""]


def section_d(shots: int) -> list[str]:
    out = ["## D. Readout mitigation on the twin (fake:sherbrooke)", "",
           "| n | corruption raw | corruption readout-corrected ± se | planner shots at raw rate | at corrected rate (estimated) | saved |",
           "|---|---|---|---|---|---|"]
    for n in (4, 6, 8, 12, 16):
        inst = make_instance(n, None, "linear", seed=n)
        twin = build_twin(simon_circuit(inst), parse_noise("device:fake:sherbrooke,scale:0.3"), seed=5)
        ys = twin.sampler(np.random.default_rng(3))(shots)
        raw = 1 - good_fraction(ys, inst.secret)
        good, se = mitigated_good_fraction(ys, inst.secret, twin.p1_given0, twin.p0_given1)
        fixed = max(0.0, 1 - good)
        a = shots_for_target(n, raw, 0.99, start=n, limit=10**7)
        b = shots_for_target(n, max(fixed, 1e-6), 0.99, start=n, limit=10**7)
        out.append(f"| {n} | {raw:.4f} | {fixed:.4f} ± {se:.4f} | {a:,} | {b:,} | {1 - b / a:.0%} |")
    return out + ["", f"scale:0.3 (a device 3× better), {shots} shots each. The saving is an estimate for a solver that "
                  "scores with the readout-corrected rate; the current solver reads raw shots.", ""]


def section_e(ns: list[int]) -> list[str]:
    from qenergy.circuits.noise import _load_fake
    from qenergy.circuits.simon import default_robust_shots
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer import AerSimulator

    out = ["## E. The price of a fake: run: estimate against the runtime's local mode (Aer from_backend), fake:sherbrooke", "",
           "| n | shots | estimated s | measured s | measured ÷ estimated |", "|---|---|---|---|---|"]
    backend = _load_fake("fake:sherbrooke")
    sim = AerSimulator.from_backend(backend)
    for n in ns:
        inst = make_instance(n, None, "linear", seed=n)
        isa = generate_preset_pass_manager(backend=backend, optimization_level=2, seed_transpiler=1).run(simon_circuit(inst))
        shots = default_robust_shots(n)
        est = estimate_local_seconds(isa, shots)
        t0 = time.perf_counter()
        sim.run(isa, shots=shots, seed_simulator=1).result()
        took = time.perf_counter() - t0
        out.append(f"| {n} | {shots} | {est:.2f} | {took:.2f} | {took / est:.2g} |")
        print(out[-1], file=sys.stderr, flush=True)
        if took > 60:
            break
    return out + [""]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--aer-limit", type=float, default=60.0)
    ap.add_argument("--sections", default="ABCDE")
    args = ap.parse_args()
    t0 = time.perf_counter()
    lines = [f"# bench_twin ({platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start)", ""]
    if "A" in args.sections:
        devices = [("fake:sherbrooke", [3, 4, 5] if args.quick else [3, 4, 5, 6, 7, 8]),
                   ("fake:guadalupe", [3, 4] if args.quick else [3, 4, 5, 6, 7, 8])]
        lines += section_a(devices, 2000, args.aer_limit)
    if "B" in args.sections:
        lines += section_b()
    if "C" in args.sections:
        lines += section_c(4000)
    if "D" in args.sections:
        lines += section_d(20000)
    if "E" in args.sections:
        lines += section_e([3, 4, 5] if args.quick else [3, 4, 5, 6, 7])
    lines.append(f"total {time.perf_counter() - t0:.0f} s, load average at end {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
