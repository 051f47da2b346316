"""The one way qenergy draws figures: a headless matplotlib figure, saved atomically and closed.

Every plot (the sweep's advantage plot, the grid model's heat maps and intensity series,
the TLA model's reward curves) goes through [`figure`][figure] and [`save`][save], so all use
the Agg backend (no display needed), write through a temporary file and a rename (a
reader never sees half a PNG), carry the same PNG metadata, and never leak figures.
matplotlib is imported on first use.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qenergy.errors import InputError

__all__ = ["check_plot_targets", "figure", "integer_axis", "png_software", "render_png", "render_svg", "save"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def check_plot_targets(paths: Iterable[str | os.PathLike[str]], *, replace: bool = False) -> None:
    """Refuse to replace a file qenergy did not write: each existing path must be a PNG whose
    ``Software`` text starts with ``qenergy`` (or ``replace``). Call before long work, so that
    nothing is computed for an output that would be refused. Raises [`InputError`][InputError].
    """
    for p in map(Path, paths):
        if p.is_dir():
            raise InputError(f"plot {str(p)!r} is a directory; allowed: a file path")
        if p.exists() and not replace and not (png_software(p) or "").startswith("qenergy"):
            raise InputError(f"plot {str(p)!r} exists and was not written by qenergy; allowed: another path (it is never overwritten)")


def save(fig: Any, path: str | os.PathLike[str], *, software: str = "qenergy", dpi: int | None = None, replace: bool = False) -> Path:
    """Lay out, write ``fig`` to ``path`` atomically (format from the suffix) and close it.

    PNGs carry ``Software: <software>`` in their metadata, by which qenergy recognises its own files.
    An existing file is replaced only when qenergy wrote it ([`check_plot_targets`][check_plot_targets]) or with
    ``replace``; otherwise [`InputError`][InputError] and nothing is written.
    """
    import matplotlib.pyplot as plt

    out = Path(path)
    try:
        check_plot_targets([out], replace=replace)
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


def render_svg(fig: Any, *, id_prefix: str = "") -> str:
    """Lay out ``fig``, return it as an SVG element to place inside an HTML page, and close it.

    Text stays text (``svg.fonttype = none``: no embedded glyphs, readable and searchable;
    the page's fonts draw it), no date or creator metadata (the same figure gives the same
    SVG), no XML prolog or DOCTYPE (the element is inline HTML5 foreign content). Every
    ``id`` and every reference to one (``url(#…)``, ``href="#…"``) gets ``id_prefix``, so
    several figures on one page never share an id.
    """
    import re

    import matplotlib
    import matplotlib.pyplot as plt

    try:
        fig.tight_layout()
        buf = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "qenergy"}):
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    finally:
        plt.close(fig)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    if id_prefix:
        text = re.sub(r'(\bid="|url\(#|href="#)', lambda m: m.group(1) + id_prefix, text)
    return text.strip()


def png_software(path: str | Path) -> str | None:
    """The ``Software`` text chunk (tEXt, zTXt or iTXt) of the PNG at ``path``; None when it has none or is no PNG."""
    from qenergy.files import is_special

    if is_special(path):  # a FIFO would block the open; a device is no PNG
        return None
    try:
        with open(path, "rb") as fh:
            if fh.read(8) != _PNG_SIGNATURE:
                return None
            while True:
                head = fh.read(8)
                if len(head) < 8:
                    return None
                length, kind = struct.unpack(">I4s", head)
                if kind in (b"IDAT", b"IEND"):  # text that matters to us comes before the image data
                    return None
                data = fh.read(length)
                fh.seek(4, io.SEEK_CUR)  # CRC
                if len(data) < length:
                    return None
                key, _, rest = data.partition(b"\x00")
                if key != b"Software":
                    continue
                if kind == b"tEXt":
                    return rest.decode("latin-1")
                if kind == b"zTXt" and rest[:1] == b"\x00":
                    return zlib.decompress(rest[1:]).decode("latin-1")
                if kind == b"iTXt" and len(rest) >= 2:
                    compressed, text = rest[0], rest[2:].split(b"\x00", 2)[-1]
                    return (zlib.decompress(text) if compressed else text).decode("utf-8")
    except (OSError, zlib.error, UnicodeDecodeError, struct.error):
        return None
