"""``qenergy report``: the HTML page and the Markdown file of real ledgers (demo, sweep, fake-device simon),
checked as HTML5 (html5lib, strict) and in a real browser (Debian's Chromium driven by Playwright), and
the file rules (a file qenergy did not write is never replaced)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cli_helpers import run_cli

from qenergy.app.cli import main
from qenergy.app.ledger_report import HTML_GENERATOR, MARKDOWN_TITLE, build_report, render_html, render_markdown
from qenergy.ledger.book import Ledger

CHROMIUM = os.environ.get("QENERGY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


# --- the three ledgers of the issue ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    """{name: ledger path} for a `demo`, a `sweep` and a fake-device `simon` (with a model and an advantage result beside it)."""
    root = tmp_path_factory.mktemp("ledgers")
    assert main(["demo", "--dir", str(root / "demo"), "--json"]) == 0
    assert main(["sweep", "--n", "2:4", "--repeats", "2", "--out", str(root / "sweep"), "--json"]) == 0
    sim = root / "simon.jsonl"
    for n in ("2", "3"):  # IBM Runtime local mode on a fake backend: tiny n
        assert main(["simon", "--n", n, "--backend", "fake:guadalupe", "--seed", n, "--ledger", str(sim), "--json"]) == 0
    assert main(["model", "landauer", "--ledger", str(sim), "--json"]) == 0
    assert main(["advantage", "--n", "2:24", "--ledger", str(sim), "--json"]) == 0
    return {"demo": root / "demo" / "ledger.jsonl", "sweep": root / "sweep" / "ledger.jsonl", "simon": sim}


@pytest.fixture(scope="module")
def reports(ledgers, tmp_path_factory):
    """{name: report directory}, each written by `qenergy report LEDGER --out DIR`."""
    root = tmp_path_factory.mktemp("reports")
    out = {}
    for name, path in ledgers.items():
        assert main(["report", str(path), "--out", str(root / name), "--json"]) == 0
        out[name] = root / name
    return out


def _html5_errors(text: str) -> list:
    import html5lib

    parser = html5lib.HTMLParser(strict=False)
    parser.parse(text)
    return parser.errors


@pytest.mark.parametrize("name", ["demo", "sweep", "simon"])
def test_report_is_clean_html5_without_script_or_external_resource(reports, name):
    text = (reports[name] / "report.html").read_text(encoding="utf-8")
    assert _html5_errors(text) == []
    assert f'<meta name="generator" content="{HTML_GENERATOR}">' in text[:1024]
    low = text.lower()
    assert "<script" not in low and "<link" not in low and "<img" not in low and "<iframe" not in low
    assert "http://" not in low.replace("http://www.w3.org/", "") and "https://" not in low  # only namespace names, never a fetch
    assert "<svg" in text and "@import" not in low and "url(http" not in low


def test_each_report_holds_what_its_ledger_holds(reports, ledgers):
    demo = (reports["demo"] / "report.md").read_text(encoding="utf-8")
    assert demo.splitlines()[0] == MARKDOWN_TITLE
    led = Ledger.load(ledgers["demo"])
    for account, by in led.totals_j().items():
        for basis, joules in by.items():
            assert f"{joules:.4g}" in demo and account in demo and basis in demo
    assert demo.count("criterion: no advantage") + demo.count("criterion: quantum advantage") == 9  # n = 2..10, one each
    assert "qenergy demo" in demo and "## Runs" in demo

    sweep_html = (reports["sweep"] / "report.html").read_text(encoding="utf-8")
    sweep_md = (reports["sweep"] / "report.md").read_text(encoding="utf-8")
    assert "## Sweep " in sweep_md and "| 4 | 2 |" in sweep_md  # n = 4 had two points
    assert sweep_html.count("<figure") >= 2  # totals and the sweep's energy against n
    assert "classical lower bound" in sweep_html and "quantum upper bound" in sweep_html

    sim = (reports["simon"] / "report.md").read_text(encoding="utf-8")
    assert "fake:guadalupe" in sim and "estimated" in sim and "own energy (account meter):" in sim
    assert "## Plug-in models" in sim and "landauer" in sim and "joules_per_bit" in sim
    assert "## Practical advantage" in sim and "theoretical (bounds)" in sim
    # the run's own energy is shown on its basis, never added to a bound
    led = Ledger.load(ledgers["simon"])
    own = led.totals_j(run=0)["meter"]
    assert all(f"{j:.4g} J {b}" in sim for b, j in own.items())


def test_report_of_a_ledger_with_many_charges_is_cut_and_says_so(tmp_path):
    """A generated ledger of 10^5 charges reports (timed in benchmarks/bench_report.py, not here)."""
    path = tmp_path / "big.jsonl"
    _generated_ledger(path, charges=100_000)
    led = Ledger.load(path)
    assert len(led.charges) >= 100_000
    report = build_report(led)
    html_text, md = render_html(report), render_markdown(report)
    assert "more instance(s) not listed" in html_text and "more instance(s) not listed" in md
    assert len(html_text) < 2_000_000 and _html5_errors(html_text) == []


def _generated_ledger(path: Path, *, charges: int, runs: int = 4) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from bench_report import generate_ledger

    generate_ledger(path, charges=charges, runs=runs)


# --- the file rules ---------------------------------------------------------------------------------------

def test_a_file_qenergy_did_not_write_is_never_replaced(ledgers, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.md").write_text("# my notes\n", encoding="utf-8")
    for extra in ([], ["--force"]):
        code, _, err = run_cli(["report", str(ledgers["demo"]), "--out", str(out), *extra], capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1 and "not written by qenergy report" in err
        assert (out / "report.md").read_text(encoding="utf-8") == "# my notes\n" and not (out / "report.html").exists()


def test_own_report_is_replaced_only_with_force(ledgers, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(["report", str(ledgers["demo"]), "--out", str(out)], capsys)[0] == 0
    before = (out / "report.html").stat().st_mtime_ns
    code, _, err = run_cli(["report", str(ledgers["demo"]), "--out", str(out)], capsys)
    assert code == 2 and "--force" in err and (out / "report.html").stat().st_mtime_ns == before
    assert run_cli(["report", str(ledgers["demo"]), "--out", str(out), "--force"], capsys)[0] == 0


def test_a_sweep_report_md_is_not_ours_to_replace(ledgers, capsys):
    sweep_dir = ledgers["sweep"].parent
    before = (sweep_dir / "report.md").read_bytes()
    code, _, err = run_cli(["report", str(ledgers["sweep"]), "--out", str(sweep_dir), "--force"], capsys)
    assert code == 2 and "never replaced" in err and (sweep_dir / "report.md").read_bytes() == before


def test_default_directory_is_beside_the_ledger(ledgers, tmp_path, capsys):
    ledger = tmp_path / "copy.jsonl"
    shutil.copy(ledgers["demo"], ledger)
    code, out, _ = run_cli(["report", str(ledger), "--json"], capsys)
    assert code == 0 and json.loads(out)["files"]["html"] == str(tmp_path / "copy-report" / "report.html")


def test_bad_inputs_exit_2_with_one_line(tmp_path, capsys):
    (tmp_path / "notaledger.jsonl").write_text("hello\n", encoding="utf-8")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for argv in (["report", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o1")],
                 ["report", str(tmp_path / "notaledger.jsonl"), "--out", str(tmp_path / "o2")],
                 ["report", str(tmp_path / "notaledger.jsonl"), "--out", str(tmp_path / "file")],
                 ["report", str(tmp_path / "notaledger.jsonl"), "--out", str(tmp_path / "no" / "such" / "dir")]):
        code, _, err = run_cli(argv, capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_advantage_refuses_a_foreign_ledger_before_any_work(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    for target in (tmp_path / "notes.txt", tmp_path / "missing" / "l.jsonl"):
        code, _, err = run_cli(["advantage", "--n", "2:8", "--ledger", str(target)], capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"


# --- in a real browser ----------------------------------------------------------------------------------

def _browser():
    """(sync_playwright, None) or (None, the reason the browser test cannot run here)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return None, f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "the playwright Python package is not installed (pip install -e .[dev])"
    return sync_playwright, None


@pytest.mark.parametrize("name", ["demo", "sweep", "simon"])
def test_report_loads_in_chromium_without_error_request_or_empty_figure(reports, name, tmp_path):
    sync_playwright, why = _browser()
    if sync_playwright is None:
        pytest.skip(why)
    page_path = (reports[name] / "report.html").resolve()
    url = page_path.as_uri()
    requests, failed, console_errors, page_errors = [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # JavaScript off: the page must read without it (and has none)
            context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 1400})
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            response = page.goto(url, wait_until="load")
            assert response is None or response.ok
            figures = page.locator("figure").all()
            svgs = page.locator("figure svg").all()
            assert figures and len(svgs) == len(figures)
            for svg in svgs:
                box = svg.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50
                assert svg.locator("path, line, use").count() > 0  # something drawn, not an empty frame
            assert page.locator("h1").inner_text().startswith("qenergy ledger report")
            shot = tmp_path / f"{name}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if name == "demo" and os.environ.get("QENERGY_DOCS_SCREENSHOT"):  # regenerate the picture in the docs
                page.screenshot(path=os.environ["QENERGY_DOCS_SCREENSHOT"])
        finally:
            browser.close()
    assert requests == [url], f"requests other than the page itself: {[r for r in requests if r != url]}"
    assert failed == [] and console_errors == [] and page_errors == []


def test_control_characters_in_ledger_fields_are_shown_not_obeyed():
    led = Ledger(300.0, command="qenergy simon --n 2 \x1b[2J\x07")
    led.charge("quantum", "query", 3, 1e-21, "upper_bound", "oracle call", label="n=2 \x1b]0;title\x07")
    led.charge("classical", "query", 2, 1e-21, "lower_bound", "oracle call \x00", label="n=2 \x1b]0;title\x07")
    report = build_report(led)
    html_text, md = render_html(report), render_markdown(report)
    assert _html5_errors(html_text) == []
    for text in (html_text, md):
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text and "\\x1b[2J" in text
