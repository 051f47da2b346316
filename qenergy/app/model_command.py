"""``qenergy model NAME`` in the application layer: build a plug-in model from ``KEY=VALUE`` parameters, run it on a
ledger, and report its parameters, result and the ledger's totals ([`ModelReport`][ModelReport]).

The model (`qenergy.models`) checks its parameters when it is built, before the ledger is opened: a refused
parameter writes nothing. With a ledger file, the model's result is recorded beside its charges as a note
(read by ``qenergy report``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qenergy.app.experiment import json_safe, open_ledger
from qenergy.ledger.book import Ledger

__all__ = ["ModelReport", "run_model_command"]


@dataclass(frozen=True)
class ModelReport:
    """One model run: its name, parameters (as built), result, and the ledger (file or in memory) it charged.

    Attributes:
        name: the model's registered name.
        parameters: every parameter of the built model, by name.
        result: what the model's ``run`` returned (a TypedDict of plain values).
        ledger_path: the ledger file (None: the charges were kept in memory only).
        totals_j: this run's ledger totals per account and basis, in joules.
    """

    name: str
    parameters: dict[str, Any]
    result: Mapping[str, Any]
    ledger_path: Path | None
    totals_j: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        """The ``qenergy model NAME --json`` object."""
        return {"model": self.name, "parameters": self.parameters, "result": self.result,
                "ledger": {"path": str(self.ledger_path) if self.ledger_path else None, "totals_j": self.totals_j}}


def run_model_command(name: str, params: Iterable[tuple[str, str]] | Mapping[str, Any], *, seed: int = 0, ledger: Path | None = None,
                      command: str = "", notify: Callable[[str], None] = lambda _text: None) -> ModelReport:
    """Build model ``name`` from ``params`` ([qenergy.models.build_model][]), run it with ``seed`` on ``ledger`` (a file to
    create or append to, at the model's ``temperature`` or 300 K; None: in memory) and report it. ``notify`` hears of an
    incomplete ledger line set aside.

    Raises:
        InputError: an unknown model or parameter, a parameter given twice, a value outside what the model allows.
        LedgerError: the ledger cannot be opened or appended to.
    """
    from qenergy.models import build_model

    model = build_model(name, params)
    temperature = float(getattr(model, "temperature", 300.0))
    book = open_ledger(ledger, temperature, seed=seed, command=command, notify=notify) if ledger else Ledger(temperature, seed=seed, command=command)
    with book:
        result = model.run(book, seed=seed)
        if ledger:  # the model's result beside its charges, for `qenergy report`
            book.note(f"model {name}", {"model": name, "parameters": json_safe(dict(vars(model))), "result": json_safe(result)})
    return ModelReport(name, {k: v for k, v in vars(model).items()}, result, ledger, book.totals_j(run=book.current_run))
