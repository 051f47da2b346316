"""``make test`` installs every optional extra, so there a test skipped for a missing package fails (tests/conftest.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

IN_A_TEST = '''
import pytest

def test_inside():
    pytest.importorskip("no_such_package_of_qenergy")

def test_plain_skip():
    pytest.skip("not about a package")
'''
AT_MODULE_LEVEL = 'import pytest\npytest.importorskip("no_such_package_of_qenergy")\n\ndef test_x():\n    pass\n'


def run_pytest(tmp_path, source, required):
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_it.py").write_text(source)
    env = {**os.environ, "QENERGY_REQUIRE_OPTIONAL": required}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    return run.returncode, run.stdout


@pytest.mark.parametrize("required", ["1", "0"])
def test_a_skip_for_a_missing_package_fails_under_make_test(tmp_path, required):
    code, out = run_pytest(tmp_path, IN_A_TEST, required)
    summary = out.strip().splitlines()[-1]
    if required == "1":
        assert code == 1 and "1 failed, 1 skipped" in summary, out  # a plain skip stays a skip
        assert "add it to an extra in pyproject.toml" in out
    else:
        assert code == 0 and "2 skipped" in summary, out
    code, out = run_pytest(tmp_path, AT_MODULE_LEVEL, required)
    if required == "1":  # a whole module skipped at collection: an error that stops the run
        assert code != 0 and "error" in out.strip().splitlines()[-1] and "add it to an extra in pyproject.toml" in out, out
    else:
        assert code in (0, 5) and "1 skipped" in out.strip().splitlines()[-1], out  # 5: no test ran
