"""One registry mechanism for every extension point: Python entry-point groups.

qenergy finds its pieces the way a third-party package would add one, through the
entry-point groups of installed distributions (``importlib.metadata``):

=====================  ==================================================  ==========================
group                  what an entry names                                 built-ins
=====================  ==================================================  ==========================
``qenergy.backends``   a [qenergy.circuits.base.SimonBackend][] subclass       aer, cirq, stim, exact;
                       (or, for a prefix, a factory of ``NAME``)            ``fake:NAME``, ``ibm:NAME``
``qenergy.classical``  a [qenergy.classical.base.ClassicalAlgorithm][]         birthday, exhaustive, rho
``qenergy.bounds``     a classical lower bound (``memory:BITS`` takes BITS)  irreversible, memory,
                       or the quantum upper bound                           minimal, reversible,
                                                                            quantum-upper
``qenergy.models``     a [qenergy.models.Model][] subclass             the ten plug-in models
=====================  ==================================================  ==========================

A third party declares its own in its ``pyproject.toml``::

    [project.entry-points."qenergy.backends"]
    my-backend = "my_package.module:MyBackend"

An entry whose object has a true ``prefix`` attribute is a *prefix factory*: the spec
``NAME:REST`` resolves to ``object(REST)`` (``fake:sherbrooke`` → the ``fake`` entry
called with ``"sherbrooke"``). Help texts, ``--help`` choices and "unknown name" errors
are generated from the registry, never typed by hand. Nothing is cached: each lookup
reads the installed metadata (a few milliseconds), so there is no global state.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from qenergy.errors import InputError, shorten

__all__ = ["BACKENDS", "BOUNDS", "CLASSICAL", "MODELS", "Registry"]


@dataclass(frozen=True)
class Registry:
    """The entries of one entry-point group.

    Attributes:
        group: the entry-point group, e.g. ``qenergy.backends``.
        kind: what an entry is, for messages (``backend``, ``classical algorithm``, …).
        extra: spec names accepted beside the entries (e.g. ``auto``, ``none``), listed in help.
    """

    group: str
    kind: str
    extra: tuple[str, ...] = ()

    def entry_points(self) -> dict[str, metadata.EntryPoint]:
        """Installed entries by name (the first installed distribution wins on a clash)."""
        found: dict[str, metadata.EntryPoint] = {}
        for ep in metadata.entry_points(group=self.group):
            found.setdefault(ep.name, ep)
        return found

    def names(self) -> list[str]:
        """Entry names in alphabetical order."""
        return sorted(self.entry_points())

    def _is_prefix(self, obj: Any) -> bool:
        return bool(getattr(obj, "prefix", False))

    def choices(self) -> list[str]:
        """What a user may type: plain names, ``PREFIX:NAME`` for prefix factories, then the extras."""
        out = []
        for name, ep in sorted(self.entry_points().items()):
            try:
                obj = ep.load()
            except Exception:  # an entry whose optional extra is missing is listed as plain
                out.append(name)
                continue
            out.append(f"{name}:NAME" if self._is_prefix(obj) else name)
        return out + list(self.extra)

    def help(self) -> str:
        """``a | b | c`` for an option's help text."""
        return " | ".join(self.choices())

    def unknown(self, spec: str) -> InputError:
        """The one-line error for a name that is not registered."""
        return InputError(f"{self.kind} {shorten(spec)!r} is unknown; allowed: {', '.join(self.choices())}")

    def load(self, name: str) -> Any:
        """The object registered as ``name``.

        Raises:
            InputError: no such entry (the message lists the available ones), or its
                optional dependencies are not installed.
        """
        ep = self.entry_points().get(name)
        if ep is None:
            raise self.unknown(name)
        try:
            return ep.load()
        except ImportError as exc:
            raise InputError(f"{self.kind} {name!r} needs a package that is not installed ({exc.name or exc}); "
                             f"allowed: install its extra, or one of {', '.join(self.choices())}") from None

    def resolve(self, spec: str) -> tuple[Any, str | None]:
        """``(object, argument)`` for ``NAME`` (argument None) or ``PREFIX:ARG`` of a prefix factory.

        Raises:
            InputError: unknown name or prefix, or a prefix used without its argument.
        """
        entries = self.entry_points()
        if spec in entries:
            obj = self.load(spec)
            if self._is_prefix(obj):
                raise InputError(f"{self.kind} {spec!r} needs a name after the colon, e.g. {spec}:NAME")
            return obj, None
        head, sep, rest = spec.partition(":")
        if sep and head in entries:
            obj = self.load(head)
            if self._is_prefix(obj):
                return obj, rest
        raise self.unknown(spec)

    def load_all(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Every entry loaded, and the ones that could not be (name → reason)."""
        loaded: dict[str, Any] = {}
        broken: dict[str, str] = {}
        for name, ep in sorted(self.entry_points().items()):
            try:
                loaded[name] = ep.load()
            except ImportError as exc:
                broken[name] = f"needs {exc.name or exc}"
            except Exception as exc:  # a broken third-party entry must not break discovery
                broken[name] = f"{type(exc).__name__}: {shorten(str(exc))}"
        return loaded, broken


#: Quantum backends (``auto`` and ``none`` are handled by the experiment runner).
BACKENDS = Registry("qenergy.backends", "backend", extra=("auto", "none"))
#: Classical query algorithms (``none`` skips the classical side).
CLASSICAL = Registry("qenergy.classical", "classical algorithm", extra=("none",))
#: Energy bound models: classical lower bounds and the quantum upper bound.
BOUNDS = Registry("qenergy.bounds", "bound model")
#: Plug-in models.
MODELS = Registry("qenergy.models", "model")
