"""GF(2) null space: qenergy's bit-packed numpy elimination against the usual baselines.

Baselines: the hand-rolled Python-integer elimination most Simon tutorials write, and
``galois.GF(2)(A).null_space()`` (IBM's Simon lesson) when galois is installed.
Prints seconds and ratios (baseline ÷ ours; > 1 means we are faster).
"""

from __future__ import annotations

import numpy as np
from common import best_of, row

from qenergy.problem.gf2 import null_space


def python_int_null_space(rows: np.ndarray) -> list[int]:
    """Textbook elimination on rows held as Python ints; returns null-space basis vectors."""
    k, n = rows.shape
    ints = [int("".join(map(str, r[::-1])), 2) for r in rows]
    pivots: dict[int, int] = {}
    for r in ints:
        for col, prow in pivots.items():
            if (r >> col) & 1:
                r ^= prow
        if r:
            col = r.bit_length() - 1
            for c2 in list(pivots):
                if (pivots[c2] >> col) & 1:
                    pivots[c2] ^= r
            pivots[col] = r
    free = [c for c in range(n) if c not in pivots]
    basis = []
    for f in free:
        v = 1 << f
        for col, prow in pivots.items():
            if (prow >> f) & 1:
                v |= 1 << col
        basis.append(v)
    return basis


def main() -> None:
    try:
        import galois  # type: ignore[import-not-found]
    except ImportError:
        galois = None
    print("GF(2) null space of an (n+10) x n random matrix")
    print(row("n", "ours [s]", "python-int [s]", "galois [s]", "int/ours", widths=(6, 10, 14, 12, 10)))
    rng = np.random.default_rng(0)
    for n in (64, 256, 1024):
        a = rng.integers(0, 2, size=(n + 10, n), dtype=np.uint8)
        ours = best_of(lambda: null_space(a, n))
        base = best_of(lambda: python_int_null_space(a), repeat=1 if n > 512 else 3)
        gal = best_of(lambda: galois.GF(2)(a).null_space(), repeat=1) if galois is not None and n <= 256 else float("nan")
        print(row(n, f"{ours:.4f}", f"{base:.4f}", f"{gal:.4f}", f"{base / ours:.1f}x", widths=(6, 10, 14, 12, 10)))


if __name__ == "__main__":
    main()
