import numpy as np
import pytest
from qenergy.circuits import get_backend, run_simon
from qenergy.classical import birthday_search

from qenergy.energy.advantage import bound_table, criterion, crossover_n
from qenergy.energy.bounds import (
    IrreversibleRegisterReuse,
    MemoryBounded,
    MinimalErasure,
    QuantumUpperBound,
    ReversibleComputation,
    parse_classical_model,
)
from qenergy.energy.counts import classical_min_queries, expected_runs
from qenergy.energy.erasure import FiniteStepErasure
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.ledger.charging import BoundsPolicy
from qenergy.problem.instance import make_instance
from qenergy.problem.queries import CountingOracle

CLASSICAL = [IrreversibleRegisterReuse(), MinimalErasure(), MemoryBounded(memory_bits=500), ReversibleComputation()]
NS = range(2, 65)


def test_every_assumption_set_documents_itself():
    for bound in [QuantumUpperBound(), *CLASSICAL]:
        doc = type(bound).__doc__ or ""
        assert bound.name and "ssumption" in doc and len(doc) > 200


@pytest.mark.parametrize("bound", [QuantumUpperBound(), *CLASSICAL], ids=lambda b: b.name)
def test_monotone_in_n(bound):
    values = [bound.energy_j(n, 300.0) for n in NS]
    assert all(a <= b for a, b in zip(values, values[1:]))
    assert values[-1] > values[0]


@pytest.mark.parametrize("bound", [QuantumUpperBound(), *CLASSICAL], ids=lambda b: b.name)
def test_linear_in_temperature(bound):
    for n in (3, 17, 64):
        assert bound.energy_j(n, 40.0) == pytest.approx(10 * bound.energy_j(n, 4.0), rel=1e-12)


def test_gate_imperfections_break_temperature_scaling():
    q = QuantumUpperBound(gate_energy_j=1e-21)
    assert q.energy_j(8, 40.0) < 10 * q.energy_j(8, 4.0)
    assert q.energy_j(8, 4.0) - QuantumUpperBound().energy_j(8, 4.0) == pytest.approx(expected_runs(8) * (16 + 64) * 1e-21)


def test_quantum_bound_formula():
    q = QuantumUpperBound(FiniteStepErasure(1e-6, 1000))
    w = FiniteStepErasure(1e-6, 1000).work_j(300.0)
    assert q.energy_j(16, 300.0) == pytest.approx(expected_runs(16) * 3 * 16 * w + 2 * 2 * 16 * w)
    budget = QuantumUpperBound(runs="budget")
    assert budget.run_count(16, "2/3") == 17
    with pytest.raises(InputError):
        budget.run_count(16, 1)


def test_classical_bounds_formulas():
    u = landauer_bit_energy(300.0)
    q = classical_min_queries(20, "2/3")
    assert IrreversibleRegisterReuse().energy_j(20, 300.0) == pytest.approx(19 * q * u)
    assert MinimalErasure().energy_j(20, 300.0) == pytest.approx(q * u)
    assert MemoryBounded(memory_bits=100).energy_j(20, 300.0) == pytest.approx((q - 100) * u)
    assert MemoryBounded(memory_bits=10**9).energy_j(20, 300.0) == 0.0
    assert ReversibleComputation().energy_j(20, 300.0) == pytest.approx(20 * u)


def test_crossovers_and_reversible_has_none():
    q = QuantumUpperBound()
    crossings = {c.name: crossover_n(bound_table(NS, q, c, 300.0)) for c in CLASSICAL}
    assert crossings["reversible"] is None
    assert crossings["irreversible"] < crossings["minimal"] <= crossings["memory"] < 64
    rows = bound_table(NS, q, IrreversibleRegisterReuse(), 300.0)
    n0 = crossings["irreversible"]
    assert all(r.ratio > 1 for r in rows if r.n >= n0)
    assert rows[n0 - 3].ratio <= 1  # the row just before the crossover
    assert rows[-1].ratio > 1e6  # the exponential gap at n = 64


def test_crossover_definition():
    from qenergy.energy.advantage import BoundRow

    rows = [BoundRow(n, 1.0, c, 0) for n, c in zip(range(1, 7), [2.0, 0.5, 2.0, 3.0, 0.9, 5.0])]
    assert crossover_n(rows) == 6
    assert crossover_n(rows[:4]) == 3
    assert crossover_n([BoundRow(1, 1.0, 0.5, 0)]) is None


def test_criterion():
    v = criterion(1e-19, 30, IrreversibleRegisterReuse(), 300.0)
    assert v.advantage and v.margin > 1 and v.classical_lower_j == IrreversibleRegisterReuse().energy_j(30, 300.0)
    assert not criterion(1e-10, 30, IrreversibleRegisterReuse(), 300.0).advantage


def test_parse_classical_model():
    assert isinstance(parse_classical_model("memory:0x10"), MemoryBounded)
    assert parse_classical_model("memory:64").memory_bits == 64
    for bad in ("memory:", "memory:-1", "classicalish"):
        with pytest.raises(InputError):
            parse_classical_model(bad)


def test_real_runs_are_charged_through_the_assumption_sets():
    inst = make_instance(7, None, "linear", seed=3)
    erasure = FiniteStepErasure(1e-4, 50)
    policy = BoundsPolicy(QuantumUpperBound(erasure, gate_energy_j=2e-22), IrreversibleRegisterReuse())
    ledger = Ledger(4.2)
    q = run_simon(inst, get_backend("aer"), ledger, rng=np.random.default_rng(1), policy=policy)
    c = birthday_search(inst, ledger, rng=np.random.default_rng(2), policy=policy)
    w = erasure.work_j(4.2)
    resets = [ch for ch in ledger.charges if ch.resource == "qubit_reset"]
    assert all(ch.unit_j == w and ch.basis == "upper_bound" and "quantum-upper" in ch.model for ch in resets)
    gates_per_shot = sum(v for k, v in q.metadata.gate_counts.items() if k != "measure")
    assert ledger.counts("quantum", "gate") == gates_per_shot * q.shots
    expected_q = (3 * 7 * q.shots + 2 * 2 * 7) * w + gates_per_shot * q.shots * 2e-22
    assert ledger.energy_j("quantum") == pytest.approx(expected_q)
    classical = [ch for ch in ledger.charges if ch.account == "classical" and ch.resource == "bit_erased"]
    assert all(ch.basis == "lower_bound" and ch.model == "irreversible" for ch in classical)
    assert ledger.energy_j("classical") == pytest.approx(6 * c.queries * landauer_bit_energy(4.2))


@pytest.mark.parametrize("model, bits", [(MemoryBounded(memory_bits=10), lambda q: max(0, q - 10)), (ReversibleComputation(), lambda q: 5), (MinimalErasure(), lambda q: q)])
def test_nonlinear_models_are_charged_exactly_across_batches(model, bits):
    inst = make_instance(5, 3, "random", seed=1)
    ledger = Ledger(300.0)
    oracle = CountingOracle(inst, ledger, policy=BoundsPolicy(classical=model))
    for size in (4, 4, 9, 1):
        oracle.query(np.arange(size, dtype=np.uint64))
    assert ledger.counts("classical", "query") == 18
    assert ledger.counts("classical", "bit_erased") == bits(18)


def test_where_the_classical_figures_leave_the_float_range_is_what_the_docs_say():
    """q_min(n, 2/3) overflows a double at n = 2049, the ratio at 2074, the irreversible joules at 2163 (300 K) and
    2175 (4.2 K); the module docstrings and the README state these figures, not one "n ≈ 2050" for all."""
    import math
    from pathlib import Path

    import qenergy.energy.advantage
    import qenergy.energy.bounds
    import qenergy.energy.magnitude

    def first_overflow(values):
        return next(n for n, v in values if not math.isfinite(v))

    ns = range(2040, 2200)
    irreversible = parse_classical_model("irreversible")
    q_min = first_overflow((n, float(classical_min_queries(n, "2/3")) if classical_min_queries(n, "2/3") < 2**1024 else math.inf)
                           for n in ns)
    rows = bound_table(ns, QuantumUpperBound(), irreversible, 300.0)
    ratio = first_overflow((r.n, r.ratio) for r in rows)
    joules_300 = first_overflow((r.n, r.classical_lower_j) for r in rows)
    joules_4k = first_overflow((n, irreversible.energy_j(n, 4.2)) for n in ns)
    assert (q_min, ratio, joules_300, joules_4k) == (2049, 2074, 2163, 2175)
    assert irreversible.energy(2300, 300.0).log10 > 308  # beyond: carried as its logarithm
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    for text in (qenergy.energy.magnitude.__doc__, qenergy.energy.advantage.__doc__, readme):
        assert text and "2050" not in text and all(f"n = {v}" in " ".join(text.split()) for v in (q_min, joules_300)), text[:200]
    assert "n = 2163" in " ".join(qenergy.energy.bounds.ClassicalLowerBound.energy_j.__doc__.split())
