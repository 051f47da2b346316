"""A ledger's counters read back by prometheus_client's own parsers, and CodeCarbon rows imported and exported back."""

from __future__ import annotations

import csv
import math

import pytest
from cli_helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from qenergy.ledger.book import Ledger
from qenergy.ledger.export import CODECARBON_COLUMNS


def _sample_ledger(path):
    """Two runs: bounds on both sides, a measured and an estimated own energy, a credit (extracted work)."""
    for run in range(2):
        with Ledger.open(path, 300.0, seed=run, command=f"test run {run}") as led:
            led.charge("quantum", "query", 7 + run, 0.0, "upper_bound", "oracle call")
            led.charge("quantum", "qubit_reset", 20, 3e-21, "upper_bound", "reset")
            led.charge("classical", "query", 5, 0.0, "lower_bound", "oracle call")
            led.charge("classical", "bit_erased", 40, 2.87e-21, "lower_bound", "erasure")
            led.charge("meter", "cpu_time", 1, 1.5 + run, "estimated", "CPU time share")
            led.charge("meter", "rapl", 1, 0.25, "measured", "RAPL share")
            led.charge("engine", "work_extracted", 3, -1e-21, "upper_bound", "extracted work (credit)")
    return Ledger.load(path)


def _samples(families):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}


@pytest.mark.parametrize("target", ["file", "-"])
def test_openmetrics_round_trip_through_prometheus_client_parser(tmp_path, capsys, target):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    led = _sample_ledger(tmp_path / "l.jsonl")
    out = tmp_path / "metrics.om"
    code, stdout, err = run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), "--openmetrics", str(out) if target == "file" else "-"], capsys)
    assert code == 0, err
    text = out.read_text(encoding="utf-8") if target == "file" else stdout
    assert text.endswith("# EOF\n")
    families = list(text_string_to_metric_families(text))
    assert {f.name: f.type for f in families} == {"qenergy_energy_joules": "counter", "qenergy_energy_credit_joules": "counter",
                                                   "qenergy_queries": "counter", "qenergy_runs": "counter"}
    got = _samples(families)
    for account, basis in dict.fromkeys((c.account, c.basis) for c in led.charges):
        positive = math.fsum(c.energy_j for c in led.charges if (c.account, c.basis) == (account, basis) and c.energy_j >= 0)
        if account != "engine":
            assert got[("qenergy_energy_joules_total", (("account", account), ("basis", basis)))] == pytest.approx(positive, rel=1e-15)
            assert led.totals_j()[account][basis] == pytest.approx(positive, rel=1e-15)
    # a counter never decreases: a credit is its own counter, as a positive number; the net total is their difference
    credit = got[("qenergy_energy_credit_joules_total", (("account", "engine"), ("basis", "upper_bound")))]
    assert credit == pytest.approx(6e-21) and led.totals_j()["engine"]["upper_bound"] == pytest.approx(-credit)
    assert got[("qenergy_queries_total", (("side", "quantum"),))] == 15 and got[("qenergy_queries_total", (("side", "classical"),))] == 10
    assert got[("qenergy_runs_total", ())] == 2


def test_prometheus_text_format_for_the_textfile_collector(tmp_path, capsys):
    from prometheus_client.parser import text_string_to_metric_families

    led = _sample_ledger(tmp_path / "l.jsonl")
    out = tmp_path / "qenergy.prom"
    assert run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), "--prometheus", str(out)], capsys)[0] == 0
    got = _samples(text_string_to_metric_families(out.read_text(encoding="utf-8")))
    assert got[("qenergy_runs_total", ())] == len(led.runs)
    assert got[("qenergy_energy_joules_total", (("account", "meter"), ("basis", "estimated")))] == pytest.approx(1.5 + 2.5)


def test_openmetrics_refuses_what_export_refuses(tmp_path, capsys):
    _sample_ledger(tmp_path / "l.jsonl")
    (tmp_path / "mine.om").write_text("mine\n", encoding="utf-8")
    for argv in (["--openmetrics", str(tmp_path / "mine.om")], ["--openmetrics", str(tmp_path / "l.jsonl"), "--force"],
                 ["--openmetrics", "-", "--prometheus", "-"], ["--csv", "-"]):
        code, _, err = run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), *argv], capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1
    assert (tmp_path / "mine.om").read_text(encoding="utf-8") == "mine\n"


# --- CodeCarbon import ----------------------------------------------------------------------------------

def _codecarbon_csv(path, rows):
    """An emissions.csv with CodeCarbon 3.x's columns (``rows``: dicts of the fields that matter)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CODECARBON_COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({"duration": 12.5, "emissions": 1e-4, "country_name": "France", "country_iso_code": "FRA", "pue": 1.0, **r})


CC_ROWS = [
    {"timestamp": "2025-01-02T10:00:00", "project_name": "train", "run_id": "5b0fa12a-3dd7-45bb-9766-cc326314d9f1", "experiment_id": "e1",
     "energy_consumed": 0.00011, "tracking_mode": "machine"},
    {"timestamp": "2025-01-02T11:00:00", "project_name": "infer", "run_id": "7c1e", "experiment_id": "e2",
     "energy_consumed": 2.2e-05, "tracking_mode": "process"},
]


def test_codecarbon_rows_become_measured_charges_with_provenance(tmp_path, capsys):
    _codecarbon_csv(tmp_path / "emissions.csv", CC_ROWS)
    code, _, err = run_cli(["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(tmp_path / "l.jsonl")], capsys)
    assert code == 0, err
    led = Ledger.load(tmp_path / "l.jsonl")
    assert [(c.account, c.basis, c.count, c.label) for c in led.charges] == [("codecarbon", "measured", 1, r["run_id"]) for r in CC_ROWS]
    for c, r in zip(led.charges, CC_ROWS):
        assert c.energy_j == pytest.approx(r["energy_consumed"] * 3.6e6, rel=1e-15)
        assert all(str(v) in c.provenance for v in (r["project_name"], r["run_id"], r["timestamp"], r["tracking_mode"]))


def test_codecarbon_round_trip_import_then_export(tmp_path, capsys):
    _codecarbon_csv(tmp_path / "emissions.csv", CC_ROWS)
    assert run_cli(["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(tmp_path / "l.jsonl")], capsys)[0] == 0
    assert run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), "--codecarbon", str(tmp_path / "back.csv")], capsys)[0] == 0
    with open(tmp_path / "back.csv", newline="", encoding="utf-8") as fh:
        back = list(csv.DictReader(fh))
    assert len(back) == len(CC_ROWS)
    for got, want in zip(back, CC_ROWS):
        for key in ("timestamp", "project_name", "run_id", "experiment_id", "tracking_mode"):
            assert got[key] == want[key]
        assert float(got["energy_consumed"]) == pytest.approx(want["energy_consumed"], rel=1e-12)


def test_codecarbon_round_trip_export_then_import(tmp_path, capsys):
    led = _sample_ledger(tmp_path / "l.jsonl")
    assert run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), "--codecarbon", str(tmp_path / "e.csv")], capsys)[0] == 0
    # qenergy's own rows name their basis only when a run and account hold two: this ledger's meter does
    assert run_cli(["ledger", "import", str(tmp_path / "e.csv"), "--ledger", str(tmp_path / "m.jsonl")], capsys)[0] == 0
    back = Ledger.load(tmp_path / "m.jsonl")
    for basis in ("measured", "estimated"):
        want = math.fsum(c.energy_j for c in led.charges if c.account == "meter" and c.basis == basis)
        assert back.energy_j("codecarbon", basis=basis) == pytest.approx(want, rel=1e-12)


def test_a_qenergy_row_without_its_basis_needs_basis(tmp_path, capsys):
    with Ledger.open(tmp_path / "l.jsonl", 300.0) as led:
        led.charge("meter", "cpu_time", 1, 2.0, "estimated", "CPU time share")
    assert run_cli(["ledger", "export", str(tmp_path / "l.jsonl"), "--codecarbon", str(tmp_path / "e.csv")], capsys)[0] == 0
    code, _, err = run_cli(["ledger", "import", str(tmp_path / "e.csv"), "--ledger", str(tmp_path / "m.jsonl")], capsys)
    assert code == 2 and "--basis" in err and not (tmp_path / "m.jsonl").exists()
    assert run_cli(["ledger", "import", str(tmp_path / "e.csv"), "--ledger", str(tmp_path / "m.jsonl"), "--basis", "estimated"], capsys)[0] == 0
    assert Ledger.load(tmp_path / "m.jsonl").energy_j("codecarbon", basis="estimated") == pytest.approx(2.0)


@pytest.mark.parametrize("content", [
    b"",
    b"a,b\n1,2\n",
    b"timestamp,project_name,run_id,energy_consumed\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,abc\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,-1\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,nan\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,1e308\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,,1\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,1\n2025-01-01,p,\"r,2\n",
    b"timestamp,project_name,run_id,energy_consumed\n2025-01-01,p,r,1\x00\n",
    b"\xff\xfe\x00binary",
])
def test_malformed_file_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, content):
    (tmp_path / "emissions.csv").write_bytes(content)
    for existing in (False, True):
        ledger = tmp_path / ("l.jsonl" if existing else "new.jsonl")
        if existing:
            with Ledger.open(ledger, 300.0) as led:
                led.charge("meter", "cpu_time", 1, 2.0, "estimated", "before")
        before = ledger.read_bytes() if existing else None
        code, out, err = run_cli(["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(ledger)], capsys)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert (ledger.read_bytes() == before) if existing else not ledger.exists()


def test_import_refuses_missing_inputs_and_a_foreign_ledger(tmp_path, capsys):
    _codecarbon_csv(tmp_path / "emissions.csv", CC_ROWS)
    (tmp_path / "notes.txt").write_text("not a ledger\n", encoding="utf-8")
    for argv in (["ledger", "import", str(tmp_path / "missing.csv"), "--ledger", str(tmp_path / "a.jsonl")],
                 ["ledger", "import", str(tmp_path), "--ledger", str(tmp_path / "a.jsonl")],
                 ["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(tmp_path / "notes.txt")],
                 ["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(tmp_path / "no" / "a.jsonl")]):
        code, _, err = run_cli(argv, capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "not a ledger\n" and not (tmp_path / "a.jsonl").exists()


def test_import_joins_a_ledger_at_its_own_temperature(tmp_path, capsys):
    with Ledger.open(tmp_path / "cold.jsonl", 4.0) as led:
        led.charge("quantum", "query", 3, 0.0, "upper_bound", "oracle call")
    _codecarbon_csv(tmp_path / "emissions.csv", CC_ROWS)
    assert run_cli(["ledger", "import", str(tmp_path / "emissions.csv"), "--ledger", str(tmp_path / "cold.jsonl")], capsys)[0] == 0
    led = Ledger.load(tmp_path / "cold.jsonl")
    assert led.temperature_k == 4.0 and len(led.runs) == 2 and led.counts("codecarbon", "energy_consumed") == 2


# --- fuzzed files: exit 0, or 2 with one line; never a traceback ----------------------------------------

_HEADER = ",".join(CODECARBON_COLUMNS).encode()
_CELL = st.one_of(st.sampled_from(["", "1", "-1", "nan", "inf", "1e308", "1e-300", "0.5", "x", '"', "\x00", "2025-01-01"]), st.text(max_size=6))
CSV_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(_CELL, min_size=0, max_size=6).map(lambda cells: ",".join(cells)), max_size=4).map(
        lambda lines: b"timestamp,project_name,run_id,energy_consumed\n" + "\n".join(lines).encode("utf-8", "surrogatepass")),
    st.lists(st.lists(_CELL, min_size=len(CODECARBON_COLUMNS), max_size=len(CODECARBON_COLUMNS)).map(lambda cells: ",".join(cells)),
             max_size=3).map(lambda lines: _HEADER + b"\n" + "\n".join(lines).encode("utf-8", "surrogatepass")),
)


@settings(max_examples=40)
@given(CSV_CONTENT, st.sampled_from([[], ["--basis", "estimated"], ["--json"]]))
def test_fuzz_import(tmp_path_factory, content, extra):
    import contextlib
    import io

    from qenergy.app.cli import main

    root = tmp_path_factory.mktemp("fuzz")
    (root / "e.csv").write_bytes(content)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["ledger", "import", str(root / "e.csv"), "--ledger", str(root / "l.jsonl"), *extra])
    assert code in (0, 2)
    if code == 2:
        assert len(err.getvalue().strip().splitlines()) == 1 and not (root / "l.jsonl").exists()
    else:
        assert Ledger.load(root / "l.jsonl").accounts() == ["codecarbon"]


@settings(max_examples=25)
@given(st.one_of(st.binary(max_size=200), st.sampled_from([b"", b"{}\n", b'{"type": "header"}\n', b"\xff\xfe\n"])))
def test_fuzz_report_and_openmetrics_of_damaged_files(tmp_path_factory, content):
    import contextlib
    import io

    from qenergy.app.cli import main

    root = tmp_path_factory.mktemp("fuzz")
    (root / "l.jsonl").write_bytes(content)
    for argv in (["report", str(root / "l.jsonl"), "--out", str(root / "r")], ["ledger", "export", str(root / "l.jsonl"), "--openmetrics", "-"]):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        assert code == 2 and len(err.getvalue().strip().splitlines()) == 1
    assert not (root / "r").exists()
