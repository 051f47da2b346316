"""One Simon run on one path at one n, timed inside this process (imports excluded).

Usage: python benchmarks/simon_paths.py PATH N   -> prints {"path", "n", "seconds", "ok"} as JSON.
Run by benchmarks/run.py in a subprocess so that a path that exceeds the time limit can be stopped.

Every path solves the same instance (linear oracle, same seed) on the same Simon circuit.
Baselines use what a user would write: a fixed k = n + 10 shots and a Python-integer
GF(2) elimination (``bench_gf2.python_int_null_space``).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from bench_gf2 import python_int_null_space

from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance


def _ours(backend: str):
    def run(inst) -> int:
        from qenergy.circuits import get_backend, run_simon

        return run_simon(inst, get_backend(backend), Ledger(), rng=np.random.default_rng(1)).found

    return run


def _solve(ys: np.ndarray) -> int:
    basis = python_int_null_space(ys)
    return basis[0] if len(basis) == 1 else 0


def textbook_qiskit(inst) -> int:
    from qenergy.circuits.aer_backend import bitstrings_to_array
    from qenergy.circuits.qiskit_builder import simon_circuit
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator()
    qc = transpile(simon_circuit(inst), sim)
    mem = sim.run(qc, shots=inst.n + 10, memory=True, seed_simulator=1).result().get_memory()
    return _solve(bitstrings_to_array(mem, inst.n))


def aer_stabilizer(inst) -> int:
    from qenergy.circuits.aer_backend import bitstrings_to_array
    from qenergy.circuits.qiskit_builder import simon_circuit
    from qiskit_aer import AerSimulator

    qc = simon_circuit(inst)
    mem = AerSimulator(method="stabilizer").run(qc, shots=inst.n + 10, memory=True, seed_simulator=1).result().get_memory()
    return _solve(bitstrings_to_array(mem, inst.n))


def _cirq(make_sim):
    def run(inst) -> int:
        from qenergy.circuits.cirq_builder import MEASUREMENT_KEY, simon_circuit

        res = make_sim().run(simon_circuit(inst), repetitions=inst.n + 10)
        return _solve(np.asarray(res.measurements[MEASUREMENT_KEY], dtype=np.uint8))

    return run


def _cirq_statevector():
    import cirq

    return cirq.Simulator(seed=1)


def _cirq_clifford():
    import cirq

    return cirq.CliffordSimulator(seed=1)


PATHS = {
    "qenergy stim": _ours("stim"),
    "qenergy exact": _ours("exact"),
    "qenergy aer": _ours("aer"),
    "qenergy cirq": _ours("cirq"),
    "Qiskit textbook (AerSimulator()+transpile)": textbook_qiskit,
    "AerSimulator(method='stabilizer')": aer_stabilizer,
    "cirq.Simulator": _cirq(_cirq_statevector),
    "cirq.CliffordSimulator": _cirq(_cirq_clifford),
}


def main() -> None:
    path, n = sys.argv[1], int(sys.argv[2])
    fn = PATHS[path]
    fn(make_instance(4, 5, "linear", seed=4))  # warm up imports and caches
    inst = make_instance(n, None, "linear", seed=n)
    t0 = time.perf_counter()
    try:
        ok = fn(inst) == inst.secret
        error = ""
    except Exception as exc:  # a path that refuses this size (e.g. > 30 qubits) reports why
        ok, error = False, f"{type(exc).__name__}"
    print(json.dumps({"path": path, "n": n, "seconds": time.perf_counter() - t0, "ok": ok, "error": error}))


if __name__ == "__main__":
    main()
