"""Simon circuits as ``cirq.Circuit``s on line qubits: x_i on ``LineQubit(i)``, output bit j on
``LineQubit(n + j)``; the measurement key ``y`` lists x_0 … x_{n−1} in order."""

from __future__ import annotations

import cirq

from qenergy.problem.instance import SimonInstance

from .reversible import ReversibleCircuit, oracle_network

__all__ = ["MEASUREMENT_KEY", "oracle_operations", "simon_circuit"]

MEASUREMENT_KEY = "y"


def oracle_operations(network: ReversibleCircuit) -> list[cirq.Operation]:
    """U_f as Cirq operations, gate for gate as in ``network``."""
    q = cirq.LineQubit.range(network.num_qubits)
    ops: list[cirq.Operation] = []
    for g in network.gates:
        if not g.controls:
            ops.append(cirq.X(q[g.target]))
        elif len(g.controls) == 1:
            ops.append(cirq.CNOT(q[g.controls[0]], q[g.target]))
        else:
            ops.append(cirq.X(q[g.target]).controlled_by(*(q[c] for c in g.controls)))
    return ops


def simon_circuit(instance: SimonInstance, network: ReversibleCircuit | None = None) -> cirq.Circuit:
    """H^n on x, one query U_f, H^n on x, measure x under key ``y``."""
    n = instance.n
    net = network if network is not None else oracle_network(instance.oracle)
    q = cirq.LineQubit.range(2 * n)
    xs = q[:n]
    return cirq.Circuit(
        [cirq.H.on_each(*xs), *oracle_operations(net), cirq.H.on_each(*xs), cirq.measure(*xs, key=MEASUREMENT_KEY)]
    )
