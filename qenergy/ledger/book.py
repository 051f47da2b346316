"""The cost ledger: every query, reset, erased bit and joule of a run, charged to an account.

A charge is taken in bulk (``count`` units at ``unit_j`` joules each), names its account
(``quantum``, ``classical``, …), its resource (``query``, ``qubit_reset``, ``bit_erased``, …),
and its basis: how we know the figure (``lower_bound``, ``upper_bound``, ``measured``,
``estimated``) with a short provenance string, and the assumption set (``model``) that priced it.

**Book and store.** [`Ledger`][Ledger] is the book: it validates every charge, keeps the
charges, notes and runs in memory, and answers totals and selections. It hands every new
record (header, run, charge, note; plain dicts) to the [`LedgerStore`][qenergy.ledger.store.LedgerStore]
it holds, one ``write`` per call or per [Ledger.batch][] block: a
`MemoryStore` that keeps nothing for ``Ledger(…)``, a
`JsonLinesStore` for [Ledger.open][], or any store passed
as ``Ledger(…, store=…)``. The store owns the file (locking, syncing, repair, reading);
this module imports it, never the other way round. Collaborators that keep per-ledger
state (the energy meter, [qenergy.ledger.meter][]) attach it with [Ledger.attachment][]
instead of adding fields to the book.

File format (JSON Lines, append-only): the first line is the header
``{"qenergy_ledger": 1, "type": "header", "schema": …, "temperature_k": …, "seed": …,
"command": …, "versions": {…}, "created": …}``; a later invocation that appends to the
same file first writes a ``{"type": "run", "run": …, "command": …, "seed": …, "started": …,
"versions": {…}}`` line; then one ``{"type": "charge", "account": …, "resource": …,
"count": …, "unit_j": …, "basis": …, "provenance": …, "run": …, "label": …, "model": …}``
line per charge, and ``{"type": "note", "run": …, "label": …, "data": {…}}`` lines of
plain data (finished sweep points, and `INTERRUPTED_LABEL` marking a run that did not
finish). Charge and note lines carry ``"seq"``, their number within their run (0, 1, 2, …):
[Ledger.load][] reports a repeated or missing line as corruption with its line number
(lines without it, written before it existed, still read). Every field is checked for its
type (text, integer, object) as it is read. Lines are appended whole under an exclusive file
lock, flushed and synced, one write per batch. [Ledger.load][] reads a file back
exactly and reports a corrupt line with its number; an incomplete last line left by a
crash is reported (``torn_tail``) and ignored, and set aside before the next append to a
new file ``PATH.torn-OFFSET`` (``PATH.torn-OFFSET.1``, … when that name is taken: an
existing file is never overwritten); `Ledger.set_aside` and
[Ledger.recovery_note][] tell where. An existing file that is not a qenergy ledger is
never written to. A line holding a non-finite number (``Infinity``, ``NaN``, ``1e999``)
or a charge whose energy count × unit_j leaves the range of a double is reported as
damaged, never summed into ``inf``.

Several processes may open one path at the same moment: the one that creates the file
writes the header while holding the file's lock, and the others wait for that header
(up to `CREATION_WAIT_S` seconds) and append after it, each under the lock. A
Ctrl-C (SIGINT) that arrives during a write takes effect once the write is complete and
synced.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args

from qenergy.energy.physics import check_temperature, landauer_bit_energy
from qenergy.errors import InputError, LedgerCorruptError, LedgerError, MixedBasisError
from qenergy.ledger.store import (
    CREATION_WAIT_S,
    SCHEMA_VERSION,
    JsonLinesStore,
    LedgerFile,
    LedgerStore,
    MemoryStore,
    Record,
    TornTail,
)
from qenergy.secrets import redact

__all__ = ["BASES", "CREATION_WAIT_S", "INTERRUPTED_LABEL", "SCHEMA_VERSION", "Basis", "Charge", "Ledger", "Note", "RunInfo", "TornTail"]

Basis = Literal["lower_bound", "upper_bound", "measured", "estimated"]
#: How a charge's energy is known.
BASES: tuple[str, ...] = get_args(Basis)
#: Resources that may carry a negative energy (a credit, e.g. extracted work), always as an upper bound.
CREDIT_RESOURCES = ("work_extracted",)
#: Distributions whose versions go into the header.
_VERSIONED = ("qenergy", "numpy", "scipy", "qiskit", "qiskit-aer", "cirq-core", "stim", "qiskit-ibm-runtime")

# CREATION_WAIT_S (seconds [Ledger.open][] waits for the header of a ledger another
# process has just created) is read from this module each time [Ledger.open][] runs.

T = TypeVar("T")


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
class RunInfo:
    """One invocation that wrote to the ledger."""

    command: str
    seed: int | None
    started: str
    versions: dict[str, str] = field(default_factory=dict)


#: Field names of a charge record after ``"type"``, in file order.
_CHARGE_FIELDS = tuple(f.name for f in dataclasses.fields(Charge))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _charge_record(c: Charge, seq: int | None = None) -> Record:
    rec: Record = {"type": "charge", **{name: getattr(c, name) for name in _CHARGE_FIELDS}}
    if seq is not None:
        rec["seq"] = seq
    return rec


def _note_record(n: Note, seq: int | None = None) -> Record:
    rec: Record = {"type": "note", "run": n.run, "label": n.label, "data": n.data}
    if seq is not None:
        rec["seq"] = seq
    return rec


#: Label of the note that marks a run which did not finish (interrupted by a signal or stopped by an error).
INTERRUPTED_LABEL = "run-interrupted"


def _check_str(rec: Record, name: str, *, optional: bool = False) -> None:
    """Refuse a record field that must be text (a damaged line must not break the commands that print it)."""
    if optional and name not in rec:
        return
    if not isinstance(rec[name], str):
        raise ValueError(f"field {name!r} must be text, not {type(rec[name]).__name__}")


def _check_run_fields(rec: Record) -> None:
    """The fields a header or run record shares: command (text), seed (integer or null), versions (text to text)."""
    _check_str(rec, "command")
    seed = rec["seed"]
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"field 'seed' must be an integer or null, not {type(seed).__name__}")
    versions = rec["versions"]
    if not isinstance(versions, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in versions.items()):
        raise ValueError("field 'versions' must be an object of names to version strings")


class Ledger:
    """An append-only list of charges at one bath temperature: the book, writing through to a store.

    Use ``Ledger(temperature_k)`` in memory, [`open`][open] to write through to a file,
    [`load`][load] to read a file back. Totals are per account, in joules and in units
    of k_B·T·ln 2 at the ledger's temperature.

    ``store`` (optional): where every new record goes, starting with the header at
    construction (default: a `MemoryStore` that keeps
    nothing).
    """

    def __init__(self, temperature_k: float = 300.0, *, seed: int | None = None, command: str = "",
                 store: LedgerStore | None = None) -> None:
        self.temperature_k = check_temperature(temperature_k)
        self.runs: list[RunInfo] = [RunInfo(command=redact(command), seed=seed, started=_now(), versions=package_versions())]
        self._charges: list[Charge] = []
        self._notes: list[Note] = []
        self._pending: list[Record] | None = None
        self._attachments: dict[object, Any] = {}
        #: Sequence number of the current run's next charge or note record (a repeated or missing line is then found).
        self._seq = 0
        #: The file this ledger writes to ([`open`][open]) or was read from ([`load`][load]), else None.
        self.path: Path | None = None
        #: Set by [`load`][load] when the file ended in a line cut short by a crash (ignored).
        self.torn_tail: TornTail | None = None
        #: Where [`open`][open] moved such a line before appending (a new file; never an existing one).
        self.set_aside: Path | None = None
        #: The line [`open`][open] set aside (its number, offset and size), with `set_aside`.
        self.set_aside_tail: TornTail | None = None
        self._store: LedgerStore | None = MemoryStore(keep=False)
        if store is not None:
            self._store = store
            store.write([self.header()])

    # -- charging ---------------------------------------------------------------------

    @property
    def current_run(self) -> int:
        """Index of the invocation that new charges belong to."""
        return len(self.runs) - 1

    @property
    def seed(self) -> int | None:
        """The seed of the current run (None when none was given)."""
        return self.runs[self.current_run].seed

    @property
    def charges(self) -> tuple[Charge, ...]:
        """Every charge, in order."""
        return tuple(self._charges)

    @property
    def store(self) -> LedgerStore | None:
        """Where new records are written; None once [`close`][close] has been called."""
        return self._store

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
        """Charge ``count`` units of ``resource`` at ``unit_j`` joules each to ``account``; returns the charge.

        Raises:
            InputError: an empty account or resource, a count that is not an integer >= 0,
                a non-finite or (outside credits) negative ``unit_j``, an energy beyond the
                range of a double, or an unknown basis.
        """
        c = self._make(account, resource, count, unit_j, basis, provenance, label, model)
        self._append([c])
        return c

    def charge_many(self, charges: Iterable[tuple[str, str, int, float, str, str]], *, label: str = "", model: str = "") -> list[Charge]:
        """Charge several ``(account, resource, count, unit_j, basis, provenance)`` rows with one write.

        Raises:
            InputError: as [`charge`][charge], for any row (then none is charged).
        """
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
        """Every note, in order."""
        return tuple(self._notes)

    def note(self, label: str, data: dict[str, Any]) -> Note:
        """Record plain JSON data beside the charges (e.g. a finished sweep point), written like a charge.

        Raises:
            ValueError: ``data`` holds a non-finite number; TypeError: a value JSON cannot hold.
        """
        n = Note(self.current_run, redact(label), json.loads(redact(json.dumps(data, allow_nan=False))))
        self._notes.append(n)
        self._emit([_note_record(n, self._next_seq())])
        return n

    def mark_interrupted(self, reason: str, data: dict[str, Any] | None = None) -> Note:
        """Record that the current run did not finish (a note labelled `INTERRUPTED_LABEL`):
        ``ledger show`` and ``ledger summary`` list such runs. ``reason``: e.g. ``SIGINT``."""
        return self.note(INTERRUPTED_LABEL, {"reason": reason, **(data or {})})

    def interrupted_runs(self) -> dict[int, dict[str, Any]]:
        """The runs marked by [`mark_interrupted`][mark_interrupted]: run index → the note's data."""
        return {n.run: n.data for n in self._notes if n.label == INTERRUPTED_LABEL}

    def extend_and_note(self, charges: Iterable[Charge], label: str, data: dict[str, Any]) -> Note:
        """Append charges recorded elsewhere and a note about them in one write: both land, or neither.

        A sweep records each finished point this way, so a point is never found charged
        but not marked done (which would charge it twice on ``--resume``).

        Raises:
            InputError: as [`charge`][charge], for any charge; ValueError/TypeError as [`note`][note].
        """
        made = [self._make(c.account, c.resource, c.count, c.unit_j, c.basis, c.provenance, c.label, c.model) for c in charges]
        n = Note(self.current_run, redact(label), json.loads(redact(json.dumps(data, allow_nan=False))))
        records = [_charge_record(c, self._next_seq()) for c in made] + [_note_record(n, self._next_seq())]
        self._charges.extend(made)
        self._notes.append(n)
        self._emit(records)
        return n

    def extend(self, charges: Iterable[Charge]) -> list[Charge]:
        """Append charges recorded elsewhere (another ledger, a worker) to the current run, in order.

        Raises:
            InputError: as [`charge`][charge], for any charge (then none is appended).
        """
        made = [self._make(c.account, c.resource, c.count, c.unit_j, c.basis, c.provenance, c.label, c.model) for c in charges]
        self._append(made)
        return made

    def _append(self, charges: list[Charge]) -> None:
        self._charges.extend(charges)
        if charges:
            self._emit([_charge_record(c, self._next_seq()) for c in charges])

    def _next_seq(self) -> int:
        seq, self._seq = self._seq, self._seq + 1
        return seq

    def _emit(self, records: list[Record]) -> None:
        """Hand new records to the store now, or to the open [`batch`][batch] block; nothing once closed."""
        if self._store is None:
            return
        if self._pending is not None:
            self._pending.extend(records)
        else:
            self._store.write(records)

    @contextlib.contextmanager
    def batch(self) -> Iterator[Ledger]:
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
                if pending and self._store is not None:
                    self._store.write(pending)

    # -- attachments ------------------------------------------------------------------

    def attachment(self, key: object, factory: Callable[[], T]) -> T:
        """The object attached to this ledger under ``key``, made by ``factory()`` (and attached) on first use.

        This is how a collaborator keeps per-ledger state without a global and without a
        field on the book: `qenergy.ledger.meter.measure` attaches its
        `Meter` under the key ``Meter`` (the class), so nested
        windows on one ledger share one meter. An attachment lives in memory as long as
        the ledger object; it is never written to the store nor read back by
        [`load`][load]. Use a key private to the collaborator (its class, say).
        """
        try:
            return self._attachments[key]
        except KeyError:
            value = self._attachments[key] = factory()
            return value

    def detach(self, key: object) -> Any:
        """Remove and return the object attached under ``key`` (None when there is none)."""
        return self._attachments.pop(key, None)

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
        """The header record: format marker and schema, temperature (K), and the first run's seed, command, versions, start."""
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

    def _run_record(self, index: int) -> Record:
        return {"type": "run", "run": index, **asdict(self.runs[index])}

    @classmethod
    def open(cls, path: str | os.PathLike[str], temperature_k: float = 300.0, *, seed: int | None = None, command: str = "") -> Ledger:
        """A ledger that writes through to ``path`` (a `JsonLinesStore`).

        A new file gets a header, written under the file's lock right after the file is
        created exclusively. An existing qenergy ledger is loaded and appended to (a
        ``run`` line first); its temperature must equal ``temperature_k``. When another
        process creates the file at the same moment, this one waits for its header
        (at most `CREATION_WAIT_S` seconds) and appends. Any other existing file is
        refused and left untouched. An incomplete last line left by a crash is moved to a
        new file first (`set_aside`, [`recovery_note`][recovery_note]).

        Raises:
            LedgerError: the path holds another kind of file, a ledger at another
                temperature, or lies in a missing directory.
            LedgerCorruptError: the ledger holds a damaged line (with its number).
        """
        t = check_temperature(temperature_k)
        fresh = cls(t, seed=seed, command=command)  # the book when the file is new
        run = fresh.runs[0]

        def build(contents: LedgerFile) -> Ledger:
            led = cls._from_file(contents)
            if led.temperature_k != t:
                raise LedgerError(f"ledger {contents.path} was recorded at T = {led.temperature_k:g} K; "
                                  f"--temperature {t:g} differs (use another ledger path)")
            return led

        def start_run(led: Ledger) -> list[Record]:
            led.runs.append(RunInfo(command=run.command, seed=run.seed, started=_now(), versions=run.versions))
            led._seq = 0
            return [led._run_record(led.current_run)]

        store, joined = JsonLinesStore.open(path, fresh.header(), build, start_run, creation_wait_s=CREATION_WAIT_S)
        led = fresh if joined is None else joined
        led._store, led.path = store, store.path
        led.torn_tail, led.set_aside, led.set_aside_tail = store.torn_tail, store.set_aside, store.set_aside_tail
        return led

    def recovery_note(self) -> str | None:
        """One line saying which incomplete line [`open`][open] set aside and where, or None when it did not."""
        if self.set_aside is None or self.set_aside_tail is None:
            return None
        tail = self.set_aside_tail
        return (f"ledger {self.path} line {tail.line} was an incomplete write left by a crash ({tail.size} bytes); "
                f"set aside to {self.set_aside}")

    def close(self) -> None:
        """Close the store and stop writing through (the file stays complete after every charge).

        Later charges and notes are kept in memory only.
        """
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Ledger:
        """Read a ledger file back exactly (in memory: later charges are not written).

        Raises:
            LedgerError: the file does not exist or is not a qenergy ledger.
            LedgerCorruptError: a damaged line (with its number).
        """
        contents = JsonLinesStore.read(path, locked=True)
        led = cls._from_file(contents)
        led.path, led.torn_tail = contents.path, contents.torn_tail
        return led

    @classmethod
    def _from_file(cls, contents: LedgerFile) -> Ledger:
        """The book of the records read back (an in-memory ledger), every record checked in line order.

        Raises:
            LedgerCorruptError: a bad header or record, with its line number.
        """
        p, first = str(contents.path), contents.header
        try:
            _check_run_fields(first)
            _check_str(first, "created")
            led = cls(first["temperature_k"], seed=first["seed"], command=first["command"])
            led.runs[0] = RunInfo(command=first["command"], seed=first["seed"], started=first["created"], versions=dict(first["versions"]))
        except (KeyError, TypeError, ValueError, InputError) as exc:
            raise LedgerCorruptError(p, 1, f"bad header ({exc if not isinstance(exc, KeyError) else f'missing field {exc}'})") from None
        magnitude = 0.0  # running sum of |energy|: every total of any selection of charges stays below it
        # charges and notes written since sequence numbers exist carry "seq", 0, 1, 2, … per run: a repeated
        # or missing line is corruption (older ledgers, without it, still read)
        next_seq: dict[int, int] = {}

        def check_seq(rec: Record, run: int) -> None:
            if "seq" not in rec:
                if run in next_seq:
                    raise ValueError(f"run {run}'s records carry sequence numbers but this line has none")
                return
            seq, expected = rec["seq"], next_seq.get(run, 0)
            if isinstance(seq, bool) or not isinstance(seq, int):
                raise ValueError(f"sequence number {seq!r} is not an integer")
            if seq != expected:
                what = "repeats an earlier line" if seq < expected else f"follows a missing line ({seq - expected} missing)"
                raise ValueError(f"record {seq} of run {run} {what}: expected record {expected}")
            next_seq[run] = seq + 1

        for lineno, rec in contents.records:
            kind = rec.get("type")
            try:
                if kind == "charge":
                    run = rec["run"]
                    if isinstance(run, bool) or not isinstance(run, int) or not 0 <= run < len(led.runs):
                        raise ValueError(f"run {run!r} was never started")
                    if isinstance(rec["count"], bool) or not isinstance(rec["count"], int) or isinstance(rec["unit_j"], bool) \
                            or not isinstance(rec["unit_j"], (int, float)):
                        raise ValueError("count must be an integer and unit_j a number")
                    for name in ("account", "resource", "basis", "provenance"):
                        _check_str(rec, name)
                    for name in ("label", "model"):
                        _check_str(rec, name, optional=True)
                    check_seq(rec, run)
                    c = led._make(rec["account"], rec["resource"], rec["count"], rec["unit_j"], rec["basis"], rec["provenance"], rec.get("label", ""), rec.get("model", ""))
                    magnitude += abs(c.energy_j)
                    if not math.isfinite(magnitude):
                        raise ValueError("the energies up to this line add up beyond the range of a double (1.8e308 J)")
                    led._charges.append(dataclasses.replace(c, run=run))
                elif kind == "run":
                    if rec["run"] != len(led.runs) or isinstance(rec["run"], bool):
                        raise ValueError(f"run {rec['run']!r} out of order")
                    _check_run_fields(rec)
                    _check_str(rec, "started")
                    led.runs.append(RunInfo(command=rec["command"], seed=rec["seed"], started=rec["started"], versions=dict(rec["versions"])))
                elif kind == "note":
                    run = rec["run"]
                    if not isinstance(rec["data"], dict) or isinstance(run, bool) or not isinstance(run, int) or not 0 <= run < len(led.runs):
                        raise ValueError("a note needs a run that was started and a data object")
                    _check_str(rec, "label")
                    check_seq(rec, run)
                    led._notes.append(Note(run, rec["label"], rec["data"]))
                else:
                    raise ValueError(f"unknown record type {kind!r}")
            except (KeyError, TypeError, ValueError, InputError) as exc:
                raise LedgerCorruptError(p, lineno, str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}") from None
        return led
