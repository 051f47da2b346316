"""Active inference (models.md §2) and the temporally-layered architecture / DB-MDP (models.md §7)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from qenergy.energy.physics import LN2, landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import build_model, param_infos
from qenergy.models.active_inference import ActiveInferenceModel, TMaze, expected_free_energy, policy_posterior, two_state_example
from qenergy.models.tla import TLAModel, mlp_macs, td3_episode_macs, tla_episode_macs

AIF = {"active-inference": ActiveInferenceModel}
TLA = {"tla": TLAModel}


# --- active inference -------------------------------------------------------------------------

def test_two_state_example_matches_digest():
    ex = two_state_example()
    assert ex["p_o"] == pytest.approx(0.55, abs=1e-12)
    assert round(ex["surprise"], 6) == 0.597837
    assert round(ex["posterior_0"], 6) == 0.818182
    assert round(ex["posterior_1"], 6) == 0.181818
    assert round(ex["F_prior"], 6) == 0.857399
    assert round(ex["F_posterior"], 6) == 0.597837  # the bound is tight at the exact posterior
    assert round(ex["kl_prior_to_posterior"], 6) == 0.259562
    assert round(ex["risk"], 6) == 0.158837
    assert round(ex["ambiguity"], 6) == 0.412743
    assert round(ex["G"], 6) == 0.571580
    assert round(ex["extrinsic"], 6) == 0.846976
    assert round(ex["epistemic"], 6) == 0.275396
    assert round(ex["G_extrinsic_epistemic"], 6) == 0.571580
    assert ex["G"] == pytest.approx(ex["G_extrinsic_epistemic"], abs=1e-12)


def test_policy_posterior_properties():
    G = np.array([1.0, 0.5, 2.0])
    for gamma in (0.0, 1.0, 16.0):
        assert policy_posterior(G, gamma).sum() == pytest.approx(1.0)
    assert np.argmax(policy_posterior(G, 1e4)) == 1
    assert policy_posterior(G, math.inf).tolist() == [0.0, 1.0, 0.0]


def test_epistemic_zero_for_uninformative_likelihood():
    A = np.array([[0.7, 0.7], [0.3, 0.3]])
    efe = expected_free_energy(np.array([0.4, 0.6]), A, np.log([0.5, 0.5]))
    assert efe["epistemic"] == pytest.approx(0.0, abs=1e-12)
    informative = expected_free_energy(np.array([0.4, 0.6]), np.array([[0.9, 0.2], [0.1, 0.8]]), np.log([0.5, 0.5]))
    assert informative["epistemic"] > 0


def test_efe_matches_pymdp_legacy():
    """Our G and q(π) against inferactively-pymdp's NumPy API (pymdp.legacy) on the T-maze."""
    control = pytest.importorskip("pymdp.legacy.control")
    utils = pytest.importorskip("pymdp.legacy.utils")
    maze = TMaze(0.95, 0.9)
    c = np.array([0.0, 0.0, 0.0, 3.0, -3.0])
    log_c = c - math.log(np.exp(c).sum())
    A, B, C = utils.obj_array(1), utils.obj_array(1), utils.obj_array(1)
    A[0], B[0], C[0] = maze.A, maze.B, c
    policies = [np.array(p).reshape(2, 1) for p in itertools.product(range(4), repeat=2)]
    rng = np.random.default_rng(1)
    for _ in range(5):
        q = rng.dirichlet(np.ones(maze.n_states))
        qs = utils.obj_array(1)
        qs[0] = q
        q_pi_ref, neg_g = control.update_posterior_policies(qs, A, B, C, policies, gamma=16.0)
        ours = np.zeros(len(policies))
        for i, pol in enumerate(policies):
            s = q
            for a in pol[:, 0]:
                s = maze.B[:, :, a] @ s
                ours[i] += expected_free_energy(s, maze.A, log_c)["G"]
        np.testing.assert_allclose(ours, -np.asarray(neg_g), atol=1e-6)
        np.testing.assert_allclose(policy_posterior(ours, 16.0), np.ravel(q_pi_ref), atol=1e-6)


def test_active_inference_run_charges_and_results():
    ledger = Ledger(300.0)
    res = ActiveInferenceModel(steps=30, gamma=16.0).run(ledger, seed=0)
    assert len(res["free_energy_nats_list"]) == 30 and len(res["expected_free_energy_nats_list"]) == 30
    assert res["free_energy_nats"] == pytest.approx(np.mean(res["free_energy_nats_list"]))
    assert res["expected_free_energy_nats"] == pytest.approx(np.mean(res["expected_free_energy_nats_list"]))
    # F at the posterior is never above F at the prior belief
    assert all(f <= fp + 1e-12 for f, fp in zip(res["free_energy_nats_list"], res["free_energy_prior_nats_list"]))
    # millibits: the sum of per-step ceilings, at least the exact bits × 1000
    bits = sum(res["belief_update_kl_nats_list"]) / LN2
    assert bits * 1000 <= res["belief_update_millibits_charged"] <= bits * 1000 + 30
    rows = {c.resource: c for c in ledger.charges if c.account == "active-inference"}
    mb = rows["belief_update_millibit"]
    assert mb.basis == "lower_bound" and mb.unit_j == pytest.approx(landauer_bit_energy(300.0) / 1000)
    assert rows["op"].basis == "estimated" and rows["op"].count == res["ops"] and rows["op"].unit_j == 0.0
    assert res["charges_j"]["belief_update_millibit"] == pytest.approx(mb.energy_j)
    # the agent learns to use the cue: more rewards than no-rewards (seeded)
    assert res["rewards"] > 2 * res["no_rewards"]


def test_active_inference_is_seeded():
    a = ActiveInferenceModel(steps=12).run(Ledger(), seed=3)
    b = ActiveInferenceModel(steps=12).run(Ledger(), seed=3)
    assert a["actions"] == b["actions"] and a["free_energy_nats_list"] == b["free_energy_nats_list"]


def test_active_inference_parameter_validation():
    names = {p.name for p in param_infos(ActiveInferenceModel)}
    assert {"steps", "temperature", "gamma"} <= names
    for raw in ({"steps": "0"}, {"temperature": "0"}, {"gamma": "-1"}, {"horizon": "9"}, {"cue_validity": "0.2"},
                {"steps": "x"}, {"nope": "1"}):
        with pytest.raises(InputError):
            build_model("active-inference", raw, AIF)
    with pytest.raises(InputError):
        ActiveInferenceModel(steps=0)
    with pytest.raises(InputError):
        ActiveInferenceModel(temperature=float("nan"))
    assert build_model("active-inference", {"T": "4.2", "steps": "5"}, AIF).temperature == 4.2


# --- TLA: MAC formula ---------------------------------------------------------------------------

def test_mac_formula_reproduces_pendulum_figures():
    assert mlp_macs(3, 1) == 121_500
    assert mlp_macs(4, 2) == 122_200
    assert round(td3_episode_macs(200, 3, 1) / 1e6, 2) == 24.30
    assert round(tla_episode_macs(34, 34.06, 3, 1) / 1e6, 2) == 12.42


def test_macs_only_model():
    ledger = Ledger()
    res = build_model("tla", {"macs_only": "true", "obs": "3", "act": "1", "decisions": "200"}, TLA).run(ledger)
    assert round(res["mmacs"], 2) == 24.30 and res["actor_macs"] == 121_500
    (row,) = [c for c in ledger.charges if c.account == "tla"]
    assert row.resource == "mac" and row.count == 24_300_000 and row.basis == "estimated"


# --- TLA: environments ----------------------------------------------------------------------------

def test_decision_budget_ends_episode_exactly():
    pytest.importorskip("gymnasium")
    from qenergy.models.tla import make_env

    env = make_env("pendulum", budget=7)
    env.reset(seed=0)
    steps = 0
    while True:
        # a decision every other step: the episode must end at the 7th decision, step 13
        _, _, term, trunc, info = env.step(np.zeros(1, dtype=np.float32), decision=steps % 2 == 0)
        steps += 1
        if term or trunc:
            break
    assert env.decisions == 7 and env.decisions_left == 0 and steps == 13 and info["budget_exhausted"]
    res = TLAModel(env="pendulum", agent="every-step", episodes=2, budget=50).run(Ledger(), seed=0)
    assert res["decisions"] == 50 and res["steps"] == 50 and res["budget_exhausted"] == 2
    res = TLAModel(env="pendulum", agent="tla", episodes=2, budget=20).run(Ledger(), seed=0)
    assert res["decisions"] == 20 and res["budget_exhausted"] == 2


def test_tla_fewer_decisions_than_every_step_at_comparable_reward():
    """Seeds 0..19. Tolerances (ours): TLA ≤ 40 % of the baseline's decisions and MMACs ≤ 60 %;
    mean reward within 25 % of the baseline's (a hand-designed agent, not the paper's learned one)."""
    pytest.importorskip("gymnasium")
    base = TLAModel(env="pendulum", agent="every-step", episodes=20).run(Ledger(), seed=0)
    tla = TLAModel(env="pendulum", agent="tla", episodes=20).run(Ledger(), seed=0)
    assert base["decisions"] == 200 and round(base["mmacs"], 2) == 24.30
    assert tla["decisions"] <= 0.4 * base["decisions"]
    assert tla["mmacs"] <= 0.6 * base["mmacs"]
    assert tla["slow_actions"] == 34  # ceil(200 / 6) slow steps, as in the paper's printout
    assert tla["reward"] >= base["reward"] - 0.25 * abs(base["reward"])


def test_tla_mountaincar_and_ledger():
    pytest.importorskip("gymnasium")
    ledger = Ledger()
    res = TLAModel(env="mountaincar", episodes=3, j_per_mac=1e-12).run(ledger, seed=0)
    base = TLAModel(env="mountaincar", agent="every-step", episodes=3).run(Ledger(), seed=0)
    assert res["reward"] > 80 and base["reward"] > 80  # reaches the goal (+100, less the action cost)
    assert res["decisions"] < base["decisions"]
    rows = {c.resource: c for c in ledger.charges if c.account == "tla"}
    assert rows["decision"].count == round(res["decisions"] * 3)
    assert rows["mac"].energy_j == pytest.approx(res["mmacs"] * 1e6 * 3 * 1e-12, rel=1e-6)


def test_plot_helper(tmp_path):
    pytest.importorskip("matplotlib")
    from qenergy.models.tla import plot_reward_vs_decisions

    pts = [{"decisions": 200, "reward": -140, "mmacs": 24.3, "label": "every-step"},
           {"decisions": 52, "reward": -150, "mmacs": 10.8, "label": "tla"}]
    out = plot_reward_vs_decisions(pts, tmp_path / "r.png", j_per_mac=1e-12)
    assert out.exists() and out.stat().st_size > 1000


def test_tla_parameter_validation():
    names = {p.name for p in param_infos(TLAModel)}
    assert {"env", "episodes", "macs_only", "obs", "act", "decisions", "budget"} <= names
    for raw in ({"env": "cartpole"}, {"episodes": "0"}, {"budget": "-1"}, {"obs": "0"}, {"decisions": "-5"},
                {"macs_only": "maybe"}, {"j_per_mac": "-1"}):
        with pytest.raises(InputError):
            build_model("tla", raw, TLA)
    with pytest.raises(InputError):
        TLAModel(env="hopper")
    with pytest.raises(InputError):
        mlp_macs(0, 1)
