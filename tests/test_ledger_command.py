"""``qenergy ledger show | summary | export | import``'s application functions called directly (no argparse):
the typed reports, their ``--json`` objects, and every refusal before the first byte is written."""

import csv
import json
import math
from pathlib import Path

import pytest

from qenergy.app.ledger_command import (
    ExportedOutput,
    LedgerExportRequest,
    LedgerImportRequest,
    run_ledger_export,
    run_ledger_import,
    run_ledger_show,
    run_ledger_summary,
)
from qenergy.errors import InputError, LedgerError
from qenergy.ledger.book import Ledger


def _two_runs(path):
    """Two runs on both sides and an estimated own energy; the second run marked interrupted."""
    for run in range(2):
        with Ledger.open(path, 300.0, seed=run, command=f"test run {run}") as led:
            led.charge("quantum", "qubit_reset", 20 + run, 3e-21, "upper_bound", "reset")
            led.charge("classical", "bit_erased", 40, 2.87e-21, "lower_bound", "erasure")
            led.charge("meter", "cpu_time", 1, 1.5 + run, "estimated", "CPU time share")
            if run == 1:
                led.mark_interrupted("SIGINT", {"queries_charged": 3})
    return path


def test_show_and_summary_reports(tmp_path):
    path = _two_runs(tmp_path / "l.jsonl")
    show = run_ledger_show(path)
    assert show.path == path and show.temperature_k == 300.0 and show.torn_tail is None
    assert [r.command for r in show.runs] == ["test run 0", "test run 1"] and len(show.charges) == 6
    assert list(show.interrupted) == [1] and show.interrupted[1]["queries_charged"] == 3
    d = show.to_dict()
    assert list(d) == ["header", "runs", "charges", "torn_tail_line", "interrupted_runs"]
    assert d["header"]["schema"] == show.header["schema"] and list(d["interrupted_runs"]) == ["1"]
    assert d["charges"][0]["account"] == "quantum" and d["runs"][1]["seed"] == 1

    summary = run_ledger_summary(path)
    assert (summary.runs, summary.charges, summary.temperature_k) == (2, 6, 300.0)
    # totals per account and basis, each basis apart
    assert summary.totals_j["quantum"] == {"upper_bound": pytest.approx(41 * 3e-21)}
    assert summary.totals_j["meter"] == {"estimated": pytest.approx(4.0)}
    assert {(r["account"], r["basis"]) for r in summary.rows} == {("quantum", "upper_bound"), ("classical", "lower_bound"), ("meter", "estimated")}
    assert math.isclose(sum(r["energy_j"] for r in summary.rows if r["account"] == "classical"), 80 * 2.87e-21)
    d = summary.to_dict()
    assert list(d) == ["temperature_k", "runs", "totals_j", "totals_kTln2", "rows", "torn_tail_line", "interrupted_runs"]
    assert json.loads(json.dumps(d))["interrupted_runs"] == {"1": {"reason": "SIGINT", "queries_charged": 3}}


def test_a_torn_tail_is_reported(tmp_path):
    path = _two_runs(tmp_path / "l.jsonl")
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"type": "charge", "acc')
    assert run_ledger_show(path).torn_tail.line == lines + 1
    assert run_ledger_summary(path).to_dict()["torn_tail_line"] == lines + 1
    report = run_ledger_export(LedgerExportRequest(path, csv=tmp_path / "c.csv"))
    assert report.torn_tail is not None and report.torn_tail.size == len('{"type": "charge", "acc')


def test_export_writes_each_output_in_order_and_tells_of_each(tmp_path):
    path = _two_runs(tmp_path / "l.jsonl")
    seen: list[ExportedOutput] = []
    request = LedgerExportRequest(path, csv=tmp_path / "c.csv", codecarbon=tmp_path / "e.csv", carbon=tmp_path / "k.csv",
                                  openmetrics=tmp_path / "m.om", prometheus=Path("-"), intensity_g_per_kwh=100.0, pue=1.5)
    report = run_ledger_export(request, seen.append)
    assert report.outputs == seen and [o.kind for o in seen] == ["charges", "emissions", "carbon", "openmetrics", "prometheus"]
    assert [o.path for o in seen[:4]] == [tmp_path / "c.csv", tmp_path / "e.csv", tmp_path / "k.csv", tmp_path / "m.om"]
    assert seen[4].path is None and b"qenergy_runs_total 2" in seen[4].stdout_bytes  # standard output: left to the caller
    assert seen[2].intensity == report.intensity and report.intensity.startswith("100 g CO2e/kWh") and report.pue == 1.5
    with (tmp_path / "c.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 6
    assert (tmp_path / "m.om").read_text(encoding="utf-8").endswith("# EOF\n")


@pytest.mark.parametrize("options, message", [
    ({}, "ledger export needs --csv FILE"),
    ({"openmetrics": "-", "prometheus": "-"}, "--openmetrics and --prometheus -: allowed"),
    ({"csv": "-"}, "--csv -: allowed: standard output"),
    ({"csv": "SELF"}, "is the input ledger"),
    ({"csv": "x.csv", "carbon": "x.csv"}, "--csv and --carbon both name"),
    ({"csv": "new.csv", "carbon": "old.csv"}, "--carbon '.*old.csv' exists; refusing to replace it"),
    ({"csv": "new.csv", "carbon": "k.csv", "pue": -1.0}, "PUE|pue"),
    ({"csv": "new.csv", "country": "XXX"}, "country 'XXX' has no bundled intensity"),
])
def test_export_refusals_write_nothing(tmp_path, options, message):
    path = _two_runs(tmp_path / "l.jsonl")
    (tmp_path / "old.csv").write_text("theirs\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    files = ("csv", "codecarbon", "carbon", "openmetrics", "prometheus")
    where = {k: (path if v == "SELF" else Path("-") if v == "-" else tmp_path / v) if k in files else v for k, v in options.items()}
    seen: list[ExportedOutput] = []
    with pytest.raises(InputError, match=message):
        run_ledger_export(LedgerExportRequest(path, **where), seen.append)
    assert seen == [] and sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "old.csv").read_text(encoding="utf-8") == "theirs\n"


def test_a_failed_write_still_tells_of_the_outputs_written_before_it(tmp_path, monkeypatch):
    import qenergy.ledger.export as export

    def unwritable(*args, **kwargs):
        raise InputError("'k.csv' cannot be written (Permission denied); allowed: a writable directory")

    monkeypatch.setattr(export, "export_carbon", unwritable)
    path = _two_runs(tmp_path / "l.jsonl")
    seen: list[ExportedOutput] = []
    with pytest.raises(InputError, match="cannot be written"):
        run_ledger_export(LedgerExportRequest(path, csv=tmp_path / "c.csv", carbon=tmp_path / "k.csv"), seen.append)
    assert [(o.kind, o.path) for o in seen] == [("charges", tmp_path / "c.csv")] and (tmp_path / "c.csv").exists()


def test_import_appends_one_run_and_refuses_before_opening(tmp_path):
    path = _two_runs(tmp_path / "l.jsonl")
    emissions = tmp_path / "e.csv"
    run_ledger_export(LedgerExportRequest(path, codecarbon=emissions))
    target = tmp_path / "new.jsonl"
    notes: list[str] = []
    report = run_ledger_import(LedgerImportRequest(emissions, target, basis="measured", command="qenergy ledger import"), notify=notes.append)
    assert report.ledger == target and report.run == 0 and report.rows == 2 and report.account == "codecarbon"
    assert report.energy_j == {"measured": pytest.approx(4.0)} and notes == []
    assert report.to_dict() == {"ledger": str(target), "run": 0, "rows": 2, "account": "codecarbon", "energy_j": report.energy_j}
    assert Ledger.load(target).totals_j() == {"codecarbon": {"measured": pytest.approx(4.0)}}
    again = run_ledger_import(LedgerImportRequest(emissions, path, basis="estimated"))  # appended to, at its own temperature
    assert again.run == 2 and len(Ledger.load(path).runs) == 3
    size = path.stat().st_size
    with pytest.raises(InputError, match="is the file being imported"):
        run_ledger_import(LedgerImportRequest(emissions, emissions, basis="measured"))
    with pytest.raises(LedgerError, match="does not exist; allowed: a path in an existing directory"):
        run_ledger_import(LedgerImportRequest(emissions, tmp_path / "nodir" / "l.jsonl", basis="measured"))
    with pytest.raises(InputError, match="does not say whether its energy was measured or estimated"):
        run_ledger_import(LedgerImportRequest(emissions, path))
    assert path.stat().st_size == size and not (tmp_path / "nodir").exists()
