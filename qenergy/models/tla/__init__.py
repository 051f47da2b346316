"""The temporally-layered agent model as a package: ``agent`` (MAC counts, the decision
wrapper, the LQR-based agent, episodes), ``plots`` (through `qenergy.plotting`) and
the plug-in model `TLAModel` here. See `qenergy.models.tla.agent` for the
model's assumptions and sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, TypedDict

import numpy as np

from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param
from qenergy.models.tla.agent import ENVS, EpisodeStats, TLAAgent, make_env, mlp_macs, run_episode, td3_episode_macs, tla_episode_macs
from qenergy.models.tla.plots import plot_reward_vs_decisions

__all__ = ["EpisodeStats", "TLAAgent", "TLAEnvResult", "TLAEpisode", "TLAMacsResult", "TLAModel", "make_env", "mlp_macs", "plot_reward_vs_decisions", "run_episode", "td3_episode_macs", "tla_episode_macs"]


class TLAEpisode(EpisodeStats):
    """One episode of [TLAModel.run][] (``per_episode``): [`EpisodeStats`][EpisodeStats] and its network-equivalent MACs."""

    macs: float


class TLAMacsResult(TypedDict):
    """What [TLAModel.run][] returns with ``macs_only``: the TD3-style MACs of ``decisions`` decisions."""

    mode: Literal["macs_only"]
    obs: int
    act: int
    decisions: float
    actor_macs: int
    macs: float
    mmacs: float
    energy_j: float


class TLAEnvResult(TypedDict):
    """What [TLAModel.run][] returns when it runs episodes: means per episode (``budget_exhausted`` is a count)."""

    mode: Literal["env"]
    env: str
    agent: str
    episodes: int
    budget: int
    slow_steps_per_slow_action: int
    decisions: float
    mmacs: float
    reward: float
    reward_std: float
    steps: float
    slow_actions: float
    fast_actions: float
    budget_exhausted: int
    energy_j: float
    per_episode: list[TLAEpisode]


_EpisodeMean = Literal["decisions", "macs", "reward", "steps", "slow_steps", "fast_steps"]


@dataclass(frozen=True)
class TLAModel(Model):
    """Decisions and network-equivalent MACs of a slow/fast/gate agent under a decision budget."""

    name: ClassVar[str] = "tla"
    summary: ClassVar[str] = ("Temporally-layered agent and decision-bounded MDP: decisions and 400-300-network MACs "
                              "per episode (Patel, Sejnowski, Siegelmann 2023/2024)")
    account: ClassVar[str] = "tla"

    env: str = param("pendulum", help="gymnasium environment (Pendulum-v1, MountainCarContinuous-v0)",
                     choices=tuple(ENVS))
    agent: str = param("tla", help="tla = slow/fast/gate layers; every-step = baseline deciding at every step",
                       choices=("tla", "every-step"))
    episodes: int = param(10, unit="episode", help="episodes to average", low=1, high=10_000)
    budget: int = param(0, unit="decision", help="decision budget per episode (DB-MDP); 0 = none", low=0,
                        aliases=("decision_budget",))
    slow_steps: int = param(0, unit="step", help="steps between slow-layer actions; 0 = the paper's per-env value",
                            low=0, high=1000)
    macs_only: bool = param(False, help="only the TD3-style MACs of `decisions` decisions of an obs→400→300→act actor")
    obs: int = param(3, help="observation size for macs_only", low=1, high=1_000_000)
    act: int = param(1, help="action size for macs_only", low=1, high=1_000_000)
    decisions: float = param(200.0, unit="decision", help="decisions per episode for macs_only", low=0, high=1e12)
    hidden1: int = param(400, help="first hidden layer width", low=1, high=1_000_000)
    hidden2: int = param(300, help="second hidden layer width", low=1, high=1_000_000)
    j_per_mac: float = param(0.0, unit="J", help="energy per multiply-accumulate (hardware; no paper default)",
                             low=0, high=1.0, aliases=("joules_per_mac",))

    def __post_init__(self) -> None:
        # Model.check_params has checked the declared choices and ranges; here what they cannot say
        if not self.macs_only and self.env == "pendulum" and self.slow_steps:
            try:  # the slow layer's LQR for an action held slow_steps steps: refuse here what would fail mid-run
                TLAAgent(self.env, self.slow_steps)
            except (np.linalg.LinAlgError, ValueError, ArithmeticError):
                raise InputError(f"parameter slow_steps = {self.slow_steps} is not allowed for env pendulum: the slow layer's LQR "
                                 f"for an action held {self.slow_steps} steps has no finite solution; allowed: a smaller slow_steps "
                                 f"(0 = the paper's {ENVS['pendulum'][3]})") from None

    @property
    def hidden(self) -> tuple[int, int]:
        return (self.hidden1, self.hidden2)

    def run(self, ledger: Ledger, seed: int = 0) -> TLAMacsResult | TLAEnvResult:
        if self.macs_only:
            macs = td3_episode_macs(self.decisions, self.obs, self.act, self.hidden)
            actor = mlp_macs(self.obs, self.act, self.hidden)
            ledger.charge_many([
                (self.account, "mac", int(round(macs)), self.j_per_mac, "estimated",
                 f"TD3 actor {self.obs}-{self.hidden1}-{self.hidden2}-{self.act} ({actor} MACs) × {self.decisions:g} "
                 f"decisions (Patel et al. MAC formula, models.md §7); J/MAC a hardware parameter"),
            ], model=self.name)
            return {"mode": "macs_only", "obs": self.obs, "act": self.act, "decisions": self.decisions,
                    "actor_macs": actor, "macs": macs, "mmacs": macs / 1e6, "energy_j": macs * self.j_per_mac}
        gym_id, n_obs, n_act, default_slow, _ = ENVS[self.env]
        slow = self.slow_steps or default_slow
        agent = TLAAgent(self.env, slow, every_step=(self.agent == "every-step"))
        env = make_env(self.env, self.budget)
        episodes: list[TLAEpisode] = []
        try:
            for i in range(self.episodes):
                ep = run_episode(env, agent, seed=seed + i)
                if agent.every_step:
                    macs = td3_episode_macs(ep["decisions"], n_obs, n_act, self.hidden)
                else:
                    macs = tla_episode_macs(ep["slow_steps"], ep["fast_steps"], n_obs, n_act, self.hidden)
                episodes.append({**ep, "macs": macs})
        finally:
            env.close()
        total_dec = sum(e["decisions"] for e in episodes)
        total_macs = sum(int(e["macs"]) for e in episodes)
        formula = "decisions × actor" if agent.every_step else "N_slow × (actor + gate) + N_fast × actor"
        ledger.charge_many([
            (self.account, "decision", total_dec, 0.0, "estimated",
             f"{self.agent} agent decisions over {self.episodes} {gym_id} episodes (count; energy in the mac row)"),
            (self.account, "mac", total_macs, self.j_per_mac, "estimated",
             f"network-equivalent MACs ({formula}, {self.hidden1}-{self.hidden2} MLPs, models.md §7) of a "
             f"hand-designed agent; J/MAC a hardware parameter"),
        ], model=self.name)
        n = len(episodes)

        def mean(key: _EpisodeMean) -> float:
            return sum(float(e[key]) for e in episodes) / n

        return {
            "mode": "env", "env": gym_id, "agent": self.agent, "episodes": n, "budget": self.budget,
            "slow_steps_per_slow_action": slow,
            "decisions": mean("decisions"), "mmacs": mean("macs") / 1e6, "reward": mean("reward"),
            "reward_std": float(np.std([e["reward"] for e in episodes])),
            "steps": mean("steps"), "slow_actions": mean("slow_steps"), "fast_actions": mean("fast_steps"),
            "budget_exhausted": sum(bool(e["budget_exhausted"]) for e in episodes),
            "energy_j": total_macs * self.j_per_mac / n,
            "per_episode": [{**e, "reward": float(e["reward"])} for e in episodes],
        }
