"""Several real processes on one ledger: appending to an existing one, creating a new one at
the same moment, waiting for a header being written; and Ctrl-C during a sweep.

Processes are lined up with start files (each says it is ready, then waits for ``go``),
so they open the ledger together; every run must land, every line be whole JSON.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import run_cli

from qenergy.errors import LedgerError
from qenergy.ledger import book as ledger_module
from qenergy.ledger import store as ledger_store
from qenergy.ledger.book import Ledger

#: A process that opens the ledger of each round as soon as that round's ``go`` file appears.
CHILD = r"""
import os, sys, time
from pathlib import Path
from qenergy.ledger.book import Ledger

workdir, k, rounds, charges = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for r in range(rounds):
    (workdir / f"ready-{r}-{k}").touch()
    while not (workdir / f"go-{r}").exists():
        time.sleep(0.0005)
    with Ledger.open(workdir / f"ledger-{r}.jsonl", 300.0, seed=k, command=f"process {k}") as led:
        for i in range(charges):
            with led.batch():
                led.charge_many([(f"p{k}", "query", 1, 1e-21, "measured", "x" * 300)] * 3, label=f"{k}-{i}")
                led.note(f"{k}-{i}", {"process": k, "i": i})
"""


def run_together(workdir: Path, processes: int, rounds: int, charges: int) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(workdir), str(k), str(rounds), str(charges)], stderr=subprocess.PIPE)
             for k in range(processes)]
    try:
        for r in range(rounds):
            deadline = time.monotonic() + 120
            while not all((workdir / f"ready-{r}-{k}").exists() for k in range(processes)):
                assert all(p.poll() is None for p in procs), [p.stderr.read().decode() for p in procs if p.poll() is not None]
                assert time.monotonic() < deadline, "the processes never became ready"
                time.sleep(0.005)
            (workdir / f"go-{r}").touch()
        for p in procs:
            _, err = p.communicate(timeout=180)
            assert p.returncode == 0, err.decode()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def check_ledger(path: Path, processes: int, runs: int, charges: int) -> Ledger:
    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.split(b"\n")[:-1]]  # every line whole JSON
    assert records[0]["type"] == "header"
    assert sum(r["type"] == "run" for r in records) == runs - 1
    led = Ledger.load(path)
    assert led.torn_tail is None and len(led.runs) == runs
    for k in range(processes):
        assert led.counts(f"p{k}", "query") == 3 * charges  # every charge of every process landed
        assert sorted(n.data["i"] for n in led.notes if n.data["process"] == k) == list(range(charges))
        assert len({c.run for c in led.charges if c.account == f"p{k}"}) == 1  # each process in its own run
    return led


def test_six_processes_append_to_one_ledger(tmp_path):
    path = tmp_path / "ledger-0.jsonl"
    Ledger.open(path, 300.0, command="creator").close()
    run_together(tmp_path, processes=6, rounds=1, charges=40)
    check_ledger(path, processes=6, runs=7, charges=40)


def test_four_processes_create_one_new_ledger_at_the_same_moment(tmp_path):
    rounds = 6
    run_together(tmp_path, processes=4, rounds=rounds, charges=10)
    for r in range(rounds):
        led = check_ledger(tmp_path / f"ledger-{r}.jsonl", processes=4, runs=4, charges=10)
        assert {run.command for run in led.runs} == {f"process {k}" for k in range(4)}


def test_open_waits_for_the_header_of_a_ledger_being_created(tmp_path, monkeypatch):
    path = tmp_path / "l.jsonl"
    path.touch()  # created by another process that has not written its header yet
    waits = []

    def creator_writes_header(seconds):
        waits.append(seconds)
        if len(waits) == 3:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(Ledger(300.0, command="creator").header()) + "\n")

    monkeypatch.setattr(ledger_store.time, "sleep", creator_writes_header)
    with Ledger.open(path, 300.0, command="second") as led:
        led.charge("quantum", "query", 1, 0.0, "measured", "x")
    assert len(waits) == 3
    back = Ledger.load(path)
    assert [r.command for r in back.runs] == ["creator", "second"] and len(back.charges) == 1


def test_an_empty_file_that_stays_empty_is_refused(tmp_path, monkeypatch, capsys):
    old = tmp_path / "old.jsonl"
    old.touch()
    os.utime(old, (time.time() - 3600, time.time() - 3600))  # nobody is creating it: refused at once
    monkeypatch.setattr(ledger_store.time, "sleep", lambda s: pytest.fail("waited for a file nobody is creating"))
    with pytest.raises(LedgerError, match="empty file"):
        Ledger.open(old, 300.0)
    code, _, err = run_cli(["model", "landauer", "--ledger", str(old)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "empty file" in err
    assert old.read_bytes() == b""

    fresh = tmp_path / "fresh.jsonl"
    fresh.touch()  # its creator crashed before writing the header: refused once the wait is over
    monkeypatch.undo()  # real sleeps again
    monkeypatch.setattr(ledger_module, "CREATION_WAIT_S", 0.2)
    with pytest.raises(LedgerError, match="empty file"):
        Ledger.open(fresh, 300.0)
    assert fresh.read_bytes() == b""


def notes_in(path: Path) -> int:
    try:
        return path.read_bytes().count(b'"type":"note"')
    except FileNotFoundError:
        return 0


def _stop_sweep_midway(out: Path, sig: signal.Signals, after_notes: int) -> tuple[int, str]:
    """Start a sweep writing to ``out`` in a subprocess, send it ``sig`` once ``after_notes`` points are recorded;
    returns its exit status and standard error."""
    argv = ["sweep", "--n", "2:40", "--repeats", "4", "--seed", "3", "--backend", "aer", "--json"]
    proc = subprocess.Popen([sys.executable, "-m", "qenergy", *argv, "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while notes_in(out / "ledger.jsonl") < after_notes and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be stopped"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err.decode()


def test_sigterm_during_a_sweep_exits_143_and_says_how_to_resume(tmp_path):
    out = tmp_path / "sweep"
    code, err = _stop_sweep_midway(out, signal.SIGTERM, 3)
    assert code == 143, err
    assert err.strip().splitlines() == [f"qenergy: terminated (SIGTERM); resume with: qenergy sweep --resume {out}"]
    assert Ledger.load(out / "ledger.jsonl").torn_tail is None


def test_ctrl_c_during_a_sweep_exits_130_and_resumes(tmp_path, capsys):
    out = tmp_path / "sweep"
    code, err = _stop_sweep_midway(out, signal.SIGINT, 5)
    assert code == 130, err
    lines = err.strip().splitlines()
    assert lines == [f"qenergy: interrupted; resume with: qenergy sweep --resume {out}"]
    partial = Ledger.load(out / "ledger.jsonl")
    assert partial.torn_tail is None and 5 <= len(partial.notes) < 39 * 4

    code, _, err = run_cli(["sweep", "--resume", str(out), "--json"], capsys)
    assert code == 0, err
    done = Ledger.load(out / "ledger.jsonl")
    points = [(n.data["n"], n.data["repeat"]) for n in done.notes]
    assert len(points) == len(set(points)) == 39 * 4  # every point once, none twice
    labels = {f"n={n} repeat={r}" for n, r in points}
    assert {c.label for c in done.charges if c.account == "meter"} == labels  # no point charged without its note
