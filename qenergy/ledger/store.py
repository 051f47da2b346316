"""Where a ledger's records go: the [`LedgerStore`][LedgerStore] interface and its implementations.

The book ([qenergy.ledger.book.Ledger][]) makes and validates every record and hands each
new one to the store it holds; a store only keeps records, it never judges them. A
record is one plain JSON object (a ``dict``) whose ``type`` is ``header``, ``run``,
``charge`` or ``note`` (the fields are described in [qenergy.ledger.book][]). This module
never imports [qenergy.ledger.book][]: records travel as plain dicts and errors are those of
[qenergy.errors][], so any store can be written without the book and the book imports
the interface, never the other way round.

* [`LedgerStore`][LedgerStore]: the interface. ``write(records)`` keeps one batch (a list of
  records, in order) at once; ``close()`` releases the store. A batch is what the book
  writes for one ``charge``/``charge_many``/``extend``/``note``/``extend_and_note`` call
  or one ``batch()`` block.
* `MemoryStore`: keeps the records in a list (``keep=True``, each as the JSON text
  a file would hold gives it back) or nothing (``keep=False``: the store of an in-memory
  ledger).
* `JsonLinesStore`: an append-only JSON Lines file, one record per line, UTF-8,
  compact separators, no ``NaN``/``Infinity``. Each batch is appended whole under an
  exclusive ``flock`` of the file (no interleaving with other processes' writes), then
  flushed and synced (``fsync``), as one ``write``; a Ctrl-C (SIGINT) arriving meanwhile
  takes effect once the batch is synced and the lock released. A new file is created
  exclusively (``O_EXCL``) and its header written under the lock at once; a process that
  finds an empty file another one has just created waits for its header (at most
  `CREATION_WAIT_S` seconds, while the file's modification time is that recent)
  and then appends. Reading ([JsonLinesStore.read][], under a shared lock) checks
  that the file is a qenergy ledger (first line a header with ``"qenergy_ledger": 1``
  and a schema no newer than [`SCHEMA_VERSION`][SCHEMA_VERSION]), reports a line that is not a JSON
  object, or holds a non-finite number (``NaN``, ``Infinity``, ``1e999``), as
  [`LedgerCorruptError`][qenergy.errors.LedgerCorruptError] with its 1-based number, and reports an
  incomplete last line (no newline: a write cut short by a crash) as
  [`TornTail`][TornTail] without reading it. Before appending to such a file the store moves
  that line to a new file ``PATH.torn-OFFSET`` (``PATH.torn-OFFSET.1``, … when the name is
  taken: an existing file is never overwritten) and truncates it off, so appends start
  on a fresh line. Assumes POSIX ``flock`` (without ``fcntl`` the writes are unlocked).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from qenergy.errors import LedgerCorruptError, LedgerError
from qenergy.interrupts import signals_deferred as _sigint_deferred

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["CREATION_WAIT_S", "SCHEMA_VERSION", "JsonLinesStore", "LedgerFile", "LedgerStore", "MemoryStore", "Record",
           "TornTail", "dumps_record"]

#: One ledger record: a plain JSON object (``{"type": "charge", …}``).
Record = dict[str, Any]
#: Version of the JSON Lines schema written (and the newest read) by this module.
SCHEMA_VERSION = 1
#: Seconds [JsonLinesStore.open][] waits, by default, for the header of a ledger another process has just created.
CREATION_WAIT_S = 10.0
#: Most ``PATH.torn-OFFSET.K`` names tried when setting a torn line aside.
_MAX_SIDE_NAMES = 1000

T = TypeVar("T")


def dumps_record(record: Record) -> str:
    """One record as its JSON Lines text (no newline): compact, UTF-8 kept, ``NaN``/``Infinity`` refused.

    Raises:
        ValueError: the record holds a non-finite float.
        TypeError: the record holds a value JSON cannot represent.
    """
    return json.dumps(record, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


@dataclass(frozen=True)
class TornTail:
    """The incomplete last line a crash left: 1-based line number, byte offset and size (bytes)."""

    line: int
    offset: int
    size: int


class LedgerStore(ABC):
    """Where a ledger writes its records (a sink, in the style of CodeCarbon's output methods).

    ``path`` is the file the store writes, or None for a store without one.
    """

    path: Path | None = None

    @abstractmethod
    def write(self, records: list[Record]) -> None:
        """Keep ``records`` (plain JSON objects, in order) as one batch: one write (a file: one locked, synced append).

        Raises:
            LedgerError: the store cannot keep them (e.g. it is closed); a file store may also raise OSError.
        """

    def close(self) -> None:  # optional to override: a store without resources keeps this
        """Release the store (its file); later writes are refused. Closing twice is harmless."""


class MemoryStore(LedgerStore):
    """Records kept in memory: [`records`][records] (``keep=True``), or none at all (``keep=False``).

    Each kept record is a copy read back from its JSON text, exactly as
    `JsonLinesStore` would give it back from its file. [`batches`][batches] counts the
    writes.
    """

    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep
        #: The records written, in order (empty when ``keep`` is False).
        self.records: list[Record] = []
        #: Number of [`write`][write] calls (batches) received.
        self.batches = 0

    def write(self, records: list[Record]) -> None:
        """Keep ``records`` (when [`keep`][keep]); raises ValueError/TypeError for a record JSON cannot hold."""
        kept = [json.loads(dumps_record(r)) for r in records] if self.keep else []
        self.batches += 1
        self.records.extend(kept)


@dataclass(frozen=True)
class LedgerFile:
    """A ledger file read back by [JsonLinesStore.read][].

    ``records`` yields ``(line number, record)`` for every whole line after the header,
    once, parsing each line as it goes: it raises
    [`LedgerCorruptError`][qenergy.errors.LedgerCorruptError] at the first line that is not a JSON object
    or holds a non-finite number, so a reader that checks the records as they come reports
    the first bad line of any kind. An incomplete last line is left out and described by
    ``torn_tail``.
    """

    path: Path
    header: Record
    records: Iterator[tuple[int, Record]]
    torn_tail: TornTail | None


class JsonLinesStore(LedgerStore):
    """An append-only JSON Lines ledger file (see the module docstring for locking, syncing and repair).

    Made by [`open`][open]; read a file back with [`read`][read]. After [`open`][open]:
    [`torn_tail`][torn_tail] is None (an incomplete last line is set aside before anything is
    appended), `set_aside` / [`set_aside_tail`][set_aside_tail] tell where such a line went.
    """

    def __init__(self, path: Path, fh: IO[str]) -> None:
        self.path = path
        self._fh: IO[str] | None = fh
        #: An incomplete last line still in the file (always None once [`open`][open] returned).
        self.torn_tail: TornTail | None = None
        #: Where [`open`][open] moved an incomplete last line (a new file; never an existing one).
        self.set_aside: Path | None = None
        #: The line [`open`][open] set aside (its number, offset and size), with `set_aside`.
        self.set_aside_tail: TornTail | None = None

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], header: Record, build: Callable[[LedgerFile], T],
             first_records: Callable[[T], list[Record]], *,
             creation_wait_s: float | None = None) -> tuple[JsonLinesStore, T] | tuple[JsonLinesStore, None]:
        """Create the ledger file ``path`` with ``header``, or join the ledger already there.

        A new file is created exclusively and ``header`` written as its first line while
        the file's lock is held; returns ``(store, None)``. An existing file is read
        (waiting up to ``creation_wait_s`` seconds, default `CREATION_WAIT_S`, for
        the header of a file another process has just created) and passed to
        ``build``, which checks it and raises to refuse it; nothing has been opened for
        writing then. The file is then opened for appending and locked, read again (other
        writers may have appended since) and passed to ``build`` again; an incomplete
        last line is set aside; ``first_records(built)`` is appended (e.g. a ``run``
        record); then the lock is released. Returns ``(store, built)``.

        Raises:
            LedgerError: the directory is missing, the path cannot be written or read, or
                holds another kind of file (an empty one included), or an incomplete line
                cannot be set aside.
            LedgerCorruptError: a damaged line (with its number).
            Exception: whatever ``build`` raises to refuse the file.
        """
        p = Path(path)
        wait_s = CREATION_WAIT_S if creation_wait_s is None else creation_wait_s
        if not os.path.lexists(p):
            if p.parent and not p.parent.exists():
                raise LedgerError(f"ledger directory {p.parent} does not exist; allowed: a path in an existing directory")
            try:
                store = cls._attach(p, exclusive=True)
            except FileExistsError:
                pass  # another process created it just now: append to it once its header is there
            else:
                fh = store._fh
                assert fh is not None
                _lock(fh)  # readers that get the lock see the whole header or an empty file
                try:
                    store._append(dumps_record(header) + "\n", locked=True)
                except BaseException:
                    fh.close()
                    store._fh = None
                    with contextlib.suppress(OSError):
                        p.unlink()  # ours, created a moment ago, holding nothing valid
                    raise
                finally:
                    if store._fh is not None:
                        _unlock(store._fh)
                return store, None
        return cls._join(p, build, first_records, wait_s)

    @classmethod
    def _join(cls, p: Path, build: Callable[[LedgerFile], T], first_records: Callable[[T], list[Record]],
              wait_s: float) -> tuple[JsonLinesStore, T]:
        deadline = time.monotonic() + wait_s
        while True:  # refuses a foreign or corrupt file before anything is opened for writing
            try:
                build(cls.read(p, locked=True))
                break
            except _EmptyLedgerError:
                if time.monotonic() >= deadline or not _recently_modified(p, wait_s):
                    raise  # not a file being created: an empty file of someone else's
                time.sleep(0.02)  # its creator has not written the header yet
        store = cls._attach(p, exclusive=False)
        fh = store._fh
        assert fh is not None
        _lock(fh)
        try:  # read again under the lock: other writers may have appended since
            contents = cls.read(p, locked=False)
            built = build(contents)
            if contents.torn_tail is not None:
                store._set_aside_torn_tail(contents.torn_tail)
            records = first_records(built)
            if records:
                store._append("".join(dumps_record(r) + "\n" for r in records), locked=True)
        except BaseException:
            _unlock(fh)
            store.close()
            raise
        _unlock(fh)
        return store, built

    @classmethod
    def _attach(cls, path: Path, *, exclusive: bool) -> JsonLinesStore:
        """Open ``path`` for appending (``exclusive``: create it, raising FileExistsError when it exists).

        Both modes append (O_APPEND): every write lands at the end of the file as it is
        then, also after other processes' writes, never over them.
        """
        flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if exclusive else 0)
        try:
            fh = os.fdopen(os.open(path, flags, 0o666), "a", encoding="utf-8")
        except FileExistsError:
            raise
        except OSError as exc:
            raise LedgerError(f"ledger path {path} cannot be written: {exc.strerror}") from None
        return cls(path, fh)

    def _set_aside_torn_tail(self, tail: TornTail) -> None:
        """Move a crash's incomplete last line to a new file ``PATH.torn-OFFSET`` (or ``….1``, ``….2``, …
        when that name is taken) so appends start on a fresh line. Called with the file's lock held."""
        assert self.path is not None
        with open(self.path, "r+b") as fh:
            fh.seek(tail.offset)
            side = _write_new_file(self.path.with_name(f"{self.path.name}.torn-{tail.offset}"), fh.read())
            fh.truncate(tail.offset)  # only once the line is safe in its own file
            fh.flush()
            os.fsync(fh.fileno())
        self.torn_tail = None
        self.set_aside = side
        self.set_aside_tail = tail

    # -- writing ----------------------------------------------------------------------

    def write(self, records: list[Record]) -> None:
        """Append ``records`` as whole lines with one locked write and one sync.

        Raises:
            LedgerError: the store is closed.
            OSError: the write or the sync failed.
            ValueError: a record holds a non-finite number (nothing is written).
        """
        if self._fh is None:
            raise LedgerError(f"ledger {self.path} is closed; allowed: writes before close()")
        self._append("".join(dumps_record(r) + "\n" for r in records))

    def _append(self, text: str, *, locked: bool = False) -> None:
        """Append whole lines under an exclusive lock (no interleaving with other writers), then sync.
        A Ctrl-C arriving meanwhile is raised once the lines are synced and the lock released."""
        assert self._fh is not None
        with _sigint_deferred():
            if not locked:
                _lock(self._fh)
            try:
                self._fh.write(text)
                self._fh.flush()
                os.fsync(self._fh.fileno())
            finally:
                if not locked:
                    _unlock(self._fh)

    def close(self) -> None:
        """Close the file (complete after every write); later writes raise LedgerError."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    # -- reading ----------------------------------------------------------------------

    @staticmethod
    def read(path: str | os.PathLike[str], *, locked: bool = True) -> LedgerFile:
        """Read the ledger file ``path``: its header, its records (parsed lazily) and an incomplete last line.

        ``locked``: take a shared lock while reading (never see a write half done); pass
        False when this process already holds the file's exclusive lock.

        Raises:
            LedgerError: no such file, not a regular file, unreadable, empty, or not a
                qenergy ledger (first line not a header).
            LedgerCorruptError: line 1 holds a non-finite number or a schema newer than
                [`SCHEMA_VERSION`][SCHEMA_VERSION]; later lines as [LedgerFile.records][] is read.
        """
        p = Path(path)
        if not p.is_file():
            raise LedgerError(f"ledger path {p} exists and is not a qenergy ledger (not a regular file); choose another path"
                              if p.exists() else f"ledger {p} does not exist")
        try:
            with open(p, "rb") as fh:
                if locked and fcntl is not None:  # a shared lock: never read a write half done
                    fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
                raw = fh.read()
        except OSError as exc:
            raise LedgerError(f"ledger {p} cannot be read: {exc.strerror}") from None
        if not raw:
            raise _EmptyLedgerError(f"ledger path {p} is an empty file, not a qenergy ledger (which starts with a header line); "
                                    "choose another path (it is left untouched)")
        lines = raw.split(b"\n")
        try:
            first = _parse_line(lines[0])
        except _NonFiniteNumber as exc:
            raise LedgerCorruptError(str(p), 1, str(exc)) from None
        if not isinstance(first, dict) or first.get("qenergy_ledger") != 1 or first.get("type") != "header" or len(lines) < 2:
            raise LedgerError(f"ledger path {p} exists and is not a qenergy ledger; choose another path (it is left untouched)")
        torn = None
        if lines[-1] != b"":  # a write cut short by a crash: reported and ignored, only ever at the end
            torn = TornTail(line=len(lines), offset=len(raw) - len(lines[-1]), size=len(lines[-1]))
        if "schema" not in first:
            raise LedgerCorruptError(str(p), 1, "bad header ('schema')")
        schema = first["schema"]
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise LedgerCorruptError(str(p), 1, f"schema {schema!r} is newer than this qenergy reads ({SCHEMA_VERSION})")
        return LedgerFile(path=p, header=first, records=_records(str(p), lines[1:-1]), torn_tail=torn)


def _records(path: str, lines: list[bytes]) -> Iterator[tuple[int, Record]]:
    """``(line number, record)`` of each line (the first is line 2), raising LedgerCorruptError at a bad one."""
    for lineno, line in enumerate(lines, start=2):
        try:
            rec = _parse_line(line)
        except _NonFiniteNumber as exc:
            raise LedgerCorruptError(path, lineno, str(exc)) from None
        if not isinstance(rec, dict):
            raise LedgerCorruptError(path, lineno, "not a JSON object")
        yield lineno, rec


class _EmptyLedgerError(LedgerError):
    """The path is an empty file: a ledger another process has created but not yet written its header to, or a stranger's."""


class _NonFiniteNumber(ValueError):
    """A JSON line holds Infinity, NaN or a number beyond the range of a double."""


def _recently_modified(p: Path, seconds: float) -> bool:
    """True when ``p`` was modified less than ``seconds`` ago (a file being created)."""
    try:
        return abs(time.time() - p.stat().st_mtime) < seconds
    except OSError:
        return False


def _write_new_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``, or to ``path.1``, ``path.2``, … when taken: always a new file (exclusive creation)."""
    for k in range(_MAX_SIDE_NAMES):
        candidate = path if k == 0 else path.with_name(f"{path.name}.{k}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise LedgerError(f"cannot set the incomplete last line aside to {candidate}: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return candidate
    raise LedgerError(f"cannot set the incomplete last line aside: {path} and {_MAX_SIDE_NAMES - 1} numbered names beside it are taken")


def _lock(fh: Any) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)


def _unlock(fh: Any) -> None:
    if fcntl is not None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _reject_constant(name: str) -> Any:
    raise _NonFiniteNumber(f"non-finite number {name}; allowed: finite numbers only")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFiniteNumber(f"number {text} is beyond the range of a double; allowed: finite numbers only")
    return value


def _parse_line(line: bytes) -> Any:
    """The JSON value of one line, or None when it is not JSON; raises [`_NonFiniteNumber`][_NonFiniteNumber] for Infinity/NaN/1e999."""
    try:
        return json.loads(line.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except _NonFiniteNumber:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):  # not JSON, an integer of over 4300 digits, nesting too deep
        return None
