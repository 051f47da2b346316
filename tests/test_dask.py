"""Distributed sweeps on a real Dask LocalCluster give the serial results and ledger totals."""

import csv
import json

import pytest

from qenergy.app.cli import main
from qenergy.ledger.book import Ledger

distributed = pytest.importorskip("dask.distributed")


def sweep(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def results(path):
    with open(path / "results.csv") as fh:
        rows = [{k: v for k, v in r.items() if k != "wall_time_s"} for r in csv.DictReader(fh)]
    return sorted(rows, key=lambda r: (int(r["n"]), int(r["repeat"]), r["side"]))


def ledger_view(path):
    """Totals and charges of the deterministic accounts (the meter's own measured energy varies run to run)."""
    led = Ledger.load(path / "ledger.jsonl")
    totals = {a: e for a, e in led.totals_j().items() if a != "meter"}
    return totals, [(c.account, c.resource, c.count, c.unit_j, c.basis, c.label, c.model) for c in led.charges if c.account != "meter"]


def test_local_cluster_equals_serial(tmp_path, capsys):
    common = ["sweep", "--n", "2:9", "--repeats", "2", "--seed", "11", "--json", "--classical", "rho"]
    serial = sweep([*common, "--out", str(tmp_path / "serial")], capsys)
    dask = sweep([*common, "--out", str(tmp_path / "dask"), "--workers", "2"], capsys)
    assert serial["solved"] == dask["solved"] == 16
    assert results(tmp_path / "serial") == results(tmp_path / "dask")
    totals_s, charges_s = ledger_view(tmp_path / "serial")
    totals_d, charges_d = ledger_view(tmp_path / "dask")
    assert totals_s == totals_d  # exactly, not approximately
    assert charges_s == charges_d


def test_existing_scheduler(tmp_path, capsys):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        out = sweep(["sweep", "--n", "3:5", "--repeats", "2", "--json", "--out", str(tmp_path / "s"), "--scheduler", cluster.scheduler_address], capsys)
    sweep(["sweep", "--n", "3:5", "--repeats", "2", "--json", "--out", str(tmp_path / "t")], capsys)
    assert out["solved"] == 6
    assert ledger_view(tmp_path / "s")[0] == ledger_view(tmp_path / "t")[0]


def test_unreachable_scheduler(tmp_path, capsys):
    code = main(["sweep", "--n", "3", "--repeats", "1", "--out", str(tmp_path / "u"), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "--scheduler 'tcp://127.0.0.1:9' cannot be reached" in err and len(err.strip().splitlines()) == 1


# --- issue 27: parallel-rho on schedulers that are not what they seem, and too many workers -----------------

def _silent_or_garbage_server(mode):
    """A TCP service that is not Dask: it accepts, then says nothing (``silent``) or sends bytes of another protocol."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    held = []

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)
            if mode == "garbage":
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n" + b"\xff" * 64)

    threading.Thread(target=serve, daemon=True).start()
    return srv, f"tcp://127.0.0.1:{srv.getsockname()[1]}"


@pytest.mark.parametrize("mode", ["silent", "garbage"])
def test_a_non_dask_service_is_refused_within_the_timeout_without_a_phantom_run(tmp_path, capsys, monkeypatch, mode):
    import time

    import qenergy.classical.parallel_rho as prho

    monkeypatch.setattr(prho, "SCHEDULER_TIMEOUT_S", 2.0)
    srv, address = _silent_or_garbage_server(mode)
    ledger = tmp_path / "l.jsonl"
    try:
        t0 = time.monotonic()
        code = main(["simon", "--n", "12", "--classical", "parallel-rho", "--backend", "none", "--scheduler", address, "--ledger", str(ledger)])
        elapsed = time.monotonic() - t0
    finally:
        srv.close()
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot be reached within 2 s" in err and "Traceback" not in err
    assert elapsed < 20 and not ledger.exists()  # nothing written for a setup that failed


def test_tls_scheduler_is_one_line(capsys):
    code = main(["simon", "--n", "12", "--classical", "parallel-rho", "--backend", "none", "--scheduler", "tls://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "tls://" in err and "Traceback" not in err


def test_workers_beyond_the_machine_are_capped_quietly(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    cpus = len(os.sched_getaffinity(0))
    proc = subprocess.run([sys.executable, "-m", "qenergy", "simon", "--n", "20", "--classical", "parallel-rho", "--backend", "none",
                           "--seed", "1", "--workers", str(max(2, cpus) + 22), "--json"], capture_output=True, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "capped to" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err and "CommClosedError" not in err
    assert json.loads(proc.stdout)["classical"]["found"] == json.loads(proc.stdout)["secret"]
