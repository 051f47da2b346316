"""The design card's rules that code can check: dependency direction and constants from scipy."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The application layer: the only package allowed to bring the quantum and classical sides together.
APP = ROOT / "qenergy" / "app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def app_imports(path: Path) -> bool:
    """True when ``path`` imports ``qenergy.app`` (absolutely or relatively), anywhere in the file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(a.name.startswith("qenergy.app") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod.startswith("qenergy.app") or (node.level and (mod == "app" or mod.startswith("app.") or any(a.name == "app" for a in node.names))):
                return True
    return False


def test_core_imports_neither_side_nor_the_application_layer():
    for path in (ROOT / "qenergy").rglob("*.py"):
        if APP in path.parents or path.name == "__main__.py":  # the launcher only calls the CLI
            continue
        assert not imported_modules(path) & {"circuits", "classical"}, path
        assert not app_imports(path), path


def test_application_layer_is_one_package():
    names = {p.name for p in APP.rglob("*.py")}
    assert {"experiment.py", "sweep.py", "plots.py", "reports.py"} <= names and (APP / "cli" / "simon.py").exists()
    assert not any((ROOT / "qenergy" / n).exists() for n in ("experiment.py", "sweep.py", "cli.py", "plots.py"))


def test_sides_do_not_import_each_other_or_the_runner():
    for side, other in (("circuits", "classical"), ("classical", "circuits")):
        for path in (ROOT / side).rglob("*.py"):
            mods = imported_modules(path)
            assert other not in mods, path
            text = path.read_text()
            assert "qenergy.app.experiment" not in text and "qenergy.app.cli" not in text, path


def test_physical_constants_are_not_retyped():
    pattern = re.compile(r"1\.380649|6\.62607|2\.99792458|1\.602176")
    for pkg in ("qenergy", "circuits", "classical"):
        for path in (ROOT / pkg).rglob("*.py"):
            assert not pattern.search(path.read_text()), path
