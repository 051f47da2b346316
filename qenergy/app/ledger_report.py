"""``qenergy report``: a ledger as a self-contained HTML page and a Markdown file, for people to read and share.

[`build_report`][build_report] reads a [`Ledger`][qenergy.ledger.book.Ledger] (through its public API:
``runs``, ``charges``, ``notes``, ``totals_j``) into a [`LedgerReport`][LedgerReport];
[`render_html`][render_html] and [`render_markdown`][render_markdown] turn that into text; [`write_report`][write_report]
writes ``report.html`` and ``report.md`` into a directory.

What the report holds: the ledger's totals per account and basis (joules and k_B·T·ln 2;
figures of different bases are never added) with a legend of the four bases; each run
(its command, start, seed, and per instance each side's queries and energy per basis,
the criterion where the run recorded one, the run's own energy from account ``meter``);
each sweep as energy against n with both bounds and the charged runs; each ``qenergy
advantage`` result recorded with ``--ledger``; each plug-in model's result recorded by
``qenergy model NAME --ledger``; and the CodeCarbon runs imported by ``qenergy ledger
import``. What a run did not record (a criterion, an instance) is shown as absent, never
guessed.

The HTML page is self-contained: inline CSS, figures as inline SVG (text kept as text),
no script, no font, image or style sheet fetched: it opens offline and reads without
JavaScript. Every run is listed (up to `MAX_RUNS_LISTED`, the latest) and the latest
`MAX_RUNS_DETAILED` are shown in detail, each cut to `MAX_INSTANCES_SHOWN`
instances (every cut is stated; ``qenergy ledger show`` lists every charge); a figure of
more than `MAX_POINTS_PLOTTED` points plots the mean of each side at each n instead.

Files (the rules of ``qenergy sweep --out``, stricter): qenergy marks its report files
(``report.md`` starts with `MARKDOWN_TITLE`; ``report.html`` carries
`HTML_GENERATOR` in its first `_MARK_BYTES` bytes). A file of either name
that ``qenergy report`` did not write is never replaced (not even with ``force``); one it
did write is replaced only with ``force``. Everything is checked, and both files
rendered, before the first byte is written; each is written whole
(`qenergy.ledger.export.write_atomic`).
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from qenergy.app.experiment import RUN_NOTE_KEY, format_secret
from qenergy.energy.advantage import BoundRow, crossover_n
from qenergy.energy.magnitude import Magnitude
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import BASES, Ledger
from qenergy.ledger.export import check_output_paths, write_atomic

__all__ = ["BASIS_LEGEND", "HTML_GENERATOR", "MARKDOWN_TITLE", "MAX_INSTANCES_SHOWN", "MAX_POINTS_PLOTTED", "MAX_RUNS_DETAILED",
           "MAX_RUNS_LISTED", "REPORT_FILES", "LedgerReport",
           "build_report", "check_report_dir", "default_report_dir", "render_html", "render_markdown", "write_report"]

#: The files ``qenergy report`` writes into its directory.
REPORT_FILES = ("report.html", "report.md")
#: First line of every report.md ``qenergy report`` writes (how it recognises its own file).
MARKDOWN_TITLE = "# qenergy ledger report"
#: ``<meta name="generator">`` content of every report.html ``qenergy report`` writes.
HTML_GENERATOR = "qenergy report"
_HTML_MARK = f'<meta name="generator" content="{HTML_GENERATOR}">'
_MARK_BYTES = 1024
#: Instances listed per run in the page (the rest are counted, not listed).
MAX_INSTANCES_SHOWN = 60
#: Most run points a figure draws one by one; above it, the mean per side and n.
MAX_POINTS_PLOTTED = 400
#: Runs listed in the runs table (the latest), and runs shown in detail with their instances and figure (the latest).
MAX_RUNS_LISTED = 2000
MAX_RUNS_DETAILED = 30

#: What each basis means (the legend shown with every total).
BASIS_LEGEND = {
    "lower_bound": "a theoretical lower bound: no run of this kind can cost less (the classical side's charges)",
    "upper_bound": "a theoretical upper bound: the run cost at most this under the stated model (the quantum side's charges)",
    "measured": "measured on this machine (RAPL/NVML energy counters, or an imported CodeCarbon measurement)",
    "estimated": "a model's estimate (CPU time × a power figure, a QPU preset's wall-plug power): neither a bound nor a measurement",
}
#: Accounts whose charges are a side of a Simon run (their queries are counted).
_SIDES = ("quantum", "classical")


@dataclass
class AccountFigures:
    """One account's queries (resource ``query``) and joules per basis, within one run and instance."""

    queries: int = 0
    energy_j: dict[str, float] = field(default_factory=dict)


@dataclass
class InstanceRow:
    """One instance (a label) of a run: its accounts' figures and the run note, when the run recorded one."""

    label: str
    accounts: dict[str, AccountFigures]
    note: dict[str, Any] | None = None


@dataclass
class RunSection:
    """One invocation that wrote to the ledger."""

    index: int
    command: str
    seed: int | None
    started: str
    charges: int
    instances: list[InstanceRow]
    own_energy_j: dict[str, float]
    totals_j: dict[str, dict[str, float]]


@dataclass
class SweepSection:
    """One sweep (its id), from the points its notes record."""

    sweep_id: str
    runs: list[int]
    bounds: list[BoundRow]
    crossover: int | None
    points: list[tuple[int, str, float]]
    solved: dict[int, tuple[int, int, int]]  # n -> (points, quantum solved, classical solved)


@dataclass
class LedgerReport:
    """Everything a report shows, read from one ledger."""

    path: str
    temperature_k: float
    schema: int
    created: str
    charges: int
    totals_j: dict[str, dict[str, float]]
    runs: list[RunSection]
    sweeps: list[SweepSection]
    advantages: list[tuple[int, dict[str, Any]]]
    models: list[tuple[int, dict[str, Any]]]
    imports: list[tuple[int, dict[str, Any]]]
    torn_tail_line: int | None = None

    @property
    def kt_unit_j(self) -> float:
        """k_B·T·ln 2 at the ledger's temperature, in joules."""
        return landauer_bit_energy(self.temperature_k)


def _fsum_nested(parts: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    return {a: {b: math.fsum(v) for b, v in by.items()} for a, by in parts.items()}


def build_report(ledger: Ledger) -> LedgerReport:
    """Read ``ledger`` into a [`LedgerReport`][LedgerReport] (one pass over the charges and notes)."""
    # (run, label, account) -> [queries, {basis: [joules]}]
    cells: dict[tuple[int, str, str], tuple[list[int], dict[str, list[float]]]] = {}
    run_totals: dict[int, dict[str, dict[str, list[float]]]] = {}
    run_counts: dict[int, int] = {}
    for c in ledger.charges:
        key = (c.run, c.label, c.account)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = ([0], {})
        if c.resource == "query":
            cell[0][0] += c.count
        e = c.energy_j
        cell[1].setdefault(c.basis, []).append(e)
        run_totals.setdefault(c.run, {}).setdefault(c.account, {}).setdefault(c.basis, []).append(e)
        run_counts[c.run] = run_counts.get(c.run, 0) + 1
    run_notes: dict[tuple[int, str], dict[str, Any]] = {}
    sweep_notes: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    advantages, models, imports = [], [], []
    for nt in ledger.notes:
        data = nt.data
        if isinstance(data.get(RUN_NOTE_KEY), dict):
            run_notes[(nt.run, str(data[RUN_NOTE_KEY].get("label", nt.label)))] = data[RUN_NOTE_KEY]
        elif "sweep" in data and isinstance(data.get("rows"), list):
            sweep_notes.setdefault(str(data["sweep"]), []).append((nt.run, data))
        elif isinstance(data.get("advantage"), dict):
            advantages.append((nt.run, data["advantage"]))
        elif "model" in data and isinstance(data.get("result"), dict):
            models.append((nt.run, data))
        elif isinstance(data.get("codecarbon_import"), dict):
            imports.append((nt.run, data["codecarbon_import"]))
    by_run: dict[int, dict[str, dict[str, AccountFigures]]] = {}
    for (run, label, account), (queries, energies) in cells.items():
        figures = AccountFigures(queries[0], {b: math.fsum(v) for b, v in energies.items()})
        by_run.setdefault(run, {}).setdefault(label, {})[account] = figures
    runs = []
    for i, info in enumerate(ledger.runs):
        labels = by_run.get(i, {})
        instances = [InstanceRow(label, accounts, run_notes.get((i, label))) for label, accounts in labels.items()
                     if any(a in _SIDES or a == "qpu" for a in accounts) or (i, label) in run_notes]
        totals = _fsum_nested(run_totals.get(i, {}))
        runs.append(RunSection(i, info.command, info.seed, info.started, run_counts.get(i, 0), instances, dict(totals.get("meter", {})), totals))
    header = ledger.header()
    torn = ledger.torn_tail
    return LedgerReport(str(ledger.path) if ledger.path is not None else "(in memory)", ledger.temperature_k, int(header.get("schema", 1)),
                        str(header.get("created", "")), len(ledger.charges), ledger.totals_j(), runs,
                        [_sweep_section(sid, notes) for sid, notes in sweep_notes.items()], advantages, models, imports,
                        torn.line if torn is not None else None)


def _sweep_section(sweep_id: str, notes: list[tuple[int, dict[str, Any]]]) -> SweepSection:
    quantum_upper: dict[int, float] = {}
    classical_log10: dict[int, float] = {}
    points: list[tuple[int, str, float]] = []
    solved: dict[int, list[int]] = {}
    runs = sorted({run for run, _ in notes})
    for _, data in notes:
        n = int(data["n"])
        tally = solved.setdefault(n, [0, 0, 0])
        tally[0] += 1
        for row in data["rows"]:
            side = row.get("side")
            charged = row.get("charged_j")
            if side == "quantum":
                if isinstance(row.get("bound_j"), (int, float)):
                    quantum_upper[n] = float(row["bound_j"])
                tally[1] += bool(row.get("success"))
            elif side == "classical":
                if isinstance(row.get("log10_bound_j"), (int, float)):
                    classical_log10[n] = float(row["log10_bound_j"])
                tally[2] += bool(row.get("success"))
            if side in _SIDES and isinstance(charged, (int, float)):
                points.append((n, str(side), float(charged)))
    ns = sorted(set(quantum_upper) & set(classical_log10))
    bounds = [BoundRow(n, quantum_upper[n], Magnitude.of_log10(classical_log10[n]), 0) for n in ns]
    return SweepSection(sweep_id, runs, bounds, crossover_n(bounds) if bounds else None, points,
                        {n: (t[0], t[1], t[2]) for n, t in sorted(solved.items())})


# --- text helpers ---------------------------------------------------------------------------------------

def _j(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def _cross(n: Any) -> str:
    return "none in range" if n is None else str(n)


def _bases_of(totals: dict[str, dict[str, float]]) -> list[str]:
    present = {b for by in totals.values() for b in by}
    return [b for b in BASES if b in present] + sorted(present - set(BASES))


def _criterion_text(note: dict[str, Any] | None) -> str:
    if not note:
        return "not recorded"
    crit = note.get("criterion")
    if not isinstance(crit, dict):
        return "none (no quantum upper-bound charge)"
    lower = crit.get("classical_lower_j")
    lower_text = _j(lower) if isinstance(lower, (int, float)) else f"10^{crit.get('log10_classical_lower_j', float('nan')):.4g}"
    margin = crit.get("margin")
    margin_text = _j(margin) if isinstance(margin, (int, float)) else f"10^{crit.get('log10_margin', float('nan')):.4g}"
    word = "quantum advantage" if crit.get("advantage") else "no advantage"
    return (f"{word}: quantum upper bound {_j(crit.get('quantum_j'))} J vs classical lower bound {lower_text} J "
            f"(success {note.get('success') or '?'}), margin {margin_text}")


def _instance_text(note: dict[str, Any] | None) -> str:
    if not note:
        return ""
    n = note.get("n")
    secret = note.get("secret")
    parts = [] if note.get("label") in (f"n={n}", "") else [f"n = {n}"]
    if isinstance(n, int) and isinstance(secret, int):
        parts.append(f"s = {format_secret(secret, n)}")
    if note.get("oracle"):
        parts.append(f"oracle {note['oracle']}")
    for side, d in (note.get("sides") or {}).items():
        if isinstance(d, dict):
            method = d.get("algorithm") or f"{d.get('backend', '')}/{d.get('method', '')}"
            status = d.get("status")
            ok = "correct" if d.get("correct") else ("unresolved" if status and status != "solved" else "WRONG")
            parts.append(f"{side} {method}: {ok}")
    return "; ".join(parts)


def _instance_name(inst: InstanceRow) -> str:
    """The instance's label, else ``n=N`` from its run note, else ``(no label)``."""
    if inst.label:
        return inst.label
    return f"n={inst.note['n']}" if inst.note and "n" in inst.note else "(no label)"


def _energy_cells(by_basis: dict[str, float], bases: Sequence[str]) -> list[str]:
    return [_j(by_basis[b]) if b in by_basis else "" for b in bases]


def _model_items(result: dict[str, Any], limit: int = 12) -> list[tuple[str, str]]:
    out = []
    for k, v in result.items():
        if isinstance(v, float):
            text = f"{v:.6g}"
        elif isinstance(v, (int, str, bool)) or v is None:
            text = str(v)
        elif isinstance(v, (list, dict)):
            text = f"({type(v).__name__} of {len(v)})"
        else:
            text = type(v).__name__
        out.append((str(k), text if len(text) <= 80 else text[:77] + "..."))
        if len(out) >= limit:
            break
    return out


def _versions() -> str:
    try:
        return metadata.version("qenergy")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "unknown"


# --- figures --------------------------------------------------------------------------------------------

_BASIS_COLORS = {"lower_bound": "tab:red", "upper_bound": "tab:blue", "measured": "tab:green", "estimated": "tab:orange"}


def _plain_log_ticks(ax: Any, axis: str = "y") -> None:
    """Tick labels of a log axis as plain text (``1e-18``): no mathtext, which is slow to lay out and draws glyphs as paths."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e") if v > 0 else ""))
    target.set_minor_formatter(NullFormatter())


def _totals_figure(report: LedgerReport, prefix: str) -> str | None:
    """Each account's joules per basis as a point on a log axis (positive totals only); None when there are none."""
    from qenergy.plotting import figure, render_svg

    dots = [(f"{a} ({b})", j, b) for a, by in report.totals_j.items() for b, j in by.items() if j > 0]
    if not dots:
        return None
    fig, ax = figure(figsize=(8, 1.0 + 0.32 * len(dots)), dpi=96)
    ys = list(range(len(dots)))
    for y, (_, j, b) in zip(ys, dots):
        ax.plot([j], [y], "o", ms=8, color=_BASIS_COLORS.get(b, "tab:gray"))
    ax.set_yticks(ys, [name for name, _, _ in dots], fontsize=8)
    ax.set_ylim(len(dots) - 0.5, -0.5)
    ax.set_xscale("log")
    lo, hi = min(j for _, j, _ in dots), max(j for _, j, _ in dots)
    ax.set_xlim(lo / 3, hi * 3)
    _plain_log_ticks(ax, "x")
    ax.set_xlabel("energy (J), one point per account and basis: bases are never added")
    ax.grid(True, axis="x", alpha=0.3)
    return render_svg(fig, id_prefix=prefix)


def _instances_figure(run: RunSection, prefix: str) -> str | None:
    """Each instance's quantum upper-bound and classical lower-bound charges against its n (instances whose run note gives n)."""
    from qenergy.plotting import figure, render_svg

    series: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for inst in run.instances:
        n = inst.note.get("n") if inst.note else None
        if not isinstance(n, int):
            continue
        for account, basis in (("quantum", "upper_bound"), ("classical", "lower_bound"), ("qpu", "estimated")):
            f = inst.accounts.get(account)
            j = f.energy_j.get(basis) if f is not None else None
            if j is not None and j > 0:
                series.setdefault((account, basis), []).append((n, j))
    if sum(len(v) for v in series.values()) < 2:
        return None
    every = sum(len(v) for v in series.values()) <= MAX_POINTS_PLOTTED
    fig, ax = figure(figsize=(8, 4.2), dpi=96)
    for (account, basis), pts in series.items():
        by_n: dict[int, list[float]] = {}
        for n, j in pts:
            by_n.setdefault(n, []).append(j)
        ns = sorted(by_n)
        color = _BASIS_COLORS[basis]
        if every:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", ms=5, color=color, alpha=0.7, label=f"{account} ({basis})")
            ax.plot(ns, [math.fsum(by_n[n]) / len(by_n[n]) for n in ns], "-", lw=1, color=color)
        else:  # many instances: the mean per n keeps the page small
            ax.plot(ns, [math.fsum(by_n[n]) / len(by_n[n]) for n in ns], "o-", ms=4, lw=1, color=color, label=f"{account} ({basis}), mean per n")
    _energy_axes(ax, "charged energy (J)")
    return render_svg(fig, id_prefix=prefix)


def _energy_axes(ax: Any, ylabel: str) -> None:
    """The report's energy-against-n axes: log energy, integer n, grid, legend top left."""
    from qenergy.plotting import integer_axis

    ax.set_yscale("log")
    _plain_log_ticks(ax)
    integer_axis(ax)
    ax.set_xlabel("problem size n (bits)")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")


def _sweep_figure(sweep: SweepSection, prefix: str) -> str | None:
    """Energy against n with both bounds and the charged runs ([qenergy.app.plots.draw_advantage][])."""
    from qenergy.app.plots import draw_advantage
    from qenergy.plotting import figure, render_svg

    if not sweep.bounds:
        return None
    points, label = sweep.points, "runs (charged)"
    if len(points) > MAX_POINTS_PLOTTED:  # the mean per side and n keeps the page small
        groups: dict[tuple[int, str], list[float]] = {}
        for n, side, j in points:
            groups.setdefault((n, side), []).append(j)
        points = [(n, side, math.fsum(js) / len(js)) for (n, side), js in sorted(groups.items())]
        label = "runs (mean charged per n)"
    fig, ax = figure(figsize=(8, 4.6), dpi=96)
    draw_advantage(ax, sweep.bounds, crossover=sweep.crossover, runs=points, title=f"sweep {sweep.sweep_id[:12]}", runs_label=label)
    if ax.get_yscale() == "log":
        _plain_log_ticks(ax)
    return render_svg(fig, id_prefix=prefix)


def _advantage_figure(adv: dict[str, Any], prefix: str) -> str | None:
    """Practical energy against n: the QPU's estimated energy and the classical machine's (mid, with the low–high band)."""
    from qenergy.plotting import figure, render_svg

    rows = [r for r in adv.get("rows", []) if isinstance(r, dict)]
    if not rows:
        return None
    ns = [r["n"] for r in rows]
    fig, ax = figure(figsize=(8, 4.6), dpi=96)
    for key, color, name in (("quantum_j", "tab:blue", "QPU (estimated)"), ("classical_j", "tab:red", "classical machine")):
        mid = [r[key].get("mid") for r in rows]
        low = [r[key].get("low") for r in rows]
        high = [r[key].get("high") for r in rows]
        pts = [(n, m) for n, m in zip(ns, mid) if isinstance(m, (int, float)) and m > 0]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=color, lw=2, label=f"{name}, mid")
        band = [(n, lo, hi) for n, lo, hi in zip(ns, low, high) if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and lo > 0 and hi > 0]
        if band:
            ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], color=color, alpha=0.15, label=f"{name}, low–high")
    qub = [(r["n"], r["quantum_upper_j"]) for r in rows if isinstance(r.get("quantum_upper_j"), (int, float)) and r["quantum_upper_j"] > 0]
    if qub:
        ax.plot([p[0] for p in qub], [p[1] for p in qub], "--", color="tab:blue", lw=1, label="quantum upper bound")
    _energy_axes(ax, "energy (J)")
    return render_svg(fig, id_prefix=prefix)


# --- HTML -----------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}th,td{border:1px solid #d0d0d0;padding:.2rem .5rem;text-align:right;vertical-align:top}
th{background:#f3f3f3}td.l,th.l{text-align:left}code{background:#f4f4f4;padding:0 .2rem;word-break:break-all}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto;display:block}figcaption{font-size:.85rem;color:#444}
.b-lower_bound{color:#b22}.b-upper_bound{color:#25a}.b-measured{color:#272}.b-estimated{color:#b60}
dl.legend dt{font-weight:600}dl.legend dd{margin:0 0 .4rem 1.2rem}.muted{color:#666;font-size:.85rem}
"""


class _Html:
    """A small HTML builder: every text goes through [html.escape][]."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.figures = 0

    def add(self, raw: str) -> None:
        self.parts.append(raw)

    def el(self, tag: str, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.parts.append(f"<{tag}{attr}>{html.escape(text)}</{tag}>\n")

    def table(self, head: Sequence[str], rows: Iterable[Sequence[str]], left: int = 1, left_last: bool = False) -> None:
        """A table; the first ``left`` columns (and the last with ``left_last``) are text, aligned left; the others numbers."""
        last = len(head) - 1 if left_last else -1

        def cls(i: int) -> str:
            return " class=l" if i < left or i == last else ""

        out = ["<table>\n<thead><tr>"]
        out += [f'<th{cls(i)} scope="col">{html.escape(h)}</th>' for i, h in enumerate(head)]
        out.append("</tr></thead>\n<tbody>\n")
        for r in rows:
            out.append("<tr>" + "".join(f"<td{cls(i)}>{html.escape(c)}</td>" for i, c in enumerate(r)) + "</tr>\n")
        out.append("</tbody></table>\n")
        self.parts.append("".join(out))

    def figure(self, svg: str | None, caption: str) -> None:
        if svg is None:
            return
        self.figures += 1
        self.parts.append(f'<figure id="figure-{self.figures}">\n{svg}\n<figcaption>Figure {self.figures}. {html.escape(caption)}</figcaption></figure>\n')

    def text(self) -> str:
        return "".join(self.parts)


_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (HTML5 forbids them; a terminal would obey them) and
    lone surrogates (undecodable bytes of a file name) as U+FFFD, so the file is valid UTF-8 text."""
    return _UNSAFE.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else f"\\x{ord(m.group()):02x}", text)


def render_html(report: LedgerReport) -> str:
    """The report as one self-contained HTML5 page (inline CSS and SVG; no script, no external resource)."""
    return _printable(_render_html(report))


def _render_html(report: LedgerReport) -> str:
    h = _Html()
    title = f"qenergy ledger report: {Path(report.path).name}"
    h.add(f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n{_HTML_MARK}\n'
          f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
          f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n")
    h.el("h1", title)
    h.el("p", _overview(report))
    if report.torn_tail_line is not None:
        h.el("p", f"Note: line {report.torn_tail_line} of the ledger is an incomplete write left by a crash; it is ignored.")
    h.el("h2", "Totals per account and basis")
    h.el("p", "Figures of different bases are never added: a bound, a measurement and an estimate of one account stay apart.")
    bases = _bases_of(report.totals_j)
    h.table(["account", *(f"{b} [J]" for b in bases), *(f"{b} [k_B T ln 2]" for b in bases)],
            ([a, *_energy_cells(by, bases), *(f"{by[b] / report.kt_unit_j:.4g}" if b in by else "" for b in bases)]
             for a, by in report.totals_j.items()))
    h.add('<dl class="legend">\n')
    for b, meaning in BASIS_LEGEND.items():
        h.add(f'<dt class="b-{b}">{html.escape(b)}</dt><dd>{html.escape(meaning)}</dd>\n')
    h.add("</dl>\n")
    h.figure(_totals_figure(report, "f-totals-"), "Totals per account and basis (log axis; zero and negative totals are not drawn).")
    for k, sweep in enumerate(report.sweeps):
        _sweep_html(h, sweep, k)
    for k, (adv_run, adv) in enumerate(report.advantages):
        _advantage_html(h, adv_run, adv, k)
    if report.models:
        h.el("h2", "Plug-in models")
        for model_run, data in report.models:
            h.el("h3", f"{data.get('model')} (run {model_run})")
            params = data.get("parameters") or {}
            h.el("p", "Parameters: " + (", ".join(f"{k}={v}" for k, v in params.items()) if params else "none recorded"))
            h.table(["result", "value"], _model_items(data["result"], limit=40))
    if report.imports:
        h.el("h2", "Imported CodeCarbon runs")
        for imp_run, imp in report.imports:
            rows = imp.get("rows", [])
            h.el("p", f"Run {imp_run}: {len(rows)} row(s) from {imp.get('file', '?')}, charged as {imp.get('basis', 'measured')} "
                      "energy to account codecarbon.")
            h.table(["project", "run id", "timestamp", "tracking mode", "energy [kWh]"],
                    ([str(r.get("project_name", "")), str(r.get("run_id", "")), str(r.get("timestamp", "")), str(r.get("tracking_mode", "")),
                      _j(r.get("energy_consumed_kwh"))] for r in rows[:MAX_INSTANCES_SHOWN]), left=4)
    h.el("h2", "Runs")
    _runs_summary_html(h, report.runs)
    for section in _detailed(report.runs):
        _run_html(h, section)
    h.add(f'<p class="muted">Written by qenergy {html.escape(_versions())} (<code>qenergy report</code>) from the ledger alone; '
          "no script, no external resource.</p>\n</main>\n</body>\n</html>\n")
    return h.text()


def _detailed(runs: list[RunSection]) -> list[RunSection]:
    """The runs shown in detail: the latest `MAX_RUNS_DETAILED`."""
    return runs[-MAX_RUNS_DETAILED:]


def _runs_summary_rows(runs: list[RunSection]) -> list[list[str]]:
    return [[str(r.index), r.started, r.command or "(not recorded)", f"{r.charges:,}", str(len(r.instances)),
             "; ".join(f"{_j(j)} J {b}" for b, j in r.own_energy_j.items()) or "not measured"] for r in runs[-MAX_RUNS_LISTED:]]


_RUNS_HEAD = ["run", "started", "command", "charges", "instances", "own energy (account meter)"]


def _runs_note(runs: list[RunSection]) -> str:
    parts = []
    if len(runs) > MAX_RUNS_LISTED:
        parts.append(f"The table lists the latest {MAX_RUNS_LISTED:,} of {len(runs):,} runs.")
    if len(runs) > MAX_RUNS_DETAILED:
        parts.append(f"The latest {MAX_RUNS_DETAILED} runs are shown in detail below; qenergy ledger show lists every charge.")
    return " ".join(parts)


def _runs_summary_html(h: _Html, runs: list[RunSection]) -> None:
    h.table(_RUNS_HEAD, _runs_summary_rows(runs), left=3, left_last=True)
    note = _runs_note(runs)
    if note:
        h.el("p", note, "muted")


def _overview(report: LedgerReport) -> str:
    return (f"Ledger {report.path}: {len(report.runs)} run(s), {report.charges:,} charges, T = {report.temperature_k:g} K "
            f"(k_B T ln 2 = {report.kt_unit_j:.4g} J), schema {report.schema}, created {report.created}.")


def _sweep_html(h: _Html, sweep: SweepSection, k: int) -> None:
    h.el("h2", f"Sweep {sweep.sweep_id}")
    cross = sweep.crossover if sweep.crossover is not None else "none in range"
    h.el("p", f"Ledger run(s) {', '.join(map(str, sweep.runs))}; {sum(t[0] for t in sweep.solved.values())} point(s); "
              f"crossover n (quantum upper bound below the classical lower bound from there on): {cross}.")
    h.figure(_sweep_figure(sweep, f"f-sweep{k}-"), "Energy against n: the quantum upper bound and the classical lower bound (lines), "
             "each run's charges (points), the crossover (dashed).")
    by_n = {b.n: b for b in sweep.bounds}
    h.table(["n", "points", "solved Q", "solved C", "Q upper bound [J]", "C lower bound [J]"],
            ([str(n), str(t[0]), str(t[1]), str(t[2]), _j(by_n[n].quantum_upper_j) if n in by_n else "",
              by_n[n].classical_lower.short(4) if n in by_n else ""] for n, t in sweep.solved.items()))


def _advantage_html(h: _Html, run: int, adv: dict[str, Any], k: int) -> None:
    h.el("h2", f"Practical advantage (run {run})")
    pc = adv.get("practical_crossover") or {}
    h.el("p", f"QPU preset {adv.get('preset')} ({adv.get('title', '')}); noise {adv.get('noise')}; success {adv.get('success')}; classical "
              f"{adv.get('algorithm')} at {_j(adv.get('classical_j_per_query'))} J/query ({adv.get('classical_basis')}).")
    h.table(["crossover", "n"], [["theoretical (bounds)", _cross(adv.get("theoretical_crossover"))],
                                 *([f"practical {s}", _cross(pc.get(s))] for s in ("low", "mid", "high"))])
    if adv.get("from_ledger"):
        h.el("p", str(adv["from_ledger"]))
    h.figure(_advantage_figure(adv, f"f-adv{k}-"), "Practical energy against n: the QPU's estimated wall-plug energy and the classical "
             "machine's (mid lines, low–high bands), beside the quantum upper bound (dashed).")


def _run_html(h: _Html, run: RunSection) -> None:
    h.el("h3", f"Run {run.index}: {run.started}")
    h.add(f"<p>Command <code>{html.escape(run.command or '(not recorded)')}</code>, seed {html.escape(str(run.seed))}, "
          f"{run.charges:,} charge(s).</p>\n")
    own = "; ".join(f"{_j(j)} J {b}" for b, j in run.own_energy_j.items()) or "not measured"
    h.el("p", f"This run's own energy (account meter): {own}.")
    if run.instances:
        accounts = [a for a in ("quantum", "classical", "qpu") if any(a in i.accounts for i in run.instances)]
        bases = _bases_of({a: f.energy_j for i in run.instances for a, f in i.accounts.items() if a in accounts})
        head = ["instance", "side", "queries", *(f"{b} [J]" for b in bases), "criterion"]
        rows = []
        for inst in run.instances[:MAX_INSTANCES_SHOWN]:
            name = _instance_name(inst)
            detail = _instance_text(inst.note)
            first = True
            for a in accounts:
                f = inst.accounts.get(a)
                if f is None:
                    continue
                rows.append([f"{name}: {detail}" if first and detail else (name if first else ""), a,
                             str(f.queries) if a in _SIDES else "", *_energy_cells(f.energy_j, bases), _criterion_text(inst.note) if first else ""])
                first = False
        h.table(head, rows, left=2, left_last=True)
        h.figure(_instances_figure(run, f"f-run{run.index}-"), f"Run {run.index}: each instance's charges against n, each side on its "
                 "own basis (quantum upper bound, classical lower bound; log axis).")
        if len(run.instances) > MAX_INSTANCES_SHOWN:
            h.el("p", f"{len(run.instances) - MAX_INSTANCES_SHOWN:,} more instance(s) not listed; qenergy ledger show lists every charge.", "muted")
    other = {a: by for a, by in run.totals_j.items() if a not in ("quantum", "classical", "qpu")}
    if other:
        bases = _bases_of(other)
        h.table(["account", *(f"{b} [J]" for b in bases)], ([a, *_energy_cells(by, bases)] for a, by in other.items()))


# --- Markdown -------------------------------------------------------------------------------------------

def _md_table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(map(cell, head)) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
    return out + [""]


def render_markdown(report: LedgerReport) -> str:
    """The report as Markdown: the same tables as the page; the figures are in report.html."""
    return _printable(_render_markdown(report))


def _render_markdown(report: LedgerReport) -> str:
    lines = [MARKDOWN_TITLE, "", _overview(report), ""]
    if report.torn_tail_line is not None:
        lines += [f"Note: line {report.torn_tail_line} of the ledger is an incomplete write left by a crash; it is ignored.", ""]
    lines += ["## Totals per account and basis", "", "Figures of different bases are never added.", ""]
    bases = _bases_of(report.totals_j)
    lines += _md_table(["account", *(f"{b} [J]" for b in bases), *(f"{b} [k_B T ln 2]" for b in bases)],
                       ([a, *_energy_cells(by, bases), *(f"{by[b] / report.kt_unit_j:.4g}" if b in by else "" for b in bases)]
                        for a, by in report.totals_j.items()))
    lines += [f"* `{b}`: {m}" for b, m in BASIS_LEGEND.items()] + [""]
    for sweep in report.sweeps:
        cross = sweep.crossover if sweep.crossover is not None else "none in range"
        by_n = {b.n: b for b in sweep.bounds}
        lines += [f"## Sweep {sweep.sweep_id}", "", f"Ledger run(s) {', '.join(map(str, sweep.runs))}; crossover n: {cross}. "
                  "The figure of energy against n is in report.html.", ""]
        lines += _md_table(["n", "points", "solved Q", "solved C", "Q upper bound [J]", "C lower bound [J]"],
                           ([str(n), str(t[0]), str(t[1]), str(t[2]), _j(by_n[n].quantum_upper_j) if n in by_n else "",
                             by_n[n].classical_lower.short(4) if n in by_n else ""] for n, t in sweep.solved.items()))
    for adv_run, adv in report.advantages:
        pc = adv.get("practical_crossover") or {}
        lines += [f"## Practical advantage (run {adv_run})", "",
                  f"QPU preset {adv.get('preset')}; noise {adv.get('noise')}; success {adv.get('success')}; classical {adv.get('algorithm')}.", ""]
        lines += _md_table(["crossover", "n"], [["theoretical (bounds)", _cross(adv.get("theoretical_crossover"))],
                                                *([f"practical {s}", _cross(pc.get(s))] for s in ("low", "mid", "high"))])
    if report.models:
        lines += ["## Plug-in models", ""]
        for model_run, data in report.models:
            lines += [f"### {data.get('model')} (run {model_run})", ""] + _md_table(["result", "value"], _model_items(data["result"], limit=40))
    if report.imports:
        lines += ["## Imported CodeCarbon runs", ""]
        for imp_run, imp in report.imports:
            lines += [f"Run {imp_run}: {len(imp.get('rows', []))} row(s) from {imp.get('file', '?')}, charged as {imp.get('basis', 'measured')} "
                      "energy to account codecarbon.", ""]
            lines += _md_table(["project", "run id", "timestamp", "tracking mode", "energy [kWh]"],
                               ([str(r.get("project_name", "")), str(r.get("run_id", "")), str(r.get("timestamp", "")),
                                 str(r.get("tracking_mode", "")), _j(r.get("energy_consumed_kwh"))] for r in imp.get("rows", [])[:MAX_INSTANCES_SHOWN]))
    lines += ["## Runs", ""] + _md_table(_RUNS_HEAD, _runs_summary_rows(report.runs))
    note = _runs_note(report.runs)
    if note:
        lines += [note, ""]
    for run in _detailed(report.runs):
        own = "; ".join(f"{_j(j)} J {b}" for b, j in run.own_energy_j.items()) or "not measured"
        lines += [f"### Run {run.index}: {run.started}", "", f"Command `{run.command or '(not recorded)'}`, seed {run.seed}, {run.charges:,} charge(s); "
                  f"own energy (account meter): {own}.", ""]
        if run.instances:
            accounts = [a for a in ("quantum", "classical", "qpu") if any(a in i.accounts for i in run.instances)]
            bases = _bases_of({a: f.energy_j for i in run.instances for a, f in i.accounts.items() if a in accounts})
            rows = []
            for inst in run.instances[:MAX_INSTANCES_SHOWN]:
                for a in accounts:
                    f = inst.accounts.get(a)
                    if f is not None:
                        rows.append([_instance_name(inst), a, str(f.queries) if a in _SIDES else "", *_energy_cells(f.energy_j, bases)])
            lines += _md_table(["instance", "side", "queries", *(f"{b} [J]" for b in bases)], rows)
            for inst in run.instances[:MAX_INSTANCES_SHOWN]:
                if inst.note:
                    lines.append(f"* {_instance_name(inst)}: {_instance_text(inst.note)}; criterion: {_criterion_text(inst.note)}")
            if any(inst.note for inst in run.instances[:MAX_INSTANCES_SHOWN]):
                lines.append("")
            if len(run.instances) > MAX_INSTANCES_SHOWN:
                lines += [f"{len(run.instances) - MAX_INSTANCES_SHOWN:,} more instance(s) not listed; `qenergy ledger show` lists every charge.", ""]
    return "\n".join(lines).rstrip() + "\n"


# --- files ----------------------------------------------------------------------------------------------

def default_report_dir(ledger_path: Path) -> Path:
    """Where ``qenergy report LEDGER`` writes without ``--out``: ``STEM-report`` beside the ledger."""
    return ledger_path.parent / f"{ledger_path.stem}-report"


def _ours(path: Path) -> bool:
    """Whether an existing regular file named like a report file was written by ``qenergy report``."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_MARK_BYTES)
    except OSError:
        return False
    if path.name == "report.md":
        return head.split(b"\n", 1)[0].rstrip(b"\r") == MARKDOWN_TITLE.encode()
    return _HTML_MARK.encode() in head


def check_report_dir(out: Path, *, force: bool = False, inputs: Sequence[Path] = ()) -> dict[str, bool]:
    """Check ``out`` and its report files before anything is written; returns ``{file name: exists}``.

    ``out`` may be missing (it is created; its parent must exist) or a directory. An existing
    report file is replaced only when ``qenergy report`` wrote it and ``force`` is given; a
    file of that name qenergy did not write is never replaced; an input is never an output.

    Raises:
        InputError: one line naming the path and what is allowed.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {str(out)!r} is not a directory; allowed: a new or existing directory")
    if not out.exists() and not out.parent.is_dir():
        raise InputError(f"--out {str(out)!r}: its parent directory does not exist; allowed: a path in an existing directory")
    paths = [(name, out / name) for name in REPORT_FILES]
    exists: dict[str, bool] = {}
    for name, p in paths:
        exists[name] = os.path.lexists(p)
        if not exists[name]:
            continue
        if not p.is_file():
            raise InputError(f"{str(p)!r} exists and is not a regular file; refusing to replace it (choose another --out)")
        if not _ours(p):
            raise InputError(f"{str(p)!r} exists and was not written by qenergy report; it is never replaced (choose another --out)")
        if not force:
            raise InputError(f"{str(p)!r} exists (an earlier qenergy report); refusing to replace it (add --force, or choose another --out)")
    if out.is_dir():
        check_output_paths(paths, force=True, inputs=inputs)  # never the ledger itself, never a directory
    return exists


def write_report(ledger: Ledger, out: Path, *, force: bool = False) -> dict[str, Path]:
    """Write ``out/report.html`` and ``out/report.md`` for ``ledger``; returns ``{"html": path, "markdown": path}``.

    Both files are checked ([`check_report_dir`][check_report_dir]) and rendered before the first byte is
    written; ``out`` is created when missing.

    Raises:
        InputError: a refused directory or file (see [`check_report_dir`][check_report_dir]), or a file that
            appeared while the report was being written.
    """
    inputs = [ledger.path] if ledger.path is not None else []
    exists = check_report_dir(out, force=force, inputs=inputs)
    report = build_report(ledger)
    texts = {"report.html": render_html(report), "report.md": render_markdown(report)}
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {str(out)!r} cannot be created ({exc.strerror}); allowed: a writable directory") from None
    written = {}
    for name, text in texts.items():
        path = out / name
        if exists[name] and not _ours(path):  # replaced meanwhile by a file that is not ours: leave it
            raise InputError(f"{str(path)!r} was replaced while the report was being written; it is never replaced (choose another --out)")
        written[name] = write_atomic(path, text.encode("utf-8"), replace=exists[name])
    return {"html": written["report.html"], "markdown": written["report.md"]}
