"""Every notebook runs top to bottom (stored without outputs) within two minutes, twice.

Each exercise is a code cell tagged ``metadata["qenergy"]["exercise"] = ID`` that holds an ``answer = ...``
placeholder and ends in ``check('ID', answer)``; right after it, a markdown cell hides the worked solution in
``<details>`` (a python block ending in the same call), and the cell's metadata holds a deliberately wrong
answer (``wrong_answer``, code that replaces the placeholder line). Every notebook is executed

* with the hidden solutions in place of the exercise cells: every ``check`` must report success, and
* with the wrong answers in place of the placeholders: every ``check`` must report failure with its hint
  (no traceback), and the notebook must still run to the end.

Each exercise cell's own output must hold the line its ``check`` prints (``✓ ID: correct.`` or ``✗ ID: not yet.
Hint: …``), so a ``check`` that was not called, or called with another id, or gave the other verdict, fails the run. ``check`` recomputes the
right answer independently of the code each exercise practises (``qenergy/coursework.py``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from qenergy.coursework import EXERCISES

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PLACEHOLDER = re.compile(r"^answer = \.\.\.  # .*$", re.M)
SOLUTION = re.compile(r"<details>.*?```python\n(.*?)```.*?</details>", re.S)
#: Seconds one execution of a notebook may take (two cores shared with the rest of the suite).
BUDGET_S = 120


def exercises(nb) -> list[tuple[int, str, str, str]]:
    """(cell index, exercise id, wrong answer, solution code) of every exercise, checking the layout."""
    found = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("qenergy", {})
        if cell.cell_type == "markdown" and "<details>" in cell.source:
            prev = nb.cells[i - 1] if i else None
            assert prev is not None and prev.get("metadata", {}).get("qenergy", {}).get("exercise"), \
                f"cell {i}: a hidden solution that follows no exercise cell"
        if "exercise" not in meta:
            continue
        ex_id = meta["exercise"]
        assert cell.cell_type == "code", f"cell {i}: exercise {ex_id} is not a code cell"
        assert ex_id in EXERCISES, f"cell {i}: exercise {ex_id} is not in qenergy.coursework.EXERCISES"
        call = f"check('{ex_id}', answer)"
        lines = cell.source.strip().splitlines()
        assert lines[-1] == call, f"{ex_id}: the exercise cell must end in {call}"
        assert len(PLACEHOLDER.findall(cell.source)) == 1, f"{ex_id}: the exercise cell needs one 'answer = ...  # what' line"
        wrong = meta.get("wrong_answer")
        assert isinstance(wrong, str) and wrong.startswith("answer = "), f"{ex_id}: metadata qenergy.wrong_answer must be 'answer = …'"
        nxt = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        solution = SOLUTION.search(nxt.source) if nxt is not None and nxt.cell_type == "markdown" else None
        assert solution, f"{ex_id}: no <details> solution right after the exercise cell"
        code = solution.group(1).strip()
        assert code.splitlines()[-1] == call, f"{ex_id}: the hidden solution must end in {call}"
        found.append((i, ex_id, wrong, code))
    return found


def load(path: Path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks_with_exercises():
    assert len(NOTEBOOKS) >= 6
    used: list[str] = []
    for path in NOTEBOOKS:
        nb = load(path)
        assert not any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"), \
            f"{path.name}: store notebooks without outputs"
        found = exercises(nb)
        assert found, f"{path.name}: no exercise"
        prefix = "nb" + path.name[:2]
        assert all(ex_id.startswith(prefix + "-") for _, ex_id, _, _ in found), path.name
        used += [ex_id for _, ex_id, _, _ in found]
    assert len(used) == len(set(used)), "an exercise id used twice"
    assert sorted(used) == sorted(EXERCISES), "every registered exercise appears in exactly one notebook"
    assert sum(u.startswith("nb06-") for u in used) >= 3


def substituted(nb, mode: str):
    """The notebook with solutions (``mode == "solutions"``) or wrong answers in place, and an assertion after each exercise."""
    by_index = {i: (ex_id, wrong, code) for i, ex_id, wrong, code in exercises(nb)}
    cells = []
    for i, cell in enumerate(nb.cells):
        if i not in by_index:
            cells.append(cell)
            continue
        ex_id, wrong, code = by_index[i]
        run = nbformat.v4.new_code_cell(code if mode == "solutions" else PLACEHOLDER.sub(lambda _: wrong, cell.source))
        run.metadata["qenergy"] = {"exercise": ex_id}
        cells.append(run)
    nb.cells = cells
    return nb


@pytest.mark.parametrize("mode", ["solutions", "wrong"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, mode, tmp_path, monkeypatch):
    nb = substituted(load(path), mode)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    client = nbclient.NotebookClient(nb, timeout=BUDGET_S, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    print(f"{path.name} [{mode}]: {elapsed:.1f} s")
    assert elapsed < BUDGET_S, f"{path.name} [{mode}] took {elapsed:.0f} s"
    for cell in nb.cells:
        ex_id = cell.get("metadata", {}).get("qenergy", {}).get("exercise")
        if not ex_id:
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        if mode == "solutions":
            assert f"✓ {ex_id}: correct." in text, (ex_id, text)
        else:  # a wrong answer of the right kind: the hint, not the "expected …" message of a malformed one
            assert f"✗ {ex_id}: not yet. Hint: " in text, (ex_id, text)
