"""The application layer: where the quantum side (``circuits``) and the classical side
(``classical``) meet the core.

* :mod:`qenergy.app.experiment`: one Simon instance on both sides, on one ledger;
* :mod:`qenergy.app.sweep`: many instances over n, serially or on Dask, with report and plot;
* :mod:`qenergy.app.rows`: one place that turns a run into rows for JSON, CSV and tables;
* :mod:`qenergy.app.reports` and :mod:`qenergy.app.plots`: report text and figures;
* :mod:`qenergy.app.cli`: the ``qenergy`` command, one module per command.

The core (``qenergy`` outside ``app`` and ``models``) imports neither side nor this package.
"""
