"""The interface of a classical query algorithm for Simon's problem.

An algorithm is an object with a ``name``, a one-line ``summary`` and
[ClassicalAlgorithm.search][], which queries the instance's f through a
[qenergy.problem.queries.CountingOracle][] (so every query is charged to the ledger) and
returns a [`ClassicalResult`][qenergy.classical.result.ClassicalResult]. [ClassicalAlgorithm.check][]
refuses, before anything is charged, a search that cannot run (n too large, too many
queries, too much memory).

Algorithms are found through the entry-point group ``qenergy.classical``
([qenergy.registry][]); the built-ins register in ``pyproject.toml`` exactly as a
third-party package would::

    [project.entry-points."qenergy.classical"]
    my-search = "my_package.module:MySearch"

The entry names a class; qenergy instantiates it without arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import ChargePolicy
from qenergy.problem.instance import SimonInstance

from .result import ClassicalResult

__all__ = ["ClassicalAlgorithm", "SearchFunction"]


@runtime_checkable
class ClassicalAlgorithm(Protocol):
    """A classical algorithm for Simon's problem (registered in ``qenergy.classical``).

    Attributes:
        name: the registry name (``birthday``, ``rho``, …).
        summary: one line for help texts.
    """

    name: str
    summary: str

    def check(self, instance: SimonInstance) -> None:
        """Raise [qenergy.errors.InputError][] (or ``ResourceLimitError``) when the search
        cannot run on ``instance``; called before anything is charged."""

    def search(
        self,
        instance: SimonInstance,
        ledger: Ledger,
        *,
        rng: np.random.Generator,
        policy: ChargePolicy | None = None,
        account: str = "classical",
        label: str = "",
    ) -> ClassicalResult:
        """Find the period of ``instance``'s f, charging every query to ``account`` of ``ledger``."""


@dataclass(frozen=True)
class SearchFunction:
    """A search function (``birthday_search``, …) as a [`ClassicalAlgorithm`][ClassicalAlgorithm]: the one adapter the
    built-in searches register through. ``check`` applies [qenergy.classical.collision.check_search][].
    """

    name: str
    summary: str
    function: Callable[..., ClassicalResult]
    #: The kernel to run on (``numba``, ``numpy``; None: the fastest installed), for functions that take one.
    kernel: str | None = None

    def check(self, instance: SimonInstance) -> None:
        """Refuse a search that cannot finish or fit (n > 64, too many queries, too much memory)."""
        from .collision import check_search

        check_search(self.name, instance)

    def search(
        self,
        instance: SimonInstance,
        ledger: Ledger,
        *,
        rng: np.random.Generator,
        policy: ChargePolicy | None = None,
        account: str = "classical",
        label: str = "",
    ) -> ClassicalResult:
        """The wrapped function on ``instance``, charging ``account`` of ``ledger``."""
        extra = {} if self.kernel is None else {"kernel": self.kernel}
        return self.function(instance, ledger, rng=rng, policy=policy, account=account, label=label, **extra)
