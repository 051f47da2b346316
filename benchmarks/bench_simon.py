"""Simon end to end: qenergy's run against the textbook Qiskit recipe, same instances, same run.

Textbook recipe: ``transpile(qc, AerSimulator())``, a fixed k = n + 10 shots with
``memory=True``, then Python-integer GF(2) elimination. Ours: adaptive shots, Aer's
stabilizer method without transpiling to the 30-qubit target, bit-packed elimination,
ledger charging included. Prints seconds, shots and the ratio (textbook ÷ ours).
"""

from __future__ import annotations

import numpy as np
from qiskit import transpile
from qiskit_aer import AerSimulator

from bench_gf2 import python_int_null_space
from circuits import get_backend, run_simon
from circuits.aer_backend import bitstrings_to_array
from circuits.qiskit_builder import simon_circuit
from common import best_of, row
from qenergy.ledger import Ledger
from qenergy.problem import make_instance


def textbook(inst) -> tuple[int, int]:
    qc = simon_circuit(inst)
    sim = AerSimulator()
    k = inst.n + 10
    tqc = transpile(qc, sim)
    mem = sim.run(tqc, shots=k, memory=True, seed_simulator=1).result().get_memory()
    basis = python_int_null_space(bitstrings_to_array(mem, inst.n))
    return (basis[0] if len(basis) == 1 else 0), k


def ours(inst) -> tuple[int, int]:
    r = run_simon(inst, get_backend("aer"), Ledger(), rng=np.random.default_rng(1))
    return r.found, r.queries


def main() -> None:
    print("Simon, linear oracle, Qiskit Aer: textbook recipe vs qenergy")
    print(row("n (qubits)", "ours [s]", "textbook [s]", "queries o/t", "ratio"))
    for n in (4, 8, 12, 15, 16, 50, 100):
        inst = make_instance(n, None, "linear", seed=n)
        t_ours = best_of(lambda: ours(inst))
        found, q = ours(inst)
        assert found == inst.secret
        try:
            t_text = best_of(lambda: textbook(inst))
            found_t, k = textbook(inst)
            text = f"{t_text:.3f}"
            ratio = f"{t_text / t_ours:.1f}x"
            queries = f"{q}/{k}"
        except Exception as exc:  # the textbook recipe refuses > 30 qubits
            text, ratio, queries = f"fails: {type(exc).__name__}", "-", f"{q}/-"
        print(row(f"{n} ({2 * n})", f"{t_ours:.3f}", text, queries, ratio))


if __name__ == "__main__":
    main()
