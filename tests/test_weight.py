"""Simon's problem with a restricted-weight secret: instances, the quantum post-processing, the noisy
prior, the classical cover search, the counts and the CLI."""

import itertools
import json
import math
from collections import Counter

import numpy as np
import pytest
from cli_helpers import run_cli
from qenergy.circuits import get_backend, run_simon
from qenergy.circuits.exact_backend import sample_s_perp
from qenergy.circuits.noisy_solver import NoisySolverConfig, WeightPrior, solve_noisy
from qenergy.classical import exhaustive_search, get_algorithm, weight_cover_search

from qenergy.energy.counts import classical_min_queries, classical_success_bound, expected_weight_shots, weight_shots_for_failure
from qenergy.errors import InputError
from qenergy.hardware.noise import parse_noise
from qenergy.ledger.book import Ledger
from qenergy.problem.instance import make_instance, seed_streams
from qenergy.problem.queries import CountingOracle
from qenergy.weight import WeightCandidates, cover_inputs, cover_size, draw_secret, log2_weight_space, weight_space

# --- the promise and its candidates -------------------------------------------------------------


def test_weight_space_and_log():
    assert weight_space(64, 2) == 1 + 64 + 2016
    assert math.isclose(log2_weight_space(64, 2), math.log2(2081))
    assert math.isclose(log2_weight_space(5000, 3), math.log2(weight_space(5000, 3)), rel_tol=1e-12)


def test_draw_secret_is_uniform_over_nonzero_weight_ball():
    rng = np.random.default_rng(1)
    n, w = 6, 2
    draws = Counter(draw_secret(rng, n, w) for _ in range(21_000))
    ball = [s for s in range(1, 1 << n) if s.bit_count() <= w]
    assert set(draws) == set(ball)  # every non-zero string of weight <= W, nothing else
    expected = 21_000 / len(ball)
    chi2 = sum((draws[s] - expected) ** 2 / expected for s in ball)
    assert chi2 < 60  # 20 degrees of freedom: p ~ 1e-5 at 60


@pytest.mark.parametrize("oracle", ["linear", "random"])
def test_every_family_draws_and_checks_the_weight(oracle):
    for seed in range(20):
        inst = make_instance(16, None, oracle, seed=seed, secret_weight=3)
        assert 1 <= inst.secret.bit_count() <= 3 and inst.secret_weight == 3
        assert (inst.f(np.array([5], dtype=np.uint64)) == inst.f(np.array([5 ^ inst.secret], dtype=np.uint64))).all()
    with pytest.raises(InputError, match="weight 3 and is not allowed"):
        make_instance(8, 0b111, oracle, secret_weight=2)
    with pytest.raises(InputError, match="secret weight 0"):
        make_instance(8, None, oracle, secret_weight=0)


def test_table_oracle_checks_the_weight(tmp_path):
    n, s = 4, 0b0111
    table = [min(x, x ^ s) for x in range(1 << n)]
    path = tmp_path / "t.txt"
    path.write_text("\n".join(map(str, table)))
    assert make_instance(None, None, f"table:{path}", secret_weight=3).secret == s
    with pytest.raises(InputError, match="allowed: a secret of Hamming weight <= 2"):
        make_instance(None, None, f"table:{path}", secret_weight=2)


def test_candidates_filter_against_brute_force():
    rng = np.random.default_rng(2)
    for n in (5, 9, 70):
        cands = WeightCandidates(n, 2)
        ys = rng.integers(0, 2, size=(4, n), dtype=np.uint8)
        cands.keep_consistent(ys)
        got = set(cands.as_ints())
        if n <= 9:
            want = {c for c in range(1 << n) if c.bit_count() <= 2 and all(sum(int(y[i]) for i in range(n) if c >> i & 1) % 2 == 0 for y in ys)}
        else:
            want = set()
            for k in range(3):
                for sub in itertools.combinations(range(n), k):
                    if all(sum(int(y[i]) for i in sub) % 2 == 0 for y in ys):
                        want.add(sum(1 << i for i in sub))
        assert got == want and cands.as_ints()[0] == 0


# --- the quantum side ---------------------------------------------------------------------------


def test_noiseless_n64_w2_finds_s_within_24_shots():
    for seed in range(30):
        inst = make_instance(64, None, "linear", seed=seed, secret_weight=2)
        ledger = Ledger()
        r = run_simon(inst, get_backend("stim", inst), ledger, rng=seed_streams(seed)["quantum"])
        assert r.status == "solved" and r.found == inst.secret
        assert r.shots <= 24 and r.confirmation_queries == 2 and r.resolved_by == "check"
        # every shot and check is charged to the quantum account
        assert sum(c.count for c in ledger.select(account="quantum") if c.resource == "query") == r.queries


def test_noiseless_zero_secret_and_beyond_64_bits():
    inst = make_instance(12, 0, "linear", seed=1, secret_weight=2)
    r = run_simon(inst, get_backend("stim", inst), Ledger(), rng=np.random.default_rng(1))
    assert r.status == "solved" and r.found == 0
    inst = make_instance(100, None, "linear", seed=4, secret_weight=2)
    r = run_simon(inst, get_backend("stim", inst), Ledger(), rng=np.random.default_rng(4))
    assert r.found == inst.secret and r.shots < 40  # vs n − 1 = 99 unrestricted


def test_mean_noiseless_shots_follow_the_restricted_count():
    n, w = 40, 3
    shots = []
    for seed in range(40):
        inst = make_instance(n, None, "linear", seed=seed, secret_weight=w)
        shots.append(run_simon(inst, get_backend("stim", inst), Ledger(), rng=seed_streams(seed)["quantum"]).shots)
    assert np.mean(shots) <= expected_weight_shots(n, w) + 1.0
    assert np.mean(shots) >= math.log2(weight_space(n, w)) - 3


def test_noisy_prior_never_reports_a_wrong_secret():
    n, w = 24, 2
    for seed in range(12):
        rng = np.random.default_rng(seed)
        s = draw_secret(rng, n, w)
        inst = make_instance(n, s, "linear", seed=seed, secret_weight=w)
        oracle = CountingOracle(inst, Ledger(), account="quantum", role="check")
        p = 0.05 + 0.02 * (seed % 4)

        def sample(k, s=s, rng=rng, p=p):
            ys = sample_s_perp(s, n, k, rng)
            return ys ^ (rng.random(ys.shape) < p).astype(np.uint8)

        sol = solve_noisy(n, sample, oracle.query_ints, rng=rng, config=NoisySolverConfig(shots_budget=400),
                          check_many=oracle.query, prior=WeightPrior(n, w))
        assert sol.found in (None, s)
        assert sol.status == "solved"  # the cover proof makes every run end with a proven answer
        assert sol.check_queries == oracle.queries


@pytest.mark.parametrize("noise", ["depolarize:0.03", "device:fake:sherbrooke"])
def test_noisy_and_device_twin_runs_with_weight_never_wrong(noise):
    for seed in range(4):
        inst = make_instance(10, None, "linear", seed=seed, secret_weight=3)
        be = get_backend("stim", inst, noise=parse_noise(noise))
        r = run_simon(inst, be, Ledger(), rng=seed_streams(seed)["quantum"])
        assert r.found in (None, inst.secret) and r.strategy == "robust"
        assert (r.found is None) == (r.status == "unresolved")


# --- the classical side -------------------------------------------------------------------------


@pytest.mark.parametrize("n,w", [(1, 1), (5, 1), (6, 2), (7, 3), (8, 4), (9, 5), (12, 3)])
def test_cover_xors_contain_every_weight_w_string(n, w):
    cover = [int(x) for x in cover_inputs(n, w)]
    assert len(cover) == len(set(cover)) == cover_size(n, w)
    xors = {a ^ b for a in cover for b in cover}
    assert all(s in xors for s in range(1 << n) if s.bit_count() <= w)


@pytest.mark.parametrize("oracle", ["linear", "random"])
def test_cover_search_agrees_with_exhaustive_and_charges_its_evaluations(oracle):
    for seed in range(60):
        n, w = 6 + seed % 5, 1 + seed % 4
        secret = 0 if seed % 13 == 0 else None
        inst = make_instance(n, secret, oracle, seed=seed, secret_weight=w)
        ledger = Ledger()
        got = weight_cover_search(inst, ledger, rng=np.random.default_rng(seed))
        want = exhaustive_search(inst, Ledger())
        assert got.found == want.found == inst.secret
        assert got.queries == sum(c.count for c in ledger.select(account="classical") if c.resource == "query")
        assert got.queries <= cover_size(n, w)


def test_cover_search_is_registered_and_needs_the_promise():
    algo = get_algorithm("weight-cover")
    with pytest.raises(InputError, match="needs --secret-weight"):
        algo.check(make_instance(8, 3, "linear"))


def test_cover_meets_the_counting_bound_at_w2():
    # C(n + 1, 2) pairs = N_2 − 1 targets: the cover for W = 2 is exactly as large as pair counting allows
    for n in (8, 30, 64):
        q = cover_size(n, 2)
        assert q * (q - 1) // 2 == weight_space(n, 2) - 1


# --- counts and bounds --------------------------------------------------------------------------


def test_restricted_counts():
    assert classical_min_queries(64, secret_weight=2) < classical_min_queries(64)
    q = classical_min_queries(64, secret_weight=2)
    assert classical_success_bound(64, q, secret_weight=2) >= 2 / 3 > classical_success_bound(64, q - 1, secret_weight=2)
    assert weight_shots_for_failure(64, 2, "0.01") == math.ceil(math.log2(2079 / 0.01))
    assert expected_weight_shots(64, 2) < 14 < 63
    assert expected_weight_shots(10, 10) == pytest.approx(expected_weight_shots(10, 10))  # W = n: at most E[R](n)


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_simon_reports_nts_and_defaults_to_the_cover(capsys):
    code, out, _ = run_cli(["simon", "--n", "20", "--secret-weight", "2", "--seed", "5", "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["secret_weight"] == 2 and d["classical"]["algorithm"] == "weight-cover"
    assert d["quantum"]["nts"] == d["quantum"]["shots"] + d["quantum"]["confirmation_queries"]
    assert d["classical"]["nts"] == d["classical"]["queries"] and d["classical"]["correct"] and d["quantum"]["correct"]
    assert d["bounds"]["secret_weight"] == 2


@pytest.mark.parametrize("argv,word", [
    (["--secret", "7", "--secret-weight", "2"], "weight 3"),
    (["--secret-weight", "0"], "--secret-weight"),
    (["--secret-weight", "21"], "1 <= W <= n"),
])
def test_cli_bad_weight_exits_2_one_line(argv, word, capsys):
    code, out, err = run_cli(["simon", "--n", "20", *argv], capsys)
    assert code == 2 and out == "" and word in err and len(err.strip().splitlines()) == 1


def test_nts_quantile_counts_unresolved_runs_as_never_solved():
    from qenergy.app.sweep import nts_quantile

    assert nts_quantile([5, 1, 3], 0, 0.5) == 3.0
    assert nts_quantile([5, 1], 1, 0.5) == 5.0  # the unresolved run sits above every solved one
    assert nts_quantile([5], 2, 0.5) is None and nts_quantile([], 0, 0.5) is None


def test_sweep_with_secret_weight_reports_nts_and_resumes_with_it(tmp_path, capsys):
    out = tmp_path / "w"
    code, stdout, err = run_cli(["sweep", "--n", "6:10:2", "--secret-weight", "2", "--repeats", "3", "--out", str(out), "--json"], capsys)
    assert code == 0, err
    d = json.loads(stdout)
    assert [e["n"] for e in d["nts"]] == [6, 8, 10] and all(e["quantum"]["median"] and e["classical"]["median"] for e in d["nts"])
    spec = json.loads((out / "sweep.json").read_text())
    assert spec["secret_weight"] == 2 and spec["algorithm"] == "weight-cover"
    report = (out / "report.md").read_text()
    assert "Queries to solution (NTS) with the promise wt(s) <= 2" in report and "NTS median scaling" in report
    rows = (out / "results.csv").read_text().splitlines()[1:]
    assert all(int(r.split(",")[6]).bit_count() <= 2 for r in rows)  # the secret column
    code, _, err = run_cli(["sweep", "--resume", str(out), "--json"], capsys)
    assert code == 0, err


def test_advantage_with_secret_weight_uses_restricted_counts(capsys):
    code, out, err = run_cli(["advantage", "--n", "8:32:8", "--secret-weight", "2", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["secret_weight"] == 2
    for r in d["rows"]:
        n = r["n"]
        assert r["shots"] < n - 1 + 2  # fewer than the unrestricted n − 1 + ⌈log2 3⌉
        assert r["classical_queries"] <= cover_size(n, 2)
