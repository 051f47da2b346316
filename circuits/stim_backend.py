"""stim backend: the Clifford fast path for linear (Clifford) oracles.

The Simon circuit is built as a ``stim.Circuit`` straight from the oracle network
(consecutive CNOTs in one instruction), compiled once into a Pauli-frame sampler, and
sampled in batches. Non-Clifford oracles are refused with a pointer to ``aer``.
"""

from __future__ import annotations

import numpy as np
import stim
from numpy.typing import NDArray

from qenergy.errors import InputError
from qenergy.problem.instance import SimonInstance

from .base import PreparedSimon, SimonBackend, check_clifford_size, circuit_gate_counts
from .reversible import ReversibleCircuit, oracle_network

__all__ = ["PreparedStim", "StimBackend", "stim_circuit"]


def stim_circuit(network: ReversibleCircuit) -> stim.Circuit:
    """H on x, the oracle's CNOT/X gates, H on x, measure x (record i = y_i). Clifford networks only."""
    n = network.n
    c = stim.Circuit()
    c.append("H", range(n))
    run: list[int] = []
    for g in network.gates:
        if len(g.controls) == 1:
            run += [g.controls[0], g.target]
            continue
        if run:
            c.append("CX", run)
            run = []
        if g.controls:
            raise InputError("stim backend needs a Clifford (linear) oracle; allowed: --oracle linear, or --backend aer|cirq")
        c.append("X", [g.target])
    if run:
        c.append("CX", run)
    c.append("H", range(n))
    c.append("M", range(n))
    return c


class PreparedStim(PreparedSimon):
    """A compiled stim sampler; also used by the Cirq backend for circuits converted by stimcirq."""

    def __init__(self, circuit: stim.Circuit, network: ReversibleCircuit, seed: int, *, backend: str = "stim", method: str = "stabilizer") -> None:
        depth = len(circuit.flattened())  # instructions, a proxy for depth
        super().__init__(backend, method, network.num_qubits, depth, circuit_gate_counts(network))
        self.circuit = circuit
        self._sampler = circuit.compile_sampler(seed=seed)

    def _sample(self, shots: int) -> NDArray[np.uint8]:
        return self._sampler.sample(shots).view(np.uint8)


class StimBackend(SimonBackend):
    """stim's Pauli-frame sampler for Clifford Simon circuits (any n the machine can hold)."""

    name = "stim"

    def prepare(self, instance: SimonInstance, *, rng: np.random.Generator) -> PreparedSimon:
        if not instance.oracle.is_clifford:
            raise InputError("stim backend needs a Clifford (linear) oracle; allowed: --oracle linear, or --backend aer|cirq")
        check_clifford_size(instance, "stim")
        network = oracle_network(instance.oracle)
        return PreparedStim(stim_circuit(network), network, int(rng.integers(0, 2**63 - 1)))
