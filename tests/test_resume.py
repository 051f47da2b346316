"""Crash safety: a sweep killed with SIGKILL resumes to the totals of an uninterrupted run."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from qenergy.app.cli import main
from qenergy.ledger.book import Ledger

SWEEP = ["sweep", "--n", "2:40", "--repeats", "4", "--seed", "3", "--backend", "aer", "--classical", "birthday", "--json"]


def points_done(path):
    try:
        return sum(1 for line in path.read_bytes().split(b"\n") if b'"type":"note"' in line)
    except FileNotFoundError:
        return 0


def test_sigkill_then_resume_matches_uninterrupted(tmp_path, capsys):
    killed = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "qenergy", *SWEEP, "--out", str(killed)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while points_done(killed / "ledger.jsonl") < 20 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = Ledger.load(killed / "ledger.jsonl")  # loads after SIGKILL
    done_before = len(partial.notes)
    assert 20 <= done_before < 39 * 4

    assert main(["sweep", "--resume", str(killed), "--json"]) == 0
    assert main([*SWEEP, "--out", str(tmp_path / "whole")]) == 0
    capsys.readouterr()

    resumed, whole = Ledger.load(killed / "ledger.jsonl"), Ledger.load(tmp_path / "whole" / "ledger.jsonl")
    assert len(resumed.notes) == len(whole.notes) == 39 * 4  # every point once, none twice
    for account in ("quantum", "classical"):  # the meter's own measured energy varies run to run
        assert resumed.totals_j()[account] == whole.totals_j()[account]
    assert resumed.counts("meter", "energy_uj") > 0 and len([c for c in resumed.charges if c.account == "meter"]) == 39 * 4
    for account in ("quantum", "classical"):
        for resource in ("query", "qubit_reset", "bit_erased"):
            assert resumed.counts(account, resource) == whole.counts(account, resource)

    def rows(d):
        with open(d / "results.csv") as fh:
            return sorted((r["n"], r["repeat"], r["side"], r["queries"], r["charged_j"]) for r in csv.DictReader(fh))

    assert rows(killed) == rows(tmp_path / "whole")


def test_resume_needs_a_sweep_directory(tmp_path, capsys):
    assert main(["sweep", "--resume", str(tmp_path)]) == 2
    assert "no sweep.json there" in capsys.readouterr().err


def test_ledger_commands(tmp_path, capsys):
    path = tmp_path / "l.jsonl"
    assert main(["simon", "--n", "5", "--seed", "1", "--ledger", str(path)]) == 0
    capsys.readouterr()
    assert main(["ledger", "summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert "qubit_reset" in out and "upper_bound" in out and "totals:" in out
    assert main(["ledger", "show", str(path)]) == 0
    assert "run 0:" in capsys.readouterr().out
    assert main(["ledger", "export", str(path), "--csv", str(tmp_path / "c.csv"), "--codecarbon", str(tmp_path / "emissions.csv")]) == 0
    with open(tmp_path / "c.csv") as fh:
        charges = list(csv.DictReader(fh))
    assert len(charges) == len(Ledger.load(path).charges)
    with open(tmp_path / "emissions.csv") as fh:
        header = next(csv.reader(fh))
    assert header[:6] == ["timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions"]
    assert "energy_consumed" in header and "pue" in header
    assert main(["ledger", "export", str(path), "--carbon", str(tmp_path / "carbon.csv"), "--country", "FRA", "--pue", "1.2"]) == 0
    assert "France 2023" in capsys.readouterr().out
    with open(tmp_path / "carbon.csv") as fh:
        carbon = {r["account"]: r for r in csv.DictReader(fh)}
    meter = carbon["meter"]
    assert float(meter["pue"]) == 1.2 and float(meter["intensity_g_per_kwh"]) == 56.039 and "France" in meter["intensity_source"]
    assert float(meter["co2e_kg"]) == pytest.approx(float(meter["energy_kwh"]) * 1.2 * 0.056039)
    (tmp_path / "bad.jsonl").write_bytes(path.read_bytes().replace(b'"type":"charge"', b'"type":"chrage"', 1))
    assert main(["ledger", "summary", str(tmp_path / "bad.jsonl")]) == 2
    assert "corrupt at line 2" in capsys.readouterr().err


# --- issue 27: an interrupted parallel-rho run charges what it evaluated and says it did not finish -------

@pytest.mark.parametrize("sig, status, workers", [("SIGINT", 130, None), ("SIGTERM", 143, None), ("SIGTERM", 143, "2")])
def test_interrupted_parallel_rho_charges_its_work_and_is_marked(tmp_path, sig, status, workers):
    import signal as signal_module
    import subprocess
    import sys
    import time

    from qenergy.ledger.book import INTERRUPTED_LABEL, Ledger

    path = tmp_path / "l.jsonl"
    argv = [sys.executable, "-m", "qenergy", "simon", "--n", "60", "--classical", "parallel-rho", "--backend", "none", "--seed", "3",
            "--ledger", str(path)] + (["--workers", workers] if workers else [])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal_module.signal(signal_module.SIGINT, signal_module.SIG_DFL))
    deadline = time.monotonic() + 120
    while not (path.exists() and path.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(8 if workers else 4)  # well inside the search (n = 60 takes minutes)
    proc.send_signal(getattr(signal_module, sig))
    _, err = proc.communicate(timeout=120)
    text = err.decode()
    assert proc.returncode == status and "Traceback" not in text, text
    led = Ledger.load(path)  # sequence numbers checked: no charge repeated or missing
    queries = led.counts("classical", "query")
    notes = [n for n in led.notes if n.label == INTERRUPTED_LABEL]
    assert len(notes) == 1 and notes[0].data["reason"] == sig
    data = notes[0].data
    # every query charged is one the search reports having evaluated, and the round in progress was charged too
    assert queries > 0 and data["queries_charged"] == queries
    assert data["charged_from_interrupted_round"] > 0 or data.get("chunks_not_charged", 0) > 0
    assert led.energy_j("meter", basis=led.select(account="meter")[0].basis) > 0  # the run's own energy, also on SIGTERM
