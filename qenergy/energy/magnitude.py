"""Numbers beyond the float range: joules, counts and ratios right at any n.

The classical lower bound for Simon's problem grows as 2^(n/2) and leaves the float range
(the largest double ≈ 1.8e308) in steps: its query count q_min(n, 2/3), an integer of about
n/2 bits, from n = 2049; the ratio to the quantum bound from n = 2074; its joules from
n = 2163 (``irreversible`` at 300 K; 2175 at 4.2 K, later still for ``minimal``), because
k_B·T·ln 2 ≈ 3e-21 J scales the count down before it overflows.
A [`Magnitude`][Magnitude] keeps such a non-negative quantity as its float value (``inf``
beyond the float range) together with its base-10 logarithm, which stays finite and
exact to about 10 significant digits up to n = 10⁶ and beyond; exact integers are kept
exactly. Comparisons use the floats while both are finite and the logarithms otherwise.

Serialisation rule (README, "Numbers at any size"): in JSON a value is written as a
number when it fits a double and as ``null`` otherwise, always beside a
``log10_<name>`` field holding its base-10 logarithm, so output stays strict JSON
(never ``Infinity`` or ``NaN``) and keeps at least 6 significant digits at any size.
In CSV and tables a value beyond the float range is written as a decimal string with
its exponent (``1.2346e+150521``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Magnitude", "json_float", "log10_int", "sci"]

_LOG10_MAX = math.log10(1.7976931348623157e308)


def log10_int(x: int) -> float:
    """log10 of a positive integer of any size (``-inf`` for 0); exact to float precision."""
    if x < 0:
        raise ValueError(f"log10 of a negative integer {x}")
    return -math.inf if x == 0 else math.log10(x)


def json_float(x: float) -> float | None:
    """``x`` when finite, else None: what strict JSON can hold."""
    return x if math.isfinite(x) else None


def sci(value: float, log10: float | None = None, digits: int = 4) -> str:
    """Scientific notation with ``digits`` decimals; beyond the float range from ``log10``."""
    if math.isfinite(value) or log10 is None or not math.isfinite(log10):
        return f"{value:.{digits}e}"
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, digits) >= 10.0:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits}f}e+{exponent}"


@dataclass(frozen=True)
class Magnitude:
    """A non-negative quantity that may exceed the float range.

    Attributes:
        value: the value as a float (``math.inf`` when above ≈ 1.8e308).
        log10: its base-10 logarithm (``-inf`` for 0), finite at any size.
        exact: the exact integer when the quantity is one (a count), else None.
    """

    value: float
    log10: float
    exact: int | None = None

    @classmethod
    def of_int(cls, x: int) -> Magnitude:
        """An exact non-negative integer of any size."""
        if x < 0:
            raise ValueError(f"a Magnitude is non-negative, got {x}")
        try:
            value = float(x)
        except OverflowError:
            value = math.inf
        return cls(value, log10_int(x), x)

    @classmethod
    def of_float(cls, x: float) -> Magnitude:
        """A finite non-negative float."""
        if not (x >= 0 and math.isfinite(x)):
            raise ValueError(f"a Magnitude is a finite number >= 0, got {x}")
        return cls(x, math.log10(x) if x > 0 else -math.inf)

    @classmethod
    def of_log10(cls, log10: float) -> Magnitude:
        """From a base-10 logarithm."""
        value = 10.0**log10 if log10 < _LOG10_MAX else math.inf
        return cls(value, log10)

    def scaled(self, factor: float) -> Magnitude:
        """This quantity times a finite factor ≥ 0 (e.g. a count times joules per unit)."""
        if not (factor >= 0 and math.isfinite(factor)):
            raise ValueError(f"scale factor must be a finite number >= 0, got {factor}")
        if factor == 0 or self.log10 == -math.inf:
            return Magnitude(0.0, -math.inf)
        log10 = self.log10 + math.log10(factor)
        if math.isfinite(self.value):
            value = self.value * factor
            if math.isfinite(value):
                return Magnitude(value, math.log10(value) if value > 0 else -math.inf)
        return Magnitude.of_log10(log10)

    def over(self, other: Magnitude | float) -> Magnitude:
        """self ÷ other (``inf`` when other is 0 and self is not)."""
        o = other if isinstance(other, Magnitude) else Magnitude.of_float(other)
        if o.log10 == -math.inf:
            return Magnitude(0.0 if self.log10 == -math.inf else math.inf, -math.inf if self.log10 == -math.inf else math.inf)
        if math.isfinite(self.value) and math.isfinite(o.value):
            value = self.value / o.value
            if math.isfinite(value) and value > 0:
                return Magnitude(value, math.log10(value))
        return Magnitude.of_log10(self.log10 - o.log10)

    def _key(self, other: Magnitude | float) -> tuple[float, float]:
        o = other if isinstance(other, Magnitude) else Magnitude.of_float(other)
        if math.isfinite(self.value) and math.isfinite(o.value):
            return self.value, o.value
        return self.log10, o.log10

    def __lt__(self, other: Magnitude | float) -> bool:
        a, b = self._key(other)
        return a < b

    def __gt__(self, other: Magnitude | float) -> bool:
        a, b = self._key(other)
        return a > b

    def json(self) -> float | int | None:
        """The value for strict JSON: the exact integer or float when it fits a double, else None."""
        if not math.isfinite(self.value):
            return None
        return self.exact if self.exact is not None else self.value

    def fields(self, name: str) -> dict[str, Any]:
        """``{name: value or null, "log10_" + name: log10 or null for 0}`` for JSON output."""
        return {name: self.json(), f"log10_{name}": self.log10 if math.isfinite(self.log10) else None}

    def text(self, digits: int = 4) -> str:
        """Scientific notation at any size (``1.2346e+150521``)."""
        return sci(self.value, self.log10, digits)

    def short(self, digits: int = 3) -> str:
        """``{:.3g}`` style while the value is a float, scientific notation from the logarithm beyond."""
        return f"{self.value:.{digits}g}" if math.isfinite(self.value) else sci(self.value, self.log10, max(digits - 1, 0))

    def csv(self) -> str:
        """Full precision when it fits (exact integers exactly), else a decimal string with exponent."""
        if math.isfinite(self.value):
            return str(self.exact) if self.exact is not None else repr(self.value)
        return sci(self.value, self.log10, 10)
