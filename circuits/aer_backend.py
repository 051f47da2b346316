"""Qiskit Aer backend: the stabilizer method for Clifford (linear-oracle) circuits, statevector otherwise.

Circuits go to ``AerSimulator.run`` as built (H, X, CX, CCX, MCX and measurements are
native Aer instructions), so wide stabilizer circuits never meet the 30-qubit target
that ``transpile(qc, AerSimulator())`` would impose.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from qenergy.problem.instance import SimonInstance

from .base import (
    MAX_AER_CLIFFORD_BITS,
    PreparedSimon,
    SimonBackend,
    bitstrings_to_array,
    check_clifford_size,
    check_statevector_memory,
    check_statevector_work,
    circuit_gate_counts,
)
from .qiskit_builder import simon_circuit
from .reversible import oracle_network

__all__ = ["AerBackend", "bitstrings_to_array"]


class _PreparedAer(PreparedSimon):
    def __init__(self, circuit: QuantumCircuit, simulator: AerSimulator, method: str, gate_counts: dict[str, int], rng: np.random.Generator) -> None:
        super().__init__("aer", method, circuit.num_qubits, circuit.depth(), gate_counts)
        self.circuit = circuit
        self._sim = simulator
        self._rng = rng
        self._n = circuit.num_clbits

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        seed = int(self._rng.integers(0, 2**31 - 1))
        result = self._sim.run(self.circuit, shots=shots, memory=True, seed_simulator=seed).result()
        return bitstrings_to_array(result.get_memory(self.circuit), self._n)


class AerBackend(SimonBackend):
    """Qiskit Aer; the method follows the oracle (``stabilizer`` for Clifford, else ``statevector``)."""

    name = "aer"

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        clifford = instance.oracle.is_clifford
        if clifford:
            check_clifford_size(instance, "aer", MAX_AER_CLIFFORD_BITS)
        else:
            check_statevector_memory(instance, bytes_per_amplitude=16)
        network = oracle_network(instance.oracle)
        method = "stabilizer" if network.is_clifford else "statevector"
        if network.is_clifford:
            check_clifford_size(instance, "aer", MAX_AER_CLIFFORD_BITS)
        else:
            check_statevector_work(instance, len(network.gates) + 2 * instance.n, "aer")
        circuit = simon_circuit(instance, network)
        return _PreparedAer(circuit, AerSimulator(method=method), method, circuit_gate_counts(network), rng)
