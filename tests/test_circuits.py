"""The built oracle circuits compute the truth table, in the network and in Qiskit Aer and Cirq themselves."""

import cirq
import numpy as np
import pytest
from qenergy.circuits.aer_backend import bitstrings_to_array
from qenergy.circuits.cirq_builder import oracle_operations
from qenergy.circuits.cirq_builder import simon_circuit as cirq_simon_circuit
from qenergy.circuits.qiskit_builder import oracle_circuit
from qenergy.circuits.qiskit_builder import simon_circuit as qiskit_simon_circuit
from qenergy.circuits.reversible import algebraic_normal_form, oracle_network
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit_aer import AerSimulator

from qenergy.problem.gf2 import bits_to_int
from qenergy.problem.instance import make_instance

FAMILIES = ["linear", "random"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("n", range(1, 9))
def test_network_equals_truth_table(family, n):
    for s in (0, 1, (1 << n) - 1, 1 << (n - 1)):
        inst = make_instance(n, s, family, seed=n)
        net = oracle_network(inst.oracle)
        xs = np.arange(1 << n, dtype=np.uint64)
        assert (net.simulate(xs) == inst.oracle.truth_table()).all()
        if family == "linear" or n >= 4:  # tiny random functions can happen to be affine
            assert net.is_clifford == (family == "linear")


def test_anf_of_known_function():
    # f(x0, x1) = x0 AND x1 on output bit 0, constant 1 on output bit 1
    table = np.array([2, 2, 2, 3], dtype=np.uint64)
    anf = algebraic_normal_form(table, 2)
    assert anf[:, 0].tolist() == [False, False, False, True]  # only monomial x0·x1
    assert anf[:, 1].tolist() == [True, False, False, False]  # only the constant


def _basis_outputs_qiskit(instance, xs):
    n = instance.n
    net = oracle_network(instance.oracle)
    circuits = []
    for x in xs:
        qc = QuantumCircuit(2 * n)
        for i in range(n):
            if (x >> i) & 1:
                qc.x(i)
        qc.compose(oracle_circuit(net), inplace=True)
        creg = ClassicalRegister(n, "out")
        qc.add_register(creg)
        qc.measure(range(n, 2 * n), creg)
        circuits.append(qc)
    result = AerSimulator(method="statevector").run(circuits, shots=1, memory=True, seed_simulator=1).result()
    return [bits_to_int(bitstrings_to_array(result.get_memory(i), n)[0]) for i in range(len(circuits))]


def _basis_outputs_cirq(instance, xs):
    n = instance.n
    net = oracle_network(instance.oracle)
    q = cirq.LineQubit.range(2 * n)
    out = []
    sim = cirq.Simulator(seed=1)
    for x in xs:
        prep = [cirq.X(q[i]) for i in range(n) if (x >> i) & 1]
        c = cirq.Circuit([*prep, *oracle_operations(net), cirq.measure(*q[n:], key="out")])
        out.append(bits_to_int(sim.run(c, repetitions=1).measurements["out"][0]))
    return out


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_qiskit_and_cirq_oracles_equal_truth_table(family, n):
    inst = make_instance(n, None if n > 1 else 1, family, seed=5)
    xs = list(range(1 << n)) if n <= 3 else [int(v) for v in np.random.default_rng(0).choice(1 << n, 12, replace=False)]
    expect = [inst.oracle.evaluate_int(x) for x in xs]
    assert _basis_outputs_qiskit(inst, xs) == expect
    assert _basis_outputs_cirq(inst, xs) == expect


def test_simon_circuit_shapes():
    inst = make_instance(4, 0b1010, "linear", seed=2)
    qc = qiskit_simon_circuit(inst)
    assert qc.num_qubits == 8 and qc.num_clbits == 4
    ops = qc.count_ops()
    assert ops["h"] == 8 and ops["measure"] == 4 and ops["cx"] >= 4
    cc = cirq_simon_circuit(inst)
    assert len(cc.all_qubits()) == 8
    assert cc.has_measurements()


def test_bitstring_order():
    arr = bitstrings_to_array(["001", "100"], 3)
    assert arr.tolist() == [[1, 0, 0], [0, 0, 1]]
