"""The package installs like a user installs it: one import package, beside PyPI's ``circuits`` and ``classical``.

The quantum and classical sides keep their folders at the top of the repository and install as
``qenergy.circuits`` and ``qenergy.classical`` (setuptools' package-dir mapping). This test builds the
wheel and the sdist (``python -m build``, ``twine check``), installs the wheel into a fresh virtual
environment together with PyPI's unrelated ``circuits`` (an event framework) and ``classical``
packages, imports all three and runs ``qenergy demo`` from the wheel.

The environment is kept in ``build/wheel-venv`` and rebuilt only when the dependencies in
pyproject.toml change, so a warm run reinstalls just the wheel (seconds).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: PyPI's packages whose import names qenergy once took.
NEIGHBOURS = ("circuits==3.2.5", "classical==2.1.2")


def test_package_list_matches_the_folders():
    tool = PYPROJECT["tool"]["setuptools"]
    mapping = tool["package-dir"]
    assert mapping == {"qenergy": "qenergy", "qenergy.circuits": "circuits", "qenergy.classical": "classical"}
    found = set()
    for name, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([name, *rel]))
    assert set(tool["packages"]) == found


def test_nothing_imports_the_sides_by_their_folder_names():
    """Code, tests, benchmarks and notebooks import qenergy.circuits / qenergy.classical, never circuits / classical."""
    bad = re.compile(r"^\s*(from|import)\s+(circuits|classical)\b", re.M)
    paths = [p for d in ("qenergy", "circuits", "classical", "tests", "benchmarks", "docs") for p in (ROOT / d).rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in paths if bad.search(p.read_text())]
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        if any(bad.search("".join(c["source"])) for c in cells if c["cell_type"] == "code"):
            offenders.append(str(nb.relative_to(ROOT)))
    assert offenders == []
    for group in PYPROJECT["project"]["entry-points"].values():
        assert all(v.startswith("qenergy.") for v in group.values()), group


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)])
    return out


def test_wheel_and_sdist_build_and_pass_twine_check(dist: Path):
    files = sorted(dist.iterdir())
    assert sorted(p.suffix for p in files) == [".gz", ".whl"]
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)])
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert tops == {"qenergy"}
    assert "qenergy/circuits/simon.py" in names and "qenergy/classical/parallel_rho.py" in names
    assert any(n.startswith("qenergy/data/") and n.endswith(".csv") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as zf:
        text = zf.read(entry).decode()
    assert "qenergy = qenergy.app.cli:main" in text and "qenergy.circuits.aer_backend:AerBackend" in text


def _wheel_venv() -> Path:
    """build/wheel-venv with qenergy's dependencies and PyPI's circuits and classical; recreated when they change."""
    venv = ROOT / "build" / "wheel-venv"
    key = hashlib.sha256(json.dumps([PYPROJECT["project"]["dependencies"], NEIGHBOURS, sys.version]).encode()).hexdigest()
    stamp = venv / ".qenergy-deps"
    if stamp.exists() and stamp.read_text() == key:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(venv)])
    py = str(venv / "bin" / "python")
    _run([py, "-m", "pip", "install", "--quiet", *PYPROJECT["project"]["dependencies"], *NEIGHBOURS], timeout=1800)
    stamp.write_text(key)
    return venv


def test_wheel_installs_beside_pypi_circuits_and_classical(dist: Path, tmp_path: Path):
    venv = _wheel_venv()
    py = str(venv / "bin" / "python")
    wheel = next(dist.glob("*.whl"))
    _run([py, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)], timeout=600)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    probe = ("import circuits, classical, qenergy, qenergy.circuits, qenergy.classical, json\n"
             "from qenergy.circuits import run_simon\nfrom qenergy.classical import birthday_search\n"
             "import circuits.core, classical.descriptors\n"
             "print(json.dumps({m.__name__: m.__file__ for m in (circuits, classical, qenergy, qenergy.circuits, qenergy.classical)}))")
    files = json.loads(_run([py, "-c", probe], cwd=tmp_path, env=env).stdout)
    site = str(venv)
    assert all(f.startswith(site) for f in files.values()), files  # nothing from the repository
    assert files["circuits"].endswith("site-packages/circuits/__init__.py")
    assert files["classical"].endswith("site-packages/classical/__init__.py")
    assert files["qenergy.circuits"].endswith("site-packages/qenergy/circuits/__init__.py")
    demo = _run([str(venv / "bin" / "qenergy"), "demo", "--dir", str(tmp_path / "demo"), "--json"], cwd=tmp_path, env=env, timeout=600)
    out = json.loads(demo.stdout)
    assert (tmp_path / "demo").is_dir() and out
    # the sdist holds the sources of all three folders
    sdist = next(dist.glob("*.tar.gz"))
    import tarfile

    with tarfile.open(sdist) as tf:
        members = tf.getnames()
    assert any(m.endswith("/circuits/simon.py") for m in members) and any(m.endswith("/classical/rho.py") for m in members)


def test_layering_covers_every_subpackage():
    """Every subpackage of qenergy has a docstring saying what it holds."""
    for init in (ROOT / "qenergy").rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, init
