"""numba-compiled kernels of the keyed permutation and the random oracle (imported only when numba is installed).

Bit-identical to [qenergy.problem.oracles.KeyedPermutation.apply][] and
[qenergy.problem.oracles.RandomOracle.evaluate][] (numpy): the same 64-bit wrapping arithmetic,
per round ``v = (v + a) & mask; v ^= v >> shift; v = v * m`` and a final ``& mask``.
Keys travel as one ``uint64`` array ``[a0, a1, a2, a3, m0, m1, m2, m3, mask, shift]``
([`pack_keys`][pack_keys]). Every function is compiled with ``cache=True`` (once per machine, then
loaded from numba's cache).
"""
# mypy: disallow-untyped-decorators=False, disallow-any-generics=False

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["apply_permutation", "evaluate_random", "pack_keys", "permute", "warm"]

#: Length of a packed key array.
KEY_WORDS = 10


def pack_keys(n: int, adds: tuple[int, ...], muls: tuple[int, ...], shift: int) -> NDArray[np.uint64]:
    """The keys of a 4-round keyed permutation on n bits as one uint64 array (see the module docstring)."""
    if len(adds) != 4 or len(muls) != 4:
        raise ValueError("the compiled permutation has exactly 4 rounds")
    return np.array([*adds, *muls, (1 << n) - 1, shift], dtype=np.uint64)


@numba.njit(cache=True, inline="always")
def permute(v, k):  # type: ignore[no-untyped-def]
    """π(v) for one uint64 ``v`` and packed keys ``k``."""
    mask, shift = k[8], k[9]
    v = (v + k[0]) & mask
    v ^= v >> shift
    v = v * k[4]
    v = (v + k[1]) & mask
    v ^= v >> shift
    v = v * k[5]
    v = (v + k[2]) & mask
    v ^= v >> shift
    v = v * k[6]
    v = (v + k[3]) & mask
    v ^= v >> shift
    v = v * k[7]
    return v & mask


@numba.njit(cache=True)
def apply_permutation(src, out, k):  # type: ignore[no-untyped-def]
    """out[i] = π(src[i]) over flat uint64 arrays (``out`` may be ``src``)."""
    for i in range(src.size):
        out[i] = permute(src[i], k)


@numba.njit(cache=True)
def evaluate_random(src, out, secret, k):  # type: ignore[no-untyped-def]
    """out[i] = π(min(x, x ⊕ s)) for x = src[i]: the random oracle."""
    for i in range(src.size):
        x = src[i]
        y = x ^ secret
        out[i] = permute(x if x < y else y, k)


def warm() -> None:
    """Load every kernel here (compiling it the first time on a machine)."""
    k = pack_keys(8, (1, 2, 3, 4), (5, 7, 9, 11), 4)
    v = np.arange(4, dtype=np.uint64)
    apply_permutation(v, v, k)
    evaluate_random(v, v, np.uint64(3), k)
