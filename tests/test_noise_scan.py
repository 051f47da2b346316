"""The measured noise scan behind ``qenergy advantage --noise``: statistics, fit, cache, and the practical energy
following the solver's measured shots (not the analytic model); ``--requirements`` monotone, in the device's units."""

import json
import math
from fractions import Fraction

import pytest
from cli_helpers import run_cli

from qenergy.hardware.classical_machine import MeasurementCache
from qenergy.hardware.noise import parse_noise
from qenergy.hardware.noise_fit import RunOutcome, ScanPoint, fit_shots, order_quantile
from qenergy.hardware.qpu import SCENARIOS


def _pt(n, shots, unresolved=0):
    runs = [RunOutcome(i, "solved", True, s, 2, 0.1) for i, s in enumerate(shots)]
    runs += [RunOutcome(100 + i, "unresolved", False, 999, 3, 0.1) for i in range(unresolved)]
    return ScanPoint(n, tuple(runs))


def test_quantiles_count_unresolved_runs_as_never_solved():
    assert order_quantile([3, 1, 2, 4], 0.5) == 2 and order_quantile([3, 1, 2, 4], 2 / 3) == 3
    p = _pt(8, [10, 20, 30], unresolved=1)
    assert p.shots_median == 20 and p.shots_quantile(0.75) == 30 and p.shots_quantile(0.9) is None
    assert (p.solved, p.unresolved, p.wrong, p.seeds) == (3, 1, 0, 4)
    wrong = ScanPoint(8, (RunOutcome(0, "solved", False, 5, 1, 0.1),))
    assert wrong.wrong == 1 and wrong.shots_median is None  # a wrong answer is never a solution


def test_fit_is_exact_on_log_linear_data_and_its_band_widens():
    pts = [_pt(n, [n * math.exp(0.2 + 0.1 * n)] * 4) for n in (8, 12, 16, 20)]
    f = fit_shots(pts, 2 / 3)
    assert f is not None and f.a == pytest.approx(0.2, abs=0.01) and f.b == pytest.approx(0.1, abs=1e-3)
    assert f.shots(40) == pytest.approx(40 * math.exp(0.2 + 4.0), rel=0.02)
    widths = [f.shots(n, "high") / f.shots(n, "low") for n in (20, 40, 80)]
    assert 1 < widths[0] < widths[1] < widths[2]
    assert fit_shots(pts[:1], 2 / 3) is None


def _scan(spec, seeds, n_max, tmp_path):
    from qenergy.app.noise_scan import run_noise_scan

    return run_noise_scan(parse_noise(spec), n_max=n_max, seeds=seeds, cache=MeasurementCache(tmp_path / "cache"), time_budget_s=600)


@pytest.fixture(scope="module")
def inputs():
    from qenergy.circuits.timing import circuit_timing

    from qenergy.hardware.classical_machine import EnergyFit

    fit = EnergyFit("birthday", 1e-6, 0.0, math.sqrt(math.pi / 2), "estimated", "test meter", ((40, 1, 1.0, 1.0),), "2026-12-01", "test")
    return fit, circuit_timing("fake:fez", sizes=(2, 4, 8, 16, 24))


def _compute(inputs, ns, noise, scan):
    from qenergy.app.practical import compute_advantage
    from qenergy.hardware.qpu import get_qpu_preset
    from qenergy.ledger.charging import BoundsPolicy

    fit, timing = inputs
    policy = BoundsPolicy.from_settings(epsilon=1e-6, steps=1000, gate_energy_j=0.0, classical_model="irreversible", family="linear")
    return compute_advantage(ns, get_qpu_preset("ibm-heron"), noise=noise, success=Fraction(2, 3), algorithm="birthday", fit=fit,
                             fit_cached=True, timing=timing, quantum=policy.quantum, classical=policy.classical, temperature_k=300.0,
                             scan=scan)


@pytest.mark.parametrize("spec,n", [("depolarize:0.02", 20), ("depolarize:0.01", 16), ("readout:0.05", 16), ("readout:0.03", 24)])
def test_practical_energy_follows_the_measured_shots_not_the_model(inputs, tmp_path, spec, n):
    """The issue's table: at the scanned n the QPU's shots are the solver's measured quantile, and its energy is the
    preset's energy of exactly those shots; the analytic model stays beside it with its ratio."""
    from qenergy.hardware.qpu import get_qpu_preset

    noise = parse_noise(spec)
    scan = _scan(spec, 4, n, tmp_path)
    point = scan.point(n)
    assert point is not None and point.wrong == 0 and point.solved >= 3
    res = _compute(inputs, [n], noise, scan)
    row = res.rows[0]
    measured = point.shots_quantile(2 / 3)
    assert row.shots_source == "measured" and row.shots == measured
    preset = get_qpu_preset("ibm-heron")
    for s in SCENARIOS:
        assert row.quantum_j[s] == pytest.approx(float(preset.energy_j(2 * n, measured, row.duration_s, s)))
    assert row.model_shots is not None and row.model_shots != measured  # the model disagrees; it is not what is used
    mvm = {m["n"]: m for m in res.model_vs_measured()}[n]
    assert mvm["ratio_model_over_measured"] == pytest.approx(row.model_shots / measured)
    d = res.to_dict()
    assert d["noise"]["method"] == "measured" and "not a bound" in d["noise"]["model"]
    assert {"n", "seeds", "shots_median", "shots_quantile", "solved", "wrong", "seconds"} <= set(d["noise_measurement"][-1])


def test_scan_is_cached_and_stops_where_the_solver_fails(tmp_path):
    first = _scan("depolarize:0.2", 3, 40, tmp_path)
    assert first.fresh_seconds > 0 and first.cached_points == 0
    assert "unresolved" in first.stopped and first.first_unreached(2 / 3) == first.last_n
    again = _scan("depolarize:0.2", 3, 40, tmp_path)
    assert again.fresh_seconds == 0 and again.cached_points == len(first.points) and again.points == first.points
    other = _scan("depolarize:0.2", 2, 8, tmp_path)  # seeds are part of the key
    assert other.cached_points == 0


def test_rows_past_a_measured_failure_are_not_extrapolated(inputs, tmp_path):
    scan = _scan("depolarize:0.2", 3, 40, tmp_path)
    failed = scan.first_unreached(2 / 3)
    res = _compute(inputs, list(range(8, 49)), parse_noise("depolarize:0.2"), scan)
    for r in res.rows:
        if r.n >= failed:
            assert r.shots_source == "unreached" and r.quantum_j["mid"] is None


def test_advantage_json_carries_the_scan_and_requirements_are_monotone(tmp_path, capsys):
    from qenergy.app.requirements import REQUIREMENT_SCALES

    def req(target):
        code, out, err = run_cli(["advantage", "--n", "8:24", "--noise", "device:fake:fez", "--seeds", "3", "--requirements", str(target),
                                  "--json"], capsys)
        assert code == 0, err
        return json.loads(out)

    code, _, err = run_cli(["advantage", "--n", "8:24", "--noise", "device:fake:fez", "--seeds", "3", "--requirements", "24",
                            "--out", str(tmp_path / "adv")], capsys)
    assert code == 0, err
    assert "## What the device must reach (mid crossover at n <= 24)" in (tmp_path / "adv" / "report.md").read_text()
    d = req(24)
    assert d["noise_measurement"] and d["model_vs_measured"] and "requirements" in d
    assert d["qpu"]["utilisation"] == {"low": 0.9, "mid": 0.5, "high": 0.25}
    assert d["qpu"]["components"]["high"]["cryocooler"] == "PT420-class"
    answers = [req(t)["requirements"] for t in (8, 16, 24)]
    scales = [-1 if a["scale"] is None else a["scale"] for a in answers]
    assert scales == sorted(scales)  # a smaller N never allows a worse device
    for a in answers:
        assert [s["scale"] for s in a["scan"]] == sorted(s["scale"] for s in a["scan"])
        assert set(s["scale"] for s in a["scan"]) <= set(REQUIREMENT_SCALES)
        if a["scale"] is not None:
            u = a["device_units"]
            assert u["two_qubit_error_median"] == pytest.approx(a["scale"] * u["today"]["two_qubit_error_median"])
            assert u["readout_error_median"] == pytest.approx(a["scale"] * u["today"]["readout_error_median"])
            if a["scale"] > 0:
                assert u["t1_median_s"] == pytest.approx(u["today"]["t1_median_s"] / a["scale"])


def test_requirements_need_a_device(capsys):
    code, out, err = run_cli(["advantage", "--n", "8:16", "--noise", "readout:0.01", "--requirements", "12"], capsys)
    assert code == 2 and "--requirements 12 without a device twin is not allowed" in err and err.count("\n") == 1


def test_report_shows_the_measurement_beside_the_model(tmp_path, capsys):
    out = tmp_path / "adv"
    code, _, err = run_cli(["advantage", "--n", "8:16", "--noise", "readout:0.03", "--seeds", "2", "--out", str(out)], capsys)
    assert code == 0, err
    report = (out / "report.md").read_text()
    assert "Measured: the noisy solver on the stim twin (readout:0.03), 2 runs per n" in report
    assert "Model (an estimate, not a bound)" in report and "shots ≥" not in report and "utilisation 0.5" in report


def test_a_fake_device_job_keeps_its_qpu_account_on_one_basis(tmp_path, capsys):
    from qenergy.ledger.book import Ledger

    path = tmp_path / "run.jsonl"
    code, _, err = run_cli(["simon", "--n", "3", "--backend", "fake:fez", "--classical", "none", "--ledger", str(path)], capsys)
    assert code == 0, err
    ledger = Ledger.load(path)
    qpu = [c for c in ledger.charges if c.account == "qpu"]
    assert qpu and {c.basis for c in qpu} == {"estimated"}
    assert ledger.energy_j("qpu") > 0  # no MixedBasisError: no 0 J 'measured' row beside the estimate


def test_a_scan_out_of_time_keeps_its_part_done_size_uncached(tmp_path):
    from qenergy.app.noise_scan import run_noise_scan

    cache = MeasurementCache(tmp_path / "cache")
    scan = run_noise_scan(parse_noise("readout:0.01"), n_max=16, seeds=3, cache=cache, time_budget_s=0)
    assert scan.points == () and "spent before n = 8" in scan.stopped
    scan = run_noise_scan(parse_noise("readout:0.01"), n_max=8, seeds=3, cache=cache, time_budget_s=1e-9)
    assert len(scan.points) == 1 and scan.points[0].seeds == 1 and "1 of 3 runs, not cached" in scan.stopped
    assert run_noise_scan(parse_noise("readout:0.01"), n_max=8, seeds=3, cache=cache, time_budget_s=0).points == ()
