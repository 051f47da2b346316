"""Quantum side of qenergy: Simon circuits for Qiskit and Cirq, backends, and Simon's algorithm."""

from __future__ import annotations

from .backends import BACKEND_NAMES, RunMetadata, SampleResult, SimonBackend, get_backend
from .reversible import Gate, ReversibleCircuit, oracle_network
from .simon import QuantumResult, run_simon

__all__ = [
    "BACKEND_NAMES",
    "Gate",
    "QuantumResult",
    "ReversibleCircuit",
    "RunMetadata",
    "SampleResult",
    "SimonBackend",
    "get_backend",
    "oracle_network",
    "run_simon",
]
