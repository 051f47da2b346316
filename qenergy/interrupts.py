"""Signals that stop the ``qenergy`` command: Ctrl-C (SIGINT) and SIGTERM, handled alike.

* **While the command starts** (importing numpy, scipy, Qiskit: about a second), nothing has
  been written and nothing is held, so a signal ends the process at once with one line on
  standard error and status 128 + signal (130 for SIGINT, 143 for SIGTERM), never a
  traceback: [`quiet_start`][quiet_start] installs that handler before the heavy imports
  (``qenergy/__init__.py`` calls it first when the process is the ``qenergy`` command).
* **While a command runs**, [`raising_interrupts`][raising_interrupts] makes SIGINT raise
  [`KeyboardInterrupt`][KeyboardInterrupt] and SIGTERM raise [`Terminated`][Terminated] (a KeyboardInterrupt), so
  every clean-up path written for Ctrl-C (charging the work in progress, marking the run as
  interrupted in its ledger, the own-energy charge, the resume hint) also runs for SIGTERM.

A ledger write defers both signals until its lines are synced ([`signals_deferred`][signals_deferred], used by
[qenergy.ledger.store][]), and so does any block whose work and charge must land together.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["STOP_SIGNALS", "Terminated", "exit_status", "quiet_start", "raising_interrupts", "signal_name", "signals_deferred"]

#: The signals that stop a command cleanly.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: handled like Ctrl-C (a [`KeyboardInterrupt`][KeyboardInterrupt]), exit status 143."""

    signum = int(signal.SIGTERM)


def signal_name(exc: BaseException) -> str:
    """``SIGTERM`` for [`Terminated`][Terminated], else ``SIGINT`` (a KeyboardInterrupt)."""
    return "SIGTERM" if isinstance(exc, Terminated) else "SIGINT"


def exit_status(exc: BaseException) -> int:
    """128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C."""
    return 128 + (int(signal.SIGTERM) if isinstance(exc, Terminated) else int(signal.SIGINT))


def _exit_at_once(signum: int, frame: Any) -> None:
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    with contextlib.suppress(OSError):
        os.write(2, f"qenergy: {word} while starting; nothing was written\n".encode())
    os._exit(128 + signum)


def quiet_start() -> None:
    """Until the command installs its own handlers, end the process at once on SIGINT or SIGTERM (one line, no traceback)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in STOP_SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(sig) in (signal.default_int_handler, signal.SIG_DFL):
                signal.signal(sig, _exit_at_once)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


@contextlib.contextmanager
def raising_interrupts() -> Iterator[None]:
    """Inside the block SIGINT raises KeyboardInterrupt and SIGTERM [`Terminated`][Terminated]; the previous handlers come back after.

    Does nothing outside the main thread (only it receives signals). A signal ignored by the
    parent (``SIG_IGN``, e.g. ``nohup``) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    handlers: dict[signal.Signals, Any] = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: _raise_terminated}
    try:
        for sig, handler in handlers.items():
            if previous[sig] is not signal.SIG_IGN:
                signal.signal(sig, handler)
        yield
    finally:
        for sig, old in previous.items():
            with contextlib.suppress(ValueError, TypeError, OSError):
                signal.signal(sig, old if old is not None else signal.SIG_DFL)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) and SIGTERM inside the block and deliver them when the block ends.

    Used where work and its record must land together (a ledger write; a batch of queries and
    its charge). Blocks nest: an inner block hands a held signal to the outer one. Only the main
    thread runs Python signal handlers, so only there can a signal cut the block short;
    elsewhere (or for a signal not handled by Python) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    held = [sig for sig, handler in previous.items() if callable(handler)]
    caught: list[tuple[int, Any]] = []

    def hold(signum: int, frame: Any) -> None:
        caught.append((signum, frame))

    try:
        for sig in held:
            signal.signal(sig, hold)
    except ValueError:  # pragma: no cover - not the main interpreter
        yield
        return
    try:
        yield
    finally:
        for sig in held:
            signal.signal(sig, previous[sig])
        if caught:
            signum, frame = caught[0]
            handler = previous[signal.Signals(signum)]
            if callable(handler):
                handler(signum, frame)
