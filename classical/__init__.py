"""Classical query algorithms for Simon's problem, charging every query to a qenergy ledger."""

from __future__ import annotations

from typing import Callable

from qenergy.errors import InputError

from .birthday import birthday_search
from .collision import check_search, planned_queries, require_vector_n
from .exhaustive import exhaustive_search
from .result import ClassicalResult
from .rho import rho_search

__all__ = [
    "ALGORITHMS",
    "ClassicalResult",
    "birthday_search",
    "check_search",
    "exhaustive_search",
    "get_algorithm",
    "planned_queries",
    "require_vector_n",
    "rho_search",
]

#: Algorithms by CLI name.
ALGORITHMS: dict[str, Callable[..., ClassicalResult]] = {
    "birthday": birthday_search,
    "exhaustive": exhaustive_search,
    "rho": rho_search,
}


def get_algorithm(name: str) -> Callable[..., ClassicalResult]:
    """The algorithm called ``name``, or :class:`InputError` naming the allowed ones."""
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise InputError(f"classical algorithm {name!r} is unknown; allowed: {', '.join(ALGORITHMS)}, none") from None
