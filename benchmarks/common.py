"""Timing helpers for the benchmark scripts (best of several runs, wall clock)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Fastest wall time in seconds over ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def row(*cells: object, widths: tuple[int, ...] = (12, 10, 32, 12, 8)) -> str:
    return "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))
