"""Noise specifications for Simon runs: what ``--noise SPEC`` means, parsed and checked.

A SPEC is a comma list of channels (or ``none``):

* ``depolarize:P``: a depolarising channel of strength P after every gate (one- and
  two-qubit), E(ρ) = (1 − P)·ρ + P·I/d, the convention of Qiskit's ``depolarizing_error``:
  a non-identity Pauli with probability 3P/4 after a one-qubit gate and 15P/16 after a
  two-qubit gate (stim's ``DEPOLARIZE1(3P/4)`` / ``DEPOLARIZE2(15P/16)``);
* ``readout:P``: each measured bit flipped with probability P;
* ``device:fake:NAME``: the calibration of one of qiskit-ibm-runtime's fake devices (per-qubit
  gate and readout errors, basis gates, coupling map): the circuit is routed onto the device
  and the noise applied per physical gate ([qenergy.circuits.noise][]).

Modifiers of a device twin (only with ``device:``):

* ``idle:on|off``: idle decoherence from the calibrated T1/T2 while qubits wait on the
  scheduled circuit (default on);
* ``scale:X`` (X ≥ 0): every error probability of the twin multiplied by X, T1 and T2
  divided by X ("a device X times better": X < 1); ``scale:0`` is the ideal device.

Channels combine: ``device:fake:sherbrooke,readout:0.01`` adds 1 % readout flips to the
device's own. This module is core: it only parses and checks; the circuits are built in
[qenergy.circuits.noise][].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qenergy.errors import InputError, shorten

__all__ = ["NOISE_KINDS", "NoiseSpec", "parse_noise"]

#: The channel kinds a SPEC may hold.
NOISE_KINDS = ("depolarize:P", "readout:P", "device:fake:NAME", "idle:on|off", "scale:X")

_ALLOWED = "a comma list of depolarize:P, readout:P (0 <= P <= 1), device:fake:NAME with idle:on|off and scale:X (X >= 0), or none"
#: Largest error scale accepted (errors are capped at their maxima after scaling).
MAX_SCALE = 1e6


@dataclass(frozen=True)
class NoiseSpec:
    """A parsed noise specification.

    Attributes:
        depolarize: depolarising strength P after every gate (0: none).
        readout: probability that a measured bit is flipped (0: none).
        device: ``fake:NAME`` whose calibration is applied, or None.
        idle: idle decoherence (T1/T2) on a device twin (ignored without a device).
        scale: multiplier of every error probability of the device twin (T1, T2 divided by it).
    """

    depolarize: float = 0.0
    readout: float = 0.0
    device: str | None = None
    idle: bool = True
    scale: float = 1.0

    def __post_init__(self) -> None:
        for kind in ("depolarize", "readout"):
            _check_probability(kind, getattr(self, kind))
        if self.device is not None:
            _check_device(self.device)
        _check_scale(self.scale)
        if self.device is None and (not self.idle or self.scale != 1.0):
            raise InputError(f"noise modifier {'idle:off' if not self.idle else f'scale:{self.scale:g}'} is not allowed without a device; "
                             f"allowed: idle:on|off and scale:X together with device:fake:NAME")

    @property
    def is_ideal(self) -> bool:
        """True when no channel is present (the circuit runs noiselessly)."""
        return self.depolarize == 0.0 and self.readout == 0.0 and self.device is None

    def describe(self) -> str:
        """The canonical SPEC text (``none`` for the ideal case); [`parse_noise`][parse_noise] reads it back."""
        parts = []
        if self.device is not None:
            parts.append(f"device:{self.device}")
            if not self.idle:
                parts.append("idle:off")
            if self.scale != 1.0:
                parts.append(f"scale:{self.scale:g}")
        if self.depolarize:
            parts.append(f"depolarize:{self.depolarize:g}")
        if self.readout:
            parts.append(f"readout:{self.readout:g}")
        return ",".join(parts) if parts else "none"

    def __str__(self) -> str:
        return self.describe()


def _check_probability(kind: str, p: float) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p) or not 0.0 <= p <= 1.0:
        raise InputError(f"noise {kind}:{shorten(str(p))} is not allowed; allowed: {kind}:P with 0 <= P <= 1")


def _check_device(device: str) -> None:
    kind, _, name = device.partition(":")
    if kind != "fake" or not name or not name.replace("_", "").isalnum():
        raise InputError(f"noise device:{shorten(device)} is not allowed; allowed: device:fake:NAME (a fake device of qiskit-ibm-runtime, "
                         f"e.g. device:fake:sherbrooke)")


def _check_scale(x: float) -> None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or not 0.0 <= x <= MAX_SCALE:
        raise InputError(f"noise scale:{shorten(str(x))} is not allowed; allowed: scale:X with 0 <= X <= {MAX_SCALE:g}")


def _parse_probability(kind: str, text: str) -> float:
    try:
        p = float(text)
    except ValueError:
        raise InputError(f"noise {kind}:{shorten(text)} is not allowed; allowed: {kind}:P with 0 <= P <= 1") from None
    _check_probability(kind, p)
    return p


def parse_noise(spec: str) -> NoiseSpec:
    """Parse a SPEC (see the module docstring) into a [`NoiseSpec`][NoiseSpec].

    Raises [`InputError`][InputError] (one line) for an unknown channel, a probability outside
    [0, 1], a malformed device name or a channel given twice. Whether a ``fake:NAME``
    exists is checked when the circuit is built (it needs qiskit-ibm-runtime).
    """
    if not isinstance(spec, str):
        raise InputError(f"noise {shorten(repr(spec))} is not allowed; allowed: {_ALLOWED}")
    text = spec.strip()
    if text.lower() == "none":
        return NoiseSpec()
    if not text:
        raise InputError(f"noise '' is not allowed; allowed: {_ALLOWED}")
    probabilities: dict[str, float] = {}
    device: str | None = None
    idle = True
    scale = 1.0
    seen: set[str] = set()
    for item in text.split(","):
        item = item.strip()
        kind, sep, value = item.partition(":")
        kind = kind.lower()
        if not sep or kind not in ("depolarize", "readout", "device", "idle", "scale") or not value:
            raise InputError(f"noise {shorten(item) or repr(item)} is not allowed; allowed: {_ALLOWED}")
        if kind in seen:
            raise InputError(f"noise {shorten(text)} is not allowed (two {kind} channels); allowed: {_ALLOWED}, each kind at most once")
        seen.add(kind)
        if kind == "device":
            _check_device(value.lower())
            device = value.lower()
        elif kind == "idle":
            if value.lower() not in ("on", "off"):
                raise InputError(f"noise idle:{shorten(value)} is not allowed; allowed: idle:on or idle:off")
            idle = value.lower() == "on"
        elif kind == "scale":
            try:
                scale = float(value)
            except ValueError:
                raise InputError(f"noise scale:{shorten(value)} is not allowed; allowed: scale:X with 0 <= X <= {MAX_SCALE:g}") from None
            _check_scale(scale)
        else:
            probabilities[kind] = _parse_probability(kind, value)
    return NoiseSpec(depolarize=probabilities.get("depolarize", 0.0), readout=probabilities.get("readout", 0.0), device=device, idle=idle, scale=scale)
