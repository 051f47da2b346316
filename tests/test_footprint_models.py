"""Footprint models: Patterson et al. training energy/CO2e (models.md §5) and the
next-token-prediction information capacity and Landauer floor (models.md §3).

Every paper number is recomputed from the paper's inputs; where the paper's printed output
differs from the formula on its printed (rounded) inputs, the test says so and checks that
the printed output lies within what the inputs' rounding allows.
"""

from __future__ import annotations

import json
import math

import pytest
from scipy import constants as sc

from qenergy.energy.physics import LN2, landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import build_model, param_infos
from qenergy.models.ntp import (
    KAPLAN_D_C,
    KAPLAN_N_C,
    NextTokenCapacity,
    information_bits,
    information_capacity,
    kaplan_bits_per_token,
    lossless_quantization_possible,
    min_training_energy_j,
    to_bits,
)
from qenergy.models.patterson import (
    PROCESSOR_POWER,
    PattersonTraining,
    four_m_counterfactual,
    processor_watts,
    training_co2e_t,
    training_energy_kwh,
    training_hours,
)

REGISTRY = {"patterson": PattersonTraining, "ntp": NextTokenCapacity}


def _json_roundtrip(result: dict) -> dict:
    return json.loads(json.dumps(result, allow_nan=False))


def test_interface():
    for cls, name, account in ((PattersonTraining, "patterson", "ml-training"), (NextTokenCapacity, "ntp", "ntp")):
        assert cls.name == name and cls.account == account and cls.summary
        for p in param_infos(cls):
            assert p.help or p.unit or p.choices, p.name
        cls().run(Ledger())  # defaults run


# -- Patterson et al. (models.md §5) ----------------------------------------------------------------


def _days_interval_mwh(days_printed: float, half_step: float, **kw) -> tuple[float, float]:
    """Energy (MWh) for the days the printed figure may stand for: [days − half_step, days + half_step]."""
    lo = training_energy_kwh(training_hours(days=days_printed - half_step), **kw) / 1e3
    hi = training_energy_kwh(training_hours(days=days_printed + half_step), **kw) / 1e3
    return lo, hi


def test_gpt3_table4():
    """GPT-3: 10,000 V100, 14.8 days, 330 W, PUE 1.10, 0.429 kg/kWh → paper 1,287 MWh, 552.1 t (Table 4, 2104.10350)."""
    led = Ledger()
    r = PattersonTraining(processors=10_000, days=14.8, watts=330, pue=1.10, intensity=0.429, net_intensity=0.429).run(led)
    # The formula on the printed inputs: 355.2 h × 10,000 × 330 W × 1.10 = 1,289.376 MWh (not the printed 1,287).
    assert r["energy_mwh"] == pytest.approx(1289.376, rel=1e-12)
    assert r["co2e_t"] == pytest.approx(553.142304, rel=1e-12)
    assert r["co2e_net_t"] == pytest.approx(r["co2e_t"])
    # The printed 1,287 MWh is reached within the rounding of "14.8 days" (14.75..14.85): 14.77 days.
    lo, hi = _days_interval_mwh(14.8, 0.05, processors=10_000, watts=330, pue=1.10)
    assert lo < 1287 < hi
    assert abs(r["energy_mwh"] / 1287 - 1) < 0.002
    # The paper's CO2e is its printed energy × 0.429: 552.1 t to the paper's rounding.
    assert round(training_co2e_t(1287e3, 0.429), 1) == 552.1
    assert round(r["co2e_t"]) == 553 and abs(r["co2e_t"] / 552.1 - 1) < 0.002


def test_defaults_are_the_gpt3_row_of_table4():
    """The help calls the defaults GPT-3's: they are Table 4's GPT-3 inputs and give its 1,287 MWh within rounding."""
    m = PattersonTraining()
    assert (m.processors, m.days, m.hours, m.watts, m.pue, m.intensity) == (10_000, 14.8, 0.0, 330.0, 1.10, 0.429)
    r = m.run(Ledger())
    # hand computation from the paper's inputs: 14.8 d x 24 h x 10,000 x 330 W x 1.10 / 1e6 = 1,289.376 MWh
    assert r["energy_mwh"] == pytest.approx(14.8 * 24 * 10_000 * 330 * 1.10 / 1e6, rel=1e-12)
    # the printed 1,287 MWh and 552.1 t, within the rounding of "14.8 days" (14.75..14.85 d: 1,285.0..1,293.7 MWh)
    lo, hi = _days_interval_mwh(14.8, 0.05, processors=10_000, watts=330, pue=1.10)
    assert lo <= r["energy_mwh"] <= hi and lo < 1287 < hi
    assert r["energy_mwh"] == pytest.approx(1287, rel=0.002) and r["co2e_t"] == pytest.approx(552.1, rel=0.002)
    # the V100's Table 3 mean (325 W, watts = 0) is not GPT-3's row: 1,269.8 MWh, 1.3 % short of 1,287
    t3 = PattersonTraining(watts=0).run(Ledger())
    assert t3["watts_per_processor"] == 325 and t3["energy_mwh"] == pytest.approx(1269.84, rel=1e-6)
    assert "330 W" in next(p.help for p in param_infos(PattersonTraining) if p.name == "watts")


def test_t5_table4():
    """T5: 512 TPUv3, 20 days, 310 W, PUE 1.12, 0.545 kg/kWh gross = net → paper 85.7 MWh, 46.7 t."""
    r = PattersonTraining(processors=512, days=20, watts=310, pue=1.12, intensity=0.545, net_intensity=0.545,
                          processor="TPUv3").run(Ledger())
    assert r["watts_per_processor"] == 310  # Table 4's per-run wattage, not Table 3's TPUv3 mean of 283 W
    assert r["energy_mwh"] == pytest.approx(85.327872, rel=1e-12)
    assert r["co2e_t"] == pytest.approx(46.50369024, rel=1e-12) and r["co2e_net_t"] == pytest.approx(r["co2e_t"])
    # Printed 85.7 MWh ⇔ 20.09 days, within the rounding of "20 days" (19.5..20.5).
    lo, hi = _days_interval_mwh(20, 0.5, processors=512, watts=310, pue=1.12)
    assert lo < 85.7 < hi
    assert round(training_co2e_t(85.7e3, 0.545), 1) == 46.7


def test_transformer_big_p100_table1():
    """Transformer (Big), 8 P100, 3.5 days, 296 W, PUE 1.59 → 316 kWh; 0.1357 t at the US average 0.429 kg/kWh."""
    r = PattersonTraining(processors=8, days=3.5, watts=296, pue=1.59, intensity=0.429, processor="P100").run(Ledger())
    assert round(r["energy_kwh"]) == 316
    assert round(r["co2e_t"], 4) == 0.1357
    assert r["co2e_net_t"] is None and r["net_intensity_kg_per_kwh"] is None


def test_processor_table_and_hours():
    assert {k: v.mean_w for k, v in PROCESSOR_POWER.items()} == {"TPUv2": 221, "TPUv3": 283, "P100": 271, "V100": 325}
    for name in PROCESSOR_POWER:
        r = PattersonTraining(processors=1, hours=1000, watts=0, processor=name, pue=1.0).run(Ledger())
        assert r["watts_per_processor"] == processor_watts(name)
        assert r["energy_kwh"] == pytest.approx(processor_watts(name))  # 1000 h × W / 1000
        assert "Table 3" in r["watts_source"]
    # hours > 0 overrides days
    r = PattersonTraining(processors=2, days=99, hours=12, watts=100, pue=1.5).run(Ledger())
    assert r["hours"] == 12 and r["energy_kwh"] == pytest.approx(3.6)
    assert training_hours(days=2) == 48
    # a net intensity of 0 is a real value (fully matched carbon-free energy), not "absent"
    r = PattersonTraining(net_intensity=0.0).run(Ledger())
    assert r["co2e_net_t"] == 0.0 and r["co2e_t"] > 0


def test_four_m_counterfactual():
    e, t = four_m_counterfactual(1000.0, 0.5, model=4, machine=14, mechanization=1.4, map=9)
    assert 1000.0 / e == pytest.approx(78.4)
    assert training_co2e_t(1000.0, 0.5) / t == pytest.approx(705.6)
    r = PattersonTraining(watts=330, model_factor=4, machine_factor=14, mechanization_factor=1.1, map_factor=9).run(Ledger())
    assert r["four_m"]["energy_reduction"] == pytest.approx(4 * 14 * 1.1)
    assert r["four_m"]["co2e_reduction"] == pytest.approx(4 * 14 * 1.1 * 9)
    assert r["four_m"]["energy_mwh"] == pytest.approx(r["energy_mwh"] / (4 * 14 * 1.1))
    base = PattersonTraining(watts=330).run(Ledger())
    assert base["four_m"]["energy_mwh"] == base["energy_mwh"] and base["four_m"]["co2e_t"] == base["co2e_t"]
    empty = PattersonTraining(days=0).run(Ledger())  # zero duration: nothing to reduce, no division by zero
    assert empty["energy_mwh"] == 0 and empty["four_m"]["energy_reduction"] is None and empty["charged_j"] == 0


def test_patterson_charges_ledger():
    led = Ledger()
    r = PattersonTraining(processors=8, hours=2.5, watts=250, pue=1.2, processor="none").run(led)
    (c,) = led.charges
    assert (c.account, c.resource, c.basis, c.model, c.unit_j) == ("ml-training", "training_energy", "estimated", "patterson", 1.0)
    joules = 2.5 * sc.hour * 8 * 250 * 1.2
    assert c.count == round(joules) == r["charged_j"]
    assert led.energy_j("ml-training") == pytest.approx(joules)
    assert r["energy_j"] == pytest.approx(joules)
    assert _json_roundtrip(r)["energy_mwh"] == pytest.approx(r["energy_mwh"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"processors": 0}, "parameter processors = 0 is out of range"),
        ({"pue": 0.9}, "parameter pue = 0.9 is out of range; allowed: a number >= 1"),
        ({"processor": "A100"}, "parameter processor = 'A100' is not allowed; allowed: none \\| TPUv2"),
        ({"watts": -5}, "parameter watts = -5 is out of range"),
        ({"intensity": float("nan")}, "parameter intensity = nan is not allowed"),
        ({"processor": "none", "watts": 0}, "parameter watts = 0 needs a processor"),
        ({"map_factor": 0}, "parameter map_factor = 0.0 is out of range; allowed: a factor > 0"),
        ({"mechanization_factor": 2.0}, "would bring PUE 1.1 below 1"),
        ({"days": -1}, "parameter days = -1 is out of range"),
    ],
)
def test_patterson_validation(kwargs, match):
    with pytest.raises(InputError, match=match):
        PattersonTraining(**kwargs)


def test_patterson_from_command_line_values():
    m = build_model("patterson", {"processors": "1e4", "days": "14.8", "watts": "330"}, models=REGISTRY)
    assert m.processors == 10_000 and isinstance(m.processors, int)
    with pytest.raises(InputError, match="parameter pue = '0.5' is out of range"):
        build_model("patterson", {"pue": "0.5"}, models=REGISTRY)
    with pytest.raises(InputError):
        build_model("patterson", {"processors": "1.5"}, models=REGISTRY)
    with pytest.raises(InputError):
        training_hours(days=-1)
    with pytest.raises(InputError, match="processor 'H100' is unknown"):
        processor_watts("H100")


# -- Physics in next-token prediction (models.md §3) -------------------------------------------------


def test_nats_to_bits_once():
    assert to_bits(LN2, "nats") == pytest.approx(1.0)
    assert to_bits(3.0, "bits") == 3.0
    with pytest.raises(InputError, match="allowed: nats \\| bits"):
        to_bits(1.0, "shannons")
    assert information_bits(1000, 2 * LN2, LN2, "nats") == pytest.approx(1000.0)
    assert information_bits(1000, 10, 3, "nats") == pytest.approx(7000 / LN2)


def test_kaplan_matching_ratio():
    """§5.1: equating Kaplan's laws (15) and (16) gives N ≈ 26.08·D (N in bits); 16 × 8.8e13 / 5.4e13 = 26.074."""
    k = kaplan_bits_per_token()
    assert k == pytest.approx(26.074, abs=5e-4)
    assert abs(k - 26.08) < 0.01  # the paper prints 26.08


@pytest.mark.parametrize(("loss", "eta_paper", "eta_nats"), [(3.0, 0.268, 0.387), (7.0, 0.115, 0.166)])
def test_eta_range_section_5_1(loss, eta_paper, eta_nats):
    """§5.1: H ≈ 10, L ∈ [3, 7] at the Kaplan-matched N = 26.07·D gives η ∈ [0.115, 0.268].

    The paper's arithmetic treats H − L as bits (unit="bits"); with the losses read as
    nats and converted (unit="nats") the same inputs give η ∈ [0.166, 0.387].
    """
    d, n = int(KAPLAN_D_C), int(KAPLAN_N_C)  # N/16 = N_c when D = D_c, so N_bits = 26.07·D
    as_paper = NextTokenCapacity(parameters=n, precision_bits=16, tokens=d, entropy=10.0, loss=loss, unit="bits").run(Ledger())
    assert round(as_paper["eta"], 3) == eta_paper
    assert as_paper["eta"] == pytest.approx((10.0 - loss) / kaplan_bits_per_token())
    in_nats = NextTokenCapacity(parameters=n, precision_bits=16, tokens=d, entropy=10.0, loss=loss, unit="nats").run(Ledger())
    assert round(in_nats["eta"], 3) == eta_nats
    assert in_nats["eta"] == pytest.approx(as_paper["eta"] / LN2)


@pytest.mark.parametrize(("precision", "eta"), [(16, 0.125), (8, 0.25)])
def test_two_bits_per_parameter(precision, eta):
    """§4.3: 2 bits/parameter (Allen-Zhu & Li) is η ≈ 0.125 at 16-bit and 0.25 at 8-bit storage."""
    r = NextTokenCapacity(parameters=1000, precision_bits=precision, tokens=2000, entropy=2.0, loss=1.0, unit="bits").run(Ledger())
    assert r["bits_per_parameter"] == pytest.approx(2.0)
    assert r["eta"] == pytest.approx(eta)
    assert information_capacity(2000.0, 1000, precision) == pytest.approx(eta)


def test_landauer_floor_example():
    """Digest example (not in the paper): 7e9 params × 16 bits at η = 0.25 → 2.8e10 bits, E₀ ≈ 8.0e-11 J at 300 K."""
    assert f"{landauer_bit_energy(300.0):.3e}" == "2.871e-21"
    led = Ledger()
    r = NextTokenCapacity(parameters=7_000_000_000, precision_bits=16, tokens=28_000_000_000, entropy=4.0, loss=3.0,
                          unit="bits", temperature=300.0).run(led)
    assert r["information_bits"] == pytest.approx(2.8e10) and r["eta"] == pytest.approx(0.25)
    assert f"{r['min_energy_j']:.1e}" == "8.0e-11"
    assert r["min_energy_j"] == pytest.approx(min_training_energy_j(2.8e10, 300.0))
    (c,) = led.charges
    assert (c.account, c.resource, c.basis, c.model) == ("ntp", "bits_transferred", "lower_bound", "ntp")
    assert c.count == 28_000_000_000 == r["charged_bits"]
    assert c.unit_j == landauer_bit_energy(300.0)
    assert led.energy_j("ntp") == pytest.approx(r["min_energy_j"])


def test_ntp_charge_rounds_bits_and_uses_model_temperature():
    led = Ledger(77.0)
    r = NextTokenCapacity(parameters=10, tokens=3, entropy=1.0, loss=0.5, unit="nats", temperature=77.0).run(led)
    bits = 3 * 0.5 / LN2
    assert r["information_bits"] == pytest.approx(bits)
    (c,) = led.charges
    assert c.count == round(bits) == 2
    assert c.unit_j == pytest.approx(sc.Boltzmann * 77.0 * LN2)
    assert r["min_energy_j"] == pytest.approx(bits * sc.Boltzmann * 77.0 * LN2)


def test_ratio_to_patterson_and_capacity_flag():
    led = Ledger()
    gpt3 = PattersonTraining(processors=10_000, days=14.8, watts=330, pue=1.10, intensity=0.429).run(led)
    r = NextTokenCapacity(patterson_energy_mwh=gpt3["energy_mwh"]).run(led)
    assert r["ratio_real_to_floor"] == pytest.approx(gpt3["energy_j"] / r["min_energy_j"])
    assert r["ratio_real_to_floor"] > 1e20
    assert set(led.accounts()) == {"ml-training", "ntp"}
    assert {c.basis for c in led.charges} == {"estimated", "lower_bound"}
    assert NextTokenCapacity().run(Ledger())["ratio_real_to_floor"] is None
    # D(H − L) larger than the parameter bits: flagged, not refused, floor still computed
    over = NextTokenCapacity(parameters=1000, precision_bits=16, tokens=10_000, entropy=10, loss=3).run(Ledger())
    assert over["eta"] > 1 and not over["within_capacity"] and "eta" in over["warnings"][0]
    assert over["min_energy_j"] > 0
    assert _json_roundtrip(over)["warnings"] == over["warnings"]
    # equal entropy and loss: nothing learnt, zero floor, no ratio
    zero = NextTokenCapacity(entropy=3.0, loss=3.0, patterson_energy_mwh=1.0).run(Ledger())
    assert zero["min_energy_j"] == 0 and zero["ratio_real_to_floor"] is None


def test_quantization_condition():
    assert lossless_quantization_possible(0.125, 16, 2)
    assert not lossless_quantization_possible(0.25, 16, 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loss": 11.0, "entropy": 10.0}, "parameter loss = 11.0 exceeds entropy = 10.0"),
        ({"unit": "shannons"}, "parameter unit = 'shannons' is not allowed; allowed: nats \\| bits"),
        ({"temperature": 0.0}, "parameter temperature = 0.0 is out of range"),
        ({"parameters": 0}, "parameter parameters = 0 is out of range"),
        ({"tokens": -1}, "parameter tokens = -1 is out of range"),
        ({"loss": -0.1}, "parameter loss = -0.1 is out of range"),
        ({"precision_bits": 0}, "parameter precision_bits = 0 is out of range"),
        ({"patterson_energy_mwh": float("inf")}, "parameter patterson_energy_mwh = inf is not allowed"),
    ],
)
def test_ntp_validation(kwargs, match):
    with pytest.raises(InputError, match=match):
        NextTokenCapacity(**kwargs)


def test_ntp_from_command_line_values():
    m = build_model("ntp", {"N": "1.75e11", "D": "3e11", "L": "2", "H": "10", "T": "300"}, models=REGISTRY)
    assert (m.parameters, m.tokens, m.loss, m.entropy) == (175_000_000_000, 300_000_000_000, 2.0, 10.0)
    with pytest.raises(InputError, match="exceeds entropy"):
        build_model("ntp", {"L": "12"}, models=REGISTRY)
    with pytest.raises(InputError):
        information_bits(10, 1.0, 2.0)
    with pytest.raises(InputError):
        information_capacity(1.0, 0)
    assert math.isclose(information_bits(0, 10, 3), 0.0)
