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


# --- issue 27: standard output closed, full or broken; signals ----------------------------------------

def _qenergy(*args, **kw):
    return [sys.executable, "-m", "qenergy", *args]


def test_closed_stdout_is_one_line_not_attribute_error():
    # `qenergy bounds >&-`: Python starts with sys.stdout None
    proc = subprocess.run(_qenergy("bounds", "--n", "2:4"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                          preexec_fn=lambda: __import__("os").close(1))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1 and "standard output" in err


def test_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(_qenergy("bounds", "--n", "2:64"), stdout=full, stderr=subprocess.PIPE, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err and "Exception ignored" not in err
    assert len(err.strip().splitlines()) == 1 and "No space left on device" in err


@pytest.mark.parametrize("sig, status", [("SIGINT", 130), ("SIGTERM", 143)])
def test_signal_while_starting_is_one_line(sig, status):
    import os
    import signal
    import time

    # the qenergy command itself (argv[0] = qenergy): the handler is installed before the heavy imports
    exe = os.path.join(os.path.dirname(sys.executable), "qenergy")
    proc = subprocess.Popen([exe, "bounds", "--n", "2:4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.15)  # inside the imports (they take about a second)
    proc.send_signal(getattr(signal, sig))
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err.decode() and "KeyboardInterrupt" not in err.decode()
    if proc.returncode != 0:  # (a very fast machine may have finished)
        assert proc.returncode == status and len(err.decode().strip().splitlines()) == 1


def test_empty_path_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["advantage", "--out", ""], ["simon", "--n", "3", "--ledger", ""], ["ledger", "show", ""]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "empty" in err
    assert list(tmp_path.iterdir()) == []


def test_shots_budget_too_small_ends_unresolved(capsys):
    import json

    assert main(["simon", "--n", "8", "--seed", "1", "--shots-budget", "1", "--json"]) == 0
    q = json.loads(capsys.readouterr().out)["quantum"]
    assert q["status"] == "unresolved" and q["found"] is None and q["shots"] == 1


def test_noisy_budget_is_estimated_before_the_first_shot(capsys):
    import time

    t0 = time.monotonic()
    assert main(["simon", "--n", "5", "--noise", "depolarize:1", "--shots-budget", "1000000000", "--seed", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--shots-budget at most" in err and "GiB" in err
    # a random oracle at n = 20 with noise: refused from n alone, before its n·2^n-gate network is built
    assert main(["simon", "--n", "20", "--oracle", "random", "--noise", "depolarize:0.01", "--seed", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "40-qubit statevector" in err
    assert time.monotonic() - t0 < 30
