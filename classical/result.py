"""Plain-data result of a classical query algorithm."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClassicalResult:
    """What a classical algorithm found and what it cost.

    Attributes:
        algorithm: name (``birthday``, ``exhaustive``).
        found: the secret s it reports (0: one-to-one).
        queries: oracle queries made (each charged to the ledger).
        collision: the colliding inputs (x, x') with f(x) = f(x'), or None when none was found.
    """

    algorithm: str
    found: int
    queries: int
    collision: tuple[int, int] | None

    @property
    def one_to_one(self) -> bool:
        return self.collision is None
