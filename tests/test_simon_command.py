"""``qenergy simon`` in the application layer, called directly (no argparse): request in, typed report out."""

import math
from fractions import Fraction

import pytest
from cli_helpers import StubMeter

from qenergy.app.simon_command import SimonReport, SimonRequest, run_simon_command
from qenergy.errors import InputError, QenergyError
from qenergy.ledger.book import Ledger


@pytest.fixture(autouse=True)
def _stub_meter(monkeypatch):
    monkeypatch.setattr("qenergy.ledger.meter.default_source", StubMeter)


def test_report_holds_criterion_ratios_per_basis_and_ledger_totals(tmp_path):
    path = tmp_path / "run.jsonl"
    notices = []
    report = run_simon_command(SimonRequest(6, backend="stim", seed=3, ledger=path, command="test"), notify=notices.append)
    assert isinstance(report, SimonReport) and notices == []
    run = report.run
    assert run.quantum is not None and run.classical is not None
    assert run.quantum.found == run.secret and run.classical.found == run.secret
    # the criterion compares the quantum upper-bound charges with the classical lower bound at n
    v = report.verdict
    assert v is not None and v.n == 6 and v.quantum_j == run.quantum_energy_j
    assert math.isclose(v.classical_lower.value, report.classical_lower.value)
    # the theoretical charges kept per basis: the quantum account's (upper) and the classical account's (lower), apart
    assert set(report.theoretical_j) == {"upper_bound", "lower_bound"}
    assert math.isclose(report.theoretical_j["upper_bound"], run.quantum_energy_j)
    assert math.isclose(report.theoretical_j["lower_bound"], run.classical_energy_j)
    assert report.own_energy_basis == "measured" and report.own_energy_j > 0 and report.own_energy_j % 2.5 == 0
    for basis, ratio in report.ratios.items():
        assert ratio == report.own_energy_j / report.theoretical_j[basis]
    total = report.theoretical_j["upper_bound"] + report.theoretical_j["lower_bound"]
    assert all(not math.isclose(r, report.own_energy_j / total) for r in report.ratios.values())
    # ledger totals per account and basis, as the file says
    assert report.ledger_path == path and report.ledger_run == 0
    assert report.totals_j["quantum"] == {"upper_bound": pytest.approx(run.quantum_energy_j)}
    assert report.totals_j["classical"] == {"lower_bound": pytest.approx(run.classical_energy_j)}
    assert report.totals_j["meter"] == {"measured": report.own_energy_j}
    saved = Ledger.load(path)
    assert saved.totals_j(run=0) == report.totals_j
    assert any("simon_run" in note.data for note in saved.notes)
    # the --json object
    d = report.to_dict()
    assert d["bounds"]["criterion"] == v.to_dict() and d["bounds"]["success"] == "2/3"
    assert d["measured"]["theoretical_j"] == report.theoretical_j and d["measured"]["source"] == "stub counter; window 'simon'"
    assert d["measured"]["ratio_to_upper_bound"] == report.ratios["upper_bound"]
    assert d["ledger"] == {"path": str(path), "run": 0, "totals_j": report.totals_j, "totals_kTln2": report.totals_kTln2}
    assert d["quantum"]["noise_model"] is None and "readout_mitigation" not in d["quantum"]


def test_a_skipped_side_leaves_its_basis_without_a_ratio():
    report = run_simon_command(SimonRequest(5, backend="none", classical="rho", seed=1, success=Fraction(1, 2)))
    assert report.run.quantum is None and report.verdict is None
    assert report.theoretical_j["upper_bound"] == 0.0 and report.ratios["upper_bound"] is None
    assert report.ratios["lower_bound"] == report.own_energy_j / report.theoretical_j["lower_bound"]
    assert report.to_dict()["bounds"]["success"] == "1/2" and report.ledger_path is None


def test_refused_request_writes_nothing(tmp_path):
    path = tmp_path / "run.jsonl"
    with pytest.raises(InputError, match="--classical parallel-rho"):
        run_simon_command(SimonRequest(6, workers=2, seed=1, ledger=path))
    with pytest.raises(InputError, match="--n is required"):
        run_simon_command(SimonRequest(None, ledger=path))
    assert not path.exists()


@pytest.mark.parametrize(("raised", "reason"), [(KeyboardInterrupt(), "SIGINT"), (QenergyError("boom"), "error")])
def test_a_run_that_stops_is_marked_interrupted(tmp_path, monkeypatch, raised, reason):
    def stop(*args, **kwargs):
        raise raised

    monkeypatch.setattr("qenergy.app.simon_command.run_planned", stop)
    path = tmp_path / "run.jsonl"
    with pytest.raises(type(raised)):
        run_simon_command(SimonRequest(4, seed=2, ledger=path))
    marked = Ledger.load(path).interrupted_runs()
    assert list(marked) == [0] and marked[0]["reason"] == reason
    if reason == "error":
        assert marked[0]["error"] == "boom"
    # the own-energy window is charged also when the run stops early
    assert Ledger.load(path).totals_j(run=0)["meter"]["measured"] > 0
