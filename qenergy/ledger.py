"""The cost ledger: every query, reset, erased bit and joule of a run, charged to an account.

A charge is taken in bulk (``count`` units at ``unit_j`` joules each), names its account
(``quantum``, ``classical``, …), its resource (``query``, ``qubit_reset``, ``bit_erased``, …),
and its basis: how we know the figure (``lower_bound``, ``upper_bound``, ``measured``,
``estimated``) with a short provenance string, and the assumption set (``model``) that priced it.

File format (JSON Lines, append-only): the first line is the header
``{"qenergy_ledger": 1, "type": "header", "schema": …, "temperature_k": …, "seed": …,
"command": …, "versions": {…}, "created": …}``; a later invocation that appends to the
same file first writes a ``{"type": "run", …}`` line; then one ``{"type": "charge", …}``
line per charge, and ``{"type": "note", …}`` lines of plain data (finished sweep
points). Lines are appended whole under an exclusive file lock, flushed and synced, one
write per batch. :meth:`Ledger.load` reads a file back exactly and reports a corrupt
line with its number; an incomplete last line left by a crash is reported
(``torn_tail``) and ignored, and set aside before the next append to a new file
``PATH.torn-OFFSET`` (``PATH.torn-OFFSET.1``, … when that name is taken: an existing file
is never overwritten); :attr:`Ledger.set_aside` and :meth:`Ledger.recovery_note` tell where.
An existing file that is not a qenergy ledger is never written to. A line holding a
non-finite number (``Infinity``, ``NaN``, ``1e999``) or a charge whose energy count × unit_j
leaves the range of a double is reported as damaged, never summed into ``inf``.

Several processes may open one path at the same moment: the one that creates the file
writes the header while holding the file's lock, and the others wait for that header
(up to :data:`CREATION_WAIT_S` seconds) and append after it, each under the lock. A
Ctrl-C (SIGINT) that arrives during a write takes effect once the write is complete and
synced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Literal, get_args

from .errors import InputError, LedgerCorruptError, LedgerError, MixedBasisError
from .physics import check_temperature, landauer_bit_energy
from .secrets import redact

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

__all__ = ["BASES", "CREATION_WAIT_S", "SCHEMA_VERSION", "Basis", "Charge", "Ledger", "Note", "RunInfo", "TornTail"]

Basis = Literal["lower_bound", "upper_bound", "measured", "estimated"]
#: How a charge's energy is known.
BASES: tuple[str, ...] = get_args(Basis)
#: Resources that may carry a negative energy (a credit, e.g. extracted work), always as an upper bound.
CREDIT_RESOURCES = ("work_extracted",)
#: Version of the JSON Lines schema written by this module.
SCHEMA_VERSION = 1
#: Seconds :meth:`Ledger.open` waits for the header of a ledger another process has just created.
CREATION_WAIT_S = 10.0
#: Most ``PATH.torn-OFFSET.K`` names tried when setting a torn line aside.
_MAX_SIDE_NAMES = 1000
#: Distributions whose versions go into the header.
_VERSIONED = ("qenergy", "numpy", "scipy", "qiskit", "qiskit-aer", "cirq-core", "stim", "qiskit-ibm-runtime")


def package_versions() -> dict[str, str]:
    """Installed versions of qenergy and the libraries it runs on (absent ones left out)."""
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@dataclass(frozen=True)
class Charge:
    """``count`` units of ``resource`` at ``unit_j`` joules each, charged to ``account``."""

    account: str
    resource: str
    count: int
    unit_j: float
    basis: str
    provenance: str
    run: int = 0
    label: str = ""
    model: str = ""

    @property
    def energy_j(self) -> float:
        """count × unit_j, in joules."""
        return self.count * self.unit_j


@dataclass(frozen=True)
class Note:
    """Plain data recorded in the ledger beside the charges of a run."""

    run: int
    label: str
    data: dict[str, Any]


@dataclass(frozen=True)
class TornTail:
    """The incomplete last line a crash left: 1-based line number, byte offset and size."""

    line: int
    offset: int
    size: int


@dataclass(frozen=True)
class RunInfo:
    """One invocation that wrote to the ledger."""

    command: str
    seed: int | None
    started: str
    versions: dict[str, str] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


class Ledger:
    """An append-only list of charges at one bath temperature.

    Use ``Ledger(temperature_k)`` in memory, :meth:`open` to write through to a file,
    :meth:`load` to read a file back. Totals are per account, in joules and in units
    of k_B·T·ln 2 at the ledger's temperature.
    """

    def __init__(self, temperature_k: float = 300.0, *, seed: int | None = None, command: str = "") -> None:
        self.temperature_k = check_temperature(temperature_k)
        self.runs: list[RunInfo] = [RunInfo(command=redact(command), seed=seed, started=_now(), versions=package_versions())]
        self._charges: list[Charge] = []
        self.path: Path | None = None
        self._fh: IO[str] | None = None
        self._pending: list[str] | None = None
        self._notes: list[Note] = []
        #: Set by :meth:`load` when the file ended in a line cut short by a crash (ignored).
        self.torn_tail: TornTail | None = None
        #: Where :meth:`open` moved such a line before appending (a new file; never an existing one).
        self.set_aside: Path | None = None
        #: The line :meth:`open` set aside (its number, offset and size), with :attr:`set_aside`.
        self.set_aside_tail: TornTail | None = None
        #: The energy meter's per-ledger state (:mod:`qenergy.meter`), created on first use.
        self.meter_state: Any = None

    # -- charging ---------------------------------------------------------------------

    @property
    def current_run(self) -> int:
        """Index of the invocation that new charges belong to."""
        return len(self.runs) - 1

    @property
    def seed(self) -> int | None:
        return self.runs[self.current_run].seed

    @property
    def charges(self) -> tuple[Charge, ...]:
        return tuple(self._charges)

    def charge(
        self,
        account: str,
        resource: str,
        count: int,
        unit_j: float,
        basis: Basis,
        provenance: str,
        *,
        label: str = "",
        model: str = "",
    ) -> Charge:
        """Charge ``count`` units of ``resource`` at ``unit_j`` joules each to ``account``; returns the charge."""
        c = self._make(account, resource, count, unit_j, basis, provenance, label, model)
        self._append([c])
        return c

    def charge_many(self, charges: Iterable[tuple[str, str, int, float, Basis, str]], *, label: str = "", model: str = "") -> list[Charge]:
        """Charge several ``(account, resource, count, unit_j, basis, provenance)`` rows with one write."""
        made = [self._make(*row, label, model) for row in charges]
        self._append(made)
        return made

    def _make(self, account: str, resource: str, count: int, unit_j: float, basis: str, provenance: str, label: str, model: str = "") -> Charge:
        if not isinstance(account, str) or not account:
            raise InputError(f"account {account!r} is not allowed; allowed: a non-empty name")
        if not isinstance(resource, str) or not resource:
            raise InputError(f"resource {resource!r} is not allowed; allowed: a non-empty name")
        try:
            n_units = int(count)
        except (TypeError, ValueError):
            raise InputError(f"count {count!r} is not an integer; allowed: an integer >= 0") from None
        if n_units != count or n_units < 0:
            raise InputError(f"count {count!r} is not allowed; allowed: an integer >= 0")
        e = float(unit_j)
        if not math.isfinite(e) or (e < 0.0 and not (resource in CREDIT_RESOURCES and basis == "upper_bound")):
            raise InputError(f"energy per unit {unit_j!r} J is not allowed; allowed: a finite value >= 0 "
                             f"(negative only for {', '.join(CREDIT_RESOURCES)} with basis upper_bound)")
        try:
            total = n_units * e
        except OverflowError:  # an integer count beyond the range of a double
            total = math.inf
        if not math.isfinite(total):
            digits = str(n_units)
            shown = digits if len(digits) <= 12 else f"{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
            raise InputError(f"count {shown} x unit_j {e!r} J leaves the range of a double; allowed: a finite energy (below 1.8e308 J)")
        if basis not in BASES:
            raise InputError(f"basis {basis!r} is unknown; allowed: {', '.join(BASES)}")
        return Charge(account, resource, n_units, e, basis, redact(str(provenance)), self.current_run, redact(label), model)

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(self._notes)

    def note(self, label: str, data: dict[str, Any]) -> Note:
        """Record plain JSON data beside the charges (e.g. a finished sweep point), written like a charge."""
        n = Note(self.current_run, redact(label), json.loads(json.dumps(data, allow_nan=False)))
        self._notes.append(n)
        if self._fh is not None:
            text = _dumps({"type": "note", "run": n.run, "label": n.label, "data": n.data}) + "\n"
            if self._pending is not None:
                self._pending.append(text)
            else:
                self._write(text)
        return n

    def extend_and_note(self, charges: Iterable[Charge], label: str, data: dict[str, Any]) -> Note:
        """Append charges recorded elsewhere and a note about them in one write: both land, or neither.

        A sweep records each finished point this way, so a point is never found charged
        but not marked done (which would charge it twice on ``--resume``).
        """
        made = [self._make(c.account, c.resource, c.count, c.unit_j, c.basis, c.provenance, c.label, c.model) for c in charges]
        n = Note(self.current_run, redact(label), json.loads(json.dumps(data, allow_nan=False)))
        text = "".join(_dumps({"type": "charge", **asdict(c)}) + "\n" for c in made)
        text += _dumps({"type": "note", "run": n.run, "label": n.label, "data": n.data}) + "\n"
        self._charges.extend(made)
        self._notes.append(n)
        if self._fh is not None:
            if self._pending is not None:
                self._pending.append(text)
            else:
                self._write(text)
        return n

    def extend(self, charges: Iterable[Charge]) -> list[Charge]:
        """Append charges recorded elsewhere (another ledger, a worker) to the current run, in order."""
        made = [self._make(c.account, c.resource, c.count, c.unit_j, c.basis, c.provenance, c.label, c.model) for c in charges]
        self._append(made)
        return made

    def _append(self, charges: list[Charge]) -> None:
        self._charges.extend(charges)
        if self._fh is not None and charges:
            text = "".join(_dumps({"type": "charge", **asdict(c)}) + "\n" for c in charges)
            if self._pending is not None:
                self._pending.append(text)
            else:
                self._write(text)

    @contextlib.contextmanager
    def batch(self) -> Iterator["Ledger"]:
        """Buffer the charges made inside the block and write them with one write and one sync.

        The block's charges reach the file when it ends, also when it ends by an exception;
        a process killed inside it loses them, never earlier ones. Nested blocks write when
        the outermost one ends.
        """
        outer = self._pending is None
        if outer:
            self._pending = []
        try:
            yield self
        finally:
            if outer:
                pending, self._pending = self._pending, None
                if pending and self._fh is not None:
                    self._write("".join(pending))

    # -- totals -----------------------------------------------------------------------

    def select(self, *, run: int | None = None, account: str | None = None) -> list[Charge]:
        """Charges of one run and/or account (all when None)."""
        return [c for c in self._charges if (run is None or c.run == run) and (account is None or c.account == account)]

    def accounts(self) -> list[str]:
        """Account names in order of first charge."""
        return list(dict.fromkeys(c.account for c in self._charges))

    def totals_j(self, *, run: int | None = None) -> dict[str, dict[str, float]]:
        """Joules per account and basis (of one run when given): ``{account: {basis: J}}``.

        Figures of different bases are never added: a bound, a measurement and an
        estimate of the same account stay apart.
        """
        sums: dict[str, dict[str, list[float]]] = {}
        for c in self.select(run=run):
            sums.setdefault(c.account, {}).setdefault(c.basis, []).append(c.energy_j)
        return {a: {b: math.fsum(v) for b, v in by.items()} for a, by in sums.items()}

    def totals_kTln2(self, *, run: int | None = None) -> dict[str, dict[str, float]]:
        """Energy per account and basis in units of k_B·T·ln 2 at the ledger's temperature."""
        unit = landauer_bit_energy(self.temperature_k)
        return {a: {b: e / unit for b, e in by.items()} for a, by in self.totals_j(run=run).items()}

    def counts(self, account: str, resource: str, *, run: int | None = None, label: str | None = None) -> int:
        """Total units of ``resource`` charged to ``account``."""
        return sum(c.count for c in self.select(run=run, account=account) if c.resource == resource and (label is None or c.label == label))

    def energy_j(self, account: str, *, basis: str | None = None, run: int | None = None, label: str | None = None) -> float:
        """Joules of one basis charged to ``account`` (optionally one run, one label).

        ``basis`` may be left out when the selected charges have a single basis (or none).

        Raises:
            MixedBasisError: the selection holds several bases and ``basis`` is None.
        """
        picked = [c for c in self.select(run=run, account=account) if label is None or c.label == label]
        if basis is None:
            bases = sorted({c.basis for c in picked})
            if len(bases) > 1:
                raise MixedBasisError(f"account {account!r} holds charges of bases {', '.join(bases)}; "
                                      "they are never added: name one basis")
        return math.fsum(c.energy_j for c in picked if basis is None or c.basis == basis)

    # -- files ------------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        first = self.runs[0]
        return {
            "qenergy_ledger": 1,
            "type": "header",
            "schema": SCHEMA_VERSION,
            "temperature_k": self.temperature_k,
            "seed": first.seed,
            "command": first.command,
            "versions": first.versions,
            "created": first.started,
        }

    @classmethod
    def open(cls, path: str | os.PathLike[str], temperature_k: float = 300.0, *, seed: int | None = None, command: str = "") -> "Ledger":
        """A ledger that writes through to ``path``.

        A new file gets a header, written under the file's lock right after the file is
        created exclusively. An existing qenergy ledger is loaded and appended to (a
        ``run`` line first); its temperature must equal ``temperature_k``. When another
        process creates the file at the same moment, this one waits for its header
        (at most :data:`CREATION_WAIT_S` seconds) and appends. Any other existing file is
        refused and left untouched. An incomplete last line left by a crash is moved to a
        new file first (:attr:`set_aside`, :meth:`recovery_note`).

        Raises:
            LedgerError: the path holds another kind of file, a ledger at another
                temperature, or lies in a missing directory.
            LedgerCorruptError: the ledger holds a damaged line (with its number).
        """
        p = Path(path)
        t = check_temperature(temperature_k)
        if not os.path.lexists(p):
            if p.parent and not p.parent.exists():
                raise LedgerError(f"ledger directory {p.parent} does not exist; allowed: a path in an existing directory")
            led = cls(t, seed=seed, command=command)
            try:
                led._attach(p, mode="x")
            except FileExistsError:
                pass  # another process created it just now: append to it once its header is there
            else:
                assert led._fh is not None
                _lock(led._fh)  # readers that get the lock see the whole header or an empty file
                try:
                    led._write(_dumps(led.header()) + "\n", locked=True)
                except BaseException:
                    led._fh.close()
                    led._fh = None
                    with contextlib.suppress(OSError):
                        p.unlink()  # ours, created a moment ago, holding nothing valid
                    raise
                finally:
                    if led._fh is not None:
                        _unlock(led._fh)
                return led
        return cls._open_existing(p, t, seed, command)

    @classmethod
    def _open_existing(cls, p: Path, t: float, seed: int | None, command: str) -> "Ledger":
        deadline = time.monotonic() + CREATION_WAIT_S
        while True:  # refuses a foreign or corrupt file before anything is opened for writing
            try:
                led = cls._read(p, locked=True)
                break
            except _EmptyLedgerError:
                if time.monotonic() >= deadline or not _recently_modified(p):
                    raise  # not a file being created: an empty file of someone else's
                time.sleep(0.02)  # its creator has not written the header yet
        if led.temperature_k != t:
            raise LedgerError(f"ledger {p} was recorded at T = {led.temperature_k:g} K; --temperature {t:g} differs (use another ledger path)")
        led._attach(p, mode="a")
        assert led._fh is not None
        _lock(led._fh)
        try:  # read again under the lock: other writers may have appended since
            led = cls._read(p, locked=False)._adopt(led._fh, p)
            if led.torn_tail is not None:
                led._set_aside_torn_tail(p)
            led.runs.append(RunInfo(command=redact(command), seed=seed, started=_now(), versions=package_versions()))
            run = led.runs[-1]
            led._write(_dumps({"type": "run", "run": led.current_run, **asdict(run)}) + "\n", locked=True)
        except BaseException:
            _unlock(led._fh)
            led.close()
            raise
        _unlock(led._fh)
        return led

    def _adopt(self, fh: IO[str], path: Path) -> "Ledger":
        self._fh, self.path = fh, path
        return self

    def _set_aside_torn_tail(self, path: Path) -> None:
        """Move a crash's incomplete last line to a new file ``PATH.torn-OFFSET`` (or ``….1``, ``….2``, …
        when that name is taken) so appends start on a fresh line. Called with the ledger's lock held."""
        tail = self.torn_tail
        assert tail is not None
        with open(path, "r+b") as fh:
            fh.seek(tail.offset)
            side = _write_new_file(path.with_name(f"{path.name}.torn-{tail.offset}"), fh.read())
            fh.truncate(tail.offset)  # only once the line is safe in its own file
            fh.flush()
            os.fsync(fh.fileno())
        self.torn_tail = None
        self.set_aside = side
        self.set_aside_tail = tail

    def recovery_note(self) -> str | None:
        """One line saying which incomplete line :meth:`open` set aside and where, or None when it did not."""
        if self.set_aside is None or self.set_aside_tail is None:
            return None
        tail = self.set_aside_tail
        return (f"ledger {self.path} line {tail.line} was an incomplete write left by a crash ({tail.size} bytes); "
                f"set aside to {self.set_aside}")

    def _attach(self, path: Path, mode: str) -> None:
        """Open ``path`` for appending (``x``: create it exclusively, raising FileExistsError when it exists).

        Both modes append (O_APPEND): every write lands at the end of the file as it is
        then, also after other processes' writes, never over them.
        """
        flags = os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if mode == "x" else 0)
        try:
            self._fh = os.fdopen(os.open(path, flags, 0o666), "a", encoding="utf-8")
        except FileExistsError:
            raise
        except OSError as exc:
            raise LedgerError(f"ledger path {path} cannot be written: {exc.strerror}") from None
        self.path = path

    def _write(self, text: str, *, locked: bool = False) -> None:
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
        """Stop writing through (the file stays complete after every charge)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Ledger":
        """Read a ledger file back exactly. Raises :class:`LedgerError` for a file that is not a
        qenergy ledger and :class:`LedgerCorruptError` (with the line number) for a damaged one."""
        return cls._read(Path(path), locked=True)

    @classmethod
    def _read(cls, p: Path, *, locked: bool) -> "Ledger":
        if not p.is_file():
            raise LedgerError(f"ledger path {p} exists and is not a qenergy ledger (not a regular file); choose another path" if p.exists() else f"ledger {p} does not exist")
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
        body = lines[:-1]
        try:
            schema = first["schema"]
            if not isinstance(schema, int) or schema > SCHEMA_VERSION:
                raise LedgerCorruptError(str(p), 1, f"schema {schema!r} is newer than this qenergy reads ({SCHEMA_VERSION})")
            led = cls(first["temperature_k"], seed=first["seed"], command=first["command"])
            led.runs[0] = RunInfo(command=first["command"], seed=first["seed"], started=first["created"], versions=dict(first["versions"]))
        except (KeyError, TypeError, InputError) as exc:
            raise LedgerCorruptError(str(p), 1, f"bad header ({exc})") from None
        magnitude = 0.0  # running sum of |energy|: every total of any selection of charges stays below it
        for lineno, line in enumerate(body[1:], start=2):
            try:
                rec = _parse_line(line)
            except _NonFiniteNumber as exc:
                raise LedgerCorruptError(str(p), lineno, str(exc)) from None
            if not isinstance(rec, dict):
                raise LedgerCorruptError(str(p), lineno, "not a JSON object")
            kind = rec.get("type")
            try:
                if kind == "charge":
                    run = rec["run"]
                    if not isinstance(run, int) or not 0 <= run < len(led.runs):
                        raise ValueError(f"run {run!r} was never started")
                    if not isinstance(rec["count"], int) or not isinstance(rec["unit_j"], (int, float)):
                        raise ValueError("count must be an integer and unit_j a number")
                    c = led._make(rec["account"], rec["resource"], rec["count"], rec["unit_j"], rec["basis"], rec["provenance"], rec.get("label", ""), rec.get("model", ""))
                    magnitude += abs(c.energy_j)
                    if not math.isfinite(magnitude):
                        raise ValueError("the energies up to this line add up beyond the range of a double (1.8e308 J)")
                    led._charges.append(dataclasses.replace(c, run=run))
                elif kind == "run":
                    if rec["run"] != len(led.runs):
                        raise ValueError(f"run {rec['run']!r} out of order")
                    led.runs.append(RunInfo(command=rec["command"], seed=rec["seed"], started=rec["started"], versions=dict(rec["versions"])))
                elif kind == "note":
                    if not isinstance(rec["data"], dict) or not isinstance(rec["run"], int):
                        raise ValueError("a note needs a run and a data object")
                    led._notes.append(Note(rec["run"], rec["label"], rec["data"]))
                else:
                    raise ValueError(f"unknown record type {kind!r}")
            except (KeyError, TypeError, ValueError, InputError) as exc:
                raise LedgerCorruptError(str(p), lineno, str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}") from None
        led.torn_tail = torn
        led.path = p
        return led


class _EmptyLedgerError(LedgerError):
    """The path is an empty file: a ledger another process has created but not yet written its header to, or a stranger's."""


class _NonFiniteNumber(ValueError):
    """A JSON line holds Infinity, NaN or a number beyond the range of a double."""


def _recently_modified(p: Path) -> bool:
    """True when ``p`` was modified less than :data:`CREATION_WAIT_S` seconds ago (a file being created)."""
    try:
        return abs(time.time() - p.stat().st_mtime) < CREATION_WAIT_S
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


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back a Ctrl-C (SIGINT) inside the block and deliver it when the block ends.

    Only the main thread runs Python signal handlers, so only there can a Ctrl-C cut a
    write short; elsewhere (or when SIGINT is not handled by Python) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        yield
        return
    caught: list[Any] = []

    def hold(signum: int, frame: Any) -> None:
        caught.append(frame)

    try:
        signal.signal(signal.SIGINT, hold)
    except ValueError:  # pragma: no cover - not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            if callable(previous):
                previous(signal.SIGINT, caught[0])
            else:
                signal.raise_signal(signal.SIGINT)


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
    """The JSON value of one line, or None when it is not JSON; raises :class:`_NonFiniteNumber` for Infinity/NaN/1e999."""
    try:
        return json.loads(line.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
    except _NonFiniteNumber:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError):  # not JSON, an integer of over 4300 digits, nesting too deep
        return None
