"""Distributed sweeps on a real Dask LocalCluster give the serial results and ledger totals."""

import csv
import json

import pytest

from qenergy.app.cli import main
from qenergy.ledger import Ledger

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
