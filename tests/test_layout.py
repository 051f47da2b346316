"""The design card's rules that code can check: dependency direction and constants from scipy."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The application layer: the only package allowed to bring the quantum and classical sides together.
APP = ROOT / "qenergy" / "app"


#: The two sides, as imported (their folders sit at the top of the repository).
SIDES = {"circuits": "qenergy.circuits", "classical": "qenergy.classical"}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (``from qenergy import circuits`` counts as qenergy.circuits)."""
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def imports_side(path: Path, side: str) -> bool:
    return any(m == SIDES[side] or m.startswith(SIDES[side] + ".") or m.split(".")[0] == side for m in imported_modules(path))


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
        assert not imports_side(path, "circuits") and not imports_side(path, "classical"), path
        assert not app_imports(path), path


def test_application_layer_is_one_package():
    names = {p.name for p in APP.rglob("*.py")}
    assert {"experiment.py", "sweep.py", "plots.py", "reports.py"} <= names and (APP / "cli" / "simon.py").exists()
    assert not any((ROOT / "qenergy" / n).exists() for n in ("experiment.py", "sweep.py", "cli.py", "plots.py"))


def test_sides_do_not_import_each_other_or_the_runner():
    for side, other in (("circuits", "classical"), ("classical", "circuits")):
        for path in (ROOT / side).rglob("*.py"):
            assert not imports_side(path, other), path
            text = path.read_text()
            assert "qenergy.app.experiment" not in text and "qenergy.app.cli" not in text, path


def test_physical_constants_are_not_retyped():
    pattern = re.compile(r"1\.380649|6\.62607|2\.99792458|1\.602176")
    for pkg in ("qenergy", "circuits", "classical"):
        for path in (ROOT / pkg).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


#: The core's subpackages, lowest first: each may import only the ones before it (and the base modules
#: errors, numbers, secrets, registry at the top of qenergy/).
CORE_LAYERS = ("energy", "ledger", "problem", "hardware")


def test_core_subpackages_import_only_lower_layers():
    for i, layer in enumerate(CORE_LAYERS):
        higher = CORE_LAYERS[i + 1:]
        for path in (ROOT / "qenergy" / layer).rglob("*.py"):
            for mod in imported_modules(path):
                parts = mod.split(".")
                if parts[0] == "qenergy" and len(parts) > 1:
                    assert parts[1] not in higher, f"{path.relative_to(ROOT)} imports {mod} (layer {parts[1]} is above {layer})"
                    assert parts[1] not in ("app", "models", "circuits", "classical"), f"{path.relative_to(ROOT)} imports {mod}"


def test_no_flat_core_module_left_where_a_subpackage_holds_it():
    flat = {p.stem for p in (ROOT / "qenergy").glob("*.py")}
    moved = {"physics", "erasure", "bounds", "counts", "magnitude", "advantage", "ledger_store", "ledger_export", "carbon", "meter",
             "charging", "qpu", "classical_machine", "noise", "oracles", "queries", "gf2", "kernels", "_numba_kernels", "noise_fit",
             "ledger_metrics", "ledger_import"}
    assert not flat & moved, flat & moved
    assert all((ROOT / "qenergy" / layer / "__init__.py").exists() for layer in CORE_LAYERS)
