import itertools
import math

import numpy as np
import pytest
from qenergy.classical import birthday_search, exhaustive_search, get_algorithm
from qenergy.classical.collision import query_cap

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance
from qenergy.problem.queries import CountingOracle


@pytest.mark.parametrize("algorithm", ["birthday", "exhaustive", "rho"])
@pytest.mark.parametrize("family", ["linear", "random", "table"])
@pytest.mark.parametrize("n", range(1, 9))
def test_finds_every_secret(algorithm, family, n, tmp_path):
    for s in {0, 1, (1 << n) - 1, 1 << (n - 1), int(np.random.default_rng(n).integers(0, 1 << n))}:
        if family == "table":
            path = tmp_path / f"t{s}.txt"
            path.write_text("\n".join(str(int(v)) for v in make_instance(n, s, "random", seed=s).oracle.truth_table()))
            inst = make_instance(n, None, f"table:{path}")
            assert inst.secret == s
        else:
            inst = make_instance(n, s, family, seed=n)
        ledger = Ledger()
        r = get_algorithm(algorithm).search(inst, ledger, rng=np.random.default_rng(s))
        assert r.found == s and r.algorithm == algorithm
        assert ledger.counts("classical", "query") == r.queries
        assert ledger.counts("classical", "bit_erased") == (n - 1) * r.queries  # irreversible model: n − 1 bits a query
        if s == 0:
            assert r.one_to_one
            if algorithm != "rho":  # rho decides s = 0 only after max_walks walks back to their start
                assert r.queries == query_cap(n)
        else:
            x, x2 = r.collision
            assert x ^ x2 == s and inst.oracle.evaluate_int(x) == inst.oracle.evaluate_int(x2)
            if algorithm != "rho":
                assert r.queries <= query_cap(n)


def test_exhaustive_is_deterministic_and_stops_at_first_collision():
    inst = make_instance(10, 0b1000000000, "linear", seed=1)
    r = exhaustive_search(inst, Ledger())
    # inputs 0..512 are queried in order; the first repeat is x = 512 colliding with 0
    assert r.queries == 513 and r.collision == (0, 512)
    assert exhaustive_search(inst, Ledger()) == r


def _birthday_moments(n):
    """Exact mean and standard deviation of the birthday query count Q for a two-to-one f on 2^n inputs.

    Computed from the distribution, independently of the search: P(Q > k) = prod_{i<k} (N - 2i)/(N - i),
    N = 2^n (the (k+1)-th distinct random input collides iff it is the partner of one of the first k);
    E[Q] = sum_k P(Q > k), E[Q^2] = sum_k (2k + 1) P(Q > k).
    """
    big_n = 2**n
    i = np.arange(big_n // 2 + 1)
    surv = np.concatenate(([1.0], np.cumprod((big_n - 2.0 * i) / (big_n - i))))[: big_n // 2 + 1]
    mean = surv.sum()
    return mean, math.sqrt(((2 * np.arange(surv.size) + 1) * surv).sum() - mean**2)


def test_birthday_moments_formula():
    # n = 1: one pair, the second query always collides
    assert _birthday_moments(1) == (2.0, 0.0)
    # n = 2: P(Q > 2) = (4 - 2)/(4 - 1) = 2/3, so E[Q] = 1 + 1 + 2/3
    assert _birthday_moments(2)[0] == pytest.approx(8 / 3)
    # large n: sqrt(pi/2 * 2^n), not sqrt(pi/2 * 2^(n-1))
    assert _birthday_moments(16)[0] == pytest.approx(math.sqrt(math.pi / 2 * 2**16), rel=1e-4)


@pytest.mark.parametrize("n", [6, 10])
def test_birthday_mean_query_count_matches_the_exact_expectation(n):
    """Monte Carlo: the mean of R = 400 runs lies within 4 standard errors (sd / sqrt(R)) of E[Q].

    By the central limit theorem a correct search fails this with probability about 6e-5 (the seeds are
    fixed, so the run is deterministic). The formula sqrt(pi/2 * 2^(n-1)) lies more than 11 standard
    errors below E[Q] at both n, so this test tells the two apart.
    """
    runs = 400
    counts = [birthday_search(make_instance(n, None, "random", seed=s), Ledger(), rng=np.random.default_rng(10_000 + s)).queries
              for s in range(runs)]
    mean, sd = _birthday_moments(n)
    se = sd / math.sqrt(runs)
    assert abs(np.mean(counts) - mean) < 4 * se
    assert mean - math.sqrt(math.pi / 2 * 2 ** (n - 1)) > 11 * se


def test_birthday_beyond_permutation_range():
    inst = make_instance(30, None, "random", seed=3)
    r = birthday_search(inst, Ledger(), rng=np.random.default_rng(3))
    assert r.found == inst.secret
    assert r.queries < 20 * 2**15


def test_birthday_inputs_are_distinct():
    from qenergy.classical.birthday import random_distinct_inputs

    for n in (5, 30, 64):
        it = random_distinct_inputs(n, np.random.default_rng(0))
        xs = np.concatenate(list(itertools.islice(it, 4)))
        assert np.unique(xs).size == xs.size and int(xs.max()) < 2**n
        if n == 5:
            assert xs.size == 32  # a permutation of every input


def test_query_prefix_charges_only_what_a_sequential_algorithm_uses():
    inst = make_instance(6, 5, "linear", seed=0)
    ledger = Ledger()
    oracle = CountingOracle(inst, ledger)
    out = oracle.query_prefix(np.arange(10, dtype=np.uint64), lambda f: 4)
    assert out.size == 4 and oracle.queries == 4 and ledger.counts("classical", "query") == 4
    with pytest.raises(ValueError):
        oracle.query_prefix(np.arange(3, dtype=np.uint64), lambda f: 7)


def test_classical_rejects_large_n_and_unknown():
    with pytest.raises(InputError, match="n <= 64"):
        birthday_search(make_instance(70, 1, "linear"), Ledger(), rng=np.random.default_rng())
    with pytest.raises(InputError, match="allowed: birthday, exhaustive, parallel-rho, rho, weight-cover, none"):
        get_algorithm("grover")


def _first_repeat_naive(seen: list[int], out: list[int]) -> int:
    known = set(seen)
    for i, v in enumerate(out):
        if v in known:
            return i
        known.add(v)
    return -1


def test_seen_answers_find_the_first_repeat_a_sequential_scan_finds() -> None:
    """The sort-and-merge detector finds exactly the first repeat a one-at-a-time scan finds, and merges."""
    from qenergy.classical.collision import SeenAnswers

    rng = np.random.default_rng(7)
    for trial in range(300):
        universe = int(rng.integers(2, 200))
        seen = np.unique(rng.integers(0, universe, size=int(rng.integers(0, 40)), dtype=np.uint64))
        out = rng.integers(0, universe, size=int(rng.integers(1, 60)), dtype=np.uint64)
        answers = SeenAnswers()
        for part in np.array_split(seen, int(rng.integers(1, 4))):
            assert answers.add(part) == -1
        hit = answers.add(out)
        assert hit == _first_repeat_naive(seen.tolist(), out.tolist()), trial
        if hit < 0:
            assert answers.values.tolist() == sorted(seen.tolist() + out.tolist())
