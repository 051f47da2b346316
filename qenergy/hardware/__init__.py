"""Machines and devices: QPU power presets and bands, the measured classical machine (joules per query), and
noise specifications of simulated devices (the physics of the twins is built in [qenergy.circuits.noise][]).

May import [qenergy.energy][], [qenergy.ledger][] and [qenergy.problem][]; never either side or the
application layer.
"""
