"""Which kernel runs the classical hot loops: compiled (numba) or numpy; the one place that decides.

The keyed permutation, the random oracle, parallel-rho's walks and birthday search's collision
detection each have two implementations that give bit-identical results: numpy (always there)
and a numba-compiled kernel (the optional ``fast`` extra, ``pip install 'qenergy[fast]'``). The
compiled kernels are used when numba can be imported, unless the caller asks for numpy
(``kernel="numpy"``) or the environment variable [`KERNEL_ENV`][KERNEL_ENV] says ``numpy``.

Compiled kernels are cached on disk by numba (``cache=True``: compiled once per machine, then
loaded in ~0.1–0.5 s per process) and looked up once per process ([`compiled`][compiled]); callers
time that first look-up as start-up, not search ([`warm_up`][warm_up]).
"""

from __future__ import annotations

import functools
import importlib
import os
import time
from types import ModuleType

from qenergy.errors import InputError

__all__ = ["KERNELS", "KERNEL_ENV", "compiled", "kernel_note", "numba_available", "resolve_kernel", "warm_up"]

#: Kernel names, fastest first.
KERNELS = ("numba", "numpy")
#: Environment variable that chooses the kernel when a caller does not: ``numba``, ``numpy`` or ``auto`` (unset: auto).
KERNEL_ENV = "QENERGY_KERNEL"
#: The one line said when numba is missing.
NO_NUMBA_NOTE = "numba is not installed: the classical kernels run on numpy (pip install 'qenergy[fast]' for the compiled ones)"


@functools.lru_cache(maxsize=1)
def numba_available() -> bool:
    """True when ``import numba`` succeeds in this process (checked once per process)."""
    try:
        import numba  # noqa: F401
    except Exception:  # ImportError, or a broken install (llvmlite mismatch raises other errors)
        return False
    return True


def resolve_kernel(kernel: str | None = None) -> str:
    """The kernel to use: ``kernel`` if given, else [`KERNEL_ENV`][KERNEL_ENV], else ``numba`` when importable, else ``numpy``.

    ``auto`` (or unset) picks numba when it can be imported. Raises [`InputError`][InputError] for a name
    outside ``numba``, ``numpy``, ``auto``, or for ``numba`` asked for explicitly when it is not installed.
    """
    choice = kernel if kernel is not None else (os.environ.get(KERNEL_ENV) or "auto")
    choice = choice.strip().lower()
    if choice not in (*KERNELS, "auto"):
        raise InputError(f"kernel {choice!r} is not allowed; allowed: numba, numpy, auto (set by {KERNEL_ENV} or the caller)")
    if choice == "auto":
        return "numba" if numba_available() else "numpy"
    if choice == "numba" and not numba_available():
        raise InputError("kernel 'numba' is not allowed here: numba is not installed; allowed: numpy, auto (pip install 'qenergy[fast]')")
    return choice


def kernel_note(kernel: str) -> str | None:
    """One line for reports when numba is missing (None when it is installed or ``kernel`` is numba)."""
    return NO_NUMBA_NOTE if kernel == "numpy" and not numba_available() else None


@functools.lru_cache(maxsize=1)
def compiled() -> ModuleType:
    """The compiled kernels of the core ([qenergy.problem._numba_kernels][]), imported once per process.

    Raises ImportError when numba is missing (callers resolve the kernel first).
    """
    return importlib.import_module(f"{__package__}._numba_kernels")


def warm_up(kernel: str) -> float:
    """Load (or compile, the first time on a machine) the core's compiled kernels; returns the seconds it took (0 for numpy)."""
    if kernel != "numba":
        return 0.0
    t0 = time.perf_counter()
    compiled().warm()
    return time.perf_counter() - t0
