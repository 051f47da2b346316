"""Simon problem instances: n, the hidden period s, and an oracle family.

A seed drives everything random in an instance (the secret when none is given, the
oracle's key) through [`seed_streams`][seed_streams], so one integer reproduces a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qenergy.errors import InputError, shorten
from qenergy.numbers import int_problem, int_value, short_int, shown_value
from qenergy.problem.oracles import MAX_TABLE_BITS, MAX_VECTOR_BITS, LinearOracle, Oracle, RandomOracle, TableOracle, check_linear_size, load_table
from qenergy.weight import check_secret_weight, draw_secret

__all__ = ["ORACLE_FAMILIES", "SimonInstance", "make_instance", "parse_secret", "seed_streams"]

#: Oracle families accepted by [`make_instance`][make_instance] (``table:PATH`` takes a file).
ORACLE_FAMILIES = ("linear", "random", "table:PATH")

#: Names of the independent random streams derived from one seed.
STREAMS = ("secret", "oracle", "quantum", "classical")


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for each part of a run, all derived from one seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children)}


def parse_secret(text: str | int, n: int) -> int:
    """A secret given as decimal, ``0b…`` or ``0x…`` text (or an int), checked to lie in 0…2^n−1.

    Text follows the project's integer rule ([qenergy.numbers][]): no spaces, ``_`` or
    non-ASCII digits.
    """
    parsed = text if isinstance(text, int) and not isinstance(text, bool) else int_value(text) if isinstance(text, str) else None
    if parsed is None:
        problem = int_problem(text) if isinstance(text, str) else ""
        why = f" ({problem})" if problem else ""
        raise InputError(f"secret {shown_value(text)} is not an integer{why}; allowed: decimal, 0b... or 0x... in 0..2^{n}-1")
    if not 0 <= parsed < (1 << n):
        top = f" = 0..{(1 << n) - 1}" if n <= 64 else ""
        shown = shorten(text) if isinstance(text, str) else short_int(parsed)
        raise InputError(f"secret {shown} is outside 0..2^{n}-1{top} for n = {n}")
    return parsed


@dataclass(frozen=True)
class SimonInstance:
    """A hidden-period instance: f on n bits with f(x) = f(x ⊕ s); s = 0 is the one-to-one case."""

    oracle: Oracle
    #: The promise wt(s) ≤ W of the restricted problem (`qenergy.weight`); None: any s.
    secret_weight: int | None = None

    @property
    def n(self) -> int:
        return self.oracle.n

    @property
    def secret(self) -> int:
        return self.oracle.secret

    def f(self, x: ArrayLike) -> NDArray[np.uint64]:
        """Uncounted evaluation of the oracle (for checks; algorithms use a counting oracle)."""
        return self.oracle.evaluate(x)

    def describe(self) -> str:
        weight = f" wt(s)<={self.secret_weight}" if self.secret_weight is not None else ""
        return f"n={self.n} s={self.secret:#0{self.n + 2}b}{weight} oracle={self.oracle.describe()}"


def make_instance(n: int | None, secret: int | str | None = None, oracle: str = "linear", *, seed: int = 0,
                  secret_weight: int | None = None) -> SimonInstance:
    """Build an instance.

    Args:
        n: number of bits (≥ 1). May be None for ``table:PATH``, where the table's length sets it.
        secret: the period s; None draws a random non-zero one from ``seed``
            (for a table, None takes the table's own period).
        oracle: ``linear``, ``random`` or ``table:PATH``.
        seed: drives the secret draw and the oracle's key.
        secret_weight: the promise wt(s) ≤ W (W ≥ 1, `qenergy.weight`): a random secret is drawn
            uniformly among the non-zero strings of weight ≤ W; a given (or a table's) secret heavier
            than W raises [`InputError`][InputError].
    """
    if secret_weight is not None:
        check_secret_weight(secret_weight, n)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise InputError(f"n = {shown_value(n)} is not allowed; allowed: an integer n >= 1")
    # sizes are checked before anything is drawn or built (a huge n would otherwise ask numpy for a huge array)
    if n is not None and oracle == "linear":
        check_linear_size(n)
    elif n is not None and oracle == "random" and n > MAX_VECTOR_BITS:
        raise InputError(f"random oracle at n = {short_int(n)} is not supported; allowed: n <= {MAX_VECTOR_BITS}")
    elif n is not None and oracle.startswith("table:") and n > MAX_TABLE_BITS:
        raise InputError(f"a truth table with n = {short_int(n)} is too large; allowed: n <= {MAX_TABLE_BITS} for a truth table")
    rngs = seed_streams(seed)
    if oracle.startswith("table:"):
        path = oracle[len("table:"):]
        table = load_table(path, n)
        s = None if secret is None else parse_secret(secret, n if n is not None else max(1, len(table).bit_length() - 1))
        tab = TableOracle(table, s, n=n, source=path)
        _check_weight(tab.secret, secret_weight, tab.n)
        return SimonInstance(tab, secret_weight)
    if n is None:
        raise InputError("n is required for the linear and random oracles; allowed: n >= 1")
    if secret is None and secret_weight is not None:
        s = draw_secret(rngs["secret"], n, secret_weight)
    elif secret is None:
        s = int(rngs["secret"].integers(1, 1 << n)) if n < 63 else _random_nonzero(rngs["secret"], n)
    else:
        s = parse_secret(secret, n)
        _check_weight(s, secret_weight, n)
    if oracle == "linear":
        return SimonInstance(LinearOracle(n, s, rng=rngs["oracle"]), secret_weight)
    if oracle == "random":
        return SimonInstance(RandomOracle(n, s, rng=rngs["oracle"]), secret_weight)
    raise InputError(f"oracle {oracle!r} is unknown; allowed: linear, random, table:PATH")


def _check_weight(s: int, w: int | None, n: int) -> None:
    """Refuse a secret heavier than the promised weight W."""
    if w is not None and s.bit_count() > w:
        check_secret_weight(w, n)
        raise InputError(f"secret {short_int(s)} has weight {s.bit_count()} and is not allowed with --secret-weight {w}; "
                         f"allowed: a secret of Hamming weight <= {w}")


def _random_nonzero(rng: np.random.Generator, n: int) -> int:
    while True:
        words = rng.integers(0, 2**32, size=-(-n // 32), dtype=np.uint64)
        value = sum(int(w) << (32 * i) for i, w in enumerate(words)) & ((1 << n) - 1)
        if value:
            return value
