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
