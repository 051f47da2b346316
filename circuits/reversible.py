"""Reversible oracle networks: U_f |x⟩|y⟩ = |x⟩|y ⊕ f(x)⟩ as a list of multi-controlled X gates.

One framework-neutral description, built once per instance and translated to Qiskit
and Cirq by the builders, and simulated classically here to check that it computes
the oracle's truth table.

Qubits 0…n−1 hold x (x_i on qubit i); qubits n…2n−1 hold the output (bit j on n + j).

* Linear oracles: the CNOTs that build f = R ∘ G_s, O(n log n) of them (Clifford).
* Any other oracle: the exact algebraic normal form (Reed–Muller expansion) of each
  output bit, from the truth table by a vectorised Möbius transform; monomial
  x_{i1}·…·x_{ik} of output bit j becomes one X on y_j controlled by x_{i1}…x_{ik}
  (an X for the constant monomial, a CNOT for a single variable).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qenergy.problem.oracles import LinearOracle, Oracle

__all__ = ["Gate", "ReversibleCircuit", "oracle_network"]


@dataclass(frozen=True)
class Gate:
    """X on ``target`` controlled by all of ``controls`` (none: plain X; one: CNOT)."""

    controls: tuple[int, ...]
    target: int


@dataclass(frozen=True)
class ReversibleCircuit:
    """An oracle network on ``2n`` qubits."""

    n: int
    gates: tuple[Gate, ...]

    @property
    def num_qubits(self) -> int:
        return 2 * self.n

    @property
    def is_clifford(self) -> bool:
        """True when every gate has at most one control (X and CNOT only)."""
        return all(len(g.controls) <= 1 for g in self.gates)

    def gate_counts(self) -> dict[str, int]:
        """Gates by number of controls: ``x``, ``cx``, ``ccx``, ``mcx``."""
        names = {0: "x", 1: "cx", 2: "ccx"}
        return dict(Counter(names.get(len(g.controls), "mcx") for g in self.gates))

    def simulate(self, inputs: ArrayLike) -> NDArray[np.uint64]:
        """Outputs y ⊕ f(x) read from the network for basis inputs |x⟩|0⟩, vectorised over x (n ≤ 32)."""
        xs = np.asarray(inputs, dtype=np.uint64)
        state = np.zeros((xs.size, self.num_qubits), dtype=bool)
        state[:, : self.n] = (xs[:, None] >> np.arange(self.n, dtype=np.uint64)) & np.uint64(1)
        for g in self.gates:
            if g.controls:
                state[:, g.target] ^= state[:, list(g.controls)].all(axis=1)
            else:
                state[:, g.target] ^= True
        if (state[:, : self.n] != ((xs[:, None] >> np.arange(self.n, dtype=np.uint64)) & np.uint64(1))).any():
            raise AssertionError("oracle network changed its input register")
        weights = np.uint64(1) << np.arange(self.n, dtype=np.uint64)
        return (state[:, self.n :].astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


def oracle_network(oracle: Oracle) -> ReversibleCircuit:
    """The exact reversible network of an oracle (CNOTs for linear oracles, ANF otherwise).

    Non-linear oracles need their 2^n truth table: memory about 9·n·2^n bytes.
    """
    n = oracle.n
    if isinstance(oracle, LinearOracle):
        return ReversibleCircuit(n, tuple(linear_oracle_gates(oracle)))
    anf = algebraic_normal_form(oracle.truth_table(), n)
    monomials, outputs = np.nonzero(anf)
    gates = [
        Gate(tuple(i for i in range(n) if (int(m) >> i) & 1), n + int(j))
        for m, j in zip(monomials, outputs)
    ]
    return ReversibleCircuit(n, tuple(gates))


def linear_oracle_gates(oracle: LinearOracle) -> list[Gate]:
    """CNOTs of f = R ∘ G_s: copy x to the output, add s where x_j = 1, then R's CNOTs.

    The copy and the add on output bit j cancel (y_j = x_j ⊕ x_j = 0) and are left out.
    """
    n, s, j = oracle.n, oracle.secret, oracle.pivot
    gates = [Gate((i,), n + i) for i in range(n) if i != j]
    if j is not None:
        gates += [Gate((j,), n + k) for k in range(n) if (s >> k) & 1 and k != j]
    gates += [Gate((n + c,), n + t) for c, t in oracle.mixing]
    return gates


def algebraic_normal_form(table: ArrayLike, n: int) -> NDArray[np.bool_]:
    """Reed–Muller coefficients: ``anf[m, j]`` is 1 when monomial ∏_{i∈m} x_i appears in output bit j."""
    t = np.asarray(table, dtype=np.uint64)
    bits = ((t[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    a = bits.copy()
    for i in range(n):  # Möbius transform, one input variable at a time
        view = a.reshape(-1, 2, 1 << i, n)
        view[:, 1] ^= view[:, 0]
    return a
