"""The application layer: where the quantum side (``circuits``) and the classical side
(``classical``) meet the core.

* [qenergy.app.experiment][]: one Simon instance on both sides, on one ledger;
* [qenergy.app.sweep][]: many instances over n, serially or on Dask, with report and plot;
* [qenergy.app.rows][]: one place that turns a run into rows for JSON, CSV and tables;
* [qenergy.app.reports][] and [qenergy.app.plots][]: report text and figures;
* [qenergy.app.simon_command][], [qenergy.app.bounds_command][], [qenergy.app.model_command][],
  [qenergy.app.twin_command][], [qenergy.app.demo_command][]: each command's run, from its options to a typed
  report (``to_dict()`` is the command's ``--json``);
* [qenergy.app.cli][]: the ``qenergy`` command, one module per command: it parses, makes one call into this
  layer and renders the report.

The core (``qenergy`` outside ``app`` and ``models``) imports neither side nor this package.
"""
