"""Published inputs of Desroches et al., arXiv:2501.14334v2 (Capgemini Invent, 2025), models.md §9.

Every constant carries the table it comes from. Tags as in ``/work/shared/papers/models.md``:
[TEXT] read in the paper's text or tables; [DERIVED] computed by us from [TEXT] inputs;
OURS: not in the paper, our assumption (a parameter wherever it matters).

Tables 28-31 (2030 scenario levers) and the Table 1 RAG / agents rows are not in the
digest; they were read in the stored full-text conversion of arXiv:2501.14334v2.
Table 2 and the other *reported results* are kept apart at the bottom of this file and are
used only for comparison, never as inputs, with **one labelled exception**:
`PAPER_2024_GWH`, the paper's *reported* 2024 portfolio energy (3.9 GWh/yr), is the default
``baseline_gwh`` of the ``ai-portfolio`` model. It is a paper result used as an input (a
calibration anchor, needed because the paper prints no usage-frequency values), not something the
model derives; it sets only the absolute GWh and t of the portfolio, not its indices.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# -- Model 1: hardware capacities (Table 8, PUE 1.15, WUE 0.18 L/kWh) ----------------------------

#: Datacenter PUE applied to compute and storage power [TEXT Table 8].
PUE_2024 = 1.15
#: Power of one vGPU, a 10 GB MIG slice of an A100 (8 A100 x 7 slices in a p4de.24xlarge), W [TEXT Table 8].
VGPU_POWER_W = 50.1
#: Power of one vCPU (96 per p4de.24xlarge), W [TEXT Table 8].
VCPU_POWER_W = 3.15
#: Storage power, W per GB stored [TEXT Table 8].
STORAGE_W_PER_GB = 1.25e-3
#: Backbone transfer energy per GB. Table 8 prints "3.42E-02 Wh/GB" but Table 1 (e.g. chat network
#: 4.59e-8 kWh for 1.34e-6 GB) needs 3.42e-2 **kWh**/GB, which is also the unit of the Methods text.
#: We use kWh/GB and flag the unit clash [TEXT Table 8 vs Table 1].
NETWORK_KWH_PER_GB = 3.42e-2
#: Inference data are stored for the whole year: 24 x 365 h [TEXT Methods, Storage].
STORAGE_HOURS = 24 * 365
#: Business days per year in yearly inferences = 250 x users x frequency [TEXT Methods].
BUSINESS_DAYS = 250
#: 1 token = 4 characters = 4 bytes [TEXT Supplementary, Inference].
BYTES_PER_TOKEN = 4
#: Bytes per GB (decimal; Table 1's 1.34e-6 GB per chat request needs 1e9) [DERIVED].
BYTES_PER_GB = 1e9

#: Embodied GHG per unit of capacity (NegaOctet bill of materials, 4-year life) [TEXT Table 8].
EMBODIED_KG_PER_VGPU_HOUR = 1.93e-3
EMBODIED_KG_PER_VCPU_HOUR = 1.67e-4
EMBODIED_KG_PER_GB_HOUR = 1.11e-6
EMBODIED_KG_PER_GB_TRANSFERRED = 3.65e-4

#: Electricity GHG factors, kg CO2e per kWh (Ecoinvent) [TEXT Tables 8 and 27].
GRID_KG_PER_KWH: Mapping[str, float] = MappingProxyType({"US": 0.547, "China": 0.871, "EU-27": 0.410})
#: Datacenter capacity by region (CBRE Q1 2024) and the grid used for each [TEXT Table 26 and its text:
#: Americas -> US, Europe -> EU-27, APAC -> China because no APAC average was available].
REGION_MIX: Mapping[str, float] = MappingProxyType({"Americas": 0.45, "Europe": 0.28, "APAC": 0.27})
REGION_GRID: Mapping[str, str] = MappingProxyType({"Americas": "US", "Europe": "EU-27", "APAC": "China"})

# -- Model 2: use-case clusters ------------------------------------------------------------------

GENAI_KINDS = ("chat", "rag", "agents")
TRADITIONAL_KINDS = ("tabular", "cv", "nlp")
KINDS = GENAI_KINDS + TRADITIONAL_KINDS
SIZES = ("low", "medium", "high")

#: Reference LLM per size class and its parameters in billions [TEXT Table 16].
REFERENCE_MODEL: Mapping[str, tuple[str, float]] = MappingProxyType(
    {"low": ("Llama 3.1 8B", 8.0), "medium": ("Llama 3.1 70B", 70.0), "high": ("Llama 3.1 405B", 405.0)})
#: vGPU sizing: FP16 (2 bytes per parameter) x 1.3 overhead / 10 GB per MIG slice, rounded up [TEXT Table 18].
BYTES_PER_PARAM_FP16 = 2
MEMORY_OVERHEAD = 1.3
VGPU_MEMORY_GB = 10.0
#: Printed vGPU counts, for checking the rule above [TEXT Table 18].
VGPUS_TABLE18: Mapping[str, int] = MappingProxyType({"low": 3, "medium": 19, "high": 106})

#: (time to first token s, output throughput tok/s), averaged over AWS/GCP/Azure (Artificial Analysis),
#: by prompt size 100 tokens (chat, agents) or 1000 tokens (RAG) [TEXT Table 17].
LATENCY: Mapping[int, Mapping[str, tuple[float, float]]] = MappingProxyType({
    100: MappingProxyType({"low": (0.26, 127.0), "medium": (0.36, 43.4), "high": (0.60, 21.9)}),
    1000: MappingProxyType({"low": (0.29, 124.3), "medium": (0.43, 44.0), "high": (0.91, 21.7)}),
})
#: Prompt-size column of Table 17 each GenAI kind uses [TEXT Supplementary, "100 tokens (used for
#: Chat and Agents) and 1000 tokens (used for RAG)"].
PROMPT_CLASS: Mapping[str, int] = MappingProxyType({"chat": 100, "agents": 100, "rag": 1000})

#: (input tokens, output tokens, LLM calls per inference, extra traditional-NLP inferences) per GenAI kind.
#: chat: mean of 4 datasets [TEXT Table 19]; agents: Agent-Flan, 3.03 function calls, each tool call
#: modelled as one NLP inference [TEXT Table 20 and text]; RAG: 3 client projects, plus 1 NLP inference
#: for the embedding search [TEXT, Inference section].
GENAI_TOKENS: Mapping[str, tuple[float, float, float, float]] = MappingProxyType({
    "chat": (126.89, 208.45, 1.0, 0.0),
    "agents": (405.65, 390.93, 3.03, 3.03),
    "rag": (5333.0, 363.0, 1.0, 1.0),
})

#: Traditional AI: (compute kWh per inference incl. PUE 1.15, input size GB, capacity that runs it)
#: [TEXT Tables 14 and 15; capacity from the Luccioni A100 runs (CV, NLP) and the CPU-only random forest
#: (tabular)].
TRADITIONAL: Mapping[str, tuple[float, float, str]] = MappingProxyType({
    "tabular": (2.99e-8, 1.0e-7, "vcpu"),
    "cv": (2.58e-5, 6.22e-3, "vgpu"),
    "nlp": (3.60e-6, 2.0e-6, "vgpu"),
})
#: Fine-tuning totals over a model's life, kWh (compute, storage, network) [TEXT Tables 20-22],
#: amortised over a 5-year life [TEXT]. GenAI use cases have no fine-tuning [TEXT].
FINE_TUNING_KWH: Mapping[str, tuple[float, float, float]] = MappingProxyType({
    "tabular": (2.00, 1.03e-6, 3.42e-3),
    "cv": (21.0, 3.22e-3, 21.3),
    "nlp": (0.881, 2.34e-8, 3.59e-3),
})
FINE_TUNING_LIFETIME_YEARS = 5

#: Naive eco-score (Table 6): class letter if kWh per task is below the bound [TEXT Table 6].
ECO_SCORE: tuple[tuple[str, float], ...] = (("A", 1e-8), ("B", 1e-7), ("C", 1e-6), ("D", 1e-5),
                                            ("E", 1e-4), ("F", 1e-3), ("G", 1e-2))

# -- Model 3: the 2024 company portfolio (Tables 23-25) ------------------------------------------

USE_CASES_2024 = 100
#: Share of use cases [TEXT Table 23]: 29% GenAI / 71% traditional, then the split inside each.
GENAI_SHARE = 0.29
KIND_SHARE: Mapping[str, float] = MappingProxyType({
    "agents": 0.33, "chat": 0.28, "rag": 0.39,          # of GenAI use cases
    "cv": 0.11, "nlp": 0.10, "tabular": 0.79,           # of traditional use cases
})
#: GenAI model-size mix (Hugging Face downloads + GPT-4 counted as high) [TEXT Table 25].
SIZE_SHARE: Mapping[str, float] = MappingProxyType({"low": 0.131, "medium": 0.011, "high": 0.858})
#: Daily users per level: 10 (PoC), 100 (MVP), 1000 (industrialised), 10000 (company-wide) [TEXT Model 2].
USER_LEVELS = (10, 100, 1000, 10000)
#: Share of use cases at each users level and at each usage-frequency level (low, medium, high, very high),
#: by type of AI [TEXT Table 24].
USERS_DIST: Mapping[str, tuple[float, ...]] = MappingProxyType({"genai": (0.10, 0.40, 0.30, 0.20),
                                                                "traditional": (0.80, 0.15, 0.05, 0.0)})
FREQ_DIST: Mapping[str, tuple[float, ...]] = MappingProxyType({"genai": (0.35, 0.40, 0.20, 0.05),
                                                               "traditional": (0.25, 0.25, 0.25, 0.25)})
#: Requests per user per business day at the four frequency levels. OURS: the paper names the levels
#: but prints no values. A x10 ladder like the users levels. Only the traditional/GenAI split of the
#: 2024 energy (about 0.03% traditional) and the bottom-up total depend on it.
FREQ_LEVELS_OURS = (0.1, 1.0, 10.0, 100.0)

# -- Model 4: 2030 scenarios (Tables 28-31, 5) ---------------------------------------------------

YEAR_0 = 2024
YEAR_1 = 2030

#: Usage growth factors 2024 -> 2030, (low bound, high bound) [TEXT Table 28]: GenAI excl. agents
#: 5.29 / 10.09 (CAGR 32% / 47%), agents 6.05 / 13.87 (35% / 55%), CV 2.08 / 2.99, NLP 3.30 / 4.83,
#: traditional AI overall 2.57 / 3.64. Table 28 has no tabular line: OURS, tabular takes the overall
#: traditional factor.
GROWTH_LOW: Mapping[str, float] = MappingProxyType({"chat": 5.29, "rag": 5.29, "agents": 6.05,
                                                     "cv": 2.08, "nlp": 3.30, "tabular": 2.57})
GROWTH_HIGH: Mapping[str, float] = MappingProxyType({"chat": 10.09, "rag": 10.09, "agents": 13.87,
                                                      "cv": 2.99, "nlp": 4.83, "tabular": 3.64})
#: Intermediate usage: GenAI 7.4, agents 9.3 [TEXT Table 31]; traditional only "3-5" is printed:
#: OURS, the geometric mean of the low and high bounds per category.
GROWTH_MID: Mapping[str, float] = MappingProxyType({
    "chat": 7.4, "rag": 7.4, "agents": 9.3,
    "cv": (2.08 * 2.99) ** 0.5, "nlp": (3.30 * 4.83) ** 0.5, "tabular": (2.57 * 3.64) ** 0.5,
})

#: Hardware efficiency by 2030: x1.28 per year (Epoch AI) -> x4.4 [TEXT Table 29]; the breakthrough
#: is "a 4.8-fold increase compared to the do-nothing scenarios" [TEXT Table 30], i.e. 4.4 x 4.8.
HW_CONTINUOUS = 4.4
HW_BREAKTHROUGH_EXTRA = 4.8
#: PUE: stays 1.15 [TEXT Tables 29, 31]; efficient scenarios "slightly decrease of 5% until 2030 at
#: 1.1" [TEXT Table 30]: we apply the 5% (1.15 x 0.95 = 1.0925); 1.10 is the rounded value.
PUE_EFFICIENT_DROP = 0.05
#: Grid GHG factor 2030/2024. IEA stated policies: the text says -24% but Table 5 prints 0.75 as the
#: energy-mix factor of the 2030 High-adoption and Intermediate scenarios; we use the table's 0.75.
#: IPCC 1.5 C: -45% -> 0.55 [TEXT Tables 29-31, 5].
GRID_STATED_POLICIES = 0.75
GRID_STATED_POLICIES_TEXT = 0.76
GRID_IPCC = 0.55
#: Model size x3 (do nothing) / x2 (intermediate) / stable; output tokens x1.33 / x3 (high adoption) /
#: x2 (intermediate); int8 on 20% of inferences -> x1.2 [TEXT Tables 29-31 and 2030 projections].
#: The text also mentions x1.13 output tokens for "more sustainable" scenarios, but Table 30 gives the
#: Limited-growth output tokens as "Similar to Steady ascent" (x1.33); we follow Table 30.
QUANTIZATION_INT8 = 1.2

#: name -> (description, usage growth, hardware, PUE 2030, grid factor, model size, output tokens,
#: quantization) [TEXT Tables 29-31].
SCENARIOS: Mapping[str, tuple[str, Mapping[str, float], float, float, float, float, float, float]] = MappingProxyType({
    "steady-ascent": ("Steady ascent: usage increase (low bound), limited efficiency",
                      GROWTH_LOW, HW_CONTINUOUS, PUE_2024, GRID_STATED_POLICIES, 3.0, 1.33, 1.0),
    "high-adoption": ("High adoption without boundaries: usage explosion (high bound), limited efficiency",
                      GROWTH_HIGH, HW_CONTINUOUS, PUE_2024, GRID_STATED_POLICIES, 3.0, 3.0, 1.0),
    "limited-growth": ("Limited growth with efficiency breakthrough: usage increase, high efficiency",
                       GROWTH_LOW, HW_CONTINUOUS * HW_BREAKTHROUGH_EXTRA, PUE_2024 * (1 - PUE_EFFICIENT_DROP),
                       GRID_IPCC, 1.0, 1.33, QUANTIZATION_INT8),
    "tech-breakthrough": ("Technological breakthrough: usage explosion, hardware breakthrough, do-nothing models + int8",
                          GROWTH_HIGH, HW_CONTINUOUS * HW_BREAKTHROUGH_EXTRA, PUE_2024 * (1 - PUE_EFFICIENT_DROP),
                          GRID_IPCC, 3.0, 3.0, QUANTIZATION_INT8),
    "intermediate": ("Intermediate: average market growth, gradual GPU efficiency",
                     GROWTH_MID, HW_CONTINUOUS, PUE_2024, GRID_STATED_POLICIES, 2.0, 2.0, 1.0),
})

# -- A reported result USED AS AN INPUT (calibration anchor) -------------------------------------

#: 2024 portfolio energy, GWh/yr for 100 use cases [TEXT, Company portfolio impact]. This is the
#: paper's *result*, not one of its inputs. It is the default ``baseline_gwh`` of ``ai-portfolio``:
#: the bottom-up 2024 footprint (which depends on the usage-frequency values the paper does not print,
#: [`FREQ_LEVELS_OURS`][FREQ_LEVELS_OURS]) is scaled to it. So with the default, the model's 2024 energy is this
#: number fed back out, not a reproduction of it; indices (2024 = 100) and shares do not depend on it.
PAPER_2024_GWH = 3.9

# -- Reported results: for comparison only, never used as inputs ---------------------------------

#: Table 1 totals, kWh per inference [TEXT Table 1].
PAPER_TABLE1_TOTAL_KWH: Mapping[tuple[str, str], float] = MappingProxyType({
    ("chat", "low"): 9.31e-5, ("chat", "medium"): 1.55e-3, ("chat", "high"): 1.73e-2,
    ("rag", "low"): 1.56e-4, ("rag", "medium"): 2.64e-3, ("rag", "high"): 2.99e-2,
    ("agents", "low"): 4.97e-4, ("agents", "medium"): 8.54e-3, ("agents", "high"): 9.58e-2,
    ("tabular", ""): 3.46e-8, ("cv", ""): 3.17e-4, ("nlp", ""): 3.70e-6,
})
#: Table 2, 2030 indices (2024 = 100): (energy, GHG) [TEXT Table 2].
PAPER_TABLE2: Mapping[str, tuple[int, int]] = MappingProxyType({
    "steady-ascent": (552, 421), "high-adoption": (2440, 1862), "limited-growth": (30, 17),
    "tech-breakthrough": (402, 227), "intermediate": (755, 576),
})
#: 2024 portfolio: 2,480,000 kg CO2e for 100 use cases [TEXT, Company portfolio impact]. Comparison only.
PAPER_2024_KG_CO2E = 2.48e6
#: Table 5: hardware factor for a 90% GHG cut with PUE 1.04 and grid 0.55 [TEXT Table 5].
PAPER_TABLE5_HW: Mapping[str, float] = MappingProxyType({"high-adoption": 565.0, "intermediate": 175.0})
TABLE5_PUE = 1.04
TABLE5_GRID = 0.55
#: Table 32, use cases in 2030 and GenAI share [TEXT Table 32].
PAPER_TABLE32: Mapping[str, tuple[int, float]] = MappingProxyType({
    "increase": (341, 0.46), "explosion": (576, 0.55), "intermediate": (486, 0.46)})
