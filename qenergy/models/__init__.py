"""Plug-in models on the cost ledger.

A model is a small dataclass: its fields are its parameters (typed, with defaults; units,
ranges and a help line in the field metadata through [`param`][param]), it has a ``name``
and a one-line ``summary``, and ``run(ledger, seed)`` charges its own account and returns
plain JSON-able data, typed by the model as a `typing.TypedDict` (see [`Model`][Model]). Models are found through the entry-point group ``qenergy.models``,
so a third party adds one from its own package::

    [project.entry-points."qenergy.models"]
    my-model = "my_package.module:MyModel"

``qenergy models`` lists them; ``qenergy model NAME --param key=value`` runs one.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, get_type_hints

from qenergy.errors import InputError, shorten
from qenergy.ledger.book import Ledger
from qenergy.numbers import parse_float, parse_int, shown_value

__all__ = [
    "ENTRY_POINT_GROUP",
    "INT_PARAM_MAX",
    "Model",
    "ParamInfo",
    "build_model",
    "check_output_dir",
    "discover_all",
    "discover_models",
    "param",
    "param_infos",
    "parse_param_items",
]

ENTRY_POINT_GROUP = "qenergy.models"


def param(default: Any, *, unit: str = "", help: str = "", low: float | None = None, high: float | None = None,
          choices: tuple[str, ...] | None = None, aliases: tuple[str, ...] = ()) -> Any:
    """A model parameter: a dataclass field with its unit, allowed range or choices, help and aliases."""
    return field(default=default, metadata={"unit": unit, "help": help, "low": low, "high": high, "choices": choices, "aliases": aliases})


@dataclass(frozen=True)
class ParamInfo:
    """What a parameter accepts, for listing and checking."""

    name: str
    type: type
    default: Any
    unit: str
    help: str
    low: float | None
    high: float | None
    choices: tuple[str, ...] | None
    aliases: tuple[str, ...]

    @property
    def upper(self) -> float | None:
        """The inclusive upper bound checked: ``high``, or for an integer without one [`INT_PARAM_MAX`][INT_PARAM_MAX]."""
        if self.high is None and self.type is int:
            return INT_PARAM_MAX
        return self.high

    def allowed(self) -> str:
        """What the parameter accepts, e.g. ``an integer in 1..1e+07`` or ``guided | blind``."""
        if self.choices:
            return " | ".join(self.choices)
        kind = {int: "an integer", float: "a number", bool: "true or false", str: "text"}.get(self.type, self.type.__name__)
        high = self.upper
        if self.low is not None and high is not None:
            return f"{kind} in {self.low:g}..{high:g}"
        if self.low is not None:
            return f"{kind} >= {self.low:g}"
        if high is not None:
            return f"{kind} <= {high:g}"
        return kind

    def parse(self, raw: Any) -> Any:
        """``raw`` (text from the command line, or a value) as this parameter's type, range-checked.

        Text follows the project's one number rule ([qenergy.numbers][]): integers are ASCII
        digits with an optional sign and ``0x``/``0b`` prefix (or a whole number such as ``7e9``),
        numbers are finite ASCII floats; no spaces, ``_`` or non-ASCII digits. Booleans are
        ``true/false``, ``yes/no``, ``on/off`` or ``1/0``. Raises [`InputError`][InputError] naming the
        parameter, the value (cut to 60 characters) and what is allowed.
        """
        label = f"parameter {self.name}"
        what = self.allowed()
        value: Any
        if self.type is bool:
            if isinstance(raw, bool):
                value = raw
            elif isinstance(raw, str) and raw.lower() in _TRUE:
                value = True
            elif isinstance(raw, str) and raw.lower() in _FALSE:
                value = False
            elif isinstance(raw, int) and raw in (0, 1):
                value = bool(raw)
            else:
                raise InputError(f"{label} = {shown_value(raw)} is not allowed; allowed: {what}")
        elif self.type is int:
            if isinstance(raw, float):  # a Python caller's 1e3; never a fraction, nan or inf
                if not math.isfinite(raw) or not raw.is_integer():
                    raise InputError(f"{label} = {shown_value(raw)} is not allowed; allowed: {what}")
                raw_int: Any = int(raw)
            elif isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
                raw_int = int(raw)
            else:
                raw_int = raw
            low = None if self.low is None else math.ceil(self.low)
            high = None if self.upper is None else math.floor(self.upper)
            value = parse_int(raw_int, label, low, high, allowed=what)
        elif self.type is float:
            if isinstance(raw, numbers.Real) and not isinstance(raw, (bool, int, float)):
                raw = float(raw)  # numpy floats
            value = parse_float(raw, label, self.low, self.upper, allowed=what)
        else:
            value = raw if isinstance(raw, str) else str(raw)
            if any(ord(c) < 32 and c != "\t" for c in value):
                raise InputError(f"{label} = {shown_value(raw)} is not allowed (control characters); allowed: {what} without them")
            if len(value) > MAX_TEXT_PARAM:
                raise InputError(f"{label} = {shown_value(raw)} is not allowed; allowed: {what} of at most {MAX_TEXT_PARAM:,} characters")
        if self.choices and value not in self.choices:
            raise InputError(f"{label} = {shown_value(raw)} is not allowed; allowed: {what}")
        return value


#: Longest text parameter (e.g. a directory).
MAX_TEXT_PARAM = 4096


def check_output_dir(value: str, label: str) -> None:
    """Refuse an output directory that cannot be created or written (checked before a long run, not after).

    Empty means "none" and passes. The directory, or its nearest existing ancestor, must be a
    writable directory; nothing is created here.
    """
    if not value:
        return
    try:
        path = Path(value).absolute()
        probe = path
        while not probe.exists():
            if probe.parent == probe:
                break
            probe = probe.parent
        usable = probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
    except (OSError, ValueError):
        usable = False
    if not usable:
        raise InputError(f"{label} = {shown_value(value)} is not allowed (cannot be created or written); allowed: a writable directory, "
                         "or empty for none")


#: Largest value of an integer parameter that declares no upper bound: the largest 64-bit
#: integer, so every count stays exact in numpy and finite as a float.
INT_PARAM_MAX = 2**63 - 1
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class Model(ABC):
    """Base class of plug-in models (subclasses are dataclasses whose fields are [`param`][param] s).

    Result types: the base declares ``run(...) -> Mapping[str, Any]``, a read-only mapping of
    plain JSON-able values. Each built-in model narrows it (return types are covariant) to a
    `typing.TypedDict` named after it, e.g. ``LandauerModel.run(...) -> LandauerResult``,
    that lists exactly the keys and value types its result has (nested structures have their
    own TypedDicts or precise ``list[...]`` / ``dict[...]`` types); a model whose result has two
    shapes returns a union of two TypedDicts (``tla``: ``TLAMacsResult | TLAEnvResult``). A
    TypedDict is a ``Mapping[str, object]``, so the override is sound, and callers holding a
    plain [`Model`][Model] read the result as a mapping without mutating it. A third-party model
    may return a plain ``dict`` (also a Mapping); a TypedDict is recommended, not required.
    """

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    #: The ledger account the model charges.
    account: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every model checks its declared parameters on construction, before its own ``__post_init__``:
        the ranges and choices declared with [`param`][param] are the one place they live."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__post_init__")

        def __post_init__(self: Model) -> None:
            self.check_params()
            if own is not None:
                own(self)

        cls.__post_init__ = __post_init__  # type: ignore[attr-defined]

    def check_params(self) -> None:
        """Check every parameter against its declaration (type, range, choices), and keep an integer, number or
        boolean parameter as its declared type (a whole ``1e3`` given to an integer parameter becomes ``1000``, a
        numpy number a Python one), so that a model's own ``__post_init__`` and ``run`` see the values the
        command line would give them.

        Raises:
            InputError: one line naming the parameter, its value and what is allowed.
        """
        if not dataclasses.is_dataclass(self):
            return
        for info in param_infos(type(self)):
            value = info.parse(getattr(self, info.name))
            if info.type in (int, float, bool):
                object.__setattr__(self, info.name, value)  # frozen dataclasses too: this runs inside __init__

    @abstractmethod
    def run(self, ledger: Ledger, seed: int = 0) -> Mapping[str, Any]:
        """Run, charge ``ledger`` (account `account`), return plain JSON-able results (a TypedDict in subclasses)."""


def param_infos(model_cls: type[Model]) -> list[ParamInfo]:
    """The parameters of a model class, in declaration order."""
    hints = get_type_hints(model_cls)
    out = []
    for f in fields(model_cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        typ = hints[f.name]
        m = f.metadata
        out.append(ParamInfo(f.name, typ if isinstance(typ, type) else str, f.default, m.get("unit", ""), m.get("help", ""),
                             m.get("low"), m.get("high"), m.get("choices"), m.get("aliases", ())))
    return out


def discover_models() -> dict[str, type[Model]]:
    """Models registered under the ``qenergy.models`` entry-point group, by name (those that import)."""
    return discover_all()[0]


def discover_all() -> tuple[dict[str, type[Model]], dict[str, str]]:
    """Loadable models by name, and the registered ones that cannot load with the reason
    (usually an optional extra that is not installed)."""
    found: dict[str, type[Model]] = {}
    broken: dict[str, str] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except ImportError as exc:
            broken[ep.name] = f"needs {exc.name or exc} (install the matching qenergy extra)"
            continue
        if isinstance(cls, type) and issubclass(cls, Model) and dataclasses.is_dataclass(cls):
            found[cls.name or ep.name] = cls
    return dict(sorted(found.items())), broken


def parse_param_items(items: Iterable[str]) -> list[tuple[str, str]]:
    """``KEY=VALUE`` strings (from ``--param``, repeatable) as (key, value) pairs, in order.

    Nothing is stripped (spaces in a number are refused by the number rule); an item without
    ``=`` or with an empty key raises [`InputError`][InputError]. Repeated keys are kept, so that
    [`build_model`][build_model] can refuse them.
    """
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param {shown_value(item)} is not allowed; allowed: KEY=VALUE (see qenergy models)")
        pairs.append((key, value))
    return pairs


def build_model(name: str, raw: Mapping[str, Any] | Iterable[tuple[str, Any]], models: dict[str, type[Model]] | None = None) -> Model:
    """Instantiate model ``name`` from ``key=value`` parameters (aliases allowed), checking each.

    ``raw`` is a mapping or a sequence of (key, value) pairs (as `parse_param_items`
    gives); a parameter given twice, under its name or an alias, is refused, as is an unknown
    key (the message lists the known ones).
    """
    broken: dict[str, str] = {}
    if models is None:
        registry, broken = discover_all()
    else:
        registry = models
    if name in broken:
        raise InputError(f"model {shown_value(name)} cannot load: it {broken[name]}")
    if name not in registry:
        raise InputError(f"model {shown_value(name)} is unknown; allowed: {', '.join(registry) or 'none installed'}")
    cls = registry[name]
    infos = {p.name: p for p in param_infos(cls)}
    lookup = {alias: p for p in infos.values() for alias in (p.name, *p.aliases)}
    values: dict[str, Any] = {}
    given: dict[str, str] = {}
    pairs = list(raw.items()) if isinstance(raw, Mapping) else list(raw)
    for key, raw_value in pairs:
        if key not in lookup:
            raise InputError(f"model {name} has no parameter {shown_value(key)}; allowed: {', '.join(infos)}")
        p = lookup[key]
        if p.name in given:
            first = given[p.name]
            twice = f"as {first!r} and {key!r}" if first != key else "twice"
            raise InputError(f"model {name}: parameter {p.name} is given {twice}; allowed: each parameter once")
        given[p.name] = key
        values[p.name] = p.parse(raw_value)
    try:
        return cls(**values)
    except InputError:
        raise
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise InputError(f"model {name}: {shorten(' '.join(str(exc).split()), 200)}") from None
