"""Temporally-Layered Architecture and the Decision-Bounded MDP (models.md §7, Patel, Sejnowski, Siegelmann 2023/2024).

What is from the paper (its official code, upstream commit c3fa23b, as read in the digest):

* the **Decision-Bounded MDP**: an environment wrapper holds ``decisions_left`` (the budget B),
  ``step(action, decision=True)`` takes ``decision`` off it, and the episode ends when it
  reaches 0 ([`DecisionWrapper`][DecisionWrapper]);
* decision counting: at each slow step +1 if the gate keeps the slow action, +1 for every
  fast step;
* the MAC formula (digest [DERIVED], it matches every README figure):
  ``MACs(MLP in→400→300→out) = in·400 + 400·300 + 300·out``; TD3 episode = decisions ×
  MACs(actor); TLA episode = N_slow × [MACs(slow actor) + MACs(gate, in = s+a, out = 2)] +
  N_fast × MACs(fast actor);
* slow_steps per environment: Pendulum-v1 6, MountainCarContinuous-v0 11.

What is ours (assumptions, not paper results):

* The agent here is **hand-designed**, not the paper's learned TD3 networks: the slow layer
  is an energy-shaping swing-up plus a discrete LQR whose gain is designed for holding its
  torque over ``slow_steps`` steps (Pendulum), or a bang-bang energy pump (MountainCar);
  the fast layer is a per-step LQR / per-step pump; the gate is a rule (hand over to the fast
  layer near the upright when not yet settled, resp. near a turning point of the car).
* The MACs charged are those the paper's 400-300 networks *would* do for the decisions our
  agent makes ("network-equivalent" MACs, basis ``estimated``); our controllers' own
  arithmetic is far smaller and is not charged.
* Energy per MAC is a hardware parameter with default 0 J (the papers give none).
* When the decision budget runs out the wrapper reports ``truncated=True`` (the budget is
  a limit of the agent, not a terminal state of the task) and ``info["budget_exhausted"]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np

from qenergy.errors import InputError

__all__ = ["ENVS", "DecisionWrapper", "EpisodeStats", "TLAAgent", "make_env", "mlp_macs", "run_episode", "td3_episode_macs", "tla_episode_macs"]

#: Environments: gymnasium id, obs dim, act dim, default slow_steps (paper config), max |action|.
ENVS: dict[str, tuple[str, int, int, int, float]] = {
    "pendulum": ("Pendulum-v1", 3, 1, 6, 2.0),
    "mountaincar": ("MountainCarContinuous-v0", 2, 1, 11, 1.0),
}


# --- the MAC formula -----------------------------------------------------------------------

def mlp_macs(n_in: int, n_out: int, hidden: Sequence[int] = (400, 300)) -> int:
    """Multiply-accumulates of one pass of an MLP ``n_in → hidden… → n_out`` (weights only, no biases)."""
    sizes = [int(n_in), *(int(h) for h in hidden), int(n_out)]
    if any(s < 1 for s in sizes):
        raise InputError(f"layer sizes {sizes} are not allowed; allowed: integers >= 1")
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def td3_episode_macs(decisions: float, obs: int, act: int, hidden: Sequence[int] = (400, 300)) -> float:
    """TD3-style MACs of an episode: ``decisions`` × MACs(actor obs→400→300→act)."""
    return decisions * mlp_macs(obs, act, hidden)


def tla_episode_macs(slow_steps: float, fast_steps: float, obs: int, act: int, hidden: Sequence[int] = (400, 300)) -> float:
    """TLA MACs of an episode: N_slow × [actor + gate(obs+act → 2)] + N_fast × actor."""
    actor = mlp_macs(obs, act, hidden)
    gate = mlp_macs(obs + act, 2, hidden)
    return slow_steps * (actor + gate) + fast_steps * actor


# --- the Decision-Bounded MDP ---------------------------------------------------------------

def _wrapper_base() -> type:
    import gymnasium as gym

    return gym.Wrapper


class DecisionWrapper:
    """Decision-Bounded MDP: a gymnasium wrapper that counts decisions and ends the episode at the budget.

    ``budget`` = 0 means no budget (decisions are still counted). ``step(action, decision=True)``
    charges ``decision`` (0 or 1) against the budget; when ``decisions_left`` reaches 0 the
    step returns ``truncated=True`` and ``info["budget_exhausted"] = True``.
    """

    def __new__(cls, env: Any, budget: int = 0) -> Any:
        base = _wrapper_base()

        class _DecisionWrapper(base):  # type: ignore[misc, valid-type]
            def __init__(self, env: Any, budget: int) -> None:
                super().__init__(env)
                if not isinstance(budget, (int, np.integer)) or isinstance(budget, bool) or budget < 0:
                    raise InputError(f"decision budget {budget!r} is not allowed; allowed: an integer >= 0 (0 = none)")
                self.budget = int(budget)
                self.decisions = 0
                self.decisions_left = self.budget

            def reset(self, **kwargs: Any) -> Any:
                self.decisions = 0
                self.decisions_left = self.budget
                return self.env.reset(**kwargs)

            def step(self, action: Any, decision: bool | int = True) -> Any:
                d = int(decision)
                if d not in (0, 1):
                    raise InputError(f"decision {decision!r} is not allowed; allowed: 0 or 1")
                obs, reward, terminated, truncated, info = self.env.step(action)
                self.decisions += d
                info = dict(info)
                info["decisions"] = self.decisions
                if self.budget:
                    self.decisions_left -= d
                    info["decisions_left"] = self.decisions_left
                    if self.decisions_left <= 0:
                        truncated = True
                        info["budget_exhausted"] = True
                return obs, reward, terminated, truncated, info

        _DecisionWrapper.__name__ = _DecisionWrapper.__qualname__ = "DecisionWrapper"
        return _DecisionWrapper(env, budget)


# --- the two-layer agent --------------------------------------------------------------------

def _pendulum_lin(dt: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Pendulum-v1 linearised at the upright under its semi-implicit Euler step (g = 10, m = l = 1)."""
    a = 15.0  # 3g/(2l)
    b = 3.0   # 3/(m l²)
    A = np.array([[1.0 + a * dt * dt, dt], [a * dt, 1.0]])
    B = np.array([[b * dt * dt], [b * dt]])
    return A, B


def _dlqr(A: np.ndarray, B: np.ndarray, Q: np.ndarray, R: np.ndarray) -> np.ndarray:
    from scipy.linalg import solve_discrete_are

    P = solve_discrete_are(A, B, Q, R)
    return np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)


def _held(A: np.ndarray, B: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The linear system seen when one input is held for ``k`` steps."""
    Ak = np.linalg.matrix_power(A, k)
    Bk = sum(np.linalg.matrix_power(A, i) @ B for i in range(k))
    return Ak, Bk


class TLAAgent:
    """A hand-designed two-layer agent: slow layer (acts every ``slow_steps``), fast layer, gate.

    [`slow`][slow] gives the slow action, [`gate`][gate] whether the fast layer takes over until
    the next slow step (1) or the slow action is repeated (0), [`fast`][fast] the fast action.
    With ``every_step=True`` it is the baseline that decides at every step (TD3-style).
    """

    #: Pendulum: LQR region |θ| < balance_angle; the gate hands over to the fast layer for
    #: |θ| < gate_angle unless settled (|θ| < settled_angle and |θ̇| < settled_speed). Hand-tuned.
    balance_angle = 0.9
    gate_angle = 2.0
    settled_angle = 0.3
    settled_speed = 1.5
    turn_rate = 1.0
    #: MountainCar: the gate hands over near a turning point, |v| < this.
    turn_speed = 0.004

    def __init__(self, env: str, slow_steps: int, every_step: bool = False) -> None:
        if env not in ENVS:
            raise InputError(f"env {env!r} is unknown; allowed: {', '.join(ENVS)}")
        self.env = env
        self.slow_steps = int(slow_steps)
        self.every_step = every_step
        if env == "pendulum":
            A, B = _pendulum_lin()
            Q, R = np.diag([1.0, 0.1]), np.array([[0.001]])
            self.k_fast = _dlqr(A, B, Q, R)[0]
            Ak, Bk = _held(A, B, self.slow_steps)
            # cost over a held period ≈ slow_steps × per-step cost (rough)
            self.k_slow = _dlqr(Ak, Bk, Q * self.slow_steps, R * self.slow_steps)[0]

    # pendulum helpers
    @staticmethod
    def _theta(obs: np.ndarray) -> tuple[float, float]:
        return math.atan2(float(obs[1]), float(obs[0])), float(obs[2])

    @staticmethod
    def _swing(th: float, thd: float) -> float:
        """Energy pump: full torque along θ̇ while the energy is below the upright's, else coast."""
        e = thd * thd / 30.0 + (math.cos(th) - 1.0)  # (kinetic + potential) / (m g l · 3/2), 0 at rest upright
        if e >= 0.0:
            return 0.0
        return 2.0 if thd >= 0.0 else -2.0

    def _near_top(self, th: float) -> bool:
        return math.cos(th) > math.cos(self.balance_angle)

    def slow(self, obs: np.ndarray) -> np.ndarray:
        if self.env == "pendulum":
            th, thd = self._theta(obs)
            if self._near_top(th):
                k = self.k_fast if self.every_step else self.k_slow
                return np.array([float(np.clip(-k @ np.array([th, thd]), -2.0, 2.0))])
            return np.array([self._swing(th, thd)])
        # MountainCar energy pump: full force along the velocity (from rest: push right)
        return np.array([1.0 if float(obs[1]) >= 0.0 else -1.0])

    def gate(self, obs: np.ndarray, a_slow: np.ndarray) -> int:
        """1 = hand over to the fast layer until the next slow step, 0 = repeat the slow action."""
        if self.every_step:
            return 0
        if self.env == "pendulum":
            th, thd = self._theta(obs)
            settled = abs(th) < self.settled_angle and abs(thd) < self.settled_speed
            near_top = math.cos(th) > math.cos(self.gate_angle)
            turning = abs(thd) < self.turn_rate  # a swing's turning point: a held torque would brake it
            return int((near_top and not settled) or (not near_top and turning))
        vel = float(obs[1])
        return int(abs(vel) < self.turn_speed)

    def fast(self, obs: np.ndarray, a_slow: np.ndarray) -> np.ndarray:
        if self.env == "pendulum":
            th, thd = self._theta(obs)
            if self._near_top(th):
                return np.array([float(np.clip(-self.k_fast @ np.array([th, thd]), -2.0, 2.0))])
            return np.array([self._swing(th, thd)])
        vel = float(obs[1])
        return np.array([1.0 if vel >= 0 else -1.0])


class EpisodeStats(TypedDict):
    """What [`run_episode`][run_episode] returns: total reward and step, decision, slow, fast and kept-slow counts."""

    reward: float
    steps: int
    decisions: int
    slow_steps: int
    fast_steps: int
    kept_slow: int
    budget_exhausted: bool


def run_episode(env: Any, agent: TLAAgent, seed: int | None = None) -> EpisodeStats:
    """One episode of ``agent`` in a [`DecisionWrapper`][DecisionWrapper] ``env``; counts slow, fast and kept steps."""
    obs, _ = env.reset(seed=seed)
    reward = 0.0
    slow_n = fast_n = kept = steps = 0
    done = False
    a_slow = np.zeros(1)
    skip = 0
    while not done:
        if agent.every_step or steps % agent.slow_steps == 0:
            a_slow = agent.slow(obs)
            slow_n += 1
            skip = agent.gate(obs, a_slow)   # 1: the fast layer acts until the next slow step
            kept += 1 - skip
        if skip:
            action, decision = agent.fast(obs, a_slow), 1
            fast_n += 1
        else:
            # the slow action: a decision at the slow step, a free repetition after it
            action, decision = a_slow, int(agent.every_step or steps % agent.slow_steps == 0)
        obs, r, terminated, truncated, info = env.step(np.asarray(action, dtype=np.float32), decision=decision)
        reward += float(r)
        steps += 1
        done = terminated or truncated
    return {"reward": reward, "steps": steps, "decisions": int(env.decisions), "slow_steps": slow_n,
            "fast_steps": fast_n, "kept_slow": kept, "budget_exhausted": bool(info.get("budget_exhausted", False))}


def make_env(env: str, budget: int = 0) -> Any:
    """A gymnasium environment in a [`DecisionWrapper`][DecisionWrapper] (needs ``gymnasium``)."""
    if env not in ENVS:
        raise InputError(f"env {env!r} is unknown; allowed: {', '.join(ENVS)}")
    try:
        import gymnasium as gym
    except ImportError:  # pragma: no cover - depends on the install
        raise InputError("model tla needs gymnasium for env runs; install qenergy[agents] or use macs_only=true") from None
    return DecisionWrapper(gym.make(ENVS[env][0]), budget)


# --- plot -----------------------------------------------------------------------------------



# --- the model ------------------------------------------------------------------------------

