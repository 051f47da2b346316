"""Figures (matplotlib, file output only; the Agg backend needs no display).

Each PNG qenergy writes carries a ``Software`` text chunk ([`SWEEP_SOFTWARE`][SWEEP_SOFTWARE] for the
sweep's plot) so that a later run can tell its own file from a user's
([`png_software`][png_software]) and never replaces the latter by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qenergy.energy.advantage import BoundRow
from qenergy.ledger.export import write_atomic
from qenergy.plotting import figure, integer_axis, png_software, render_png

__all__ = ["SWEEP_SOFTWARE", "draw_advantage", "fit_scaling", "plot_advantage", "plot_nts", "png_software"]

#: The PNG ``Software`` text of the sweep's ``advantage.png``: how qenergy recognises its own plot.
SWEEP_SOFTWARE = "qenergy sweep"


def plot_advantage(
    path: str | Path,
    rows: Sequence[BoundRow],
    *,
    crossover: int | None,
    runs: Sequence[tuple[int, str, float]] = (),
    title: str = "",
    quantum_label: str = "quantum upper bound",
    classical_label: str = "classical lower bound",
    replace: bool = False,
    software: str = SWEEP_SOFTWARE,
) -> Path:
    """Energy against n on a log axis: both bounds as lines, per-run charges as points, the crossover marked.

    ``runs`` holds (n, side, charged joules) with side ``quantum`` or ``classical``.
    Zero energies cannot sit on a log axis and are left out. The PNG is written whole
    (`qenergy.ledger.export.write_atomic`) with ``software`` as its ``Software`` text;
    an existing file at ``path`` is replaced only with ``replace`` (else [`InputError`][InputError]).
    """
    fig, ax = figure(figsize=(8, 5), dpi=120)
    draw_advantage(ax, rows, crossover=crossover, runs=runs, title=title, quantum_label=quantum_label, classical_label=classical_label)
    return write_atomic(Path(path), render_png(fig, software=software), replace=replace)


def draw_advantage(
    ax: Any,
    rows: Sequence[BoundRow],
    *,
    crossover: int | None,
    runs: Sequence[tuple[int, str, float]] = (),
    title: str = "",
    quantum_label: str = "quantum upper bound",
    classical_label: str = "classical lower bound",
    runs_label: str = "runs (charged)",
) -> None:
    """Draw [`plot_advantage`][plot_advantage]'s figure on ``ax`` (also used by ``qenergy report``); ``runs_label`` follows the side's name."""
    ns = np.array([r.n for r in rows])
    # near and beyond the float range (n above about 1700) the axis shows log10 of the joules on a linear scale
    logs = any(r.classical_lower.log10 > 250 for r in rows)
    qb = np.array([r.quantum_upper_j for r in rows])
    cb = np.array([r.classical_lower.log10 if logs else r.classical_lower_j for r in rows])
    qy = np.log10(np.where(qb > 0, qb, np.nan)) if logs else qb
    keep_c = np.isfinite(cb) if logs else cb > 0
    ax.plot(ns[qb > 0], qy[qb > 0], "-", color="tab:blue", lw=2, label=quantum_label)
    ax.plot(ns[keep_c], cb[keep_c], "-", color="tab:red", lw=2, label=classical_label)
    for side, color, marker in (("quantum", "tab:blue", "o"), ("classical", "tab:red", "s")):
        pts = np.array([(n, e) for n, s, e in runs if s == side and e > 0], dtype=float).reshape(-1, 2)
        if pts.size:
            ys = np.log10(pts[:, 1]) if logs else pts[:, 1]
            ax.scatter(pts[:, 0], ys, s=18, color=color, marker=marker, alpha=0.6, label=f"{side} {runs_label}")
    if crossover is not None:
        ax.axvline(crossover, color="k", ls="--", lw=1, label=f"crossover n = {crossover}")
    else:
        ax.plot([], [], " ", label="no crossover in range")
    if not logs:
        ax.set_yscale("log")
    integer_axis(ax)
    ax.set_xlabel("problem size n (bits)")
    ax.set_ylabel("log10 of energy (J)" if logs else "energy (J)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")



def fit_scaling(ns: Sequence[int], values: Sequence[float]) -> dict[str, float] | None:
    """Least-squares scaling exponents of ``values`` against n (positive values, at least two distinct n):
    ``power`` k of values ≈ a·n^k (log-log slope) and ``exponential`` b of values ≈ a·2^(b·n) (log2-linear slope).
    None when there is too little to fit."""
    pts = [(n, v) for n, v in zip(ns, values) if v is not None and v > 0 and n > 0]
    if len({n for n, _ in pts}) < 2:
        return None
    x = np.array([p[0] for p in pts], dtype=float)
    y = np.log2(np.array([p[1] for p in pts], dtype=float))
    return {"power": float(np.polyfit(np.log2(x), y, 1)[0]), "exponential": float(np.polyfit(x, y, 1)[0])}


def plot_nts(path: str | Path, series: dict[str, tuple[list[int], list[float], list[float]]], *, title: str = "",
             replace: bool = False, software: str = SWEEP_SOFTWARE) -> Path:
    """Queries to solution (NTS) against n on a log axis: per side, the median (line, with its fitted power-law
    exponent in the legend) and the success quantile (dashed). ``series`` maps a side to (ns, medians, quantiles).
    Written like [`plot_advantage`][plot_advantage] (whole, with ``software``; replaced only with ``replace``)."""
    fig, ax = figure(figsize=(8, 5), dpi=120)
    colors = {"quantum": "tab:blue", "classical": "tab:red"}
    for side, (ns, med, qua) in series.items():
        color = colors.get(side, "tab:gray")
        fit = fit_scaling(ns, med)
        label = f"{side} NTS median" + (f" (~n^{fit['power']:.2f}, ~2^({fit['exponential']:.3f} n))" if fit else "")
        keep = [i for i, v in enumerate(med) if v > 0]
        ax.plot([ns[i] for i in keep], [med[i] for i in keep], "o-", color=color, lw=2, label=label)
        keepq = [i for i, v in enumerate(qua) if v > 0]
        ax.plot([ns[i] for i in keepq], [qua[i] for i in keepq], "--", color=color, lw=1, label=f"{side} NTS success quantile")
    ax.set_yscale("log")
    integer_axis(ax)
    ax.set_xlabel("problem size n (bits)")
    ax.set_ylabel("oracle queries to solution (NTS)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return write_atomic(Path(path), render_png(fig, software=software), replace=replace)
