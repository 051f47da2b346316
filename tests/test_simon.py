import json

"""Every backend and oracle family solves Simon instances; samples have the ideal distribution; every shot is charged."""

import numpy as np
import pytest
from qenergy.circuits import get_backend, oracle_network, run_simon
from qenergy.circuits.backends import check_statevector_memory
from scipy import stats

from qenergy.errors import InputError, QenergyError, ResourceLimitError
from qenergy.ledger.book import Ledger
from qenergy.problem.gf2 import int_to_bits
from qenergy.problem.instance import make_instance

BACKENDS = ["aer", "cirq", "stim", "exact"]
FAMILIES = ["linear", "random"]


def secrets_for(n):
    out = {0, 1, (1 << n) - 1, 1 << (n - 1)}
    out.add(int(np.random.default_rng(n).integers(1, 1 << n)))
    return sorted(out)


def table_instance(tmp_path, n, s):
    """A truth-table file written from a random oracle, loaded through ``table:PATH``."""
    table = make_instance(n, s, "random", seed=7 * n + s).oracle.truth_table()
    path = tmp_path / f"table_n{n}_s{s}.json"
    path.write_text(json.dumps([int(v) for v in table]))
    return make_instance(n, s, f"table:{path}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", [*FAMILIES, "table"])
@pytest.mark.parametrize("n", range(1, 9))
def test_solves_every_instance(backend, family, n, tmp_path):
    be = get_backend(backend)
    for s in secrets_for(n):
        inst = table_instance(tmp_path, n, s) if family == "table" else make_instance(n, s, family, seed=100 + n)
        clifford = oracle_network(inst.oracle).is_clifford  # tiny random functions can happen to be affine
        ledger = Ledger(300.0)
        if backend == "stim" and not inst.oracle.is_clifford:
            with pytest.raises(InputError, match="stim backend needs a Clifford"):
                run_simon(inst, be, ledger, rng=np.random.default_rng(s))
            continue
        r = run_simon(inst, be, ledger, rng=np.random.default_rng(s))
        assert r.found == s, (backend, family, n, s)
        assert r.rank == n - 1 and r.confirmation_queries == 2
        assert r.shots >= n - 1
        # every shot and every confirmation query is on the ledger
        assert ledger.counts("quantum", "query") == r.shots + 2
        assert ledger.counts("quantum", "qubit_reset") == 2 * n * r.shots
        assert r.metadata.backend == backend and r.metadata.shots == r.shots and r.metadata.qubits == 2 * n
        expected = {
            "aer": "stabilizer" if clifford else "statevector",
            "cirq": "statevector",  # 2n <= 20 qubits
            "stim": "stabilizer",
            "exact": "exact",
        }
        assert r.metadata.method == expected[backend]


def test_table_oracle_on_both_backends(tmp_path):
    table = make_instance(5, 0b10011, "random", seed=9).oracle.truth_table()
    p = tmp_path / "t.txt"
    p.write_text("\n".join(str(int(v)) for v in table))
    inst = make_instance(None, None, f"table:{p}")
    for backend in ("aer", "cirq", "exact"):
        r = run_simon(inst, get_backend(backend), Ledger(), rng=np.random.default_rng(1))
        assert r.found == 0b10011


@pytest.mark.parametrize("backend, family", [(b, f) for b in BACKENDS for f in FAMILIES if (b, f) != ("stim", "random")])
def test_samples_are_uniform_on_s_perp(backend, family):
    n, s = 3, 0b101
    inst = make_instance(n, s, family, seed=4)
    ys = get_backend(backend).run(inst, 4000, seed=3).ys
    assert ys.shape == (4000, n) and ys.dtype == np.uint8
    assert not ((ys.astype(int) @ int_to_bits(s, n)) % 2).any()
    values = ys @ (1 << np.arange(n))
    perp = [y for y in range(1 << n) if bin(y & s).count("1") % 2 == 0]
    counts = np.array([(values == y).sum() for y in perp])
    assert counts.sum() == 4000
    assert stats.chisquare(counts).pvalue > 1e-4


def test_wide_clifford_circuits_avoid_statevector():
    inst = make_instance(40, None, "linear", seed=1)
    for backend, method in (("aer", "stabilizer"), ("cirq", "stimcirq"), ("stim", "stabilizer"), ("exact", "exact")):
        r = run_simon(inst, get_backend(backend), Ledger(), rng=np.random.default_rng(2))
        assert r.found == inst.secret and r.metadata.method == method and r.metadata.qubits == 80


def test_statevector_memory_refused_with_estimate(monkeypatch):
    inst = make_instance(20, 3, "random", seed=1)
    with pytest.raises(ResourceLimitError, match=r"40-qubit statevector \(~16 TiB\).*--oracle linear"):
        get_backend("aer").prepare(inst, rng=np.random.default_rng())
    with pytest.raises(ResourceLimitError, match="--oracle linear"):
        get_backend("cirq").prepare(inst, rng=np.random.default_rng())
    import qenergy.circuits.base as b

    monkeypatch.setattr(b, "available_memory_bytes", lambda: 1000)
    with pytest.raises(ResourceLimitError, match="1e\\+03 B available"):
        check_statevector_memory(make_instance(4, 3, "random"), 16)


def test_unknown_backend():
    with pytest.raises(InputError, match="allowed: aer, cirq, exact, fake:NAME, ibm:NAME, stim, auto, none"):
        get_backend("qpu")


def test_noise_that_never_resolves_is_stopped():
    from qenergy.circuits.backends import PreparedSimon

    class AllZero(PreparedSimon):
        """A prepared backend that only ever returns the all-zero y."""

        def _sample(self, shots):
            return np.zeros((shots, 4), dtype=np.uint8)

    inst = make_instance(4, 3, "linear")
    ledger = Ledger()
    with pytest.raises(QenergyError, match=r"rank 0 of 3 after .* shots"):
        run_simon(inst, AllZero("fake", "zeros", 8, 1, {}), ledger, rng=np.random.default_rng(), max_shots=30)
    assert ledger.counts("quantum", "query") == 30 - (30 % 3)
