"""Outputs stay the same for the same seed across refactorings (the structure issue's guard).

Each case runs one command with ``--json`` and compares it, after dropping fields that
change from run to run (timings, this machine's own energy, job ids, paths, random
sweep ids), with ``tests/golden/NAME.json``. Floats compare to 1e-9 relative.
Regenerate deliberately with ``QENERGY_REGEN_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

import json
import math
import os
from pathlib import Path

import pytest

from qenergy.app.cli import main

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = {"wall_time_s", "startup_s", "search_s", "queries_per_s", "kernel", "kernel_note", "measured", "job_ids", "path", "files", "own_energy_j", "own_energy_by_basis", "sweep_id", "source", "started", "created", "versions"}
VOLATILE_ACCOUNTS = {"meter", "host"}

CASES = {
    "simon_stim": ["simon", "--n", "6", "--seed", "3", "--json"],
    "simon_aer_random": ["simon", "--n", "4", "--oracle", "random", "--backend", "aer", "--seed", "5", "--json"],
    "simon_cirq_rho": ["simon", "--n", "5", "--backend", "cirq", "--classical", "rho", "--seed", "7", "--json"],
    "simon_exact_exhaustive_gates": ["simon", "--n", "5", "--backend", "exact", "--classical", "exhaustive", "--gate-energy", "1e-21", "--seed", "2", "--json"],
    "simon_weight": ["simon", "--n", "16", "--secret-weight", "2", "--seed", "4", "--json"],
    "bounds": ["bounds", "--n", "2:40", "--json"],
    "bounds_minimal": ["bounds", "--n", "2:30:4", "--classical-model", "minimal", "--json"],
    "model_landauer": ["model", "landauer", "--param", "temperature=4.2", "--param", "bits=8", "--json"],
    "model_work_extraction": ["model", "work-extraction", "--param", "bits=3", "--json"],
    "model_patterson": ["model", "patterson", "--json"],
    "model_ntp": ["model", "ntp", "--json"],
    "model_ai_inference": ["model", "ai-inference", "--json"],
    "model_ai_portfolio": ["model", "ai-portfolio", "--json"],
    "model_hebbian": ["model", "hebbian", "--param", "messages=2000", "--param", "tests=100", "--json"],
    "model_active_inference": ["model", "active-inference", "--param", "steps=10", "--json"],
    "model_tla": ["model", "tla", "--param", "episodes=2", "--json"],
}


def normalise(obj):
    if isinstance(obj, dict):
        return {k: normalise(v) for k, v in obj.items() if k not in VOLATILE and k not in VOLATILE_ACCOUNTS}
    if isinstance(obj, list):
        return [normalise(v) for v in obj]
    return obj


def same(a, b, where="$"):
    if isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-300), f"{where}: {a} != {b}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: keys {sorted(set(a) ^ set(b))}"
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def check(name, data):
    path = GOLDEN / f"{name}.json"
    data = normalise(data)
    if os.environ.get("QENERGY_REGEN_GOLDEN"):
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    same(data, json.loads(path.read_text()))


@pytest.mark.parametrize("name", sorted(CASES))
def test_command_output_unchanged(name, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if name == "simon_aer_random":
        pytest.importorskip("qiskit_aer")
    assert main(CASES[name]) == 0
    check(name, json.loads(capsys.readouterr().out))


def test_sweep_output_unchanged(capsys, tmp_path):
    out = tmp_path / "s"
    assert main(["sweep", "--n", "2:5", "--repeats", "2", "--seed", "9", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = (out / "results.csv").read_text().splitlines()
    header = rows[0].split(",")
    keep = [i for i, col in enumerate(header) if col not in ("wall_time_s",)]
    data["results_csv"] = [[r.split(",")[i] for i in keep] for r in rows]
    check("sweep", data)
