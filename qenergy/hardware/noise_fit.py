"""Shots to solution measured on a noisy twin: per-n statistics of a scan and a log-linear fit beyond it.

A *noise scan* (run by `qenergy.app.noise_scan`) solves ``seeds`` seeded Simon instances
with the noisy solver at each n of a ladder and records every run's outcome
([`RunOutcome`][RunOutcome]). This module is the statistics of those outcomes; it runs nothing.

Per n ([`ScanPoint`][ScanPoint]):

* ``shots_quantile(P)``: the smallest shot count by which a fraction ≥ P of the runs had
  ended ``solved`` (the ⌈P·K⌉-th order statistic of the K runs' shots, an ``unresolved`` run
  counting as infinitely many shots). None when fewer than ⌈P·K⌉ runs were solved: at that n
  the solver with its shot budget does not reach success P. ``shots_median`` is P = 1/2.
  This is an empirical quantile of K runs, an *estimate*: with K = 16 its sampling spread is
  of the order of the spread between neighbouring order statistics.
* ``wrong``: runs that ended ``solved`` with a wrong secret (the solver proves every answer
  with a classical check, so this must be 0; it is recorded, never assumed).

Beyond the measured range ([`ShotsFit`][ShotsFit], [`fit_shots`][fit_shots]): the logarithm of shots per
bit, ln(shots_P(n)/n) = a + b·n, least squares over the n whose quantile was reached. This
form is exact for the noiseless count (shots ≈ n + const: b ≈ 0) and follows the
exponential growth (1 − η)^(−n) of decoding noisy samples; it is an assumption beyond the
data, so every extrapolated figure carries a band: ± z·σ·sqrt(1 + 1/m + (n − n̄)²/S_xx) in
log space (the least-squares prediction interval, z = 1.645 for a 90 % band), with σ the
residual spread but at least [`MIN_LOG_SPREAD`][MIN_LOG_SPREAD] (an assumption: the quantile of a few
runs is itself uncertain), so the band widens with the distance extrapolated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MIN_LOG_SPREAD", "BAND_Z", "RunOutcome", "ScanPoint", "ShotsFit", "fit_shots", "order_quantile"]

#: Smallest residual spread of the log fit (natural log units): an assumption for the sampling spread of a quantile of ~16 runs.
MIN_LOG_SPREAD = 0.1
#: Width of the extrapolation band in standard errors (a 90 % two-sided normal band).
BAND_Z = 1.645


@dataclass(frozen=True)
class RunOutcome:
    """One solver run of a scan.

    Attributes:
        seed: the run's seed (instance, circuit and solver).
        status: ``solved`` or ``unresolved``.
        correct: whether a solved run's answer is the secret (False for unresolved runs).
        shots: quantum shots drawn.
        check_queries: classical confirmation queries.
        seconds: wall-clock seconds of the run (instance, routing and solver).
    """

    seed: int
    status: str
    correct: bool
    shots: int
    check_queries: int
    seconds: float

    def to_list(self) -> list[Any]:
        return [self.seed, self.status, self.correct, self.shots, self.check_queries, self.seconds]

    @classmethod
    def from_list(cls, v: Sequence[Any]) -> RunOutcome:
        return cls(int(v[0]), str(v[1]), bool(v[2]), int(v[3]), int(v[4]), float(v[5]))


def order_quantile(values: Sequence[float], p: float) -> float:
    """The ⌈p·K⌉-th smallest of K values (``inf`` entries allowed): the empirical p-quantile, never interpolated."""
    if not values:
        return math.inf
    k = max(1, math.ceil(p * len(values) - 1e-12))
    return float(sorted(values)[min(k, len(values)) - 1])


@dataclass(frozen=True)
class ScanPoint:
    """Every run at one n of a scan (see the module docstring)."""

    n: int
    runs: tuple[RunOutcome, ...]

    @property
    def seeds(self) -> int:
        return len(self.runs)

    @property
    def solved(self) -> int:
        return sum(1 for r in self.runs if r.status == "solved")

    @property
    def wrong(self) -> int:
        return sum(1 for r in self.runs if r.status == "solved" and not r.correct)

    @property
    def unresolved(self) -> int:
        return sum(1 for r in self.runs if r.status != "solved")

    @property
    def seconds(self) -> float:
        return float(sum(r.seconds for r in self.runs))

    def _to_solution(self, attr: str, p: float) -> float | None:
        v = order_quantile([float(getattr(r, attr)) if r.status == "solved" and r.correct else math.inf for r in self.runs], p)
        return v if math.isfinite(v) else None

    def shots_quantile(self, p: float) -> float | None:
        """Shots by which a fraction ≥ p of the runs had been solved (None when fewer were solved)."""
        return self._to_solution("shots", p)

    def check_queries_quantile(self, p: float) -> float | None:
        """Confirmation queries at the same order statistic of the solved runs' query counts (None when not reached)."""
        return self._to_solution("check_queries", p)

    @property
    def shots_median(self) -> float | None:
        return self.shots_quantile(0.5)

    def row(self, success: float) -> dict[str, Any]:
        """The ``noise_measurement`` JSON row at success probability ``success``."""
        return {"n": self.n, "seeds": self.seeds, "shots_median": self.shots_median, "shots_quantile": self.shots_quantile(success),
                "check_queries_median": self.check_queries_quantile(0.5), "check_queries_quantile": self.check_queries_quantile(success),
                "solved": self.solved, "unresolved": self.unresolved, "wrong": self.wrong, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class ShotsFit:
    """ln(shots/n) = a + b·n over the measured quantiles, with a prediction band (see the module docstring).

    Attributes:
        a, b: intercept and slope (per bit) of ln(shots/n).
        sigma: residual spread used for the band (≥ [`MIN_LOG_SPREAD`][MIN_LOG_SPREAD]).
        ns: the n fitted.
        success: the success probability whose quantiles were fitted.
    """

    a: float
    b: float
    sigma: float
    ns: tuple[int, ...]
    success: float

    def log_spread(self, n: float) -> float:
        """Standard error (natural log) of a prediction at n: σ·sqrt(1 + 1/m + (n − n̄)²/S_xx)."""
        x = np.asarray(self.ns, dtype=float)
        sxx = float(np.sum((x - x.mean()) ** 2))
        extra = (n - float(x.mean())) ** 2 / sxx if sxx > 0 else 0.0
        return self.sigma * math.sqrt(1.0 + 1.0 / len(x) + extra)

    def shots(self, n: int, where: str = "mid") -> float:
        """Predicted shots at n: ``mid`` the fit, ``low``/``high`` the ends of the 90 % band (a float; may exceed any budget)."""
        log_mid = math.log(n) + self.a + self.b * n
        shift = {"low": -BAND_Z, "mid": 0.0, "high": BAND_Z}[where] * self.log_spread(n)
        return math.exp(min(700.0, log_mid + shift))

    def to_dict(self) -> dict[str, Any]:
        return {"form": "ln(shots/n) = a + b*n", "a": self.a, "b_per_bit": self.b, "sigma_log": self.sigma, "n_fitted": list(self.ns),
                "success": self.success, "band": f"{BAND_Z} standard errors of prediction (90 %), widening with the distance extrapolated",
                "basis": "estimated"}


def fit_shots(points: Sequence[ScanPoint], success: float) -> ShotsFit | None:
    """Fit ln(shots_P/n) = a + b·n over the points whose P-quantile was reached; None with fewer than two such n."""
    data = [(p.n, q) for p in points if (q := p.shots_quantile(success)) is not None]
    if len({n for n, _ in data}) < 2:
        return None
    x = np.array([n for n, _ in data], dtype=float)
    y = np.log(np.array([q / n for n, q in data], dtype=float))
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    dof = len(x) - 2
    sigma = float(math.sqrt(float(resid @ resid) / dof)) if dof > 0 else 0.0
    return ShotsFit(float(a), float(b), max(MIN_LOG_SPREAD, sigma), tuple(int(v) for v in x), float(success))
