"""The grid model (models.md §4): tiny HiGHS instances, CSV loader, plots. Toy numbers, not the paper's."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pypsa")
pytest.importorskip("highspy")

from cli_helpers import run_cli

from qenergy.errors import InputError, ModelError, QenergyError
from qenergy.ledger.book import Ledger
from qenergy.ledger.carbon import co2e_kg
from qenergy.models import build_model
from qenergy.models.grid import (
    GridWeatherModel,
    cross_matrix,
    design,
    grid_intensity_for,
    intensity_distribution,
    operate,
    plot_cross_matrices,
    plot_intensity,
    reference_emissions_t,
)
from qenergy.models.grid.weather import load_csv, synthetic_year, weather_years, write_csv

TINY = dict(nodes=1, resolution_h=6, days=42)


@pytest.fixture(scope="module")
def tiny():
    """A mild (no compound events) and a harsh (severity 1) six-week winter at one node, 6-hourly."""
    years = weather_years(2, seed=1, mild_severity=0.0, harsh_severity=1.0, **TINY)
    return cross_matrix(years, co2_cap=0.1, hydrogen=False, workers=1), years


def test_weather_is_deterministic_and_structured():
    a = synthetic_year(7, severity=1.0, nodes=3, resolution_h=3)
    b = synthetic_year(7, severity=1.0, nodes=3, resolution_h=3)
    assert a.wind.equals(b.wind) and a.demand_mw.equals(b.demand_mw)
    mild = synthetic_year(7, severity=0.0, nodes=3, resolution_h=3)
    assert mild.events == [] and len(a.events) == 3
    assert a.demand_mw.sum(axis=1).max() > mild.demand_mw.sum(axis=1).max()  # cold spells raise heat-pump load
    assert len(a.snapshots) == 2920 and a.nodes == ["north", "central", "south"]
    assert (a.solar.to_numpy() >= 0).all() and (a.solar.to_numpy() <= 1).all() and (a.wind.to_numpy() <= 1).all()
    s = mild.solar["central"]
    assert s[s.index.month == 6].mean() > 2 * s[s.index.month == 12].mean()  # seasonal solar
    assert (s[s.index.hour == 0] == 0).all()  # dark at night
    w = mild.wind["north"]
    assert 0.2 < w.mean() < 0.5 and w.autocorr(1) > 0.8  # autocorrelated wind
    with pytest.raises(InputError, match="resolution_h"):
        synthetic_year(0, resolution_h=5)
    with pytest.raises(InputError, match="severity"):
        synthetic_year(0, severity=2.0)


def test_harsh_design_is_adequate_in_the_mild_year(tiny):
    res, _ = tiny
    assert res.matrix("unserved_mwh")[1][0] == pytest.approx(0.0, abs=1e-3)
    assert res.matrix("unserved_mwh")[1][1] == pytest.approx(0.0, abs=1e-3)


def test_mild_design_sheds_load_in_the_harsh_year(tiny):
    res, _ = tiny
    assert res.matrix("unserved_mwh")[0][0] == pytest.approx(0.0, abs=1e-3)
    assert res.matrix("unserved_mwh")[0][1] > 100.0
    assert res.matrix("co2_t")[0][1] > res.matrix("co2_t")[0][0]  # more backup burnt in the harsh year


def test_design_respects_the_co2_cap(tiny):
    res, years = tiny
    assert res.co2_cap_t == pytest.approx(0.1 * reference_emissions_t(years))
    for d in res.designs:
        assert d.co2_t <= d.co2_cap_t * (1 + 1e-4) + 1e-3
        # a 10 % cap binds (gas is the cheapest firm power): emissions sit at the cap and CO2 has a positive price
        assert d.co2_t == pytest.approx(d.co2_cap_t, rel=1e-4) and d.co2_price > 0.0
    mild, harsh = res.designs
    assert harsh.co2_price > mild.co2_price  # the same cap is dearer to meet in the harsh year


def test_intensity_helpers(tiny):
    res, _ = tiny
    lo, med, hi = intensity_distribution(res, 0)
    assert 0.0 <= lo <= med <= hi
    gi = grid_intensity_for(res, 0, 1)
    assert gi.g_per_kwh == pytest.approx(res.operations[0][1].intensity_g_per_kwh) and gi.code == "GRID-DY1-WY2"
    assert co2e_kg(3.6e6, gi) == pytest.approx(gi.g_per_kwh / 1000.0)  # 1 kWh through the ledger's conversion
    with pytest.raises(InputError, match="design_index"):
        grid_intensity_for(res, 5, 0)


def test_operate_rejects_other_nodes(tiny):
    res, _ = tiny
    other = synthetic_year(0, nodes=2, resolution_h=6, days=42)
    with pytest.raises(InputError, match="nodes"):
        operate(res.designs[0], other)


def test_plots_write_png(tiny, tmp_path):
    res, _ = tiny
    p1 = plot_cross_matrices(res, tmp_path / "m.png")
    p2 = plot_intensity(res.operations[0][1].intensity_series, tmp_path / "i.png")
    for p in (p1, p2):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_csv_round_trip(tmp_path):
    y = synthetic_year(3, severity=0.5, nodes=2, resolution_h=12, days=10)
    path = write_csv(y, tmp_path / "w.csv")
    back = load_csv(path)
    assert back.nodes == y.nodes and back.resolution_h == 12.0 and (back.snapshots == y.snapshots).all()
    for name in ("solar", "wind", "demand_mw"):
        assert (getattr(back, name).to_numpy() == getattr(y, name).to_numpy()).all()
    d = design(back, co2_cap_t=1e9, hydrogen=False)  # a loaded year can be designed on
    assert d.nodes == y.nodes


@pytest.mark.parametrize("line3, message", [
    ("2001-01-01T06:00,a,1.5,0.2,10", "line 3: solar = '1.5'"),
    ("not-a-date,a,0.1,0.2,10", "line 3: snapshot 'not-a-date'"),
    ("2001-01-01T06:00,a,0.1,0.2", "line 3: 4 fields"),
    ("2001-01-01T00:00,a,0.1,0.2,10", "line 3: snapshot 2001-01-01T00:00 node a repeats line 2"),
    ("2001-01-01T06:00,a,0.1,0.2,-1", "line 3: demand_mw = '-1'"),
])
def test_csv_errors_name_the_line(tmp_path, line3, message):
    p = tmp_path / "bad.csv"
    p.write_text("snapshot,node,solar,wind,demand_mw\n2001-01-01T00:00,a,0.1,0.2,10\n" + line3 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        load_csv(p)
    p.write_text("time,node,solar,wind,demand\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: header"):
        load_csv(p)


def test_model_run_is_json_and_charges_ledger(tmp_path):
    m = build_model("grid", {"years": "2", "nodes": "1", "resolution_h": "12", "days": "14", "workers": "1",
                             "hydrogen": "false", "plot_dir": str(tmp_path)}, {"grid": GridWeatherModel})
    led = Ledger()
    r = m.run(led, seed=0)
    json.dumps(r)
    assert len(r["matrices"]["cost_meur"]) == 2 and len(r["matrices"]["cost_meur"][0]) == 2
    assert r["solves"] == 6 and r["seconds"] > 0 and len(r["intensity_series"]["g_per_kwh"]) == 28
    assert all(d["min"] <= d["median"] <= d["max"] for d in r["intensity_by_design"])
    (c,) = led.charges
    assert c.account == "grid" and c.resource == "lp_solve" and c.count == 6 and c.unit_j == 0.0 and c.basis == "estimated"
    assert (tmp_path / "grid_cross_matrices.png").exists() and (tmp_path / "grid_intensity.png").exists()
    with pytest.raises(InputError, match="resolution_h"):
        build_model("grid", {"resolution_h": "5"}, {"grid": GridWeatherModel})


# -- solver failures: a QenergyError with one line, never a traceback ---------------------------------

def test_infeasible_design_lp_is_a_model_error(tmp_path):
    """A real infeasible LP: no wind, no sun and a CO2 cap of 0 leave nothing to serve the load with."""
    y = synthetic_year(0, nodes=1, resolution_h=12, days=7)
    lines = write_csv(y, tmp_path / "w.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    dark = "\n".join([lines[0]] + [",".join([t, node, "0", "0", d]) for t, node, _, _, d in rows]) + "\n"
    (tmp_path / "dark.csv").write_text(dark, encoding="utf-8")
    year = load_csv(tmp_path / "dark.csv", label="dark")
    with pytest.raises(ModelError, match=r"design LP of weather year dark .* was not solved .*infeasible") as info:
        design(year, co2_cap_t=0.0, hydrogen=False)
    assert isinstance(info.value, QenergyError) and "\n" not in str(info.value)
    design(year, co2_cap_t=1e12, hydrogen=False)  # the same weather with gas allowed is solvable


def _grid_cli(capsys):
    return run_cli(["model", "grid", "--param", "years=1", "--param", "nodes=1", "--param", "days=7", "--param", "resolution_h=12",
                    "--param", "workers=1", "--param", "co2_cap=0", "--param", "hydrogen=false"], capsys)


@pytest.mark.parametrize("failure", ["status", "exception"])
def test_solver_failure_through_the_cli_exits_2_with_one_line(failure, monkeypatch, capsys):
    from pypsa.optimization.optimize import OptimizationAccessor

    def fail(self, *args, **kwargs):
        if failure == "status":
            return "warning", "infeasible"
        raise RuntimeError("HiGHS crashed\nsecond line of a solver log")

    monkeypatch.setattr(OptimizationAccessor, "__call__", fail)
    code, out, err = _grid_cli(capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    line = lines[0]
    assert line.startswith("qenergy: error: grid model: the design LP of weather year Y1")
    if failure == "status":
        assert "was not solved (HiGHS status warning, condition infeasible)" in line
    else:
        assert "failed in the solver (RuntimeError: HiGHS crashed)" in line and "second line" not in line
    assert "co2_cap = 0," in line and "hydrogen = false" in line and "days = 7" in line
    assert "try a larger co2_cap" in line
