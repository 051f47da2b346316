"""Data loss (issue 19): qenergy never writes over a file it did not write, an input is never
an output, and nothing is written before every input is checked.

Every refusal exits with status 2 and one line on standard error and leaves the user's
file byte for byte as it was; ``--force`` replaces it (never the input ledger).
"""

import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from cli_helpers import run_cli

from qenergy.app.plots import SWEEP_SOFTWARE, png_software
from qenergy.errors import InputError, LedgerCorruptError
from qenergy.ledger.book import Ledger
from qenergy.ledger.export import export_charges_csv, write_atomic

SMALL_SWEEP = ["sweep", "--n", "2:3", "--repeats", "1", "--seed", "1", "--json"]
USER_TEXT = b"my own notes\nnot qenergy's\n"


def one_line_error(code, err, *needles):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qenergy: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, err)
    assert "Traceback" not in err


@pytest.fixture
def ledger_path(tmp_path):
    path = tmp_path / "run.jsonl"
    with Ledger.open(path, 300.0, seed=1) as led:
        led.charge("meter", "energy_uj", 5, 1e-6, "measured", "test")
        led.charge("quantum", "query", 3, 1e-21, "upper_bound", "test")
    return path


def user_png(path):
    fig = plt.figure(figsize=(1, 1))
    fig.savefig(path)
    plt.close(fig)
    return path.read_bytes()


# -- ledger export ---------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--csv", "--codecarbon", "--carbon"])
def test_export_refuses_an_existing_file_and_force_replaces_it(tmp_path, ledger_path, capsys, flag):
    target = tmp_path / "mine.csv"
    target.write_bytes(USER_TEXT)
    code, _, err = run_cli(["ledger", "export", str(ledger_path), flag, str(target)], capsys)
    one_line_error(code, err, flag, "mine.csv", "--force")
    assert target.read_bytes() == USER_TEXT
    code, _, err = run_cli(["ledger", "export", str(ledger_path), flag, str(target), "--force"], capsys)
    assert code == 0, err
    assert target.read_bytes() != USER_TEXT and target.read_text().splitlines()[0].count(",") > 2
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("force", [[], ["--force"]])
@pytest.mark.parametrize("flag", ["--csv", "--codecarbon", "--carbon"])
def test_export_never_writes_over_its_own_ledger(tmp_path, ledger_path, capsys, flag, force):
    before = ledger_path.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(ledger_path.name)
    hard = tmp_path / "hard.jsonl"
    os.link(ledger_path, hard)
    for target in (ledger_path, tmp_path / "." / ledger_path.name, link, hard):
        code, _, err = run_cli(["ledger", "export", str(ledger_path), flag, str(target), *force], capsys)
        one_line_error(code, err, "input ledger", "an input is never an output")
        assert ledger_path.read_bytes() == before
    assert Ledger.load(ledger_path).charges == Ledger.load(hard).charges


def test_export_refuses_two_options_naming_one_file_before_writing_any(tmp_path, ledger_path, capsys):
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(tmp_path / "a.csv"),
                            "--carbon", str(tmp_path / "." / "a.csv")], capsys)
    one_line_error(code, err, "--csv and --carbon")
    assert not (tmp_path / "a.csv").exists()


def test_export_checks_every_output_before_writing_the_first(tmp_path, ledger_path, capsys):
    taken = tmp_path / "taken.csv"
    taken.write_bytes(USER_TEXT)
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(tmp_path / "new.csv"), "--carbon", str(taken)], capsys)
    one_line_error(code, err, "--carbon", "taken.csv")
    assert not (tmp_path / "new.csv").exists() and taken.read_bytes() == USER_TEXT


def test_export_to_a_directory_or_a_missing_directory(tmp_path, ledger_path, capsys):
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(tmp_path)], capsys)
    one_line_error(code, err, "is a directory")
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--codecarbon", str(tmp_path / "missing" / "e.csv")], capsys)
    one_line_error(code, err, "does not exist")
    assert not (tmp_path / "missing").exists()


def test_export_api_refuses_an_existing_file_without_force(tmp_path, ledger_path):
    target = tmp_path / "c.csv"
    target.write_bytes(USER_TEXT)
    led = Ledger.load(ledger_path)
    with pytest.raises(InputError, match="exists"):
        export_charges_csv(led, target)
    assert target.read_bytes() == USER_TEXT
    with pytest.raises(InputError, match="input ledger"):
        export_charges_csv(led, ledger_path, force=True)
    export_charges_csv(led, target, force=True)
    assert target.read_text().startswith("run,account")


def test_atomic_write_never_replaces_a_file_that_appeared(tmp_path):
    target = tmp_path / "out.bin"

    def write(fh):
        target.write_bytes(USER_TEXT)  # another program creates the file while we write ours
        fh.write(b"ours")

    with pytest.raises(InputError, match="appeared"):
        write_atomic(target, write)
    assert target.read_bytes() == USER_TEXT
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]  # no temporary file left behind
    write_atomic(target, b"ours", replace=True)
    assert target.read_bytes() == b"ours"


# -- sweep --out -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.md", "advantage.png", "nts.png", "sweep.json", "results.csv"])
def test_sweep_refuses_a_foreign_output_file_and_force_replaces_it(tmp_path, capsys, name):
    out = tmp_path / "d"
    out.mkdir()
    target = out / name
    if name in ("advantage.png", "nts.png"):
        before = user_png(target)
    else:
        before = {"report.md": b"# my report\n", "sweep.json": b'{"mine": true}\n', "results.csv": b"a,b\n1,2\n"}[name]
        target.write_bytes(before)
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)
    one_line_error(code, err, name)
    assert target.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [name]  # nothing else written
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out), "--force"], capsys)
    assert code == 0, err
    assert target.read_bytes() != before
    assert sorted(p.name for p in out.iterdir()) == ["advantage.png", "ledger.jsonl", "nts.png", "report.md", "results.csv", "sweep.json"]


def test_sweep_rebuilds_its_own_files_and_marks_them(tmp_path, capsys):
    out = tmp_path / "d"
    assert run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)[0] == 0
    assert png_software(out / "advantage.png") == SWEEP_SOFTWARE
    assert png_software(out / "nts.png") == SWEEP_SOFTWARE
    assert "qenergy_sweep" in json.loads((out / "sweep.json").read_text())
    assert (out / "report.md").read_text().startswith("# qenergy sweep report\n")
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)  # ours: rebuilt without --force
    assert code == 0, err
    assert len(Ledger.load(out / "ledger.jsonl").runs) == 2


def test_sweep_recognises_an_unmarked_plot_of_an_earlier_sweep(tmp_path, capsys):
    out = tmp_path / "d"
    assert run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)[0] == 0
    user_png(out / "advantage.png")  # as written before plots were marked: matplotlib's own Software text
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)
    assert code == 0, err
    assert png_software(out / "advantage.png") == SWEEP_SOFTWARE


def test_sweep_never_replaces_a_foreign_ledger_even_with_force(tmp_path, capsys):
    out = tmp_path / "d"
    out.mkdir()
    (out / "ledger.jsonl").write_bytes(USER_TEXT)
    for force in ([], ["--force"]):
        code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out), *force], capsys)
        one_line_error(code, err, "not a qenergy ledger")
        assert (out / "ledger.jsonl").read_bytes() == USER_TEXT
        assert sorted(p.name for p in out.iterdir()) == ["ledger.jsonl"]


def test_sweep_refuses_an_output_that_is_a_directory(tmp_path, capsys):
    out = tmp_path / "d"
    (out / "report.md").mkdir(parents=True)
    for force in ([], ["--force"]):
        code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out), *force], capsys)
        one_line_error(code, err, "report.md", "not a regular file")
        assert sorted(p.name for p in out.iterdir()) == ["report.md"]


def test_sweep_out_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "f"
    target.write_bytes(USER_TEXT)
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(target)], capsys)
    one_line_error(code, err, "not a directory")
    assert target.read_bytes() == USER_TEXT


@pytest.mark.parametrize("bad", [
    ["--n", "70", "--oracle", "random"],
    ["--n", "60:70", "--backend", "stim"],  # the classical side's limit (n <= 64) is checked up front too
    ["--n", "3", "--scheduler", "tcp://127.0.0.1:1", "--scheduler-timeout", "0.5"],
])
def test_sweep_validation_errors_leave_nothing_behind(tmp_path, capsys, bad):
    if "--scheduler" in bad:
        pytest.importorskip("dask.distributed")
    new, empty = tmp_path / "new", tmp_path / "empty"
    empty.mkdir()
    for out in (new, empty):
        code, _, err = run_cli(["sweep", "--repeats", "1", *bad, "--out", str(out)], capsys)
        one_line_error(code, err)
    assert not new.exists() and list(empty.iterdir()) == []


def test_resume_of_a_file_or_a_missing_directory(tmp_path, capsys):
    target = tmp_path / "f"
    target.write_bytes(USER_TEXT)
    code, _, err = run_cli(["sweep", "--resume", str(target)], capsys)
    one_line_error(code, err, "--resume", "not a directory")
    code, _, err = run_cli(["sweep", "--resume", str(tmp_path / "missing")], capsys)
    one_line_error(code, err, "--resume", "does not exist")
    assert target.read_bytes() == USER_TEXT and not (tmp_path / "missing").exists()


# -- torn tail -------------------------------------------------------------------------

TORN = b'{"type":"charge","acc'


def tear(path):
    whole = path.read_bytes()
    path.write_bytes(whole + TORN)
    return len(whole)


def test_torn_tail_is_set_aside_to_a_free_name_never_over_a_file(ledger_path):
    offset = tear(ledger_path)
    first = ledger_path.with_name(f"{ledger_path.name}.torn-{offset}")
    second = ledger_path.with_name(f"{ledger_path.name}.torn-{offset}.1")
    first.write_bytes(USER_TEXT)
    second.write_bytes(USER_TEXT)
    with Ledger.open(ledger_path, 300.0) as led:
        led.charge("quantum", "query", 1, 0.0, "measured", "after the crash")
    third = ledger_path.with_name(f"{ledger_path.name}.torn-{offset}.2")
    assert led.set_aside == third and third.read_bytes() == TORN
    assert first.read_bytes() == USER_TEXT and second.read_bytes() == USER_TEXT
    assert led.set_aside_tail is not None and led.set_aside_tail.offset == offset
    note = led.recovery_note()
    assert note is not None and str(third) in note and f"line {led.set_aside_tail.line}" in note
    assert Ledger.load(ledger_path).torn_tail is None


def test_no_note_when_nothing_was_set_aside(ledger_path):
    with Ledger.open(ledger_path, 300.0) as led:
        assert led.set_aside is None and led.recovery_note() is None


@pytest.mark.parametrize("command", [
    ["simon", "--n", "3", "--seed", "1", "--ledger"],
    ["model", "landauer", "--ledger"],
])
def test_cli_announces_a_set_aside_line(ledger_path, capsys, command):
    offset = tear(ledger_path)
    taken = ledger_path.with_name(f"{ledger_path.name}.torn-{offset}")
    taken.write_bytes(USER_TEXT)
    code, _, err = run_cli([*command, str(ledger_path)], capsys)
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qenergy: note: ")
    assert "line 4" in lines[0] and f"{taken}.1" in lines[0] and "crash" in lines[0]
    assert taken.read_bytes() == USER_TEXT and taken.with_name(taken.name + ".1").read_bytes() == TORN
    code, _, err = run_cli([*command, str(ledger_path)], capsys)  # said once: nothing is set aside again
    assert code == 0 and err == ""


def test_sweep_announces_a_set_aside_line(tmp_path, capsys):
    out = tmp_path / "d"
    assert run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)[0] == 0
    tear(out / "ledger.jsonl")
    code, _, err = run_cli([*SMALL_SWEEP, "--out", str(out)], capsys)
    assert code == 0, err
    assert err.startswith("qenergy: note: ledger ") and len(err.strip().splitlines()) == 1 and ".torn-" in err


# -- non-finite values -----------------------------------------------------------------


@pytest.mark.parametrize("replace, expect", [
    (b'"unit_j":1e-21', b'"unit_j":Infinity'),
    (b'"unit_j":1e-21', b'"unit_j":NaN'),
    (b'"unit_j":1e-21', b'"unit_j":1e999'),
    (b'"count":3,', b'"count":1000000000000000000000000000000,'),  # 1e30 x unit_j below
])
def test_non_finite_energies_are_damaged_lines(ledger_path, capsys, replace, expect):
    raw = ledger_path.read_bytes()
    assert raw.count(replace) == 1
    raw = raw.replace(replace, expect)
    if expect.startswith(b'"count"'):
        raw = raw.replace(b'"unit_j":1e-21', b'"unit_j":1e308')
    ledger_path.write_bytes(raw)
    with pytest.raises(LedgerCorruptError) as info:
        Ledger.load(ledger_path)
    assert info.value.line == 3
    code, _, err = run_cli(["ledger", "summary", str(ledger_path)], capsys)
    one_line_error(code, err, "corrupt at line 3")
    assert "inf" not in err.lower().replace("infinity", "")


def test_energies_that_add_up_beyond_a_double_are_a_damaged_line(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led:
        led.charge("quantum", "query", 1, 1e308, "upper_bound", "big")
        led.charge("quantum", "query", 1, 1e308, "upper_bound", "big")
    with pytest.raises(LedgerCorruptError, match="line 3") as info:
        Ledger.load(path)
    assert "range of a double" in info.value.reason


def test_charge_overflowing_a_double_is_refused():
    led = Ledger()
    with pytest.raises(InputError, match="range of a double"):
        led.charge("quantum", "query", 10**30, 1e308, "upper_bound", "x")
    with pytest.raises(InputError, match="range of a double"):
        led.charge("quantum", "query", 10**400, 0.0, "upper_bound", "x")
    assert led.charges == ()


def test_simon_refuses_classical_n_before_writing_the_ledger(tmp_path, capsys):
    from qenergy.app.cli import main

    path = tmp_path / "l.jsonl"
    assert main(["simon", "--n", "70", "--backend", "stim", "--classical", "exhaustive", "--ledger", str(path)]) == 2
    assert "n <= 64" in capsys.readouterr().err and not path.exists()


def test_model_plots_never_overwrite_a_file_qenergy_did_not_write(tmp_path):
    """The grid model refuses a plot_dir holding a foreign file of a plot's name before it solves; plotting.save refuses too."""
    from qenergy.errors import InputError
    from qenergy.models.grid import GridWeatherModel
    from qenergy.plotting import figure, save

    mine = tmp_path / "grid_intensity.png"
    mine.write_bytes(b"my own picture")
    with pytest.raises(InputError, match="not written by qenergy"):
        GridWeatherModel(plot_dir=str(tmp_path))
    assert mine.read_bytes() == b"my own picture"
    fig, _ = figure()
    with pytest.raises(InputError, match="not written by qenergy"):
        save(fig, mine)
    assert mine.read_bytes() == b"my own picture"
    ours = tmp_path / "ours.png"
    fig, _ = figure()
    save(fig, ours, software="qenergy test")
    fig, _ = figure()
    save(fig, ours, software="qenergy test")  # our own file is replaced
    fig, _ = figure()
    save(fig, mine, replace=True)  # replace=True is the caller's explicit choice
    assert mine.read_bytes().startswith(b"\x89PNG")


# --- issue 27: special files, files appearing mid-run, secrets in files, the cache under a lock -------------

def test_fifo_at_an_output_or_the_cache_is_refused_at_once(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "report.md")
    code, _, err = run_cli(["advantage", "--n", "2:8", "--out", str(out)], capsys)  # would block forever if opened
    one_line_error(code, err, "report.md")
    code, _, err = run_cli(["advantage", "--n", "2:8", "--out", str(out), "--force"], capsys)
    one_line_error(code, err, "not a regular file")
    cache = tmp_path / "cache"
    cache.mkdir()
    os.mkfifo(cache / "classical-energy.json")
    monkeypatch.setenv("QENERGY_CACHE_DIR", str(cache))
    code, out_text, err = run_cli(["advantage", "--n", "2:8", "--json"], capsys)
    assert code == 0 and json.loads(out_text)["classical_machine"]["cached"] is False  # measured, nothing cached, no hang
    assert (cache / "classical-energy.json").is_fifo()


def test_a_file_appearing_during_advantage_is_never_replaced(tmp_path, capsys, monkeypatch):
    import qenergy.app.practical as practical

    out = tmp_path / "out"
    real_compute = practical.compute_advantage

    def compute_then_user_writes(*a, **kw):  # the user saves a file there while the command computes
        (out / "report.md").write_bytes(USER_TEXT)
        return real_compute(*a, **kw)

    out.mkdir()
    monkeypatch.setattr(practical, "compute_advantage", compute_then_user_writes)
    code, _, err = run_cli(["advantage", "--n", "2:8", "--out", str(out)], capsys)
    one_line_error(code, err, "appeared or changed while")
    assert (out / "report.md").read_bytes() == USER_TEXT and not (out / "advantage.csv").exists()
    monkeypatch.setattr(practical, "compute_advantage", real_compute)
    (out / "report.md").unlink()
    real_report = practical.report_markdown

    def report_then_user_writes(*a, **kw):  # later still: between the last check and the write itself
        text = real_report(*a, **kw)
        (out / "report.md").write_bytes(USER_TEXT)
        return text

    monkeypatch.setattr(practical, "report_markdown", report_then_user_writes)
    code, _, err = run_cli(["advantage", "--n", "2:8", "--out", str(out)], capsys)
    one_line_error(code, err, "appeared while it was being written")
    assert (out / "report.md").read_bytes() == USER_TEXT


def test_token_in_the_command_line_is_redacted_in_report_md(tmp_path, capsys, monkeypatch):
    secret = "ibmtok-" + "q" * 30
    monkeypatch.setenv("QISKIT_IBM_TOKEN", secret)
    out = tmp_path / f"dir-{secret}"
    code, stdout, err = run_cli(["advantage", "--n", "2:8", "--out", str(out)], capsys)
    assert code == 0, err
    for name in ("report.md", "advantage.csv", "advantage.png"):
        assert secret.encode() not in (out / name).read_bytes(), name
    assert "***" in (out / "report.md").read_text() and secret not in stdout + err


def test_concurrent_cache_writes_keep_every_entry(tmp_path):
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(12) as pool:
        pool.map(_store_cache_entry, [(str(tmp_path), i) for i in range(12)])
    from qenergy.hardware.classical_machine import MeasurementCache

    cache = MeasurementCache(tmp_path)
    assert all(cache.load_entry(f"k{i}") == {"i": i} for i in range(12))


def _store_cache_entry(arg):
    import time

    from qenergy.hardware.classical_machine import MeasurementCache

    directory, i = arg
    time.sleep(0.2)  # the pool's processes start together; their writes overlap
    MeasurementCache(__import__("pathlib").Path(directory)).store_entry(f"k{i}", {"i": i})


@pytest.mark.parametrize("field, value", [("j_per_query", 1e300), ("j_per_query", -1.0), ("kappa", float("nan"))])
def test_an_implausible_cached_figure_is_measured_again_with_a_note(tmp_path, capsys, monkeypatch, field, value):
    monkeypatch.setenv("QENERGY_CACHE_DIR", str(tmp_path))
    code, out, _ = run_cli(["advantage", "--n", "2:8", "--json"], capsys)
    assert code == 0
    path = tmp_path / "classical-energy.json"
    data = json.loads(path.read_text())
    for entry in data.values():
        if isinstance(entry, dict) and "j_per_query" in entry:
            entry[field] = value
    path.write_text(json.dumps(data))
    code, out, err = run_cli(["advantage", "--n", "2:8", "--json"], capsys)
    assert code == 0 and "Traceback" not in err and "measured again" in err
    d = json.loads(out)
    assert d["classical_machine"]["cached"] is False and 0 < d["classical_machine"]["j_per_query"] < 1e-3


def test_export_validates_every_option_before_writing(tmp_path, capsys, ledger_path):
    csv_path = tmp_path / "c.csv"
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(csv_path), "--carbon", str(tmp_path / "k.csv"),
                            "--pue", "0.5"], capsys)
    one_line_error(code, err, "--pue")
    assert not csv_path.exists()
    code, _, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(csv_path), "--carbon", str(tmp_path / "k.csv"),
                            "--intensity", "1e308", "--pue", "1e308"], capsys)
    one_line_error(code, err, "nothing was written")
    assert not csv_path.exists() and not (tmp_path / "k.csv").exists()


def test_export_notes_a_torn_line(tmp_path, capsys, ledger_path):
    with open(ledger_path, "ab") as fh:
        fh.write(b'{"type":"charge","acc')
    code, out, err = run_cli(["ledger", "export", str(ledger_path), "--csv", str(tmp_path / "c.csv")], capsys)
    assert code == 0 and "incomplete write" in out
