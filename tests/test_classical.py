import itertools

import numpy as np
import pytest

from classical import ALGORITHMS, birthday_search, exhaustive_search, get_algorithm
from classical.collision import query_cap
from qenergy.errors import InputError
from qenergy.ledger import Ledger
from qenergy.problem import make_instance
from qenergy.queries import CountingOracle


@pytest.mark.parametrize("algorithm", sorted(ALGORITHMS))
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
        r = get_algorithm(algorithm)(inst, ledger, rng=np.random.default_rng(s))
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


def test_birthday_query_count_near_birthday_bound():
    n = 16
    counts = []
    for seed in range(40):
        inst = make_instance(n, None, "random", seed=seed)
        counts.append(birthday_search(inst, Ledger(), rng=np.random.default_rng(seed)).queries)
    # expected first collision among 2^(n-1) pairs: ~ sqrt(pi/2 * 2^(n-1))·... ≈ 1.25·2^(n/2) = 320
    assert 150 < np.mean(counts) < 600


def test_birthday_beyond_permutation_range():
    inst = make_instance(30, None, "random", seed=3)
    r = birthday_search(inst, Ledger(), rng=np.random.default_rng(3))
    assert r.found == inst.secret
    assert r.queries < 20 * 2**15


def test_birthday_inputs_are_distinct():
    from classical.birthday import random_distinct_inputs

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
    with pytest.raises(InputError, match="allowed: birthday, exhaustive, rho, none"):
        get_algorithm("grover")
