"""The cost ledger: the append-only book of charges ([`book`][qenergy.ledger.book]), its file store, exports,
grid carbon, the energy meter, and the charging policy that prices queries and shots into it.

May import [qenergy.energy][] and the base modules; never the problem, the hardware, either side or the
application layer. ``from qenergy.ledger import Ledger`` is the short form of the book's main class.
"""

from qenergy.ledger.book import BASES, Charge, Ledger

__all__ = ["BASES", "Charge", "Ledger"]
