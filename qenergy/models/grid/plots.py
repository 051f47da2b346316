"""Figures of the grid model, drawn through the shared `qenergy.plotting`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qenergy.models.grid.solver import CrossResult
from qenergy.plotting import figure, save


def plot_cross_matrices(result: CrossResult | dict[str, Any], path: str | Path) -> Path:
    """Heat maps of system cost, CO2 and unserved energy by design year (rows) × operation year (columns)."""
    if isinstance(result, CrossResult):
        labels = result.labels
        mats = {"cost_meur": np.array(result.matrix("cost_eur")) / 1e6, "co2_kt": np.array(result.matrix("co2_t")) / 1e3,
                "unserved_gwh": np.array(result.matrix("unserved_mwh")) / 1e3}
    else:
        labels = result["years"]
        mats = {k: np.array(result["matrices"][k]) for k in ("cost_meur", "co2_kt", "unserved_gwh")}
    titles = {"cost_meur": "system cost (MEUR/yr)", "co2_kt": "CO2 (kt/yr)", "unserved_gwh": "unserved energy (GWh/yr)"}
    fig, axes = figure(1, 3, figsize=(15, 4.5), dpi=100)
    for ax, (key, m) in zip(axes, mats.items()):
        im = ax.imshow(m, cmap="viridis", aspect="auto")
        ax.set_title(titles[key])
        ax.set_xticks(range(len(labels)), labels)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("operation (weather) year")
        ax.set_ylabel("design year")
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, f"{m[i, j]:.4g}", ha="center", va="center", color="w", fontsize=7)
        fig.colorbar(im, ax=ax)
    fig.suptitle("Designs frozen and operated in every weather year (toy model, synthetic weather)")
    return save(fig, path, software="qenergy grid model")



def plot_intensity(series: pd.Series | Sequence[float], path: str | Path, *, title: str = "") -> Path:
    """Emission intensity (g CO2/kWh of load served) over a year, with its daily mean."""
    s = series if isinstance(series, pd.Series) else pd.Series(list(series), dtype=float)
    fig, ax = figure(figsize=(12, 4), dpi=100)
    ax.plot(s.index, s.to_numpy(), lw=0.5, color="0.6", label="per snapshot")
    if isinstance(s.index, pd.DatetimeIndex) and len(s) > 1:
        daily = s.resample("D").mean()
        ax.plot(daily.index, daily.to_numpy(), lw=1.2, color="C3", label="daily mean")
    ax.set_ylabel("g CO2 / kWh served")
    ax.set_title(title or "Emission intensity over the year (toy model)")
    ax.legend(loc="upper right")
    return save(fig, path, software="qenergy grid model")
