"""Cirq backend: ``cirq.Simulator`` (statevector, untangled subsystems kept apart) up to
2n = 20 qubits or for non-Clifford oracles; wider Clifford circuits are converted by
``stimcirq.cirq_circuit_to_stim_circuit`` and sampled by stim with a seed (orders of
magnitude faster than ``cirq.CliffordSimulator``, which the benchmarks time as a baseline)."""

from __future__ import annotations

import cirq
import numpy as np
import stimcirq
from numpy.typing import NDArray

from qenergy.problem.instance import SimonInstance

from .base import PreparedSimon, SimonBackend, check_clifford_size, check_statevector_memory, check_statevector_work, circuit_gate_counts
from .cirq_builder import MEASUREMENT_KEY, simon_circuit
from .reversible import oracle_network
from .stim_backend import PreparedStim

__all__ = ["CirqBackend"]

#: Widest circuit sent to the statevector simulator when a Clifford one could run it.
STATEVECTOR_MAX_CLIFFORD_QUBITS = 20


class _PreparedCirq(PreparedSimon):
    def __init__(self, circuit: cirq.Circuit, simulator: cirq.Simulator, method: str, qubits: int, gate_counts: dict[str, int]) -> None:
        super().__init__("cirq", method, qubits, len(circuit), gate_counts)
        self.circuit = circuit
        self._sim = simulator

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        result = self._sim.run(self.circuit, repetitions=shots)
        return np.asarray(result.measurements[MEASUREMENT_KEY], dtype=np.uint8)


class CirqBackend(SimonBackend):
    """Cirq: statevector for small or non-Clifford circuits, stimcirq for wide Clifford ones."""

    name = "cirq"

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        qubits = 2 * instance.n
        use_clifford = instance.oracle.is_clifford and qubits > STATEVECTOR_MAX_CLIFFORD_QUBITS
        if use_clifford:
            check_clifford_size(instance, "cirq")
        else:
            check_statevector_memory(instance, bytes_per_amplitude=8)
        network = oracle_network(instance.oracle)
        if not use_clifford:
            check_statevector_work(instance, len(network.gates) + 2 * instance.n, "cirq")
        circuit = simon_circuit(instance, network)
        seed = int(rng.integers(0, 2**31 - 1))
        if use_clifford:
            return PreparedStim(stimcirq.cirq_circuit_to_stim_circuit(circuit), network, seed, backend="cirq", method="stimcirq")
        sim = cirq.Simulator(seed=seed, split_untangled_states=True)
        return _PreparedCirq(circuit, sim, "statevector", qubits, circuit_gate_counts(network))
