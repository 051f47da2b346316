"""Classical query algorithms for Simon's problem, charging every query to a qenergy ledger.

Each is a [`ClassicalAlgorithm`][qenergy.classical.base.ClassicalAlgorithm] registered in the entry-point group
``qenergy.classical`` (see ``pyproject.toml``); [`get_algorithm`][get_algorithm] looks one up by name.
"""

from __future__ import annotations

from qenergy.errors import InputError

from .base import ClassicalAlgorithm, SearchFunction
from .birthday import BIRTHDAY, birthday_search
from .collision import check_search, planned_queries, require_vector_n
from .exhaustive import EXHAUSTIVE, exhaustive_search
from .parallel_rho import ParallelRhoResult, ParallelRhoSearch, parallel_rho_search
from .result import ClassicalResult
from .rho import RHO, rho_search
from .weight_cover import WEIGHT_COVER, WeightCoverSearch, weight_cover_search

__all__ = [
    "BIRTHDAY",
    "ClassicalAlgorithm",
    "SearchFunction",
    "ClassicalResult",
    "EXHAUSTIVE",
    "ParallelRhoResult",
    "ParallelRhoSearch",
    "parallel_rho_search",
    "RHO",
    "birthday_search",
    "check_search",
    "exhaustive_search",
    "get_algorithm",
    "planned_queries",
    "require_vector_n",
    "rho_search",
    "WEIGHT_COVER",
    "WeightCoverSearch",
    "weight_cover_search",
]

def get_algorithm(name: str) -> ClassicalAlgorithm:
    """The algorithm registered as ``name`` in ``qenergy.classical`` (an instance).

    Raises:
        InputError: no such algorithm (the message lists the registered ones), or its entry
            is not a [`ClassicalAlgorithm`][qenergy.classical.base.ClassicalAlgorithm].
    """
    from qenergy.registry import CLASSICAL

    factory = CLASSICAL.load(name)
    algorithm = factory() if isinstance(factory, type) else factory
    if not isinstance(algorithm, ClassicalAlgorithm):
        raise InputError(f"classical algorithm {name!r} does not provide name, summary, check() and search()")
    return algorithm
