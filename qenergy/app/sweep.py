"""``qenergy sweep``: real Simon instances at each n on both sides, against the bounds.

Each sweep point (n, repeat) runs through [`run_point`][run_point] into its own in-memory
ledger, serially or on a Dask cluster; on a device (``fake:``/``ibm:``) all the points'
circuits go in one batched job, charged once, and the points are then solved one by one (``workers`` for a ``LocalCluster``, ``scheduler``
for an existing one; Aer's own ``executor=`` option no longer fans jobs out). The
driver appends every point's charges to the file ledger in (n, repeat) order together
with a note holding the point's result rows, in one locked, synced write per point. So
a distributed sweep gives exactly the totals of a serial one with the same seed, and
the ledger alone says which points are done: ``--resume DIR`` runs only the others.

Writes, in the output directory: ``sweep.json`` (the sweep's settings, for resuming),
``ledger.jsonl`` (every charge and finished point; appended to when it already is a
qenergy ledger), and, rebuilt from the ledger at the end, ``results.csv`` (one row per
side and run of every sweep in the ledger), ``report.md`` and ``advantage.png`` (this sweep).

Nothing is written before everything is checked: every n's instance and circuit, the
resume settings, the Dask scheduler (connected to first), the ledger's temperature, and
each output file already in the directory. qenergy marks the files it writes (``sweep.json``
holds ``qenergy_sweep``, ``report.md`` starts with [`REPORT_TITLE`][REPORT_TITLE], ``advantage.png``
carries the PNG text ``Software: qenergy sweep``, ``results.csv`` has
[`RESULT_COLUMNS`][RESULT_COLUMNS]) and rebuilds only its own; a file of the same name that qenergy did
not write is refused (exit status 2, the file left untouched) unless ``force`` is given,
and ``ledger.jsonl`` is only ever appended to. A Ctrl-C raises
[`Interrupted`][qenergy.errors.Interrupted] naming the ``--resume`` command; every point
finished before it is in the ledger.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import math
import shlex
import statistics
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from qenergy.app.experiment import PlannedSimon, SimonRun, plan_simon, run_planned
from qenergy.circuits.backends import is_device_spec
from qenergy.energy.advantage import BoundRow, bound_table, crossover_n
from qenergy.energy.bounds import oracle_family, parse_classical_model
from qenergy.errors import InputError, Interrupted, LedgerError
from qenergy.ledger.book import Charge, Ledger
from qenergy.ledger.charging import BoundsPolicy
from qenergy.ledger.export import write_atomic, write_csv_atomic
from qenergy.ledger.meter import measure

__all__ = ["RESULT_COLUMNS", "SweepResult", "SweepSpec", "resume_sweep", "run_point", "run_sweep"]

#: Columns of results.csv, in order.
RESULT_COLUMNS = (
    "ledger_run", "n", "repeat", "seed", "side", "method", "secret", "found", "success",
    "queries", "shots", "charged_j", "bound_j", "bound_basis", "wall_time_s", "log10_bound_j",
)
#: Columns written by earlier versions (a results.csv with them is ours and is rebuilt).
_OLD_RESULT_COLUMNS = RESULT_COLUMNS[:-1]
SPEC_FILE = "sweep.json"
#: First line of every report.md qenergy writes (how a later sweep recognises its own report).
REPORT_TITLE = "# qenergy sweep report"
#: The files a sweep writes in its directory besides the ledger.
OUTPUT_FILES = ("results.csv", "report.md", "advantage.png", "nts.png", SPEC_FILE)
#: Seconds to wait for a Dask scheduler given by address.
SCHEDULER_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class SweepSpec:
    """Everything that defines a sweep (plain JSON-able data; also what a worker receives)."""

    ns: tuple[int, ...]
    repeats: int
    seed: int = 0
    backend: str = "auto"
    algorithm: str = "birthday"
    oracle: str = "linear"
    temperature_k: float = 300.0
    epsilon: float = 1e-6
    steps: int = 1000
    gate_energy_j: float = 0.0
    classical_model: str = "irreversible"
    success: str = "2/3"
    sweep_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: Noise SPEC on the simulator (``none``: ideal) and the cap on quantum shots per run (None: 20·n + 100).
    noise: str = "none"
    shots_budget: int | None = None
    #: The promise wt(s) ≤ W of the restricted problem (None: any secret).
    secret_weight: int | None = None
    #: Format version of sweep.json; its presence marks the file as written by qenergy.
    qenergy_sweep: int = 1

    def policy(self) -> BoundsPolicy:
        return BoundsPolicy.from_settings(epsilon=self.epsilon, steps=self.steps, gate_energy_j=self.gate_energy_j,
                                          classical_model=self.classical_model, family=oracle_family(self.oracle))

    @property
    def points(self) -> list[tuple[int, int]]:
        return [(n, r) for n in self.ns for r in range(self.repeats)]

    def save(self, directory: Path, *, replace: bool = False) -> None:
        """Write ``directory/sweep.json`` whole; an existing one is replaced only with ``replace``."""
        write_atomic(directory / SPEC_FILE, json.dumps({**asdict(self), "ns": list(self.ns)}, indent=1).encode("utf-8"), replace=replace)

    @classmethod
    def load(cls, directory: Path) -> SweepSpec:
        """The spec in ``directory/sweep.json``, every field checked ([`_check_spec_data`][_check_spec_data]).

        Raises [`InputError`][InputError] with one line naming the directory, the field and what is
        allowed: for a missing, oversized, non-UTF-8 or invalid JSON file, a JSON value that is not
        an object, a missing or unknown field, or a field of the wrong type or outside its range.
        """
        from qenergy.errors import shorten

        where = f"--resume {shorten(str(directory))!r}: {SPEC_FILE}"
        path = directory / SPEC_FILE
        try:
            size = path.stat().st_size
            if size > MAX_SPEC_BYTES:
                raise InputError(f"{where} has {size:,} bytes; allowed: at most {MAX_SPEC_BYTES:,} (the file qenergy sweep --out wrote)")
            data = json.loads(path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise InputError(f"--resume {shorten(str(directory))!r}: no {SPEC_FILE} there; allowed: the --out directory of an earlier sweep") from None
        except InputError:
            raise
        except UnicodeDecodeError:
            raise InputError(f"{where} is damaged (not UTF-8 text); allowed: the file qenergy sweep --out wrote") from None
        except RecursionError:
            raise InputError(f"{where} is damaged (JSON nested too deeply); allowed: the file qenergy sweep --out wrote") from None
        except ValueError as exc:  # JSONDecodeError, or an integer beyond Python's digit limit
            detail = f" at line {exc.lineno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else f": {shorten(str(exc))}"
            raise InputError(f"{where} is not valid JSON{detail}; allowed: the file qenergy sweep --out wrote") from None
        except OSError as exc:
            raise InputError(f"{where} cannot be read ({exc.strerror or type(exc).__name__})") from None
        return cls(**_check_spec_data(data, where))


#: Largest sweep.json accepted by [SweepSpec.load][] (a spec of 100,000 n values is ~1 MB).
MAX_SPEC_BYTES = 4 << 20
#: Most values of n and most points (n values × repeats) a resumed sweep may hold.
MAX_SPEC_NS = 100_000
MAX_SPEC_POINTS = 1_000_000
#: Largest n a sweep.json may hold (the largest any ``--n`` range accepts).
MAX_SPEC_N = 1_000_000


def _check_spec_data(data: Any, where: str) -> dict[str, Any]:
    """The fields of a sweep.json as [`SweepSpec`][SweepSpec] arguments, each checked; [`InputError`][InputError] names the first bad one."""
    from dataclasses import fields

    from qenergy.energy.counts import parse_probability
    from qenergy.energy.erasure import check_epsilon, check_steps
    from qenergy.energy.physics import check_temperature
    from qenergy.errors import QenergyError, shorten

    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(type(data), "null")
        raise InputError(f"{where} holds {kind}, not a JSON object; allowed: the object qenergy sweep --out wrote")
    known = [f.name for f in fields(SweepSpec)]
    unknown = [k for k in data if k not in known]
    if unknown:
        raise InputError(f"{where} has unknown field {shorten(str(unknown[0]))!r}; allowed: {', '.join(known)}")
    missing = [k for k in ("ns", "repeats", "sweep_id") if k not in data]
    if missing:
        raise InputError(f"{where} has no field {missing[0]!r}; allowed: a sweep.json with {', '.join(known)}")

    def bad(key: str, allowed: str) -> InputError:
        return InputError(f"{where} field {key!r} = {shorten(json.dumps(data[key]) if _jsonable(data[key]) else repr(data[key]))} "
                          f"is not allowed; allowed: {allowed}")

    def integer(key: str, low: int, high: int | None = None) -> int:
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < low or (high is not None and v > high):
            raise bad(key, f"an integer in {low}..{high:,}" if high is not None else f"an integer >= {low}")
        return v

    def number(key: str, check: Any, allowed: str) -> float:
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise bad(key, allowed)
        try:
            return float(check(v))
        except (QenergyError, ValueError, OverflowError):
            raise bad(key, allowed) from None

    def text(key: str, max_len: int = 200) -> str:
        v = data[key]
        if not isinstance(v, str) or not v or len(v) > max_len:
            raise bad(key, f"a non-empty string of at most {max_len} characters")
        return v

    out: dict[str, Any] = {}
    ns = data["ns"]
    if not isinstance(ns, list) or not ns or len(ns) > MAX_SPEC_NS:
        raise bad("ns", f"a non-empty JSON array of at most {MAX_SPEC_NS:,} integers n in 1..{MAX_SPEC_N:,}")
    for i, n in enumerate(ns):
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SPEC_N:
            shown = json.dumps(n) if _jsonable(n) else repr(n)
            raise InputError(f"{where} field 'ns' entry {i} = {shorten(shown)} is not allowed; allowed: an integer n in 1..{MAX_SPEC_N:,}")
    out["ns"] = tuple(ns)
    out["repeats"] = integer("repeats", 1, MAX_SPEC_POINTS)
    if len(ns) * out["repeats"] > MAX_SPEC_POINTS:
        raise InputError(f"{where} holds {len(ns):,} values of n × {out['repeats']:,} repeats = {len(ns) * out['repeats']:,} points; "
                         f"allowed: at most {MAX_SPEC_POINTS:,}")
    out["sweep_id"] = text("sweep_id")
    if "seed" in data:
        out["seed"] = integer("seed", 0)
    for key in ("backend", "algorithm", "oracle", "classical_model", "success", "noise"):
        if key in data:
            out[key] = text(key, 1000)
    if "noise" in out:
        from qenergy.hardware.noise import parse_noise

        try:
            parse_noise(out["noise"])
        except QenergyError:
            raise bad("noise", "a noise SPEC: none, depolarize:P, readout:P, device:fake:NAME (comma-separated)") from None
    if data.get("shots_budget") is not None:
        out["shots_budget"] = integer("shots_budget", 1, 10**9)
    if data.get("secret_weight") is not None:
        out["secret_weight"] = integer("secret_weight", 1, MAX_SPEC_N)
    if "classical_model" in out:
        try:
            parse_classical_model(out["classical_model"])
        except QenergyError:
            raise bad("classical_model", "irreversible | memory:BITS | minimal | reversible") from None
    if "success" in out:
        import re

        # checked for shape first: Fraction("1e-99999999") would compute 10^99999999 for minutes
        shape = re.fullmatch(r"[0-9]{1,40}/[0-9]{1,40}|[0-9]{0,40}\.?[0-9]{1,40}(?:[eE][+-]?[0-9]{1,3})?", out["success"], re.ASCII)
        try:
            if shape is None:
                raise InputError(out["success"])
            parse_probability(out["success"], name="success")
        except QenergyError:
            raise bad("success", "a probability 0 < p <= 1 such as 2/3 or 0.9") from None
    if "temperature_k" in data:
        out["temperature_k"] = number("temperature_k", check_temperature, "a finite temperature > 0 kelvin")
    if "epsilon" in data:
        out["epsilon"] = number("epsilon", check_epsilon, "0 < epsilon < 0.5")
    if "steps" in data:
        v = data["steps"]
        try:
            out["steps"] = check_steps(v) if not isinstance(v, bool) and isinstance(v, int) else check_steps(-1)
        except QenergyError:
            raise bad("steps", "an integer 1 <= N <= 10^18") from None
    if "gate_energy_j" in data:
        out["gate_energy_j"] = number("gate_energy_j", _finite_nonnegative, "a finite number >= 0")
    if "qenergy_sweep" in data:
        out["qenergy_sweep"] = integer("qenergy_sweep", 1, 1)
    return out


def _finite_nonnegative(value: float) -> float:
    """``value`` if finite and >= 0, else ValueError."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(value)
    return value


def _jsonable(value: Any) -> bool:
    """True when ``json.dumps(value)`` is safe and short to try (no huge or deep structures)."""
    return value is None or isinstance(value, (bool, str, float)) or (isinstance(value, int) and abs(value) < 10**100) or (
        isinstance(value, (list, dict)) and len(value) <= 20 and all(not isinstance(v, (list, dict)) for v in (value.values() if isinstance(value, dict) else value)))


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced: its result rows (from the ledger), the bounds, the crossover, the files."""

    rows: list[dict[str, Any]]
    bounds: list[BoundRow]
    crossover: int | None
    ledger_run: int
    resumed_points: int
    files: dict[str, Path]
    own_energy_by_basis: dict[str, float] = field(default_factory=dict)  # account meter, per basis (measured, estimated)
    theoretical_j: dict[str, float] = field(default_factory=dict)  # per basis: upper_bound, lower_bound
    nts: list[dict[str, Any]] = field(default_factory=list)  # per n: queries to solution of each side ([`nts_table`][nts_table])

    @property
    def own_energy_j(self) -> float:
        """This sweep's own energy (account ``meter``) in its one basis; [`MixedBasisError`][MixedBasisError] when its
        processes measured on different bases (e.g. RAPL on one host, the CPU-time estimate on another)."""
        if len(self.own_energy_by_basis) > 1:
            from qenergy.errors import MixedBasisError

            raise MixedBasisError(f"this sweep's own energy holds several bases ({', '.join(self.own_energy_by_basis)}); "
                                  "allowed: read own_energy_by_basis")
        return next(iter(self.own_energy_by_basis.values()), 0.0)

    @property
    def own_energy_basis(self) -> str | None:
        """The basis of [`own_energy_j`][own_energy_j] (None when nothing was measured or several bases were)."""
        return next(iter(self.own_energy_by_basis)) if len(self.own_energy_by_basis) == 1 else None

    @property
    def instances(self) -> int:
        return len({(r["n"], r["repeat"]) for r in self.rows})

    @property
    def solved(self) -> int:
        """Instances every side of which found the secret."""
        by_point: dict[tuple[int, int], bool] = {}
        for r in self.rows:
            key = (r["n"], r["repeat"])
            by_point[key] = by_point.get(key, True) and bool(r["success"])
        return sum(by_point.values())


def run_seed(seed: int, n: int, repeat: int) -> int:
    """The seed of run ``repeat`` at size n, derived from the sweep's seed."""
    return int(np.random.SeedSequence([seed, n, repeat]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _plan(spec: SweepSpec, n: int, repeat: int) -> PlannedSimon:
    """The validated instance (and prepared circuit) of sweep point (n, repeat)."""
    plan = plan_simon(n, oracle=spec.oracle, backend=spec.backend, algorithm=spec.algorithm, seed=run_seed(spec.seed, n, repeat),
                      noise=spec.noise, shots_budget=spec.shots_budget,
                      secret_weight=None if spec.secret_weight is None else min(spec.secret_weight, n))
    return plan


def run_point(spec: SweepSpec, n: int, repeat: int) -> tuple[SimonRun, list[Charge]]:
    """Run one sweep point into a fresh in-memory ledger; returns the run and its charges."""
    plan = _plan(spec, n, repeat)
    ledger = Ledger(spec.temperature_k, seed=plan.seed)
    label = f"n={n} repeat={repeat}"
    with measure(ledger, label):  # the point's own energy, measured or estimated, beside its bounds
        run = run_planned(plan, ledger, policy=spec.policy(), label=label)
    return run, list(ledger.charges)


def _device_batch(spec: SweepSpec, points: list[tuple[int, int]], progress: Any) -> tuple[list[Charge], Iterator[tuple[SimonRun, list[Charge]]]]:
    """Device backends: every point's circuit in one batched job; returns the job's charges and the points."""
    from qenergy.circuits import get_backend
    from qenergy.circuits.simon import run_simon_batch

    plans = [_plan(spec, n, r) for n, r in points]
    labels = [f"n={n} repeat={r}" for n, r in points]
    policy = spec.policy()
    shared = Ledger(spec.temperature_k, seed=spec.seed)
    backend = get_backend(spec.backend)
    prepared = [p.prepared for p in plans if p.prepared is not None]
    results = run_simon_batch([p.instance for p in plans], prepared, shared, sample_all=backend.sample_many,
                              rng=np.random.default_rng(spec.seed), policy=policy, labels=labels)
    by_label: dict[str, list[Charge]] = {}
    for c in shared.charges:
        by_label.setdefault(c.label, []).append(c)

    def points_iter() -> Iterator[tuple[SimonRun, list[Charge]]]:
        for plan, label, q in zip(plans, labels, results):
            ledger = Ledger(spec.temperature_k, seed=plan.seed)
            ledger.extend(by_label.get(label, []))
            run = run_planned(plan, ledger, policy=policy, label=label, quantum=q)
            progress.update(1)
            yield run, list(ledger.charges)

    return by_label.get("batch", []), points_iter()


def _serial(spec: SweepSpec, points: list[tuple[int, int]], progress: Any) -> Iterator[tuple[SimonRun, list[Charge]]]:
    for n, r in points:
        yield run_point(spec, n, r)
        progress.update(1)


def _connect(stack: contextlib.ExitStack, workers: int | None, scheduler: str | None, timeout_s: float) -> Any:
    """A Dask client (closed with ``stack``): to ``scheduler``, or to a new LocalCluster of ``workers`` processes.

    Called before anything is written, so an unreachable scheduler leaves no file behind.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise InputError("distributed sweeps need Dask; allowed: pip install 'qenergy[dask]', or drop --workers/--scheduler") from None
    if scheduler is not None:
        try:
            return stack.enter_context(Client(scheduler, timeout=f"{timeout_s}s"))
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"--scheduler {scheduler!r} cannot be reached within {timeout_s:g} s ({type(exc).__name__}); "
                             "allowed: the address of a running Dask scheduler, e.g. tcp://HOST:8786") from None
    cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                               silence_logs=logging.ERROR))
    return stack.enter_context(Client(cluster))


def _on_dask(spec: SweepSpec, points: list[tuple[int, int]], progress: Any, client: Any) -> Iterator[tuple[SimonRun, list[Charge]]]:
    from dask.distributed import as_completed

    futures = {client.submit(run_point, spec, n, r, pure=False): (n, r) for n, r in points}
    done: dict[tuple[int, int], tuple[SimonRun, list[Charge]]] = {}
    next_index = 0
    for future in as_completed(futures):
        done[futures[future]] = future.result()
        progress.update(1)
        while next_index < len(points) and points[next_index] in done:  # in (n, repeat) order, as soon as each can be
            yield done.pop(points[next_index])
            next_index += 1


def _check_csv(path: Path) -> None:
    """Refuse a results.csv that is not ours (before anything runs)."""
    if path.exists() and path.stat().st_size > 0:
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                header = next(csv.reader(fh), [])
        except (OSError, UnicodeDecodeError, csv.Error):
            header = []
        if tuple(header) not in (RESULT_COLUMNS, _OLD_RESULT_COLUMNS):
            raise LedgerError(f"{path} exists with other columns; refusing to replace it (move it, choose another --out, or add --force)")


def _ours(path: Path, earlier_sweep: bool) -> bool:
    """Whether ``path`` (an existing regular file named like a sweep output) was written by qenergy.

    ``earlier_sweep``: the directory's ledger records sweep points, which vouches for a
    plot written before plots were marked (matplotlib's own ``Software`` text).
    """
    name = path.name
    try:
        if name == "report.md":
            with open(path, "rb") as fh:
                return fh.readline().rstrip(b"\r\n") == REPORT_TITLE.encode()
        if name == SPEC_FILE:
            data = json.loads(path.read_text(encoding="utf-8"))
            return isinstance(data, dict) and ("qenergy_sweep" in data or {"sweep_id", "ns", "repeats"} <= data.keys())
        if name in ("advantage.png", "nts.png"):
            from qenergy.app.plots import SWEEP_SOFTWARE, png_software

            software = png_software(path) or ""
            return software == SWEEP_SOFTWARE or (earlier_sweep and software.startswith("Matplotlib"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return False


def _check_outputs(out: Path, spec: SweepSpec, *, resume: bool, force: bool) -> tuple[Ledger | None, dict[str, bool]]:
    """Check the output directory before anything is written; returns its ledger (None when new) and
    ``{file: exists}`` for [`OUTPUT_FILES`][OUTPUT_FILES].

    Refused: ``out`` that is not a directory; a ledger.jsonl that is not a qenergy ledger,
    is damaged or was recorded at another temperature (even with ``force``); an output
    that is a directory; one qenergy did not write, unless ``force``.
    """
    flag = "--resume" if resume else "--out"
    if out.exists() and not out.is_dir():
        raise InputError(f"{flag} {str(out)!r} is not a directory; allowed: a directory (new, or from an earlier sweep)")
    existing: Ledger | None = None
    ledger_path = out / "ledger.jsonl"
    if out.is_dir() and (ledger_path.exists() or ledger_path.is_symlink()):
        existing = Ledger.load(ledger_path)  # refuses a foreign or damaged file
        if existing.temperature_k != spec.temperature_k:
            raise LedgerError(f"ledger {ledger_path} was recorded at T = {existing.temperature_k:g} K; --temperature "
                              f"{spec.temperature_k:g} differs (choose another --out)")
    earlier_sweep = existing is not None and any("sweep" in nt.data for nt in existing.notes)
    exists: dict[str, bool] = {}
    for name in OUTPUT_FILES:
        path = out / name
        exists[name] = out.is_dir() and (path.exists() or path.is_symlink())
        if not exists[name] or (resume and name == SPEC_FILE):
            continue  # on --resume, sweep.json is the input: read, never written
        if not path.is_file():
            raise InputError(f"{path} exists and is not a regular file; refusing to replace it (move it or choose another {flag})")
        if force:
            continue
        if name == "results.csv":
            _check_csv(path)
        elif not _ours(path, earlier_sweep):
            raise InputError(f"{path} exists and was not written by qenergy; refusing to replace it "
                             f"(move it, choose another {flag}, or add --force to replace it)")
    return existing, exists


def _interrupted(out: Path, started: bool, cause: BaseException | None = None) -> Interrupted:
    """The error a stopped sweep ends with: how to resume it, and exit status 128 + the signal (143 for SIGTERM)."""
    from qenergy.interrupts import Terminated, exit_status

    word = "terminated (SIGTERM)" if isinstance(cause, Terminated) else "interrupted"
    if started:
        err = Interrupted(f"{word}; resume with: qenergy sweep --resume {shlex.quote(str(out))}")
    else:
        err = Interrupted(f"{word} before the sweep started; nothing was written")
    if cause is not None:
        err.exit_status = exit_status(cause)
    return err


def run_sweep(
    spec: SweepSpec,
    out: Path,
    *,
    command: str = "",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    resume: bool = False,
    force: bool = False,
    scheduler_timeout_s: float = SCHEDULER_TIMEOUT_S,
    notify: Callable[[str], None] | None = None,
) -> SweepResult:
    """Run the sweep's points not yet in ``out``'s ledger; write results.csv, report.md and advantage.png.

    ``workers`` runs the points on a Dask ``LocalCluster`` of that many processes,
    ``scheduler`` on an existing Dask cluster (reached within ``scheduler_timeout_s``);
    otherwise they run here, one by one. ``progress`` shows a progress bar on standard
    error. With ``resume`` the points already recorded for this sweep are skipped (never
    redone or charged twice). ``force`` allows replacing output files qenergy did not
    write (never the ledger). ``notify`` receives one-line notices (an incomplete ledger
    line set aside).

    Raises:
        InputError, LedgerError: bad settings or a refused output, before anything is written.
        Interrupted: Ctrl-C (exit status 130) or SIGTERM (143); every point finished before it is in the ledger.
    """
    started = resume
    try:
        return _run_sweep(spec, out, command=command, workers=workers, scheduler=scheduler, progress=progress, resume=resume,
                          force=force, scheduler_timeout_s=scheduler_timeout_s, notify=notify)
    except KeyboardInterrupt as exc:  # resumable once this sweep's sweep.json is in place
        started = started or _spec_id(out) == spec.sweep_id
        raise _interrupted(out, started, exc) from None


def _spec_id(out: Path) -> str | None:
    """The sweep id in ``out/sweep.json``, or None."""
    try:
        data = json.loads((out / SPEC_FILE).read_text(encoding="utf-8"))
        return data.get("sweep_id") if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError):
        return None


def _run_sweep(spec: SweepSpec, out: Path, *, command: str, workers: int | None, scheduler: str | None, progress: bool, resume: bool,
               force: bool, scheduler_timeout_s: float, notify: Callable[[str], None] | None) -> SweepResult:
    # 1. every input, before anything is written
    if spec.repeats < 1:
        raise InputError(f"--repeats {spec.repeats} is not allowed; allowed: an integer >= 1")
    success = parse_success(spec.success)
    policy = spec.policy()
    for n in sorted(set(spec.ns)):  # every input error surfaces here, before anything runs or is written
        _plan(spec, n, 0)
    bounds = bound_table(spec.ns, policy.quantum, policy.classical, spec.temperature_k, success, secret_weight=spec.secret_weight)
    by_n = {row.n: row for row in bounds}
    # 2. the output directory: only our own files are rebuilt, the ledger only appended to
    existing, exists = _check_outputs(out, spec, resume=resume, force=force)
    ledger_path = out / "ledger.jsonl"
    done: set[tuple[int, int]] = set()
    if resume and existing is not None:
        done = {(nt.data["n"], nt.data["repeat"]) for nt in existing.notes if nt.data.get("sweep") == spec.sweep_id}
    todo = [p for p in spec.points if p not in done]
    device = is_device_spec(spec.backend)
    with contextlib.ExitStack() as stack:
        # 3. the cluster, connected to before the first byte is written
        client = _connect(stack, workers, scheduler, scheduler_timeout_s) if (workers is not None or scheduler is not None) and todo and not device else None
        # 4. now write
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {str(out)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
        if not resume:
            spec.save(out, replace=exists[SPEC_FILE])
        bar = stack.enter_context(tqdm(total=len(todo), disable=not progress, file=sys.stderr, unit="run", desc="sweep"))
        ledger = stack.enter_context(Ledger.open(ledger_path, spec.temperature_k, seed=spec.seed, command=command))
        note = ledger.recovery_note()
        if note and notify is not None:
            notify(note)
        if device and todo:  # one batched job for all circuits; the job is charged once, to the sweep
            job_charges, source = _device_batch(spec, todo, bar)
            with ledger.batch():
                ledger.extend(job_charges)
        elif client is None:
            source = _serial(spec, todo, bar)
        else:
            source = _on_dask(spec, todo, bar, client)
        for (n, r), (run, charges) in zip(todo, source):
            # the point's charges and its result rows land in one write: both or neither
            ledger.extend_and_note(charges, f"n={n} repeat={r}", {"sweep": spec.sweep_id, "n": n, "repeat": r, "rows": run.sweep_rows(r, by_n[n])})
        notes = ledger.notes
        run_index = ledger.current_run
        labels = {f"n={n} repeat={r}" for n, r in spec.points}
        mine = [c for c in ledger.charges if c.label in labels]
        own_j = {b: math.fsum(c.energy_j for c in mine if c.account == "meter" and c.basis == b)
                 for b in sorted({c.basis for c in mine if c.account == "meter"})}
        theory_j = {b: math.fsum(c.energy_j for c in mine if c.basis == b) for b in ("upper_bound", "lower_bound")}
    all_rows = [dict(row, ledger_run=nt.run) for nt in notes if "sweep" in nt.data for row in nt.data["rows"]]
    this = [r for nt in notes if nt.data.get("sweep") == spec.sweep_id for r in (dict(row, ledger_run=nt.run) for row in nt.data["rows"])]
    this.sort(key=lambda r: (r["n"], r["repeat"], r["side"] != "quantum"))
    write_csv_atomic(out / "results.csv", RESULT_COLUMNS, all_rows, replace=exists["results.csv"])
    cross = crossover_n(bounds)
    from qenergy.app.plots import plot_advantage

    title = (f"Simon's problem, T = {spec.temperature_k:g} K, classical success {success}\n"
             f"quantum: {policy.quantum.erasure.describe()}; classical model: {policy.classical.describe()}")
    png = plot_advantage(out / "advantage.png", bounds, crossover=cross, runs=[(r["n"], r["side"], float(r["charged_j"])) for r in this],
                         title=title, quantum_label=f"quantum upper bound ({policy.quantum.name})",
                         classical_label=f"classical lower bound ({policy.classical.name})", replace=exists["advantage.png"])
    nts = nts_table(this, success)
    from qenergy.app.plots import plot_nts

    weight = f", wt(s) <= {spec.secret_weight}" if spec.secret_weight is not None else ""
    nts_png = plot_nts(out / "nts.png", {side: ([r["n"] for r in nts if r[side]["median"] is not None],
                                                [r[side]["median"] for r in nts if r[side]["median"] is not None],
                                                [r[side]["quantile"] for r in nts if r[side]["median"] is not None]) for side in ("quantum", "classical")},
                       title=f"Queries to solution, {spec.backend} (noise {spec.noise}){weight}; quantile {success}", replace=exists["nts.png"])
    report = out / "report.md"
    write_atomic(report, _report(bounds, cross, policy, spec, success, run_index, this, own_j, theory_j, nts).encode("utf-8"), replace=exists["report.md"])
    files = {"ledger": ledger_path, "results": out / "results.csv", "report": report, "plot": png, "nts_plot": nts_png, "spec": out / SPEC_FILE}
    return SweepResult(this, bounds, cross, run_index, len(done), files, own_j, theory_j, nts)


def resume_sweep(out: Path, **kwargs: Any) -> SweepResult:
    """Continue the sweep recorded in ``out`` (``sweep.json`` and its ledger).

    Raises:
        InputError: ``out`` is missing or not a directory, or holds no usable sweep.json.
    """
    if not out.is_dir():
        what = "is not a directory" if out.exists() else "does not exist"
        raise InputError(f"--resume {str(out)!r} {what}; allowed: the --out directory of an earlier sweep")
    if (out / SPEC_FILE).exists() and not (out / SPEC_FILE).is_file():
        raise InputError(f"--resume {str(out)!r}: {SPEC_FILE} there is not a regular file; allowed: the --out directory of an earlier sweep")
    return run_sweep(SweepSpec.load(out), out, resume=True, **kwargs)


def parse_success(text: str) -> Fraction:
    from qenergy.energy.counts import parse_probability

    return parse_probability(text, name="success")


def nts_quantile(values: list[int], unresolved: int, q: float) -> float | None:
    """The q-quantile of queries to solution over runs, an unresolved run counting as infinitely many
    queries (so a quantile reached only by unresolved runs is None); lower empirical quantile."""
    total = len(values) + unresolved
    if total == 0:
        return None
    k = max(1, math.ceil(q * total))  # the k-th smallest of all runs
    ordered = sorted(values)
    return float(ordered[k - 1]) if k <= len(ordered) else None


def nts_table(rows: list[dict[str, Any]], success: Fraction) -> list[dict[str, Any]]:
    """Per n and side: NTS median, the ``success`` quantile, runs and unresolved runs (a wrong or missing
    answer counts as unresolved: it never reaches a solution). Exponents: [qenergy.app.plots.fit_scaling][]."""
    out = []
    for n in sorted({r["n"] for r in rows}):
        entry: dict[str, Any] = {"n": n}
        for side in ("quantum", "classical"):
            mine = [r for r in rows if r["n"] == n and r["side"] == side]
            good = [int(r["queries"]) for r in mine if r["success"]]
            bad = len(mine) - len(good)
            entry[side] = {"runs": len(mine), "unresolved": bad, "median": nts_quantile(good, bad, 0.5), "quantile": nts_quantile(good, bad, float(success))}
        out.append(entry)
    return out


def _report(bounds: list[BoundRow], cross: int | None, policy: BoundsPolicy, spec: SweepSpec, success: Fraction,
            ledger_run: int, rows: list[dict[str, Any]], own_j: dict[str, float], theory_j: dict[str, float],
            nts: list[dict[str, Any]] | None = None) -> str:
    lines = [
        REPORT_TITLE,
        "",
        f"Sweep {spec.sweep_id}: n = {', '.join(map(str, spec.ns))}, {spec.repeats} repeat(s), seed {spec.seed}, "
        f"backend {spec.backend}, classical {spec.algorithm}, oracle {spec.oracle}.",
        f"Temperature {spec.temperature_k:g} K; success probability {success} for the classical lower bound; last ledger run {ledger_run}.",
        "",
        f"* Quantum: {policy.quantum.describe()}.",
        f"* Classical: {policy.classical.describe()}.",
        f"* Crossover n (quantum upper bound below the classical lower bound from there on): {cross if cross is not None else 'none in range'}.",
        "* This testbed's own energy for these runs (account `meter`: each process's CPU-time share of its host's RAPL/NVML "
        "energy, or estimated from CPU time; Dask workers each charge their own share; each basis apart): "
        + ("; ".join(f"{j_own:.4g} J {basis}" + "".join(f", {j_own / j:.3g} x the {b.replace('_', '-')} charges ({j:.4g} J)"
                                                        for b, j in theory_j.items() if j > 0)
                     for basis, j_own in own_j.items()) or "none measured") + ".",
        "",
        "These bounds are qenergy's models built on the Meier–Yamasaki framework, not the paper's theorems; see the README.",
        "The classical bound holds for the success probability above over random instances; a single lucky run",
        "can make fewer queries than q_min and so be charged less than the bound.",
        "",
        "| n | runs | solved Q/C | mean Q queries | mean C queries | mean Q charged [J] | Q upper bound [J] | mean C charged [J] | C lower bound [J] | bound ratio C/Q |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in bounds:
        q = [r for r in rows if r["n"] == row.n and r["side"] == "quantum"]
        c = [r for r in rows if r["n"] == row.n and r["side"] == "classical"]

        def mean(rs: list[dict[str, Any]], key: str) -> str:
            return f"{statistics.fmean(float(r[key]) for r in rs):.4g}" if rs else "-"

        solved = f"{sum(bool(r['success']) for r in q)}/{sum(bool(r['success']) for r in c)}"
        lines.append(f"| {row.n} | {max(len(q), len(c))} | {solved} | {mean(q, 'queries')} | {mean(c, 'queries')} | {mean(q, 'charged_j')} | "
                     f"{row.quantum_upper_j:.4g} | {mean(c, 'charged_j')} | {row.classical_lower.short(4)} | {row.ratio_magnitude.short(3)} |")
    if nts:
        from qenergy.app.plots import fit_scaling

        weight = f" with the promise wt(s) <= {spec.secret_weight}" if spec.secret_weight is not None else ""
        lines += ["", f"## Queries to solution (NTS){weight}", "",
                  "NTS: oracle queries until a proven answer (quantum: shots + classical confirmation queries; classical: queries). "
                  f"Median and the {success} quantile over the runs at each n; an unresolved or wrong run counts as never solved.", "",
                  "| n | Q median | Q quantile | Q unresolved | C median | C quantile | C unresolved |", "|---|---|---|---|---|---|---|"]

        def cell(v: float | None) -> str:
            return "-" if v is None else f"{v:g}"

        for e in nts:
            q, c = e["quantum"], e["classical"]
            lines.append(f"| {e['n']} | {cell(q['median'])} | {cell(q['quantile'])} | {q['unresolved']}/{q['runs']} | "
                         f"{cell(c['median'])} | {cell(c['quantile'])} | {c['unresolved']}/{c['runs']} |")
        for side in ("quantum", "classical"):
            pts = [(e["n"], e[side]["median"]) for e in nts if e[side]["median"] is not None]
            fit = fit_scaling([p[0] for p in pts], [p[1] for p in pts])
            if fit:
                lines.append(f"* {side} NTS median scaling (least squares over n = {pts[0][0]}..{pts[-1][0]}): "
                             f"~n^{fit['power']:.3f}, ~2^({fit['exponential']:.4f}·n).")
    lines += ["", "Files: `results.csv` (one row per side and run), `ledger.jsonl` (every charge), `advantage.png`, `nts.png`, `sweep.json`.", ""]
    return "\n".join(lines)
