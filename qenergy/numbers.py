"""The one rule for numbers a user types: command-line options, model parameters, truth tables.

**Integers** ([`parse_int`][parse_int])

* ASCII decimal digits with an optional sign: ``42``, ``-7``, ``+3``, ``007`` (= 7);
* or, after the optional sign, ``0x``/``0X`` and hexadecimal digits, or ``0b``/``0B``
  and binary digits: ``0x1F``, ``-0b101``;
* or a whole number in scientific notation: ``1e3``, ``7E9``, ``1.75e11``, ``100e-2``
  (the value must be an integer; ``1.5e0`` is refused), so that sizes such as
  ``parameters=7e9`` read naturally;
* nothing else: no spaces anywhere (callers strip nothing), no ``_`` digit separators,
  no non-ASCII digits (``١٢٣``), no ``0o`` octal, no ``1.0`` without an exponent,
  at most [`MAX_INT_DIGITS`][MAX_INT_DIGITS] decimal digits (so Python's int-string limit never
  triggers and a typo such as ``1e999999999`` is refused at once instead of building a
  billion-digit integer) or [`MAX_POW2_DIGITS`][MAX_POW2_DIGITS] hexadecimal/binary digits (a secret of
  n = 65536 bits written in binary).

**Floats** ([`parse_float`][parse_float])

* Python's float syntax restricted to ASCII and without ``_``: an optional sign,
  digits with an optional ``.`` and an optional exponent: ``300``, ``-1.5``, ``.5``,
  ``1e-6``, ``2.5E+3``;
* finite by default: ``nan``, ``inf``, ``infinity`` and values that overflow a double
  (``1e400``) are refused; with ``finite=False``, ``inf``/``-inf``/``infinity`` and
  ``nan`` (any case) are accepted, and overflowing text becomes ±inf;
* at most [`MAX_NUMBER_CHARS`][MAX_NUMBER_CHARS] characters.

Both functions also take an already-typed value (``int`` for [`parse_int`][parse_int]; ``int``
or ``float`` for [`parse_float`][parse_float]; never ``bool``) and then only check it, so a model
can validate its fields with the same call whether they came from text or from Python.

Errors are [`InputError`][qenergy.errors.InputError] with one line that names the value (text
longer than 60 characters is cut with "…") and what is allowed::

    {name} = '1_000' is not allowed (no _ separators); allowed: an integer (decimal, 0x… or 0b…) >= 1
    {name} = '70000' is out of range; allowed: an integer (decimal, 0x… or 0b…) in 1..65,535

``name`` is how the caller wants the value called (``--seed``, ``parameter steps``,
``truth-table line 3``); ``allowed`` overrides the description of what is allowed.
"""

from __future__ import annotations

import math
import re

from qenergy.errors import InputError, shorten

__all__ = [
    "MAX_INT_DIGITS",
    "MAX_NUMBER_CHARS",
    "MAX_POW2_DIGITS",
    "describe_float",
    "describe_int",
    "int_problem",
    "int_value",
    "is_plain_int",
    "parse_float",
    "parse_int",
    "short_int",
    "shown_value",
]

#: Most decimal digits an integer may have (also the digits of the value a scientific-notation
#: integer denotes): Python's own default int-string limit.
MAX_INT_DIGITS = 4300
#: Most hexadecimal or binary digits after ``0x``/``0b`` (their conversion is linear in length).
MAX_POW2_DIGITS = 1 << 17
#: Longest text accepted as a float (longer text is refused before it is converted).
MAX_NUMBER_CHARS = 1000

_DEC = re.compile(r"[+-]?[0-9]+", re.ASCII)
_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]+)", re.ASCII)
_BIN = re.compile(r"([+-]?)0[bB]([01]+)", re.ASCII)
_SCI = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?[eE]([+-]?[0-9]+)", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.ASCII | re.IGNORECASE)


def shown_value(value: object) -> str:
    """The value as a message shows it: text quoted and cut to 60 characters, anything else by repr."""
    if isinstance(value, str):
        return repr(shorten(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return short_int(value)  # never a 4300-digit conversion
    return shorten(repr(value))


def short_int(value: int) -> str:
    """An integer for a message: ``1,000,000``, or ``~2^16383`` when it has more than 30 digits
    (never converts a huge integer to decimal, which Python refuses beyond 4300 digits)."""
    if abs(value) < 10**30:
        return f"{value:,}"
    return f"{'-' if value < 0 else ''}~2^{abs(value).bit_length() - 1}"


def _bound(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) and abs(x) >= 10_000 else f"{x:g}" if isinstance(x, float) else str(x)


def _range_text(kind: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{kind} in {_bound(low)}..{_bound(high)}"
    if low is not None:
        return f"{kind} >= {_bound(low)}"
    if high is not None:
        return f"{kind} <= {_bound(high)}"
    return kind


def describe_int(low: int | None = None, high: int | None = None) -> str:
    """What [`parse_int`][parse_int] allows, e.g. ``an integer (decimal, 0x… or 0b…) in 1..65,535``."""
    return _range_text("an integer (decimal, 0x… or 0b…)", low, high)


def describe_float(low: float | None = None, high: float | None = None, *, finite: bool = True) -> str:
    """What [`parse_float`][parse_float] allows, e.g. ``a finite number >= 0``."""
    return _range_text("a finite number" if finite else "a number (inf allowed)", low, high)


def is_plain_int(text: str) -> bool:
    """True for plain ASCII decimal digits with an optional sign (the fast path of bulk readers)."""
    return _DEC.fullmatch(text) is not None and len(text) <= MAX_INT_DIGITS


def _int_syntax(text: str) -> int | None:
    """The integer ``text`` denotes under the rule above, or None when it does not denote one."""
    if _DEC.fullmatch(text):
        digits = text.lstrip("+-").lstrip("0")  # leading zeros do not count (nor reach int(), which would count them)
        if len(digits) > MAX_INT_DIGITS:
            return None
        value = int(digits or "0")
        return -value if text.startswith("-") else value
    m = _HEX.fullmatch(text) or _BIN.fullmatch(text)
    if m:
        if len(m.group(2)) > MAX_POW2_DIGITS:
            return None
        value = int(m.group(2), 16 if text.lstrip("+-")[1] in "xX" else 2)
        return -value if m.group(1) == "-" else value
    m = _SCI.fullmatch(text)
    if m:
        sign, whole, frac, exp_text = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        if not (whole or frac):
            return None
        mantissa = (whole + frac).lstrip("0")
        if not mantissa:
            return 0
        if len(exp_text.lstrip("+-").lstrip("0")) > 6:  # |exponent| >= 10**6: far beyond any allowed size
            return None
        shift = int(exp_text) - len(frac)
        stripped = mantissa.rstrip("0")
        shift += len(mantissa) - len(stripped)
        if shift < 0 or len(stripped) + shift > MAX_INT_DIGITS:
            return None
        value = int(stripped) * 10**shift
        return -value if sign == "-" else value
    return None


def _int_reason(text: str) -> str:
    """Why ``text`` is not an integer under the rule, as the tail of a message (``is not allowed (spaces)``)."""
    problem = int_problem(text)
    return "is empty" if problem == "empty" else f"is not allowed ({problem})" if problem else "is not allowed"


def int_value(text: str) -> int | None:
    """The integer ``text`` denotes under the rule above, or None; never raises (for bulk readers)."""
    return _int_syntax(text) if isinstance(text, str) else None


def int_problem(text: str) -> str:
    """Why ``text`` is not an integer under the rule: ``empty``, ``spaces``, ``non-ASCII characters``,
    ``no _ separators``, ``more than 4,300 digits``, ``not a whole number``, or ``""`` when no
    specific reason applies (or ``text`` is an integer)."""
    if not text:
        return "empty"
    if not text.isascii():
        return "non-ASCII characters"
    if any(c.isspace() for c in text):
        return "spaces"
    if "_" in text:
        return "no _ separators"
    if re.fullmatch(r"[+-]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+)", text, re.ASCII):
        return "" if _int_syntax(text) is not None else f"more than {MAX_POW2_DIGITS:,} digits"
    if _DEC.fullmatch(text):
        return "" if _int_syntax(text) is not None else f"more than {MAX_INT_DIGITS:,} digits"
    m = _SCI.fullmatch(text)
    if m and (m.group(2) or m.group(3)):
        if _int_syntax(text) is not None:
            return ""
        exponent = m.group(4).lstrip("+-").lstrip("0")
        if m.group(4).startswith("-") or len(exponent) <= 6 and int(m.group(4)) < MAX_INT_DIGITS:
            return "not a whole number"
        return f"more than {MAX_INT_DIGITS:,} digits"
    return ""


def _float_reason(text: str, finite: bool) -> str:
    """Why ``text`` is not a float under the rule (for the message)."""
    if not text:
        return "is empty"
    if len(text) > MAX_NUMBER_CHARS:
        return f"is not allowed (longer than {MAX_NUMBER_CHARS:,} characters)"
    if not text.isascii():
        return "is not allowed (non-ASCII characters)"
    if any(c.isspace() for c in text):
        return "is not allowed (spaces)"
    if "_" in text:
        return "is not allowed (no _ separators)"
    if finite and _NONFINITE.fullmatch(text):
        return "is not allowed (not finite)"
    return "is not allowed"


def parse_int(text: str | int, name: str, low: int | None = None, high: int | None = None, *, allowed: str | None = None) -> int:
    """``text`` as an integer under the module's rule, checked to lie in ``low..high`` (inclusive).

    Args:
        text: what the user typed (never stripped here), or an ``int`` to check only.
        name: what the message calls the value, e.g. ``"--seed"`` or ``"parameter steps"``.
        low, high: inclusive bounds; None for none.
        allowed: the description of what is allowed, when the default (from the bounds) is not right.

    Raises:
        InputError: ``"{name} = '{text}' is not allowed; allowed: …"`` for text that is not an
            integer, ``"… is out of range; allowed: …"`` for one outside the bounds.
    """
    what = allowed if allowed is not None else describe_int(low, high)
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise InputError(f"{name} = {shown_value(text)} is not allowed; allowed: {what}")
    if isinstance(text, int):
        value = text
    else:
        parsed = _int_syntax(text)
        if parsed is None:
            raise InputError(f"{name} = {shown_value(text)} {_int_reason(text)}; allowed: {what}")
        value = parsed
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{name} = {shown_value(text)} is out of range; allowed: {what}")
    return value


def parse_float(text: str | float | int, name: str, low: float | None = None, high: float | None = None, *,
                finite: bool = True, allowed: str | None = None) -> float:
    """``text`` as a float under the module's rule, checked to lie in ``low..high`` (inclusive).

    Args:
        text: what the user typed (never stripped here), or an ``int``/``float`` to check only.
        name: what the message calls the value, e.g. ``"--temperature"`` or ``"parameter gamma"``.
        low, high: inclusive bounds; None for none.
        finite: refuse ``nan``, ``inf`` and overflowing values (default); with False accept
            ``inf``/``-inf`` (and ``nan``, which no bound check then catches: check it yourself).
        allowed: the description of what is allowed, when the default is not right.

    Raises:
        InputError: ``"{name} = '{text}' is not allowed; allowed: …"``, or ``"… is out of range; …"``.
    """
    what = allowed if allowed is not None else describe_float(low, high, finite=finite)
    if isinstance(text, bool) or not isinstance(text, (int, float, str)):
        raise InputError(f"{name} = {shown_value(text)} is not allowed; allowed: {what}")
    if isinstance(text, str):
        if len(text) > MAX_NUMBER_CHARS or not (_FLOAT.fullmatch(text) or (not finite and _NONFINITE.fullmatch(text))):
            raise InputError(f"{name} = {shown_value(text)} {_float_reason(text, finite)}; allowed: {what}")
        value = float(text)
        if finite and math.isinf(value):
            raise InputError(f"{name} = {shown_value(text)} is not allowed (beyond the range of a double); allowed: {what}")
    else:
        try:
            value = float(text)
        except OverflowError:
            raise InputError(f"{name} = {shown_value(text)} is out of range; allowed: {what}") from None
    if finite and not math.isfinite(value):
        raise InputError(f"{name} = {shown_value(text)} is not allowed; allowed: {what}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(f"{name} = {shown_value(text)} is out of range; allowed: {what}")
    return value
