"""Deterministic work extraction needs distinguishable states (models.md §6, Marletto 2020/2022).

Marletto's theorem (constructor theory, via energy conservation): if different amounts of
work can be extracted deterministically from a system prepared in any one of a set of
states, those states are distinguishable; in quantum terms, mutually orthogonal
(support-disjoint). `check_extraction` checks this for every pair of states whose
works differ (``strict`` checks every pair, the arXiv-v2 wording); the paper's formal
statement was not available, so this is our reading of the abstracts.

Crediting work: a state carrying b bits of readable information yields at most
k_B·T·ln 2·b (Szilard). Extracted work is charged as a negative energy (a credit) with
basis ``upper_bound``; the model always also charges the erasure of the measurement
record, so a Szilard cycle (measure, extract, erase) never shows a net gain.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

import numpy as np
from qiskit.quantum_info import DensityMatrix, Statevector

from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = ["ExtractionCheck", "WorkExtractionModel", "WorkExtractionResult", "check_extraction", "overlap"]


def _density(state: Any) -> np.ndarray:
    if isinstance(state, DensityMatrix):
        return state.data
    if isinstance(state, Statevector):
        return DensityMatrix(state).data
    a = np.asarray(state, dtype=complex)
    return DensityMatrix(Statevector(a)).data if a.ndim == 1 else DensityMatrix(a).data


def overlap(a: Any, b: Any) -> float:
    """tr(ρσ): 0 exactly when the supports are orthogonal (|⟨ψ|φ⟩|² for pure states)."""
    return float(np.real(np.trace(_density(a) @ _density(b))))


@dataclass(frozen=True)
class ExtractionCheck:
    """Whether deterministic extraction of the given works is possible, and if not, which pair breaks it."""

    possible: bool
    pair: tuple[int, int] | None
    overlap: float


def check_extraction(states: Sequence[Any], works_j: Sequence[float], *, strict: bool = False, tol: float = 1e-9) -> ExtractionCheck:
    """Check Marletto's condition: states whose works differ (every pair if ``strict``) must be orthogonal."""
    if len(states) != len(works_j):
        raise InputError(f"{len(states)} states but {len(works_j)} works; allowed: one work per state")
    for i, j in itertools.combinations(range(len(states)), 2):
        if strict or works_j[i] != works_j[j]:
            ov = overlap(states[i], states[j])
            if ov > tol:
                return ExtractionCheck(False, (i, j), ov)
    return ExtractionCheck(True, None, 0.0)


class WorkExtractionResult(TypedDict):
    """What [WorkExtractionModel.run][] returns (``possible`` is always true: impossible cases raise)."""

    possible: bool
    extracted_j: float
    erasure_j: float
    net_j: float
    temperature_k: float
    bits: int


@dataclass(frozen=True)
class WorkExtractionModel(Model):
    """A Szilard cycle on the ledger: measure (b bits recorded), extract work, erase the record."""

    name: ClassVar[str] = "work-extraction"
    summary: ClassVar[str] = "Szilard cycle with Marletto's distinguishability check for deterministic work extraction"
    account: ClassVar[str] = "work-extraction"

    temperature: float = param(300.0, unit="K", help="bath temperature", low=1e-300, high=1e32)
    bits: int = param(1, unit="bit", help="bits of information the measured state carries", low=1, high=64)
    states: str = param("szilard", help="szilard: |0>,|1> (orthogonal); coherent: |0>,|+> (not distinguishable)",
                        choices=("szilard", "coherent"))

    def run(self, ledger: Ledger, seed: int = 0) -> WorkExtractionResult:
        u = landauer_bit_energy(self.temperature)
        if self.states == "szilard":
            kets = [Statevector.from_label("0"), Statevector.from_label("1")]
        else:
            kets = [Statevector.from_label("0"), Statevector.from_label("+")]
        works = [u * self.bits, 0.0]  # which side the particle is on decides how much work the expansion yields
        check = check_extraction(kets, works)
        if not check.possible:
            i, j = check.pair or (0, 1)
            raise InputError(f"deterministic extraction is impossible: states {i} and {j} overlap (tr(rho sigma) = {check.overlap:.3g}) "
                             f"but their works differ; allowed: distinguishable (orthogonal) states")
        extracted = u * self.bits
        ledger.charge_many(
            [
                (self.account, "work_extracted", self.bits, -u, "upper_bound",
                 "Szilard: at most k_B T ln 2 per bit of readable information (credit)"),
                (self.account, "bit_erased", self.bits, u, "lower_bound", "erasing the measurement record (Landauer)"),
            ],
            model=self.name,
        )
        erasure = u * self.bits
        return {"possible": True, "extracted_j": extracted, "erasure_j": erasure, "net_j": erasure - extracted,
                "temperature_k": self.temperature, "bits": self.bits}
