"""The one way qenergy draws figures: a headless matplotlib figure, saved atomically and closed.

Every plot (the sweep's advantage plot, the grid model's heat maps and intensity series,
the TLA model's reward curves) goes through :func:`figure` and :func:`save`, so all use
the Agg backend (no display needed), write through a temporary file and a rename (a
reader never sees half a PNG), carry the same PNG metadata, and never leak figures.
matplotlib is imported on first use.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["figure", "integer_axis", "render_png", "save"]


def figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (8.0, 5.0), dpi: int = 120) -> tuple[Any, Any]:
    """A new ``(figure, axes)`` on the Agg backend (axes is an array when nrows × ncols > 1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=figsize, dpi=dpi)


def integer_axis(ax: Any, axis: str = "x") -> None:
    """Integer ticks on an axis of counts or sizes (n, decisions)."""
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


def save(fig: Any, path: str | os.PathLike[str], *, software: str = "qenergy", dpi: int | None = None) -> Path:
    """Lay out, write ``fig`` to ``path`` atomically (format from the suffix) and close it.

    PNGs carry ``Software: <software>`` in their metadata, by which qenergy recognises its own files.
    """
    import matplotlib.pyplot as plt

    out = Path(path)
    try:
        fig.tight_layout()
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix or ".png", dir=out.parent or ".")
        os.close(fd)
        try:
            meta = {"Software": software} if out.suffix.lower() in ("", ".png") else None
            fig.savefig(tmp, dpi=dpi, metadata=meta, format=(out.suffix.lstrip(".") or "png"))
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    finally:
        plt.close(fig)
    return out


def render_png(fig: Any, *, software: str = "qenergy", dpi: int | None = None) -> bytes:
    """Lay out ``fig``, return it as PNG bytes with ``Software: <software>`` metadata, and close it
    (for callers that write the bytes themselves, e.g. refusing to replace a file)."""
    import io

    import matplotlib.pyplot as plt

    try:
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": software})
        return buf.getvalue()
    finally:
        plt.close(fig)
