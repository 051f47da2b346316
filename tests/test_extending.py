"""docs/extending.md's throw-away package, built from the page's own code blocks, registers one
backend, one classical algorithm, one bound and one model through entry points; qenergy runs them."""

import importlib.metadata
import json
import re
import sys
from pathlib import Path

import pytest

from qenergy.app.cli import main
from qenergy.energy.physics import landauer_bit_energy

DOC = Path(__file__).resolve().parents[1] / "docs" / "extending.md"


def build_package(root: Path) -> None:
    text = DOC.read_text()
    code = "\n\n".join(block for block in re.findall(r"```python\n(.*?)```", text, re.S) if block.startswith("# file: qe_ext/__init__.py"))
    toml = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    pkg = root / "qe_ext"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(code)
    groups = re.findall(r'\[project\.entry-points\."([^"]+)"\]\n(.*?)(?:\n\n|\Z)', toml, re.S)
    dist = root / "qe_ext-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: qe-ext\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("".join(f"[{g}]\n{body.strip().replace(chr(34), '')}\n\n" for g, body in groups))  # no quotes in entry_points.txt


def test_the_documented_extension_runs_through_every_registry(tmp_path, monkeypatch, capsys):
    build_package(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    names = {g: [e.name for e in importlib.metadata.entry_points(group=g)] for g in ("qenergy.backends", "qenergy.classical", "qenergy.bounds", "qenergy.models")}
    assert "uniform-perp" in names["qenergy.backends"] and "scan" in names["qenergy.classical"]
    assert "two-bits" in names["qenergy.bounds"] and "bit-counter" in names["qenergy.models"]
    assert {"aer", "cirq", "stim", "exact"} <= set(names["qenergy.backends"])
    assert {"birthday", "exhaustive", "rho"} <= set(names["qenergy.classical"])

    argv = ["simon", "--n", "6", "--secret", "0b101101", "--backend", "uniform-perp", "--classical", "scan",
            "--classical-model", "two-bits", "--seed", "3", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["quantum"]["backend"] == "uniform-perp" and data["quantum"]["found"] == 0b101101
    assert data["classical"]["algorithm"] == "scan" and data["classical"]["found"] == 0b101101
    # the bound model priced the classical queries: two bits each, at k_B T ln 2
    assert data["ledger"]["totals_kTln2"]["classical"]["lower_bound"] == pytest.approx(2 * data["classical"]["queries"])

    assert main(["model", "bit-counter", "--param", "bits=7", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["result"] == {"bits": 7} and out["ledger"]["totals_j"]["counter"]["lower_bound"] == pytest.approx(7 * landauer_bit_energy(300.0))
    assert main(["model", "bit-counter", "--param", "bits=-1"]) == 2  # the declared range, checked by the base class
    # help texts list the extension's names, generated from the registries
    assert main(["simon", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "scan" in help_text and "two-bits" in help_text
    # the extension's own refusal is one line, before anything is charged
    assert main(["simon", "--n", "20", "--backend", "none", "--classical", "scan"]) == 2
    assert "allowed: n <= 16" in capsys.readouterr().err
    sys.modules.pop("qe_ext", None)
