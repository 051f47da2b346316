"""CLI edges from the reliability issue: negative values, long values, closed pipes, secrets on stdout."""

import subprocess
import sys

import pytest

from qenergy.app.cli import main


def test_negative_float_is_named_not_expected_one_argument(capsys):
    assert main(["simon", "--n", "4", "--epsilon", "-1e-3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "-1e-3" in err and "0 < epsilon < 0.5" in err and "expected one argument" not in err


def test_negative_integer_is_named(capsys):
    assert main(["bounds", "--n", "4", "--steps", "-5"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "-5" in err and "--steps" in err and "out of range" in err


def test_very_long_bad_value_is_cut(capsys):
    value = "9" * 5000
    assert main(["simon", "--n", "4", "--epsilon", value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and len(err) < 300 and "…" in err


def test_closed_pipe_is_one_line_and_status_2():
    # a reader that closes after the first line, as `qenergy ledger show L | head -1` does
    proc = subprocess.Popen([sys.executable, "-m", "qenergy", "bounds", "--n", "2:3000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "broken pipe" in lines[0] and "Traceback" not in err.decode()


def test_secret_in_a_path_is_redacted_on_stdout(tmp_path, monkeypatch, capsys):
    secret = "tok3n-" + "x" * 20
    monkeypatch.setenv("QISKIT_IBM_TOKEN", secret)
    path = tmp_path / f"{secret}.jsonl"
    assert main(["simon", "--n", "3", "--seed", "1", "--ledger", str(path)]) == 0
    out = capsys.readouterr().out
    assert secret not in out and "***" in out


def test_help_returns_zero(capsys):
    assert main(["--help"]) == 0
    assert "simon" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["simon", "--n"], ["bounds", "--bogus"], ["nosuch"]])
def test_usage_errors_are_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("qenergy: error:")
