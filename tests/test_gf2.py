import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from qenergy.problem.gf2 import bits_to_int, int_to_bits, null_space, rank, rref, solve_secret


def brute_null_space_size(a: np.ndarray) -> int:
    n = a.shape[1]
    vs = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.uint8)
    return int(((a.astype(int) @ vs.T.astype(int)) % 2 == 0).all(axis=0).sum())


matrices = st.integers(1, 7).flatmap(lambda n: st.integers(0, 9).flatmap(lambda k: arrays(np.uint8, (k, n), elements=st.integers(0, 1))))


@given(matrices)
def test_rank_and_null_space_agree_with_brute_force(a):
    n = a.shape[1]
    r = rank(a, n)
    basis = null_space(a, n)
    assert basis.shape == (n - r, n)
    assert brute_null_space_size(a) == 2 ** (n - r)
    assert not ((a.astype(int) @ basis.T.astype(int)) % 2).any()
    assert rank(basis, n) == n - r  # independent


@given(matrices)
def test_rref_is_reduced_and_spans_same_rows(a):
    n = a.shape[1]
    red, piv = rref(a, n)
    assert piv == sorted(piv)
    for i, p in enumerate(piv):
        assert red[i, p] == 1 and red[:, p].sum() == 1
    assert rank(np.vstack([red, a]), n) == len(piv)


@given(st.integers(1, 130).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, 2**n - 1))))
def test_int_bits_round_trip(ns):
    n, x = ns
    bits = int_to_bits(x, n)
    assert bits.shape == (n,) and bits_to_int(bits) == x


@given(st.integers(2, 70).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, 2**n - 1), st.integers(0, 2**32))))
def test_solve_secret_from_orthogonal_samples(args):
    n, s, seed = args
    rng = np.random.default_rng(seed)
    sbits = int_to_bits(s, n)
    ys = rng.integers(0, 2, size=(3 * n + 20, n), dtype=np.uint8)
    odd = (ys.astype(int) @ sbits) % 2 == 1
    j = int(np.flatnonzero(sbits)[0])
    ys[odd, j] ^= 1  # project onto s-perp
    assert not ((ys.astype(int) @ sbits) % 2).any()
    est = solve_secret(ys, n)
    if est.rank == n - 1:
        assert est.candidate == s and est.missing == 0 and est.determined
    else:
        assert est.candidate is None and est.missing == n - 1 - est.rank


def test_solve_secret_reports_missing_equations():
    est = solve_secret(np.array([[1, 0, 0, 0]], dtype=np.uint8), 4)
    assert est.candidate is None and est.missing == 2
    assert "2 more independent equation" in est.describe()
    assert solve_secret(np.zeros((0, 3), dtype=np.uint8), 3).missing == 2


def test_full_rank_means_zero_secret():
    est = solve_secret(np.eye(5, dtype=np.uint8), 5)
    assert est.candidate == 0 and est.rank == 5


def test_single_bit_problem_needs_no_equation():
    est = solve_secret(np.zeros((0, 1), dtype=np.uint8), 1)
    assert est.candidate == 1 and est.rank == 0


def test_wide_rows_cross_word_boundaries():
    n = 150
    rng = np.random.default_rng(7)
    a = rng.integers(0, 2, size=(149, n), dtype=np.uint8)
    basis = null_space(a, n)
    assert not ((a.astype(int) @ basis.T.astype(int)) % 2).any()
    assert basis.shape[0] == n - rank(a, n)


def test_rejects_non_bits():
    with pytest.raises(ValueError):
        rank(np.array([[0, 2]]))
