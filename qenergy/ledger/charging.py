"""Charging policy: what one quantum shot or one classical query costs, in one replaceable place.

Algorithms never price anything themselves; they tell a [`ChargePolicy`][ChargePolicy] how many
shots, gates or queries they made, and the policy writes the ledger rows. Swap the
policy, or its assumption sets ([qenergy.energy.bounds][]), to change the physics without
touching any algorithm.
"""

from __future__ import annotations

import weakref
from typing import Literal, Protocol

from qenergy.energy.bounds import ClassicalLowerBound, IrreversibleRegisterReuse, OracleFamily, QuantumUpperBound, parse_classical_model
from qenergy.energy.erasure import FiniteStepErasure
from qenergy.energy.physics import landauer_bit_energy
from qenergy.ledger.book import Ledger

__all__ = ["BoundsPolicy", "ChargePolicy", "QueryRole"]

#: ``search``: a classical algorithm's own query; ``check``: a quantum algorithm's classical check.
QueryRole = Literal["search", "check"]


class ChargePolicy(Protocol):
    """Prices the resources of Simon runs and writes them to a ledger."""

    @property
    def name(self) -> str: ...

    def charge_shots(self, ledger: Ledger, n: int, shots: int, *, gates: int = 0, account: str = "quantum", label: str = "") -> None:
        """Charge ``shots`` quantum oracle queries on a 2n-qubit register, ``gates`` gates per shot."""

    def charge_queries(
        self, ledger: Ledger, n: int, queries: int, *, account: str = "classical", label: str = "", role: QueryRole = "search"
    ) -> None:
        """Charge ``queries`` classical oracle queries on n-bit inputs."""


class BoundsPolicy:
    """Charges real runs through the assumption sets (replaces the placeholder policy).

    * quantum shots: ``qubit_reset`` 2n and ``bit_erased`` n per shot at W_N(ε) each,
      ``gate`` per gate at the imperfection energy, ``query`` at 0 J; basis ``upper_bound``;
    * classical checks of the quantum algorithm (``role="check"``): 2n-bit register
      resets at W_N(ε), basis ``upper_bound``;
    * classical search queries: the bits the classical model says the run so far must
      erase, charged incrementally at k_B·T·ln 2, basis ``lower_bound``.

    Keeps, per (ledger, account, label), the queries charged so far, so models whose
    cost is not linear in q (memory, reversible) are charged exactly.
    """

    def __init__(self, quantum: QuantumUpperBound | None = None, classical: ClassicalLowerBound | None = None) -> None:
        self.quantum = quantum if quantum is not None else QuantumUpperBound()
        self.classical = classical if classical is not None else IrreversibleRegisterReuse()
        self._queries: weakref.WeakKeyDictionary[Ledger, dict[tuple[str, str], int]] = weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(
        cls,
        *,
        epsilon: float,
        steps: int,
        gate_energy_j: float,
        classical_model: str | ClassicalLowerBound,
        family: OracleFamily = "linear",
    ) -> BoundsPolicy:
        """The policy of the command-line settings (``--epsilon``, ``--steps``, ``--gate-energy``,
        ``--classical-model``) for an oracle family: the one place ``simon``, ``bounds`` and ``sweep`` build it.

        Raises:
            InputError: a setting outside its allowed range or an unknown classical model.
        """
        classical = parse_classical_model(classical_model) if isinstance(classical_model, str) else classical_model
        quantum = QuantumUpperBound(FiniteStepErasure(epsilon, steps), gate_energy_j=gate_energy_j, family=family)
        return cls(quantum, classical)

    @property
    def name(self) -> str:
        return f"{self.quantum.name}+{self.classical.name}"

    def charge_shots(self, ledger: Ledger, n: int, shots: int, *, gates: int = 0, account: str = "quantum", label: str = "") -> None:
        if shots == 0:
            return
        q = self.quantum
        w = q.reset_j(ledger.temperature_k)
        model = q.describe()
        rows = [
            (account, "query", shots, 0.0, "upper_bound", "quantum oracle call; oracle conserves energy"),
            (account, "qubit_reset", 2 * n * shots, w, "upper_bound", f"reset of the 2n-qubit register by {q.erasure.describe()}"),
            (account, "bit_erased", n * shots, w, "upper_bound", f"n-bit measurement record erased by {q.erasure.describe()}"),
        ]
        if gates:
            rows.append((account, "gate", gates * shots, q.gate_energy_j, "upper_bound", "gate imperfection energy per gate"))
        ledger.charge_many(rows, label=label, model=model)

    def charge_queries(
        self, ledger: Ledger, n: int, queries: int, *, account: str = "classical", label: str = "", role: QueryRole = "search"
    ) -> None:
        if queries == 0:
            return
        if role == "check":
            q = self.quantum
            ledger.charge_many(
                [
                    (account, "query", queries, 0.0, "upper_bound", "classical check query; oracle conserves energy"),
                    (account, "bit_erased", 2 * n * queries, q.reset_j(ledger.temperature_k), "upper_bound", f"2n-bit check register reset by {q.erasure.describe()}"),
                ],
                label=label,
                model=q.describe(),
            )
            return
        seen = self._queries.setdefault(ledger, {})
        before = seen.get((account, label), 0)
        after = before + queries
        seen[(account, label)] = after
        bits = self.classical.erased_bits(n, after) - self.classical.erased_bits(n, before)
        rows = [(account, "query", queries, 0.0, "lower_bound", "classical oracle call; oracle conserves energy")]
        if bits:
            rows.append((account, "bit_erased", bits, landauer_bit_energy(ledger.temperature_k), "lower_bound", f"Landauer k_B T ln 2 per bit the {self.classical.name} model must erase"))
        ledger.charge_many(rows, label=label, model=self.classical.describe())
