from fractions import Fraction

import pytest

from qenergy.energy.counts import classical_min_queries, classical_success_bound, expected_runs, runs_for_failure
from qenergy.errors import InputError

# digest simon-energy.md §6.2
DIGEST = {  # n: (E[R], R_δ at δ = 1/3, q_min at p = 2/3)
    2: (2.000, 3, 2),
    3: (3.333, 4, 3),
    4: (4.476, 5, 4),
    8: (8.599, 9, 15),
    16: (16.607, 17, 230),
    24: (24.607, 25, 3665),
    32: (32.607, 33, 58618),
    48: (48.607, 49, 15005999),
    64: (64.607, 65, 3841535535),
}


@pytest.mark.parametrize("n", sorted(DIGEST))
def test_counts_match_digest(n):
    er, rd, qmin = DIGEST[n]
    assert expected_runs(n) == pytest.approx(er, abs=5e-4)
    assert runs_for_failure(n, Fraction(1, 3)) == rd
    assert classical_min_queries(n, Fraction(2, 3)) == qmin
    assert classical_min_queries(n, "2/3") == qmin


@pytest.mark.parametrize("n", [2, 5, 10, 20, 40, 64])
@pytest.mark.parametrize("p", ["1/2", "2/3", "0.99", "1"])
def test_q_min_is_the_least_query_count(n, p):
    q = classical_min_queries(n, p)
    target = float(Fraction(p))
    assert classical_success_bound(n, q) >= target * (1 - 1e-12)
    if q > 0:
        assert classical_success_bound(n, q - 1) < target


def test_q_min_grows_like_two_to_the_half_n():
    ratio = classical_min_queries(64, "2/3") / 2**32
    assert ratio == pytest.approx(0.8944, abs=1e-4)


def test_expected_runs_tends_to_n_plus_constant():
    assert expected_runs(1) == 0.0
    assert expected_runs(200) - 200 == pytest.approx(0.6067, abs=1e-3)


def test_success_bound_monotone_and_capped():
    values = [classical_success_bound(10, q) for q in range(0, 80)]
    assert all(a <= b for a, b in zip(values, values[1:]))
    assert values[-1] == 1.0 and values[0] == pytest.approx(1 / 1023)


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "abc"])
def test_bad_probabilities(bad):
    with pytest.raises(InputError):
        classical_min_queries(8, bad)


def test_bad_delta_and_n():
    with pytest.raises(InputError):
        runs_for_failure(8, 1)
    with pytest.raises(InputError):
        expected_runs(0)
