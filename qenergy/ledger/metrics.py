"""A ledger as cumulative counters for monitoring: the OpenMetrics text format (and Prometheus' classic one).

Counters (every value a running total since the ledger was created, so a scraper sees
them only grow as runs are appended):

* ``qenergy_energy_joules_total{account, basis}``: joules charged to each account on each
  basis. Bases are never added (one series each). A counter never decreases, so the
  negative charges of credits (resource ``work_extracted``, upper bounds) are not netted
  into it: they are the separate counter ``qenergy_energy_credit_joules_total{account,
  basis}`` (joules credited, as a positive number); the ledger's net total is the first
  minus the second.
* ``qenergy_queries_total{side}``: oracle queries charged (resource ``query``) per side
  (the account: ``quantum``, ``classical``).
* ``qenergy_runs_total``: invocations that wrote to the ledger.

The text is produced by prometheus_client's own exposition code
(``prometheus_client.openmetrics.exposition.generate_latest``, OpenMetrics 1.0, ending in
``# EOF``; or ``prometheus_client.exposition.generate_latest``, the classic text format
0.0.4). node_exporter's textfile collector parses the classic format only (its
OpenMetrics support is the open node_exporter issue #1988), so [`metrics_text`][metrics_text] with
``openmetrics=False`` is the one to drop into its directory; scrapers that ask for
OpenMetrics read the other. prometheus_client is a core dependency: it is small, pure
Python, without dependencies of its own, and ``qenergy ledger export`` is a core command.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from qenergy.ledger.book import Ledger

__all__ = ["metrics_text"]


class _LedgerCollector:
    """A prometheus_client collector yielding the ledger's counters (a snapshot taken at construction)."""

    def __init__(self, ledger: Ledger) -> None:
        energy: dict[tuple[str, str], list[float]] = {}
        credit: dict[tuple[str, str], list[float]] = {}
        queries: dict[str, int] = {}
        for c in ledger.charges:
            e = c.energy_j
            if e >= 0:
                energy.setdefault((c.account, c.basis), []).append(e)
            else:
                credit.setdefault((c.account, c.basis), []).append(-e)
            if c.resource == "query":
                queries[c.account] = queries.get(c.account, 0) + c.count
        self.energy = {k: math.fsum(v) for k, v in energy.items()}
        self.credit = {k: math.fsum(v) for k, v in credit.items()}
        self.queries = queries
        self.runs = len(ledger.runs)

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily

        e = CounterMetricFamily("qenergy_energy_joules", "Energy charged per account and basis (bases are never added), in joules.",
                                labels=["account", "basis"], unit="joules")
        for (account, basis), j in self.energy.items():
            e.add_metric([account, basis], j)
        yield e
        if self.credit:
            cr = CounterMetricFamily("qenergy_energy_credit_joules", "Energy credited (negative charges, e.g. extracted work) per "
                                     "account and basis, as a positive number, in joules.", labels=["account", "basis"], unit="joules")
            for (account, basis), j in self.credit.items():
                cr.add_metric([account, basis], j)
            yield cr
        q = CounterMetricFamily("qenergy_queries", "Oracle queries charged per side (resource query).", labels=["side"])
        for side, count in self.queries.items():
            q.add_metric([side], count)
        yield q
        yield CounterMetricFamily("qenergy_runs", "Invocations that wrote to the ledger.", value=self.runs)


def metrics_text(ledger: Ledger, *, openmetrics: bool = True) -> bytes:
    """The ledger's counters as text: OpenMetrics 1.0 (default) or the classic Prometheus text format 0.0.4.

    Both come from prometheus_client's exposition code; see the module docstring for the counters.
    """
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_LedgerCollector(ledger))
    if openmetrics:
        from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_latest

        return bytes(openmetrics_latest(registry))
    from prometheus_client.exposition import generate_latest

    return bytes(generate_latest(registry))
