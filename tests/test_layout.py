"""The design card's rules that code can check: dependency direction and constants from scipy."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The only qenergy modules allowed to bring the quantum and classical sides together.
RUNNERS = {"experiment.py", "sweep.py", "cli.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_core_imports_neither_side():
    for path in (ROOT / "qenergy").rglob("*.py"):
        if path.name in RUNNERS:
            continue
        assert not imported_modules(path) & {"circuits", "classical"}, path


def test_sides_do_not_import_each_other_or_the_runner():
    for side, other in (("circuits", "classical"), ("classical", "circuits")):
        for path in (ROOT / side).rglob("*.py"):
            mods = imported_modules(path)
            assert other not in mods, path
            text = path.read_text()
            assert "qenergy.experiment" not in text and "qenergy.cli" not in text, path


def test_physical_constants_are_not_retyped():
    pattern = re.compile(r"1\.380649|6\.62607|2\.99792458|1\.602176")
    for pkg in ("qenergy", "circuits", "classical"):
        for path in (ROOT / pkg).rglob("*.py"):
            assert not pattern.search(path.read_text()), path
