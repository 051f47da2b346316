import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qenergy.errors import InputError
from qenergy.problem.gf2 import null_space
from qenergy.problem.instance import make_instance, parse_secret
from qenergy.problem.oracles import LinearOracle, RandomOracle, TableOracle, load_table


def assert_simon_promise(f: np.ndarray, n: int, s: int) -> None:
    xs = np.arange(1 << n, dtype=np.uint64)
    assert (f == f[xs ^ np.uint64(s)]).all()
    assert np.unique(f).size == (1 << n if s == 0 else 1 << (n - 1))


instances = st.integers(1, 10).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, 2**n - 1), st.sampled_from(["linear", "random"]), st.integers(0, 2**31))
)


@given(instances)
def test_families_keep_the_promise(args):
    n, s, family, seed = args
    inst = make_instance(n, s, family, seed=seed)
    assert (inst.n, inst.secret) == (n, s)
    table = inst.oracle.truth_table()
    assert_simon_promise(table, n, s)
    assert table.max() < 2**n
    xs = np.arange(1 << n, dtype=np.uint64)
    assert [inst.oracle.evaluate_int(int(x)) for x in xs[:20]] == [int(v) for v in table[:20]]


@given(st.integers(1, 12), st.integers(0, 2**31))
def test_linear_kernel_is_zero_and_s(n, seed):
    rng = np.random.default_rng(seed)
    s = int(rng.integers(0, 2**n))
    m = LinearOracle(n, s, rng=rng).matrix()
    kernel = null_space(m, n)
    if s == 0:
        assert kernel.shape[0] == 0
    else:
        assert kernel.shape[0] == 1
        assert sum(int(b) << i for i, b in enumerate(kernel[0])) == s


def test_linear_at_large_n_uses_exact_ints():
    n = 200
    s = (1 << 199) | 12345
    o = LinearOracle(n, s, rng=np.random.default_rng(1))
    x = (1 << 150) | 99
    assert o.evaluate_int(x) == o.evaluate_int(x ^ s)
    assert o.evaluate_int(0) == o.evaluate_int(s) == 0
    assert o.evaluate_int(x) != o.evaluate_int(x ^ 1)


def test_random_oracle_at_64_bits():
    s = 2**63 + 5
    o = RandomOracle(64, s, rng=np.random.default_rng(3))
    xs = np.random.default_rng(4).integers(0, 2**64, size=1000, dtype=np.uint64)
    assert (o.evaluate(xs) == o.evaluate(xs ^ np.uint64(s))).all()
    assert np.unique(o.evaluate(xs)).size > 990
    assert o.evaluate_int(123) == int(o.evaluate(np.array([123], dtype=np.uint64))[0])


def test_seed_reproduces_instance_and_secret():
    a = make_instance(9, None, "random", seed=11)
    b = make_instance(9, None, "random", seed=11)
    c = make_instance(9, None, "random", seed=12)
    assert a.secret == b.secret != 0
    assert (a.oracle.truth_table() == b.oracle.truth_table()).all()
    assert not (a.oracle.truth_table() == c.oracle.truth_table()).all()


@pytest.mark.parametrize("text, value", [("13", 13), ("0b1101", 13), ("0xd", 13), ("0", 0), (7, 7)])
def test_parse_secret(text, value):
    assert parse_secret(text, 4) == value


@pytest.mark.parametrize("text", ["16", "-1", "0b10000", "abc", "1.5"])
def test_parse_secret_rejects(text):
    with pytest.raises(InputError, match=r"secret .*0\.\.2\^4-1|secret .* is not an integer"):
        parse_secret(text, 4)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_table_json_and_lines_round_trip(tmp_path):
    table = make_instance(4, 0b0110, "random", seed=1).oracle.truth_table()
    pj = write(tmp_path, "t.json", json.dumps([int(v) for v in table]))
    pl = write(tmp_path, "t.txt", "\n".join(hex(int(v)) for v in table) + "\n\n")
    for p in (pj, pl):
        inst = make_instance(None, None, f"table:{p}")
        assert (inst.n, inst.secret) == (4, 0b0110)
        assert (inst.oracle.truth_table() == table).all()
        assert inst.oracle.is_clifford is False


def test_table_one_to_one(tmp_path):
    p = write(tmp_path, "perm.json", json.dumps([3, 1, 0, 2]))
    inst = make_instance(2, None, f"table:{p}")
    assert inst.secret == 0


def test_table_wrong_length(tmp_path):
    p = write(tmp_path, "t.json", "[0, 1, 0]")
    with pytest.raises(InputError, match="has 3 entries"):
        make_instance(None, None, f"table:{p}")
    p2 = write(tmp_path, "t2.json", "[0, 1, 1, 0]")
    with pytest.raises(InputError, match=r"n = 3 needs 2\^3 = 8"):
        make_instance(3, None, f"table:{p2}")


def test_table_without_period_names_inputs(tmp_path):
    p = write(tmp_path, "t.json", "[0, 1, 0, 2]")  # f(0)=f(2) suggests s=2, but f(1)!=f(3)
    with pytest.raises(InputError, match=r"period s=0b10: f\(1\)=1 but f\(1⊕s\)=f\(3\)=2"):
        make_instance(None, None, f"table:{p}")
    with pytest.raises(InputError, match=r"does not have period s=0b1"):
        make_instance(None, 1, f"table:{p}")


def test_table_with_extra_collisions(tmp_path):
    p = write(tmp_path, "t.json", "[0, 1, 0, 1, 0, 1, 0, 1]")  # period 2, but 4-to-1
    with pytest.raises(InputError, match=r"not two-to-one .* colliding inputs f\(2\)=f\(4\)=0"):
        make_instance(None, None, f"table:{p}")


def test_table_output_out_of_range(tmp_path):
    p = write(tmp_path, "t.json", "[0, 0, 5, 5]")
    with pytest.raises(InputError, match=r"outputs must lie in 0..3 .* f\(2\)=5"):
        make_instance(None, None, f"table:{p}")


@pytest.mark.parametrize(
    "text, message",
    [("[1, 2,", "not valid JSON at line 1"), ('["a"]', "JSON list of integers"), ("1\nzz\n", "line 2: 'zz' is not an integer"), ("", "empty"), ("-1\n-1\n", "outside")],
)
def test_table_malformed(tmp_path, text, message):
    p = write(tmp_path, "t.txt", text)
    with pytest.raises(InputError, match=message):
        load_table(p)


def test_table_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        make_instance(None, None, f"table:{tmp_path / 'nope.json'}")


def test_table_oracle_direct_negative():
    with pytest.raises(InputError, match="outputs must lie"):
        TableOracle(np.array([-1, -1, 0, 0]))


def test_unknown_family_and_bad_n():
    with pytest.raises(InputError, match="allowed: linear, random, table:PATH"):
        make_instance(3, 1, "quadratic")
    with pytest.raises(InputError, match="n >= 1"):
        make_instance(0, 0, "linear")
    with pytest.raises(InputError, match="n <= 64"):
        make_instance(65, 1, "random")


def test_vectorised_input_checks():
    o = make_instance(4, 3, "linear", seed=0).oracle
    with pytest.raises(ValueError, match="does not fit"):
        o.evaluate(np.array([16]))
    with pytest.raises(TypeError):
        o.evaluate(np.array([1.0]))
