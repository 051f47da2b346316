"""AI inference and portfolio models (models.md §9, Desroches et al. 2025, arXiv:2501.14334v2).

Every paper number below is recomputed from the paper's *inputs* (Tables 8, 14-31) by the module;
the printed results (Tables 1, 2, 5, 32, 33) appear here only as the targets, each with its
tolerance. Where the inputs do not give the printed result, the test pins what we get and says why.
"""

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from qenergy.energy.physics import convert_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import ai_portfolio_data as D
from qenergy.models import build_model, param_infos
from qenergy.models.ai_portfolio import (
    AIInference,
    AIPortfolio,
    Levers,
    UseCase,
    chat_vs_nlp_ratio,
    eco_score,
    footprint,
    grid_kg_per_kwh,
    inference_energy,
    paper_portfolio,
    project,
    required_hardware_factor,
    scenario_levers,
    vgpus_for_params,
)

KWH_J = convert_energy(1.0, "kWh", "J")


def run(model):
    led = Ledger()
    return model.run(led), led


# -- per inference (Table 1) ---------------------------------------------------------------------

def test_vgpu_rule_gives_table18():
    # ceil(params x 2 B (FP16) x 1.3 / 10 GB): Llama 3.1 8B / 70B / 405B
    assert [vgpus_for_params(p) for p in (8, 70, 405)] == [3, 19, 106] == [D.VGPUS_TABLE18[s] for s in D.SIZES]


@pytest.mark.parametrize("size, paper_total, vgpus, ttft, tps", [
    ("low", 9.31e-5, 3, 0.26, 127.0),
    ("medium", 1.55e-3, 19, 0.36, 43.4),
    ("high", 1.73e-2, 106, 0.60, 21.9),
])
def test_table1_chat_rows_from_inputs(size, paper_total, vgpus, ttft, tps):
    r, _ = run(AIInference(kind="chat", size=size))
    # independent hand computation: (TTFT + 208.45 tok / throughput) x vGPUs x 50.1 W x PUE 1.15
    hand = convert_energy((ttft + 208.45 / tps) * vgpus * 50.1 * 1.15, "J", "kWh")
    assert r["kwh"]["compute"] == pytest.approx(hand, rel=1e-12)
    # Table 1, within 3 %: low 9.13e-5 (-1.9 %), medium 1.570e-3 (+1.3 %), high 1.717e-2 (-0.8 %)
    assert r["kwh"]["total"] == pytest.approx(paper_total, rel=0.03)
    # storage: (126.89 + 208.45) tok x 4 B = 1.341e-6 GB x 1.25e-3 W/GB x 8760 h x 1.15; network x 0.0342 kWh/GB
    assert r["kwh"]["storage"] == pytest.approx(1.68e-8, rel=0.03)
    assert r["kwh"]["network"] == pytest.approx(4.59e-8, rel=0.03)
    assert r["kwh"]["total"] == pytest.approx(sum(r["kwh"][k] for k in ("compute", "storage", "network")))


def test_table1_other_rows_within_3_percent():
    # the RAG / agents / traditional rows of Table 1 (paper full text), totals within 3 %
    for (kind, size), paper in D.PAPER_TABLE1_TOTAL_KWH.items():
        assert inference_energy(kind, size or "high").total_kwh == pytest.approx(paper, rel=0.03), (kind, size)
    # RAG low: the text adds one NLP inference for the embedding search (1.588e-4, +1.8 %); Table 1's
    # compute 1.54e-4 matches without it exactly
    assert inference_energy("rag", "low", nlp_calls=0).compute_kwh == pytest.approx(1.54e-4, rel=2e-3)
    # agents: 3.03 LLM calls plus 3.03 NLP tool calls; low row 4.97e-4 matches to 0.1 %
    assert inference_energy("agents", "low").total_kwh == pytest.approx(4.97e-4, rel=2e-3)


def test_chat_versus_nlp_ratios():
    # Abstract "up to 4600x" = GenAI High chat (Llama 3.1 405B) / Traditional NLP, Table 1 total rows:
    assert D.PAPER_TABLE1_TOTAL_KWH[("chat", "high")] / D.PAPER_TABLE1_TOTAL_KWH[("nlp", "")] == pytest.approx(4676, abs=1)
    high = chat_vs_nlp_ratio("high")
    assert high == pytest.approx(4647.3, rel=1e-3)  # from the inputs: 1.7165e-2 / 3.6936e-6
    assert high == pytest.approx(4600, rel=0.02) and high == pytest.approx(4676, rel=0.01)
    assert chat_vs_nlp_ratio("low") == pytest.approx(25, rel=0.02)  # "25x": Llama 3.1 8B chat / NLP = 24.7
    assert (inference_energy("chat", "high").total_kwh / inference_energy("chat", "low").total_kwh
            == pytest.approx(186, rel=0.02))  # "186x": 405B vs 8B, ours 187.9


def test_grid_mix_and_table33():
    # 0.45 US + 0.28 EU-27 + 0.27 China (Tables 26-27)
    assert grid_kg_per_kwh() == pytest.approx(0.45 * 0.547 + 0.28 * 0.410 + 0.27 * 0.871, rel=1e-12)
    assert grid_kg_per_kwh() == pytest.approx(0.5961, abs=1e-4)
    # Table 33 GenAI low chat 5.55e-5 kg = Table 1's 9.31e-5 kWh x the mix
    assert 9.31e-5 * grid_kg_per_kwh() == pytest.approx(5.55e-5, rel=5e-3)
    r, _ = run(AIInference(kind="chat", size="high"))
    assert r["ghg_kg"]["operational"] == pytest.approx(1.03e-2, rel=0.03)  # Table 33: 1.03e-2
    assert r["ghg_kg"]["embodied"] == pytest.approx(5.79e-4, rel=0.03)     # Table 33: 5.79e-4 (vGPU-h x 1.93e-3)
    assert run(AIInference(kind="chat", region="EU-27"))[0]["grid_kg_per_kwh"] == 0.410


def test_eco_score_classes():
    assert [eco_score(x) for x in (5e-9, 5e-8, 5e-7, 5e-6, 5e-5, 5e-4, 5e-3, 5e-2)] == list("ABCDEFG") + ["unrated"]
    assert run(AIInference(kind="chat", size="low"))[0]["eco_score"] == "E"
    assert run(AIInference(kind="nlp"))[0]["eco_score"] == "D"


# -- portfolio (2024) --------------------------------------------------------------------------

def test_portfolio_2024():
    fp = footprint(paper_portfolio())
    energy = sum(f.energy_kwh for f in fp.values())
    genai = sum(fp[k].energy_kwh for k in D.GENAI_KINDS)
    assert genai / energy > 0.999  # "99.9% of energy is attributed to GenAI"
    assert sum(f.use_cases for f in fp.values()) == pytest.approx(100)
    # our frequency levels (0.1 / 1 / 10 / 100 per user per day, not printed in the paper) give 5.18 GWh bottom-up,
    # not the paper's 3.9 GWh. This pins our guess; it is not a reproduction of the paper's total.
    assert energy / 1e6 == pytest.approx(5.18, rel=0.01)
    # Bottom-up (baseline_gwh = 0): no paper result enters. Its GHG per kWh comes from the inputs alone
    # (grid mix + embodied factors): 0.6297 kg/kWh vs the paper's 2,480 t / 3.9 GWh = 0.6359 (-1.0 %).
    r0, _ = run(AIPortfolio(year=2024, baseline_gwh=0))
    assert r0["energy_gwh"] == pytest.approx(r0["bottom_up_2024_gwh"]) == pytest.approx(energy / 1e6)
    assert r0["energy_index"] == pytest.approx(100) and r0["ghg_index"] == pytest.approx(100)
    kg_per_kwh = r0["ghg_t"] * 1e3 / (r0["energy_gwh"] * 1e6)
    assert kg_per_kwh == pytest.approx(0.6297, abs=1e-4)
    assert kg_per_kwh == pytest.approx(D.PAPER_2024_KG_CO2E / (3.9 * 1e6), rel=0.02)
    assert "bottom-up" in r0["baseline"]


def test_default_baseline_is_the_papers_reported_total_used_as_an_input():
    """The default ``baseline_gwh`` is the paper's reported 3.9 GWh: an input, so its 2024 energy is no test.

    What is tested instead: the baseline only rescales absolute figures (any value, e.g. 2 GWh, comes back
    with the same indices and GHG per kWh), and the output says where its baseline comes from.
    """
    default, _ = run(AIPortfolio())
    mine, _ = run(AIPortfolio(baseline_gwh=2.0))
    bottom_up, _ = run(AIPortfolio(baseline_gwh=0))
    assert AIPortfolio().baseline_gwh == D.PAPER_2024_GWH
    assert mine["energy_gwh_2024"] == pytest.approx(2.0)
    for r in (default, mine):
        assert r["energy_index"] == pytest.approx(bottom_up["energy_index"], rel=1e-12)
        assert r["ghg_index"] == pytest.approx(bottom_up["ghg_index"], rel=1e-12)
        k = r["energy_gwh_2024"] / bottom_up["energy_gwh_2024"]
        assert r["energy_gwh"] == pytest.approx(k * bottom_up["energy_gwh"], rel=1e-12)
        assert r["ghg_t"] == pytest.approx(k * bottom_up["ghg_t"], rel=1e-12)
    assert "paper's reported 2024 total" in default["baseline"] and "used as the baseline" in default["baseline"]
    assert "baseline_gwh = 2" in mine["baseline"] and "paper" not in mine["baseline"]
    assert "REPORTED RESULT" in next(p.help for p in param_infos(AIPortfolio) if p.name == "baseline_gwh")


# -- 2030 (Table 2) ------------------------------------------------------------------------------

#: What the printed inputs give (ours), scenario -> (energy index, GHG index); Table 2 in the comments.
OURS_2030 = {
    "steady-ascent": (524.8, 400.5),        # paper 552 / 421  (-4.9 % / -4.9 %)
    "high-adoption": (2569.8, 1961.4),      # paper 2440 / 1862 (+5.3 % / +5.3 %)
    "limited-growth": (28.9, 16.7),         # paper 30 / 17     (-3.8 % / -1.9 %)
    "tech-breakthrough": (423.9, 244.5),    # paper 402 / 227   (+5.4 % / +7.7 %)
    "intermediate": (785.7, 599.7),         # paper 755 / 576   (+4.1 % / +4.1 %)
}
#: Table 2 as printed (models.md §9 (e)), typed here independently of ``ai_portfolio_data``.
TABLE2 = {"steady-ascent": (552, 421), "high-adoption": (2440, 1862), "limited-growth": (30, 17),
          "tech-breakthrough": (402, 227), "intermediate": (755, 576)}


@pytest.mark.parametrize("scenario", list(D.SCENARIOS))
def test_table2_from_inputs(scenario):
    r, _ = run(AIPortfolio(scenario=scenario, year=2030))
    ours_e, ours_g = OURS_2030[scenario]
    assert r["energy_index"] == pytest.approx(ours_e, rel=1e-3)
    assert r["ghg_index"] == pytest.approx(ours_g, rel=1e-3)
    paper_e, paper_g = TABLE2[scenario]
    assert (r["paper_table2_2030"]["energy_index"], r["paper_table2_2030"]["ghg_index"]) == (paper_e, paper_g)
    # stated tolerance: 6 % on energy, 8 % on GHG (not exact; see the tests below for why)
    assert r["energy_index"] == pytest.approx(paper_e, rel=0.06)
    assert r["ghg_index"] == pytest.approx(paper_g, rel=0.08)
    # absolute GWh = the default baseline (the paper's reported 3.9 GWh, an input) x index
    assert r["energy_gwh"] == pytest.approx(D.PAPER_2024_GWH * r["energy_index"] / 100)


def test_table2_lever_structure_is_the_papers():
    """Ratios that do not depend on the 2024 agents/GenAI split match Table 2 closely."""
    idx = {s: run(AIPortfolio(scenario=s))[0] for s in D.SCENARIOS}
    # same usage, efficient levers: / (4.8 x 1.2) x 0.95 PUE (x1/3 size for limited growth)
    assert idx["tech-breakthrough"]["energy_index"] / idx["high-adoption"]["energy_index"] == pytest.approx(402 / 2440, rel=0.005)
    assert idx["limited-growth"]["energy_index"] / idx["steady-ascent"]["energy_index"] == pytest.approx(30 / 552, rel=0.02)  # "30" is rounded
    # GHG / energy with grid 0.75 and embodied ~5 %: 0.7633 vs the paper's 0.7627-0.7631
    for s in ("steady-ascent", "high-adoption", "intermediate"):
        e, g = D.PAPER_TABLE2[s]
        assert idx[s]["ghg_index"] / idx[s]["energy_index"] == pytest.approx(g / e, rel=0.005), s
    # with the IPCC grid (0.55) our embodied part scales like IT energy: 0.577 vs 0.565 (+2.2 %)
    assert idx["tech-breakthrough"]["ghg_index"] / idx["tech-breakthrough"]["energy_index"] == pytest.approx(227 / 402, rel=0.03)
    # Table 3 / Table 4: model size and output tokens +-10 % move energy by +-10.0 % (1:1)
    mid = idx["intermediate"]["energy_index"]
    assert run(AIPortfolio(model_size_factor=2.2))[0]["energy_index"] / mid == pytest.approx(831 / 755, rel=0.002)
    assert run(AIPortfolio(output_token_factor=1.8))[0]["energy_index"] / mid == pytest.approx(680 / 755, rel=0.002)


def _with_agent_share(base, share):
    """``base`` with the 2024 GenAI energy re-split: agents ``share``, chat and RAG the rest (same ratio)."""
    genai = sum(base[k].energy_kwh for k in D.GENAI_KINDS)
    others = base["chat"].energy_kwh + base["rag"].energy_kwh
    out = dict(base)
    out["agents"] = base["agents"].scaled(share * genai / base["agents"].energy_kwh)
    for k in ("chat", "rag"):
        out[k] = base[k].scaled((1 - share) * genai / others)
    return out


def test_steady_ascent_is_out_of_reach_of_its_printed_levers():
    """x3 size, x1.33 tokens, /4.4 hardware, growth 5.29 (GenAI) / 6.05 (agents): at most 549 < 552."""
    base, _ = AIPortfolio().base()
    lv = scenario_levers("steady-ascent")
    best = max(project(_with_agent_share(base, s), lv)["energy_index"] for s in np.linspace(0, 1, 11))
    assert best == pytest.approx(100 * 6.05 * 3 * 1.33 / 4.4, rel=1e-3)  # all GenAI energy in agents
    assert best < 552


def test_agent_share_explains_the_gap():
    """Diagnostic, calibrated (not a reproduction): Table 4's agentic-CAGR rows are linear in the agents
    growth factor; their slope gives the paper's 2024 agents share of energy, about 0.49, where the printed
    inputs (Tables 1, 23, 25) give 0.655. With that share, High adoption and Intermediate come out at
    Table 2's values."""
    cagr = np.array([0.25, 0.35, 0.45, 0.55, 0.65])
    index = np.array([512, 612, 755, 958, 1237])  # Table 4
    slope, _ = np.polyfit((1 + cagr) ** 6, index, 1)
    lv = scenario_levers("intermediate")
    share = slope / (100 * lv.model_size * lv.output_tokens / lv.hardware)
    assert share == pytest.approx(0.487, abs=0.005)
    base, _ = AIPortfolio().base()
    assert project(base, lv)["by_kind"]["agents"]["energy_share_2024"] == pytest.approx(0.655, abs=0.002)
    calibrated = _with_agent_share(base, share)
    assert project(calibrated, scenario_levers("high-adoption"))["energy_index"] == pytest.approx(2440, rel=0.005)
    assert project(calibrated, lv)["energy_index"] == pytest.approx(755, rel=0.005)
    assert project(calibrated, scenario_levers("high-adoption"))["ghg_index"] == pytest.approx(1862, rel=0.005)


def test_table5_hardware_factor_for_a_90_percent_cut():
    base, _ = AIPortfolio().base()
    # Table 5: PUE 1.04 and grid 0.55; paper x565 (High adoption) and x175 (Intermediate).
    high = required_hardware_factor(base, scenario_levers("high-adoption"))
    mid = required_hardware_factor(base, scenario_levers("intermediate"))
    assert high == pytest.approx(597.9, rel=1e-3) and high == pytest.approx(565, rel=0.07)  # inherits Table 2's +5 %
    assert mid == pytest.approx(182.3, rel=1e-3) and mid == pytest.approx(175, rel=0.05)
    lv = replace(scenario_levers("high-adoption"), pue=1.04, grid=0.55, hardware=high)
    assert project(base, lv)["ghg_index"] == pytest.approx(10, rel=1e-9)
    # energy index at that point: Table 5 prints 17 for both scenarios
    assert project(base, lv)["energy_index"] == pytest.approx(17, rel=0.03)


def test_use_case_counts_table32():
    counts = {s: run(AIPortfolio(scenario=s))[0] for s in ("steady-ascent", "high-adoption", "intermediate")}
    # Table 32: usage increase 341 (46 % GenAI), explosion 576 (55 %); ours 344.5 (46.6 %), 590.6 (55.7 %)
    assert counts["steady-ascent"]["use_cases"] == pytest.approx(341, rel=0.02)
    assert counts["high-adoption"]["use_cases"] == pytest.approx(576, rel=0.03)
    assert counts["steady-ascent"]["genai_use_case_share"] == pytest.approx(0.46, abs=0.01)
    assert counts["high-adoption"]["genai_use_case_share"] == pytest.approx(0.55, abs=0.01)
    # intermediate: 452 vs 486 -- the traditional intermediate growth is not printed ("3-5"); ours is a guess
    assert counts["intermediate"]["use_cases"] == pytest.approx(452.2, rel=1e-3)


def test_years_and_levers():
    years = [run(AIPortfolio(scenario="high-adoption", year=y))[0]["energy_index"] for y in range(2024, 2031)]
    assert years[0] == pytest.approx(100) and all(a < b for a, b in zip(years, years[1:]))
    # GenAI compute dominates: doubling the hardware efficiency halves the energy (to 0.05 %)
    default = run(AIPortfolio(scenario="high-adoption"))[0]
    doubled = run(AIPortfolio(scenario="high-adoption", hardware_efficiency=8.8))[0]
    assert doubled["energy_index"] / default["energy_index"] == pytest.approx(0.5, rel=5e-4)
    assert doubled["levers"]["hardware_efficiency"] == 8.8 and default["levers"]["hardware_efficiency"] == 4.4
    # a grid factor only changes GHG
    clean = run(AIPortfolio(scenario="high-adoption", grid_factor=0.5))[0]
    assert clean["energy_index"] == pytest.approx(default["energy_index"]) and clean["ghg_index"] < default["ghg_index"]
    # the text's -24 % grid (0.76) instead of Table 5's 0.75: GHG 1,986 instead of 1,961
    text = run(AIPortfolio(scenario="high-adoption", grid_factor=D.GRID_STATED_POLICIES_TEXT))[0]
    assert text["ghg_index"] / default["ghg_index"] == pytest.approx((0.9468 * 0.76 + 0.0532) / (0.9468 * 0.75 + 0.0532), rel=1e-3)
    assert run(AIPortfolio(agentic_growth=1.0, genai_growth=1.0, traditional_growth=1.0,
                           hardware_efficiency=1.0, model_size_factor=1.0, output_token_factor=1.0))[0]["energy_index"] \
        == pytest.approx(100)


# -- validation, ledger, plumbing ---------------------------------------------------------------

def test_validation_errors():
    cases = [
        (lambda: AIInference(kind="video"), r"parameter kind = 'video' is not allowed; allowed: chat \| rag \| agents \| tabular \| cv \| nlp"),
        (lambda: AIInference(size="huge"), r"parameter size = 'huge' is not allowed; allowed: low \| medium \| high"),
        (lambda: AIInference(pue=0.5), r"parameter pue = 0.5 is out of range; allowed: a number in 1..5"),
        (lambda: AIInference(inferences=-1), r"parameter inferences = -1 is out of range"),
        (lambda: AIInference(nlp_calls=-0.5), r"nlp_calls = -0.5 is not allowed; allowed: -1 \(paper\) or a number >= 0"),
        (lambda: AIPortfolio(scenario="doom"), r"parameter scenario = 'doom' is not allowed; allowed: steady-ascent \|"),
        (lambda: AIPortfolio(year=2031), r"parameter year = 2031 is out of range; allowed: an integer in 2024..2030"),
        (lambda: AIPortfolio(mix_americas=0.5), r"mix_americas \+ mix_europe \+ mix_apac = 1.05 is not allowed"),
        (lambda: AIPortfolio(hardware_efficiency=-2), r"parameter hardware_efficiency = -2 is out of range"),
        (lambda: inference_energy("chat", "huge"), r"size = 'huge' is not allowed"),
        (lambda: inference_energy("chat", throughput_tok_s=0), r"throughput_tok_s = 0 is not allowed; allowed: a finite number > 0"),
        (lambda: vgpus_for_params(0), r"params_billion = 0 is not allowed"),
        (lambda: UseCase("chat", "", 1, 1), r"size = '' is not allowed"),
        (lambda: scenario_levers("intermediate", speed=2), r"unknown lever"),
        (lambda: scenario_levers("intermediate", hardware=0), r"hardware = 0 is not allowed"),
        (lambda: project(footprint(paper_portfolio()), scenario_levers("intermediate"), 2035), r"year = 2035 is not allowed"),
        (lambda: grid_kg_per_kwh({"Mars": 1.0}), r"region = 'Mars' is not allowed"),
        (lambda: grid_kg_per_kwh({"Europe": 0.5}), r"region shares sum to 0.5"),
        (lambda: eco_score(-1), r"kwh_per_task = -1 is not allowed"),
        (lambda: Levers({"chat": 1.0}, 1, 1, 1, 1, 1, 1), r"growth has no factor for 'rag'"),
        (lambda: AIPortfolio(freq_low=0, freq_medium=0, freq_high=0, freq_very_high=0, baseline_gwh=0).run(Ledger()),
         r"no inferences"),
    ]
    for make, message in cases:
        with pytest.raises(InputError, match=message) as info:
            make()
        assert "\n" not in str(info.value)


def test_inference_ledger_charges():
    r, led = run(AIInference(kind="chat", size="low", inferences=1000))
    assert [c.resource for c in led.charges] == ["inference_compute", "inference_storage", "inference_network"]
    for c in led.charges:
        assert (c.account, c.count, c.basis, c.model, c.label) == ("ai-inference", 1000, "estimated", "ai-inference", "chat/low")
        assert "2501.14334" in c.provenance
    assert led.charges[0].unit_j == pytest.approx(r["kwh"]["compute"] * KWH_J)
    assert led.energy_j("ai-inference") == pytest.approx(1000 * r["kwh"]["total"] * KWH_J)
    assert r["total_kwh"] == pytest.approx(1000 * r["kwh"]["total"])
    json.dumps(r, allow_nan=False)
    _, led0 = run(AIInference(kind="tabular", inferences=0))
    assert [c.count for c in led0.charges] == [0, 0, 0] and led0.charges[0].label == "tabular"


def test_portfolio_ledger_charges():
    r, led = run(AIPortfolio(scenario="high-adoption"))
    assert {c.resource for c in led.charges} == {f"energy_{k}" for k in D.KINDS}
    assert all(c.account == "ai-portfolio" and c.basis == "estimated" and c.unit_j == pytest.approx(3600) for c in led.charges)
    # one charge per kind, counted in Wh: the kind's energy rounded to the nearest Wh
    wh = {c.resource: c.count for c in led.charges}
    assert wh == {f"energy_{k}": round(gwh * 1e9) for k, gwh in r["energy_gwh_by_kind"].items()}
    # Wh granularity: the charged total equals energy_gwh to within one Wh per kind
    assert led.energy_j("ai-portfolio") == pytest.approx(r["energy_gwh"] * 1e6 * KWH_J, abs=6 * 3600)
    json.dumps(r, allow_nan=False)


def test_parameters_listed_and_buildable_from_text():
    registry = {"ai-inference": AIInference, "ai-portfolio": AIPortfolio}
    for cls in registry.values():
        assert cls.summary and cls.account == cls.name
        for p in param_infos(cls):
            assert p.help or p.unit or p.choices, p.name
    m = build_model("ai-inference", {"kind": "rag", "size": "medium", "n": "1e3"}, models=registry)
    assert m.inferences == 1000 and m.kind == "rag"
    m = build_model("ai-portfolio", {"scenario": "tech-breakthrough", "year": "2027"}, models=registry)
    assert m.year == 2027
    with pytest.raises(InputError, match="parameter year = '2040' is out of range"):
        build_model("ai-portfolio", {"year": "2040"}, models=registry)


def test_overrides_reach_the_formula():
    # vGPUs from a custom model size, custom latency and tokens
    e = inference_energy("chat", "low", params_billion=70)
    assert e.vgpus == 19
    r, _ = run(AIInference(kind="chat", size="low", ttft_s=1.0, throughput_tok_s=100.0, output_tokens=100.0, vgpus=2, pue=1.0))
    assert r["kwh"]["compute"] == pytest.approx(convert_energy(2.0 * 2 * 50.1, "J", "kWh"))
    assert math.isclose(r["seconds_per_call"], 2.0)
