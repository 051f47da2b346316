import ast
import json
from pathlib import Path

import pytest

import qenergy.ledger.book as ledger_module
from qenergy.energy.physics import landauer_bit_energy
from qenergy.errors import InputError, LedgerCorruptError, LedgerError, MixedBasisError
from qenergy.ledger import store as ledger_store
from qenergy.ledger.book import BASES, Charge, Ledger
from qenergy.ledger.store import JsonLinesStore, LedgerStore, MemoryStore


def fill(ledger):
    u = landauer_bit_energy(ledger.temperature_k)
    ledger.charge("quantum", "qubit_reset", 12, u, "lower_bound", "Landauer")
    ledger.charge("classical", "query", 10**6, 0.1 / 3, "estimated", "bulk", label="n=3")
    ledger.charge_many([("quantum", "bit_erased", 2**70, u, "upper_bound", "big"), ("measure", "kwh", 1, 3.6e6, "measured", "meter")])


def test_bulk_charges_and_totals():
    led = Ledger(4.2, seed=3, command="test")
    fill(led)
    u = landauer_bit_energy(4.2)
    # bases are never added: the lower-bound resets and the upper-bound erasures stay apart
    assert led.totals_j()["quantum"] == {"lower_bound": pytest.approx(12 * u), "upper_bound": pytest.approx(2**70 * u)}
    assert led.totals_kTln2()["quantum"] == {"lower_bound": pytest.approx(12), "upper_bound": pytest.approx(2**70)}
    assert led.totals_j()["measure"] == {"measured": 3.6e6}
    assert led.counts("classical", "query") == 10**6
    assert led.energy_j("classical", label="n=3") == pytest.approx(10**6 * 0.1 / 3)
    assert led.energy_j("quantum", basis="upper_bound") == pytest.approx(2**70 * u)
    with pytest.raises(MixedBasisError, match="lower_bound, upper_bound"):
        led.energy_j("quantum")
    assert led.accounts() == ["quantum", "classical", "measure"]


def test_round_trip_is_exact(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 77.0, seed=5, command="qenergy simon --n 3") as led:
        fill(led)
    back = Ledger.load(path)
    assert back.charges == led.charges
    assert back.temperature_k == 77.0 and back.seed == 5 and back.runs[0].command == "qenergy simon --n 3"
    assert back.totals_j() == led.totals_j()
    header = json.loads(path.read_text().splitlines()[0])
    assert header["qenergy_ledger"] == 1 and header["schema"] == 1 and "qiskit" in header["versions"]


def test_append_adds_a_run(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0, seed=1) as a:
        a.charge("quantum", "query", 3, 0.0, "lower_bound", "x")
    with Ledger.open(path, 300.0, seed=2, command="again") as b:
        assert b.current_run == 1
        b.charge("classical", "query", 4, 1e-21, "lower_bound", "y")
    back = Ledger.load(path)
    assert [c.run for c in back.charges] == [0, 1]
    assert back.runs[1].seed == 2 and back.runs[1].command == "again"
    assert back.totals_j(run=1) == {"classical": {"lower_bound": 4e-21}}


def test_append_refuses_other_temperature(tmp_path):
    path = tmp_path / "l.jsonl"
    Ledger.open(path, 300.0).close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="T = 300 K; --temperature 4 differs"):
        Ledger.open(path, 4.0)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"hello\n", b"", b'{"some": "json"}\n', b"\x00\x01"])
def test_foreign_file_is_never_overwritten(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(LedgerError, match="not a qenergy ledger"):
        Ledger.open(path, 300.0)
    assert path.read_bytes() == content


def test_directory_is_not_a_ledger(tmp_path):
    with pytest.raises(LedgerError, match="not a qenergy ledger"):
        Ledger.open(tmp_path, 300.0)


def test_corrupt_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led:
        fill(led)
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = '{"type": "charge", "account": "q"}\n'
    path.write_text("".join(lines))
    with pytest.raises(LedgerCorruptError, match="corrupt at line 3: missing field") as info:
        Ledger.load(path)
    assert info.value.line == 3
    lines[2] = "garbage\n"
    path.write_text("".join(lines))
    with pytest.raises(LedgerCorruptError, match="line 3: not a JSON object"):
        Ledger.load(path)
    before = path.read_bytes()
    with pytest.raises(LedgerCorruptError):
        Ledger.open(path, 300.0)
    assert path.read_bytes() == before


def test_torn_last_line_is_reported_ignored_and_set_aside(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led:
        fill(led)
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"type":"charge","acc')  # a crash in the middle of a write
    back = Ledger.load(path)
    assert back.torn_tail is not None and back.torn_tail.line == 6 and back.torn_tail.size == 21
    assert back.charges == led.charges
    with Ledger.open(path, 300.0) as again:
        again.charge("quantum", "query", 1, 0.0, "measured", "after the crash")
    assert again.set_aside is not None and again.set_aside.read_bytes() == b'{"type":"charge","acc'
    final = Ledger.load(path)
    assert final.torn_tail is None and len(final.charges) == len(led.charges) + 1


def test_corrupt_middle_line_is_never_skipped(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led:
        fill(led)
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2][:10]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(LedgerCorruptError, match="line 3"):
        Ledger.load(path)


def test_notes_round_trip(tmp_path):
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0) as led, led.batch():
        led.charge("quantum", "query", 2, 0.0, "measured", "x", label="p1")
        led.note("p1", {"n": 3, "rows": [{"side": "quantum", "ok": True}]})
    back = Ledger.load(path)
    assert back.notes == led.notes and back.notes[0].data["rows"][0]["ok"] is True


def test_two_processes_append_whole_lines(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "shared.jsonl"
    Ledger.open(path, 300.0).close()
    code = (
        "import sys\nfrom qenergy.ledger.book import Ledger\n"
        "with Ledger.open(sys.argv[1], 300.0) as led:\n"
        "    for i in range(300):\n"
        "        led.charge_many([('p' + sys.argv[2], 'query', i, 1e-21, 'measured', 'x' * 2000)] * 3)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(k)]) for k in range(2)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    back = Ledger.load(path)
    assert back.torn_tail is None
    assert back.counts("p0", "query") == back.counts("p1", "query") == 3 * sum(range(300))


def test_bad_charges_rejected():
    led = Ledger()
    with pytest.raises(InputError, match="basis 'guess' is unknown"):
        led.charge("quantum", "query", 1, 0.0, "guess", "")
    with pytest.raises(InputError, match="count -1"):
        led.charge("quantum", "query", -1, 0.0, "measured", "")
    with pytest.raises(InputError, match="count 1.5"):
        led.charge("quantum", "query", 1.5, 0.0, "measured", "")
    with pytest.raises(InputError, match="energy per unit"):
        led.charge("quantum", "query", 1, float("nan"), "measured", "")
    with pytest.raises(InputError, match="account"):
        led.charge("", "query", 1, 0.0, "measured", "")
    assert led.charges == ()
    assert set(BASES) == {"lower_bound", "upper_bound", "measured", "estimated"}


def test_missing_directory(tmp_path):
    with pytest.raises(LedgerError, match="does not exist"):
        Ledger.open(tmp_path / "no" / "l.jsonl", 300.0)


# -- the book and its store ---------------------------------------------------------


def record_all_kinds(ledger):
    """Every kind of write the book makes: single, many, batch (nested), note, extend, extend_and_note, a credit."""
    fill(ledger)
    with ledger.batch():
        ledger.charge("a", "b", 0, 0.0, "estimated", "", label="in batch")
        ledger.note("p1", {"n": 3, "rows": [{"ok": True, "x": 1.5}]})
        with ledger.batch():
            ledger.extend([Charge("classical", "query", 7, 1e-21, "lower_bound", "worker", label="w")])
    ledger.extend_and_note([Charge("quantum", "query", 2, 0.0, "measured", "point")], "p2", {"done": True})
    ledger.charge("work", "work_extracted", 1, -1e-21, "upper_bound", "credit ü")


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(ledger_module, "_now", lambda: "2025-01-01T00:00:00+00:00")


def test_memory_store_holds_exactly_what_the_file_holds(tmp_path, fixed_clock):
    memory = MemoryStore()
    book = Ledger(77.0, seed=5, command="qenergy simon --n 3", store=memory)
    record_all_kinds(book)
    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 77.0, seed=5, command="qenergy simon --n 3") as led:
        record_all_kinds(led)
    on_file = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert memory.records == on_file
    assert [r["type"] for r in on_file][:2] == ["header", "charge"] and {r["type"] for r in on_file} == {"header", "charge", "note"}
    assert book.charges == led.charges == Ledger.load(path).charges and book.notes == led.notes
    # a store of a ledger read back gives the same records
    back = JsonLinesStore.read(path)
    assert [back.header, *(r for _, r in back.records)] == on_file and back.torn_tail is None


class ListSink(LedgerStore):
    """A custom store: collects every batch it is given, in order."""

    def __init__(self):
        self.batches = []
        self.closed = False

    def write(self, records):
        assert not self.closed, "written after close"
        self.batches.append([dict(r) for r in records])

    def close(self):
        self.closed = True


def test_a_custom_store_receives_every_record_in_order(fixed_clock):
    sink = ListSink()
    led = Ledger(4.2, seed=1, command="custom", store=sink)
    assert sink.batches == [[led.header()]]  # the header first, at construction
    record_all_kinds(led)
    kinds = [[r["type"] for r in b] for b in sink.batches]
    assert kinds == [["header"], ["charge"], ["charge"], ["charge", "charge"],
                     ["charge", "note", "charge"],  # one batch() block, nested block included: one write
                     ["charge", "note"],  # extend_and_note: both in one write
                     ["charge"]]
    charges = [r for b in sink.batches for r in b if r["type"] == "charge"]
    assert [Charge(**{k: v for k, v in r.items() if k not in ("type", "seq")}) for r in charges] == list(led.charges)
    # every charge and note carries its run's sequence number, in order (a repeated or missing line is then found)
    assert [r["seq"] for b in sink.batches for r in b if r["type"] in ("charge", "note")] == list(range(len(charges) + len(led.notes)))
    notes = [r for b in sink.batches for r in b if r["type"] == "note"]
    assert [(n["label"], n["data"]) for n in notes] == [(n.label, n.data) for n in led.notes]
    with pytest.raises(InputError):
        led.charge("quantum", "query", -1, 0.0, "measured", "refused")  # a refused charge is never written
    assert len(sink.batches) == 7
    with led.batch():
        pass  # an empty block writes nothing
    assert len(sink.batches) == 7
    led.close()
    assert sink.closed and led.store is None
    led.charge("quantum", "query", 1, 0.0, "measured", "after close")  # kept in memory, not written
    assert len(sink.batches) == 7 and len(led.charges) == len(charges) + 1


def test_memory_store_may_keep_nothing_and_a_closed_file_store_refuses_writes(tmp_path):
    quiet = MemoryStore(keep=False)
    led = Ledger(store=quiet)
    led.charge("quantum", "query", 1, 0.0, "measured", "x")
    assert quiet.records == [] and quiet.batches == 2
    with Ledger.open(tmp_path / "l.jsonl") as led:
        store = led.store
    assert isinstance(store, JsonLinesStore) and store.path == tmp_path / "l.jsonl"
    with pytest.raises(LedgerError, match="closed"):
        store.write([{"type": "note", "run": 0, "label": "", "data": {}}])


def test_attachments_are_per_ledger_and_never_written():
    sink = ListSink()
    a, b = Ledger(store=sink), Ledger()
    key = object()
    made = a.attachment(key, list)
    assert a.attachment(key, lambda: pytest.fail("made twice")) is made
    assert b.attachment(key, list) is not made
    assert a.detach(key) is made and a.detach(key) is None
    assert a.attachment(key, list) is not made
    assert len(sink.batches) == 1  # the header only


def test_the_store_module_does_not_import_the_book():
    source = Path(ledger_store.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            imported.add(base)
            imported.update(f"{base}.{alias.name}" if node.module else f"{base}{alias.name}" for alias in node.names)
    assert imported, "the walk found the module's imports"
    assert not {m for m in imported if m.split(".")[-1] in ("ledger", "book") or m.endswith("qenergy.ledger.book")}, imported
    assert "qenergy.errors" in imported


# --- issue 27: damaged but parseable fields, repeated lines, control characters, interrupted runs ---------

def _ledger_lines(tmp_path):
    from qenergy.ledger.book import Ledger

    path = tmp_path / "l.jsonl"
    with Ledger.open(path, 300.0, seed=1, command="qenergy simon --n 3") as led:
        led.charge("classical", "query", 4, 0.0, "lower_bound", "q")
        led.charge("meter", "energy_uj", 5, 1e-6, "estimated", "m")
    return path, path.read_text().splitlines()


@pytest.mark.parametrize("line_no, change", [
    (0, {"versions": "abc"}), (0, {"seed": "x"}), (0, {"command": 5}),
    (1, {"label": 7}), (1, {"provenance": ["x"]}), (1, {"model": {}}), (2, {"seq": "1"}),
])
def test_malformed_fields_are_corruption_with_the_line_number(tmp_path, capsys, line_no, change):
    from cli_helpers import run_cli

    path, lines = _ledger_lines(tmp_path)
    rec = json.loads(lines[line_no])
    rec.update(change)
    lines[line_no] = json.dumps(rec)
    path.write_text("\n".join(lines) + "\n")
    for argv in (["ledger", "show", str(path)], ["ledger", "summary", str(path)], ["advantage", "--from-ledger", str(path)]):
        code, _, err = run_cli(argv, capsys)
        assert code == 2 and "Traceback" not in err and f"corrupt at line {line_no + 1}" in err, (argv, err)


@pytest.mark.parametrize("edit", ["repeat", "drop"])
def test_a_repeated_or_missing_charge_line_is_corruption(tmp_path, edit):
    from qenergy.errors import LedgerCorruptError
    from qenergy.ledger.book import Ledger

    path, lines = _ledger_lines(tmp_path)
    lines = lines[:2] + lines[1:] if edit == "repeat" else lines[:1] + lines[2:]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LedgerCorruptError) as info:
        Ledger.load(path)
    assert info.value.line == (3 if edit == "repeat" else 2)
    assert ("repeats" if edit == "repeat" else "missing") in str(info.value)


def test_older_ledgers_without_sequence_numbers_still_read(tmp_path):
    from qenergy.ledger.book import Ledger

    path, lines = _ledger_lines(tmp_path)
    old = []
    for line in lines:
        rec = json.loads(line)
        rec.pop("seq", None)
        old.append(json.dumps(rec))
    path.write_text("\n".join(old) + "\n")
    assert len(Ledger.load(path).charges) == 2


def test_control_characters_in_ledger_fields_are_escaped(tmp_path, capsys):
    from cli_helpers import run_cli

    from qenergy.ledger.book import Ledger

    path = tmp_path / "esc.jsonl"
    with Ledger.open(path, 300.0, seed=1, command="qenergy \x1b[2J\x1b[Hforged") as led:
        led.charge("classical\x1b[31m", "query", 1, 0.0, "lower_bound", "p\rforged line", label="\x07bell")
    for argv in (["ledger", "show", str(path)], ["ledger", "summary", str(path)]):
        code, out, _ = run_cli(argv, capsys)
        assert code == 0 and "\x1b" not in out and "\r" not in out and "\x07" not in out and "\\x1b" in out


def test_an_interrupted_run_is_marked_and_shown(tmp_path, capsys):
    from cli_helpers import run_cli

    from qenergy.ledger.book import Ledger

    path = tmp_path / "int.jsonl"
    with Ledger.open(path, 300.0, seed=1, command="qenergy simon") as led:
        led.charge("classical", "query", 10, 0.0, "lower_bound", "q")
        led.mark_interrupted("SIGTERM", {"queries_charged": 10})
    assert Ledger.load(path).interrupted_runs() == {0: {"reason": "SIGTERM", "queries_charged": 10}}
    code, out, _ = run_cli(["ledger", "show", str(path)], capsys)
    assert code == 0 and "INTERRUPTED (SIGTERM; 10 classical queries charged)" in out
    code, out, _ = run_cli(["ledger", "summary", str(path)], capsys)
    assert code == 0 and "interrupted runs" in out
