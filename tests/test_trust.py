"""Issue "Trust": numbers right at every size, bases never mixed, the bound prices the real circuit."""

import json
import math
from decimal import Decimal, getcontext

import numpy as np
import pytest
from qenergy.circuits import get_backend, run_simon
from qenergy.circuits.reversible import oracle_network

from qenergy.app.cli import main
from qenergy.energy.advantage import bound_table, criterion, crossover_n
from qenergy.energy.bounds import IrreversibleRegisterReuse, MinimalErasure, QuantumUpperBound
from qenergy.energy.counts import classical_min_queries
from qenergy.energy.magnitude import Magnitude, sci
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy
from qenergy.problem.instance import make_instance


def strict_json(text):
    """json.loads that refuses Infinity and NaN (what strict JSON parsers do)."""

    def bad(name):
        raise ValueError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=bad)


def exact_log10(count: int, unit_j: float) -> float:
    """log10(count × unit) with 50-digit decimals, independent of Magnitude."""
    getcontext().prec = 50
    return float((Decimal(count) * Decimal(unit_j)).log10())


# -- numbers at any size ------------------------------------------------------------------------


def test_magnitude_beyond_the_float_range():
    big = Magnitude.of_int(3**2000)
    assert big.value == math.inf and big.exact == 3**2000
    assert big.log10 == pytest.approx(2000 * math.log10(3), rel=1e-15)
    assert big.json() is None and big.fields("x") == {"x": None, "log10_x": big.log10}
    assert big.text(4) == sci(math.inf, 2000 * math.log10(3), 4) and big.text(4).startswith("1.")  # 3^2000 = 1.0...e954
    assert big.text(4).endswith("e+954")
    small = Magnitude.of_int(12345)
    assert small.json() == 12345 and small.csv() == "12345" and small < big and big > 1e300
    assert big.scaled(1e-300).log10 == pytest.approx(big.log10 - 300)
    assert big.over(big).value == pytest.approx(1.0)
    assert Magnitude.of_float(2.0).scaled(3.0).value == 6.0


def test_sci_rounds_up_to_the_next_exponent():
    assert sci(math.inf, 599.99999999, 4) == "1.0000e+600"


@pytest.mark.parametrize("n", [2300, 4096, 100_000])
def test_classical_bound_in_log_space_matches_exact_arithmetic(n):
    t = 300.0
    model = IrreversibleRegisterReuse()
    q = classical_min_queries(n)
    e = model.energy(n, t)
    assert e.value == math.inf  # beyond the float range ...
    assert e.log10 == pytest.approx(exact_log10((n - 1) * q, landauer_bit_energy(t)), abs=1e-9)  # ... and right to 10 digits
    assert model.energy_j(n, t) == math.inf


def test_float_and_log_paths_agree_where_both_exist():
    for n in (64, 1000, 2000):
        e = MinimalErasure().energy(n, 300.0)
        assert math.isfinite(e.value) and e.log10 == pytest.approx(math.log10(e.value), abs=1e-12)


def test_bounds_json_is_strict_up_to_4096(capsys):
    assert main(["bounds", "--n", "2:4096", "--json"]) == 0
    data = strict_json(capsys.readouterr().out)
    rows = data["rows"]
    assert [r["n"] for r in rows] == list(range(2, 4097))
    last = rows[-1]
    q = classical_min_queries(4096)
    assert last["classical_lower_j"] is None and last["classical_queries"] is None and last["ratio"] is None
    assert last["log10_classical_lower_j"] == pytest.approx(exact_log10(4095 * q, landauer_bit_energy(300.0)), abs=1e-9)
    assert last["log10_classical_queries"] == pytest.approx(exact_log10(q, 1.0), abs=1e-9)
    assert last["log10_ratio"] == pytest.approx(last["log10_classical_lower_j"] - math.log10(last["quantum_upper_j"]), abs=1e-9)
    small = rows[62]  # n = 64: exact integers and floats
    assert small["n"] == 64 and small["classical_queries"] == 3_841_535_535
    assert data["crossover_n"] == 12


def test_bounds_csv_and_table_beyond_the_float_range(capsys):
    assert main(["bounds", "--n", "4000", "--csv"]) == 0
    line = capsys.readouterr().out.splitlines()[1].split(",")
    assert line[0] == "4000" and "e+" in line[2] and float(line[2].split("e+")[1]) > 500
    assert main(["bounds", "--n", "4000"]) == 0
    out = capsys.readouterr().out
    assert "inf" not in out and "e+585" in out


def test_bounds_refuse_work_that_would_take_minutes(capsys):
    assert main(["bounds", "--n", "999000:1000000"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "exact arithmetic" in err and "at most 60 s" in err
    assert main(["bounds", "--n", "1:1000000000000"]) == 2
    assert "allowed: n <= 1,000,000" in capsys.readouterr().err


def test_simon_at_n_2300_on_stim_is_strict_json_and_ledger_complete(tmp_path, capsys):
    path = tmp_path / "l.jsonl"
    assert main(["simon", "--n", "2300", "--backend", "stim", "--classical", "none", "--seed", "4", "--ledger", str(path), "--json"]) == 0
    data = strict_json(capsys.readouterr().out)
    assert data["quantum"]["correct"] is True
    b = data["bounds"]
    assert b["classical_lower_j"] is None and b["log10_classical_lower_j"] > 300
    crit = b["criterion"]
    assert crit["advantage"] is True and crit["margin"] is None and crit["log10_margin"] > 300
    assert crit["quantum_basis"] == "upper_bound" and crit["classical_basis"] == "lower_bound"
    back = Ledger.load(path)
    assert back.energy_j("quantum", basis="upper_bound") == pytest.approx(data["quantum"]["energy_j"])


def test_sweep_past_the_float_range(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "--n", "2000:2300:300", "--classical", "none", "--repeats", "1", "--out", str(out), "--json"]) == 0
    data = strict_json(capsys.readouterr().out)
    assert data["solved"] == 2 and [r["n"] for r in data["rows"]] == [2000, 2300]
    assert data["rows"][1]["classical_lower_j"] is None
    for line in (out / "ledger.jsonl").read_text().splitlines():
        strict_json(line)
    report = (out / "report.md").read_text()
    assert "| 2300 |" in report and "9.028e+328 | 1.97e+342 |" in report and "inf" not in report


def test_crossover_uses_log_space_beyond_floats():
    rows = bound_table([3000, 3001], QuantumUpperBound(), IrreversibleRegisterReuse(), 300.0)
    assert crossover_n(rows) == 3000 and all(r.quantum_below for r in rows)
    v = criterion(1e-13, 3000, rows[0].classical_lower)
    assert v.advantage and v.margin.value == math.inf and v.margin.log10 > 400


# -- bases never mixed --------------------------------------------------------------------------


def test_fake_device_keeps_the_qpu_estimate_apart(capsys):
    pytest.importorskip("qiskit_ibm_runtime")
    assert main(["simon", "--n", "3", "--backend", "fake:fez", "--seed", "1", "--json"]) == 0
    data = strict_json(capsys.readouterr().out)
    totals = data["ledger"]["totals_j"]
    assert set(totals["quantum"]) == {"upper_bound"}  # no estimate inside a bound
    assert totals["qpu"]["estimated"] > 1e3 and data["quantum"]["qpu_energy_basis"] == "estimated"
    assert data["quantum"]["energy_j"] == pytest.approx(totals["quantum"]["upper_bound"]) and data["quantum"]["energy_j"] < 1e-10
    assert data["bounds"]["criterion"]["quantum_j"] == pytest.approx(data["quantum"]["energy_j"])


def test_summary_prints_each_basis_on_its_own(tmp_path, capsys):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led:
        led.charge("quantum", "qubit_reset", 4, 1e-21, "upper_bound", "x")
        led.charge("quantum", "energy_uj", 2, 1e-6, "measured", "y")
    assert main(["ledger", "summary", str(path), "--json"]) == 0
    assert strict_json(capsys.readouterr().out)["totals_j"] == {"quantum": {"upper_bound": 4e-21, "measured": 2e-6}}
    assert main(["ledger", "summary", str(path)]) == 0
    totals = capsys.readouterr().out.splitlines()[-1]
    assert "quantum 4.0000e-21 J upper_bound" in totals and "quantum 2.0000e-06 J measured" in totals


# -- the bound prices the real circuit ----------------------------------------------------------


@pytest.mark.parametrize("family", ["linear", "random", "table"])
@pytest.mark.parametrize("n", [2, 3, 5, 7])
def test_every_runs_upper_bound_charge_is_within_the_bound(family, n, tmp_path):
    gate_j = 1e-20
    seed = 11 * n
    if family == "table":
        inst0 = make_instance(n, None, "random", seed=seed)
        path = tmp_path / "t.json"
        path.write_text(json.dumps([int(v) for v in inst0.oracle.truth_table()]))
        inst = make_instance(None, None, f"table:{path}", seed=seed)
        fam = "anf"
    else:
        inst = make_instance(n, None, family, seed=seed)
        fam = "linear" if family == "linear" else "anf"
    bound = QuantumUpperBound(gate_energy_j=gate_j, family=fam)
    assert len(oracle_network(inst.oracle).gates) + 2 * n <= bound.gates_per_run(n)
    for backend in ("aer", "stim") if family == "linear" else ("aer",):
        ledger = Ledger(300.0)
        r = run_simon(inst, get_backend(backend, inst), ledger, rng=np.random.default_rng(seed), policy=BoundsPolicy(quantum=bound))
        charged = ledger.energy_j("quantum", basis="upper_bound")
        assert ledger.counts("quantum", "gate") > 0
        limit = r.shots * bound.per_run_j(n, 300.0) + bound.check_queries * 2 * n * bound.reset_j(300.0)
        assert charged <= limit * (1 + 1e-12), (family, n, backend, charged, limit)


def test_old_linear_gate_term_undercharged_random_oracles():
    """The reason for the family: a random oracle at n = 8 has far more than n² + 2n gates."""
    inst = make_instance(8, None, "random", seed=1)
    gates = len(oracle_network(inst.oracle).gates) + 16
    assert gates > 8 * 8 + 16
    assert gates <= QuantumUpperBound(family="anf").gates_per_run(8)


def test_anf_family_has_no_oracle_above_64():
    with pytest.raises(InputError, match="n <= 64"):
        QuantumUpperBound(gate_energy_j=1e-21, family="anf").energy_j(65, 300.0)


def test_carbon_export_and_simon_keep_bases_apart(tmp_path, capsys):
    import csv

    from qenergy.ledger.export import export_carbon

    led = Ledger(300.0)
    led.charge("meter", "energy_uj", 7, 1.0, "measured", "rapl")
    led.charge("meter", "energy_uj", 3, 1.0, "estimated", "cpu")
    led.charge("quantum", "bit_erased", 2, 1e-21, "upper_bound", "bound")
    with open(export_carbon(led, tmp_path / "c.csv")) as fh:
        rows = [(r["account"], r["basis"], float(r["energy_j"])) for r in csv.DictReader(fh)]
    assert rows == [("meter", "measured", 7.0), ("meter", "estimated", 3.0), ("quantum", "", 0.0)]
    assert main(["simon", "--n", "5", "--seed", "1", "--json"]) == 0
    m = strict_json(capsys.readouterr().out)["measured"]
    assert set(m["theoretical_j"]) == {"upper_bound", "lower_bound"} and "ratio_to_theoretical" not in m
    assert m["ratio_to_upper_bound"] == pytest.approx(m["joules"] / m["theoretical_j"]["upper_bound"])


def test_a_sweeps_own_energy_keeps_its_bases_apart():
    from qenergy.app.sweep import SweepResult
    from qenergy.errors import MixedBasisError

    one = SweepResult([], [], None, 0, 0, {}, {"estimated": 2.5})
    assert one.own_energy_j == 2.5 and one.own_energy_basis == "estimated"
    mixed = SweepResult([], [], None, 0, 0, {}, {"estimated": 2.5, "measured": 1.0})
    assert mixed.own_energy_basis is None
    with pytest.raises(MixedBasisError, match="several bases"):
        _ = mixed.own_energy_j
