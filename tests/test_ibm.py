"""The IBM path through qiskit-ibm-runtime's local mode with fake devices: no network, no account."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("qiskit_ibm_runtime")

from qenergy.circuits import get_backend, run_simon
from qenergy.circuits.ibm_backend import IBMRuntimeBackend, fake_backend_names, sample_batch
from qenergy.circuits.simon import run_simon_batch

from qenergy.errors import InputError
from qenergy.hardware.qpu import JobRecord, QPUPowerModel, estimate_usage_seconds
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance

TOKEN = "qenergy-TEST-token-5f3a9c"


def test_fake_device_end_to_end():
    inst = make_instance(3, 0b110, "linear", seed=3)
    ledger = Ledger(300.0)
    r = run_simon(inst, get_backend("fake:fez"), ledger, rng=np.random.default_rng(0))
    assert r.found == 0b110 and r.strategy == "robust" and 0.5 < r.confidence <= 1.0
    assert len(r.job_ids) == 1 and r.metadata.backend == "fake:fez" and r.metadata.method == "local-noisy"
    assert set(r.metadata.gate_counts) <= {"rz", "sx", "x", "cz", "measure", "barrier", "delay", "id"}  # ISA for Heron
    jobs = [c for c in ledger.charges if c.resource == "qpu_job"]
    assert len(jobs) == 1 and r.job_ids[0] in jobs[0].provenance and "DONE" in jobs[0].provenance
    (time_charge,) = [c for c in ledger.charges if c.resource == "qpu_time_us"]
    assert time_charge.basis == "estimated" and "usage estimated" in time_charge.provenance
    # local mode reports no usage: 2 s per sub-job + (rep_delay + circuit duration) x shots
    assert 2.0e6 < time_charge.count < 2.5e6
    assert r.qpu_energy_j == pytest.approx(time_charge.energy_j)
    assert ledger.counts("quantum", "query") == r.shots + r.confirmation_queries


def test_noise_aware_success_rate_over_many_seeds():
    """n = 2..6, eight seeds each, every circuit in one batched job per device: at least 95 % recovered."""
    solved = total = 0
    for device, seeds in (("fake:guadalupe", range(8)), ("fake:fez", range(2))):
        backend = IBMRuntimeBackend(device)
        instances = [make_instance(n, None, "linear", seed=100 * n + s) for n in range(2, 7) for s in seeds]
        prepared = [backend.prepare(inst, rng=np.random.default_rng(i)) for i, inst in enumerate(instances)]
        ledger = Ledger()
        results = run_simon_batch(instances, prepared, ledger, sample_all=sample_batch, rng=np.random.default_rng(1))
        solved += sum(r.found == inst.secret for r, inst in zip(results, instances))
        total += len(instances)
        assert ledger.counts("qpu", "qpu_job") == 1  # one job for the whole batch
        assert all(r.strategy == "robust" and r.shots >= 512 for r in results)
    assert solved / total >= 0.95, f"{solved}/{total}"


def test_one_to_one_on_a_noisy_device():
    inst = make_instance(4, 0, "random", seed=2)
    r = run_simon(inst, get_backend("fake:fez"), Ledger(), rng=np.random.default_rng(2), max_candidates=4)
    # under noise f(0) != f(c) proves nothing: s = 0 is reported only after the classical proof
    # (2^(n-1) + 1 distinct queries without a collision), which is charged
    assert r.status == "solved_classically" and r.found == 0 and r.resolved_by == "proof"
    assert r.candidates_tried <= 4 and r.confirmation_queries >= (1 << 3) + 1


def test_failed_jobs_are_recorded_and_charge_nothing():
    ledger = Ledger()
    job = JobRecord("job-x", "fake_fez", "CANCELLED", 100, 1, 156, None, 2.5)
    assert QPUPowerModel().charge_job(ledger, job) == 0.0
    assert [c.resource for c in ledger.charges] == ["qpu_job"] and "CANCELLED" in ledger.charges[0].provenance
    done = JobRecord("job-y", "ibm_fez", "DONE", 100, 1, 156, 3.0, 2.5)
    joules = QPUPowerModel(overrides_w={"ibm_fez": 20_000.0}, pue=1.5).charge_job(ledger, done)
    assert joules == pytest.approx(3.0 * 20_000.0 * 1.5 / 0.5)  # ÷ the preset's utilisation: calibration and idle time charged
    assert "reported by the service" in ledger.charges[-1].provenance
    assert estimate_usage_seconds(1000, 5e-6, 250e-6, 1.584e-6) == pytest.approx(2.255 + 1000 * 1.584e-6)


def test_job_usage_estimate_is_the_presets_run_time_formula():
    """One usage formula: a fake job's estimate includes the device's reset, as QPUPreset.run_time_s does."""
    from qenergy.hardware.qpu import get_qpu_preset

    heron = get_qpu_preset("ibm-heron")  # its timing parameters are ibm_fez's: rep_delay 250 µs, reset 1.584 µs
    inst = make_instance(3, 0b110, "linear", seed=3)
    prep = get_backend("fake:fez").prepare(inst, rng=np.random.default_rng(0))
    assert prep.reset_s == pytest.approx(heron.value("reset_s")) and prep.rep_delay_s == pytest.approx(heron.value("rep_delay_s"))
    prep.sample(300)
    (job,) = prep.jobs
    assert job.shots == 300 and job.estimated_s == pytest.approx(float(heron.run_time_s(300, prep.duration_s)), rel=1e-12)
    without_reset = estimate_usage_seconds(300, prep.duration_s, prep.rep_delay_s, 0.0)
    assert job.estimated_s - without_reset == pytest.approx(300 * 1.584e-6)


def test_device_errors():
    with pytest.raises(InputError, match=r"allowed fake devices: .*fake:fez.*fake:kingston.*fake:torino"):
        get_backend("fake:nowhere")
    assert {"fake:fez", "fake:kingston", "fake:torino", "fake:sherbrooke"} <= set(fake_backend_names())
    with pytest.raises(InputError, match=r"needs 12 qubits \(2n for n = 6\); device fake:manila has 5"):
        get_backend("fake:manila").prepare(make_instance(6, 3, "linear"), rng=np.random.default_rng())


def run_cli(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "qenergy", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_token_never_reaches_ledger_output_or_errors(tmp_path):
    env = {**os.environ, "QISKIT_IBM_TOKEN": TOKEN, "QISKIT_IBM_INSTANCE": "crn:v1:test", "HOME": str(tmp_path)}
    outputs = []
    ok = run_cli(["simon", "--n", "3", "--backend", "fake:fez", "--ledger", "l.jsonl", "--json"], env, tmp_path)
    assert ok.returncode == 0, ok.stderr
    outputs += [ok.stdout, ok.stderr]
    bad = run_cli(["simon", "--n", "3", "--backend", "ibm:ibm_fez", "--ledger", "l.jsonl"], env, tmp_path)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    outputs += [bad.stdout, bad.stderr]
    for args in (["ledger", "show", "l.jsonl", "--json"], ["ledger", "summary", "l.jsonl"], ["ledger", "export", "l.jsonl", "--csv", "c.csv", "--codecarbon", "e.csv"]):
        res = run_cli(args, env, tmp_path)
        assert res.returncode == 0
        outputs += [res.stdout, res.stderr]
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert files and all(TOKEN not in text for text in outputs + files)
    assert json.loads(ok.stdout)["quantum"]["job_ids"]  # the device path really ran


def test_no_credentials_names_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QISKIT_IBM")}
    env["HOME"] = str(tmp_path)  # no saved account either
    res = run_cli(["simon", "--n", "3", "--backend", "ibm:ibm_fez"], env, tmp_path)
    assert res.returncode == 2 and "QISKIT_IBM_TOKEN" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_sweep_on_a_device_sends_one_batched_job(tmp_path, capsys):
    from qenergy.app.cli import main

    assert main(["sweep", "--n", "2:3", "--repeats", "2", "--backend", "fake:guadalupe", "--out", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["instances"] == 4 and data["solved"] == 4
    ledger = Ledger.load(tmp_path / "ledger.jsonl")
    assert ledger.counts("qpu", "qpu_job") == 1 and len(ledger.notes) == 4
    assert {c.label for c in ledger.charges if c.resource == "qpu_job"} == {"batch"}
