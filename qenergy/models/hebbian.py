"""Hebbian associative memory under noise (models.md §1; Coyac, Gripon, Langlais, Berrou 2017).

The paper's own equations were not available; it reports that a noisy recurrent Hebbian
network with an energy-usage limit and consolidated learning converges to the sparse
Gripon–Berrou clique network (Willshaw-type binary associative memory). This model is
that clique network, with the paper's two mechanisms made explicit as **this project's
modelling choices**:

* network: χ clusters × l neurons ("fanals"); a message activates one fanal in each of
  c clusters; connections are binary, symmetric, never inside a cluster;
* learning: every presentation sets W_ij = 1 for each co-active pair (a clique of
  c(c−1)/2 edges); presentations are noisy: each active neuron is missing with
  probability ``erasures`` and each silent neuron spuriously active with probability
  ``insertions``;
* energy-usage limit (``cap`` = k > 0): at most k neurons active per step, the k with the
  most connections to the others (k-winners-take-all);
* consolidated learning (``consolidation`` = θ): an edge becomes permanent only after θ
  co-activations (θ = 1 is plain Hebbian learning);
* retrieval: a stored message with ``erased`` of its clusters blanked is the cue; each
  iteration scores every neuron by its active neighbours plus itself (sum-of-sum,
  memory γ = 1) and keeps, per message cluster, the top-scoring fanals (``guided``:
  the message's clusters are known) or the top-scoring neurons overall (``blind``:
  global winner-take-all).

Checks (Aliabadi, Berrou, Gripon, Jiang 2014, via the digest): density after M messages
d = 1 − (1 − c(c−1)/(χ(χ−1)l²))^M, and one-iteration error
P_e = 1 − (1 − d^{c−c_e})^{c_e(l−1) + (χ−c)l} (blind; guided drops the (χ−c)l term).

Charges (account ``hebbian``): one bit written per edge set (k_B·T·ln 2, treating the
write as erasing the cell's previous state; ``lower_bound``), every neuron state reset
between retrieval iterations (k_B·T·ln 2 each, ``lower_bound``), and spikes and synaptic
events at ``spike_energy_j`` and ``synapse_energy_j`` each (``estimated``; the paper
gives no values, so both default to 0 J and the charges then only count events).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, TypedDict

import numpy as np
from numpy.typing import NDArray

from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError
from qenergy.ledger.book import Ledger
from qenergy.models import Model, param

__all__ = ["HebbianEvents", "HebbianMemory", "HebbianResult", "expected_density", "one_iteration_error"]

_CHUNK_BYTES = 1 << 27


def expected_density(clusters: int, neurons: int, active: int, messages: int) -> float:
    """d = 1 − (1 − c(c−1)/(χ(χ−1)l²))^M."""
    p = active * (active - 1) / (clusters * (clusters - 1) * neurons**2)
    return -math.expm1(messages * math.log1p(-p))


def one_iteration_error(density: float, clusters: int, neurons: int, active: int, erased: int, *, blind: bool) -> float:
    """P_e = 1 − (1 − d^{c−c_e})^{c_e(l−1) + (χ−c)l} (blind) or with exponent c_e(l−1) (guided)."""
    exponent = erased * (neurons - 1) + ((clusters - active) * neurons if blind else 0)
    return -math.expm1(exponent * math.log1p(-(density ** (active - erased))))


class HebbianEvents(TypedDict):
    """Event counts of a run (learning and retrieval together)."""

    spikes: int
    synaptic: int
    state_resets: int


class HebbianResult(TypedDict):
    """What [HebbianMemory.run][] returns; ``charges_j`` is J by ledger resource."""

    error_rate: float
    error_by_iteration: list[float]
    density: float
    expected_density: float
    one_iteration_error_formula: float
    edges: int
    messages: int
    tests: int
    mode: str
    charges_j: dict[str, float]
    events: HebbianEvents


@dataclass(frozen=True)
class HebbianMemory(Model):
    """A Gripon–Berrou clique network learnt from noisy presentations, then tested on erased cues."""

    name: ClassVar[str] = "hebbian"
    summary: ClassVar[str] = "Hebbian clique associative memory under insertion/erasure noise (Coyac et al. 2017)"
    account: ClassVar[str] = "hebbian"

    clusters: int = param(100, help="clusters (chi)", low=2, high=4096, aliases=("chi",))
    neurons: int = param(64, help="neurons per cluster (l)", low=2, high=4096, aliases=("l",))
    active: int = param(12, help="active clusters per message (c)", low=2, high=4096, aliases=("c",))
    messages: int = param(50_000, help="messages stored (M)", low=1, high=10_000_000, aliases=("M",))
    erased: int = param(3, help="clusters erased in each test cue (c_e)", low=0, high=4096, aliases=("c_e",))
    insertions: float = param(0.0, unit="probability", help="chance a silent neuron is active in a presentation", low=0.0, high=1.0)
    erasures: float = param(0.0, unit="probability", help="chance an active neuron is missing in a presentation", low=0.0, high=1.0)
    iterations: int = param(4, help="retrieval iterations", low=1, high=100)
    tests: int = param(1000, help="test messages", low=1, high=1_000_000)
    mode: str = param("guided", help="winner-take-all per message cluster (guided) or global (blind)", choices=("guided", "blind"))
    cap: int = param(0, unit="neurons", help="energy-usage limit: at most k active neurons per step (0: none)", low=0, high=65536)
    consolidation: int = param(1, unit="co-activations", help="theta: co-activations before an edge is permanent", low=1, high=65535)
    temperature: float = param(300.0, unit="K", help="bath temperature for the Landauer charges", low=1e-300, high=1e32)
    spike_energy_j: float = param(0.0, unit="J", help="energy per spike (no paper value; 0 counts only)", low=0.0, high=1.0)
    synapse_energy_j: float = param(0.0, unit="J", help="energy per synaptic event (no paper value; 0 counts only)", low=0.0, high=1.0)

    def __post_init__(self) -> None:
        if self.active > self.clusters:
            raise InputError(f"parameter active = {self.active} is out of range; allowed: active <= clusters = {self.clusters}")
        if self.erased > self.active:
            raise InputError(f"parameter erased = {self.erased} is out of range; allowed: erased <= active = {self.active}")
        if self.clusters * self.neurons > 65536:
            raise InputError(f"clusters x neurons = {self.clusters * self.neurons} is too large; allowed: at most 65536 neurons")

    @property
    def n(self) -> int:
        return self.clusters * self.neurons

    # -- messages and learning -------------------------------------------------------------

    def draw_messages(self, rng: np.random.Generator) -> NDArray[np.int32]:
        """M messages as an ``(M, c)`` array of neuron ids (cluster·l + fanal), clusters distinct."""
        clusters = np.argsort(rng.random((self.messages, self.clusters), dtype=np.float32), axis=1)[:, : self.active]
        fanals = rng.integers(0, self.neurons, size=(self.messages, self.active))
        return (clusters * self.neurons + fanals).astype(np.int32)

    def _presentations(self, chunk: NDArray[np.int32], rng: np.random.Generator) -> NDArray[np.int32]:
        """Noisy presentations of a chunk of messages, padded with −1."""
        rows = chunk.copy()
        if self.erasures > 0:
            rows[rng.random(rows.shape) < self.erasures] = -1
        if self.insertions > 0:
            k = rng.binomial(self.n - self.active, self.insertions, size=len(rows))
            width = int(k.max()) if len(k) else 0
            extra = rng.integers(0, self.n, size=(len(rows), width)).astype(np.int32)
            extra[np.arange(width)[None, :] >= k[:, None]] = -1
            rows = np.concatenate((rows, extra), axis=1)
        return rows

    def _cap(self, rows: NDArray[np.int32], w: NDArray[np.bool_], rng: np.random.Generator) -> NDArray[np.int32]:
        """k-winners-take-all: keep the ``cap`` neurons with most connections to the other active ones."""
        valid = rows >= 0
        if not self.cap or valid.sum(axis=1).max(initial=0) <= self.cap:
            return rows
        safe = np.where(valid, rows, 0)
        links = w[safe[:, :, None], safe[:, None, :]] & valid[:, :, None] & valid[:, None, :]
        score = links.sum(axis=2) + rng.random(rows.shape)  # random tie-break
        score[~valid] = -1.0
        order = np.argsort(-score, axis=1)
        keep = np.zeros_like(valid)
        np.put_along_axis(keep, order[:, : self.cap], True, axis=1)
        return np.where(keep & valid, rows, -1)

    def _pairs(self, rows: NDArray[np.int32]) -> NDArray[np.int64]:
        """Edge ids a·n + b (a < b) of co-active neurons in different clusters."""
        m = rows.shape[1]
        i, j = np.triu_indices(m, 1)
        a, b = rows[:, i].ravel(), rows[:, j].ravel()
        ok = (a >= 0) & (b >= 0) & (a // self.neurons != b // self.neurons)
        a, b = a[ok].astype(np.int64), b[ok].astype(np.int64)
        return np.minimum(a, b) * self.n + np.maximum(a, b)

    def learn(self, msgs: NDArray[np.int32], rng: np.random.Generator) -> tuple[NDArray[np.bool_], dict[str, int]]:
        """The learnt connection matrix and event counts (spikes, synaptic updates)."""
        n = self.n
        w = np.zeros((n, n), dtype=bool)
        plain = self.insertions == 0 and self.erasures == 0 and self.cap == 0 and self.consolidation == 1
        spikes = updates = 0
        counter = np.zeros(n * n, dtype=np.uint16) if self.consolidation > 1 else None
        chunk = len(msgs) if plain else max(1, 200_000 // max(1, self.active))
        for start in range(0, len(msgs), chunk):
            rows = msgs[start : start + chunk]
            if not plain:
                rows = self._cap(self._presentations(rows, rng), w, rng)
            spikes += int((rows >= 0).sum())
            ids = self._pairs(rows)
            updates += 2 * ids.size
            if counter is not None:
                uniq, counts = np.unique(ids, return_counts=True)
                counter[uniq] = np.minimum(counter[uniq].astype(np.int64) + counts, 65535).astype(np.uint16)
                ids = uniq[counter[uniq] >= self.consolidation]
            a, b = ids // n, ids % n
            w[a, b] = True
            w[b, a] = True
        return w, {"spikes": spikes, "synaptic_updates": updates}

    # -- retrieval -------------------------------------------------------------------------

    def retrieve(self, w: NDArray[np.bool_], cues: NDArray[np.int32], clusters_of: NDArray[np.int64], rng: np.random.Generator) -> tuple[list[NDArray[np.bool_]], dict[str, int]]:
        """States after each iteration, as ``(tests, n)`` booleans, and event counts."""
        n, l = self.n, self.neurons
        t = len(cues)
        wpad = np.zeros((n + 1, n), dtype=np.uint8)
        wpad[:n] = w
        state = np.zeros((t, n), dtype=bool)
        rows = np.repeat(np.arange(t), cues.shape[1])
        flat = cues.ravel()
        state[rows[flat >= 0], flat[flat >= 0]] = True
        allowed = np.zeros((t, self.clusters), dtype=bool)
        allowed[np.repeat(np.arange(t), clusters_of.shape[1]), clusters_of.ravel()] = True
        history = []
        reads = spikes = 0
        for _ in range(self.iterations):
            counts = state.sum(axis=1)
            width = max(1, int(counts.max()))
            idx = np.full((t, width), n, dtype=np.int64)
            r, c = np.nonzero(state)
            pos = np.arange(len(r)) - np.repeat(np.cumsum(counts) - counts, counts)
            idx[r, pos] = c
            scores = np.empty((t, n), dtype=np.int32)
            block = max(1, _CHUNK_BYTES // (width * n))
            for s in range(0, t, block):
                scores[s : s + block] = wpad[idx[s : s + block]].sum(axis=1, dtype=np.int32)
            scores += state  # memory term, gamma = 1
            reads += int(counts.sum()) * n
            spikes += int(counts.sum())
            if self.mode == "guided":
                per = scores.reshape(t, self.clusters, l)
                best = per.max(axis=2)
                keep = (per == best[:, :, None]) & allowed[:, :, None] & (best[:, :, None] > 0)
                new = keep.reshape(t, n)
            else:
                best = scores.max(axis=1)
                new = (scores == best[:, None]) & (best[:, None] > 0)
            if self.cap:
                over = new.sum(axis=1) > self.cap
                if over.any():
                    noisy = np.where(new[over], scores[over] + rng.random((int(over.sum()), n)), -1.0)
                    top = np.argsort(-noisy, axis=1)[:, : self.cap]
                    capped = np.zeros((int(over.sum()), n), dtype=bool)
                    np.put_along_axis(capped, top, True, axis=1)
                    new[over] = capped & new[over]
            state = new
            history.append(state.copy())
        return history, {"spikes": spikes, "synaptic_reads": reads, "state_resets": t * n * self.iterations}

    # -- the model ---------------------------------------------------------------------------

    def run(self, ledger: Ledger, seed: int = 0) -> HebbianResult:
        rng = np.random.default_rng(seed)
        msgs = self.draw_messages(rng)
        w, learn_events = self.learn(msgs, rng)
        edges = int(w.sum()) // 2
        potential = self.clusters * (self.clusters - 1) * self.neurons**2 // 2
        density = edges / potential
        pick = rng.choice(self.messages, size=min(self.tests, self.messages), replace=self.tests > self.messages)
        targets = msgs[pick]
        erase = np.argsort(rng.random(targets.shape), axis=1)[:, : self.erased]
        cues = targets.copy()
        np.put_along_axis(cues, erase, -1, axis=1)
        history, ret_events = self.retrieve(w, cues, (targets // self.neurons).astype(np.int64), rng)
        truth = np.zeros_like(history[0])
        truth[np.repeat(np.arange(len(targets)), self.active), targets.ravel()] = True
        errors = [float(np.mean((h != truth).any(axis=1))) for h in history]
        u = landauer_bit_energy(self.temperature)
        spikes = learn_events["spikes"] + ret_events["spikes"]
        synaptic = learn_events["synaptic_updates"] + ret_events["synaptic_reads"]
        charges = ledger.charge_many(
            [
                (self.account, "synapse_bit_written", edges, u, "lower_bound", "Landauer per synaptic bit set (a write erases the cell's prior state)"),
                (self.account, "state_reset", ret_events["state_resets"], u, "lower_bound", "Landauer per neuron state reset between retrieval iterations"),
                (self.account, "spike", spikes, self.spike_energy_j, "estimated", "per-spike energy is a parameter (no paper value)"),
                (self.account, "synaptic_event", synaptic, self.synapse_energy_j, "estimated", "per-synaptic-event energy is a parameter (no paper value)"),
            ],
            model=self.name,
        )
        blind = self.mode == "blind"
        return {
            "error_rate": errors[-1],
            "error_by_iteration": errors,
            "density": density,
            "expected_density": expected_density(self.clusters, self.neurons, self.active, self.messages),
            "one_iteration_error_formula": one_iteration_error(density, self.clusters, self.neurons, self.active, self.erased, blind=blind),
            "edges": edges,
            "messages": self.messages,
            "tests": len(targets),
            "mode": self.mode,
            "charges_j": {c.resource: c.energy_j for c in charges},
            "events": {"spikes": spikes, "synaptic": synaptic, "state_resets": ret_events["state_resets"]},
        }
