"""Simon circuits as Qiskit ``QuantumCircuit``s.

Registers: ``x`` (n input qubits, x_i on qubit i), ``f`` (n output qubits), classical
``y`` (n bits, y_i from x_i). Qiskit bitstrings are little-endian: clbit 0 is the
rightmost character, so ``int(bitstring, 2)`` has bit i = y_i, matching qenergy's
integer convention.
"""

from __future__ import annotations

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from qenergy.problem.instance import SimonInstance

from .reversible import ReversibleCircuit, oracle_network

__all__ = ["oracle_circuit", "simon_circuit"]


def _apply(qc: QuantumCircuit, network: ReversibleCircuit) -> None:
    for g in network.gates:
        if not g.controls:
            qc.x(g.target)
        elif len(g.controls) == 1:
            qc.cx(g.controls[0], g.target)
        elif len(g.controls) == 2:
            qc.ccx(g.controls[0], g.controls[1], g.target)
        else:
            qc.mcx(list(g.controls), g.target)


def oracle_circuit(network: ReversibleCircuit) -> QuantumCircuit:
    """U_f on 2n qubits (x then f registers), gate for gate as in ``network``."""
    n = network.n
    qc = QuantumCircuit(QuantumRegister(n, "x"), QuantumRegister(n, "f"), name="U_f")
    _apply(qc, network)
    return qc


def simon_circuit(instance: SimonInstance, network: ReversibleCircuit | None = None) -> QuantumCircuit:
    """H^n on x, one query U_f, H^n on x, measure x into ``y``."""
    n = instance.n
    net = network if network is not None else oracle_network(instance.oracle)
    x, f, y = QuantumRegister(n, "x"), QuantumRegister(n, "f"), ClassicalRegister(n, "y")
    qc = QuantumCircuit(x, f, y, name=f"simon_n{n}")
    qc.h(x)
    _apply(qc, net)
    qc.h(x)
    qc.measure(x, y)
    return qc
