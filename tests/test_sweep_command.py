"""``qenergy sweep``'s application function called directly (no argparse): the typed report, its ``--json`` object,
the ``--grid`` parameters, and the refusals and interruptions before and after the points are recorded."""

import json

import pytest

import qenergy.app.sweep_command as sweep_command
from qenergy.app.sweep_command import SweepReport, SweepRequest, grid_model, run_sweep_command
from qenergy.errors import InputError, Interrupted
from qenergy.interrupts import Terminated
from qenergy.ledger.book import Ledger

JSON_KEYS = ["instances", "solved", "resumed_points", "crossover_n", "ledger_run", "files", "rows", "own_energy_j", "own_energy_basis",
             "own_energy_by_basis", "carbon_across_weather_years", "nts"]


def test_sweep_report_and_its_resume(tmp_path):
    out = tmp_path / "sw"
    notes: list[str] = []
    report = run_sweep_command(SweepRequest((2, 3), out=out, repeats=2, backend="exact", seed=5, command="test"), notify=notes.append)
    assert isinstance(report, SweepReport) and report.directory == out and report.carbon is None
    res = report.result
    assert res.instances == 4 and res.resumed_points == 0 and res.ledger_run == 0 and notes == []
    assert {r["n"] for r in res.rows} == {2, 3} and [b.n for b in res.bounds] == [2, 3]
    assert all(path.exists() for path in res.files.values())
    d = report.to_dict()
    assert list(d) == JSON_KEYS
    assert d["files"] == {k: str(v) for k, v in res.files.items()} and d["carbon_across_weather_years"] is None
    assert json.loads(json.dumps(d)) == d  # plain JSON
    # the own energy keeps its basis; the ledger's own-energy charges are the report's
    ledger = Ledger.load(res.files["ledger"])
    assert d["own_energy_basis"] in ("measured", "estimated") and d["own_energy_j"] == pytest.approx(ledger.totals_j(run=0)["meter"][d["own_energy_basis"]])
    again = run_sweep_command(SweepRequest((), resume=out))  # its own settings: nothing redone
    assert again.result.resumed_points == 4 and again.result.instances == 4 and again.result.ledger_run == 1
    assert sum(c.run == 1 and c.account in ("quantum", "classical") for c in Ledger.load(res.files["ledger"]).charges) == 0


def test_grid_parameters_are_interpreted_and_checked():
    model = grid_model(" years = 2 ,, days=14 ")
    assert model.years == 2 and model.days == 14
    assert grid_model("").years == 5  # the model's defaults
    with pytest.raises(InputError, match="KEY=VALUE pairs"):
        grid_model("years")
    with pytest.raises(InputError, match="days = '2' is out of range"):
        grid_model("days=2")


def test_refusals_write_nothing(tmp_path):
    out = tmp_path / "sw"
    with pytest.raises(InputError, match="--grid 'nope': allowed: KEY=VALUE"):
        run_sweep_command(SweepRequest((2,), out=out, repeats=1, backend="exact", grid="nope"))
    with pytest.raises(InputError, match="backend 'nope' is unknown"):
        run_sweep_command(SweepRequest((2,), out=out, repeats=1, backend="nope"))
    with pytest.raises(InputError, match="exactly one of them"):
        run_sweep_command(SweepRequest((2,), out=out, resume=out))
    with pytest.raises(InputError, match="exactly one of them"):
        run_sweep_command(SweepRequest((2,)))
    assert not out.exists()


@pytest.mark.parametrize("signal, word, status", [(KeyboardInterrupt, "interrupted", 130), (Terminated, "terminated \\(SIGTERM\\)", 143)])
def test_a_stop_after_the_points_names_the_resume_command(tmp_path, monkeypatch, signal, word, status):
    def stopped(model, res):
        assert res.instances == 1  # the points are recorded before the grid model runs
        raise signal

    monkeypatch.setattr(sweep_command, "grid_carbon", stopped)
    out = tmp_path / "my sweep"
    with pytest.raises(Interrupted, match=rf"^{word}; resume with: qenergy sweep --resume '.*my sweep'$") as exc:
        run_sweep_command(SweepRequest((2,), out=out, repeats=1, backend="exact", grid="years=1,days=7"))
    assert exc.value.exit_status == status
    assert run_sweep_command(SweepRequest((), resume=out)).result.resumed_points == 1
