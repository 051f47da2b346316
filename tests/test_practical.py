"""The practical energy advantage: the QPU power model by hand, the classical measurement and its
extrapolation, the shape of the comparison, the noise multiplier, and ``qenergy advantage`` end to end."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from cli_helpers import run_cli

from qenergy.errors import InputError
from qenergy.hardware.classical_machine import (
    CLASSICAL_PRESETS,
    MeasurementCache,
    collision_queries,
    fit_energy,
    rayleigh_quantile_factor,
)
from qenergy.hardware.noise import NoiseSpec, parse_noise
from qenergy.hardware.qpu import QPU_PRESETS, SCENARIOS, QPUPowerModel, get_qpu_preset

# --- the QPU power model against hand calculations ------------------------------------------------------


def test_heron_power_by_hand():
    heron = get_qpu_preset("ibm-heron")
    # mid: 1 cryostat (156 qubits per cryostat; 4 K heat 32 lines x 4.2 mW = 0.13 W < 1.8 W):
    # (10,700 + 1,800) + 156 x 61.25 + 1,000 = 23,055 W, x PUE 1.58
    assert heron.power(156, "mid").total_w == pytest.approx(23_055 * 1.58)
    # low: compressor 4,600, gas 1,800, control 8 W/qubit, servers 300 W, PUE 1.1
    assert heron.power(156, "low").total_w == pytest.approx((4_600 + 1_800 + 156 * 8 + 300) * 1.1)
    # high, whole components: the PT420-class cryocooler (10.7 kW with its 1.8 W at 4 K) beats the PT405 (4.6 kW, 0.5 W) for
    # the most power: 117 qubits per cryostat -> 2 cryostats (39 lines x 35 mW = 1.365 W < 1.8 W), one gas-handling system;
    # the qc_env rack for every qubit (245 W/qubit); 3,000 W; PUE 1.59 -> 102.4 kW (the mixed 10.7 kW + 0.5 W machine gave 122 kW)
    high = heron.power(156, "high")
    assert high.cryostats == 2
    assert high.total_w == pytest.approx((2 * 10_700 + 1 * 1_800 + 156 * 245 + 3_000) * 1.59)
    assert heron.options("high") == {"cryocooler": "PT420-class", "control stack": "qc_env rack per qubit"}
    assert heron.options("low") == {"cryocooler": "PT405", "control stack": "vendor controller"}
    # a larger device of the same technology: 312 qubits -> 2 cryostats, one gas-handling system
    assert heron.power(312, "mid").total_w == pytest.approx((2 * 10_700 + 1_800 + 312 * 61.25 + 1_000) * 1.58)
    # never below the preset's own device
    assert heron.power(4, "mid").total_w == heron.power(156, "mid").total_w
    # implied 4 K efficiency: (10,700 + 900) W per 1.8 W of cooling
    assert heron.specific_power_4k() == pytest.approx(11_600 / 1.8)


def test_sycamore_and_projected_power_by_hand():
    syc = get_qpu_preset("google-sycamore")
    assert syc.power(53).total_w == pytest.approx(26_000 * 1.58)
    assert syc.power(106).total_w == pytest.approx(2 * 26_000 * 1.58)  # beyond 53 qubits: whole copies (stated assumption)
    assert syc.power(53, "low").total_w == pytest.approx(25_000 * 1.1)
    proj = get_qpu_preset("projected-cryo-cmos")
    # 1,000 qubits: 4 K heat 1,000 x 2 mW + 200 lines x 4.2 mW = 2.84 W over 1.8 W -> 2 cryostats, 1 gas-handling system
    b = proj.power(1_000)
    assert b.cryostats == 2
    assert b.total_w == pytest.approx((2 * 10_700 + 1_800 + 1_000 * 0.5 + 1_000) * 1.2)


def test_job_energy_by_hand():
    heron = get_qpu_preset("ibm-heron")
    # one job of 100 shots of a 10 µs circuit: 2 s + 100 x (250 + 1.584 + 10) µs
    t = 2.0 + 100 * (250e-6 + 1.584e-6 + 10e-6)
    assert float(heron.run_time_s(100, 10e-6)) == pytest.approx(t)
    # ÷ utilisation 0.5 (an assumption: calibration and idle time charged to the jobs)
    assert float(heron.energy_j(8, 100, 10e-6)) == pytest.approx(23_055 * 1.58 * t / 0.5)
    # arrays broadcast
    e = heron.energy_j(np.array([4, 400]), np.array([10, 10]), 0.0)
    assert e.shape == (2,) and e[1] > e[0]


@pytest.mark.parametrize("name", sorted(QPU_PRESETS))
def test_every_parameter_is_sourced_and_scenarios_are_ordered(name):
    preset = QPU_PRESETS[name]
    for p in preset.parameters.values():
        assert p.low <= p.value <= p.high and p.source and p.how and p.unit
    for q in (4, 60, 156, 400, 2_000):
        lo, mid, hi = (preset.power(q, s).total_w for s in SCENARIOS)
        assert 0 < lo <= mid <= hi
    shots, dur = np.array([10, 1_000, 100_000]), 5e-5
    lo, mid, hi = (preset.energy_j(2 * 50, shots, dur, s) for s in SCENARIOS)
    assert np.all(lo <= mid) and np.all(mid <= hi)


@pytest.mark.parametrize("name", sorted(QPU_PRESETS))
def test_bands_take_whole_components_and_name_utilisation(name):
    preset = QPU_PRESETS[name]
    assert any(p["name"] == "utilisation" and p["how"] == "assumption" for p in preset.sources())
    for s in SCENARIOS:  # every component's parameters come from one option, the same one
        for comp in preset.components:
            chosen = comp.option(preset.options(s)[comp.name])
            assert all(preset.value(k, s) == v for k, v in chosen.values.items())
    if name == "projected-cryo-cmos":  # matched parts: at most ~151 kW (the mixed machine gave 312 kW)
        assert preset.power(1_000, "high").total_w == pytest.approx(151_200, rel=1e-3)


def test_sycamore_shot_period_holds_the_circuit():
    syc = get_qpu_preset("google-sycamore")
    # 200 µs per shot whatever the circuit within it; a longer circuit sets the period
    assert float(syc.run_time_s(1_000, 20e-6)) == pytest.approx(2.0 + 1_000 * 200e-6)
    assert float(syc.run_time_s(1_000, 300e-6)) == pytest.approx(2.0 + 1_000 * 300e-6)


def test_unknown_preset_and_parameter_list_what_is_available():
    with pytest.raises(InputError, match="allowed: ibm-heron, google-sycamore, projected-cryo-cmos"):
        get_qpu_preset("dwave")
    with pytest.raises(InputError, match="allowed: device_qubits"):
        get_qpu_preset("ibm-heron").with_values(watts=1.0)


def test_job_charges_use_the_preset_and_name_it():
    from qenergy.hardware.qpu import JobRecord
    from qenergy.ledger.book import Ledger

    ledger = Ledger()
    joules = QPUPowerModel().charge_job(ledger, JobRecord("j", "fake_fez", "DONE", 100, 1, 156, None, 2.5))
    assert joules == pytest.approx(2.5 * 23_055 * 1.58 / 0.5)  # ÷ utilisation: calibration and idle time charged to the jobs
    assert "preset ibm-heron" in ledger.charges[-1].provenance and "utilisation 0.5" in ledger.charges[-1].provenance
    # every QPU row of the job is estimated (the job count at 0 J too): one basis, so the account sums without an error
    assert {c.basis for c in ledger.charges} == {"estimated"}
    assert ledger.energy_j("quantum") == pytest.approx(joules)


# --- the classical side ------------------------------------------------------------------------------------


def test_collision_queries_follow_the_birthday_law():
    # birthday: kappa = sqrt(pi/2), so Q_P = sqrt(2 ln(1/(1-P))) 2^(n/2)
    assert collision_queries(40, 0.5) == pytest.approx(math.sqrt(2 * math.log(2)) * 2**20)
    assert rayleigh_quantile_factor(1 - math.exp(-math.pi / 4)) == pytest.approx(1.0)
    # the Rayleigh quantile matches the exact birthday tail P(Q > k) = prod (N - 2i)/(N - i) at n = 16
    n, p = 16, 0.9
    big_n = 2**n
    k = math.ceil(collision_queries(n, p))
    tail = math.exp(sum(math.log((big_n - 2 * i) / (big_n - i)) for i in range(k)))
    assert 1 - tail == pytest.approx(p, abs=0.01)
    with pytest.raises(InputError):
        rayleigh_quantile_factor(1.0)


def test_fit_recovers_a_linear_cost_and_refuses_what_it_cannot_fit():
    pts = [(n, int(1.25 * 2 ** (n / 2)), 0.3 + 2e-7 * 1.25 * 2 ** (n / 2), 0.1) for n in (30, 32, 34, 36)]
    fit = fit_energy("birthday", pts, basis="estimated", meter="m")
    assert fit.j_per_query == pytest.approx(2e-7, rel=1e-3) and fit.fixed_j == pytest.approx(0.3, rel=1e-3)
    assert fit.kappa == pytest.approx(1.25, rel=1e-3)
    with pytest.raises(InputError, match="two or more"):
        fit_energy("birthday", pts[:1], basis="estimated", meter="m")
    with pytest.raises(InputError, match="does not grow"):
        fit_energy("birthday", [(30, 10, 5.0, 0.1), (32, 20, 1.0, 0.1)], basis="estimated", meter="m")


def test_measured_joules_per_query_fit_the_measured_points_and_are_cached(tmp_path):
    from qenergy.classical import birthday_search

    from qenergy.app.practical import measure_classical
    from qenergy.ledger.book import Ledger
    from qenergy.ledger.meter import measure
    from qenergy.problem.instance import make_instance

    cache = MeasurementCache(tmp_path / "cache")
    fit, cached = measure_classical("birthday", cache=cache, sizes=(42, 43, 44, 45))
    assert not cached and fit.j_per_query > 0 and len(fit.points) == 4
    # extrapolation: the fit over n = 42..45 predicts a measured search at n = 47 (about 2-3x the queries of the
    # largest fitted run) within a factor 3 (the CPU-time meter counts 10 ms ticks, and the machine is shared:
    # the fitted runs are kept at tens of milliseconds or more, also with the compiled kernels)
    inst, ledger = make_instance(47, None, "random", seed=5), Ledger()
    with measure(ledger, "held out") as window:
        r = birthday_search(inst, ledger, rng=np.random.default_rng(5))
    assert 1 / 3 < fit.predict_j(r.queries) / window.exclusive_j < 3
    # kappa of birthday is near sqrt(pi/2) (4 runs: loose)
    assert 0.3 < fit.kappa < 4
    again, cached = measure_classical("birthday", cache=cache)
    assert cached and again == fit
    entry = json.loads(cache.path.read_text())
    assert entry.pop("qenergy_cache") == 1
    assert list(entry.values())[0]["date"] == fit.date
    # an old measurement is taken again
    import datetime as dt

    assert cache.load("birthday", fit.meter, kernel=fit.kernel) == fit
    assert cache.load("birthday", fit.meter, kernel=fit.kernel, today=dt.date.fromisoformat(fit.date) + dt.timedelta(days=31)) is None
    # the fit names the kernel it measured: the fastest installed (numba with the fast extra)
    from qenergy.problem.kernels import resolve_kernel

    assert fit.kernel == resolve_kernel() and f"({fit.kernel} kernel)" in fit.machine_entry().source


def test_numpy_and_compiled_kernels_measured_side_by_side(tmp_path):
    """measure_kernels measures the other installed kernel with the same meter (really running it: the numpy
    kernel's fit says numpy), keeps the one used first, and caches each under its own key."""
    from qenergy.app.practical import kernel_rows, measure_classical, measure_kernels
    from qenergy.problem.kernels import numba_available

    cache = MeasurementCache(tmp_path / "cache")
    fit, _ = measure_classical("parallel-rho", cache=cache)  # the default sizes: runs long enough for the CPU-time meter
    fits = measure_kernels(fit, cache=cache)
    assert fits[0] is fit
    if not numba_available():
        assert fits == (fit,)
        return
    assert [f.kernel for f in fits] == ["numba", "numpy"]
    assert fits[1].algorithm == "parallel-rho" and len(fits[1].points) >= 2
    # both kernels make the same queries at the same n (bit-identical searches): the points' query counts agree
    same_n = {p[0] for p in fits[0].points} & {p[0] for p in fits[1].points}
    assert same_n and all(dict((p[0], p[1]) for p in fits[0].points)[n] == dict((p[0], p[1]) for p in fits[1].points)[n] for n in same_n)
    rows = kernel_rows(fits)
    assert [r["used"] for r in rows] == [True, False] and rows[0]["j_per_query_over_used"] == 1.0
    assert rows[1]["j_per_query_over_used"] == pytest.approx(fits[1].j_per_query / fit.j_per_query)
    again = measure_kernels(fit, cache=cache)
    assert again[1] == fits[1]  # cached under the numpy key, apart from the compiled fit


# --- the comparison -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inputs():
    from qenergy.circuits.timing import circuit_timing

    from qenergy.hardware.classical_machine import EnergyFit

    fit = EnergyFit("birthday", 1e-6, 0.0, math.sqrt(math.pi / 2), "estimated", "test meter", ((40, 1, 1.0, 1.0),), "2026-12-01", "test")
    return fit, circuit_timing("fake:fez", sizes=(2, 4, 8, 16, 24))


def _compute(inputs, ns, *, preset="ibm-heron", noise=None, success=Fraction(2, 3)):
    from qenergy.app.practical import compute_advantage
    from qenergy.ledger.charging import BoundsPolicy

    fit, timing = inputs
    noise = noise if noise is not None else NoiseSpec()
    policy = BoundsPolicy.from_settings(epsilon=1e-6, steps=1000, gate_energy_j=0.0, classical_model="irreversible", family="linear")
    return compute_advantage(ns, get_qpu_preset(preset) if isinstance(preset, str) else preset, noise=noise, success=success,
                             algorithm="birthday", fit=fit, fit_cached=True, timing=timing, quantum=policy.quantum,
                             classical=policy.classical, temperature_k=300.0)


def test_kernel_side_by_side_in_result_json_and_report(inputs):
    """A kernel 4x dearer per query moves the QPU's crossover against this machine down by about 4 bits (queries
    grow as 2^(n/2)); the JSON and the report show both kernels with their ratio."""
    import dataclasses

    from qenergy.app.practical import compute_advantage, report_markdown
    from qenergy.ledger.charging import BoundsPolicy

    fit, timing = inputs
    fast = dataclasses.replace(fit, kernel="numba", j_per_query=1e-7, points=((46, 10**8, 10.0, 0.5), (48, 2 * 10**8, 20.0, 1.0)))
    slow = dataclasses.replace(fit, kernel="numpy", j_per_query=4e-7, points=((46, 10**8, 40.0, 2.0), (48, 2 * 10**8, 80.0, 4.0)))
    policy = BoundsPolicy.from_settings(epsilon=1e-6, steps=1000, gate_energy_j=0.0, classical_model="irreversible", family="linear")
    res = compute_advantage(list(range(2, 129)), get_qpu_preset("ibm-heron"), noise=NoiseSpec(), success=Fraction(2, 3), algorithm="birthday",
                            fit=fast, fit_cached=True, timing=timing, quantum=policy.quantum, classical=policy.classical,
                            temperature_k=300.0, kernel_fits=(fast, slow))
    rows = res.to_dict()["classical_machine"]["kernels"]
    assert [(r["kernel"], r["used"]) for r in rows] == [("numba", True), ("numpy", False)]
    assert rows[1]["j_per_query_over_used"] == pytest.approx(4.0) and rows[1]["queries_per_s_over_used"] == pytest.approx(0.25)
    n_fast, n_slow = rows[0]["crossover_this_machine"], rows[1]["crossover_this_machine"]
    assert n_fast is not None and n_slow is not None and 2 <= n_fast - n_slow <= 6
    text = report_markdown(res, [], "qenergy advantage --n 2:128")
    assert "### This machine by kernel" in text and "| numpy | no | 4e-07 |" in text and "| numba | yes | 1e-07 |" in text


def test_shape_classical_exponential_quantum_polynomial(inputs):
    res = _compute(inputs, list(range(8, 129, 2)))
    for a, b in zip(res.rows, res.rows[1:]):
        for s in SCENARIOS:
            assert b.classical_j[s] / a.classical_j[s] == pytest.approx(2.0)  # 2^(n/2) per two bits
    by_n = {r.n: r for r in res.rows}
    for n in (16, 32, 64):
        assert by_n[2 * n].quantum_j["mid"] / by_n[n].quantum_j["mid"] < (2.0**3)  # at most cubic growth
    # the job's quantum energy at n = 8 by hand: 36,427 W x (2 s + 9 shots x (251.584 µs + routed duration))
    r8 = by_n[8]
    assert r8.shots == 9  # n - 1 + ceil(log2 3) = 7 + 2
    assert r8.quantum_j["mid"] == pytest.approx(23_055 * 1.58 * (2 + 9 * (250e-6 + 1.584e-6 + r8.duration_s)) / 0.5)  # utilisation 0.5
    # crossovers: low <= mid <= high, all above the theoretical one
    c = res.practical_crossover
    assert c["low"] is not None and c["low"] <= c["mid"] <= c["high"]
    assert res.theoretical_crossover is not None and res.theoretical_crossover < c["low"]


def test_crossover_is_where_the_bands_cross(inputs):
    res = _compute(inputs, list(range(40, 129)))
    mid = res.practical_crossover["mid"]
    by_n = {r.n: r for r in res.rows}
    assert by_n[mid].quantum_j["mid"] <= by_n[mid].classical_j["mid"]
    assert by_n[mid - 1].quantum_j["mid"] > by_n[mid - 1].classical_j["mid"]


@pytest.mark.parametrize("spec", ["depolarize:0.0001", "depolarize:0.001", "readout:0.01", "readout:0.05,depolarize:0.0005", "device:fake:fez"])
def test_noise_never_lowers_the_quantum_figure(inputs, spec):
    ns = list(range(2, 41, 2))
    ideal = _compute(inputs, ns)
    noisy = _compute(inputs, ns, noise=parse_noise(spec))
    for a, b in zip(ideal.rows, noisy.rows):
        if b.noise.multiplier is None:
            assert all(b.quantum_j[s] is None for s in SCENARIOS)
            continue
        assert b.noise.multiplier >= 1.0 and b.shots >= a.shots
        for s in SCENARIOS:
            assert b.quantum_j[s] >= a.quantum_j[s]


def test_noise_multiplier_grows_with_noise_and_matches_the_noisy_solver():
    from qenergy.circuits.noisy_solver import shots_for_target

    from qenergy.hardware.noise_model import noise_multiplier, noiseless_shots

    mults = [noise_multiplier(NoiseSpec(readout=p), 12, 2 / 3, one_qubit_gates=24, two_qubit_gates=30).multiplier for p in (0.0, 0.001, 0.01, 0.05)]
    assert mults[0] == 1.0 and all(b >= a for a, b in zip(mults, mults[1:]))
    # the capacity estimate against the noisy solver's own certification rule
    for n in (8, 12):
        for eta in (0.05, 0.1, 0.2):
            readout = 1 - (1 - 2 * eta) ** (1 / n)  # clean probability 1 - 2 eta from readout flips alone
            est = noise_multiplier(NoiseSpec(readout=readout), n, 2 / 3, one_qubit_gates=0, two_qubit_gates=0)
            assert est.corruption == pytest.approx(eta)
            solver = shots_for_target(n, eta, 2 / 3, start=n, limit=100_000)
            assert 0.6 < solver / est.shots < 1.6
    # unreachable: more than MAX_SHOTS shots
    hopeless = noise_multiplier(NoiseSpec(depolarize=0.5), 60, 0.99, one_qubit_gates=120, two_qubit_gates=5_000)
    assert hopeless.multiplier is None and hopeless.shots is None
    assert noiseless_shots(10, 0.99) == 9 + 7


def test_sensitivity_names_what_moves_the_crossover(inputs):
    from qenergy.app.practical import sensitivity

    ns = list(range(40, 129))
    compute = lambda p: _compute(inputs, ns, preset=p)  # noqa: E731
    rows = sensitivity(compute(get_qpu_preset("ibm-heron")), compute)
    names = [r["parameter"] for r in rows]
    # a component varies as whole machines (never its power per qubit without its qubits per line)
    assert "control_w_per_qubit" not in names and any(n.startswith("classical machine: asic") for n in names)
    ctl = next(r for r in rows if r["parameter"].startswith("component control stack"))
    assert ctl["low"] <= ctl["mid"] <= ctl["high"]
    assert ctl["crossover_at_low"] <= ctl["crossover_mid"] <= ctl["crossover_at_high"]
    # the classical machine moves it most (an ASIC is ~10^3 x cheaper per query than the GPU: ~20 bits)
    assert rows[0]["parameter"].startswith("classical machine")


# --- the command ------------------------------------------------------------------------------------------------


def test_advantage_json_has_the_documented_keys(capsys):
    code, out, err = run_cli(["advantage", "--n", "2:90", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert {"rows", "crossover", "qpu", "classical_machine"} <= d.keys()
    row = d["rows"][0]
    assert row["n"] == 2
    for side in ("quantum_upper_j", "classical_lower_j"):
        assert set(row["theoretical"][side]) == {"low", "mid", "high"}
    for side in ("quantum_j", "classical_j"):
        assert set(row["practical"][side]) == {"low", "mid", "high"}
    assert set(d["crossover"]) == {"theoretical", "practical"} and set(d["crossover"]["practical"]) == {"low", "mid", "high"}
    assert d["qpu"]["preset"] == "ibm-heron" and d["qpu"]["power_w"]["mid"] == pytest.approx(23_055 * 1.58)
    assert all(s["source"] and s["how"] for s in d["qpu"]["sources"])
    cm = d["classical_machine"]
    assert cm["j_per_query"] > 0 and cm["basis"] in ("measured", "estimated") and "measured on this machine" in cm["source"]
    assert {m["name"] for m in cm["machines"]} == {"this-machine", *CLASSICAL_PRESETS}
    assert d["crossover"]["theoretical"] == 12


def test_advantage_out_dir_report_csv_plot_and_file_safety(tmp_path, capsys):
    out = tmp_path / "adv"
    code, text, err = run_cli(["advantage", "--n", "60:100", "--out", str(out), "--sensitivity"], capsys)
    assert code == 0, err
    from qenergy.problem.kernels import resolve_kernel

    line = next(x for x in text.splitlines() if x.startswith("this machine by kernel: "))
    assert f"{resolve_kernel()} (used)" in line and line.count(" J/query, ") == (2 if resolve_kernel() == "numba" else 1)
    report = (out / "report.md").read_text()
    assert "### This machine by kernel" in report
    assert report.startswith("# qenergy advantage report") and "## Sensitivity" in report and "## QPU preset: ibm-heron" in report
    rows = (out / "advantage.csv").read_text().splitlines()
    assert rows[0].startswith("n,qubits,shots") and len(rows) == 1 + 41
    from qenergy.app.plots import png_software

    assert png_software(out / "advantage.png") == "qenergy advantage"
    # our own files are replaced on a second run; a foreign file is not, without --force
    assert run_cli(["advantage", "--n", "60:70", "--out", str(out)], capsys)[0] == 0
    (out / "report.md").write_text("my notes\n")
    code, _, err = run_cli(["advantage", "--n", "60:70", "--out", str(out)], capsys)
    assert code == 2 and "was not written by qenergy advantage" in err and len(err.strip().splitlines()) == 1
    assert (out / "report.md").read_text() == "my notes\n"
    assert run_cli(["advantage", "--n", "60:70", "--out", str(out), "--force"], capsys)[0] == 0


def test_from_ledger_places_a_fake_device_run(tmp_path, capsys):
    ledger = tmp_path / "run.jsonl"
    code, _, err = run_cli(["simon", "--n", "3", "--backend", "fake:fez", "--classical", "none", "--seed", "1", "--ledger", str(ledger)], capsys)
    assert code == 0, err
    code, out, err = run_cli(["advantage", "--n", "2:40", "--from-ledger", str(ledger), "--json"], capsys)
    assert code == 0, err
    run = json.loads(out)["from_ledger"]
    assert run["n"] == 3 and run["jobs"] == 1 and run["qpu_basis"] == "estimated" and run["qpu_j"] > 1e4
    assert run["margin"]["high"] < 1 and "more energy than even the least efficient" in run["statement"]
    # the ledger is an input: never an output
    code, _, err = run_cli(["advantage", "--n", "2:4", "--from-ledger", str(ledger), "--out", str(tmp_path)], capsys)
    assert code == 0 and ledger.read_text().count("qpu_job") == 1


@pytest.mark.parametrize("argv, names", [
    (["--n", "1:5"], "2 <= n"),
    (["--n", "2:5000"], "n <= 1024"),
    (["--qpu", "dwave"], "allowed: ibm-heron"),
    (["--classical", "rho"], "allowed: birthday, parallel-rho"),
    (["--noise", "depolarize:2"], "depolarize"),
    (["--success", "1"], "success"),
    (["--from-ledger", "/nonexistent/ledger.jsonl"], "--from-ledger"),
])
def test_bad_inputs_exit_2_with_one_line(argv, names, capsys):
    code, out, err = run_cli(["advantage", *argv], capsys)
    assert code == 2 and names in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_ledger_without_qpu_jobs_is_refused(tmp_path, capsys):
    ledger = tmp_path / "sim.jsonl"
    assert run_cli(["simon", "--n", "3", "--backend", "stim", "--classical", "none", "--ledger", str(ledger)], capsys)[0] == 0
    code, _, err = run_cli(["advantage", "--n", "2:4", "--from-ledger", str(ledger)], capsys)
    assert code == 2 and "holds no QPU job charges" in err


def test_circuit_timing_is_cached_by_device_sizes_and_versions(tmp_path):
    from qenergy.circuits.timing import circuit_timing

    cache = MeasurementCache(tmp_path)
    first = circuit_timing("fake:fez", sizes=(2, 4, 8), cache=cache)
    keys = [k for k in json.loads(cache.path.read_text()) if k != "qenergy_cache"]
    assert len(keys) == 1 and keys[0].startswith("timing|fake:fez|2,4,8|1|qiskit ")
    again = circuit_timing("fake:fez", sizes=(2, 4, 8), cache=cache)
    assert again == first and again.duration_s(8) == first.points[-1][1]
    # other sizes are another entry, routed afresh
    circuit_timing("fake:fez", sizes=(2, 4), cache=cache)
    assert len(json.loads(cache.path.read_text())) == 2 + 1  # and the marker


def test_without_the_ibm_extra_advantage_says_what_to_install(tmp_path, monkeypatch, capsys):
    import sys

    from qenergy.circuits.noise import _load_fake

    monkeypatch.setenv("QENERGY_CACHE_DIR", str(tmp_path))  # nothing cached: the timing must be routed
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)
    _load_fake.cache_clear()
    try:
        code, _, err = run_cli(["advantage", "--n", "2:8"], capsys)
    finally:
        _load_fake.cache_clear()
    assert code == 2 and "install the ibm extra" in err and len(err.strip().splitlines()) == 1


def test_a_ledger_run_keeps_its_qpu_energy_on_one_basis(tmp_path):
    from qenergy.app.practical import read_ledger_run
    from qenergy.hardware.qpu import JobRecord
    from qenergy.ledger.book import Ledger

    path = tmp_path / "run.jsonl"
    with Ledger.open(path, command="qenergy simon --n 5 --backend fake:fez") as ledger:
        QPUPowerModel().charge_job(ledger, JobRecord("j", "fake_fez", "DONE", 100, 1, 156, None, 2.5), account="qpu")
    run = read_ledger_run(path)
    assert (run.n, run.jobs, run.basis) == (5, 1, "estimated") and run.qpu_j == pytest.approx(2.5 * 23_055 * 1.58 / 0.5)
    with Ledger.open(path) as ledger:  # a metered QPU energy beside the estimate: two bases, never added
        ledger.charge("qpu", "energy_uj", 1_000_000, 1e-6, "measured", "a wall-plug meter")
    with pytest.raises(InputError, match="several bases"):
        read_ledger_run(path)


def test_a_foreign_file_at_the_cache_path_is_never_replaced(tmp_path):
    from qenergy.circuits.timing import circuit_timing

    cache = MeasurementCache(tmp_path)
    for foreign in ("my notes\n", '{"mine": 1}'):
        cache.path.write_text(foreign)
        circuit_timing("fake:fez", sizes=(2, 4), cache=cache)  # works, and caches nothing
        assert cache.path.read_text() == foreign
        with pytest.raises(OSError, match="not a qenergy cache"):
            cache.store_entry("k", {"a": 1})
        assert cache.path.read_text() == foreign and cache.load_entry("mine") is None
