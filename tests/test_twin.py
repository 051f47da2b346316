"""Device twins: idle decoherence, asymmetric readout, scale:X, DD, readout mitigation, the Aer reference, `qenergy twin`,
and `fake:` runs that are priced before they start."""

import json
import math

import numpy as np
import pytest
from qenergy.circuits.noise import (
    _reduced_depolarizing,
    build_twin,
    device_calibration,
    twirled_relaxation,
)
from qenergy.circuits.qiskit_builder import simon_circuit
from qenergy.circuits.twin import compare_twin, good_fraction, mitigated_good_fraction

from qenergy.hardware.noise import parse_noise
from qenergy.problem.instance import make_instance
from tests.cli_helpers import run_cli

pytest.importorskip("qiskit_ibm_runtime")


def test_twirled_relaxation_is_ghosh_eq_10_with_t2_capped():
    t, t1, t2 = 1e-6, 100e-6, 150e-6
    px, py, pz = twirled_relaxation(t, t1, t2)
    assert px == py == pytest.approx((1 - math.exp(-t / t1)) / 4)
    assert pz == pytest.approx((1 - math.exp(-t / t2)) / 2 - px)
    # T2 above 2·T1 is capped: the same channel as T2 = 2·T1
    assert twirled_relaxation(t, t1, 500e-6) == pytest.approx(twirled_relaxation(t, t1, 200e-6))
    assert twirled_relaxation(t, math.inf, math.inf) == (0.0, 0.0, 0.0)


def test_gate_depolarising_is_reduced_as_aer_does():
    """Our λ after a gate, given the relaxation during it, equals the depolarising parameter of Aer's own
    _device_depolarizing_error for the same reported error and thermal relaxation."""
    from qiskit_aer.noise import thermal_relaxation_error
    from qiskit_aer.noise.device.models import _device_depolarizing_error

    cal = device_calibration("fake:sherbrooke")
    edge = next(e for e in cal.coupling_map if ("ecr", e) in cal.gate_error)
    for gate, qs in (("sx", (5,)), ("ecr", edge)):
        t = cal.duration_s(gate, qs)
        relax = None
        for q in qs:
            t1, t2 = cal.coherence(q)
            single = thermal_relaxation_error(t1, t2, t)
            relax = single if relax is None else relax.expand(single)
        aer = _device_depolarizing_error(qs, cal.error(gate, qs), relax)
        k = len(qs)
        ours = cal.gate_depolarizing(gate, qs)
        if aer is None:
            assert ours == 0.0
            continue
        identity = max(p for p in aer.probabilities)  # Aer's depolarizing_error(λ, k): P(I) = 1 − λ(4^k − 1)/4^k
        assert ours == pytest.approx((1 - identity) * 4**k / (4**k - 1), rel=1e-6)
        assert ours < cal.gate_depolarizing(gate, qs, idle=False)  # relaxation takes its share
    assert _reduced_depolarizing(1e-5, 1, 0.999) == 0.0  # relaxation alone exceeds the error: no depolarising


def test_calibration_reads_asymmetric_readout_coherence_and_summary_scales():
    cal = device_calibration("fake:sherbrooke")
    assert cal.readout_asymmetric and cal.t1_s and cal.t2_s and cal.dt_s
    assert any(abs(cal.readout_p1_given0[q] - cal.readout_p0_given1[q]) > 1e-3 for q in range(cal.num_qubits))
    one, half, zero = cal.summary(1.0), cal.summary(0.5), cal.summary(0.0)
    assert one.two_qubit_gate == "ecr" and 0 < one.median_two_qubit_error < 0.05 and 1e-5 < one.median_t1_s < 1e-2
    assert half.median_two_qubit_error == pytest.approx(one.median_two_qubit_error / 2)
    assert half.median_readout_error == pytest.approx(one.median_readout_error / 2, rel=0.05)
    assert half.median_t1_s == pytest.approx(2 * one.median_t1_s) and half.median_t2_s == pytest.approx(2 * one.median_t2_s)
    assert zero.median_two_qubit_error == 0.0 and zero.to_dict()["median_t1_s"] is None


def _good(spec_text, n=20, shots=4000, dd="none"):
    inst = make_instance(n, None, "linear", seed=11)
    twin = build_twin(simon_circuit(inst), parse_noise(spec_text), seed=5, dd=dd)
    return good_fraction(twin.sampler(np.random.default_rng(3))(shots), inst.secret), twin


def test_idle_noise_lowers_good_shots_at_routed_n_20():
    """At n = 20 sherbrooke as it is gives nearly random shots either way (good ≈ 0.52); at scale:0.2 the idle
    decay of the routed circuit's waiting qubits shows."""
    on, twin_on = _good("device:fake:sherbrooke,scale:0.2")
    off, twin_off = _good("device:fake:sherbrooke,scale:0.2,idle:off")
    se = math.sqrt((on * (1 - on) + off * (1 - off)) / 4000)
    assert on < off - 4 * se, (on, off)
    assert "PAULI_CHANNEL_1" in str(twin_on.circuit) and "PAULI_CHANNEL_1" not in str(twin_off.circuit)
    assert any(i.operation.name == "delay" for i in twin_on.isa.data)


def test_scale_zero_is_ideal_and_smaller_scale_is_better():
    ideal, twin = _good("device:fake:sherbrooke,scale:0", n=12, shots=500)
    assert ideal == 1.0 and not twin.p1_given0.any()
    better, _ = _good("device:fake:sherbrooke,scale:0.25", n=12)
    worse, _ = _good("device:fake:sherbrooke", n=12)
    assert better > worse


def test_dd_adds_gates_on_the_twin():
    base, plain = _good("device:fake:sherbrooke", n=10, shots=200)
    _, xy4 = _good("device:fake:sherbrooke", n=10, shots=200, dd="XY4")
    assert xy4.isa.count_ops().get("x", 0) > plain.isa.count_ops().get("x", 0)


def test_readout_mitigation_is_unbiased_for_asymmetric_flips():
    rng = np.random.default_rng(4)
    n, secret, shots = 6, 0b101101, 200_000
    a = np.array([0.01, 0.02, 0.005, 0.03, 0.01, 0.02])  # P(1|0)
    b = np.array([0.05, 0.08, 0.04, 0.10, 0.06, 0.07])  # P(0|1)
    x = rng.integers(0, 2, size=(shots, n), dtype=np.uint8)
    s_bits = np.array([(secret >> i) & 1 for i in range(n)], dtype=bool)
    x[:, 0] ^= (x[:, s_bits].sum(axis=1) % 2).astype(np.uint8)  # y·s = 0 for every true y (bit 0 is in s)
    flip = rng.random(x.shape) < np.where(x == 1, b, a)
    measured = x ^ flip.astype(np.uint8)
    assert good_fraction(measured, secret) < 0.9  # readout alone corrupts about 15 % of the shots
    mitigated, se = mitigated_good_fraction(measured, secret, a, b)
    assert abs(mitigated - 1.0) < 4 * se + 1e-3, (mitigated, se)


@pytest.mark.parametrize("device,n", [("fake:sherbrooke", 4), ("fake:guadalupe", 3)])
def test_twin_agrees_with_aer_device_model(device, n):
    row = compare_twin(parse_noise(f"device:{device}"), n, shots=3000, seed=1)
    assert row.reference_good is not None and row.difference is not None
    assert abs(row.difference) <= 0.03, row
    assert row.twin_good < 1.0  # noise is there


def test_twin_cli_json_rows_and_bad_values(capsys):
    code, out, err = run_cli(["twin", "--device", "fake:guadalupe,idle:off", "--n", "2:3", "--shots", "500", "--reference", "none", "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["noise_model"] == {"device": "fake:guadalupe", "idle": False, "readout_asymmetric": True, "dd": "none",
                                   "mitigation": "none", "scale": 1.0}
    assert [r["n"] for r in data["rows"]] == [2, 3]
    for r in data["rows"]:
        assert {"n", "twin_good", "reference_good", "difference", "stderr", "twin_s", "reference_s"} <= set(r)
        assert r["reference_good"] is None and r["difference"] is None and 0 <= r["twin_good"] <= 1
    for argv, needle in ((["twin", "--device", "fake:guadalupe", "--n", "2", "--dd", "XZ"], "--dd"),
                         (["twin", "--device", "fake:guadalupe", "--n", "2", "--mitigate", "all"], "--mitigate"),
                         (["twin", "--device", "fake:nowhere", "--n", "2"], "fake:nowhere"),
                         (["twin", "--device", "fake:guadalupe,scale:2", "--n", "2"], "scale"),
                         (["twin", "--device", "fake:guadalupe", "--n", "9"], "n <= 8")):
        code, out, err = run_cli(argv, capsys)
        assert code == 2 and err.count("\n") == 1 and needle in err, (argv, err)


def test_simon_fake_device_run_is_priced_before_it_starts(capsys):
    code, out, err = run_cli(["simon", "--n", "12", "--backend", "fake:sherbrooke", "--seed", "1"], capsys)
    assert code == 2 and err.count("\n") == 1 and out == ""
    assert "estimated" in err and "--backend stim --noise device:fake:sherbrooke" in err and "--max-minutes" in err
    for argv in (["simon", "--n", "4", "--backend", "fake:manila", "--max-minutes", "0"],
                 ["simon", "--n", "4", "--dd", "YY"], ["simon", "--n", "4", "--mitigate", "m3"]):
        code, out, err = run_cli(argv, capsys)
        assert code == 2 and err.count("\n") == 1, (argv, err)


def test_simon_json_noise_model_and_readout_mitigation(capsys):
    code, out, err = run_cli(["simon", "--n", "6", "--backend", "stim", "--noise", "device:fake:sherbrooke", "--seed", "3",
                              "--classical", "none", "--mitigate", "readout", "--dd", "XX", "--json"], capsys)
    assert code == 0, err
    q = json.loads(out)["quantum"]
    assert q["noise_model"] == {"device": "fake:sherbrooke", "idle": True, "readout_asymmetric": True, "dd": "XX",
                                "mitigation": "readout", "scale": 1.0}
    m = q["readout_mitigation"]
    assert q["status"] == "solved" and m["status"] == "ok" and m["shots"] == q["shots"]
    assert m["corruption_rate_mitigated"] <= m["corruption_rate_raw"] + 4 * m["stderr"] + 1e-9
