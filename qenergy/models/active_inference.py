"""Active inference on a discrete POMDP, with its belief updates charged at Landauer's bound (models.md §2).

The equations are the standard active-inference forms the survey (Mazzaglia et al. 2022)
presents; the survey prints no numbers, so the acceptance numbers are the digest's
[DERIVED] two-state example (`two_state_example`).

* Variational free energy F[q] = E_q[ln q(s) − ln p(o, s)] = KL[q(s)‖p(s|o)] − ln p(o)
  (`free_energy`); state inference here is exact Bayes on one hidden factor, so the
  posterior minimises F and F(posterior) = −ln p(o).
* Expected free energy of a policy, summed over its horizon, G = risk + ambiguity =
  KL[q(o|π)‖p̃(o)] + E_{q(s|π)} H[p(o|s)] (`expected_free_energy`), which equals
  extrinsic − epistemic = −E_q(o)[ln p̃(o)] − I(s; o).
* q(π) = softmax(−γ G); the action is sampled from q(π)'s marginal over first actions.

Environment (ours, pymdp's T-maze reduced to one hidden factor): 8 hidden states = location
(centre, left arm, right arm, cue) × context (reward left / reward right); one outcome
modality (null, cue-left, cue-right, reward, no-reward); 4 actions (go to a location); the
arms are absorbing; a trial lasts 3 observations, then a new context is drawn and beliefs
reset to D. Preferences C = ln p̃(o) = log-softmax of (0, 0, 0, +c, −c).

Ledger (proposals from the digest, not paper results):

* each step's belief update carries KL[q(s_t)‖prior(s_t)] nats = KL/ln 2 bits; each step's
  figure is rounded **up to whole millibits** and charged at k_B·T·ln 2 / 1000 J per
  millibit, basis ``lower_bound`` (the least heat if the old belief register is erased;
  one row per run, count = the sum of the per-step ceilings);
* the arithmetic of each step as ``op`` rows (multiplies, adds, divides, logs, exps each
  count 1, from the formulas in `_ops_per_step`), ``j_per_op`` J each (default 0,
  basis ``estimated``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar, TypedDict

import numpy as np

from qenergy.energy.physics import LN2, landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = ["ActiveInferenceModel", "ActiveInferenceResult", "TMaze", "expected_free_energy", "free_energy", "policy_posterior",
           "softmax", "two_state_example"]

_EPS = 1e-16


def _log(x: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(x, _EPS))


def softmax(x: np.ndarray) -> np.ndarray:
    z = np.asarray(x, dtype=float) - np.max(x)
    e = np.exp(z)
    return e / e.sum()


def kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL[p‖q] in nats (0·ln 0 = 0)."""
    p = np.asarray(p, dtype=float)
    m = p > 0
    return float(np.sum(p[m] * (np.log(p[m]) - _log(np.asarray(q, dtype=float)[m]))))


def entropy(p: np.ndarray) -> float:
    p = np.asarray(p, dtype=float)
    m = p > 0
    return float(-np.sum(p[m] * np.log(p[m])))


def free_energy(q: np.ndarray, prior: np.ndarray, A: np.ndarray, o: int) -> float:
    """F[q] = E_q[ln q(s) − ln p(o, s)] in nats, for likelihood ``A[o, s]`` and prior p(s)."""
    q = np.asarray(q, dtype=float)
    joint = A[o] * prior
    m = q > 0
    return float(np.sum(q[m] * (np.log(q[m]) - _log(joint[m]))))


def posterior(prior: np.ndarray, A: np.ndarray, o: int) -> tuple[np.ndarray, float]:
    """Exact Bayes: (p(s|o), p(o))."""
    joint = A[o] * prior
    p_o = float(joint.sum())
    if p_o <= 0.0:
        raise InputError(f"observation {o} has probability 0 under the model; allowed: an outcome with p(o) > 0")
    return joint / p_o, p_o


def expected_free_energy(qs: np.ndarray, A: np.ndarray, log_c: np.ndarray) -> dict[str, float]:
    """One-step G for predicted states ``qs``: both decompositions and their terms (nats).

    ``log_c`` = ln p̃(o) (normalised log preferences).
    """
    qo = A @ qs
    pref = np.exp(log_c)
    risk = kl(qo, pref)
    h_a = np.array([entropy(A[:, s]) for s in range(A.shape[1])])
    ambiguity = float(h_a @ qs)
    extrinsic = float(-(qo @ log_c))
    epistemic = entropy(qo) - ambiguity  # I(s; o) = H[q(o)] − E_q H[p(o|s)]
    return {"risk": risk, "ambiguity": ambiguity, "G": risk + ambiguity, "extrinsic": extrinsic,
            "epistemic": epistemic, "G_extrinsic_epistemic": extrinsic - epistemic}


def policy_posterior(G: np.ndarray, gamma: float) -> np.ndarray:
    """q(π) = softmax(−γ G); γ = inf gives the argmin (ties split evenly)."""
    G = np.asarray(G, dtype=float)
    if math.isinf(gamma):
        best = (G.min() == G).astype(float)
        return best / best.sum()
    return softmax(-gamma * G)


def two_state_example() -> dict[str, float]:
    """The digest's [DERIVED] example: p(s) = [.5, .5], A = [[.9, .2], [.1, .8]], o = 0, p̃(o) = [.8, .2]."""
    prior = np.array([0.5, 0.5])
    A = np.array([[0.9, 0.2], [0.1, 0.8]])
    post, p_o = posterior(prior, A, 0)
    efe = expected_free_energy(prior, A, np.log(np.array([0.8, 0.2])))
    return {"p_o": p_o, "surprise": -math.log(p_o), "posterior_0": float(post[0]), "posterior_1": float(post[1]),
            "F_prior": free_energy(prior, prior, A, 0), "F_posterior": free_energy(post, prior, A, 0),
            "kl_prior_to_posterior": kl(prior, post), **efe}


class TMaze:
    """A one-factor T-maze (see the module doc). ``rng`` draws contexts and outcomes."""

    LOCATIONS = ("centre", "left", "right", "cue")
    OUTCOMES = ("null", "cue-left", "cue-right", "reward", "no-reward")

    def __init__(self, cue_validity: float = 0.95, reward_prob: float = 0.9) -> None:
        n_loc, n_ctx = 4, 2
        self.n_states = n_loc * n_ctx
        self.n_obs = len(self.OUTCOMES)
        self.n_actions = n_loc
        A = np.zeros((self.n_obs, self.n_states))
        for loc in range(n_loc):
            for ctx in range(n_ctx):
                s = loc * n_ctx + ctx
                if loc == 0:
                    A[0, s] = 1.0
                elif loc == 3:
                    A[1 + ctx, s] = cue_validity
                    A[2 - ctx, s] = 1.0 - cue_validity
                else:
                    good = (loc == 1 and ctx == 0) or (loc == 2 and ctx == 1)
                    A[3, s] = reward_prob if good else 1.0 - reward_prob
                    A[4, s] = 1.0 - A[3, s]
        B = np.zeros((self.n_states, self.n_states, self.n_actions))
        for a in range(self.n_actions):
            for loc in range(n_loc):
                for ctx in range(n_ctx):
                    new_loc = loc if loc in (1, 2) else a  # arms are absorbing
                    B[new_loc * n_ctx + ctx, loc * n_ctx + ctx, a] = 1.0
        D = np.zeros(self.n_states)
        D[0], D[1] = 0.5, 0.5
        self.A, self.B, self.D = A, B, D

    def sample_obs(self, state: int, rng: np.random.Generator) -> int:
        return int(rng.choice(self.n_obs, p=self.A[:, state]))

    def step(self, state: int, action: int) -> int:
        return int(np.argmax(self.B[:, state, action]))

    def reset(self, rng: np.random.Generator) -> int:
        return int(rng.integers(2))  # centre, context drawn uniformly


def _ops_per_step(n_s: int, n_o: int, n_pol: int, horizon: int) -> int:
    """Arithmetic operations of one step (our count, an estimate).

    inference: A[o]·prior (n_s mult), p(o) (n_s add), normalise (n_s div), F and KL (each
    ≈ 4·n_s: log, sub, mult, add); policies: per policy and horizon step B·q (n_s² mult+add),
    A·q (n_o·n_s mult+add), risk (4·n_o), ambiguity (2·n_s), plus 2 adds; q(π): n_pol
    (mult, exp, add, div); prediction to the next prior: n_s² mult+add.
    H[A] is precomputed once and not counted per step.
    """
    infer = 3 * n_s + 8 * n_s
    per_pol_step = 2 * n_s * n_s + 2 * n_o * n_s + 4 * n_o + 2 * n_s + 2
    return infer + n_pol * horizon * per_pol_step + 4 * n_pol + 2 * n_s * n_s


class ActiveInferenceResult(TypedDict):
    """What [ActiveInferenceModel.run][] returns: means, per-step lists (one entry per step), counts and charges (J by resource)."""

    environment: str
    steps: int
    policies: int
    horizon: int
    gamma: float
    free_energy_nats: float
    free_energy_nats_list: list[float]
    free_energy_prior_nats_list: list[float]
    expected_free_energy_nats: float
    expected_free_energy_nats_list: list[float]
    belief_update_kl_nats_list: list[float]
    belief_update_bits: float
    belief_update_millibits_charged: int
    ops: int
    rewards: int
    no_rewards: int
    actions: list[str]
    outcomes: list[str]
    charges_j: dict[str, float]
    total_j: float


@dataclass(frozen=True)
class ActiveInferenceModel(Model):
    """An active-inference agent in a T-maze; belief updates charged at Landauer's bound."""

    name: ClassVar[str] = "active-inference"
    summary: ClassVar[str] = ("Active-inference agent (free energy, expected free energy) in a T-maze; belief-update "
                              "information charged at k_B T ln 2 per bit (Mazzaglia et al. 2022)")
    account: ClassVar[str] = "active-inference"

    steps: int = param(30, unit="step", help="observations processed (trials of 3 steps each)", low=1, high=1_000_000)
    temperature: float = param(300.0, unit="K", help="bath temperature of the Landauer charge", low=1e-300, high=1e32,
                               aliases=("T",))
    gamma: float = param(16.0, help="policy precision γ in q(π) = softmax(−γG)", low=0, high=1e6)
    horizon: int = param(2, unit="step", help="policy length (policies = 4^horizon)", low=1, high=4)
    preference: float = param(3.0, unit="nat", help="log-preference c of reward (+c) over no-reward (−c)", low=0,
                              high=50)
    cue_validity: float = param(0.95, help="p(cue points at the rewarded arm)", low=0.5, high=1)
    reward_prob: float = param(0.9, help="p(reward) in the rewarded arm", low=0.5, high=1)
    j_per_op: float = param(0.0, unit="J", help="energy per arithmetic operation (hardware; default 0)", low=0, high=1.0)

    def run(self, ledger: Ledger, seed: int = 0) -> ActiveInferenceResult:
        rng = np.random.default_rng(seed)
        maze = TMaze(self.cue_validity, self.reward_prob)
        A, B, D = maze.A, maze.B, maze.D
        c = np.array([0.0, 0.0, 0.0, self.preference, -self.preference])
        log_c = c - math.log(np.exp(c).sum())
        policies = list(itertools.product(range(maze.n_actions), repeat=self.horizon))
        trial_len = 3

        F_list, F_prior_list, G_list, kl_list, actions, outcomes = [], [], [], [], [], []
        millibits = 0
        rewards = losses = 0
        state = maze.reset(rng)
        prior = D.copy()
        for t in range(self.steps):
            o = maze.sample_obs(state, rng)
            outcomes.append(maze.OUTCOMES[o])
            rewards += o == 3
            losses += o == 4
            q, _ = posterior(prior, A, o)
            F_prior_list.append(free_energy(prior, prior, A, o))
            F_list.append(free_energy(q, prior, A, o))
            d_kl = max(kl(q, prior), 0.0)
            kl_list.append(d_kl)
            millibits += math.ceil(d_kl / LN2 * 1000.0 - 1e-9) if d_kl > 0 else 0
            # policy evaluation: G(π) summed over the horizon
            G = np.zeros(len(policies))
            for i, pol in enumerate(policies):
                qs = q
                for a in pol:
                    qs = B[:, :, a] @ qs
                    G[i] += expected_free_energy(qs, A, log_c)["G"]
            q_pi = policy_posterior(G, self.gamma)
            G_list.append(float(q_pi @ G))
            q_a = np.zeros(maze.n_actions)
            for p, pol in zip(q_pi, policies):
                q_a[pol[0]] += p
            action = int(rng.choice(maze.n_actions, p=q_a / q_a.sum()))
            actions.append(maze.LOCATIONS[action])
            if (t + 1) % trial_len == 0:  # new trial
                state = maze.reset(rng)
                prior = D.copy()
            else:
                state = maze.step(state, action)
                prior = B[:, :, action] @ q

        ops_step = _ops_per_step(maze.n_states, maze.n_obs, len(policies), self.horizon)
        ops = ops_step * self.steps
        e_bit = landauer_bit_energy(self.temperature)
        charges = ledger.charge_many([
            (self.account, "belief_update_millibit", millibits, e_bit / 1000.0, "lower_bound",
             f"KL[q‖prior] of {self.steps} belief updates, each rounded up to whole millibits, at "
             f"k_B·T·ln 2/1000 per millibit, T = {self.temperature:g} K (digest proposal, models.md §2)"),
            (self.account, "op", ops, self.j_per_op, "estimated",
             f"arithmetic ops: {ops_step} per step × {self.steps} (our operation count; J/op a parameter)"),
        ], model=self.name)
        return {
            "environment": "t-maze (one hidden factor, 8 states, 5 outcomes, 4 actions)",
            "steps": self.steps, "policies": len(policies), "horizon": self.horizon, "gamma": self.gamma,
            "free_energy_nats": float(np.mean(F_list)), "free_energy_nats_list": F_list,
            "free_energy_prior_nats_list": F_prior_list,
            "expected_free_energy_nats": float(np.mean(G_list)), "expected_free_energy_nats_list": G_list,
            "belief_update_kl_nats_list": kl_list, "belief_update_bits": float(sum(kl_list) / LN2),
            "belief_update_millibits_charged": millibits, "ops": ops,
            "rewards": int(rewards), "no_rewards": int(losses), "actions": actions, "outcomes": outcomes,
            "charges_j": {ch.resource: ch.energy_j for ch in charges},
            "total_j": sum(ch.energy_j for ch in charges),
        }
