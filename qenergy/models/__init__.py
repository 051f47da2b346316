"""Plug-in models on the cost ledger.

A model is a small dataclass: its fields are its parameters (typed, with defaults; units,
ranges and a help line in the field metadata through :func:`param`), it has a ``name``
and a one-line ``summary``, and ``run(ledger, seed)`` charges its own account and returns
plain JSON-able data. Models are found through the entry-point group ``qenergy.models``,
so a third party adds one from its own package::

    [project.entry-points."qenergy.models"]
    my-model = "my_package.module:MyModel"

``qenergy models`` lists them; ``qenergy model NAME --param key=value`` runs one.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from importlib import metadata
from typing import Any, ClassVar, get_type_hints

from ..errors import InputError
from ..ledger import Ledger

__all__ = ["ENTRY_POINT_GROUP", "Model", "ParamInfo", "build_model", "discover_all", "discover_models", "param", "param_infos"]

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

    def allowed(self) -> str:
        if self.choices:
            return " | ".join(self.choices)
        kind = {int: "an integer", float: "a number", bool: "true or false", str: "text"}.get(self.type, self.type.__name__)
        if self.low is not None and self.high is not None:
            return f"{kind} in {self.low:g}..{self.high:g}"
        if self.low is not None:
            return f"{kind} >= {self.low:g}"
        if self.high is not None:
            return f"{kind} <= {self.high:g}"
        return kind

    def parse(self, raw: Any) -> Any:
        """``raw`` (text from the command line, or a value) as this parameter's type, range-checked."""
        value: Any
        try:
            if self.type is bool:
                if isinstance(raw, bool):
                    value = raw
                elif str(raw).lower() in ("1", "true", "yes", "on"):
                    value = True
                elif str(raw).lower() in ("0", "false", "no", "off"):
                    value = False
                else:
                    raise ValueError
            elif self.type is int:
                if isinstance(raw, float) and not raw.is_integer():
                    raise ValueError
                value = int(raw) if not isinstance(raw, str) else int(float(raw)) if "e" in raw.lower() else int(raw, 0)
                if isinstance(raw, str) and "e" in raw.lower() and float(raw) != value:
                    raise ValueError
            elif self.type is float:
                value = float(raw)
                if not math.isfinite(value):
                    raise ValueError
            else:
                value = str(raw)
        except (TypeError, ValueError):
            raise InputError(f"parameter {self.name} = {raw!r} is not allowed; allowed: {self.allowed()}") from None
        if self.choices and value not in self.choices:
            raise InputError(f"parameter {self.name} = {raw!r} is not allowed; allowed: {self.allowed()}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise InputError(f"parameter {self.name} = {raw!r} is out of range; allowed: {self.allowed()}")
        return value


class Model(ABC):
    """Base class of plug-in models (subclasses are dataclasses whose fields are :func:`param` s)."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    #: The ledger account the model charges.
    account: ClassVar[str] = ""

    @abstractmethod
    def run(self, ledger: Ledger, seed: int = 0) -> dict[str, Any]:
        """Run, charge ``ledger`` (account :attr:`account`), return plain JSON-able results."""


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


def build_model(name: str, raw: dict[str, Any], models: dict[str, type[Model]] | None = None) -> Model:
    """Instantiate model ``name`` from ``key=value`` parameters (aliases allowed), checking each."""
    broken: dict[str, str] = {}
    if models is None:
        registry, broken = discover_all()
    else:
        registry = models
    if name in broken:
        raise InputError(f"model {name!r} cannot load: it {broken[name]}")
    if name not in registry:
        raise InputError(f"model {name!r} is unknown; allowed: {', '.join(registry) or 'none installed'}")
    cls = registry[name]
    infos = {p.name: p for p in param_infos(cls)}
    lookup = {alias: p for p in infos.values() for alias in (p.name, *p.aliases)}
    values: dict[str, Any] = {}
    for key, raw_value in raw.items():
        if key not in lookup:
            raise InputError(f"model {name} has no parameter {key!r}; allowed: {', '.join(infos)}")
        p = lookup[key]
        values[p.name] = p.parse(raw_value)
    try:
        return cls(**values)
    except InputError:
        raise
    except (TypeError, ValueError) as exc:
        raise InputError(f"model {name}: {exc}") from None
