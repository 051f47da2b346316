"""Plug-in models: interface, formulas, Monte Carlo checks, the Szilard net, and the CLI."""

import json
import math

import numpy as np
import pytest
from cli_helpers import run_cli
from qiskit.quantum_info import DensityMatrix, Statevector

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import build_model, discover_models, param_infos
from qenergy.models.hebbian import HebbianMemory, expected_density, one_iteration_error
from qenergy.models.work_extraction import check_extraction, overlap


def test_entry_points_find_the_models():
    models = discover_models()
    assert {"hebbian", "landauer", "work-extraction"} <= set(models)
    for cls in models.values():
        assert cls.summary and cls.account
        for p in param_infos(cls):
            assert p.help or p.unit or p.choices, p.name


def test_parameters_are_checked():
    with pytest.raises(InputError, match="parameter messages = '0' is out of range; allowed: an integer in 1..1e\\+07"):
        build_model("hebbian", {"M": "0"})
    with pytest.raises(InputError, match="parameter mode = 'sideways' is not allowed; allowed: guided \\| blind"):
        build_model("hebbian", {"mode": "sideways"})
    with pytest.raises(InputError, match="allowed: erased <= active"):
        build_model("hebbian", {"active": "4", "erased": "5"})
    with pytest.raises(InputError, match="has no parameter 'x'"):
        build_model("landauer", {"x": "1"})
    assert build_model("hebbian", {"c": "8", "chi": "50", "M": "1e3"}).messages == 1000


# -- Landauer at any temperature (models.md §8) -------------------------------------------------

def test_landauer_cbbc_orders_of_magnitude(capsys):
    code, out, _ = run_cli(["model", "landauer", "--param", "temperature=1e-29", "--json"], capsys)
    r = json.loads(out)["result"]
    assert code == 0
    assert round(math.log10(r["erg_per_bit"])) == -45  # ~1e-45 erg per bit
    assert round(math.log10(r["grams_per_bit"])) == -66  # ~1e-66 g per bit
    assert r["joules_per_bit"] == pytest.approx(9.57e-53, rel=1e-3)
    code, out, _ = run_cli(["model", "landauer", "--param", "temperature=300", "--json"], capsys)
    r = json.loads(out)["result"]
    assert r["joules_per_bit"] == pytest.approx(2.870979e-21, rel=1e-6) and r["ev_per_bit"] == pytest.approx(1.791924e-2, rel=1e-6)


def test_landauer_preset_is_flagged_as_conjecture():
    led = Ledger()
    r = build_model("landauer", {"preset": "cbbc", "bits": "8"}).run(led)
    assert "conjecture" in r["scenario"] and "conjecture" in led.charges[0].provenance and led.charges[0].count == 8


# -- work extraction (models.md §6) ---------------------------------------------------------------

def test_marletto_distinguishability_cases():
    zero, one, plus = (Statevector.from_label(s) for s in "01+")
    assert check_extraction([zero, one], [0.0, 1.0]).possible
    bad = check_extraction([zero, plus], [0.0, 1.0])
    assert not bad.possible and bad.pair == (0, 1) and bad.overlap == pytest.approx(0.5)
    assert not check_extraction([zero, zero], [0.0, 1.0]).possible  # same state, two works
    assert check_extraction([zero, plus], [1.0, 1.0]).possible  # equal works need no distinguishing
    assert not check_extraction([zero, plus], [1.0, 1.0], strict=True).possible
    mixed_a = DensityMatrix(np.diag([0.5, 0.5, 0, 0]))
    mixed_b = DensityMatrix(np.diag([0, 0, 0.3, 0.7]))
    mixed_c = DensityMatrix(np.diag([0, 0.5, 0.5, 0]))
    assert check_extraction([mixed_a, mixed_b], [0.0, 2.0]).possible
    assert not check_extraction([mixed_a, mixed_c], [0.0, 2.0]).possible
    assert overlap(zero, plus) == pytest.approx(0.5)
    with pytest.raises(InputError):
        check_extraction([zero], [0.0, 1.0])


def test_szilard_cycle_never_shows_a_net_gain(capsys):
    for temperature in ("0.02", "4.2", "300"):
        code, out, _ = run_cli(["model", "work-extraction", "--param", f"temperature={temperature}", "--param", "bits=3", "--json"], capsys)
        r = json.loads(out)
        assert code == 0 and r["result"]["net_j"] >= 0.0
        assert r["result"]["extracted_j"] == pytest.approx(r["result"]["erasure_j"])
        t = r["ledger"]["totals_j"]["work-extraction"]  # per basis: the credit (upper bound) never exceeds the erasure's cost
        assert set(t) == {"upper_bound", "lower_bound"} and t["lower_bound"] >= -t["upper_bound"] > 0


def test_coherent_states_refused(capsys):
    code, _, err = run_cli(["model", "work-extraction", "--param", "states=coherent"], capsys)
    assert code == 2 and "states 0 and 1 overlap" in err and len(err.strip().splitlines()) == 1


def test_credits_only_as_upper_bound_extracted_work():
    led = Ledger()
    with pytest.raises(InputError, match="negative only for work_extracted"):
        led.charge("x", "bit_erased", 1, -1e-21, "lower_bound", "")
    with pytest.raises(InputError):
        led.charge("x", "work_extracted", 1, -1e-21, "measured", "")
    led.charge("x", "work_extracted", 1, -1e-21, "upper_bound", "credit")
    assert led.totals_j()["x"] == {"upper_bound": -1e-21}


# -- Hebbian memory (models.md §1) ----------------------------------------------------------------

def test_density_formula_and_inverse():
    assert expected_density(100, 64, 12, 50_000) == pytest.approx(0.1502, abs=1e-4)  # digest §1(e)
    assert expected_density(100, 64, 12, 150_000) == pytest.approx(0.3863, abs=1e-4)
    assert one_iteration_error(0.0, 100, 64, 12, 3, blind=True) == 0.0


@pytest.mark.parametrize("seed", [1, 2])
def test_simulated_density_matches_formula(seed):
    m = HebbianMemory(clusters=20, neurons=16, active=5, messages=3000, tests=10)
    r = m.run(Ledger(), seed=seed)
    potential = 20 * 19 * 16**2 / 2
    d = r["expected_density"]
    sigma = math.sqrt(d * (1 - d) / potential)
    assert abs(r["density"] - d) < 4 * sigma + 0.005  # edges are only approximately independent


@pytest.mark.parametrize("mode, messages", [("guided", 150_000), ("blind", 100_000)])
def test_one_iteration_error_matches_monte_carlo(mode, messages):
    """The standard network (chi = 100, l = 64, c = 12, 3 erased): simulated one-iteration error against P_e."""
    tests = 3000
    m = HebbianMemory(messages=messages, iterations=1, tests=tests, mode=mode)
    r = m.run(Ledger(), seed=11)
    p = r["one_iteration_error_formula"]
    sigma = math.sqrt(p * (1 - p) / tests)
    assert 0.01 < p < 0.2
    # 4 sigma of sampling error plus 10 % relative for the formula's assumption of independent edges
    assert abs(r["error_by_iteration"][0] - p) < 4 * sigma + 0.10 * p


def test_iterations_repair_and_charges():
    m = HebbianMemory(clusters=40, neurons=16, active=8, messages=4000, erased=2, tests=500)
    led = Ledger()
    r = m.run(led, seed=3)
    errs = r["error_by_iteration"]
    assert errs[-1] <= errs[0]
    assert led.counts("hebbian", "synapse_bit_written") == r["edges"]
    assert led.counts("hebbian", "state_reset") == 500 * 40 * 16 * 4
    assert r["charges_j"]["spike"] == 0.0 and led.counts("hebbian", "spike") > 0


def test_noise_cap_and_consolidation():
    clean = HebbianMemory(clusters=30, neurons=16, active=6, messages=3000, tests=300).run(Ledger(), seed=5)
    noisy = HebbianMemory(clusters=30, neurons=16, active=6, messages=3000, tests=300, insertions=0.002, erasures=0.1).run(Ledger(), seed=5)
    capped = HebbianMemory(clusters=30, neurons=16, active=6, messages=3000, tests=300, insertions=0.002, erasures=0.1, cap=6).run(Ledger(), seed=5)
    consolidated = HebbianMemory(clusters=30, neurons=16, active=6, messages=3000, tests=300, insertions=0.002, consolidation=2).run(Ledger(), seed=5)
    assert noisy["density"] > clean["density"]  # insertions add spurious edges
    assert capped["density"] < noisy["density"]  # the energy limit keeps fewer co-activations
    assert consolidated["density"] < clean["density"]  # edges seen once are not consolidated


def test_hebbian_cli_json(capsys):
    code, out, _ = run_cli(["model", "hebbian", "--param", "M=2000", "--param", "chi=30", "--param", "l=16", "--param", "c=6", "--param", "tests=200", "--json"], capsys)
    r = json.loads(out)
    assert code == 0 and {"error_rate", "density", "charges_j"} <= set(r["result"])
    code, out, _ = run_cli(["models"], capsys)
    assert code == 0 and "hebbian" in out and "work-extraction" in out
    code, _, err = run_cli(["model", "hebbian", "--param", "tests"], capsys)
    assert code == 2 and "KEY=VALUE" in err


def test_third_party_model_through_entry_points(tmp_path, monkeypatch, capsys):
    """A separate installed package registers a model under qenergy.models and the CLI runs it."""
    pkg = tmp_path / "qe_thirdparty"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "from dataclasses import dataclass\n"
        "from typing import ClassVar\n"
        "from qenergy.models import Model, param\n\n"
        "@dataclass(frozen=True)\n"
        "class Counter(Model):\n"
        "    name: ClassVar[str] = 'bit-counter'\n"
        "    summary: ClassVar[str] = 'charges k bits at a fixed energy'\n"
        "    account: ClassVar[str] = 'counter'\n"
        "    bits: int = param(4, unit='bit', help='bits', low=0)\n\n"
        "    def run(self, ledger, seed=0):\n"
        "        ledger.charge(self.account, 'bit_erased', self.bits, 1e-21, 'estimated', 'third party')\n"
        "        return {'bits': self.bits}\n"
    )
    dist = tmp_path / "qe_thirdparty-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: qe-thirdparty\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[qenergy.models]\nbit-counter = qe_thirdparty:Counter\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "bit-counter" in discover_models()
    code, out, _ = run_cli(["model", "bit-counter", "--param", "bits=7", "--json"], capsys)
    assert code == 0 and json.loads(out)["ledger"]["totals_j"]["counter"] == {"estimated": pytest.approx(7e-21)}


@pytest.mark.parametrize(
    "argv, keys",
    [
        (["patterson", "--param", "processors=10000", "--param", "days=14.8", "--param", "watts=330", "--param", "pue=1.10",
          "--param", "intensity=0.429", "--param", "net_intensity=0.2"], {"energy_mwh", "co2e_t", "co2e_net_t"}),
        (["ntp", "--param", "parameters=7e9", "--param", "tokens=1e12", "--param", "loss=2", "--param", "entropy=3"], {"information_bits", "min_energy_j"}),
        (["ai-portfolio", "--param", "scenario=high-adoption", "--param", "year=2030"], {"energy_index", "ghg_index", "energy_gwh"}),
        (["ai-inference", "--param", "kind=chat", "--param", "size=low"], {"kwh"}),
    ],
)
def test_footprint_models_through_the_cli(argv, keys, capsys):
    code, out, err = run_cli(["model", *argv, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)["result"]
    assert keys <= set(result)
    if argv[0] == "patterson":
        assert result["energy_mwh"] == pytest.approx(1289.376, rel=1e-6)  # 10,000 x 14.8 d x 24 h x 330 W x 1.10
    if argv[0] == "ai-inference":
        assert set(result["kwh"]) >= {"compute", "storage", "network", "total"}
        assert result["kwh"]["total"] == pytest.approx(9.31e-5, rel=0.03)  # Table 1, chat low


def test_a_model_whose_extra_is_missing_is_listed_not_fatal(tmp_path, monkeypatch, capsys):
    dist = tmp_path / "qe_broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: qe-broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[qenergy.models]\nneeds-extra = qe_module_that_is_not_installed:Model\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, out, _ = run_cli(["models"], capsys)
    assert code == 0 and "needs-extra" in out and "unavailable" in out and "hebbian" in out
    code, _, err = run_cli(["model", "needs-extra"], capsys)
    assert code == 2 and "cannot load" in err


def test_direct_construction_checks_the_declared_ranges_once_in_the_base_class():
    from qenergy.models.hebbian import HebbianMemory
    from qenergy.models.landauer import LandauerModel

    with pytest.raises(InputError, match="bits = -1 is out of range"):
        LandauerModel(bits=-1)
    with pytest.raises(InputError, match="temperature"):
        LandauerModel(temperature=-3.0)
    with pytest.raises(InputError, match="mode"):
        HebbianMemory(mode="sideways")
    assert LandauerModel(bits=3).bits == 3


def test_models_own_checks_left_to_the_base_class_still_refuse_and_keep_the_declared_types():
    """active-inference, tla, ntp, patterson and ai-* no longer repeat their declared ranges: the base class refuses
    (one line naming the value and what is allowed) and keeps each number as its declared type."""
    from qenergy.models.active_inference import ActiveInferenceModel
    from qenergy.models.ai_portfolio import AIInference, AIPortfolio
    from qenergy.models.ntp import NextTokenCapacity
    from qenergy.models.patterson import PattersonTraining
    from qenergy.models.tla import TLAModel

    cases = [
        (lambda: ActiveInferenceModel(steps=0), r"parameter steps = 0 is out of range; allowed: an integer in 1\.\.1e\+06"),
        (lambda: ActiveInferenceModel(horizon=2.5), r"parameter horizon = 2\.5 is not allowed; allowed: an integer in 1\.\.4"),
        (lambda: ActiveInferenceModel(temperature=0.0), r"parameter temperature = 0\.0 is out of range; allowed: a number in 1e-300\.\.1e\+32"),
        (lambda: ActiveInferenceModel(j_per_op=True), r"parameter j_per_op = True is not allowed"),
        (lambda: TLAModel(env="cartpole"), r"parameter env = 'cartpole' is not allowed; allowed: pendulum \| mountaincar"),
        (lambda: TLAModel(budget=-1), r"parameter budget = -1 is out of range; allowed: an integer in 0\.\."),
        (lambda: TLAModel(decisions=float("inf")), r"parameter decisions = inf is not allowed"),
        (lambda: NextTokenCapacity(tokens=-1), r"parameter tokens = -1 is out of range"),
        (lambda: PattersonTraining(pue=0.5), r"parameter pue = 0\.5 is out of range; allowed: a number >= 1"),
        (lambda: AIInference(kind="poem"), r"parameter kind = 'poem' is not allowed; allowed: "),
        (lambda: AIPortfolio(year=1999), r"parameter year = 1999 is out of range"),
    ]
    for make, message in cases:
        with pytest.raises(InputError, match=message) as info:
            make()
        assert "\n" not in str(info.value)
    # what the models keep: relations between parameters and a factor's exclusive 0
    with pytest.raises(InputError, match="allowed: loss <= entropy"):
        NextTokenCapacity(loss=5.0, entropy=4.0)
    with pytest.raises(InputError, match=r"parameter map_factor = 0\.0 is out of range; allowed: a factor > 0"):
        PattersonTraining(map_factor=0)
    with pytest.raises(InputError, match="-1 \\(paper\\) or a number >= 0"):
        AIInference(nlp_calls=-0.5)
    with pytest.raises(InputError, match="shares summing to 1"):
        AIPortfolio(mix_apac=0.5)
    # the declared types: a whole 1e3 for an integer parameter, a numpy number, an int for a float parameter
    m = ActiveInferenceModel(steps=12.0, gamma=np.float32(2.0), preference=3)
    assert type(m.steps) is int and m.steps == 12 and type(m.gamma) is float and type(m.preference) is float
    assert type(TLAModel(episodes=np.int64(2)).episodes) is int
    assert type(PattersonTraining(processors=1e3).processors) is int


# -- typed results (issue 14): every model's run returns a TypedDict with exactly its keys ----------

#: Cheap parameters per registered model (tests/test_golden.py's CASES; grid as tiny as tests/test_grid.py).
#: A model with two result shapes has one entry per shape.
SMALL_RUNS = {
    "active-inference": [{"steps": "10"}],
    "ai-inference": [{}],
    "ai-portfolio": [{}],
    "grid": [{"years": "2", "nodes": "1", "resolution_h": "12", "days": "14", "workers": "1", "hydrogen": "false"}],
    "hebbian": [{"messages": "2000", "tests": "100"}],
    "landauer": [{"temperature": "4.2", "bits": "8"}],
    "ntp": [{}],
    "patterson": [{}],
    "tla": [{"episodes": "2"}, {"macs_only": "true"}],
    "work-extraction": [{"bits": "3"}],
}


def _typeddicts(tp):
    """The TypedDicts a return annotation allows (one, or the members of a union of them)."""
    import types
    import typing

    members = typing.get_args(tp) if typing.get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
    for m in members:
        assert isinstance(m, type) and hasattr(m, "__annotations__") and hasattr(m, "__total__"), f"{m!r} is not a TypedDict"
    return members


def _check_keys(value, tp, where):
    """``value`` has exactly the keys of ``tp`` where ``tp`` is a TypedDict, recursively through lists and optionals."""
    import types
    import typing

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            assert type(None) in args, where
            return
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            return  # a union of plain types (e.g. int | float): no keys to check
        tp = rest[0]
        origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and hasattr(tp, "__total__"):
        hints = typing.get_type_hints(tp)
        assert set(value) == set(hints), f"{where}: keys {sorted(set(value) ^ set(hints))}"
        for k, sub in hints.items():
            _check_keys(value[k], sub, f"{where}.{k}")
    elif origin is list:
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            _check_keys(item, args[0], f"{where}[{i}]")


@pytest.mark.parametrize("name", sorted(discover_models()))
def test_every_model_returns_its_typeddict(name):
    import typing

    cls = discover_models()[name]
    if not cls.__module__.startswith("qenergy."):
        pytest.skip("a third-party model")
    members = _typeddicts(typing.get_type_hints(cls.run)["return"])
    assert name in SMALL_RUNS, f"add cheap parameters for model {name} to SMALL_RUNS"
    for params in SMALL_RUNS[name]:
        result = build_model(name, params, {name: cls}).run(Ledger(), seed=1)
        json.dumps(result)
        matching = [td for td in members if set(result) == set(typing.get_type_hints(td))]
        assert matching, f"{name} {params}: keys {sorted(result)} match none of {[td.__name__ for td in members]}"
        _check_keys(result, matching[0], name)
