import json
import subprocess
import sys

import pytest
from cli_helpers import StubMeter, run_cli

from qenergy.ledger.book import Ledger
from qenergy.ledger.meter import CpuTimeEstimate, RaplSource


def run(argv, capsys):
    return run_cli(argv, capsys)


@pytest.mark.parametrize("backend", ["aer", "cirq"])
def test_acceptance_command_returns_secret_on_both_sides(backend, capsys, monkeypatch):
    # the meter's source is chosen here (the CPU-time estimate), not by what this machine can read
    monkeypatch.setattr("qenergy.ledger.meter.default_source", CpuTimeEstimate)
    code, out, err = run(["simon", "--n", "8", "--secret", "0b10110101", "--backend", backend, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["n"] == 8 and data["secret"] == 0b10110101
    q, c = data["quantum"], data["classical"]
    assert q["backend"] == backend and q["found"] == 0b10110101 and isinstance(q["found"], int)
    assert q["queries"] == q["shots"] + 2 and q["shots"] >= 7
    assert c["algorithm"] == "birthday" and c["found"] == 0b10110101 and c["queries"] >= 2
    assert data["ledger"]["path"] is None
    assert set(data["ledger"]["totals_j"]) == {"quantum", "classical", "meter"}
    assert data["measured"]["basis"] == "estimated" and data["measured"]["apportioned"] is False
    assert data["measured"]["joules"] > 0  # the run took CPU time
    assert data["ledger"]["totals_j"]["quantum"] == {"upper_bound": pytest.approx(q["energy_j"])}


def test_simon_reports_the_meters_basis_and_energy(monkeypatch, capsys):
    monkeypatch.setattr("qenergy.ledger.meter.default_source", StubMeter)
    code, out, err = run(["simon", "--n", "4", "--seed", "2", "--json"], capsys)
    assert code == 0, err
    measured = json.loads(out)["measured"]
    assert measured["basis"] == "measured" and measured["source"] == "stub counter; window 'simon'"
    assert measured["joules"] > 0 and measured["joules"] % 2.5 == 0  # whole readings of the stub
    assert measured["apportioned"] is False and measured["excludes"] is None  # a direct reading of a per-process counter


def test_simon_labels_an_apportioned_share_of_the_host(tmp_path, monkeypatch, capsys):
    """A whole-host source (a fake RAPL tree, the real /proc/stat) gives a measured share labelled apportioned."""
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "name").write_text("package-0\n")
    (zone / "energy_uj").write_text("1000\n")
    (zone / "max_energy_range_uj").write_text("262143328850\n")
    monkeypatch.setattr("qenergy.ledger.meter.default_source", lambda: RaplSource(tmp_path))
    code, out, err = run(["simon", "--n", "4", "--seed", "2", "--json"], capsys)
    assert code == 0, err
    measured = json.loads(out)["measured"]
    assert measured["basis"] == "measured" and measured["apportioned"] is True
    assert measured["source"].startswith("apportioned: true") and "CPU-time share" in measured["source"]
    code, out, err = run(["simon", "--n", "4", "--seed", "2"], capsys)
    assert code == 0 and "this run's own energy (measured, apportioned)" in out


def test_skipping_a_side_gives_null(capsys):
    code, out, _ = run(["simon", "--n", "5", "--backend", "none", "--classical", "exhaustive", "--seed", "3", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["quantum"] is None and data["classical"]["algorithm"] == "exhaustive"
    assert data["classical"]["found"] == data["secret"] != 0
    code, out, _ = run(["simon", "--n", "5", "--classical", "none", "--seed", "3", "--json"], capsys)
    data = json.loads(out)
    assert data["classical"] is None and data["quantum"]["found"] == data["secret"]


def test_seed_reproduces_run(capsys):
    a = json.loads(run(["simon", "--n", "6", "--oracle", "random", "--seed", "9", "--json"], capsys)[1])
    b = json.loads(run(["simon", "--n", "6", "--oracle", "random", "--seed", "9", "--json"], capsys)[1])
    for d in (a, b):  # timings and the run's own measured energy vary; everything else is reproducible
        d["quantum"].pop("wall_time_s")
        for key in ("startup_s", "search_s", "queries_per_s"):
            d["classical"].pop(key)
        d.pop("measured")
        d["ledger"]["totals_j"].pop("meter")
        d["ledger"]["totals_kTln2"].pop("meter")
    assert a == b


def test_human_table_and_ledger_file(tmp_path, capsys):
    path = tmp_path / "run.jsonl"
    code, out, _ = run(["simon", "--n", "4", "--secret", "0", "--temperature", "4.2", "--ledger", str(path)], capsys)
    assert code == 0
    assert "quantum" in out and "classical" in out and "0b0000" in out and "NO" not in out
    assert f"ledger: {path} (run 0)" in out
    code, _, _ = run(["simon", "--n", "4", "--temperature", "4.2", "--ledger", str(path), "--json"], capsys)
    led = Ledger.load(path)
    assert code == 0 and len(led.runs) == 2 and led.temperature_k == 4.2
    assert {c.run for c in led.charges} == {0, 1}


def test_table_oracle_from_cli(tmp_path, capsys):
    p = tmp_path / "t.json"
    p.write_text("[3, 1, 1, 3, 0, 2, 2, 0]")  # period 0b011
    code, out, err = run(["simon", "--oracle", f"table:{p}", "--backend", "cirq", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["n"] == 3 and data["secret"] == 3 and data["quantum"]["found"] == 3 and data["classical"]["found"] == 3


def bad_cases(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    short = tmp_path / "short.json"
    short.write_text("[0, 1, 2]")
    noperiod = tmp_path / "noperiod.json"
    noperiod.write_text("[0, 1, 0, 2]")
    malformed = tmp_path / "bad.txt"
    malformed.write_text("1\nfoo\n")
    return [
        (["simon", "--n", "0"], ("--n", "'0'", "in 1..1,000,000")),
        (["simon", "--n", "-3"], ("--n", "'-3'")),
        (["simon", "--n", "three"], ("--n", "'three'")),
        (["simon", "--n", "3", "--secret", "8"], ("secret 8 is outside 0..2^3-1",)),
        (["simon", "--n", "3", "--secret", "zz"], ("secret 'zz'",)),
        (["simon", "--oracle", f"table:{tmp_path / 'missing.json'}"], ("missing.json", "does not exist")),
        (["simon", "--oracle", f"table:{short}"], ("has 3 entries",)),
        (["simon", "--oracle", f"table:{noperiod}"], ("does not have period",)),
        (["simon", "--oracle", f"table:{malformed}"], ("line 2: 'foo' is not an integer",)),
        (["simon", "--n", "3", "--oracle", "cubic"], ("oracle 'cubic' is unknown; allowed: linear, random, table:PATH",)),
        (["simon", "--n", "3", "--backend", "qpu"], ("backend 'qpu' is unknown; allowed: aer, cirq, exact, fake:NAME, ibm:NAME, stim, auto, none",)),
        (["simon", "--n", "3", "--classical", "grover"], ("classical algorithm 'grover' is unknown", "birthday, exhaustive, parallel-rho, rho, weight-cover, none")),
        (["simon", "--n", "20", "--oracle", "random"], ("40-qubit statevector",)),
        (["simon", "--n", "3", "--temperature", "0"], ("--temperature", "0", "1e-200 <= T <= 1e+200 kelvin")),
        (["simon", "--n", "3", "--temperature", "-5"], ("--temperature", "-5")),
        (["simon", "--n", "3", "--ledger", str(notes)], ("is not a qenergy ledger",)),
        (["simon", "--n", "3", "--seed", "-1"], ("--seed", "'-1'")),
        (["simon", "--n", "3", "--epsilon", "0.5"], ("--epsilon", "0.5", "0 < epsilon < 0.5")),
        (["simon", "--n", "3", "--steps", "0"], ("--steps", "'0'")),
        (["simon", "--n", "3", "--classical-model", "quantum"], ("--classical-model", "'quantum'", "irreversible, memory:BITS, minimal, reversible")),
        (["simon", "--n", "3", "--gate-energy", "-1"], ("--gate-energy", "'-1'")),
        (["bounds", "--n", "5:2"], ("--n", "'5:2'", "1 <= A <= B")),
        (["bounds", "--success", "1.5"], ("--success", "1.5", "0 < success <= 1")),
        (["bounds", "--classical-model", "memory:-4"], ("memory:-4", "BITS >= 0")),
        (["sweep", "--n", "2:3"], ("--out",)),
        (["sweep", "--n", "2:3", "--out", str(notes)], ("--out",)),
        (["sweep", "--n", "2:3", "--repeats", "0", "--out", str(tmp_path / "o")], ("--repeats", "'0'")),
        (["simon"], ("--n is required",)),
        (["frobnicate"], ("invalid choice: 'frobnicate'",)),
    ]


def test_each_bad_input_exits_2_with_one_line(tmp_path, capsys):
    for argv, needles in bad_cases(tmp_path):
        code, out, err = run(argv, capsys)
        assert code == 2, argv
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and all(x in lines[0] for x in needles), (argv, err)
        assert "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text() == "my notes\n"


def test_memory_refusal_suggests_linear(capsys):
    code, _, err = run(["simon", "--n", "20", "--oracle", "random", "--backend", "cirq"], capsys)
    assert code == 2 and "use --oracle linear" in err


def test_no_ledger_written_when_input_is_bad(tmp_path, capsys):
    path = tmp_path / "l.jsonl"
    code, _, _ = run(["simon", "--n", "3", "--backend", "qpu", "--ledger", str(path)], capsys)
    assert code == 2 and not path.exists()


def test_console_script_in_subprocess(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "qenergy", "simon", "--n", "3", "--secret", "5", "--json"], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0 and json.loads(ok.stdout)["quantum"]["found"] == 5
    bad = subprocess.run([sys.executable, "-m", "qenergy", "simon", "--n", "3", "--temperature", "-1"], capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_demo_prints_table_and_writes_ledger(tmp_path, capsys):
    code, out, err = run(["demo", "--dir", str(tmp_path / "d")], capsys)
    assert code == 0, err
    rows = [line.split() for line in out.splitlines() if line.strip() and line.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(2, 11))
    assert all(r[2] == "ok/ok" for r in rows)
    led = Ledger.load(tmp_path / "d" / "ledger.jsonl")
    assert {c.label for c in led.charges} == {f"n={n}" for n in range(2, 11)}
    assert set(led.totals_j()) == {"quantum", "classical"}


def test_bounds_json(capsys):
    code, out, _ = run(["bounds", "--n", "2:64", "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["temperature_k"] == 300.0
    assert [r["n"] for r in data["rows"]] == list(range(2, 65))
    assert set(data["rows"][0]) >= {"n", "quantum_upper_j", "classical_lower_j", "ratio"}
    # the crossover recomputed from the rows: one past the last n at which the quantum bound is not below
    # the classical one; the README quotes n = 12 for these settings (300 K, eps = 1e-6, N = 1000, irreversible)
    last_not_below = max(r["n"] for r in data["rows"] if r["quantum_upper_j"] >= r["classical_lower_j"])
    assert data["crossover_n"] == last_not_below + 1 == 12
    code, out, _ = run(["bounds", "--n", "2:64", "--classical-model", "reversible", "--json"], capsys)
    assert json.loads(out)["crossover_n"] is None


def test_bounds_table_and_csv(capsys):
    code, out, _ = run(["bounds", "--n", "4:40:4", "--temperature", "0.02", "--classical-model", "memory:64"], capsys)
    assert code == 0 and "crossover:" in out and "memory:64" in out
    code, out, _ = run(["bounds", "--n", "8", "--csv", "--epsilon", "1e-3", "--steps", "10", "--success", "0.9"], capsys)
    lines = out.strip().splitlines()
    assert lines[0] == "n,quantum_upper_j,classical_lower_j,ratio,classical_queries" and lines[1].startswith("8,")


def test_simon_reports_bounds_and_criterion(capsys):
    code, out, _ = run(["simon", "--n", "14", "--seed", "1", "--classical-model", "minimal", "--epsilon", "1e-3", "--steps", "20", "--json"], capsys)
    data = json.loads(out)
    b = data["bounds"]
    assert code == 0 and b["classical_model"] == "minimal" and "eps=0.001, N=20" in b["quantum_model"]
    assert b["criterion"]["quantum_j"] == pytest.approx(data["quantum"]["energy_j"])
    assert b["criterion"]["advantage"] == (b["criterion"]["quantum_j"] < b["classical_lower_j"])


def test_sweep_writes_results_report_ledger_and_plot(tmp_path, capsys):
    import csv

    import matplotlib.image

    out_dir = tmp_path / "sweep"
    code, out, err = run(["sweep", "--n", "2:12", "--repeats", "3", "--out", str(out_dir), "--seed", "4"], capsys)
    assert code == 0, err
    with open(out_dir / "results.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11 * 3 * 2
    assert {"n", "side", "queries", "success", "charged_j"} <= set(rows[0])
    assert all(r["success"] == "True" for r in rows)
    assert {r["side"] for r in rows} == {"quantum", "classical"}
    ledger = Ledger.load(out_dir / "ledger.jsonl")
    q_total = sum(float(r["charged_j"]) for r in rows if r["side"] == "quantum")
    assert ledger.totals_j()["quantum"] == {"upper_bound": pytest.approx(q_total)}
    assert {c.label for c in ledger.charges if c.account == "meter"} == {f"n={n} repeat={r}" for n in range(2, 13) for r in range(3)}
    report = (out_dir / "report.md").read_text()
    assert "| 12 | 3 | 3/3 |" in report and "Crossover n" in report
    png = matplotlib.image.imread(out_dir / "advantage.png")
    assert png.shape[0] > 300 and png.shape[1] > 500
    # a second sweep appends to the ledger and the CSV, never replaces them
    code, _, _ = run(["sweep", "--n", "3", "--repeats", "1", "--out", str(out_dir)], capsys)
    with open(out_dir / "results.csv") as fh:
        rows2 = list(csv.DictReader(fh))
    assert code == 0 and len(rows2) == len(rows) + 2 and rows2[-1]["ledger_run"] == "1"
    assert len(Ledger.load(out_dir / "ledger.jsonl").runs) == 2


def test_sweep_refuses_foreign_results_csv(tmp_path, capsys):
    (tmp_path / "results.csv").write_text("a,b\n1,2\n")
    code, _, err = run(["sweep", "--n", "3", "--repeats", "1", "--out", str(tmp_path)], capsys)
    assert code == 2 and "other columns" in err
    assert (tmp_path / "results.csv").read_text() == "a,b\n1,2\n"
    assert not (tmp_path / "ledger.jsonl").exists()


def test_sweep_reports_carbon_across_weather_years(tmp_path, capsys):
    pytest.importorskip("pypsa")
    code, out, err = run(["sweep", "--n", "2:5", "--repeats", "1", "--out", str(tmp_path), "--json", "--grid", "years=2,days=7,workers=1"], capsys)
    assert code == 0, err
    carbon = json.loads(out)["carbon_across_weather_years"]
    i, c = carbon["intensity_g_per_kwh"], carbon["co2e_kg"]
    assert carbon["weather_years"] == 2 and i["min"] <= i["median"] <= i["max"]
    assert c["min"] <= c["median"] <= c["max"] and carbon["energy_j"] > 0
    assert "Carbon across weather years" in (tmp_path / "report.md").read_text()
    code, _, err = run(["sweep", "--n", "2", "--repeats", "1", "--out", str(tmp_path / "b"), "--grid", "years"], capsys)
    assert code == 2 and "KEY=VALUE" in err
