"""Simon's problem: the instance and its secret, the oracle families, the counting oracle that charges every
query, and GF(2) linear algebra.

May import [qenergy.energy][] and [qenergy.ledger][]; never the hardware, either side or the
application layer. ``from qenergy.problem import make_instance`` is the short form of the instance module.
"""

from qenergy.problem.instance import SimonInstance, make_instance, parse_secret, seed_streams

__all__ = ["SimonInstance", "make_instance", "parse_secret", "seed_streams"]
