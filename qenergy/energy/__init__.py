"""Energy physics and bounds: Landauer erasure, finite-step resets, query counts, the quantum upper and
classical lower bounds, magnitudes beyond floating point, and the energy criterion and crossover.

Lowest layer of the core: imports only [qenergy.errors][], [qenergy.numbers][] and itself; never the
ledger, the problem, the hardware, either side (`qenergy.circuits`, `qenergy.classical`) or the
application layer.
"""
