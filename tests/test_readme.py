"""The README's Python API example runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_python_api_example_runs(tmp_path, monkeypatch, capsys):
    text = README.read_text()
    section = text[text.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.split()
    assert printed[0] == str(0b10110101) and printed[2] == str(0b10110101)  # both sides found the secret
    assert (tmp_path / "run.jsonl").exists()
    assert "'upper_bound'" in " ".join(printed) and "'lower_bound'" in " ".join(printed)


def test_readme_names_the_qpu_presets_assumptions():
    """The README says which ibm-heron parameters are assumptions rather than sourced: exactly those labelled so."""
    from qenergy.hardware.qpu import get_qpu_preset

    text = " ".join(README.read_text().split())
    claim = text[text.index("every parameter is sourced in `qenergy/hardware/qpu.py` except"):][:400]
    assumed = {p.name for p in get_qpu_preset("ibm-heron").parameters.values() if p.how == "assumption"}
    named = set(re.findall(r"`([a-z0-9_]+)`", claim)) - {"assumption"}
    assert named == assumed, (named, assumed)
    words = {2: "two", 3: "three", 4: "four"}
    assert f"except {words.get(len(assumed), str(len(assumed)))} assumptions" in claim
    assert all("public README" not in p.source for p in get_qpu_preset("ibm-heron").parameters.values())
