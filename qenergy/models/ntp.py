"""Information capacity of next-token prediction and its Landauer floor (models.md §3).

An, Song, Li, *Physics in Next-token Prediction*, arXiv:2411.00660v2 (2024):

* IC-1 (eq. 8): η·N = D·(H − L). Training on D tokens lowers the average loss from the
  dataset entropy H to L; the D·(H − L) removed from the dataset's code length is stored
  in the N parameter **bits** (the paper's N is #parameters × bits per parameter, e.g.
  × 16 for FP16/BF16), so η = D·(H − L)/N is the fraction of the storage used, ≤ 1.
* IC-2 (eq. 9): E₀ = η·N·k_B·T·ln 2, the least energy to transfer that information at
  reservoir temperature T.

Units (the paper does not address them; flagged in the digest). IC-2 prices each unit of
information at k_B·T·ln 2, i.e. it counts **bits**, while training losses (Kaplan's laws
included) are usually in **nats** per token. This module converts once, in
`to_bits` (bits = nats / ln 2), and everything downstream is in bits. With
``unit="bits"`` the given H and L are taken as bits unchanged; the paper's own §5.1
arithmetic (η = (H − L)/26.08 with Kaplan's nat losses) corresponds to that choice.

Names: ``eta`` is the paper's η (information bits per stored bit, dimensionless);
``bits_per_parameter`` is information bits per parameter, η × bits per parameter (the
"2 bits/parameter" of Allen-Zhu & Li that the paper turns into η ≈ 0.125 at 16 bits).

Assumptions of this project, not the paper's: T defaults to 300 K (the paper fixes
none); k_B is the exact SI value (the paper rounds to 1.38e-23 J/K); the default inputs
are illustrative, not a run from the paper. η > 1 is reported (``within_capacity`` false,
with a warning) rather than refused, since H is usually a guess (Corollary 4.1: H ≈
the initial loss) and the floor D·(H − L)·k_B·T·ln 2 is still computed.

Ledger (account ``ntp``): one charge, resource ``bits_transferred``, count = D·(H − L) in
bits rounded to an integer, at k_B·T·ln 2 each (T = the model's ``temperature``), basis
``lower_bound``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, TypedDict

from scipy import constants as _c

from qenergy.energy.physics import LN2, convert_energy, landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = [
    "KAPLAN_D_C",
    "KAPLAN_N_C",
    "NextTokenCapacity",
    "NextTokenResult",
    "information_bits",
    "information_capacity",
    "kaplan_bits_per_token",
    "lossless_quantization_possible",
    "min_training_energy_j",
    "to_bits",
]

_SOURCE = "An, Song, Li 2024, arXiv:2411.00660v2"
#: Kaplan's data scale D_c (tokens) in L = (D/D_c)^-0.095, the paper's eq. (15).
KAPLAN_D_C: float = 5.4e13
#: Kaplan's parameter scale N_c (parameters) in L = (N/N_c)^-0.076, the paper's eq. (16) with N/16 in bits.
KAPLAN_N_C: float = 8.8e13
UNITS: tuple[str, ...] = ("nats", "bits")


def to_bits(value: float, unit: str) -> float:
    """An information amount (e.g. a loss per token) in bits: nats / ln 2, or bits unchanged.

    The single place where nats become bits in this module.
    """
    if unit == "nats":
        return value / LN2
    if unit == "bits":
        return value
    raise InputError(f"information unit {unit!r} is unknown; allowed: {' | '.join(UNITS)}")


def information_bits(tokens: float, entropy: float, loss: float, unit: str = "nats") -> float:
    """IC-1's right side D·(H − L) in bits, for H and L per token in ``unit``; needs 0 <= L <= H."""
    if tokens < 0:
        raise InputError(f"tokens = {tokens!r} is not allowed; allowed: tokens >= 0")
    if loss < 0 or entropy < 0:
        raise InputError(f"entropy = {entropy!r}, loss = {loss!r} is not allowed; allowed: values >= 0")
    if loss > entropy:
        raise InputError(f"loss L = {loss!r} exceeds entropy H = {entropy!r}; allowed: L <= H (IC-1 would give negative information)")
    return tokens * to_bits(entropy - loss, unit)


def information_capacity(information_bits: float, parameters: float, precision_bits: int = 16) -> float:
    """The paper's η = I / N with N = parameters × bits per parameter (dimensionless; IC-1 requires η <= 1)."""
    if parameters <= 0 or precision_bits <= 0:
        raise InputError(f"parameters = {parameters!r}, precision_bits = {precision_bits!r} is not allowed; allowed: both > 0")
    return information_bits / (parameters * precision_bits)


def min_training_energy_j(information_bits: float, temperature_k: float) -> float:
    """IC-2: E₀ = I·k_B·T·ln 2 in joules, for I bits transferred at reservoir temperature T (kelvin)."""
    return information_bits * landauer_bit_energy(temperature_k)


def kaplan_bits_per_token(precision_bits: int = 16) -> float:
    """k = N/D (N in bits) from matching Kaplan's data law (15) and parameter law (16): b·N_c/D_c.

    The paper (§5.1) equates the two losses and, neglecting the differing exponents
    (0.095 vs 0.076, its Fig. 2), sets the arguments equal: D/D_c = (N/b)/N_c.
    """
    return precision_bits * KAPLAN_N_C / KAPLAN_D_C


def lossless_quantization_possible(eta: float, bits: int, new_bits: int) -> bool:
    """Necessary condition (eqs. 11–12) to quantize from ``bits`` to ``new_bits`` per parameter without loss: η·b <= b′."""
    return eta * bits <= new_bits


class NextTokenResult(TypedDict):
    """What [NextTokenCapacity.run][] returns; the Patterson comparison is None when not given."""

    parameters: int
    precision_bits: int
    parameter_bits: int
    tokens: int
    unit: str
    entropy_bits_per_token: float
    loss_bits_per_token: float
    information_bits: float
    bits_per_parameter: float
    eta: float
    within_capacity: bool
    temperature_k: float
    joules_per_bit: float
    min_energy_j: float
    patterson_energy_mwh: float | None
    ratio_real_to_floor: float | None
    charged_bits: int
    warnings: list[str]
    source: str


@dataclass(frozen=True)
class NextTokenCapacity(Model):
    """Information D(H − L) stored by next-token training, its capacity η, and the Landauer floor (IC-1, IC-2)."""

    name: ClassVar[str] = "ntp"
    summary: ClassVar[str] = "Next-token-prediction information capacity eta N = D(H - L) and floor E0 = eta N k_B T ln 2 (An, Song, Li 2024)"
    account: ClassVar[str] = "ntp"

    parameters: int = param(7_000_000_000, unit="parameters", help="model parameters (count, not bits)", low=1, high=10**18, aliases=("N",))
    precision_bits: int = param(16, unit="bit/parameter", help="storage bits per parameter (16 for FP16/BF16)", low=1, high=64)
    tokens: int = param(1_000_000_000, unit="tokens", help="tokens trained on", low=0, high=10**18, aliases=("D",))
    loss: float = param(3.0, unit="per token", help="average cross-entropy loss L, in `unit`", low=0.0, high=1e6, aliases=("L",))
    entropy: float = param(10.0, unit="per token", help="dataset entropy H (about the initial loss, Corollary 4.1), in `unit`",
                           low=0.0, high=1e6, aliases=("H",))
    unit: str = param("nats", help="unit of loss and entropy", choices=UNITS)
    temperature: float = param(300.0, unit="K", help="heat reservoir temperature (project default 300 K)", low=1e-300, high=1e32, aliases=("T",))
    patterson_energy_mwh: float = param(0.0, unit="MWh", help="real training energy to compare (e.g. from the patterson model); 0 = none",
                                        low=0.0, high=1e12)

    def __post_init__(self) -> None:
        # the declared ranges and choices are checked by Model.check_params first; here the relation between two of them
        if self.loss > self.entropy:
            raise InputError(f"parameter loss = {self.loss!r} exceeds entropy = {self.entropy!r}; "
                             f"allowed: loss <= entropy (IC-1 would give negative information)")
        bits = information_bits(self.tokens, self.entropy, self.loss, self.unit)
        floor = min_training_energy_j(bits, self.temperature)
        ratio = convert_energy(self.patterson_energy_mwh * _c.kilo, "kWh", "J") / floor if floor > 0 else 0.0
        if not all(math.isfinite(v) for v in (bits, floor, ratio)):
            raise InputError(f"parameters tokens = {self.tokens}, entropy = {self.entropy:g}, loss = {self.loss:g}, temperature = "
                             f"{self.temperature:g}, patterson_energy_mwh = {self.patterson_energy_mwh:g} give a result beyond the range "
                             "of a double; allowed: values whose products and ratios stay below about 1e300")

    def run(self, ledger: Ledger, seed: int = 0) -> NextTokenResult:
        bits = information_bits(self.tokens, self.entropy, self.loss, self.unit)
        eta = information_capacity(bits, self.parameters, self.precision_bits)
        per_bit = landauer_bit_energy(self.temperature)
        floor = min_training_energy_j(bits, self.temperature)
        warnings: list[str] = []
        if eta > 1:
            warnings.append(f"eta = {eta:.4g} > 1: D(H - L) exceeds the {self.parameters * self.precision_bits:.4g} parameter bits; "
                            "IC-1 forbids this, so H, L, D or N are inconsistent with the framework (floor still computed)")
        ratio = None
        if self.patterson_energy_mwh > 0 and floor > 0:
            ratio = convert_energy(self.patterson_energy_mwh * _c.kilo, "kWh", "J") / floor
        count = round(bits)
        ledger.charge(self.account, "bits_transferred", count, per_bit, "lower_bound",
                      f"{_SOURCE} IC-2: D(H - L) = {self.tokens} x ({self.entropy:g} - {self.loss:g}) {self.unit} "
                      f"= {bits:.6g} bits at k_B T ln 2, T = {self.temperature:g} K", model=self.name)
        return {
            "parameters": self.parameters,
            "precision_bits": self.precision_bits,
            "parameter_bits": self.parameters * self.precision_bits,
            "tokens": self.tokens,
            "unit": self.unit,
            "entropy_bits_per_token": to_bits(self.entropy, self.unit),
            "loss_bits_per_token": to_bits(self.loss, self.unit),
            "information_bits": bits,
            "bits_per_parameter": bits / self.parameters,
            "eta": eta,
            "within_capacity": eta <= 1,
            "temperature_k": self.temperature,
            "joules_per_bit": per_bit,
            "min_energy_j": floor,
            "patterson_energy_mwh": self.patterson_energy_mwh if self.patterson_energy_mwh > 0 else None,
            "ratio_real_to_floor": ratio,
            "charged_bits": count,
            "warnings": warnings,
            "source": _SOURCE,
        }
