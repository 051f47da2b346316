"""Reading files that must be regular files, without ever blocking on a special one.

Every output, cache and ledger path of qenergy is a regular file. A FIFO, a device or a
socket at such a path must be refused at once: opening a FIFO for reading blocks until
a writer appears (forever, for a user who made one by mistake or on purpose). The
helpers here open with ``O_NONBLOCK`` and check the opened descriptor (``fstat``), so
there is no window between the check and the use, and nothing blocks.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from qenergy.errors import InputError

__all__ = ["SpecialFileError", "is_special", "read_regular"]


class SpecialFileError(InputError):
    """A path that must be a regular file is a FIFO, device, socket or directory."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def is_special(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it exists and is not a regular file (``"a FIFO (named pipe)"``, …); None otherwise.

    Follows symbolic links (a link to a regular file is a regular file); never opens the path.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return None if stat.S_ISREG(mode) else _kind(mode)


def read_regular(path: str | os.PathLike[str], *, what: str = "file", limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` bytes when given), never blocking.

    Raises:
        SpecialFileError: ``path`` is a FIFO, device, socket or directory (the message names ``what``).
        OSError: it does not exist or cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SpecialFileError(f"{what} {str(path)!r} is {_kind(mode)}; allowed: a regular file")
        os.set_blocking(fd, True)
        chunks = []
        left = limit
        while left is None or left > 0:
            chunk = os.read(fd, 1 << 20 if left is None else min(1 << 20, left))
            if not chunk:
                break
            chunks.append(chunk)
            if left is not None:
                left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_not_special(path: str | os.PathLike[str], *, what: str) -> None:
    """Refuse ([`SpecialFileError`][SpecialFileError]) a path that exists and is not a regular file; nothing else is checked."""
    kind = is_special(path)
    if kind is not None and kind != "a directory":
        raise SpecialFileError(f"{what} {str(Path(path))!r} is {kind}; allowed: a regular file")
