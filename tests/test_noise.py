"""Noise specs and noisy circuits: parsing, every channel on stim and Aer, device twins, refusals."""

import numpy as np
import pytest
from qenergy.circuits import get_backend
from qenergy.circuits.noise import (
    aer_noise_model,
    device_calibration,
    device_noise,
    noisy_stim_circuit,
    route_on_device,
    stim_from_qiskit,
)
from qenergy.circuits.qiskit_builder import simon_circuit
from qenergy.circuits.reversible import oracle_network
from scipy import stats

from qenergy.errors import InputError
from qenergy.hardware.noise import NoiseSpec, parse_noise
from qenergy.problem.gf2 import int_to_bits
from qenergy.problem.instance import make_instance


def corrupted_fraction(ys, secret, n):
    """Fraction of samples with y·s = 1 (0 for ideal samples)."""
    return float(((ys.astype(np.int64) @ int_to_bits(secret, n).astype(np.int64)) % 2).mean())


def readout_eta(p, secret):
    """P(e·s odd) for independent bit flips of probability p: (1 − (1 − 2p)^|s|)/2."""
    return (1 - (1 - 2 * p) ** bin(secret).count("1")) / 2


def assert_binomial(count, trials, p, z=5.0):
    sd = np.sqrt(trials * p * (1 - p))
    assert abs(count - trials * p) <= z * sd + 1, (count, trials, p)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, spec", [
    ("none", NoiseSpec()),
    ("depolarize:0.01", NoiseSpec(depolarize=0.01)),
    ("readout:0.05", NoiseSpec(readout=0.05)),
    ("depolarize:0.001, readout:0.02", NoiseSpec(depolarize=0.001, readout=0.02)),
    ("device:fake:sherbrooke", NoiseSpec(device="fake:sherbrooke")),
    ("device:FAKE:Sherbrooke,readout:0", NoiseSpec(device="fake:sherbrooke")),
    ("depolarize:1,readout:1", NoiseSpec(depolarize=1.0, readout=1.0)),
])
def test_parse_noise(text, spec):
    parsed = parse_noise(text)
    assert parsed == spec
    assert parse_noise(parsed.describe()) == parsed  # canonical text reads back
    assert parsed.is_ideal == (spec == NoiseSpec())


@pytest.mark.parametrize("text, pattern", [
    ("depolarize:1.5", r"noise depolarize:1.5 is not allowed; allowed: depolarize:P with 0 <= P <= 1"),
    ("readout:-0.1", r"noise readout:-0.1 is not allowed; allowed: readout:P with 0 <= P <= 1"),
    ("readout:nan", r"noise readout:nan is not allowed"),
    ("depolarize:abc", r"noise depolarize:abc is not allowed"),
    ("bitflip:0.1", r"noise bitflip:0.1 is not allowed; allowed: a comma list of depolarize:P, readout:P"),
    ("depolarize", r"noise depolarize is not allowed"),
    ("", r"noise '' is not allowed"),
    ("readout:0.1,readout:0.2", r"two readout channels"),
    ("device:ibm:ibm_fez", r"noise device:ibm:ibm_fez is not allowed; allowed: device:fake:NAME"),
    ("device:fake:", r"noise device:fake: is not allowed"),
])
def test_bad_specs_are_one_line_input_errors(text, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        parse_noise(text)
    assert "\n" not in str(info.value)


def test_noise_spec_checks_its_fields():
    with pytest.raises(InputError, match="0 <= P <= 1"):
        NoiseSpec(readout=2.0)


def test_unknown_device_names_the_fake_devices():
    pytest.importorskip("qiskit_ibm_runtime")
    inst = make_instance(3, 5, "linear")
    with pytest.raises(InputError, match=r"noise device:fake:nowhere is not allowed; allowed fake devices: .*fake:sherbrooke") as info:
        get_backend("stim", inst, noise="device:fake:nowhere")
    assert "\n" not in str(info.value)


def test_refusals():
    linear, rand = make_instance(4, 5, "linear"), make_instance(4, 5, "random", seed=3)
    with pytest.raises(InputError, match="stim backend needs a Clifford"):
        get_backend("stim", rand, noise="depolarize:0.01").prepare(rand, rng=np.random.default_rng())
    with pytest.raises(InputError, match="with --backend cirq is not allowed"):
        get_backend("cirq", linear, noise="readout:0.1")
    with pytest.raises(InputError, match="not allowed on --backend exact"):
        get_backend("exact", linear, noise="depolarize:0.01")
    with pytest.raises(InputError, match=r"with --backend fake:fez is not allowed \(a device backend carries its own noise\)"):
        get_backend("fake:fez", linear, noise="readout:0.01")
    with pytest.raises(InputError, match="unknown|not registered|allowed"):
        get_backend("qpu", linear, noise="readout:0.01")


def test_ideal_spec_gives_the_ordinary_backend():
    inst = make_instance(5, 9, "linear")
    for text in (None, "none", "depolarize:0,readout:0"):
        prepared = get_backend("stim", inst, noise=text).prepare(inst, rng=np.random.default_rng(1))
        assert prepared.noisy is False


def test_auto_picks_stim_for_clifford_and_aer_otherwise():
    lin, rand = make_instance(3, 5, "linear"), make_instance(3, 5, "random", seed=2)
    assert get_backend("auto", lin, noise="readout:0.1").name == "stim"
    assert get_backend("auto", rand, noise="readout:0.1").name == "aer"


# --- every channel on every path ---------------------------------------------------------------


@pytest.mark.parametrize("backend", ["stim", "aer", "exact"])
def test_readout_flips_each_bit_with_probability_p(backend):
    n, s, p, shots = 5, 0b10110, 0.1, 6000
    inst = make_instance(n, s, "linear", seed=1)
    prepared = get_backend(backend, inst, noise=f"readout:{p}").prepare(inst, rng=np.random.default_rng(2))
    assert prepared.noisy and prepared.noise == NoiseSpec(readout=p)
    ys = prepared.sample(shots).ys
    assert ys.shape == (shots, n) and ys.dtype == np.uint8
    assert_binomial(round(corrupted_fraction(ys, s, n) * shots), shots, readout_eta(p, s))


def test_depolarising_noise_agrees_between_stim_and_aer():
    """The same logical circuit with a depolarising channel after every gate: the outcome histograms agree
    (stim's DEPOLARIZE1(3P/4)/DEPOLARIZE2(15P/16) is Aer's depolarizing_error(P, k))."""
    n, s, shots = 3, 0b011, 20000
    inst = make_instance(n, s, "linear", seed=2)
    hists = []
    for backend in ("stim", "aer"):
        prepared = get_backend(backend, inst, noise="depolarize:0.1").prepare(inst, rng=np.random.default_rng(5))
        ys = prepared.sample(shots).ys
        assert 0.05 < corrupted_fraction(ys, s, n) < 0.5  # the noise is there
        hists.append(np.bincount(ys @ (1 << np.arange(n)), minlength=1 << n))
    assert stats.chi2_contingency(np.array(hists)).pvalue > 1e-4, hists


def test_noisy_stim_circuit_has_a_channel_after_every_gate():
    inst = make_instance(6, 0b100101, "linear", seed=3)
    network = oracle_network(inst.oracle)
    circuit = noisy_stim_circuit(network, 0.02, 0.01)
    names = [ins.name for ins in circuit.flattened()]
    gates = [g for g in names if g in ("H", "X", "CX")]
    assert names.count("DEPOLARIZE2") == sum(1 for g in network.gates if len(g.controls) == 1)
    assert names.count("X_ERROR") == 1 and names[-1] == "M"
    assert len(gates) > 0
    for ins in circuit.flattened():
        if ins.name == "DEPOLARIZE1":
            assert ins.gate_args_copy() == [pytest.approx(0.75 * 0.02)]
        if ins.name == "DEPOLARIZE2":
            assert ins.gate_args_copy() == [pytest.approx(0.9375 * 0.02)]


def test_device_twin_on_stim_and_aer_run_the_same_routed_circuit():
    """A Clifford circuit routed onto fake:guadalupe, converted to stim gate by gate and run in Aer's stabilizer
    method with the equivalent Pauli noise model: ideal conversion is exact, noisy fractions agree."""
    pytest.importorskip("qiskit_ibm_runtime")
    from qenergy.circuits.base import bitstrings_to_array
    from qiskit_aer import AerSimulator

    n, s, shots = 4, 0b0110, 4000
    inst = make_instance(n, s, "linear", seed=4)
    isa = route_on_device(simon_circuit(inst), "fake:guadalupe", seed=7, clifford=True)
    # noiseless: the converted circuit still computes Simon's distribution (every y in s^⊥)
    ideal = stim_from_qiskit(isa).compile_sampler(seed=1).sample(500).view(np.uint8)
    assert corrupted_fraction(ideal, s, n) == 0.0 and len(set(map(bytes, ideal))) > 1
    spec = NoiseSpec(device="fake:guadalupe", readout=0.02, idle=False)  # Pauli channels only: Aer's stabilizer method
    gate_noise, readout_noise = device_noise(spec)
    circuit = stim_from_qiskit(isa, gate_noise=gate_noise, readout_noise=readout_noise)
    stim_frac = corrupted_fraction(circuit.compile_sampler(seed=2).sample(shots).view(np.uint8), s, n)
    sim = AerSimulator(method="stabilizer", noise_model=aer_noise_model(spec, isa))
    memory = sim.run(isa, shots=shots, memory=True, seed_simulator=1_234_567).result().get_memory(isa)
    aer_frac = corrupted_fraction(bitstrings_to_array(memory, n), s, n)
    assert 0.01 < stim_frac < 0.5
    table = [[round(f * shots), shots - round(f * shots)] for f in (stim_frac, aer_frac)]
    assert stats.chi2_contingency(table).pvalue > 1e-4, (stim_frac, aer_frac)


def test_device_calibration_and_conversion():
    pytest.importorskip("qiskit_ibm_runtime")
    cal = device_calibration("fake:sherbrooke")
    assert cal.num_qubits == 127 and "ecr" in cal.basis_gates and cal.coupling_map
    assert 0 < cal.median_readout_error < 0.1 and 0 < cal.median_gate_error["ecr"] < 0.05
    assert cal.depolarizing("rz", (0,)) == 0.0  # virtual
    edge = next(iter(cal.coupling_map))
    assert cal.depolarizing("ecr", edge) == pytest.approx(min(1.0, cal.gate_error[("ecr", edge)] * 4 / 3))
    assert cal.depolarizing("sx", (3,)) == pytest.approx(min(1.0, 2 * cal.gate_error[("sx", (3,))]))


def test_wide_device_twin_on_stim():
    """n = 60 routed onto all of fake:sherbrooke's 127 qubits: prepared and sampled (no timing assertion)."""
    pytest.importorskip("qiskit_ibm_runtime")
    inst = make_instance(60, None, "linear", seed=1)
    prepared = get_backend("stim", inst, noise="device:fake:sherbrooke").prepare(inst, rng=np.random.default_rng(1))
    assert prepared.noisy and prepared.physical_qubits == 127 and prepared.metadata.qubits == 120
    assert prepared.metadata.gate_counts.get("ecr", 0) > 100  # routed ISA gates, not the logical circuit
    assert prepared.logical_gates < sum(v for k, v in prepared.metadata.gate_counts.items() if k != "measure")
    ys = prepared.sample(200).ys
    assert ys.shape == (200, 60)
    assert corrupted_fraction(ys, inst.secret, 60) > 0.2  # a 127-qubit device at n = 60 is very noisy


def test_non_clifford_device_twin_on_aer():
    pytest.importorskip("qiskit_ibm_runtime")
    inst = make_instance(3, 0b101, "random", seed=6)
    prepared = get_backend("aer", inst, noise="device:fake:guadalupe").prepare(inst, rng=np.random.default_rng(2))
    assert prepared.metadata.method == "statevector" and prepared.physical_qubits == 16
    ys = prepared.sample(2000).ys
    eta = corrupted_fraction(ys, inst.secret, 3)
    assert 0.0 < eta < 0.47  # 62 routed CX, depth 84: idle decay (on by default) takes it from about 0.26 to 0.41


def test_device_too_small_for_n():
    pytest.importorskip("qiskit_ibm_runtime")
    inst = make_instance(5, 3, "linear")
    with pytest.raises(InputError, match=r"noise device:fake:manila is not allowed for n = 5: .*needs 10 qubits.*has 5; allowed: n <= 2"):
        get_backend("stim", inst, noise="device:fake:manila").prepare(inst, rng=np.random.default_rng())


def test_simon_cli_noise_and_budget(capsys):
    import json as _json

    from qenergy.app.cli import main

    assert main(["simon", "--n", "12", "--backend", "stim", "--noise", "readout:0.01", "--seed", "4", "--json"]) == 0
    q = _json.loads(capsys.readouterr().out)["quantum"]
    assert q["status"] == "solved" and q["correct"] is True and q["noise"] == "readout:0.01" and q["noise_multiplier"] >= 1
    # hopeless noise with a small budget: unresolved, nothing reported, never more shots than the budget
    assert main(["simon", "--n", "40", "--backend", "stim", "--noise", "readout:0.3", "--shots-budget", "50", "--seed", "3",
                 "--classical", "none", "--json"]) == 0
    q = _json.loads(capsys.readouterr().out)["quantum"]
    assert q["status"] == "unresolved" and q["found"] is None and q["shots"] <= 50
    # s = 0 under noise: only the classical one-to-one proof can show it, and the output says the quantum side did not
    assert main(["simon", "--n", "6", "--secret", "0", "--backend", "stim", "--noise", "depolarize:0.02", "--seed", "3", "--json"]) == 0
    q = _json.loads(capsys.readouterr().out)["quantum"]
    assert q["status"] == "solved_classically" and q["resolved_by"] == "proof" and q["found"] == 0 and q["correct"] is True
    assert main(["simon", "--n", "6", "--secret", "0", "--backend", "stim", "--noise", "depolarize:0.02", "--seed", "3"]) == 0
    assert "quantum status: SOLVED CLASSICALLY, not by the quantum samples" in capsys.readouterr().out
    assert main(["simon", "--n", "4", "--noise", "depolarize:2"]) == 2
    assert "0 <= P <= 1" in capsys.readouterr().err
    assert main(["simon", "--n", "4", "--noise", "readout:0.1", "--backend", "none"]) == 2


def test_sweep_takes_noise_and_resumes_with_it(tmp_path, capsys):
    import json as _json

    from qenergy.app.cli import main

    out = tmp_path / "s"
    assert main(["sweep", "--n", "6:7", "--repeats", "1", "--noise", "readout:0.02", "--shots-budget", "400", "--out", str(out), "--json"]) == 0
    data = _json.loads(capsys.readouterr().out)
    assert data["instances"] == 2
    spec = _json.loads((out / "sweep.json").read_text())
    assert spec["noise"] == "readout:0.02" and spec["shots_budget"] == 400
    assert main(["sweep", "--resume", str(out), "--json"]) == 0
    assert _json.loads(capsys.readouterr().out)["resumed_points"] == 2
    assert main(["sweep", "--n", "6", "--repeats", "1", "--noise", "readout:7", "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(("text", "spec"), [
    ("device:fake:sherbrooke,idle:off", NoiseSpec(device="fake:sherbrooke", idle=False)),
    ("device:fake:sherbrooke,scale:0.5", NoiseSpec(device="fake:sherbrooke", scale=0.5)),
    ("device:fake:fez,idle:OFF,scale:0", NoiseSpec(device="fake:fez", idle=False, scale=0.0)),
])
def test_device_modifiers_parse_and_round_trip(text, spec):
    parsed = parse_noise(text)
    assert parsed == spec
    assert parse_noise(parsed.describe()) == spec


@pytest.mark.parametrize("text", ["idle:off", "scale:0.5", "depolarize:0.01,scale:2", "device:fake:fez,scale:-1",
                                  "device:fake:fez,scale:nan", "device:fake:fez,idle:maybe", "device:fake:fez,scale:1e7"])
def test_device_modifiers_refused(text):
    with pytest.raises(InputError) as exc:
        parse_noise(text)
    assert "\n" not in str(exc.value) and "allowed" in str(exc.value)
