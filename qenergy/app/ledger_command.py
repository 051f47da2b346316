"""``qenergy ledger show | summary | export | import`` in the application layer: one function per action,
each returning a typed report ([`LedgerShowReport`][LedgerShowReport], [`LedgerSummaryReport`][LedgerSummaryReport],
[`LedgerExportReport`][LedgerExportReport], [`LedgerImportReport`][LedgerImportReport]).

The figures are the core's ([qenergy.ledger.book.Ledger][], `qenergy.ledger.export`, [qenergy.ledger.metrics][],
[qenergy.ledger.codecarbon_import][]); here they are gathered per action, and every input is checked before
the first byte is written: ``export`` checks its options (PUE and intensity giving finite figures) and every
output path (never the ledger itself, never two options naming one file, an existing file only with
``force``) before writing any file; ``import`` reads and checks the whole CodeCarbon file, and refuses the
file itself or a missing directory as the ledger, before the ledger is opened. Ledgers are only appended to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qenergy.errors import InputError
from qenergy.ledger.book import Charge, Ledger, RunInfo, TornTail

__all__ = [
    "ExportedOutput", "LedgerExportReport", "LedgerExportRequest", "LedgerImportReport", "LedgerImportRequest", "LedgerShowReport",
    "LedgerSummaryReport", "run_ledger_export", "run_ledger_import", "run_ledger_show", "run_ledger_summary",
]


@dataclass(frozen=True)
class LedgerShowReport:
    """Everything a ledger file holds ([`to_dict`][to_dict] is ``qenergy ledger show --json``).

    Attributes:
        path: the ledger file.
        temperature_k: the ledger's bath temperature (kelvin).
        header: the header line's fields (schema, temperature, first run).
        runs: every run that wrote to the ledger, in order.
        charges: every charge (joules per unit, with its basis), in order.
        torn_tail: the incomplete last line a crash left (ignored), or None.
        interrupted: run index → the run-interrupted note's data, for the runs that did not finish.
    """

    path: Path
    temperature_k: float
    header: dict[str, Any]
    runs: list[RunInfo]
    charges: list[Charge]
    torn_tail: TornTail | None
    interrupted: dict[int, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy ledger show --json`` object."""
        return {"header": self.header, "runs": [asdict(r) for r in self.runs], "charges": [asdict(c) for c in self.charges],
                "torn_tail_line": self.torn_tail.line if self.torn_tail else None,
                "interrupted_runs": {str(k): v for k, v in self.interrupted.items()}}


@dataclass(frozen=True)
class LedgerSummaryReport:
    """A ledger's totals per account, resource and basis ([`to_dict`][to_dict] is ``qenergy ledger summary --json``).

    Attributes:
        path: the ledger file.
        temperature_k: the ledger's bath temperature (kelvin).
        runs, charges: how many runs and charges it holds.
        totals_j, totals_kTln2: totals per account and basis (joules; units of k_B·T·ln 2), never summed across bases.
        rows: one row per account, resource and basis (`qenergy.ledger.export.summary_rows`).
        torn_tail: the incomplete last line a crash left (ignored), or None.
        interrupted: run index → the run-interrupted note's data.
    """

    path: Path
    temperature_k: float
    runs: int
    charges: int
    totals_j: dict[str, dict[str, float]]
    totals_kTln2: dict[str, dict[str, float]]
    rows: list[dict[str, Any]]
    torn_tail: TornTail | None
    interrupted: dict[int, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy ledger summary --json`` object."""
        return {"temperature_k": self.temperature_k, "runs": self.runs, "totals_j": self.totals_j, "totals_kTln2": self.totals_kTln2,
                "rows": self.rows, "torn_tail_line": self.torn_tail.line if self.torn_tail else None, "interrupted_runs": self.interrupted}


@dataclass(frozen=True)
class LedgerExportRequest:
    """The options of ``qenergy ledger export`` (by name; units in the names).

    Each output is a file path or None (not written); ``openmetrics`` and ``prometheus`` may also be
    ``Path("-")``, standard output (one of them at most). ``country`` (ISO-3) chooses the bundled grid
    intensity, ``intensity_g_per_kwh`` overrides it (None: the country's, else the world average);
    ``pue`` multiplies measured energy; ``force`` allows replacing existing output files (never the ledger).
    """

    path: Path
    csv: Path | None = None
    codecarbon: Path | None = None
    carbon: Path | None = None
    openmetrics: Path | None = None
    prometheus: Path | None = None
    country: str | None = None
    intensity_g_per_kwh: float | None = None
    pue: float = 1.0
    force: bool = False


@dataclass(frozen=True)
class ExportedOutput:
    """One output of ``ledger export``, once written.

    Attributes:
        kind: ``charges`` (--csv), ``emissions`` (--codecarbon), ``carbon`` (--carbon), ``openmetrics`` or ``prometheus``.
        path: the file written, or None for standard output.
        stdout_bytes: the content meant for standard output (UTF-8 text; empty when a file was written).
        intensity: for ``carbon``, the grid intensity used, described (g CO2e/kWh and its source); else "".
    """

    kind: str
    path: Path | None
    stdout_bytes: bytes = b""
    intensity: str = ""


@dataclass(frozen=True)
class LedgerExportReport:
    """What ``ledger export`` wrote.

    Attributes:
        path: the ledger read.
        outputs: each output in the order written (charges, emissions, carbon, openmetrics, prometheus).
        intensity: the grid intensity used, described (g CO2e/kWh and its source).
        pue: the facility PUE applied to measured energy.
        torn_tail: the incomplete last line a crash left in the ledger (ignored), or None.
    """

    path: Path
    outputs: list[ExportedOutput]
    intensity: str
    pue: float
    torn_tail: TornTail | None


@dataclass(frozen=True)
class LedgerImportRequest:
    """The options of ``qenergy ledger import``: the CodeCarbon ``emissions.csv`` at ``path`` charged to a ``ledger``
    file (created or appended to); ``basis`` ``measured`` | ``estimated`` | None (measured, except rows of qenergy's
    own export, which keep the basis their run id names); ``command`` is recorded as the run's command."""

    path: Path
    ledger: Path
    basis: str | None = None
    command: str = ""


@dataclass(frozen=True)
class LedgerImportReport:
    """What ``ledger import`` appended ([`to_dict`][to_dict] is ``qenergy ledger import --json``).

    Attributes:
        ledger: the ledger file; run: the new run's index in it.
        rows: how many CodeCarbon rows were charged; account: the account they were charged to.
        energy_j: the imported energy per basis, in joules (bases never summed).
    """

    ledger: Path
    run: int
    rows: int
    account: str
    energy_j: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy ledger import --json`` object."""
        return {"ledger": str(self.ledger), "run": self.run, "rows": self.rows, "account": self.account, "energy_j": self.energy_j}


def run_ledger_show(path: Path) -> LedgerShowReport:
    """Everything the ledger at ``path`` holds.

    Raises:
        LedgerError: the file is missing or damaged.
    """
    ledger = Ledger.load(path)
    return LedgerShowReport(path, ledger.temperature_k, ledger.header(), list(ledger.runs), list(ledger.charges), ledger.torn_tail,
                            ledger.interrupted_runs())


def run_ledger_summary(path: Path) -> LedgerSummaryReport:
    """The totals of the ledger at ``path`` per account, resource and basis.

    Raises:
        LedgerError: the file is missing or damaged.
    """
    from qenergy.ledger.export import summary_rows

    ledger = Ledger.load(path)
    return LedgerSummaryReport(path, ledger.temperature_k, len(ledger.runs), len(ledger.charges), ledger.totals_j(), ledger.totals_kTln2(),
                               summary_rows(ledger), ledger.torn_tail, ledger.interrupted_runs())


def run_ledger_export(request: LedgerExportRequest, written: Callable[[ExportedOutput], None] = lambda _output: None) -> LedgerExportReport:
    """Write the ledger's charges out as ``request`` asks: CSV, CodeCarbon ``emissions.csv``, carbon figures per
    account, OpenMetrics or classic Prometheus counters, in that order.

    Every option and every output path is checked before the first file is written. ``written`` hears of each
    output as soon as it is written (so that a later failure does not hide the files already written).

    Raises:
        InputError: no output asked for; standard output (``-``) for anything but one of ``openmetrics``/``prometheus``;
            an unknown country, a negative intensity or PUE, figures that would not be finite; an output path that is
            the ledger, a directory, in a missing directory, named twice, or existing without ``force``; a file that
            cannot be written (the outputs written before it stay).
        LedgerError: the ledger is missing or damaged.
    """
    from qenergy.ledger.carbon import grid_intensity
    from qenergy.ledger.export import (
        check_export_options,
        check_output_paths,
        export_carbon,
        export_charges_csv,
        export_codecarbon,
        write_atomic,
    )
    from qenergy.ledger.metrics import metrics_text

    r = request
    ledger = Ledger.load(r.path)
    outputs = (("--csv", r.csv), ("--codecarbon", r.codecarbon), ("--carbon", r.carbon), ("--openmetrics", r.openmetrics),
               ("--prometheus", r.prometheus))
    if all(path is None for _, path in outputs):
        raise InputError("ledger export needs --csv FILE, --codecarbon FILE, --carbon FILE, --openmetrics FILE|- and/or --prometheus FILE|-")
    stdout_flags = [flag for flag, path in outputs if path is not None and str(path) == "-"]
    if len(stdout_flags) > 1 or (stdout_flags and stdout_flags[0] not in ("--openmetrics", "--prometheus")):
        raise InputError(f"{' and '.join(stdout_flags)} -: allowed: standard output (-) for one of --openmetrics, --prometheus")
    targets = [(flag, path) for flag, path in outputs if path is not None and str(path) != "-"]
    intensity = grid_intensity(r.country, g_per_kwh=r.intensity_g_per_kwh)
    # every option and every output is checked before the first file is written: PUE and intensity giving
    # finite figures, never the ledger itself, never two options naming one file, an existing file only with --force
    check_export_options(ledger, intensity=intensity, pue=r.pue)
    check_output_paths(targets, force=r.force, inputs=[r.path])
    done: list[ExportedOutput] = []

    def wrote(output: ExportedOutput) -> None:
        done.append(output)
        written(output)

    if r.csv is not None:
        wrote(ExportedOutput("charges", export_charges_csv(ledger, r.csv, force=r.force)))
    if r.codecarbon is not None:
        wrote(ExportedOutput("emissions", export_codecarbon(ledger, r.codecarbon, intensity=intensity, pue=r.pue, force=r.force)))
    if r.carbon is not None:
        wrote(ExportedOutput("carbon", export_carbon(ledger, r.carbon, intensity=intensity, pue=r.pue, force=r.force),
                             intensity=intensity.describe()))
    for kind, path, openmetrics in (("openmetrics", r.openmetrics, True), ("prometheus", r.prometheus, False)):
        if path is None:
            continue
        text = metrics_text(ledger, openmetrics=openmetrics)
        if str(path) == "-":
            wrote(ExportedOutput(kind, None, text))
        else:
            wrote(ExportedOutput(kind, write_atomic(path, text, replace=r.force)))
    return LedgerExportReport(r.path, done, intensity.describe(), r.pue, ledger.torn_tail)


def run_ledger_import(request: LedgerImportRequest, notify: Callable[[str], None] = lambda _text: None) -> LedgerImportReport:
    """Charge the rows of the CodeCarbon ``emissions.csv`` at ``request.path`` to account ``codecarbon`` of ``request.ledger``
    (one new run). The whole file is read and checked before the ledger is opened; an existing ledger is joined at its own
    temperature (the imported joules do not depend on it), a new one is made at 300 K. ``notify`` hears of an incomplete
    ledger line set aside.

    Raises:
        InputError: a bad CodeCarbon file or basis, or the ledger is the file being imported.
        LedgerError: the ledger's directory is missing, or the ledger cannot be read or appended to.
    """
    from qenergy.app.experiment import open_ledger
    from qenergy.errors import LedgerError
    from qenergy.ledger.codecarbon_import import CODECARBON_ACCOUNT, import_codecarbon, read_codecarbon_csv

    r = request
    rows = read_codecarbon_csv(r.path, basis=r.basis)
    target = Path(r.ledger)
    temperature_k = 300.0
    if target.exists() or target.is_symlink():
        if Path(r.path).exists() and target.resolve() == Path(r.path).resolve():
            raise InputError(f"--ledger {str(target)!r} is the file being imported; allowed: another path")
        temperature_k = Ledger.load(target).temperature_k  # the imported joules do not depend on it: join the ledger as it is
    elif not target.parent.is_dir():
        raise LedgerError(f"ledger directory {target.parent} does not exist; allowed: a path in an existing directory")
    with open_ledger(target, temperature_k, seed=None, command=r.command, notify=notify) as ledger:
        import_codecarbon(ledger, rows, source=Path(r.path).name)
        run = ledger.current_run
    total_j = {b: sum(row.energy_j for row in rows if row.basis == b) for b in sorted({row.basis for row in rows})}
    return LedgerImportReport(target, run, len(rows), CODECARBON_ACCOUNT, total_j)
