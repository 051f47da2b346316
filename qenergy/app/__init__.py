"""The application layer: where the quantum side (``circuits``) and the classical side
(``classical``) meet the core.

* [qenergy.app.experiment][]: one Simon instance on both sides, on one ledger;
* [qenergy.app.sweep][]: many instances over n, serially or on Dask, with report and plot;
* [qenergy.app.rows][]: one place that turns a run into rows for JSON, CSV and tables;
* [qenergy.app.reports][] and [qenergy.app.plots][]: report text and figures;
* [qenergy.app.cli][]: the ``qenergy`` command, one module per command.

The core (``qenergy`` outside ``app`` and ``models``) imports neither side nor this package.
"""
