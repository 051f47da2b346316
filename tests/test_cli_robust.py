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


# --- issue 27: advantage --from-ledger validation, crossovers that mean what they say --------------------

def _qpu_ledger(path, runs):
    """A ledger holding QPU runs as `qenergy simon --backend fake:NAME` writes them: (n, joules) per run (0 J: failed job)."""
    from qenergy.ledger.book import Ledger

    for n, joules in runs:
        with Ledger.open(path, 300.0, seed=1, command=f"qenergy simon --n {n}") as led:
            led.charge("qpu", "qpu_job", 1, 0.0, "measured", "job j on fake_fez: " + ("DONE" if joules else "ERROR"), model="qpu-power")
            if joules:
                led.charge("qpu", "qpu_time_us", 1000, joules / 1000, "estimated", "usage", model="qpu-power")
            led.note("simon", {"n": n, "jobs": 1, "status": "solved" if joules else "unresolved", "qpu_energy_j": joules})
    return path


@pytest.mark.parametrize("runs, needle", [([(8, 0.0)], "charged no energy"), ([(-4, 5.0)], "n = -4 is not allowed"),
                                          ([(5000, 5.0)], "n = 5000 is not allowed"), ([(8, 5.0), (12, 7.0)], "--run K")])
def test_from_ledger_refuses_what_it_cannot_place(tmp_path, capsys, runs, needle):
    path = _qpu_ledger(tmp_path / "q.jsonl", runs)
    for extra in ([], ["--json"]):
        assert main(["advantage", "--n", "2:20", "--from-ledger", str(path), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and needle in err and "Traceback" not in err


def test_from_ledger_places_each_run_at_its_own_n(tmp_path, capsys):
    import json

    path = _qpu_ledger(tmp_path / "q.jsonl", [(8, 5.0), (12, 7.0)])
    for k, (n, joules) in enumerate([(8, 5.0), (12, 7.0)]):
        assert main(["advantage", "--n", "2:20", "--from-ledger", str(path), "--run", str(k), "--json"]) == 0
        placed = json.loads(capsys.readouterr().out)["from_ledger"]
        assert placed["n"] == n and placed["qpu_j"] == pytest.approx(joules)
    assert main(["advantage", "--n", "2:20", "--from-ledger", str(path), "--run", "5"]) == 2
    assert "allowed: 0, 1" in capsys.readouterr().err


def test_bounds_crossover_below_the_range_is_the_true_one_in_text_and_json(capsys):
    import json

    assert main(["bounds", "--n", "50:64", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["crossover_n"] == 12 and data["crossover"]["where"] == "below_range"
    assert main(["bounds", "--n", "50:64"]) == 0
    assert "crossover: n = 12 (below the range 50..64)" in capsys.readouterr().out
    assert main(["bounds", "--n", "2:64"]) == 0 and "crossover: n = 12\n" in capsys.readouterr().out
    assert main(["bounds", "--n", "2:8", "--json"]) == 0  # not reached in the range: said so, never the range's end
    data = json.loads(capsys.readouterr().out)
    assert data["crossover_n"] is None and data["crossover"]["where"] == "above_range" and "above n = 8" in data["crossover"]["text"]


def test_advantage_crossovers_do_not_depend_on_the_range(capsys):
    import json

    assert main(["advantage", "--n", "2:128", "--json"]) == 0
    full = json.loads(capsys.readouterr().out)["crossover"]
    assert main(["advantage", "--n", "100:128", "--json"]) == 0
    part = json.loads(capsys.readouterr().out)
    assert part["crossover"] == full and full["theoretical"] == 12
    assert main(["advantage", "--n", "100:128"]) == 0
    text = capsys.readouterr().out
    for key in ("low", "mid", "high"):
        n = full["practical"][key]
        assert part["crossover_detail"][key]["n"] == n
        assert (f"n = {n} (below the range 100..128)" if n < 100 else f"n = {n}") in text
    assert "theoretical n = 12 (below the range 100..128)" in text
