"""The application layer's command functions called directly (no argparse): ``bounds``, ``model``, ``twin``, ``demo``."""

import math
from fractions import Fraction

import pytest

from qenergy.app.bounds_command import MAX_BOUNDS_WORK_S, bounds_report, bounds_work_s
from qenergy.app.model_command import run_model_command
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger


def test_bounds_report_keeps_each_bound_on_its_basis_and_finds_the_crossover():
    report = bounds_report(range(2, 41), success=Fraction(2, 3))
    assert [r.n for r in report.rows] == list(range(2, 41))
    for r in report.rows:  # the ratio is classical lower ÷ quantum upper, never a sum
        assert math.isclose(r.ratio_magnitude.value, r.classical_lower.value / r.quantum_upper_j)
    d = report.to_dict()
    assert d["success"] == "2/3" and d["crossover_n"] == report.crossover.n and report.crossover.exact
    assert report.rows[report.crossover.n - 2].ratio_magnitude.value > 1 > report.rows[report.crossover.n - 3].ratio_magnitude.value


def test_bounds_report_refuses_a_range_too_long_to_compute():
    ns = range(950_000, 1_000_001)
    assert bounds_work_s(ns) > MAX_BOUNDS_WORK_S
    with pytest.raises(InputError, match=r"needs about \d+ s of exact arithmetic; allowed: at most 60 s"):
        bounds_report(ns)


def test_model_command_runs_charges_and_notes(tmp_path):
    path = tmp_path / "m.jsonl"
    report = run_model_command("landauer", [("temperature", "4.2"), ("bits", "8")], seed=1, ledger=path, command="test")
    assert report.parameters["bits"] == 8 and report.parameters["temperature"] == 4.2
    saved = Ledger.load(path)
    assert saved.totals_j(run=0) == report.totals_j and saved.temperature_k == 4.2
    assert [n.label for n in saved.notes] == ["model landauer"]
    assert report.to_dict()["ledger"] == {"path": str(path), "totals_j": report.totals_j}


def test_model_command_refuses_before_opening_the_ledger(tmp_path):
    path = tmp_path / "m.jsonl"
    with pytest.raises(InputError, match="parameter messages = '0' is out of range"):
        run_model_command("hebbian", [("M", "0")], ledger=path)
    assert not path.exists()


def test_twin_report_without_reference_and_its_refusals():
    pytest.importorskip("qiskit_ibm_runtime")
    from qenergy.app.twin_command import run_twin

    seen = []
    report = run_twin("fake:guadalupe,idle:off", [2], shots=300, reference="none", progress=seen.append)
    assert seen == ["twin n=2: routing, twin…"]
    (row,) = report.rows
    assert row.n == 2 and 0 <= row.twin_good <= 1 and row.reference_good is None
    d = report.to_dict()
    assert d["basis"] == "measured" and d["device"] == report.spec.describe() and d["rows"][0]["n"] == 2
    with pytest.raises(InputError, match="n <= 8"):
        run_twin("fake:guadalupe", [9], shots=300)
