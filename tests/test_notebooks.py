"""Every notebook runs top to bottom (stored without outputs), each within two minutes.

The hidden exercise solutions run too, right after their exercise, and each one checks its answer with
``assert`` against a value computed independently of the code it exercises, so a wrong solution (or a
library change that makes it wrong) fails this test instead of just printing something.
"""

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "store notebooks without outputs"
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    cells = []
    for cell in nb.cells:  # the hidden exercise solutions run too, right after their exercise
        cells.append(cell)
        if cell.cell_type == "markdown" and "<details>" in cell.source:
            code = re.search(r"```python\n(.*?)```", cell.source, re.S)
            assert code, f"{path.name}: an exercise without a python solution"
            assert re.search(r"^assert ", code.group(1), re.M), f"{path.name}: an exercise solution that asserts nothing"
            cells.append(nbformat.v4.new_code_cell(code.group(1)))
    nb.cells = cells
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
