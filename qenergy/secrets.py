"""Keeping credentials out of ledgers, reports, logs and error messages.

IBM Quantum tokens are read from the environment (``QISKIT_IBM_TOKEN``) or the saved
account by qiskit-ibm-runtime itself; qenergy never stores them. As a second line of
defence, any text that reaches a ledger, a report or an error line passes through
[`redact`][redact], which masks the current values of the secret environment variables.
"""

from __future__ import annotations

import os

__all__ = ["SECRET_ENV_VARS", "redact", "redact_bytes"]

#: Environment variables whose values must never be written anywhere.
SECRET_ENV_VARS = ("QISKIT_IBM_TOKEN", "IBM_QUANTUM_TOKEN", "QISKIT_IBM_API_KEY")

_MIN_SECRET_LEN = 6


def redact(text: str, *extra: str | None) -> str:
    """``text`` with every secret (environment tokens and ``extra`` values) replaced by ``***``."""
    secrets = [os.environ.get(name) for name in SECRET_ENV_VARS] + list(extra)
    for value in secrets:
        if value and len(value) >= _MIN_SECRET_LEN and value in text:
            text = text.replace(value, "***")
    return text


def redact_bytes(data: bytes) -> bytes:
    """``data`` (a file's content) with every secret's UTF-8 bytes replaced by ``***``: what [`redact`][redact] does for text."""
    for name in SECRET_ENV_VARS:
        value = os.environ.get(name)
        if value and len(value) >= _MIN_SECRET_LEN:
            raw = value.encode("utf-8", "surrogateescape")
            if raw in data:
                data = data.replace(raw, b"***")
    return data
