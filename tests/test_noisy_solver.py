"""The noise-robust solver: recovery, honest ``unresolved``, the one-to-one proof, calibrated confidence, charging."""

import itertools
import math

import numpy as np
import pytest
from qenergy.circuits import get_backend, run_simon
from qenergy.circuits.base import PreparedSimon
from qenergy.circuits.exact_backend import sample_s_perp
from qenergy.circuits.noisy_solver import (
    MIN_BIAS,
    WHT_MAX_BITS,
    NoisySolverConfig,
    SamplePool,
    clean_subset_probability,
    default_shots_budget,
    eta_posterior_mean,
    log_marginal_ratios,
    pooled_gauss_candidates,
    solve_noisy,
    walsh_mismatches,
    weigh_evidence,
)
from qenergy.circuits.robust import agreement, rank_candidates

from qenergy.energy.counts import expected_runs
from qenergy.errors import InputError
from qenergy.hardware.noise import parse_noise
from qenergy.ledger.book import Ledger
from qenergy.problem.gf2 import int_to_bits
from qenergy.problem.instance import make_instance, seed_streams
from qenergy.problem.queries import CountingOracle


def values_of(packed):
    return {int.from_bytes(np.ascontiguousarray(r, dtype="<u8").tobytes(), "little") for r in packed}


def noisy_samples(secret, n, shots, p, rng):
    ys = sample_s_perp(secret, n, shots, rng)
    return ys ^ (rng.random(ys.shape) < p).astype(np.uint8)


# --- building blocks ---------------------------------------------------------------------------


def test_walsh_mismatches_and_pool_scores_match_brute_force():
    rng = np.random.default_rng(0)
    n = 7
    ys = rng.integers(0, 2, size=(50, n), dtype=np.uint8)
    k = walsh_mismatches(ys)
    brute = [(ys.astype(int) @ int_to_bits(c, n).astype(int) % 2).sum() for c in range(1 << n)]
    assert list(k) == brute
    pool = SamplePool(n)
    pool.add(ys[:20])
    pool.add(ys[20:])
    packed = np.array([[c] for c in range(1 << n)], dtype=np.uint64)
    assert list(pool.mismatches(packed)) == brute
    wide = SamplePool(130)
    bits = rng.integers(0, 2, size=(40, 130), dtype=np.uint8)
    wide.add(bits)
    c = int(rng.integers(1, 1 << 62)) | (1 << 129)
    words = np.frombuffer(c.to_bytes(24, "little"), dtype="<u8").astype(np.uint64)[None, :]
    assert wide.mismatches(words)[0] == (bits.astype(int) @ int_to_bits(c, 130).astype(int) % 2).sum()


def test_pooled_gauss_finds_s_from_clean_and_one_corrupted_subsets():
    rng = np.random.default_rng(5)
    n = 40
    s = int(rng.integers(1, 1 << n))
    ys = sample_s_perp(s, n, 200, rng)
    clean = SamplePool(n)
    clean.add(ys)
    assert s in values_of(pooled_gauss_candidates(clean, 8, rng))
    # exactly n - 1 rows, one of them corrupted: only the Lee–Brickell step can recover s
    bad = ys[: n - 1].copy()
    bad[0, int(np.flatnonzero(int_to_bits(s, n))[0])] ^= 1
    one = SamplePool(n)
    one.add(bad)
    assert s in values_of(pooled_gauss_candidates(one, 1, rng, filter_eta=0.5))
    # and the success rate per subset is what the search plans with
    noisy = SamplePool(n)
    noisy.add(noisy_samples(s, n, 600, 0.004, rng))
    eta = float((noisy.bits.astype(int) @ int_to_bits(s, n).astype(int) % 2).mean())
    hits = sum(s in values_of(pooled_gauss_candidates(noisy, 32, rng)) for _ in range(120))
    expected = 1 - (1 - clean_subset_probability(n, 600, eta)) ** 32
    assert abs(hits / 120 - expected) < 0.2, (hits, expected)


def test_rank_candidates_both_branches():
    rng = np.random.default_rng(3)
    for n in (10, WHT_MAX_BITS + 4):
        s = int(rng.integers(1, 1 << n))
        ys = noisy_samples(s, n, 400, 0.01, rng)
        ranked = rank_candidates(ys, n, rng=rng)
        assert ranked[0][0] == s and ranked[0][1] == pytest.approx(2 * agreement(ys, s) - 1)


def test_exact_and_approximate_evidence_agree():
    """For n ≤ 20 the normaliser is exact; the large-n approximation (unlisted candidates as a
    Binomial(N, 1/2) mass) gives close posteriors on the same data."""
    rng = np.random.default_rng(9)
    n, N = 16, 60
    diffs = []
    for _ in range(40):
        s = int(rng.integers(1, 1 << n))
        ys = noisy_samples(s, n, N, 0.02, rng)
        k = walsh_mismatches(ys)
        order = np.argsort(k[1:], kind="stable")[:64] + 1
        exact = weigh_evidence(n, N, [int(c) for c in order], k[order], histogram=np.bincount(k[1:], minlength=N + 1))
        approx = weigh_evidence(n, N, [int(c) for c in order[:8]], k[order[:8]])
        diffs.append(exact.posterior[0] - approx.posterior[0])
    assert abs(np.mean(diffs)) < 0.05 and np.max(np.abs(diffs)) < 0.5


def test_marginal_ratio_integrates_the_bias_prior():
    """M(k) = E_b[L(k; N, (1 − b)/2)] with ln b uniform on [ln MIN_BIAS, 0], against direct quadrature."""
    from scipy import integrate

    for N, k in ((40, 3), (40, 15), (400, 150), (400, 200), (2000, 700)):
        def f(u, N=N, k=k):
            e = -math.expm1(u) / 2
            return math.exp(N * math.log(2) + (N - k) * math.log1p(-e) + k * math.log(e) - log_marginal_ratios(N)[k]) / -math.log(MIN_BIAS)

        peak = math.log(max(MIN_BIAS, 1 - 2 * k / N))
        value, _ = integrate.quad(f, math.log(MIN_BIAS), 0.0, points=[peak], limit=400)
        assert value == pytest.approx(1.0, rel=0.01), (N, k)
    assert eta_posterior_mean(30, 300) == pytest.approx(0.1, abs=0.01)
    assert 0.4 < eta_posterior_mean(150, 300) <= 0.5 * (1 - MIN_BIAS)


def test_refuted_candidates_leave_the_posterior():
    """Conditioning on a refutation removes the candidate from the normaliser: the others scale by 1/(1 − p)."""
    rng = np.random.default_rng(2)
    n, N = 10, 60
    ys = noisy_samples(0b1011001110, n, N, 0.04, rng)
    k = walsh_mismatches(ys)
    order = np.argsort(k[1:], kind="stable")[:16] + 1
    full = weigh_evidence(n, N, [int(c) for c in order], k[order], histogram=np.bincount(k[1:], minlength=N + 1))
    keep = np.ones(1 << n, dtype=bool)
    keep[[0, int(order[0])]] = False
    cond = weigh_evidence(n, N, [int(c) for c in order[1:]], k[order[1:]], histogram=np.bincount(k[keep], minlength=N + 1))
    assert full.posterior[0] > 0.5
    np.testing.assert_allclose(cond.posterior, full.posterior[1:] / (1 - full.posterior[0]), rtol=1e-9)


def test_unresolved_after_refutations_reports_what_is_left():
    """Samples that point firmly at a decoy d ≠ s (clean samples of d^⊥): the check refutes d and nothing else
    is credible. The run is unresolved, and its confidence is what remains once d is known not to be s
    (an earlier version summed the refuted candidates' posteriors and reported about 1)."""
    rng = np.random.default_rng(1)
    n, decoy = 12, 0b101100111001
    inst = make_instance(n, 0b011011000101, "linear", seed=1)
    ys = sample_s_perp(decoy, n, 400, rng)
    sol = solve_noisy(n, lambda k: ys[:k], lambda xs: [inst.oracle.evaluate_int(int(x)) for x in xs], rng=rng,
                      config=NoisySolverConfig(shots_budget=400, first_round=400, max_proof_queries=0))
    assert sol.status == "unresolved" and sol.candidates_tried >= 1 and sol.candidate != decoy
    assert sol.confidence < 0.05 and sol.confidence == sol.posterior  # nothing left stands out
    assert sol.forecast > 0.99  # made before the check: the samples alone were sure of the decoy


@pytest.mark.parametrize("n, spec", [(12, "depolarize:0.1"), (16, "depolarize:0.08"), (16, "readout:0.15")])
def test_heavy_noise_confidence_is_calibrated_and_unresolved_stays_low(n, spec):
    """Heavy noise (corruption rates 0.4–0.5, most runs unresolved), 40 seeded runs as the CLI makes them
    (budget 20·n + 100): the mean confidence is within 0.1 of the fraction solved and of the fraction whose
    answer is s, and no unresolved run reports a confidence above 1/2."""
    conf, solved, right = [], [], []
    for seed in range(40):
        inst = make_instance(n, None, "linear", seed=9000 + seed)
        r = run_simon(inst, get_backend("stim", inst, noise=spec), Ledger(), rng=np.random.default_rng(seed))
        assert r.status == "unresolved" or r.found == inst.secret
        if r.status == "unresolved":
            assert r.confidence <= 0.5, (seed, r.confidence)
        conf.append(r.confidence)
        solved.append(r.status == "solved")
        right.append((r.found if r.status == "solved" else r.candidate) == inst.secret)
    assert 0.0 < np.mean(solved) < 0.6 and not all(solved)  # heavy: most runs end unresolved
    assert abs(np.mean(conf) - np.mean(solved)) <= 0.1, (np.mean(conf), np.mean(solved))
    assert abs(np.mean(conf) - np.mean(right)) <= 0.1, (np.mean(conf), np.mean(right))


def test_forecast_is_calibrated_at_heavy_noise():
    """The forecast, made before the checks' outcomes, against the fraction solved: n = 12, depolarize 0.1
    (a corruption rate about 0.45, about a third of the runs solved)."""
    n, spec = 12, "depolarize:0.1"
    fore, solved = [], []
    for seed in range(40):
        inst = make_instance(n, None, "linear", seed=7000 + seed)
        prepared = get_backend("stim", inst, noise=spec).prepare(inst, rng=seed_streams(seed)["quantum"])
        checker = CountingOracle(inst, Ledger(), account="quantum", role="check")
        sol = solve_noisy(n, lambda k, p=prepared: p.sample(k).ys, checker.query_ints, rng=np.random.default_rng(seed),
                          config=NoisySolverConfig(max_proof_queries=0))
        fore.append(sol.forecast)
        solved.append(sol.status == "solved")
    assert 0.1 < np.mean(solved) < 0.9
    assert abs(np.mean(fore) - np.mean(solved)) <= 0.1, (np.mean(fore), np.mean(solved))


def test_config_is_validated():
    for bad in ({"shots_budget": 0}, {"target_success": 1.0}, {"check_threshold": 0}, {"max_candidates": -1}, {"first_round": 2.5}):
        with pytest.raises(InputError, match="is not allowed; allowed:"):
            NoisySolverConfig(**bad)


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize("n, spec", [(6, "depolarize:0.02"), (12, "readout:0.03"), (24, "depolarize:0.003,readout:0.005"), (40, "readout:0.004")])
def test_noisy_runs_are_solved_and_charged(n, spec):
    for seed in range(3):
        inst = make_instance(n, None, "linear", seed=10 * n + seed)
        ledger = Ledger()
        r = run_simon(inst, get_backend("stim", inst, noise=spec), ledger, rng=np.random.default_rng(seed))
        assert r.strategy == "robust" and r.status == "solved" and r.found == inst.secret and r.resolved_by == "check"
        assert r.shots <= r.shots_budget == default_shots_budget(n)
        assert r.noise_multiplier == pytest.approx(r.shots / expected_runs(n))
        assert r.noise == str(parse_noise(spec)) and 0.0 < r.confidence <= 1.0
        assert r.corruption_rate is not None and 0.0 <= r.corruption_rate < 0.5
        # every shot and every classical query on the ledger
        assert ledger.counts("quantum", "query") == r.shots + r.confirmation_queries
        assert r.confirmation_queries == 1 + r.candidates_tried


def test_zero_wrong_answers_across_seeds_and_noise():
    """A reported ``solved`` is always the true secret, whatever the noise (here up to hopeless)."""
    outcomes = []
    for n, spec, seed in itertools.product((8, 20, 30), ("readout:0.02", "depolarize:0.02", "readout:0.2"), range(4)):
        inst = make_instance(n, None, "linear", seed=seed + 100 * n)
        r = run_simon(inst, get_backend("stim", inst, noise=spec), Ledger(), rng=np.random.default_rng(seed), shots_budget=6 * n + 40,
                      max_proof_queries=0)
        assert (r.status == "solved" and r.found == inst.secret) or (r.status == "unresolved" and r.found is None)
        outcomes.append(r.status)
    assert "solved" in outcomes and "unresolved" in outcomes  # both paths were exercised


def test_hopeless_noise_ends_unresolved_within_the_budget():
    n, budget = 30, 150
    inst = make_instance(n, None, "linear", seed=4)
    ledger = Ledger()
    r = run_simon(inst, get_backend("stim", inst, noise="readout:0.5"), ledger, rng=np.random.default_rng(1), shots_budget=budget, max_candidates=3)
    assert r.status == "unresolved" and r.found is None and r.resolved_by == ""
    assert r.shots <= budget and r.shots_budget == budget and r.candidates_tried <= 3
    assert r.confidence < 0.2  # nothing credible was checked
    assert ledger.counts("quantum", "query") == r.shots + r.confirmation_queries


def test_one_to_one_under_noise_needs_a_proof():
    """s = 0 is reported only after 2^(n−1) + 1 distinct inputs gave no collision; without that proof the
    run is unresolved, never s = 0."""
    n = 6
    inst = make_instance(n, 0, "linear", seed=1)
    ledger = Ledger()
    r = run_simon(inst, get_backend("stim", inst, noise="depolarize:0.02"), ledger, rng=np.random.default_rng(3))
    # the classical proof, not the quantum samples, found s: the status says so
    assert r.status == "solved_classically" and r.solved and r.found == 0 and r.resolved_by == "proof" and r.confidence == 1.0
    assert r.confirmation_queries == 2 ** (n - 1) + 1
    assert ledger.counts("quantum", "query") == r.shots + r.confirmation_queries
    r = run_simon(inst, get_backend("stim", inst, noise="depolarize:0.02"), Ledger(), rng=np.random.default_rng(3), max_proof_queries=0)
    assert r.status == "unresolved" and r.found is None
    wide = make_instance(30, 0, "linear", seed=2)  # the proof would need 2^29 + 1 queries
    r = run_simon(wide, get_backend("stim", wide, noise="readout:0.01"), Ledger(), rng=np.random.default_rng(4), shots_budget=200)
    assert r.status == "unresolved" and r.found is None and r.shots <= 200


def test_the_proof_finds_s_when_the_samples_could_not():
    """With hopeless noise and a small n, the classical proof's queries collide and give s."""
    inst = make_instance(5, 0b10110, "random", seed=3)
    r = run_simon(inst, get_backend("aer", inst, noise="readout:0.5"), Ledger(), rng=np.random.default_rng(2), shots_budget=20, max_candidates=1)
    assert r.solved and r.found == 0b10110
    # who found s decides the status: the samples' candidate (check) or the classical proof's collision
    assert (r.status, r.resolved_by) in (("solved_classically", "collision"), ("solved", "check"))


@pytest.mark.parametrize("spec, budget", [("depolarize:0.02", None), ("readout:0.05", None), ("depolarize:0.005", 60), ("readout:0.02", 60)])
def test_confidence_is_calibrated(spec, budget):
    """Over many seeded runs the mean reported confidence matches the fraction solved within 0.1, with the
    default budget (most runs solved) and a tight one (many unresolved)."""
    n = 12 if budget is None else 24
    conf, solved = [], []
    for seed in range(80):
        inst = make_instance(n, None, "linear", seed=5000 + seed)
        r = run_simon(inst, get_backend("stim", inst, noise=spec), Ledger(), rng=np.random.default_rng(seed), shots_budget=budget, max_proof_queries=0)
        conf.append(r.confidence)
        solved.append(r.status == "solved")
        assert r.status == "unresolved" or r.found == inst.secret
    assert abs(np.mean(conf) - np.mean(solved)) <= 0.1, (np.mean(conf), np.mean(solved))
    if budget is not None:
        assert 0.1 < np.mean(solved) < 0.95  # a regime where confidence has something to predict


def test_adaptive_on_ideal_backends_is_unchanged_and_solved():
    inst = make_instance(10, None, "linear", seed=3)
    r = run_simon(inst, get_backend("stim"), Ledger(), rng=np.random.default_rng(1))
    assert r.strategy == "adaptive" and r.status == "solved" and r.found == inst.secret and r.confidence == 1.0
    assert r.noise == "none" and r.noise_multiplier == pytest.approx(r.shots / expected_runs(10))
    zero = make_instance(6, 0, "linear", seed=1)
    r = run_simon(zero, get_backend("exact"), Ledger(), rng=np.random.default_rng(2))
    assert r.status == "solved" and r.found == 0  # ideal samples: f(0) ≠ f(c) proves one-to-one


def test_adaptive_forced_on_noise_never_claims_one_to_one():
    inst = make_instance(8, 0b10110011, "linear", seed=2)
    outcomes = set()
    for seed in range(6):
        prepared = get_backend("stim", inst, noise="readout:0.5").prepare(inst, rng=np.random.default_rng(seed))
        r = run_simon(inst, prepared, Ledger(), rng=np.random.default_rng(seed), strategy="adaptive")
        assert r.found in (None, inst.secret) and (r.found is None) == (r.status == "unresolved")
        outcomes.add(r.status)
    assert "unresolved" in outcomes


def test_solver_against_a_fixed_sample_set():
    """``solve_noisy`` with a sampler that can give only one batch (the device batch path): no second round."""
    rng = np.random.default_rng(4)
    n, s = 20, 0b10110011100011110001
    inst = make_instance(n, s, "linear", seed=1)
    ys = noisy_samples(s, n, 300, 0.01, rng)
    calls = []

    def sample(k):
        calls.append(k)
        return ys[:k]

    sol = solve_noisy(n, sample, lambda xs: [inst.oracle.evaluate_int(int(x)) for x in xs], rng=rng,
                      config=NoisySolverConfig(shots_budget=300, first_round=300))
    assert calls == [300] and sol.status == "solved" and sol.found == s and sol.rounds == 1


def test_fake_device_reports_status_and_confidence_the_same_way():
    pytest.importorskip("qiskit_ibm_runtime")
    inst = make_instance(3, 0b110, "linear", seed=3)
    ledger = Ledger()
    r = run_simon(inst, get_backend("fake:fez"), ledger, rng=np.random.default_rng(0))
    assert r.status == "solved" and r.found == 0b110 and r.strategy == "robust" and 0.5 < r.confidence <= 1.0
    assert r.noise == "device" and r.shots >= 512 and r.noise_multiplier == pytest.approx(r.shots / expected_runs(3))
    assert len(r.job_ids) == 1  # one job: the first round suffices
    zero = make_instance(4, 0, "random", seed=2)
    r = run_simon(zero, get_backend("fake:guadalupe"), Ledger(), rng=np.random.default_rng(2), max_candidates=4)
    assert r.status == "solved_classically" and r.found == 0 and r.resolved_by == "proof" and r.confirmation_queries == 2 ** 3 + 1
    r = run_simon(zero, get_backend("fake:guadalupe"), Ledger(), rng=np.random.default_rng(2), max_candidates=4, max_proof_queries=0)
    assert r.status == "unresolved" and r.found is None and r.candidates_tried <= 4 and r.shots == 512


def test_batch_path_reports_status():
    pytest.importorskip("qiskit_ibm_runtime")
    from qenergy.circuits.ibm_backend import IBMRuntimeBackend, sample_batch
    from qenergy.circuits.simon import run_simon_batch

    backend = IBMRuntimeBackend("fake:guadalupe")
    instances = [make_instance(n, None, "linear", seed=n) for n in (2, 3, 4)]
    prepared = [backend.prepare(inst, rng=np.random.default_rng(i)) for i, inst in enumerate(instances)]
    results = run_simon_batch(instances, prepared, Ledger(), sample_all=sample_batch, rng=np.random.default_rng(1))
    for r, inst in zip(results, instances):
        assert r.status in ("solved", "unresolved") and r.shots == 512 and r.batches == 1
        assert (r.status == "solved" and r.found == inst.secret) or r.found is None


def test_prepared_without_noise_flag_keeps_adaptive():
    gen = np.random.default_rng(7)

    class Ideal(PreparedSimon):
        def _sample(self, shots):
            return sample_s_perp(0b101, 3, shots, gen)

    r = run_simon(make_instance(3, 0b101, "linear"), Ideal("x", "y", 6, 1, {}), Ledger(), rng=np.random.default_rng())
    assert r.strategy == "adaptive" and r.status == "solved" and r.found == 0b101
