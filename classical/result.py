"""Plain-data result of a classical query algorithm."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClassicalResult:
    """What a classical algorithm found and what it cost.

    Attributes:
        algorithm: name (``birthday``, ``exhaustive``).
        found: the secret s it reports (0: one-to-one).
        queries: oracle queries made (each charged to the ledger).
        collision: the colliding inputs (x, x') with f(x) = f(x'), or None when none was found.
        kernel: what ran the hot loop: ``numba`` (compiled kernels), ``numpy``, or ``python`` (rho's scalar walk).
        startup_s: seconds before the first query: loading compiled kernels, starting a Dask cluster.
        search_s: seconds of the search itself (wall time, start-up excluded).
        kernel_note: one line when numba is not installed (the kernels ran on numpy), else None.
    """

    algorithm: str
    found: int
    queries: int
    collision: tuple[int, int] | None
    kernel: str = "numpy"
    startup_s: float = field(default=0.0, compare=False)  # timings: two runs of one search compare equal
    search_s: float = field(default=0.0, compare=False)
    kernel_note: str | None = None

    @property
    def queries_per_search_s(self) -> float:
        """Queries per second of search (0 when the search took no measurable time)."""
        return self.queries / self.search_s if self.search_s > 0 else 0.0

    @property
    def one_to_one(self) -> bool:
        return self.collision is None
