"""Report orchestration beside a sweep: the grid model's carbon range of the sweep's own energy, appended to report.md."""

from __future__ import annotations

from typing import Any

from qenergy.ledger.book import Ledger


def grid_carbon(model: Any, res: Any) -> dict[str, Any]:
    """Run the grid model and convert the sweep's own energy with the robust design's intensity range."""
    from qenergy.ledger.carbon import IntensityRange

    result = model.run(Ledger(300.0))
    robust = result["intensity_by_design"][-1]  # the design of the harshest weather year
    rng = IntensityRange(robust["min"], robust["median"], robust["max"], "qenergy grid model on synthetic weather years")
    by_basis = dict(res.own_energy_by_basis) or {"estimated": 0.0}
    carbon: dict[str, Any] = {"design": robust["design"], "weather_years": len(result["years"]),
                              "intensity_g_per_kwh": {"min": rng.min, "median": rng.median, "max": rng.max}, "source": rng.source,
                              "by_basis": {b: {"energy_j": j, "co2e_kg": rng.co2e_kg(j)} for b, j in by_basis.items()}}
    if len(by_basis) == 1:  # one basis: its figures at the top level too
        (basis, j), = by_basis.items()
        carbon.update(basis=basis, energy_j=j, co2e_kg=rng.co2e_kg(j))
    parts = "; ".join(f"{v['energy_j']:.4g} J ({b}) carries {v['co2e_kg']['min']:.3g} / {v['co2e_kg']['median']:.3g} / "
                      f"{v['co2e_kg']['max']:.3g} kg CO2e" for b, v in carbon["by_basis"].items())
    report = res.files["report"]
    report.write_text(report.read_text(encoding="utf-8") + (
        f"\n## Carbon across weather years\n\nThe grid model's design for the harshest of {carbon['weather_years']} synthetic weather years "
        f"(design {carbon['design']}) gives an average emission intensity of {rng.min:.3g} / {rng.median:.3g} / {rng.max:.3g} g CO2e/kWh "
        f"(min / median / max over the operation years). This sweep's own energy, each basis apart: {parts}.\n"), encoding="utf-8")
    return carbon
