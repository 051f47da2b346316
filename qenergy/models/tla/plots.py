"""Figures of the TLA model, drawn through the shared `qenergy.plotting`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qenergy.plotting import figure, save


def plot_reward_vs_decisions(points: Sequence[dict[str, Any]], path: str | Path, *, j_per_mac: float = 0.0,
                             title: str = "") -> Path:
    """Write a PNG (or any matplotlib format by suffix) of reward against decisions and against energy.

    ``points``: dicts with ``decisions``, ``reward``, ``mmacs`` and optionally ``label``. The
    energy axis is MMACs × 1e6 × ``j_per_mac`` J, or MMACs when ``j_per_mac`` is 0.
    """
    fig, axes = figure(1, 2, figsize=(9, 3.6))
    labels = sorted({str(p.get("label", "")) for p in points})
    for lab in labels:
        pts = [p for p in points if str(p.get("label", "")) == lab]
        d = [p["decisions"] for p in pts]
        r = [p["reward"] for p in pts]
        e = [p["mmacs"] * 1e6 * j_per_mac if j_per_mac > 0 else p["mmacs"] for p in pts]
        axes[0].plot(d, r, "o-", label=lab or None)
        axes[1].plot(e, r, "o-", label=lab or None)
    axes[0].set_xlabel("decisions per episode")
    axes[1].set_xlabel("energy per episode (J)" if j_per_mac > 0 else "MMACs per episode (network-equivalent)")
    for ax in axes:
        ax.set_ylabel("episode reward")
        ax.grid(alpha=0.3)
    if any(labels):
        axes[0].legend()
    if title:
        fig.suptitle(title)
    return save(fig, path, software="qenergy tla model")
